# Helpers for the pipeline's end-to-end tests; source after cloud.sh.

export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export HOME="$T" # no user git config

# build_field ID EXPR: a field of GET /v1/builds/ID (Python over `d`).
build_field() {
	api GET "/v1/builds/$1" | jq_ "$2"
}

# wait_build ID: until the build is over (generous: the machine may be
# loaded); prints its final status.
wait_build() {
	local deadline=$((SECONDS + ${2:-120})) st
	while :; do
		st=$(build_field "$1" 'd["status"]')
		case $st in SUCCEEDED | FAILED | FAULT | TIMED_OUT | STOPPED)
			echo "$st"
			return
			;;
		esac
		[ $SECONDS -lt $deadline ] || fail "build $1 still $st: $(api GET "/v1/builds/$1/log")"
		sleep 0.1
	done
}

# latest_build PROJECT: the id of its newest build ("" if none).
latest_build() {
	api GET "/v1/builds?project=$1" | jq_ 'd["builds"][0]["id"] if d["builds"] else ""'
}

# count_builds PROJECT
count_builds() {
	api GET "/v1/builds?project=$1" | jq_ 'len(d["builds"])'
}

# github_hook PROJECT EVENT DELIVERY FILE SECRET: POSTs a signed GitHub
# delivery; the answer in $T/body, the status in $T/status.
github_hook() {
	local sig
	sig=sha256=$(openssl dgst -sha256 -hmac "$5" -r <"$4" | cut -d' ' -f1)
	curl -s --max-time 30 --unix-socket "$SOCK" -o "$T/body" -w '%{http_code}' \
		-H "X-GitHub-Event: $2" -H "X-GitHub-Delivery: $3" -H "X-Hub-Signature-256: $sig" \
		-H 'Content-Type: application/json' --data-binary @"$4" \
		"http://gitfleet/hooks/github/$1" >"$T/status"
}

# Helpers for the local cloud's end-to-end tests; source after common.sh.
# Each test gets its own daemon home in $T/home and talks to the API over
# the unix socket with curl, as a user would.

HOME_DIR="$T/home"
SOCK="$HOME_DIR/run/gitfleet.sock"
# A port range of our own, so tests running side by side do not collide;
# above free_port's and below the kernel's ephemeral ports (32768 and up
# by default), which every outgoing connection takes: an instance must not
# find its port held by a client's socket between the daemon's probe and
# its bind.
PORT_LO=$((20000 + (RANDOM % 127) * 100))
PORT_HI=$((PORT_LO + 99))

# Builds of a root daemon run as an unprivileged user, who must be able to
# pass through $T to the build directory $T/home-builds. Without the
# dedicated gitfleet-build user the tests use nobody.
BUILD_FLAGS=()
if [ "$(id -u)" = 0 ]; then
	chmod 711 "$T"
	getent passwd gitfleet-build >/dev/null || BUILD_FLAGS=(--build-user nobody)
fi
# A directory every build may write to, for files the test reads back.
SHARED="$T/shared"
mkdir -p "$SHARED" && chmod 1777 "$SHARED"

# start_daemon [ARGS...]: gitfleet daemon in the background, log in
# $T/daemon.log; ARGS are added to its command line.
start_daemon() {
	"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" \
		"${BUILD_FLAGS[@]}" "$@" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	GF_PIDS+=($!)
	local deadline=$((SECONDS + 60))
	until curl -s --unix-socket "$SOCK" -o /dev/null http://gitfleet/v1/lbs; do
		[ $SECONDS -lt $deadline ] || fail "the daemon did not start: $(tail -5 "$T/daemon.log")"
		sleep 0.05
	done
}

# stop_daemon: SIGTERM, and wait for a clean exit.
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	expect_eq "daemon exit status" 0 "$rc"
}

# api METHOD PATH [CURL ARGS...]: the body on stdout; the status in $T/status.
# The time limit exceeds the longest ?wait= the tests ask for (60 s), so
# that the daemon's own answer (e.g. a "timeout" outcome) always arrives.
api() {
	local method=(-X "$1") path=$2
	[ "$1" != HEAD ] || method=(--head)
	shift 2
	curl -s --max-time 120 --unix-socket "$SOCK" "${method[@]}" -o "$T/body" \
		-w '%{http_code}' "$@" "http://gitfleet$path" >"$T/status"
	cat "$T/body"
}

status() { cat "$T/status"; }

# jq_ EXPR: evaluates a Python expression over the JSON on stdin as `d`.
jq_() {
	"$PY" -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if not isinstance(r,(dict,list)) else json.dumps(r))' "$1"
}

# upload_release DIR: tars DIR, PUTs it, prints the release id.
upload_release() {
	local id
	id=$("$PY" "$GF_E2E_LIB/release_hash.py" "$1")
	tar -C "$1" -cf "$T/upload.tar" .
	api PUT "/v1/releases/$id" --data-binary @"$T/upload.tar" >/dev/null
	case $(status) in 200 | 201) ;; *) fail "upload of $1: $(status) $(cat "$T/body")" ;; esac
	echo "$id"
}

# make_site DIR TEXT: a one-page site.
make_site() {
	mkdir -p "$1"
	echo "$2" >"$1/index.html"
}

# create_stack PORT RELEASE DESIRED [GRACE]: lb, target group, listener on
# PORT, launch template of RELEASE, group of DESIRED instances; waits
# until they serve.
create_stack() {
	api PUT /v1/lbs/web -d '{}' >/dev/null
	expect_eq "PUT lb" 201 "$(status)"
	api PUT /v1/target-groups/web-tg -d '{"health_check": {"path": "/", "interval": 0.2,
		"healthy_threshold": 2, "unhealthy_threshold": 2, "matcher": "200"},
		"deregistration_delay": 2}' >/dev/null
	expect_eq "PUT target group" 201 "$(status)"
	api PUT /v1/listeners/http -d "{\"load_balancer_id\": \"web\", \"port\": $1,
		\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null
	expect_eq "PUT listener" 201 "$(status)"
	api PUT /v1/launch-templates/web -d "{\"release\": \"$2\"}" >/dev/null
	expect_eq "PUT launch template" 201 "$(status)"
	put_group "$3" "${4:-10}"
	expect_eq "PUT group" 201 "$(status)"
	expect_eq "group converged" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
}

# put_group DESIRED [GRACE]: PUTs the group and waits for the outcome.
put_group() {
	api PUT "/v1/autoscaling-groups/web?wait=60" -d "{\"min_size\": 1, \"max_size\": 4,
		\"desired_capacity\": $1, \"launch_template\": \"web\",
		\"target_group_ids\": [\"web-tg\"], \"health_check_grace_period\": ${2:-10}}" >/dev/null
}

# in_service [VERSION]: how many instances serve (of VERSION).
in_service() {
	api GET /v1/instances | jq_ "len([i for i in d['items'] if i['state']=='in_service' and ('${1:-}'=='' or i['version']==int('${1:-0}'))])"
}

# start_load PORT SECONDS: lb_load.py in the background, output in $T/load.out.
start_load() {
	"$PY" "$GF_E2E_LIB/lb_load.py" "$1" "$2" 4 >"$T/load.out" &
	LOAD_PID=$!
	GF_PIDS+=($!)
}

# expect_no_failed_requests: waits for the load and checks it.
expect_no_failed_requests() {
	wait "$LOAD_PID"
	cat "$T/load.out" >&2
	local line
	line=$(head -1 "$T/load.out")
	case $line in ok=*" failed=0") ;; *) fail "requests failed: $(cat "$T/load.out")" ;; esac
	[ "${line%% *}" != "ok=0" ] || fail "no request was made"
}

cloud_on_fail() {
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "--- daemon log (tail) ---" >&2
		tail -40 "$T/daemon.log" >&2 || true
	fi
	gf_cleanup
	exit $rc
}
trap cloud_on_fail EXIT

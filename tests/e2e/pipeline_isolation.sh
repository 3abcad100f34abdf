# What a build can reach. Builds run as an unprivileged user when the
# daemon is root, in a workspace outside the daemon's home, and talk to the
# daemon only through the token-only build socket: a pull request's build
# can plan but its `gitfleet apply` is refused, it cannot use the trusted
# admin socket, and a request without its token is refused too. A push
# build, with a full token, applies through the same socket. A root daemon
# without its build user runs no build; a daemon that is not root runs
# builds as itself, still through the token-only socket.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

start_daemon
ROOT=0
[ "$(id -u)" != 0 ] || ROOT=1
if [ $ROOT = 1 ]; then
	BUILD_USER=gitfleet-build
	getent passwd gitfleet-build >/dev/null || BUILD_USER=nobody
	BUILD_UID=$(id -u "$BUILD_USER")
else
	BUILD_UID=$(id -u)
fi

git init -q -b master "$T/up"
cd "$T/up"
mkdir infra
cat >infra/main.tf <<'EOF'
terraform {
  backend "gitfleet" { name = "isolation" }
}
resource "fleet_lb" "web" { name = "from-${replace(lower(var.event), "_", "-")}" }
variable "event" {}
EOF
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "uid=$(id -u) home=$HOME tmp=$TMPDIR"
      - touch "$HOME/h" "$TMPDIR/t" && echo own-dirs-writable
      - echo "git-head=$(git log -1 --format=%s)"
      - echo "objects=$(test -e .git/objects/info/alternates && echo borrowed || echo own) commits=$(git rev-list --count HEAD) owner=$(stat -c %u .git/objects/pack/*.pack)"
      - rm -rf .git/objects/pack && git gc -q --prune=now 2>/dev/null; echo objects-removed
      - ls "$DAEMON_HOME" >/dev/null 2>&1 || echo daemon-home-closed
      - curl -s -o /dev/null --max-time 10 --unix-socket "$DAEMON_HOME/run/gitfleet.sock" -X PUT -d '{}' http://gitfleet/v1/lbs/admin-socket; echo "admin-socket-curl=$?"
      - echo "no-token=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "${GITFLEET_ADDR#unix:}" -X PUT -d '{}' http://gitfleet/v1/lbs/no-token)"
      - cd infra
      - gitfleet init -no-color >/dev/null && echo init-ok
      - gitfleet plan -no-color -var "event=$CODEBUILD_WEBHOOK_EVENT" >/dev/null && echo plan-ok
      - gitfleet apply -auto-approve -no-color -var "event=$CODEBUILD_WEBHOOK_EVENT"
YAML
git add . && git commit -qm one
C1=$(git rev-parse HEAD)
git checkout -q -b change && echo change >change.txt && git add . && git commit -qm change
C2=$(git rev-parse HEAD)
git checkout -q master

SECRET=0123456789abcdef-secret
api PUT /v1/projects/iso -d "{\"source\": {\"type\": \"GIT\", \"location\": \"$T/up\"},
  \"environment\": {\"variables\": {\"DAEMON_HOME\": \"$HOME_DIR\"}}}" >/dev/null
expect_eq "project" 200 "$(status)"
api PUT /v1/webhooks/iso -d "{\"secret\": \"$SECRET\", \"filter_groups\": [
  [{\"type\": \"EVENT\", \"pattern\": \"PUSH\"}],
  [{\"type\": \"EVENT\", \"pattern\": \"PULL_REQUEST_CREATED\"}]]}" >/dev/null
expect_eq "webhook" 200 "$(status)"

# A pull request: read-only token, through the build socket.
cat >"$T/pr.json" <<JSON
{"action": "opened", "number": 9,
 "pull_request": {"number": 9, "merged": false, "title": "change",
   "head": {"ref": "change", "sha": "$C2"}, "base": {"ref": "master", "sha": "$C1"}},
 "sender": {"id": 583231, "login": "contributor"}}
JSON
github_hook iso pull_request d-pr "$T/pr.json" "$SECRET"
expect_eq "pull request" 202 "$(status)"
PR=$(jq_ 'd["build_id"]' <"$T/body")
expect_eq "PR build fails on apply" FAILED "$(wait_build "$PR")"
LOG=$(api GET "/v1/builds/$PR/log")
expect_contains "runs as the build user" "uid=$BUILD_UID " "$LOG"
[ $ROOT = 0 ] || case $LOG in *"uid=0 "*) fail "a build of a root daemon ran as root" ;; esac
expect_contains "own home and tmp" own-dirs-writable "$LOG"
expect_contains "git works in the checkout" "git-head=change" "$LOG"
# A repository of its own: a pack of the build user's with the commit
# alone (git_clone_depth 1), nothing borrowed from the mirror; removing
# its objects leaves the mirror whole.
expect_contains "objects of its own" "objects=own commits=1 owner=$BUILD_UID" "$LOG"
expect_contains "the build removed its objects" objects-removed "$LOG"
git -C "$HOME_DIR/mirrors/iso.git" fsck --no-dangling >"$T/fsck" 2>&1 ||
	fail "the mirror is damaged after a build removed its objects: $(cat "$T/fsck")"
expect_contains "workspace outside the home" "home=$HOME_DIR-builds/iso/1/home" "$LOG"
expect_contains "no token, no entry" "no-token=401" "$LOG"
expect_contains "PR may plan" plan-ok "$LOG"
expect_contains "PR apply refused" "has a read-only token: it may read (plan) but not" "$LOG"
if [ $ROOT = 1 ]; then
	expect_contains "daemon home closed" daemon-home-closed "$LOG"
	# curl exits 7 when it cannot connect: the socket is out of reach.
	expect_contains "admin socket out of reach" "admin-socket-curl=7" "$LOG"
fi
expect_eq "nothing created by the PR" "[]" "$(api GET /v1/lbs | jq_ '[l["name"] for l in d["items"]]')"
deadline=$((SECONDS + 30))
while [ -e "$HOME_DIR-builds/iso/1" ]; do
	[ $SECONDS -lt $deadline ] || fail "the PR build's workspace was not removed"
	sleep 0.1
done

# A push: a full token, through the same socket, may apply.
cat >"$T/push.json" <<JSON
{"ref": "refs/heads/master", "before": "0000000000000000000000000000000000000000",
 "after": "$C1", "created": true, "deleted": false, "forced": false,
 "sender": {"id": 1, "login": "owner"}, "head_commit": {"id": "$C1", "message": "one"},
 "commits": [{"id": "$C1", "message": "one", "added": ["buildspec.yaml"], "modified": [], "removed": []}]}
JSON
github_hook iso push d-push "$T/push.json" "$SECRET"
expect_eq "push" 202 "$(status)"
PUSH=$(jq_ 'd["build_id"]' <"$T/body")
ST=$(wait_build "$PUSH")
[ "$ST" = SUCCEEDED ] || fail "push build $ST: $(api GET "/v1/builds/$PUSH/log")"
expect_eq "created by the push" '["from-push"]' "$(api GET /v1/lbs | jq_ '[l["name"] for l in d["items"]]')"
LOG=$(api GET "/v1/builds/$PUSH/log")
expect_contains "still no token, no entry" "no-token=401" "$LOG"
stop_daemon

# A root daemon whose build user does not exist runs no build, and says why.
if [ $ROOT = 1 ]; then
	start_daemon --build-user gitfleet-no-such-user
	ID=$("$GITFLEET" build start iso --home "$HOME_DIR")
	expect_eq "missing build user" FAULT "$(wait_build "$ID")"
	expect_contains "reason" 'the build user \"gitfleet-no-such-user\" does not exist' \
		"$(api GET "/v1/builds/$ID")"
	stop_daemon
fi

# A daemon that is not root (here: root's test run starts one as nobody)
# runs builds as its own user, and they still get the token-only socket.
if [ $ROOT = 1 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T/nr" && chown nobody "$T/nr"
	HOME_DIR="$T/nr/home"
	SOCK="$HOME_DIR/run/gitfleet.sock"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- \
		"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" \
		>>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	GF_PIDS+=($!)
	deadline=$((SECONDS + 20))
	until curl -s --unix-socket "$SOCK" -o /dev/null http://gitfleet/v1/lbs; do
		[ $SECONDS -lt $deadline ] || fail "the daemon as nobody did not start: $(tail -5 "$T/daemon.log")"
		sleep 0.05
	done
	api PUT /v1/projects/nr -d '{"source": {"type": "GITFLEET"}}' >/dev/null
	expect_eq "project of the unprivileged daemon" 200 "$(status)"
	git config --global safe.directory '*' # its repository is nobody's
	cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "uid=$(id -u) addr=$GITFLEET_ADDR"
      - echo "no-token=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "${GITFLEET_ADDR#unix:}" http://gitfleet/v1/lbs)"
      - gitfleet builds nr >/dev/null && echo token-ok
YAML
	git add buildspec.yaml && git commit -qm nr
	git push -q "$HOME_DIR/repos/nr.git" HEAD:master 2>/dev/null
	ID=$(latest_build nr)
	expect_eq "build of the unprivileged daemon" SUCCEEDED "$(wait_build "$ID")"
	LOG=$(api GET "/v1/builds/$ID/log")
	expect_contains "runs as the daemon's user" "uid=$(id -u nobody) addr=unix:$T/nr/home-builds/build.sock" "$LOG"
	expect_contains "token-only socket" "no-token=401" "$LOG"
	expect_contains "its token works" token-ok "$LOG"
	stop_daemon
fi

# A daemon that is not root, but holds the capabilities the systemd unit
# gives it (CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_KILL, CAP_DAC_OVERRIDE,
# CAP_FOWNER, as ambient capabilities): its builds run as the build user,
# with no capability at all, cannot read the daemon's home or reach its
# admin socket; their artifacts are collected and their workspaces
# removed even when the build locked its files away; a stop kills them.
# The same daemon without the capabilities runs builds as itself and says
# so at start.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
[ "$(id -u)" = 0 ] || skip "starting a daemon as another user with capabilities needs root"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
CAPS=+setuid,+setgid,+chown,+kill,+dac_override,+fowner
setpriv --reuid=nobody --inh-caps="$CAPS" --ambient-caps="$CAPS" -- true 2>/dev/null ||
	skip "this machine cannot give ambient capabilities (kernel before 4.3, or a container without them)"

BUILD_USER=gitfleet-build
getent passwd gitfleet-build >/dev/null || BUILD_USER=nobody
BUILD_UID=$(id -u "$BUILD_USER")
# The daemon's user: a uid of its own, neither root nor the build user.
DUID=64100
while getent passwd "$DUID" >/dev/null || getent group "$DUID" >/dev/null; do DUID=$((DUID + 1)); done

mkdir -p "$T/d" && chown "$DUID:$DUID" "$T/d" && chmod 711 "$T/d"
HOME_DIR="$T/d/home"
SOCK="$HOME_DIR/run/gitfleet.sock"
git config --global safe.directory '*' # the hosted repository is the daemon user's

# start_as CAPS: the daemon as $DUID, with CAPS ambient ("" for none).
start_as() {
	local caps=()
	[ -z "$1" ] || caps=(--inh-caps="$1" --ambient-caps="$1")
	: >"$T/daemon.log"
	HOME="$HOME_DIR" setpriv --reuid="$DUID" --regid="$DUID" --clear-groups "${caps[@]}" -- \
		"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" \
		--build-user "$BUILD_USER" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	GF_PIDS+=($!)
	local deadline=$((SECONDS + 20))
	until curl -s --unix-socket "$SOCK" -o /dev/null http://gitfleet/v1/lbs; do
		[ $SECONDS -lt $deadline ] || fail "the daemon as uid $DUID did not start: $(tail -5 "$T/daemon.log")"
		sleep 0.05
	done
}

# push_spec MESSAGE: commits buildspec.yaml, pushes it; prints the build id.
push_spec() {
	git add buildspec.yaml && git commit -qm "$1"
	git push -q "$HOME_DIR/repos/caps.git" HEAD:master 2>/dev/null
	latest_build caps
}

start_as "$CAPS"
case $(cat "$T/daemon.log") in *"builds run as the daemon's own user"*)
	fail "the daemon with capabilities still runs builds as itself: $(cat "$T/daemon.log")" ;;
esac
api PUT /v1/projects/caps -d "{\"source\": {\"type\": \"GITFLEET\"},
  \"environment\": {\"variables\": {\"DAEMON_HOME\": \"$HOME_DIR\"}}}" >/dev/null
expect_eq "project" 200 "$(status)"

git init -q -b master "$T/up"
cd "$T/up"
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"
      - |
        awk '/^Cap(Inh|Prm|Eff|Amb)/ && $2 != "0000000000000000" { held = held " " $1 $2 }
             END { print held ? "caps-held:" held : "no-caps" }' /proc/self/status
      - ls "$DAEMON_HOME" >/dev/null 2>&1 || echo daemon-home-closed
      - cat "$DAEMON_HOME/api-token" 2>/dev/null || echo token-unreadable
      - curl -s -o /dev/null --max-time 10 --unix-socket "$DAEMON_HOME/run/gitfleet.sock" http://gitfleet/v1/lbs; echo "admin-socket-curl=$?"
      - gitfleet builds caps >/dev/null && echo build-token-ok
      - touch "$HOME/h" "$TMPDIR/t" && echo own-dirs-writable
      - mkdir -p out/deep && echo artifact-text >out/deep/a.txt && chmod 600 out/deep/a.txt && chmod 700 out/deep && chmod 500 out
      - mkdir sticky && touch sticky/f && chmod 1700 sticky
      - mkdir -p locked/sub && touch locked/sub/f && chmod 000 locked/sub locked
artifacts:
  files:
    - 'out/**/*'
YAML
ID=$(push_spec "who am I")
ST=$(wait_build "$ID")
LOG=$(api GET "/v1/builds/$ID/log")
[ "$ST" = SUCCEEDED ] || fail "build $ST: $LOG $(tail -20 "$T/daemon.log")"
expect_contains "runs as the build user" "uid=$BUILD_UID gid=$(id -g "$BUILD_USER") groups=$(id -g "$BUILD_USER")" "$LOG"
expect_contains "holds no capability" "Z no-caps" "$LOG"
expect_contains "cannot read the daemon's home" daemon-home-closed "$LOG"
expect_contains "cannot read the API token" token-unreadable "$LOG"
# curl exits 7 when it cannot connect: the admin socket is out of reach.
expect_contains "admin socket out of reach" "admin-socket-curl=7" "$LOG"
expect_contains "its own token works" build-token-ok "$LOG"
expect_contains "own home and tmp" own-dirs-writable "$LOG"
expect_contains "the log names the user" "as user $BUILD_USER" "$LOG"
expect_eq "artifact collected from a locked tree" artifact-text \
	"$(curl -s --max-time 10 --unix-socket "$SOCK" "http://gitfleet/v1/builds/$ID/artifacts?file=out/deep/a.txt")"
WS="$T/d/home-builds/caps/1"
deadline=$((SECONDS + 30))
while [ -e "$WS" ]; do
	[ $SECONDS -lt $deadline ] || fail "the workspace was not removed: $(ls -laR "$WS" 2>&1 | head -20) $(tail -5 "$T/daemon.log")"
	sleep 0.1
done

# A stop reaches the build user's processes (CAP_KILL).
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo started; sleep 617
YAML
ID=$(push_spec "long")
deadline=$((SECONDS + 60))
until api GET "/v1/builds/$ID/log" | grep -q 'Z started'; do
	[ $SECONDS -lt $deadline ] || fail "the long build did not start: $(api GET "/v1/builds/$ID/log")"
	sleep 0.1
done
api POST "/v1/builds/$ID/stop" >/dev/null
expect_eq "stopped" STOPPED "$(wait_build "$ID")"
deadline=$((SECONDS + 15))
while pgrep -u "$BUILD_UID" -f "sleep 617" >/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the stopped build's sleep still runs"
	sleep 0.1
done
stop_daemon

# Without the capabilities: builds run as the daemon's user, and the
# daemon said so at start, naming the fix.
start_as ""
expect_contains "warning at start" "builds run as the daemon's own user and can reach its home" "$(cat "$T/daemon.log")"
expect_contains "warning names what is missing" "missing=\"CAP_SETUID CAP_SETGID CAP_CHOWN CAP_KILL CAP_DAC_OVERRIDE CAP_FOWNER\"" "$(cat "$T/daemon.log")"
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "uid=$(id -u)"
YAML
ID=$(push_spec "no caps")
expect_eq "build without capabilities" SUCCEEDED "$(wait_build "$ID")"
expect_contains "runs as the daemon's user" "uid=$DUID" "$(api GET "/v1/builds/$ID/log")"
stop_daemon

# --log-format json everywhere: the daemon (its API, the load balancer's
# threads, the pipeline), the instances it starts (gitfleet www children,
# which inherit GITFLEET_LOG_FORMAT), a build's environment, and the
# standalone www and lb. Every line each of them writes is parsed with
# Python's json module: one object per line, with ts, level and msg.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

# Sanitizer builds: LeakSanitizer's exit summary of its suppressions
# (src/git/git.c) is not a log line of gitfleet's.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"

# check_json_lines WHAT FILE [MIN_LINES]: every line of FILE is a JSON
# object with string ts, level and msg; at least MIN_LINES lines (1).
check_json_lines() {
	"$PY" - "$1" "$2" "${3:-1}" <<'PY' || fail "$1: not one JSON object per line: $(head -c 2000 "$2")"
import json, sys
what, path, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", f"{what}: the last line has no newline"
lines = lines[:-1]
assert len(lines) >= least, f"{what}: {len(lines)} lines, want at least {least}"
for n, raw in enumerate(lines, 1):
    try:
        d = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        sys.exit(f"{what}:{n}: {e}: {raw[:300]!r}")
    if not isinstance(d, dict):
        sys.exit(f"{what}:{n}: not an object")
    for k in ("ts", "level", "msg"):
        if not isinstance(d.get(k), str):
            sys.exit(f"{what}:{n}: no string {k}: {raw[:300]!r}")
    if d["level"] not in ("debug", "info", "warn", "error"):
        sys.exit(f"{what}:{n}: level {d['level']}")
PY
}

# has_line FILE PYTHON-CONDITION-ON-d: some JSON line of FILE matches.
has_line() {
	"$PY" - "$1" "$2" <<'PY'
import json, sys
sys.exit(0 if any(eval(sys.argv[2], {"d": json.loads(l)}) for l in open(sys.argv[1], encoding="utf-8") if l.strip()) else 1)
PY
}

# -- Bad formats are refused, naming where the value came from.
if "$GITFLEET" daemon --home "$T/x" --log-format xml 2>"$T/err"; then fail "--log-format xml accepted"; fi
expect_contains "bad flag" "gitfleet daemon: --log-format xml: use text or json" "$(cat "$T/err")"
if GITFLEET_LOG_FORMAT=yaml "$GITFLEET" www --root "$T" --listen 127.0.0.1:0 2>"$T/err"; then
	fail "GITFLEET_LOG_FORMAT=yaml accepted"
fi
expect_contains "bad env" "gitfleet www: GITFLEET_LOG_FORMAT=yaml: use text or json" "$(cat "$T/err")"

# -- The daemon in JSON, with the TCP API (its token file is logged), a
# stack of two www instances behind a listener, and a build.
API_PORT=$(free_port)
LB_PORT=$(free_port)
"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" "${BUILD_FLAGS[@]}" \
	--api-listen "127.0.0.1:$API_PORT" --log-format json >"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
GF_PIDS+=($!)
deadline=$((SECONDS + 20))
until curl -s --unix-socket "$SOCK" -o /dev/null http://gitfleet/v1/lbs; do
	[ $SECONDS -lt $deadline ] || fail "the daemon did not start: $(tail -5 "$T/daemon.log")"
	sleep 0.05
done
make_site "$T/v1" "hello"
create_stack "$LB_PORT" "$(upload_release "$T/v1")" 2
curl -s --max-time 10 -o /dev/null "http://127.0.0.1:$LB_PORT/"

# An instance whose health check fails: the load balancer's threads log the
# state changes with reasons in quotes.
api PUT /v1/target-groups/web-tg -d '{"health_check": {"path": "/missing-\"x\"", "interval": 0.2,
	"healthy_threshold": 2, "unhealthy_threshold": 2, "matcher": "200"},
	"deregistration_delay": 2}' >/dev/null
expect_eq "health check changed" 200 "$(status)"

# A build: it inherits GITFLEET_LOG_FORMAT, and gitfleet commands in it log
# in JSON (here a www that cannot start, so its error is a JSON line).
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}, "build_timeout": 5}' >/dev/null
expect_eq "project created" 200 "$(status)"
git init -q -b master "$T/work"
cd "$T/work"
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "format=$GITFLEET_LOG_FORMAT"
      - gitfleet www --root /nonexistent-dir --listen 127.0.0.1:0 2>www.err || true
      - sed "s/^/WWWERR${NOTHING:-}=/" www.err
YAML
git add . && git commit -qm "build"
git remote add fleet "$("$GITFLEET" repo url site --home "$HOME_DIR")"
git push -q fleet master 2>"$T/push.err" || fail "push: $(cat "$T/push.err")"
ID=$(latest_build site)
expect_eq "build" SUCCEEDED "$(wait_build "$ID")"
LOG=$(api GET "/v1/builds/$ID/log")
expect_contains "build env" "format=json" "$LOG"
WWW_ERR=$(printf '%s\n' "$LOG" | sed -n 's/.*WWWERR=//p')
printf '%s\n' "$WWW_ERR" >"$T/build-www.log"
check_json_lines "www in a build" "$T/build-www.log"
has_line "$T/build-www.log" 'd["level"] == "error" and "not a directory" in d["msg"] and d["command"] == "www"' ||
	fail "the build's www error is not a JSON error line: $WWW_ERR"
cd "$T"

# The instances' own output (what the daemon keeps for `gitfleet logs`).
for i in i-1 i-2; do
	"$GITFLEET" logs --home "$HOME_DIR" --instance "$i" >"$T/$i.log"
	check_json_lines "instance $i" "$T/$i.log"
	has_line "$T/$i.log" 'd["msg"] == "www listening" and d["root"] != ""' ||
		fail "instance $i: no www listening line: $(cat "$T/$i.log")"
done

deadline=$((SECONDS + 30))
until grep -q '"msg":"target health changed".*"state":"unhealthy"' "$T/daemon.log"; do
	[ $SECONDS -lt $deadline ] || fail "no unhealthy target logged: $(tail -5 "$T/daemon.log")"
	sleep 0.1
done
stop_daemon
check_json_lines "daemon" "$T/daemon.log" 5
has_line "$T/daemon.log" 'd["msg"] == "API listening" and d["address"].startswith("127.0.0.1:")' ||
	fail "no API listening line"
has_line "$T/daemon.log" 'd["msg"] == "build ended" and d["status"] == "SUCCEEDED"' ||
	fail "no build ended line"
has_line "$T/daemon.log" 'd["msg"] == "target health changed" and d["state"] == "unhealthy" and "reason" in d' ||
	fail "no target health line with its reason"

# -- Standalone www (format from the environment) with an access log, fed
# request targets with quotes, backslashes and bytes that are not UTF-8 (the
# parser refuses those before logging), serving a root whose name has
# UTF-8, spaces and quotes in it.
ROOT="$T/café \"fox\""
mkdir -p "$T/site" "$ROOT" && echo hi >"$T/site/index.html" && echo hi >"$ROOT/index.html"
WWW_PORT=$(free_port)
GITFLEET_LOG_FORMAT=json "$GITFLEET" www --root "$ROOT" --listen "127.0.0.1:$WWW_PORT" \
	--access-log 2>"$T/www.log" &
WWW_PID=$!
GF_PIDS+=($!)
wait_for_port "$WWW_PORT"
"$PY" - "$WWW_PORT" <<'PY'
import socket, sys
for target in [b'/', b'/a"b', b'/caf\xc3\xa9', b'/bad\xff\xfe', b'/back\\slash', b'/ctl\x01x']:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
PY
kill -TERM "$WWW_PID"
wait "$WWW_PID" || fail "www did not exit cleanly"
check_json_lines "www" "$T/www.log" 4
has_line "$T/www.log" 'd["msg"] == "request" and d["target"] == "/a\"b"' || fail "quoted target: $(cat "$T/www.log")"
has_line "$T/www.log" 'd["msg"] == "request" and d["target"] == "/back\\slash"' || fail "backslash target: $(cat "$T/www.log")"
has_line "$T/www.log" 'd["msg"] == "www listening" and d["root"].endswith("/caf\u00e9 \"fox\"")' ||
	fail "root with UTF-8 and quotes: $(cat "$T/www.log")"

# -- Standalone lb in JSON: startup, health, SIGUSR1 counters, stop.
B_PORT=$(free_port)
"$GITFLEET" www --root "$T/site" --listen "127.0.0.1:$B_PORT" 2>/dev/null &
GF_PIDS+=($!)
wait_for_port "$B_PORT"
L_PORT=$(free_port)
"$GITFLEET" lb --listen "127.0.0.1:$L_PORT" --target "127.0.0.1:$B_PORT" \
	--target "127.0.0.1:1" --health-interval 0.2 --log-format json 2>"$T/lb.log" &
LB_PID=$!
GF_PIDS+=($!)
wait_for_port "$L_PORT"
deadline=$((SECONDS + 20))
until [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$L_PORT/")" = 200 ]; do
	[ $SECONDS -lt $deadline ] || fail "the lb never served: $(cat "$T/lb.log")"
	sleep 0.1
done
kill -USR1 "$LB_PID"
deadline=$((SECONDS + 30))
until grep -q '"msg":"target stats"' "$T/lb.log"; do
	[ $SECONDS -lt $deadline ] || fail "no stats after SIGUSR1: $(cat "$T/lb.log")"
	sleep 0.1
done
kill -TERM "$LB_PID"
wait "$LB_PID" || fail "lb did not exit cleanly"
check_json_lines "lb" "$T/lb.log" 4
has_line "$T/lb.log" 'd["msg"] == "load balancer started" and d["port"] == "'"$L_PORT"'"' || fail "no start line"
has_line "$T/lb.log" 'd["msg"] == "listener stats"' || fail "no listener stats"
echo ok

# The CLI over the daemon: gitfleet status (the tree), instances, events and
# logs, each with --json, found through --home, GITFLEET_HOME, or
# GITFLEET_ADDR + GITFLEET_TOKEN over TCP; a clear error when no daemon runs.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

LB_PORT=$(free_port)
API_PORT=$(free_port)
"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" \
	--api-listen "127.0.0.1:$API_PORT" >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
GF_PIDS+=($!)
wait_for_port "$API_PORT"
make_site "$T/v1" "hello"
R1=$(upload_release "$T/v1")
create_stack "$LB_PORT" "$R1" 2

OUT=$("$GITFLEET" status --home "$HOME_DIR")
expect_contains "tree: lb" "lb web" "$OUT"
expect_contains "tree: listener" "└─ listener http  127.0.0.1:$LB_PORT" "$OUT"
expect_contains "tree: target group" "└─ target group web-tg  GET / every 0.2s" "$OUT"
expect_contains "tree: group" "└─ group web  converged  version 1  2/2 in service" "$OUT"
expect_contains "tree: instance" "i-1    in_service   healthy    v1" "$OUT"
"$GITFLEET" status --home "$HOME_DIR" --json >"$T/status.json"
expect_eq "status --json" 2 "$(jq_ 'len(d["autoscaling_groups"][0]["status"]["instances"])' <"$T/status.json")"

OUT=$(GITFLEET_HOME="$HOME_DIR" "$GITFLEET" instances)
expect_contains "instances header" "ID       GROUP" "$OUT"
expect_contains "instances row" "i-2      web              1    in_service" "$OUT"
expect_eq "instances --json" "i-1 i-2" "$(GITFLEET_HOME="$HOME_DIR" "$GITFLEET" instances --json | jq_ '" ".join(i["id"] for i in d)')"

# Over TCP with the token; without it, the daemon's 401 is reported.
OUT=$(GITFLEET_ADDR="127.0.0.1:$API_PORT" GITFLEET_TOKEN="$(cat "$HOME_DIR/api-token")" "$GITFLEET" instances)
expect_contains "instances over TCP" "i-1" "$OUT"
if GITFLEET_ADDR="127.0.0.1:$API_PORT" GITFLEET_TOKEN=wrong "$GITFLEET" instances 2>"$T/err"; then
	fail "a wrong token was accepted"
fi
expect_contains "401" "401" "$(cat "$T/err")"

OUT=$("$GITFLEET" events --home "$HOME_DIR")
expect_contains "events" "instance i-1 in_service: healthy in every target group" "$OUT"
expect_contains "events" "group web converged" "$OUT"
NEWEST=$("$GITFLEET" events --home "$HOME_DIR" --json | tail -1 | jq_ 'd["id"]')
# -f follows: a change shows up while it runs. The follower starts from
# the newest event, which it replays once subscribed: the change made
# after that line is printed can only reach it live.
"$GITFLEET" events --home "$HOME_DIR" -f --after $((NEWEST - 1)) >"$T/follow" &
FOLLOW=$!
GF_PIDS+=($!)
wait_nonempty "$T/follow"
put_group 1
deadline=$((SECONDS + 60))
until grep -q "draining" "$T/follow"; do
	[ $SECONDS -lt $deadline ] || fail "events -f showed nothing: $(cat "$T/follow")"
	sleep 0.1
done
kill "$FOLLOW"

OUT=$("$GITFLEET" logs --home "$HOME_DIR" --instance i-2)
expect_contains "logs" "www listening" "$OUT"
expect_contains "logs --json" '"instance": "i-2"' "$("$GITFLEET" logs --home "$HOME_DIR" --instance i-2 --json | jq_ 'd')"
if "$GITFLEET" logs --home "$HOME_DIR" --instance i-99 2>"$T/err"; then
	fail "logs of an unknown instance succeeded"
fi
expect_contains "unknown instance" "instance i-99 not found" "$(cat "$T/err")"

# Stopping with followers still connected: the streams end, the daemon
# exits cleanly (their close callbacks run while the daemon still exists).
# Each prints what it replays once connected: then it is connected.
"$GITFLEET" events --home "$HOME_DIR" -f --after $((NEWEST - 1)) >"$T/follow2" 2>&1 &
GF_PIDS+=($!)
"$GITFLEET" logs --home "$HOME_DIR" --instance i-2 -f >"$T/follow3" 2>&1 &
GF_PIDS+=($!)
wait_nonempty "$T/follow2"
wait_nonempty "$T/follow3"
stop_daemon
if "$GITFLEET" status --home "$HOME_DIR" 2>"$T/err"; then
	fail "status without a daemon succeeded"
fi
expect_contains "no daemon" "is \`gitfleet daemon\` running?" "$(cat "$T/err")"

# `make demo` (scripts/demo.sh) with the binary under test: it brings the
# fox-or-bear site up through the pipeline, prints the site and dashboard
# URLs and what to try; the push it suggests works from the clone it made;
# Ctrl-C (SIGINT to its process group, as a terminal sends it) stops
# everything and leaves no process behind.
source "$GF_E2E_LIB/common.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME="$T" # no user git config: the demo sets one

ROOT="$GF_E2E_LIB/../../.."
# As root the demo's builds run as an unprivileged user, who must be able
# to pass through $T to the demo's build directory.
[ "$(id -u)" != 0 ] || chmod 711 "$T"
PORT=$(free_port)
API_PORT=$(free_port)
[ "$PORT" != "$API_PORT" ] || API_PORT=$((PORT + 1))
# With job control the demo gets a process group of its own, and SIGINT is
# not ignored in it: as a terminal runs a foreground job.
set -m
GITFLEET="$GITFLEET" DEMO_DIR="$T/demo" PORT="$PORT" API_PORT="$API_PORT" \
	bash "$ROOT/scripts/demo.sh" >"$T/demo.out" 2>&1 &
DEMO=$!
set +m
GF_PIDS+=($DEMO)
deadline=$((SECONDS + 180))
until grep -q "Press Ctrl-C to stop everything." "$T/demo.out"; do
	kill -0 "$DEMO" 2>/dev/null || fail "the demo ended: $(cat "$T/demo.out")"
	[ $SECONDS -lt $deadline ] || fail "the demo did not come up: $(cat "$T/demo.out")"
	sleep 0.2
done
OUT=$(cat "$T/demo.out")
expect_contains "build" "  build      SUCCEEDED in " "$OUT"
expect_contains "site URL" "  Your site:      http://127.0.0.1:$PORT/" "$OUT"
expect_contains "dashboard URL" "  The dashboard:  http://127.0.0.1:$API_PORT/" "$OUT"
expect_contains "where to try" "cd $T/demo/fox-or-bear && . ../env" "$OUT"
case $(curl -s --max-time 10 "http://127.0.0.1:$PORT/") in
*"<h1>It's a fox!</h1>"*) ;;
*) fail "the site does not serve the fox" ;;
esac

# The first thing to try, as printed, in the clone the demo made.
(
	cd "$T/demo/fox-or-bear"
	. ../env
	sed -i 's/fox/bear/g' www/index.html
	git commit -qam "the bear"
	git push -q 2>"$T/push.err"
) || fail "the suggested push failed: $(cat "$T/push.err")"
deadline=$((SECONDS + 120))
until curl -s --max-time 10 "http://127.0.0.1:$PORT/" | grep -q "<h1>It's a bear!</h1>"; do
	[ $SECONDS -lt $deadline ] || fail "the bear never came: $(tail -20 "$T/demo.out")"
	sleep 0.2
done

# Ctrl-C.
kill -INT -- "-$DEMO"
RC=0
deadline=$((SECONDS + 60))
while kill -0 "$DEMO" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the demo is still running 60 s after Ctrl-C"
	sleep 0.1
done
wait "$DEMO" || RC=$?
expect_eq "exit status after Ctrl-C (the way it ends)" 0 "$RC"
expect_contains "goodbye" "Stopped. Nothing is left running" "$(cat "$T/demo.out")"
cd /
LEFT=$(PROCS_UNDER="$T" PROCS_EXCEPT=$$ "$PY" "$GF_E2E_LIB/procs_under.py")
expect_eq "processes left after Ctrl-C" "" "$LEFT"
RC=0
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/" || RC=$?
expect_eq "the site is down (connection refused)" 7 "$RC"

# Faults under load, bounded in time: a target killed with SIGKILL and
# replaced costs no request; a drained target finishes what it has in
# flight; a target failing its health check stops getting traffic once
# unhealthy_threshold checks failed (their pace is test_lb_api's).
. "$GF_E2E_LIB/common.sh"
. "$GF_E2E_LIB/lb.sh"

b1=$(free_port)
b2=$(free_port)
start_backend "$b1" one --health-file "$T/h1" --slow-mark "$T/slow.started"
pid1=$LAST_PID
start_backend "$b2" two --slow-mark "$T/slow.started"
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$b1" --target "127.0.0.1:$b2" \
	--health-interval 0.3 --health-timeout 0.3 --healthy-threshold 2 --unhealthy-threshold 2 \
	--health-path /health --workers 2
url="http://127.0.0.1:$p"
both() { [ "$(for i in 1 2 3 4; do curl -s --max-time 20 "$url/whoami"; done | sort -u | wc -l)" = 2 ]; }
wait_until 30 both

# 1. SIGKILL one target under steady load, start a replacement: 0 failures.
"$PY" "$GF_E2E_LIB/lb_load.py" "$p" 6 4 /whoami >"$T/load.out" &
load=$!
GF_PIDS+=($load)
sleep 1.5
kill -KILL "$pid1"
sleep 1.5
start_backend "$b1" one --health-file "$T/h1" --slow-mark "$T/slow.started"
wait "$load"
cat "$T/load.out"
ok=$(sed -n 's/^ok=\([0-9]*\).*/\1/p' "$T/load.out")
expect_contains "no request failed while a target died" "failed=0" "$(head -1 "$T/load.out")"
[ "$ok" -gt 200 ] || fail "too few requests under load: $ok"
wait_until 30 both

# 2. A target that starts failing its health check is out of rotation
# as soon as the lb marks it unhealthy (it logs the change).
echo 200 >"$T/h1"
wait_until 30 both
unhealthy_b1() { grep -c "target=127.0.0.1:$b1 state=unhealthy" "$T/lb-$p.log" || true; }
before=$(unhealthy_b1)
echo 500 >"$T/h1"
b1_marked() { [ "$(unhealthy_b1)" -gt "$before" ]; }
wait_until 30 b1_marked
for i in $(seq 1 10); do
	expect_eq "request $i after the health check failed" two "$(curl -s --max-time 20 "$url/whoami")"
done
echo 200 >"$T/h1"
wait_until 30 both

# 3. Draining: a slow request in flight on a deregistered target completes,
# new requests go elsewhere, and past the delay connections are closed.
tf="$T/targets"
echo "127.0.0.1:$b1" >"$tf"
p2=$(free_port)
start_lb "$p2" --targets-file "$tf" --health-path /health --health-interval 0.2 \
	--deregistration-delay 10
url2="http://127.0.0.1:$p2"
wait_until 30 status_is 200 "$url2/whoami"
rm -f "$T/slow.started"
curl -s --max-time 20 -w ' %{http_code}' "$url2/slow?s=2" >"$T/slow.out" &
slow=$!
wait_nonempty "$T/slow.started"
echo "127.0.0.1:$b2" >"$tf"
kill -HUP "$LB_PID"
answers_two() { [ "$(curl -s --max-time 20 "$url2/whoami")" = two ]; }
wait_until 30 answers_two
for i in 1 2 3 4 5; do
	expect_eq "new request $i after the drain began" two "$(curl -s --max-time 20 "$url2/whoami")"
done
wait "$slow" || fail "the request in flight on the drained target failed"
expect_eq "slow request on the drained target" "slow one
 200" "$(cat "$T/slow.out")"

# With a short delay, a request longer than it is cut when the delay ends:
# long before the 20 s it would take, with room for a loaded machine.
p3=$(free_port)
echo "127.0.0.1:$b1" >"$tf"
start_lb "$p3" --targets-file "$tf" --health-path "" --deregistration-delay 0.5
rm -f "$T/slow.started"
curl -s --max-time 30 "http://127.0.0.1:$p3/slow?s=20" >/dev/null 2>&1 &
slow=$!
wait_nonempty "$T/slow.started"
start=$(date +%s)
echo "" >"$tf"
kill -HUP "$LB_PID"
set +e
wait "$slow"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a request longer than the deregistration delay was not cut"
[ $(($(date +%s) - start)) -le 10 ] || fail "the deregistration delay was not enforced"
echo "lb_faults: ok"

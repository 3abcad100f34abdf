#!/usr/bin/env bash
# How long a push takes to be live: the local cloud rolling an autoscaling
# group to a new release, measured through the daemon's API as the IaC
# provider drives it.
#
# A daemon (the optimised binary, `make`, build/gitfleet) runs a group of
# DESIRED instances of the built-in static server behind a listener, with
# health checks every INTERVAL s and a healthy threshold of 2. Each of RUNS
# rounds uploads a new one-page release, PUTs the launch template (a new
# version), and measures:
#
#   first   from the template PUT until the listener first serves the new page
#   done    from the template PUT until PUT ...?wait answers "converged"
#           (every instance replaced, one by one, surge first)
#
# and prints the median and the worst of each. (That no request fails
# meanwhile is what tests/e2e/cloud_rollout.sh asserts.)
#
#   bench/rollout.sh                 # DESIRED=2 RUNS=5 INTERVAL=0.1
#   DESIRED=3 RUNS=10 bench/rollout.sh
set -euo pipefail

DESIRED=${DESIRED:-2}
RUNS=${RUNS:-5}
INTERVAL=${INTERVAL:-0.1}

cd "$(dirname "$0")/.."
make >/dev/null
GITFLEET=$PWD/build/gitfleet
PY=$(python3 -c 'import sys; print(sys.executable)')

T=$(mktemp -d "${TMPDIR:-/tmp}/gf-bench.XXXXXX")
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

SOCK=$T/home/run/gitfleet.sock
api() { curl -s --fail-with-body --unix-socket "$SOCK" -X "$1" "http://gitfleet$2" "${@:3}"; }
release() { # DIR: uploads it, prints its id
	local id
	id=$("$PY" tests/e2e/lib/release_hash.py "$1")
	tar -C "$1" -cf "$T/r.tar" .
	api PUT "/v1/releases/$id" --data-binary @"$T/r.tar" >/dev/null
	echo "$id"
}
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$GITFLEET" daemon --home "$T/home" >"$T/daemon.log" 2>&1 &
PIDS+=($!)
until [ -S "$SOCK" ]; do sleep 0.05; done

mkdir -p "$T/site0" && echo "round 0" >"$T/site0/index.html"
R=$(release "$T/site0")
api PUT /v1/lbs/web -d '{}' >/dev/null
api PUT /v1/target-groups/web-tg -d "{\"health_check\": {\"interval\": $INTERVAL,
	\"healthy_threshold\": 2, \"matcher\": \"200\"}, \"deregistration_delay\": 1}" >/dev/null
api PUT /v1/listeners/http -d "{\"load_balancer_id\": \"web\", \"port\": $port,
	\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null
api PUT /v1/launch-templates/web -d "{\"release\": \"$R\"}" >/dev/null
GROUP="{\"min_size\": 1, \"max_size\": $((DESIRED + 1)), \"desired_capacity\": $DESIRED,
	\"launch_template\": \"web\", \"target_group_ids\": [\"web-tg\"]}"
api PUT "/v1/autoscaling-groups/web?wait=60" -d "$GROUP" >/dev/null

for i in $(seq 1 "$RUNS"); do
	mkdir -p "$T/site$i" && echo "round $i" >"$T/site$i/index.html"
	R=$(release "$T/site$i")
	"$PY" - "$port" "$i" >"$T/first" <<'PY' &
import http.client, sys, time
port, want = int(sys.argv[1]), "round %s\n" % sys.argv[2]
t0 = time.monotonic()
while True:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/")
    if c.getresponse().read().decode() == want:
        break
    c.close()
print(time.monotonic())
PY
	WATCH=$!
	t0=$("$PY" -c 'import time; print(time.monotonic())')
	api PUT /v1/launch-templates/web -d "{\"release\": \"$R\"}" >/dev/null
	out=$(api PUT "/v1/autoscaling-groups/web?wait=60" -d "$GROUP")
	t1=$("$PY" -c 'import time; print(time.monotonic())')
	wait "$WATCH"
	case $out in *'"outcome": "converged"'* | *'"outcome":"converged"'*) ;; *) echo "round $i did not converge: $out" >&2; exit 1 ;; esac
	echo "$t0 $(cat "$T/first") $t1" >>"$T/times"
done
"$PY" - "$T/times" "$DESIRED" "$INTERVAL" "$RUNS" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
first = sorted(f - t0 for t0, f, _ in rows)
done = sorted(d - t0 for t0, _, d in rows)
print("rollout of %s instances, health check every %s s, %s rounds" % tuple(sys.argv[2:5]))
print("  first request served by the new release: median %.3f s, worst %.3f s" % (statistics.median(first), first[-1]))
print("  every instance replaced (?wait converged): median %.3f s, worst %.3f s" % (statistics.median(done), done[-1]))
PY

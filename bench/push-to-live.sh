#!/usr/bin/env bash
# Push to live: the time from `git push` returning until every instance
# serves the pushed content, through the whole GitOps path: the hosted
# repository's post-receive hook → the daemon queues a build → checkout →
# the buildspec runs `gitfleet init`, `plan -out=tfplan`, `apply tfplan`
# (backend "gitfleet", provider fleet) → a new launch template version →
# the autoscaling group rolls (surge, health gate, drain).
#
#   bench/push-to-live.sh [EXAMPLE_DIR]
#
# EXAMPLE_DIR is a repository in the shape of examples/fox-or-bear (www/,
# infra/, buildspec.yaml); default: examples/fox-or-bear when it exists,
# else bench/push-to-live (the same shape, with a fast health check). The
# listener's port and the group's size come from the example; a fixture
# that declares `variable "port"` and `variable "desired"` gets a free port
# and DESIRED through the project's TF_VAR_ variables.
#
# A daemon (the optimised binary, `make`, build/gitfleet) hosts the
# repository. After a first push (not measured), a background load of RATE
# requests/s over THREADS keep-alive connections runs against the listener
# (bench/lib/live_load.py) and PUSHES commits are pushed one after the
# other, each changing the page's "push-to-live N" marker. For each push:
#
#   live     from `git push` returning until the last request that got
#            the previous page was sent: from then on every answer is the
#            new page, i.e. every instance in service runs the new release
#
# and, from the build's history, its log and the daemon's events, where the
# time went (all relative to `git push` returning; the hook queued the
# build before the push returned). p50 and p99 (nearest rank) of `live`,
# the medians of the breakdown, and the failed requests of the load are
# printed. Each build is waited for before the next push.
#
#   PUSHES=20 DESIRED=1 RATE=1000 THREADS=4 bench/push-to-live.sh
#   DESIRED=2 bench/push-to-live.sh
#   GITFLEET=/path/to/gitfleet bench/push-to-live.sh examples/fox-or-bear
set -euo pipefail

PUSHES=${PUSHES:-20}
DESIRED=${DESIRED:-1}
RATE=${RATE:-1000}
THREADS=${THREADS:-4}

cd "$(dirname "$0")/.."
ROOT=$PWD
EXAMPLE=${1:-}
if [ -z "$EXAMPLE" ]; then
	if [ -d examples/fox-or-bear ]; then EXAMPLE=examples/fox-or-bear; else EXAMPLE=bench/push-to-live; fi
fi
EXAMPLE=$(cd "$EXAMPLE" && pwd)
if [ -z "${GITFLEET:-}" ]; then
	make >/dev/null
	GITFLEET=$ROOT/build/gitfleet
fi
PY=$(python3 -c 'import sys; print(sys.executable)')

T=$(mktemp -d "${TMPDIR:-/tmp}/gf-bench-ptl.XXXXXX")
PIDS=()
cleanup() {
	local pid
	touch "$T/stop"
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	[ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT

export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
	GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com HOME="$T"
SOCK=$T/home/run/gitfleet.sock
api() { curl -s --fail-with-body --max-time 60 --unix-socket "$SOCK" -X "$1" "http://gitfleet$2" "${@:3}"; }
json() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

LO=$((20000 + (RANDOM % 200) * 100))
# As root, builds run as an unprivileged user (docs/pipeline.md,
# "Isolation"), who must be able to pass through $T: gitfleet-build when it
# exists, else nobody.
BUILD_USER=()
if [ "$(id -u)" = 0 ]; then
	chmod 711 "$T"
	getent passwd gitfleet-build >/dev/null || BUILD_USER=(--build-user nobody)
fi
"$GITFLEET" daemon --home "$T/home" --instance-ports "$LO-$((LO + 99))" "${BUILD_USER[@]}" \
	>"$T/daemon.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 400); do api GET /v1/lbs >/dev/null 2>&1 && break; sleep 0.05; done

PORT=$(free_port)
api PUT /v1/projects/site -d "{\"source\": {\"type\": \"GITFLEET\"}, \"environment\": {\"variables\":
	{\"TF_VAR_port\": \"$PORT\", \"TF_VAR_desired\": \"$DESIRED\"}}}" >/dev/null
URL=$(api GET /v1/projects/site | json 'd["repo_url"]')

# mark N: sets the page's marker to "push-to-live N".
mark() {
	"$PY" - "$T/work/www/index.html" "$1" <<'PY'
import re, sys
path, n = sys.argv[1], sys.argv[2]
text = open(path).read()
new = re.sub(r"push-to-live \d+", "push-to-live " + n, text)
if new == text:
    new = text.rstrip("\n") + "\n<!-- push-to-live %s -->\n" % n
open(path, "w").write(new)
PY
}

# build_of_push: the newest build's id.
latest_build() { api GET "/v1/builds?project=site" | json 'd["builds"][0]["id"]'; }
wait_build() {
	local st deadline=$((SECONDS + 300))
	while :; do
		st=$(api GET "/v1/builds/$1" | json 'd["status"]')
		case $st in SUCCEEDED) return 0 ;; FAILED | FAULT | TIMED_OUT | STOPPED)
			echo "build $1 $st:" >&2
			api GET "/v1/builds/$1/log" | tail -30 >&2
			exit 1
			;;
		esac
		[ $SECONDS -lt $deadline ] || { echo "build $1 still $st" >&2; exit 1; }
		sleep 0.05
	done
}

mkdir "$T/work"
(cd "$EXAMPLE" && tar --exclude=.git --exclude=.gitfleet --exclude='*.tfstate*' --exclude=tfplan -cf - .) |
	tar -C "$T/work" -xf -
cd "$T/work"
mark 0
git init -q -b master . && git add -A && git commit -qm "push 0"
git remote add fleet "$URL"
git push -q fleet master 2>"$T/push.err"
wait_build "$(latest_build)"

LPORT=$(api GET /v1/listeners | json 'd["items"][0]["port"]')
"$PY" "$ROOT/bench/lib/live_load.py" "$LPORT" "$RATE" "$THREADS" / "$T/stop" "$T/load.json" &
LOAD=$!
PIDS+=($LOAD)
sleep 1

: >"$T/pushes"
for i in $(seq 1 "$PUSHES"); do
	mark "$i"
	git commit -qam "push $i"
	git push -q fleet master 2>>"$T/push.err"
	t=$EPOCHREALTIME
	id=$(latest_build)
	wait_build "$id"
	echo "$i $t $id" >>"$T/pushes"
done
sleep 0.5
touch "$T/stop"
wait "$LOAD"

api GET "/v1/events?follow=0" >"$T/events"
while read -r i t id; do
	api GET "/v1/builds/$id" >"$T/build-$i.json"
	api GET "/v1/builds/$id/log" >"$T/build-$i.log"
done <"$T/pushes"

"$PY" - "$T" "$PUSHES" "$DESIRED" "$RATE" "$EXAMPLE" <<'PY'
import calendar, json, math, re, statistics, sys, time

T, pushes, desired, rate, example = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
load = json.load(open(T + "/load.json"))
events = []
for line in open(T + "/events"):
    if line.startswith("data: "):
        events.append(json.loads(line[6:]))


def stamp(line):  # "2026-01-02T03:04:05.678Z text" -> (seconds, text)
    ts, _, text = line.partition(" ")
    return calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) + int(ts[20:23]) / 1000, text


rows = []
for line in open(T + "/pushes"):
    i, t, bid = line.split()
    i, t = int(i), float(t)
    b = json.load(open("%s/build-%d.json" % (T, i)))
    log = [stamp(l) for l in open("%s/build-%d.log" % (T, i)) if l[:4].isdigit()]
    def at(prefix):  # nan when the buildspec runs no such command line
        return next((s for s, text in log if text.startswith(prefix)), float("nan"))
    old = [v for k, v in load["markers"].items() if k.isdigit() and int(k) < i]
    new = load["markers"].get(str(i))
    live = max(v[1] for v in old) - t if old and new else float("nan")
    # The rollout of push i happens during its build (apply waits for it):
    # the newest template version among the instance events of that span.
    begin, end = b["queued_ms"] / 1000, b["end_ms"] / 1000
    ev = [e for e in events if e["type"] == "instance.state" and begin <= e["time_ms"] / 1000 <= end]
    versions = sorted({e["version"] for e in ev})
    v = versions[-1] if versions else None
    launch = [e["time_ms"] / 1000 for e in ev if e["version"] == v and e["state"] == "pending"]
    served = [e["time_ms"] / 1000 for e in ev if e["version"] == v and e["state"] == "in_service"]
    drain = [e["time_ms"] / 1000 for e in ev if e["version"] != v and e["state"] == "draining"]
    r = {
        "queued": b["queued_ms"] / 1000 - t,
        "started": b["start_ms"] / 1000 - t,
        "shell": at("==> build started") - t,
        "init": at("$ gitfleet init") - t,
        "plan": at("$ gitfleet plan") - t,
        "apply": at("$ gitfleet apply") - t,
        "launch": min(launch) - t if launch else float("nan"),
        "first in service": min(served) - t if served else float("nan"),
        "all in service": max(served) - t if served else float("nan"),
        "last old drained": max(drain) - t if drain else float("nan"),
        "build end": end - t,
        "live": live,
    }
    rows.append(r)

def nearest_rank(xs, p):
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

lives = [r["live"] for r in rows if r["live"] == r["live"]]
print("push to live: %s, %d pushes, desired %s, background load %s req/s" % (example, pushes, desired, rate))
print("  live (push returned -> every answer is the new page): p50 %.3f s, p99 %.3f s, max %.3f s"
      % (nearest_rank(lives, 50), nearest_rank(lives, 99), max(lives)))
print("  requests: %d ok, %d failed %s (%.0f req/s)" % (load["ok"], load["failed"], load["failures"] or "",
      load["ok"] / load["seconds"]))
print("  where the time went (median s after `git push` returned; each line is when that step began):")
for k in ["queued", "started", "shell", "init", "plan", "apply", "launch", "first in service",
          "all in service", "last old drained", "live", "build end"]:
    xs = [r[k] for r in rows if r[k] == r[k]]
    if not xs:
        continue
    print("    %-18s %7.3f   (min %.3f, max %.3f)" % (k, statistics.median(xs), min(xs), max(xs)))
print("  per push (live s):", " ".join("%.3f" % x for x in lives))
PY

# The end-to-end proof: examples/fox-or-bear, driven only through git and
# the CLI, as its README tells a person to, under a steady background load
# of 1,200 requests/s against the listener from the moment the site is
# first up:
#   1. first push → the fox page is served;
#   2. desired_capacity 1 → 2 → two healthy instances;
#   3. the page becomes the bear → every instance serves the bear; the group
#      was updated in place, its instances replaced one by one;
#   4. a broken release (its health check fails) → the build FAILED naming
#      the reason, the release was rolled back and the bear is still served;
#   5. destroy → the listener is gone, and once the daemon stopped no
#      process of this test's home is left.
# Not one request of the load may fail through steps 1-4. Between steps 4
# and 5, without the load: the fix rolls out as usual; a pull request
# builds, and only plans.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

EXAMPLE="$GF_E2E_LIB/../../../examples/fox-or-bear"
RATE=1200 # requests/s asked of the load; at least 1,000 must be achieved
start_daemon
export GITFLEET_HOME="$HOME_DIR"
PATH="$(dirname "$GITFLEET"):$PATH"

# fleet ARGS...: the CLI, bounded in time; its output is shown on failure.
fleet() {
	timeout 120 gitfleet "$@" </dev/null >"$T/cli.out" 2>&1 ||
		fail "gitfleet $*: $(cat "$T/cli.out")"
}

# push_build: pushes master to the hosted repository; prints the id of the
# build the push queued.
push_build() {
	git push -q origin master 2>"$T/push.err" || fail "git push: $(cat "$T/push.err")"
	local id
	id=$(sed -n 's/.*build queued \([^ ]*\).*/\1/p' "$T/push.err" | head -1)
	[ -n "$id" ] || fail "the push queued no build: $(cat "$T/push.err")"
	echo "$id"
}

# push MESSAGE: commits everything, then push_build.
push() {
	git add -A
	git commit -qm "$1"
	push_build
}

# finish BUILD: follows the build's log to its end; prints its status.
finish() {
	timeout 180 gitfleet logs "$1" -f >"$T/build.log" 2>&1 || true
	gitfleet builds fox-or-bear --json |
		jq_ "[b['status'] for b in d if b['id'] == '$1'][0]"
}

# expect_build BUILD STATUS: the build ended with STATUS.
expect_build() {
	local st
	st=$(finish "$1")
	[ "$st" = "$2" ] || fail "build $1 is $st, expected $2: $(tail -30 "$T/build.log")"
}

# serving PORT: the <h1> of the page on 127.0.0.1:PORT.
serving() {
	curl -s --max-time 10 "http://127.0.0.1:$1/" | sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p'
}

# live_ports: the ports of the group's in-service instances.
live_ports() {
	gitfleet instances --json |
		jq_ "' '.join(str(i['port']) for i in d if i['state'] == 'in_service')"
}

# The repository: the example as a person clones it, on a free port.
PORT=$(free_port)
cp -R "$EXAMPLE" "$T/work"
cd "$T/work"
sed -i "s/port             = 8080/port             = $PORT/" infra/main.tf
grep -q "port             = $PORT$" infra/main.tf || fail "the listener's port is not 8080 in infra/main.tf"
git init -q -b master
git add -A
git commit -qm "fox-or-bear"

# The pipeline, applied once by hand; its project hosts the repository.
cd deployment-pipeline
fleet init -input=false
fleet apply -auto-approve -input=false
cd ..
git remote add origin "$(gitfleet repo url fox-or-bear)"

# 1. The first push: the fox is served. The load starts the moment the
#    listener first answers 200, while the build is still finishing.
BUILD=$(push_build)
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200 ]; do
	[ $SECONDS -lt $deadline ] || fail "the site never came up: $(gitfleet logs "$BUILD" 2>&1 | tail -30)"
	sleep 0.05
done
"$PY" "$GF_E2E_LIB/steady_load.py" "$PORT" "$RATE" 240 >"$T/load.out" &
LOAD_PID=$!
GF_PIDS+=($LOAD_PID)
expect_build "$BUILD" SUCCEEDED
expect_eq "step 1: the page" "It's a fox!" "$(serving "$PORT")"

# 2. Two instances.
sed -i 's/desired_capacity          = 1$/desired_capacity          = 2/' infra/main.tf
grep -q "desired_capacity          = 2$" infra/main.tf || fail "desired_capacity not found in infra/main.tf"
expect_build "$(push "two instances")" SUCCEEDED
grep -Eq "~ desired_capacity +=  *1 -> 2$" "$T/build.log" || fail "step 2: no desired_capacity 1 -> 2 in the plan: $(cat "$T/build.log")"
read -r -a PORTS <<<"$(live_ports)"
expect_eq "step 2: instances in service" 2 "${#PORTS[@]}"
for p in "${PORTS[@]}"; do expect_eq "step 2: instance on $p" "It's a fox!" "$(serving "$p")"; done

# 3. The bear. The group is updated in place and its instances are
#    replaced one at a time, surge first.
gitfleet events --json >"$T/events.before"
LAST_EVENT=$(tail -1 "$T/events.before" | jq_ 'd["id"]')
sed -i 's/fox/bear/g' www/index.html
expect_build "$(push "the bear")" SUCCEEDED
LOG=$(cat "$T/build.log")
expect_contains "step 3: group updated in place" "fleet_autoscaling_group.web: Modifying... [id=fox-or-bear]" "$LOG"
read -r -a PORTS <<<"$(live_ports)"
expect_eq "step 3: instances in service" 2 "${#PORTS[@]}"
for p in "${PORTS[@]}"; do expect_eq "step 3: instance on $p" "It's a bear!" "$(serving "$p")"; done
for _ in 1 2 3 4; do expect_eq "step 3: through the listener" "It's a bear!" "$(serving "$PORT")"; done
gitfleet events --json >"$T/events"
# Replays the instance states; during step 3: never fewer than 2 in
# service nor more than 3 alive (desired + 1; draining ones are on their
# way out), two new ones in, two old ones out, the group neither deleted
# nor created.
ROLL=$("$PY" - "$T/events" "$LAST_EVENT" <<'PY'
import json, sys
alive, serving, started, ended = {}, set(), set(), set()
low, high, errors = 2, 0, []
for line in open(sys.argv[1]):
    e = json.loads(line)
    step3 = e["id"] > int(sys.argv[2])
    if step3 and e["type"] in ("resource.created", "resource.deleted") and "autoscaling group" in e["message"]:
        errors.append("the group was replaced: " + e["message"])
    if e["type"] != "instance.state":
        continue
    i, st = e["resource"], e["state"]
    alive[i] = st in ("pending", "starting", "in_service")
    (serving.add if st == "in_service" else serving.discard)(i)
    if step3:
        started |= {i} if st == "pending" else set()
        ended |= set() if alive[i] else {i}
        low = min(low, len(serving))
        high = max(high, sum(alive.values()))
print("started=%d ended=%d min_in_service=%d max_alive=%d %s" % (
    len(started), len(ended - started), low, high, " ".join(errors)))
PY
)
expect_eq "step 3: rolled one by one" "started=2 ended=2 min_in_service=2 max_alive=3 " "$ROLL"

# 4. A broken release: its instances never pass the health check. The
#    build fails with the reason, the rollout is rolled back, the bear stays.
git rm -q www/index.html
BUILD=$(push "a broken release")
expect_build "$BUILD" FAILED
LOG=$(cat "$T/build.log")
expect_contains "step 4: the reason" "instance refresh failed: instance i-" "$LOG"
expect_contains "step 4: the health check" "failed health check: GET / returned 404, expected 200" "$LOG"
expect_contains "step 4: rolled back" "rolled back, the previous version (2) keeps serving" "$LOG"
expect_contains "step 4: gitfleet builds" "FAILED" "$(gitfleet builds fox-or-bear | grep "$BUILD")"
# The build's reason names the command, the apply in it, and its Error: line.
REASON=$(gitfleet builds fox-or-bear --json | jq_ "[b['reason'] for b in d if b['id'] == '$BUILD'][0]")
expect_contains "step 4: the reason names the command" \
	'phase build failed: command "if [ "${CODEBUILD_WEBHOOK_TRIGGER:-}" = branch/master ]' "$REASON"
expect_contains "step 4: the reason names the apply" \
	'at "gitfleet apply -input=false tfplan" exited with status 1: Error: fleet_autoscaling_group.web: instance refresh failed: instance i-' "$REASON"
expect_contains "step 4: gitfleet builds says why" "  ! $REASON" "$(gitfleet builds fox-or-bear)"
read -r -a PORTS <<<"$(live_ports)"
expect_eq "step 4: instances in service" 2 "${#PORTS[@]}"
for p in "${PORTS[@]}"; do expect_eq "step 4: instance on $p" "It's a bear!" "$(serving "$p")"; done
for _ in 1 2 3 4; do expect_eq "step 4: through the listener" "It's a bear!" "$(serving "$PORT")"; done

# The load, steps 1-4: not one failed request, at least 1,000 a second.
kill -TERM "$LOAD_PID"
wait "$LOAD_PID" || true
cat "$T/load.out" >&2
read -r LOAD <"$T/load.out"
case $LOAD in ok=*" failed=0 "*) ;; *) fail "requests failed under load: $(cat "$T/load.out")" ;; esac
ACHIEVED=${LOAD##*rate=}
[ "$ACHIEVED" -ge 1000 ] || fail "the load reached $ACHIEVED requests/s, not 1,000: $LOAD"

# The fix: the page back, a new version, rolled out as usual.
git revert --no-edit HEAD >/dev/null
expect_build "$(push_build)" SUCCEEDED
expect_eq "fixed: through the listener" "It's a bear!" "$(serving "$PORT")"

# A pull request into master builds and only plans. Its branch, pushed to
# the hosted repository, builds nothing by itself (the webhook's filter
# groups); the forge is played by curl, signing with the webhook's secret.
git checkout -q -b wolf
sed -i 's/bear/wolf/g' www/index.html
git commit -qam "a wolf?"
git push -q origin wolf 2>"$T/push.err" || fail "git push: $(cat "$T/push.err")"
expect_contains "a branch builds nothing" "refs/heads/wolf: no build" "$(cat "$T/push.err")"
cat >"$T/pr.json" <<JSON
{"action": "opened", "number": 7,
 "pull_request": {"number": 7, "merged": false, "title": "a wolf?",
   "head": {"ref": "wolf", "sha": "$(git rev-parse HEAD)"},
   "base": {"ref": "master", "sha": "$(git rev-parse master)"}},
 "sender": {"id": 583231, "login": "contributor"}}
JSON
git checkout -q master
SECRET=$(cd deployment-pipeline && gitfleet output -raw webhook_secret)
SIG=$(openssl dgst -sha256 -hmac "$SECRET" -r <"$T/pr.json" | cut -d' ' -f1)
api POST /hooks/github/fox-or-bear -H "X-GitHub-Event: pull_request" -H "X-GitHub-Delivery: pr-7" \
	-H "X-Hub-Signature-256: sha256=$SIG" -H 'Content-Type: application/json' \
	--data-binary @"$T/pr.json" >/dev/null
expect_eq "pull request delivered" 202 "$(status)"
expect_build "$(jq_ 'd["build_id"]' <"$T/body")" SUCCEEDED
LOG=$(cat "$T/build.log")
expect_contains "PR: planned" "fleet_launch_template.web will be updated in-place" "$LOG"
expect_contains "PR: plan only" "PULL_REQUEST_CREATED (pr/7): plan only." "$LOG"
case $LOG in *Modifying*) fail "the pull request's build applied: $LOG" ;; esac
expect_eq "PR: still the bear" "It's a bear!" "$(serving "$PORT")"

# 5. Destroy, from the working copy: it shares the pipeline's state.
cd infra
fleet init -input=false
fleet destroy -auto-approve -input=false
expect_contains "step 5: destroyed" "Destroy complete! Resources: 5 destroyed." "$(cat "$T/cli.out")"
RC=0
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/" || RC=$?
expect_eq "step 5: the listener is gone (connection refused)" 7 "$RC"
expect_eq "step 5: instances left" "" \
	"$(gitfleet instances --json | jq_ "' '.join(i['id'] for i in d if i['state'] not in ('terminated', 'failed'))")"
cd ../deployment-pipeline
fleet destroy -auto-approve -input=false
cd /
stop_daemon
# Not one process of this test's home: daemon, instances, builds.
LEFT=$(PROCS_UNDER="$T" PROCS_EXCEPT=$$ "$PY" "$GF_E2E_LIB/procs_under.py")
expect_eq "step 5: processes left" "" "$LEFT"

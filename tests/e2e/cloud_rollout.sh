# The local cloud rolls without dropping a request: through the real
# daemon and curl on its unix socket, with a bounded load on the listener
# all along, a group is created, scaled 1 → 3 → 1, refreshed to a new
# release (instances replaced one by one, surge first), and an instance
# killed with SIGKILL is replaced. Every phase asserts 0 failed requests.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

LB_PORT=$(free_port)
start_daemon
make_site "$T/v1" "version one"
make_site "$T/v2" "version two"
R1=$(upload_release "$T/v1")
# Uploading again is fine and changes nothing.
upload_release "$T/v1" >/dev/null
expect_eq "second upload" 200 "$(status)"
create_stack "$LB_PORT" "$R1" 1
expect_eq "served" "version one" "$(curl -s "http://127.0.0.1:$LB_PORT/")"

# Scale out and in under load.
start_load "$LB_PORT" 6
put_group 3
expect_eq "scale out" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
expect_eq "in service after scale out" 3 "$(in_service)"
put_group 1
expect_eq "scale in" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
expect_eq "in service after scale in" 1 "$(in_service)"
# Scaling in drained the oldest instances first: i-1 and i-2 went.
expect_eq "survivor" "i-3" "$(api GET /v1/instances | jq_ '[i["id"] for i in d["items"] if i["state"]=="in_service"][0]')"
expect_no_failed_requests

# A new release: a new template version, and the group rolls to it.
put_group 3
start_load "$LB_PORT" 8
# The id of the newest event so far, to replay what follows (the stream
# never ends by itself: curl's time limit ends each look at it).
LAST=
deadline=$((SECONDS + 60))
while [ -z "$LAST" ]; do
	[ $SECONDS -lt $deadline ] || fail "the event stream sent no event id"
	curl -s --unix-socket "$SOCK" -N --max-time 2 http://gitfleet/v1/events >"$T/stream" || true
	LAST=$(grep '^id:' "$T/stream" | tail -1 | cut -c5-)
done
R2=$(upload_release "$T/v2")
api PUT /v1/launch-templates/web -d "{\"release\": \"$R2\"}" >/dev/null
expect_eq "new template version" 2 "$(jq_ 'd["latest_version"]' <"$T/body")"
api PUT "/v1/autoscaling-groups/web?wait=60" -d '{"min_size": 1, "max_size": 4,
	"desired_capacity": 3, "launch_template": "web", "target_group_ids": ["web-tg"],
	"health_check_grace_period": 10}' >/dev/null
expect_eq "refresh outcome" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
expect_eq "group version" 2 "$(jq_ 'd["status"]["version"]' <"$T/body")"
expect_eq "v2 in service" 3 "$(in_service 2)"
expect_eq "v1 in service" 0 "$(in_service 1)"
expect_eq "served after refresh" "version two" "$(curl -s "http://127.0.0.1:$LB_PORT/")"
expect_no_failed_requests

# One by one, surge first: each old instance drains only after one more new
# instance is in service, and never more than desired + 1 instances live.
# The replay is read until it reaches the group's convergence (longer looks
# on a slow machine).
for wait in 2 5 15 30; do
	curl -s --unix-socket "$SOCK" -N --max-time $wait -H "Last-Event-ID: $LAST" \
		http://gitfleet/v1/events >"$T/stream" || true
	grep -q 'converged: version 2' "$T/stream" && break
done
grep -q 'converged: version 2' "$T/stream" || fail "the event replay never reached the convergence"
grep '^data:' "$T/stream" | cut -c6- >"$T/events"
"$PY" - "$T/events" <<'PY'
import json, sys
live, new_serving, drained, worst = {}, 0, 0, 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] != "instance.state":
        continue
    s, v = e["state"], e["version"]
    if s in ("pending", "starting", "in_service"):
        live[e["resource"]] = True
    else:
        live.pop(e["resource"], None)
    worst = max(worst, len(live))
    if s == "in_service" and v == 2:
        new_serving += 1
    if s == "draining" and v == 1:
        drained += 1
        assert drained <= new_serving, "an old instance drained before its replacement served"
assert drained == 3, "expected 3 old instances drained, saw %d" % drained
assert worst <= 4, "more than desired + 1 instances at once: %d" % worst
PY

# kill -9 an instance: it is replaced, and the load does not notice.
start_load "$LB_PORT" 5
VICTIM=$(api GET /v1/instances | jq_ '[i for i in d["items"] if i["state"]=="in_service"][0]')
kill -9 "$(echo "$VICTIM" | jq_ 'd["pid"]')"
VID=$(echo "$VICTIM" | jq_ 'd["id"]')
deadline=$((SECONDS + 30))
until [ "$(in_service 2)" = 3 ] && [ "$(api GET /v1/instances | jq_ "[i['state'] for i in d['items'] if i['id']=='$VID'][0]")" = failed ]; do
	[ $SECONDS -lt $deadline ] || fail "the killed instance was not replaced"
	sleep 0.1
done
expect_contains "reason" "killed by signal 9" "$(api GET /v1/instances | jq_ "[i['reason'] for i in d['items'] if i['id']=='$VID'][0]")"
expect_no_failed_requests

# Logs of an instance are kept per instance.
api GET "/v1/instances/$VID/log" >/dev/null
expect_eq "log status" 200 "$(status)"
stop_daemon

# A launch template whose instances never pass their health check: the
# refresh is rolled back, the old instances keep serving (0 failed requests
# under load), and the failure reason is in the ?wait answer, in GET and in
# the event log. A later good version rolls out normally.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

LB_PORT=$(free_port)
start_daemon
make_site "$T/good" "good"
mkdir -p "$T/bad"
echo "no index here" >"$T/bad/other.html" # GET / answers 404
R1=$(upload_release "$T/good")
R2=$(upload_release "$T/bad")
create_stack "$LB_PORT" "$R1" 2 2

start_load "$LB_PORT" 6
api PUT /v1/launch-templates/web -d "{\"release\": \"$R2\"}" >/dev/null
expect_eq "template status" 200 "$(status)"
api PUT "/v1/autoscaling-groups/web?wait=60" -d '{"min_size": 1, "max_size": 4,
	"desired_capacity": 2, "launch_template": "web", "target_group_ids": ["web-tg"],
	"health_check_grace_period": 2}' >/dev/null
expect_eq "?wait status" 422 "$(status)"
expect_eq "outcome" failed "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
REASON=$(jq_ 'd["wait"]["reason"]' <"$T/body")
expect_contains "reason" "failed health check: GET / returned 404, expected 200" "$REASON"
case $REASON in "instance i-"*) ;; *) fail "the reason names no instance: $REASON" ;; esac
expect_eq "error code" rollout_failed "$(jq_ 'd["error"]["code"]' <"$T/body")"
expect_no_failed_requests

api GET /v1/autoscaling-groups/web >"$T/group"
expect_eq "phase" failed "$(jq_ 'd["status"]["phase"]' <"$T/group")"
expect_eq "failed version" 2 "$(jq_ 'd["status"]["failed_version"]' <"$T/group")"
expect_eq "good version" 1 "$(jq_ 'd["status"]["good_version"]' <"$T/group")"
expect_eq "GET reason" "$REASON" "$(jq_ 'd["status"]["reason"]' <"$T/group")"
expect_eq "old instances serve" 2 "$(in_service 1)"
expect_eq "no new instance serves" 0 "$(in_service 2)"
expect_eq "still served" "good" "$(curl -s "http://127.0.0.1:$LB_PORT/")"
curl -s --unix-socket "$SOCK" -N --max-time 1 http://gitfleet/v1/events >"$T/stream" || true
expect_contains "event" '"type":"group.rollout_failed"' "$(cat "$T/stream")"

# A good version after the failure rolls out and clears it.
make_site "$T/good2" "good again"
R3=$(upload_release "$T/good2")
api PUT /v1/launch-templates/web -d "{\"release\": \"$R3\"}" >/dev/null
expect_eq "version 3" 3 "$(jq_ 'd["latest_version"]' <"$T/body")"
put_group 2 5
expect_eq "outcome after fix" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
expect_eq "served after fix" "good again" "$(curl -s "http://127.0.0.1:$LB_PORT/")"
stop_daemon

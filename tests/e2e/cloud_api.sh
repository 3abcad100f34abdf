# The daemon's API through curl: every resource kind created, listed, read
# with its status and deleted; bad input answered 400/422 naming the field,
# conflicts 409 with the reason, nothing half-applied; a 100 MB body refused
# before it is read; the TCP listener's bearer token; the event stream
# resumed with Last-Event-ID; a second daemon on the same home refused.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

LB_PORT=$(free_port)
API_PORT=$(free_port)
"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" \
	--api-listen "127.0.0.1:$API_PORT" >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
GF_PIDS+=($!)
wait_for_port "$API_PORT"
expect_eq "socket mode" 600 "$(stat -c %a "$SOCK")"
expect_eq "token mode" 600 "$(stat -c %a "$HOME_DIR/api-token")"

# One daemon per home.
if "$GITFLEET" daemon --home "$HOME_DIR" 2>"$T/second.err"; then
	fail "a second daemon started on the same home"
fi
expect_contains "second daemon" "another gitfleet daemon (pid $DAEMON_PID) is running" "$(cat "$T/second.err")"

make_site "$T/v1" "hello"
R1=$(upload_release "$T/v1")
api HEAD "/v1/releases/$R1" >/dev/null
expect_eq "HEAD release" 200 "$(status)"
api HEAD "/v1/releases/0000000000000000000000000000000000000000000000000000000000000000" >/dev/null
expect_eq "HEAD missing release" 404 "$(status)"
tar -C "$T/v1" -cf "$T/v1.tar" .
api PUT "/v1/releases/1111111111111111111111111111111111111111111111111111111111111111" --data-binary @"$T/v1.tar" >/dev/null
expect_eq "release hash mismatch" 422 "$(status)"
expect_contains "mismatch message" "$R1" "$(cat "$T/body")"

create_stack "$LB_PORT" "$R1" 1
expect_eq "served" hello "$(curl -s "http://127.0.0.1:$LB_PORT/")"
for kind in lbs listeners target-groups launch-templates autoscaling-groups; do
	api GET "/v1/$kind" >/dev/null
	expect_eq "list $kind" 200 "$(status)"
	expect_eq "one $kind" 1 "$(jq_ 'len(d["items"])' <"$T/body")"
done
api GET /v1/target-groups/web-tg >/dev/null
expect_eq "target state" healthy "$(jq_ 'd["status"]["targets"][0]["state"]' <"$T/body")"
expect_eq "target instance" i-1 "$(jq_ 'd["status"]["targets"][0]["instance"]' <"$T/body")"
api GET /v1/lbs/nope >/dev/null
expect_eq "unknown lb" 404 "$(status)"
expect_eq "error code" not_found "$(jq_ 'd["error"]["code"]' <"$T/body")"

# Changing a listener keeps its port accepting: no request fails.
start_load "$LB_PORT" 3
for cidrs in '["127.0.0.0/8"]' '[]' '["127.0.0.1/32", "::1/128"]'; do
	api PUT /v1/listeners/http -d "{\"load_balancer_id\": \"web\", \"port\": $LB_PORT,
		\"allow_cidrs\": $cidrs,
		\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null
	expect_eq "listener update" 200 "$(status)"
	expect_eq "still bound" True "$(jq_ 'd["status"]["bound"]' <"$T/body")"
	sleep 0.5
done
expect_no_failed_requests
api PUT /v1/listeners/http -d "{\"load_balancer_id\": \"web\", \"port\": $LB_PORT,
	\"allow_cidrs\": [\"10.0.0.0/8\"],
	\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null
expect_eq "refused by the allow-list" 403 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB_PORT/")"
api PUT /v1/listeners/http -d "{\"load_balancer_id\": \"web\", \"port\": $LB_PORT,
	\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null

# Same template spec again: no new version. A change: version 2.
api PUT /v1/launch-templates/web -d "{\"release\": \"$R1\"}" >/dev/null
expect_eq "unchanged template" 1 "$(jq_ 'd["latest_version"]' <"$T/body")"
api PUT /v1/launch-templates/web -d "{\"release\": \"$R1\", \"env\": {\"A\": \"b\"}}" >/dev/null
expect_eq "changed template" 2 "$(jq_ 'd["latest_version"]' <"$T/body")"

# Bad input: status, field path, what to do.
api PUT /v1/autoscaling-groups/web -d '{"min_size": 1, "max_size": 3, "desired_capacty": 2, "launch_template": "web"}' >/dev/null
expect_eq "unknown field" 400 "$(status)"
expect_eq "unknown field path" desired_capacty "$(jq_ 'd["error"]["field"]' <"$T/body")"
expect_contains "suggestion" 'did you mean \"desired_capacity\"' "$(cat "$T/body")"
api PUT /v1/target-groups/web-tg -d '{"health_check": {"interval": "fast"}}' >/dev/null
expect_eq "wrong type" 400 "$(status)"
expect_eq "wrong type path" health_check.interval "$(jq_ 'd["error"]["field"]' <"$T/body")"
api PUT /v1/autoscaling-groups/web -d '{"min_size": 2, "max_size": 3, "desired_capacity": 5, "launch_template": "web"}' >/dev/null
expect_eq "invariant" 422 "$(status)"
expect_eq "invariant path" desired_capacity "$(jq_ 'd["error"]["field"]' <"$T/body")"
api PUT /v1/lbs/Not_A_Label -d '{}' >/dev/null
expect_eq "bad name" 422 "$(status)"
api PUT /v1/autoscaling-groups/web -d '{"min_size": 1, "max_size": 3, "launch_template": "nope"}' >/dev/null
expect_eq "unknown reference" 422 "$(status)"
expect_eq "reference path" launch_template "$(jq_ 'd["error"]["field"]' <"$T/body")"
api PUT /v1/lbs/web -d '{not json' >/dev/null
expect_eq "broken json" 400 "$(status)"
# Nothing half-applied: the group is as it was.
expect_eq "group unchanged" 1 "$(api GET /v1/autoscaling-groups/web | jq_ 'd["desired_capacity"]')"

# Conflicts.
api PUT /v1/listeners/other -d "{\"load_balancer_id\": \"web\", \"port\": $LB_PORT,
	\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null
expect_eq "port conflict" 409 "$(status)"
expect_contains "port conflict reason" 'listener \"http\"' "$(cat "$T/body")"
api GET /v1/listeners/other >/dev/null
expect_eq "conflicting listener not created" 404 "$(status)"
api DELETE /v1/target-groups/web-tg >/dev/null
expect_eq "delete target group in use" 409 "$(status)"
expect_contains "in use reason" 'still used by listener \"http\"' "$(cat "$T/body")"
# A port some other process holds.
"$PY" -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T/busy" &
GF_PIDS+=($!)
wait_nonempty "$T/busy"
BUSY=$(cat "$T/busy")
api PUT /v1/listeners/busy -d "{\"load_balancer_id\": \"web\", \"port\": $BUSY,
	\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}" >/dev/null
expect_eq "port in use" 422 "$(status)"
api GET /v1/listeners/busy >/dev/null
expect_eq "busy listener not created" 404 "$(status)"

# A 100 MB body is refused before it is read.
START=$SECONDS
CODE=$(head -c 100000000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
	--unix-socket "$SOCK" -X PUT -H 'Content-Type: application/json' --data-binary @- \
	http://gitfleet/v1/lbs/big || true)
expect_eq "100 MB body" 413 "$CODE"

# TCP needs the bearer token.
expect_eq "no token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$API_PORT/v1/lbs")"
expect_eq "bad token" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "http://127.0.0.1:$API_PORT/v1/lbs")"
expect_eq "token" 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$HOME_DIR/api-token")" "http://127.0.0.1:$API_PORT/v1/lbs")"

# Events resume after Last-Event-ID.
curl -s -N --max-time 1 --unix-socket "$SOCK" http://gitfleet/v1/events >"$T/all" || true
N=$(grep -c '^id:' "$T/all")
[ "$N" -gt 5 ] || fail "too few events: $N"
curl -s -N --max-time 1 --unix-socket "$SOCK" -H 'Last-Event-ID: 3' http://gitfleet/v1/events >"$T/rest" || true
expect_eq "resumed" "id: 4" "$(grep '^id:' "$T/rest" | head -1)"
expect_eq "resumed count" "$((N - 3))" "$(grep -c '^id:' "$T/rest")"

# Deleting, in dependency order; ?wait on a group waits until it is gone.
api DELETE "/v1/autoscaling-groups/web?wait=30" >/dev/null
expect_eq "group deleted" 202 "$(status)"
expect_eq "group delete outcome" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
api GET /v1/autoscaling-groups/web >/dev/null
expect_eq "group gone" 404 "$(status)"
expect_eq "no instance left" 0 "$(in_service)"
api DELETE /v1/listeners/http >/dev/null
expect_eq "listener deleted" 200 "$(status)"
deadline=$((SECONDS + 30))
until api DELETE /v1/target-groups/web-tg >/dev/null && [ "$(status)" = 200 ]; do
	[ $SECONDS -lt $deadline ] || fail "target group not deleted: $(cat "$T/body")"
	sleep 0.2
done
api DELETE /v1/launch-templates/web >/dev/null
expect_eq "template deleted" 200 "$(status)"
api DELETE /v1/lbs/web >/dev/null
expect_eq "lb deleted" 200 "$(status)"
stop_daemon

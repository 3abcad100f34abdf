# /metrics: traffic sent through a listener is read back as Prometheus
# counters and histograms (per listener and per target, by status class),
# with instances by state, a rolling refresh's duration, builds by status
# and the process families; the whole exposition is checked against the
# text format; on TCP it needs the API token (or a dashboard session).
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

API_PORT=$(free_port)
start_daemon --api-listen "127.0.0.1:$API_PORT"
wait_for_port "$API_PORT"
TOKEN=$(cat "$HOME_DIR/api-token")
LB_PORT=$(free_port)
make_site "$T/v1" "version one"
create_stack "$LB_PORT" "$(upload_release "$T/v1")" 2

# metric NAME{LABELS}: the value of one sample of the exposition in $T/metrics.
metric() {
	"$PY" - "$T/metrics" "$1" <<'PY'
import sys
want = sys.argv[2]
for line in open(sys.argv[1]):
    if line.startswith(want + " "):
        print(line.split()[-1]); break
else:
    print("absent")
PY
}
scrape() { curl -sf --max-time 10 --unix-socket "$SOCK" -o "$T/metrics" http://gitfleet/metrics || fail "GET /metrics"; }

# 300 requests that succeed and 20 that the site answers 404, on keep-alive
# connections as a browser would make them.
"$PY" - "$LB_PORT" <<'PY' || fail "traffic"
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
for i in range(320):
    c.request("GET", "/" if i < 300 else "/missing")
    r = c.getresponse(); r.read()
    assert r.status == (200 if i < 300 else 404), r.status
PY

scrape
L='listener="http",target_group="web-tg"'
expect_eq "requests" 320 "$(metric "gitfleet_lb_requests_total{$L}")"
expect_eq "2xx" 300 "$(metric "gitfleet_lb_responses_total{$L,code=\"2xx\"}")"
expect_eq "4xx" 20 "$(metric "gitfleet_lb_responses_total{$L,code=\"4xx\"}")"
expect_eq "5xx" 0 "$(metric "gitfleet_lb_responses_total{$L,code=\"5xx\"}")"
expect_eq "latency count" 320 "$(metric "gitfleet_lb_request_duration_seconds_count{$L}")"
expect_eq "latency +Inf bucket" 320 "$(metric "gitfleet_lb_request_duration_seconds_bucket{$L,le=\"+Inf\"}")"
[ "$(metric "gitfleet_lb_active_connections{$L}")" != absent ] || fail "no active connections gauge"
expect_eq "in service" 2 "$(metric 'gitfleet_instances{group="web",state="in_service"}')"
expect_eq "desired" 2 "$(metric 'gitfleet_group_desired_capacity{group="web"}')"
# Round robin over two targets: together they saw every request (an
# attempt retried on the other target counts on both), each some.
SUMS=$("$PY" - "$T/metrics" <<'PY'
import re, sys
total, per = 0, []
for line in open(sys.argv[1]):
    m = re.match(r'gitfleet_target_requests_total\{target_group="web-tg",target="127\.0\.0\.1:\d+",instance="i-\d+"\} (\d+)', line)
    if m:
        per.append(int(m.group(1))); total += int(m.group(1))
print(len(per), total >= 320, min(per) > 0)
PY
)
expect_eq "targets: count, all requests, each used" "2 True True" "$SUMS"

# A rolling refresh to a second release is timed.
expect_eq "no refresh yet" 0 "$(metric 'gitfleet_group_refresh_duration_seconds_count{group="web",outcome="converged"}')"
make_site "$T/v2" "version two"
api PUT /v1/launch-templates/web -d "{\"release\": \"$(upload_release "$T/v2")\"}" >/dev/null
put_group 2
expect_eq "refresh converged" converged "$(jq_ 'd["wait"]["outcome"]' <"$T/body")"
scrape
expect_eq "one refresh timed" 1 "$(metric 'gitfleet_group_refresh_duration_seconds_count{group="web",outcome="converged"}')"
expect_eq "version" 2 "$(metric 'gitfleet_group_version{group="web"}')"

# Builds by status.
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}}' >/dev/null
git init -q -b master "$T/work"
cd "$T/work"
printf 'version: 0.2\nphases:\n  build:\n    commands:\n      - "true"\n' >buildspec.yaml
git add . && git commit -qm ok
git push -q "$("$GITFLEET" repo url site --home "$HOME_DIR")" master 2>/dev/null || fail "push"
expect_eq "build" SUCCEEDED "$(wait_build "$(latest_build site)")"
scrape
expect_eq "builds by status" 1 "$(metric 'gitfleet_builds_total{project="site",status="SUCCEEDED"}')"
expect_eq "build durations" 1 "$(metric 'gitfleet_build_duration_seconds_count{project="site",status="SUCCEEDED"}')"
[ "$(metric process_open_fds)" != absent ] || fail "no process_open_fds"
[ "$(metric process_resident_memory_bytes)" != absent ] || fail "no process_resident_memory_bytes"

# The whole exposition follows the text format.
"$PY" "$GF_E2E_LIB/check_exposition.py" "$T/metrics" || fail "the exposition is malformed"

# On TCP: the API token, or a dashboard session; nothing without.
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
expect_eq "no token" 401 "$(code "http://127.0.0.1:$API_PORT/metrics")"
expect_eq "API token" 200 "$(code -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/metrics")"
SESSION=$(curl -sf -X POST "http://127.0.0.1:$API_PORT/ui/session" | jq_ 'd["session"]')
expect_eq "dashboard session" 200 "$(code -H "Authorization: Bearer $SESSION" "http://127.0.0.1:$API_PORT/metrics")"
expect_eq "a session only reads" 403 "$(code -X DELETE -H "Authorization: Bearer $SESSION" "http://127.0.0.1:$API_PORT/v1/lbs/web")"
expect_eq "not a loopback name" 401 "$(code -X POST -H 'Host: evil.example' "http://127.0.0.1:$API_PORT/ui/session")"
expect_eq "the dashboard's page is public" 200 "$(code "http://127.0.0.1:$API_PORT/")"
stop_daemon

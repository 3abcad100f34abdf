# A DELETE of an autoscaling group is answered 202 at once and finished by
# the reconciler; a daemon restart in between must go on deleting, never
# bring the group back and launch its instances again.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

LB_PORT=$(free_port)
start_daemon
make_site "$T/v1" "one"
R1=$(upload_release "$T/v1")
create_stack "$LB_PORT" "$R1" 1
api DELETE /v1/autoscaling-groups/web >/dev/null
expect_eq "DELETE group" 202 "$(status)"
stop_daemon

start_daemon
deadline=$((SECONDS + 30))
until api GET /v1/autoscaling-groups/web >/dev/null && [ "$(status)" = 404 ]; do
	[ $SECONDS -lt $deadline ] || fail "the group came back after the restart: $(cat "$T/body")"
	sleep 0.1
done
expect_eq "instances ever launched" "i-1" \
	"$(api GET /v1/instances | jq_ '" ".join(sorted(i["id"] for i in d["items"]))')"
expect_contains "deletion event" "group.deleted" "$(cat "$T/daemon.log")"
stop_daemon

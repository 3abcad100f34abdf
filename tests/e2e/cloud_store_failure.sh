# A request whose inventory write fails changes nothing: the answer is 500
# store_failed saying what was not changed, and the data plane is as the
# inventory says (no listener left bound, no target group left behind to
# make the next PUT fail, no launch template versions half deleted). The
# failures are injected with SQLite triggers on the daemon's inventory.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

DB="$HOME_DIR/inventory.db"
# inject OP: every OP (INSERT, UPDATE, DELETE) on resources fails; heal: none.
inject() {
	"$PY" - "$DB" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("CREATE TRIGGER injected BEFORE %s ON resources BEGIN SELECT RAISE(ABORT, 'injected failure'); END" % sys.argv[2])
PY
}
heal() {
	"$PY" - "$DB" <<'PY'
import sqlite3, sys
sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10).execute("DROP TRIGGER injected")
PY
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

P1=$(free_port)
P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
start_daemon
api PUT /v1/lbs/web -d '{}' >/dev/null
expect_eq "PUT lb" 201 "$(status)"
api PUT /v1/target-groups/web-tg -d '{}' >/dev/null
expect_eq "PUT target group" 201 "$(status)"

# A new target group that cannot be stored is not left in the data plane:
# the same PUT succeeds once the inventory works again.
inject INSERT
api PUT /v1/target-groups/tg2 -d '{}' >/dev/null
expect_eq "PUT target group, store failing" 500 "$(status)"
expect_contains "store failure named" 'target group \"tg2\" was not changed' "$(cat "$T/body")"
expect_contains "store failure code" '"store_failed"' "$(cat "$T/body")"
heal
api PUT /v1/target-groups/tg2 -d '{}' >/dev/null
expect_eq "PUT target group again" 201 "$(status)"

# A new listener that cannot be stored does not stay bound.
inject INSERT
LISTENER="{\"load_balancer_id\": \"web\", \"port\": $P1,
	\"default_action\": {\"type\": \"forward\", \"target_group_id\": \"web-tg\"}}"
api PUT /v1/listeners/http -d "$LISTENER" >/dev/null
expect_eq "PUT listener, store failing" 500 "$(status)"
! listening "$P1" || fail "port $P1 stayed bound by a listener the inventory does not have"
heal
api PUT /v1/listeners/http -d "$LISTENER" >/dev/null
expect_eq "PUT listener" 201 "$(status)"
listening "$P1" || fail "the listener does not listen on $P1"

# A change that cannot be stored leaves the old listener as it was.
inject UPDATE
api PUT /v1/listeners/http -d "${LISTENER/$P1/$P2}" >/dev/null
expect_eq "PUT listener change, store failing" 500 "$(status)"
listening "$P1" || fail "the old port $P1 was closed by a change that was not stored"
! listening "$P2" || fail "the new port $P2 is bound by a change that was not stored"
expect_eq "stored port" "$P1" "$(api GET /v1/listeners/http | jq_ 'd["port"]')"
heal

# A delete that cannot be stored keeps the listener serving.
inject DELETE
api DELETE /v1/listeners/http >/dev/null
expect_eq "DELETE listener, store failing" 500 "$(status)"
expect_contains "delete failure named" 'listener \"http\" was not deleted' "$(cat "$T/body")"
listening "$P1" || fail "the listener was closed by a delete that was not stored"
api GET /v1/listeners/http >/dev/null
expect_eq "listener still there" 200 "$(status)"

# Deleting a launch template forgets its versions in the same
# transaction: a failed delete keeps them.
make_site "$T/v1" "one"
R1=$(upload_release "$T/v1")
heal
api PUT /v1/launch-templates/web -d "{\"release\": \"$R1\"}" >/dev/null
expect_eq "PUT launch template" 201 "$(status)"
inject DELETE
api DELETE /v1/launch-templates/web >/dev/null
expect_eq "DELETE launch template, store failing" 500 "$(status)"
heal
expect_eq "versions kept" 1 "$(api GET /v1/launch-templates/web | jq_ 'd["latest_version"]')"

# And with the inventory healthy again, everything goes as usual.
api DELETE /v1/listeners/http >/dev/null
expect_eq "DELETE listener" 200 "$(status)"
! listening "$P1" || fail "port $P1 still bound after the delete"
stop_daemon

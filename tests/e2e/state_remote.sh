# The gitfleet and http backends: init against a real `gitfleet daemon`
# (found through the home's unix socket, and through GITFLEET_ADDR), state
# shared by two checkouts, a lock held by another process (taken through
# the API) refused with the holder's details, force-unlock releasing it,
# a lock that survives a daemon restart; and the http backend against an
# independent server of Terraform's protocol (tf_http_backend.py).
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

G=$GITFLEET
export GITFLEET_HOME="$HOME_DIR"
start_daemon

# Two checkouts of one configuration share the daemon's state.
for d in a b; do
	mkdir "$T/$d"
	cat >"$T/$d/main.tf" <<'TF'
terraform {
  backend "gitfleet" {
    name = "site"
  }
}
TF
done
cd "$T/a"
out=$($G init -no-color)
expect_contains "init" 'Successfully configured the backend "gitfleet"!' "$out"
mkdir "$T/empty"
expect_contains "init of an empty directory" "initialized in an empty directory" "$(cd "$T/empty" && $G init -no-color)"
cp "$GF_TEST_DATA/state/golden.tfstate" in.tfstate
$G state push in.tfstate
cd "$T/b"
$G init -no-color >/dev/null
expect_eq "pull from the other checkout" "$(cat "$T/a/in.tfstate")" "$($G state pull)"
expect_eq "API list" "site 7" "$(api GET /v1/state | jq_ '" ".join(s["name"] + " " + str(s["serial"]) for s in d["states"])')"
$G state rm 'fleet_target_group.web[1]' >/dev/null
cd "$T/a"
expect_eq "list after rm elsewhere" 'data.fleet_lb.existing
fleet_lb.web
fleet_target_group.web[0]
module.net["a"].random_id.suffix["x"]' "$($G state list)"
expect_eq "serial" 8 "$(api GET /v1/state/site | jq_ 'd["serial"]')"

# Another process holds the lock (through the API, as a build would).
LOCK='{"ID": "aaaaaaaa-1111-2222-3333-444444444444", "Operation": "OperationTypeApply", "Info": "", "Who": "ci@builder", "Version": "0.1.0", "Created": "2026-03-04T05:06:07.000000001Z", "Path": "site"}'
api LOCK /v1/state/site -d "$LOCK" >/dev/null
expect_eq "LOCK" 200 "$(status)"
if $G state rm fleet_lb.web 2>err; then fail "rm under a held lock succeeded"; fi
err=$(cat err)
expect_contains "lock error" "Error acquiring the state lock" "$err"
expect_contains "lock error" "Who:       ci@builder" "$err"
expect_contains "lock error" "Operation: OperationTypeApply" "$err"
expect_contains "lock error" "gitfleet force-unlock aaaaaaaa-1111-2222-3333-444444444444" "$err"
# A POST without the lock's ID is refused by the daemon itself.
api POST /v1/state/site --data-binary @in.tfstate >/dev/null
expect_eq "POST without ID" 409 "$(status)"
expect_contains "POST without ID" "ci@builder" "$(cat "$T/body")"

# The lock survives a daemon restart.
stop_daemon
start_daemon
if $G state rm fleet_lb.web 2>err; then fail "rm under a lock kept over a restart succeeded"; fi
expect_contains "lock after restart" "ci@builder" "$(cat err)"

# force-unlock: asks first, a wrong ID is refused, the right one releases.
if echo no | $G force-unlock aaaaaaaa-1111-2222-3333-444444444444 >out; then fail "force-unlock without yes succeeded"; fi
expect_contains "force-unlock prompt" "Only 'yes' will be accepted" "$(cat out)"
if $G force-unlock -force wrong-id 2>err; then fail "force-unlock of a wrong ID succeeded"; fi
expect_contains "force-unlock wrong" "does not match" "$(cat err)"
out=$(echo yes | $G force-unlock aaaaaaaa-1111-2222-3333-444444444444)
expect_contains "force-unlock" "gitfleet state has been successfully unlocked!" "$out"
out=$($G state rm fleet_lb.web)
expect_contains "rm after unlock" "Successfully removed 1 resource instance(s)." "$out"
api GET /v1/state | jq_ 'd["states"][0]["lock"]' >"$T/lock"
expect_eq "no lock left" "None" "$(cat "$T/lock")"

# Inside a build: GITFLEET_ADDR names the daemon (here its socket).
mkdir "$T/c" && cp "$T/a/main.tf" "$T/c/" && cd "$T/c"
GITFLEET_HOME="$T/nowhere" GITFLEET_ADDR="unix:$SOCK" $G init -no-color >/dev/null
expect_contains "GITFLEET_ADDR" "fleet_target_group.web[0]" "$(GITFLEET_HOME="$T/nowhere" GITFLEET_ADDR="unix:$SOCK" $G state list)"

# GITFLEET_ADDR wins over the addresses of the configuration, for the
# backend and the provider alike (docs/state.md, "Reaching the daemon"):
# here they name a port where nothing listens.
mkdir "$T/e" && cd "$T/e"
cat >main.tf <<'TF'
terraform {
  backend "gitfleet" {
    name    = "env-wins"
    address = "127.0.0.1:1"
  }
}
provider "fleet" {
  address = "127.0.0.1:1"
}
resource "fleet_lb" "e" {
  name = "env-wins"
}
TF
GITFLEET_ADDR="unix:$SOCK" $G init -no-color >/dev/null
out=$(GITFLEET_ADDR="unix:$SOCK" $G apply -auto-approve -no-color) || fail "apply through GITFLEET_ADDR: $out"
expect_contains "provider and backend through GITFLEET_ADDR" "Apply complete! Resources: 1 added" "$out"
expect_eq "the lb exists" 200 "$(api GET /v1/lbs/env-wins >/dev/null && status)"
if $G plan -no-color >"$T/out" 2>&1; then fail "plan reached 127.0.0.1:1: $(cat "$T/out")"; fi
expect_contains "configured address used without GITFLEET_ADDR" "127.0.0.1:1" "$(cat "$T/out")"
GITFLEET_ADDR="unix:$SOCK" $G destroy -auto-approve -no-color >/dev/null

# Over TCP with the daemon's token, as builds reach it.
stop_daemon
APORT=$(free_port)
"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports "$PORT_LO-$PORT_HI" \
	--api-listen "127.0.0.1:$APORT" >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
GF_PIDS+=($!)
wait_for_port "$APORT" 60
TOKEN=$(cat "$HOME_DIR/api-token")
cd "$T/c"
expect_contains "over TCP" "fleet_target_group.web[0]" \
	"$(GITFLEET_HOME="$T/nowhere" GITFLEET_ADDR="127.0.0.1:$APORT" GITFLEET_TOKEN="$TOKEN" $G state list)"
if GITFLEET_HOME="$T/nowhere" GITFLEET_ADDR="127.0.0.1:$APORT" GITFLEET_TOKEN=wrong $G state list 2>err; then
	fail "a wrong token was accepted"
fi
expect_contains "wrong token" "401" "$(cat err)"

# No daemon: init says how to start one.
stop_daemon
mkdir "$T/d" && cp "$T/a/main.tf" "$T/d/" && cd "$T/d"
if $G init -no-color 2>err; then fail "init without a daemon succeeded"; fi
expect_contains "no daemon" "gitfleet daemon" "$(cat err)"
expect_contains "no daemon" "cannot reach the gitfleet daemon" "$(cat err)"

# The http backend against another implementation of the protocol.
"$PY" "$GF_E2E_LIB/tf_http_backend.py" "$T/http.port" 2>"$T/http.log" &
GF_PIDS+=($!)
wait_nonempty "$T/http.port" 60
HPORT=$(cat "$T/http.port")
mkdir "$T/h" && cd "$T/h"
cat >main.tf <<'TF'
terraform {
  backend "http" {
    lock_method   = "LOCK"
    unlock_method = "UNLOCK"
  }
}
TF
URL="http://127.0.0.1:$HPORT/state/site"
out=$($G init -no-color -backend-config="address=$URL" -backend-config="lock_address=$URL" -backend-config="unlock_address=$URL")
expect_contains "http init" 'Successfully configured the backend "http"!' "$out"
$G state push "$T/a/in.tfstate"
expect_eq "http pull" "$(cat "$T/a/in.tfstate")" "$($G state pull)"
$G state rm fleet_lb.web >/dev/null
log=$(cat "$T/http.log")
expect_contains "http protocol" "LOCK /state/site" "$log"
expect_contains "http protocol" "POST /state/site?ID=" "$log"
expect_contains "http protocol" "UNLOCK /state/site" "$log"
# A lock held there: the holder's details.
curl -s -X LOCK -d '{"ID": "held-1", "Who": "bob@laptop", "Operation": "OperationTypePlan"}' "$URL" >/dev/null
if $G state rm 'fleet_target_group.web[0]' 2>err; then fail "http rm under a held lock succeeded"; fi
expect_contains "http lock error" "Who:       bob@laptop" "$(cat err)"
expect_contains "http lock error" "gitfleet force-unlock held-1" "$(cat err)"
$G force-unlock -force held-1 >/dev/null
$G state rm 'fleet_target_group.web[0]' >/dev/null
echo ok

# The state commands over the local backend: init (and its "changed"
# error), push/list/show/rm/pull on a crafted state, output in every
# format, a lock held by another process (the error with the holder's
# details and the force-unlock advice, -lock-timeout, -lock=false), a
# corrupt state left untouched, and the "init required" error.
source "$GF_E2E_LIB/common.sh"

cd "$T"
G=$GITFLEET
cat >main.tf <<'TF'
terraform {
  backend "local" {
    path = "site.tfstate"
  }
}
TF

out=$($G init -no-color)
expect_contains "init" "Initializing the backend..." "$out"
expect_contains "init" 'Successfully configured the backend "local"!' "$out"
expect_contains "init" "gitfleet has been successfully initialized!" "$out"
[ -f .gitfleet/terraform.tfstate ] || fail "init wrote no .gitfleet/terraform.tfstate"
# Again: nothing changed, no "Successfully configured".
out=$($G init -no-color)
case $out in *Successfully\ configured*) fail "second init reconfigured: $out" ;; esac

# A crafted state: push, then read it back in every way.
cp "$GF_TEST_DATA/state/golden.tfstate" in.tfstate
$G state push in.tfstate
cmp in.tfstate site.tfstate || fail "push did not store the state as given"
[ ! -e .site.tfstate.lock.info ] || fail "the lock info file outlived the push"
expect_eq "pull" "$(cat in.tfstate)" "$($G state pull)"
expect_eq "list" 'data.fleet_lb.existing
fleet_lb.web
fleet_target_group.web[0]
fleet_target_group.web[1]
module.net["a"].random_id.suffix["x"]' "$($G state list)"
expect_eq "list ADDR" 'fleet_target_group.web[0]
fleet_target_group.web[1]' "$($G state list fleet_target_group.web)"
expect_eq "list module" 'module.net["a"].random_id.suffix["x"]' "$($G state list module.net)"
expect_eq "list -id" 'fleet_lb.web' "$($G state list -id=web)"
expect_eq "show" '# fleet_target_group.web[0]:
resource "fleet_target_group" "web" {
    health_check = [
        {
            "interval" = 1
            "path" = "/"
        },
    ]
    id           = "web-0"
    token        = (sensitive value)
}' "$($G state show 'fleet_target_group.web[0]')"
if $G state show fleet_lb.nope 2>err; then fail "show of a missing instance succeeded"; fi
expect_contains "show missing" "No instance found for the given address" "$(cat err)"

# Outputs.
expect_eq "output" 'ports = tolist([
  8080,
  8081,
])
token = <sensitive>
url = "http://127.0.0.1:8080/"' "$($G output)"
expect_eq "output NAME" '"http://127.0.0.1:8080/"' "$($G output url)"
expect_eq "output sensitive NAME" '"s3cret"' "$($G output token)"
expect_eq "output -raw" 'http://127.0.0.1:8080/' "$($G output -raw url)"
expect_eq "output -json NAME" '[
  8080,
  8081
]' "$($G output -json ports)"
json=$($G output -json)
expect_eq "output -json" 'True s3cret number' "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["token"]["sensitive"], d["token"]["value"], d["ports"]["type"][1])' "$json")"
if $G output -raw ports 2>err; then fail "-raw of a list succeeded"; fi
expect_contains "output -raw list" "Unsupported value for raw output" "$(cat err)"
if $G output nope 2>err; then fail "a missing output succeeded"; fi
expect_contains "output missing" 'Output "nope" not found' "$(cat err)"

# rm: a resource with all its instances; the serial goes up by one.
out=$($G state rm fleet_target_group.web)
expect_contains "rm" "Removed fleet_target_group.web[0]" "$out"
expect_contains "rm" "Successfully removed 2 resource instance(s)." "$out"
expect_eq "serial after rm" 8 "$(python3 -c 'import json; print(json.load(open("site.tfstate"))["serial"])')"
cmp in.tfstate site.tfstate.backup || fail "the backup is not the previous state"
if $G state rm fleet_target_group.web 2>err; then fail "rm of nothing succeeded"; fi
expect_contains "rm nothing" "No matching objects found" "$(cat err)"

# Push refuses an older serial and another lineage without -force.
if $G state push in.tfstate 2>err; then fail "push of an older serial succeeded"; fi
expect_contains "push older" "cannot import state with serial 7 over newer state with serial 8" "$(cat err)"
$G state push -force in.tfstate
cmp in.tfstate site.tfstate || fail "push -force did not store the state"

# A lock held by another process.
"$PY" - "$T/.site.tfstate.lock.info" "$T/holder.ready" <<'PY' &
import fcntl, json, sys, time
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
json.dump({"ID": "11111111-2222-3333-4444-555555555555", "Operation": "OperationTypeApply",
           "Info": "", "Who": "alice@buildhost", "Version": "0.1.0",
           "Created": "2026-01-02T03:04:05.123456789Z", "Path": "site.tfstate"}, f)
f.flush()
with open(sys.argv[2], "w") as ready:
    ready.write("locked\n")
time.sleep(600)  # until the test kills it
PY
HOLDER=$!
GF_PIDS+=($HOLDER)
wait_nonempty holder.ready 60
if $G state rm fleet_lb.web 2>err; then fail "rm under a held lock succeeded"; fi
err=$(cat err)
expect_contains "lock error" "Error acquiring the state lock" "$err"
expect_contains "lock error" "ID:        11111111-2222-3333-4444-555555555555" "$err"
expect_contains "lock error" "Who:       alice@buildhost" "$err"
expect_contains "lock error" "Created:   2026-01-02 03:04:05.123456789 +0000 UTC" "$err"
expect_contains "lock error" "gitfleet force-unlock 11111111-2222-3333-4444-555555555555" "$err"
cmp in.tfstate site.tfstate || fail "the state changed under a held lock"
# -lock-timeout waits that long, then gives up.
start=$SECONDS
if $G state rm -lock-timeout=1s fleet_lb.web 2>/dev/null; then fail "rm with -lock-timeout succeeded"; fi
# A live local holder cannot be forced away.
if $G force-unlock -force 11111111-2222-3333-4444-555555555555 2>err; then fail "force-unlock of a live local lock succeeded"; fi
expect_contains "force-unlock live" "Failed to unlock state" "$(cat err)"
expect_contains "force-unlock live" "alice@buildhost" "$(cat err)"
# The holder goes away: the lock goes with it.
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
$G state rm -lock-timeout=2s fleet_lb.web >/dev/null
expect_eq "list after rm" 'data.fleet_lb.existing
fleet_target_group.web[0]
fleet_target_group.web[1]
module.net["a"].random_id.suffix["x"]' "$($G state list)"

# A corrupt state is reported and never replaced.
printf '{"version": 4, "serial": ' >site.tfstate
if $G state rm fleet_target_group.web 2>err; then fail "rm on a corrupt state succeeded"; fi
expect_contains "corrupt" "site.tfstate: invalid state: not JSON" "$(cat err)"
expect_eq "corrupt kept" '{"version": 4, "serial": ' "$(cat site.tfstate)"

# A changed backend block needs init again; -reconfigure takes it.
sed -i 's/site.tfstate/other.tfstate/' main.tf
if $G state list 2>err; then fail "state list with a changed backend succeeded"; fi
expect_contains "changed" 'Backend initialization required, please run "gitfleet init"' "$(cat err)"
expect_contains "changed" "Backend configuration block has changed" "$(cat err)"
if $G init -no-color 2>err; then fail "init with a changed backend succeeded"; fi
expect_contains "init changed" "Backend configuration changed" "$(cat err)"
expect_contains "init changed" "-reconfigure" "$(cat err)"
$G init -reconfigure -no-color >/dev/null
expect_eq "list of the new state" "" "$($G state list)"
# -backend-config from a file and as K=V; the later one wins.
printf 'path = "fromfile.tfstate"\n' >backend.hcl
$G init -reconfigure -no-color -backend-config=backend.hcl >/dev/null
$G state push -force in.tfstate
[ -f fromfile.tfstate ] || fail "-backend-config=FILE was not used"
$G init -reconfigure -no-color -backend-config=backend.hcl -backend-config=path=kv.tfstate >/dev/null
$G state push -force in.tfstate
[ -f kv.tfstate ] || fail "-backend-config=K=V did not override the file"
printf 'path = var.x\n' >bad.hcl
if $G init -reconfigure -no-color -backend-config=bad.hcl 2>err; then fail "a variable in a backend file was accepted"; fi
expect_contains "variable in backend file" "bad.hcl" "$(cat err)"

# A non-local backend that was never initialised.
mkdir fresh && cd fresh
cat >main.tf <<'TF'
terraform {
  backend "gitfleet" {
    name = "site"
  }
}
TF
if $G state list 2>err; then fail "state list without init succeeded"; fi
expect_contains "no init" 'Backend initialization required, please run "gitfleet init"' "$(cat err)"
expect_contains "no init" 'Initial configuration of the requested backend "gitfleet"' "$(cat err)"
# -backend-config without a backend block is refused.
cd .. && mkdir noblock && cd noblock && echo 'locals { a = 1 }' >main.tf
if $G init -backend-config=path=x 2>err; then fail "-backend-config without a block succeeded"; fi
expect_contains "no block" "Missing backend configuration" "$(cat err)"
echo ok

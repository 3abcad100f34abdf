# Refactoring without destroying, against a real daemon: a resource renamed
# with a moved block plans a move and nothing else (the daemon's object is
# kept), a saved plan of moves alone applies the moved state, a resource
# moves into a module, `state mv` moves by hand, the errors of moved blocks
# and state mv are terraform's, and a removed block with destroy = false
# forgets an object the daemon keeps.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/iac.sh"

start_daemon
export GITFLEET_HOME="$HOME_DIR"

# expect_not_contains WHAT NEEDLE HAYSTACK
expect_not_contains() {
	case "$3" in *"$2"*) fail "$1: [$2] found in [$3]" ;; esac
}

mkdir -p "$T/infra/modules/edge"
cd "$T/infra"
cat >main.tf <<'EOF'
resource "fleet_lb" "a" { name = "mv-web" }
resource "fleet_target_group" "t" { name = "mv-tg" }
EOF
gf apply -auto-approve -no-color
expect_eq "apply: $ERR" 0 "$RC"
expect_contains "created" "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." "$OUT"
expect_eq "lb exists" "mv-web" "$(api GET /v1/lbs/mv-web | jq_ 'd["name"]')"
lbs_before=$(api GET /v1/lbs | jq_ 'len(d["items"])')

# rename fleet_lb.a to fleet_lb.b: a move, no create, no destroy
cat >main.tf <<'EOF'
resource "fleet_lb" "b" { name = "mv-web" }
resource "fleet_target_group" "t" { name = "mv-tg" }

moved {
  from = fleet_lb.a
  to   = fleet_lb.b
}
EOF
gf plan -no-color -detailed-exitcode
expect_eq "move-only plan exit code: $ERR" 2 "$RC"
expect_contains "has moved" "# fleet_lb.a has moved to fleet_lb.b" "$OUT"
expect_contains "resource header" '    resource "fleet_lb" "b" {' "$OUT"
expect_contains "counts" "Plan: 0 to add, 0 to change, 0 to destroy." "$OUT"
expect_not_contains "no legend" "Resource actions are indicated" "$OUT"

# a saved plan of moves alone: shown with previous_address, applied
gf plan -no-color -out=tfplan
expect_eq "plan -out: $ERR" 0 "$RC"
gf show -json tfplan
expect_eq "show -json" 0 "$RC"
expect_eq "previous_address" "fleet_lb.a" \
	"$(echo "$OUT" | jq_ '[r.get("previous_address") for r in d["resource_changes"] if r["address"]=="fleet_lb.b"][0]')"
expect_eq "move is a no-op action" '["no-op"]' \
	"$(echo "$OUT" | jq_ '[r["change"]["actions"] for r in d["resource_changes"] if r["address"]=="fleet_lb.b"][0]')"
gf show -no-color tfplan
expect_contains "show tfplan" "# fleet_lb.a has moved to fleet_lb.b" "$OUT"
gf apply -no-color tfplan
expect_eq "apply tfplan: $ERR" 0 "$RC"
expect_contains "nothing created" "Apply complete! Resources: 0 added, 0 changed, 0 destroyed." "$OUT"
expect_not_contains "no create" "Creating..." "$OUT"
expect_not_contains "no destroy" "Destroying..." "$OUT"
gf state list
expect_eq "state after the move" "fleet_lb.b
fleet_target_group.t" "$OUT"
expect_eq "the daemon's object is kept" "mv-web" "$(api GET /v1/lbs/mv-web | jq_ 'd["name"]')"
expect_eq "no other lb" "$lbs_before" "$(api GET /v1/lbs | jq_ 'len(d["items"])')"
# the moved block stays: from holds nothing any more, a no-op
gf plan -no-color -detailed-exitcode
expect_eq "plan after the move: $OUT" 0 "$RC"
expect_contains "no changes" "No changes." "$OUT"

# into a module, with apply (no plan file)
cat >modules/edge/main.tf <<'EOF'
variable "name" { type = string }
resource "fleet_lb" "this" { name = var.name }
EOF
cat >main.tf <<'EOF'
module "edge" {
  source = "./modules/edge"
  name   = "mv-web"
}
resource "fleet_target_group" "t" { name = "mv-tg" }

moved {
  from = fleet_lb.a
  to   = fleet_lb.b
}
moved {
  from = fleet_lb.b
  to   = module.edge.fleet_lb.this
}
EOF
gf init -no-color
expect_eq "init: $ERR" 0 "$RC"
gf apply -auto-approve -no-color
expect_eq "apply into the module: $ERR" 0 "$RC"
expect_contains "moved into the module" "# fleet_lb.b has moved to module.edge.fleet_lb.this" "$OUT"
expect_contains "no change" "Apply complete! Resources: 0 added, 0 changed, 0 destroyed." "$OUT"
gf state list
expect_eq "state in the module" "fleet_target_group.t
module.edge.fleet_lb.this" "$OUT"
expect_eq "still one lb" "$lbs_before" "$(api GET /v1/lbs | jq_ 'len(d["items"])')"
expect_eq "the daemon created mv-web once" 1 \
	"$(grep -c 'msg=resource.created resource=mv-web ' "$T/daemon.log")"

# state mv by hand, then the configuration follows
gf state mv -dry-run fleet_target_group.t fleet_target_group.u
expect_eq "dry run" 0 "$RC"
expect_eq "dry run says" 'Would move "fleet_target_group.t" to "fleet_target_group.u"' "$OUT"
gf state list
expect_contains "dry run changes nothing" "fleet_target_group.t" "$OUT"
gf state mv fleet_target_group.t fleet_target_group.u
expect_eq "state mv: $ERR" 0 "$RC"
expect_eq "state mv says" 'Move "fleet_target_group.t" to "fleet_target_group.u"
Successfully moved 1 object(s).' "$OUT"
sed -i 's/"fleet_target_group" "t"/"fleet_target_group" "u"/' main.tf
gf plan -no-color -detailed-exitcode
expect_eq "plan after state mv: $OUT $ERR" 0 "$RC"
gf state mv fleet_target_group.nope fleet_target_group.v
expect_eq "state mv of nothing" 1 "$RC"
expect_contains "invalid source" "Invalid source address" "$ERR"
expect_contains "invalid source detail" "Cannot move fleet_target_group.nope: does not match anything" "$ERR"
gf state mv fleet_target_group.u module.edge.fleet_lb.this
expect_eq "state mv across types" 1 "$RC"
expect_contains "types" "Invalid state move request" "$ERR"

# errors of moved blocks
cp main.tf main.tf.good
cat >>main.tf <<'EOF'
moved {
  from = fleet_target_group.x
  to   = fleet_target_group.y
}
moved {
  from = fleet_target_group.y
  to   = fleet_target_group.x
}
EOF
gf plan -no-color
expect_eq "cycle" 1 "$RC"
expect_contains "cycle message" "Cyclic dependency in move statements" "$ERR"
cp main.tf.good main.tf
cat >>main.tf <<'EOF'
resource "fleet_target_group" "w" { name = "mv-tg-w" }
moved {
  from = fleet_target_group.w
  to   = fleet_target_group.u
}
EOF
gf plan -no-color
expect_eq "still declared" 1 "$RC"
expect_contains "still declared message" "Moved object still exists" "$ERR"
cp main.tf.good main.tf

# removed with destroy = false: out of the state, kept by the daemon
sed -i '/"fleet_target_group" "u"/d' main.tf
cat >>main.tf <<'EOF'
removed {
  from = fleet_target_group.u
  lifecycle {
    destroy = false
  }
}
EOF
gf plan -no-color -detailed-exitcode
expect_eq "forget plan: $ERR" 2 "$RC"
expect_contains "forget wording" " # fleet_target_group.u will no longer be managed by gitfleet, but will not be destroyed" "$OUT"
expect_contains "forget counts" "Plan: 0 to add, 0 to change, 0 to destroy." "$OUT"
expect_contains "forget warning" "Warning: Some objects will no longer be managed by gitfleet" "$OUT"
gf apply -auto-approve -no-color
expect_eq "forget apply: $ERR" 0 "$RC"
expect_not_contains "nothing destroyed" "Destroying..." "$OUT"
gf state list
expect_eq "forgotten" "module.edge.fleet_lb.this" "$OUT"
expect_eq "the target group still exists" "mv-tg" "$(api GET /v1/target-groups/mv-tg | jq_ 'd["name"]')"
gf plan -no-color -detailed-exitcode
expect_eq "plan after forgetting: $OUT" 0 "$RC"

gf destroy -auto-approve -no-color
expect_eq "destroy: $ERR" 0 "$RC"
expect_contains "destroy count" "Resources: 1 destroyed." "$OUT"
echo "ok"

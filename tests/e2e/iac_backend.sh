# Two fresh checkouts share one state through backend "gitfleet" (the
# daemon keeps it): what one applies, the other plans as "No changes." and
# can destroy, as two pipeline builds in new workspaces would.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/iac.sh"

start_daemon
export GITFLEET_HOME="$HOME_DIR"
for d in a b; do
	mkdir -p "$T/$d"
	cat >"$T/$d/main.tf" <<'EOF'
terraform {
  backend "gitfleet" { name = "site" }
}
resource "random_id" "suffix" { byte_length = 4 }
resource "fleet_lb" "web" { name = "web-${random_id.suffix.hex}" }
output "lb" { value = fleet_lb.web.id }
EOF
done
cd "$T/a"
gf init -no-color
expect_eq "init a" 0 "$RC"
gf apply -auto-approve -no-color
expect_eq "apply a" 0 "$RC"
LB=$(api GET /v1/lbs | jq_ 'd["items"][0]["name"]')
expect_contains "output" "lb = \"$LB\"" "$OUT"
[ ! -e gitfleet.tfstate ] || fail "a local state was written"
gf show -no-color
expect_contains "show" "# fleet_lb.web:" "$OUT"
expect_contains "show attribute" "name = \"$LB\"" "$OUT"
gf show -json
expect_contains "show -json" "\"address\":\"fleet_lb.web\"" "$OUT"
gf plan -no-color -replace=fleet_lb.web -out="$T/replace.plan"
expect_contains "-replace" "# fleet_lb.web will be replaced, as requested" "$OUT"
gf show -json "$T/replace.plan"
expect_contains "show plan -json" "\"actions\":[\"delete\",\"create\"]" "$OUT"

cd "$T/b"
gf init -no-color
gf plan -no-color -detailed-exitcode
expect_eq "b sees a's state" 0 "$RC"
expect_contains "refreshed from the daemon" "fleet_lb.web: Refreshing state... [id=$LB]" "$OUT"
gf destroy -auto-approve -no-color
expect_eq "destroy from b" 0 "$RC"
expect_eq "no lbs" 0 "$(api GET /v1/lbs | jq_ 'len(d["items"])')"
cd "$T/a"
gf plan -no-color -detailed-exitcode
expect_eq "a sees the destroy" 2 "$RC"
expect_contains "a plans to create" "Plan: 2 to add, 0 to change, 0 to destroy." "$OUT"
echo "ok"

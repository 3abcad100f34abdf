# plan and apply against a real daemon, as a pipeline would run them:
# create → a second plan says "No changes." → new site content (the
# template updated in place, the group refreshed in place, instances
# replaced, the group never replaced) → desired_capacity changed → a
# saved plan made stale is refused → a listener deleted through the API
# shows as drift and is re-created → prevent_destroy blocks a destroy →
# destroy.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/iac.sh"

LB_PORT=$(free_port)
start_daemon
export GITFLEET_HOME="$HOME_DIR"
make_site "$T/ws1/www" "version one"
write_stack "$T/ws1" "$LB_PORT"
cd "$T/ws1/infra"

gf apply -auto-approve -no-color
expect_eq "apply exit" 0 "$RC"
expect_contains "plan summary" "Plan: 5 to add, 0 to change, 0 to destroy." "$OUT"
expect_contains "create header" "  # fleet_lb.web will be created" "$OUT"
expect_contains "aligned" '      + desired_capacity          = 2' "$OUT"
expect_contains "known after apply" '      + template_version          = (known after apply)' "$OUT"
expect_contains "progress" "fleet_autoscaling_group.web: Creation complete after" "$OUT"
expect_contains "complete" "Apply complete! Resources: 5 added, 0 changed, 0 destroyed." "$OUT"
expect_contains "outputs" "url = \"http://127.0.0.1:$LB_PORT/\"" "$OUT"
expect_eq "served" "version one" "$(curl -s "http://127.0.0.1:$LB_PORT/")"
expect_eq "two instances" 2 "$(api GET /v1/autoscaling-groups/fox | jq_ 'd["status"]["in_service"]')"

gf plan -no-color -detailed-exitcode
expect_eq "no-op plan exit" 0 "$RC"
expect_contains "no changes" "No changes. Your infrastructure matches the configuration." "$OUT"

# The same content checked out into another workspace: no change.
make_site "$T/ws2/www" "version one"
write_stack "$T/ws2" "$LB_PORT"
cp "$T/ws1/infra/gitfleet.tfstate" "$T/ws2/infra/"
cd "$T/ws2/infra"
gf plan -no-color -detailed-exitcode
expect_eq "same content elsewhere" 0 "$RC"

# New content: template and group updated in place, never replaced.
echo "version two" >"$T/ws2/www/index.html"
OLD_IDS=$(api GET /v1/autoscaling-groups/fox | jq_ 'sorted(i["id"] for i in d["status"]["instances"])')
gf plan -no-color -detailed-exitcode
expect_eq "content plan exit" 2 "$RC"
expect_contains "template in place" "# fleet_launch_template.web will be updated in-place" "$OUT"
expect_contains "group in place" "# fleet_autoscaling_group.web will be updated in-place" "$OUT"
expect_contains "new version" "~ template_version          = 1 -> (known after apply)" "$OUT"
expect_contains "content counts" "Plan: 0 to add, 2 to change, 0 to destroy." "$OUT"
case "$OUT" in *"must be replaced"* | *"forces replacement"*) fail "a replacement was planned: $OUT" ;; esac
gf apply -auto-approve -no-color
expect_eq "content apply" 0 "$RC"
expect_eq "served after refresh" "version two" "$(curl -s "http://127.0.0.1:$LB_PORT/")"
NEW_IDS=$(api GET /v1/autoscaling-groups/fox | jq_ 'sorted(i["id"] for i in d["status"]["instances"] if i["state"] == "in_service")')
[ "$OLD_IDS" != "$NEW_IDS" ] || fail "instances were not replaced: $NEW_IDS"
expect_eq "group version" 2 "$(api GET /v1/autoscaling-groups/fox | jq_ 'd["status"]["version"]')"

# desired_capacity
gf apply -auto-approve -no-color -var desired=3
expect_contains "desired diff" "~ desired_capacity          = 2 -> 3" "$OUT"
expect_contains "desired counts" "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." "$OUT"
expect_eq "three instances" 3 "$(api GET /v1/autoscaling-groups/fox | jq_ 'd["status"]["in_service"]')"

# A saved plan made stale by another apply is refused.
gf plan -no-color -var desired=1 -out="$T/p1"
expect_eq "saved plan" 0 "$RC"
expect_contains "saved" "Saved the plan to: $T/p1" "$OUT"
gf apply -auto-approve -no-color -var desired=2
gf apply -no-color "$T/p1"
expect_eq "stale exit" 1 "$RC"
expect_contains "stale" "Saved plan is stale" "$ERR"
# A fresh saved plan applies without asking.
gf plan -no-color -var desired=1 -out="$T/p2"
gf apply -no-color "$T/p2"
expect_eq "saved apply" 0 "$RC"
expect_contains "saved apply counts" "Resources: 0 added, 1 changed, 0 destroyed." "$OUT"

# Drift: a listener deleted through the API is shown and re-created.
api DELETE "/v1/listeners/fox-$LB_PORT" >/dev/null
gf plan -no-color -var desired=1
expect_contains "drift note" "Note: Objects have changed outside of gitfleet" "$OUT"
expect_contains "drift deleted" "# fleet_lb_listener.http has been deleted" "$OUT"
expect_contains "re-create" "# fleet_lb_listener.http will be created" "$OUT"
gf apply -auto-approve -no-color -var desired=1
expect_contains "re-created" "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." "$OUT"
expect_eq "served again" "version two" "$(curl -s "http://127.0.0.1:$LB_PORT/")"

# Approval: anything but "yes" cancels.
echo "y" >"$T/answer"
gf_in "$T/answer" apply -no-color -var desired=2
expect_eq "cancel exit" 1 "$RC"
expect_contains "asked" "Only 'yes' will be accepted to approve." "$OUT"
expect_contains "cancelled" "Apply cancelled." "$OUT"

# prevent_destroy blocks a destroy.
cat >>main.tf <<'EOF'
resource "terraform_data" "keep" {
  input = "precious"
  lifecycle { prevent_destroy = true }
}
EOF
gf apply -auto-approve -no-color -var desired=1
expect_eq "keep created" 0 "$RC"
gf destroy -auto-approve -no-color -var desired=1
expect_eq "prevent_destroy exit" 1 "$RC"
expect_contains "prevent_destroy" "Instance cannot be destroyed" "$ERR"
expect_eq "still served" "version two" "$(curl -s "http://127.0.0.1:$LB_PORT/")"

sed -i 's/prevent_destroy = true/prevent_destroy = false/' main.tf
gf destroy -auto-approve -no-color -var desired=1
expect_eq "destroy exit" 0 "$RC"
expect_contains "destroy counts" "Destroy complete! Resources: 6 destroyed." "$OUT"
expect_eq "no groups" 0 "$(api GET /v1/autoscaling-groups | jq_ 'len(d["items"])')"
gf plan -no-color -detailed-exitcode -var desired=1
expect_eq "plan after destroy" 2 "$RC"
echo "ok"

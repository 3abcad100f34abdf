# Modules, data sources and dynamic blocks against a real daemon: an infra
# root calls a local child module twice with for_each (a dynamic
# health_check block inside); a deployment folder reads the infra's outputs
# with terraform_remote_state (backend "gitfleet") and another state's
# (backend "local"), and looks the load balancer up with data "fleet_lb".
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/iac.sh"

start_daemon
export GITFLEET_HOME="$HOME_DIR"
P1=$(free_port)
P2=$(free_port)
[ "$P1" != "$P2" ] || P2=$((P1 + 1))

mkdir -p "$T/infra/modules/site" "$T/other" "$T/deploy" "$T/bad"
cat >"$T/infra/modules/site/main.tf" <<'EOF'
variable "name" { type = string }
variable "port" { type = number }
variable "checks" {
  type = list(object({ path = string, matcher = string }))
  default = []
}

resource "fleet_lb" "this" { name = var.name }

resource "fleet_target_group" "this" {
  name = "${var.name}-tg"
  dynamic "health_check" {
    for_each = var.checks
    iterator = check
    content {
      path    = check.value.path
      matcher = check.value.matcher
    }
  }
}

resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.this.id
  port             = var.port
  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.this.id
  }
}

output "lb" { value = fleet_lb.this.id }
output "url" { value = "http://127.0.0.1:${fleet_lb_listener.http.port}/" }
output "dir" { value = path.module }
EOF
cat >"$T/infra/main.tf" <<EOF
terraform {
  backend "gitfleet" { name = "infra" }
}
variable "sites" {
  default = { blue = $P1, green = $P2 }
}
module "site" {
  source   = "./modules/site"
  for_each = var.sites
  name     = "site-\${each.key}"
  port     = each.value
  checks   = each.key == "blue" ? [{ path = "/healthz", matcher = "200" }] : []
}
output "lbs" { value = { for k, m in module.site : k => m.lb } }
output "dir" { value = module.site["blue"].dir }
EOF

cd "$T/infra"
gf init -no-color
expect_eq "init" 0 "$RC"
expect_contains "init lists the module" "- site in modules/site" "$OUT"
expect_contains "modules.json" '"Key": "site"' "$(cat .gitfleet/modules/modules.json)"
gf plan -no-color
expect_eq "plan" 0 "$RC"
expect_contains "module address" "# module.site[\"blue\"].fleet_lb.this will be created" "$OUT"
expect_contains "dynamic block" 'path                = "/healthz"' "$OUT"
expect_contains "plan counts" "Plan: 6 to add, 0 to change, 0 to destroy." "$OUT"
gf apply -auto-approve -no-color
expect_eq "apply: $ERR" 0 "$RC"
expect_contains "apply progress" "module.site[\"green\"].fleet_lb_listener.http: Creation complete" "$OUT"
expect_contains "outputs" "dir = \"modules/site\"" "$OUT"
expect_eq "blue's check (dynamic)" "/healthz" \
	"$(api GET /v1/target-groups/site-blue-tg | jq_ 'd["health_check"]["path"]')"
expect_eq "green's check (default)" "/" \
	"$(api GET /v1/target-groups/site-green-tg | jq_ 'd["health_check"]["path"]')"
expect_eq "listener of blue" "$P1" "$(api GET /v1/listeners/site-blue-$P1 | jq_ 'd["port"]')"
gf state list
expect_contains "state addresses" 'module.site["blue"].fleet_lb_listener.http' "$OUT"
# show -json nests child modules as terraform does: child_modules[] by
# address, each object with its full address and provider source.
gf show -json
expect_eq "show -json" 0 "$RC"
expect_eq "show -json child modules" '["module.site[\"blue\"]", "module.site[\"green\"]"]' \
	"$(echo "$OUT" | jq_ 'sorted(m["address"] for m in d["values"]["root_module"]["child_modules"])')"
expect_eq "show -json module resources" '["module.site[\"blue\"].fleet_lb.this", "module.site[\"blue\"].fleet_lb_listener.http", "module.site[\"blue\"].fleet_target_group.this"]' \
	"$(echo "$OUT" | jq_ 'sorted(r["address"] for m in d["values"]["root_module"]["child_modules"] if m["address"].endswith("[\"blue\"]") for r in m["resources"])')"
expect_eq "show -json provider_name" "registry.terraform.io/gitfleet/fleet" \
	"$(echo "$OUT" | jq_ 'd["values"]["root_module"]["child_modules"][0]["resources"][0]["provider_name"]')"
gf plan -no-color -detailed-exitcode
expect_eq "second plan: $OUT" 0 "$RC"
expect_contains "no changes" "No changes." "$OUT"
gf plan -no-color -target='module.site["green"].fleet_lb.this' -detailed-exitcode
expect_eq "targeted plan" 0 "$RC"

# another configuration with a local state, read by the deployment folder
cat >"$T/other/main.tf" <<'EOF'
output "greeting" { value = "hello" }
EOF
cd "$T/other"
gf apply -auto-approve -no-color
expect_eq "apply other" 0 "$RC"

cat >"$T/deploy/main.tf" <<'EOF'
data "terraform_remote_state" "infra" {
  backend = "gitfleet"
  config  = { name = "infra" }
}
data "terraform_remote_state" "other" {
  backend = "local"
  config  = { path = "../other/gitfleet.tfstate" }
}
data "fleet_lb" "blue" {
  name = data.terraform_remote_state.infra.outputs.lbs["blue"]
}
resource "terraform_data" "deploy" {
  input = "${data.fleet_lb.blue.id} ${data.terraform_remote_state.other.outputs.greeting}"
}
output "target" { value = terraform_data.deploy.output }

# known only once terraform_data.which exists: read during apply
resource "terraform_data" "which" { input = "green" }
data "fleet_lb" "chosen" { name = "site-${terraform_data.which.output}" }
output "chosen" { value = data.fleet_lb.chosen.id }
EOF
cd "$T/deploy"
gf plan -no-color
expect_eq "deploy plan: $ERR" 0 "$RC"
expect_contains "data read at plan" 'input  = "site-blue hello"' "$OUT"
expect_contains "deferred read" "# data.fleet_lb.chosen will be read during apply" "$OUT"
expect_contains "deferred read symbol" ' <= data "fleet_lb" "chosen" {' "$OUT"
gf apply -auto-approve -no-color
expect_eq "deploy apply: $ERR" 0 "$RC"
expect_contains "deploy output" 'target = "site-blue hello"' "$OUT"
expect_contains "read during apply" "data.fleet_lb.chosen: Read complete" "$OUT"
expect_contains "deferred output" 'chosen = "site-green"' "$OUT"
expect_eq "data in state" "data" \
	"$(jq_ '[r["mode"] for r in d["resources"] if r["type"]=="fleet_lb"][0]' <gitfleet.tfstate)"
gf plan -no-color -detailed-exitcode
expect_eq "deploy second plan" 0 "$RC"

# a lookup that finds nothing, and a module from a registry
cat >"$T/bad/main.tf" <<'EOF'
data "fleet_lb" "x" { name = "nope" }
EOF
cd "$T/bad"
gf plan -no-color
expect_eq "missing lb" 1 "$RC"
expect_contains "missing lb message" 'no fleet_lb named "nope" exists' "$ERR"
cat >"$T/bad/main.tf" <<'EOF'
module "vpc" { source = "terraform-aws-modules/vpc/aws" }
EOF
gf init -no-color
expect_eq "registry source" 1 "$RC"
expect_contains "registry message" "gitfleet loads modules from local directories only" "$ERR"

cd "$T/infra"
gf destroy -auto-approve -no-color
expect_eq "destroy" 0 "$RC"
expect_contains "destroy count" "Resources: 6 destroyed." "$OUT"
expect_eq "no lbs" 0 "$(api GET /v1/lbs | jq_ 'len(d["items"])')"
echo "ok"

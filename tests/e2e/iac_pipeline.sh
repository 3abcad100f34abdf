# The pipeline declared as code, against a real daemon: a
# deployment-pipeline module (a hosted fleet_build_project and a
# fleet_webhook with two filter groups: pushes to master, pull requests
# against master) is applied → a second plan says "No changes." → a push
# to the hosted repository (its URL from an output) starts a build with the
# project's variables, a push to another branch does not → a delivery
# signed with the webhook's secret (a sensitive output) is accepted →
# a changed filter is an in-place update that keeps the secret → a
# project deleted through the API is re-planned for creation → destroy.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/iac.sh"
source "$GF_E2E_LIB/pipeline.sh"

start_daemon
export GITFLEET_HOME="$HOME_DIR"
mkdir -p "$T/deployment-pipeline"
cd "$T/deployment-pipeline"
# write_module HEAD_REF_PATTERN
write_module() {
	cat >main.tf <<EOF
resource "fleet_build_project" "site" {
  name          = "site"
  build_timeout = 10
  source {
    type            = "GITFLEET"
    buildspec       = "buildspec.yaml"
    git_clone_depth = 1
  }
  environment {
    variables = { STAGE = "prod" }
    secrets   = { db = "s3cr3t-value" }
  }
}

resource "fleet_webhook" "site" {
  project_name = fleet_build_project.site.name
  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }
    filter {
      type    = "HEAD_REF"
      pattern = "$1"
    }
  }
  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"
    }
    filter {
      type    = "BASE_REF"
      pattern = "^refs/heads/master$"
    }
  }
}

output "remote" { value = fleet_build_project.site.repo_url }
output "payload_url" { value = fleet_webhook.site.payload_url }
output "webhook_secret" {
  value     = fleet_webhook.site.secret
  sensitive = true
}
EOF
}
write_module '^refs/heads/master$'

gf apply -auto-approve -no-color
expect_eq "apply exit" 0 "$RC"
expect_contains "plan summary" "Plan: 2 to add, 0 to change, 0 to destroy." "$OUT"
expect_contains "project created" "  # fleet_build_project.site will be created" "$OUT"
expect_contains "repo_url unknown" "      + repo_url      = (known after apply)" "$OUT"
expect_contains "secret hidden" "          + secrets   = (sensitive value)" "$OUT"
expect_contains "filter group" "      + filter_group {" "$OUT"
expect_contains "filter" "              + pattern                 = \"^refs/heads/master\$\"" "$OUT"
expect_contains "webhook secret hidden" "      + secret       = (sensitive value)" "$OUT"
case $OUT in *s3cr3t-value*) fail "a secret was shown: $OUT" ;; esac
expect_contains "complete" "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." "$OUT"
expect_contains "payload url output" 'payload_url = "/hooks/github/site"' "$OUT"
expect_contains "sensitive output" "webhook_secret = <sensitive>" "$OUT"

expect_eq "project type" GITFLEET "$(api GET /v1/projects/site | jq_ 'd["source"]["type"]')"
expect_eq "project timeout" 10 "$(api GET /v1/projects/site | jq_ 'd["build_timeout"]')"
expect_eq "filter groups" '[["PUSH", "^refs/heads/master$"], ["PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED", "^refs/heads/master$"]]' \
	"$(api GET /v1/webhooks/site | jq_ '[[f["pattern"] for f in g] for g in d["filter_groups"]]')"

gf show -json
expect_eq "show -json: sensitive_values" '{"secret": true}' \
	"$(echo "$OUT" | jq_ '[r for r in d["values"]["root_module"]["resources"] if r["type"]=="fleet_webhook"][0]["sensitive_values"]')"

gf plan -no-color -detailed-exitcode
expect_eq "no-op plan exit" 0 "$RC"
expect_contains "no changes" "No changes. Your infrastructure matches the configuration." "$OUT"

# The remote to add comes from an output.
gf output -raw remote
expect_eq "remote output" "$HOME_DIR/repos/site.git" "$OUT"
REMOTE=$OUT
gf output -raw webhook_secret
SECRET=$OUT
[ ${#SECRET} -ge 16 ] || fail "webhook secret too short: [$SECRET]"
expect_eq "secret in state is the daemon's" "$SECRET" "$(api GET /v1/webhooks/site | jq_ 'd["secret"]')"

git init -q -b master "$T/work"
cd "$T/work"
cat >buildspec.yaml <<'YAML'
version: 0.2
env:
  secrets:
    DB: db
phases:
  build:
    commands:
      - echo "stage=$STAGE event=$CODEBUILD_WEBHOOK_EVENT head=$CODEBUILD_WEBHOOK_HEAD_REF db=$DB"
YAML
git add . && git commit -qm first
git remote add fleet "$REMOTE"
git push -q fleet master 2>"$T/push.err" || fail "push: $(cat "$T/push.err")"
expect_contains "hook output" "build queued site:" "$(cat "$T/push.err")"
ID=$(latest_build site)
[ -n "$ID" ] || fail "no build after a push to master"
expect_eq "build" SUCCEEDED "$(wait_build "$ID")"
expect_contains "project variables" "stage=prod event=PUSH head=refs/heads/master db=***" \
	"$(api GET "/v1/builds/$ID/log")"

# A branch no filter group matches builds nothing.
git checkout -q -b feature
git commit -q --allow-empty -m feature
git push -q fleet feature 2>"$T/push.err" || fail "push: $(cat "$T/push.err")"
expect_eq "no build for feature" 1 "$(count_builds site)"

# A delivery signed with the secret from the state is accepted.
echo '{"zen": "Design for failure.", "hook_id": 1}' >"$T/ping.json"
SIG=sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r <"$T/ping.json" | cut -d' ' -f1)
curl -s --max-time 30 --unix-socket "$SOCK" -o "$T/body" -w '%{http_code}' \
	-H "X-GitHub-Event: ping" -H "X-GitHub-Delivery: p-1" -H "X-Hub-Signature-256: $SIG" \
	--data-binary @"$T/ping.json" http://gitfleet/hooks/github/site >"$T/status"
expect_eq "signed ping" 200 "$(status)"

# A changed filter: the webhook is updated in place and keeps its secret.
cd "$T/deployment-pipeline"
write_module '^refs/heads/(master|feature)$'
gf plan -no-color -detailed-exitcode
expect_eq "filter plan exit" 2 "$RC"
expect_contains "in place" "  # fleet_webhook.site will be updated in-place" "$OUT"
expect_contains "pattern diff" "~ pattern                 = \"^refs/heads/master\$\" -> \"^refs/heads/(master|feature)\$\"" "$OUT"
expect_contains "filter counts" "Plan: 0 to add, 1 to change, 0 to destroy." "$OUT"
case $OUT in *"must be replaced"* | *"forces replacement"*) fail "a replacement was planned: $OUT" ;; esac
gf apply -auto-approve -no-color
expect_eq "filter apply" 0 "$RC"
expect_contains "filter applied" "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." "$OUT"
expect_eq "secret kept" "$SECRET" "$(api GET /v1/webhooks/site | jq_ 'd["secret"]')"
gf plan -no-color -detailed-exitcode
expect_eq "no-op after update" 0 "$RC"
cd "$T/work"
git commit -q --allow-empty -m "feature again"
git push -q fleet feature 2>"$T/push.err" || fail "push: $(cat "$T/push.err")"
expect_eq "feature builds now" 2 "$(count_builds site)"
expect_eq "feature build" SUCCEEDED "$(wait_build "$(latest_build site)")"

# Drift: the project deleted through the API (its webhook goes with it).
cd "$T/deployment-pipeline"
api DELETE /v1/projects/site >/dev/null
expect_eq "project deleted" 204 "$(status)"
gf plan -no-color
expect_contains "drift note" "Note: Objects have changed outside of gitfleet" "$OUT"
expect_contains "drift deleted" "# fleet_build_project.site has been deleted" "$OUT"
expect_contains "re-create" "# fleet_build_project.site will be created" "$OUT"
expect_contains "re-create counts" "Plan: 2 to add, 0 to change, 0 to destroy." "$OUT"
gf apply -auto-approve -no-color
expect_contains "re-created" "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." "$OUT"
expect_eq "webhook back" 2 "$(api GET /v1/webhooks/site | jq_ 'len(d["filter_groups"])')"

gf destroy -auto-approve -no-color
expect_eq "destroy exit" 0 "$RC"
expect_contains "destroy counts" "Destroy complete! Resources: 2 destroyed." "$OUT"
api GET /v1/projects/site >/dev/null
expect_eq "project gone" 404 "$(status)"
api GET /v1/webhooks/site >/dev/null
expect_eq "webhook gone" 404 "$(status)"
echo "ok"

# Webhooks from forges into a GIT project: a ping is answered, a bad or
# missing signature is a 401 and starts nothing, a signed push builds the
# commit fetched from the project's own location (not the payload's URL),
# a replayed delivery is ignored, a push that no filter group matches is
# ignored, and a pull-request build gets a read-only token: reading the API
# works, a mutating call is refused by the daemon with the reason.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

start_daemon

git init -q -b master "$T/up"
cd "$T/up"
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "event=$CODEBUILD_WEBHOOK_EVENT trigger=$CODEBUILD_WEBHOOK_TRIGGER base=$CODEBUILD_WEBHOOK_BASE_REF actor=$CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID read_only=$GITFLEET_READ_ONLY"
      - gitfleet builds site >/dev/null && echo read-ok
      - '[ "$CODEBUILD_WEBHOOK_EVENT" = PUSH ] || gitfleet build start site'
YAML
git add . && git commit -qm one
C1=$(git rev-parse HEAD)

api PUT /v1/projects/site -d "{\"source\": {\"type\": \"GIT\", \"location\": \"$T/up\"}}" >/dev/null
expect_eq "project" 200 "$(status)"
api PUT /v1/webhooks/site -d '{"secret": "0123456789abcdef-secret", "filter_groups": [
  [{"type": "EVENT", "pattern": "PUSH"}, {"type": "HEAD_REF", "pattern": "^refs/heads/master$"}],
  [{"type": "EVENT", "pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED"},
   {"type": "BASE_REF", "pattern": "^refs/heads/master$"}]]}' >/dev/null
expect_eq "webhook" 200 "$(status)"
expect_eq "payload url" /hooks/github/site "$(jq_ 'd["payload_url"]' <"$T/body")"
api PUT /v1/webhooks/site -d '{"filter_groups": [[{"type": "HEAD_REF", "pattern": "x"}]]}' >/dev/null
expect_eq "group without EVENT" 422 "$(status)"
expect_contains "group error" "filter_groups[0]: every group needs an EVENT filter" "$(cat "$T/body")"

SECRET=0123456789abcdef-secret
# hook EVENT DELIVERY FILE [SIGNATURE]: POSTs a GitHub delivery; status in $T/status.
hook() {
	local sig=${4-sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r <"$3" | cut -d' ' -f1)}
	curl -s --max-time 30 --unix-socket "$SOCK" -o "$T/body" -w '%{http_code}' \
		-H "X-GitHub-Event: $1" -H "X-GitHub-Delivery: $2" -H "X-Hub-Signature-256: $sig" \
		-H 'Content-Type: application/json' --data-binary @"$3" \
		http://gitfleet/hooks/github/site >"$T/status"
}

echo '{"zen": "Keep it logically awesome.", "hook_id": 1}' >"$T/ping.json"
hook ping d-ping "$T/ping.json"
expect_eq "ping" 200 "$(status)"
expect_contains "pong" pong "$(cat "$T/body")"

cat >"$T/push.json" <<JSON
{"ref": "refs/heads/master", "before": "0000000000000000000000000000000000000000",
 "after": "$C1", "created": true, "deleted": false, "forced": false,
 "repository": {"clone_url": "http://127.0.0.1:1/evil.git"},
 "sender": {"id": 21031067, "login": "octo"},
 "head_commit": {"id": "$C1", "message": "one"},
 "commits": [{"id": "$C1", "message": "one", "added": ["buildspec.yaml"], "modified": [], "removed": []}]}
JSON
hook push d-1 "$T/push.json" sha256=0000000000000000000000000000000000000000000000000000000000000000
expect_eq "bad signature" 401 "$(status)"
hook push d-1 "$T/push.json" ""
expect_eq "missing signature" 401 "$(status)"
expect_eq "no build after bad signatures" 0 "$(count_builds site)"

head -c 5000000 /dev/zero | tr '\0' ' ' >"$T/big.json"
hook push d-big "$T/big.json"
expect_eq "body over 4 MiB" 413 "$(status)"

hook push d-1 "$T/push.json"
expect_eq "signed push" 202 "$(status)"
ID=$(jq_ 'd["build_id"]' <"$T/body")
expect_eq "push build" SUCCEEDED "$(wait_build "$ID")"
LOG=$(api GET "/v1/builds/$ID/log")
expect_contains "push variables" "event=PUSH trigger=branch/master base= actor=21031067 read_only=0" "$LOG"
expect_contains "read" read-ok "$LOG"
expect_eq "fetched from the project's location" "$C1" "$(build_field "$ID" 'd["resolved_source_version"]')"

hook push d-1 "$T/push.json"
expect_eq "replayed delivery" 200 "$(status)"
expect_contains "duplicate" duplicate "$(cat "$T/body")"
expect_eq "replay built nothing" 1 "$(count_builds site)"

sed 's|refs/heads/master|refs/heads/feature|' "$T/push.json" >"$T/push2.json"
hook push d-2 "$T/push2.json"
expect_eq "unmatched push" 200 "$(status)"
expect_contains "ignored" ignored "$(cat "$T/body")"
expect_eq "unmatched built nothing" 1 "$(count_builds site)"

# A pull request into master: built with a read-only token.
git checkout -q -b change && echo change >change.txt && git add . && git commit -qm change
C2=$(git rev-parse HEAD)
git checkout -q master
cat >"$T/pr.json" <<JSON
{"action": "opened", "number": 7,
 "pull_request": {"number": 7, "merged": false, "title": "change",
   "head": {"ref": "change", "sha": "$C2"}, "base": {"ref": "master", "sha": "$C1"}},
 "sender": {"id": 583231, "login": "contributor"}}
JSON
hook pull_request d-3 "$T/pr.json"
expect_eq "pull request" 202 "$(status)"
ID=$(jq_ 'd["build_id"]' <"$T/body")
expect_eq "PR build fails on the refused call" FAILED "$(wait_build "$ID")"
LOG=$(api GET "/v1/builds/$ID/log")
expect_contains "PR variables" "event=PULL_REQUEST_CREATED trigger=pr/7 base=refs/heads/master actor=583231 read_only=1" "$LOG"
expect_contains "PR may read" read-ok "$LOG"
expect_contains "PR write refused" "was started by a pull request and has a read-only token" "$LOG"
expect_eq "PR commit" "$C2" "$(build_field "$ID" 'd["resolved_source_version"]')"
expect_eq "no build started by the PR" 2 "$(count_builds site)"

# Polling a GIT project without webhooks: the first poll learns the refs,
# a new commit upstream is built by a later poll.
api PUT /v1/projects/polled -d "{\"source\": {\"type\": \"GIT\", \"location\": \"$T/up\", \"poll_interval\": 10}}" >/dev/null
expect_eq "polled project" 200 "$(status)"
deadline=$((SECONDS + 60))
until git --git-dir="$HOME_DIR/mirrors/polled.git" rev-parse -q --verify refs/heads/master >/dev/null 2>&1; do
	[ $SECONDS -lt $deadline ] || fail "the first poll did not fetch"
	sleep 0.2
done
sleep 1 # let the first poll record the refs
expect_eq "first poll builds nothing" 0 "$(count_builds polled)"
echo more >more.txt && git add more.txt && git commit -qm "more [poll]"
C3=$(git rev-parse HEAD)
deadline=$((SECONDS + 90))
until [ "$(count_builds polled)" = 1 ]; do
	[ $SECONDS -lt $deadline ] || fail "no build after a new upstream commit"
	sleep 0.5
done
ID=$(latest_build polled)
wait_build "$ID" >/dev/null
expect_eq "polled commit" "$C3" "$(build_field "$ID" 'd["resolved_source_version"]')"
expect_eq "poll initiator" poll "$(build_field "$ID" 'd["initiator"]')"

# GitLab: the token header, compared as a whole.
api PUT /v1/webhooks/site -d "{\"secret\": \"$SECRET\"}" >/dev/null
curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' -H 'X-Gitlab-Token: wrong-token-value' \
	-H 'X-Gitlab-Event: Push Hook' --data-binary '{"object_kind": "push"}' \
	http://gitfleet/hooks/gitlab/site >"$T/status"
expect_eq "gitlab bad token" 401 "$(status)"
stop_daemon

# git's smart HTTP through the daemon's TCP listener: `gitfleet repo url
# --http` gives the URL, a clone and a push with the API token as the
# password work (the push runs the post-receive hook, so a build starts),
# a large push that git sends chunked arrives whole, and a missing or wrong
# token is a 401 that asks for Basic credentials and starts nothing.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

PORT=$(free_port)
start_daemon --api-listen "127.0.0.1:$PORT"
TOKEN=$(cat "$HOME_DIR/api-token")
export GIT_TERMINAL_PROMPT=0

api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}}' >/dev/null
expect_eq "project" 200 "$(status)"
URL=$("$GITFLEET" repo url site --http --home "$HOME_DIR")
expect_eq "http url" "http://127.0.0.1:$PORT/git/site.git" "$URL"
AUTH_URL="http://ci:$TOKEN@127.0.0.1:$PORT/git/site.git"

# Without credentials: 401 with a Basic challenge (git then asks for them).
curl -s -D "$T/h" -o /dev/null "$URL/info/refs?service=git-receive-pack" || true
expect_contains "401" " 401 " "$(head -1 "$T/h")"
grep -qi '^WWW-Authenticate: Basic' "$T/h" || fail "no Basic challenge: $(cat "$T/h")"
curl -s -o /dev/null -w '%{http_code}' "http://ci:$TOKEN@127.0.0.1:$PORT/git/nope.git/info/refs?service=git-upload-pack" >"$T/status"
expect_eq "unknown repository" 404 "$(status)"

git clone -q "$AUTH_URL" "$T/work" 2>"$T/clone.err" || fail "clone: $(cat "$T/clone.err")"
cd "$T/work"
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "built $(wc -c <big.bin)"
YAML
head -c 3000000 /dev/urandom >big.bin # over http.postBuffer: sent chunked
git add . && git commit -qm "over http"
GIT_TRACE_CURL="$T/curl.trace" git push origin master 2>"$T/push.err" || fail "push: $(cat "$T/push.err")"
grep -qi "Send header: Transfer-Encoding: chunked" "$T/curl.trace" || fail "the push was not sent chunked"
expect_contains "hook output" "build queued site:" "$(cat "$T/push.err")"
ID=$(latest_build site)
expect_eq "build of the http push" SUCCEEDED "$(wait_build "$ID")"
expect_contains "whole pack arrived" "built 3000000" "$(api GET "/v1/builds/$ID/log")"
expect_eq "pushed commit" "$(git rev-parse HEAD)" "$(build_field "$ID" 'd["resolved_source_version"]')"

# A fetch over http sees the push.
git clone -q "$AUTH_URL" "$T/again" 2>"$T/clone2.err" || fail "second clone: $(cat "$T/clone2.err")"
expect_eq "cloned back" "$(git rev-parse HEAD)" "$(git -C "$T/again" rev-parse HEAD)"

# A wrong token: refused, nothing pushed, no build.
echo more >more.txt && git add more.txt && git commit -qm "bad token"
BEFORE=$(count_builds site)
if git push "http://ci:wrong-token@127.0.0.1:$PORT/git/site.git" master 2>"$T/bad.err"; then
	fail "a push with a wrong token was accepted"
fi
expect_contains "git says why" "Authentication failed" "$(cat "$T/bad.err")"
expect_eq "no build" "$BEFORE" "$(count_builds site)"
expect_eq "ref unchanged" "$(git rev-parse HEAD~1)" "$(git --git-dir="$HOME_DIR/repos/site.git" rev-parse master)"
stop_daemon

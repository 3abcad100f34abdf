# The pipeline through a hosted repository: a push runs the buildspec in
# one shell with CodeBuild's variables (and gitfleet's twins), a failing
# build phase still runs post_build with CODEBUILD_BUILD_SUCCEEDING=0, a
# build over its timeout is TIMED_OUT with its grandchildren killed,
# queued builds run one at a time in order, a manual start and a stop.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

# 1 minute of build_timeout lasts 1.2 s here.
export GITFLEET_BUILD_TIMEOUT_SCALE=0.02
start_daemon

NOTIFY_PORT=$(free_port)
"$PY" "$GF_E2E_LIB/notify_receiver.py" "$NOTIFY_PORT" "$T/notified" &
GF_PIDS+=($!)
wait_for_port "$NOTIFY_PORT"
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}, "build_timeout": 5,
  "notify_url": "http://127.0.0.1:'"$NOTIFY_PORT"'/builds",
  "environment": {"variables": {"STAGE": "prod"}, "secrets": {"db": "s3cr3t-value"}}}' >/dev/null
expect_eq "project created" 200 "$(status)"
URL=$("$GITFLEET" repo url site --home "$HOME_DIR")
expect_eq "repo url" "$HOME_DIR/repos/site.git" "$URL"
api GET /v1/projects/site | grep -q '"db":"(sensitive)"' || fail "secret value shown: $(cat "$T/body")"

git init -q -b master "$T/work"
cd "$T/work"
cat >buildspec.yaml <<'YAML'
version: 0.2
env:
  variables:
    STAGE: dev
    FROM_SPEC: yes-spec
  exported-variables: [CARRIED]
  secrets:
    DB_PASSWORD: db
phases:
  install:
    commands:
      - cd sub
      - export CARRIED=across-phases
  build:
    commands:
      - echo "pwd=$(basename "$PWD") carried=$CARRIED stage=$STAGE spec=$FROM_SPEC"
      - echo "event=$CODEBUILD_WEBHOOK_EVENT head=$CODEBUILD_WEBHOOK_HEAD_REF trigger=$CODEBUILD_WEBHOOK_TRIGGER"
      - echo "id=$CODEBUILD_BUILD_ID number=$GITFLEET_BUILD_NUMBER succeeding=$CODEBUILD_BUILD_SUCCEEDING"
      - echo "resolved=$CODEBUILD_RESOLVED_SOURCE_VERSION initiator=$CODEBUILD_INITIATOR"
      - echo "src=$CODEBUILD_SRC_DIR"
      - echo "secret=$DB_PASSWORD token=$GITFLEET_TOKEN"
      - echo "gitfleet=$(command -v gitfleet)"
      - echo built > ../out.txt
artifacts:
  files: [out.txt]
YAML
mkdir sub && echo x >sub/x
git add . && git commit -qm "first [deploy]"
git remote add fleet "$URL"
git push -q fleet master 2>"$T/push.err" || fail "push: $(cat "$T/push.err")"
expect_contains "hook output" "build queued site:" "$(cat "$T/push.err")"
ID=$(latest_build site)
expect_eq "first build" SUCCEEDED "$(wait_build "$ID")"
LOG=$(api GET "/v1/builds/$ID/log")
HEAD=$(git rev-parse HEAD)
expect_contains "one shell" "pwd=sub carried=across-phases stage=prod spec=yes-spec" "$LOG"
expect_contains "event vars" "event=PUSH head=refs/heads/master trigger=branch/master" "$LOG"
expect_contains "build id" "id=$ID number=1 succeeding=1" "$LOG"
expect_contains "resolved" "resolved=$HEAD initiator=push" "$LOG"
expect_contains "masked" "secret=*** token=***" "$LOG"
expect_contains "own binary first on PATH" "gitfleet=$(dirname "$GITFLEET")/gitfleet" "$LOG"
expect_contains "phase marker" "==> phase build SUCCEEDED (exit 0" "$LOG"
expect_eq "exported variable" across-phases "$(build_field "$ID" 'd["exported_variables"]["CARRIED"]')"
case $LOG in *s3cr3t-value*) fail "the secret leaked into the log" ;; esac
expect_eq "phases in history" '["install", "build"]' "$(build_field "$ID" '[p["phase"] for p in d["phases"]]')"
expect_eq "artifacts" '[{"path": "out.txt", "size": 6}]' "$(api GET "/v1/builds/$ID/artifacts" | jq_ 'd["files"]')"
expect_eq "artifact" built "$(api GET "/v1/builds/$ID/artifacts?file=out.txt")"

# Every status change was POSTed to notify_url, signed with notify_secret.
NSECRET=$(api GET /v1/projects/site | jq_ 'd["notify_secret"]')
deadline=$((SECONDS + 30))
until grep -q SUCCEEDED "$T/notified" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "no SUCCEEDED notification: $(cat "$T/notified" 2>&1)"
	sleep 0.1
done
CHECK=$("$PY" - "$T/notified" "$NSECRET" <<'PY'
import hashlib, hmac, json, sys
out = []
for line in open(sys.argv[1]):
    sig, body = line.rstrip("\n").split("\t", 1)
    want = "sha256=" + hmac.new(sys.argv[2].encode(), body.encode(), hashlib.sha256).hexdigest()
    out.append(json.loads(body)["status"] + ("" if sig == want else "(bad signature)"))
print(" ".join(sorted(out)))
PY
)
expect_eq "notifications (any order)" "IN_PROGRESS QUEUED SUCCEEDED" "$CHECK"

# A failing build command: FAILED, and post_build still ran with SUCCEEDING=0.
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo before-failure
      - "false"
      - echo never-printed
    finally:
      - echo finally-ran
  post_build:
    commands:
      - echo post-build succeeding=$CODEBUILD_BUILD_SUCCEEDING
YAML
git commit -qam "fails" && git push -q fleet master 2>/dev/null
ID=$(latest_build site)
expect_eq "failing build" FAILED "$(wait_build "$ID")"
LOG=$(api GET "/v1/builds/$ID/log")
expect_contains "finally" "finally-ran" "$LOG"
expect_contains "post_build ran" "post-build succeeding=0" "$LOG"
case $LOG in *never-printed*) fail "a command after the failure ran" ;; esac
expect_eq "phase statuses" '["FAILED", "SUCCEEDED"]' "$(build_field "$ID" '[p["status"] for p in d["phases"]]')"
expect_eq "exit code" 1 "$(build_field "$ID" 'd["phases"][0]["exit_code"]')"
expect_contains "builds list" "$ID" "$("$GITFLEET" builds site --home "$HOME_DIR")"
expect_contains "gitfleet logs" "post-build succeeding=0" "$("$GITFLEET" logs "$ID" --home "$HOME_DIR")"
SSE=$(curl -s -N --max-time 30 --unix-socket "$SOCK" -H 'Accept: text/event-stream' "http://gitfleet/v1/builds/$ID/log")
expect_contains "SSE lines" "event: line" "$SSE"
expect_contains "SSE end" "$(printf 'event: end\ndata: FAILED')" "$SSE"

# Over its timeout (1 minute = 1.2 s here): TIMED_OUT, grandchild killed.
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}, "build_timeout": 1,
  "environment": {"variables": {"OUT": "'"$SHARED"'"}}}' >/dev/null
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - sh -c 'sleep 600 & echo $! > "$OUT/bg.pid"; wait'
YAML
git commit -qam "hangs" && git push -q fleet master 2>/dev/null
ID=$(latest_build site)
expect_eq "timed out" TIMED_OUT "$(wait_build "$ID")"
BG=$(cat "$SHARED/bg.pid")
deadline=$((SECONDS + 20))
while kill -0 "$BG" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the build's grandchild $BG survived the timeout"
	sleep 0.1
done

# Queued builds run one at a time, in order.
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}, "build_timeout": 5,
  "environment": {"variables": {"OUT": "'"$SHARED"'"}}}' >/dev/null
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - echo "$CODEBUILD_BUILD_NUMBER start" >> "$OUT/order.log"
      - sleep 2
      - echo "$CODEBUILD_BUILD_NUMBER end" >> "$OUT/order.log"
YAML
git commit -qam "ordered" && git push -q fleet master 2>/dev/null
ORDERED=$(git rev-parse HEAD)
A=$("$GITFLEET" build start site --home "$HOME_DIR")
B=$("$GITFLEET" build start site --home "$HOME_DIR" --ref master)
expect_eq "A" SUCCEEDED "$(wait_build "$A")"
expect_eq "B" SUCCEEDED "$(wait_build "$B")"
A_END=$(build_field "$A" 'd["end_ms"]')
B_QUEUED=$(build_field "$B" 'd["queued_ms"]')
B_START=$(build_field "$B" 'd["start_ms"]')
[ "$B_QUEUED" -lt "$A_END" ] && [ "$B_START" -ge "$A_END" ] ||
	fail "B did not wait for A: queued $B_QUEUED, A ended $A_END, B started $B_START"
ORDER=$(tr '\n' ' ' <"$SHARED/order.log")
expect_eq "one at a time, in order" "4 start 4 end 5 start 5 end 6 start 6 end " "$ORDER"

# Manual start of an exact commit, and stop (a timeout far away, 72 s
# here, so that a loaded machine cannot end the build before the stop).
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}, "build_timeout": 60,
  "environment": {"variables": {"OUT": "'"$SHARED"'"}}}' >/dev/null
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - sleep 600
YAML
git commit -qam "long" && git push -q fleet master 2>/dev/null
ID=$(latest_build site)
deadline=$((SECONDS + 60))
until [ "$(build_field "$ID" 'd["status"]')" = IN_PROGRESS ]; do
	[ $SECONDS -lt $deadline ] || fail "build did not start"
	sleep 0.1
done
"$GITFLEET" logs "$ID" -f --home "$HOME_DIR" >"$T/follow.log" 2>&1 &
FOLLOW=$!
GF_PIDS+=($FOLLOW)
"$GITFLEET" build stop "$ID" --home "$HOME_DIR" >/dev/null
expect_eq "stopped" STOPPED "$(wait_build "$ID")"
wait "$FOLLOW" || fail "gitfleet logs -f: $(cat "$T/follow.log")"
expect_contains "followed to the end" "==> build STOPPED" "$(cat "$T/follow.log")"
C=$("$GITFLEET" build start site --home "$HOME_DIR" --commit "$ORDERED")
expect_eq "exact commit" SUCCEEDED "$(wait_build "$C")"
expect_eq "resolved" "$ORDERED" "$(build_field "$C" 'd["resolved_source_version"]')"
# The first commit's buildspec names a secret the project no longer has.
C=$("$GITFLEET" build start site --home "$HOME_DIR" --commit "$HEAD")
expect_eq "missing secret" FAILED "$(wait_build "$C")"
expect_contains "missing secret reason" 'names the secret \"db\"' "$(api GET "/v1/builds/$C")"

# A malformed buildspec fails with the file, line and reason.
printf 'version: 0.2\nphases:\n  build:\n    commands: make\n' >buildspec.yaml
git commit -qam "bad spec" && git push -q fleet master 2>/dev/null
ID=$(latest_build site)
expect_eq "bad buildspec" FAILED "$(wait_build "$ID")"
expect_contains "reason" "buildspec.yaml:4:15: phases.build.commands must be a list of strings" \
	"$(build_field "$ID" 'd["reason"]')"

# A buildspec that is a link in the commit is not read through it: the
# daemon reads it as root, before the hand-over.
rm buildspec.yaml && ln -s "$HOME_DIR/api-token" buildspec.yaml
git add -A && git commit -qm "linked spec" && git push -q fleet master 2>/dev/null
ID=$(latest_build site)
expect_eq "linked buildspec" FAILED "$(wait_build "$ID")"
expect_contains "reason" "buildspec.yaml is a symbolic link" "$(build_field "$ID" 'd["reason"]')"
stop_daemon

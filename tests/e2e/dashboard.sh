# The dashboard in headless Chromium (Debian's chromium + playwright-core,
# installed by scripts/deps.sh --browser): a daemon with a load balancer,
# a group of two instances and a project with a hosted repository; the
# pages render, traffic shows as a rate and latency, a push appears as a
# build whose log streams, events are listed, a remote client must sign
# in, and a dashboard session cannot change anything. Screenshots are
# left in the build tree (GF_ARTIFACTS) as the test's artefacts.
source "$GF_E2E_LIB/common.sh"

NODE_DIR=${GF_NODE_DIR:-}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
missing=()
[ -n "$CHROMIUM" ] || missing+=("chromium (Debian package)")
command -v node >/dev/null || missing+=("node (Debian package nodejs)")
[ -n "$NODE_DIR" ] && [ -d "$NODE_DIR/node_modules/playwright-core" ] ||
	missing+=("playwright-core (npm, in ${NODE_DIR:-GF_NODE_DIR unset})")
if [ ${#missing[@]} -gt 0 ]; then
	{
		echo "################################################################"
		echo "SKIPPED: the dashboard test needs a browser, and this machine lacks:"
		printf '  - %s\n' "${missing[@]}"
		echo "Install them with: bash scripts/deps.sh --browser ${NODE_DIR:-BUILD_DIR/node}"
		echo "(make test runs that first: this skip means it could not install them)"
		echo "################################################################"
	} >&2
	exit 77
fi
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"
ARTIFACTS=${GF_ARTIFACTS:-$T/artifacts}
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/dashboard-*.png

API_PORT=$(free_port)
start_daemon --api-listen "127.0.0.1:$API_PORT"
wait_for_port "$API_PORT"

# The fleet: lb "web", listener "http", target group "web-tg", group "web" of 2.
LB_PORT=$(free_port)
make_site "$T/site" "hello from the dashboard test"
REL=$(upload_release "$T/site")
create_stack "$LB_PORT" "$REL" 2
expect_eq "site served" "hello from the dashboard test" "$(curl -s --max-time 10 "http://127.0.0.1:$LB_PORT/")"

# A project with a hosted repository, and a first build.
api PUT /v1/projects/site -d '{"source": {"type": "GITFLEET"}}' >/dev/null
expect_eq "project created" 200 "$(status)"
git init -q -b master "$T/work"
cd "$T/work"
cat >buildspec.yaml <<'YAML'
version: 0.2
phases:
  build:
    commands:
      - for i in 1 2 3 4 5; do echo "dashboard step $i"; sleep 0.4; done
YAML
git add . && git commit -qm "first build"
git remote add fleet "$("$GITFLEET" repo url site --home "$HOME_DIR")"
git push -q fleet master 2>/dev/null || fail "first push"
expect_eq "first build" SUCCEEDED "$(wait_build "$(latest_build site)")"

# The browser pushes the second commit itself, once it watches the page.
# Its build prints a line, then waits for the browser to have shown that
# line (the browser creates $GATE_FILE) before it goes on: proof that the
# log streams while the build runs, whatever the machine's load.
export GATE_FILE="$T/gate"
cat >buildspec.yaml <<YAML
version: 0.2
phases:
  build:
    commands:
      - echo "dashboard step 1"
      - for i in \$(seq 1200); do [ -e "$GATE_FILE" ] && break; sleep 0.1; done; [ -e "$GATE_FILE" ]
      - for i in 2 3 4 5; do echo "dashboard step \$i"; done
YAML
git add buildspec.yaml && git commit -qm "a second commit, watched from the dashboard"
export PUSH_CMD="cd '$T/work' && git push -q fleet master 2>/dev/null"
export PUSHED_COMMIT=$(git rev-parse HEAD)
export DASH_URL="http://127.0.0.1:$API_PORT" DASH_TOKEN=$(cat "$HOME_DIR/api-token")
export LB_PORT CHROMIUM ARTIFACTS GF_NODE_DIR=$NODE_DIR
timeout 240 node "$GF_E2E_LIB/dashboard.mjs" || fail "the dashboard test in Chromium failed (screenshots in $ARTIFACTS)"
for shot in overview infra pipelines build events login; do
	[ -s "$ARTIFACTS/dashboard-$shot.png" ] || fail "no screenshot dashboard-$shot.png"
done
stop_daemon

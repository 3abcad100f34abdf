#!/usr/bin/env bash
# `make demo`: the fox-or-bear example, live, on this machine.
#
# Installs what is missing, builds gitfleet, starts a daemon on a demo home,
# makes a git repository of examples/fox-or-bear whose remote is the
# repository the daemon hosts, applies its deployment-pipeline/ and pushes.
# The push runs the pipeline, which applies infra/: the site is up. Then it
# prints what to try and follows the daemon's events until Ctrl-C, which
# stops the daemon, and with it every instance and build.
#
# Everything lives in DEMO_DIR (default ./demo); each run starts afresh.
#   GITFLEET=path   use this binary instead of building build/gitfleet
#   PORT=8080       the site's port (the listener in infra/main.tf)
#   API_PORT=7070   the daemon's TCP listener (the dashboard)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
demo=${DEMO_DIR:-$PWD/demo}
port=${PORT:-8080}
api_port=${API_PORT:-7070}
daemon_pid=""
follow_pid=""

say() { printf '%s\n' "$*"; }
step() { printf '  %-10s %s\n' "$1" "$2"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

# Ctrl-C (or any exit): stop what we started, the daemon last; the daemon
# stops its instances and builds before it exits. Ctrl-C is how the demo is
# meant to end, so it exits 0 (make then adds no error line).
stop_all() {
	trap - INT TERM EXIT
	[ -z "$follow_pid" ] || kill "$follow_pid" 2>/dev/null || true
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		say ""
		say "Stopping the daemon, its instances and builds..."
		kill -TERM "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
		say "Stopped. Nothing is left running; the demo's files stay in $demo."
	fi
	[ -z "$follow_pid" ] || wait "$follow_pid" 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- what the demo needs: packages, a build ---------------------------------
if [ -z "${GITFLEET:-}" ]; then
	bash "$root/scripts/deps.sh"
	say "Building gitfleet (release build, log in build/build.log)..."
	mkdir -p "$root/build"
	{
		cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGF_TESTS=OFF &&
			cmake --build "$root/build" -j "$(nproc 2>/dev/null || echo 2)"
	} >"$root/build/build.log" 2>&1 || die "the build failed: see build/build.log"
	GITFLEET="$root/build/gitfleet"
	say ""
fi
gitfleet=$(cd "$(dirname "$GITFLEET")" && pwd)/$(basename "$GITFLEET")
[ -x "$gitfleet" ] || die "$GITFLEET is not an executable"
for p in "$port" "$api_port"; do
	! in_use "$p" || die "port $p is in use; choose others: make demo PORT=8081 API_PORT=7071"
done

# ---- a fresh demo home --------------------------------------------------------
if [ -e "$demo" ]; then
	[ -e "$demo/.gitfleet-demo" ] || die "$demo exists and is not a demo directory: move it away, or set DEMO_DIR"
	rm -rf "$demo"
fi
mkdir -p "$demo"
touch "$demo/.gitfleet-demo"
export GITFLEET_HOME="$demo/home"
cat >"$demo/env" <<EOF
# source this file to talk to the demo's daemon
export GITFLEET_HOME="$GITFLEET_HOME"
export PATH="$(dirname "$gitfleet"):\$PATH"
EOF
. "$demo/env"

say "gitfleet demo: the fox-or-bear example"
say ""
# As root, builds run as an unprivileged user (docs/pipeline.md,
# "Isolation"): gitfleet-build when it exists (make install creates it),
# else nobody for the demo.
build_user=()
if [ "$(id -u)" = 0 ] && ! getent passwd gitfleet-build >/dev/null; then
	build_user=(--build-user nobody)
	step "builds" "run as nobody (create the user gitfleet-build to give them their own)"
fi
"$gitfleet" daemon --home "$GITFLEET_HOME" --api-listen "127.0.0.1:$api_port" \
	"${build_user[@]}" >"$demo/daemon.log" 2>&1 &
daemon_pid=$!
deadline=$((SECONDS + 30))
until [ -S "$GITFLEET_HOME/run/gitfleet.sock" ] && gitfleet status >/dev/null 2>&1; do
	kill -0 "$daemon_pid" 2>/dev/null || die "the daemon stopped: $(tail -3 "$demo/daemon.log")"
	[ $SECONDS -lt $deadline ] || die "the daemon did not start: see $demo/daemon.log"
	sleep 0.1
done
step daemon "running, home $GITFLEET_HOME"

# ---- the repository: the example, with the hosted repository as origin -----
work="$demo/fox-or-bear"
cp -R "$root/examples/fox-or-bear" "$work"
cd "$work"
if [ "$port" != 8080 ]; then
	sed -i "s/port             = 8080/port             = $port/" infra/main.tf
fi
git init -q -b master
git config user.email >/dev/null || git config user.email "demo@gitfleet.invalid"
git config user.name >/dev/null || git config user.name "gitfleet demo"
git add -A
git commit -qm "fox-or-bear"

# The pipeline, applied once by hand: it creates the project and its repository.
(cd deployment-pipeline && gitfleet init -input=false && gitfleet apply -auto-approve -input=false) \
	>"$demo/pipeline.log" 2>&1 || die "applying deployment-pipeline/ failed: see $demo/pipeline.log"
step pipeline "project fox-or-bear created (deployment-pipeline/ applied)"
git remote add origin "$(gitfleet repo url fox-or-bear)"

git push -q -u origin master 2>"$demo/push.log" || die "git push failed: $(cat "$demo/push.log")"
build=$(sed -n 's/.*build queued \([^ ]*\).*/\1/p' "$demo/push.log" | head -1)
[ -n "$build" ] || die "the push started no build: $(cat "$demo/push.log")"
step push "git push origin master: build $build"
gitfleet logs "$build" -f >"$demo/first-build.log" 2>&1 || true
status=$(gitfleet builds fox-or-bear | awk -v id="$build" '$1 == id { print $2 " in " $3 }')
case $status in
SUCCEEDED*) step build "$status" ;;
*) die "the first build ended ${status:-unknown}: see gitfleet logs $build (or $demo/first-build.log)" ;;
esac

cat <<EOF

  Your site:      http://127.0.0.1:$port/
  The dashboard:  http://127.0.0.1:$api_port/

Three things to try, in another terminal:

  cd $work && . ../env

  1. Change the page: the fox becomes a bear.
       sed -i 's/fox/bear/g' www/index.html
       git commit -qam "the bear" && git push

  2. Run two instances: set desired_capacity = 2 in infra/main.tf, then
       git commit -qam "two instances" && git push && gitfleet status

  3. Break the health check: push a release without its page. Its new
     instance never passes a health check, so the rollout is rolled back
     and the site stays up; the build FAILS, and its log says why.
       git rm -q www/index.html && git commit -qm "broken" && git push
       gitfleet builds fox-or-bear && gitfleet logs BUILD_ID

Events follow. Press Ctrl-C to stop everything.

EOF
gitfleet events -f --after "$(gitfleet events --json | tail -1 | sed 's/.*"id":\([0-9]*\).*/\1/')" &
follow_pid=$!
wait "$follow_pid" || true
follow_pid=""
# The follower ends when the daemon does.
kill -0 "$daemon_pid" 2>/dev/null || die "the daemon stopped: see $demo/daemon.log"

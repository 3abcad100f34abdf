# Shared helpers for end-to-end tests. Source it; it expects $GITFLEET (the
# binary under test, set by CTest) and gives each test a scratch directory
# that is removed on exit, with every background process it started.
set -euo pipefail

: "${GITFLEET:?set GITFLEET to the gitfleet binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/gf-e2e.XXXXXX")
GF_PIDS=()
gf_cleanup() {
	local pid
	for pid in "${GF_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${GF_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$T"
}
trap gf_cleanup EXIT

# The interpreter itself, not a version manager's shim (pyenv's runs a few
# shell scripts per call, seconds each on a loaded machine).
PY=$(python3 -c 'import sys; print(sys.executable)')

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
}

# expect_contains WHAT NEEDLE HAYSTACK
expect_contains() {
	case "$3" in *"$2"*) ;; *) fail "$1: [$2] not found in [$3]" ;; esac
}

# A free TCP port on 127.0.0.1, in 10000-19999: below the daemon's instance
# ports (cloud.sh) and the kernel's ephemeral ports (32768 and up). A port
# the kernel picked from its ephemeral range could be handed to some
# client's connect() before the test binds it, and bind then fails.
free_port() {
	"$PY" -c '
import random, socket
for _ in range(200):
    p = random.randrange(10000, 20000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break' 2>/dev/null || echo $((10000 + RANDOM % 10000))
}

# wait_for_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT.
wait_for_port() {
	local deadline=$((SECONDS + ${2:-60}))
	while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || fail "nothing listening on port $1"
		sleep 0.05
	done
}

# wait_nonempty FILE [SECONDS]: until FILE exists and is not empty (a
# background client has written what shows it is connected).
wait_nonempty() {
	local deadline=$((SECONDS + ${2:-60}))
	until [ -s "$1" ]; do
		[ $SECONDS -lt $deadline ] || fail "$1 still empty after ${2:-60} s"
		sleep 0.05
	done
}

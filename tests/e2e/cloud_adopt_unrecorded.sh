# The daemon records a new instance (state pending, no pid yet) before it
# starts the process, and its pid right after. A daemon killed between the
# two leaves a record without a pid and a process that runs in its own
# session: the next daemon finds that process by its instance id, adopts
# it, and (its group being gone here) stops it. Nothing is left running.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"

start_daemon
stop_daemon

# The orphan: a session leader carrying the instance id, as the daemon
# spawns instances.
"$PY" -c 'import os; os.setsid(); os.execvpe("sleep", ["sleep", "300"], dict(os.environ, GITFLEET_INSTANCE_ID="i-7"))' &
ORPHAN=$!
GF_PIDS+=("$ORPHAN")
"$PY" - "$HOME_DIR/inventory.db" <<'PY'
import sqlite3, sys, time
now = int(time.time() * 1000)
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("INSERT INTO instances(id, seq, grp, template, version, release, port, pid, state,"
          " reason, created_ms, updated_ms) VALUES ('i-7', 7, 'web', 'web', 1, '', 0, 0,"
          " 'pending', '', ?, ?)", (now, now))
PY

# running PID: the process exists and is not a zombie (ours to reap).
running() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in Z*) return 1 ;; esac
}

start_daemon
deadline=$((SECONDS + 30))
while running "$ORPHAN"; do
	[ $SECONDS -lt $deadline ] || fail "the unrecorded instance still runs: $(api GET /v1/instances)"
	sleep 0.1
done
expect_eq "instance state" "terminated" "$(api GET /v1/instances | jq_ '[i["state"] for i in d["items"] if i["id"] == "i-7"][0]')"
stop_daemon

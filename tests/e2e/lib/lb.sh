# Helpers for the load balancer's end-to-end tests; source after common.sh.

# A command that fails under `set -e` says where, instead of exiting mute.
trap 'rc=$?; [[ $- != *e* ]] || echo "FAIL: line $LINENO: $BASH_COMMAND (exit $rc)" >&2' ERR

# start_backend PORT NAME [ARGS...]: a Python test backend (lb_backend.py).
start_backend() {
	"$PY" "$GF_E2E_LIB/lb_backend.py" "$@" &
	GF_PIDS+=($!)
	LAST_PID=$!
	wait_for_port "$1" 60
}

# start_lb PORT ARGS...: gitfleet lb on 127.0.0.1:PORT, log in $T/lb-PORT.log.
start_lb() {
	local port=$1
	shift
	"$GITFLEET" lb --listen "127.0.0.1:$port" "$@" >"$T/lb-$port.log" 2>&1 &
	GF_PIDS+=($!)
	LB_PID=$!
	wait_for_port "$port" 60
}

# wait_until SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || fail "timed out waiting for: $*"
		sleep 0.1
	done
}

# http_code URL [CURL ARGS...]: the status code only.
http_code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@"
}

status_is() {
	[ "$(http_code "$2")" = "$1" ]
}

# On failure, show what the load balancers logged.
lb_show_logs() {
	local rc=$? f
	if [ $rc -ne 0 ]; then
		for f in "$T"/lb-*.log; do
			[ -f "$f" ] || continue
			echo "--- $f" >&2
			tail -n 30 "$f" >&2
		done
	fi
	gf_cleanup
}
trap lb_show_logs EXIT

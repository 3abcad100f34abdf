#!/usr/bin/env bash
# The data plane against its peers, side by side, in one run on loopback:
#
#   1. gitfleet www vs nginx serving the same small file;
#   2. gitfleet lb vs HAProxy vs nginx as reverse proxies in front of the
#      same two backends (two gitfleet www), keep-alive on both sides;
#   3. the resident memory of an idle gitfleet www.
#
# Every server gets the same number of worker threads/processes (WORKERS),
# every measurement is wrk with 64 keep-alive connections; each is run RUNS
# times, interleaved, and the median of each figure is reported. Besides req/s and p99,
# each run reports the CPU time the server under test used per request
# (user + system, all its processes and threads, from /proc): on a machine
# shared with other work, req/s says how much CPU a server got, CPU per
# request how well it used it. Builds the optimised
# binary (`make`, build/gitfleet) first; installs wrk, nginx and HAProxy
# with scripts/deps.sh --bench.
#
#   bench/dataplane.sh                  # WORKERS=1 RUNS=3 DURATION=10s CONNS=64
#   WORKERS=2 DURATION=20s bench/dataplane.sh
set -euo pipefail

WORKERS=${WORKERS:-1}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}

cd "$(dirname "$0")/.."
bash scripts/deps.sh --bench
make >/dev/null
GITFLEET=$PWD/build/gitfleet

T=$(mktemp -d "${TMPDIR:-/tmp}/gf-bench.XXXXXX")
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # URL
	local i
	for i in $(seq 1 100); do
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "bench: nothing answers at $1" >&2
	exit 1
}

# The same small file for everybody: 612 bytes, the size of nginx's
# default index.html.
mkdir -p "$T/site"
head -c 612 /dev/zero | tr '\0' x >"$T/site/index.html"

# ---- servers ------------------------------------------------------------------

# Two backends for the proxies.
B1=$(free_port)
B2=$(free_port)
for port in "$B1" "$B2"; do
	"$GITFLEET" www --root "$T/site" --listen "127.0.0.1:$port" --workers 1 >/dev/null 2>&1 &
	PIDS+=($!)
done

WWW=$(free_port)
"$GITFLEET" www --root "$T/site" --listen "127.0.0.1:$WWW" --workers "$WORKERS" \
	>/dev/null 2>&1 &
PIDS+=($!)
WWW_PID=$!

GFLB=$(free_port)
"$GITFLEET" lb --listen "127.0.0.1:$GFLB" --target "127.0.0.1:$B1" --target "127.0.0.1:$B2" \
	--workers "$WORKERS" --health-path /index.html >"$T/lb.log" 2>&1 &
PIDS+=($!)
GFLB_PID=$!

HAP=$(free_port)
cat >"$T/haproxy.cfg" <<EOF
global
	nbthread $WORKERS
	maxconn 4000
defaults
	mode http
	timeout connect 5s
	timeout client 60s
	timeout server 60s
	option http-keep-alive
frontend fe
	bind 127.0.0.1:$HAP
	default_backend be
backend be
	balance roundrobin
	http-reuse always
	option httpchk GET /index.html
	server b1 127.0.0.1:$B1 check inter 1s
	server b2 127.0.0.1:$B2 check inter 1s
EOF
haproxy -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 &
PIDS+=($!)
HAP_PID=$!

NGX_STATIC=$(free_port)
NGX_PROXY=$(free_port)
mkdir -p "$T/nginx"
cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
user root;
worker_processes $WORKERS;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	default_type text/html;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	upstream backends {
		server 127.0.0.1:$B1;
		server 127.0.0.1:$B2;
		keepalive 64;
	}
	server {
		listen 127.0.0.1:$NGX_STATIC;
		root $T/site;
	}
	server {
		listen 127.0.0.1:$NGX_PROXY;
		location / {
			proxy_pass http://backends;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
EOF
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" >"$T/nginx.log" 2>&1 &
PIDS+=($!)
NGX_PID=$!

for port in "$B1" "$B2" "$WWW" "$GFLB" "$HAP" "$NGX_STATIC" "$NGX_PROXY"; do
	wait_for "http://127.0.0.1:$port/index.html"
done
sleep 2 # the health checks of gitfleet lb and HAProxy pass

# Idle RSS, before any benchmark traffic.
www_rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$WWW_PID/status")

# ---- measurements ------------------------------------------------------------------

# cpu_ticks PID...: user + system clock ticks of the processes and their
# children processes (nginx's workers), all threads included.
cpu_ticks() {
	local pid all=() total=0 f
	for pid in "$@"; do
		all+=("$pid")
		all+=($(pgrep -P "$pid" || true))
	done
	for pid in "${all[@]}"; do
		f=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null) || continue
		total=$((total + $(awk '{print $12 + $13}' <<<"$f")))
	done
	echo "$total"
}

# run NAME PORT PID: one wrk run; appends "rps p99_ms cpu_us_per_request"
# to $T/NAME.
run() {
	local out rps p99 before after n cpu
	before=$(cpu_ticks "$3")
	out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$2/index.html")
	after=$(cpu_ticks "$3")
	n=$(awk '/requests in/ {print $1}' <<<"$out")
	cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$n" \
		'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
	if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
		echo "bench: $1 had errors:" >&2
		echo "$out" >&2
	fi
	rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {v = $2; u = v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v);
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v}' <<<"$out")
	echo "$rps $p99 $cpu" >>"$T/$1"
}

# median NAME: the median of each column over the runs, as "rps p99 cpu"
# (each column on its own: one run disturbed by other work on the machine
# moves no figure).
median() {
	local col
	for col in 1 2 3; do
		awk -v c="$col" '{print $c}' "$T/$1" | sort -g |
			awk '{a[NR] = $0} END {printf "%s ", a[int((NR + 1) / 2)]}'
	done
	echo
}

echo "bench: $(nproc) CPUs, WORKERS=$WORKERS, $RUNS runs of $DURATION, $CONNS connections" >&2
echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for i in $(seq 1 "$RUNS"); do
	run www "$WWW" "$WWW_PID"
	run nginx_static "$NGX_STATIC" "$NGX_PID"
	run gitfleet_lb "$GFLB" "$GFLB_PID"
	run haproxy "$HAP" "$HAP_PID"
	run nginx_proxy "$NGX_PROXY" "$NGX_PID"
	echo "bench: round $i of $RUNS done" >&2
done
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for name in www nginx_static gitfleet_lb haproxy nginx_proxy; do
	echo "bench: $name runs (req/s p99_ms cpu_us/req): $(tr '\n' ';' <"$T/$name")" >&2
done

read -r www_rps www_p99 www_cpu <<<"$(median www)"
read -r ngs_rps ngs_p99 ngs_cpu <<<"$(median nginx_static)"
read -r lb_rps lb_p99 lb_cpu <<<"$(median gitfleet_lb)"
read -r hap_rps hap_p99 hap_cpu <<<"$(median haproxy)"
read -r ngp_rps ngp_p99 ngp_cpu <<<"$(median nginx_proxy)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

cat <<EOF

| static file (612 B)    | req/s      | p99 (ms) | CPU µs/req |
|------------------------|-----------:|---------:|-----------:|
| gitfleet www           | $www_rps | $www_p99 | $www_cpu |
| nginx                  | $ngs_rps | $ngs_p99 | $ngs_cpu |
| gitfleet www / nginx   | $(ratio "$www_rps" "$ngs_rps")× | $(ratio "$www_p99" "$ngs_p99")× | $(ratio "$www_cpu" "$ngs_cpu")× |

| reverse proxy, 2 backends | req/s   | p99 (ms) | CPU µs/req |
|---------------------------|--------:|---------:|-----------:|
| gitfleet lb               | $lb_rps | $lb_p99 | $lb_cpu |
| HAProxy                   | $hap_rps | $hap_p99 | $hap_cpu |
| nginx                     | $ngp_rps | $ngp_p99 | $ngp_cpu |
| gitfleet lb / HAProxy     | $(ratio "$lb_rps" "$hap_rps")× | $(ratio "$lb_p99" "$hap_p99")× | $(ratio "$lb_cpu" "$hap_cpu")× |
| gitfleet lb / nginx       | $(ratio "$lb_rps" "$ngp_rps")× | $(ratio "$lb_p99" "$ngp_p99")× | $(ratio "$lb_cpu" "$ngp_cpu")× |

gitfleet www idle RSS: $(awk -v k="$www_rss_kib" 'BEGIN {printf "%.2f MiB (%d KiB)", k / 1024, k}')
EOF

# gitfleet lb in front of two gitfleet www instances, as an autoscaling
# group's instances are served: files, revalidation and ranges pass through.
. "$GF_E2E_LIB/common.sh"
. "$GF_E2E_LIB/lb.sh"

mkdir -p "$T/one" "$T/two"
echo "site one" >"$T/one/index.html"
echo "site two" >"$T/two/index.html"
head -c 300000 /dev/urandom >"$T/blob"
cp "$T/blob" "$T/one/blob"
cp "$T/blob" "$T/two/blob"
w1=$(free_port)
w2=$(free_port)
"$GITFLEET" www --root "$T/one" --listen "127.0.0.1:$w1" >"$T/w1.log" 2>&1 &
GF_PIDS+=($!)
"$GITFLEET" www --root "$T/two" --listen "127.0.0.1:$w2" >"$T/w2.log" 2>&1 &
GF_PIDS+=($!)
wait_for_port "$w1"
wait_for_port "$w2"
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$w1" --target "127.0.0.1:$w2" --health-interval 0.2 \
	--algorithm least_outstanding_requests
url="http://127.0.0.1:$p"
wait_until 30 status_is 200 "$url/"

seen=$(for i in 1 2 3 4 5 6 7 8; do curl -s --max-time 20 "$url/"; done | sort -u | tr '\n' ' ')
expect_eq "both instances serve" "site one site two " "$seen"

# A larger file, whole and in ranges, on one keep-alive connection.
curl -s --max-time 20 -o "$T/got" "$url/blob"
cmp -s "$T/blob" "$T/got" || fail "file changed through the proxy"
out=$(curl -s --max-time 20 -r 100-199 -o "$T/range" -w '%{http_code}' "$url/blob")
expect_eq "range request" 206 "$out"
cmp -s <(head -c 200 "$T/blob" | tail -c 100) "$T/range" || fail "range content differs"

# Revalidation: the ETag of one instance is sent back through the proxy.
etag=$(curl -s --max-time 20 -D - -o /dev/null "$url/blob" | tr -d '\r' |
	sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
[ -n "$etag" ] || fail "no ETag through the proxy"
codes=$(for i in 1 2 3 4; do http_code -H "If-None-Match: $etag" "$url/blob"; echo; done |
	sort -u | tr '\n' ' ')
case "$codes" in *304*) ;; *) fail "no 304 for a matching ETag: $codes" ;; esac

expect_eq "not found passes through" 404 "$(http_code "$url/missing")"

# SIGUSR1: the counters, in the log.
kill -USR1 "$LB_PID"
stats_logged() { grep -q 'msg="target stats"' "$T/lb-$p.log"; }
wait_until 30 stats_logged
line=$(grep 'msg="listener stats"' "$T/lb-$p.log")
expect_contains "listener counters" "4xx=1 " "$line"
case "$line" in *" 2xx=0 "*) fail "no 2xx counted: $line" ;; esac
expect_contains "target counters" "state=healthy" "$(grep 'msg="target stats"' "$T/lb-$p.log")"
echo "lb_www: ok"

# gitfleet lb's answers when it cannot or may not proxy: 403 allow-list,
# 503 no healthy target, 502 broken target, 504 slow target, 408 slow
# client, and retries that hide a dead target.
. "$GF_E2E_LIB/common.sh"
. "$GF_E2E_LIB/lb.sh"

good=$(free_port)
dead=$(free_port) # nothing listens there
start_backend "$good" good

# Allow-list: a client outside it gets 403 and a reason; inside it, 200.
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$good" --health-path "" --allow 10.0.0.0/8 --allow ::1/128
expect_eq "client outside the allow-list" 403 "$(http_code "http://127.0.0.1:$p/")"
out=$(curl -s --max-time 20 "http://127.0.0.1:$p/")
expect_contains "403 says why" "client address 127.0.0.1 is not allowed" "$out"
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$good" --health-path "" --allow 127.0.0.0/8
expect_eq "client inside the allow-list" 200 "$(http_code "http://127.0.0.1:$p/")"

# A dead target next to a good one, checks off: refused connections are
# retried on the good target, and the client never sees them.
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$dead" --target "127.0.0.1:$good" --health-path ""
for i in $(seq 1 20); do
	out=$(curl -s --max-time 20 -w '%{http_code}' "http://127.0.0.1:$p/whoami" | tr '\n' ' ')
	expect_eq "request $i with a dead target registered" "good 200" "$out"
done
# A POST too: nothing reached the dead target, so it is safe to retry.
out=$(curl -s --max-time 20 -d x -w ' %{http_code}' "http://127.0.0.1:$p/echo")
expect_eq "POST retried after a refused connection" "x 200" "$out"

# Only dead targets: 502 that names the target.
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$dead" --health-path ""
out=$(curl -s --max-time 20 -w ' %{http_code}' "http://127.0.0.1:$p/")
expect_contains "refused connection" "target 127.0.0.1:$dead: connection failed" "$out"
expect_contains "refused connection status" " 502" "$out"

# A target that resets every connection: 502, not a hang.
reset=$(free_port)
start_backend "$reset" reset --reset
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$reset" --health-path ""
out=$(curl -s --max-time 20 -w ' %{http_code}' "http://127.0.0.1:$p/")
# (The reset may arrive before or after the connect completes.)
expect_contains "reset by target" "target 127.0.0.1:$reset: c" "$out"
expect_contains "reset status" " 502" "$out"

# A target that dies in the middle of its answers. A small answer to a GET
# is read whole before the client gets any of it, so the request is retried
# on the other target and the client never sees the broken one.
broken=$(free_port)
start_backend "$broken" broken --truncate
good=$(free_port)
start_backend "$good" good
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$broken" --target "127.0.0.1:$good" --health-path "" \
	--workers 1
for i in 1 2 3 4; do
	expect_eq "GET $i to a pair with a truncating target" "good" \
		"$(curl -s --max-time 20 "http://127.0.0.1:$p/whoami")"
done
grep -q "upstream attempt failed.*target=127.0.0.1:$broken .*retry=yes" "$T/lb-$p.log" ||
	fail "the truncated answer was not retried: $(cat "$T/lb-$p.log")"
# Alone, a GET gets a 502 naming what happened (no other target is left).
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$broken" --health-path ""
out=$(curl -s --max-time 20 -w ' %{http_code}' "http://127.0.0.1:$p/whoami")
expect_contains "GET to a truncating target" \
	"target 127.0.0.1:$broken: closed the connection during its response" "$out"
expect_contains "GET to a truncating target, status" " 502" "$out"
# A POST is never repeated, so its answer streams as it comes: the client
# gets the head and sees the body cut short (curl: partial file, 18).
rc=0
curl -s --max-time 20 -d x -o /dev/null "http://127.0.0.1:$p/whoami" || rc=$?
expect_eq "POST to a truncating target, curl's exit status" 18 "$rc"
# A large answer (over 64 KiB) streams as it comes: once its head went out,
# nothing can be repeated, and the client sees the body cut short.
n=$(curl -s --max-time 20 "http://127.0.0.1:$p/big?n=200000" | wc -c || true)
[ "$n" -lt 200000 ] || fail "a truncated large answer arrived whole ($n bytes)"
[ "$n" -gt 0 ] || fail "a truncated large answer sent nothing: its head should have been streamed"

# No healthy target: 503 with a plain-text reason.
sick=$(free_port)
echo 500 >"$T/sick"
start_backend "$sick" sick --health-file "$T/sick"
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$sick" --health-path /health --health-interval 0.2
sleep 1
out=$(curl -s --max-time 20 -w ' %{http_code}' "http://127.0.0.1:$p/")
expect_eq "no healthy target" 'no healthy target in target group "default"
 503' "$out"
ctype=$(curl -s --max-time 20 -o /dev/null -w '%{content_type}' "http://127.0.0.1:$p/")
expect_eq "503 is plain text" "text/plain; charset=utf-8" "$ctype"
# The target recovers: traffic after healthy_threshold checks.
echo 200 >"$T/sick"
wait_until 30 status_is 200 "http://127.0.0.1:$p/"

# A target slower than --response-timeout: 504.
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$good" --health-path "" --response-timeout 0.5
out=$(curl -s --max-time 20 -w ' %{http_code}' "http://127.0.0.1:$p/slow?s=3")
expect_contains "slow target" "did not answer within 0.5 seconds" "$out"
expect_contains "slow target status" " 504" "$out"

# A client slower than --head-timeout with its request head: 408.
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$good" --health-path "" --head-timeout 0.5
out=$(timeout 30 "$PY" -c '
import socket, time
s = socket.create_connection(("127.0.0.1", '"$p"'))
s.sendall(b"GET / HTTP/1.1\r\nHo")
print(s.recv(100).decode().split("\r\n")[0])')
expect_eq "slow request head" "HTTP/1.1 408 Request Timeout" "$out"

# A keep-alive connection idle past --idle-timeout is closed, silently.
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$good" --health-path "" --idle-timeout 0.5
out=$(timeout 30 "$PY" -c '
import socket, time
s = socket.create_connection(("127.0.0.1", '"$p"'))
s.sendall(b"GET /whoami HTTP/1.1\r\nHost: a\r\n\r\n")
time.sleep(0.3)
first = s.recv(1000)
time.sleep(1.5)
print(first.split(b"\r\n")[0].decode(), repr(s.recv(1000)))')
expect_eq "idle keep-alive connection" "HTTP/1.1 200 OK b''" "$out"

# Bodies over --max-body: 413, which the client gets even though it is
# still sending (the proxy half-closes and drains instead of resetting).
p=$(free_port)
start_lb "$p" --target "127.0.0.1:$good" --health-path "" --max-body 100000
head -c 3000000 /dev/zero >"$T/big"
out=$(curl -s --max-time 20 -H 'Expect:' --data-binary "@$T/big" -w ' %{http_code}' \
	"http://127.0.0.1:$p/echo")
expect_eq "content-length over the limit" "request body larger than 100000 bytes
 413" "$out"
out=$(curl -s --max-time 20 -H 'Transfer-Encoding: chunked' --data-binary "@$T/big" \
	-w ' %{http_code}' "http://127.0.0.1:$p/echo")
expect_contains "chunked body over the limit" " 413" "$out"
expect_eq "a body under the limit" 200 "$(http_code -d small "http://127.0.0.1:$p/echo")"

# Bad flags are reported, with what to do.
set +e
err=$("$GITFLEET" lb --listen 127.0.0.1:1 --target nope 2>&1)
rc=$?
set -e
expect_eq "bad target exits 1" 1 "$rc"
expect_contains "bad target message" 'invalid address "nope"' "$err"
set +e
err=$("$GITFLEET" lb --listen "127.0.0.1:$good" --target "127.0.0.1:$good" 2>&1)
rc=$?
set -e
expect_eq "port in use exits 1" 1 "$rc"
expect_contains "port in use message" "cannot listen on 127.0.0.1:$good" "$err"
echo "lb_errors: ok"

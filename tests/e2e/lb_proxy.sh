# gitfleet lb as an HTTP/1.1 reverse proxy: bodies both ways, keep-alive,
# X-Forwarded-*, 100-continue, WebSocket, allow-lists, errors, SIGTERM.
. "$GF_E2E_LIB/common.sh"
. "$GF_E2E_LIB/lb.sh"

b1=$(free_port)
b2=$(free_port)
lbp=$(free_port)
start_backend "$b1" one --slow-mark "$T/slow.started"
start_backend "$b2" two --slow-mark "$T/slow.started"
start_lb "$lbp" --target "127.0.0.1:$b1" --target "127.0.0.1:$b2" \
	--health-path /health --health-interval 0.2 --workers 2
url="http://127.0.0.1:$lbp"
# Both targets healthy (the log says so of each), so that round robin
# has two to turn between.
both_healthy() {
	[ "$(grep 'state=healthy' "$T/lb-$lbp.log" | grep -o 'target=[^ ]*' | sort -u | wc -l)" = 2 ]
}
wait_until 30 both_healthy

# Round robin over both targets.
seen=$(for i in 1 2 3 4 5 6; do curl -s --max-time 20 "$url/whoami"; done | sort -u | tr '\n' ' ')
expect_eq "both targets get requests" "one two " "$seen"

# Keep-alive towards the client: several requests, one connection.
out=$(curl -s --max-time 20 -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}\n' \
	"$url/whoami" "$url/whoami" "$url/whoami" | tr '\n' ' ')
expect_eq "one connection for three requests" "1 0 0 " "$out"

# Forwarded headers; hop-by-hop ones are not passed on.
head=$(curl -s --max-time 20 -H 'X-Forwarded-For: 203.0.113.7' -H 'Connection: X-Hop' \
	-H 'X-Hop: secret' -H 'Keep-Alive: timeout=5' "$url/headers")
expect_contains "X-Forwarded-For appended" "x-forwarded-for: 203.0.113.7, 127.0.0.1" "$head"
expect_contains "X-Forwarded-Proto" "x-forwarded-proto: http" "$head"
expect_contains "X-Forwarded-Host" "x-forwarded-host: 127.0.0.1:$lbp" "$head"
case "$head" in *x-hop* | *keep-alive:*) fail "hop-by-hop fields reached the target: $head" ;; esac

# POST with a Content-Length body of 1 MB: streamed up and back.
head -c 1000000 /dev/urandom >"$T/big"
curl -s --max-time 20 --data-binary "@$T/big" -o "$T/big.out" "$url/echo"
cmp -s "$T/big" "$T/big.out" || fail "content-length body changed on its way"

# A chunked request body, answered chunked.
curl -s --max-time 20 -H 'Transfer-Encoding: chunked' --data-binary "@$T/big" \
	-o "$T/big.chunked" "$url/echo"
cmp -s "$T/big" "$T/big.chunked" || fail "chunked body changed on its way"

# A chunked response, to HTTP/1.1 and to HTTP/1.0 (decoded, then closed).
out=$(curl -s --max-time 20 "$url/chunked" | tr '\n' ' ')
expect_eq "chunked response" "chunk 0 chunk 1 chunk 2 chunk 3 chunk 4 " "$out"
out=$(curl -s --max-time 20 --http1.0 "$url/chunked" | tr '\n' ' ')
expect_eq "chunked response to HTTP/1.0" "chunk 0 chunk 1 chunk 2 chunk 3 chunk 4 " "$out"

# A body delimited by the close of the target's connection.
out=$(curl -s --max-time 20 "$url/close")
expect_contains "close-delimited body" "until close from" "$out"

# HEAD: no body, whatever Content-Length says.
out=$(curl -s --max-time 20 -I "$url/whoami" | tr -d '\r' | grep -i '^content-length')
expect_eq "HEAD keeps Content-Length" "Content-Length: 4" "$out"

# Expect: 100-continue reaches the target, whose 100 comes back before the body.
out=$(curl -sv --max-time 20 -H 'Expect: 100-continue' --data-binary "@$T/big" \
	-o "$T/big.100" "$url/echo" 2>&1)
expect_contains "100 Continue relayed" "HTTP/1.1 100 Continue" "$out"
cmp -s "$T/big" "$T/big.100" || fail "body after 100-continue changed"

# WebSocket: upgrade, then a raw tunnel.
out=$("$PY" "$GF_E2E_LIB/lb_ws.py" "$lbp" hello | tr '\n' ' ')
expect_eq "websocket echo through the proxy" "echo: hello echo: hello " "$out"

# Pipelined requests are answered in order on the one connection.
out=$(timeout 30 "$PY" -c '
import socket
s = socket.create_connection(("127.0.0.1", '"$lbp"'))
s.sendall(b"GET /whoami HTTP/1.1\r\nHost: a\r\n\r\nGET /chunked HTTP/1.1\r\nHost: a\r\n\r\n"
          b"GET /whoami HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.count(b"HTTP/1.1 200 OK"), data.count(b"chunk "), data.endswith(b"\n"))')
expect_eq "three pipelined requests" "3 5 True" "$out"

# A client that leaves mid-request does not disturb the others.
timeout 30 "$PY" -c '
import socket
s = socket.create_connection(("127.0.0.1", '"$lbp"'))
s.sendall(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nabc")
s.close()'
expect_eq "after an aborted upload" 200 "$(http_code "$url/whoami")"

# Malformed requests never reach a target.
out=$(printf 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n' |
	timeout 30 "$PY" -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",'"$lbp"')); s.sendall(sys.stdin.buffer.read()); print(s.recv(200).decode().split("\r\n")[0])')
expect_eq "CL with TE" "HTTP/1.1 400 Bad Request" "$out"
big=$(head -c 20000 /dev/zero | tr '\0' a)
expect_eq "huge header" 431 "$(http_code -H "X-Big: $big" "$url/")"
long=$(head -c 9000 /dev/zero | tr '\0' a)
expect_eq "long URI" 414 "$(http_code "$url/$long")"

# SIGTERM: a request in flight (it reached a target) finishes, then exit 0.
curl -s --max-time 20 "$url/slow?s=1" >"$T/slow.out" &
slow=$!
wait_nonempty "$T/slow.started"
kill -TERM "$LB_PID"
wait "$slow" || fail "the request in flight at SIGTERM failed"
expect_contains "in-flight request finished" "slow" "$(cat "$T/slow.out")"
set +e
wait "$LB_PID"
rc=$?
set -e
expect_eq "exit status after SIGTERM" 0 "$rc"
echo "lb_proxy: ok"

# gitfleet www end to end: a real server on 127.0.0.1, driven with curl and
# raw sockets (bash /dev/tcp).
. "$GF_E2E_LIB/common.sh"

C=(curl -s --max-time 10)

site=$T/site
mkdir -p "$site/sub" "$site/nodir" "$site/.git" "$T/outside"
printf '<h1>home</h1>\n' >"$site/index.html"
printf 'sub home\n' >"$site/sub/index.html"
printf 'body { color: red }\n' >"$site/style.css"
printf 'console.log(1)\n' >"$site/app.js"
printf 'not found page\n' >"$site/404.html"
printf '0123456789abcdefghij' >"$site/digits.txt"
printf 'plain text, compressible\n' >"$site/page.txt"
printf 'GZIP-BYTES' >"$site/page.txt.gz"
printf 'BROTLI-BYTES' >"$site/page.txt.br"
printf 'only gzip\n' >"$site/g.css"
printf 'G' >"$site/g.css.gz"
printf 'SECRET=1\n' >"$site/.env"
printf '[core]\n' >"$site/.git/config"
printf 'outside secret\n' >"$T/outside/secret.txt"
ln -s "$T/outside" "$site/outdir"
ln -s /etc/passwd "$site/passwd-link"
ln -s ../outside/secret.txt "$site/rel-link"
ln -s style.css "$site/inside-link.css"
head -c 33554432 /dev/zero >"$site/big.bin"

# listening_port LOG: waits for the startup line of a server started on
# port 0 and prints the port it bound.
listening_port() {
	local deadline=$((SECONDS + 60)) line
	while :; do
		line=$(grep -m1 'msg="www listening"' "$1" 2>/dev/null || true)
		if [ -n "$line" ]; then
			line=${line##* port=}
			echo "${line%% *}"
			return
		fi
		[ $SECONDS -lt $deadline ] || fail "www did not start: $(cat "$1")"
		sleep 0.05
	done
}

"$GITFLEET" www --root "$site" --listen 127.0.0.1:0 --header-timeout 1 \
	--idle-timeout 5 --cache-control "public, max-age=60" 2>"$T/www.log" &
server=$!
GF_PIDS+=("$server")
port=$(listening_port "$T/www.log")
base=http://127.0.0.1:$port
expect_contains "startup log" "root=$site" "$(cat "$T/www.log")"
expect_contains "startup log" "listen=127.0.0.1:0" "$(cat "$T/www.log")"

# status CODE of a request: code URL [curl args]
code() {
	"${C[@]}" -o /dev/null -w '%{http_code}' "$@"
}
# the value of one response header: header NAME URL [curl args]
header() {
	local name=$1
	shift
	"${C[@]}" -o /dev/null -D - "$@" | tr -d '\r' | awk -v n="$name" \
		'BEGIN { IGNORECASE = 1 } tolower($0) ~ "^" tolower(n) ":" { sub(/^[^:]*: */, ""); print }'
}

# ---- basics ----------------------------------------------------------------
expect_eq "GET /" "<h1>home</h1>" "$("${C[@]}" "$base/")"
expect_eq "type of /" "text/html; charset=utf-8" "$(header Content-Type "$base/")"
expect_eq "type of css" "text/css; charset=utf-8" "$(header Content-Type "$base/style.css")"
expect_eq "type of js" "text/javascript; charset=utf-8" "$(header Content-Type "$base/app.js")"
expect_eq "cache-control" "public, max-age=60" "$(header Cache-Control "$base/style.css")"
expect_eq "accept-ranges" "bytes" "$(header Accept-Ranges "$base/style.css")"
expect_eq "symlink inside the root is served" "body { color: red }" \
	"$("${C[@]}" "$base/inside-link.css")"

# directories
expect_eq "/sub/ serves index.html" "sub home" "$("${C[@]}" "$base/sub/")"
expect_eq "/sub redirects" 301 "$(code "$base/sub")"
expect_eq "redirect location" "/sub/" "$(header Location "$base/sub")"
expect_eq "redirect keeps the query" "/sub/?a=1&b=2" "$(header Location "$base/sub?a=1&b=2")"
expect_eq "redirect of //x is not protocol-relative" "/sub/" \
	"$(header Location --path-as-is "$base//sub")"
expect_eq "directory without index" 404 "$(code "$base/nodir/")"

# not found, methods, HEAD
expect_eq "404" 404 "$(code "$base/missing.html")"
expect_eq "404 page" "not found page" "$("${C[@]}" "$base/missing.html")"
expect_eq "POST is 405" 405 "$(code -X POST -d x "$base/")"
expect_eq "405 Allow" "GET, HEAD" "$(header Allow -X DELETE "$base/")"
head_out=$("${C[@]}" -I "$base/digits.txt" | tr -d '\r')
expect_contains "HEAD status" "HTTP/1.1 200 OK" "$head_out"
expect_contains "HEAD length" "Content-Length: 20" "$head_out"
expect_eq "HEAD has no body" "0" "$("${C[@]}" -I -o /dev/null -w '%{size_download}' "$base/digits.txt")"

# ---- conditional requests ----------------------------------------------------
etag=$(header ETag "$base/style.css")
lastmod=$(header Last-Modified "$base/style.css")
case "$etag" in \"*\") ;; *) fail "ETag is not a quoted strong tag: $etag" ;; esac
expect_eq "If-None-Match" 304 "$(code -H "If-None-Match: $etag" "$base/style.css")"
expect_eq "If-None-Match list" 304 "$(code -H "If-None-Match: \"x\", W/$etag" "$base/style.css")"
expect_eq "If-None-Match *" 304 "$(code -H "If-None-Match: *" "$base/style.css")"
expect_eq "304 has the ETag" "$etag" "$(header ETag -H "If-None-Match: $etag" "$base/style.css")"
expect_eq "If-Modified-Since" 304 "$(code -H "If-Modified-Since: $lastmod" "$base/style.css")"
expect_eq "If-Modified-Since, older" 200 \
	"$(code -H "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT" "$base/style.css")"
expect_eq "If-None-Match wins over If-Modified-Since" 200 \
	"$(code -H "If-None-Match: \"other\"" -H "If-Modified-Since: $lastmod" "$base/style.css")"

# ---- ranges ------------------------------------------------------------------
expect_eq "206" 206 "$(code -r 2-5 "$base/digits.txt")"
expect_eq "206 body" "2345" "$("${C[@]}" -r 2-5 "$base/digits.txt")"
expect_eq "Content-Range" "bytes 2-5/20" "$(header Content-Range -r 2-5 "$base/digits.txt")"
expect_eq "suffix range" "hij" "$("${C[@]}" -r -3 "$base/digits.txt")"
expect_eq "open range" "ghij" "$("${C[@]}" -r 16- "$base/digits.txt")"
expect_eq "416" 416 "$(code -r 100-200 "$base/digits.txt")"
expect_eq "416 Content-Range" "bytes */20" "$(header Content-Range -r 100- "$base/digits.txt")"
expect_eq "multiple ranges: whole file" 200 "$(code -r 0-1,4-5 "$base/digits.txt")"
detag=$(header ETag "$base/digits.txt")
dlast=$(header Last-Modified "$base/digits.txt")
expect_eq "If-Range with the ETag" 206 "$(code -r 0-1 -H "If-Range: $detag" "$base/digits.txt")"
expect_eq "If-Range with the date" 206 "$(code -r 0-1 -H "If-Range: $dlast" "$base/digits.txt")"
expect_eq "If-Range stale" 200 "$(code -r 0-1 -H "If-Range: \"stale\"" "$base/digits.txt")"

# ---- precompressed siblings ----------------------------------------------------
expect_eq "br chosen" "BROTLI-BYTES" "$("${C[@]}" -H 'Accept-Encoding: gzip, br' "$base/page.txt")"
expect_eq "br encoding" "br" "$(header Content-Encoding -H 'Accept-Encoding: gzip, br' "$base/page.txt")"
expect_eq "gzip by q" "GZIP-BYTES" \
	"$("${C[@]}" -H 'Accept-Encoding: br;q=0.5, gzip' "$base/page.txt")"
expect_eq "gzip encoding" "gzip" "$(header Content-Encoding -H 'Accept-Encoding: gzip' "$base/page.txt")"
expect_eq "q=0 refuses" "plain text, compressible" \
	"$("${C[@]}" -H 'Accept-Encoding: br;q=0, gzip;q=0' "$base/page.txt")"
expect_eq "identity without Accept-Encoding" "plain text, compressible" "$("${C[@]}" "$base/page.txt")"
expect_eq "type of the original" "text/plain; charset=utf-8" \
	"$(header Content-Type -H 'Accept-Encoding: br' "$base/page.txt")"
expect_eq "Vary on the variant" "Accept-Encoding" \
	"$(header Vary -H 'Accept-Encoding: br' "$base/page.txt")"
expect_eq "Vary on identity too" "Accept-Encoding" "$(header Vary "$base/page.txt")"
expect_eq "no Vary without siblings" "" "$(header Vary "$base/style.css")"
expect_eq "only gzip exists" "gzip" "$(header Content-Encoding -H 'Accept-Encoding: br, gzip' "$base/g.css")"

# ---- safety --------------------------------------------------------------------
for path in '/../etc/passwd' '/%2e%2e/etc/passwd' '/..%2fetc%2fpasswd' '/%2e%2e%2f%2e%2e%2fetc/passwd' \
	'/sub/../../etc/passwd' '/index.html%00.txt' '/a%5c..%5c..%5cetc%5cpasswd'; do
	out=$("${C[@]}" --path-as-is -w ' %{http_code}' "$base$path")
	case "$out" in *" 400") ;; *) fail "$path: expected 400, got [$out]" ;; esac
	case "$out" in *root:*) fail "$path leaked /etc/passwd" ;; esac
done
for path in /passwd-link /outdir/secret.txt /rel-link /.env /.git/config /%2egit/config /sub/.env; do
	out=$("${C[@]}" --path-as-is -w ' %{http_code}' "$base$path")
	case "$out" in *" 404") ;; *) fail "$path: expected 404, got [$out]" ;; esac
	case "$out" in *root:* | *secret* | *SECRET* | *core*) fail "$path leaked [$out]" ;; esac
done
raw() { # send raw bytes, print the response
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	printf "$1" >&3
	timeout 5 cat <&3 || true
	exec 3<&-
}
expect_contains "no Host in 1.1" "HTTP/1.1 400" "$(raw 'GET / HTTP/1.1\r\n\r\n')"
expect_contains "CL+TE" "HTTP/1.1 400" \
	"$(raw 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')"
expect_contains "bare LF" "HTTP/1.1 400" "$(raw 'GET / HTTP/1.1\nHost: a\n\n')"
expect_contains "HTTP/2.0" "HTTP/1.1 505" "$(raw 'GET / HTTP/2.0\r\nHost: a\r\n\r\n')"
long=$(printf 'a%.0s' $(seq 1 9000))
expect_contains "long URI" "HTTP/1.1 414" "$(raw "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n")"
expect_contains "big head" "HTTP/1.1 431" \
	"$(raw "GET / HTTP/1.1\r\nHost: a\r\nA: $long\r\nB: $long\r\n\r\n")"
expect_contains "HTTP/1.0 closes" "Connection: close" "$(raw 'GET /digits.txt HTTP/1.0\r\n\r\n')"

# ---- connections ---------------------------------------------------------------
reuse=$("${C[@]}" -v -o /dev/null -o /dev/null "$base/style.css" "$base/digits.txt" 2>&1)
expect_contains "keep-alive reuse" "Re-using existing connection" "$reuse"

pipelined=$(raw 'GET /digits.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: a\r\n\r\nHEAD /style.css HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
expect_eq "three pipelined responses" 3 "$(printf '%s' "$pipelined" | grep -o 'HTTP/1.1 200' | wc -l)"
first=${pipelined%%sub home*}
expect_contains "responses in order" "0123456789abcdefghij" "$first"
expect_contains "last one closes" "Connection: close" "$pipelined"

# slowloris: a head trickling in is cut off by --header-timeout 1
exec 4<>"/dev/tcp/127.0.0.1/$port"
start=$SECONDS
(printf 'GET / HTTP/1.1\r\nHost: a\r\n' >&4) 2>/dev/null
for _ in $(seq 1 12); do
	(printf 'X-Slow: 1\r\n' >&4) 2>/dev/null || break
	sleep 0.25
done
set +e
slow=$(timeout 5 cat <&4)
rc=$?
set -e
exec 4<&-
expect_eq "slow connection closed (EOF, not our timeout)" 0 "$rc"
case "$slow" in *"200 OK"*) fail "the slow request was answered" ;; esac
[ $((SECONDS - start)) -lt 8 ] || fail "slowloris connection lived too long"
expect_eq "server still serves" 200 "$(code "$base/")"

# ---- graceful stop ---------------------------------------------------------------
"${C[@]}" --max-time 30 --limit-rate 8M -o "$T/big.out" "$base/big.bin" &
dl=$!
wait_nonempty "$T/big.out" # in flight: its first bytes arrived (32 MB take 4 s)
kill -TERM "$server"
set +e
wait "$server"
src=$?
wait "$dl"
drc=$?
set -e
expect_eq "www exits 0 on SIGTERM" 0 "$src"
expect_eq "in-flight download finished" 0 "$drc"
expect_eq "download complete" 33554432 "$(stat -c %s "$T/big.out")"
expect_contains "stop logged" "www stopped" "$(cat "$T/www.log")"

# ---- the same containment without openat2 (kernels before 5.6) -------------------
GF_WWW_NO_OPENAT2=1 "$GITFLEET" www --root "$site" --listen 127.0.0.1:0 2>"$T/www3.log" &
GF_PIDS+=("$!")
p3=$(listening_port "$T/www3.log")
expect_eq "fallback: inside symlink" "body { color: red }" \
	"$("${C[@]}" "http://127.0.0.1:$p3/inside-link.css")"
expect_eq "fallback: sub index" "sub home" "$("${C[@]}" "http://127.0.0.1:$p3/sub/")"
for path in /passwd-link /outdir/secret.txt /rel-link; do
	out=$("${C[@]}" -w ' %{http_code}' "http://127.0.0.1:$p3$path")
	case "$out" in *" 404") ;; *) fail "fallback $path: expected 404, got [$out]" ;; esac
done

# a port held by another server is an error, SO_REUSEPORT notwithstanding
set +e
err=$("$GITFLEET" www --root "$site" --listen "127.0.0.1:$p3" 2>&1)
rc=$?
set -e
expect_eq "port in use exits 1" 1 "$rc"
expect_contains "port in use says so" "cannot listen on 127.0.0.1:$p3: Address already in use" "$err"
set +e
err=$("$GITFLEET" www --root "$site" --listen nowhere 2>&1)
rc=$?
set -e
expect_eq "bad listen address exits 1" 1 "$rc"
expect_contains "bad listen address says so" 'listen address "nowhere" is not ADDR:PORT' "$err"

# ---- the listen address ------------------------------------------------------------
set +e
err=$(env -u PORT "$GITFLEET" www --root "$site" 2>&1)
rc=$?
set -e
expect_eq "no address exits 1" 1 "$rc"
expect_contains "no address says what to do" "-listen ADDR:PORT or set \$PORT" "$err"
PORT=0 "$GITFLEET" www --root "$site" --access-log 2>"$T/www2.log" &
GF_PIDS+=("$!")
p2=$(listening_port "$T/www2.log")
expect_contains "\$PORT means 127.0.0.1" "listen=127.0.0.1:0" "$(cat "$T/www2.log")"
expect_eq "listens on \$PORT" "sub home" "$("${C[@]}" "http://127.0.0.1:$p2/sub/")"
expect_contains "access log" 'msg=request method=GET target=/sub/ status=200' "$(cat "$T/www2.log")"
expect_eq "no access log by default" "" "$(grep 'msg=request' "$T/www.log" || true)"
echo "www: ok"

#!/usr/bin/env python3
"""A test backend for the load balancer's end-to-end tests.

    lb_backend.py PORT NAME [--health-file FILE] [--slow-mark FILE] [--reset]
                  [--truncate]

HTTP/1.1 with keep-alive on 127.0.0.1:PORT. Routes:
  /health      200, or the status written in FILE (e.g. 500) if it exists
  /whoami      NAME
  /headers     the request head as received, one "name: value" per line
  /echo        the request body (Content-Length or chunked), same framing back
  /chunked     a chunked response of 5 chunks
  /slow?s=N    waits N seconds, then NAME; with --slow-mark, first appends
               NAME to FILE, so that a test knows the request is in flight
  /close       a body delimited by the connection close
  /ws          WebSocket handshake, then echoes text frames
  /big?n=N     N bytes of "x" (default 100000)
--reset: accept connections and reset them at once (a broken backend).
--truncate: every response but /health stops after its head and half of
            its body, and the connection closes (a backend that dies in
            the middle of its answers).
"""
import base64
import hashlib
import http.server
import os
import socket
import socketserver
import struct
import sys
import time
import urllib.parse

PORT = int(sys.argv[1])
NAME = sys.argv[2]
HEALTH_FILE = None
TRUNCATE = "--truncate" in sys.argv
if "--health-file" in sys.argv:
    HEALTH_FILE = sys.argv[sys.argv.index("--health-file") + 1]
SLOW_MARK = None
if "--slow-mark" in sys.argv:
    SLOW_MARK = sys.argv[sys.argv.index("--slow-mark") + 1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Backend", NAME)
        for k, v in headers:
            self.send_header(k, v)
        # Head and body in one write, as a server with writev does: a
        # SIGKILL in the fault test then lands before a response or between
        # two, which the lb must absorb (retry, pool eviction), never inside
        # one, which no proxy can repair once the client has its head.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            if TRUNCATE and self.path != "/health":
                body = body[:len(body) // 2]
                self.close_connection = True
            self._headers_buffer.append(body)
        self.flush_headers()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    def handle_one(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/health":
            code = 200
            if HEALTH_FILE and os.path.exists(HEALTH_FILE):
                with open(HEALTH_FILE) as f:
                    code = int(f.read().strip() or "200")
            self.reply(code, b"health %d\n" % code)
        elif url.path == "/headers":
            head = "".join("%s: %s\n" % (k.lower(), v) for k, v in self.headers.items())
            self.reply(200, head.encode())
        elif url.path == "/echo":
            body = self.read_body()
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i in range(0, len(body), 1000):
                    part = body[i:i + 1000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.reply(200, body)
        elif url.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(5):
                part = b"chunk %d\n" % i
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif url.path == "/slow":
            if SLOW_MARK:
                with open(SLOW_MARK, "a") as f:
                    f.write(NAME + "\n")
            time.sleep(float(q.get("s", ["1"])[0]))
            self.reply(200, ("slow %s\n" % NAME).encode())
        elif url.path == "/close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until close from %s\n" % NAME.encode())
            self.close_connection = True
        elif url.path == "/ws":
            self.websocket()
        elif url.path == "/big":
            self.reply(200, b"x" * int(q.get("n", ["100000"])[0]))
        else:
            self.reply(200, ("%s\n" % NAME).encode())

    def websocket(self):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        while True:
            hdr = self.rfile.read(2)
            if len(hdr) < 2:
                break
            opcode, n = hdr[0] & 0x0F, hdr[1] & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.rfile.read(2))[0]
            mask = self.rfile.read(4)
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(n)))
            if opcode == 8:
                self.wfile.write(b"\x88\x00")
                break
            reply = b"echo: " + data
            self.wfile.write(bytes([0x81, len(reply)]) + reply)
            self.wfile.flush()
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def reset_server():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()


if "--reset" in sys.argv:
    reset_server()
else:
    Server(("127.0.0.1", PORT), Handler).serve_forever()

# A minimal server of Terraform's http state backend protocol, written
# from its documentation, to check gitfleet's http backend against an
# implementation that is not gitfleet's own. Usage: tf_http_backend.py PORTFILE
# (binds 127.0.0.1:0 and writes the port there). Every request is logged to
# stderr as "METHOD PATH" so a test can check what was sent.
import http.server
import json
import os
import sys
import urllib.parse

STATE = {}
LOCKS = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, data=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if data:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def target(self):
        u = urllib.parse.urlparse(self.path)
        return u.path, urllib.parse.parse_qs(u.query).get("ID", [None])[0]

    def do_GET(self):
        path, _ = self.target()
        if path in STATE:
            self.answer(200, STATE[path])
        else:
            self.answer(404)

    def do_POST(self):
        path, lock_id = self.target()
        data = self.body()
        held = LOCKS.get(path)
        if held and held["ID"] != lock_id:
            self.answer(409, json.dumps(held).encode())
            return
        json.loads(data)
        STATE[path] = data
        self.answer(200)

    def do_DELETE(self):
        path, _ = self.target()
        STATE.pop(path, None)
        self.answer(200)

    def do_LOCK(self):
        path, _ = self.target()
        info = json.loads(self.body())
        held = LOCKS.get(path)
        if held:
            self.answer(423, json.dumps(held).encode())
            return
        LOCKS[path] = info
        self.answer(200)

    def do_UNLOCK(self):
        path, _ = self.target()
        data = self.body()
        info = json.loads(data) if data else {}
        held = LOCKS.get(path)
        if held and info.get("ID") and info["ID"] != held["ID"]:
            self.answer(409, json.dumps(held).encode())
            return
        LOCKS.pop(path, None)
        self.answer(200)


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()

# A notify_url receiver for the pipeline's e2e tests: appends one line per
# POST, "<X-Gitfleet-Signature-256>\t<body>", to the file given, and
# answers 204. Usage: notify_receiver.py PORT FILE
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(sys.argv[2], "a") as f:
            f.write("%s\t%s\n" % (self.headers.get("X-Gitfleet-Signature-256", ""), body.decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()

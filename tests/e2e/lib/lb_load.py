#!/usr/bin/env python3
"""A bounded load client: THREADS keep-alive connections send GET PATH to
127.0.0.1:PORT for SECONDS, then print "ok=N failed=M" and a line per
failure kind. Exits 0 whatever happened: the test judges the counts.

    lb_load.py PORT SECONDS [THREADS] [PATH]
"""
import collections
import http.client
import sys
import threading
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 4
path = sys.argv[4] if len(sys.argv) > 4 else "/"
deadline = time.monotonic() + seconds
lock = threading.Lock()
ok = 0
failed = collections.Counter()


def run():
    global ok
    conn = None
    while time.monotonic() < deadline:
        try:
            if conn is None:
                # A slow answer is not a failed one: an ASan build on a
                # loaded machine can stall for seconds; 30 s without an
                # answer is a failure.
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            with lock:
                if r.status == 200:
                    ok += 1
                else:
                    failed["status %d" % r.status] += 1
            if r.will_close:
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - every failure is counted
            with lock:
                failed[type(e).__name__] += 1
            if conn:
                conn.close()
            conn = None


ts = [threading.Thread(target=run) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("ok=%d failed=%d" % (ok, sum(failed.values())))
for kind, n in failed.items():
    print("  %s: %d" % (kind, n))

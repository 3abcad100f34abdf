#!/usr/bin/env python3
"""Background load that also watches what is served: THREADS keep-alive
connections send GET PATH to 127.0.0.1:PORT at RATE requests/s in all,
until the file STOP exists. Every response body is searched for the
marker "push-to-live N"; for each N the client keeps when a request that
got it was first and last sent (wall clock, seconds). At the end it writes
one JSON object to OUT:

    {"ok": n, "failed": n, "failures": {"kind": n}, "seconds": s,
     "markers": {"N": [first_sent, last_sent, count]}}

The last time an old marker was sent is when the old release stopped
being served: bench/push-to-live.sh reads the push-to-live time from it.

    live_load.py PORT RATE THREADS PATH STOP OUT
"""
import collections
import http.client
import json
import os
import re
import sys
import threading
import time

port, rate, threads = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
path, stop, out = sys.argv[4], sys.argv[5], sys.argv[6]
marker = re.compile(rb"push-to-live (\d+)")
lock = threading.Lock()
ok = 0
failures = collections.Counter()
markers = {}
done = threading.Event()


def record(sent, body):
    m = marker.search(body)
    key = m.group(1).decode() if m else "none"
    with lock:
        e = markers.get(key)
        if e is None:
            markers[key] = [sent, sent, 1]
        else:
            e[0] = min(e[0], sent)
            e[1] = max(e[1], sent)
            e[2] += 1


def run(i):
    global ok
    conn = None
    period = threads / rate
    nxt = time.monotonic() + period * i / threads
    while not done.is_set():
        now = time.monotonic()
        if nxt > now:
            time.sleep(nxt - now)
        nxt = max(nxt + period, time.monotonic() - 1.0)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            sent = time.time()
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            if r.status == 200:
                record(sent, body)
                with lock:
                    ok += 1
            else:
                with lock:
                    failures["status %d" % r.status] += 1
            if r.will_close:
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - every failure is counted
            with lock:
                failures[type(e).__name__] += 1
            if conn:
                conn.close()
            conn = None


start = time.time()
ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
while not os.path.exists(stop):
    time.sleep(0.05)
done.set()
for t in ts:
    t.join()
with open(out, "w") as f:
    json.dump({"ok": ok, "failed": sum(failures.values()), "failures": dict(failures),
               "seconds": time.time() - start, "markers": markers}, f)

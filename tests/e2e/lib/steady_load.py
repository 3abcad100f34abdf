#!/usr/bin/env python3
"""A steady background load: GET / at RATE requests per second to
127.0.0.1:PORT over THREADS keep-alive connections, until SIGTERM or
MAX_SECONDS, then one summary line and a line per failure kind:

    ok=N failed=M seconds=S rate=R
      14:03:07.120 status 502: 3

Requests are paced from one schedule (request i is due at start + i/RATE);
a thread that fell behind sends at once, so a short stall is made up and
the rate is a floor over the run, not only a ceiling. Every answer but a
200, and every connection error or timeout, is a failure. Exits 0 whatever
happened: the test judges the counts.

    steady_load.py PORT RATE MAX_SECONDS [THREADS]
"""
import collections
import http.client
import signal
import sys
import threading
import time

port, rate, max_seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 8
stop = threading.Event()
lock = threading.Lock()
ok = 0
failed = collections.Counter()
next_ticket = 0


def on_term(signum, frame):
    stop.set()


def take_ticket():
    global next_ticket
    with lock:
        t = next_ticket
        next_ticket += 1
    return t


def fail(kind):
    # Failures are grouped by second, so the test's log says when.
    stamp = time.strftime("%H:%M:%S", time.localtime())
    with lock:
        failed["%s %s" % (stamp, kind)] += 1


def run(start):
    global ok
    conn = None
    while not stop.is_set():
        due = start + take_ticket() / rate
        delay = due - time.monotonic()
        if delay > 0 and stop.wait(delay):
            break
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/")
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                with lock:
                    ok += 1
            else:
                fail("status %d" % r.status)
            if r.will_close:
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - every failure is counted
            fail(type(e).__name__)
            if conn:
                conn.close()
            conn = None


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
start = time.monotonic()
ts = [threading.Thread(target=run, args=(start,)) for _ in range(threads)]
for t in ts:
    t.start()
stop.wait(max_seconds)
stop.set()
for t in ts:
    t.join()
seconds = time.monotonic() - start
nfailed = sum(failed.values())
print("ok=%d failed=%d seconds=%.1f rate=%.0f" % (ok, nfailed, seconds, (ok + nfailed) / seconds))
for kind, n in sorted(failed.items()):
    print("  %s: %d" % (kind, n))
sys.stdout.flush()

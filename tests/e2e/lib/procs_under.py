#!/usr/bin/env python3
"""Prints "PID COMMAND" for every process whose command line or working
directory names the directory in $PROCS_UNDER (the daemon of a test home,
its instances, its builds), except this one and the pids in $PROCS_EXCEPT.
The directory comes through the environment so that this scan's own
command line does not name it.

    PROCS_UNDER=DIR [PROCS_EXCEPT="PID..."] procs_under.py
"""
import os

under = os.environ["PROCS_UNDER"]
skip = {os.getpid()} | {int(p) for p in os.environ.get("PROCS_EXCEPT", "").split()}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ").decode()
        cwd = os.readlink("/proc/%s/cwd" % pid)
    except OSError:
        continue  # gone meanwhile, or not ours to read
    if int(pid) not in skip and (under in cmd or cwd == under or cwd.startswith(under + "/")):
        print(pid, cmd.strip())

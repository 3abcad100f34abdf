#!/usr/bin/env python3
"""The release hash of docs/releases.md, written independently of the C
implementation (src/cloud/release_hash.c) so that each checks the other.

    release_hash.py DIR   prints the 64 hex digits
"""
import hashlib, os, stat, sys
def release_hash(root):
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            paths.append(os.path.relpath(full, root).encode())
    h = hashlib.sha256(b"gitfleet-release-v1\n")
    for rel in sorted(paths):
        full = os.path.join(root.encode(), rel)
        st = os.lstat(full)
        if stat.S_ISDIR(st.st_mode):
            h.update(b"040000 " + rel + b"\0" + b"0\0")
        elif stat.S_ISLNK(st.st_mode):
            t = os.readlink(full)
            h.update(b"120000 " + rel + b"\0" + str(len(t)).encode() + b"\0" + t)
        elif stat.S_ISREG(st.st_mode):
            mode = b"100755" if st.st_mode & 0o111 else b"100644"
            data = open(full, "rb").read()
            h.update(mode + b" " + rel + b"\0" + str(len(data)).encode() + b"\0" + data)
        else:
            raise SystemExit("%s: not a file, directory or symlink" % full.decode())
    return h.hexdigest()
print(release_hash(sys.argv[1]))

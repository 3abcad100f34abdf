#!/usr/bin/env python3
"""A tiny WebSocket client: handshake through 127.0.0.1:PORT/ws, one text
frame, its echo, a close. Prints the echoed text; exits 1 on any error.

    lb_ws.py PORT TEXT
"""
import base64
import hashlib
import os
import socket
import sys

port, text = int(sys.argv[1]), sys.argv[2].encode()
key = base64.b64encode(os.urandom(16)).decode()
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.sendall(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n" % (port, key)).encode())
head = b""
while b"\r\n\r\n" not in head:
    chunk = s.recv(1)
    if not chunk:
        sys.exit("connection closed during the handshake: %r" % head)
    head += chunk
lines = head.decode().split("\r\n")
if not lines[0].startswith("HTTP/1.1 101"):
    sys.exit("no 101: %r" % lines[0])
want = base64.b64encode(hashlib.sha1(
    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
if "sec-websocket-accept: " + want.lower() not in head.decode().lower():
    sys.exit("bad Sec-WebSocket-Accept in %r" % head)


def send(opcode, payload):
    mask = os.urandom(4)
    s.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask +
              bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def recv_exact(n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            sys.exit("connection closed mid-frame")
        data += chunk
    return data


for _ in range(2):
    send(1, text)
    hdr = recv_exact(2)
    print(recv_exact(hdr[1] & 0x7F).decode())
send(8, b"")
if recv_exact(2)[0] != 0x88:
    sys.exit("no close frame")

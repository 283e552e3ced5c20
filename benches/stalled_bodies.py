#!/usr/bin/env python3
"""Clients that send half a request body and then nothing, against a server on 127.0.0.1.

Opens STALLED connections (default 1,100) that each promise 1,000 bytes of body and send 9,
then times a normal request while they stall, and how long until every stalled connection
was answered (408) and closed. Prints one line per figure; exits 1 if the normal request
failed or a stalled connection got no 408 within twice the body timeout plus 5 s.

    benches/stalled_bodies.py PORT [STALLED] [BODY_TIMEOUT_MS]
"""
import socket
import sys
import time
import urllib.request

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1100
timeout_ms = int(sys.argv[3]) if len(sys.argv) > 3 else 30000
request = (
    b"PUT /__admin/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n{\"now\": \""
)
stalled = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    stalled.append(s)
print(f"stalled connections open: {len(stalled)}")

started = time.monotonic()
with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
    status = r.status
print(f"normal request while they stall: {status} in {(time.monotonic() - started) * 1000:.1f} ms")

deadline = started + 2 * timeout_ms / 1000 + 5
answered = 0
for s in stalled:
    s.settimeout(max(0.1, deadline - time.monotonic()))
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    if data.startswith(b"HTTP/1.1 408"):
        answered += 1
    s.close()
print(f"stalled connections answered 408 and closed: {answered}/{count} "
      f"after {(time.monotonic() - started) * 1000:.0f} ms")
sys.exit(0 if status == 200 and answered == count else 1)

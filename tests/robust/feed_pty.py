#!/usr/bin/env python3
"""A fake serial device for the fault matrix: opens a pty, links LINK to it
and, for SECONDS, either says nothing (silent) or sends random bytes at
BYTES_PER_S (what a UART at the wrong baud rate delivers: framing errors
turn every frame into noise).  A pty has no baud rate, so the mismatch is
represented by its effect on the bytes."""
import os, pty, random, sys, time

mode, link, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
rate = int(sys.argv[4]) if len(sys.argv) > 4 else 11520
master, slave = pty.openpty()
name = os.ttyname(slave)
os.symlink(name, link)
print(name, flush=True)
rng = random.Random(7)
end = time.monotonic() + seconds
sent = 0
try:
    while time.monotonic() < end:
        if mode == "noise":
            chunk = bytes(rng.getrandbits(8) for _ in range(rate // 20))
            try:
                os.write(master, chunk)
                sent += len(chunk)
            except OSError:
                pass
        time.sleep(0.05)
finally:
    os.unlink(link)
print(sent, flush=True)

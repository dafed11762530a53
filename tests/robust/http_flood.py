#!/usr/bin/env python3
"""HTTP abuse for the fault matrix, loopback only.
  clients HOST PORT N: N connections open at once, each then sends
      GET /api/status; prints how many got 200, 503 and nothing.
  malformed HOST PORT: a list of broken requests, one connection each;
      prints one line per request with the status line (or how the
      connection ended)."""
import socket, sys, threading

def status_of(sock):
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        return "error " + type(e).__name__
    return data.split(b"\r\n", 1)[0].decode("latin-1") if data else "closed"

def clients(host, port, n):
    # The daemon answers 421 to a Host that is not its own address.
    req = f"GET /api/status HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    socks, results = [], []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=60)
        socks.append(s)
    lock = threading.Lock()
    def one(s):
        try:
            s.sendall(req)
            st = status_of(s)
        except OSError as e:
            st = "error " + type(e).__name__
        with lock:
            results.append(st)
        s.close()
    threads = [threading.Thread(target=one, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(r.startswith("HTTP/1.1 200") for r in results)
    busy = sum(r.startswith("HTTP/1.1 503") for r in results)
    print(f"{n} connections open at once: {ok} answered 200, {busy} answered 503, {n - ok - busy} other")
    return 0 if ok + busy == n else 1

MALFORMED = [
    ("garbage bytes", bytes(range(256)) * 4),
    ("no version", b"GET /api/status\r\n\r\n"),
    ("unknown version", b"GET /api/status HTTP/9.9\r\nHost: x\r\n\r\n"),
    ("NUL in target", b"GET /api/\x00status HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("no Host", b"GET /api/status HTTP/1.1\r\n\r\n"),
    ("64 KB header", b"GET /api/status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"),
    ("8 KB target", b"GET /" + b"a" * 8192 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("negative length", b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
    ("bad chunking", b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    ("truncated JSON", b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 9\r\n\r\n{\"subject"),
    ("traversal", b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("half request", b"GET /api/sta"),
]

def malformed(host, port):
    for name, req in MALFORMED:
        s = socket.create_connection((host, port), timeout=10)
        try:
            s.sendall(req)
            if name == "half request":
                s.shutdown(socket.SHUT_WR)
            st = status_of(s)
        except OSError as e:
            st = "error " + type(e).__name__
        s.close()
        print(f"{name}: {st}")
    return 0

if __name__ == "__main__":
    host, port = sys.argv[2], int(sys.argv[3])
    sys.exit(clients(host, port, int(sys.argv[4])) if sys.argv[1] == "clients" else malformed(host, port))

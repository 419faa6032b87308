#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""fcgi_hostile.py — what one hostile or broken FastCGI client can send a
worker, for tests/integration/t_gate.sh. Connects to a unix socket path
(or HOST:PORT) and prints one result line per connection; never more than
the given count of connections, every wait bounded.

  fcgi_hostile.py SOCK huge N          PARAMS lengths 0x7ffffffe each (N conns)
  fcgi_hostile.py SOCK announce N SECS a 256 MiB name announced, held SECS
  fcgi_hostile.py SOCK malformed       one connection per malformed record set
  fcgi_hostile.py SOCK slow N SECS     N partial requests held up to SECS
                                       (prints "ready" once all are sent)
  fcgi_hostile.py SOCK valid           one complete request; prints its status
  fcgi_hostile.py SOCK big             a body announced over max_body and the
                                       peek window, then a hostile record;
                                       prints the status
  fcgi_hostile.py SOCK bigcheck        the same with a body that fits the
                                       window (so it is checked)
  fcgi_hostile.py SOCK authorizer      a FastCGI authorizer's request (role 2,
                                       no STDIN, as Apache sends it), then a
                                       hostile record; prints the status
  fcgi_hostile.py SOCK unread N SECS   up to N verifies (bearer: $LF_TOKEN),
                                       one after another on a kept
                                       connection, no answer ever read;
                                       prints "sent K" once one goes
                                       unanswered, then waits up to SECS for
                                       the worker to hang up

Result lines: "closed AFTER_S" (the worker closed the connection),
"open" (still open at the end), "answered STATUS", "refused ERRNO".
"""
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time

BEGIN, ABORT, END, PARAMS, STDIN, GET_VALUES, UNKNOWN = 1, 2, 3, 4, 5, 9, 11


def rec(rtype, content=b"", rid=1, version=1, padding=0):
    return struct.pack(">BBHHBB", version, rtype, rid, len(content), padding, 0) + content + b"\0" * padding


def nv(name, value):
    def ln(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def begin(rid=1, role=1, flags=0):
    return rec(BEGIN, struct.pack(">HB5x", role, flags), rid)


def params(path="/api/v1/auth/logout", extra=()):
    p = nv(b"REQUEST_METHOD", b"POST") + nv(b"DOCUMENT_URI", path.encode()) + \
        nv(b"REQUEST_URI", path.encode()) + nv(b"REMOTE_ADDR", b"127.0.0.1") + \
        nv(b"CONTENT_LENGTH", b"0")
    for k, v in extra:
        p += nv(k, v)
    return p


def valid_request():
    return begin() + rec(PARAMS, params()) + rec(PARAMS) + rec(STDIN)


def connect(addr):
    if addr.startswith("/") or addr.startswith("."):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=5)
    return s


def wait_closed(s, secs):
    """Seconds until the peer closed (EOF or reset), or None if still open."""
    start = time.monotonic()
    s.settimeout(0.05)
    while time.monotonic() - start < secs:
        try:
            b = s.recv(65536)
            if not b:
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def report(closed):
    print("open" if closed is None else "closed %.2f" % closed, flush=True)


def send_then_wait(addr, data, secs):
    try:
        s = connect(addr)
    except OSError as e:
        print("refused %d" % e.errno, flush=True)
        return
    try:
        s.sendall(data)
    except OSError:
        report(0.0)
        return
    report(wait_closed(s, secs))
    s.close()


def huge(addr, n):
    # F1: name and value lengths of 0x7ffffffe; libfcgi would allocate 4 GiB
    # and abort.
    body = struct.pack(">II", 0xfffffffe, 0xfffffffe) + b"A" * 64
    for _ in range(n):
        send_then_wait(addr, begin() + rec(PARAMS, body), 5)


def announce(addr, n, secs):
    # F3: a 256 MiB name announced; the bytes trickle (never arrive).
    conns = []
    for _ in range(n):
        try:
            s = connect(addr)
            s.sendall(begin() + rec(PARAMS, struct.pack(">II", 0x90000000, 0x80000001) + b"x" * 1000))
            conns.append((s, time.monotonic()))
        except OSError as e:
            print("refused %d" % e.errno, flush=True)
    deadline = time.monotonic() + secs
    for s, t0 in conns:
        left = max(0.0, deadline - time.monotonic())
        c = wait_closed(s, left)
        report(None if c is None else time.monotonic() - t0)
        s.close()


MALFORMED = [
    ("version 2", rec(BEGIN, struct.pack(">HB5x", 1, 0), version=2)),
    ("first record PARAMS", rec(PARAMS, params())),
    ("first record GET_VALUES", rec(GET_VALUES, nv(b"FCGI_MAX_CONNS", b""), rid=0)),
    ("BEGIN with request id 0", begin(rid=0)),
    ("BEGIN of 7 bytes", rec(BEGIN, b"\0\1\0\0\0\0\0")),
    ("BEGIN, role FILTER", begin(role=3)),
    ("BEGIN, role 0", begin(role=0)),
    ("PARAMS of another request id", begin() + rec(PARAMS, params(), rid=2)),
    ("unknown record type", begin() + rec(UNKNOWN, b"12345678")),
    ("ABORT during PARAMS", begin() + rec(PARAMS, params()) + rec(ABORT)),
    ("STDIN before the PARAMS end", begin() + rec(PARAMS, params()) + rec(STDIN, b"x")),
    ("a pair past the stream end", begin() + rec(PARAMS, b"\x01\x05AB") + rec(PARAMS)),
    ("a value length past the stream", begin() + rec(PARAMS, b"\x01\x7fA") + rec(PARAMS)),
    ("4-byte length past max_params", begin() + rec(PARAMS, b"\x01\x80\x01\x00\x01A") + rec(PARAMS)),
    ("params over max_params", begin() + b"".join(rec(PARAMS, nv(b"H%d" % i, b"v" * 60000)) for i in range(20))),
    ("a second BEGIN", begin() + begin()),
    ("management record mid-request", begin() + rec(GET_VALUES, b"", rid=0)),
    # libfcgi parses a GET_VALUES record met while reading STDIN with
    # ReadParams (lengths from the wire, asserting malloc): such records
    # must never get past the scanner, inside or after a body.
    ("GET_VALUES with 2^31 lengths after a 4097-byte body (kept, no CONTENT_LENGTH)",
     begin(flags=1) + rec(PARAMS, params(extra=[(b"REQUEST_METHOD", b"GET")]).replace(
         nv(b"CONTENT_LENGTH", b"0"), b"")) + rec(PARAMS) + rec(STDIN, b"x" * 4097) +
     rec(GET_VALUES, struct.pack(">II", 0xfffffffe, 0xfffffffe), rid=0) + rec(STDIN)),
    ("GET_VALUES after a byte more than CONTENT_LENGTH 0",
     begin(flags=1) + rec(PARAMS, params()) + rec(PARAMS) + rec(STDIN, b"x") +
     rec(GET_VALUES, struct.pack(">II", 0xfffffffe, 0xfffffffe), rid=0) + rec(STDIN)),
]


def malformed(addr):
    for name, data in MALFORMED:
        print(name + ": ", end="", flush=True)
        send_then_wait(addr, data, 5)


def slow(addr, n, secs):
    # F2: partial requests of every kind, one byte now and then.
    kinds = [
        b"\x01",
        begin(),
        begin() + rec(PARAMS, params())[:20],
        begin() + rec(PARAMS, params()) + rec(PARAMS),  # no STDIN end
        begin() + rec(PARAMS, params(extra=[(b"CONTENT_LENGTH", b"100")])) + rec(PARAMS) + rec(STDIN, b"{")[:12],
    ]
    conns = []
    for i in range(n):
        try:
            s = connect(addr)
            s.sendall(kinds[i % len(kinds)])
            conns.append([s, time.monotonic(), None])
        except OSError as e:
            print("refused %d" % e.errno, flush=True)
    print("ready", flush=True)
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline and any(c[2] is None for c in conns):
        for c in conns:
            if c[2] is not None:
                continue
            c[0].settimeout(0)
            try:
                b = c[0].recv(4096)
                if not b:
                    c[2] = time.monotonic() - c[1]
            except BlockingIOError:
                pass
            except OSError:
                c[2] = time.monotonic() - c[1]
        time.sleep(0.05)
    for c in conns:
        report(c[2])
        c[0].close()


def valid(addr, data=None):
    s = connect(addr)
    s.sendall(valid_request() if data is None else data)
    s.settimeout(5)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        pass  # a reset: closed with our bytes unread
    status = "none"
    i = 0
    while i + 8 <= len(out):
        _, t, _, clen, pad, _ = struct.unpack(">BBHHBB", out[i:i + 8])
        if t == 6:
            for line in out[i + 8:i + 8 + clen].split(b"\r\n"):
                if line.startswith(b"Status: "):
                    status = line[8:11].decode()
        i += 8 + clen + pad
    print("answered " + status, flush=True)


def over_max_body(addr, length):
    # A body announced over max_body, followed by what libfcgi must never
    # parse (the GET_VALUES lengths would make it allocate 4 GiB).
    p = params(extra=[(b"CONTENT_TYPE", b"application/json")]).replace(
        nv(b"CONTENT_LENGTH", b"0"), nv(b"CONTENT_LENGTH", str(length).encode()))
    valid(addr, begin(flags=1) + rec(PARAMS, p) + rec(PARAMS) + rec(STDIN, b"{" * 100) +
          rec(GET_VALUES, struct.pack(">II", 0xfffffffe, 0xfffffffe), rid=0))


def big(addr):
    # Too long for the acceptor's window: answered 413 without the body
    # being read.
    over_max_body(addr, 400000)


def bigcheck(addr):
    # Fits the window: checked like any body, so the stray record closes
    # the connection unanswered.
    over_max_body(addr, 5000)


def authorizer(addr):
    # Role 2 ends with its params: nothing after them may be waited for
    # (Apache never sends STDIN) nor parsed (the GET_VALUES lengths would
    # make libfcgi allocate 4 GiB).
    p = params(path="/app/orders/7").replace(nv(b"CONTENT_LENGTH", b"0"), b"")
    valid(addr, begin(role=2) + rec(PARAMS, p) + rec(PARAMS) +
          rec(GET_VALUES, struct.pack(">II", 0xfffffffe, 0xfffffffe), rid=0))


def unread(addr, n, secs):
    # One request at a time, as a web server sends them, but no answer is
    # ever read: they pile up in the socket until the worker's write has to
    # wait (send_timeout) and it hangs up. Each request goes once the answer
    # before it has arrived (FIONREAD grows, nothing is read); the one with
    # no answer within a second found the worker stuck. The peer's hang-up
    # is seen by poll alone. The token is not in argv.
    auth = b"Bearer " + os.environ["LF_TOKEN"].encode()
    req = begin(flags=1) + rec(PARAMS, params(path="/api/v1/auth/verify", extra=[
        (b"HTTP_AUTHORIZATION", auth)])) + rec(PARAMS) + rec(STDIN)
    s = connect(addr)
    s.settimeout(1)
    sent = have = 0
    try:
        while sent < n:
            s.sendall(req)
            sent += 1
            deadline = time.monotonic() + 1
            while unread_bytes(s) == have and time.monotonic() < deadline:
                time.sleep(0.001)
            if unread_bytes(s) == have:
                break
            have = unread_bytes(s)
    except OSError:
        pass
    print("sent %d" % sent, flush=True)
    p = select.poll()
    p.register(s, select.POLLRDHUP)
    start = time.monotonic()
    closed = None
    while closed is None and time.monotonic() - start < secs:
        if p.poll(50):
            closed = time.monotonic() - start
    report(closed)
    s.close()


def unread_bytes(s):
    return struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, b"\0" * 4))[0]


def main():
    addr, cmd, args = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]
    {"huge": huge, "announce": announce, "malformed": malformed, "slow": slow,
     "valid": valid, "big": big, "bigcheck": bigcheck,
     "authorizer": authorizer, "unread": unread}[cmd](addr, *args)


if __name__ == "__main__":
    main()

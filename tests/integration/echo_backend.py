#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""echo_backend.py — the API backend behind the revocation gate in the
gate tests (t_gate_nginx, t_gate_apache): an HTTP server on 127.0.0.1 that
answers every request 200 with what it received of the identity headers,
so a test can see what the backend would trust and that a client cannot
forge it. One line per request is appended to LOG.

  echo_backend.py PORT LOG [SECS]     serve until SECS (default 600) pass

Body: "user=<X-Auth-User> session=<X-Auth-Session> users=<how many
X-Auth-User headers> method=<method> path=<path>", each absent value empty.
"""
import http.server
import sys
import threading
import time


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        users = self.headers.get_all("X-Auth-User") or []
        body = "user=%s session=%s users=%d method=%s path=%s\n" % (
            users[0] if users else "", self.headers.get("X-Auth-Session", ""),
            len(users), self.command, self.path)
        with open(self.server.log, "a") as f:
            f.write(body)
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer

    def log_message(self, *args):
        pass


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 600
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Echo)
    srv.log = log
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(secs)  # a bound on its life, should the test not stop it
    srv.shutdown()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# notify_listen.py SOCKET OUT SECONDS — the service manager's side of
# sd_notify(3), as systemd implements it: a datagram socket with
# SO_PASSCRED, so each message comes with its sender's pid. Writes one line
# per message to OUT: "PID<TAB>LINE|LINE|...". Exits after SECONDS (a
# bound, so a test never leaves it behind) or on SIGTERM. Any datagram
# will do: t_logs.sh uses it as a syslog socket.
import os
import signal
import socket
import struct
import sys
import time

path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
deadline = time.monotonic() + secs
with open(out, "a", buffering=1) as f:
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            break
        pid = 0
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        f.write("%d\t%s\n" % (pid, msg.decode("utf-8", "replace").replace("\n", "|")))
os.unlink(path)

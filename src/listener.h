/* SPDX-License-Identifier: ISC */
/*
 * listener.h — the worker's listening socket: from systemd socket
 * activation (LISTEN_PID/LISTEN_FDS, fd 3), from --listen (a unix socket
 * path or HOST:PORT), or fd 0 as spawn-fcgi, mod_fcgid and lighttpd hand
 * it over.
 *
 * A unix socket is created with mode 0660 from the start (the umask is set
 * around bind), for relative and absolute paths alike, so no other user
 * can connect in between. A stale socket file is replaced only when
 * nothing answers on it; a live one is an error, never taken over.
 *
 * Errors: -1 with a message in err.
 */
#ifndef LOGOUT_LISTENER_H
#define LOGOUT_LISTENER_H

#include <stddef.h>

#define LISTENER_BACKLOG 1024

/* addr "" = fd 0, unless systemd passed a socket. */
int listener_open(const char *addr, char *err, size_t errlen);

#endif

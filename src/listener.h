/* SPDX-License-Identifier: ISC */
/*
 * listener.h — the worker's listening socket: from systemd socket
 * activation (LISTEN_PID/LISTEN_FDS, fd 3), from --listen (a unix socket
 * path or HOST:PORT), or fd 0 as spawn-fcgi, mod_fcgid and lighttpd hand
 * it over.
 *
 * A unix socket is created with its mode (0660 unless [server]
 * listen_mode says otherwise) from the start (the umask is set around
 * bind), then given to listen_owner and listen_group, so no other user can
 * connect in between. A stale socket file is replaced only when nothing
 * answers on it; a live one is an error, never taken over. The socket file
 * this process made is removed by listener_remove at a clean stop.
 *
 * Errors: -1 with a message in err, and errno EADDRINUSE when another
 * process is listening on the address (a second instance: the first keeps
 * its socket).
 */
#ifndef LOGOUT_LISTENER_H
#define LOGOUT_LISTENER_H

#include <stddef.h>

#define LISTENER_BACKLOG 1024

#include <sys/types.h>

/* Who may connect to a unix socket; uid/gid (uid_t)-1, (gid_t)-1: leave. */
struct listener_perm {
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* addr "" = fd 0, unless systemd passed a socket. perm: NULL for 0660
 * and the process's own user and group. */
int listener_open(const char *addr, const struct listener_perm *perm, char *err, size_t errlen);

/* Remove the socket file listener_open made, if it is still that one (not
 * a successor's). For the process that opened it, at its clean stop. */
void listener_remove(void);

#endif

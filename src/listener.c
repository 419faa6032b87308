/* SPDX-License-Identifier: ISC */
/*
 * listener.c — the listening socket (see listener.h).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "util.h"

#define SD_LISTEN_FDS_START 3
#define SOCKET_MODE	    0660

/* The socket systemd passed, or -1. The variables are for this process
 * only: they are removed so that children do not mistake them for theirs. */
static int
systemd_listener(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	long long p, n;
	int fd = -1;

	if (pid == NULL || fds == NULL)
		return -1;
	if (util_strtonum(pid, 1, 1LL << 40, &p) == 0 && p == (long long)getpid() &&
	    util_strtonum(fds, 1, 1024, &n) == 0) {
		if (n > 1)
			log_warn("systemd passed %lld sockets; serving the first", n);
		fd = SD_LISTEN_FDS_START;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return fd;
}

/* Is something listening on the unix socket path? 1 yes (a full backlog
 * included), 0 no (refused: left by a process that is gone), -1 cannot
 * tell (errno set, e.g. EACCES: another user's socket). Non-blocking, so a
 * live listener with a full backlog cannot hang the start. */
static int
probe(const struct sockaddr_un *sun)
{
	int fd, rc, e;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN || e == EINPROGRESS)
		return 1;
	if (e == ECONNREFUSED)
		return 0;
	errno = e;
	return -1;
}

/* The socket file this process made (listener_remove). */
static char made_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static dev_t made_dev;
static ino_t made_ino;

static int
set_owner(int fd, const char *path, const struct listener_perm *perm, char *err, size_t errlen)
{
	struct stat st;

	if (perm != NULL && (perm->uid != (uid_t)-1 || perm->gid != (gid_t)-1) &&
	    chown(path, perm->uid, perm->gid) != 0) {
		snprintf(err, errlen, "%s: cannot give it to listen_owner/listen_group: %s", path,
		    strerror(errno));
		return -1;
	}
	if (stat(path, &st) == 0) {
		util_strlcpy(made_path, path, sizeof(made_path));
		made_dev = st.st_dev;
		made_ino = st.st_ino;
	}
	(void)fd;
	return 0;
}

void
listener_remove(void)
{
	struct stat st;

	if (made_path[0] != '\0' && lstat(made_path, &st) == 0 && st.st_dev == made_dev &&
	    st.st_ino == made_ino)
		unlink(made_path);
	made_path[0] = '\0';
}

static int
listen_unix(const char *path, const struct listener_perm *perm, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old, mode = perm != NULL ? perm->mode : SOCKET_MODE;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) != 0) {
		snprintf(err, errlen, "%s: longer than %zu bytes", path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return -1;
		}
		switch (probe(&sun)) {
		case 1:
			snprintf(err, errlen, "%s: another process is listening on it", path);
			errno = EADDRINUSE;
			return -1;
		case -1:
			snprintf(err, errlen, "%s: cannot tell whether it is in use (%s)", path,
			    strerror(errno));
			return -1;
		}
		unlink(path); /* stale: left by a process that is gone */
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Born with its mode, and owned by this process's group until chown
	 * gives it away: no window in which another user may connect. */
	old = umask(0777 & ~mode);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0 || listen(fd, LISTENER_BACKLOG) != 0) {
		rc = errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(rc));
		close(fd);
		errno = rc; /* EADDRINUSE: another instance made it in between */
		return -1;
	}
	if (set_owner(fd, path, perm, err, errlen) != 0) {
		unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

static int
listen_tcp(const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	const char *colon = strrchr(addr, ':');
	size_t hlen;
	int fd = -1, one = 1, rc;

	if (colon == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "%s: not a path (starting with / or .) nor HOST:PORT", addr);
		return -1;
	}
	hlen = (size_t)(colon - addr);
	if (addr[0] == '[' && hlen >= 2 && addr[hlen - 1] == ']') /* [::1]:9000 */
		addr++, hlen -= 2;
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "%s: host too long", addr);
		return -1;
	}
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(hlen ? host : NULL, colon + 1, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTENER_BACKLOG) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(rc));
		errno = rc; /* EADDRINUSE: another process listens there */
	}
	freeaddrinfo(res);
	return fd;
}

int
listener_open(const char *addr, const struct listener_perm *perm, char *err, size_t errlen)
{
	int fd, type;
	socklen_t len = sizeof(type);

	if ((fd = systemd_listener()) >= 0)
		return fd;
	if (addr[0] == '\0') {
		/* spawn-fcgi, mod_fcgid and lighttpd hand us the socket on fd 0. */
		if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
			snprintf(err, errlen,
			    "standard input is not a socket: start under spawn-fcgi or use "
			    "--listen");
			return -1;
		}
		return 0;
	}
	if (addr[0] == '/' || addr[0] == '.' || strchr(addr, ':') == NULL)
		return listen_unix(addr, perm, err, errlen);
	return listen_tcp(addr, err, errlen);
}

/* SPDX-License-Identifier: ISC */
/*
 * notify.c — sd_notify(3) datagrams. The address is a path, or an
 * abstract socket when it starts with '@'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "util.h"

static struct sockaddr_un addr;
static socklen_t addrlen;
static long long watchdog_ms; /* half of WATCHDOG_USEC; 0 = none */
static long long watchdog_last;

void
notify_init(void)
{
	const char *sock = getenv("NOTIFY_SOCKET"), *usec = getenv("WATCHDOG_USEC"),
		   *pid = getenv("WATCHDOG_PID");
	long long n, p;
	size_t len;

	if (usec != NULL && util_strtonum(usec, 1, 1LL << 50, &n) == 0 &&
	    (pid == NULL || (util_strtonum(pid, 1, 1LL << 31, &p) == 0 && p == getpid())))
		watchdog_ms = n / 2000;
	if (sock != NULL && (len = strlen(sock)) > 0 && len < sizeof(addr.sun_path) &&
	    (sock[0] == '/' || sock[0] == '@')) {
		memset(&addr, 0, sizeof(addr));
		addr.sun_family = AF_UNIX;
		memcpy(addr.sun_path, sock, len);
		if (sock[0] == '@')
			addr.sun_path[0] = '\0';
		addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

void
notify_forget(void)
{
	addrlen = 0;
	watchdog_ms = 0;
}

void
notify_send(const char *lines)
{
	int fd;

	if (addrlen == 0)
		return;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	/* Best effort, as sd_notify: the service runs whether heard or not. */
	(void)sendto(fd, lines, strlen(lines), MSG_NOSIGNAL, (struct sockaddr *)&addr, addrlen);
	close(fd);
}

void
notify_status(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (addrlen == 0)
		return;
	n = snprintf(line, sizeof(line), "STATUS=");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	notify_send(line);
}

void
notify_ready(const char *status)
{
	char line[256];

	snprintf(line, sizeof(line), "READY=1\nSTATUS=%s", status);
	notify_send(line);
}

void
notify_reloading(void)
{
	struct timespec ts;
	char line[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(line, sizeof(line), "RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	notify_send(line);
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void
notify_watchdog(void)
{
	long long now;

	if (watchdog_ms == 0 || addrlen == 0)
		return;
	now = util_now_ms();
	if (now - watchdog_last < watchdog_ms)
		return;
	watchdog_last = now;
	notify_send("WATCHDOG=1");
}

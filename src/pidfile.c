/* SPDX-License-Identifier: ISC */
/*
 * pidfile.c — the locked pid file (see pidfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pidfile.h"
#include "util.h"

/* The file this process holds, or fd -1. */
static int held_fd = -1;
static char held_path[4096];
static dev_t held_dev;
static ino_t held_ino;

/* The pid the holder wrote, or 0 when there is none yet. */
static long
holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return util_strtonum(buf, 1, 1LL << 40, &pid) == 0 ? (long)pid : 0;
}

/*
 * Open and lock path. One that stops removes its file while it still
 * holds the lock, so after getting the lock check that path still names
 * what was opened; if not, open what it names now.
 */
static int
open_locked(const char *path, char *err, size_t errlen)
{
	struct stat a, b;
	int fd = -1, tries;
	long pid;

	for (tries = 0; tries < 100; tries++) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
			goto fail;
		if (fstat(fd, &a) != 0)
			goto fail;
		if (!S_ISREG(a.st_mode)) {
			errno = EINVAL;
			snprintf(err, errlen, "pid file %s: not a regular file", path);
			close(fd);
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno != EWOULDBLOCK)
				goto fail;
			if ((pid = holder_pid(fd)) > 0)
				snprintf(err, errlen, "pid file %s: already running as PID %ld",
				    path, pid);
			else
				snprintf(err, errlen, "pid file %s: already running", path);
			close(fd);
			errno = EEXIST;
			return -1;
		}
		if (lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			held_dev = a.st_dev;
			held_ino = a.st_ino;
			return fd;
		}
		close(fd);
		fd = -1;
	}
	errno = EAGAIN;
	snprintf(err, errlen, "pid file %s: keeps being replaced", path);
	return -1;
fail:
	snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

int
pidfile_open(const char *path, char *err, size_t errlen)
{
	char line[32];
	int fd, n, e;

	if (util_strlcpy(held_path, path, sizeof(held_path)) != 0) {
		errno = ENAMETOOLONG;
		snprintf(err, errlen, "pid file %.64s...: path too long", path);
		return -1;
	}
	if ((fd = open_locked(path, err, errlen)) < 0)
		return -1;
	/* A stale file may hold a longer number than ours. */
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
		e = errno ? errno : EIO;
		snprintf(err, errlen, "pid file %s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	held_fd = fd;
	return 0;
}

void
pidfile_forget(void)
{
	if (held_fd >= 0)
		close(held_fd);
	held_fd = -1;
}

void
pidfile_remove(void)
{
	struct stat st;
	int rc = 0;

	if (held_fd < 0)
		return;
	/* Unlinked while the lock is still ours: a starter waiting for the
	 * lock sees the path moved on (open_locked). Where it cannot be
	 * unlinked, no stale number is left for a reader. */
	if (lstat(held_path, &st) == 0 && st.st_dev == held_dev && st.st_ino == held_ino &&
	    unlink(held_path) != 0)
		rc = ftruncate(held_fd, 0);
	(void)rc; /* nothing more to do at exit */
	pidfile_forget();
}

/* SPDX-License-Identifier: ISC */
/*
 * sink.c — writing lines to stderr, a file or a syslog socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"
#include "util.h"

#define COMPLAIN_MS 60000

struct sink {
	struct sink_spec spec;
	int fd;	     /* the file or the syslog socket; -1 for stderr */
	int journal; /* stderr is the journal: prefix priorities there */
	_Atomic long long complained; /* ms of the last "cannot write" note */
};

static const struct {
	const char *name;
	int code;
} facilities[] = {
    {"kern", 0}, {"user", 1}, {"mail", 2}, {"daemon", 3}, {"auth", 4}, {"syslog", 5},
    {"lpr", 6}, {"news", 7}, {"uucp", 8}, {"cron", 9}, {"authpriv", 10}, {"ftp", 11},
    {"local0", 16}, {"local1", 17}, {"local2", 18}, {"local3", 19}, {"local4", 20},
    {"local5", 21}, {"local6", 22}, {"local7", 23},
};

int
sink_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(name, facilities[i].name))
			return facilities[i].code << 3;
	return -1;
}

int
sink_parse_target(const char *value, struct sink_spec *spec)
{
	if (!strcmp(value, "stderr")) {
		spec->kind = SINK_STDERR;
		spec->path[0] = '\0';
		return 0;
	}
	if (!strcmp(value, "syslog")) {
		spec->kind = SINK_SYSLOG;
		return util_strlcpy(spec->path, "/dev/log", sizeof(spec->path));
	}
	if (value[0] != '/')
		return -1;
	spec->kind = SINK_FILE;
	return util_strlcpy(spec->path, value, sizeof(spec->path));
}

/* sd-daemon(3): JOURNAL_STREAM is "DEV:INODE" of the stream systemd
 * connected to the journal; it is ours only if stderr is still that. */
static int
stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (v == NULL || sscanf(v, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static int
open_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

static int
open_syslog(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) != 0) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		snprintf(err, errlen, "syslog socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_target(const struct sink_spec *spec, char *err, size_t errlen)
{
	if (spec->kind == SINK_FILE)
		return open_file(spec->path, err, errlen);
	if (spec->kind == SINK_SYSLOG)
		return open_syslog(spec->path, err, errlen);
	return -1;
}

struct sink *
sink_open(const struct sink_spec *spec, char *err, size_t errlen)
{
	struct sink *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->spec = *spec;
	s->fd = -1;
	s->journal = stderr_is_journal(); /* also where failed lines go */
	if (spec->kind != SINK_STDERR && (s->fd = open_target(spec, err, errlen)) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

int
sink_check(const struct sink_spec *spec, char *err, size_t errlen)
{
	char dir[SINK_PATH_MAX];
	char *slash;
	int fd;

	if (spec->kind == SINK_SYSLOG) {
		if ((fd = open_syslog(spec->path, err, errlen)) < 0)
			return -1;
		close(fd);
		return 0;
	}
	if (spec->kind != SINK_FILE)
		return 0;
	if ((fd = open(spec->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY)) >= 0) {
		close(fd);
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", spec->path, strerror(errno));
		return -1;
	}
	/* Absolute (sink_parse_target): there is a slash, maybe the first. */
	util_strlcpy(dir, spec->path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash++; /* a file in / */
	*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "%s: cannot be created in %s: %s", spec->path, dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Put a fresh descriptor for the target in s->fd's place: dup2 swaps it
 * atomically for the threads that write to it meanwhile. */
static int
replace_fd(struct sink *s, char *err, size_t errlen)
{
	int fd = open_target(&s->spec, err, errlen);

	if (fd < 0)
		return -1;
	if (dup3(fd, s->fd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: %s", s->spec.path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
sink_reopen(struct sink *s, char *err, size_t errlen)
{
	return s->spec.kind == SINK_FILE ? replace_fd(s, err, errlen) : 0;
}

enum sink_kind
sink_kind_of(const struct sink *s)
{
	return s->spec.kind;
}

int
sink_same(const struct sink *s, const struct sink_spec *spec)
{
	return s->spec.kind == spec->kind && !strcmp(s->spec.path, spec->path) &&
	       (spec->kind != SINK_SYSLOG ||
		   (!strcmp(s->spec.ident, spec->ident) && s->spec.facility == spec->facility));
}

/* tagged: a syslog line that fell back keeps its syslog tag, so it still
 * says whose it is ("logout-fcgi-audit[PID]: {...}"). */
static void
write_stderr(const struct sink *s, enum sink_priority prio, int tagged, const char *line,
    size_t len)
{
	char buf[SINK_LINE_MAX + SINK_IDENT_MAX + 40];
	size_t o = 0;

	if (s->journal)
		o = (size_t)snprintf(buf, sizeof(buf), "<%d>", (int)prio);
	if (tagged)
		o += (size_t)snprintf(
		    buf + o, sizeof(buf) - o, "%s[%ld]: ", s->spec.ident, (long)getpid());
	if (len > SINK_LINE_MAX)
		len = SINK_LINE_MAX;
	memcpy(buf + o, line, len);
	buf[o + len] = '\n';
	/* Best effort: nothing is left to tell when stderr fails too. */
	if (write(STDERR_FILENO, buf, o + len + 1) < 0)
		return;
}

/* Once a minute at most: where the lines go instead, and why. */
static void
complain(struct sink *s, int errnum)
{
	long long now = util_now_ms(), last = atomic_load(&s->complained);
	char note[SINK_PATH_MAX + 128];
	int n;

	if ((last != 0 && now - last < COMPLAIN_MS) ||
	    !atomic_compare_exchange_strong(&s->complained, &last, now))
		return;
	n = snprintf(note, sizeof(note),
	    "logout-fcgi[%ld]: warning: cannot write to %s: %s; writing its lines to stderr",
	    (long)getpid(), s->spec.path, strerror(errnum));
	write_stderr(s, SINK_WARNING, 0, note, n > 0 ? (size_t)n : 0);
}

static int
send_syslog(struct sink *s, enum sink_priority prio, const char *line, size_t len)
{
	char buf[SINK_LINE_MAX + SINK_IDENT_MAX + 64], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(buf, sizeof(buf), "<%d>%s %s[%ld]: ", s->spec.facility | (int)prio, stamp,
	    s->spec.ident, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	if (len > sizeof(buf) - (size_t)n)
		len = sizeof(buf) - (size_t)n;
	memcpy(buf + n, line, len);
	return send(s->fd, buf, (size_t)n + len, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int
write_line(struct sink *s, enum sink_priority prio, const char *line, size_t len)
{
	char buf[SINK_LINE_MAX + 1];

	if (s->spec.kind == SINK_SYSLOG)
		return send_syslog(s, prio, line, len);
	if (len > SINK_LINE_MAX)
		len = SINK_LINE_MAX;
	memcpy(buf, line, len);
	buf[len] = '\n';
	return write(s->fd, buf, len + 1) == (ssize_t)(len + 1) ? 0 : -1;
}

void
sink_write(struct sink *s, enum sink_priority prio, const char *line, size_t len)
{
	char err[SINK_PATH_MAX + 64];
	int errnum;

	if (s->spec.kind == SINK_STDERR) {
		write_stderr(s, prio, 0, line, len);
		return;
	}
	if (write_line(s, prio, line, len) == 0)
		return;
	errnum = errno;
	/* syslogd restarted: its socket is a new one. */
	if (s->spec.kind == SINK_SYSLOG && errnum != EAGAIN && replace_fd(s, err, sizeof(err)) == 0 &&
	    write_line(s, prio, line, len) == 0)
		return;
	complain(s, errnum);
	write_stderr(s, prio, s->spec.kind == SINK_SYSLOG, line, len);
}

/* Lines from the first one not wholly in the first done bytes, each on
 * its own (sink_write: the fallback and its note included). */
static void
write_each(struct sink *s, enum sink_priority prio, const char *lines, size_t len, size_t done)
{
	const char *p = lines, *end = lines + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if ((size_t)(nl + 1 - lines) > done)
			sink_write(s, prio, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

/* stderr: the lines in writes of at most SINK_LINE_MAX bytes (so a pipe
 * keeps each whole), each line with its journal prefix when it has one. */
static void
stderr_block(const struct sink *s, enum sink_priority prio, const char *lines, size_t len)
{
	char buf[SINK_LINE_MAX + 8];
	const char *p = lines, *end = lines + len, *nl;
	size_t o = 0, n, pre = s->journal ? 3 : 0;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n = (size_t)(nl + 1 - p);
		if (o > 0 && o + pre + n > SINK_LINE_MAX) {
			if (write(STDERR_FILENO, buf, o) < 0)
				return; /* best effort, as write_stderr */
			o = 0;
		}
		if (pre + n > SINK_LINE_MAX)
			n = SINK_LINE_MAX - pre; /* cut, as one line would be */
		if (pre > 0)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "<%d>", (int)prio);
		memcpy(buf + o, p, n);
		o += n;
		buf[o - 1] = '\n';
		p = nl + 1;
	}
	if (o > 0 && write(STDERR_FILENO, buf, o) < 0)
		return;
}

void
sink_write_lines(struct sink *s, enum sink_priority prio, const char *lines, size_t len)
{
	ssize_t n;

	switch (s->spec.kind) {
	case SINK_STDERR:
		stderr_block(s, prio, lines, len);
		return;
	case SINK_FILE:
		/* O_APPEND: one write lands whole, whoever else appends. */
		if ((n = write(s->fd, lines, len)) == (ssize_t)len)
			return;
		write_each(s, prio, lines, len, n > 0 ? (size_t)n : 0);
		return;
	case SINK_SYSLOG:
		write_each(s, prio, lines, len, 0); /* a datagram a line */
		return;
	}
}

void
sink_close(struct sink *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

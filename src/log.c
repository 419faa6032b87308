/* SPDX-License-Identifier: ISC */
/*
 * log.c — one line per message, one write per line, to the process's
 * sinks. The sinks are opened once, before any thread starts, and only
 * their descriptors change afterwards (sink_reopen), so writers need no
 * lock.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static struct sink *diag_sink;	/* NULL: stderr */
static struct sink *audit_sink; /* NULL: stderr */
static _Atomic int level = SINK_INFO;

static const struct {
	const char *name;
	enum sink_priority prio;
} levels[] = {
    {"error", SINK_ERR}, {"warning", SINK_WARNING}, {"info", SINK_INFO}, {"debug", SINK_DEBUG}};

int
log_level_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(name, levels[i].name))
			return (int)levels[i].prio;
	return -1;
}

static const char *
level_name(enum sink_priority prio)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].prio == prio)
			return levels[i].name;
	return "info";
}

static struct sink *err_sink;

static void
open_fallback(void)
{
	static const struct sink_spec spec = {.kind = SINK_STDERR};
	char e[64];

	err_sink = sink_open(&spec, e, sizeof(e));
}

/* Before log_open: plain stderr, with the journal's prefix if need be. */
static struct sink *
fallback(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, open_fallback);
	return err_sink;
}

/* Who and how severe: syslog's header already says who; a file has no
 * journal to stamp the time. */
static int
prefix(const struct sink *s, enum sink_priority prio, char *buf, size_t cap)
{
	enum sink_kind kind = s != NULL ? sink_kind_of(s) : SINK_STDERR;
	struct timespec ts;
	struct tm tm;
	size_t n = 0;

	if (kind == SINK_SYSLOG)
		return snprintf(buf, cap, "%s: ", level_name(prio));
	if (kind == SINK_FILE) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(buf + n, cap - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	}
	return (int)n + snprintf(buf + n, cap - n, "logout-fcgi[%ld]: %s: ", (long)getpid(),
			    level_name(prio));
}

void
log_msg(enum sink_priority prio, const char *fmt, ...)
{
	struct sink *s = diag_sink != NULL ? diag_sink : fallback();
	char line[512];
	va_list ap;
	int n;

	if ((int)prio > atomic_load(&level))
		return;
	n = prefix(s, prio, line, sizeof(line));
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (s != NULL)
		sink_write(s, prio, line, (size_t)n);
}

/* "[section] target: " before what the sink said. */
static void
name_target(const char *section, const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "[%s] target: %s", section, why);
}

int
log_open(const struct sink_spec *diag, enum sink_priority lvl, const struct sink_spec *audit,
    char *err, size_t errlen)
{
	char why[SINK_PATH_MAX + 128];
	struct sink *d, *a;

	if ((d = sink_open(diag, why, sizeof(why))) == NULL) {
		name_target("log", why, err, errlen);
		return -1;
	}
	if ((a = sink_open(audit, why, sizeof(why))) == NULL) {
		name_target("audit", why, err, errlen);
		sink_close(d);
		return -1;
	}
	sink_close(diag_sink);
	sink_close(audit_sink);
	diag_sink = d;
	audit_sink = a;
	atomic_store(&level, (int)lvl);
	return 0;
}

int
log_check(const struct sink_spec *diag, const struct sink_spec *audit, char *err, size_t errlen)
{
	char why[SINK_PATH_MAX + 128];

	if (sink_check(diag, why, sizeof(why)) != 0) {
		name_target("log", why, err, errlen);
		return -1;
	}
	if (sink_check(audit, why, sizeof(why)) != 0) {
		name_target("audit", why, err, errlen);
		return -1;
	}
	return 0;
}

void
log_reconfigure(const struct sink_spec *diag, enum sink_priority lvl,
    const struct sink_spec *audit)
{
	atomic_store(&level, (int)lvl);
	if ((diag_sink != NULL && !sink_same(diag_sink, diag)) ||
	    (audit_sink != NULL && !sink_same(audit_sink, audit)))
		log_warn("reload: [log] and [audit] targets take effect at the next start");
}

void
log_reopen(void)
{
	struct sink *s[2] = {diag_sink, audit_sink};
	char err[SINK_PATH_MAX + 64];
	int i;

	for (i = 0; i < 2; i++)
		if (s[i] != NULL && sink_reopen(s[i], err, sizeof(err)) != 0)
			log_err("cannot reopen %s; still writing to the old file", err);
	log_info("log files reopened");
}

void
log_audit_lines(const char *lines, size_t len)
{
	struct sink *s = audit_sink != NULL ? audit_sink : fallback();

	if (s != NULL)
		sink_write_lines(s, SINK_INFO, lines, len);
}

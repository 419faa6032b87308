/* SPDX-License-Identifier: ISC */
/*
 * sink.h — where a line goes: stderr, a file, or syslog. Diagnostics
 * (log.c) and the audit trail (audit.c) each write to a sink of their own,
 * so an admin can route them apart: a file for the audit trail, syslog
 * with its own identifier and facility, the journal with its priorities.
 *
 * - stderr: under systemd (JOURNAL_STREAM names our stderr) each line
 *   starts with "<N>", the sd-daemon(3) priority prefix, so journald keeps
 *   the level and `journalctl -p err` finds errors.
 * - FILE: opened O_APPEND; sink_reopen opens the path again and puts the
 *   new descriptor in the old one's place (dup2), so a logrotate
 *   postrotate SIGUSR1 moves every thread to the new file without a lock
 *   and without a line lost or split.
 * - syslog: RFC 3164 datagrams to a unix socket (/dev/log unless told
 *   otherwise), with the sink's identifier and facility; a closed socket
 *   (syslogd restarted) is reconnected once per failed write.
 *
 * A line that cannot be written goes to stderr instead, and the sink says
 * so on stderr at most once a minute: the request is still served, and no
 * audit line is lost while stderr works. Every write is one write(2) or
 * send(2), at most SINK_LINE_MAX bytes, safe from any thread.
 */
#ifndef LOGOUT_SINK_H
#define LOGOUT_SINK_H

#include <stddef.h>

#define SINK_LINE_MAX  4096
#define SINK_PATH_MAX  512
#define SINK_IDENT_MAX 64

enum sink_kind { SINK_STDERR = 0, SINK_SYSLOG, SINK_FILE };

/* syslog(3) severities, also the "<N>" of the journal prefix. */
enum sink_priority {
	SINK_ERR = 3,
	SINK_WARNING = 4,
	SINK_INFO = 6,
	SINK_DEBUG = 7,
};

struct sink_spec {
	enum sink_kind kind;
	char path[SINK_PATH_MAX];   /* SINK_FILE: the file; SINK_SYSLOG: the socket */
	char ident[SINK_IDENT_MAX]; /* SINK_SYSLOG: e.g. "logout-fcgi-audit" */
	int facility;		    /* SINK_SYSLOG: a LOG_* facility code (0..23) << 3 */
};

/* "stderr", "syslog" or an absolute file path into spec->kind and path
 * (the syslog socket path is set to /dev/log). 0, or -1 for anything else. */
int sink_parse_target(const char *value, struct sink_spec *spec);

/* "daemon", "auth", "authpriv", "user", "local0".."local7" to its code;
 * -1 for an unknown name. */
int sink_facility(const char *name);

struct sink;

/* Open the target (create a file 0640 if missing). NULL with a message in
 * err. */
struct sink *sink_open(const struct sink_spec *spec, char *err, size_t errlen);

/* Could sink_open open the target? The same checks without a side effect:
 * a missing file is not created (a check run as root would leave a file
 * the service's user cannot open), only its directory is checked. 0, or
 * -1 with a message in err. */
int sink_check(const struct sink_spec *spec, char *err, size_t errlen);

/* Write one line (without its newline) at priority. Never blocks on a
 * full syslog socket: such a line goes to stderr. */
void sink_write(struct sink *s, enum sink_priority prio, const char *line, size_t len);

/* Write lines, each ending with a newline, in as few writes as the sink
 * allows: one for a file, one per SINK_LINE_MAX bytes for stderr, one per
 * line for syslog. A file that fails takes the rest line by line, with
 * sink_write's fallback. */
void sink_write_lines(struct sink *s, enum sink_priority prio, const char *lines, size_t len);

/* SINK_FILE: open the path again in place (after logrotate). 0, or -1
 * with a message in err (the old file stays in use). Others: 0. */
int sink_reopen(struct sink *s, char *err, size_t errlen);

/* What the sink writes to: the caller's line prefix depends on it. */
enum sink_kind sink_kind_of(const struct sink *s);

/* 1 when the sink and spec name the same target (a reload keeps it). */
int sink_same(const struct sink *s, const struct sink_spec *spec);

void sink_close(struct sink *s);

#endif

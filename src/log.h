/* SPDX-License-Identifier: ISC */
/*
 * log.h — the process's two streams: diagnostics (start, stop, database
 * trouble) at a level, and the audit trail, each to its own sink (sink.h):
 * [log] and [audit] target in logout-fcgi.conf(5). Until log_open runs
 * both go to stderr. Callers pass fixed text and numbers only: never a
 * token, a secret, SQL text or a raw client value.
 */
#ifndef LOGOUT_LOG_H
#define LOGOUT_LOG_H

#include <stddef.h>

#include "sink.h"

/* Diagnostics at prio; dropped when less severe than the level. */
void log_msg(enum sink_priority prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(SINK_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(SINK_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(SINK_WARNING, __VA_ARGS__)
#define log_err(...)   log_msg(SINK_ERR, __VA_ARGS__)

/* "error", "warning", "info", "debug" to its priority; -1 otherwise. */
int log_level_parse(const char *name);

/* Open the two sinks (once per process, before threads start; children
 * of the supervisor inherit them). 0, or -1 with a message in err. */
int log_open(const struct sink_spec *diag, enum sink_priority level,
    const struct sink_spec *audit, char *err, size_t errlen);

/* --check-config: sink_check of both targets. 0, or -1 with a message
 * naming the target in err. */
int log_check(const struct sink_spec *diag, const struct sink_spec *audit, char *err,
    size_t errlen);

/* A reload: the level applies at once; a changed target is reported, and
 * takes effect at the next start. */
void log_reconfigure(const struct sink_spec *diag, enum sink_priority level,
    const struct sink_spec *audit);

/* SIGUSR1: open file targets again (after logrotate moved them). */
void log_reopen(void);

/* Audit lines, each with its newline, in as few writes as the target
 * allows (sink_write_lines). */
void log_audit_lines(const char *lines, size_t len);

#endif

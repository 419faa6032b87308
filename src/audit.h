/* SPDX-License-Identifier: ISC */
/*
 * audit.h — one JSON line per answered request: each logout, logout-all
 * and refused attempt, with the outcome's reason (reason.h).
 * Control characters and quotes are escaped; tokens and secrets never
 * reach this module, so they cannot be logged.
 */
#ifndef LOGOUT_AUDIT_H
#define LOGOUT_AUDIT_H

#include <stddef.h>
#include <time.h>

struct request;

#define AUDIT_LINE_MAX 4096 /* PIPE_BUF: one write stays one line */

struct outcome;

/* Format one line (with trailing newline) into buf; returns its length.
 * pid: the worker process. */
size_t audit_format(char *buf, size_t cap, const struct timespec *ts, long pid,
    const struct request *req, const struct outcome *o);

/* Format a line for the audit sink (log.h): written at once when alone
 * (no other request is being answered), else perhaps held a little with
 * others (audit.c says how long). */
void audit_emit(long pid, const struct request *req, const struct outcome *o, int alone);

/* Write the lines held so far. Any thread. */
void audit_flush(void);

#endif

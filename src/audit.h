/* SPDX-License-Identifier: ISC */
/*
 * audit.h — one JSON line per logout, logout-all and refused attempt.
 * Control characters and quotes are escaped; tokens and secrets never
 * reach this module, so they cannot be logged.
 */
#ifndef LOGOUT_AUDIT_H
#define LOGOUT_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "request.h"

#define AUDIT_LINE_MAX 4096 /* PIPE_BUF: one write stays one line */

struct audit_event {
	long pid;			/* the worker process */
	const char *event;		/* "logout", "logout_all", "refused" */
	char user[TOKEN_CLAIM_MAX + 1]; /* "" when not authenticated */
	long long sessions;		/* sessions ended, -1 when not applicable */
	int status;
	const char *reason; /* fixed text, e.g. "expired" */
};

/* Format one line (with trailing newline) into buf; returns its length. */
size_t audit_format(char *buf, size_t cap, const struct timespec *ts, const struct request *req,
    const struct audit_event *ev);

/* Format and write to stderr with a single write(2). */
void audit_emit(const struct request *req, const struct audit_event *ev);

#endif

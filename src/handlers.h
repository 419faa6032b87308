/* SPDX-License-Identifier: ISC */
/*
 * handlers.h — the logout and logout-all actions: authenticate the bearer,
 * read the LogoutRequest, run the statement, pick the response. No I/O of
 * its own besides the database handle it is given.
 */
#ifndef LOGOUT_HANDLERS_H
#define LOGOUT_HANDLERS_H

#include <stddef.h>

#include "audit.h"
#include "batch.h"
#include "config.h"
#include "db.h"
#include "render.h"
#include "request.h"

/* Checks decided by the params alone (400 for a bad CONTENT_LENGTH, 404,
 * 405, 413 by CONTENT_LENGTH). Returns 1 when the request may go on, 0
 * when resp is final. */
int handler_precheck(const struct config *cfg, const struct request *req, enum request_err perr,
    struct response *resp, struct audit_event *ev);

/* The action, once the body (at most max_body bytes) has been read. bt:
 * the process's logout batcher, or NULL. */
void handler_run(const struct config *cfg, struct db *db, struct batch *bt,
    const struct request *req, const char *body, size_t bodylen, struct response *resp,
    struct audit_event *ev);

#endif

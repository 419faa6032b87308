/* SPDX-License-Identifier: ISC */
/*
 * exchange.c — writing the outcome. Only these functions set it, so a
 * refusal always carries its reason and a success its event and count.
 */
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "request.h"

void
exchange_init(struct exchange *x, const struct config *cfg, const struct request *req)
{
	memset(x, 0, sizeof(*x));
	x->cfg = cfg;
	x->req = req;
	x->route = req->route;
	x->out.sessions = -1;
	x->out.head = req->method == METHOD_HEAD;
	x->out.authorizer = req->authorizer;
}

int
exchange_refuse(struct exchange *x, enum reason r)
{
	x->out.reason = r;
	x->out.field = NULL;
	x->out.problem = NULL;
	free(x->out.body); /* a refusal answers its own error body */
	x->out.body = NULL;
	x->out.body_len = 0;
	return -1;
}

void
exchange_succeed(
    struct exchange *x, enum reason r, enum resp_kind kind, const char *event, long long sessions)
{
	x->out.reason = r;
	x->out.kind = kind;
	x->out.event = event;
	x->out.sessions = sessions;
}

void
exchange_succeed_body(struct exchange *x, enum resp_kind kind, char *body, size_t len)
{
	exchange_succeed(x, REASON_OK, kind, NULL, -1);
	free(x->out.body);
	x->out.body = body;
	x->out.body_len = len;
}

int
exchange_refused(const struct exchange *x)
{
	return reason_info(x->out.reason)->err != HERR_NONE;
}

void
exchange_end(struct exchange *x)
{
	free(x->out.body);
	x->out.body = NULL;
	x->out.body_len = 0;
}

int
exchange_audited(const struct exchange *x)
{
	if (x->route != NULL && !x->route->audited)
		return 0; /* the operator's probes */
	return exchange_refused(x) || x->route == NULL || !(x->route->flags & ROUTE_QUIET);
}

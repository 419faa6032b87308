/* SPDX-License-Identifier: ISC */
/*
 * routes.h — the route table: the one place that names the endpoints.
 * Routing, [server] endpoints, the method check, the success body, the
 * rate limit and the audit all read a route's row, so an endpoint is one
 * row here plus its handler function (handlers.h).
 *
 * A route is mounted one of two ways: under [server] path_prefix at its
 * suffix (the API's routes, chosen by [server] endpoints), or at a full
 * path a configuration key holds (the operator's routes, such as
 * [server] health_path), served while that key is not empty.
 */
#ifndef LOGOUT_ROUTES_H
#define LOGOUT_ROUTES_H

#include <stddef.h>

#include "stmts.h"

struct config;
struct exchange;

enum route_id {
	ROUTE_LOGOUT = 0,
	ROUTE_LOGOUT_ALL,
	ROUTE_HEALTH,
	ROUTE_METRICS,
	ROUTE_VERIFY,	     /* the revocation gate (README, "Protecting the whole API") */
	ROUTE_LOGOUT_OTHERS, /* every session of the user but the bearer's */
	ROUTE_COUNT
};

/* A route under path_prefix is served when its bit is in [server]
 * endpoints, whose default is the routes with on_by_default (spelled out
 * for the option table). */
#define ROUTE_BIT(id)	     (1u << (id))
#define ROUTES_DEFAULT_NAMES "logout logout-all"

/* Methods, as bits. */
#define METHOD_GET  1u
#define METHOD_HEAD 2u
#define METHOD_POST 4u

/* Every method, and none: a gate is asked about requests of any kind. */
#define METHOD_ANY (~0u)

/* What a route does not do that a logout does (the row's flags). */
#define ROUTE_NO_BODY	1u /* the body is never read; CONTENT_LENGTH is not checked */
#define ROUTE_UNLIMITED 2u /* never counted by [rate_limit] */
#define ROUTE_NO_WRITE	4u /* writes nothing: no token_touch either */
#define ROUTE_QUIET	8u /* a success writes no audit line */

/* What a success answers (render.c has the body of each per style). */
enum resp_kind {
	RESP_LOGOUT_OK = 0, /* [response] logout_status: 204, or 200 with a body */
	RESP_LOGOUT_ALL_OK, /* 200 with a body */
	RESP_HEALTH_OK,	    /* 200 {"status":"ok"} */
	RESP_HEALTH_DOWN,   /* 503 {"status":"unavailable"} */
	RESP_METRICS,	    /* 200, the exposition text (outcome.body) */
	RESP_VERIFY_OK,	    /* 204 (200 to a FastCGI authorizer) with the user's headers */
	RESP_LOGOUT_OTHERS_OK, /* 200 with a body that counts the sessions ended */
	RESP_KIND_COUNT
};

struct route {
	enum route_id id;
	const char *name;   /* in [server] endpoints, the audit event, metrics */
	const char *suffix; /* the path after [server] path_prefix, or NULL... */
	size_t path_key;    /* ...the offset in struct config of the char array
			     * holding its full path ("" = not served) */
	unsigned int methods; /* METHOD_* bits; others answer 405 */
	enum resp_kind ok;    /* the success's body */
	int on_by_default;    /* served unless [server] endpoints leaves it out */
	/* A bearer token is required, and the request counts against
	 * [rate_limit]; else the handler runs without either. */
	int bearer;
	int audited; /* its answers are audit lines */
	/* The statement its action runs: [sql] must have it while the route
	 * is served (STMT_COUNT: none). (With [response] logout_scope = user,
	 * logout's STMT_LOGOUT becomes STMT_LOGOUT_ALL: stmts_required.) */
	enum stmt_id stmt;
	/* The action, after the params passed routes_precheck and the body
	 * (at most max_body bytes) was read. Sets x->out. */
	void (*handle)(struct exchange *x);
	unsigned int flags; /* ROUTE_NO_BODY...; 0 for a route that acts like a logout */
};

/* The route path names under cfg (its configured paths first, then
 * under path_prefix); NULL for none (404). */
const struct route *routes_match(const char *path, const struct config *cfg);

/* The path after path_prefix that names a prefix route r under cfg
 * (verify's is [server] verify_path); NULL for a route at a full path. */
const char *routes_suffix(const struct route *r, const struct config *cfg);

/* 1 when cfg serves route r: its bit is in [server] endpoints, or its
 * configured path is set. */
int routes_served(const struct route *r, const struct config *cfg);

/* The full path of a route mounted at a configuration key's path ("" when
 * not served); NULL for a route under path_prefix. */
const char *routes_config_path(const struct route *r, const struct config *cfg);

/* No two served routes at one path. 0, or -1 with a message in err. */
int routes_check(const struct config *cfg, char *err, size_t errlen);

/* The route called name (len bytes, not NUL-terminated); NULL for none. */
const struct route *routes_by_name(const char *name, size_t len);

/* Row i (0 <= i < ROUTE_COUNT), for listing. */
const struct route *routes_get(enum route_id id);

/* The [server] endpoints value ("logout logout-all", space or comma
 * separated; routes under path_prefix only) as ROUTE_BITs: 0, or -1 with
 * a message in err. */
int routes_parse_names(const char *value, unsigned int *bits, char *err, size_t errlen);

/* The ROUTE_BITs of the routes on by default. */
unsigned int routes_default_bits(void);

/* Method name to its METHOD_* bit; 0 for any other method. */
unsigned int routes_method(const char *method);

#endif

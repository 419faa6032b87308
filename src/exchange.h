/* SPDX-License-Identifier: ISC */
/*
 * exchange.h — one request from its params to its answer: what it runs
 * with (the configuration snapshot, this thread's database handle, the
 * process's batcher and rate limiter), what it asked (the request, the
 * body) and what came of it (the outcome). Each handler step takes the
 * exchange; the outcome is written once, by exchange_refuse or
 * exchange_succeed, and both render.c and audit.c read it.
 */
#ifndef LOGOUT_EXCHANGE_H
#define LOGOUT_EXCHANGE_H

#include <stddef.h>
#include <time.h>

#include <sodium.h>

#include "db.h"
#include "reason.h"
#include "routes.h"
#include "token.h"

struct batch;
struct config;
struct health;
struct ratelimit;
struct request;

struct outcome {
	enum reason reason;
	enum resp_kind kind; /* a success's body */
	const char *event;   /* a success's audit event: "logout", "logout_all" */
	int ok_status;	     /* a success's status instead of [response] logout_status; 0 */
	char user[TOKEN_CLAIM_MAX + 1]; /* "" until authenticated */
	long long sessions;		/* ended; -1 when nothing was ended */
	int status;			/* the HTTP status, once rendered */
	/* details some refusals carry */
	const char *field;   /* 422: the member at fault */
	const char *problem; /* 422: e.g. "must be a boolean" */
	int retry_after;     /* 429: seconds (at least 1) */
	/* X-RateLimit-* when the limiter counted the request */
	int has_limit;
	unsigned int limit, remaining;
	/* A success's body too large for the rendered head (the metrics
	 * text): malloc'd, sent after it, freed by exchange_end. */
	char *body;
	size_t body_len;
	int head; /* a HEAD request: the headers of the answer, no body */
	/* the gate's: the session (or token) id, "" for none */
	char session[TOKEN_CLAIM_MAX + 1];
	/* asked as a FastCGI authorizer: "yes" is 200 with Variable-* */
	int authorizer;
};

/* What the statements of one request bind, with storage for the values
 * derived from the token (hashes, timestamps). */
struct exchange_binds {
	struct sql_args args;
	unsigned char sid_hash[crypto_hash_sha256_BYTES];
	unsigned char jti_hash[crypto_hash_sha256_BYTES];
	unsigned char refresh_jti_hash[crypto_hash_sha256_BYTES];
	unsigned char refresh_sid_hash[crypto_hash_sha256_BYTES];
	char now[32];
	char created_after[32];
	unsigned int present; /* bit per enum sql_param that has a value */
};

struct exchange {
	const struct config *cfg;
	const struct route *route; /* NULL: the path names none */
	const struct request *req;
	struct db *db;
	struct batch *bt;     /* logout group commit, or NULL */
	struct batch *gb;     /* the gate's shared SELECTs, or NULL */
	struct ratelimit *rl; /* NULL when [rate_limit] is off */
	struct health *health; /* the process's last database check, or NULL */
	const char *body;
	size_t bodylen;
	time_t now;
	struct token_claims claims; /* of the bearer, once authenticated */
	int by_lookup;		    /* validity proven by a lookup row */
	struct exchange_binds b;
	struct outcome out;
};

/* A fresh exchange for req under cfg (the route comes from req). */
void exchange_init(struct exchange *x, const struct config *cfg, const struct request *req);

/* Refused for reason r (the row says the status). Returns -1, so a step
 * can end with `return exchange_refuse(x, ...)`. */
int exchange_refuse(struct exchange *x, enum reason r);

/* Done: sessions ended, the body kind and the audit event. */
void exchange_succeed(
    struct exchange *x, enum reason r, enum resp_kind kind, const char *event, long long sessions);

/* Done with a body of the route's own (kind RESP_METRICS): body is
 * malloc'd, len bytes; the exchange owns it from here. */
void exchange_succeed_body(struct exchange *x, enum resp_kind kind, char *body, size_t len);

/* 1 when the outcome is a refusal. */
int exchange_refused(const struct exchange *x);

/* Free what the outcome holds (a body); the exchange is done. */
void exchange_end(struct exchange *x);
/* 1 when the outcome gets an audit line: every one of an audited route
 * but a success of a ROUTE_QUIET one (the gate's "yes", once per API
 * request). */
int exchange_audited(const struct exchange *x);

#endif

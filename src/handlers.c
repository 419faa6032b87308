/* SPDX-License-Identifier: ISC */
/*
 * handlers.c — what a logout means (README, "The endpoint contract" and "Compatibility"). A token is valid only
 * while its session row exists, so with signed tokens every action is a
 * statement that both checks and ends sessions: the row count says whether
 * the bearer was still logged in, and the success path is one round trip.
 * Opaque (Sanctum) tokens, and configurations with a user lookup, prove
 * validity with a lookup first; the ending statement then only ends.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "body.h"
#include "handlers.h"
#include "ratelimit.h"
#include "sanctum.h"
#include "token.h"
#include "util.h"

/* Everything one request binds, with storage for the derived values. */
struct bound {
	struct sql_args args;
	unsigned char sid_hash[crypto_hash_sha256_BYTES];
	unsigned char jti_hash[crypto_hash_sha256_BYTES];
	unsigned char refresh_jti_hash[crypto_hash_sha256_BYTES];
	unsigned char refresh_sid_hash[crypto_hash_sha256_BYTES];
	char now[UTIL_DATETIME_LEN + 1];
	char created_after[UTIL_DATETIME_LEN + 1];
	unsigned int present; /* bit per enum sql_param that has a value */
	int by_lookup;	      /* validity proven by a lookup row */
	struct batch *bt;     /* group commit for STMT_LOGOUT, or NULL */
};

static void
refuse(struct response *resp, struct audit_event *ev, enum http_error err, const char *reason)
{
	response_error(resp, err);
	ev->event = "refused";
	ev->reason = reason;
}

/* The token of "Authorization: Bearer <token>"; NULL when there is none. */
static const char *
bearer_token(const char *h, size_t *len)
{
	size_t n;

	if (h == NULL || !util_strncaseeq(h, "Bearer ", 7))
		return NULL;
	h += 7;
	h += strspn(h, " ");
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0)
		return NULL;
	*len = n;
	return h;
}

static void
put_str(struct bound *b, enum sql_param p, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return;
	b->args.v[p].kind = SQLV_STR;
	b->args.v[p].ptr = s;
	b->args.v[p].len = (unsigned long)strlen(s);
	b->present |= 1u << p;
}

static void
put_hash(struct bound *b, enum sql_param p, const char *s, unsigned char *out)
{
	if (s == NULL || s[0] == '\0')
		return;
	crypto_hash_sha256(out, (const unsigned char *)s, strlen(s));
	b->args.v[p].kind = SQLV_BLOB;
	b->args.v[p].ptr = out;
	b->args.v[p].len = crypto_hash_sha256_BYTES;
	b->present |= 1u << p;
}

static void
put_uint(struct bound *b, enum sql_param p, unsigned long long v)
{
	b->args.v[p].kind = SQLV_UINT;
	b->args.v[p].u = v;
	b->present |= 1u << p;
}

/* :now and :created_after, as UTC text; formatted only when a configured
 * statement reads them (the Sanctum ones), not on every request. */
static void
bind_clock(struct bound *b, const struct config *cfg, time_t now)
{
	if (!(cfg->params_used & ((1u << SQLP_NOW) | (1u << SQLP_CREATED_AFTER))))
		return;
	util_utc_datetime((long long)now, b->now);
	put_str(b, SQLP_NOW, b->now);
	if (cfg->expiration > 0) {
		util_utc_datetime((long long)now - cfg->expiration * 60, b->created_after);
		put_str(b, SQLP_CREATED_AFTER, b->created_after);
	}
}

/* What every request binds before its token is looked at. */
static void
bind_request(struct bound *b, const struct config *cfg, const struct request *req, time_t now)
{
	memset(b, 0, sizeof(*b));
	put_str(b, SQLP_CLIENT_IP, req->client_ip);
	put_str(b, SQLP_USER_AGENT, req->user_agent);
	put_str(b, SQLP_TRACE_ID, req->trace_id);
	put_str(b, SQLP_TOKENABLE_TYPE, cfg->tokenable_type);
	bind_clock(b, cfg, now);
	/* Request facts may be empty (bound as NULL); so may token_id and
	 * created_after. Only token claims can be missing. */
	b->present |= (1u << SQLP_TOKEN_ID) | (1u << SQLP_CLIENT_IP) | (1u << SQLP_USER_AGENT) |
		      (1u << SQLP_CREATED_AFTER);
}

/* The authenticated user and what the token says. */
static void
bind_claims(struct bound *b, const struct token_claims *c)
{
	long long id;

	put_str(b, SQLP_SUB, c->sub);
	if (util_strtonum(c->sub, 0, LLONG_MAX, &id) == 0)
		put_uint(b, SQLP_USER_ID, (unsigned long long)id);
	put_str(b, SQLP_SID, c->sid);
	put_hash(b, SQLP_SID_HASH, c->sid, b->sid_hash);
	put_str(b, SQLP_JTI, c->jti);
	put_hash(b, SQLP_JTI_HASH, c->jti, b->jti_hash);
}

/* A statement that names a claim the token lacks cannot mean anything. */
static int
has_values_for(const struct bound *b, const struct config *cfg, enum stmt_id id)
{
	return (cfg->stmts[id].used & ~b->present) == 0;
}

static void
db_failure(struct response *resp, struct audit_event *ev, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		refuse(resp, ev, HERR_UNAVAILABLE, "database unavailable");
	else
		refuse(resp, ev, HERR_INTERNAL, "database error");
}

static void
succeed(struct response *resp, struct audit_event *ev, enum resp_kind kind, const char *event,
    unsigned long long rows)
{
	resp->kind = kind;
	ev->event = event;
	ev->sessions = (long long)rows;
	ev->reason = "ok";
}

/* The bearer's session was already gone: 401, unless [response]
 * already_logged_out makes that an idempotent success for clients that
 * retry a logout until it succeeds. */
static void
session_gone(const struct config *cfg, enum resp_kind ok, const char *event, struct response *resp,
    struct audit_event *ev)
{
	if (cfg->already_logged_out == 401) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "session gone");
		resp->token_sent = 1;
		return;
	}
	succeed(resp, ev, ok, event, 0);
	if (ok == RESP_LOGOUT_OK)
		resp->ok_status = cfg->already_logged_out;
	ev->reason = "already logged out";
}

/* Run one statement; 0 with *rows set, -1 with resp final. */
static int
run(const struct config *cfg, struct db *db, enum stmt_id id, struct bound *b,
    struct response *resp, struct audit_event *ev, struct db_result *res)
{
	enum db_status st;

	if (!has_values_for(b, cfg, id)) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "token lacks a claim the statement needs");
		resp->token_sent = 1;
		return -1;
	}
	if ((st = db_exec(db, id, &b->args, res)) != DB_OK) {
		db_failure(resp, ev, st);
		return -1;
	}
	return 0;
}

/* The plain logout through the batcher when it applies, else on its own. */
static int
run_ending(const struct config *cfg, struct db *db, enum stmt_id id, struct bound *b,
    struct response *resp, struct audit_event *ev, struct db_result *res)
{
	enum db_status st;
	int uncertain;

	/* The batch binds what the built-in logout binds: the same claims. */
	if (id != STMT_LOGOUT || b->bt == NULL || !cfg->batch_logout || !has_values_for(b, cfg, id))
		return run(cfg, db, id, b, resp, ev, res);
	switch (batch_logout(
	    b->bt, cfg, b->sid_hash, sizeof(b->sid_hash), b->args.v[SQLP_USER_ID].u, res)) {
	case BATCH_DONE:
		return 0;
	case BATCH_UNAVAILABLE:
		db_failure(resp, ev, DB_UNAVAILABLE);
		return -1;
	case BATCH_ALONE:
		break;
	}
	/* Handed back: a lost batch may have ended it already. */
	uncertain = res->uncertain;
	if ((st = db_exec_after_batch(db, id, &b->args, res)) != DB_OK) {
		db_failure(resp, ev, st);
		return -1;
	}
	res->uncertain |= uncertain;
	return 0;
}

/* Run a statement that ends sessions only while the bearer's own session
 * exists (logout, logout_all): with signed tokens and no lookup, none
 * ended means it was already gone. */
static void
end_sessions(const struct config *cfg, struct db *db, enum stmt_id id, struct bound *b,
    enum resp_kind ok, const char *event, struct response *resp, struct audit_event *ev)
{
	struct db_result res;

	if (run_ending(cfg, db, id, b, resp, ev, &res) != 0)
		return;
	/* After a lookup proved the bearer valid, none ended is not "gone":
	 * a user may have nothing left to revoke, or a concurrent logout
	 * ended the same token first. */
	if (res.rows == 0 && !res.uncertain && !b->by_lookup) {
		session_gone(cfg, ok, event, resp, ev);
		return;
	}
	succeed(resp, ev, ok, event, res.rows);
}

static void
end_refresh_session(const struct config *cfg, struct db *db, struct bound *b,
    const struct token_claims *bearer, const struct logout_body *body, struct response *resp,
    struct audit_event *ev)
{
	struct token_claims rc;
	struct db_result res;
	enum token_err terr;

	terr = token_verify(&cfg->keys, &cfg->rules, TOKEN_REFRESH, body->refresh_token,
	    body->refresh_len, util_now(), &rc);
	/* 401, but not error="invalid_token": that would tell the client to
	 * throw away its access token, which is fine. */
	if (terr != TOKEN_OK) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "refresh token invalid");
		resp->message = "Invalid refresh token";
		return;
	}
	if (strcmp(rc.sub, bearer->sub) != 0) {
		refuse(resp, ev, HERR_FORBIDDEN, "refresh token of another user");
		return;
	}
	/* Either may be absent; bound as NULL it matches nothing. */
	put_hash(b, SQLP_REFRESH_JTI_HASH, rc.jti, b->refresh_jti_hash);
	put_hash(b, SQLP_REFRESH_SID_HASH, rc.sid, b->refresh_sid_hash);
	b->present |= (1u << SQLP_REFRESH_JTI_HASH) | (1u << SQLP_REFRESH_SID_HASH);
	if (rc.jti[0] == '\0' && rc.sid[0] == '\0') {
		refuse(resp, ev, HERR_UNAUTHORIZED, "refresh token names no session");
		resp->message = "Invalid refresh token";
		return;
	}
	if (run(cfg, db, STMT_LOGOUT_REFRESH, b, resp, ev, &res) != 0)
		return;
	/* None ended: already gone is fine while the bearer is logged in (one
	 * more query, on this rare path only). An attempt that may have
	 * committed before the connection was lost counts as done. */
	if (res.rows == 0 && !res.uncertain) {
		if (run(cfg, db, STMT_SESSION_CHECK, b, resp, ev, &res) != 0)
			return;
		if (res.rows == 0) {
			session_gone(cfg, RESP_LOGOUT_OK, "logout", resp, ev);
			return;
		}
		res.rows = 0;
	}
	succeed(resp, ev, RESP_LOGOUT_OK, "logout", res.rows);
}

static int
authenticate_jwt(const struct config *cfg, const char *tok, size_t len, time_t now,
    struct token_claims *claims, struct response *resp, struct audit_event *ev)
{
	enum token_err terr;

	terr = token_verify(&cfg->keys, &cfg->rules, TOKEN_ACCESS, tok, len, now, claims);
	if (terr != TOKEN_OK) {
		refuse(resp, ev, HERR_UNAUTHORIZED, token_strerror(terr));
		resp->token_sent = 1;
		return -1;
	}
	return 0;
}

/* Laravel's order: the row by id, then a constant-time compare of the
 * hash; the statement itself leaves out expired rows. */
static int
authenticate_sanctum(const struct config *cfg, struct db *db, const char *tok, size_t len,
    struct bound *b, struct token_claims *claims, struct response *resp, struct audit_event *ev)
{
	const char *secret;
	size_t secret_len;
	unsigned long long id;
	struct db_result res;
	long long owner;

	if (sanctum_parse(tok, len, &id, &secret, &secret_len) != 0) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "malformed token");
		resp->token_sent = 1;
		return -1;
	}
	put_uint(b, SQLP_TOKEN_ID, id);
	if (run(cfg, db, STMT_TOKEN_LOOKUP, b, resp, ev, &res) != 0)
		return -1;
	if (res.rows == 0 || res.ncols < 2 ||
	    !sanctum_matches(res.col[0], res.col_len[0], secret, secret_len)) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "unknown, revoked or expired token");
		resp->token_sent = 1;
		return -1;
	}
	if (db_col_id(&res, 1, &owner) != 0) {
		refuse(resp, ev, HERR_INTERNAL, "token_lookup: owner is not a number");
		return -1;
	}
	memset(claims, 0, sizeof(*claims));
	snprintf(claims->sub, sizeof(claims->sub), "%lld", owner);
	b->by_lookup = 1;
	return 0;
}

static int
authenticate(const struct config *cfg, struct db *db, const struct request *req, struct bound *b,
    struct token_claims *claims, struct response *resp, struct audit_event *ev)
{
	const char *tok;
	size_t len = 0;
	int rc;

	if ((tok = bearer_token(req->authorization, &len)) == NULL) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "no bearer token");
		return -1;
	}
	if (cfg->format == FORMAT_SANCTUM)
		rc = authenticate_sanctum(cfg, db, tok, len, b, claims, resp, ev);
	else
		rc = authenticate_jwt(cfg, tok, len, util_now(), claims, resp, ev);
	if (rc != 0)
		return -1;
	bind_claims(b, claims);
	util_strlcpy(ev->user, claims->sub, sizeof(ev->user));
	return 0;
}

/* [sql] user_lookup: the user must exist (FastAPI's get_current_user);
 * its first column, when numeric, is the :user_id of what follows. */
static int
lookup_user(const struct config *cfg, struct db *db, struct bound *b, struct response *resp,
    struct audit_event *ev)
{
	struct db_result res;
	long long id;

	if (run(cfg, db, STMT_USER_LOOKUP, b, resp, ev, &res) != 0)
		return -1;
	if (res.rows == 0) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "unknown user");
		resp->token_sent = 1;
		return -1;
	}
	if (res.ncols > 0 && !res.col_null[0]) {
		if (db_col_id(&res, 0, &id) != 0) {
			refuse(resp, ev, HERR_INTERNAL, "user_lookup: id is not a number");
			return -1;
		}
		put_uint(b, SQLP_USER_ID, (unsigned long long)id);
	}
	b->by_lookup = 1;
	return 0;
}

/* Per user once authenticated, per client IP while not (so a flood of
 * bad tokens from one address cannot lock a user out). 0 allowed, -1
 * with resp final (429). */
static int
rate_limit(const struct config *cfg, const char *kind, const char *who, time_t now,
    struct rl_verdict *v, struct response *resp, struct audit_event *ev)
{
	char key[TOKEN_CLAIM_MAX + 8];
	int n;

	if (cfg->rl == NULL)
		return 0;
	n = snprintf(key, sizeof(key), "%s:%s", kind, who);
	if (n < 0 || (size_t)n >= sizeof(key))
		n = (int)sizeof(key) - 1;
	ratelimit_hit(cfg->rl, key, (size_t)n, cfg->rl_requests, cfg->rl_window, now, v);
	if (v->allowed)
		return 0;
	refuse(resp, ev, HERR_RATE_LIMITED, "rate limited");
	resp->retry_after = (int)v->retry_after;
	return -1;
}

static int
read_body(const struct request *req, const char *buf, size_t len, struct logout_body *body,
    struct response *resp, struct audit_event *ev)
{
	if (len > 0 && !request_is_json(req->content_type)) {
		refuse(resp, ev, HERR_MEDIA_TYPE, "unsupported media type");
		return -1;
	}
	switch (body_parse(buf, len, body)) {
	case BODY_OK:
		return 0;
	case BODY_EJSON:
		refuse(resp, ev, HERR_BAD_REQUEST, "body is not JSON");
		return -1;
	case BODY_ENOTOBJECT:
		refuse(resp, ev, HERR_VALIDATION, "body is not an object");
		resp->field = "body";
		resp->problem = "must be an object";
		return -1;
	case BODY_EFIELD:
		refuse(resp, ev, HERR_VALIDATION, "body member has the wrong type");
		resp->field = body->field;
		resp->problem = body->problem;
		return -1;
	}
	return -1;
}

/* X-RateLimit-* on an answer the limiter counted. */
static void
show_limit(struct response *resp, const struct rl_verdict *v)
{
	if (v->limit == 0)
		return;
	resp->has_limit = 1;
	resp->limit = v->limit;
	resp->remaining = v->remaining;
}

/* Everything after authentication and the rate limit. */
static void
act(const struct config *cfg, struct db *db, const struct request *req, struct bound *b,
    const struct token_claims *claims, const char *buf, size_t buflen, struct response *resp,
    struct audit_event *ev)
{
	struct logout_body body;
	struct db_result res;

	if (cfg->stmts[STMT_USER_LOOKUP].sql[0] != '\0' && lookup_user(cfg, db, b, resp, ev) != 0)
		return;
	if (cfg->format == FORMAT_SANCTUM && cfg->update_last_used &&
	    run(cfg, db, STMT_TOKEN_TOUCH, b, resp, ev, &res) != 0)
		return;
	if (req->route == ROUTE_LOGOUT_ALL) {
		end_sessions(
		    cfg, db, STMT_LOGOUT_ALL, b, RESP_LOGOUT_ALL_OK, "logout_all", resp, ev);
		return;
	}
	if (read_body(req, buf, buflen, &body, resp, ev) != 0)
		return;
	if (body.all_devices || cfg->logout_scope == SCOPE_USER)
		end_sessions(cfg, db, STMT_LOGOUT_ALL, b, RESP_LOGOUT_OK, "logout_all", resp, ev);
	else if (body.has_refresh && cfg->stmts[STMT_LOGOUT_REFRESH].sql[0] == '\0') {
		refuse(resp, ev, HERR_VALIDATION, "refresh_token not supported");
		resp->field = "refresh_token";
		resp->problem = "is not supported by this service";
	} else if (body.has_refresh)
		end_refresh_session(cfg, db, b, claims, &body, resp, ev);
	else
		end_sessions(cfg, db, STMT_LOGOUT, b, RESP_LOGOUT_OK, "logout", resp, ev);
}

void
handler_run(const struct config *cfg, struct db *db, struct batch *bt, const struct request *req,
    const char *buf, size_t buflen, struct response *resp, struct audit_event *ev)
{
	struct token_claims claims;
	struct rl_verdict v = {0};
	struct bound b;
	time_t now = util_now();

	ev->sessions = -1;
	bind_request(&b, cfg, req, now);
	b.bt = bt;
	if (authenticate(cfg, db, req, &b, &claims, resp, ev) != 0) {
		/* Only refusals of the token count against the address. */
		if (resp->err == HERR_UNAUTHORIZED)
			rate_limit(cfg, "ip", req->client_ip, now, &v, resp, ev);
	} else if (rate_limit(cfg, "user", claims.sub, now, &v, resp, ev) == 0)
		act(cfg, db, req, &b, &claims, buf, buflen, resp, ev);
	show_limit(resp, &v);
}

/* What the params alone decide: 404, 405, 400 and 413 by CONTENT_LENGTH. */
static int
refuse_early(const struct config *cfg, const struct request *req, enum request_err perr,
    struct response *resp, struct audit_event *ev)
{
	if (!req->is_post)
		refuse(resp, ev, HERR_METHOD, "method not allowed");
	else if (perr != REQUEST_OK)
		refuse(resp, ev, HERR_BAD_REQUEST, "bad content length");
	else if (req->content_length > (long long)cfg->max_body)
		refuse(resp, ev, HERR_TOO_LARGE, "payload too large");
	else
		return 0;
	return 1;
}

int
handler_precheck(const struct config *cfg, const struct request *req, enum request_err perr,
    struct response *resp, struct audit_event *ev)
{
	struct rl_verdict v = {0};

	ev->sessions = -1;
	if (req->route == ROUTE_NONE ||
	    (req->route == ROUTE_LOGOUT && !(cfg->endpoints & ENDPOINT_LOGOUT)) ||
	    (req->route == ROUTE_LOGOUT_ALL && !(cfg->endpoints & ENDPOINT_LOGOUT_ALL))) {
		refuse(resp, ev, HERR_NOT_FOUND, "not found");
		return 0;
	}
	if (!refuse_early(cfg, req, perr, resp, ev))
		return 1;
	/* Refused unauthenticated on a limited endpoint: counts per address. */
	rate_limit(cfg, "ip", req->client_ip, util_now(), &v, resp, ev);
	show_limit(resp, &v);
	return 0;
}

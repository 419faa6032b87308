/* SPDX-License-Identifier: ISC */
/*
 * handlers.c — what a logout means (README, "The endpoint contract" and
 * "Compatibility"). A token is valid only while its session row exists,
 * so with signed tokens every action is a statement that both checks and
 * ends sessions: the row count says whether the bearer was still logged
 * in, and the success path is one round trip. Opaque (Sanctum) tokens,
 * and configurations with a user lookup, prove validity with a lookup
 * first; the ending statement then only ends.
 *
 * Every step takes the exchange and returns 0 to go on, or -1 with the
 * outcome written (exchange_refuse).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "body.h"
#include "config.h"
#include "handlers.h"
#include "metrics.h"
#include "ratelimit.h"
#include "sanctum.h"
#include "util.h"

/* The reason of each token_verify failure. */
static const enum reason token_reasons[] = {
    [TOKEN_OK] = REASON_OK,
    [TOKEN_ETOOLONG] = REASON_TOKEN_TOO_LONG,
    [TOKEN_EMALFORMED] = REASON_TOKEN_MALFORMED,
    [TOKEN_EALG] = REASON_TOKEN_ALG,
    [TOKEN_EKID] = REASON_TOKEN_KID,
    [TOKEN_ECRIT] = REASON_TOKEN_CRIT,
    [TOKEN_ESIG] = REASON_TOKEN_SIGNATURE,
    [TOKEN_ECLAIM] = REASON_TOKEN_CLAIM,
    [TOKEN_EEXPIRED] = REASON_TOKEN_EXPIRED,
    [TOKEN_ENOTYET] = REASON_TOKEN_NOT_YET,
    [TOKEN_EIAT] = REASON_TOKEN_IAT,
    [TOKEN_EISS] = REASON_TOKEN_ISSUER,
    [TOKEN_EAUD] = REASON_TOKEN_AUDIENCE,
    [TOKEN_ETYPE] = REASON_TOKEN_TYPE,
    [TOKEN_ELIFETIME] = REASON_TOKEN_LIFETIME,
};

static enum reason
token_reason(enum token_err e)
{
	if ((unsigned)e >= sizeof(token_reasons) / sizeof(token_reasons[0]) || e == TOKEN_OK)
		return REASON_TOKEN_MALFORMED;
	return token_reasons[e];
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
put_str(struct exchange_binds *b, enum sql_param p, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return;
	b->args.v[p].kind = SQLV_STR;
	b->args.v[p].ptr = s;
	b->args.v[p].len = (unsigned long)strlen(s);
	b->present |= 1u << p;
}

static void
put_hash(struct exchange_binds *b, enum sql_param p, const char *s, unsigned char *out)
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
put_uint(struct exchange_binds *b, enum sql_param p, unsigned long long v)
{
	b->args.v[p].kind = SQLV_UINT;
	b->args.v[p].u = v;
	b->present |= 1u << p;
}

/* :now and :created_after, as UTC text; formatted only when a configured
 * statement reads them (the Sanctum ones), not on every request. */
static void
bind_clock(struct exchange *x)
{
	const struct config *cfg = x->cfg;

	if (!(cfg->params_used & ((1u << SQLP_NOW) | (1u << SQLP_CREATED_AFTER))))
		return;
	util_utc_datetime((long long)x->now, x->b.now);
	put_str(&x->b, SQLP_NOW, x->b.now);
	if (cfg->expiration > 0) {
		util_utc_datetime((long long)x->now - cfg->expiration * 60, x->b.created_after);
		put_str(&x->b, SQLP_CREATED_AFTER, x->b.created_after);
	}
}

/* What every request binds before its token is looked at. */
static void
bind_request(struct exchange *x)
{
	struct exchange_binds *b = &x->b;

	memset(b, 0, sizeof(*b));
	put_str(b, SQLP_CLIENT_IP, x->req->client_ip);
	put_str(b, SQLP_USER_AGENT, x->req->user_agent);
	put_str(b, SQLP_TRACE_ID, x->req->trace_id);
	put_str(b, SQLP_TOKENABLE_TYPE, x->cfg->tokenable_type);
	bind_clock(x);
	/* Request facts may be empty (bound as NULL); so may token_id and
	 * created_after. Only token claims can be missing. */
	b->present |= (1u << SQLP_TOKEN_ID) | (1u << SQLP_CLIENT_IP) | (1u << SQLP_USER_AGENT) |
		      (1u << SQLP_CREATED_AFTER);
}

/* The authenticated user and what the token says. */
static void
bind_claims(struct exchange *x)
{
	const struct token_claims *c = &x->claims;
	struct exchange_binds *b = &x->b;
	long long id;

	put_str(b, SQLP_SUB, c->sub);
	if (util_strtonum(c->sub, 0, LLONG_MAX, &id) == 0)
		put_uint(b, SQLP_USER_ID, (unsigned long long)id);
	put_str(b, SQLP_SID, c->sid);
	put_hash(b, SQLP_SID_HASH, c->sid, b->sid_hash);
	put_str(b, SQLP_JTI, c->jti);
	put_hash(b, SQLP_JTI_HASH, c->jti, b->jti_hash);
	if (c->exp > 0)
		put_uint(b, SQLP_EXP, (unsigned long long)c->exp);
}

/* A statement that names a claim the token lacks cannot mean anything. */
static int
has_values_for(const struct exchange *x, enum stmt_id id)
{
	return (x->cfg->stmts[id].used & ~x->b.present) == 0;
}

static int
db_failure(struct exchange *x, enum db_status st)
{
	return exchange_refuse(x, st == DB_UNAVAILABLE ? REASON_DB_UNAVAILABLE : REASON_DB_ERROR);
}

/* The bearer's session was already gone: 401, unless [response]
 * already_logged_out makes that an idempotent success for clients that
 * retry a logout until it succeeds. */
static void
session_gone(struct exchange *x, const char *event)
{
	if (x->cfg->already_logged_out == 401) {
		exchange_refuse(x, REASON_SESSION_GONE);
		return;
	}
	exchange_succeed(x, REASON_ALREADY_LOGGED_OUT, x->route->ok, event, 0);
	if (x->route->ok == RESP_LOGOUT_OK)
		x->out.ok_status = x->cfg->already_logged_out;
}

/* Run one statement. */
static int
run(struct exchange *x, enum stmt_id id, struct db_result *res)
{
	enum db_status st;

	if (!has_values_for(x, id))
		return exchange_refuse(x, REASON_CLAIM_FOR_STMT);
	batch_pass_on(); /* a batch's next request never waits for this statement */
	if ((st = db_exec(x->db, id, &x->b.args, res)) != DB_OK)
		return db_failure(x, st);
	return 0;
}

/* A bound hash as a batch item takes it: NULL when not bound. */
static const unsigned char *
bound_hash(const struct exchange *x, enum sql_param p, unsigned long *len)
{
	const struct sql_value *v = &x->b.args.v[p];

	*len = v->kind == SQLV_BLOB ? v->len : 0;
	return v->kind == SQLV_BLOB ? v->ptr : NULL;
}

/* The batch item of a built-in batched statement: the values it binds. */
static void
batch_item(const struct exchange *x, enum stmt_id id, struct db_batch_item *it)
{
	memset(it, 0, sizeof(*it));
	it->kind = id == STMT_LOGOUT_ALL       ? DB_END_USER
		   : id == STMT_LOGOUT_REFRESH ? DB_END_REFRESH
		   : id == STMT_VERIFY	       ? DB_LIVE_SESSION
					       : DB_END_SESSION;
	it->hash = bound_hash(x, SQLP_SID_HASH, &it->hash_len);
	it->user_id = x->b.args.v[SQLP_USER_ID].u;
	if (it->kind == DB_END_REFRESH) {
		it->refresh_sid = bound_hash(x, SQLP_REFRESH_SID_HASH, &it->refresh_sid_len);
		it->refresh_jti = bound_hash(x, SQLP_REFRESH_JTI_HASH, &it->refresh_jti_len);
	}
}

/* A statement through its batcher when it applies (the built-in logout,
 * logout_refresh, logout_all or verify), else on its own. */
static int
run_batched(struct exchange *x, enum stmt_id id, struct db_result *res)
{
	struct batch *bt = id == STMT_VERIFY ? x->gb : x->bt;
	struct db_batch_item it;
	enum db_status st;
	int uncertain;

	/* The batch binds what the built-in statement binds: the same values. */
	if (bt == NULL || !(x->cfg->batch_stmts & STMTS_BIT(id)) || !has_values_for(x, id))
		return run(x, id, res);
	batch_item(x, id, &it);
	switch (batch_run(bt, x->cfg, &it, res)) {
	case BATCH_DONE:
		return 0;
	case BATCH_UNAVAILABLE:
		return db_failure(x, DB_UNAVAILABLE);
	case BATCH_ALONE:
		break;
	}
	/* Handed back: a lost batch may have ended it already. */
	uncertain = res->uncertain;
	if ((st = db_exec_after_batch(x->db, id, &x->b.args, res)) != DB_OK)
		return db_failure(x, st);
	res->uncertain |= uncertain;
	return 0;
}

/* Run a statement that ends sessions only while the bearer's own session
 * exists (logout, logout_all): with signed tokens and no lookup, none
 * ended means it was already gone. */
static void
end_sessions(struct exchange *x, enum stmt_id id, const char *event)
{
	struct db_result res;

	if (run_batched(x, id, &res) != 0)
		return;
	/* After a lookup proved the bearer valid, none ended is not "gone":
	 * a user may have nothing left to revoke, or a concurrent logout
	 * ended the same token first. */
	if (res.rows == 0 && !res.uncertain && !x->by_lookup) {
		session_gone(x, event);
		return;
	}
	exchange_succeed(x, REASON_OK, x->route->ok, event, (long long)res.rows);
}

/* The refresh token of the body: the same user's, and naming a session. */
static int
bind_refresh(struct exchange *x, const struct logout_body *body)
{
	struct token_claims rc;
	struct exchange_binds *b = &x->b;

	if (token_verify(&x->cfg->keys, &x->cfg->rules, TOKEN_REFRESH, body->refresh_token,
		body->refresh_len, x->now, &rc) != TOKEN_OK)
		return exchange_refuse(x, REASON_REFRESH_INVALID);
	if (strcmp(rc.sub, x->claims.sub) != 0)
		return exchange_refuse(x, REASON_REFRESH_OTHER_USER);
	/* Either may be absent; bound as NULL it matches nothing. */
	put_hash(b, SQLP_REFRESH_JTI_HASH, rc.jti, b->refresh_jti_hash);
	put_hash(b, SQLP_REFRESH_SID_HASH, rc.sid, b->refresh_sid_hash);
	b->present |= (1u << SQLP_REFRESH_JTI_HASH) | (1u << SQLP_REFRESH_SID_HASH);
	if (rc.jti[0] == '\0' && rc.sid[0] == '\0')
		return exchange_refuse(x, REASON_REFRESH_NO_SESSION);
	return 0;
}

/* After a statement that ends sessions only while the bearer's own one
 * exists: none ended means gone, or nothing else to end, which one more
 * query tells when check is set (on this rarer path only). An attempt
 * that may have committed before the connection was lost counts as done. */
static void
settle(struct exchange *x, struct db_result *res, int check, const char *event)
{
	if (check && res->rows == 0 && !res->uncertain) {
		if (run(x, STMT_SESSION_CHECK, res) != 0)
			return;
		if (res->rows == 0) {
			session_gone(x, event);
			return;
		}
		res->rows = 0;
	}
	exchange_succeed(x, REASON_OK, x->route->ok, event, (long long)res->rows);
}

/* Already gone is fine while the bearer is logged in. */
static void
end_refresh_session(struct exchange *x, const struct logout_body *body)
{
	struct db_result res;

	if (bind_refresh(x, body) != 0 || run_batched(x, STMT_LOGOUT_REFRESH, &res) != 0)
		return;
	settle(x, &res, 1, "logout");
}

static int
authenticate_jwt(struct exchange *x, const char *tok, size_t len)
{
	enum token_err terr;

	terr = token_verify(
	    &x->cfg->keys, &x->cfg->rules, TOKEN_ACCESS, tok, len, x->now, &x->claims);
	if (terr != TOKEN_OK)
		return exchange_refuse(x, token_reason(terr));
	return 0;
}

/* Laravel's order: the row by id, then a constant-time compare of the
 * hash; the statement itself leaves out expired rows. */
static int
authenticate_sanctum(struct exchange *x, const char *tok, size_t len)
{
	const char *secret;
	size_t secret_len;
	unsigned long long id;
	struct db_result res;
	long long owner;

	if (sanctum_parse(tok, len, &id, &secret, &secret_len) != 0)
		return exchange_refuse(x, REASON_TOKEN_MALFORMED);
	put_uint(&x->b, SQLP_TOKEN_ID, id);
	if (run(x, STMT_TOKEN_LOOKUP, &res) != 0)
		return -1;
	if (res.rows == 0 || res.ncols < 2 ||
	    !sanctum_matches(res.col[0], res.col_len[0], secret, secret_len))
		return exchange_refuse(x, REASON_TOKEN_UNKNOWN);
	if (db_col_id(&res, 1, &owner) != 0)
		return exchange_refuse(x, REASON_BAD_OWNER_ID);
	memset(&x->claims, 0, sizeof(x->claims));
	snprintf(x->claims.sub, sizeof(x->claims.sub), "%lld", owner);
	x->by_lookup = 1;
	return 0;
}

static int
authenticate(struct exchange *x)
{
	const char *tok;
	size_t len = 0;
	int rc;

	if ((tok = bearer_token(x->req->authorization, &len)) == NULL)
		return exchange_refuse(x, REASON_NO_BEARER);
	if (x->cfg->format == FORMAT_SANCTUM)
		rc = authenticate_sanctum(x, tok, len);
	else
		rc = authenticate_jwt(x, tok, len);
	if (rc != 0)
		return -1;
	bind_claims(x);
	util_strlcpy(x->out.user, x->claims.sub, sizeof(x->out.user));
	return 0;
}

/* [sql] user_lookup: the user must exist (FastAPI's get_current_user);
 * its first column, when numeric, is the :user_id of what follows. */
static int
lookup_user(struct exchange *x)
{
	struct db_result res;
	long long id;

	if (run(x, STMT_USER_LOOKUP, &res) != 0)
		return -1;
	if (res.rows == 0)
		return exchange_refuse(x, REASON_UNKNOWN_USER);
	if (res.ncols > 0 && !res.col_null[0]) {
		if (db_col_id(&res, 0, &id) != 0)
			return exchange_refuse(x, REASON_BAD_USER_ID);
		put_uint(&x->b, SQLP_USER_ID, (unsigned long long)id);
	}
	x->by_lookup = 1;
	return 0;
}

/* What every action needs once the bearer is authenticated: the user
 * exists, and a Sanctum token's last use is stamped. */
static int
admit(struct exchange *x)
{
	struct db_result res;

	if (x->cfg->stmts[STMT_USER_LOOKUP].sql[0] != '\0' && lookup_user(x) != 0)
		return -1;
	if (x->cfg->format == FORMAT_SANCTUM && x->cfg->update_last_used &&
	    !(x->route->flags & ROUTE_NO_WRITE) && run(x, STMT_TOKEN_TOUCH, &res) != 0)
		return -1;
	return 0;
}

/* Per user once authenticated, per client IP while not (so a flood of
 * bad tokens from one address cannot lock a user out). 0 allowed, -1
 * refused (429). */
static int
rate_limit(struct exchange *x, const char *kind, const char *who, struct rl_verdict *v)
{
	char key[TOKEN_CLAIM_MAX + 8];
	int n;

	if (x->rl == NULL || (x->route->flags & ROUTE_UNLIMITED))
		return 0;
	n = snprintf(key, sizeof(key), "%s:%s", kind, who);
	if (n < 0 || (size_t)n >= sizeof(key))
		n = (int)sizeof(key) - 1;
	ratelimit_hit(x->rl, key, (size_t)n, x->cfg->rl_requests, x->cfg->rl_window, x->now, v);
	if (v->allowed)
		return 0;
	exchange_refuse(x, REASON_RATE_LIMITED);
	x->out.retry_after = (int)v->retry_after;
	return -1;
}

/* X-RateLimit-* on an answer the limiter counted. */
static void
show_limit(struct exchange *x, const struct rl_verdict *v)
{
	if (v->limit == 0)
		return;
	x->out.has_limit = 1;
	x->out.limit = v->limit;
	x->out.remaining = v->remaining;
}

static int
refuse_field(struct exchange *x, enum reason r, const char *field, const char *problem)
{
	exchange_refuse(x, r);
	x->out.field = field;
	x->out.problem = problem;
	return -1;
}

static int
read_body(struct exchange *x, struct logout_body *body)
{
	if (x->bodylen > 0 && !request_is_json(x->req->content_type))
		return exchange_refuse(x, REASON_MEDIA_TYPE);
	switch (body_parse(x->body, x->bodylen, body)) {
	case BODY_OK:
		return 0;
	case BODY_EJSON:
		return exchange_refuse(x, REASON_BODY_NOT_JSON);
	case BODY_ENOTOBJECT:
		return refuse_field(x, REASON_BODY_NOT_OBJECT, "body", "must be an object");
	case BODY_EFIELD:
		return refuse_field(x, REASON_BODY_FIELD, body->field, body->problem);
	}
	return exchange_refuse(x, REASON_BODY_NOT_JSON);
}

void
handler_logout_all(struct exchange *x)
{
	end_sessions(x, STMT_LOGOUT_ALL, "logout_all");
}

void
handler_logout(struct exchange *x)
{
	struct logout_body body;

	if (read_body(x, &body) != 0)
		return;
	if (body.all_devices || x->cfg->logout_scope == SCOPE_USER)
		end_sessions(x, STMT_LOGOUT_ALL, "logout_all");
	else if (body.has_refresh && x->cfg->stmts[STMT_LOGOUT_REFRESH].sql[0] == '\0')
		refuse_field(x, REASON_REFRESH_UNSUPPORTED, "refresh_token",
		    "is not supported by this service");
	else if (body.has_refresh)
		end_refresh_session(x, &body);
	else
		end_sessions(x, STMT_LOGOUT, "logout");
}

/* 1 when the database answers; pinged at most once per HEALTH_MAX_AGE_MS
 * (struct health). */
static int
database_reachable(struct exchange *x)
{
	struct health *h = x->health;
	long long now = util_now_ms();
	int ok;

	if (h == NULL)
		return db_ping(x->db) == DB_OK;
	if (atomic_load(&h->checked_ms) != 0 &&
	    now - atomic_load(&h->checked_ms) < HEALTH_MAX_AGE_MS)
		return atomic_load(&h->ok);
	if (pthread_mutex_trylock(&h->mu) != 0) {
		if (atomic_load(&h->checked_ms) != 0)
			return atomic_load(&h->ok); /* another probe is pinging */
		pthread_mutex_lock(&h->mu);
	}
	/* It may have been checked while this one waited for the lock. */
	now = util_now_ms();
	if (atomic_load(&h->checked_ms) == 0 ||
	    now - atomic_load(&h->checked_ms) >= HEALTH_MAX_AGE_MS) {
		atomic_store(&h->ok, db_ping(x->db) == DB_OK);
		atomic_store(&h->checked_ms, util_now_ms());
	}
	ok = atomic_load(&h->ok);
	pthread_mutex_unlock(&h->mu);
	return ok;
}

void
handler_health(struct exchange *x)
{
	exchange_succeed(
	    x, REASON_OK, database_reachable(x) ? RESP_HEALTH_OK : RESP_HEALTH_DOWN, NULL, -1);
}

void
handler_metrics(struct exchange *x)
{
	size_t len;
	char *text;

	if (metrics_render(&text, &len) != 0) {
		exchange_refuse(x, REASON_NO_MEMORY);
		return;
	}
	exchange_succeed_body(x, RESP_METRICS, text, len);
}

/* The gate (README, "Protecting the whole API"): the token passed the
 * same checks as a logout's; the session must still be live. One SELECT
 * (the built-in one shared with the verifies queued meanwhile), or none
 * where a lookup already proved it (Sanctum's token row, a user lookup).
 * Nothing is written and nothing cached: the next request after a logout
 * is refused. */
void
handler_verify(struct exchange *x)
{
	const struct token_claims *c = &x->claims;
	const char *session = c->sid[0] != '\0' ? c->sid : c->jti;
	struct db_result res;
	char id[24];

	if (x->cfg->format == FORMAT_SANCTUM) {
		snprintf(id, sizeof(id), "%llu", x->b.args.v[SQLP_TOKEN_ID].u);
		session = id;
	}
	/* The answer names them in headers: a claim must not add one. */
	if (!util_header_value_ok(c->sub) || !util_header_value_ok(session)) {
		exchange_refuse(x, REASON_CLAIM_FOR_HEADER);
		return;
	}
	if (x->cfg->stmts[STMT_VERIFY].sql[0] != '\0') {
		if (run_batched(x, STMT_VERIFY, &res) != 0)
			return;
		if (res.rows == 0) {
			exchange_refuse(x, REASON_SESSION_GONE);
			return;
		}
	}
	exchange_succeed(x, REASON_OK, RESP_VERIFY_OK, "verify", -1);
	util_strlcpy(x->out.session, session, sizeof(x->out.session));
}

/* Every session of the user but the bearer's, in one statement that ends
 * nothing unless the bearer's own session exists. */
void
handler_logout_others(struct exchange *x)
{
	struct db_result res;

	/* After a lookup proved the bearer, none ended is nothing to end. */
	if (run(x, STMT_LOGOUT_OTHERS, &res) == 0)
		settle(x, &res, !x->by_lookup, "logout_others");
}

void
handler_run(struct exchange *x)
{
	struct rl_verdict v = {0};

	if (!x->route->bearer) {
		x->route->handle(x); /* the operator's routes: no token, no limit */
		return;
	}
	x->now = util_now();
	bind_request(x);
	if (authenticate(x) != 0) {
		/* Only refusals of the token count against the address. */
		if (reason_info(x->out.reason)->err == HERR_UNAUTHORIZED)
			rate_limit(x, "ip", x->req->client_ip, &v);
	} else if (rate_limit(x, "user", x->claims.sub, &v) == 0 && admit(x) == 0)
		x->route->handle(x);
	show_limit(x, &v);
}

/* What the params alone decide: 405, 400 and 413 by CONTENT_LENGTH (not
 * for a route that never reads a body: the gate is asked about requests
 * whose body is the backend's). */
static int
refuse_early(struct exchange *x, enum request_err perr)
{
	if (x->route->methods != METHOD_ANY && !(x->req->method & x->route->methods))
		return exchange_refuse(x, REASON_METHOD);
	if (x->route->flags & ROUTE_NO_BODY)
		return 0;
	if (perr != REQUEST_OK)
		return exchange_refuse(x, REASON_BAD_LENGTH);
	if (x->req->content_length > (long long)x->cfg->max_body)
		return exchange_refuse(x, REASON_TOO_LARGE);
	return 0;
}

int
handler_precheck(struct exchange *x, enum request_err perr)
{
	struct rl_verdict v = {0};

	if (x->route == NULL || !routes_served(x->route, x->cfg))
		return exchange_refuse(x, REASON_NOT_FOUND);
	if (refuse_early(x, perr) == 0)
		return 0;
	if (!x->route->bearer)
		return -1; /* not the API's: never counted against its limit */
	/* Refused unauthenticated on a limited endpoint: counts per address. */
	x->now = util_now();
	rate_limit(x, "ip", x->req->client_ip, &v);
	show_limit(x, &v);
	return -1;
}

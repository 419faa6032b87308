/*
 * handlers.c — what a logout means (SPEC §2). A token is valid only while
 * its session row exists, so every action is a statement that both checks
 * and ends sessions: the row count says whether the bearer was still
 * logged in. That keeps the success path to one round trip.
 */
#include <limits.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "body.h"
#include "handlers.h"
#include "token.h"
#include "util.h"

/* Everything one request binds, with storage for the derived values. */
struct bound {
	struct sql_args args;
	unsigned char sid_hash[crypto_hash_sha256_BYTES];
	unsigned char jti_hash[crypto_hash_sha256_BYTES];
	unsigned char refresh_jti_hash[crypto_hash_sha256_BYTES];
	unsigned char refresh_sid_hash[crypto_hash_sha256_BYTES];
	unsigned int present; /* bit per enum sql_param that has a value */
};

static void
refuse(struct response *resp, struct audit_event *ev, enum http_error err, const char *reason)
{
	response_error(resp, err);
	ev->event = "refused";
	ev->reason = reason;
}

int
handler_precheck(const struct config *cfg, const struct request *req, enum request_err perr,
    struct response *resp, struct audit_event *ev)
{
	ev->sessions = -1;
	if (req->route == ROUTE_NONE) {
		refuse(resp, ev, HERR_NOT_FOUND, "not found");
		return 0;
	}
	if (!req->is_post) {
		refuse(resp, ev, HERR_METHOD, "method not allowed");
		return 0;
	}
	if (perr != REQUEST_OK) {
		refuse(resp, ev, HERR_BAD_REQUEST, "bad content length");
		return 0;
	}
	if (req->content_length > (long long)cfg->max_body) {
		refuse(resp, ev, HERR_TOO_LARGE, "payload too large");
		return 0;
	}
	return 1;
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
bind_request(struct bound *b, const struct request *req, const struct token_claims *c)
{
	long long id;

	memset(b, 0, sizeof(*b));
	put_str(b, SQLP_SUB, c->sub);
	if (util_strtonum(c->sub, 0, LLONG_MAX, &id) == 0) {
		b->args.v[SQLP_USER_ID].kind = SQLV_UINT;
		b->args.v[SQLP_USER_ID].u = (unsigned long long)id;
		b->present |= 1u << SQLP_USER_ID;
	}
	put_str(b, SQLP_SID, c->sid);
	put_hash(b, SQLP_SID_HASH, c->sid, b->sid_hash);
	put_str(b, SQLP_JTI, c->jti);
	put_hash(b, SQLP_JTI_HASH, c->jti, b->jti_hash);
	put_str(b, SQLP_CLIENT_IP, req->client_ip);
	put_str(b, SQLP_USER_AGENT, req->user_agent);
	put_str(b, SQLP_TRACE_ID, req->trace_id);
	/* Request facts may be empty (bound as NULL); token_id has no meaning
	 * for JWTs. Only token claims can be missing. */
	b->present |= (1u << SQLP_TOKEN_ID) | (1u << SQLP_CLIENT_IP) | (1u << SQLP_USER_AGENT);
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
session_gone(struct response *resp, struct audit_event *ev)
{
	refuse(resp, ev, HERR_UNAUTHORIZED, "session gone");
	resp->token_sent = 1;
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

static void
succeed(struct response *resp, struct audit_event *ev, enum resp_kind kind, const char *event,
    unsigned long long rows)
{
	resp->kind = kind;
	ev->event = event;
	ev->sessions = (long long)rows;
	ev->reason = "ok";
}

/* Run a statement that ends sessions only while the bearer's own session
 * exists (logout, logout_all): none ended means it was already gone. */
static void
end_sessions(const struct config *cfg, struct db *db, enum stmt_id id, struct bound *b,
    enum resp_kind ok, const char *event, struct response *resp, struct audit_event *ev)
{
	struct db_result res;

	if (run(cfg, db, id, b, resp, ev, &res) != 0)
		return;
	if (res.rows == 0 && !res.uncertain) {
		session_gone(resp, ev);
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
	    body->refresh_len, time(NULL), &rc);
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
			session_gone(resp, ev);
			return;
		}
		res.rows = 0;
	}
	succeed(resp, ev, RESP_LOGOUT_OK, "logout", res.rows);
}

static int
authenticate(const struct config *cfg, const struct request *req, struct token_claims *claims,
    struct response *resp, struct audit_event *ev)
{
	enum token_err terr;
	const char *tok;
	size_t len = 0;

	if ((tok = bearer_token(req->authorization, &len)) == NULL) {
		refuse(resp, ev, HERR_UNAUTHORIZED, "no bearer token");
		return -1;
	}
	terr = token_verify(&cfg->keys, &cfg->rules, TOKEN_ACCESS, tok, len, time(NULL), claims);
	if (terr != TOKEN_OK) {
		refuse(resp, ev, HERR_UNAUTHORIZED, token_strerror(terr));
		resp->token_sent = 1;
		return -1;
	}
	util_strlcpy(ev->user, claims->sub, sizeof(ev->user));
	return 0;
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

void
handler_run(const struct config *cfg, struct db *db, const struct request *req, const char *buf,
    size_t buflen, struct response *resp, struct audit_event *ev)
{
	struct token_claims claims;
	struct logout_body body;
	struct bound b;

	ev->sessions = -1;
	if (authenticate(cfg, req, &claims, resp, ev) != 0)
		return;
	bind_request(&b, req, &claims);
	if (req->route == ROUTE_LOGOUT_ALL) {
		end_sessions(
		    cfg, db, STMT_LOGOUT_ALL, &b, RESP_LOGOUT_ALL_OK, "logout_all", resp, ev);
		return;
	}
	if (read_body(req, buf, buflen, &body, resp, ev) != 0)
		return;
	if (body.has_refresh && !body.all_devices)
		end_refresh_session(cfg, db, &b, &claims, &body, resp, ev);
	else if (body.all_devices) {
		end_sessions(cfg, db, STMT_LOGOUT_ALL, &b, RESP_LOGOUT_OK, "logout_all", resp, ev);
	} else
		end_sessions(cfg, db, STMT_LOGOUT, &b, RESP_LOGOUT_OK, "logout", resp, ev);
}

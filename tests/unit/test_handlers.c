/* SPDX-License-Identifier: ISC */
/*
 * test_handlers.c — pins src/handlers.c through the request exchange, with
 * the fake database (tests/unit/fake_db.h) in place of db.c: every row of
 * README's "The endpoint contract" (logout with and without a body,
 * refresh_token, all_devices, a session already gone, logout-all), every
 * reason the handlers can give (reason.h; the two that only server.c gives
 * are pinned by the integration suite), what each binds and runs, and that
 * no refusal reaches the database; the same rows again through the group
 * commit (batch.c on the fake), where logout, logout_refresh and
 * logout_all become batch items of their kind with the same answers; the
 * gate (verify, also asked as a FastCGI authorizer) and logout-others; and
 * the operator's routes, health and metrics (no token, no rate limit, one
 * ping a second). One table drives most of it: each row is a request, the
 * database's scripted answers, and the outcome it must get.
 */
#include <time.h>
#include <unistd.h>

#include "unit.h"

#include "batch.h"
#include "exchange.h"
#include "fake_db.h"
#include "handlers.h"
#include "metrics.h"
#include "ratelimit.h"
#include "render.h"
#include "request.h"
#include "routes.h"
#include "sanctum.h"
#include "token.h"

#define PFX	  "/api/v1/auth"
#define SANCTUM_SECRET "s3cretSanctumTokenValue"

/* Token shapes a row can ask for. */
enum tok {
	T_NONE = 0,  /* no Authorization header */
	T_ACCESS,    /* sub 42, sid, jti, typ access */
	T_NO_SID,    /* access without sid */
	T_EXPIRED,
	T_NOT_YET,
	T_IAT_FUTURE,
	T_WRONG_TYPE, /* a refresh token as the bearer */
	T_NO_SUB,
	T_LIFETIME,  /* exp a year ahead */
	T_ISSUER,    /* iss "evil" */
	T_AUDIENCE,  /* aud "evil" */
	T_BAD_SIG,
	T_MALFORMED,
	T_TOO_LONG,
	T_ALG,	     /* header alg HS512 on the HS256 key */
	T_KID,	     /* kid of no key */
	T_CRIT,	     /* a crit header */
	T_SANCTUM,   /* "7|<secret>" */
	T_SANCTUM_BAD, /* no '|' */
	T_SUB_CTRL,  /* a sub with CR LF in it (JSON escapes) */
	T_JTI_ONLY,  /* access with jti but no sid (FastAPI-like with a jti) */
};

/* Bodies by refresh token: R_OK of user 42, R_OTHER of user 43. */
#define BODY_REFRESH	   "{\"refresh_token\":\"@R_OK@\"}"
#define BODY_REFRESH_OTHER "{\"refresh_token\":\"@R_OTHER@\"}"
#define BODY_REFRESH_NOSID "{\"refresh_token\":\"@R_NOSID@\"}"

struct row {
	const char *name;
	const char *conf; /* extra config before the key section */
	const char *method;
	const char *path; /* after PFX */
	enum tok tok;
	const char *ctype;
	const char *body;
	const char *length; /* CONTENT_LENGTH; NULL: the body's */
	/* the database */
	int stmt;	  /* -1: none scripted */
	struct fake_answer ans;
	int stmt2;
	struct fake_answer ans2;
	/* the outcome */
	enum reason reason;
	int status;
	long long sessions;
	const char *event; /* a success's */
	int ran;	   /* the statement that must have run, -1: none at all */
};

/* A path of AUTHZ("/x") is sent with FCGI_ROLE=AUTHORIZER, as libfcgi
 * names a request of role 2. */
#define AUTHZ(path) "@" path

/* What the gate and logout-others rows serve. */
#define VERIFY	       "[server]\nendpoints = logout verify\n"
#define OTHERS	       "[server]\nendpoints = logout logout-others\n"
#define SANCTUM_VERIFY "[server]\nendpoints = logout verify\n[token]\nformat = sanctum\n"
#define LOOKUP_VERIFY                                                          \
	"[server]\nendpoints = logout-all verify\n[token]\naccess_type =\n"      \
	"[sql]\nverify =\n"                                                    \
	"user_lookup = SELECT id FROM users WHERE name = :sub AND :exp > cutoff\n"
#define GONE	       REASON_SESSION_GONE

#define NO_DB -1, {0}, -1, {0}

static const struct row rows[] = {
    /* README, "The endpoint contract": POST {prefix}/logout */
    {"logout", "", "POST", "/logout", T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT, {.rows = 1}, -1,
	{0}, REASON_OK, 204, 1, "logout", STMT_LOGOUT},
    {"logout {}", "", "POST", "/logout", T_ACCESS, "application/json", "{}", NULL, STMT_LOGOUT,
	{.rows = 1}, -1, {0}, REASON_OK, 204, 1, "logout", STMT_LOGOUT},
    {"logout, both members null", "", "POST", "/logout", T_ACCESS, "application/json",
	"{\"refresh_token\":null,\"all_devices\":null}", NULL, STMT_LOGOUT, {.rows = 1}, -1, {0},
	REASON_OK, 204, 1, "logout", STMT_LOGOUT},
    {"logout, refresh_token", "", "POST", "/logout", T_ACCESS, "application/json", BODY_REFRESH,
	NULL, STMT_LOGOUT_REFRESH, {.rows = 1}, -1, {0}, REASON_OK, 204, 1, "logout",
	STMT_LOGOUT_REFRESH},
    {"logout, refresh session already gone", "", "POST", "/logout", T_ACCESS,
	"application/json", BODY_REFRESH, NULL, STMT_LOGOUT_REFRESH, {.rows = 0},
	STMT_SESSION_CHECK, {.rows = 1}, REASON_OK, 204, 0, "logout", STMT_SESSION_CHECK},
    {"logout, refresh token of another user", "", "POST", "/logout", T_ACCESS,
	"application/json", BODY_REFRESH_OTHER, NULL, NO_DB, REASON_REFRESH_OTHER_USER, 403, -1,
	NULL, -1},
    {"logout, all_devices", "", "POST", "/logout", T_ACCESS, "application/json",
	"{\"all_devices\":true}", NULL, STMT_LOGOUT_ALL, {.rows = 3}, -1, {0}, REASON_OK, 204, 3,
	"logout_all", STMT_LOGOUT_ALL},
    {"logout, session already gone", "", "POST", "/logout", T_ACCESS, NULL, NULL, NULL,
	STMT_LOGOUT, {.rows = 0}, -1, {0}, REASON_SESSION_GONE, 401, -1, NULL, STMT_LOGOUT},
    {"logout, session gone with already_logged_out = 200",
	"[response]\nalready_logged_out = 200\n", "POST", "/logout", T_ACCESS, NULL, NULL, NULL,
	STMT_LOGOUT, {.rows = 0}, -1, {0}, REASON_ALREADY_LOGGED_OUT, 200, 0, "logout",
	STMT_LOGOUT},
    {"logout, logout_scope = user", "[response]\nlogout_scope = user\n", "POST", "/logout",
	T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT_ALL, {.rows = 2}, -1, {0}, REASON_OK, 204, 2,
	"logout_all", STMT_LOGOUT_ALL},
    /* POST {prefix}/logout-all */
    {"logout-all", "", "POST", "/logout-all", T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT_ALL,
	{.rows = 3}, -1, {0}, REASON_OK, 200, 3, "logout_all", STMT_LOGOUT_ALL},
    {"logout-all ignores a body", "", "POST", "/logout-all", T_ACCESS, "text/plain", "junk",
	NULL, STMT_LOGOUT_ALL, {.rows = 1}, -1, {0}, REASON_OK, 200, 1, "logout_all",
	STMT_LOGOUT_ALL},
    {"logout-all, session gone", "", "POST", "/logout-all", T_ACCESS, NULL, NULL, NULL,
	STMT_LOGOUT_ALL, {.rows = 0}, -1, {0}, REASON_SESSION_GONE, 401, -1, NULL,
	STMT_LOGOUT_ALL},
    /* What the params decide (README, "Errors": the order of checks) */
    {"unknown path", "", "POST", "/logoutx", T_ACCESS, NULL, NULL, NULL, NO_DB,
	REASON_NOT_FOUND, 404, -1, NULL, -1},
    {"route left out of endpoints", "[server]\nendpoints = logout\n", "POST", "/logout-all",
	T_ACCESS, NULL, NULL, NULL, NO_DB, REASON_NOT_FOUND, 404, -1, NULL, -1},
    {"GET", "", "GET", "/logout", T_ACCESS, NULL, NULL, NULL, NO_DB, REASON_METHOD, 405, -1,
	NULL, -1},
    {"CONTENT_LENGTH not a number", "", "POST", "/logout", T_ACCESS, NULL, NULL, "12x", NO_DB,
	REASON_BAD_LENGTH, 400, -1, NULL, -1},
    {"CONTENT_LENGTH over max_body", "", "POST", "/logout", T_ACCESS, NULL, NULL, "4097",
	NO_DB, REASON_TOO_LARGE, 413, -1, NULL, -1},
    /* The bearer token */
    {"no bearer", "", "POST", "/logout", T_NONE, NULL, NULL, NULL, NO_DB, REASON_NO_BEARER,
	401, -1, NULL, -1},
    {"token too long", "", "POST", "/logout", T_TOO_LONG, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_TOO_LONG, 401, -1, NULL, -1},
    {"malformed token", "", "POST", "/logout", T_MALFORMED, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_MALFORMED, 401, -1, NULL, -1},
    {"alg not the key's", "", "POST", "/logout", T_ALG, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_ALG, 401, -1, NULL, -1},
    {"unknown kid", "", "POST", "/logout", T_KID, NULL, NULL, NULL, NO_DB, REASON_TOKEN_KID,
	401, -1, NULL, -1},
    {"crit header", "", "POST", "/logout", T_CRIT, NULL, NULL, NULL, NO_DB, REASON_TOKEN_CRIT,
	401, -1, NULL, -1},
    {"bad signature", "", "POST", "/logout", T_BAD_SIG, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_SIGNATURE, 401, -1, NULL, -1},
    {"no sub", "", "POST", "/logout", T_NO_SUB, NULL, NULL, NULL, NO_DB, REASON_TOKEN_CLAIM,
	401, -1, NULL, -1},
    {"expired", "", "POST", "/logout", T_EXPIRED, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_EXPIRED, 401, -1, NULL, -1},
    {"not yet valid", "", "POST", "/logout", T_NOT_YET, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_NOT_YET, 401, -1, NULL, -1},
    {"issued in the future", "", "POST", "/logout", T_IAT_FUTURE, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_IAT, 401, -1, NULL, -1},
    {"wrong issuer", "[token]\nissuer = https://auth.example\n", "POST", "/logout", T_ISSUER,
	NULL, NULL, NULL, NO_DB, REASON_TOKEN_ISSUER, 401, -1, NULL, -1},
    {"wrong audience", "[token]\naudience = api\n", "POST", "/logout", T_AUDIENCE, NULL, NULL,
	NULL, NO_DB, REASON_TOKEN_AUDIENCE, 401, -1, NULL, -1},
    {"refresh token as the bearer", "", "POST", "/logout", T_WRONG_TYPE, NULL, NULL, NULL,
	NO_DB, REASON_TOKEN_TYPE, 401, -1, NULL, -1},
    {"lifetime too long", "", "POST", "/logout", T_LIFETIME, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_LIFETIME, 401, -1, NULL, -1},
    {"a claim the statement needs is missing", "", "POST", "/logout", T_NO_SID, NULL, NULL,
	NULL, NO_DB, REASON_CLAIM_FOR_STMT, 401, -1, NULL, -1},
    /* The body */
    {"body not application/json", "", "POST", "/logout", T_ACCESS, "text/plain", "{}", NULL,
	NO_DB, REASON_MEDIA_TYPE, 415, -1, NULL, -1},
    {"body not JSON", "", "POST", "/logout", T_ACCESS, "application/json", "{", NULL, NO_DB,
	REASON_BODY_NOT_JSON, 400, -1, NULL, -1},
    {"body not an object", "", "POST", "/logout", T_ACCESS, "application/json", "[1]", NULL,
	NO_DB, REASON_BODY_NOT_OBJECT, 422, -1, NULL, -1},
    {"all_devices not a boolean", "", "POST", "/logout", T_ACCESS, "application/json",
	"{\"all_devices\":\"yes\"}", NULL, NO_DB, REASON_BODY_FIELD, 422, -1, NULL, -1},
    {"refresh_token not supported", "[sql]\nlogout_refresh =\n", "POST", "/logout", T_ACCESS,
	"application/json", BODY_REFRESH, NULL, NO_DB, REASON_REFRESH_UNSUPPORTED, 422, -1, NULL,
	-1},
    {"refresh token that does not verify", "", "POST", "/logout", T_ACCESS, "application/json",
	"{\"refresh_token\":\"a.b.c\"}", NULL, NO_DB, REASON_REFRESH_INVALID, 401, -1, NULL, -1},
    {"refresh token naming no session", "", "POST", "/logout", T_ACCESS, "application/json",
	BODY_REFRESH_NOSID, NULL, NO_DB, REASON_REFRESH_NO_SESSION, 401, -1, NULL, -1},
    /* The database */
    {"database unavailable", "", "POST", "/logout", T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT,
	{.status = DB_UNAVAILABLE}, -1, {0}, REASON_DB_UNAVAILABLE, 503, -1, NULL, STMT_LOGOUT},
    {"database error", "", "POST", "/logout", T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT,
	{.status = DB_ERROR}, -1, {0}, REASON_DB_ERROR, 500, -1, NULL, STMT_LOGOUT},
    /* [sql] user_lookup */
    {"user lookup finds nobody", "[sql]\nuser_lookup = SELECT id FROM users WHERE name = :sub\n",
	"POST", "/logout", T_ACCESS, NULL, NULL, NULL, STMT_USER_LOOKUP, {.rows = 0}, -1, {0},
	REASON_UNKNOWN_USER, 401, -1, NULL, STMT_USER_LOOKUP},
    {"user lookup id not a number",
	"[sql]\nuser_lookup = SELECT id FROM users WHERE name = :sub\n", "POST", "/logout",
	T_ACCESS, NULL, NULL, NULL, STMT_USER_LOOKUP, {.rows = 1, .ncols = 1, .col = {"x1"}}, -1,
	{0}, REASON_BAD_USER_ID, 500, -1, NULL, STMT_USER_LOOKUP},
    {"user lookup, then nothing left to end",
	"[sql]\nuser_lookup = SELECT id FROM users WHERE name = :sub\n", "POST", "/logout",
	T_ACCESS, NULL, NULL, NULL, STMT_USER_LOOKUP, {.rows = 1, .ncols = 1, .col = {"42"}},
	STMT_LOGOUT, {.rows = 0}, REASON_OK, 204, 0, "logout", STMT_LOGOUT},
    /* format sanctum */
    {"sanctum logout", "[token]\nformat = sanctum\n", "POST", "/logout", T_SANCTUM, NULL, NULL,
	NULL, STMT_TOKEN_LOOKUP, {.rows = 1, .ncols = 2, .col = {"@HASH@", "42"}}, STMT_LOGOUT,
	{.rows = 1}, REASON_OK, 204, 1, "logout", STMT_LOGOUT},
    {"sanctum token not of that shape", "[token]\nformat = sanctum\n", "POST", "/logout",
	T_SANCTUM_BAD, NULL, NULL, NULL, NO_DB, REASON_TOKEN_MALFORMED, 401, -1, NULL, -1},
    {"sanctum token unknown", "[token]\nformat = sanctum\n", "POST", "/logout", T_SANCTUM,
	NULL, NULL, NULL, STMT_TOKEN_LOOKUP, {.rows = 0}, -1, {0}, REASON_TOKEN_UNKNOWN, 401, -1,
	NULL, STMT_TOKEN_LOOKUP},
    {"sanctum secret does not match", "[token]\nformat = sanctum\n", "POST", "/logout",
	T_SANCTUM, NULL, NULL, NULL, STMT_TOKEN_LOOKUP,
	{.rows = 1, .ncols = 2,
	    .col = {"0000000000000000000000000000000000000000000000000000000000000000", "42"}},
	-1, {0}, REASON_TOKEN_UNKNOWN, 401, -1, NULL, STMT_TOKEN_LOOKUP},
    {"sanctum owner not a number", "[token]\nformat = sanctum\n", "POST", "/logout", T_SANCTUM,
	NULL, NULL, NULL, STMT_TOKEN_LOOKUP, {.rows = 1, .ncols = 2, .col = {"@HASH@", "abc"}},
	-1, {0}, REASON_BAD_OWNER_ID, 500, -1, NULL, STMT_TOKEN_LOOKUP},

    /* The gate: {prefix}/verify (README, "Protecting the whole API") */
    {"verify", VERIFY, "GET", "/verify", T_ACCESS, NULL, NULL, NULL, STMT_VERIFY, {.rows = 1},
	-1, {0}, REASON_OK, 204, -1, "verify", STMT_VERIFY},
    {"verify, any method", VERIFY, "DELETE", "/verify", T_ACCESS, NULL, NULL, NULL,
	STMT_VERIFY, {.rows = 1}, -1, {0}, REASON_OK, 204, -1, "verify", STMT_VERIFY},
    {"verify, no method at all", VERIFY, NULL, "/verify", T_ACCESS, NULL, NULL, NULL,
	STMT_VERIFY, {.rows = 1}, -1, {0}, REASON_OK, 204, -1, "verify", STMT_VERIFY},
    {"verify, the guarded request's body is not its business", VERIFY, "POST", "/verify",
	T_ACCESS, "text/plain", "junk", "99999", STMT_VERIFY, {.rows = 1}, -1, {0}, REASON_OK,
	204, -1, "verify", STMT_VERIFY},
    {"verify, CONTENT_LENGTH not a number", VERIFY, "PUT", "/verify", T_ACCESS, NULL, NULL,
	"12x", STMT_VERIFY, {.rows = 1}, -1, {0}, REASON_OK, 204, -1, "verify", STMT_VERIFY},
    {"verify, session gone or expired", VERIFY, "GET", "/verify", T_ACCESS, NULL, NULL, NULL,
	STMT_VERIFY, {.rows = 0}, -1, {0}, GONE, 401, -1, NULL, STMT_VERIFY},
    {"verify, session gone is 401 whatever already_logged_out says",
	VERIFY "[response]\nalready_logged_out = 200\n", "GET", "/verify", T_ACCESS, NULL, NULL,
	NULL, STMT_VERIFY, {.rows = 0}, -1, {0}, GONE, 401, -1, NULL, STMT_VERIFY},
    {"verify, database unavailable: fail closed", VERIFY, "GET", "/verify", T_ACCESS, NULL,
	NULL, NULL, STMT_VERIFY, {.status = DB_UNAVAILABLE}, -1, {0}, REASON_DB_UNAVAILABLE, 503,
	-1, NULL, STMT_VERIFY},
    {"verify, database error", VERIFY, "GET", "/verify", T_ACCESS, NULL, NULL, NULL,
	STMT_VERIFY, {.status = DB_ERROR}, -1, {0}, REASON_DB_ERROR, 500, -1, NULL, STMT_VERIFY},
    {"verify, no bearer", VERIFY, "GET", "/verify", T_NONE, NULL, NULL, NULL, NO_DB,
	REASON_NO_BEARER, 401, -1, NULL, -1},
    {"verify, bad signature", VERIFY, "GET", "/verify", T_BAD_SIG, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_SIGNATURE, 401, -1, NULL, -1},
    {"verify, expired", VERIFY, "GET", "/verify", T_EXPIRED, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_EXPIRED, 401, -1, NULL, -1},
    {"verify, a refresh token", VERIFY, "GET", "/verify", T_WRONG_TYPE, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_TYPE, 401, -1, NULL, -1},
    {"verify, unknown kid", VERIFY, "GET", "/verify", T_KID, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_KID, 401, -1, NULL, -1},
    {"verify, a sub that would split a header", VERIFY, "GET", "/verify", T_SUB_CTRL, NULL,
	NULL, NULL, NO_DB, REASON_CLAIM_FOR_HEADER, 401, -1, NULL, -1},
    {"verify, a token without sid", VERIFY, "GET", "/verify", T_NO_SID, NULL, NULL, NULL,
	NO_DB, REASON_CLAIM_FOR_STMT, 401, -1, NULL, -1},
    {"verify is off by default", "", "GET", "/verify", T_ACCESS, NULL, NULL, NULL, NO_DB,
	REASON_NOT_FOUND, 404, -1, NULL, -1},
    {"verify at [server] verify_path", VERIFY "verify_path = /check\n", "GET", "/check",
	T_ACCESS, NULL, NULL, NULL, STMT_VERIFY, {.rows = 1}, -1, {0}, REASON_OK, 204, -1,
	"verify", STMT_VERIFY},
    {"verify's default path is gone once moved", VERIFY "verify_path = /check\n", "GET",
	"/verify", T_ACCESS, NULL, NULL, NULL, NO_DB, REASON_NOT_FOUND, 404, -1, NULL, -1},
    {"verify, sanctum: the token row is the check", SANCTUM_VERIFY, "GET", "/verify",
	T_SANCTUM, NULL, NULL, NULL, STMT_TOKEN_LOOKUP,
	{.rows = 1, .ncols = 2, .col = {"@HASH@", "42"}}, -1, {0}, REASON_OK, 204, -1, "verify",
	STMT_TOKEN_LOOKUP},
    {"verify, sanctum: no last_used_at stamp", SANCTUM_VERIFY "update_last_used = yes\n",
	"GET", "/verify", T_SANCTUM, NULL, NULL, NULL, STMT_TOKEN_LOOKUP,
	{.rows = 1, .ncols = 2, .col = {"@HASH@", "42"}}, -1, {0}, REASON_OK, 204, -1, "verify",
	STMT_TOKEN_LOOKUP},
    {"verify, sanctum token revoked or expired", SANCTUM_VERIFY, "GET", "/verify", T_SANCTUM,
	NULL, NULL, NULL, STMT_TOKEN_LOOKUP, {.rows = 0}, -1, {0}, REASON_TOKEN_UNKNOWN, 401, -1,
	NULL, STMT_TOKEN_LOOKUP},
    {"verify, a user lookup alone (the fastapi profile)", LOOKUP_VERIFY, "GET", "/verify",
	T_JTI_ONLY, NULL, NULL, NULL, STMT_USER_LOOKUP, {.rows = 1, .ncols = 1, .col = {"42"}},
	-1, {0}, REASON_OK, 204, -1, "verify", STMT_USER_LOOKUP},
    {"verify, the user lookup finds nobody (or a cut-off)", LOOKUP_VERIFY, "GET", "/verify",
	T_JTI_ONLY, NULL, NULL, NULL, STMT_USER_LOOKUP, {.rows = 0}, -1, {0},
	REASON_UNKNOWN_USER, 401, -1, NULL, STMT_USER_LOOKUP},
    /* The gate asked as a FastCGI authorizer (role 2), on any path */
    {"authorizer", VERIFY, "GET", AUTHZ("/app/orders/7"), T_ACCESS, NULL, NULL, NULL, STMT_VERIFY,
	{.rows = 1}, -1, {0}, REASON_OK, 200, -1, "verify", STMT_VERIFY},
    {"authorizer, no path at all", VERIFY, "POST", AUTHZ(""), T_ACCESS, NULL, NULL, NULL, STMT_VERIFY,
	{.rows = 1}, -1, {0}, REASON_OK, 200, -1, "verify", STMT_VERIFY},
    {"authorizer, a logout path is still the gate", VERIFY, "POST", AUTHZ("/logout"), T_ACCESS, NULL,
	NULL, NULL, STMT_VERIFY, {.rows = 0}, -1, {0}, GONE, 401, -1, NULL, STMT_VERIFY},
    {"authorizer, bad signature", VERIFY, "GET", AUTHZ("/app"), T_BAD_SIG, NULL, NULL, NULL, NO_DB,
	REASON_TOKEN_SIGNATURE, 401, -1, NULL, -1},
    {"authorizer, database unavailable", VERIFY, "GET", AUTHZ("/app"), T_ACCESS, NULL, NULL, NULL,
	STMT_VERIFY, {.status = DB_UNAVAILABLE}, -1, {0}, REASON_DB_UNAVAILABLE, 503, -1, NULL,
	STMT_VERIFY},
    {"authorizer while verify is not served", "", "GET", AUTHZ("/app"), T_ACCESS, NULL, NULL, NULL,
	NO_DB, REASON_NOT_FOUND, 404, -1, NULL, -1},
    /* POST {prefix}/logout-others */
    {"logout-others", OTHERS, "POST", "/logout-others", T_ACCESS, NULL, NULL, NULL,
	STMT_LOGOUT_OTHERS, {.rows = 2}, -1, {0}, REASON_OK, 200, 2, "logout_others",
	STMT_LOGOUT_OTHERS},
    {"logout-others ignores a body", OTHERS, "POST", "/logout-others", T_ACCESS, "text/plain",
	"junk", NULL, STMT_LOGOUT_OTHERS, {.rows = 1}, -1, {0}, REASON_OK, 200, 1,
	"logout_others", STMT_LOGOUT_OTHERS},
    {"logout-others, the bearer's is the only session", OTHERS, "POST", "/logout-others",
	T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT_OTHERS, {.rows = 0}, STMT_SESSION_CHECK,
	{.rows = 1}, REASON_OK, 200, 0, "logout_others", STMT_SESSION_CHECK},
    {"logout-others, the bearer's session gone", OTHERS, "POST", "/logout-others", T_ACCESS,
	NULL, NULL, NULL, STMT_LOGOUT_OTHERS, {.rows = 0}, STMT_SESSION_CHECK, {.rows = 0}, GONE,
	401, -1, NULL, STMT_SESSION_CHECK},
    {"logout-others, session gone with already_logged_out = 200",
	OTHERS "[response]\nalready_logged_out = 200\n", "POST", "/logout-others", T_ACCESS, NULL,
	NULL, NULL, STMT_LOGOUT_OTHERS, {.rows = 0}, STMT_SESSION_CHECK, {.rows = 0},
	REASON_ALREADY_LOGGED_OUT, 200, 0, "logout_others", STMT_SESSION_CHECK},
    {"logout-others, lost connection after the commit", OTHERS, "POST", "/logout-others",
	T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT_OTHERS, {.rows = 0, .uncertain = 1}, -1, {0},
	REASON_OK, 200, 0, "logout_others", STMT_LOGOUT_OTHERS},
    {"logout-others, sanctum: every other token row", OTHERS "[token]\nformat = sanctum\n",
	"POST", "/logout-others", T_SANCTUM, NULL, NULL, NULL, STMT_TOKEN_LOOKUP,
	{.rows = 1, .ncols = 2, .col = {"@HASH@", "42"}}, STMT_LOGOUT_OTHERS, {.rows = 0},
	REASON_OK, 200, 0, "logout_others", STMT_LOGOUT_OTHERS},
    {"logout-others, database unavailable", OTHERS, "POST", "/logout-others", T_ACCESS, NULL,
	NULL, NULL, STMT_LOGOUT_OTHERS, {.status = DB_UNAVAILABLE}, -1, {0},
	REASON_DB_UNAVAILABLE, 503, -1, NULL, STMT_LOGOUT_OTHERS},
    {"logout-others, GET", OTHERS, "GET", "/logout-others", T_ACCESS, NULL, NULL, NULL, NO_DB,
	REASON_METHOD, 405, -1, NULL, -1},
    {"logout-others is off by default", "", "POST", "/logout-others", T_ACCESS, NULL, NULL,
	NULL, NO_DB, REASON_NOT_FOUND, 404, -1, NULL, -1},
};

/* ---- tokens --------------------------------------------------------------- */

static const struct key *
main_key(const struct config *cfg)
{
	return &cfg->keys.keys[cfg->keys.defkey];
}

static void
mint(const struct config *cfg, const char *payload, char *out, size_t cap)
{
	ck_assert_int_gt(token_sign(main_key(cfg), 1, payload, out, cap), 0);
}

/* A token of shape t into out ("" for T_NONE). */
static void
make_token(const struct config *cfg, enum tok t, char *out, size_t cap)
{
	long long now = (long long)time(NULL);
	const struct key *k = main_key(cfg);
	char p[512];

	snprintf(p, sizeof(p),
	    "{\"sub\":\"42\",\"sid\":\"s-1\",\"jti\":\"j-1\",\"typ\":\"access\",\"iat\":%lld,"
	    "\"exp\":%lld}",
	    now, now + 600);
	out[0] = '\0';
	switch (t) {
	case T_NONE:
		return;
	case T_ACCESS:
		break;
	case T_NO_SID:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"typ\":\"access\",\"exp\":%lld}", now + 600);
		break;
	case T_EXPIRED:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"exp\":%lld}", now - 3600);
		break;
	case T_NOT_YET:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"nbf\":%lld,\"exp\":%lld}",
		    now + 3600, now + 7200);
		break;
	case T_IAT_FUTURE:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"iat\":%lld,\"exp\":%lld}",
		    now + 3600, now + 7200);
		break;
	case T_WRONG_TYPE:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"typ\":\"refresh\",\"exp\":%lld}",
		    now + 600);
		break;
	case T_NO_SUB:
		snprintf(p, sizeof(p), "{\"sid\":\"s\",\"typ\":\"access\",\"exp\":%lld}", now + 600);
		break;
	case T_LIFETIME:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"exp\":%lld}",
		    now + 400LL * 86400);
		break;
	case T_ISSUER:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"iss\":\"evil\",\"exp\":%lld}",
		    now + 600);
		break;
	case T_AUDIENCE:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"sid\":\"s\",\"aud\":\"evil\",\"exp\":%lld}",
		    now + 600);
		break;
	case T_MALFORMED:
		snprintf(out, cap, "not-a-token");
		return;
	case T_TOO_LONG:
		ck_assert_uint_gt(cap, TOKEN_MAX_LEN + 2);
		memset(out, 'a', TOKEN_MAX_LEN + 1);
		out[TOKEN_MAX_LEN + 1] = '\0';
		return;
	case T_ALG:
		unit_craft("{\"alg\":\"HS512\",\"kid\":\"main\"}", p, KEY_HS512, k->secret,
		    k->secret_len, out, cap);
		return;
	case T_KID:
		unit_craft("{\"alg\":\"HS256\",\"kid\":\"nope\"}", p, KEY_HS256, k->secret,
		    k->secret_len, out, cap);
		return;
	case T_CRIT:
		unit_craft("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", p, KEY_HS256, k->secret,
		    k->secret_len, out, cap);
		return;
	case T_BAD_SIG:
		mint(cfg, p, out, cap);
		out[strlen(out) - 2] = out[strlen(out) - 2] == 'A' ? 'B' : 'A';
		return;
	case T_SANCTUM:
		snprintf(out, cap, "7|%s", SANCTUM_SECRET);
		return;
	case T_SANCTUM_BAD:
		snprintf(out, cap, "%s", SANCTUM_SECRET);
		return;
	case T_SUB_CTRL:
		snprintf(p, sizeof(p),
		    "{\"sub\":\"42\\r\\nX-Auth-User: 1\",\"sid\":\"s-1\",\"typ\":\"access\","
		    "\"exp\":%lld}",
		    now + 600);
		break;
	case T_JTI_ONLY:
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"jti\":\"j-7\",\"exp\":%lld}", now + 600);
		break;
	}
	mint(cfg, p, out, cap);
}

/* Replace @NAME@ placeholders of a body with refresh tokens. */
static void
expand_body(const struct config *cfg, const char *in, char *out, size_t cap)
{
	long long now = (long long)time(NULL);
	char tok[1024], p[256];
	const char *at;

	snprintf(out, cap, "%s", in);
	if ((at = strchr(in, '@')) == NULL)
		return;
	if (!strncmp(at, "@R_OK@", 6))
		snprintf(p, sizeof(p),
		    "{\"sub\":\"42\",\"sid\":\"s-1\",\"jti\":\"rj-1\",\"typ\":\"refresh\",\"exp\":%lld}",
		    now + 600);
	else if (!strncmp(at, "@R_OTHER@", 9))
		snprintf(p, sizeof(p),
		    "{\"sub\":\"43\",\"sid\":\"s-9\",\"jti\":\"rj-9\",\"typ\":\"refresh\",\"exp\":%lld}",
		    now + 600);
	else
		snprintf(p, sizeof(p), "{\"sub\":\"42\",\"typ\":\"refresh\",\"exp\":%lld}", now + 600);
	mint(cfg, p, tok, sizeof(tok));
	snprintf(out, cap, "{\"refresh_token\":\"%s\"}", tok);
}

/* ---- one request ---------------------------------------------------------- */

struct served {
	struct config *cfg;
	struct request req;
	struct exchange x;
	char auth[TOKEN_MAX_LEN + 64];
	char path[256];
	char body[2048];
	char length[32];
	int status;
};

/* The health route's cache serve() hands the exchange (NULL: none), and
 * what the database's ping answers. */
static struct health *serve_health;
static enum db_status serve_ping = DB_OK;
/* Serve through a batch committer of the request's configuration; whose
 * answer hands the item back to its own statement when serve_alone. */
static int serve_batched, serve_alone;

/* The statement of the row that may be batched (an ending or verify), or -1. */
static int
batched_stmt(const struct row *r)
{
	int ids[2] = {r->stmt, r->stmt2}, i;

	for (i = 0; i < 2; i++)
		if (ids[i] == STMT_LOGOUT || ids[i] == STMT_LOGOUT_REFRESH ||
		    ids[i] == STMT_LOGOUT_ALL || ids[i] == STMT_VERIFY)
			return ids[i];
	return -1;
}

/* The batch answers what the batched statement would have. */
static void
script_batch(const struct row *r)
{
	const struct fake_answer *a = batched_stmt(r) == r->stmt ? &r->ans : &r->ans2;

	if (batched_stmt(r) >= 0)
		fake_db_batch_answer(
		    a->status, a->uncertain, (const int[]){serve_alone ? -1 : (int)a->rows}, 1);
}

/* The answer's column 0 "@HASH@": the stored hash of SANCTUM_SECRET. */
static void
script(int stmt, const struct fake_answer *a)
{
	static char hash[SANCTUM_HASH_HEX + 1];
	struct fake_answer copy = *a;

	if (stmt < 0)
		return;
	if (copy.ncols > 0 && copy.col[0] != NULL && !strcmp(copy.col[0], "@HASH@")) {
		sanctum_hash_hex(SANCTUM_SECRET, strlen(SANCTUM_SECRET), hash);
		copy.col[0] = hash;
	}
	fake_db_push(stmt, &copy);
}

static void
serve(struct served *s, const struct row *r, struct ratelimit *rl)
{
	char text[1024], tok[TOKEN_MAX_LEN + 8];
	struct unit_param params[10];
	enum request_err perr;
	int authorizer = r->path[0] == '@', n = 0;

	snprintf(text, sizeof(text), "%s%s", r->conf, UNIT_KEY_SECTION);
	if (rl != NULL)
		snprintf(text, sizeof(text),
		    "%s[rate_limit]\nenabled = yes\nrequests = 1\nwindow = 60\nfile = /dev/null\n"
		    "%s",
		    r->conf, UNIT_KEY_SECTION);
	s->cfg = unit_config(text);
	make_token(s->cfg, r->tok, tok, sizeof(tok));
	snprintf(s->path, sizeof(s->path), PFX "%s", r->path + authorizer);
	expand_body(s->cfg, r->body ? r->body : "", s->body, sizeof(s->body));
	/* libfcgi puts the role first, as it does for every request. */
	if (authorizer)
		params[n++] = (struct unit_param){"FCGI_ROLE", "AUTHORIZER"};
	if (r->method != NULL)
		params[n++] = (struct unit_param){"REQUEST_METHOD", r->method};
	params[n++] = (struct unit_param){"DOCUMENT_URI", s->path};
	params[n++] = (struct unit_param){"REMOTE_ADDR", "192.0.2.1"};
	if (r->tok != T_NONE) {
		snprintf(s->auth, sizeof(s->auth), "Bearer %s", tok);
		params[n++] = (struct unit_param){"HTTP_AUTHORIZATION", s->auth};
	}
	if (r->ctype != NULL)
		params[n++] = (struct unit_param){"CONTENT_TYPE", r->ctype};
	snprintf(s->length, sizeof(s->length), "%zu", strlen(s->body));
	params[n++] = (struct unit_param){"CONTENT_LENGTH", r->length ? r->length : s->length};
	params[n] = (struct unit_param){NULL, NULL};

	fake_db_reset();
	script(r->stmt, &r->ans);
	script(r->stmt2, &r->ans2);
	if (serve_batched)
		script_batch(r);
	fake_db_ping_answer(serve_ping);
	perr = request_parse(&s->req, s->cfg, unit_get, params);
	exchange_init(&s->x, s->cfg, &s->req);
	s->x.db = db_open(s->cfg, 0);
	if (serve_batched) {
		ck_assert_ptr_nonnull(s->x.bt = batch_start(s->cfg, BATCH_LOGOUTS));
		ck_assert_ptr_nonnull(s->x.gb = batch_start(s->cfg, BATCH_VERIFIES));
	}
	s->x.rl = rl;
	s->x.health = serve_health;
	if (handler_precheck(&s->x, perr) == 0) {
		s->x.body = s->body;
		s->x.bodylen = strlen(s->body);
		handler_run(&s->x);
	}
	s->status = render_status(s->cfg, &s->x.out);
}

static void
served_free(struct served *s)
{
	batch_stop(s->x.bt);
	batch_stop(s->x.gb);
	exchange_end(&s->x);
	db_close(s->x.db);
	config_free(s->cfg);
}

/* ---- the table ------------------------------------------------------------ */

/* The outcome the row wants, and nothing written that it should not. */
static void
check_outcome(const struct row *r, const struct served *s)
{
	ck_assert_msg(s->x.out.reason == r->reason, "%s: reason \"%s\", want \"%s\"", r->name,
	    reason_info(s->x.out.reason)->text, reason_info(r->reason)->text);
	ck_assert_msg(s->status == r->status, "%s: status %d, want %d", r->name, s->status,
	    r->status);
	ck_assert_msg(s->x.out.sessions == r->sessions, "%s: sessions %lld, want %lld", r->name,
	    s->x.out.sessions, r->sessions);
	if (r->event != NULL)
		ck_assert_str_eq(s->x.out.event, r->event);
	/* A refusal writes nothing, nor does the gate; a success named its
	 * user. */
	if (exchange_refused(&s->x) && r->reason != REASON_DB_UNAVAILABLE &&
	    r->reason != REASON_DB_ERROR && r->reason != REASON_SESSION_GONE)
		ck_assert_uint_eq(fake_db_writes(), 0);
	if (s->x.route != NULL && s->x.route->id == ROUTE_VERIFY)
		ck_assert_msg(fake_db_writes() == 0, "%s: the gate wrote", r->name);
	if (!exchange_refused(&s->x))
		ck_assert_str_eq(s->x.out.user, "42");
}

/* The row's statement ran once (or nothing did), stmt excepted: it was
 * not run on its own. */
static void
check_ran(const struct row *r, int stmt)
{
	if (r->ran < 0)
		ck_assert_msg(fake_db_ncalls() == 0, "%s: %zu database calls, want none", r->name,
		    fake_db_ncalls());
	else if (r->ran != stmt)
		ck_assert_msg(fake_db_count(FAKE_EXEC, r->ran) == 1, "%s: %s ran %zu times",
		    r->name, stmts_name(r->ran), fake_db_count(FAKE_EXEC, r->ran));
}

START_TEST(contract_row)
{
	const struct row *r = &rows[_i];
	static struct served s;

	serve(&s, r, NULL);
	check_outcome(r, &s);
	check_ran(r, -1);
	served_free(&s);
}
END_TEST

/* The kind of batch item each batched statement becomes. */
static enum db_batch_kind
kind_of(int stmt)
{
	return stmt == STMT_LOGOUT_ALL	     ? DB_END_USER
	       : stmt == STMT_LOGOUT_REFRESH ? DB_END_REFRESH
	       : stmt == STMT_VERIFY	     ? DB_LIVE_SESSION
					     : DB_END_SESSION;
}

/* Every row again with both batchers on: the same outcome, its ending or
 * verify statement (when the configuration batches it) one item of its
 * kind in one batch instead, run on its own only when the batch hands it
 * back. */
START_TEST(contract_row_batched)
{
	const struct row *r = &rows[_i];
	static struct served s;
	static struct fake_call c;
	int stmt = batched_stmt(r), batched;

	serve_batched = 1;
	serve(&s, r, NULL);
	serve_batched = 0;
	check_outcome(r, &s);
	batched = stmt >= 0 && (s.cfg->batch_stmts & STMTS_BIT(stmt));
	check_ran(r, batched ? stmt : -1);
	batch_stop(s.x.bt); /* the committers' calls are all in the log now */
	batch_stop(s.x.gb);
	s.x.bt = s.x.gb = NULL;
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), (size_t)batched);
	if (!batched) {
		served_free(&s);
		return;
	}
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, stmt), 0);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_AFTER_BATCH, stmt),
	    (size_t)((stmt == r->stmt ? r->ans : r->ans2).status == DB_ERROR));
	for (size_t i = 0; fake_db_call(i, &c); i++)
		if (c.kind == FAKE_BATCH) {
			ck_assert_uint_eq(c.nitems, 1);
			ck_assert_int_eq(c.items[0].kind, kind_of(stmt));
			ck_assert_uint_eq(c.items[0].user_id, 42);
		}
	served_free(&s);
}
END_TEST

/* Every reason the handlers give is some row's; the two decided in
 * server.c (a body shorter than CONTENT_LENGTH, no memory) are not. */
START_TEST(every_reason_has_a_row)
{
	unsigned char seen[REASON_COUNT] = {0};
	size_t i;
	int r;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		seen[rows[i].reason] = 1;
	seen[REASON_SHORT_BODY] = seen[REASON_NO_MEMORY] = 1;
	seen[REASON_RATE_LIMITED] = 1; /* rate_limited below */
	for (r = 0; r < REASON_COUNT; r++)
		ck_assert_msg(seen[r], "no row for reason \"%s\"", reason_info(r)->text);
}
END_TEST

/* ---- details -------------------------------------------------------------- */

static const struct row *
row_named(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	ck_abort_msg("no row %s", name);
	return NULL;
}

/* v is bound to the SHA-256 of the claim text. */
static void
assert_hash_of(const struct fake_value *v, const char *text)
{
	unsigned char want[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(want, (const unsigned char *)text, strlen(text));
	ck_assert_int_eq(v->kind, SQLV_BLOB);
	ck_assert_uint_eq(v->len, sizeof(want));
	ck_assert_mem_eq(v->data, want, sizeof(want));
}

/* The first statement the row runs, checked to be stmt. */
static const struct fake_call *
first_call(const char *row, int stmt, struct served *s)
{
	static struct fake_call c;

	serve(s, row_named(row), NULL);
	ck_assert(fake_db_call(0, &c));
	ck_assert_int_eq(c.id, stmt);
	return &c;
}

START_TEST(logout_binds_the_session)
{
	static struct served s;
	const struct fake_call *c = first_call("logout", STMT_LOGOUT, &s);

	ck_assert_int_eq(c->args[SQLP_USER_ID].kind, SQLV_UINT);
	ck_assert_uint_eq(c->args[SQLP_USER_ID].u, 42);
	assert_hash_of(&c->args[SQLP_SID_HASH], "s-1");
	served_free(&s);
}
END_TEST

START_TEST(refresh_binds_both_sessions)
{
	static struct served s;
	const struct fake_call *c = first_call("logout, refresh_token", STMT_LOGOUT_REFRESH, &s);

	assert_hash_of(&c->args[SQLP_REFRESH_JTI_HASH], "rj-1");
	assert_hash_of(&c->args[SQLP_REFRESH_SID_HASH], "s-1");
	assert_hash_of(&c->args[SQLP_SID_HASH], "s-1");
	served_free(&s);
}
END_TEST

/* Through the batch, the refresh-token logout's item carries what its
 * statement binds: the bearer's session, the refresh token's sid and jti. */
START_TEST(batched_refresh_binds_both_sessions)
{
	static struct served s;
	static struct fake_call c;
	unsigned char want[crypto_hash_sha256_BYTES];

	serve_batched = 1;
	serve(&s, row_named("logout, refresh_token"), NULL);
	serve_batched = 0;
	batch_stop(s.x.bt);
	s.x.bt = NULL;
	ck_assert_int_eq(s.status, 204);
	ck_assert(fake_db_call(0, &c));
	ck_assert_int_eq(c.kind, FAKE_BATCH);
	ck_assert_int_eq(c.items[0].kind, DB_END_REFRESH);
	crypto_hash_sha256(want, (const unsigned char *)"s-1", 3);
	ck_assert_mem_eq(c.items[0].hash, want, sizeof(want));
	ck_assert_int_eq(c.items[0].refresh_sid_len, (long)sizeof(want));
	ck_assert_mem_eq(c.items[0].refresh_sid, want, sizeof(want));
	crypto_hash_sha256(want, (const unsigned char *)"rj-1", 4);
	ck_assert_int_eq(c.items[0].refresh_jti_len, (long)sizeof(want));
	ck_assert_mem_eq(c.items[0].refresh_jti, want, sizeof(want));
	served_free(&s);
}
END_TEST

/* An item the batch hands back runs its own statement: the answer is that
 * statement's. */
START_TEST(batched_item_handed_back)
{
	static struct served s;

	serve_batched = serve_alone = 1;
	serve(&s, row_named("logout, refresh_token"), NULL);
	serve_batched = serve_alone = 0;
	ck_assert_int_eq(s.status, 204);
	ck_assert_int_eq(s.x.out.sessions, 1);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 1);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, STMT_LOGOUT_REFRESH), 0);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_AFTER_BATCH, STMT_LOGOUT_REFRESH), 1);
	served_free(&s);
	/* ...whose none ended is settled as ever: the session check. */
	serve_batched = serve_alone = 1;
	serve(&s, row_named("logout, refresh session already gone"), NULL);
	serve_batched = serve_alone = 0;
	ck_assert_int_eq(s.status, 204);
	ck_assert_int_eq(s.x.out.sessions, 0);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_AFTER_BATCH, STMT_LOGOUT_REFRESH), 1);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, STMT_SESSION_CHECK), 1);
	served_free(&s);
}
END_TEST

/* A statement of the file's own is never batched: the batch is written
 * for the built-in one. */
START_TEST(batched_only_builtin_statements)
{
	static struct served s;
	struct row r = *row_named("logout-all");

	r.conf = "[sql]\nlogout_all = DELETE FROM user_sessions WHERE user_id = :user_id\n";
	serve_batched = 1;
	serve(&s, &r, NULL);
	serve_batched = 0;
	ck_assert_int_eq(s.status, 200);
	ck_assert_int_eq(s.x.out.sessions, 3);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 0);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, STMT_LOGOUT_ALL), 1);
	served_free(&s);
}
END_TEST

START_TEST(uncertain_counts_as_done)
{
	static const struct row r = {"lost connection after commit", "", "POST", "/logout",
	    T_ACCESS, NULL, NULL, NULL, STMT_LOGOUT, {.rows = 0, .uncertain = 1}, -1, {0},
	    REASON_OK, 204, 0, "logout", STMT_LOGOUT};
	static struct served s;

	serve(&s, &r, NULL);
	ck_assert_int_eq(s.x.out.reason, REASON_OK);
	ck_assert_int_eq(s.status, 204);
	served_free(&s);
}
END_TEST

static char rl_path[64];

/* A fresh limiter state file (the rows say requests = 1 per window); a
 * new name each time, as tests may share the process (CK_FORK=no). */
static struct ratelimit *
limiter(void)
{
	struct ratelimit *rl;
	char err[256];
	int fd;

	snprintf(rl_path, sizeof(rl_path), "/tmp/test_handlers.rl.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(rl_path), 0);
	close(fd);
	unlink(rl_path);
	ck_assert_ptr_nonnull(rl = ratelimit_open(rl_path, 1024, err, sizeof(err)));
	return rl;
}

START_TEST(rate_limited)
{
	static struct served s;
	struct ratelimit *rl = limiter();

	/* requests = 1: the user's second logout is refused, unread. */
	serve(&s, row_named("logout"), rl);
	ck_assert_int_eq(s.x.out.reason, REASON_OK);
	ck_assert_int_eq(s.x.out.has_limit, 1);
	served_free(&s);
	serve(&s, row_named("logout"), rl);
	ck_assert_int_eq(s.x.out.reason, REASON_RATE_LIMITED);
	ck_assert_int_eq(s.status, 429);
	ck_assert_int_ge(s.x.out.retry_after, 1);
	ck_assert_uint_eq(fake_db_ncalls(), 0);
	served_free(&s);
	/* A bad token counts against the address, not the user. */
	serve(&s, row_named("no bearer"), rl);
	ck_assert_int_eq(s.x.out.reason, REASON_NO_BEARER);
	served_free(&s);
	serve(&s, row_named("no bearer"), rl);
	ck_assert_int_eq(s.x.out.reason, REASON_RATE_LIMITED);
	served_free(&s);
	ratelimit_close(rl);
	unlink(rl_path);
}
END_TEST

/* ---- the operator's routes: health and metrics ------------------------------ */

#define OPS_CONF                                                                               \
	"[server]\nhealth_path = " PFX "/health\nmetrics_path = " PFX "/metrics\n"

static const struct row health_get = {"GET health", OPS_CONF, "GET", "/health", T_NONE, NULL,
    NULL, NULL, NO_DB, REASON_OK, 200, -1, NULL, -1};

/* The rendered answer of s, NUL-terminated, with what follows the head. */
static void
rendered(struct served *s, char *out, size_t cap)
{
	const char *tail;
	size_t tlen = 0;
	int n;

	s->x.out.status = s->status;
	n = render_response(s->cfg, s->x.route, &s->x.out, s->req.trace_id, out, cap);
	ck_assert_int_gt(n, 0);
	if ((tail = render_tail(&s->x.out, &tlen)) != NULL) {
		ck_assert_uint_lt((size_t)n + tlen, cap);
		memcpy(out + n, tail, tlen);
		n += (int)tlen;
	}
	out[n] = '\0';
}

START_TEST(health_ok_pings_the_database)
{
	static struct served s;
	char out[2048];

	serve(&s, &health_get, NULL);
	ck_assert_int_eq(s.x.out.reason, REASON_OK);
	ck_assert_int_eq(s.status, 200);
	ck_assert_uint_eq(fake_db_count(FAKE_PING, -1), 1);
	ck_assert_uint_eq(fake_db_ncalls(), 1); /* the ping, nothing else */
	rendered(&s, out, sizeof(out));
	ck_assert_has(out, "Status: 200 OK\r\n");
	ck_assert_has(out, "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n"
			   "{\"status\":\"ok\"}");
	ck_assert_lacks(out, "X-RateLimit");
	ck_assert_str_eq(s.x.out.user, ""); /* no token was looked at */
	served_free(&s);
}
END_TEST

START_TEST(verify_binds_the_session)
{
	static struct served s;
	const struct fake_call *c = first_call("verify", STMT_VERIFY, &s);

	ck_assert_uint_eq(c->args[SQLP_USER_ID].u, 42);
	assert_hash_of(&c->args[SQLP_SID_HASH], "s-1");
	ck_assert_uint_eq(fake_db_ncalls(), 1);
	ck_assert_str_eq(s.x.out.user, "42");
	ck_assert_str_eq(s.x.out.session, "s-1");
	ck_assert_int_eq(s.x.out.authorizer, 0);
	/* Its "yes" is not audited (once per API request); a "no" is. */
	ck_assert_int_eq(exchange_audited(&s.x), 0);
	served_free(&s);
	serve(&s, row_named("verify, session gone or expired"), NULL);
	ck_assert_int_eq(exchange_audited(&s.x), 1);
	served_free(&s);
	serve(&s, row_named("logout"), NULL);
	ck_assert_int_eq(exchange_audited(&s.x), 1);
	served_free(&s);
}
END_TEST

/* Without a sid the gate names the token by its jti; a user lookup may
 * compare the token's exp with a per-user cut-off. */
START_TEST(verify_by_lookup)
{
	static struct served s;
	const struct fake_call *c =
	    first_call("verify, a user lookup alone (the fastapi profile)", STMT_USER_LOOKUP, &s);

	ck_assert_int_eq(c->args[SQLP_EXP].kind, SQLV_UINT);
	ck_assert_uint_gt(c->args[SQLP_EXP].u, (unsigned long long)time(NULL));
	ck_assert_str_eq(s.x.out.session, "j-7");
	served_free(&s);
}
END_TEST

START_TEST(verify_sanctum_names_the_token)
{
	static struct served s;

	serve(&s, row_named("verify, sanctum: no last_used_at stamp"), NULL);
	ck_assert_int_eq(s.x.out.reason, REASON_OK);
	ck_assert_str_eq(s.x.out.session, "7");
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, STMT_TOKEN_TOUCH), 0);
	ck_assert_uint_eq(fake_db_writes(), 0);
	served_free(&s);
}
END_TEST

START_TEST(health_down_is_503)
{
	static struct served s;
	char out[2048];

	serve_ping = DB_UNAVAILABLE;
	serve(&s, &health_get, NULL);
	serve_ping = DB_OK;
	ck_assert_uint_eq(fake_db_count(FAKE_PING, -1), 1);
	ck_assert_int_eq(s.status, 503);
	ck_assert(!exchange_refused(&s.x)); /* its own body, not an error's */
	rendered(&s, out, sizeof(out));
	ck_assert_has(out, "Status: 503 Service Unavailable\r\n");
	ck_assert_has(out, "Content-Length: 24\r\n\r\n{\"status\":\"unavailable\"}");
	served_free(&s);
}
END_TEST

START_TEST(authorizer_is_the_gate)
{
	static struct served s;

	serve(&s, row_named("authorizer"), NULL);
	ck_assert_int_eq(s.x.out.authorizer, 1);
	ck_assert_ptr_eq(s.x.route, routes_get(ROUTE_VERIFY));
	ck_assert_str_eq(s.x.out.session, "s-1");
	served_free(&s);
}
END_TEST

/* Concurrent or repeated probes within a second share one ping. */
START_TEST(health_pings_once_a_second)
{
	static struct served s;
	struct health h = HEALTH_INIT;
	int i;

	serve_health = &h;
	serve(&s, &health_get, NULL);
	ck_assert_uint_eq(fake_db_count(FAKE_PING, -1), 1);
	served_free(&s);
	for (i = 0; i < 5; i++) {
		/* serve() resets the fake's counts; the cache is the process's */
		serve(&s, &health_get, NULL);
		ck_assert_int_eq(s.status, 200);
		ck_assert_uint_eq(fake_db_count(FAKE_PING, -1), 0);
		served_free(&s);
	}
	/* once stale, the next probe pings again */
	atomic_store(&h.checked_ms, atomic_load(&h.checked_ms) - HEALTH_MAX_AGE_MS);
	serve(&s, &health_get, NULL);
	ck_assert_uint_eq(fake_db_count(FAKE_PING, -1), 1);
	served_free(&s);
	serve_health = NULL;
}
END_TEST

START_TEST(health_head_and_405)
{
	static struct served s;
	struct row r = health_get;
	char out[2048];

	r.method = "HEAD";
	serve(&s, &r, NULL);
	ck_assert_int_eq(s.status, 200);
	rendered(&s, out, sizeof(out));
	ck_assert_has(out, "Content-Length: 15\r\n\r\n");
	ck_assert_lacks(out, "{");
	served_free(&s);

	r.method = "POST";
	r.tok = T_ACCESS;
	serve(&s, &r, NULL);
	ck_assert_int_eq(s.x.out.reason, REASON_METHOD);
	ck_assert_int_eq(s.status, 405);
	ck_assert_uint_eq(fake_db_ncalls(), 0);
	rendered(&s, out, sizeof(out));
	ck_assert_has(out, "Allow: GET, HEAD\r\n");
	served_free(&s);
}
END_TEST

START_TEST(logout_others_binds)
{
	static struct served s;
	static struct fake_call second;
	const struct fake_call *c = first_call("logout-others", STMT_LOGOUT_OTHERS, &s);

	ck_assert_uint_eq(c->args[SQLP_USER_ID].u, 42);
	assert_hash_of(&c->args[SQLP_SID_HASH], "s-1");
	served_free(&s);
	first_call("logout-others, sanctum: every other token row", STMT_TOKEN_LOOKUP, &s);
	ck_assert(fake_db_call(1, &second));
	ck_assert_int_eq(second.id, STMT_LOGOUT_OTHERS);
	ck_assert_uint_eq(second.args[SQLP_TOKEN_ID].u, 7);
	ck_assert_uint_eq(second.args[SQLP_USER_ID].u, 42);
	served_free(&s);
}
END_TEST

/* Off by default: the paths are 404s like any other. */
START_TEST(operator_routes_off_by_default)
{
	static struct served s;
	struct row r = health_get;

	r.conf = "";
	serve(&s, &r, NULL);
	ck_assert_int_eq(s.x.out.reason, REASON_NOT_FOUND);
	ck_assert_int_eq(s.status, 404);
	ck_assert_uint_eq(fake_db_ncalls(), 0);
	served_free(&s);
	r.path = "/metrics";
	serve(&s, &r, NULL);
	ck_assert_int_eq(s.status, 404);
	served_free(&s);
}
END_TEST

START_TEST(metrics_route_answers_the_exposition)
{
	static struct served s;
	struct row r = health_get;
	char out[65536];

	ck_assert_int_eq(metrics_open(1, out, sizeof(out)), 0);
	metrics_process_start(2, 1);
	metrics_request_end(metrics_request_begin(), ROUTE_LOGOUT, 204, REASON_OK, 1);
	r.path = "/metrics";
	serve(&s, &r, NULL);
	ck_assert_int_eq(s.status, 200);
	ck_assert_uint_eq(fake_db_ncalls(), 0);
	ck_assert_ptr_nonnull(s.x.out.body);
	rendered(&s, out, sizeof(out));
	ck_assert_has(out, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n");
	ck_assert_has(out, "\r\n\r\n# HELP logout_fcgi_requests_total ");
	ck_assert_has(out, "\nlogout_fcgi_requests_total{route=\"logout\",status=\"204\"} 1\n");
	{
		char want[64];

		snprintf(want, sizeof(want), "Content-Length: %zu\r\n", s.x.out.body_len);
		ck_assert_has(out, want);
	}
	served_free(&s);
	/* HEAD: the same head, no body */
	r.method = "HEAD";
	serve(&s, &r, NULL);
	ck_assert_int_eq(s.status, 200);
	rendered(&s, out, sizeof(out));
	ck_assert_lacks(out, "# HELP");
	served_free(&s);
	metrics_close();
}
END_TEST

/* Neither route counts against the logout limit: not even a 405. */
START_TEST(operator_routes_are_not_rate_limited)
{
	static struct served s;
	struct row r = health_get;
	struct ratelimit *rl = limiter();
	int i;

	for (i = 0; i < 3; i++) {
		r.method = i == 2 ? "POST" : "GET";
		serve(&s, &r, rl);
		ck_assert_int_eq(s.status, i == 2 ? 405 : 200);
		ck_assert_int_eq(s.x.out.has_limit, 0);
		served_free(&s);
	}
	/* requests = 1: the address's one request is still there */
	serve(&s, row_named("no bearer"), rl);
	ck_assert_int_eq(s.x.out.reason, REASON_NO_BEARER);
	served_free(&s);
	ratelimit_close(rl);
	unlink(rl_path);
}
END_TEST

START_TEST(operator_route_paths_are_checked)
{
	static const char *const bad[] = {
	    "[server]\nhealth_path = /api/v1/auth/logout\n",
	    "[server]\nhealth_path = /x\nmetrics_path = /x\n",
	    "[server]\nhealth_path = health\n",
	    "[server]\nmetrics_path = /metrics?x=1\n",
	    "[server]\nendpoints = logout health\n",
	};
	char text[512], err[512];
	struct config *cfg;
	size_t i;

	setenv("LOGOUT_UNIT_SECRET", UNIT_SECRET, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", bad[i], UNIT_KEY_SECTION);
		cfg = config_load_string(text, "unit.conf", err, sizeof(err));
		ck_assert_msg(cfg == NULL, "accepted: %s", bad[i]);
	}
	/* a logout path left out of endpoints is free for another route */
	snprintf(text, sizeof(text), "[server]\nendpoints = logout\nhealth_path = %s\n%s",
	    PFX "/logout-all", UNIT_KEY_SECTION);
	cfg = config_load_string(text, "unit.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	config_free(cfg);
}
END_TEST

/* The gate guards every API request: never counted, never limited. */
START_TEST(gate_not_rate_limited)
{
	static struct served s;
	struct ratelimit *rl = limiter();

	for (int i = 0; i < 3; i++) {
		serve(&s, row_named("verify"), rl);
		ck_assert_int_eq(s.x.out.reason, REASON_OK);
		ck_assert_int_eq(s.x.out.has_limit, 0);
		served_free(&s);
		serve(&s, row_named("verify, bad signature"), rl);
		ck_assert_int_eq(s.x.out.reason, REASON_TOKEN_SIGNATURE);
		served_free(&s);
	}
	/* ... nor does it spend a logout's allowance (requests = 1). */
	serve(&s, row_named("logout"), rl);
	ck_assert_int_eq(s.x.out.reason, REASON_OK);
	served_free(&s);
	ratelimit_close(rl);
	unlink(rl_path);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("handlers");
	TCase *tc = tcase_create("contract");

	tcase_add_loop_test(tc, contract_row, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_loop_test(tc, contract_row_batched, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, every_reason_has_a_row);
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "details", logout_binds_the_session, refresh_binds_both_sessions,
	    batched_refresh_binds_both_sessions, batched_item_handed_back,
	    batched_only_builtin_statements,
	    uncertain_counts_as_done, rate_limited);
	UNIT_TCASE(s, "operator routes", health_ok_pings_the_database, health_down_is_503,
	    health_pings_once_a_second, health_head_and_405, operator_routes_off_by_default,
	    metrics_route_answers_the_exposition, operator_routes_are_not_rate_limited,
	    operator_route_paths_are_checked);
	UNIT_TCASE(s, "gate", verify_binds_the_session, verify_by_lookup,
	    verify_sanctum_names_the_token, authorizer_is_the_gate, logout_others_binds,
	    gate_not_rate_limited);
	return s;
}

UNIT_MAIN(suite)

/* SPDX-License-Identifier: ISC */
/*
 * stmts.c — every built-in statement in one place. The [sql] keys only
 * replace these texts; what the service does with a statement (and which
 * ones it needs) is decided here from the configuration, so config.c never
 * has to know a statement by its SQL.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "routes.h"
#include "stmts.h"

_Static_assert(ROUTE_COUNT + 3 <= STMTS_NEED_MAX,
    "a need per route, logout-others' session check and two settings");

/* Built-in native-schema statements (README, "Sessions and SQL"). */
static const char *const jwt_sql[STMT_COUNT] = {
    [STMT_LOGOUT] = "DELETE FROM user_sessions WHERE session_hash = :sid_hash "
		    "AND user_id = :user_id",
    /* The refresh token's session by its sid, or by its jti for tokens
     * that carry no sid; a rotated (older) refresh token still names its
     * session through the sid. */
    [STMT_LOGOUT_REFRESH] = "DELETE FROM user_sessions WHERE user_id = :user_id AND "
			    "(session_hash = :refresh_sid_hash OR refresh_jti_hash = "
			    ":refresh_jti_hash) AND EXISTS (SELECT 1 FROM user_sessions b "
			    "WHERE b.session_hash = :sid_hash AND b.user_id = :user_id)",
    [STMT_SESSION_CHECK] = "SELECT 1 FROM user_sessions WHERE session_hash = :sid_hash "
			   "AND user_id = :user_id",
    [STMT_LOGOUT_ALL] = "DELETE FROM user_sessions WHERE user_id = :user_id AND EXISTS "
			"(SELECT 1 FROM user_sessions b WHERE b.session_hash = :sid_hash "
			"AND b.user_id = :user_id)",
    [STMT_USER_LOOKUP] = "",
    [STMT_TOKEN_LOOKUP] = "",
    [STMT_TOKEN_TOUCH] = "",
    /* NOW() as the admin tool's FROM_UNIXTIME wrote expires_at: both in
     * the connection's time zone. */
    [STMT_VERIFY] = "SELECT 1 FROM user_sessions WHERE session_hash = :sid_hash "
		    "AND user_id = :user_id AND expires_at > NOW()",
    /* Nothing ends unless the bearer's own session exists, so a revoked
     * token cannot end the sessions that are left. */
    [STMT_LOGOUT_OTHERS] = "DELETE FROM user_sessions WHERE user_id = :user_id AND "
			   "session_hash <> :sid_hash AND EXISTS (SELECT 1 FROM "
			   "user_sessions b WHERE b.session_hash = :sid_hash AND "
			   "b.user_id = :user_id)",
};

/* Built-in statements for Laravel's personal_access_tokens table. Expiry
 * is compared with the worker's clock in UTC, as Laravel stores it. */
static const char *const sanctum_sql[STMT_COUNT] = {
    [STMT_LOGOUT] = "DELETE FROM personal_access_tokens WHERE id = :token_id",
    [STMT_LOGOUT_REFRESH] = "",
    [STMT_SESSION_CHECK] = "",
    [STMT_LOGOUT_ALL] = "DELETE FROM personal_access_tokens WHERE tokenable_type = "
			":tokenable_type AND tokenable_id = :user_id",
    [STMT_USER_LOOKUP] = "",
    [STMT_TOKEN_LOOKUP] = "SELECT token, tokenable_id FROM personal_access_tokens WHERE "
			  "id = :token_id AND tokenable_type = :tokenable_type AND "
			  "(expires_at IS NULL OR expires_at > :now) AND "
			  "(:created_after IS NULL OR created_at > :created_after)",
    [STMT_TOKEN_TOUCH] = "UPDATE personal_access_tokens SET last_used_at = :now "
			 "WHERE id = :token_id",
    /* token_lookup already proved the token live, expiry included. */
    [STMT_VERIFY] = "",
    [STMT_LOGOUT_OTHERS] = "DELETE FROM personal_access_tokens WHERE tokenable_type = "
			   ":tokenable_type AND tokenable_id = :user_id AND id <> :token_id",
};

static const char *const jwt_admin_sql[ADMIN_STMT_COUNT] = {
    [ADMIN_STMT_CREATE_SESSION] = "INSERT INTO user_sessions (user_id, session_hash, "
				  "refresh_jti_hash, expires_at) VALUES (:user_id, "
				  ":sid_hash, :refresh_jti_hash, FROM_UNIXTIME(:expires_at))",
    [ADMIN_STMT_FORCE_LOGOUT] = "DELETE FROM user_sessions WHERE user_id = :user_id",
    [ADMIN_STMT_CREATE_TOKEN] = "",
};

static const char *const sanctum_admin_sql[ADMIN_STMT_COUNT] = {
    [ADMIN_STMT_CREATE_SESSION] = "",
    [ADMIN_STMT_FORCE_LOGOUT] = "DELETE FROM personal_access_tokens WHERE tokenable_type = "
				":tokenable_type AND tokenable_id = :user_id",
    [ADMIN_STMT_CREATE_TOKEN] = "INSERT INTO personal_access_tokens (tokenable_type, "
				"tokenable_id, name, token, abilities, expires_at, "
				"created_at, updated_at) VALUES (:tokenable_type, :user_id, "
				":token_name, :token_hash, '[\"*\"]', :expires_at, :now, :now)",
};

static const char *const stmt_names[STMT_COUNT] = {
    [STMT_LOGOUT] = "logout",
    [STMT_LOGOUT_REFRESH] = "logout_refresh",
    [STMT_SESSION_CHECK] = "session_check",
    [STMT_LOGOUT_ALL] = "logout_all",
    [STMT_USER_LOOKUP] = "user_lookup",
    [STMT_TOKEN_LOOKUP] = "token_lookup",
    [STMT_TOKEN_TOUCH] = "token_touch",
    [STMT_VERIFY] = "verify",
    [STMT_LOGOUT_OTHERS] = "logout_others",
};

/* Statements that only one route runs (its route id + 1; 0: shared). */
static const int owner_route[STMT_COUNT] = {
    [STMT_VERIFY] = ROUTE_VERIFY + 1,
    [STMT_LOGOUT_OTHERS] = ROUTE_LOGOUT_OTHERS + 1,
};

static const char *const admin_stmt_names[ADMIN_STMT_COUNT] = {
    [ADMIN_STMT_CREATE_SESSION] = "create_session",
    [ADMIN_STMT_FORCE_LOGOUT] = "force_logout",
    [ADMIN_STMT_CREATE_TOKEN] = "create_token",
};

const char *
stmts_name(enum stmt_id id)
{
	return (unsigned)id < STMT_COUNT ? stmt_names[id] : "?";
}

const char *
stmts_admin_name(enum admin_stmt_id id)
{
	return (unsigned)id < ADMIN_STMT_COUNT ? admin_stmt_names[id] : "?";
}

const char *
stmts_builtin(enum token_format format, enum stmt_id id)
{
	if ((unsigned)id >= STMT_COUNT)
		return "";
	return format == FORMAT_SANCTUM ? sanctum_sql[id] : jwt_sql[id];
}

const char *
stmts_default(const struct config *cfg, enum stmt_id id)
{
	if ((unsigned)id >= STMT_COUNT)
		return "";
	if (owner_route[id] != 0 && !(cfg->endpoints & ROUTE_BIT(owner_route[id] - 1)))
		return "";
	return stmts_builtin(cfg->format, id);
}

const char *
stmts_admin_builtin(enum token_format format, enum admin_stmt_id id)
{
	if ((unsigned)id >= ADMIN_STMT_COUNT)
		return "";
	return format == FORMAT_SANCTUM ? sanctum_admin_sql[id] : jwt_admin_sql[id];
}

int
stmts_compile(const char *text, int serving, struct sql_text *out, char *err, size_t errlen)
{
	/* What only the admin tool can bind: the worker has no value for them. */
	const unsigned int admin_only =
	    (1u << SQLP_EXPIRES_AT) | (1u << SQLP_TOKEN_HASH) | (1u << SQLP_TOKEN_NAME);

	if (sqlparam_compile(text, out, err, errlen) != 0)
		return -1;
	if (serving && (out->used & admin_only)) {
		snprintf(err, errlen,
		    ":expires_at, :token_hash and :token_name are only for admin statements");
		return -1;
	}
	return 0;
}

size_t
stmts_required(const struct config *cfg, struct stmts_need need[STMTS_NEED_MAX])
{
	/* A lookup that proves the bearer valid (Sanctum's token row, a user
	 * lookup) settles what a row count would otherwise have to. */
	int lookup = cfg->format == FORMAT_SANCTUM || cfg->stmts[STMT_USER_LOOKUP].sql[0] != '\0';
	size_t n = 0;
	int i;

	for (i = 0; i < ROUTE_COUNT; i++) {
		const struct route *r = routes_get(i);

		if (!(cfg->endpoints & ROUTE_BIT(i)))
			continue;
		/* The gate may prove a session by the lookup alone. */
		if (r->stmt == STMT_VERIFY && lookup)
			continue;
		need[n++] = (struct stmts_need){
		    r->stmt == STMT_LOGOUT && cfg->logout_scope == SCOPE_USER ? STMT_LOGOUT_ALL
									      : r->stmt,
		    "", r->name};
		/* Nothing ended may mean the bearer is gone or alone. */
		if (r->stmt == STMT_LOGOUT_OTHERS && !lookup)
			need[n++] = (struct stmts_need){STMT_SESSION_CHECK, "", r->name};
	}
	if (cfg->format == FORMAT_SANCTUM)
		need[n++] = (struct stmts_need){STMT_TOKEN_LOOKUP, "format is sanctum", NULL};
	if (cfg->update_last_used)
		need[n++] = (struct stmts_need){STMT_TOKEN_TOUCH, "update_last_used is on", NULL};
	return n;
}

/* The statements a batch item can stand for (db.h, enum db_batch_kind). */
static const enum stmt_id batch_ids[] = {
    STMT_LOGOUT, STMT_LOGOUT_REFRESH, STMT_LOGOUT_ALL, STMT_VERIFY};

unsigned int
stmts_batchable(const struct config *cfg)
{
	struct sql_text def;
	unsigned int bits = 0;
	char err[200];
	size_t i;

	if (cfg->format != FORMAT_JWT)
		return 0;
	/* Compared compiled, so spacing and line breaks in the file do not
	 * matter, only the statement. */
	for (i = 0; i < sizeof(batch_ids) / sizeof(batch_ids[0]); i++)
		if ((batch_ids[i] == STMT_VERIFY ? cfg->gate_batch : cfg->batch) &&
		    sqlparam_compile(jwt_sql[batch_ids[i]], &def, err, sizeof(err)) == 0 &&
		    strcmp(def.sql, cfg->stmts[batch_ids[i]].sql) == 0)
			bits |= STMTS_BIT(batch_ids[i]);
	return bits;
}

/*
 * In the templates '#' stands for n placeholders, '@' for n pairs, '&' for
 * n triples.
 *
 * Sessions: the plain IN lets the optimizer use the unique index on
 * session_hash; the row IN keeps a request from ending another user's
 * session. A triple ends the bearer's session only while it carries the
 * refresh token's jti: then it is all that token's own statement would
 * end (the jti is unique), and db.c hands any other case back to that
 * statement.
 *
 * Verify: the sessions form's plain IN and row IN, read instead of
 * deleted, under the built-in verify's expiry condition; an autocommit
 * SELECT reads what was committed when it starts, so a verify queued after
 * a logout's answer sees that logout.
 *
 * Mixed: each item's own statement, OR'd, where every condition names the
 * item's user, so items of different users cannot touch each other's rows.
 * The outer IN of user ids gives the optimizer the user_id index: a
 * single-table DELETE does not turn a subquery into a join, so rows named
 * only through one would be a scan of the table. The EXISTS refers to the
 * row's own user, and its pairs keep one user's token from vouching for
 * another's session; MariaDB reads it before deleting anything, as each
 * item's statement would alone.
 */
static const char *const batch_templates[STMTS_BATCH_FORMS] = {
    [STMTS_BATCH_SESSIONS] = "DELETE FROM user_sessions WHERE session_hash IN (#) AND "
			     "((session_hash, user_id) IN (@) OR (session_hash, user_id, "
			     "refresh_jti_hash) IN (&)) RETURNING user_id, session_hash",
    [STMTS_BATCH_MIXED] = "DELETE FROM user_sessions WHERE user_id IN (#) AND "
			  "((session_hash, user_id) IN (@) OR (refresh_jti_hash, user_id) IN "
			  "(@) OR user_id IN (#)) AND EXISTS (SELECT 1 FROM user_sessions b "
			  "WHERE b.user_id = user_sessions.user_id AND (b.session_hash, "
			  "b.user_id) IN (@)) RETURNING user_id, session_hash",
    [STMTS_BATCH_VERIFY] = "SELECT user_id, session_hash FROM user_sessions WHERE "
			   "session_hash IN (#) AND (session_hash, user_id) IN (@) AND "
			   "expires_at > NOW()",
};

/* Append s (len bytes) to out: 0, or -1 when it does not fit. */
static int
append(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (n >= cap - *len)
		return -1;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

int
stmts_batch_sql(enum stmts_batch_form form, size_t n, char *out, size_t cap)
{
	const char *t;
	size_t len = 0, i;

	if (n == 0 || cap == 0 || (unsigned)form >= STMTS_BATCH_FORMS)
		return -1;
	out[0] = '\0';
	for (t = batch_templates[form]; *t != '\0'; t++) {
		const char *elem = *t == '#'   ? "?"
				   : *t == '@' ? "(?,?)"
				   : *t == '&' ? "(?,?,?)"
					       : NULL;

		if (elem == NULL) {
			if (append(out, cap, &len, t, 1) != 0)
				return -1;
			continue;
		}
		for (i = 0; i < n; i++)
			if ((i > 0 && append(out, cap, &len, ",", 1) != 0) ||
			    append(out, cap, &len, elem, strlen(elem)) != 0)
				return -1;
	}
	return (int)len;
}

/* SPDX-License-Identifier: ISC */
/*
 * stmts.h — the statements the service and the admin tool run: their
 * names (the [sql] keys), the built-in text of each token format, the
 * batched statement's text, which statements a configuration cannot do
 * without, and which of its endings may be batched (README, "Sessions and
 * SQL" and "Database failures").
 */
#ifndef LOGOUT_STMTS_H
#define LOGOUT_STMTS_H

#include <stddef.h>

#include "sqlparam.h"

struct config;

enum stmt_id {
	STMT_LOGOUT = 0,     /* end the bearer's session; 0 rows = session gone */
	STMT_LOGOUT_REFRESH, /* end the refresh token's session if the bearer's exists */
	STMT_SESSION_CHECK,  /* does the bearer's session exist (slow path only) */
	STMT_LOGOUT_ALL,     /* end every session of the user if the bearer's exists */
	STMT_USER_LOOKUP,    /* optional: the user must exist; column 1 becomes :user_id */
	STMT_TOKEN_LOOKUP,   /* format sanctum: the token row (hash, owner) by id */
	STMT_TOKEN_TOUCH,    /* format sanctum, update_last_used: stamp last_used_at */
	STMT_VERIFY,	     /* the gate: a row while the bearer's session is live */
	STMT_LOGOUT_OTHERS,  /* end the user's other sessions if the bearer's exists */
	STMT_COUNT
};

/* Statements used only by the admin tool. */
enum admin_stmt_id {
	ADMIN_STMT_CREATE_SESSION = 0,
	ADMIN_STMT_FORCE_LOGOUT,
	ADMIN_STMT_CREATE_TOKEN, /* format sanctum: a personal access token row */
	ADMIN_STMT_COUNT
};

/* The format picks the built-in statements, so it lives with them. */
enum token_format { FORMAT_JWT = 0, FORMAT_SANCTUM };

/* The [sql] key of a statement; "?" for an id out of range. */
const char *stmts_name(enum stmt_id id);
const char *stmts_admin_name(enum admin_stmt_id id);

/* The built-in text of a statement for a format; "" when the format has
 * none (the statement is then not run unless the file gives one). */
const char *stmts_builtin(enum token_format format, enum stmt_id id);

/* The text a statement has when the file leaves it out: the built-in one,
 * but "" for a statement that only a route not served would run, so that
 * nothing a configuration does not use is prepared (cfg's format and
 * endpoints must be set). */
const char *stmts_default(const struct config *cfg, enum stmt_id id);
const char *stmts_admin_builtin(enum token_format format, enum admin_stmt_id id);

/* Compile a statement's text. A serving statement may not name the admin
 * tool's parameters. 0, or -1 with the problem in err. */
int stmts_compile(const char *text, int serving, struct sql_text *out, char *err, size_t errlen);

/* A statement the configuration runs, and why it does. */
struct stmts_need {
	enum stmt_id id;
	const char *why;   /* the setting that needs it, or "" for a route's */
	const char *route; /* the route served that needs it, or NULL */
};

/* The statements cfg cannot run without (endpoints, scope, format, options),
 * into need[] (at most STMTS_NEED_MAX); returns how many. */
#define STMTS_NEED_MAX 16
size_t stmts_required(const struct config *cfg, struct stmts_need need[STMTS_NEED_MAX]);

/* The statements the batches may run in place of cfg's, as STMTS_BIT()s:
 * the format is jwt, and of logout, logout_refresh and logout_all (when
 * [server] batch is on) and verify (when gate_batch is) each one whose
 * text is the built-in one (however the file spelled it), since the
 * batched statements are written for exactly those. 0: nothing is
 * batched. */
#define STMTS_BIT(id) (1u << (unsigned)(id))
unsigned int stmts_batchable(const struct config *cfg);

/* The shapes of the batched statement for n items (db.h, struct
 * db_batch_item), each returning user_id and session_hash of every session
 * it ended (or, the gate's, found live):
 *
 * STMTS_BATCH_SESSIONS, for items that each end the bearer's own session:
 * binds n session hashes, then n (session hash, user id) pairs of the
 * sessions that end as they are (logout), then n (session hash, user id,
 * refresh jti hash) triples of those that end only while they carry that
 * refresh token's jti (a refresh-token logout of the bearer's session).
 *
 * STMTS_BATCH_MIXED, for any items: binds n user ids; n (session hash,
 * user id) pairs of the session an item ends by its id (logout: the
 * bearer's, logout_refresh: the refresh token's sid; else NULL); n
 * (refresh jti hash, user id) pairs (logout_refresh: the refresh token's
 * jti; else NULL); n user ids whose every session ends (logout_all; else
 * NULL); and n (session hash, user id) pairs of the bearers, whose
 * session must exist for anything of their user to end.
 *
 * STMTS_BATCH_VERIFY, the gate's check of n bearers (no ending): binds n
 * session hashes, then n (session hash, user id) pairs; returns user_id
 * and session_hash of each of those sessions that is live.
 *
 * STMTS_BATCH_SQL_LEN(n) bytes hold any. Returns its length, or -1 when
 * cap is too small. */
enum stmts_batch_form {
	STMTS_BATCH_SESSIONS = 0,
	STMTS_BATCH_MIXED,
	STMTS_BATCH_VERIFY,
	STMTS_BATCH_FORMS
};
#define STMTS_BATCH_SQL_LEN(n) (384 + (size_t)(n) * 24)
int stmts_batch_sql(enum stmts_batch_form form, size_t n, char *out, size_t cap);

#endif

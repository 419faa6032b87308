/* SPDX-License-Identifier: ISC */
/*
 * sqlparam.h — named SQL parameters (":sub", ":sid_hash", ...) compiled into
 * '?' placeholders plus an ordered list of which value binds where. Values
 * are bound through prepared statements; they never enter SQL text.
 */
#ifndef LOGOUT_SQLPARAM_H
#define LOGOUT_SQLPARAM_H

#include <stddef.h>

#define SQL_MAX_PARAMS 32
#define SQL_MAX_LEN    8192

enum sql_param {
	SQLP_SUB = 0,
	SQLP_USER_ID,
	SQLP_SID,
	SQLP_SID_HASH,
	SQLP_JTI,
	SQLP_JTI_HASH,
	SQLP_REFRESH_JTI_HASH,
	SQLP_REFRESH_SID_HASH,
	SQLP_TOKEN_ID,
	SQLP_CLIENT_IP,
	SQLP_USER_AGENT,
	SQLP_TRACE_ID,
	SQLP_TOKENABLE_TYPE, /* format sanctum: [token] tokenable_type */
	SQLP_NOW,	     /* UTC "YYYY-MM-DD HH:MM:SS" of the worker's clock */
	SQLP_CREATED_AFTER,  /* sanctum: now - expiration, NULL when unset */
	SQLP_EXPIRES_AT,     /* admin statements only */
	SQLP_TOKEN_HASH,     /* admin: hex SHA-256 of a new token's secret */
	SQLP_TOKEN_NAME,     /* admin: a new token's name */
	SQLP_EXP,	     /* the bearer's exp (Unix seconds): per-user cut-offs */
	SQLP_COUNT
};

struct sql_text {
	char sql[SQL_MAX_LEN]; /* with '?' placeholders */
	size_t nparams;
	enum sql_param params[SQL_MAX_PARAMS];
	unsigned int used; /* bit i set when param i appears */
};

/* ":name" outside quotes and comments is a parameter. 0 ok; -1 with a
 * message in err (unknown name, too many, too long, unterminated quote). */
int sqlparam_compile(const char *src, struct sql_text *out, char *err, size_t errlen);

const char *sqlparam_name(enum sql_param p);

#endif

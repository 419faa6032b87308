/* SPDX-License-Identifier: ISC */
/*
 * reason.h — why a request ended the way it did: one enum for every
 * outcome, each with a stable name. The audit line's "reason" and the
 * answer's status both come from the row, so what is logged, what is
 * counted and what the client is told can never disagree. Append new
 * reasons; never renumber or rename one (log pipelines match the names).
 */
#ifndef LOGOUT_REASON_H
#define LOGOUT_REASON_H

/* The error answers the product gives (README, "The endpoint contract"). */
enum http_error {
	HERR_NONE = 0,
	HERR_BAD_REQUEST,  /* 400 */
	HERR_UNAUTHORIZED, /* 401 */
	HERR_FORBIDDEN,	   /* 403 */
	HERR_NOT_FOUND,	   /* 404 */
	HERR_METHOD,	   /* 405 */
	HERR_TOO_LARGE,	   /* 413 */
	HERR_MEDIA_TYPE,   /* 415 */
	HERR_VALIDATION,   /* 422 */
	HERR_RATE_LIMITED, /* 429 */
	HERR_INTERNAL,	   /* 500 */
	HERR_UNAVAILABLE,  /* 503 */
	HERR_COUNT
};

enum reason {
	REASON_OK = 0,		  /* the action was done */
	REASON_ALREADY_LOGGED_OUT, /* success by [response] already_logged_out */
	/* decided by the params */
	REASON_NOT_FOUND,
	REASON_METHOD,
	REASON_BAD_LENGTH,
	REASON_TOO_LARGE,
	REASON_SHORT_BODY,
	REASON_NO_MEMORY,
	/* the bearer token */
	REASON_NO_BEARER,
	REASON_TOKEN_TOO_LONG,
	REASON_TOKEN_MALFORMED,
	REASON_TOKEN_ALG,
	REASON_TOKEN_KID,
	REASON_TOKEN_CRIT,
	REASON_TOKEN_SIGNATURE,
	REASON_TOKEN_CLAIM,
	REASON_TOKEN_EXPIRED,
	REASON_TOKEN_NOT_YET,
	REASON_TOKEN_IAT,
	REASON_TOKEN_ISSUER,
	REASON_TOKEN_AUDIENCE,
	REASON_TOKEN_TYPE,
	REASON_TOKEN_LIFETIME,
	REASON_TOKEN_UNKNOWN,	/* opaque token: no row, revoked or expired */
	REASON_SESSION_GONE,	/* the bearer's session was already ended */
	REASON_CLAIM_FOR_STMT,	/* a configured statement names a claim it lacks */
	REASON_UNKNOWN_USER,	/* [sql] user_lookup found nobody */
	REASON_RATE_LIMITED,
	/* the body */
	REASON_MEDIA_TYPE,
	REASON_BODY_NOT_JSON,
	REASON_BODY_NOT_OBJECT,
	REASON_BODY_FIELD,
	REASON_REFRESH_UNSUPPORTED,
	REASON_REFRESH_INVALID,
	REASON_REFRESH_NO_SESSION,
	REASON_REFRESH_OTHER_USER,
	/* the database */
	REASON_DB_UNAVAILABLE,
	REASON_DB_ERROR,
	REASON_BAD_OWNER_ID, /* [sql] token_lookup's owner is not a number */
	REASON_BAD_USER_ID,  /* [sql] user_lookup's id is not a number */
	/* the gate */
	REASON_CLAIM_FOR_HEADER, /* sub or sid cannot be sent in a header */
	REASON_COUNT
};

struct reason_info {
	const char *text;     /* the audit line's "reason": fixed, secret-free */
	const char *name;     /* snake_case, for counters */
	enum http_error err;  /* HERR_NONE for a success */
	int invalid_token;    /* 401 with error="invalid_token" (RFC 6750) */
	const char *message;  /* envelope message instead of the code's; NULL */
};

/* The row of r; an unknown value reads as REASON_DB_ERROR's. */
const struct reason_info *reason_info(enum reason r);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * token.h — JWS compact (HS256/HS512) verification and signing.
 *
 * Verification is pure: no I/O, no globals, bounded by TOKEN_MAX_LEN. The
 * signature is checked before any byte of the payload is parsed.
 */
#ifndef LOGOUT_TOKEN_H
#define LOGOUT_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "keyring.h"

#define TOKEN_MAX_LEN	8192
#define TOKEN_CLAIM_MAX 256 /* sub, sid, jti: longer values are refused */

enum token_kind { TOKEN_ACCESS = 0, TOKEN_REFRESH };

enum token_err {
	TOKEN_OK = 0,
	TOKEN_ETOOLONG,	  /* over TOKEN_MAX_LEN */
	TOKEN_EMALFORMED, /* segments, base64url, JSON */
	TOKEN_EALG,	  /* alg missing, unsupported, or not the key's */
	TOKEN_EKID,	  /* unknown kid */
	TOKEN_ECRIT,	  /* crit header present */
	TOKEN_ESIG,	  /* signature mismatch */
	TOKEN_ECLAIM,	  /* a claim has the wrong type or is missing */
	TOKEN_EEXPIRED,
	TOKEN_ENOTYET, /* nbf in the future */
	TOKEN_EIAT,    /* iat in the future */
	TOKEN_EISS,
	TOKEN_EAUD,
	TOKEN_ETYPE,	 /* type claim is not the expected one */
	TOKEN_ELIFETIME, /* exp further ahead than max_lifetime (from now or iat) */
};

struct token_rules {
	long long leeway;	  /* seconds, for exp, nbf and iat */
	long long clock_skew;	  /* more seconds for nbf and iat: issuers' clocks */
	long long max_lifetime;	  /* exp - now and exp - iat at most; 0: no bound */
	int require_iat;	  /* a token without iat is refused */
	const char *issuer;	  /* NULL or "": not checked */
	const char *audience;	  /* NULL or "": not checked */
	const char *type_claim;	  /* claim name, e.g. "typ" */
	const char *access_type;  /* NULL or "": not checked */
	const char *refresh_type; /* NULL or "": not checked */
};

struct token_claims {
	char sub[TOKEN_CLAIM_MAX + 1]; /* string, or integer rendered decimal */
	char sid[TOKEN_CLAIM_MAX + 1]; /* "" when absent */
	char jti[TOKEN_CLAIM_MAX + 1]; /* "" when absent */
	long long exp;
	const struct key *key; /* the key that verified it */
};

enum token_err token_verify(const struct keyring *kr, const struct token_rules *rules,
    enum token_kind kind, const char *tok, size_t len, time_t now, struct token_claims *out);

/* A short, fixed, secret-free reason for logs. */
const char *token_strerror(enum token_err err);

/* Sign payload_json with key: header {"alg":..,"typ":"JWT","kid":..}.
 * Returns the token length (NUL-terminated in out) or -1. For the admin
 * tool and tests; the serving path never signs. */
int token_sign(
    const struct key *key, int with_kid, const char *payload_json, char *out, size_t outcap);

#endif

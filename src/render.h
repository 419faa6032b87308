/* SPDX-License-Identifier: ISC */
/*
 * render.h — a response value to the bytes of a CGI response: Status line,
 * headers every response carries, and the body in the configured style
 * (envelope, fastapi, laravel: README, "Compatibility").
 * Pure: writes into a caller buffer, never allocates.
 */
#ifndef LOGOUT_RENDER_H
#define LOGOUT_RENDER_H

#include <stddef.h>

#include "config.h"

enum resp_kind {
	RESP_LOGOUT_OK = 0,
	RESP_LOGOUT_ALL_OK,
	RESP_ERROR,
};

enum http_error {
	HERR_BAD_REQUEST = 0, /* 400 */
	HERR_UNAUTHORIZED,    /* 401 */
	HERR_FORBIDDEN,	      /* 403 */
	HERR_NOT_FOUND,	      /* 404 */
	HERR_METHOD,	      /* 405 */
	HERR_TOO_LARGE,	      /* 413 */
	HERR_MEDIA_TYPE,      /* 415 */
	HERR_VALIDATION,      /* 422 */
	HERR_RATE_LIMITED,    /* 429 */
	HERR_INTERNAL,	      /* 500 */
	HERR_UNAVAILABLE,     /* 503 */
	HERR_COUNT
};

struct response {
	enum resp_kind kind;
	enum http_error err; /* RESP_ERROR only */
	const char *field;   /* 422: the member at fault */
	const char *problem; /* 422: e.g. "must be a boolean" */
	int token_sent;	     /* 401: add error="invalid_token" */
	int retry_after;     /* 429: seconds for Retry-After (at least 1) */
	const char *message; /* envelope: NULL = the code's standard message */
	int ok_status;	     /* RESP_LOGOUT_OK: 0 = [response] logout_status */
	/* Rate-limited requests: X-RateLimit-* headers (has_limit != 0). */
	int has_limit;
	unsigned int limit, remaining;
};

void response_error(struct response *r, enum http_error err);

/* HTTP status the response will carry. */
int render_status(const struct config *cfg, const struct response *r);

/* The machine code, e.g. "UNAUTHORIZED". */
const char *render_code(enum http_error err);

/* Full CGI response into buf; returns its length, or -1 if cap is short. */
int render_response(const struct config *cfg, const struct response *r, const char *trace_id,
    char *buf, size_t cap);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * body.h — the optional LogoutRequest JSON body:
 *   {"refresh_token": "<token>", "all_devices": false}
 * Both members optional, null same as absent, unknown members ignored.
 */
#ifndef LOGOUT_BODY_H
#define LOGOUT_BODY_H

#include <stddef.h>

#include "token.h"

#define BODY_MAX_DEPTH 16

enum body_err {
	BODY_OK = 0,
	BODY_EJSON,	 /* not parseable JSON (400) */
	BODY_ENOTOBJECT, /* valid JSON, not an object (422) */
	BODY_EFIELD,	 /* a member has the wrong type (422) */
};

struct logout_body {
	int has_refresh;
	char refresh_token[TOKEN_MAX_LEN + 1];
	size_t refresh_len;
	int all_devices;
	/* set on BODY_EFIELD: which member, and why */
	const char *field;
	const char *problem;
};

/* Empty input (len 0) is BODY_OK with nothing set. */
enum body_err body_parse(const char *buf, size_t len, struct logout_body *out);

#endif

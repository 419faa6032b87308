/* SPDX-License-Identifier: ISC */
/*
 * jsonparse.h — one strict, bounded way to turn untrusted bytes into a
 * json-c object: depth-limited, UTF-8 validated, whole input consumed, and
 * a top-level object with a duplicate member name refused (RFC 7519 §4
 * allows rejecting them; taking the "last one wins" invites confusion).
 */
#ifndef LOGOUT_JSONPARSE_H
#define LOGOUT_JSONPARSE_H

#include <stddef.h>

#include <json-c/json.h>

enum jsonparse_err {
	JSONPARSE_OK = 0,
	JSONPARSE_EINVALID,   /* not JSON, bad UTF-8, too deep, trailing junk */
	JSONPARSE_EDUPLICATE, /* a top-level member name appears twice */
};

/* On success *out holds a new reference the caller puts. Leading and
 * trailing JSON whitespace are allowed. */
enum jsonparse_err jsonparse_strict(
    const char *buf, size_t len, int max_depth, struct json_object **out);

#endif

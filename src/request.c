/* SPDX-License-Identifier: ISC */
/*
 * request.c — FastCGI params into a struct request. The path is taken from
 * the first of these that the server set: SCRIPT_NAME+PATH_INFO (Apache,
 * mod_fcgid), DOCUMENT_URI (nginx), SCRIPT_NAME (lighttpd), REQUEST_URI
 * less its query string. Nothing here allocates or blocks.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "request.h"
#include "util.h"

static const char *
param(request_getter get, void *ctx, const char *name)
{
	const char *v = get(ctx, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Join up to two parts into out; returns -1 when they do not fit. */
static int
join_path(char *out, size_t cap, const char *a, size_t alen, const char *b)
{
	size_t blen = b ? strlen(b) : 0;

	if (alen + blen >= cap)
		return -1;
	memcpy(out, a, alen);
	if (blen)
		memcpy(out + alen, b, blen);
	out[alen + blen] = '\0';
	return 0;
}

static void
normalize_path(struct request *r, request_getter get, void *ctx)
{
	const char *script = param(get, ctx, "SCRIPT_NAME");
	const char *info = param(get, ctx, "PATH_INFO");
	const char *doc = param(get, ctx, "DOCUMENT_URI");
	const char *uri = param(get, ctx, "REQUEST_URI");
	int rc = -1;

	if (info != NULL)
		rc = join_path(r->path, sizeof(r->path), script ? script : "",
		    script ? strlen(script) : 0, info);
	else if (doc != NULL)
		rc = join_path(r->path, sizeof(r->path), doc, strlen(doc), NULL);
	else if (script != NULL)
		rc = join_path(r->path, sizeof(r->path), script, strlen(script), NULL);
	else if (uri != NULL)
		rc = join_path(r->path, sizeof(r->path), uri, strcspn(uri, "?"), NULL);
	if (rc != 0)
		r->path[0] = '\0'; /* absent or too long: matches no route */
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
request_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != TRACE_ID_LEN)
		return 0;
	for (i = 0; i < TRACE_ID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (hexval(s[i]) < 0)
			return 0;
	}
	return 1;
}

/* Random bytes for trace ids from a per-thread pool: one getrandom(2) per
 * 16 ids instead of one per request (the 401 path counts its system calls).
 * Thread-local, so threads neither share nor lock it; worker threads start
 * after any fork, each with an empty pool. */
static void
uuid_random(unsigned char out[16])
{
	static _Thread_local unsigned char pool[256];
	static _Thread_local size_t left;

	if (left < 16) {
		randombytes_buf(pool, sizeof(pool));
		left = sizeof(pool);
	}
	memcpy(out, pool + sizeof(pool) - left, 16);
	left -= 16;
}

void
request_uuid_new(char *out)
{
	static const size_t group[] = {4, 2, 2, 2, 6}; /* bytes per 8-4-4-4-12 group */
	unsigned char b[16];
	size_t g, i = 0;

	uuid_random(b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (g = 0; g < sizeof(group) / sizeof(group[0]); g++) {
		if (g > 0)
			*out++ = '-';
		util_hex(b + i, group[g], out);
		out += 2 * group[g];
		i += group[g];
	}
}

int
request_is_json(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	if (strlen(ct) < n || !util_strncaseeq(ct, want, n))
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

enum request_err
request_parse(struct request *r, const struct config *cfg, request_getter get, void *ctx)
{
	const char *method = param(get, ctx, "REQUEST_METHOD");
	const char *len = param(get, ctx, "CONTENT_LENGTH");
	const char *rid = param(get, ctx, "HTTP_X_REQUEST_ID");
	const char *role = param(get, ctx, "FCGI_ROLE");

	memset(r, 0, sizeof(*r));
	r->method = routes_method(method);
	normalize_path(r, get, ctx);
	r->route = routes_match(r->path, cfg);
	/* libfcgi names the role of the BEGIN_REQUEST record first, before
	 * any param of the web server's. An authorizer is asked about the
	 * URL it protects (Apache sends that path, lighttpd the file's). */
	if (role != NULL && !strcmp(role, "AUTHORIZER")) {
		r->authorizer = 1;
		r->route = routes_get(ROUTE_VERIFY);
	}
	r->authorization = param(get, ctx, "HTTP_AUTHORIZATION");
	r->content_type = param(get, ctx, "CONTENT_TYPE");
	util_utf8_copy(r->client_ip, sizeof(r->client_ip), param(get, ctx, "REMOTE_ADDR"));
	/* Bound as a utf8mb4 string by statements that name :user_agent. */
	util_utf8_copy(r->user_agent, sizeof(r->user_agent), param(get, ctx, "HTTP_USER_AGENT"));
	if (request_uuid_valid(rid))
		memcpy(r->trace_id, rid, TRACE_ID_LEN + 1);
	else
		request_uuid_new(r->trace_id);
	r->content_length = -1;
	if (len != NULL && util_strtonum(len, 0, LLONG_MAX, &r->content_length) != 0) {
		r->content_length = -1;
		return REQUEST_EBADLENGTH;
	}
	return REQUEST_OK;
}

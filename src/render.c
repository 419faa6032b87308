/* SPDX-License-Identifier: ISC */
/*
 * render.c — CGI response bytes in the configured style: envelope,
 * fastapi or laravel (README, "Compatibility"). Bodies are
 * fixed strings plus values this program made itself (codes, field names,
 * a validated UUID), so nothing needs escaping.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "exchange.h"
#include "render.h"
#include "routes.h"
#include "util.h"

struct error_info {
	int status;
	const char *reason; /* HTTP reason phrase */
	const char *code;
	const char *message;
};

static const struct error_info errors[HERR_COUNT] = {
    [HERR_BAD_REQUEST] = {400, "Bad Request", "BAD_REQUEST", "Request body is not valid JSON"},
    [HERR_UNAUTHORIZED] = {401, "Unauthorized", "UNAUTHORIZED", "Invalid or missing access token"},
    [HERR_FORBIDDEN] = {403, "Forbidden", "FORBIDDEN", "Refresh token belongs to another user"},
    [HERR_NOT_FOUND] = {404, "Not Found", "NOT_FOUND", "Not found"},
    [HERR_METHOD] = {405, "Method Not Allowed", "METHOD_NOT_ALLOWED", "Method not allowed"},
    [HERR_TOO_LARGE] = {413, "Payload Too Large", "PAYLOAD_TOO_LARGE", "Request body too large"},
    [HERR_MEDIA_TYPE] = {415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE",
	"Content-Type must be application/json"},
    [HERR_VALIDATION] = {422, "Unprocessable Entity", "VALIDATION_ERROR", "Validation failed"},
    [HERR_RATE_LIMITED] = {429, "Too Many Requests", "TOO_MANY_REQUESTS", "Too many requests"},
    [HERR_INTERNAL] = {500, "Internal Server Error", "INTERNAL_ERROR", "Internal server error"},
    [HERR_UNAVAILABLE] = {503, "Service Unavailable", "SERVICE_UNAVAILABLE",
	"Service temporarily unavailable"},
};

/* Error messages of the fastapi and laravel styles: what those frameworks
 * answer themselves (README, "Compatibility"). */
static const char *const fastapi_messages[HERR_COUNT] = {
    [HERR_BAD_REQUEST] = "There was an error parsing the body",
    [HERR_UNAUTHORIZED] = "Could not validate credentials",
    [HERR_FORBIDDEN] = "Refresh token belongs to another user",
    [HERR_NOT_FOUND] = "Not Found",
    [HERR_METHOD] = "Method Not Allowed",
    [HERR_TOO_LARGE] = "Request body too large",
    [HERR_MEDIA_TYPE] = "Unsupported Media Type",
    [HERR_VALIDATION] = "Validation failed",
    [HERR_RATE_LIMITED] = "Too Many Requests",
    [HERR_INTERNAL] = "Logout failed",
    [HERR_UNAVAILABLE] = "Service temporarily unavailable",
};

static const char *const laravel_messages[HERR_COUNT] = {
    [HERR_BAD_REQUEST] = "Bad Request",
    [HERR_UNAUTHORIZED] = "Unauthenticated.",
    [HERR_FORBIDDEN] = "This action is unauthorized.",
    [HERR_NOT_FOUND] = "Not Found",
    [HERR_METHOD] = "Method Not Allowed",
    [HERR_TOO_LARGE] = "Payload Too Large",
    [HERR_MEDIA_TYPE] = "Unsupported Media Type",
    [HERR_VALIDATION] = "The given data was invalid.",
    [HERR_RATE_LIMITED] = "Too Many Attempts.",
    [HERR_INTERNAL] = "Server Error",
    [HERR_UNAVAILABLE] = "Service Unavailable",
};

/* Success bodies by style and kind (a logout's only with status 200; the
 * health route's are the same in every style). */
static const char *const ok_bodies[][RESP_LOGOUT_ALL_OK + 1] = {
    [STYLE_ENVELOPE] = {"{\"success\":true,\"data\":{\"message\":\"Logged out\"}}",
	"{\"success\":true,\"data\":{\"message\":\"Logged out from all devices\"}}"},
    [STYLE_FASTAPI] = {"{\"message\":\"Successfully logged out\"}",
	"{\"message\":\"Successfully logged out from all devices\"}"},
    [STYLE_LARAVEL] = {"{\"message\":\"Successfully logged out\"}",
	"{\"message\":\"Successfully logged out from all devices\"}"},
};

/* logout-others' body: the text before and after the count. */
static const char *const others_bodies[][2] = {
    [STYLE_ENVELOPE] = {"{\"success\":true,\"data\":{\"message\":\"Logged out from other "
			"devices\",\"sessions_ended\":",
	"}}"},
    [STYLE_FASTAPI] = {"{\"message\":\"Successfully logged out from other devices\","
		       "\"sessions_ended\":",
	"}"},
    [STYLE_LARAVEL] = {"{\"message\":\"Successfully logged out from other devices\","
		       "\"sessions_ended\":",
	"}"},
};

/* The names of an authorizer's variables: Apache (mod_authnz_fcgi) and
 * lighttpd set each "Variable-NAME" header as NAME in the environment of
 * what runs after the check. */
#define AUTHORIZER_USER	   "AUTH_USER"
#define AUTHORIZER_SESSION "AUTH_SESSION"

const char *
render_code(enum http_error err)
{
	return err > HERR_NONE && err < HERR_COUNT ? errors[err].code : "INTERNAL_ERROR";
}

/* The outcome's error as a table index; HERR_NONE for a success. */
static unsigned int
err_index(const struct outcome *o)
{
	enum http_error e = reason_info(o->reason)->err;

	return (unsigned)e < HERR_COUNT ? (unsigned)e : HERR_INTERNAL;
}

static const struct error_info *
error_of(const struct outcome *o)
{
	return &errors[err_index(o)];
}

int
render_status(const struct config *cfg, const struct outcome *o)
{
	if (err_index(o) != HERR_NONE)
		return error_of(o)->status;
	if (o->ok_status)
		return o->ok_status;
	if (o->kind == RESP_LOGOUT_OK)
		return cfg->logout_status;
	if (o->kind == RESP_HEALTH_DOWN)
		return 503;
	/* An authorizer's only "yes" is 200 (FastCGI specification, 6.3). */
	if (o->kind == RESP_VERIFY_OK)
		return o->authorizer ? 200 : 204;
	return 200;
}

/* The gate answers without a body, its refusals too: the web server
 * asking it passes on the status (and WWW-Authenticate), never the body. */
static int
bodiless(const struct route *route, const struct outcome *o)
{
	return o->authorizer || (route != NULL && route->ok == RESP_VERIFY_OK);
}

/* The gate's "yes": who the bearer is, for the backend to trust. */
static size_t
gate_headers(const struct config *cfg, const struct outcome *o, char *buf, size_t cap)
{
	const char *uh = o->authorizer ? "Variable-" AUTHORIZER_USER : cfg->user_header;
	const char *sh = o->authorizer ? "Variable-" AUTHORIZER_SESSION : cfg->session_header;
	int n;

	if (o->session[0] != '\0')
		n = snprintf(buf, cap, "%s: %s\r\n%s: %s\r\n", uh, o->user, sh, o->session);
	else
		n = snprintf(buf, cap, "%s: %s\r\n", uh, o->user);
	return n < 0 || (size_t)n >= cap ? cap : (size_t)n;
}

/* A success's body, NULL for none (or one sent after the head). */
static const char *
success_body(unsigned int style, unsigned int kind, int status)
{
	switch (kind) {
	case RESP_HEALTH_OK:
		return "{\"status\":\"ok\"}";
	case RESP_HEALTH_DOWN:
		return "{\"status\":\"unavailable\"}";
	case RESP_LOGOUT_OK:
	case RESP_LOGOUT_ALL_OK:
		return status == 200 ? ok_bodies[style][kind] : NULL;
	default:
		return NULL;
	}
}

static int
envelope_error(const struct outcome *o, const char *trace_id, char *buf, size_t cap)
{
	const struct error_info *e = error_of(o);
	const char *message = reason_info(o->reason)->message;
	char fields[160] = "{}";

	if (err_index(o) == HERR_VALIDATION && o->field != NULL)
		snprintf(fields, sizeof(fields), "{\"%s\":[\"%s\"]}", o->field,
		    o->problem ? o->problem : "is invalid");
	return snprintf(buf, cap,
	    "{\"success\":false,\"message\":\"%s\",\"code\":\"%s\",\"errors\":%s,"
	    "\"trace_id\":\"%s\"}",
	    message ? message : e->message, e->code, fields, trace_id);
}

/* FastAPI's 422 lists each error with its location in the request. */
static int
fastapi_error(const struct outcome *r, char *buf, size_t cap)
{
	unsigned int i = err_index(r);

	if (i == HERR_VALIDATION && r->field != NULL) {
		if (!strcmp(r->field, "body"))
			return snprintf(buf, cap,
			    "{\"detail\":[{\"type\":\"value_error\",\"loc\":[\"body\"],"
			    "\"msg\":\"%s\"}]}",
			    r->problem ? r->problem : "is invalid");
		return snprintf(buf, cap,
		    "{\"detail\":[{\"type\":\"value_error\",\"loc\":[\"body\",\"%s\"],"
		    "\"msg\":\"%s\"}]}",
		    r->field, r->problem ? r->problem : "is invalid");
	}
	return snprintf(buf, cap, "{\"detail\":\"%s\"}", fastapi_messages[i]);
}

/* Laravel's validation message: "The all devices field must be a boolean." */
static int
laravel_error(const struct outcome *r, char *buf, size_t cap)
{
	unsigned int i = err_index(r);
	char msg[128], *p;

	if (i != HERR_VALIDATION || r->field == NULL)
		return snprintf(buf, cap, "{\"message\":\"%s\"}", laravel_messages[i]);
	snprintf(
	    msg, sizeof(msg), "The %s field %s.", r->field, r->problem ? r->problem : "is invalid");
	for (p = msg + 4; *p != '\0' && *p != ' '; p++)
		if (*p == '_')
			*p = ' ';
	return snprintf(
	    buf, cap, "{\"message\":\"%s\",\"errors\":{\"%s\":[\"%s\"]}}", msg, r->field, msg);
}

static int
error_body(
    const struct config *cfg, const struct outcome *r, const char *trace_id, char *buf, size_t cap)
{
	switch (cfg->style) {
	case STYLE_FASTAPI:
		return fastapi_error(r, buf, cap);
	case STYLE_LARAVEL:
		return laravel_error(r, buf, cap);
	default:
		return envelope_error(r, trace_id, buf, cap);
	}
}

static const char *
reason_phrase(int status)
{
	size_t i;

	if (status == 200)
		return "OK";
	if (status == 204)
		return "No Content";
	for (i = HERR_NONE + 1; i < HERR_COUNT; i++)
		if (errors[i].status == status)
			return errors[i].reason;
	return "Unknown";
}

/* "GET, HEAD, POST": the methods of a METHOD_* set, for Allow. */
static void
method_list(unsigned int methods, char *buf, size_t cap)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {{METHOD_GET, "GET"}, {METHOD_HEAD, "HEAD"}, {METHOD_POST, "POST"}};
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (methods & names[i].bit) {
			if (buf[0] != '\0')
				strncat(buf, ", ", cap - strlen(buf) - 1);
			strncat(buf, names[i].name, cap - strlen(buf) - 1);
		}
}

/* Headers that depend on the outcome, into buf ("" when none). */
static const char *
extra_headers(const struct config *cfg, const struct route *route, const struct outcome *o,
    char *buf, size_t cap)
{
	unsigned int e = err_index(o);
	char allow[32];
	size_t n = 0;

	buf[0] = '\0';
	if (o->has_limit)
		n = (size_t)snprintf(buf, cap,
		    "X-RateLimit-Limit: %u\r\nX-RateLimit-Remaining: %u\r\n", o->limit,
		    o->remaining);
	if (e == HERR_NONE && o->kind == RESP_VERIFY_OK && n < cap)
		n += gate_headers(cfg, o, buf + n, cap - n);
	if (e == HERR_NONE || n >= cap)
		return buf;
	if (e == HERR_UNAUTHORIZED)
		/* FastAPI's own 401s say plain "Bearer" whatever happened. */
		snprintf(buf + n, cap - n, "WWW-Authenticate: Bearer%s\r\n",
		    reason_info(o->reason)->invalid_token && cfg->style != STYLE_FASTAPI
			? " error=\"invalid_token\""
			: "");
	else if (e == HERR_METHOD) {
		method_list(route != NULL ? route->methods : METHOD_POST, allow, sizeof(allow));
		snprintf(buf + n, cap - n, "Allow: %s\r\n", allow);
	} else if (e == HERR_RATE_LIMITED)
		snprintf(buf + n, cap - n, "Retry-After: %d\r\n",
		    o->retry_after > 0 ? o->retry_after : 1);
	return buf;
}

int
render_response(const struct config *cfg, const struct route *route, const struct outcome *r,
    const char *trace_id, char *buf, size_t cap)
{
	char body[512], extra[1024];
	int status = render_status(cfg, r), blen = 0, n;
	unsigned int style = (unsigned)cfg->style <= STYLE_LARAVEL ? cfg->style : STYLE_ENVELOPE;
	unsigned int kind = (unsigned)r->kind < RESP_KIND_COUNT ? r->kind : RESP_LOGOUT_OK;
	const char *ok, *type = "application/json";
	size_t len;

	/* The handler refuses such claims; never render one regardless. */
	if (err_index(r) == HERR_NONE && kind == RESP_VERIFY_OK &&
	    (!util_header_value_ok(r->user) || !util_header_value_ok(r->session)))
		return -1;
	if (bodiless(route, r))
		blen = 0;
	else if (err_index(r) != HERR_NONE)
		blen = error_body(cfg, r, trace_id, body, sizeof(body));
	else if (status == 200 && kind == RESP_LOGOUT_OTHERS_OK)
		blen = snprintf(body, sizeof(body), "%s%lld%s", others_bodies[style][0],
		    r->sessions > 0 ? r->sessions : 0LL, others_bodies[style][1]);
	else if ((ok = success_body(style, kind, status)) != NULL)
		blen = snprintf(body, sizeof(body), "%s", ok);
	if (blen < 0 || (size_t)blen >= sizeof(body))
		return -1;
	len = (size_t)blen;
	if (err_index(r) == HERR_NONE && r->body != NULL) {
		len = r->body_len; /* render_tail's */
		blen = 0;
		if (kind == RESP_METRICS)
			type = "text/plain; version=0.0.4; charset=utf-8";
	}
	if (r->head)
		blen = 0; /* the same headers as GET's, no body */
	if (len == 0)
		n = snprintf(buf, cap,
		    "Status: %d %s\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n%s\r\n",
		    status, reason_phrase(status), trace_id,
		    extra_headers(cfg, route, r, extra, sizeof(extra)));
	else
		n = snprintf(buf, cap,
		    "Status: %d %s\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n%s"
		    "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%.*s",
		    status, reason_phrase(status), trace_id,
		    extra_headers(cfg, route, r, extra, sizeof(extra)), type, len, blen, body);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

const char *
render_tail(const struct outcome *o, size_t *len)
{
	if (o->body == NULL || o->head || err_index(o) != HERR_NONE)
		return NULL;
	*len = o->body_len;
	return o->body;
}

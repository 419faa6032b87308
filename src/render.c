/* SPDX-License-Identifier: ISC */
/*
 * render.c — CGI response bytes in the configured style: envelope (seeds
 * 001, 003, 004), fastapi (seed 000) or laravel (seed 002). Bodies are
 * fixed strings plus values this program made itself (codes, field names,
 * a validated UUID), so nothing needs escaping.
 */
#include <stdio.h>
#include <string.h>

#include "render.h"

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
 * answer themselves, and the seeds' texts where a seed gives one. */
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

/* Success bodies: [style][0 = logout with 200, 1 = logout-all]. */
static const char *const ok_bodies[][2] = {
    [STYLE_ENVELOPE] = {"{\"success\":true,\"data\":{\"message\":\"Logged out\"}}",
	"{\"success\":true,\"data\":{\"message\":\"Logged out from all devices\"}}"},
    [STYLE_FASTAPI] = {"{\"message\":\"Successfully logged out\"}",
	"{\"message\":\"Successfully logged out from all devices\"}"},
    [STYLE_LARAVEL] = {"{\"message\":\"Successfully logged out\"}",
	"{\"message\":\"Successfully logged out from all devices\"}"},
};

void
response_error(struct response *r, enum http_error err)
{
	memset(r, 0, sizeof(*r));
	r->kind = RESP_ERROR;
	r->err = err;
}

const char *
render_code(enum http_error err)
{
	return (unsigned)err < HERR_COUNT ? errors[err].code : "INTERNAL_ERROR";
}

/* The response's error as a table index (an out-of-range one is a 500). */
static unsigned int
err_index(const struct response *r)
{
	return (unsigned)r->err < HERR_COUNT ? (unsigned)r->err : HERR_INTERNAL;
}

static const struct error_info *
error_of(const struct response *r)
{
	return &errors[err_index(r)];
}

int
render_status(const struct config *cfg, const struct response *r)
{
	switch (r->kind) {
	case RESP_LOGOUT_OK:
		return r->ok_status ? r->ok_status : cfg->logout_status;
	case RESP_LOGOUT_ALL_OK:
		return 200;
	default:
		return error_of(r)->status;
	}
}

static int
envelope_error(const struct response *r, const char *trace_id, char *buf, size_t cap)
{
	const struct error_info *e = error_of(r);
	char fields[160] = "{}";

	if (r->err == HERR_VALIDATION && r->field != NULL)
		snprintf(fields, sizeof(fields), "{\"%s\":[\"%s\"]}", r->field,
		    r->problem ? r->problem : "is invalid");
	return snprintf(buf, cap,
	    "{\"success\":false,\"message\":\"%s\",\"code\":\"%s\",\"errors\":%s,"
	    "\"trace_id\":\"%s\"}",
	    r->message ? r->message : e->message, e->code, fields, trace_id);
}

/* FastAPI's 422 lists each error with its location in the request. */
static int
fastapi_error(const struct response *r, char *buf, size_t cap)
{
	unsigned int i = err_index(r);

	if (r->err == HERR_VALIDATION && r->field != NULL) {
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
laravel_error(const struct response *r, char *buf, size_t cap)
{
	unsigned int i = err_index(r);
	char msg[128], *p;

	if (r->err != HERR_VALIDATION || r->field == NULL)
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
    const struct config *cfg, const struct response *r, const char *trace_id, char *buf, size_t cap)
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
	for (i = 0; i < HERR_COUNT; i++)
		if (errors[i].status == status)
			return errors[i].reason;
	return "Unknown";
}

/* Headers that depend on the response, into buf ("" when none). */
static const char *
extra_headers(const struct config *cfg, const struct response *r, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	if (r->has_limit)
		n = (size_t)snprintf(buf, cap,
		    "X-RateLimit-Limit: %u\r\nX-RateLimit-Remaining: %u\r\n", r->limit,
		    r->remaining);
	if (r->kind != RESP_ERROR || n >= cap)
		return buf;
	if (r->err == HERR_UNAUTHORIZED)
		/* FastAPI's own 401s say plain "Bearer" whatever happened. */
		snprintf(buf + n, cap - n, "WWW-Authenticate: Bearer%s\r\n",
		    r->token_sent && cfg->style != STYLE_FASTAPI ? " error=\"invalid_token\"" : "");
	else if (r->err == HERR_METHOD)
		snprintf(buf + n, cap - n, "Allow: POST\r\n");
	else if (r->err == HERR_RATE_LIMITED)
		snprintf(buf + n, cap - n, "Retry-After: %d\r\n",
		    r->retry_after > 0 ? r->retry_after : 1);
	return buf;
}

int
render_response(
    const struct config *cfg, const struct response *r, const char *trace_id, char *buf, size_t cap)
{
	char body[512], extra[192];
	int status = render_status(cfg, r), blen = 0, n;
	unsigned int style = (unsigned)cfg->style <= STYLE_LARAVEL ? cfg->style : STYLE_ENVELOPE;

	if (r->kind == RESP_ERROR)
		blen = error_body(cfg, r, trace_id, body, sizeof(body));
	else if (r->kind == RESP_LOGOUT_ALL_OK)
		blen = snprintf(body, sizeof(body), "%s", ok_bodies[style][1]);
	else if (status == 200)
		blen = snprintf(body, sizeof(body), "%s", ok_bodies[style][0]);
	if (blen < 0 || (size_t)blen >= sizeof(body))
		return -1;
	if (blen == 0)
		n = snprintf(buf, cap,
		    "Status: %d %s\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n%s\r\n",
		    status, reason_phrase(status), trace_id,
		    extra_headers(cfg, r, extra, sizeof(extra)));
	else
		n = snprintf(buf, cap,
		    "Status: %d %s\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n%s"
		    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		    status, reason_phrase(status), trace_id,
		    extra_headers(cfg, r, extra, sizeof(extra)), blen, body);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

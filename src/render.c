/*
 * render.c — CGI response bytes for the envelope style (seeds 001, 003,
 * 004). Bodies are fixed strings plus values this program made itself
 * (codes, field names, a validated UUID), so nothing needs escaping.
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

static const char logout_all_body[] =
    "{\"success\":true,\"data\":{\"message\":\"Logged out from all devices\"}}";
static const char logout_body[] = "{\"success\":true,\"data\":{\"message\":\"Logged out\"}}";

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

int
render_status(const struct config *cfg, const struct response *r)
{
	switch (r->kind) {
	case RESP_LOGOUT_OK:
		return cfg->logout_status;
	case RESP_LOGOUT_ALL_OK:
		return 200;
	default:
		return (unsigned)r->err < HERR_COUNT ? errors[r->err].status : 500;
	}
}

static int
error_body(const struct response *r, const char *trace_id, char *buf, size_t cap)
{
	const struct error_info *e =
	    &errors[(unsigned)r->err < HERR_COUNT ? r->err : HERR_INTERNAL];
	char fields[160] = "{}";

	if (r->err == HERR_VALIDATION && r->field != NULL)
		snprintf(fields, sizeof(fields), "{\"%s\":[\"%s\"]}", r->field,
		    r->problem ? r->problem : "is invalid");
	return snprintf(buf, cap,
	    "{\"success\":false,\"message\":\"%s\",\"code\":\"%s\",\"errors\":%s,"
	    "\"trace_id\":\"%s\"}",
	    r->message ? r->message : e->message, e->code, fields, trace_id);
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

/* Headers that depend on the error; into buf, "" when none. */
static const char *
extra_headers(const struct response *r, char *buf, size_t cap)
{
	if (r->kind != RESP_ERROR)
		return "";
	if (r->err == HERR_UNAUTHORIZED)
		return r->token_sent ? "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
				     : "WWW-Authenticate: Bearer\r\n";
	if (r->err == HERR_METHOD)
		return "Allow: POST\r\n";
	if (r->err == HERR_RATE_LIMITED) {
		snprintf(buf, cap, "Retry-After: %d\r\n", r->retry_after > 0 ? r->retry_after : 1);
		return buf;
	}
	return "";
}

int
render_response(
    const struct config *cfg, const struct response *r, const char *trace_id, char *buf, size_t cap)
{
	char body[512], extra[64];
	int status = render_status(cfg, r), blen = 0, n;

	if (r->kind == RESP_ERROR)
		blen = error_body(r, trace_id, body, sizeof(body));
	else if (r->kind == RESP_LOGOUT_ALL_OK)
		blen = snprintf(body, sizeof(body), "%s", logout_all_body);
	else if (status == 200)
		blen = snprintf(body, sizeof(body), "%s", logout_body);
	if (blen < 0 || (size_t)blen >= sizeof(body))
		return -1;
	if (blen == 0)
		n = snprintf(buf, cap,
		    "Status: %d %s\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n%s\r\n",
		    status, reason_phrase(status), trace_id,
		    extra_headers(r, extra, sizeof(extra)));
	else
		n = snprintf(buf, cap,
		    "Status: %d %s\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n%s"
		    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		    status, reason_phrase(status), trace_id, extra_headers(r, extra, sizeof(extra)),
		    blen, body);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

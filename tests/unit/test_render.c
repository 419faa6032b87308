/* SPDX-License-Identifier: ISC */
/*
 * test_render.c — pins src/render.c, the envelope style (README, "The endpoint contract", "Errors", "Compatibility"):
 * every response starts with its Status line and carries Cache-Control:
 * no-store and X-Request-Id; every error has the JSON envelope with its
 * code and trace id; 401 carries WWW-Authenticate (invalid_token when a
 * token was sent), 405 Allow: POST, 429 Retry-After, 422 names the field;
 * the logout successes have their exact bodies (or none for 204); the
 * gate (verify, and as a FastCGI authorizer) answers without a body and
 * names the user in its headers; logout-others counts what it ended; a
 * short buffer is -1 and never overrun.
 */
#include "unit.h"

#include "exchange.h"
#include "render.h"

#define TRACE "123e4567-e89b-12d3-a456-426614174000"

/* Each error answer, through a reason that gives it. */
static const struct {
	enum http_error err;
	enum reason reason;
	int status;
	const char *code;
} table[] = {
    {HERR_BAD_REQUEST, REASON_BODY_NOT_JSON, 400, "BAD_REQUEST"},
    {HERR_UNAUTHORIZED, REASON_NO_BEARER, 401, "UNAUTHORIZED"},
    {HERR_FORBIDDEN, REASON_REFRESH_OTHER_USER, 403, "FORBIDDEN"},
    {HERR_NOT_FOUND, REASON_NOT_FOUND, 404, "NOT_FOUND"},
    {HERR_METHOD, REASON_METHOD, 405, "METHOD_NOT_ALLOWED"},
    {HERR_TOO_LARGE, REASON_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE"},
    {HERR_MEDIA_TYPE, REASON_MEDIA_TYPE, 415, "UNSUPPORTED_MEDIA_TYPE"},
    {HERR_VALIDATION, REASON_BODY_FIELD, 422, "VALIDATION_ERROR"},
    {HERR_RATE_LIMITED, REASON_RATE_LIMITED, 429, "TOO_MANY_REQUESTS"},
    {HERR_INTERNAL, REASON_DB_ERROR, 500, "INTERNAL_ERROR"},
    {HERR_UNAVAILABLE, REASON_DB_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE"},
};

/* An outcome refused for reason r. */
static void
refused(struct outcome *o, enum reason r)
{
	memset(o, 0, sizeof(*o));
	o->reason = r;
}

/* A rendered response split into its header block and its body. */
struct rendered {
	char raw[4096];
	int len;
	char head[4096];  /* NUL-terminated, without the blank line */
	const char *body; /* points into raw */
	size_t bodylen;
};

static struct config *
cfg_with(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s", extra, UNIT_KEY_SECTION);
	return unit_config(text);
}

/* The response to a request of route id. */
static void
render_on(const struct config *cfg, enum route_id id, const struct outcome *r,
    struct rendered *out)
{
	const char *end;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	out->len = render_response(cfg, routes_get(id), r, TRACE, out->raw, sizeof(out->raw) - 1);
	ck_assert_int_gt(out->len, 0);
	ck_assert_int_lt(out->len, (int)sizeof(out->raw) - 1);
	out->raw[out->len] = '\0';
	ck_assert_uint_eq(strlen(out->raw), (size_t)out->len);
	end = strstr(out->raw, "\r\n\r\n");
	ck_assert_msg(end != NULL, "no end of headers in:\n%s", out->raw);
	hlen = (size_t)(end - out->raw) + 2;
	memcpy(out->head, out->raw, hlen);
	out->head[hlen] = '\0';
	out->body = end + 4;
	out->bodylen = (size_t)out->len - (size_t)(out->body - out->raw);
}

static void
render(const struct config *cfg, const struct outcome *r, struct rendered *out)
{
	render_on(cfg, ROUTE_LOGOUT, r, out);
}

/* Count header lines of hd whose name (case-insensitive) is name. */
static int
header_count(const char *hd, const char *name)
{
	size_t n = strlen(name);
	int count = 0;

	for (const char *l = hd; *l != '\0'; l = strstr(l, "\r\n") + 2) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':')
			count++;
		if (strstr(l, "\r\n") == NULL)
			break;
	}
	return count;
}

static void
assert_common(const struct rendered *o, int status)
{
	char want[32];

	snprintf(want, sizeof(want), "Status: %d", status);
	ck_assert_msg(
	    strncmp(o->raw, want, strlen(want)) == 0, "want \"%s\" first in:\n%s", want, o->raw);
	ck_assert_msg(o->raw[strlen(want)] == ' ' || o->raw[strlen(want)] == '\r',
	    "bad status line in:\n%s", o->raw);
	ck_assert_int_eq(header_count(o->head, "Status"), 1);
	ck_assert_has(o->head, "\r\nCache-Control: no-store\r\n");
	ck_assert_int_eq(header_count(o->head, "Cache-Control"), 1);
	ck_assert_has(o->head, "\r\nX-Request-Id: " TRACE "\r\n");
	ck_assert_int_eq(header_count(o->head, "X-Request-Id"), 1);
}

/* The JSON body of o, checked for Content-Type (and Content-Length if sent). */
static struct json_object *
json_body(const struct rendered *o)
{
	const char *cl;

	ck_assert_has(o->head, "\r\nContent-Type: application/json");
	ck_assert_int_eq(header_count(o->head, "Content-Type"), 1);
	if ((cl = strstr(o->head, "\r\nContent-Length: ")) != NULL)
		ck_assert_int_eq(atoi(cl + 18), (int)o->bodylen);
	return unit_json(o->body, o->bodylen, 1);
}

START_TEST(every_error)
{
	struct config *cfg = cfg_with("");

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct outcome r;
		struct rendered o;
		struct json_object *b, *errs;

		refused(&r, table[i].reason);
		ck_assert_int_eq(reason_info(r.reason)->err, table[i].err);
		if (table[i].err == HERR_VALIDATION) {
			r.field = "all_devices";
			r.problem = "must be a boolean";
		}
		ck_assert_int_eq(render_status(cfg, &r), table[i].status);
		ck_assert_str_eq(render_code(table[i].err), table[i].code);
		render(cfg, &r, &o);
		assert_common(&o, table[i].status);
		b = json_body(&o);
		ck_assert_int_eq(json_object_get_boolean(unit_member(b, "success")), 0);
		ck_assert(json_object_is_type(unit_member(b, "success"), json_type_boolean));
		ck_assert_str_eq(json_object_get_string(unit_member(b, "code")), table[i].code);
		ck_assert_str_eq(json_object_get_string(unit_member(b, "trace_id")), TRACE);
		ck_assert(json_object_is_type(unit_member(b, "message"), json_type_string));
		ck_assert_uint_gt(strlen(json_object_get_string(unit_member(b, "message"))), 0);
		errs = unit_member(b, "errors");
		ck_assert(json_object_is_type(errs, json_type_object));
		if (table[i].err != HERR_VALIDATION)
			ck_assert_int_eq(json_object_object_length(errs), 0);
		/* Only 401 challenges, only 405 lists methods. */
		ck_assert_int_eq(
		    header_count(o.head, "WWW-Authenticate"), table[i].err == HERR_UNAUTHORIZED);
		ck_assert_int_eq(header_count(o.head, "Allow"), table[i].err == HERR_METHOD);
		json_object_put(b);
	}
	config_free(cfg);
}
END_TEST

START_TEST(unauthorized)
{
	struct config *cfg = cfg_with("");
	struct outcome r;
	struct rendered o;

	refused(&r, REASON_NO_BEARER);
	render(cfg, &r, &o);
	ck_assert_has(o.head, "\r\nWWW-Authenticate: Bearer");
	ck_assert_lacks(o.head, "invalid_token");
	refused(&r, REASON_TOKEN_EXPIRED);
	render(cfg, &r, &o);
	ck_assert_has(o.head, "\r\nWWW-Authenticate: Bearer");
	ck_assert_has(o.head, "error=\"invalid_token\"");
	config_free(cfg);
}
END_TEST

START_TEST(method_not_allowed)
{
	struct config *cfg = cfg_with("");
	struct outcome r;
	struct rendered o;

	refused(&r, REASON_METHOD);
	render(cfg, &r, &o);
	ck_assert_has(o.head, "\r\nAllow: POST\r\n");
	config_free(cfg);
}
END_TEST

START_TEST(rate_limited)
{
	struct config *cfg = cfg_with("");
	struct outcome r;
	struct rendered o;

	/* README, "Errors": 429 carries Retry-After. */
	refused(&r, REASON_RATE_LIMITED);
	render(cfg, &r, &o);
	ck_assert_int_eq(header_count(o.head, "Retry-After"), 1);
	config_free(cfg);
}
END_TEST

START_TEST(validation_names_field)
{
	struct config *cfg = cfg_with("");
	struct outcome r;
	struct rendered o;
	struct json_object *b, *errs, *list;

	refused(&r, REASON_BODY_FIELD);
	r.field = "refresh_token";
	r.problem = "must be a string";
	render(cfg, &r, &o);
	b = json_body(&o);
	errs = unit_member(b, "errors");
	ck_assert_int_eq(json_object_object_length(errs), 1);
	list = unit_member(errs, "refresh_token");
	ck_assert(json_object_is_type(list, json_type_array));
	ck_assert_uint_eq(json_object_array_length(list), 1);
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(list, 0)), "must be a string");
	json_object_put(b);
	config_free(cfg);
}
END_TEST

START_TEST(logout_204)
{
	struct config *cfg = cfg_with("");
	struct outcome r = {.kind = RESP_LOGOUT_OK};
	struct rendered o;

	ck_assert_int_eq(render_status(cfg, &r), 204);
	render(cfg, &r, &o);
	assert_common(&o, 204);
	ck_assert_uint_eq(o.bodylen, 0);
	ck_assert_int_eq(header_count(o.head, "Content-Type"), 0);
	ck_assert_int_eq(header_count(o.head, "WWW-Authenticate"), 0);
	ck_assert_msg(header_count(o.head, "Content-Length") == 0 ||
			  strstr(o.head, "Content-Length: 0\r\n") != NULL,
	    "%s", o.head);
	config_free(cfg);
}
END_TEST

START_TEST(logout_200)
{
	struct config *cfg = cfg_with("[response]\nlogout_status = 200\n");
	struct outcome r = {.kind = RESP_LOGOUT_OK};
	struct rendered o;

	ck_assert_int_eq(render_status(cfg, &r), 200);
	render(cfg, &r, &o);
	assert_common(&o, 200);
	json_object_put(json_body(&o));
	/* The body deploy/logout-fcgi.conf documents. */
	ck_assert_str_eq(o.body, "{\"success\":true,\"data\":{\"message\":\"Logged out\"}}");
	config_free(cfg);
}
END_TEST

START_TEST(logout_all_ok)
{
	struct config *cfg = cfg_with("");
	struct outcome r = {.kind = RESP_LOGOUT_ALL_OK};
	struct rendered o;

	ck_assert_int_eq(render_status(cfg, &r), 200);
	render(cfg, &r, &o);
	assert_common(&o, 200);
	json_object_put(json_body(&o));
	ck_assert_str_eq(
	    o.body, "{\"success\":true,\"data\":{\"message\":\"Logged out from all devices\"}}");
	config_free(cfg);
	/* logout_status does not change logout-all. */
	cfg = cfg_with("[response]\nlogout_status = 200\n");
	ck_assert_int_eq(render_status(cfg, &r), 200);
	config_free(cfg);
}
END_TEST

static void gate_yes(struct outcome *r, int authorizer, const char *session);

START_TEST(short_buffer)
{
	struct config *cfg = cfg_with("");
	struct outcome rs[4];
	static char buf[4096];

	memset(rs, 0, sizeof(rs));
	refused(&rs[0], REASON_TOKEN_EXPIRED);
	rs[1].kind = RESP_LOGOUT_ALL_OK;
	rs[2].kind = RESP_LOGOUT_OK;
	gate_yes(&rs[3], 0, "s-1");
	for (size_t k = 0; k < 4; k++) {
		int full = render_response(cfg, NULL, &rs[k], TRACE, buf, sizeof(buf));

		ck_assert_int_gt(full, 0);
		for (size_t cap = 0; cap < (size_t)full; cap++) {
			memset(buf, '#', sizeof(buf));
			ck_assert_msg(render_response(cfg, NULL, &rs[k], TRACE, buf, cap) == -1,
			    "cap %zu of %d accepted", cap, full);
			for (size_t i = cap; i < sizeof(buf); i++)
				ck_assert_msg(buf[i] == '#', "wrote at %zu with cap %zu", i, cap);
		}
		/* Exactly full bytes: fits, or -1 when a NUL is wanted too. */
		memset(buf, '#', sizeof(buf));
		ck_assert_int_ne(render_response(cfg, NULL, &rs[k], TRACE, buf, (size_t)full), 0);
		ck_assert_int_eq(buf[full], '#');
		ck_assert_int_eq(render_response(cfg, NULL, &rs[k], TRACE, buf, (size_t)full + 1), full);
	}
	config_free(cfg);
}
END_TEST

/* The fastapi and laravel styles (README, "Compatibility"): the FastAPI and Laravel bodies word by word. */
static const struct {
	const char *style;
	enum reason reason;
	const char *body;
} style_errors[] = {
    {"fastapi", REASON_TOKEN_EXPIRED, "{\"detail\":\"Could not validate credentials\"}"},
    {"fastapi", REASON_DB_UNAVAILABLE, "{\"detail\":\"Service temporarily unavailable\"}"},
    {"fastapi", REASON_DB_ERROR, "{\"detail\":\"Logout failed\"}"},
    {"fastapi", REASON_NOT_FOUND, "{\"detail\":\"Not Found\"}"},
    {"laravel", REASON_REFRESH_INVALID, "{\"message\":\"Unauthenticated.\"}"},
    {"laravel", REASON_RATE_LIMITED, "{\"message\":\"Too Many Attempts.\"}"},
    {"laravel", REASON_NOT_FOUND, "{\"message\":\"Not Found\"}"},
};

START_TEST(styled_errors)
{
	for (size_t i = 0; i < sizeof(style_errors) / sizeof(style_errors[0]); i++) {
		char text[64];
		struct config *cfg;
		struct outcome r;
		struct rendered o;

		snprintf(text, sizeof(text), "[response]\nstyle = %s\n", style_errors[i].style);
		cfg = cfg_with(text);
		refused(&r, style_errors[i].reason);
		render(cfg, &r, &o);
		json_object_put(json_body(&o));
		ck_assert_str_eq(o.body, style_errors[i].body);
		ck_assert_has(o.head, "\r\nX-Request-Id: " TRACE "\r\n");
		if (reason_info(style_errors[i].reason)->err == HERR_UNAUTHORIZED &&
		    !strcmp(style_errors[i].style, "fastapi"))
			/* FastAPI's HTTPException(headers={"WWW-Authenticate": "Bearer"}) */
			ck_assert_has(o.head, "\r\nWWW-Authenticate: Bearer\r\n");
		config_free(cfg);
	}
}
END_TEST

START_TEST(styled_validation)
{
	struct config *cfg = cfg_with("[response]\nstyle = laravel\n");
	struct outcome r;
	struct rendered o;

	refused(&r, REASON_BODY_FIELD);
	r.field = "all_devices";
	r.problem = "must be a boolean";
	render(cfg, &r, &o);
	json_object_put(json_body(&o));
	ck_assert_str_eq(o.body, "{\"message\":\"The all devices field must be a boolean.\","
				 "\"errors\":{\"all_devices\":[\"The all devices field must be a "
				 "boolean.\"]}}");
	config_free(cfg);
	cfg = cfg_with("[response]\nstyle = fastapi\n");
	render(cfg, &r, &o);
	json_object_put(json_body(&o));
	ck_assert_str_eq(o.body, "{\"detail\":[{\"type\":\"value_error\",\"loc\":[\"body\","
				 "\"all_devices\"],\"msg\":\"must be a boolean\"}]}");
	config_free(cfg);
}
END_TEST

START_TEST(styled_success)
{
	struct config *cfg = cfg_with("[response]\nstyle = laravel\nlogout_status = 200\n");
	struct outcome r = {.kind = RESP_LOGOUT_OK};
	struct rendered o;

	render(cfg, &r, &o);
	assert_common(&o, 200);
	ck_assert_str_eq(o.body, "{\"message\":\"Successfully logged out\"}");
	config_free(cfg);
	cfg = cfg_with("[response]\nstyle = fastapi\n");
	r.kind = RESP_LOGOUT_ALL_OK;
	render(cfg, &r, &o);
	ck_assert_str_eq(o.body, "{\"message\":\"Successfully logged out from all devices\"}");
	/* An idempotent repeat (already_logged_out) answers its own status. */
	r.kind = RESP_LOGOUT_OK;
	r.ok_status = 200;
	ck_assert_int_eq(render_status(cfg, &r), 200);
	r.ok_status = 0;
	ck_assert_int_eq(render_status(cfg, &r), 204);
	config_free(cfg);
}
END_TEST

START_TEST(rate_limit_headers)
{
	struct config *cfg = cfg_with("");
	struct outcome r = {.kind = RESP_LOGOUT_OK, .has_limit = 1, .limit = 60, .remaining = 7};
	struct rendered o;

	render(cfg, &r, &o);
	ck_assert_has(o.head, "\r\nX-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 7\r\n");
	refused(&r, REASON_RATE_LIMITED);
	r.has_limit = 1;
	r.limit = 60;
	r.retry_after = 42;
	render(cfg, &r, &o);
	ck_assert_has(o.head, "\r\nX-RateLimit-Remaining: 0\r\n");
	ck_assert_has(o.head, "\r\nRetry-After: 42\r\n");
	refused(&r, REASON_NO_BEARER);
	render(cfg, &r, &o);
	ck_assert_int_eq(header_count(o.head, "X-RateLimit-Limit"), 0);
	config_free(cfg);
}
END_TEST

/* The gate's "yes" (README, "Protecting the whole API"). */
static void
gate_yes(struct outcome *r, int authorizer, const char *session)
{
	memset(r, 0, sizeof(*r));
	r->kind = RESP_VERIFY_OK;
	r->sessions = -1;
	r->authorizer = authorizer;
	snprintf(r->user, sizeof(r->user), "42");
	snprintf(r->session, sizeof(r->session), "%s", session);
}

/* The gate's "yes" to a request of the verify route under cfg: status,
 * the given header lines in that order, no body. */
static void
assert_gate_yes(const struct config *cfg, const struct outcome *r, int status, const char *lines)
{
	struct rendered o;

	ck_assert_int_eq(render_status(cfg, r), status);
	render_on(cfg, ROUTE_VERIFY, r, &o);
	assert_common(&o, status);
	ck_assert_has(o.head, lines);
	ck_assert_int_eq(header_count(o.head, "Content-Type"), 0);
	ck_assert_uint_eq(o.bodylen, 0);
}

START_TEST(gate_204)
{
	struct config *cfg = cfg_with("[server]\nendpoints = verify\n");
	struct outcome r;
	struct rendered o;

	gate_yes(&r, 0, "s-1");
	assert_gate_yes(cfg, &r, 204, "\r\nX-Auth-User: 42\r\nX-Auth-Session: s-1\r\n");
	/* No session id (a token without sid or jti): no empty header. */
	gate_yes(&r, 0, "");
	render_on(cfg, ROUTE_VERIFY, &r, &o);
	ck_assert_int_eq(header_count(o.head, "X-Auth-User"), 1);
	ck_assert_int_eq(header_count(o.head, "X-Auth-Session"), 0);
	config_free(cfg);
	/* The names are the configuration's; any style answers the same. */
	cfg = cfg_with("[server]\nendpoints = verify\n[response]\nstyle = laravel\n"
		       "user_header = X-User-Id\nsession_header = X-Session-Id\n");
	gate_yes(&r, 0, "7");
	assert_gate_yes(cfg, &r, 204, "\r\nX-User-Id: 42\r\nX-Session-Id: 7\r\n");
	/* Asked as a FastCGI authorizer: 200 and Variable-*. */
	gate_yes(&r, 1, "s-1");
	assert_gate_yes(
	    cfg, &r, 200, "\r\nVariable-AUTH_USER: 42\r\nVariable-AUTH_SESSION: s-1\r\n");
	render_on(cfg, ROUTE_VERIFY, &r, &o);
	ck_assert_has(o.raw, "Status: 200 OK\r\n");
	ck_assert_int_eq(header_count(o.head, "X-User-Id"), 0);
	/* A control byte in a name is never rendered (the handler refuses it). */
	snprintf(r.user, sizeof(r.user), "42\r\nX-User-Id: 1");
	ck_assert_int_eq(render_response(cfg, routes_get(ROUTE_VERIFY), &r, TRACE, o.raw,
			     sizeof(o.raw)),
	    -1);
	config_free(cfg);
}
END_TEST

START_TEST(gate_authorizer_refused)
{
	struct config *cfg = cfg_with("[server]\nendpoints = verify\n");
	struct outcome r;
	struct rendered o;

	/* The status and WWW-Authenticate, no body, whatever route. */
	refused(&r, REASON_SESSION_GONE);
	r.authorizer = 1;
	render_on(cfg, ROUTE_LOGOUT, &r, &o);
	assert_common(&o, 401);
	ck_assert_has(o.head, "\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n");
	ck_assert_int_eq(header_count(o.head, "Variable-AUTH_USER"), 0);
	ck_assert_uint_eq(o.bodylen, 0);
	config_free(cfg);
}
END_TEST

START_TEST(gate_refusals)
{
	static const struct {
		enum reason reason;
		int status;
	} cases[] = {{REASON_NO_BEARER, 401}, {REASON_TOKEN_SIGNATURE, 401},
	    {REASON_SESSION_GONE, 401}, {REASON_CLAIM_FOR_HEADER, 401},
	    {REASON_DB_UNAVAILABLE, 503}, {REASON_DB_ERROR, 500}};
	const char *styles[] = {"envelope", "fastapi", "laravel"};

	for (size_t k = 0; k < 3; k++) {
		char text[96];
		struct config *cfg;

		snprintf(text, sizeof(text), "[server]\nendpoints = verify\n[response]\nstyle = %s\n",
		    styles[k]);
		cfg = cfg_with(text);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct outcome r;
			struct rendered o;

			refused(&r, cases[i].reason);
			render_on(cfg, ROUTE_VERIFY, &r, &o);
			assert_common(&o, cases[i].status);
			ck_assert_msg(o.bodylen == 0, "%s: a body on the gate's %d", styles[k],
			    cases[i].status);
			ck_assert_int_eq(header_count(o.head, "Content-Type"), 0);
			ck_assert_int_eq(header_count(o.head, "X-Auth-User"), 0);
			ck_assert_int_eq(
			    header_count(o.head, "WWW-Authenticate"), cases[i].status == 401);
		}
		config_free(cfg);
	}
}
END_TEST

START_TEST(logout_others_ok)
{
	static const struct {
		const char *style;
		const char *body;
	} cases[] = {
	    {"envelope", "{\"success\":true,\"data\":{\"message\":\"Logged out from other "
			 "devices\",\"sessions_ended\":3}}"},
	    {"fastapi", "{\"message\":\"Successfully logged out from other devices\","
			"\"sessions_ended\":3}"},
	    {"laravel", "{\"message\":\"Successfully logged out from other devices\","
			"\"sessions_ended\":3}"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[64];
		struct config *cfg;
		struct outcome r = {.kind = RESP_LOGOUT_OTHERS_OK, .sessions = 3};
		struct rendered o;

		snprintf(text, sizeof(text), "[response]\nstyle = %s\n", cases[i].style);
		cfg = cfg_with(text);
		ck_assert_int_eq(render_status(cfg, &r), 200);
		render_on(cfg, ROUTE_LOGOUT_OTHERS, &r, &o);
		assert_common(&o, 200);
		json_object_put(json_body(&o));
		ck_assert_str_eq(o.body, cases[i].body);
		/* Nothing else to end (or an uncertain count): 0, never -1. */
		r.sessions = -1;
		render_on(cfg, ROUTE_LOGOUT_OTHERS, &r, &o);
		ck_assert_has(o.body, "\"sessions_ended\":0}");
		config_free(cfg);
	}
}
END_TEST

static Suite *
render_suite(void)
{
	Suite *s = suite_create("render");

	UNIT_TCASE(s, "errors", every_error, unauthorized, method_not_allowed, rate_limited,
	    validation_names_field);
	UNIT_TCASE(s, "success", logout_204, logout_200, logout_all_ok, logout_others_ok);
	UNIT_TCASE(s, "gate", gate_204, gate_authorizer_refused, gate_refusals);
	UNIT_TCASE(
	    s, "styles", styled_errors, styled_validation, styled_success, rate_limit_headers);
	UNIT_TCASE(s, "bounds", short_buffer);
	return s;
}

UNIT_MAIN(render_suite)

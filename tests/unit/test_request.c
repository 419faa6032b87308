/* SPDX-License-Identifier: ISC */
/*
 * test_request.c — pins src/request.c over a static table of FastCGI
 * params: the route from the param sets Apache, nginx and lighttpd really
 * send (SCRIPT_NAME+PATH_INFO, DOCUMENT_URI, REQUEST_URI less its query),
 * a custom path_prefix, the gate's path and the FastCGI authorizer role
 * (any path is the gate), the method, CONTENT_LENGTH parsing, the headers
 * kept, the trace id (a valid incoming UUID kept, anything else replaced by
 * a fresh UUIDv4), and the application/json media type test.
 */
#include <ctype.h>

#include "unit.h"

#include "request.h"

#define PFX "/api/v1/auth"
#define UUID "123e4567-e89b-12d3-a456-426614174000"

static struct config *cfg;

static void
load_default(void)
{
	cfg = unit_config(UNIT_KEY_SECTION);
}

static enum request_err
parse(struct request *r, const struct unit_param *params)
{
	if (cfg == NULL)
		load_default();
	memset(r, 0x5a, sizeof(*r));
	return request_parse(r, cfg, unit_get, (void *)params);
}

/* No route (a 404). */
#define ROUTE_NONE (-1)

static int
id_of(const struct request *r)
{
	return r->route != NULL ? (int)r->route->id : ROUTE_NONE;
}

/* The route computed from params; the parse must succeed. */
static int
route_of(const struct unit_param *params)
{
	struct request r;

	ck_assert_int_eq(parse(&r, params), REQUEST_OK);
	return id_of(&r);
}

/* A well-formed, lower-case hex, version 4, RFC 4122 variant UUID. */
static void
assert_uuid_v4(const char *s)
{
	ck_assert_msg(request_uuid_valid(s), "not a UUID: %s", s);
	for (size_t i = 0; i < TRACE_ID_LEN; i++)
		if (s[i] != '-')
			ck_assert_msg(isxdigit((unsigned char)s[i]), "%s", s);
	ck_assert_int_eq(s[14], '4');
	ck_assert_ptr_nonnull(strchr("89abAB", s[19]));
}

START_TEST(route_apache)
{
	const struct unit_param p[] = {
		{ "REQUEST_METHOD", "POST" },
		{ "SCRIPT_NAME", PFX },
		{ "PATH_INFO", "/logout" },
		{ "REQUEST_URI", PFX "/logout?x=1" },
		{ NULL, NULL },
	};
	const struct unit_param all[] = {
		{ "SCRIPT_NAME", PFX },
		{ "PATH_INFO", "/logout-all" },
		{ NULL, NULL },
	};
	struct request r;

	ck_assert_int_eq(parse(&r, p), REQUEST_OK);
	ck_assert_int_eq(id_of(&r), ROUTE_LOGOUT);
	ck_assert_str_eq(r.path, PFX "/logout");
	ck_assert_int_eq(route_of(all), ROUTE_LOGOUT_ALL);
}
END_TEST

START_TEST(route_nginx)
{
	const struct unit_param p[] = {
		{ "REQUEST_METHOD", "POST" },
		{ "SCRIPT_NAME", PFX "/logout-all" },
		{ "PATH_INFO", "" },
		{ "DOCUMENT_URI", PFX "/logout-all" },
		{ "REQUEST_URI", PFX "/logout-all?trace=1" },
		{ NULL, NULL },
	};
	const struct unit_param doc_only[] = {
		{ "DOCUMENT_URI", PFX "/logout" },
		{ NULL, NULL },
	};
	struct request r;

	ck_assert_int_eq(parse(&r, p), REQUEST_OK);
	ck_assert_int_eq(id_of(&r), ROUTE_LOGOUT_ALL);
	ck_assert_str_eq(r.path, PFX "/logout-all");
	ck_assert_int_eq(route_of(doc_only), ROUTE_LOGOUT);
}
END_TEST

START_TEST(route_lighttpd)
{
	const struct unit_param p[] = {
		{ "REQUEST_METHOD", "POST" },
		{ "SCRIPT_NAME", PFX "/logout" },
		{ "REQUEST_URI", PFX "/logout?a=b" },
		{ NULL, NULL },
	};

	ck_assert_int_eq(route_of(p), ROUTE_LOGOUT);
}
END_TEST

START_TEST(route_request_uri)
{
	const struct unit_param q[] = {
		{ "REQUEST_URI", PFX "/logout-all?x=1&y=/logout" },
		{ NULL, NULL },
	};
	const struct unit_param plain[] = {
		{ "REQUEST_URI", PFX "/logout" },
		{ NULL, NULL },
	};
	const struct unit_param empty_q[] = {
		{ "REQUEST_URI", PFX "/logout?" },
		{ NULL, NULL },
	};
	struct request r;

	ck_assert_int_eq(parse(&r, q), REQUEST_OK);
	ck_assert_int_eq(id_of(&r), ROUTE_LOGOUT_ALL);
	ck_assert_str_eq(r.path, PFX "/logout-all");
	ck_assert_int_eq(route_of(plain), ROUTE_LOGOUT);
	ck_assert_int_eq(route_of(empty_q), ROUTE_LOGOUT);
}
END_TEST

START_TEST(route_unknown)
{
	static const char *paths[] = {
		PFX "/login",
		PFX "/logoutx",
		PFX "/logout-allx",
		PFX "/logout/x",
		PFX "logout",
		PFX,
		PFX "/",
		"/logout",
		"/api/v1/logout",
		"/api/v2/auth/logout",
		"/x" PFX "/logout",
		"",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct unit_param p[] = {
			{ "DOCUMENT_URI", paths[i] },
			{ "REQUEST_URI", paths[i] },
			{ NULL, NULL },
		};

		ck_assert_msg(route_of(p) == ROUTE_NONE, "%s routed", paths[i]);
	}
	/* No path at all. */
	{
		const struct unit_param none[] = { { "REQUEST_METHOD", "POST" }, { NULL, NULL } };

		ck_assert_int_eq(route_of(none), ROUTE_NONE);
	}
}
END_TEST

START_TEST(route_custom_prefix)
{
	const struct unit_param in[] = { { "DOCUMENT_URI", "/auth/logout" }, { NULL, NULL } };
	const struct unit_param all[] = { { "DOCUMENT_URI", "/auth/logout-all" }, { NULL, NULL } };
	const struct unit_param old[] = { { "DOCUMENT_URI", PFX "/logout" }, { NULL, NULL } };

	struct config *saved = cfg;

	/* Restored afterwards: with CK_FORK=no the next tests share cfg. */
	cfg = unit_config("[server]\npath_prefix = /auth\n" UNIT_KEY_SECTION);
	ck_assert_int_eq(route_of(in), ROUTE_LOGOUT);
	ck_assert_int_eq(route_of(all), ROUTE_LOGOUT_ALL);
	ck_assert_int_eq(route_of(old), ROUTE_NONE);
	config_free(cfg);
	cfg = saved;
}
END_TEST

START_TEST(route_verify)
{
	const struct unit_param nginx[] = { { "DOCUMENT_URI", PFX "/verify" }, { NULL, NULL } };
	const struct unit_param others[] = { { "DOCUMENT_URI", PFX "/logout-others" },
		{ NULL, NULL } };
	const struct unit_param moved[] = { { "DOCUMENT_URI", PFX "/check" }, { NULL, NULL } };
	struct config *saved;

	/* The default, kept for the tests after this one (CK_FORK=no). */
	if (cfg == NULL)
		load_default();
	saved = cfg;

	/* Routed whether served or not: the handler answers 404 for those
	 * [server] endpoints leaves out. */
	ck_assert_int_eq(route_of(nginx), ROUTE_VERIFY);
	ck_assert_int_eq(route_of(others), ROUTE_LOGOUT_OTHERS);
	ck_assert_int_eq(route_of(moved), ROUTE_NONE);
	cfg = unit_config("[server]\nverify_path = /check\n" UNIT_KEY_SECTION);
	ck_assert_int_eq(route_of(moved), ROUTE_VERIFY);
	ck_assert_int_eq(route_of(nginx), ROUTE_NONE);
	config_free(cfg);
	cfg = saved;
}
END_TEST

/* Apache's mod_authnz_fcgi sends REQUEST_URI (the protected URL) and no
 * SCRIPT_NAME or PATH_INFO; lighttpd sends the file's SCRIPT_FILENAME.
 * libfcgi names the role first, before the server's own FCGI_ROLE. */
START_TEST(route_authorizer)
{
	const struct unit_param apache[] = { { "FCGI_ROLE", "AUTHORIZER" },
		{ "REQUEST_METHOD", "PATCH" }, { "REQUEST_URI", "/app/orders/7?x=1" },
		{ "FCGI_ROLE", "AUTHORIZER" }, { NULL, NULL } };
	const struct unit_param logout[] = { { "FCGI_ROLE", "AUTHORIZER" },
		{ "DOCUMENT_URI", PFX "/logout" }, { NULL, NULL } };
	const struct unit_param bare[] = { { "FCGI_ROLE", "AUTHORIZER" }, { NULL, NULL } };
	const struct unit_param responder[] = { { "FCGI_ROLE", "RESPONDER" },
		{ "DOCUMENT_URI", "/app" }, { "FCGI_ROLE", "AUTHORIZER" }, { NULL, NULL } };
	struct request r;

	ck_assert_int_eq(parse(&r, apache), REQUEST_OK);
	ck_assert_int_eq(r.authorizer, 1);
	ck_assert_int_eq(id_of(&r), ROUTE_VERIFY);
	ck_assert_str_eq(r.path, "/app/orders/7");
	ck_assert_int_eq(route_of(logout), ROUTE_VERIFY);
	ck_assert_int_eq(route_of(bare), ROUTE_VERIFY);
	/* A web server's own FCGI_ROLE after libfcgi's changes nothing. */
	ck_assert_int_eq(parse(&r, responder), REQUEST_OK);
	ck_assert_int_eq(r.authorizer, 0);
	ck_assert_int_eq(id_of(&r), ROUTE_NONE);
}
END_TEST

START_TEST(route_too_long)
{
	static char path[REQUEST_PATH_MAX * 2];
	const struct unit_param p[] = { { "DOCUMENT_URI", path }, { NULL, NULL } };
	size_t n = (size_t)snprintf(path, sizeof(path), "%s", PFX);

	/* Over REQUEST_PATH_MAX: no route, and no overflow of r.path. */
	memset(path + n, '/', sizeof(path) - n - 16);
	strcpy(path + sizeof(path) - 16, "logout");
	ck_assert_int_eq(route_of(p), ROUTE_NONE);
}
END_TEST

START_TEST(method)
{
	const struct unit_param post[] = { { "REQUEST_METHOD", "POST" }, { NULL, NULL } };
	const struct unit_param get[] = { { "REQUEST_METHOD", "GET" }, { NULL, NULL } };
	const struct unit_param lower[] = { { "REQUEST_METHOD", "post" }, { NULL, NULL } };
	const struct unit_param postx[] = { { "REQUEST_METHOD", "POSTX" }, { NULL, NULL } };
	const struct unit_param none[] = { { NULL, NULL } };
	struct request r;

	parse(&r, post);
	ck_assert_uint_eq(r.method, METHOD_POST);
	parse(&r, get);
	ck_assert_uint_eq(r.method, METHOD_GET);
	/* Methods are case-sensitive (RFC 9110 §9.1). */
	parse(&r, lower);
	ck_assert_uint_eq(r.method, 0);
	parse(&r, postx);
	ck_assert_uint_eq(r.method, 0);
	parse(&r, none);
	ck_assert_uint_eq(r.method, 0);
}
END_TEST

/* CONTENT_LENGTH value v (NULL: absent) → want, or EBADLENGTH when bad. */
static void
length_case(const char *v, long long want, int bad)
{
	const struct unit_param p[] = {
		{ "REQUEST_METHOD", "POST" },
		{ v ? "CONTENT_LENGTH" : "X_NONE", v ? v : "" },
		{ NULL, NULL },
	};
	struct request r;
	enum request_err e = parse(&r, p);

	if (bad) {
		ck_assert_msg(e == REQUEST_EBADLENGTH, "CONTENT_LENGTH \"%s\" accepted", v);
		return;
	}
	ck_assert_msg(e == REQUEST_OK, "CONTENT_LENGTH \"%s\" refused", v ? v : "(absent)");
	ck_assert_int_eq(r.content_length, want);
}

START_TEST(content_length)
{
	length_case(NULL, -1, 0);
	length_case("12", 12, 0);
	length_case("0", 0, 0);
	length_case("4096", 4096, 0);
	length_case("9223372036854775807", 9223372036854775807LL, 0);
	length_case("abc", 0, 1);
	length_case("-1", 0, 1);
	length_case("99999999999999999999", 0, 1);
	length_case("9223372036854775808", 0, 1);
	length_case("12abc", 0, 1);
	length_case("1e3", 0, 1);
	length_case("12 ", 0, 1);
	length_case("0x10", 0, 1);
}
END_TEST

START_TEST(content_length_empty)
{
	/* nginx's stock fastcgi_params send CONTENT_LENGTH "" for a request without a body. */
	const struct unit_param p[] = {
		{ "REQUEST_METHOD", "POST" },
		{ "CONTENT_LENGTH", "" },
		{ "CONTENT_TYPE", "" },
		{ NULL, NULL },
	};
	struct request r;

	ck_assert_int_eq(parse(&r, p), REQUEST_OK);
	ck_assert_int_le(r.content_length, 0);
}
END_TEST

START_TEST(headers)
{
	const struct unit_param p[] = {
		{ "REQUEST_METHOD", "POST" },
		{ "DOCUMENT_URI", PFX "/logout" },
		{ "HTTP_AUTHORIZATION", "Bearer abc.def.ghi" },
		{ "CONTENT_TYPE", "application/json" },
		{ "REMOTE_ADDR", "2001:db8::1" },
		{ "HTTP_USER_AGENT", "curl/8.0" },
		{ NULL, NULL },
	};
	const struct unit_param none[] = { { NULL, NULL } };
	struct request r;

	ck_assert_int_eq(parse(&r, p), REQUEST_OK);
	ck_assert_ptr_nonnull(r.authorization);
	ck_assert_str_eq(r.authorization, "Bearer abc.def.ghi");
	ck_assert_ptr_nonnull(r.content_type);
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_str_eq(r.client_ip, "2001:db8::1");
	ck_assert_str_eq(r.user_agent, "curl/8.0");
	ck_assert_int_eq(parse(&r, none), REQUEST_OK);
	ck_assert_ptr_null(r.authorization);
	ck_assert_ptr_null(r.content_type);
	ck_assert_str_eq(r.user_agent, "");
	ck_assert_str_eq(r.client_ip, "");
	ck_assert_int_eq(r.content_length, -1);
}
END_TEST

START_TEST(user_agent_truncated)
{
	static char ua[REQUEST_UA_MAX * 4];
	const struct unit_param p[] = { { "HTTP_USER_AGENT", ua }, { NULL, NULL } };
	struct request r;

	memset(ua, 'u', sizeof(ua) - 1);
	ck_assert_int_eq(parse(&r, p), REQUEST_OK);
	ck_assert_uint_eq(strlen(r.user_agent), REQUEST_UA_MAX - 1);
	ck_assert_int_eq(r.user_agent[0], 'u');
}
END_TEST

START_TEST(trace_id_kept)
{
	const struct unit_param p[] = { { "HTTP_X_REQUEST_ID", UUID }, { NULL, NULL } };
	const struct unit_param up[] = {
		{ "HTTP_X_REQUEST_ID", "123E4567-E89B-12D3-A456-426614174000" },
		{ NULL, NULL },
	};
	struct request r;

	ck_assert_int_eq(parse(&r, p), REQUEST_OK);
	ck_assert_str_eq(r.trace_id, UUID);
	/* Any well-formed UUID, not only v4, and upper-case hex too. */
	ck_assert_int_eq(parse(&r, up), REQUEST_OK);
	ck_assert_int_eq(strcasecmp(r.trace_id, UUID), 0);
}
END_TEST

START_TEST(trace_id_replaced)
{
	static const char *bad[] = {
		"abc",
		"",
		UUID "0",
		UUID "\r\nX-Evil: 1",
		"123e4567e89b12d3a456426614174000",
		"123e4567-e89b-12d3-a456-42661417400g",
		"123e4567-e89b-12d3-a456_426614174000",
		"{123e4567-e89b-12d3-a456-426614174000}",
		" 123e4567-e89b-12d3-a456-426614174000",
	};
	struct request r;
	char first[TRACE_ID_LEN + 1];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct unit_param p[] = { { "HTTP_X_REQUEST_ID", bad[i] }, { NULL, NULL } };

		ck_assert_int_eq(parse(&r, p), REQUEST_OK);
		ck_assert_uint_eq(strlen(r.trace_id), TRACE_ID_LEN);
		assert_uuid_v4(r.trace_id);
		ck_assert_msg(strstr(bad[i], r.trace_id) == NULL, "kept \"%s\"", bad[i]);
	}
	/* Absent: fresh, and different each time. */
	{
		const struct unit_param none[] = { { NULL, NULL } };

		parse(&r, none);
		assert_uuid_v4(r.trace_id);
		memcpy(first, r.trace_id, sizeof(first));
		parse(&r, none);
		assert_uuid_v4(r.trace_id);
		ck_assert_str_ne(first, r.trace_id);
	}
}
END_TEST

/* Fresh ids come from a per-thread pool refilled every 16: still all
 * distinct and well-formed across refills. */
START_TEST(uuid_fresh_distinct)
{
	static char ids[100][TRACE_ID_LEN + 1];

	for (size_t i = 0; i < 100; i++) {
		request_uuid_new(ids[i]);
		ck_assert_uint_eq(strlen(ids[i]), TRACE_ID_LEN);
		assert_uuid_v4(ids[i]);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(ids[i], ids[j]);
	}
}
END_TEST

START_TEST(uuid_valid)
{
	ck_assert_int_eq(request_uuid_valid(UUID), 1);
	ck_assert_int_eq(request_uuid_valid("00000000-0000-0000-0000-000000000000"), 1);
	ck_assert_int_eq(request_uuid_valid("ABCDEF01-2345-6789-abcd-ef0123456789"), 1);
	ck_assert_int_eq(request_uuid_valid(""), 0);
	ck_assert_int_eq(request_uuid_valid(UUID "a"), 0);
	ck_assert_int_eq(request_uuid_valid("123e4567-e89b-12d3-a456-42661417400"), 0);
	ck_assert_int_eq(request_uuid_valid("123e4567-e89b-12d3a-456-426614174000"), 0);
	ck_assert_int_eq(request_uuid_valid("123e4567+e89b-12d3-a456-426614174000"), 0);
	ck_assert_int_eq(request_uuid_valid("123e4567-e89b-12d3-a456-4266141740 0"), 0);
	ck_assert_int_eq(request_uuid_valid("123e4567-e89b-12d3-a456-42661417400z"), 0);
	ck_assert_int_eq(request_uuid_valid("------------------------------------"), 0);
}
END_TEST

START_TEST(uuid_new)
{
	char a[TRACE_ID_LEN + 1], b[TRACE_ID_LEN + 1];

	memset(a, 'X', sizeof(a));
	request_uuid_new(a);
	ck_assert_int_eq(a[TRACE_ID_LEN], '\0');
	assert_uuid_v4(a);
	for (int i = 0; i < 100; i++) {
		request_uuid_new(b);
		assert_uuid_v4(b);
		ck_assert_str_ne(a, b);
	}
}
END_TEST

START_TEST(is_json)
{
	ck_assert_int_eq(request_is_json("application/json"), 1);
	ck_assert_int_eq(request_is_json("application/json; charset=utf-8"), 1);
	ck_assert_int_eq(request_is_json("application/json;charset=UTF-8"), 1);
	ck_assert_int_eq(request_is_json("Application/JSON"), 1);
	ck_assert_int_eq(request_is_json("text/plain"), 0);
	ck_assert_int_eq(request_is_json("application/jsonx"), 0);
	ck_assert_int_eq(request_is_json("application/json-patch+json"), 0);
	ck_assert_int_eq(request_is_json("application/x-www-form-urlencoded"), 0);
	ck_assert_int_eq(request_is_json("application/jso"), 0);
	ck_assert_int_eq(request_is_json("xapplication/json"), 0);
	ck_assert_int_eq(request_is_json(""), 0);
	ck_assert_int_eq(request_is_json(NULL), 0);
}
END_TEST

static Suite *
request_suite(void)
{
	Suite *s = suite_create("request");

	UNIT_TCASE(s, "gate", route_verify, route_authorizer);
	UNIT_TCASE(s, "route", route_apache, route_nginx, route_lighttpd, route_request_uri,
	    route_unknown, route_custom_prefix, route_too_long);
	UNIT_TCASE(s, "params", method, content_length, content_length_empty, headers,
	    user_agent_truncated);
	UNIT_TCASE(s, "trace", trace_id_kept, trace_id_replaced, uuid_valid, uuid_new,
	    uuid_fresh_distinct);
	UNIT_TCASE(s, "media", is_json);
	return s;
}

UNIT_MAIN(request_suite)

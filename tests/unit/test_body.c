/* SPDX-License-Identifier: ISC */
/*
 * test_body.c — pins src/body.c, the optional LogoutRequest body
 * {"refresh_token": "...", "all_devices": false}: empty is fine, both
 * members optional, null same as absent, unknown members ignored; non-JSON
 * (including bad UTF-8, trailing junk and depth bombs) is BODY_EJSON (400),
 * JSON that is not an object BODY_ENOTOBJECT (422), a member of the wrong
 * type BODY_EFIELD naming the field (422).
 */
#include "unit.h"

#include "body.h"

static struct logout_body body;

/* Parse the NUL-terminated s. */
static enum body_err
parse(const char *s)
{
	memset(&body, 0x5a, sizeof(body));
	return body_parse(s, strlen(s), &body);
}

#define ck_assert_body(s, want)                                                \
	do {                                                                   \
		enum body_err got_ = parse(s);                                 \
		ck_assert_msg(got_ == (want), "%s: got %d, want %d", (s),      \
		    (int)got_, (int)(want));                                   \
	} while (0)

static void
assert_nothing_set(void)
{
	ck_assert_int_eq(body.has_refresh, 0);
	ck_assert_int_eq(body.all_devices, 0);
}

START_TEST(empty)
{
	memset(&body, 0x5a, sizeof(body));
	ck_assert_int_eq(body_parse("", 0, &body), BODY_OK);
	assert_nothing_set();
	/* Counted: length 0 is empty whatever the pointer holds. */
	memset(&body, 0x5a, sizeof(body));
	ck_assert_int_eq(body_parse("[[[", 0, &body), BODY_OK);
	assert_nothing_set();
}
END_TEST

START_TEST(empty_object)
{
	ck_assert_body("{}", BODY_OK);
	assert_nothing_set();
	ck_assert_body(" { } \n", BODY_OK);
	assert_nothing_set();
}
END_TEST

START_TEST(refresh_token)
{
	ck_assert_body("{\"refresh_token\":\"abc.def.ghi\"}", BODY_OK);
	ck_assert_int_eq(body.has_refresh, 1);
	ck_assert_str_eq(body.refresh_token, "abc.def.ghi");
	ck_assert_uint_eq(body.refresh_len, 11);
	ck_assert_int_eq(body.all_devices, 0);
	ck_assert_body("{\"refresh_token\":\"x\"}", BODY_OK);
	ck_assert_int_eq(body.has_refresh, 1);
	ck_assert_str_eq(body.refresh_token, "x");
	ck_assert_uint_eq(body.refresh_len, 1);
}
END_TEST

START_TEST(all_devices)
{
	ck_assert_body("{\"all_devices\":true}", BODY_OK);
	ck_assert_int_eq(body.all_devices, 1);
	ck_assert_int_eq(body.has_refresh, 0);
	ck_assert_body("{\"all_devices\":false}", BODY_OK);
	ck_assert_int_eq(body.all_devices, 0);
	ck_assert_body("{\"refresh_token\":\"r\",\"all_devices\":true}", BODY_OK);
	ck_assert_int_eq(body.all_devices, 1);
	ck_assert_int_eq(body.has_refresh, 1);
	ck_assert_str_eq(body.refresh_token, "r");
}
END_TEST

START_TEST(null_is_absent)
{
	ck_assert_body("{\"refresh_token\":null,\"all_devices\":null}", BODY_OK);
	assert_nothing_set();
	ck_assert_body("{\"refresh_token\":null,\"all_devices\":true}", BODY_OK);
	ck_assert_int_eq(body.has_refresh, 0);
	ck_assert_int_eq(body.all_devices, 1);
}
END_TEST

START_TEST(unknown_members_ignored)
{
	ck_assert_body("{\"device\":\"phone\",\"n\":1,\"x\":[1,{\"y\":null}],\"z\":{}}", BODY_OK);
	assert_nothing_set();
	ck_assert_body("{\"foo\":1,\"refresh_token\":\"t\",\"bar\":false}", BODY_OK);
	ck_assert_str_eq(body.refresh_token, "t");
	/* Names are exact: these are unknown members, not the known ones. */
	ck_assert_body("{\"Refresh_Token\":5,\"all_devices \":\"yes\"}", BODY_OK);
	assert_nothing_set();
}
END_TEST

START_TEST(not_an_object)
{
	ck_assert_body("[]", BODY_ENOTOBJECT);
	ck_assert_body("1", BODY_ENOTOBJECT);
	ck_assert_body("\"refresh_token\"", BODY_ENOTOBJECT);
	ck_assert_body("null", BODY_ENOTOBJECT);
	ck_assert_body("true", BODY_ENOTOBJECT);
	ck_assert_body("[{\"all_devices\":true}]", BODY_ENOTOBJECT);
}
END_TEST

START_TEST(not_json)
{
	ck_assert_body("{bad", BODY_EJSON);
	ck_assert_body("{", BODY_EJSON);
	ck_assert_body("}", BODY_EJSON);
	ck_assert_body("{'refresh_token':'x'}", BODY_EJSON);
	ck_assert_body("{\"all_devices\":True}", BODY_EJSON);
	ck_assert_body("{\"all_devices\":true,}", BODY_EJSON);
	ck_assert_body("refresh_token=x", BODY_EJSON);
	ck_assert_body("{\"a\":1} x", BODY_EJSON);
	ck_assert_body("{}{}", BODY_EJSON);
	ck_assert_body("{\"refresh_token\":\"x\"}\"", BODY_EJSON);
	/* json-c's strict mode still takes these; RFC 8259 does not. */
	ck_assert_body("{'a':1}", BODY_EJSON);
	ck_assert_body("{\"all_devices\":NaN}", BODY_EJSON);
	ck_assert_body("{\"all_devices\":Infinity}", BODY_EJSON);
	ck_assert_body("{\"all_devices\":-Infinity}", BODY_EJSON);
}
END_TEST

START_TEST(counted_buffer)
{
	static const char buf[] = "{}garbage";

	memset(&body, 0x5a, sizeof(body));
	ck_assert_int_eq(body_parse(buf, 2, &body), BODY_OK);
	assert_nothing_set();
	ck_assert_int_eq(body_parse(buf, sizeof(buf) - 1, &body), BODY_EJSON);
	/* An embedded NUL is not the end of the input. */
	ck_assert_int_ne(body_parse("{}\0{}", 5, &body), BODY_OK);
}
END_TEST

START_TEST(wrong_types)
{
	ck_assert_body("{\"all_devices\":\"yes\"}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "all_devices");
	ck_assert_str_eq(body.problem, "must be a boolean");
	ck_assert_body("{\"all_devices\":1}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "all_devices");
	ck_assert_str_eq(body.problem, "must be a boolean");
	ck_assert_body("{\"all_devices\":\"true\"}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "all_devices");
	ck_assert_body("{\"refresh_token\":5}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "refresh_token");
	ck_assert_str_eq(body.problem, "must be a string");
	ck_assert_body("{\"refresh_token\":{}}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "refresh_token");
	ck_assert_str_eq(body.problem, "must be a string");
	ck_assert_body("{\"refresh_token\":[\"x\"]}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "refresh_token");
	ck_assert_body("{\"refresh_token\":true}", BODY_EFIELD);
	ck_assert_str_eq(body.field, "refresh_token");
	/* An escaped NUL would make refresh_len and strlen disagree. */
	ck_assert_int_eq(parse("{\"refresh_token\":\"a\\u0000b\"}"), BODY_EFIELD);
}
END_TEST

START_TEST(depth_bomb)
{
	static char buf[20002];

	memset(buf, '[', 10000);
	buf[10000] = '\0';
	ck_assert_body(buf, BODY_EJSON);
	memset(buf, '[', 10000);
	memset(buf + 10000, ']', 10000);
	buf[20000] = '\0';
	ck_assert_body(buf, BODY_EJSON);
	/* Inside an ignored member too. */
	strcpy(buf, "{\"x\":");
	memset(buf + 5, '{', 10000);
	buf[10005] = '\0';
	ck_assert_body(buf, BODY_EJSON);
	/* Modest nesting in an ignored member is fine. */
	ck_assert_body("{\"x\":[[[{\"y\":[1]}]]],\"all_devices\":true}", BODY_OK);
	ck_assert_int_eq(body.all_devices, 1);
}
END_TEST

START_TEST(bad_utf8)
{
	ck_assert_body("{\"refresh_token\":\"\xff\"}", BODY_EJSON);
	ck_assert_body("{\"refresh_token\":\"a\xc3\x28\"}", BODY_EJSON);
	ck_assert_body("{\"x\":\"\xe2\x82\"}", BODY_EJSON);
	ck_assert_body("{\"\xfe\":1}", BODY_EJSON);
	/* Valid multi-byte UTF-8 is fine. */
	ck_assert_body("{\"x\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"}", BODY_OK);
}
END_TEST

START_TEST(bad_utf8_forms)
{
	/* Well-formed byte patterns that RFC 3629 still forbids. */
	ck_assert_body("{\"x\":\"\xc0\xaf\"}", BODY_EJSON);		/* overlong '/' */
	ck_assert_body("{\"x\":\"\xe0\x80\xaf\"}", BODY_EJSON);	/* overlong '/' */
	ck_assert_body("{\"x\":\"\xed\xa0\x80\"}", BODY_EJSON);	/* surrogate U+D800 */
	ck_assert_body("{\"x\":\"\xf4\x90\x80\x80\"}", BODY_EJSON); /* past U+10FFFF */
}
END_TEST

START_TEST(duplicate_members)
{
	/* "Last one wins" would let a proxy and this service read different values. */
	ck_assert_int_ne(parse("{\"all_devices\":false,\"all_devices\":true}"), BODY_OK);
	ck_assert_int_ne(parse("{\"refresh_token\":\"a\",\"refresh_token\":\"b\"}"), BODY_OK);
	/* A single-quoted key must not hide a duplicate from the member count. */
	ck_assert_int_ne(
	    parse("{\"refresh_token\":\"a\",'\"':0,\"refresh_token\":\"b\"}"), BODY_OK);
}
END_TEST

START_TEST(refresh_token_bounds)
{
	static char buf[TOKEN_MAX_LEN + 64];
	int n;

	/* TOKEN_MAX_LEN bytes fit exactly... */
	n = snprintf(buf, sizeof(buf), "{\"refresh_token\":\"");
	memset(buf + n, 'a', TOKEN_MAX_LEN);
	strcpy(buf + n + TOKEN_MAX_LEN, "\"}");
	ck_assert_body(buf, BODY_OK);
	ck_assert_uint_eq(body.refresh_len, TOKEN_MAX_LEN);
	ck_assert_uint_eq(strlen(body.refresh_token), TOKEN_MAX_LEN);
	/* ...one more is refused, never truncated. */
	memset(buf + n, 'a', TOKEN_MAX_LEN + 1);
	strcpy(buf + n + TOKEN_MAX_LEN + 1, "\"}");
	ck_assert_int_ne(parse(buf), BODY_OK);
	/* Escapes are decoded. */
	ck_assert_body("{\"refresh_token\":\"a\\/b\\u0041\"}", BODY_OK);
	ck_assert_str_eq(body.refresh_token, "a/bA");
	ck_assert_uint_eq(body.refresh_len, 4);
}
END_TEST

static Suite *
body_suite(void)
{
	Suite *s = suite_create("body");

	UNIT_TCASE(s, "valid", empty, empty_object, refresh_token, all_devices, null_is_absent,
	    unknown_members_ignored, counted_buffer, refresh_token_bounds);
	UNIT_TCASE(s, "invalid", not_an_object, not_json, wrong_types, depth_bomb, bad_utf8,
	    bad_utf8_forms, duplicate_members);
	return s;
}

UNIT_MAIN(body_suite)

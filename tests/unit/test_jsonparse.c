/* SPDX-License-Identifier: ISC */
/*
 * test_jsonparse.c — pins src/jsonparse.c, the one parser untrusted JSON
 * (token payloads, request bodies) goes through: RFC 8259 text only (no
 * single quotes, NaN, comments, trailing commas, raw control characters,
 * trailing junk), well-formed UTF-8 (RFC 3629), the nesting bounded by
 * max_depth, the input counted (no NUL needed, none allowed inside), and a
 * top-level object naming a member twice refused (RFC 7519 §4), however
 * the name is spelled; and the calling thread's locale is what it was.
 */
#include "unit.h"

#include <locale.h>
#include <stdint.h>
#include <sys/mman.h>

#include "jsonparse.h"

static enum jsonparse_err
parse_n(const char *s, size_t len, int depth, struct json_object **out)
{
	*out = (struct json_object *)&parse_n; /* must be reset */
	return jsonparse_strict(s, len, depth, out);
}

/* Expect s (NUL-terminated) to parse; the caller puts the result. */
static struct json_object *
parses(const char *s)
{
	struct json_object *o;

	ck_assert_msg(parse_n(s, strlen(s), 16, &o) == JSONPARSE_OK, "refused: %s", s);
	return o;
}

static void
refuse_n(const char *s, size_t len, enum jsonparse_err want)
{
	struct json_object *o;
	enum jsonparse_err got = parse_n(s, len, 16, &o);

	ck_assert_msg(got == want, "%.*s: got %d, want %d", (int)len, s, got, want);
	ck_assert_ptr_null(o);
}

static void
refuse(const char *s)
{
	refuse_n(s, strlen(s), JSONPARSE_EINVALID);
}

static void
refuse_dup(const char *s)
{
	refuse_n(s, strlen(s), JSONPARSE_EDUPLICATE);
}

/* depth nested arrays around a 1: "[[1]]" for 2. */
static char *
nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 2);
	int i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < depth; i++)
		s[i] = '[';
	s[depth] = '1';
	for (i = 0; i < depth; i++)
		s[depth + 1 + i] = ']';
	s[2 * depth + 1] = '\0';
	return s;
}

START_TEST(object_parsed)
{
	struct json_object *o =
	    parses("{\"sub\":\"42\",\"exp\":1700000000,\"all\":true,\"x\":null}");

	ck_assert(json_object_is_type(o, json_type_object));
	ck_assert_int_eq(json_object_object_length(o), 4);
	ck_assert_str_eq(json_object_get_string(unit_member(o, "sub")), "42");
	ck_assert_int_eq(json_object_get_int64(unit_member(o, "exp")), 1700000000);
	ck_assert(json_object_get_boolean(unit_member(o, "all")));
	json_object_put(o);
}
END_TEST

/* Top-level values other than an object, whitespace around them. */
static const struct {
	const char *text;
	enum json_type type;
	const char *as_json; /* json-c's rendering */
} scalars[] = {
    {" \t\r\n[1, 2 ,3]\n\r\t ", json_type_array, "[1,2,3]"},
    {"\"text\"", json_type_string, "\"text\""},
    /* A number or literal ending the input is complete. */
    {"123", json_type_int, "123"},
    {"-0", json_type_int, "0"},
    {"1.5e3", json_type_double, "1.5e3"},
    {"true", json_type_boolean, "true"},
    {"false ", json_type_boolean, "false"},
    /* null parses, and json-c has no object for it. */
    {"null", json_type_null, "null"},
};

START_TEST(scalars_and_whitespace)
{
	struct json_object *o = parses(scalars[_i].text);

	ck_assert_int_eq(json_object_get_type(o), scalars[_i].type);
	ck_assert_str_eq(
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), scalars[_i].as_json);
	json_object_put(o);
}
END_TEST

/* Parsing runs under the "C" locale object and leaves the thread's own. */
START_TEST(thread_locale_kept)
{
	locale_t before = uselocale((locale_t)0);
	struct json_object *o = parses("{\"exp\":1.5e3,\"n\":-2}");

	ck_assert_ptr_eq(uselocale((locale_t)0), before);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "exp")), 1500);
	json_object_put(o);
}
END_TEST

START_TEST(counted_input)
{
	struct json_object *o;
	const char buf[] = "{\"a\":1}{\"b\":2}";

	/* The length decides, not a NUL. */
	ck_assert_int_eq(parse_n(buf, 7, 4, &o), JSONPARSE_OK);
	ck_assert_int_eq(json_object_object_length(o), 1);
	json_object_put(o);
	refuse_n(buf, sizeof(buf) - 1, JSONPARSE_EINVALID);
	refuse_n("{}\0", 3, JSONPARSE_EINVALID);
	refuse_n("{\"a\":\"b\0c\"}", 11, JSONPARSE_EINVALID);
	refuse_n("{}", 0, JSONPARSE_EINVALID);
}
END_TEST

START_TEST(refuses_empty)
{
	refuse("");
	refuse(" ");
	refuse("\n\t\r ");
}
END_TEST

START_TEST(refuses_not_json)
{
	static const char *const bad[] = {
	    "{",
	    "}",
	    "{\"a\":1",
	    "{\"a\":1}x",
	    "{\"a\":1}{}",
	    "[1,]",
	    "{\"a\":1,}",
	    "{'a':1}",
	    "['a']",
	    "NaN",
	    "[Infinity]",
	    "[-Infinity]",
	    "/*x*/{}",
	    "{} // x",
	    "nul",
	    "tru",
	    "{\"a\":truex}",
	    "[true false]",
	    "12 3",
	    "01",
	    "+1",
	    ".5",
	    "-",
	    "{a:1}",
	    "{\"a\" 1}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse(bad[i]);
}
END_TEST

START_TEST(refuses_raw_control_characters)
{
	refuse("[\"a\tb\"]");
	refuse("[\"a\nb\"]");
	refuse("{\"a\x01\":1}");
	refuse("\"\x1f\"");
	/* Escaped, they are fine. */
	json_object_put(parses("[\"a\\tb\\n\\u0001\"]"));
}
END_TEST

START_TEST(refuses_bad_utf8)
{
	refuse("\"\xff\"");
	refuse("\"\xc3\x28\"");
	refuse("\"\xc0\xaf\"");		/* overlong "/" */
	refuse("\"\xe0\x80\xaf\"");	/* overlong "/" */
	refuse("\"\xed\xa0\x80\"");	/* a surrogate */
	refuse("\"\xf4\x90\x80\x80\""); /* past U+10FFFF */
	refuse("\"\xe2\x82\"");		/* cut short */
	refuse("{\"\x80\":1}");
	json_object_put(parses("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\""));
}
END_TEST

START_TEST(depth_bounded)
{
	struct json_object *o;
	char *s;

	/* depth counts every level, the innermost value included. */
	s = nested(15);
	ck_assert_int_eq(parse_n(s, strlen(s), 16, &o), JSONPARSE_OK);
	json_object_put(o);
	free(s);
	s = nested(16);
	ck_assert_int_eq(parse_n(s, strlen(s), 16, &o), JSONPARSE_EINVALID);
	ck_assert_ptr_null(o);
	free(s);
	ck_assert_int_eq(parse_n("[1]", 3, 1, &o), JSONPARSE_EINVALID);
	ck_assert_int_eq(parse_n("[1]", 3, 2, &o), JSONPARSE_OK);
	json_object_put(o);
	ck_assert_int_eq(parse_n("{\"a\":{\"b\":{}}}", 14, 2, &o), JSONPARSE_EINVALID);
	ck_assert_int_eq(parse_n("{\"a\":{\"b\":{}}}", 14, 3, &o), JSONPARSE_OK);
	json_object_put(o);
	/* Far past any bound: refused, not a stack overflow. */
	s = nested(100000);
	ck_assert_int_eq(parse_n(s, strlen(s), 16, &o), JSONPARSE_EINVALID);
	free(s);
}
END_TEST

START_TEST(size_bounded)
{
	/* json-c takes an int length: a longer input is refused before it
	 * is read. Reserved, never touched but for its last byte. */
	size_t len = (size_t)INT32_MAX + 2;
	char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct json_object *o;

	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(parse_n(p, len, 16, &o), JSONPARSE_EINVALID);
	ck_assert_ptr_null(o);
	munmap(p, len);
}
END_TEST

START_TEST(duplicate_members)
{
	refuse_dup("{\"a\":1,\"a\":2}");
	refuse_dup("{\"sub\":\"1\",\"x\":0,\"sub\":\"2\"}");
	refuse_dup("{\"a\" :1 , \"a\":2}");
	/* The same name through an escape. */
	refuse_dup("{\"a\":1,\"\\u0061\":2}");
	refuse_dup("{\"\":1,\"\":2}");
}
END_TEST

START_TEST(separators_inside_values)
{
	/* Commas and brackets in strings and nested values are not members. */
	struct json_object *o =
	    parses("{\"a\":\"x,y}\",\"b\":[1,2,{\"c\":3,\"d\":4}],\"e\":\"\\\",\",\"\":{}}");

	ck_assert_int_eq(json_object_object_length(o), 4);
	ck_assert_str_eq(json_object_get_string(unit_member(o, "e")), "\",");
	ck_assert_int_eq(json_object_object_length(unit_member(o, "")), 0);
	json_object_put(o);
}
END_TEST

static Suite *
jsonparse_suite(void)
{
	Suite *s = suite_create("jsonparse");

	TCase *tc = tcase_create("scalars");

	tcase_add_loop_test(
	    tc, scalars_and_whitespace, 0, (int)(sizeof(scalars) / sizeof(scalars[0])));
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "accepts", object_parsed, counted_input, separators_inside_values,
	    thread_locale_kept);
	UNIT_TCASE(s, "strict", refuses_empty, refuses_not_json, refuses_raw_control_characters,
	    refuses_bad_utf8, duplicate_members);
	UNIT_TCASE(s, "bounds", depth_bounded, size_bounded);
	return s;
}

UNIT_MAIN(jsonparse_suite)

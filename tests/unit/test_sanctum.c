/* SPDX-License-Identifier: ISC */
/*
 * test_sanctum.c — pins src/sanctum.c against Laravel Sanctum's token rules:
 * "<id>|<secret>" split at the first '|', the id a plain positive decimal
 * that fits BIGINT, the secret printable and bounded; the stored hash is
 * hex SHA-256 of the secret (prefix and CRC included) compared in full;
 * crc32b is PHP's hash('crc32b'); new secrets have Sanctum 4's shape.
 */
#include <ctype.h>

#include "unit.h"

#include "sanctum.h"

static int
parses(const char *tok, unsigned long long *id, const char **sec, size_t *slen)
{
	return sanctum_parse(tok, strlen(tok), id, sec, slen) == 0;
}

START_TEST(parse_laravel_token)
{
	unsigned long long id;
	const char *sec;
	size_t slen;

	ck_assert(parses("7|abcdef", &id, &sec, &slen));
	ck_assert_uint_eq(id, 7);
	ck_assert_uint_eq(slen, 6);
	ck_assert_mem_eq(sec, "abcdef", 6);
	/* Only the first '|' splits: the rest belongs to the secret. */
	ck_assert(parses("12|pre|fix", &id, &sec, &slen));
	ck_assert_uint_eq(id, 12);
	ck_assert_uint_eq(slen, 7);
	ck_assert(parses("9223372036854775807|x", &id, &sec, &slen));
	ck_assert_uint_eq(id, 9223372036854775807ULL);
}
END_TEST

START_TEST(parse_refuses_bad_shapes)
{
	static const char *const bad[] = {
	    "abcdef",		      /* no id */
	    "|abcdef",		      /* empty id */
	    "0|abc",		      /* id 0 */
	    "07|abc",		      /* leading zero */
	    "-1|abc",		      /* sign */
	    "+1|abc",		      /* sign */
	    "1 |abc",		      /* space */
	    "9223372036854775808|a",  /* over BIGINT */
	    "12345678901234567890|a", /* 20 digits */
	    "1|",		      /* empty secret */
	    "1|ab cd",		      /* space in the secret */
	    "1|ab\tcd",		      /* control character */
	    "1|ab\x80",		      /* not ASCII */
	};
	unsigned long long id = 99;
	const char *sec;
	size_t slen, i;
	char longtok[SANCTUM_SECRET_MAX + 4];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!parses(bad[i], &id, &sec, &slen), "accepted \"%s\"", bad[i]);
	ck_assert_uint_eq(id, 99);
	memset(longtok, 'a', sizeof(longtok) - 1);
	longtok[0] = '1';
	longtok[1] = '|';
	longtok[sizeof(longtok) - 1] = '\0';
	ck_assert(!parses(longtok, &id, &sec, &slen));
	longtok[sizeof(longtok) - 2] = '\0'; /* exactly SANCTUM_SECRET_MAX */
	ck_assert(parses(longtok, &id, &sec, &slen));
}
END_TEST

START_TEST(hash_is_hex_sha256_of_the_secret)
{
	char out[SANCTUM_HASH_HEX + 1];

	/* echo -n abc | sha256sum */
	sanctum_hash_hex("abc", 3, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert(sanctum_matches(out, strlen(out), "abc", 3));
	ck_assert(!sanctum_matches(out, strlen(out), "abd", 3));
	/* Truncated, extended or upper-case stored values do not match. */
	ck_assert(!sanctum_matches(out, 63, "abc", 3));
	ck_assert(!sanctum_matches("", 0, "abc", 3));
	out[0] = 'B';
	ck_assert(!sanctum_matches(out, 64, "abc", 3));
}
END_TEST

START_TEST(crc32b_matches_php)
{
	/* php -r 'echo hash("crc32b", "The quick brown fox jumps over the lazy dog");' */
	const char *s = "The quick brown fox jumps over the lazy dog";

	ck_assert_uint_eq(sanctum_crc32(s, strlen(s)), 0x414fa339u);
	ck_assert_uint_eq(sanctum_crc32("", 0), 0);
}
END_TEST

START_TEST(new_secret_has_sanctum4_shape)
{
	char a[SANCTUM_SECRET_MAX + 1], b[SANCTUM_SECRET_MAX + 1], crc[9];
	int n, i;

	n = sanctum_new_secret("app_", a, sizeof(a));
	ck_assert_int_eq(n, 4 + SANCTUM_RANDOM_LEN + 8);
	ck_assert_mem_eq(a, "app_", 4);
	for (i = 4; i < 4 + SANCTUM_RANDOM_LEN; i++)
		ck_assert_msg(isalnum((unsigned char)a[i]), "byte %d is '%c'", i, a[i]);
	snprintf(crc, sizeof(crc), "%08x", (unsigned)sanctum_crc32(a + 4, SANCTUM_RANDOM_LEN));
	ck_assert_str_eq(a + 4 + SANCTUM_RANDOM_LEN, crc);
	ck_assert_int_eq(sanctum_new_secret("", b, sizeof(b)), SANCTUM_RANDOM_LEN + 8);
	ck_assert_str_ne(a + 4, b);
	ck_assert_int_eq(sanctum_new_secret("app_", a, 20), -1);
}
END_TEST

static Suite *
sanctum_suite(void)
{
	Suite *s = suite_create("sanctum");

	UNIT_TCASE(s, "parse", parse_laravel_token, parse_refuses_bad_shapes);
	UNIT_TCASE(s, "hash", hash_is_hex_sha256_of_the_secret, crc32b_matches_php,
	    new_secret_has_sanctum4_shape);
	return s;
}

UNIT_MAIN(sanctum_suite)

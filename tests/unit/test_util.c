/* SPDX-License-Identifier: ISC */
/*
 * test_util.c — pins src/util.c, the bounded helpers every number, copy
 * and file of the service goes through: whole-string decimal parsing with
 * the range and overflow checks at both ends of long long, copies that
 * fail instead of truncating, hex, case-insensitive prefixes, Laravel's
 * UTC timestamps, size-capped file reads, and RFC 3629 UTF-8 (no overlong
 * forms, no surrogates, nothing past U+10FFFF) with the lossy copy that
 * never splits a character.
 */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* ---------------------------------------------------------------- numbers */

static void
num_ok(const char *s, long long min, long long max, long long want)
{
	long long v = 12345;

	ck_assert_msg(util_strtonum(s, min, max, &v) == 0, "\"%s\" refused", s);
	ck_assert_msg(v == want, "\"%s\": got %lld, want %lld", s, v, want);
}

static void
num_bad(const char *s, long long min, long long max)
{
	long long v = 12345;

	ck_assert_msg(util_strtonum(s, min, max, &v) == -1, "\"%s\" accepted", s);
	ck_assert_msg(v == 12345, "\"%s\": *out changed on failure", s);
}

START_TEST(strtonum_whole_numbers)
{
	num_ok("0", 0, 10, 0);
	num_ok("-0", 0, 10, 0);
	num_ok("7", 0, 10, 7);
	num_ok("007", 0, 10, 7);
	num_ok("-12", -100, 100, -12);
	num_ok("9223372036854775807", LLONG_MIN, LLONG_MAX, LLONG_MAX);
	num_ok("-9223372036854775808", LLONG_MIN, LLONG_MAX, LLONG_MIN);
}
END_TEST

START_TEST(strtonum_range_inclusive)
{
	num_ok("1", 1, 65535, 1);
	num_ok("65535", 1, 65535, 65535);
	num_bad("0", 1, 65535);
	num_bad("65536", 1, 65535);
	num_bad("-1", 0, LLONG_MAX);
	num_ok("-5", -5, -5, -5);
	num_bad("-6", -5, -5);
}
END_TEST

START_TEST(strtonum_overflow)
{
	num_bad("9223372036854775808", LLONG_MIN, LLONG_MAX);
	num_bad("-9223372036854775809", LLONG_MIN, LLONG_MAX);
	num_bad("18446744073709551616", LLONG_MIN, LLONG_MAX);
	num_bad("99999999999999999999999999", LLONG_MIN, LLONG_MAX);
	num_bad("-99999999999999999999999999", LLONG_MIN, LLONG_MAX);
}
END_TEST

START_TEST(strtonum_junk)
{
	static const char *const bad[] = {
	    "", "-", "--1", "+1", " 1", "1 ", "1\n", "12a", "a12", "0x10", "1e3", "1.0", "1,000",
	    "\xd9\xa1", /* ARABIC-INDIC DIGIT ONE */
	};
	long long v = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		num_bad(bad[i], LLONG_MIN, LLONG_MAX);
	ck_assert_int_eq(util_strtonum(NULL, 0, 10, &v), -1);
	ck_assert_int_eq(v, 12345);
}
END_TEST

START_TEST(strntonum_counted)
{
	long long v = 12345;
	const char buf[] = {'4', '2', '7'}; /* no NUL */

	ck_assert_int_eq(util_strntonum(buf, 2, 0, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(util_strntonum(buf, 3, 0, 1000, &v), 0);
	ck_assert_int_eq(v, 427);
	ck_assert_int_eq(util_strntonum("123abc", 3, 0, 1000, &v), 0);
	ck_assert_int_eq(v, 123);
	v = 12345;
	ck_assert_int_eq(util_strntonum("123", 0, 0, 1000, &v), -1);
	ck_assert_int_eq(util_strntonum("-", 1, -10, 10, &v), -1);
	ck_assert_int_eq(util_strntonum("1\0002", 3, 0, 1000, &v), -1);
	ck_assert_int_eq(util_strntonum("123", 3, 0, 100, &v), -1);
	ck_assert_int_eq(v, 12345);
}
END_TEST

/* ---------------------------------------------------------------- strings */

START_TEST(strlcpy_fits_or_fails)
{
	char dst[8];

	ck_assert_int_eq(util_strlcpy(dst, "abc", sizeof(dst)), 0);
	ck_assert_str_eq(dst, "abc");
	/* Seven characters and the NUL: exactly full. */
	ck_assert_int_eq(util_strlcpy(dst, "abcdefg", sizeof(dst)), 0);
	ck_assert_str_eq(dst, "abcdefg");
	ck_assert_int_eq(util_strlcpy(dst, "", sizeof(dst)), 0);
	ck_assert_str_eq(dst, "");
	/* One more: refused, and nothing half-copied is left behind. */
	memcpy(dst, "xxxxxxx", 8);
	ck_assert_int_eq(util_strlcpy(dst, "abcdefgh", sizeof(dst)), -1);
	ck_assert_str_eq(dst, "");
	ck_assert_int_eq(util_strlcpy(dst, "a", 1), -1);
	ck_assert_str_eq(dst, "");
	/* No room at all: refused, dst untouched. */
	dst[0] = 'z';
	ck_assert_int_eq(util_strlcpy(dst, "", 0), -1);
	ck_assert_int_eq(dst[0], 'z');
}
END_TEST

START_TEST(hex_lowercase)
{
	const unsigned char in[] = {0x00, 0x0f, 0xa0, 0xff, 0x5a};
	char out[2 * sizeof(in) + 1];

	memset(out, 'X', sizeof(out));
	util_hex(in, sizeof(in), out);
	ck_assert_str_eq(out, "000fa0ff5a");
	util_hex(in, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(strncaseeq_ascii)
{
	ck_assert(util_strncaseeq("Bearer abc", "bEARER ", 7));
	ck_assert(util_strncaseeq("BEARER", "bearer", 6));
	ck_assert(!util_strncaseeq("Bearer", "Basic ", 6));
	/* Only the first n bytes count. */
	ck_assert(util_strncaseeq("abcX", "ABCy", 3));
	ck_assert(util_strncaseeq("x", "y", 0));
	/* Both ending early within n: equal; one ending early: not. */
	ck_assert(util_strncaseeq("ab", "AB", 10));
	ck_assert(!util_strncaseeq("ab", "ABC", 10));
	ck_assert(!util_strncaseeq("Bear", "Bearer ", 7));
	/* ASCII only: no folding of other bytes, nor of neighbours of A-Z. */
	ck_assert(!util_strncaseeq("\xc4", "\xe4", 1));
	ck_assert(!util_strncaseeq("@", "`", 1));
	ck_assert(!util_strncaseeq("[", "{", 1));
}
END_TEST

/* ---------------------------------------------------------------- time */

static void
datetime_is(long long t, const char *want)
{
	char out[UTIL_DATETIME_LEN + 1];

	memset(out, 'X', sizeof(out));
	util_utc_datetime(t, out);
	ck_assert_str_eq(out, want);
}

START_TEST(utc_datetime_laravel_format)
{
	datetime_is(0, "1970-01-01 00:00:00");
	datetime_is(1700000000, "2023-11-14 22:13:20");
	datetime_is(951782400, "2000-02-29 00:00:00");
	datetime_is(-1, "1969-12-31 23:59:59");
	datetime_is(253402300799LL, "9999-12-31 23:59:59");
	/* A year of five digits does not fit the column: the epoch instead
	 * of a longer or cut string. */
	datetime_is(253402300800LL, "1970-01-01 00:00:00");
	datetime_is(LLONG_MAX, "1970-01-01 00:00:00");
}
END_TEST

START_TEST(clocks)
{
	time_t before = time(NULL), now = util_now(), after = time(NULL);
	long long a = util_now_ms(), b = util_now_ms();

	/* time(NULL) may lag the precise clock by a tick, never lead it. */
	ck_assert_int_ge(now, before);
	ck_assert_int_le(now, after + 1);
	ck_assert_int_gt(a, 0);
	ck_assert_int_ge(b, a);
}
END_TEST

/* ---------------------------------------------------------------- files */

static char file_path[64];

static void
write_file(const void *data, size_t len)
{
	int fd;

	snprintf(file_path, sizeof(file_path), "/tmp/test_util.XXXXXX");
	fd = mkstemp(file_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* util_read_file of file_path with max succeeds with want (len bytes). */
static void
read_ok(size_t max, const char *want, size_t len)
{
	char *buf = NULL;
	size_t got = 99;

	ck_assert_int_eq(util_read_file(file_path, max, &buf, &got), 0);
	ck_assert_uint_eq(got, len);
	/* NUL-terminated past the bytes read. */
	ck_assert_mem_eq(buf, want, len + 1);
	free(buf);
}

/* It fails with errno want, handing nothing out. */
static void
read_fails(const char *path, size_t max, int want)
{
	char *buf = NULL;
	size_t len = 99;

	errno = 0;
	ck_assert_int_eq(util_read_file(path, max, &buf, &len), -1);
	ck_assert_int_eq(errno, want);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 99);
}

START_TEST(read_file_limits)
{
	write_file("0123456789", 10);
	/* Exactly max: read whole; one byte over: EFBIG. */
	read_ok(10, "0123456789", 10);
	read_ok(11, "0123456789", 10);
	read_fails(file_path, 9, EFBIG);
	read_fails(file_path, 0, EFBIG);
	unlink(file_path);
	read_fails(file_path, 10, ENOENT);
	/* A directory is not a file to read. */
	read_fails("/", 100, EISDIR);
}
END_TEST

START_TEST(read_file_empty_and_binary)
{
	write_file("", 0);
	read_ok(0, "", 0);
	read_ok(10, "", 0);
	unlink(file_path);
	write_file("a\0b", 3);
	read_ok(3, "a\0b", 3);
	unlink(file_path);
}
END_TEST

START_TEST(read_file_stat_of_what_was_read)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	write_file("abc", 3);
	ck_assert_int_eq(chmod(file_path, 0640), 0);
	ck_assert_int_eq(util_read_file_stat(file_path, 10, &buf, &len, &st), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(st.st_size, 3);
	ck_assert_int_eq(st.st_uid, geteuid());
	free(buf);
	unlink(file_path);
}
END_TEST

START_TEST(parse_mode_octal)
{
	unsigned int m = 12345;

	ck_assert_int_eq(util_parse_mode("0660", &m), 0);
	ck_assert_uint_eq(m, 0660);
	ck_assert_int_eq(util_parse_mode("640", &m), 0);
	ck_assert_uint_eq(m, 0640);
	ck_assert_int_eq(util_parse_mode("00660", &m), 0);
	ck_assert_uint_eq(m, 0660);
	ck_assert_int_eq(util_parse_mode("0", &m), 0);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(util_parse_mode("0777", &m), 0);
	ck_assert_uint_eq(m, 0777);
	m = 12345;
	/* No setuid, setgid or sticky bit, no 8 or 9, nothing but digits. */
	ck_assert_int_eq(util_parse_mode("1777", &m), -1);
	ck_assert_int_eq(util_parse_mode("4755", &m), -1);
	ck_assert_int_eq(util_parse_mode("0680", &m), -1);
	ck_assert_int_eq(util_parse_mode("000000660", &m), -1);
	ck_assert_int_eq(util_parse_mode("", &m), -1);
	ck_assert_int_eq(util_parse_mode("-660", &m), -1);
	ck_assert_int_eq(util_parse_mode("660 ", &m), -1);
	ck_assert_int_eq(util_parse_mode("rw-rw----", &m), -1);
	ck_assert_uint_eq(m, 12345);
}
END_TEST

/* ---------------------------------------------------------------- UTF-8 */

static size_t
u8len(const char *s, size_t n)
{
	return util_utf8_len((const unsigned char *)s, n);
}

START_TEST(utf8_len_well_formed)
{
	ck_assert_uint_eq(u8len("a", 1), 1);
	ck_assert_uint_eq(u8len("\x7f", 1), 1);
	ck_assert_uint_eq(u8len("\0", 1), 1);
	ck_assert_uint_eq(u8len("\xc2\x80", 2), 2);	    /* U+0080 */
	ck_assert_uint_eq(u8len("\xc3\xa9", 2), 2);	    /* é */
	ck_assert_uint_eq(u8len("\xe0\xa0\x80", 3), 3);	    /* U+0800 */
	ck_assert_uint_eq(u8len("\xe2\x82\xac", 3), 3);	    /* € */
	ck_assert_uint_eq(u8len("\xed\x9f\xbf", 3), 3);	    /* U+D7FF */
	ck_assert_uint_eq(u8len("\xee\x80\x80", 3), 3);	    /* U+E000 */
	ck_assert_uint_eq(u8len("\xf0\x90\x80\x80", 4), 4); /* U+10000 */
	ck_assert_uint_eq(u8len("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
	/* Only the first character is measured. */
	ck_assert_uint_eq(u8len("\xc3\xa9xyz", 5), 2);
}
END_TEST

START_TEST(utf8_len_ill_formed)
{
	ck_assert_uint_eq(u8len("\x80", 1), 0); /* lone continuation */
	ck_assert_uint_eq(u8len("\xbf", 1), 0);
	ck_assert_uint_eq(u8len("\xc0\x80", 2), 0);	    /* overlong NUL */
	ck_assert_uint_eq(u8len("\xc1\xbf", 2), 0);	    /* overlong */
	ck_assert_uint_eq(u8len("\xe0\x9f\xbf", 3), 0);	    /* overlong */
	ck_assert_uint_eq(u8len("\xf0\x8f\xbf\xbf", 4), 0); /* overlong */
	ck_assert_uint_eq(u8len("\xed\xa0\x80", 3), 0);	    /* U+D800 */
	ck_assert_uint_eq(u8len("\xed\xbf\xbf", 3), 0);	    /* U+DFFF */
	ck_assert_uint_eq(u8len("\xf4\x90\x80\x80", 4), 0); /* U+110000 */
	ck_assert_uint_eq(u8len("\xf7\xbf\xbf\xbf", 4), 0);
	ck_assert_uint_eq(u8len("\xf8\x88\x80\x80\x80", 5), 0);
	ck_assert_uint_eq(u8len("\xfe", 1), 0);
	ck_assert_uint_eq(u8len("\xff", 1), 0);
	ck_assert_uint_eq(u8len("\xc3\x28", 2), 0); /* bad continuation */
	ck_assert_uint_eq(u8len("\xe2\x28\xac", 3), 0);
	ck_assert_uint_eq(u8len("\xf0\x9f\x98\x28", 4), 0);
	/* Cut short by n, whatever follows in memory. */
	ck_assert_uint_eq(u8len("\xc3\xa9", 1), 0);
	ck_assert_uint_eq(u8len("\xe2\x82\xac", 2), 0);
	ck_assert_uint_eq(u8len("\xf0\x9f\x98\x80", 3), 0);
}
END_TEST

START_TEST(utf8_valid_whole)
{
	ck_assert(util_utf8_valid("", 0));
	ck_assert(util_utf8_valid("plain", 5));
	ck_assert(util_utf8_valid("caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80", 13));
	ck_assert(util_utf8_valid("a\0b", 3));
	ck_assert(!util_utf8_valid("caf\xc3", 4));
	ck_assert(!util_utf8_valid("ab\xff", 3));
	ck_assert(!util_utf8_valid("\xed\xa0\x80", 3));
	/* Counted: the bad byte past n does not count. */
	ck_assert(util_utf8_valid("ab\xff", 2));
}
END_TEST

static const struct {
	size_t cap;
	const char *src, *want;
} copies[] = {
    /* Each byte that is not part of a well-formed character is a '?'. */
    {16, "a\377b\300\200c", "a?b??c"},
    {16, "\xed\xa0\x80", "???"},
    {16, NULL, ""},
    {3, "\xff\xff\xff", "??"},
    /* "a\xc3\xa9" is 3 bytes: with its NUL it needs 4, and in 3 the
     * character is left out, not split. */
    {4, "a\xc3\xa9", "a\xc3\xa9"},
    {3, "a\xc3\xa9", "a"},
    {4, "\xf0\x9f\x98\x80", ""},
    {5, "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80"},
    {1, "abc", ""},
    {16, "x\xe2\x82\xac\xe2\x82y\xf4\x90\x80\x80z", "x\xe2\x82\xac??y????z"},
};

START_TEST(utf8_copy_replaces_and_never_splits)
{
	char dst[16];
	size_t n;

	memset(dst, 'X', sizeof(dst));
	n = util_utf8_copy(dst, copies[_i].cap, copies[_i].src);
	ck_assert_str_eq(dst, copies[_i].want);
	ck_assert_uint_eq(n, strlen(copies[_i].want));
	ck_assert(util_utf8_valid(dst, n));
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	UNIT_TCASE(s, "numbers", strtonum_whole_numbers, strtonum_range_inclusive,
	    strtonum_overflow, strtonum_junk, strntonum_counted);
	UNIT_TCASE(s, "strings", strlcpy_fits_or_fails, hex_lowercase, strncaseeq_ascii);
	UNIT_TCASE(s, "time", utc_datetime_laravel_format, clocks);
	UNIT_TCASE(s, "files", read_file_limits, read_file_empty_and_binary,
	    read_file_stat_of_what_was_read);
	UNIT_TCASE(s, "modes", parse_mode_octal);
	UNIT_TCASE(s, "utf8", utf8_len_well_formed, utf8_len_ill_formed, utf8_valid_whole);
	tc = tcase_create("utf8_copy");
	tcase_add_loop_test(
	    tc, utf8_copy_replaces_and_never_splits, 0, (int)(sizeof(copies) / sizeof(copies[0])));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(util_suite)

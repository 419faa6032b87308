/* SPDX-License-Identifier: ISC */
/*
 * test_fcgi_scan.c — the FastCGI request scanner: when a request is
 * complete, and which bodies over max_body are waited for (so a kept
 * connection stays in step) or refused unread.
 */
#include "unit.h"

#include "fcgi_scan.h"

#define BUF 16384

static const struct scan_limits lim = {.max_params = 2048, .max_body = 100, .window = 4096};

/* One record at p; the bytes written. */
static size_t
rec(unsigned char *p, int type, const void *content, size_t clen, size_t plen)
{
	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = 0;
	p[3] = 1; /* request id 1 */
	p[4] = (unsigned char)(clen >> 8);
	p[5] = (unsigned char)clen;
	p[6] = (unsigned char)plen;
	p[7] = 0;
	if (clen > 0)
		memcpy(p + 8, content, clen);
	memset(p + 8 + clen, 0, plen);
	return 8 + clen + plen;
}

/* BEGIN_REQUEST of role, then the params with CONTENT_LENGTH cl (none
 * when cl is NULL); the bytes written. */
static size_t
head(unsigned char *p, int role, const char *cl)
{
	unsigned char begin[8] = {0, (unsigned char)role, 1};
	unsigned char pairs[64];
	size_t n = 0, len = 0;

	if (cl != NULL) {
		pairs[n++] = 14;
		pairs[n++] = (unsigned char)strlen(cl);
		memcpy(pairs + n, "CONTENT_LENGTH", 14);
		n += 14;
		memcpy(pairs + n, cl, strlen(cl));
		n += strlen(cl);
	}
	len += rec(p + len, 1, begin, sizeof(begin), 0);
	if (n > 0)
		len += rec(p + len, 4, pairs, n, 0);
	len += rec(p + len, 4, NULL, 0, 0);
	return len;
}

/* STDIN of n bytes in records of chunk bytes (padding plen each), then
 * the empty one; the bytes written. */
static size_t
body(unsigned char *p, size_t n, size_t chunk, size_t plen)
{
	static unsigned char x[BUF];
	size_t len = 0, k;

	memset(x, 'x', sizeof(x));
	while (n > 0) {
		k = n < chunk ? n : chunk;
		len += rec(p + len, 5, x, k, plen);
		n -= k;
	}
	return len + rec(p + len, 5, NULL, 0, 0);
}

/* A request with a body of n bytes (announced as such) is complete at
 * the end of its empty STDIN record, and no sooner. */
static void
expect_waited_for(size_t n, size_t chunk, size_t plen)
{
	static unsigned char b[BUF];
	struct scan_info info;
	char cl[24];
	size_t h, len;

	snprintf(cl, sizeof(cl), "%zu", n);
	h = head(b, 1, cl);
	len = h + body(b + h, n, chunk, plen);
	ck_assert_int_eq(fcgi_scan(b, h, &lim, &info), SCAN_MORE);
	ck_assert_int_eq(fcgi_scan(b, len - 1, &lim, &info), SCAN_MORE);
	ck_assert_int_eq(fcgi_scan(b, len, &lim, &info), SCAN_READY);
	ck_assert_uint_eq(info.consumed, len);
	ck_assert_uint_eq(info.stdin_len, n);
	ck_assert_int_eq(info.content_length, (long long)n);
	ck_assert_int_eq(info.body_unscanned, 0);
}

START_TEST(body_within_max_is_waited_for)
{
	expect_waited_for(50, 8192, 6);
}
END_TEST

/* Over max_body but within the window: checked to its end, so the worker
 * can read it after the 413 and keep the connection. */
START_TEST(body_over_max_that_fits_is_waited_for)
{
	expect_waited_for(3000, 1024, 0);
}
END_TEST

START_TEST(body_over_window_is_refused_unread_at_once)
{
	static unsigned char b[BUF];
	struct scan_info info;
	size_t h = head(b, 1, "5000");

	ck_assert_int_eq(fcgi_scan(b, h, &lim, &info), SCAN_READY);
	ck_assert_uint_eq(info.consumed, h);
	ck_assert_int_eq(info.body_unscanned, 1);
}
END_TEST

/* Framed in records too small for the window to hold it: refused unread
 * once that is known, never a protocol error; within max_body the same
 * framing is one. */
START_TEST(body_in_tiny_records)
{
	static unsigned char b[BUF];
	struct scan_info info;
	size_t h = head(b, 1, "1000"), len = h + body(b + h, 1000, 40, 255);
	size_t h2;

	ck_assert_uint_gt(len, lim.window);
	ck_assert_int_eq(fcgi_scan(b, 2000, &lim, &info), SCAN_MORE);
	ck_assert_int_eq(fcgi_scan(b, lim.window, &lim, &info), SCAN_READY);
	ck_assert_int_eq(info.body_unscanned, 1);
	ck_assert_uint_eq(info.consumed, h);

	h2 = head(b, 1, "99");
	len = h2 + body(b + h2, 99, 3, 255);
	ck_assert_uint_gt(len, lim.window);
	ck_assert_int_eq(fcgi_scan(b, lim.window, &lim, &info), SCAN_BAD);
	ck_assert_int_eq(info.reason, SCAN_ETOO_BIG);
}
END_TEST

START_TEST(authorizer_is_ready_with_its_params)
{
	static unsigned char b[BUF];
	struct scan_info info;
	size_t h = head(b, 2, NULL);

	ck_assert_int_eq(fcgi_scan(b, h - 1, &lim, &info), SCAN_MORE);
	ck_assert_int_eq(fcgi_scan(b, h, &lim, &info), SCAN_READY);
	ck_assert_int_eq(info.role, 2);
	ck_assert_uint_eq(info.consumed, h);
}
END_TEST

START_TEST(first_record_must_begin_a_request)
{
	static unsigned char b[BUF];
	struct scan_info info;
	size_t len = body(b, 10, 8192, 0);

	ck_assert_int_eq(fcgi_scan(b, len, &lim, &info), SCAN_BAD);
	ck_assert_int_eq(info.reason, SCAN_EFIRST);
}
END_TEST

static Suite *
fcgi_scan_suite(void)
{
	Suite *s = suite_create("fcgi_scan");

	UNIT_TCASE(s, "bodies", body_within_max_is_waited_for, body_over_max_that_fits_is_waited_for,
	    body_over_window_is_refused_unread_at_once, body_in_tiny_records);
	UNIT_TCASE(s, "records", authorizer_is_ready_with_its_params,
	    first_record_must_begin_a_request);
	return s;
}

UNIT_MAIN(fcgi_scan_suite)

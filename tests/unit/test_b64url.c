/* SPDX-License-Identifier: ISC */
/*
 * test_b64url.c — pins src/b64url.c: RFC 4648 §10 vectors in the URL-safe
 * alphabet without padding, and the strictness a JWS segment needs: no
 * padding, no '+' '/', no whitespace or NUL, no empty input, no
 * non-canonical trailing bits, no impossible lengths, bounded output.
 */
#include "unit.h"

#include "b64url.h"

static const struct {
	const char *bin;
	const char *enc;
} rfc4648[] = {
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

/* Expect decoding the NUL-terminated s to fail. */
static void
refuse(const char *s)
{
	unsigned char out[64];
	size_t n = 12345;

	ck_assert_msg(b64url_decode(s, strlen(s), out, sizeof(out), &n) == -1,
	    "\"%s\" was accepted", s);
}

START_TEST(encode_rfc4648)
{
	char out[16];

	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		int n = b64url_encode((const unsigned char *)rfc4648[i].bin,
		    strlen(rfc4648[i].bin), out, sizeof(out));
		ck_assert_int_eq(n, (int)strlen(rfc4648[i].enc));
		ck_assert_str_eq(out, rfc4648[i].enc);
	}
}
END_TEST

START_TEST(encode_empty)
{
	char out[4] = "xyz";

	ck_assert_int_eq(b64url_encode((const unsigned char *)"", 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(decode_rfc4648)
{
	unsigned char out[16];
	size_t n;

	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		n = 0;
		ck_assert_int_eq(b64url_decode(rfc4648[i].enc, strlen(rfc4648[i].enc), out,
		    sizeof(out), &n), 0);
		ck_assert_uint_eq(n, strlen(rfc4648[i].bin));
		ck_assert_mem_eq(out, rfc4648[i].bin, n);
	}
}
END_TEST

START_TEST(url_alphabet)
{
	/* 0xfb 0xff 0xbf is "+/+/" in standard base64. */
	const unsigned char bin[] = { 0xfb, 0xff, 0xbf };
	unsigned char out[8];
	char enc[8];
	size_t n = 0;

	ck_assert_int_eq(b64url_encode(bin, sizeof(bin), enc, sizeof(enc)), 4);
	ck_assert_str_eq(enc, "-_-_");
	ck_assert_int_eq(b64url_decode("-_-_", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, bin, 3);
	ck_assert_int_eq(b64url_encode(bin, 2, enc, sizeof(enc)), 3);
	ck_assert_str_eq(enc, "-_8");
}
END_TEST

START_TEST(refuses_standard_alphabet)
{
	refuse("+/+/");
	refuse("-_+/");
	refuse("+_8");
	refuse("Zm9v/w");
}
END_TEST

START_TEST(refuses_padding)
{
	refuse("Zg==");
	refuse("Zg=");
	refuse("Zm8=");
	refuse("Zm9v====");
	refuse("=");
	refuse("Zm9v=Zm9v");
}
END_TEST

START_TEST(refuses_whitespace_and_junk)
{
	refuse("Zm 9v");
	refuse(" Zm9v");
	refuse("Zm9v ");
	refuse("Zm9v\n");
	refuse("Zm9v\r\n");
	refuse("Zm\t9v");
	refuse("Zm9v.");
	refuse("Zm9v!");
}
END_TEST

START_TEST(refuses_embedded_nul)
{
	unsigned char out[16];
	size_t n;

	ck_assert_int_eq(b64url_decode("Zm\0v", 4, out, sizeof(out), &n), -1);
	ck_assert_int_eq(b64url_decode("Zm9v\0", 5, out, sizeof(out), &n), -1);
	ck_assert_int_eq(b64url_decode("\0", 1, out, sizeof(out), &n), -1);
}
END_TEST

START_TEST(refuses_empty)
{
	unsigned char out[16];
	size_t n;

	ck_assert_int_eq(b64url_decode("", 0, out, sizeof(out), &n), -1);
	/* Counted: a zero length is empty whatever follows. */
	ck_assert_int_eq(b64url_decode("Zm9v", 0, out, sizeof(out), &n), -1);
}
END_TEST

START_TEST(refuses_noncanonical_bits)
{
	/* 'A' (0x41) is canonically "QQ"; "QR".."QW" differ only in unused bits. */
	refuse("QR");
	refuse("QS");
	refuse("QT");
	refuse("QW");
	/* "AB" is canonically "QUI"; "QUJ" sets an unused bit. */
	refuse("QUJ");
	refuse("QUK");
	refuse("Zh");
	refuse("Zm9");
}
END_TEST

START_TEST(accepts_canonical_neighbours)
{
	unsigned char out[4];
	size_t n = 0;

	ck_assert_int_eq(b64url_decode("QQ", 2, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 0x41);
	ck_assert_int_eq(b64url_decode("QUI", 3, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "AB", 2);
}
END_TEST

START_TEST(refuses_impossible_length)
{
	refuse("Q");
	refuse("Zm9vY");
	refuse("Zm9vYmFyZ");
}
END_TEST

START_TEST(decode_counted)
{
	unsigned char out[16];
	size_t n = 0;

	/* Only the first 4 bytes are the input: no NUL needed after them. */
	ck_assert_int_eq(b64url_decode("Zm9vYmFy", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "foo", 3);
}
END_TEST

START_TEST(decode_outcap)
{
	unsigned char out[8];
	size_t n = 0;

	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(b64url_decode("Zm9v", 4, out, 2, &n), -1);
	for (size_t i = 2; i < sizeof(out); i++)
		ck_assert_uint_eq(out[i], 0xee);
	ck_assert_int_eq(b64url_decode("Zm9v", 4, out, 3, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(b64url_decode("Zg", 2, out, 0, &n), -1);
	ck_assert_int_eq(b64url_decode("Zg", 2, out, 1, &n), 0);
	ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(encode_outcap)
{
	char out[16];

	memset(out, 'X', sizeof(out));
	/* "foo" needs 4 characters and the NUL. */
	ck_assert_int_eq(b64url_encode((const unsigned char *)"foo", 3, out, 4), -1);
	ck_assert_int_eq(out[4], 'X');
	ck_assert_int_eq(b64url_encode((const unsigned char *)"foo", 3, out, 5), 4);
	ck_assert_str_eq(out, "Zm9v");
	ck_assert_int_eq(b64url_encode((const unsigned char *)"f", 1, out, 2), -1);
	ck_assert_int_eq(b64url_encode((const unsigned char *)"f", 1, out, 3), 2);
	ck_assert_int_eq(b64url_encode((const unsigned char *)"", 0, out, 0), -1);
}
END_TEST

START_TEST(round_trip)
{
	unsigned char bin[130], back[130];
	char enc[200];

	for (size_t len = 1; len <= sizeof(bin); len++) {
		size_t n = 0;
		int elen;

		randombytes_buf(bin, len);
		elen = b64url_encode(bin, len, enc, sizeof(enc));
		ck_assert_int_eq(elen, (int)((len * 4 + 2) / 3));
		ck_assert_int_eq(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_"), elen);
		ck_assert_int_eq(b64url_decode(enc, (size_t)elen, back, sizeof(back), &n), 0);
		ck_assert_uint_eq(n, len);
		ck_assert_mem_eq(back, bin, len);
	}
}
END_TEST

static Suite *
b64url_suite(void)
{
	Suite *s = suite_create("b64url");

	UNIT_TCASE(s, "vectors", encode_rfc4648, encode_empty, decode_rfc4648, url_alphabet,
	    accepts_canonical_neighbours, decode_counted, round_trip);
	UNIT_TCASE(s, "strict", refuses_standard_alphabet, refuses_padding,
	    refuses_whitespace_and_junk, refuses_embedded_nul, refuses_empty,
	    refuses_noncanonical_bits, refuses_impossible_length);
	UNIT_TCASE(s, "bounds", decode_outcap, encode_outcap);
	return s;
}

UNIT_MAIN(b64url_suite)

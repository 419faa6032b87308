/* SPDX-License-Identifier: ISC */
/*
 * b64url.c — strict base64url for JWS segments, on libsodium's decoder.
 * libsodium already refuses padding and non-canonical trailing bits; it
 * accepts an empty input, which a JWS segment must never be.
 */
#include <string.h>

#include <sodium.h>

#include "b64url.h"

int
b64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outcap, size_t *outlen)
{
	const char *end = NULL;
	size_t n = 0;

	if (inlen == 0)
		return -1;
	if (sodium_base642bin(out, outcap, in, inlen, NULL, &n, &end,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	/* Trailing bytes the decoder stopped at (a NUL, '=') are junk. */
	if (end != in + inlen)
		return -1;
	*outlen = n;
	return 0;
}

int
b64url_encode(const unsigned char *in, size_t inlen, char *out, size_t outcap)
{
	size_t need = sodium_base64_ENCODED_LEN(inlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	if (outcap < need)
		return -1;
	sodium_bin2base64(out, outcap, in, inlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return (int)strlen(out);
}

/* SPDX-License-Identifier: ISC */
/*
 * sanctum.c — Laravel Sanctum token shape, hashing and minting. Laravel
 * finds the row by the id before '|' and then compares the stored hash
 * with hash_equals(); the CRC32 suffix is never checked when
 * authenticating, so it is not checked here either.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "sanctum.h"
#include "util.h"

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int
sanctum_parse(
    const char *tok, size_t len, unsigned long long *id, const char **secret, size_t *secret_len)
{
	const char *bar = memchr(tok, '|', len);
	long long v;
	size_t i, idlen;

	if (bar == NULL)
		return -1;
	idlen = (size_t)(bar - tok);
	/* Plain canonical decimal only: no sign, no leading zero. */
	if (idlen == 0 || tok[0] == '0' || tok[0] == '-' ||
	    util_strntonum(tok, idlen, 1, LLONG_MAX, &v) != 0)
		return -1;
	*secret = bar + 1;
	*secret_len = len - idlen - 1;
	if (*secret_len == 0 || *secret_len > SANCTUM_SECRET_MAX)
		return -1;
	for (i = 0; i < *secret_len; i++)
		if ((*secret)[i] <= ' ' || (*secret)[i] > '~')
			return -1;
	*id = (unsigned long long)v;
	return 0;
}

void
sanctum_hash_hex(const char *secret, size_t len, char out[SANCTUM_HASH_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)secret, len);
	sodium_bin2hex(out, SANCTUM_HASH_HEX + 1, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

int
sanctum_matches(const char *stored, size_t stored_len, const char *secret, size_t len)
{
	char want[SANCTUM_HASH_HEX + 1];
	int ok;

	if (stored_len != SANCTUM_HASH_HEX)
		return 0;
	sanctum_hash_hex(secret, len, want);
	ok = sodium_memcmp(want, stored, SANCTUM_HASH_HEX) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

uint32_t
sanctum_crc32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

int
sanctum_new_secret(const char *prefix, char *out, size_t cap)
{
	char rnd[SANCTUM_RANDOM_LEN + 1];
	size_t i;
	int n;

	for (i = 0; i < SANCTUM_RANDOM_LEN; i++)
		rnd[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	rnd[SANCTUM_RANDOM_LEN] = '\0';
	n = snprintf(out, cap, "%s%s%08x", prefix, rnd,
	    (unsigned int)sanctum_crc32(rnd, SANCTUM_RANDOM_LEN));
	sodium_memzero(rnd, sizeof(rnd));
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

/* SPDX-License-Identifier: ISC */
/*
 * keyring.c — HMAC keys: parse the algorithm, decode a secret from its file
 * or environment form, and find a key by kid. Secrets live in
 * sodium_malloc'd memory (guard pages, no core dumps) and are wiped on free.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyring.h"

enum key_alg
keyring_alg_parse(const char *s, size_t len)
{
	if (len == 5 && memcmp(s, "HS256", 5) == 0)
		return KEY_HS256;
	if (len == 5 && memcmp(s, "HS512", 5) == 0)
		return KEY_HS512;
	return KEY_ALG_NONE;
}

const char *
keyring_alg_name(enum key_alg alg)
{
	switch (alg) {
	case KEY_HS256:
		return "HS256";
	case KEY_HS512:
		return "HS512";
	default:
		return "none";
	}
}

size_t
keyring_alg_len(enum key_alg alg)
{
	switch (alg) {
	case KEY_HS256:
		return crypto_auth_hmacsha256_BYTES;
	case KEY_HS512:
		return crypto_auth_hmacsha512_BYTES;
	default:
		return 0;
	}
}

static int
decode_base64(const char *in, size_t inlen, unsigned char *out, size_t outcap, size_t *outlen)
{
	static const int variants[] = {
	    sodium_base64_VARIANT_ORIGINAL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
	    sodium_base64_VARIANT_URLSAFE,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	};
	size_t i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const char *end = NULL;

		if (sodium_base642bin(
			out, outcap, in, inlen, " \t\r\n", outlen, &end, variants[i]) == 0 &&
		    end == in + inlen && *outlen > 0)
			return 0;
	}
	return -1;
}

int
keyring_decode_secret(enum key_encoding enc, const char *in, size_t inlen, unsigned char *out,
    size_t outcap, size_t *outlen, const char **err)
{
	if (enc == KEY_ENC_BASE64) {
		if (decode_base64(in, inlen, out, outcap, outlen) != 0) {
			*err = "secret is not valid base64";
			return -1;
		}
		return 0;
	}
	/* Editors end files with a newline; a PyJWT SECRET_KEY string has none. */
	if (inlen > 0 && in[inlen - 1] == '\n')
		inlen--;
	if (inlen > 0 && in[inlen - 1] == '\r')
		inlen--;
	if (inlen == 0) {
		*err = "secret is empty";
		return -1;
	}
	if (inlen > outcap) {
		*err = "secret is too long";
		return -1;
	}
	memcpy(out, in, inlen);
	*outlen = inlen;
	return 0;
}

const struct key *
keyring_find(const struct keyring *kr, const char *kid, size_t kidlen)
{
	size_t i;

	for (i = 0; i < kr->nkeys; i++) {
		const struct key *k = &kr->keys[i];

		if (strlen(k->name) == kidlen && memcmp(k->name, kid, kidlen) == 0)
			return k;
	}
	return NULL;
}

const struct key *
keyring_default(const struct keyring *kr)
{
	if (kr->nkeys == 0 || kr->defkey >= kr->nkeys)
		return NULL;
	return &kr->keys[kr->defkey];
}

void
keyring_free(struct keyring *kr)
{
	size_t i;

	for (i = 0; i < kr->nkeys; i++)
		sodium_free(kr->keys[i].secret);
	free(kr->keys);
	kr->keys = NULL;
	kr->nkeys = 0;
}

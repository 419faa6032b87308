/* SPDX-License-Identifier: ISC */
/*
 * fuzz_token.c — token_verify on hostile input.
 *
 * Key ring: "a" (HS256, the default) and "b" (HS512). Every input runs
 * under two rule sets (strict: iss, aud, typ, leeway, clock_skew, a
 * lifetime bound, iat required; lax: nothing but exp) and both token kinds, at a fixed clock. Since the signature is
 * checked before the payload is parsed, random bytes never reach the claim
 * checks; so beside the input as given, the harness also re-signs it:
 *
 *   input starting with '{':  HEADER_JSON '\n' PAYLOAD_JSON, base64url'd
 *                             and signed with each key;
 *   any other input:          verified as given, then everything before its
 *                             last '.' is signed with each key.
 *
 * Invariants: TOKEN_OK has a non-empty sub, a key from the ring whose alg
 * signed it, NUL-terminated claims, exp + leeway after now and, under a
 * lifetime bound, exp no further than it from now; anything
 * else leaves the claims zeroed.
 *
 * The same bytes also go through the Sanctum parser (format sanctum): an
 * accepted token splits at its first '|' into a plain positive id and a
 * printable secret inside the input, and matches its own hash.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "sanctum.h"

#include "b64url.h"
#include "keyring.h"
#include "token.h"

#define TOK_CAP (2 * TOKEN_MAX_LEN + 256)

static struct key ring_keys[2];
static struct keyring ring = {ring_keys, 2, 0};

static const struct token_rules rule_sets[2] = {
    {
	.leeway = 30,
	.clock_skew = 5,
	.max_lifetime = 86400,
	.require_iat = 1,
	.issuer = "https://issuer.example",
	.audience = "logout-api",
	.type_claim = "typ",
	.access_type = "access",
	.refresh_type = "refresh",
    },
    {
	.leeway = 0,
	.issuer = NULL,
	.audience = "",
	.type_claim = "typ",
	.access_type = NULL,
	.refresh_type = "",
    },
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_key(&ring_keys[0], "a", KEY_HS256, FUZZ_SECRET32, 32);
	fuzz_key(&ring_keys[1], "b", KEY_HS512, FUZZ_SECRET64, 64);
	return 0;
}

static void
sanctum_check(const char *tok, size_t len)
{
	char hash[SANCTUM_HASH_HEX + 1];
	unsigned long long id = 0;
	const char *secret;
	size_t slen, i;

	if (sanctum_parse(tok, len, &id, &secret, &slen) != 0)
		return;
	if (id == 0 || secret <= tok || secret + slen != tok + len || secret[-1] != '|' ||
	    slen == 0 || slen > SANCTUM_SECRET_MAX || memchr(tok, '|', (size_t)(secret - tok) - 1))
		abort();
	for (i = 0; i < slen; i++)
		if (secret[i] <= ' ' || secret[i] > '~')
			abort();
	sanctum_hash_hex(secret, slen, hash);
	if (!sanctum_matches(hash, strlen(hash), secret, slen) ||
	    sanctum_matches(hash, strlen(hash) - 1, secret, slen))
		abort();
}

static int
zeroed(const struct token_claims *c)
{
	static const struct token_claims zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

static long long
sat_add(long long a, long long b)
{
	return a > LLONG_MAX - b ? LLONG_MAX : a + b;
}

/* signed_by: the key the harness signed with, NULL for the input as given. */
static void
verify_all(const char *tok, size_t len, const struct key *signed_by)
{
	for (int r = 0; r < 2; r++) {
		for (int kind = TOKEN_ACCESS; kind <= TOKEN_REFRESH; kind++) {
			struct token_claims c;
			enum token_err err;
			const char *why;

			memset(&c, 0xa5, sizeof(c));
			err = token_verify(&ring, &rule_sets[r], (enum token_kind)kind, tok, len,
			    (time_t)FUZZ_NOW, &c);
			why = token_strerror(err);
			FUZZ_CHECK(why != NULL && strcmp(why, "unknown") != 0, "err %d", (int)err);
			if (err != TOKEN_OK) {
				FUZZ_CHECK(zeroed(&c), "claims not zeroed on %s", why);
				continue;
			}
			FUZZ_CHECK(c.key != NULL, "TOKEN_OK without a key");
			FUZZ_CHECK(c.key == &ring_keys[0] || c.key == &ring_keys[1],
			    "key not from the ring");
			FUZZ_CHECK(memchr(c.sub, '\0', sizeof(c.sub)) != NULL, "sub unterminated");
			FUZZ_CHECK(memchr(c.sid, '\0', sizeof(c.sid)) != NULL, "sid unterminated");
			FUZZ_CHECK(memchr(c.jti, '\0', sizeof(c.jti)) != NULL, "jti unterminated");
			FUZZ_CHECK(c.sub[0] != '\0', "TOKEN_OK with an empty sub");
			FUZZ_CHECK(FUZZ_NOW < sat_add(c.exp, rule_sets[r].leeway),
			    "TOKEN_OK but expired: exp %lld", c.exp);
			FUZZ_CHECK(rule_sets[r].max_lifetime == 0 ||
				c.exp - FUZZ_NOW <= rule_sets[r].max_lifetime,
			    "TOKEN_OK but exp %lld beyond max_lifetime", c.exp);
			FUZZ_CHECK(len <= TOKEN_MAX_LEN, "TOKEN_OK over TOKEN_MAX_LEN");
			if (signed_by != NULL)
				FUZZ_CHECK(c.key == signed_by, "verified by %s, signed by %s",
				    c.key->name, signed_by->name);
		}
	}
}

static void
hmac(const struct key *key, const char *msg, size_t len, unsigned char *mac)
{
	if (key->alg == KEY_HS256) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, key->secret, key->secret_len);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
		crypto_auth_hmacsha256_final(&st, mac);
	} else {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, key->secret, key->secret_len);
		crypto_auth_hmacsha512_update(&st, (const unsigned char *)msg, len);
		crypto_auth_hmacsha512_final(&st, mac);
	}
}

/* buf holds len bytes of signing input, room for TOK_CAP: append ".SIG"
 * for each key in turn and verify. */
static void
sign_and_verify(char *buf, size_t len)
{
	unsigned char mac[crypto_auth_hmacsha512_BYTES];

	if (len + 2 + 88 >= TOK_CAP)
		return;
	for (int k = 0; k < 2; k++) {
		const struct key *key = &ring_keys[k];
		int n;

		hmac(key, buf, len, mac);
		buf[len] = '.';
		n = b64url_encode(mac, keyring_alg_len(key->alg), buf + len + 1, TOK_CAP - len - 1);
		FUZZ_CHECK(n > 0, "b64url_encode");
		verify_all(buf, len + 1 + (size_t)n, key);
	}
}

static void
json_mode(const uint8_t *data, size_t size, char *buf)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t hlen = nl ? (size_t)(nl - data) : size;
	size_t plen = nl ? size - hlen - 1 : 0;
	size_t o;
	int n;

	/* The encoded form is 4/3 longer: stay within what TOK_CAP holds. */
	if (hlen + plen > TOKEN_MAX_LEN)
		return;
	n = b64url_encode(data, hlen, buf, TOK_CAP);
	FUZZ_CHECK(n >= 0, "b64url_encode header");
	o = (size_t)n;
	buf[o++] = '.';
	n = b64url_encode(nl ? nl + 1 : data, plen, buf + o, TOK_CAP - o);
	FUZZ_CHECK(n >= 0, "b64url_encode payload");
	o += (size_t)n;
	sign_and_verify(buf, o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[TOK_CAP];
	const uint8_t *dot;

	if (size > TOKEN_MAX_LEN + 1024)
		return -1; /* past the length cap: nothing new to learn */
	if (size > 0 && data[0] == '{') {
		json_mode(data, size, buf);
		return 0;
	}
	/* As given: a heap copy of exactly size bytes, so ASan sees overreads. */
	{
		char *tok = malloc(size ? size : 1);

		if (tok == NULL)
			abort();
		memcpy(tok, data, size);
		verify_all(tok, size, NULL);
		sanctum_check(tok, size);
		free(tok);
	}
	/* Re-signed: the bytes before the last '.'. */
	for (dot = data + size; dot > data && dot[-1] != '.'; dot--)
		;
	if (dot > data) {
		size_t len = (size_t)(dot - data) - 1;

		memcpy(buf, data, len);
		sign_and_verify(buf, len);
	}
	return 0;
}

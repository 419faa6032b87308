/* SPDX-License-Identifier: ISC */
/*
 * test_token.c — pins src/token.c against README "Tokens": the RFC 7515 A.1 HS256
 * example, RFC 4231 HMAC vectors (keys of any length through
 * init/update/final), header rules (alg per key, kid, crit), strict
 * segments, the length cap, and every claim check (exp/nbf/iat with
 * leeway, iss, aud, type claim, sub). Tokens with arbitrary headers are
 * built here by hand with b64url_encode and libsodium, independently of
 * token_sign.
 */
#include <time.h>

#include "unit.h"

#include "b64url.h"
#include "keyring.h"
#include "token.h"

#define NOW 1700000000LL
#define TOK_CAP 16384

/* ---- keys --------------------------------------------------------------- */

enum { K_MAIN = 0, K_BIG, K_OTHER, K_COUNT };

static struct key ring_keys[K_COUNT];
static struct keyring ring_kr;

/* main (HS256, default), big (HS512), other (HS256, another secret). */
static const struct keyring *
ring(void)
{
	static const char big[] = "0123456789abcdef0123456789abcdef"
				  "0123456789abcdef0123456789abcdef";
	static const char other[] = "fedcba9876543210fedcba9876543210";

	if (ring_kr.keys == NULL) {
		unit_key(&ring_keys[K_MAIN], "main", KEY_HS256, UNIT_SECRET, 32);
		unit_key(&ring_keys[K_BIG], "big", KEY_HS512, big, 64);
		unit_key(&ring_keys[K_OTHER], "other", KEY_HS256, other, 32);
		ring_kr.keys = ring_keys;
		ring_kr.nkeys = K_COUNT;
		ring_kr.defkey = K_MAIN;
	}
	return &ring_kr;
}

static const struct key *
key(int i)
{
	return &ring()->keys[i];
}

static struct token_rules
rules(void)
{
	struct token_rules r = {
		.leeway = 0,
		.issuer = NULL,
		.audience = NULL,
		.type_claim = "typ",
		.access_type = "access",
		.refresh_type = "refresh",
	};
	return r;
}

/* ---- building tokens by hand -------------------------------------------- */

/* Signed with key k (its alg and secret), whatever hdr claims. */
static size_t
craft_key(const char *hdr, const char *payload, const struct key *k, char *out, size_t cap)
{
	return unit_craft(hdr, payload, k->alg, k->secret, k->secret_len, out, cap);
}

/* token_sign, which must succeed. */
static size_t
sign(const struct key *k, int with_kid, const char *payload, char *out, size_t cap)
{
	int n = token_sign(k, with_kid, payload, out, cap);

	ck_assert_msg(n > 0, "token_sign failed for %s", payload);
	ck_assert_uint_eq(strlen(out), (size_t)n);
	return (size_t)n;
}

static enum token_err
verify_r(const struct token_rules *r, enum token_kind kind, const char *tok, long long now,
    struct token_claims *c)
{
	struct token_claims dummy;

	return token_verify(ring(), r, kind, tok, strlen(tok), (time_t)now, c ? c : &dummy);
}

/* Access-token verification with the default rules at NOW. */
static enum token_err
verify(const char *tok)
{
	struct token_rules r = rules();

	return verify_r(&r, TOKEN_ACCESS, tok, NOW, NULL);
}

/* A payload signed by main through token_sign, verified as an access token. */
static enum token_err
verify_payload(const char *payload)
{
	char tok[TOK_CAP];

	sign(key(K_MAIN), 1, payload, tok, sizeof(tok));
	return verify(tok);
}

static enum token_err
verify_payload_r(const struct token_rules *r, enum token_kind kind, const char *payload,
    long long now)
{
	char tok[TOK_CAP];

	sign(key(K_MAIN), 1, payload, tok, sizeof(tok));
	return verify_r(r, kind, tok, now, NULL);
}

#define ck_assert_tok(got, want)                                               \
	do {                                                                   \
		enum token_err got_ = (got), want_ = (want);                   \
		ck_assert_msg(got_ == want_, "got %d (%s), want %d (%s)",      \
		    (int)got_, token_strerror(got_), (int)want_,               \
		    token_strerror(want_));                                    \
	} while (0)

#define ACCESS "\"sub\":\"alice\",\"sid\":\"s1\",\"jti\":\"j1\",\"typ\":\"access\""
#define EXP_OK "\"exp\":1700000060"
#define GOOD "{" ACCESS "," EXP_OK "}"
#define HDR_MAIN "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"main\"}"

/* ---- RFC vectors -------------------------------------------------------- */

/* RFC 7515 appendix A.1. */
static const char a1_key[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
static const char a1_tok[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

START_TEST(rfc7515_a1)
{
	unsigned char secret[64], sig[32], mac[32];
	struct token_rules r = { .type_claim = "typ" };
	struct token_claims c;
	struct keyring kr;
	struct key k;
	size_t n = 0;
	const char *dot2 = strrchr(a1_tok, '.');

	ck_assert_int_eq(b64url_decode(a1_key, strlen(a1_key), secret, sizeof(secret), &n), 0);
	ck_assert_uint_eq(n, 64);
	/* The helper that signs crafted tokens reproduces the RFC signature. */
	ck_assert_int_eq(b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig), &n), 0);
	ck_assert_uint_eq(n, 32);
	unit_hmac(KEY_HS256, secret, 64, a1_tok, (size_t)(dot2 - a1_tok), mac);
	ck_assert_mem_eq(mac, sig, 32);

	unit_key(&k, "rfc", KEY_HS256, secret, 64);
	kr.keys = &k;
	kr.nkeys = 1;
	kr.defkey = 0;
	/* Signature good, exp 1300819380 long past. */
	ck_assert_tok(token_verify(&kr, &r, TOKEN_ACCESS, a1_tok, strlen(a1_tok), time(NULL), &c),
	    TOKEN_EEXPIRED);
	/* Before exp: everything holds but there is no sub. */
	ck_assert_tok(token_verify(&kr, &r, TOKEN_ACCESS, a1_tok, strlen(a1_tok),
	    (time_t)1300819000, &c), TOKEN_ECLAIM);
	/* The same token under another key fails on the signature first. */
	secret[0] ^= 1;
	unit_key(&k, "rfc", KEY_HS256, secret, 64);
	ck_assert_tok(token_verify(&kr, &r, TOKEN_ACCESS, a1_tok, strlen(a1_tok),
	    (time_t)1300819000, &c), TOKEN_ESIG);
}
END_TEST

/* RFC 4231 test cases 1-4, 6, 7 (5 is a truncated MAC). A NULL key is
 * keylen bytes of fill. */
static const struct {
	const char *key;
	int fill;
	size_t keylen;
	int datafill;
	const char *data;
	size_t datalen;
	const char *h256, *h512;
} rfc4231[] = {
	{ NULL, 0x0b, 20, 0, "Hi There", 8,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "Jefe", 0, 4, 0, "what do ya want for nothing?", 28,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ NULL, 0xaa, 20, 0xdd, NULL, 50,
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	    "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"
	  "\x12\x13\x14\x15\x16\x17\x18\x19", 0, 25, 0xcd, NULL, 50,
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	    "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	{ NULL, 0xaa, 131, 0, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	{ NULL, 0xaa, 131, 0,
	    "This is a test using a larger than block-size key and a larger than block-size "
	    "data. The key needs to be hashed before being used by the HMAC algorithm.", 152,
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	    "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
};

/* Key and data of case i into caller buffers (at least 131 / 152 bytes). */
static void
rfc4231_case(size_t i, unsigned char *k, unsigned char *d)
{
	if (rfc4231[i].key != NULL)
		memcpy(k, rfc4231[i].key, rfc4231[i].keylen);
	else
		memset(k, rfc4231[i].fill, rfc4231[i].keylen);
	if (rfc4231[i].data != NULL) {
		ck_assert_uint_eq(strlen(rfc4231[i].data), rfc4231[i].datalen);
		memcpy(d, rfc4231[i].data, rfc4231[i].datalen);
	} else {
		memset(d, rfc4231[i].datafill, rfc4231[i].datalen);
	}
}

START_TEST(rfc4231_helper)
{
	for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		unsigned char mac[64], k[256], d[256];
		char hex[129];

		rfc4231_case(i, k, d);
		unit_hmac(KEY_HS256, k, rfc4231[i].keylen, d, rfc4231[i].datalen, mac);
		sodium_bin2hex(hex, sizeof(hex), mac, 32);
		ck_assert_str_eq(hex, rfc4231[i].h256);
		unit_hmac(KEY_HS512, k, rfc4231[i].keylen, d, rfc4231[i].datalen, mac);
		sodium_bin2hex(hex, sizeof(hex), mac, 64);
		ck_assert_str_eq(hex, rfc4231[i].h512);
	}
}
END_TEST

/*
 * token_sign and token_verify with the RFC 4231 key lengths (4, 20, 25, 131
 * bytes) and both algorithms: the signature must be the HMAC of the signing
 * input under the whole key, whatever its length.
 */
START_TEST(rfc4231_key_lengths)
{
	for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		for (enum key_alg alg = KEY_HS256; alg <= KEY_HS512; alg++) {
			struct token_rules r = rules();
			struct token_claims c;
			struct keyring kr;
			struct key k;
			char tok[TOK_CAP];
			unsigned char sig[64], mac[64], kb[256], db[256];
			size_t n = 0, len;
			const char *dot2;

			rfc4231_case(i, kb, db);
			unit_key(&k, "rfc", alg, kb, rfc4231[i].keylen);
			kr.keys = &k;
			kr.nkeys = 1;
			kr.defkey = 0;
			len = sign(&k, 1, GOOD, tok, sizeof(tok));
			dot2 = strrchr(tok, '.');
			ck_assert_ptr_nonnull(dot2);
			ck_assert_int_eq(b64url_decode(dot2 + 1, strlen(dot2 + 1), sig,
			    sizeof(sig), &n), 0);
			ck_assert_uint_eq(n, unit_alg_len(alg));
			unit_hmac(alg, k.secret, k.secret_len, tok, (size_t)(dot2 - tok), mac);
			ck_assert_mem_eq(sig, mac, n);
			ck_assert_tok(token_verify(&kr, &r, TOKEN_ACCESS, tok, len, (time_t)NOW,
			    &c), TOKEN_OK);

			/* Hand-made, no kid: the default (only) key. */
			len = unit_craft(alg == KEY_HS256 ? "{\"alg\":\"HS256\"}" : "{\"alg\":\"HS512\"}",
			    GOOD, alg, k.secret, k.secret_len, tok, sizeof(tok));
			ck_assert_tok(token_verify(&kr, &r, TOKEN_ACCESS, tok, len, (time_t)NOW,
			    &c), TOKEN_OK);
			/* A key differing in its last byte must not verify. */
			k.secret[k.secret_len - 1] ^= 0x80;
			ck_assert_tok(token_verify(&kr, &r, TOKEN_ACCESS, tok, len, (time_t)NOW,
			    &c), TOKEN_ESIG);
		}
	}
}
END_TEST

/* ---- token_sign --------------------------------------------------------- */

START_TEST(sign_header)
{
	char tok[TOK_CAP], hdr[256];
	struct json_object *h, *v;
	size_t n = 0;
	const char *dot;

	sign(key(K_BIG), 1, GOOD, tok, sizeof(tok));
	dot = strchr(tok, '.');
	ck_assert_int_eq(b64url_decode(tok, (size_t)(dot - tok), (unsigned char *)hdr,
	    sizeof(hdr) - 1, &n), 0);
	h = unit_json(hdr, n, 1);
	ck_assert_str_eq(json_object_get_string(unit_member(h, "alg")), "HS512");
	ck_assert_str_eq(json_object_get_string(unit_member(h, "typ")), "JWT");
	ck_assert_str_eq(json_object_get_string(unit_member(h, "kid")), "big");
	json_object_put(h);

	sign(key(K_MAIN), 0, GOOD, tok, sizeof(tok));
	dot = strchr(tok, '.');
	ck_assert_int_eq(b64url_decode(tok, (size_t)(dot - tok), (unsigned char *)hdr,
	    sizeof(hdr) - 1, &n), 0);
	h = unit_json(hdr, n, 1);
	ck_assert_str_eq(json_object_get_string(unit_member(h, "alg")), "HS256");
	ck_assert(!json_object_object_get_ex(h, "kid", &v));
	json_object_put(h);
}
END_TEST

START_TEST(sign_outcap)
{
	char tok[TOK_CAP];
	size_t len = sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));

	memset(tok, 'X', sizeof(tok));
	ck_assert_int_eq(token_sign(key(K_MAIN), 1, GOOD, tok, len), -1);
	ck_assert_int_eq(tok[len], 'X');
	ck_assert_int_eq(token_sign(key(K_MAIN), 1, GOOD, tok, len + 1), (int)len);
}
END_TEST

/* ---- valid tokens ------------------------------------------------------- */

START_TEST(valid_access)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];

	memset(&c, 0x55, sizeof(c));
	sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "alice");
	ck_assert_str_eq(c.sid, "s1");
	ck_assert_str_eq(c.jti, "j1");
	ck_assert_int_eq(c.exp, 1700000060);
	ck_assert_ptr_eq(c.key, key(K_MAIN));
}
END_TEST

START_TEST(valid_refresh)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];

	sign(key(K_MAIN), 1,
	    "{\"sub\":\"bob\",\"sid\":\"s2\",\"jti\":\"r9\",\"typ\":\"refresh\"," EXP_OK "}",
	    tok, sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_REFRESH, tok, NOW, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "bob");
	ck_assert_str_eq(c.sid, "s2");
	ck_assert_str_eq(c.jti, "r9");
}
END_TEST

START_TEST(sid_jti_absent)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];

	memset(&c, 'x', sizeof(c));
	sign(key(K_MAIN), 1, "{\"sub\":\"alice\",\"typ\":\"access\"," EXP_OK "}", tok,
	    sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_str_eq(c.sid, "");
	ck_assert_str_eq(c.jti, "");
}
END_TEST

START_TEST(integer_sub)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];

	sign(key(K_MAIN), 1, "{\"sub\":42,\"typ\":\"access\"," EXP_OK "}", tok, sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "42");
	/* Beyond 2^53: must not pass through a double. */
	sign(key(K_MAIN), 1, "{\"sub\":9007199254740993,\"typ\":\"access\"," EXP_OK "}", tok,
	    sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "9007199254740993");
}
END_TEST

START_TEST(bad_sub)
{
	char payload[1024];

	ck_assert_tok(verify_payload("{\"typ\":\"access\"," EXP_OK "}"), TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{\"sub\":null,\"typ\":\"access\"," EXP_OK "}"),
	    TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{\"sub\":true,\"typ\":\"access\"," EXP_OK "}"),
	    TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{\"sub\":[\"a\"],\"typ\":\"access\"," EXP_OK "}"),
	    TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{\"sub\":1.5,\"typ\":\"access\"," EXP_OK "}"),
	    TOKEN_ECLAIM);
	/* Longer than TOKEN_CLAIM_MAX: refused, never truncated. */
	snprintf(payload, sizeof(payload), "{\"sub\":\"%0*d\",\"typ\":\"access\"," EXP_OK "}",
	    TOKEN_CLAIM_MAX + 1, 7);
	ck_assert_tok(verify_payload(payload), TOKEN_ECLAIM);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%0*d\",\"typ\":\"access\"," EXP_OK "}",
	    TOKEN_CLAIM_MAX, 7);
	ck_assert_tok(verify_payload(payload), TOKEN_OK);
}
END_TEST

/* ---- keys and algorithms ------------------------------------------------ */

START_TEST(hs512_key)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];
	unsigned char sig[80];
	size_t n = 0;

	sign(key(K_BIG), 1, GOOD, tok, sizeof(tok));
	ck_assert_int_eq(b64url_decode(strrchr(tok, '.') + 1, strlen(strrchr(tok, '.') + 1), sig,
	    sizeof(sig), &n), 0);
	ck_assert_uint_eq(n, 64);
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_ptr_eq(c.key, key(K_BIG));
	ck_assert_str_eq(c.sub, "alice");
}
END_TEST

START_TEST(kid_selects_key)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];

	sign(key(K_OTHER), 1, GOOD, tok, sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_ptr_eq(c.key, key(K_OTHER));
	/* Signed by other but naming main: the named key decides. */
	craft_key(HDR_MAIN, GOOD, key(K_OTHER), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_ESIG);
}
END_TEST

START_TEST(unknown_kid)
{
	char tok[TOK_CAP];

	craft_key("{\"alg\":\"HS256\",\"kid\":\"nosuch\"}", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EKID);
	/* A kid that is a prefix of a real one is still unknown. */
	craft_key("{\"alg\":\"HS256\",\"kid\":\"mai\"}", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EKID);
	craft_key("{\"alg\":\"HS256\",\"kid\":\"\"}", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EKID);
}
END_TEST

START_TEST(no_kid_default_key)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];

	sign(key(K_MAIN), 0, GOOD, tok, sizeof(tok));
	ck_assert_tok(verify_r(&r, TOKEN_ACCESS, tok, NOW, &c), TOKEN_OK);
	ck_assert_ptr_eq(c.key, key(K_MAIN));
	/* Without a kid only the default key is tried. */
	sign(key(K_OTHER), 0, GOOD, tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_ESIG);
}
END_TEST

START_TEST(alg_not_the_keys)
{
	char tok[TOK_CAP];
	const struct key *m = key(K_MAIN), *b = key(K_BIG);

	/* HS512 header on the HS256 key, validly HMAC-SHA-512'd with its secret. */
	unit_craft("{\"alg\":\"HS512\",\"kid\":\"main\"}", GOOD, KEY_HS512, m->secret, m->secret_len,
	    tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EALG);
	unit_craft("{\"alg\":\"HS512\"}", GOOD, KEY_HS512, m->secret, m->secret_len, tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EALG);
	/* HS256 header on the HS512 key. */
	unit_craft("{\"alg\":\"HS256\",\"kid\":\"big\"}", GOOD, KEY_HS256, b->secret, b->secret_len,
	    tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EALG);
}
END_TEST

START_TEST(alg_refused)
{
	static const char *hdrs[] = {
		"{\"alg\":\"none\",\"kid\":\"main\"}",
		"{\"alg\":\"none\"}",
		"{\"kid\":\"main\"}",
		"{\"typ\":\"JWT\"}",
		"{}",
		"{\"alg\":\"RS256\",\"kid\":\"main\"}",
		"{\"alg\":\"hs256\",\"kid\":\"main\"}",
		"{\"alg\":\"HS256 \",\"kid\":\"main\"}",
		"{\"alg\":\"HS384\",\"kid\":\"main\"}",
		"{\"alg\":\"\",\"kid\":\"main\"}",
		"{\"alg\":null,\"kid\":\"main\"}",
	};
	char tok[TOK_CAP];

	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		craft_key(hdrs[i], GOOD, key(K_MAIN), tok, sizeof(tok));
		ck_assert_msg(verify(tok) == TOKEN_EALG, "header %s: got %s", hdrs[i],
		    token_strerror(verify(tok)));
	}
}
END_TEST

START_TEST(alg_none_unsigned)
{
	char tok[TOK_CAP];
	int n;

	/* The classic: alg none and an empty signature. Never OK. */
	n = b64url_encode((const unsigned char *)"{\"alg\":\"none\"}", 14, tok, sizeof(tok));
	tok[n++] = '.';
	n += b64url_encode((const unsigned char *)GOOD, strlen(GOOD), tok + n, sizeof(tok) - n);
	tok[n++] = '.';
	tok[n] = '\0';
	ck_assert_int_ne(verify(tok), TOKEN_OK);
}
END_TEST

START_TEST(crit_refused)
{
	char tok[TOK_CAP];

	craft_key("{\"alg\":\"HS256\",\"kid\":\"main\",\"crit\":[\"exp\"],\"exp\":1}", GOOD,
	    key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_ECRIT);
	craft_key("{\"alg\":\"HS256\",\"crit\":[]}", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_ECRIT);
}
END_TEST

/* ---- signature and segments --------------------------------------------- */

START_TEST(tampered_signature)
{
	char tok[TOK_CAP];
	size_t len = sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));
	char *sig = strrchr(tok, '.') + 1;

	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	ck_assert_tok(verify(tok), TOKEN_ESIG);
	sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));
	/* Second-to-last character: still canonical, different bytes. */
	tok[len - 2] = tok[len - 2] == 'A' ? 'B' : 'A';
	ck_assert_tok(verify(tok), TOKEN_ESIG);
}
END_TEST

START_TEST(tampered_payload)
{
	static const char evil[] = "{\"sub\":\"mallory\",\"typ\":\"access\"," EXP_OK "}";
	char good[TOK_CAP], out[TOK_CAP];
	int n;

	/* Header and signature of a good token around another payload. */
	craft_key(HDR_MAIN, GOOD, key(K_MAIN), good, sizeof(good));
	ck_assert_tok(verify(good), TOKEN_OK);
	n = b64url_encode((const unsigned char *)HDR_MAIN, strlen(HDR_MAIN), out, sizeof(out));
	out[n++] = '.';
	n += b64url_encode((const unsigned char *)evil, strlen(evil), out + n,
	    sizeof(out) - (size_t)n);
	snprintf(out + n, sizeof(out) - (size_t)n, "%s", strrchr(good, '.'));
	ck_assert_tok(verify(out), TOKEN_ESIG);
}
END_TEST

START_TEST(signature_before_payload)
{
	char tok[TOK_CAP];
	const struct key *o = key(K_OTHER);

	/* A payload that is not JSON: with a bad signature the answer is ESIG... */
	unit_craft(HDR_MAIN, "not json", KEY_HS256, o->secret, o->secret_len, tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_ESIG);
	/* ...and with a good one it is EMALFORMED. */
	craft_key(HDR_MAIN, "not json", key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EMALFORMED);
	craft_key(HDR_MAIN, "[1,2]", key(K_MAIN), tok, sizeof(tok));
	ck_assert_int_ne(verify(tok), TOKEN_OK);
	craft_key(HDR_MAIN, GOOD "x", key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EMALFORMED);
}
END_TEST

START_TEST(bad_header_json)
{
	char tok[TOK_CAP];

	craft_key("{\"alg\":\"HS256\"", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_tok(verify(tok), TOKEN_EMALFORMED);
	craft_key("[\"HS256\"]", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_int_ne(verify(tok), TOKEN_OK);
	craft_key("\"HS256\"", GOOD, key(K_MAIN), tok, sizeof(tok));
	ck_assert_int_ne(verify(tok), TOKEN_OK);
}
END_TEST

START_TEST(segments)
{
	char tok[TOK_CAP], t2[2 * TOK_CAP + 8];
	size_t len = sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));
	char *dot2 = strrchr(tok, '.');

	/* Four segments. */
	snprintf(t2, sizeof(t2), "%s.%s", tok, dot2 + 1);
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);
	snprintf(t2, sizeof(t2), "%s.", tok);
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);
	/* Empty signature. */
	snprintf(t2, sizeof(t2), "%.*s.", (int)(dot2 - tok), tok);
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);
	/* Two segments. */
	snprintf(t2, sizeof(t2), "%.*s", (int)(dot2 - tok), tok);
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);
	/* Empty header or payload. */
	snprintf(t2, sizeof(t2), "%s", strchr(tok, '.'));
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);
	/* Empty payload, validly signed: the signature passes, the payload does not. */
	craft_key(HDR_MAIN, "", key(K_MAIN), t2, sizeof(t2));
	ck_assert_ptr_nonnull(strstr(t2, ".."));
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);
	ck_assert_tok(verify(""), TOKEN_EMALFORMED);
	ck_assert_tok(verify(".."), TOKEN_EMALFORMED);
	ck_assert_tok(verify("abc"), TOKEN_EMALFORMED);
	(void)len;
}
END_TEST

START_TEST(counted_length)
{
	struct token_rules r = rules();
	struct token_claims c;
	char tok[TOK_CAP];
	size_t len = sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));

	/* Junk after len is not part of the token... */
	strcpy(tok + len, ".junk");
	ck_assert_tok(token_verify(ring(), &r, TOKEN_ACCESS, tok, len, (time_t)NOW, &c),
	    TOKEN_OK);
	/* ...and a shortened len is a different (broken) token. */
	ck_assert_int_ne(token_verify(ring(), &r, TOKEN_ACCESS, tok, len - 4, (time_t)NOW, &c),
	    TOKEN_OK);
	/* An embedded NUL inside len is junk. */
	tok[len] = '\0';
	tok[len - 1] = '\0';
	ck_assert_int_ne(token_verify(ring(), &r, TOKEN_ACCESS, tok, len, (time_t)NOW, &c),
	    TOKEN_OK);
}
END_TEST

START_TEST(padded_segments)
{
	char tok[TOK_CAP], t2[TOK_CAP + 8], in[TOK_CAP];
	unsigned char mac[32];
	const struct key *m = key(K_MAIN);
	const char *p = "{" ACCESS "," EXP_OK ",\"x\":1}";
	int n;

	if (strlen(p) % 3 == 0)
		p = "{" ACCESS "," EXP_OK ",\"x\":12}";

	/* Signature padded: 32 bytes are 43 characters, so one '='. */
	sign(m, 1, GOOD, tok, sizeof(tok));
	snprintf(t2, sizeof(t2), "%s=", tok);
	ck_assert_tok(verify(t2), TOKEN_EMALFORMED);

	/* Payload padded, and the signature computed over the padded text. */
	n = b64url_encode((const unsigned char *)HDR_MAIN, strlen(HDR_MAIN), in, sizeof(in));
	in[n++] = '.';
	n += b64url_encode((const unsigned char *)p, strlen(p), in + n, sizeof(in) - (size_t)n);
	ck_assert_int_ne(strlen(p) % 3, 0);
	while (n % 4 != 0)
		in[n++] = '=';
	in[n] = '\0';
	unit_hmac(KEY_HS256, m->secret, m->secret_len, in, (size_t)n, mac);
	in[n++] = '.';
	b64url_encode(mac, 32, in + n, sizeof(in) - (size_t)n);
	ck_assert_tok(verify(in), TOKEN_EMALFORMED);
}
END_TEST

START_TEST(noncanonical_signature)
{
	char tok[TOK_CAP];
	size_t len = sign(key(K_MAIN), 1, GOOD, tok, sizeof(tok));
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *at = strchr(alpha, tok[len - 1]);

	/* 32 bytes: the last of 43 characters carries 2 unused bits. Set one. */
	ck_assert_ptr_nonnull(at);
	ck_assert_int_eq((at - alpha) & 3, 0);
	tok[len - 1] = alpha[(at - alpha) | 1];
	ck_assert_tok(verify(tok), TOKEN_EMALFORMED);
}
END_TEST

START_TEST(short_signature)
{
	char tok[TOK_CAP], t2[TOK_CAP];
	unsigned char mac[32];
	const struct key *m = key(K_MAIN);
	char *dot2;
	int n;

	/* The MAC must be exactly 32 bytes: a truncated one (16) must not verify. */
	sign(m, 1, GOOD, tok, sizeof(tok));
	dot2 = strrchr(tok, '.');
	unit_hmac(KEY_HS256, m->secret, m->secret_len, tok, (size_t)(dot2 - tok), mac);
	n = snprintf(t2, sizeof(t2), "%.*s.", (int)(dot2 - tok), tok);
	b64url_encode(mac, 16, t2 + n, sizeof(t2) - (size_t)n);
	ck_assert_int_ne(verify(t2), TOKEN_OK);
	b64url_encode(mac, 1, t2 + n, sizeof(t2) - (size_t)n);
	ck_assert_int_ne(verify(t2), TOKEN_OK);
	/* A 64-byte signature on an HS256 key neither. */
	sign(key(K_BIG), 0, GOOD, tok, sizeof(tok));
	ck_assert_int_ne(verify(tok), TOKEN_OK);
	/* Nor the right MAC followed by extra bytes. */
	{
		unsigned char longer[64];

		sign(m, 1, GOOD, tok, sizeof(tok));
		dot2 = strrchr(tok, '.');
		unit_hmac(KEY_HS256, m->secret, m->secret_len, tok, (size_t)(dot2 - tok), longer);
		memset(longer + 32, 0, 32);
		n = snprintf(t2, sizeof(t2), "%.*s.", (int)(dot2 - tok), tok);
		b64url_encode(longer, 33, t2 + n, sizeof(t2) - (size_t)n);
		ck_assert_int_ne(verify(t2), TOKEN_OK);
		b64url_encode(longer, 64, t2 + n, sizeof(t2) - (size_t)n);
		ck_assert_int_ne(verify(t2), TOKEN_OK);
	}
}
END_TEST

/* A token of exactly len bytes (crafted, padding a dummy claim), or 0 if unreachable. */
static size_t
token_of_len(size_t want, char *tok, size_t cap)
{
	static char payload[TOK_CAP];
	const char *pre = "{" ACCESS "," EXP_OK ",\"pad\":\"";

	size_t base = craft_key(HDR_MAIN, "{" ACCESS "," EXP_OK ",\"pad\":\"\"}", key(K_MAIN),
	    tok, cap);
	size_t start = want > base + 16 ? (want - base) * 3 / 4 - 8 : 0;

	for (size_t fill = start; fill < TOKEN_MAX_LEN; fill++) {
		size_t n = (size_t)snprintf(payload, sizeof(payload), "%s", pre);
		size_t len;

		memset(payload + n, 'a', fill);
		strcpy(payload + n + fill, "\"}");
		len = craft_key(HDR_MAIN, payload, key(K_MAIN), tok, cap);
		if (len == want)
			return len;
		if (len > want)
			return 0;
	}
	return 0;
}

START_TEST(length_cap)
{
	static char tok[TOK_CAP];
	size_t want;

	/* The longest reachable token not over the cap is accepted. */
	for (want = TOKEN_MAX_LEN; want > TOKEN_MAX_LEN - 4; want--)
		if (token_of_len(want, tok, sizeof(tok)) == want)
			break;
	ck_assert_uint_eq(strlen(tok), want);
	ck_assert_tok(verify(tok), TOKEN_OK);
	/* The shortest one over it is not. */
	for (want = TOKEN_MAX_LEN + 1; want < TOKEN_MAX_LEN + 4; want++)
		if (token_of_len(want, tok, sizeof(tok)) == want)
			break;
	ck_assert_uint_eq(strlen(tok), want);
	ck_assert_tok(verify(tok), TOKEN_ETOOLONG);
	/* Length is checked before anything else. */
	memset(tok, 'a', TOKEN_MAX_LEN + 1);
	tok[TOKEN_MAX_LEN + 1] = '\0';
	ck_assert_tok(verify(tok), TOKEN_ETOOLONG);
}
END_TEST

/* ---- time claims -------------------------------------------------------- */

START_TEST(exp_required_numeric)
{
	ck_assert_tok(verify_payload("{" ACCESS "}"), TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":\"1700000060\"}"), TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":null}"), TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":true}"), TOKEN_ECLAIM);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":[1700000060]}"), TOKEN_ECLAIM);
}
END_TEST

START_TEST(exp_past)
{
	struct token_rules r = rules();

	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1699999999}"), TOKEN_EEXPIRED);
	/* RFC 7519 §4.1.4: the current time must be before exp. */
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1700000000}"), TOKEN_EEXPIRED);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1700000001}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":0}"), TOKEN_EEXPIRED);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":-5}"), TOKEN_EEXPIRED);
	/* Leeway 30: 10 s late is fine, 31 s late is not. */
	r.leeway = 30;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1699999990}", NOW),
	    TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1699999969}", NOW),
	    TOKEN_EEXPIRED);
}
END_TEST

START_TEST(exp_non_integer)
{
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1700000060.5}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1.8e9}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1699999999.5}"), TOKEN_EEXPIRED);
	/* Huge values must not wrap around into the past. */
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":9223372036854775807}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS ",\"exp\":1e300}"), TOKEN_OK);
}
END_TEST

START_TEST(nbf)
{
	struct token_rules r = rules();

	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"nbf\":1700000030}"),
	    TOKEN_ENOTYET);
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"nbf\":1699999000}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"nbf\":1700000000}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"nbf\":\"soon\"}"), TOKEN_ECLAIM);
	r.leeway = 60;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"nbf\":1700000030}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"nbf\":1700000061}", NOW), TOKEN_ENOTYET);
}
END_TEST

START_TEST(iat)
{
	struct token_rules r = rules();

	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"iat\":1700000030}"), TOKEN_EIAT);
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"iat\":1700000000}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"iat\":1699990000}"), TOKEN_OK);
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"iat\":\"now\"}"), TOKEN_ECLAIM);
	r.leeway = 60;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000030}", NOW), TOKEN_OK);
}
END_TEST

/* clock_skew widens nbf and iat only; exp keeps the bare leeway. */
START_TEST(clock_skew)
{
	struct token_rules r = rules();

	r.clock_skew = 5;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000001}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000005}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000006}", NOW), TOKEN_EIAT);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"nbf\":1700000005}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"nbf\":1700000006}", NOW), TOKEN_ENOTYET);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1699999999}", NOW),
	    TOKEN_EEXPIRED);
	/* with leeway, the two add up for iat */
	r.leeway = 10;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000015}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000016}", NOW), TOKEN_EIAT);
}
END_TEST

/* max_lifetime bounds exp - now and, with iat, exp - iat; huge and
 * overflowing values are refused, not taken as "far future". */
START_TEST(max_lifetime)
{
	struct token_rules r = rules();

	r.max_lifetime = 3600;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1700003600}", NOW),
	    TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1700003601}", NOW),
	    TOKEN_ELIFETIME);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS,
	    "{" ACCESS ",\"exp\":9223372036854775807}", NOW), TOKEN_ELIFETIME);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1e300}", NOW),
	    TOKEN_ELIFETIME);
	/* iat an hour and a second before exp: issued for too long */
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1700000060"
	    ",\"iat\":1699996459}", NOW), TOKEN_ELIFETIME);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1700000060"
	    ",\"iat\":1699996460}", NOW), TOKEN_OK);
	/* exp - iat overflows */
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS ",\"exp\":1700000060"
	    ",\"iat\":-9223372036854775807}", NOW), TOKEN_ELIFETIME);
	ck_assert_str_eq(token_strerror(TOKEN_ELIFETIME), "lifetime too long");
	/* 0: no bound */
	r.max_lifetime = 0;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS,
	    "{" ACCESS ",\"exp\":9223372036854775807}", NOW), TOKEN_OK);
}
END_TEST

START_TEST(require_iat)
{
	struct token_rules r = rules();

	r.require_iat = 1;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK "}", NOW),
	    TOKEN_ECLAIM);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iat\":1700000000}", NOW), TOKEN_OK);
}
END_TEST

/* ---- iss, aud, type ----------------------------------------------------- */

START_TEST(issuer)
{
	struct token_rules r = rules();

	/* Not configured: any iss is fine. */
	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"iss\":\"whoever\"}"), TOKEN_OK);
	r.issuer = "";
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iss\":\"whoever\"}", NOW), TOKEN_OK);
	r.issuer = "https://id.example";
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iss\":\"https://id.example\"}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iss\":\"https://evil.example\"}", NOW), TOKEN_EISS);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iss\":\"https://id.example/\"}", NOW), TOKEN_EISS);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK "}", NOW),
	    TOKEN_EISS);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"iss\":[\"https://id.example\"]}", NOW), TOKEN_EISS);
}
END_TEST

START_TEST(audience)
{
	struct token_rules r = rules();

	ck_assert_tok(verify_payload("{" ACCESS "," EXP_OK ",\"aud\":\"whatever\"}"), TOKEN_OK);
	r.audience = "api";
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK ",\"aud\":\"api\"}",
	    NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK ",\"aud\":\"web\"}",
	    NOW), TOKEN_EAUD);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"aud\":[\"web\",\"api\"]}", NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK
	    ",\"aud\":[\"web\",\"apix\"]}", NOW), TOKEN_EAUD);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK ",\"aud\":[]}",
	    NOW), TOKEN_EAUD);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{" ACCESS "," EXP_OK "}", NOW),
	    TOKEN_EAUD);
}
END_TEST

START_TEST(type_claim)
{
	struct token_rules r = rules();
	const char *refresh =
	    "{\"sub\":\"alice\",\"sid\":\"s1\",\"jti\":\"r1\",\"typ\":\"refresh\"," EXP_OK "}";

	/* A refresh token used as an access token, and the other way round. */
	ck_assert_tok(verify_payload(refresh), TOKEN_ETYPE);
	ck_assert_tok(verify_payload_r(&r, TOKEN_REFRESH, GOOD, NOW), TOKEN_ETYPE);
	ck_assert_tok(verify_payload_r(&r, TOKEN_REFRESH, refresh, NOW), TOKEN_OK);
	ck_assert_tok(verify_payload("{\"sub\":\"alice\"," EXP_OK "}"), TOKEN_ETYPE);
	ck_assert_tok(verify_payload("{\"sub\":\"alice\",\"typ\":\"ACCESS\"," EXP_OK "}"),
	    TOKEN_ETYPE);
	/* Check switched off for access tokens only. */
	r.access_type = "";
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, refresh, NOW), TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, "{\"sub\":\"alice\"," EXP_OK "}", NOW),
	    TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_REFRESH, GOOD, NOW), TOKEN_ETYPE);
	r.access_type = NULL;
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, refresh, NOW), TOKEN_OK);
	/* Another claim name. */
	r = rules();
	r.type_claim = "token_use";
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS,
	    "{\"sub\":\"alice\",\"typ\":\"refresh\",\"token_use\":\"access\"," EXP_OK "}", NOW),
	    TOKEN_OK);
	ck_assert_tok(verify_payload_r(&r, TOKEN_ACCESS, GOOD, NOW), TOKEN_ETYPE);
}
END_TEST

START_TEST(strerror_all)
{
	for (int e = TOKEN_OK; e <= TOKEN_ETYPE; e++) {
		const char *s = token_strerror((enum token_err)e);

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_gt(strlen(s), 0);
		for (int f = TOKEN_OK; f < e; f++)
			ck_assert_str_ne(s, token_strerror((enum token_err)f));
	}
}
END_TEST

static Suite *
token_suite(void)
{
	Suite *s = suite_create("token");

	UNIT_TCASE(s, "rfc", rfc7515_a1, rfc4231_helper, rfc4231_key_lengths);
	UNIT_TCASE(s, "sign", sign_header, sign_outcap);
	UNIT_TCASE(s, "valid", valid_access, valid_refresh, sid_jti_absent, integer_sub, bad_sub);
	UNIT_TCASE(s, "header", hs512_key, kid_selects_key, unknown_kid, no_kid_default_key,
	    alg_not_the_keys, alg_refused, alg_none_unsigned, crit_refused, bad_header_json);
	UNIT_TCASE(s, "signature", tampered_signature, tampered_payload,
	    signature_before_payload, segments, counted_length, padded_segments,
	    noncanonical_signature, short_signature, length_cap);
	UNIT_TCASE(s, "claims", exp_required_numeric, exp_past, exp_non_integer, nbf, iat, clock_skew, max_lifetime, require_iat,
	    issuer, audience, type_claim, strerror_all);
	return s;
}

UNIT_MAIN(token_suite)

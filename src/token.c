/* SPDX-License-Identifier: ISC */
/*
 * token.c — JWS compact serialization with HS256/HS512 (RFC 7515, 7518,
 * 7519), on libsodium.
 *
 * Order matters: the header is decoded only far enough to pick the key,
 * the key fixes the algorithm (one per key, so "none" and RS/HS confusion
 * cannot happen), the signature is compared in constant time over the raw
 * segments, and only then is the payload decoded and its claims read.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "b64url.h"
#include "jsonparse.h"
#include "token.h"

#define SEG_MAX	   (TOKEN_MAX_LEN / 4 * 3 + 3)
#define JSON_DEPTH 8

static void
hmac(const struct key *key, const char *msg, size_t len, unsigned char *mac)
{
	if (key->alg == KEY_HS256) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, key->secret, key->secret_len);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
	} else {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, key->secret, key->secret_len);
		crypto_auth_hmacsha512_update(&st, (const unsigned char *)msg, len);
		crypto_auth_hmacsha512_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
	}
}

static enum token_err
decode_json(const char *seg, size_t len, struct json_object **out)
{
	unsigned char buf[SEG_MAX];
	size_t n;

	if (b64url_decode(seg, len, buf, sizeof(buf), &n) != 0)
		return TOKEN_EMALFORMED;
	if (jsonparse_strict((const char *)buf, n, JSON_DEPTH, out) != JSONPARSE_OK)
		return TOKEN_EMALFORMED;
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return TOKEN_EMALFORMED;
	}
	return TOKEN_OK;
}

/* The header picks the key; its alg must be exactly that key's alg. */
static enum token_err
select_key(const struct keyring *kr, struct json_object *hdr, const struct key **out)
{
	struct json_object *v;
	const struct key *key;

	if (json_object_object_get_ex(hdr, "crit", NULL))
		return TOKEN_ECRIT;
	if (json_object_object_get_ex(hdr, "kid", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return TOKEN_EKID;
		key = keyring_find(
		    kr, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	} else
		key = keyring_default(kr);
	if (key == NULL)
		return TOKEN_EKID;
	if (!json_object_object_get_ex(hdr, "alg", &v) || !json_object_is_type(v, json_type_string))
		return TOKEN_EALG;
	if (keyring_alg_parse(json_object_get_string(v), (size_t)json_object_get_string_len(v)) !=
	    key->alg)
		return TOKEN_EALG;
	*out = key;
	return TOKEN_OK;
}

static enum token_err
check_signature(
    const struct key *key, const char *tok, size_t signed_len, const char *sig, size_t siglen)
{
	unsigned char want[crypto_auth_hmacsha512_BYTES], got[crypto_auth_hmacsha512_BYTES];
	size_t maclen = keyring_alg_len(key->alg), n;

	if (b64url_decode(sig, siglen, got, sizeof(got), &n) != 0 || n != maclen)
		return TOKEN_EMALFORMED;
	hmac(key, tok, signed_len, want);
	if (sodium_memcmp(want, got, maclen) != 0)
		return TOKEN_ESIG;
	return TOKEN_OK;
}

/* NumericDate: an integer or a finite number; fractions round down. */
static int
numeric_date(struct json_object *v, long long *out)
{
	double d;

	if (json_object_is_type(v, json_type_int)) {
		*out = (long long)json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_double))
		return -1;
	d = json_object_get_double(v);
	if (!isfinite(d))
		return -1;
	if (d >= 9.2e18)
		*out = LLONG_MAX;
	else if (d <= -9.2e18)
		*out = LLONG_MIN;
	else
		*out = (long long)floor(d);
	return 0;
}

/* A claim string: present, a string, 1..TOKEN_CLAIM_MAX bytes, no NUL. */
static int
claim_string(struct json_object *v, char *out)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n > TOKEN_CLAIM_MAX || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
string_is(struct json_object *v, const char *want)
{
	return json_object_is_type(v, json_type_string) &&
	       (size_t)json_object_get_string_len(v) == strlen(want) &&
	       memcmp(json_object_get_string(v), want, strlen(want)) == 0;
}

static int
audience_matches(struct json_object *v, const char *want)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return string_is(v, want);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		if (string_is(json_object_array_get_idx(v, i), want))
			return 1;
	return 0;
}

/* Leeway is never negative (config refuses it); exp may be anything. */
static long long
sat_add(long long a, long long b)
{
	return a > LLONG_MAX - b ? LLONG_MAX : a + b;
}

/* exp - from exceeds the lifetime bound (an overflow does too). */
static int
too_long(long long exp, long long from, long long max)
{
	long long d;

	return max > 0 && (__builtin_sub_overflow(exp, from, &d) || d > max);
}

/*
 * exp with leeway; nbf and iat with leeway plus clock_skew, since the
 * issuer's clock, not the token's age, is what they measure (PyJWT takes
 * iat from the precise time(), so a token used at once can carry the next
 * second); and a lifetime bound, so that a leaked key or a broken issuer
 * cannot mint tokens that live for centuries.
 */
static enum token_err
check_times(struct json_object *claims, const struct token_rules *rules, time_t now,
    struct token_claims *out)
{
	struct json_object *v;
	long long exp, t, lw = rules->leeway, n = (long long)now;
	long long ahead = sat_add(n, sat_add(lw, rules->clock_skew));

	if (!json_object_object_get_ex(claims, "exp", &v) || numeric_date(v, &exp) != 0)
		return TOKEN_ECLAIM;
	/* Valid while now < exp + leeway. */
	if (n >= sat_add(exp, lw))
		return TOKEN_EEXPIRED;
	/* From now: an issuer whose clock runs ahead may mint a token of
	 * exactly max_lifetime that looks a little longer here. */
	if (rules->max_lifetime > 0 &&
	    too_long(exp, n, sat_add(rules->max_lifetime, sat_add(lw, rules->clock_skew))))
		return TOKEN_ELIFETIME;
	out->exp = exp;
	if (json_object_object_get_ex(claims, "nbf", &v)) {
		if (numeric_date(v, &t) != 0)
			return TOKEN_ECLAIM;
		if (t > ahead)
			return TOKEN_ENOTYET;
	}
	if (json_object_object_get_ex(claims, "iat", &v)) {
		if (numeric_date(v, &t) != 0)
			return TOKEN_ECLAIM;
		if (t > ahead)
			return TOKEN_EIAT;
		if (too_long(exp, t, rules->max_lifetime))
			return TOKEN_ELIFETIME;
	} else if (rules->require_iat)
		return TOKEN_ECLAIM;
	return TOKEN_OK;
}

static enum token_err
check_subject(struct json_object *claims, struct token_claims *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(claims, "sub", &v))
		return TOKEN_ECLAIM;
	if (json_object_is_type(v, json_type_int)) {
		int64_t id = json_object_get_int64(v);

		/* json-c saturates out-of-range integers; refuse them. */
		if (id == INT64_MAX || id == INT64_MIN)
			return TOKEN_ECLAIM;
		snprintf(out->sub, sizeof(out->sub), "%lld", (long long)id);
		return TOKEN_OK;
	}
	return claim_string(v, out->sub) == 0 ? TOKEN_OK : TOKEN_ECLAIM;
}

static enum token_err
check_claims(struct json_object *claims, const struct token_rules *rules, enum token_kind kind,
    time_t now, struct token_claims *out)
{
	struct json_object *v;
	const char *want_type;
	enum token_err err;

	if ((err = check_times(claims, rules, now, out)) != TOKEN_OK)
		return err;
	if (rules->issuer != NULL && rules->issuer[0] != '\0' &&
	    (!json_object_object_get_ex(claims, "iss", &v) || !string_is(v, rules->issuer)))
		return TOKEN_EISS;
	if (rules->audience != NULL && rules->audience[0] != '\0' &&
	    (!json_object_object_get_ex(claims, "aud", &v) ||
		!audience_matches(v, rules->audience)))
		return TOKEN_EAUD;
	want_type = kind == TOKEN_ACCESS ? rules->access_type : rules->refresh_type;
	if (want_type != NULL && want_type[0] != '\0' &&
	    (rules->type_claim == NULL ||
		!json_object_object_get_ex(claims, rules->type_claim, &v) ||
		!string_is(v, want_type)))
		return TOKEN_ETYPE;
	if ((err = check_subject(claims, out)) != TOKEN_OK)
		return err;
	if (json_object_object_get_ex(claims, "sid", &v) && claim_string(v, out->sid) != 0)
		return TOKEN_ECLAIM;
	if (json_object_object_get_ex(claims, "jti", &v) && claim_string(v, out->jti) != 0)
		return TOKEN_ECLAIM;
	return TOKEN_OK;
}

enum token_err
token_verify(const struct keyring *kr, const struct token_rules *rules, enum token_kind kind,
    const char *tok, size_t len, time_t now, struct token_claims *out)
{
	struct json_object *hdr = NULL, *claims = NULL;
	const char *dot1, *dot2;
	const struct key *key = NULL;
	enum token_err err;

	memset(out, 0, sizeof(*out));
	if (len > TOKEN_MAX_LEN)
		return TOKEN_ETOOLONG;
	if ((dot1 = memchr(tok, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - tok))) == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - tok)) != NULL)
		return TOKEN_EMALFORMED;
	/* Empty segments are refused by b64url_decode. */
	if ((err = decode_json(tok, (size_t)(dot1 - tok), &hdr)) != TOKEN_OK)
		goto out;
	if ((err = select_key(kr, hdr, &key)) != TOKEN_OK)
		goto out;
	if ((err = check_signature(key, tok, (size_t)(dot2 - tok), dot2 + 1,
		 len - (size_t)(dot2 + 1 - tok))) != TOKEN_OK)
		goto out;
	if ((err = decode_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), &claims)) != TOKEN_OK)
		goto out;
	if ((err = check_claims(claims, rules, kind, now, out)) != TOKEN_OK)
		goto out;
	out->key = key;
out:
	json_object_put(hdr);
	json_object_put(claims);
	if (err != TOKEN_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

const char *
token_strerror(enum token_err err)
{
	switch (err) {
	case TOKEN_OK:
		return "ok";
	case TOKEN_ETOOLONG:
		return "token too long";
	case TOKEN_EMALFORMED:
		return "malformed token";
	case TOKEN_EALG:
		return "algorithm not allowed for key";
	case TOKEN_EKID:
		return "unknown key id";
	case TOKEN_ECRIT:
		return "crit header not supported";
	case TOKEN_ESIG:
		return "bad signature";
	case TOKEN_ECLAIM:
		return "missing or malformed claim";
	case TOKEN_EEXPIRED:
		return "expired";
	case TOKEN_ENOTYET:
		return "not yet valid";
	case TOKEN_EIAT:
		return "issued in the future";
	case TOKEN_EISS:
		return "wrong issuer";
	case TOKEN_EAUD:
		return "wrong audience";
	case TOKEN_ETYPE:
		return "wrong token type";
	case TOKEN_ELIFETIME:
		return "lifetime too long";
	}
	return "unknown";
}

int
token_sign(const struct key *key, int with_kid, const char *payload_json, char *out, size_t outcap)
{
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	char header[KEY_NAME_MAX + 64];
	size_t len, plen = strlen(payload_json);
	int n;

	if (with_kid)
		n = snprintf(header, sizeof(header),
		    "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", keyring_alg_name(key->alg),
		    key->name);
	else
		n = snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
		    keyring_alg_name(key->alg));
	if (n < 0 || (size_t)n >= sizeof(header))
		return -1;
	if ((n = b64url_encode((const unsigned char *)header, (size_t)n, out, outcap)) < 0)
		return -1;
	len = (size_t)n;
	if (len + 1 >= outcap)
		return -1;
	out[len++] = '.';
	if ((n = b64url_encode(
		 (const unsigned char *)payload_json, plen, out + len, outcap - len)) < 0)
		return -1;
	len += (size_t)n;
	if (len + 1 >= outcap)
		return -1;
	hmac(key, out, len, mac);
	out[len++] = '.';
	if ((n = b64url_encode(mac, keyring_alg_len(key->alg), out + len, outcap - len)) < 0)
		return -1;
	return (int)(len + (size_t)n);
}

/* SPDX-License-Identifier: ISC */
/*
 * bench_mint.c — session rows and request material for tests/bench/run,
 * in bulk.
 *
 *     bench_mint KEYFILE KIND NREQ NFILES PER_USER OUTPREFIX
 *
 * Request i belongs to user i + 1, who owns PER_USER sessions (sid
 * "b<user>-<j>", refresh jti "r<user>-<j>"); the request names session 0.
 * Writes OUTPREFIX.tsv (one session row per line: user_id, hex SHA-256 of
 * the sid, hex SHA-256 of the jti; for LOAD DATA) and OUTPREFIX.0 ..
 * OUTPREFIX.<NFILES-1>, request i in file i % NFILES, one line each, for
 * the wrk thread of that number:
 *
 *     access   an access token (HS256, kid of the key file's name)
 *     body     an access token, a space, the refresh token of the same session
 *     bad      an access token signed with another key (no rows written)
 *     query    h=<hex sid hash>&u=<user id> (for the ceiling responders)
 *
 * The admin tool mints one token per process; a run needs hundreds of
 * thousands, so this signs them here with the same claims the admin tool
 * puts in (the run checks one of them against the real worker first).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define MAXFILES 64
#define TOKMAX	 1024

static unsigned char key[64];
static size_t keylen;

static void
b64url(const unsigned char *in, size_t len, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void
hexhash(const char *s, char *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, 2 * sizeof(h) + 1, h, sizeof(h));
}

/* A signed JWT with the admin tool's claims; badsig flips the signature. */
static void
mint(const char *kid, const char *sub, const char *sid, const char *jti, const char *typ,
    long long now, int badsig, char *out)
{
	char hdr[128], pay[256], seg[512];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t n;

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
	if (jti != NULL)
		snprintf(pay, sizeof(pay),
		    "{\"sub\":\"%s\",\"sid\":\"%s\",\"jti\":\"%s\",\"typ\":\"%s\","
		    "\"iat\":%lld,\"exp\":%lld}",
		    sub, sid, jti, typ, now, now + 86400);
	else
		snprintf(pay, sizeof(pay),
		    "{\"sub\":\"%s\",\"sid\":\"%s\",\"typ\":\"%s\",\"iat\":%lld,\"exp\":%lld}", sub,
		    sid, typ, now, now + 86400);
	b64url((const unsigned char *)hdr, strlen(hdr), out, TOKMAX);
	n = strlen(out);
	out[n++] = '.';
	b64url((const unsigned char *)pay, strlen(pay), out + n, TOKMAX - n);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, strlen(out));
	crypto_auth_hmacsha256_final(&st, mac);
	if (badsig)
		mac[0] ^= 0x5a;
	b64url(mac, sizeof(mac), seg, sizeof(seg));
	n = strlen(out);
	snprintf(out + n, TOKMAX - n, ".%s", seg);
}

static int
load_key(const char *path)
{
	char b64[256];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(b64, 1, sizeof(b64) - 1, f);
	fclose(f);
	b64[n] = '\0';
	return sodium_base642bin(
	    key, sizeof(key), b64, n, " \r\n", &keylen, NULL, sodium_base64_VARIANT_ORIGINAL);
}

int
main(int argc, char **argv)
{
	FILE *tsv = NULL, *out[MAXFILES];
	char path[4096], sub[32], sid[64], jti[64], hs[65], hj[65];
	char acc[TOKMAX], ref[TOKMAX];
	const char *kind;
	long nreq, nfiles, per, i, j;
	long long now = (long long)time(NULL);
	int f, bad;

	if (argc != 7) {
		fprintf(stderr, "usage: bench_mint KEYFILE access|body|bad|query NREQ NFILES "
				"PER_USER OUTPREFIX\n");
		return 2;
	}
	kind = argv[2];
	nreq = atol(argv[3]);
	nfiles = atol(argv[4]);
	per = atol(argv[5]);
	bad = !strcmp(kind, "bad");
	if (sodium_init() < 0 || load_key(argv[1]) != 0 || nreq < 1 || nfiles < 1 ||
	    nfiles > MAXFILES || per < 1) {
		fprintf(stderr, "bench_mint: bad arguments or key file\n");
		return 2;
	}
	for (f = 0; f < nfiles; f++) {
		snprintf(path, sizeof(path), "%s.%d", argv[6], f);
		if ((out[f] = fopen(path, "w")) == NULL)
			return 1;
	}
	snprintf(path, sizeof(path), "%s.tsv", argv[6]);
	if (!bad && (tsv = fopen(path, "w")) == NULL)
		return 1;
	for (i = 0; i < nreq; i++) {
		FILE *o = out[i % nfiles];

		snprintf(sub, sizeof(sub), "%ld", i + 1);
		for (j = 0; tsv != NULL && j < per; j++) {
			snprintf(sid, sizeof(sid), "b%ld-%ld", i + 1, j);
			snprintf(jti, sizeof(jti), "r%ld-%ld", i + 1, j);
			hexhash(sid, hs);
			hexhash(jti, hj);
			fprintf(tsv, "%ld\t%s\t%s\n", i + 1, hs, hj);
		}
		snprintf(sid, sizeof(sid), "b%ld-0", i + 1);
		snprintf(jti, sizeof(jti), "r%ld-0", i + 1);
		if (!strcmp(kind, "query")) {
			hexhash(sid, hs);
			fprintf(o, "h=%s&u=%ld\n", hs, i + 1);
			continue;
		}
		mint("main", sub, sid, NULL, "access", now, bad, acc);
		if (!strcmp(kind, "body")) {
			mint("main", sub, sid, jti, "refresh", now, 0, ref);
			fprintf(o, "%s %s\n", acc, ref);
		} else
			fprintf(o, "%s\n", acc);
	}
	for (f = 0; f < nfiles; f++)
		if (fclose(out[f]) != 0)
			return 1;
	return tsv != NULL && fclose(tsv) != 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * keyring.c — HMAC keys: parse the algorithm, read and decode a secret
 * from its file or environment form, load a config's [key NAME] sections,
 * and find a key by kid. Secrets live in sodium_malloc'd memory (guard
 * pages, no core dumps) and are wiped on free; every intermediate copy is
 * wiped before it is freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keyring.h"
#include "util.h"

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
    size_t outcap, size_t *outlen, char *err, size_t errlen)
{
	if (enc == KEY_ENC_BASE64) {
		if (decode_base64(in, inlen, out, outcap, outlen) != 0) {
			snprintf(err, errlen, "secret is not valid base64");
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
		snprintf(err, errlen, "secret is empty");
		return -1;
	}
	if (inlen > outcap) {
		snprintf(err, errlen, "secret is too long");
		return -1;
	}
	memcpy(out, in, inlen);
	*outlen = inlen;
	return 0;
}

/* A secret file others may read or change, or that a third user owns
 * (and so may change), is a secret no more: refuse it, saying how to fix
 * it. 0 when st passes. */
static int
check_modes(const struct stat *st, const char *path, const char *what, char *err, size_t errlen)
{
	mode_t m = st->st_mode;

	if ((m & 007) != 0) {
		snprintf(err, errlen, "%s: %s is %s by others (mode %04o); chmod o-rwx %s", what,
		    path, (m & 004) ? "readable" : (m & 002) ? "writable" : "executable",
		    (unsigned int)(m & 07777), path);
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen,
		    "%s: %s is owned by uid %ld, neither root nor the user reading it (uid %ld)",
		    what, path, (long)st->st_uid, (long)geteuid());
		return -1;
	}
	return 0;
}

int
keyring_read_secret(const char *file, const char *env, const char *basedir, int strict,
    const char *what, char **out, size_t *outlen, char *err, size_t errlen)
{
	char path[KEY_SOURCE_MAX * 2];
	struct stat st;

	if (file[0] != '\0' && env[0] != '\0') {
		snprintf(err, errlen, "%s: set a file or an environment variable, not both", what);
		return -1;
	}
	if (env[0] != '\0') {
		const char *v = getenv(env);

		if (v == NULL) {
			snprintf(err, errlen, "%s: environment variable %s is not set", what, env);
			return -1;
		}
		*outlen = strlen(v);
		if ((*out = strdup(v)) == NULL) {
			snprintf(err, errlen, "%s: out of memory", what);
			return -1;
		}
		return 0;
	}
	if (util_path_join(basedir, file, path, sizeof(path)) != 0 ||
	    util_read_file_stat(path, KEY_SECRET_MAX * 2, out, outlen, &st) != 0) {
		snprintf(err, errlen, "%s: cannot read %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (strict && check_modes(&st, path, what, err, errlen) != 0) {
		sodium_memzero(*out, *outlen);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int
load_key(const struct keyring_spec *ks, const char *basedir, int strict, struct key *k, char *err,
    size_t errlen)
{
	unsigned char buf[KEY_SECRET_MAX];
	char why[64];
	char *raw = NULL;
	size_t rawlen = 0, len = 0;
	char what[KEY_NAME_MAX + 8];
	int rc = -1;

	snprintf(what, sizeof(what), "key %s", ks->name);
	if (ks->alg == KEY_ALG_NONE) {
		snprintf(err, errlen, "%s: alg is required (HS256 or HS512)", what);
		return -1;
	}
	if (ks->secret_file[0] == '\0' && ks->secret_env[0] == '\0') {
		snprintf(err, errlen, "%s: secret_file or secret_env is required", what);
		return -1;
	}
	if (keyring_read_secret(ks->secret_file, ks->secret_env, basedir, strict, what, &raw,
		&rawlen, err, errlen) != 0)
		return -1;
	if (keyring_decode_secret(ks->enc, raw, rawlen, buf, sizeof(buf), &len, why, sizeof(why)) !=
	    0) {
		snprintf(err, errlen, "%s: %s", what, why);
		goto fail;
	}
	if (len < keyring_alg_len(ks->alg)) {
		snprintf(err, errlen, "%s: %zu-byte secret is shorter than the %zu bytes %s needs",
		    what, len, keyring_alg_len(ks->alg), keyring_alg_name(ks->alg));
		goto fail;
	}
	if ((k->secret = sodium_malloc(len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", what);
		goto fail;
	}
	memcpy(k->secret, buf, len);
	k->secret_len = len;
	k->alg = ks->alg;
	snprintf(k->name, sizeof(k->name), "%s", ks->name);
	rc = 0;
fail:
	sodium_memzero(buf, sizeof(buf));
	if (raw != NULL) {
		sodium_memzero(raw, rawlen);
		free(raw);
	}
	return rc;
}

int
keyring_load(struct keyring *kr, const struct keyring_spec *specs, size_t n, const char *basedir,
    int strict, int *line, char *err, size_t errlen)
{
	size_t i;

	*line = 0;
	if (n == 0)
		return 0;
	if ((kr->keys = calloc(n, sizeof(*kr->keys))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (load_key(&specs[i], basedir, strict, &kr->keys[i], err, errlen) != 0) {
			*line = specs[i].line;
			return -1;
		}
		kr->nkeys++;
	}
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

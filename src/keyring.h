/* SPDX-License-Identifier: ISC */
/*
 * keyring.h — the signing keys: one algorithm per key, selected by kid.
 * Keys are loaded once at start-up (or reload) and are then read-only.
 * Also the one reader of secrets from a file or the environment, which the
 * database password shares.
 */
#ifndef LOGOUT_KEYRING_H
#define LOGOUT_KEYRING_H

#include <stddef.h>

#define KEY_NAME_MAX   64
#define KEY_SECRET_MAX 4096
#define KEY_SOURCE_MAX 256 /* a secret_file or secret_env as written */

enum key_alg { KEY_ALG_NONE = 0, KEY_HS256, KEY_HS512 };

enum key_encoding { KEY_ENC_RAW = 0, KEY_ENC_BASE64 };

struct key {
	char name[KEY_NAME_MAX]; /* the kid */
	enum key_alg alg;
	unsigned char *secret; /* sodium_malloc'd, owned by the key */
	size_t secret_len;
};

struct keyring {
	struct key *keys;
	size_t nkeys;
	size_t defkey; /* index of the default key */
};

/* A [key NAME] section as the file gives it (logout-fcgi.conf(5)). */
struct keyring_spec {
	char name[KEY_NAME_MAX];
	enum key_alg alg; /* KEY_ALG_NONE: not given */
	enum key_encoding enc;
	char secret_file[KEY_SOURCE_MAX]; /* relative to the config's directory */
	char secret_env[KEY_SOURCE_MAX];
	int line; /* of the section, for messages */
};

/* "HS256" / "HS512" → alg; KEY_ALG_NONE for anything else. */
enum key_alg keyring_alg_parse(const char *s, size_t len);
const char *keyring_alg_name(enum key_alg alg);
/* Digest length of the alg = minimum key length = signature length. */
size_t keyring_alg_len(enum key_alg alg);

/* Decode file or env contents into a key secret. Raw: the bytes as given,
 * less one trailing newline; base64: standard or url alphabet, whitespace
 * around it ignored. 0 ok, -1 with a reason in err. */
int keyring_decode_secret(enum key_encoding enc, const char *in, size_t inlen, unsigned char *out,
    size_t outcap, size_t *outlen, char *err, size_t errlen);

/* The contents of a secret: the environment variable env when it is not
 * empty, else the file (relative to basedir unless absolute); both given
 * is an error. With strict ([server] strict_modes, as sshd's StrictModes)
 * the file read must give others no access (mode & 007 == 0) and belong
 * to root or to the user reading it, checked on the descriptor that was
 * read. 0 with a NUL-terminated heap copy the caller wipes and frees, or
 * -1 with "WHAT: problem" in err. */
int keyring_read_secret(const char *file, const char *env, const char *basedir, int strict,
    const char *what, char **out, size_t *outlen, char *err, size_t errlen);

/* Every spec into kr, in order; kr->defkey stays 0. strict: as for
 * keyring_read_secret. 0, or -1 with "key NAME: problem" in err and the
 * spec's line in *line; kr then holds the keys loaded so far, for
 * keyring_free. */
int keyring_load(struct keyring *kr, const struct keyring_spec *specs, size_t n,
    const char *basedir, int strict, int *line, char *err, size_t errlen);

/* Lookup by kid (counted string); NULL when unknown. */
const struct key *keyring_find(const struct keyring *kr, const char *kid, size_t kidlen);
const struct key *keyring_default(const struct keyring *kr);

/* Wipe and free every secret and the array. */
void keyring_free(struct keyring *kr);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h — helpers shared by the libFuzzer harnesses (header-only, static
 * inline, so each harness stays one source file):
 *   FUZZ_CHECK          an invariant: on failure print it and abort(), which
 *                       libFuzzer reports as a crash with the input saved;
 *   fuzz_key            a keyring key from a literal secret;
 *   fuzz_cstr           a NUL-terminated heap copy of the input;
 *   fuzz_config         a config snapshot from INI text, or abort();
 *   FUZZ_SECRET32/64    the raw secrets every harness and seed uses.
 */
#ifndef LOGOUT_FUZZ_H
#define LOGOUT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "keyring.h"

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf( \
			    stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* Key "a" (HS256) and key "b" (HS512); also exported as FUZZ_KEY32 and
 * FUZZ_KEY64 for configs that take their secrets from the environment. */
#define FUZZ_SECRET32 "0123456789abcdef0123456789abcdef"
#define FUZZ_SECRET64 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
_Static_assert(sizeof(FUZZ_SECRET32) == 33 && sizeof(FUZZ_SECRET64) == 65, "secret lengths");
/* base64 of FUZZ_SECRET32 (for "encoding = base64" configs). */
#define FUZZ_SECRET32_B64 "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

/* The fixed clock of every harness and seed. */
#define FUZZ_NOW 1700000000LL

static inline void
fuzz_init(void)
{
	if (sodium_init() < 0)
		abort();
	setenv("FUZZ_KEY32", FUZZ_SECRET32, 1);
	setenv("FUZZ_KEY64", FUZZ_SECRET64, 1);
	setenv("FUZZ_KEY_B64", FUZZ_SECRET32_B64, 1);
	setenv("FUZZ_KEY16", "0123456789abcdef", 1); /* too short for any alg */
	setenv("FUZZ_EMPTY", "", 1);
	setenv("FUZZ_PASSWORD", "s3cret\n", 1);
	unsetenv("FUZZ_UNSET");
}

/* A key owning a sodium_malloc'd copy of secret, as keyring_free expects. */
static inline void
fuzz_key(struct key *k, const char *name, enum key_alg alg, const void *secret, size_t len)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->alg = alg;
	if ((k->secret = sodium_malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(k->secret, secret, len);
	k->secret_len = len;
}

/* data as a NUL-terminated heap string (embedded NULs end it early). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A config the harness relies on: failing to load it is a harness bug. */
static inline struct config *
fuzz_config(const char *text)
{
	char err[512] = "";
	struct config *cfg = config_load_string(text, "fuzz.conf", err, sizeof(err));

	if (cfg == NULL) {
		fprintf(stderr, "fuzz: built-in config refused: %s\n", err);
		abort();
	}
	return cfg;
}

#endif

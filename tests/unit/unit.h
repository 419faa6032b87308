/* SPDX-License-Identifier: ISC */
/*
 * unit.h — helpers shared by the Check unit tests (header-only, static
 * inline, so each test binary stays one source file):
 *   UNIT_MAIN          a main() that runs one suite and exits non-zero on failure;
 *   UNIT_TCASE         a TCase of the listed tests (UNIT_TCASE_TIMEOUT: with a timeout);
 *   unit_key           a keyring key from a literal secret;
 *   unit_get           a FastCGI param getter over a static name/value table;
 *   unit_config        a config snapshot from INI text, the key from the environment;
 *   unit_json          parse a counted buffer with json-c, failing the test if invalid;
 *   unit_slurp, unit_tmpdir_remove   a small file's text; a test's temporary directory;
 *   ck_assert_has / ck_assert_lacks   substring checks with readable failures.
 */
#ifndef LOGOUT_UNIT_H
#define LOGOUT_UNIT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>
#include <sodium.h>

#include "b64url.h"
#include "config.h"
#include "keyring.h"

/* One suite per binary; sodium_init runs before the runner forks. */
#define UNIT_MAIN(suite_fn)                                            \
	int                                                            \
	main(void)                                                     \
	{                                                              \
		SRunner *sr;                                           \
		int failed;                                            \
                                                                       \
		if (sodium_init() < 0)                                 \
			return 1;                                      \
		sr = srunner_create(suite_fn());                       \
		srunner_run_all(sr, CK_NORMAL);                        \
		failed = srunner_ntests_failed(sr);                    \
		srunner_free(sr);                                      \
		return failed != 0;                                    \
	}

/* Add every listed test to a new TCase named name. */
#define UNIT_TCASE(suite, name, ...) UNIT_TCASE_TIMEOUT(suite, name, 0, __VA_ARGS__)

/* The same, each test allowed secs seconds (0: Check's default). */
#define UNIT_TCASE_TIMEOUT(suite, name, secs, ...)                     \
	do {                                                           \
		const TTest *unit_fns_[] = { __VA_ARGS__ };            \
		TCase *unit_tc_ = tcase_create(name);                  \
		if ((secs) > 0)                                        \
			tcase_set_timeout(unit_tc_, (secs));           \
		for (size_t unit_i_ = 0;                               \
		    unit_i_ < sizeof(unit_fns_) / sizeof(unit_fns_[0]); \
		    unit_i_++)                                         \
			tcase_add_test(unit_tc_, unit_fns_[unit_i_]);  \
		suite_add_tcase(suite, unit_tc_);                      \
	} while (0)

#define ck_assert_has(hay, needle)                                     \
	ck_assert_msg(strstr((hay), (needle)) != NULL,                 \
	    "expected \"%s\" in:\n%s", (needle), (hay))
#define ck_assert_lacks(hay, needle)                                   \
	ck_assert_msg(strstr((hay), (needle)) == NULL,                 \
	    "did not expect \"%s\" in:\n%s", (needle), (hay))

/* A key owning a sodium_malloc'd copy of secret, as keyring_free expects. */
static inline void
unit_key(struct key *k, const char *name, enum key_alg alg, const void *secret, size_t len)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->alg = alg;
	k->secret = sodium_malloc(len ? len : 1);
	ck_assert_ptr_nonnull(k->secret);
	memcpy(k->secret, secret, len);
	k->secret_len = len;
}

/* ---- building tokens by hand -------------------------------------------- */

static inline void
unit_hmac(enum key_alg alg, const unsigned char *k, size_t klen, const void *data, size_t len,
    unsigned char *out)
{
	if (alg == KEY_HS256) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, k, klen);
		crypto_auth_hmacsha256_update(&st, data, len);
		crypto_auth_hmacsha256_final(&st, out);
	} else {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, k, klen);
		crypto_auth_hmacsha512_update(&st, data, len);
		crypto_auth_hmacsha512_final(&st, out);
	}
}

static inline size_t
unit_alg_len(enum key_alg alg)
{
	return alg == KEY_HS256 ? 32 : 64;
}

/* base64url(hdr) "." base64url(payload) "." base64url(HMAC) into out. */
static inline size_t
unit_craft(const char *hdr, const char *payload, enum key_alg alg, const unsigned char *k,
    size_t klen, char *out, size_t cap)
{
	unsigned char mac[64];
	size_t n;
	int w;

	w = b64url_encode((const unsigned char *)hdr, strlen(hdr), out, cap);
	ck_assert_int_gt(w, 0);
	n = (size_t)w;
	out[n++] = '.';
	w = b64url_encode((const unsigned char *)payload, strlen(payload), out + n, cap - n);
	ck_assert_int_ge(w, 0);
	n += (size_t)w;
	unit_hmac(alg, k, klen, out, n, mac);
	out[n++] = '.';
	w = b64url_encode(mac, unit_alg_len(alg), out + n, cap - n);
	ck_assert_int_gt(w, 0);
	return n + (size_t)w;
}

/* FastCGI params: a table ending with { NULL, NULL }. */
struct unit_param {
	const char *name;
	const char *value;
};

static inline const char *
unit_get(void *ctx, const char *name)
{
	const struct unit_param *p = ctx;

	for (; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p->value;
	return NULL;
}

/* The 32-byte raw secret of the key every test config declares. */
#define UNIT_SECRET "0123456789abcdef0123456789abcdef"
#define UNIT_KEY_SECTION                                               \
	"[key main]\n"                                                 \
	"alg = HS256\n"                                                \
	"secret_env = LOGOUT_UNIT_SECRET\n"                            \
	"encoding = raw\n"

/* Load text (which should include UNIT_KEY_SECTION) or fail the test. */
static inline struct config *
unit_config(const char *text)
{
	char err[512] = "";
	struct config *cfg;

	setenv("LOGOUT_UNIT_SECRET", UNIT_SECRET, 1);
	cfg = config_load_string(text, "unit.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "config_load_string failed: %s", err);
	return cfg;
}

/* The whole of a small file into buf, NUL-terminated, or fail the test. */
static inline void
unit_slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ck_assert_msg(fd >= 0, "%s: cannot open", path);
	n = read(fd, buf, cap - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
}

/* Remove a directory mkdtemp made, with all in it, and make its name the
 * template again for the next test of a checked fixture. */
static inline void
unit_tmpdir_remove(char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

/* Parse len bytes as one JSON value; fail the test if it is not valid. */
static inline struct json_object *
unit_json(const char *buf, size_t len, int strict_utf8)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error jerr;

	ck_assert_ptr_nonnull(tok);
	if (strict_utf8)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	else
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	ck_assert_msg(obj != NULL && jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len,
	    "not one valid JSON value (%s): %.*s", json_tokener_error_desc(jerr), (int)len, buf);
	json_tokener_free(tok);
	return obj;
}

/* Member of obj that must exist; fails the test otherwise. */
static inline struct json_object *
unit_member(struct json_object *obj, const char *name)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(obj, name, &v), "member \"%s\" missing in %s",
	    name, json_object_to_json_string(obj));
	return v;
}

#endif

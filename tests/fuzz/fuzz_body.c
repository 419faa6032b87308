/* SPDX-License-Identifier: ISC */
/*
 * fuzz_body.c — body_parse (and through it jsonparse_strict) on arbitrary
 * bytes: NULs, bad UTF-8, depth bombs, duplicate members, wrong types.
 *
 * Invariants: BODY_OK sets no field; with has_refresh the token is 1 to
 * TOKEN_MAX_LEN bytes, NUL-terminated at refresh_len and free of inner
 * NULs (refresh_len == strlen); BODY_EFIELD names a field and a problem;
 * all_devices is 0 or 1; the result is the same on a second parse.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

#include "body.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct logout_body b, again;
	enum body_err err, err2;
	char *buf;

	/* Exactly size bytes on the heap, not NUL-terminated: ASan sees any
	 * read past the counted length. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	memset(&b, 0x5a, sizeof(b));
	err = body_parse(buf, size, &b);
	FUZZ_CHECK(
	    err == BODY_OK || err == BODY_EJSON || err == BODY_ENOTOBJECT || err == BODY_EFIELD,
	    "err %d", (int)err);
	switch (err) {
	case BODY_OK:
		FUZZ_CHECK(b.field == NULL && b.problem == NULL, "field set on BODY_OK");
		FUZZ_CHECK(
		    b.all_devices == 0 || b.all_devices == 1, "all_devices %d", b.all_devices);
		if (b.has_refresh) {
			FUZZ_CHECK(b.has_refresh == 1, "has_refresh %d", b.has_refresh);
			FUZZ_CHECK(b.refresh_len > 0 && b.refresh_len <= TOKEN_MAX_LEN,
			    "refresh_len %zu", b.refresh_len);
			FUZZ_CHECK(b.refresh_token[b.refresh_len] == '\0', "not terminated");
#ifndef FUZZ_BODY_ALLOW_INNER_NUL /* to fuzz past a known finding */
			FUZZ_CHECK(strlen(b.refresh_token) == b.refresh_len,
			    "refresh_token has an inner NUL: strlen %zu, refresh_len %zu",
			    strlen(b.refresh_token), b.refresh_len);
#endif
		} else {
			FUZZ_CHECK(b.refresh_len == 0 && b.refresh_token[0] == '\0',
			    "refresh set without has_refresh");
		}
		break;
	case BODY_EFIELD:
		FUZZ_CHECK(b.field != NULL && b.problem != NULL, "EFIELD without field/problem");
		FUZZ_CHECK(b.field[0] != '\0' && b.problem[0] != '\0', "empty field/problem");
		break;
	default:
		break;
	}
	/* Pure: the same bytes give the same answer. */
	err2 = body_parse(buf, size, &again);
	FUZZ_CHECK(err2 == err, "second parse: %d, first: %d", (int)err2, (int)err);
	if (err == BODY_OK)
		FUZZ_CHECK(again.has_refresh == b.has_refresh &&
			       again.refresh_len == b.refresh_len &&
			       again.all_devices == b.all_devices &&
			       memcmp(again.refresh_token, b.refresh_token, b.refresh_len) == 0,
		    "second parse differs");
	free(buf);
	return 0;
}

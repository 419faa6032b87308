/* SPDX-License-Identifier: ISC */
/*
 * fuzz_sqlparam.c — sqlparam_compile on arbitrary text (a NUL-terminated
 * copy of the input: the function takes a C string).
 *
 * Invariants on success: nparams <= SQL_MAX_PARAMS, every param a known
 * name, used == the OR of the params' bits, sql NUL-terminated within
 * SQL_MAX_LEN, and its length exactly the source's less the name of each
 * parameter (":name" became "?"), with at least nparams '?' in it. A
 * parameter-free result compiles again to itself. On failure, err holds a
 * one-line message.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

#include "sqlparam.h"

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
	static struct sql_text st, st2;
	char err[200], err2[200];
	char *src;
	size_t srclen, outlen, names = 0, qmarks = 0, i;
	unsigned int used = 0;

	if (size > 2 * SQL_MAX_LEN)
		return -1;
	src = fuzz_cstr(data, size);
	srclen = strlen(src);
	memset(&st, 0x5a, sizeof(st));
	memset(err, 0x5a, sizeof(err));
	err[sizeof(err) - 1] = '\0';
	if (sqlparam_compile(src, &st, err, sizeof(err)) != 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "err unterminated");
		FUZZ_CHECK(err[0] != '\0' && (unsigned char)err[0] != 0x5a, "no message");
		free(src);
		return 0;
	}
	FUZZ_CHECK(memchr(st.sql, '\0', sizeof(st.sql)) != NULL, "sql unterminated");
	FUZZ_CHECK(st.nparams <= SQL_MAX_PARAMS, "nparams %zu", st.nparams);
	for (i = 0; i < st.nparams; i++) {
		FUZZ_CHECK((unsigned)st.params[i] < SQLP_COUNT, "param %d", (int)st.params[i]);
		used |= 1u << st.params[i];
		names += strlen(sqlparam_name(st.params[i]));
	}
	FUZZ_CHECK(used == st.used, "used %#x, params give %#x", st.used, used);
	outlen = strlen(st.sql);
	FUZZ_CHECK(outlen < SQL_MAX_LEN, "sql length %zu", outlen);
	FUZZ_CHECK(
	    outlen == srclen - names, "sql length %zu, want %zu - %zu", outlen, srclen, names);
	for (i = 0; i < outlen; i++)
		qmarks += st.sql[i] == '?';
	FUZZ_CHECK(qmarks >= st.nparams, "%zu '?' for %zu params", qmarks, st.nparams);
	if (st.nparams == 0) {
		FUZZ_CHECK(strcmp(st.sql, src) == 0, "no params, yet the text changed");
		FUZZ_CHECK(sqlparam_compile(st.sql, &st2, err2, sizeof(err2)) == 0,
		    "own output refused: %s", err2);
		FUZZ_CHECK(strcmp(st2.sql, st.sql) == 0 && st2.nparams == 0, "not idempotent");
	}
	free(src);
	return 0;
}

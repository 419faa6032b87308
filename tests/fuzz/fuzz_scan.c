/* SPDX-License-Identifier: ISC */
/*
 * fuzz_scan.c — fcgi_scan on arbitrary bytes, as a client would send them.
 *
 * Invariants: the answer is MORE, READY or BAD; READY means a responder
 * or authorizer request whose params fit max_params and whose consumed
 * bytes lie within the input, the input cut at consumed is READY again
 * with the same length (or MORE, for a body over max_body found too long
 * for the window only as it filled) and cut one byte earlier is not (the
 * whole request, to the end of its STDIN stream unless a body over
 * max_body is refused unread, or to the end of its params for an
 * authorizer, was checked); BAD has a reason; a prefix of the input is
 * never READY when the whole is MORE, and BAD stays BAD however many
 * bytes follow (the acceptor peeks again as bytes arrive and must never
 * change its mind).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "fcgi_scan.h"

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
	static const struct scan_limits lim = {.max_params = 2048, .max_body = 512, .window = 4096};
	struct scan_info info, pre;
	enum scan_result r, rp;
	size_t cut;

	r = fcgi_scan(data, size, &lim, &info);
	FUZZ_CHECK(r == SCAN_MORE || r == SCAN_READY || r == SCAN_BAD, "size %zu", size);
	if (r == SCAN_READY) {
		FUZZ_CHECK(info.role == 1 || info.role == 2, "size %zu", size);
		/* an authorizer's input is never read: not even announced */
		FUZZ_CHECK(info.role == 1 || (info.stdin_len == 0 && !info.body_unscanned),
		    "size %zu", size);
		FUZZ_CHECK(info.params_len <= lim.max_params, "size %zu", size);
		FUZZ_CHECK(info.consumed >= 16 && info.consumed <= size, "size %zu", size);
		/* a body refused unread for its framing is known to be so only
		 * once the window is full: its params alone are still MORE */
		rp = fcgi_scan(data, info.consumed, &lim, &pre);
		FUZZ_CHECK(rp == SCAN_READY || (info.body_unscanned && rp == SCAN_MORE),
		    "size %zu", size);
		FUZZ_CHECK(rp != SCAN_READY || pre.consumed == info.consumed, "size %zu", size);
		FUZZ_CHECK(rp != SCAN_READY || pre.content_length == info.content_length,
		    "size %zu", size);
		/* READY at the last byte it needs (for a body read, the end of
		 * the empty STDIN record: libfcgi reads nothing unchecked), and
		 * a body refused unread is one announced over max_body */
		FUZZ_CHECK(fcgi_scan(data, info.consumed - 1, &lim, &pre) == SCAN_MORE, "size %zu",
		    size);
		FUZZ_CHECK(!info.body_unscanned || info.content_length > (long long)lim.max_body,
		    "size %zu", size);
	}
	if (r == SCAN_BAD)
		FUZZ_CHECK(info.reason != SCAN_OK && fcgi_scan_reason(info.reason)[0] != '?', "size %zu", size);
	if (size == 0)
		return 0;
	cut = data[0] % size;
	rp = fcgi_scan(data, cut, &lim, &pre);
	if (r == SCAN_MORE)
		FUZZ_CHECK(rp == SCAN_MORE, "size %zu", size);
	if (rp == SCAN_BAD)
		FUZZ_CHECK(r == SCAN_BAD, "size %zu", size);
	return 0;
}

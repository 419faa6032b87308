/* SPDX-License-Identifier: ISC */
/*
 * util.h — small bounded helpers every module shares: one number parser
 * that rejects overflow and trailing junk, truncation-checked copies, hex.
 *
 * The error convention of every module (HACKING, "Errors"):
 * - A function that can fail returns 0 on success and -1 on failure, with
 *   the reason set before it returns: in the caller's (char *err, size_t
 *   errlen) where a person reads it (config, listener, runtime, ratelimit),
 *   in errno for thin wrappers of system calls (util_read_file), or in the
 *   request's outcome (handlers: `return exchange_refuse(x, REASON_...)`).
 *   A constructor returns its object, or NULL with the reason set the same
 *   way.
 * - A function that chooses among answers rather than failing returns its
 *   module's enum, whose 0 is the plain success (db_status, token_err,
 *   body_err, batch_outcome, request_err).
 * - Predicates are named as a question and return 1 or 0.
 * - Cleanup after a failure goes through one `fail:` label.
 * - Diagnostics: log_err/log_warn("%s: ...", __func__, ...) with fixed
 *   text and numbers only, never a token, secret, SQL text or client value.
 * inih's handler (1 = go on) is the one foreign convention; only config.c
 * meets it.
 */
#ifndef LOGOUT_UTIL_H
#define LOGOUT_UTIL_H

#include <stddef.h>
#include <time.h>

/* Parse a whole decimal string into [min, max]. 0 on success, -1 on junk,
 * empty input, overflow or out-of-range; *out untouched on failure. */
int util_strtonum(const char *s, long long min, long long max, long long *out);

/* Same, over a counted buffer that need not be NUL-terminated. */
int util_strntonum(const char *s, size_t len, long long min, long long max, long long *out);

/* Copy with truncation check: 0 when src fit, -1 when it did not (dst is
 * then empty, never a silently shortened value). */
int util_strlcpy(char *dst, const char *src, size_t size);

/* "YYYY-MM-DD HH:MM:SS" of t in UTC: the way Laravel stores timestamps. */
#define UTIL_DATETIME_LEN 19
void util_utc_datetime(long long t, char out[UTIL_DATETIME_LEN + 1]);

/* The current time in Unix seconds from CLOCK_REALTIME. Not time(NULL):
 * on Linux that reads the coarse clock, up to a tick behind, so just after
 * a second boundary a token whose iat an issuer took from the precise
 * clock would look issued in the future. */
time_t util_now(void);

/* Milliseconds of the monotonic clock (coarse: a tick's precision), for
 * deadlines and back-offs. */
long long util_now_ms(void);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void util_hex(const unsigned char *in, size_t len, char *out);

/* Case-insensitive ASCII compare of a counted prefix. */
int util_strncaseeq(const char *a, const char *b, size_t n);

/* 1 when s may be a response header's value: no control byte (CR, LF, NUL
 * and the rest, DEL), so it can never end the header and start another;
 * bytes over 0x7f (UTF-8) pass, as HTTP's obs-text. */
int util_header_value_ok(const char *s);

/* Whole file into a NUL-terminated heap buffer, at most max bytes.
 * 0 ok (caller frees *out), -1 with errno set (EFBIG when over max). */
int util_read_file(const char *path, size_t max, char **out, size_t *outlen);

/* The same, and *st is fstat of the descriptor read: what was read, not
 * what the path names a moment later. */
struct stat;
int util_read_file_stat(
    const char *path, size_t max, char **out, size_t *outlen, struct stat *st);

/* A file mode written in octal ("0660", "660"), at most 0777. 0, or -1
 * (out untouched) for anything else. */
int util_parse_mode(const char *s, unsigned int *out);

/* path as it is when absolute (or dir is empty or NULL), else dir/path:
 * how the config's relative paths name files beside it. 0, or -1 with
 * errno ENAMETOOLONG when out cannot hold it. */
int util_path_join(const char *dir, const char *path, char *out, size_t cap);

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 when there is none. */
size_t util_utf8_len(const unsigned char *s, size_t n);

/* 1 when all n bytes are well-formed UTF-8. */
int util_utf8_valid(const char *s, size_t n);

/* Copy src (NULL: empty) into dst as well-formed UTF-8: bytes that are not
 * become '?', and truncation never splits a character. cap >= 1. Returns
 * the length copied. */
size_t util_utf8_copy(char *dst, size_t cap, const char *src);

#endif

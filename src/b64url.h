/* SPDX-License-Identifier: ISC */
/*
 * b64url.h — strict base64url (RFC 4648 §5) without padding, as JWS uses.
 * Padded, non-canonical and empty inputs are refused: libsodium alone
 * accepts the empty string, so the wrapper refuses it.
 */
#ifndef LOGOUT_B64URL_H
#define LOGOUT_B64URL_H

#include <stddef.h>

/* 0 on success with *outlen set; -1 on any malformed, empty or too long input. */
int b64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outcap, size_t *outlen);

/* Encode; returns the length written (NUL-terminated) or -1 if outcap is too small. */
int b64url_encode(const unsigned char *in, size_t inlen, char *out, size_t outcap);

#endif

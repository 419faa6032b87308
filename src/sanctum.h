/* SPDX-License-Identifier: ISC */
/*
 * sanctum.h — Laravel Sanctum personal access tokens (README, "Compatibility"; format
 * sanctum): "<id>|<secret>", where the table's token column holds the hex
 * SHA-256 of <secret> (Sanctum 4: token_prefix + 40 random alphanumerics +
 * their CRC32 in hex). Pure: the row itself is looked up by SQL.
 */
#ifndef LOGOUT_SANCTUM_H
#define LOGOUT_SANCTUM_H

#include <stddef.h>
#include <stdint.h>

#define SANCTUM_SECRET_MAX 255 /* Laravel's prefix + 40 + 8 fits easily */
#define SANCTUM_HASH_HEX   64
#define SANCTUM_RANDOM_LEN 40

/* Split "<id>|<secret>". 0 with *id and the secret's place set; -1 when the
 * token is not that shape (no '|', id not 1..2^63-1 in plain decimal,
 * secret empty, too long, or not printable ASCII). */
int sanctum_parse(
    const char *tok, size_t len, unsigned long long *id, const char **secret, size_t *secret_len);

/* Lower-case hex SHA-256 of the secret: SANCTUM_HASH_HEX chars + NUL. */
void sanctum_hash_hex(const char *secret, size_t len, char out[SANCTUM_HASH_HEX + 1]);

/* 1 when stored (the token column) is the hash of secret; constant time
 * over the 64 hex characters. */
int sanctum_matches(const char *stored, size_t stored_len, const char *secret, size_t len);

/* A new secret as Sanctum 4 makes it: prefix, 40 random alphanumerics,
 * then the CRC32 (crc32b) of those 40 as 8 hex digits. Returns its length,
 * or -1 if cap is short. */
int sanctum_new_secret(const char *prefix, char *out, size_t cap);

/* zlib/PHP crc32b. */
uint32_t sanctum_crc32(const void *data, size_t len);

#endif

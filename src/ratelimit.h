/* SPDX-License-Identifier: ISC */
/*
 * ratelimit.h — a host-wide fixed-window rate limiter (Laravel's
 * throttle:N,W): per key, a window opens at the first hit, hits inside it
 * count up to the limit, later ones are refused until it ends. The counts
 * live in a memory-mapped file shared by every process and thread of the
 * host and are updated with lock-free atomics only, so a worker killed at
 * any moment never leaves anything locked.
 */
#ifndef LOGOUT_RATELIMIT_H
#define LOGOUT_RATELIMIT_H

#include <stddef.h>
#include <time.h>

#define RATELIMIT_SLOTS_MIN 1024u
#define RATELIMIT_SLOTS_MAX 16777216u

struct ratelimit; /* one process's mapping of the shared state file */

/* Map (creating if needed) the state file at path with room for `slots` keys
 * (power of two, 1024..16777216). Created mode 0600. A file of another
 * geometry or version (or garbage) is replaced atomically by a fresh one
 * (write a temp file in the same directory, rename over), so processes that
 * still map the old inode are unharmed. NULL with a reason in err on failure
 * (message without secrets, e.g. "PATH: Permission denied"). A mapping stays
 * valid in children forked after this call. */
struct ratelimit *ratelimit_open(const char *path, unsigned int slots, char *err, size_t errlen);
void ratelimit_close(struct ratelimit *rl);

struct rl_verdict {
	int allowed; /* 0: over the limit */
	unsigned int limit;
	unsigned int remaining;	  /* after this hit; 0 when refused */
	unsigned int retry_after; /* seconds until the window ends (>= 1) when refused, else 0 */
	unsigned int reset;	  /* seconds until the window ends (>= 1) */
};

/* Count one hit for key (any bytes, e.g. "u:42" or "ip:127.0.0.1") against
 * limit hits per window seconds, at time now. Thread- and process-safe.
 * Never allocates. limit 0 is treated as 1, window 0 as 1. */
void ratelimit_hit(struct ratelimit *rl, const void *key, size_t keylen, unsigned int limit,
    unsigned int window, time_t now, struct rl_verdict *v);

/* For tests only: the first slot key probes (its hash under the file's
 * key, masked to the table), so a test can pick colliding keys. */
size_t ratelimit_slot_of(const struct ratelimit *rl, const void *key, size_t keylen);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * runtime.h — a configuration snapshot together with what a serving
 * process opened for it: today the rate limiter's mapping. The snapshot
 * stays pure data (config.h); the process that runs it owns this. A
 * reload opens a new runtime from the new snapshot and the current one,
 * reusing what the changed settings do not touch, so a reload neither
 * remaps the limiter needlessly nor forgets to map it.
 *
 * Runtimes are made and freed by one thread (the process's main thread);
 * serving threads only read them.
 */
#ifndef LOGOUT_RUNTIME_H
#define LOGOUT_RUNTIME_H

#include <stddef.h>
#include <sys/types.h>

struct config;
struct ratelimit;
struct shared_limiter;

struct runtime {
	struct config *cfg;   /* owned */
	struct ratelimit *rl; /* NULL when [rate_limit] is off */
	struct shared_limiter *lim;
};

/* A runtime for cfg, sharing prev's limiter when [rate_limit] file and
 * slots did not change (prev may be NULL). Takes ownership of cfg on
 * success. NULL with a message in err (cfg is then still the caller's). */
struct runtime *runtime_open(struct config *cfg, const struct runtime *prev, char *err,
    size_t errlen);

/* Open and close what cfg needs, so a problem (an unwritable limiter file)
 * is reported where no process depends on it yet: --check-config, and the
 * supervisor's reload before it starts workers with cfg. 0, or -1 with a
 * message in err. */
int runtime_check(const struct config *cfg, char *err, size_t errlen);

/* Before a start as root switches to uid:gid (privs.h): make what cfg
 * needs theirs, so that they can open it themselves, in every worker and
 * at a reload. Today the rate limiter's file: created (by runtime_check)
 * when missing, then given to them. A file already theirs is left as it
 * is. 0, or -1 with a message in err. */
int runtime_hand_over(const struct config *cfg, uid_t uid, gid_t gid, char *err, size_t errlen);

/* Free the runtime and its snapshot; the limiter is unmapped when no
 * other runtime shares it. NULL is fine. */
void runtime_free(struct runtime *rt);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * runtime.c — opening, sharing and closing a process's runtime state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ratelimit.h"
#include "runtime.h"

/* One mapping, shared by the runtimes whose settings name it. The count
 * is only touched by the process's main thread. */
struct shared_limiter {
	struct ratelimit *rl;
	int refs;
};

static int
same_limiter(const struct config *a, const struct config *b)
{
	return a->rl_enabled && b->rl_enabled && a->rl_slots == b->rl_slots &&
	       strcmp(a->rl_file, b->rl_file) == 0;
}

static struct shared_limiter *
limiter_open(const struct config *cfg, char *err, size_t errlen)
{
	struct shared_limiter *lim;

	if ((lim = calloc(1, sizeof(*lim))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((lim->rl = ratelimit_open(cfg->rl_file, cfg->rl_slots, err, errlen)) == NULL) {
		free(lim);
		return NULL;
	}
	lim->refs = 1;
	return lim;
}

struct runtime *
runtime_open(struct config *cfg, const struct runtime *prev, char *err, size_t errlen)
{
	struct runtime *rt;

	if ((rt = calloc(1, sizeof(*rt))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (prev != NULL && prev->lim != NULL && same_limiter(prev->cfg, cfg)) {
		rt->lim = prev->lim;
		rt->lim->refs++;
	} else if (cfg->rl_enabled && (rt->lim = limiter_open(cfg, err, errlen)) == NULL) {
		free(rt);
		return NULL;
	}
	rt->rl = rt->lim != NULL ? rt->lim->rl : NULL;
	rt->cfg = cfg;
	return rt;
}

int
runtime_check(const struct config *cfg, char *err, size_t errlen)
{
	struct ratelimit *rl;

	if (!cfg->rl_enabled)
		return 0;
	if ((rl = ratelimit_open(cfg->rl_file, cfg->rl_slots, err, errlen)) == NULL)
		return -1;
	ratelimit_close(rl);
	return 0;
}

int
runtime_hand_over(const struct config *cfg, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc = -1;

	if (!cfg->rl_enabled)
		return 0;
	if (lstat(cfg->rl_file, &st) == 0 && st.st_uid == uid)
		return 0;
	/* Root makes (or checks) the file where only root may write... */
	if (runtime_check(cfg, err, errlen) != 0)
		return -1;
	/* ...and gives that very file away: no link is followed. */
	if ((fd = open(cfg->rl_file, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", cfg->rl_file, strerror(errno));
		return -1;
	}
	if (fchown(fd, uid, gid) != 0)
		snprintf(err, errlen, "%s: cannot give it to uid %ld: %s", cfg->rl_file, (long)uid,
		    strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

void
runtime_free(struct runtime *rt)
{
	if (rt == NULL)
		return;
	if (rt->lim != NULL && --rt->lim->refs == 0) {
		ratelimit_close(rt->lim->rl);
		free(rt->lim);
	}
	config_free(rt->cfg);
	free(rt);
}

/* SPDX-License-Identifier: ISC */
/*
 * privs.h — the account the worker serves as. A start as root (not by
 * systemd, whose unit names the user itself) opens what only root may
 * open (the socket with its owner, the pid file, the secrets), then
 * switches for good to [server] user and group, so that no request is
 * ever served as root. Started as root without a user, the worker refuses
 * to serve unless allow_root says so; started as another user, it can only
 * stay that user (README, "Privileges and the socket").
 *
 * Errors: -1 with a message in err.
 */
#ifndef LOGOUT_PRIVS_H
#define LOGOUT_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/* A user by name (or decimal uid): its uid and primary group. */
int privs_user(const char *name, uid_t *uid, gid_t *gid, char *err, size_t errlen);

/* A group by name (or decimal gid). */
int privs_group(const char *name, gid_t *gid, char *err, size_t errlen);

/* What a start does about its identity. */
struct privs {
	int drop;  /* 1: switch from root to uid:gid before serving */
	uid_t uid; /* who serves: the user, or the process's own */
	gid_t gid; /* the group, or the user's primary group */
};

/*
 * Decide for a process running as euid/egid with the configured user and
 * group (NULL or "": not set) and allow_root. Refused: root without a user
 * (or as user root) unless allow_root; a group without a user as root;
 * anyone else naming a user or group other than its own.
 */
int privs_plan(const char *user, const char *group, int allow_root, uid_t euid, gid_t egid,
    struct privs *out, char *err, size_t errlen);

/* Switch to p's uid and gid with no supplementary group but that gid,
 * and check that root cannot be regained. Call before any thread starts.
 * Nothing to do when p->drop is 0. */
int privs_drop(const struct privs *p, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * privs.c — accounts by name, the decision to switch, and the switch
 * (see privs.h).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"
#include "util.h"

/* Enough for any passwd or group entry of a sane system; a bigger one is
 * reported rather than read in pieces. */
#define ENTRY_BUF 16384

/* A decimal id, or -1 when s is a name. */
static long long
numeric_id(const char *s)
{
	long long n;

	return util_strtonum(s, 0, 0x7ffffffe, &n) == 0 ? n : -1;
}

static void
lookup_failed(const char *what, const char *name, int rc, char *err, size_t errlen)
{
	if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
		snprintf(err, errlen, "no such %s \"%s\"", what, name);
	else
		snprintf(err, errlen, "cannot look up %s \"%s\": %s", what, name, strerror(rc));
}

int
privs_user(const char *name, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[ENTRY_BUF];
	long long id = numeric_id(name);
	int rc;

	rc = id >= 0 ? getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &res)
		     : getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (res == NULL) {
		lookup_failed("user", name, rc, err, errlen);
		return -1;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

int
privs_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[ENTRY_BUF];
	long long id = numeric_id(name);
	int rc;

	rc = id >= 0 ? getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &res)
		     : getgrnam_r(name, &gr, buf, sizeof(buf), &res);
	if (res == NULL) {
		lookup_failed("group", name, rc, err, errlen);
		return -1;
	}
	*gid = gr.gr_gid;
	return 0;
}

static int
is_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

int
privs_plan(const char *user, const char *group, int allow_root, uid_t euid, gid_t egid,
    struct privs *out, char *err, size_t errlen)
{
	gid_t primary = egid;

	out->drop = 0;
	out->uid = euid;
	out->gid = egid;
	if (is_set(user) && privs_user(user, &out->uid, &primary, err, errlen) != 0)
		return -1;
	out->gid = primary;
	if (is_set(group) && privs_group(group, &out->gid, err, errlen) != 0)
		return -1;
	if (euid != 0) {
		/* Only root can become someone else; naming oneself is fine. */
		if (is_set(user) && out->uid != euid) {
			snprintf(
			    err, errlen, "cannot switch to user %s: not started as root", user);
			return -1;
		}
		if (is_set(group) && out->gid != egid) {
			snprintf(
			    err, errlen, "cannot switch to group %s: not started as root", group);
			return -1;
		}
		out->gid = egid;
		return 0;
	}
	if (!is_set(user) && is_set(group)) {
		snprintf(err, errlen,
		    "group %s without user: set [server] user (--user) to the account to serve as",
		    group);
		return -1;
	}
	if (out->uid == 0 && !allow_root) {
		snprintf(err, errlen,
		    "refusing to serve as root: set [server] user (--user) to the account to "
		    "serve as, or allow_root = yes (--allow-root) to serve as root");
		return -1;
	}
	out->drop = out->uid != 0;
	return 0;
}

int
privs_drop(const struct privs *p, char *err, size_t errlen)
{
	const char *step;

	if (!p->drop)
		return 0;
	/* The group first: once the uid is not root, it cannot change. */
	step = "setgroups";
	if (setgroups(1, &p->gid) != 0)
		goto fail;
	step = "setgid";
	if (setgid(p->gid) != 0)
		goto fail;
	step = "setuid";
	if (setuid(p->uid) != 0)
		goto fail;
	/* setuid as root sets the real, effective and saved ids: a way back
	 * would mean it did not. */
	if (setuid(0) == 0 || seteuid(0) == 0 || (p->gid != 0 && setgid(0) == 0) ||
	    getuid() != p->uid || geteuid() != p->uid || getgid() != p->gid ||
	    getegid() != p->gid) {
		snprintf(err, errlen, "switched to uid %ld gid %ld, but root could be regained",
		    (long)p->uid, (long)p->gid);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot switch to uid %ld gid %ld: %s: %s", (long)p->uid,
	    (long)p->gid, step, strerror(errno));
	return -1;
}

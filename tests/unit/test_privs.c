/* SPDX-License-Identifier: ISC */
/*
 * test_privs.c — pins src/privs.c: accounts by name or number, and the
 * decision of privs_plan for a start as root and as anyone else (the
 * switch itself needs root and a process to spend: t_privs.sh).
 */
#include <sys/types.h>

#include "unit.h"

#include "privs.h"

/* nobody and nogroup: Debian's fixed ids. */
#define NOBODY	65534
#define NOGROUP 65534

START_TEST(accounts)
{
	char err[256] = "";
	uid_t uid;
	gid_t gid;

	ck_assert_int_eq(privs_user("root", &uid, &gid, err, sizeof(err)), 0);
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(gid, 0);
	ck_assert_int_eq(privs_user("nobody", &uid, &gid, err, sizeof(err)), 0);
	ck_assert_int_eq(uid, NOBODY);
	ck_assert_int_eq(gid, NOGROUP);
	ck_assert_int_eq(privs_user("65534", &uid, &gid, err, sizeof(err)), 0);
	ck_assert_int_eq(uid, NOBODY);
	ck_assert_int_eq(privs_group("nogroup", &gid, err, sizeof(err)), 0);
	ck_assert_int_eq(gid, NOGROUP);
	ck_assert_int_eq(privs_group("0", &gid, err, sizeof(err)), 0);
	ck_assert_int_eq(gid, 0);
	ck_assert_int_eq(privs_user("no-such-user-here", &uid, &gid, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no such user \"no-such-user-here\"");
	ck_assert_int_eq(privs_group("no-such-group-here", &gid, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no such group \"no-such-group-here\"");
}
END_TEST

/* privs_plan for euid:egid; returns its result, *p and err filled. */
static int
plan(const char *user, const char *group, int allow_root, uid_t euid, gid_t egid, struct privs *p,
    char *err, size_t errlen)
{
	err[0] = '\0';
	memset(p, 0xff, sizeof(*p));
	return privs_plan(user, group, allow_root, euid, egid, p, err, errlen);
}

START_TEST(as_root)
{
	struct privs p;
	char err[256];

	/* A user: switch to it, with its primary group or the one named. */
	ck_assert_int_eq(plan("nobody", NULL, 0, 0, 0, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 1);
	ck_assert_int_eq(p.uid, NOBODY);
	ck_assert_int_eq(p.gid, NOGROUP);
	ck_assert_int_eq(plan("nobody", "root", 0, 0, 0, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 1);
	ck_assert_int_eq(p.gid, 0);
	/* No user: refused, unless serving as root is asked for. */
	ck_assert_int_eq(plan("", "", 0, 0, 0, &p, err, sizeof(err)), -1);
	ck_assert_has(err, "refusing to serve as root: set [server] user (--user)");
	ck_assert_has(err, "allow_root = yes (--allow-root)");
	ck_assert_int_eq(plan(NULL, NULL, 1, 0, 0, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 0);
	ck_assert_int_eq(p.uid, 0);
	/* user = root is serving as root too. */
	ck_assert_int_eq(plan("root", NULL, 0, 0, 0, &p, err, sizeof(err)), -1);
	ck_assert_has(err, "refusing to serve as root");
	ck_assert_int_eq(plan("root", NULL, 1, 0, 0, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 0);
	/* A group alone would leave the process root. */
	ck_assert_int_eq(plan(NULL, "nogroup", 1, 0, 0, &p, err, sizeof(err)), -1);
	ck_assert_has(err, "group nogroup without user");
	ck_assert_int_eq(plan("no-such-user-here", NULL, 0, 0, 0, &p, err, sizeof(err)), -1);
	ck_assert_has(err, "no such user");
}
END_TEST

START_TEST(as_another_user)
{
	struct privs p;
	char err[256];

	/* Nothing to do, whatever allow_root says. */
	ck_assert_int_eq(plan(NULL, NULL, 0, 1000, 1000, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 0);
	ck_assert_int_eq(p.uid, 1000);
	ck_assert_int_eq(p.gid, 1000);
	/* Naming oneself is fine; the group defaults to the process's own. */
	ck_assert_int_eq(plan("nobody", NULL, 0, NOBODY, 1234, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 0);
	ck_assert_int_eq(p.gid, 1234);
	ck_assert_int_eq(plan("nobody", "nogroup", 0, NOBODY, NOGROUP, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.drop, 0);
	/* Anyone else needs root. */
	ck_assert_int_eq(plan("root", NULL, 1, NOBODY, NOGROUP, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot switch to user root: not started as root");
	ck_assert_int_eq(plan(NULL, "root", 0, NOBODY, NOGROUP, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot switch to group root: not started as root");
}
END_TEST

START_TEST(no_drop_is_nothing)
{
	struct privs p = {0, 0, 0};
	char err[64] = "";

	/* Without drop, privs_drop makes no system call at all: it must not
	 * fail even where setgroups is forbidden. */
	ck_assert_int_eq(privs_drop(&p, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

static Suite *
privs_suite(void)
{
	Suite *s = suite_create("privs");

	UNIT_TCASE(s, "privs", accounts, as_root, as_another_user, no_drop_is_nothing);
	return s;
}

UNIT_MAIN(privs_suite)

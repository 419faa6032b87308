/* SPDX-License-Identifier: ISC */
/*
 * test_runtime.c — pins src/runtime.c: a runtime maps the rate limiter
 * its snapshot asks for (and none when [rate_limit] is off); a reload's
 * runtime shares the current mapping when file and slots are unchanged
 * and maps anew when either changed or the limiter was just switched on;
 * runtimes may be freed in any order without unmapping a limiter another
 * still uses; runtime_check reports an unusable file.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "ratelimit.h"
#include "runtime.h"

static char dir[] = "/tmp/test_runtime.XXXXXX";

static struct config *
with_limit(const char *file, unsigned slots)
{
	char text[1024];

	if (file == NULL)
		snprintf(text, sizeof(text), "%s", UNIT_KEY_SECTION);
	else
		snprintf(text, sizeof(text),
		    "[rate_limit]\nenabled = yes\nrequests = 2\nwindow = 60\nfile = %s/%s\n"
		    "slots = %u\n" UNIT_KEY_SECTION,
		    dir, file, slots);
	return unit_config(text);
}

static struct runtime *
open_rt(struct config *cfg, const struct runtime *prev)
{
	char err[256] = "";
	struct runtime *rt = runtime_open(cfg, prev, err, sizeof(err));

	ck_assert_msg(rt != NULL, "runtime_open: %s", err);
	ck_assert_ptr_eq(rt->cfg, cfg);
	return rt;
}

/* Hits of one key until refused, up to 10: the limit the mapping holds. */
static int
hits_allowed(struct ratelimit *rl, const char *key)
{
	struct rl_verdict v;
	int n = 0;

	while (n < 10) {
		ratelimit_hit(rl, key, strlen(key), 2, 60, time(NULL), &v);
		if (!v.allowed)
			break;
		n++;
	}
	return n;
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

START_TEST(off_maps_nothing)
{
	struct runtime *rt = open_rt(with_limit(NULL, 0), NULL);

	ck_assert_ptr_null(rt->rl);
	runtime_free(rt);
}
END_TEST

START_TEST(reload_unchanged_shares)
{
	struct runtime *a = open_rt(with_limit("rl.state", 1024), NULL);
	struct runtime *b;

	ck_assert_ptr_nonnull(a->rl);
	ck_assert_int_eq(hits_allowed(a->rl, "user:1"), 2);
	b = open_rt(with_limit("rl.state", 1024), a);
	ck_assert_ptr_eq(b->rl, a->rl);
	/* The old one goes first (a reload), the new one keeps the counts. */
	runtime_free(a);
	ck_assert_int_eq(hits_allowed(b->rl, "user:1"), 0);
	ck_assert_int_eq(hits_allowed(b->rl, "user:2"), 2);
	runtime_free(b);
}
END_TEST

START_TEST(reload_changed_remaps)
{
	struct runtime *a = open_rt(with_limit("rl.state", 1024), NULL);
	struct runtime *b = open_rt(with_limit("other.state", 1024), a);
	struct runtime *c = open_rt(with_limit("other.state", 2048), b);

	ck_assert_ptr_nonnull(b->rl);
	ck_assert_ptr_ne(b->rl, a->rl);
	ck_assert_ptr_ne(c->rl, b->rl);
	/* Freed newest first: each still unmaps only its own. */
	runtime_free(c);
	ck_assert_int_eq(hits_allowed(b->rl, "user:3"), 2);
	runtime_free(b);
	ck_assert_int_eq(hits_allowed(a->rl, "user:3"), 2);
	runtime_free(a);
}
END_TEST

START_TEST(reload_switches_on)
{
	struct runtime *a = open_rt(with_limit(NULL, 0), NULL);
	struct runtime *b = open_rt(with_limit("rl.state", 1024), a);

	ck_assert_ptr_null(a->rl);
	ck_assert_ptr_nonnull(b->rl);
	ck_assert_int_eq(hits_allowed(b->rl, "ip:127.0.0.1"), 2);
	runtime_free(a);
	runtime_free(b);
}
END_TEST

START_TEST(check_reports_unusable_file)
{
	struct config *ok = with_limit("rl.state", 1024);
	struct config *bad = with_limit("missing/dir/rl.state", 1024);
	char err[256] = "";

	ck_assert_int_eq(runtime_check(ok, err, sizeof(err)), 0);
	ck_assert_int_eq(runtime_check(bad, err, sizeof(err)), -1);
	ck_assert_has(err, "missing/dir/rl.state");
	ck_assert_ptr_null(runtime_open(bad, NULL, err, sizeof(err)));
	config_free(ok);
	config_free(bad);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("runtime");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, off_maps_nothing);
	tcase_add_test(tc, reload_unchanged_shares);
	tcase_add_test(tc, reload_changed_remaps);
	tcase_add_test(tc, reload_switches_on);
	tcase_add_test(tc, check_reports_unusable_file);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)

/* SPDX-License-Identifier: ISC */
/*
 * test_log.c — pins src/log.c: log_open sends diagnostics and audit lines
 * to their own targets, and names the target it could not open; the level
 * drops less severe messages and a reload changes it at once, while a
 * changed target is only reported; a diagnostic in a file carries the time
 * and the pid, one to syslog leaves those to the syslog header; an audit
 * line is written as it is; log_reopen moves both files after a rename.
 * Check runs each test in a process of its own, so log.c's state starts
 * afresh in each.
 */
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "log.h"

static char dir[] = "/tmp/test_log.XXXXXX";
static struct sink_spec diag, audit;

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	diag = (struct sink_spec){.kind = SINK_FILE};
	audit = (struct sink_spec){.kind = SINK_FILE};
	snprintf(diag.path, sizeof(diag.path), "%s/diag.log", dir);
	snprintf(audit.path, sizeof(audit.path), "%s/audit.log", dir);
}

static void
teardown(void)
{
	unit_tmpdir_remove(dir);
}

static void
open_both(enum sink_priority level)
{
	char err[256] = "";

	ck_assert_msg(log_open(&diag, level, &audit, err, sizeof(err)) == 0, "%s", err);
}

/* The whole text matches the extended regex re. */
static void
assert_re(const char *text, const char *re)
{
	regex_t rx;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&rx, text, 0, NULL, 0) == 0, "/%s/ does not match:\n%s", re, text);
	regfree(&rx);
}

START_TEST(two_files)
{
	char buf[1024];

	open_both(SINK_INFO);
	log_info("serving with %d threads", 2);
	log_audit_lines("{\"event\":\"logout\"}\n", 19);
	unit_slurp(diag.path, buf, sizeof(buf));
	assert_re(buf, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
		       "logout-fcgi\\[[0-9]+\\]: info: serving with 2 threads\n$");
	unit_slurp(audit.path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"event\":\"logout\"}\n");
}
END_TEST

START_TEST(levels)
{
	char buf[1024];

	open_both(SINK_WARNING);
	log_debug("d");
	log_info("i");
	log_warn("w");
	log_err("e");
	unit_slurp(diag.path, buf, sizeof(buf));
	ck_assert_lacks(buf, ": info: i");
	ck_assert_lacks(buf, ": debug: d");
	ck_assert_has(buf, ": warning: w\n");
	ck_assert_has(buf, ": error: e\n");
	/* A reload: the level at once, the same targets without a word. */
	log_reconfigure(&diag, SINK_DEBUG, &audit);
	log_debug("d2");
	unit_slurp(diag.path, buf, sizeof(buf));
	ck_assert_has(buf, ": debug: d2\n");
	ck_assert_lacks(buf, "next start");
	/* Audit lines have no level. */
	log_reconfigure(&diag, SINK_ERR, &audit);
	log_audit_lines("{}\n", 3);
	unit_slurp(audit.path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{}\n");
}
END_TEST

START_TEST(changed_target_reported)
{
	struct sink_spec other = audit;
	char buf[1024];

	open_both(SINK_INFO);
	snprintf(other.path, sizeof(other.path), "%s/elsewhere.log", dir);
	log_reconfigure(&diag, SINK_INFO, &other);
	log_audit_lines("{}\n", 3);
	unit_slurp(diag.path, buf, sizeof(buf));
	ck_assert_has(buf, "take effect at the next start");
	unit_slurp(audit.path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{}\n");
	ck_assert_int_eq(access(other.path, F_OK), -1);
}
END_TEST

START_TEST(reopen_after_rename)
{
	char old[600], buf[1024];

	open_both(SINK_INFO);
	log_audit_lines("{\"n\":1}\n", 8);
	snprintf(old, sizeof(old), "%s.1", audit.path);
	ck_assert_int_eq(rename(audit.path, old), 0);
	log_audit_lines("{\"n\":2}\n", 8);
	log_reopen();
	log_audit_lines("{\"n\":3}\n", 8);
	unit_slurp(old, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"n\":1}\n{\"n\":2}\n");
	unit_slurp(audit.path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"n\":3}\n");
	unit_slurp(diag.path, buf, sizeof(buf));
	ck_assert_has(buf, ": info: log files reopened\n");
}
END_TEST

START_TEST(syslog_lines)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[1024], err[256];
	ssize_t n;
	int fd;

	diag.kind = SINK_SYSLOG;
	snprintf(diag.path, sizeof(diag.path), "%s/log", dir);
	snprintf(diag.ident, sizeof(diag.ident), "it-diag");
	diag.facility = 19 << 3; /* local3 */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log", dir);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_msg(log_open(&diag, SINK_INFO, &audit, err, sizeof(err)) == 0, "%s", err);
	log_err("reload failed: %s", "x");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	/* local3 * 8 + err: who is said once, by the header. */
	assert_re(buf, "^<155>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} it-diag\\[[0-9]+\\]: "
		       "error: reload failed: x$");
	close(fd);
}
END_TEST

START_TEST(unopenable_named)
{
	char err[512] = "";

	snprintf(audit.path, sizeof(audit.path), "%s/no/such/audit.log", dir);
	ck_assert_int_eq(log_open(&diag, SINK_INFO, &audit, err, sizeof(err)), -1);
	ck_assert_has(err, "[audit] target: ");
	ck_assert_has(err, "no/such/audit.log");
	ck_assert_int_eq(log_check(&diag, &audit, err, sizeof(err)), -1);
	ck_assert_has(err, "[audit] target: ");
	diag.kind = SINK_SYSLOG;
	snprintf(diag.path, sizeof(diag.path), "%s/nolog", dir);
	ck_assert_int_eq(log_check(&diag, &audit, err, sizeof(err)), -1);
	ck_assert_has(err, "[log] target: ");
	ck_assert_has(err, "nolog");
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, two_files);
	tcase_add_test(tc, levels);
	tcase_add_test(tc, changed_target_reported);
	tcase_add_test(tc, reopen_after_rename);
	tcase_add_test(tc, syslog_lines);
	tcase_add_test(tc, unopenable_named);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(log_suite)

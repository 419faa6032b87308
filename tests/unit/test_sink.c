/* SPDX-License-Identifier: ISC */
/*
 * test_sink.c — pins src/sink.c: targets parse ("stderr", "syslog", an
 * absolute path, nothing else); a file sink appends one line per write and,
 * reopened after the file was renamed (logrotate), writes to the new file
 * while the renamed one keeps every earlier line; a syslog sink sends RFC
 * 3164 datagrams with its facility, severity and identifier; a syslog
 * socket that is gone, and a file that can take no more (/dev/full: a full
 * disk), send the line to stderr with one note; a block of lines goes to
 * a file as it is (to stderr line by line when the file is full), and to
 * the journal with each line's prefix; on stderr the journal's
 * "<N>" prefix appears only when JOURNAL_STREAM names stderr; sink_check
 * finds what sink_open would refuse, and creates nothing.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "sink.h"

static char dir[] = "/tmp/test_sink.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	unit_tmpdir_remove(dir);
}

/* Run fn with stderr pointed at a file; what it wrote into buf. */
static void
capture_stderr(void (*fn)(void *), void *arg, char *buf, size_t cap)
{
	char path[64];
	int saved = dup(STDERR_FILENO), fd;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	fn(arg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	unit_slurp(path, buf, cap);
}

START_TEST(targets)
{
	struct sink_spec s;

	ck_assert_int_eq(sink_parse_target("stderr", &s), 0);
	ck_assert_int_eq(s.kind, SINK_STDERR);
	ck_assert_int_eq(sink_parse_target("syslog", &s), 0);
	ck_assert_int_eq(s.kind, SINK_SYSLOG);
	ck_assert_str_eq(s.path, "/dev/log");
	ck_assert_int_eq(sink_parse_target("/var/log/x.log", &s), 0);
	ck_assert_int_eq(s.kind, SINK_FILE);
	ck_assert_str_eq(s.path, "/var/log/x.log");
	ck_assert_int_eq(sink_parse_target("relative.log", &s), -1);
	ck_assert_int_eq(sink_parse_target("", &s), -1);
	ck_assert_int_eq(sink_facility("daemon"), 3 << 3);
	ck_assert_int_eq(sink_facility("authpriv"), 10 << 3);
	ck_assert_int_eq(sink_facility("local7"), 23 << 3);
	ck_assert_int_eq(sink_facility("nope"), -1);
}
END_TEST

START_TEST(file_rotates)
{
	struct sink_spec spec = {.kind = SINK_FILE};
	char rotated[96], buf[256], err[128];
	struct sink *s;

	snprintf(spec.path, sizeof(spec.path), "%s/audit.log", dir);
	snprintf(rotated, sizeof(rotated), "%s/audit.log.1", dir);
	ck_assert_ptr_nonnull(s = sink_open(&spec, err, sizeof(err)));
	sink_write(s, SINK_INFO, "one", 3);
	ck_assert_int_eq(rename(spec.path, rotated), 0);
	sink_write(s, SINK_INFO, "two", 3); /* before the reopen: the old file */
	ck_assert_int_eq(sink_reopen(s, err, sizeof(err)), 0);
	sink_write(s, SINK_INFO, "three", 5);
	unit_slurp(rotated, buf, sizeof(buf));
	ck_assert_str_eq(buf, "one\ntwo\n");
	unit_slurp(spec.path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "three\n");
	sink_close(s);
}
END_TEST

START_TEST(file_unopenable)
{
	struct sink_spec spec = {.kind = SINK_FILE};
	char err[256] = "";

	snprintf(spec.path, sizeof(spec.path), "%s/no/such/dir/audit.log", dir);
	ck_assert_ptr_null(sink_open(&spec, err, sizeof(err)));
	ck_assert_has(err, "no/such/dir/audit.log");
}
END_TEST

START_TEST(syslog_datagram)
{
	struct sink_spec spec = {.kind = SINK_SYSLOG};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[512], err[128], want[64];
	struct sink *s;
	ssize_t n;
	int fd;

	snprintf(spec.path, sizeof(spec.path), "%s/log", dir);
	snprintf(spec.ident, sizeof(spec.ident), "logout-fcgi-audit");
	spec.facility = sink_facility("authpriv");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log", dir);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_ptr_nonnull(s = sink_open(&spec, err, sizeof(err)));
	sink_write(s, SINK_WARNING, "{\"event\":\"logout\"}", 18);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	/* authpriv (10) * 8 + warning (4) */
	ck_assert_msg(strncmp(buf, "<84>", 4) == 0, "%s", buf);
	snprintf(want, sizeof(want), " logout-fcgi-audit[%ld]: {", (long)getpid());
	ck_assert_has(buf, want);
	ck_assert_msg(strcmp(buf + n - 18, "{\"event\":\"logout\"}") == 0, "%s", buf);
	sink_close(s);
	close(fd);
}
END_TEST

struct gone_arg {
	struct sink *s;
};

static void
write_twice(void *arg)
{
	struct gone_arg *g = arg;

	sink_write(g->s, SINK_INFO, "line-a", 6);
	sink_write(g->s, SINK_INFO, "line-b", 6);
}

START_TEST(syslog_gone_falls_back)
{
	struct sink_spec spec = {.kind = SINK_SYSLOG};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct gone_arg g;
	char buf[1024], err[128], want[64];
	int fd;

	snprintf(spec.path, sizeof(spec.path), "%s/log", dir);
	snprintf(spec.ident, sizeof(spec.ident), "x");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log", dir);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_ptr_nonnull(g.s = sink_open(&spec, err, sizeof(err)));
	close(fd);
	unlink(spec.path); /* syslogd went away */
	capture_stderr(write_twice, &g, buf, sizeof(buf));
	/* With the syslog tag: whose line it is. */
	snprintf(want, sizeof(want), "x[%ld]: line-a\n", (long)getpid());
	ck_assert_has(buf, want);
	snprintf(want, sizeof(want), "x[%ld]: line-b\n", (long)getpid());
	ck_assert_has(buf, want);
	ck_assert_has(buf, "cannot write to");
	/* One note, not one per line. */
	ck_assert_ptr_null(strstr(strstr(buf, "cannot write to") + 1, "cannot write to"));
	sink_close(g.s);
}
END_TEST

START_TEST(file_full_falls_back)
{
	struct sink_spec spec = {.kind = SINK_FILE, .path = "/dev/full"};
	struct gone_arg g;
	char buf[1024], err[128];

	ck_assert_ptr_nonnull(g.s = sink_open(&spec, err, sizeof(err)));
	capture_stderr(write_twice, &g, buf, sizeof(buf));
	ck_assert_has(buf, "line-a\n");
	ck_assert_has(buf, "line-b\n");
	ck_assert_has(buf, "cannot write to /dev/full: No space left on device");
	/* A file's lines as they are: no syslog tag. */
	ck_assert_has(buf, "\nline-a\nline-b\n");
	ck_assert_ptr_null(strstr(strstr(buf, "cannot write to") + 1, "cannot write to"));
	sink_close(g.s);
}
END_TEST

static void
write_block(void *arg)
{
	struct gone_arg *g = arg;

	sink_write_lines(g->s, SINK_INFO, "line-a\nline-b\nline-c\n", 21);
}

/* Lines in one block: a file takes them as they are; a full one sends
 * each to stderr, with one note. */
START_TEST(file_lines_block)
{
	struct sink_spec spec = {.kind = SINK_FILE};
	struct gone_arg g;
	char buf[1024], err[128];

	snprintf(spec.path, sizeof(spec.path), "%s/block.log", dir);
	ck_assert_ptr_nonnull(g.s = sink_open(&spec, err, sizeof(err)));
	write_block(&g);
	write_block(&g);
	sink_close(g.s);
	unit_slurp(spec.path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "line-a\nline-b\nline-c\nline-a\nline-b\nline-c\n");

	snprintf(spec.path, sizeof(spec.path), "/dev/full");
	ck_assert_ptr_nonnull(g.s = sink_open(&spec, err, sizeof(err)));
	capture_stderr(write_block, &g, buf, sizeof(buf));
	ck_assert_has(buf, "cannot write to /dev/full");
	ck_assert_has(buf, "\nline-a\nline-b\nline-c\n");
	sink_close(g.s);
}
END_TEST

START_TEST(check_targets)
{
	struct sink_spec spec = {.kind = SINK_FILE};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char err[256] = "";
	struct stat st;
	int fd;

	/* A missing file in a writable directory: fine, and still missing. */
	snprintf(spec.path, sizeof(spec.path), "%s/audit.log", dir);
	ck_assert_int_eq(sink_check(&spec, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(spec.path, &st), -1);
	/* An existing file. */
	ck_assert_int_ge(fd = open(spec.path, O_WRONLY | O_CREAT, 0600), 0);
	close(fd);
	ck_assert_int_eq(sink_check(&spec, err, sizeof(err)), 0);
	/* A directory where the file should be. */
	ck_assert_int_eq(sink_check(&(struct sink_spec){.kind = SINK_FILE, .path = "/tmp"}, err,
			     sizeof(err)),
	    -1);
	ck_assert_has(err, "/tmp");
	/* A directory that does not exist. */
	snprintf(spec.path, sizeof(spec.path), "%s/no/audit.log", dir);
	ck_assert_int_eq(sink_check(&spec, err, sizeof(err)), -1);
	ck_assert_has(err, "no/audit.log");
	ck_assert_has(err, "No such file or directory");
	/* A syslog socket nobody reads, then one that is read. */
	spec.kind = SINK_SYSLOG;
	snprintf(spec.path, sizeof(spec.path), "%s/log", dir);
	ck_assert_int_eq(sink_check(&spec, err, sizeof(err)), -1);
	ck_assert_has(err, "/log");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log", dir);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(sink_check(&spec, err, sizeof(err)), 0);
	close(fd);
	/* stderr is always there. */
	ck_assert_int_eq(sink_check(&(struct sink_spec){.kind = SINK_STDERR}, err, sizeof(err)), 0);
}
END_TEST

static void
write_err_line(void *arg)
{
	struct sink_spec spec = {.kind = SINK_STDERR};
	char err[64];
	struct sink *s = sink_open(&spec, err, sizeof(err));

	(void)arg;
	ck_assert_ptr_nonnull(s);
	sink_write(s, SINK_ERR, "bad", 3);
	sink_close(s);
}

static void
write_stderr_block(void *arg)
{
	struct sink_spec spec = {.kind = SINK_STDERR};
	struct gone_arg g;
	char err[128];

	(void)arg;
	ck_assert_ptr_nonnull(g.s = sink_open(&spec, err, sizeof(err)));
	write_block(&g);
	sink_close(g.s);
}

START_TEST(journal_prefix)
{
	char buf[256], path[64], stream[64];
	struct stat st;

	unsetenv("JOURNAL_STREAM");
	capture_stderr(write_err_line, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "bad\n");
	/* JOURNAL_STREAM naming the file stderr points at. */
	snprintf(path, sizeof(path), "%s/stderr", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(stream, sizeof(stream), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", stream, 1);
	capture_stderr(write_err_line, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "<3>bad\n");
	/* A block of lines: each keeps its prefix. */
	capture_stderr(write_stderr_block, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "<6>line-a\n<6>line-b\n<6>line-c\n");
	/* Another stream's: no prefix. */
	setenv("JOURNAL_STREAM", "1:2", 1);
	capture_stderr(write_err_line, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "bad\n");
	unsetenv("JOURNAL_STREAM");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("sink");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, targets);
	tcase_add_test(tc, file_rotates);
	tcase_add_test(tc, file_unopenable);
	tcase_add_test(tc, syslog_datagram);
	tcase_add_test(tc, syslog_gone_falls_back);
	tcase_add_test(tc, file_full_falls_back);
	tcase_add_test(tc, file_lines_block);
	tcase_add_test(tc, check_targets);
	tcase_add_test(tc, journal_prefix);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)

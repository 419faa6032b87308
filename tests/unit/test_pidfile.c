/* SPDX-License-Identifier: ISC */
/*
 * test_pidfile.c — pins src/pidfile.c: the pid is written and the file
 * locked; a file another process holds locked is refused with its PID; a
 * file nobody holds (a process that died) is taken over; a clean stop
 * removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "pidfile.h"

static void
put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static long
pid_in(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	return atol(buf);
}

START_TEST(lifecycle)
{
	char dir[] = "/tmp/logout-unit-XXXXXX", path[128], err[256] = "";
	struct stat st;
	int other;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/logout-fcgi.pid", dir);

	/* Held by another instance (its own open file, so its own lock). */
	put(path, "12345\n");
	other = open(path, O_RDONLY);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);
	errno = 0;
	ck_assert_int_eq(pidfile_open(path, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_has(err, "already running as PID 12345");
	ck_assert_int_eq(pid_in(path), 12345);
	close(other);

	/* That one died: its file is stale and taken over. */
	put(path, "9999999\n");
	ck_assert_msg(pidfile_open(path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(pid_in(path), (long)getpid());
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, snprintf(NULL, 0, "%ld\n", (long)getpid()));
	/* ...and now held: a second opener is refused. */
	other = open(path, O_RDONLY);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
	close(other);

	pidfile_remove();
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	pidfile_remove(); /* nothing held: nothing done */
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(not_a_file)
{
	char dir[] = "/tmp/logout-unit-XXXXXX", link[128], err[256] = "";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* A directory, and a link (never followed: root writes the file). */
	ck_assert_int_eq(pidfile_open(dir, err, sizeof(err)), -1);
	snprintf(link, sizeof(link), "%s/link.pid", dir);
	ck_assert_int_eq(symlink("/tmp/logout-unit-target.pid", link), 0);
	ck_assert_int_eq(pidfile_open(link, err, sizeof(err)), -1);
	ck_assert_has(err, link);
	ck_assert_int_eq(access("/tmp/logout-unit-target.pid", F_OK), -1);
	unlink(link);
	rmdir(dir);
}
END_TEST

static Suite *
pidfile_suite(void)
{
	Suite *s = suite_create("pidfile");

	UNIT_TCASE(s, "pidfile", lifecycle, not_a_file);
	return s;
}

UNIT_MAIN(pidfile_suite)

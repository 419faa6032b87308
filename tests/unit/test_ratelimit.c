/* SPDX-License-Identifier: ISC */
/*
 * test_ratelimit.c — pins src/ratelimit.c, the host-wide fixed-window
 * limiter: throttle:60,1 counts 60 hits then refuses until the window
 * ends; keys are independent; every mapping of the file (a second open,
 * one inherited over fork, another process) shares the counts; threads
 * and processes racing on one key are allowed exactly the limit; a file
 * of another geometry or garbage is replaced; a bad path or a symlink is
 * refused with the path named; a full probe window fails open; a handover
 * left half done by a killed worker heals; the key never reaches the file.
 */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ratelimit.h"

#define T0 ((time_t)1700000000)

/* The file format, as documented in ratelimit.c: a 64-byte header, then
 * 16-byte slots of { key hash, window end << 32 | count }. */
#define FILE_HEADER 64
#define FILE_SLOT   16

/* Made by the unchecked fixture in the runner, so a failing test still
 * has its files removed. */
static char tmpdir[PATH_MAX];

static void
tmpdir_make(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_ratelimit.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmpdir_remove(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(tmpdir);
}

static void
state_path(char *buf, size_t len, const char *name)
{
	ck_assert_int_lt(snprintf(buf, len, "%s/%s.state", tmpdir, name), (int)len);
}

static struct ratelimit *
open_ok(const char *path, unsigned int slots)
{
	char err[512] = "";
	struct ratelimit *rl = ratelimit_open(path, slots, err, sizeof(err));

	ck_assert_msg(rl != NULL, "ratelimit_open: %s", err);
	return rl;
}

static struct rl_verdict
hit(struct ratelimit *rl, const char *key, unsigned int limit, unsigned int window, time_t now)
{
	struct rl_verdict v;

	memset(&v, 0xa5, sizeof(v));
	ratelimit_hit(rl, key, strlen(key), limit, window, now, &v);
	return v;
}

static void
assert_allowed(struct rl_verdict v, unsigned int limit, unsigned int remaining)
{
	ck_assert_int_eq(v.allowed, 1);
	ck_assert_uint_eq(v.limit, limit);
	ck_assert_uint_eq(v.remaining, remaining);
	ck_assert_uint_eq(v.retry_after, 0);
	ck_assert_uint_ge(v.reset, 1);
}

static void
assert_refused(struct rl_verdict v, unsigned int limit, unsigned int retry_after)
{
	ck_assert_int_eq(v.allowed, 0);
	ck_assert_uint_eq(v.limit, limit);
	ck_assert_uint_eq(v.remaining, 0);
	ck_assert_uint_eq(v.retry_after, retry_after);
	ck_assert_uint_eq(v.reset, retry_after);
}

START_TEST(throttle_60_per_minute)
{
	char path[PATH_MAX];
	struct ratelimit *rl;
	struct rl_verdict v;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	for (unsigned int i = 0; i < 60; i++) {
		v = hit(rl, "u:42", 60, 60, T0 + (time_t)(i / 2));
		assert_allowed(v, 60, 59 - i);
		ck_assert_uint_eq(v.reset, 60 - i / 2);
	}
	assert_refused(hit(rl, "u:42", 60, 60, T0 + 30), 60, 30);
	assert_refused(hit(rl, "u:42", 60, 60, T0 + 59), 60, 1);
	/* Refusals do not push the end of the window. */
	v = hit(rl, "u:42", 60, 60, T0 + 60);
	assert_allowed(v, 60, 59);
	ck_assert_uint_eq(v.reset, 60);
	/* The new window started at that hit, not at T0 + 120. */
	assert_allowed(hit(rl, "u:42", 60, 60, T0 + 119), 60, 58);
	assert_allowed(hit(rl, "u:42", 60, 60, T0 + 120), 60, 59);
	ratelimit_close(rl);
}
END_TEST

START_TEST(keys_independent)
{
	char path[PATH_MAX];
	struct ratelimit *rl;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	for (unsigned int i = 0; i < 3; i++)
		assert_allowed(hit(rl, "u:42", 3, 60, T0), 3, 2 - i);
	assert_refused(hit(rl, "u:42", 3, 60, T0), 3, 60);
	assert_allowed(hit(rl, "u:43", 3, 60, T0), 3, 2);
	assert_allowed(hit(rl, "ip:127.0.0.1", 3, 60, T0), 3, 2);
	/* Keys are bytes, not strings. */
	ratelimit_hit(rl, "u:42\0x", 6, 3, 60, T0, &(struct rl_verdict){0});
	assert_refused(hit(rl, "u:42", 3, 60, T0 + 1), 3, 59);
	ratelimit_close(rl);
}
END_TEST

START_TEST(limit_zero_is_one)
{
	char path[PATH_MAX];
	struct ratelimit *rl;
	struct rl_verdict v;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	assert_allowed(hit(rl, "u:1", 0, 0, T0), 1, 0);
	v = hit(rl, "u:1", 0, 0, T0);
	assert_refused(v, 1, 1);
	assert_allowed(hit(rl, "u:1", 0, 0, T0 + 1), 1, 0);
	ratelimit_close(rl);
}
END_TEST

/* The stored window end is the low 32 bits of the time; a window that
 * straddles the wrap must still end on time. */
START_TEST(window_across_32bit_wrap)
{
	const time_t t = (time_t)UINT32_MAX - 10;
	char path[PATH_MAX];
	struct ratelimit *rl;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	/* Before the wrap, the end after it: still the same window. */
	assert_allowed(hit(rl, "u:1", 3, 60, t), 3, 2);
	assert_allowed(hit(rl, "u:1", 3, 60, t + 5), 3, 1);
	assert_allowed(hit(rl, "u:1", 3, 60, t + 20), 3, 0);
	assert_refused(hit(rl, "u:1", 3, 60, t + 20), 3, 40);
	assert_refused(hit(rl, "u:1", 3, 60, t + 59), 3, 1);
	assert_allowed(hit(rl, "u:1", 3, 60, t + 60), 3, 2);
	ratelimit_close(rl);
}
END_TEST

START_TEST(two_opens_share)
{
	char path[PATH_MAX];
	struct ratelimit *a, *b;

	state_path(path, sizeof(path), __func__);
	a = open_ok(path, 1024);
	b = open_ok(path, 1024);
	assert_allowed(hit(a, "u:42", 5, 60, T0), 5, 4);
	assert_allowed(hit(b, "u:42", 5, 60, T0), 5, 3);
	assert_allowed(hit(a, "u:42", 5, 60, T0), 5, 2);
	ratelimit_close(a);
	/* The counts are in the file, not in a's mapping. */
	assert_allowed(hit(b, "u:42", 5, 60, T0), 5, 1);
	ratelimit_close(b);
	b = open_ok(path, 1024);
	assert_allowed(hit(b, "u:42", 5, 60, T0), 5, 0);
	assert_refused(hit(b, "u:42", 5, 60, T0), 5, 60);
	ratelimit_close(b);
}
END_TEST

/* A process that keeps the file mapped must not keep it locked: a third
 * open (a reload, a sibling's start) would otherwise wait forever. The
 * first open makes the file, the second maps the file it locked. */
START_TEST(open_while_mapped)
{
	char path[PATH_MAX];
	struct ratelimit *a, *b, *c;

	state_path(path, sizeof(path), __func__);
	alarm(10); /* a hang fails the test instead of the run */
	a = open_ok(path, 1024);
	b = open_ok(path, 1024);
	c = open_ok(path, 1024);
	alarm(0);
	assert_allowed(hit(c, "u:7", 5, 60, T0), 5, 4);
	assert_allowed(hit(a, "u:7", 5, 60, T0), 5, 3);
	ratelimit_close(a);
	ratelimit_close(b);
	ratelimit_close(c);
}
END_TEST

/* Run in a child: hits hits on key, exit 0 when every verdict matched
 * the count before it. */
static void
child_hits(struct ratelimit *rl, int hits, unsigned int first_remaining)
{
	for (int i = 0; i < hits; i++) {
		struct rl_verdict v = hit(rl, "u:42", 100, 60, T0);

		if (!v.allowed || v.remaining != first_remaining - (unsigned int)i)
			_exit(1);
	}
	_exit(0);
}

static void
wait_ok(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

START_TEST(fork_shares)
{
	char path[PATH_MAX];
	struct ratelimit *rl;
	pid_t pid;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	assert_allowed(hit(rl, "u:42", 100, 60, T0), 100, 99);

	/* Pre-fork model: the child uses the mapping it inherited. */
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		child_hits(rl, 10, 98);
	wait_ok(pid);
	assert_allowed(hit(rl, "u:42", 100, 60, T0), 100, 88);

	/* Each process opening the file itself. */
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct ratelimit *own = ratelimit_open(path, 1024, NULL, 0);

		if (own == NULL)
			_exit(2);
		child_hits(own, 5, 87);
	}
	wait_ok(pid);
	assert_allowed(hit(rl, "u:42", 100, 60, T0), 100, 82);
	ratelimit_close(rl);
}
END_TEST

struct racer {
	struct ratelimit *rl;
	pthread_barrier_t *start;
	char key[32];
	unsigned int limit;
	int hits;
	int allowed;
};

static void *
racer_run(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->start);
	for (int i = 0; i < r->hits; i++) {
		struct rl_verdict v;

		ratelimit_hit(r->rl, r->key, strlen(r->key), r->limit, 60, T0, &v);
		r->allowed += v.allowed;
	}
	return NULL;
}

/* nthreads racers over the mappings rls (round robin); total allowed. */
static int
race(struct ratelimit **rls, int nrl, struct racer *rs, int nthreads)
{
	pthread_t tid[16];
	pthread_barrier_t start;
	int total = 0;

	ck_assert_int_le(nthreads, 16);
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, (unsigned int)nthreads), 0);
	for (int i = 0; i < nthreads; i++) {
		rs[i].rl = rls[i % nrl];
		rs[i].start = &start;
		rs[i].allowed = 0;
		ck_assert_int_eq(pthread_create(&tid[i], NULL, racer_run, &rs[i]), 0);
	}
	for (int i = 0; i < nthreads; i++) {
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
		total += rs[i].allowed;
	}
	pthread_barrier_destroy(&start);
	return total;
}

START_TEST(threads_allowed_exactly)
{
	static const struct {
		unsigned int limit;
		int expect;
	} cases[] = {{30000, 30000}, {40000, 32000}, {1, 1}};
	char path[PATH_MAX];
	struct ratelimit *rls[2];
	struct racer rs[8];

	state_path(path, sizeof(path), __func__);
	rls[0] = open_ok(path, 1024);
	rls[1] = open_ok(path, 1024);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int i = 0; i < 8; i++) {
			snprintf(rs[i].key, sizeof(rs[i].key), "u:%zu", c);
			rs[i].limit = cases[c].limit;
			rs[i].hits = 4000;
		}
		ck_assert_int_eq(race(rls, 2, rs, 8), cases[c].expect);
	}
	ratelimit_close(rls[0]);
	ratelimit_close(rls[1]);
}
END_TEST

/* Threads racing for a key's first slot: one takes it, the others wait
 * for it rather than start a second window elsewhere. */
START_TEST(first_hit_race)
{
	char path[PATH_MAX];
	struct ratelimit *rl;
	struct racer rs[8];

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 8; i++) {
			snprintf(rs[i].key, sizeof(rs[i].key), "r:%d", round);
			rs[i].limit = 1;
			rs[i].hits = 3;
		}
		ck_assert_int_eq(race(&rl, 1, rs, 8), 1);
	}
	ratelimit_close(rl);
}
END_TEST

/* n keys "PREFIX<i>" whose home slot is that of the first one. */
static void
colliding_keys(struct ratelimit *rl, const char *prefix, char (*keys)[32], int n)
{
	size_t home = (size_t)-1;
	int found = 0;

	for (unsigned int i = 0; found < n && i < 100000000u; i++) {
		char k[32];

		snprintf(k, sizeof(k), "%s%u", prefix, i);
		if (home == (size_t)-1)
			home = ratelimit_slot_of(rl, k, strlen(k));
		if (ratelimit_slot_of(rl, k, strlen(k)) == home)
			memcpy(keys[found++], k, sizeof(k));
	}
	ck_assert_int_eq(found, n);
}

/* Eight keys racing for the same eight slots: every handover race, and
 * still each key gets exactly its limit. */
START_TEST(colliding_threads_allowed_exactly)
{
	char path[PATH_MAX], keys[8][32];
	struct ratelimit *rl;
	struct racer rs[8];

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	colliding_keys(rl, "c:", keys, 8);
	for (int i = 0; i < 8; i++) {
		memcpy(rs[i].key, keys[i], sizeof(rs[i].key));
		rs[i].limit = 300;
		rs[i].hits = 500;
	}
	ck_assert_int_eq(race(&rl, 1, rs, 8), 8 * 300);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(rs[i].allowed, 300);
	ratelimit_close(rl);
}
END_TEST

/* Four processes of four threads each on one key, as the workers run. */
START_TEST(processes_allowed_exactly)
{
	char path[PATH_MAX];
	struct ratelimit *rl;
	pid_t pid[4];
	int fds[2], total = 0;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	ck_assert_int_eq(pipe(fds), 0);
	for (int p = 0; p < 4; p++) {
		ck_assert_int_ne(pid[p] = fork(), -1);
		if (pid[p] == 0) {
			struct racer rs[4];
			int n;

			for (int i = 0; i < 4; i++) {
				snprintf(rs[i].key, sizeof(rs[i].key), "ip:192.0.2.1");
				rs[i].limit = 3000;
				rs[i].hits = 500;
			}
			n = race(&rl, 1, rs, 4);
			_exit(write(fds[1], &n, sizeof(n)) == (ssize_t)sizeof(n) ? 0 : 1);
		}
	}
	close(fds[1]);
	for (int p = 0; p < 4; p++) {
		int n;

		wait_ok(pid[p]);
		ck_assert_int_eq(read(fds[0], &n, sizeof(n)), (ssize_t)sizeof(n));
		total += n;
	}
	close(fds[0]);
	ck_assert_int_eq(total, 3000);
	ratelimit_close(rl);
}
END_TEST

static void
assert_fresh_file(const char *path, unsigned int slots)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, FILE_HEADER + (off_t)slots * FILE_SLOT);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
}

START_TEST(garbage_replaced)
{
	static const char *junk[] = {"not a rate limit file\n", ""};
	char path[PATH_MAX];
	struct ratelimit *rl;
	int fd;

	state_path(path, sizeof(path), __func__);
	for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
		unlink(path);
		ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), -1);
		ck_assert_int_eq(write(fd, junk[j], strlen(junk[j])), (ssize_t)strlen(junk[j]));
		close(fd);
		rl = open_ok(path, 1024);
		assert_fresh_file(path, 1024);
		assert_allowed(hit(rl, "u:42", 2, 60, T0), 2, 1);
		assert_allowed(hit(rl, "u:42", 2, 60, T0), 2, 0);
		assert_refused(hit(rl, "u:42", 2, 60, T0), 2, 60);
		ratelimit_close(rl);
	}

	/* Right size, wrong magic: the header is read, not just the size. */
	ck_assert_int_ne(fd = open(path, O_WRONLY), -1);
	ck_assert_int_eq(pwrite(fd, "XX", 2, 0), 2);
	close(fd);
	rl = open_ok(path, 1024);
	assert_allowed(hit(rl, "u:42", 2, 60, T0), 2, 1);
	ratelimit_close(rl);

	/* Readable by others: its hash key may have leaked, so replaced. */
	ck_assert_int_eq(chmod(path, 0644), 0);
	rl = open_ok(path, 1024);
	assert_fresh_file(path, 1024);
	assert_allowed(hit(rl, "u:42", 2, 60, T0), 2, 1);
	ratelimit_close(rl);
}
END_TEST

START_TEST(geometry_replaced)
{
	char path[PATH_MAX];
	struct ratelimit *small, *big, *again;
	struct stat st1, st2;

	state_path(path, sizeof(path), __func__);
	small = open_ok(path, 1024);
	ck_assert_int_eq(stat(path, &st1), 0);
	assert_allowed(hit(small, "u:42", 5, 60, T0), 5, 4);
	assert_allowed(hit(small, "u:42", 5, 60, T0), 5, 3);

	big = open_ok(path, 2048);
	assert_fresh_file(path, 2048);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert(st1.st_ino != st2.st_ino);
	assert_allowed(hit(big, "u:42", 5, 60, T0), 5, 4);
	/* The old mapping is unharmed, and now apart from the new file. */
	assert_allowed(hit(small, "u:42", 5, 60, T0), 5, 2);
	assert_allowed(hit(big, "u:42", 5, 60, T0), 5, 3);

	/* Same geometry: the file is kept. */
	again = open_ok(path, 2048);
	assert_allowed(hit(again, "u:42", 5, 60, T0), 5, 2);
	ratelimit_close(again);
	ratelimit_close(big);
	ratelimit_close(small);
}
END_TEST

START_TEST(bad_paths_refused)
{
	char path[PATH_MAX], link[PATH_MAX], err[512];
	struct ratelimit *rl;

	state_path(path, sizeof(path), "missing/dir/rl");
	strcpy(err, "");
	ck_assert_ptr_null(ratelimit_open(path, 1024, err, sizeof(err)));
	ck_assert_has(err, path);
	ck_assert_has(err, "No such file or directory");

	/* O_NOFOLLOW: a planted symlink does not redirect the file. */
	state_path(path, sizeof(path), "target");
	state_path(link, sizeof(link), "link");
	ck_assert_int_eq(symlink(path, link), 0);
	strcpy(err, "");
	ck_assert_ptr_null(ratelimit_open(link, 1024, err, sizeof(err)));
	ck_assert_has(err, link);
	ck_assert_int_eq(access(path, F_OK), -1);

	state_path(path, sizeof(path), __func__);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	strcpy(err, "");
	ck_assert_ptr_null(ratelimit_open(path, 1024, err, sizeof(err)));
	ck_assert_has(err, path);
	rmdir(path);

	/* Refused before touching the file system. */
	strcpy(err, "");
	ck_assert_ptr_null(ratelimit_open(path, 1000, err, sizeof(err)));
	ck_assert_has(err, "power of two");
	ck_assert_ptr_null(ratelimit_open(path, 512, err, sizeof(err)));
	ck_assert_ptr_null(ratelimit_open(path, 1u << 25, err, sizeof(err)));
	ck_assert_int_eq(access(path, F_OK), -1);

	/* A NULL err is allowed. */
	ck_assert_ptr_null(ratelimit_open(path, 1000, NULL, 0));
	rl = open_ok(path, 1024);
	ratelimit_close(rl);
}
END_TEST

START_TEST(full_probe_window_fails_open)
{
	char path[PATH_MAX], keys[9][32];
	struct ratelimit *rl;
	struct rl_verdict v;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	colliding_keys(rl, "k:", keys, 9);
	for (int i = 0; i < 8; i++)
		assert_allowed(hit(rl, keys[i], 1, 60, T0), 1, 0);
	for (int i = 0; i < 8; i++)
		assert_refused(hit(rl, keys[i], 1, 60, T0 + 1), 1, 59);

	/* No slot for the ninth key: allowed, every time, as if fresh. */
	for (int n = 0; n < 3; n++) {
		v = hit(rl, keys[8], 1, 60, T0 + 1);
		assert_allowed(v, 1, 0);
		ck_assert_uint_eq(v.reset, 60);
	}

	/* Once the others' windows end, it gets a slot and is counted. */
	assert_allowed(hit(rl, keys[8], 1, 60, T0 + 60), 1, 0);
	assert_refused(hit(rl, keys[8], 1, 60, T0 + 61), 1, 59);
	ratelimit_close(rl);
}
END_TEST

static uint64_t
slot_word(const char *path, size_t slot, int word)
{
	uint64_t w;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(
	    pread(fd, &w, sizeof(w), FILE_HEADER + (off_t)(slot * FILE_SLOT) + word * 8),
	    (ssize_t)sizeof(w));
	close(fd);
	return w;
}

/* A worker killed in the middle of handing a slot over leaves it frozen;
 * its neighbours must still be served, and the slot comes back. */
START_TEST(killed_handover_heals)
{
	char path[PATH_MAX], keys[2][32];
	struct ratelimit *rl;
	size_t home;
	uint64_t frozen = (uint64_t)(uint32_t)(T0 + 2) << 32 | UINT32_MAX;
	int fd;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	colliding_keys(rl, "f:", keys, 2);
	home = ratelimit_slot_of(rl, keys[0], strlen(keys[0]));
	ck_assert_int_ne(fd = open(path, O_WRONLY), -1);
	ck_assert_int_eq(
	    pwrite(fd, &frozen, sizeof(frozen), FILE_HEADER + (off_t)(home * FILE_SLOT) + 8),
	    (ssize_t)sizeof(frozen));
	close(fd);

	/* The frozen home slot is waited on, then passed over. */
	assert_allowed(hit(rl, keys[0], 5, 60, T0), 5, 4);
	assert_allowed(hit(rl, keys[0], 5, 60, T0 + 1), 5, 3);
	ck_assert_uint_eq(slot_word(path, home, 1), frozen);
	/* After the freeze ran out the count is still where it was... */
	assert_allowed(hit(rl, keys[0], 5, 60, T0 + 2), 5, 2);
	/* ...and the slot is handed to the next key that needs one. */
	assert_allowed(hit(rl, keys[1], 5, 60, T0 + 2), 5, 4);
	ck_assert_uint_eq(slot_word(path, home, 1) & UINT32_MAX, 1);
	ck_assert_uint_ne(slot_word(path, home, 0), 0);
	assert_allowed(hit(rl, keys[1], 5, 60, T0 + 3), 5, 3);
	ratelimit_close(rl);
}
END_TEST

/* Only keyed hashes reach the file: no user ids or addresses. */
START_TEST(key_not_stored)
{
	static const char *keys[] = {"u:alice@example.com", "ip:198.51.100.77"};
	char path[PATH_MAX], *buf;
	struct ratelimit *rl;
	size_t len = FILE_HEADER + 1024 * FILE_SLOT;
	int fd;

	state_path(path, sizeof(path), __func__);
	rl = open_ok(path, 1024);
	for (size_t i = 0; i < 2; i++)
		assert_allowed(hit(rl, keys[i], 5, 60, T0), 5, 4);
	ratelimit_close(rl);

	ck_assert_ptr_nonnull(buf = malloc(len));
	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	ck_assert_int_eq(read(fd, buf, len), (ssize_t)len);
	close(fd);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_ptr_null(memmem(buf, len, keys[i], strlen(keys[i])));
		ck_assert_ptr_null(memmem(buf, len, keys[i] + 2, strlen(keys[i]) - 2));
	}
	free(buf);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	const TTest *tests[] = {
	    throttle_60_per_minute,
	    keys_independent,
	    limit_zero_is_one,
	    window_across_32bit_wrap,
	    two_opens_share, open_while_mapped,
	    fork_shares,
	    threads_allowed_exactly,
	    first_hit_race,
	    colliding_threads_allowed_exactly,
	    processes_allowed_exactly,
	    garbage_replaced,
	    geometry_replaced,
	    bad_paths_refused,
	    full_probe_window_fails_open,
	    killed_handover_heals,
	    key_not_stored,
	};
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");

	/* Not UNIT_TCASE: the temp dir needs an unchecked fixture, which
	 * runs in the runner and so cleans up after failed tests too. */
	tcase_add_unchecked_fixture(tc, tmpdir_make, tmpdir_remove);
	tcase_set_timeout(tc, 60);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(ratelimit_suite)

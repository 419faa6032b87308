/* SPDX-License-Identifier: ISC */
/*
 * test_batch.c — pins src/batch.c, the group commit of logouts, against
 * the fake database (fake_db.h): one request ends its own session through
 * one db_exec_batch on the committer's handle; each kind of item (a
 * session, a refresh token's session, every session of a user) reaches it
 * as the request gave it, and hears how many sessions it ended; requests
 * queued while a batch commits share the next one, each answered with its
 * own item's result; a user's plain logouts share a batch, but a request
 * of a user that would compete with another of that user waits for the
 * next batch, and so do that user's later ones (a user's requests end in
 * queue order); a database that cannot be reached answers every member
 * BATCH_UNAVAILABLE, any other failure hands the members back (BATCH_ALONE)
 * with "may have committed" kept, and their users skip the batches for a
 * while; a reload starts a new batch; no batch exceeds DB_BATCH_MAX; and
 * batch_stop commits what is queued before the committer ends. The gate's
 * instance: checks of one user's sessions share a batch and write nothing.
 *
 * Requests are threads blocked in batch_run. To pile them up, the fake
 * holds the batch in progress, and the test waits (with a deadline) until
 * every request thread sleeps: blocked on its answer, that is, queued.
 */
#include "unit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "fake_db.h"

#define DEADLINE_MS 5000
#define HASH_LEN    32

/* Two snapshots: before and after a reload. Only the generation matters
 * to batch.c; static, as a struct config is large. */
static struct config cfg1 = {.generation = 1}, cfg2 = {.generation = 2};

struct req {
	struct batch *b;
	const struct config *cfg;
	unsigned long long user;
	enum db_batch_kind kind;
	unsigned char hash[HASH_LEN], rsid[HASH_LEN];
	pthread_t thread;
	atomic_int tid;
	atomic_int done;
	atomic_int keep;  /* set: its thread holds the next one's wake-up */
	atomic_int again; /* set: its thread runs a second request first */
	enum batch_outcome out;
	struct db_result res;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll pred(arg) every millisecond until it holds: 1, or 0 after ms. */
static int
wait_ms(int (*pred)(void *), void *arg, long long ms_max)
{
	long long deadline = now_ms() + ms_max;
	struct timespec ms = {0, 1000000};

	while (!pred(arg)) {
		if (now_ms() > deadline)
			return 0;
		nanosleep(&ms, NULL);
	}
	return 1;
}

/* Is thread tid of this process asleep (blocked), per /proc? */
static int
tid_sleeping(int tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'S';
}

static int
wait_for(int (*pred)(void *), void *arg)
{
	return wait_ms(pred, arg, DEADLINE_MS);
}

static int
req_sleeping(void *arg)
{
	struct req *r = arg;
	int tid = atomic_load(&r->tid);

	return tid != 0 && tid_sleeping(tid);
}

static int
req_done(void *arg)
{
	return atomic_load(&((struct req *)arg)->done);
}

/* r as a batch item: a refresh-token logout names a refresh sid, no jti. */
static void
req_item(const struct req *r, struct db_batch_item *it)
{
	memset(it, 0, sizeof(*it));
	it->kind = r->kind;
	it->hash = r->hash;
	it->hash_len = HASH_LEN;
	it->user_id = r->user;
	if (r->kind == DB_END_REFRESH) {
		it->refresh_sid = r->rsid;
		it->refresh_sid_len = HASH_LEN;
	}
	it->rows = 99; /* the caller's value is not the answer */
}

static int
req_let_go(void *arg)
{
	return !atomic_load(&((struct req *)arg)->keep);
}

/* A request's thread: batch_run, then its "answer" is sent (at once, or
 * when the test lets go) and it passes on, as server.c does. */
static void *
req_main(void *arg)
{
	struct req *r = arg;
	struct db_batch_item it;

	atomic_store(&r->tid, (int)syscall(SYS_gettid));
	req_item(r, &it);
	r->out = batch_run(r->b, r->cfg, &it, &r->res);
	if (atomic_load(&r->again)) {
		struct db_result res;

		it.hash = r->rsid; /* another session of the user's */
		(void)batch_run(r->b, r->cfg, &it, &res);
	}
	atomic_store(&r->done, 1);
	(void)wait_for(req_let_go, r);
	batch_pass_on();
	return NULL;
}

/* A request of user's, of a kind; seq tells a user's sessions apart. */
static void
req_init_kind(struct req *r, struct batch *b, const struct config *cfg, unsigned long long user,
    enum db_batch_kind kind, unsigned char seq)
{
	memset(r, 0, sizeof(*r));
	r->b = b;
	r->cfg = cfg;
	r->user = user;
	r->kind = kind;
	/* A session hash that names its user, so log entries can be matched. */
	memset(r->hash, 0xa5, sizeof(r->hash));
	memcpy(r->hash, &user, sizeof(user));
	r->hash[HASH_LEN - 1] = seq;
	memcpy(r->rsid, r->hash, sizeof(r->rsid));
	r->rsid[0] ^= 0xff;
}

static void
req_init(struct req *r, struct batch *b, const struct config *cfg, unsigned long long user)
{
	req_init_kind(r, b, cfg, user, DB_END_SESSION, 0);
}

/* Start the request and wait until it blocks in batch_run. */
static void
req_queue(struct req *r)
{
	ck_assert_int_eq(pthread_create(&r->thread, NULL, req_main, r), 0);
	ck_assert_msg(wait_for(req_sleeping, r), "request of user %llu never blocked", r->user);
}

static void
req_join(struct req *r)
{
	ck_assert_int_eq(pthread_join(r->thread, NULL), 0);
	ck_assert_int_eq(atomic_load(&r->done), 1);
}

static int
held_one(void *arg)
{
	(void)arg;
	return fake_db_held() == 1;
}

/* The n requests of r: r[0] alone in a batch the database holds, the
 * others queued behind it in order. hold: more of fake_db_hold to set. */
static void
queue_behind(struct req *r, size_t n, unsigned int hold)
{
	size_t i;

	fake_db_hold(FAKE_HOLD_BATCH | hold);
	ck_assert_int_eq(pthread_create(&r[0].thread, NULL, req_main, &r[0]), 0);
	ck_assert_msg(wait_for(held_one, NULL), "the first batch never reached the database");
	for (i = 1; i < n; i++)
		req_queue(&r[i]);
}

/* n requests of users user0, user0 + 1, ... (under cfgs[i], or cfg1 when
 * cfgs is NULL), queued behind the first (queue_behind). */
static void
pile_up(struct batch *b, struct req *r, size_t n, const struct config *const *cfgs,
    unsigned long long user0, unsigned int hold)
{
	size_t i;

	for (i = 0; i < n; i++)
		req_init(&r[i], b, cfgs != NULL ? cfgs[i] : &cfg1, user0 + i);
	queue_behind(r, n, hold);
}

/* Let the batches through (fake_db_hold(hold)) and wait for every
 * request's answer: want, each of them, with rows (-1: not checked). */
static void
answer_all(struct req *r, size_t n, unsigned int hold, enum batch_outcome want, int rows)
{
	size_t i;

	fake_db_hold(hold);
	for (i = 0; i < n; i++) {
		ck_assert_msg(wait_for(req_done, &r[i]), "request %zu never answered", i);
		req_join(&r[i]);
		ck_assert_int_eq(r[i].out, want);
		if (rows >= 0)
			ck_assert_uint_eq(r[i].res.rows, (unsigned long long)rows);
	}
}

/* The log entry of batch call k (0 = the first batch), or fail. */
static struct fake_call *
batch_call(size_t k)
{
	static struct fake_call c;
	size_t i, seen = 0;

	for (i = 0; fake_db_call(i, &c); i++)
		if (c.kind == FAKE_BATCH && seen++ == k)
			return &c;
	ck_abort_msg("no batch call %zu", k);
	return NULL;
}

/* Where r's item was in the log: sets *call (batch index) and *pos. */
static int
find_item(const struct req *r, size_t *call, size_t *pos)
{
	size_t k, i, nb = fake_db_count(FAKE_BATCH, -1);

	for (k = 0; k < nb; k++) {
		const struct fake_call *c = batch_call(k);

		for (i = 0; i < c->nitems; i++)
			if (c->items[i].user_id == r->user && c->items[i].hash_len == HASH_LEN &&
			    memcmp(c->items[i].hash, r->hash, HASH_LEN) == 0) {
				ck_assert_int_eq(c->items[i].kind, r->kind);
				*call = k;
				*pos = i;
				return 1;
			}
	}
	return 0;
}

static struct batch *
start_for(enum batch_use use)
{
	struct batch *b;

	fake_db_reset();
	b = batch_start(&cfg1, use);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(fake_db_handles(), 1);
	return b;
}

static struct batch *
start(void)
{
	return start_for(BATCH_LOGOUTS);
}

static void
stop(struct batch *b)
{
	batch_stop(b);
	ck_assert_int_eq(fake_db_handles(), 0);
}

/* One request of a kind, alone: run it in this thread. */
static enum batch_outcome
logout_kind(struct batch *b, const struct config *cfg, unsigned long long user,
    enum db_batch_kind kind, struct db_result *res)
{
	struct db_batch_item it;
	struct req r;

	req_init_kind(&r, b, cfg, user, kind, 0);
	req_item(&r, &it);
	memset(res, 0x5a, sizeof(*res));
	return batch_run(b, cfg, &it, res);
}

static enum batch_outcome
logout(struct batch *b, const struct config *cfg, unsigned long long user, struct db_result *res)
{
	return logout_kind(b, cfg, user, DB_END_SESSION, res);
}

START_TEST(one_request_ends_its_session)
{
	struct batch *b = start();
	struct db_result res;
	struct fake_call *c;
	struct req r;

	ck_assert_int_eq(logout(b, &cfg1, 42, &res), BATCH_DONE);
	ck_assert_uint_eq(res.rows, 1);
	ck_assert_int_eq(res.uncertain, 0);
	ck_assert_int_eq(res.ncols, 0);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 1);
	ck_assert_uint_eq(fake_db_ncalls(), 1);
	c = batch_call(0);
	ck_assert_int_eq(c->committer, 1);
	ck_assert_uint_eq(c->generation, 1);
	ck_assert_uint_eq(c->nitems, 1);
	req_init(&r, b, &cfg1, 42);
	ck_assert_uint_eq(c->items[0].user_id, 42);
	ck_assert_mem_eq(c->items[0].hash, r.hash, HASH_LEN);
	stop(b);
	batch_stop(NULL);
}
END_TEST

/* What one request hears from each answer of its batch. */
static const struct {
	enum db_status status;
	int uncertain, ended; /* ended: the item's rows in the batch */
	enum batch_outcome out;
	unsigned long long rows;
} answers[] = {
    {DB_OK, 0, 1, BATCH_DONE, 1},
    /* Every session of a user. */
    {DB_OK, 0, 5, BATCH_DONE, 5},
    /* The session was gone already. */
    {DB_OK, 0, 0, BATCH_DONE, 0},
    /* A retry after a lost connection succeeded: the first may have too. */
    {DB_OK, 1, 0, BATCH_DONE, 0},
    {DB_OK, 1, 1, BATCH_DONE, 1},
    {DB_UNAVAILABLE, 0, 1, BATCH_UNAVAILABLE, 0},
    {DB_UNAVAILABLE, 1, 1, BATCH_UNAVAILABLE, 0},
    {DB_ERROR, 0, 1, BATCH_ALONE, 0},
    {DB_ERROR, 1, 1, BATCH_ALONE, 0},
    /* The item alone is for its own statement (and the user not hot). */
    {DB_OK, 0, -1, BATCH_ALONE, 0},
    {DB_OK, 1, -1, BATCH_ALONE, 0},
};

START_TEST(each_answer_of_one)
{
	struct batch *b = start();
	struct db_result res;

	fake_db_batch_answer(
	    answers[_i].status, answers[_i].uncertain, (const int[]){answers[_i].ended}, 1);
	ck_assert_int_eq(logout(b, &cfg1, 42, &res), answers[_i].out);
	ck_assert_uint_eq(res.rows, answers[_i].rows);
	ck_assert_int_eq(res.uncertain, answers[_i].uncertain);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 1);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, -1), 0);
	/* Only a failed batch keeps its users out of the next one. */
	fake_db_batch_answer(DB_OK, 0, NULL, 0);
	ck_assert_int_eq(logout(b, &cfg1, 42, &res),
	    answers[_i].status == DB_ERROR ? BATCH_ALONE : BATCH_DONE);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), answers[_i].status == DB_ERROR ? 1 : 2);
	stop(b);
}
END_TEST

START_TEST(each_kind_reaches_the_database)
{
	static const enum db_batch_kind kinds[] = {DB_END_SESSION, DB_END_REFRESH, DB_END_USER};
	struct batch *b = start();
	struct db_result res;
	struct fake_call *c;
	struct req r;
	size_t i;

	fake_db_batch_answer(DB_OK, 0, (const int[]){3}, 1);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(logout_kind(b, &cfg1, 40 + i, kinds[i], &res), BATCH_DONE);
		ck_assert_uint_eq(res.rows, 3);
		ck_assert_int_eq(res.uncertain, 0);
		c = batch_call(i);
		ck_assert_uint_eq(c->nitems, 1);
		req_init_kind(&r, b, &cfg1, 40 + i, kinds[i], 0);
		ck_assert_int_eq(c->items[0].kind, kinds[i]);
		ck_assert_uint_eq(c->items[0].user_id, 40 + i);
		ck_assert_uint_eq(c->items[0].hash_len, HASH_LEN);
		ck_assert_mem_eq(c->items[0].hash, r.hash, HASH_LEN);
		/* A refresh token without a jti: its NULL travels as NULL. */
		ck_assert_int_eq(c->items[0].refresh_jti_len, -1);
		if (kinds[i] != DB_END_REFRESH) {
			ck_assert_int_eq(c->items[0].refresh_sid_len, -1);
			continue;
		}
		ck_assert_int_eq(c->items[0].refresh_sid_len, HASH_LEN);
		ck_assert_mem_eq(c->items[0].refresh_sid, r.rsid, HASH_LEN);
	}
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, -1), 0);
	stop(b);
}
END_TEST

#define S DB_END_SESSION
#define R DB_END_REFRESH
#define U DB_END_USER

/* Queued in this order behind a held batch (user 700's): the batch each
 * must go in. A user's plain logouts go together; a request that would
 * compete with another of its user's waits, and so does every later one
 * of that user. */
static const struct {
	unsigned long long user;
	enum db_batch_kind kind;
	size_t batch;
} turns[] = {
    {700, S, 0},
    {701, S, 1},
    {701, U, 2},
    {701, S, 3},
    {702, U, 1},
    {702, R, 2},
    {703, S, 1},
    {703, S, 1},
    {704, R, 1},
    {705, S, 1},
    {705, S, 1},
    {705, R, 2},
    {705, S, 3},
};

#undef S
#undef R
#undef U

#define NTURNS (sizeof(turns) / sizeof(turns[0]))

START_TEST(competing_requests_wait_their_turn)
{
	const int rows[] = {1, 0, 4, 1, 0, 2, 1, 3};
	struct batch *b = start();
	struct req r[NTURNS];
	size_t i, j, k[NTURNS], pos[NTURNS];

	for (i = 0; i < NTURNS; i++)
		req_init_kind(&r[i], b, &cfg1, turns[i].user, turns[i].kind, (unsigned char)i);
	fake_db_batch_answer(DB_OK, 0, rows, sizeof(rows) / sizeof(rows[0]));
	queue_behind(r, NTURNS, 0);
	answer_all(r, NTURNS, 0, BATCH_DONE, -1);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 4);
	for (i = 0; i < NTURNS; i++) {
		ck_assert_msg(find_item(&r[i], &k[i], &pos[i]), "request %zu never batched", i);
		ck_assert_msg(k[i] == turns[i].batch, "request %zu in batch %zu, want %zu", i, k[i],
		    turns[i].batch);
		ck_assert_uint_eq(r[i].res.rows, (unsigned long long)rows[pos[i]]);
		/* Within a batch, in queue order. */
		for (j = 0; j < i; j++)
			if (k[j] == k[i])
				ck_assert_uint_lt(pos[j], pos[i]);
	}
	ck_assert_uint_eq(batch_call(1)->nitems, 7);
	ck_assert_uint_eq(batch_call(2)->nitems, 3);
	ck_assert_uint_eq(batch_call(3)->nitems, 2);
	stop(b);
}
END_TEST

#define NREQ 8

START_TEST(queued_requests_share_a_batch)
{
	struct batch *b = start();
	/* Alternate answers by position: each request must get its own. */
	const int ended[] = {1, 0, 1, 0, 1, 0, 1, 0};
	struct req r[NREQ];
	size_t i, items = 0, k, pos;

	fake_db_batch_answer(DB_OK, 0, ended, NREQ);
	pile_up(b, r, NREQ, NULL, 100, 0);
	answer_all(r, NREQ, 0, BATCH_DONE, -1);

	ck_assert_uint_lt(fake_db_count(FAKE_BATCH, -1), NREQ);
	for (k = 0; k < fake_db_count(FAKE_BATCH, -1); k++)
		items += batch_call(k)->nitems;
	ck_assert_uint_eq(items, NREQ);
	for (i = 0; i < NREQ; i++) {
		ck_assert_msg(find_item(&r[i], &k, &pos), "user %llu never batched", r[i].user);
		ck_assert_uint_eq(r[i].res.rows, (unsigned long long)ended[pos]);
	}
	/* Everything queued behind the first batch went in the second. */
	ck_assert_uint_eq(batch_call(1)->nitems, NREQ - 1);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, -1), 0);
	stop(b);
}
END_TEST

/* The gate's checks: one user's checks of several sessions never compete,
 * so all that queued share the next batch, each answered with its own
 * item's rows; nothing is written. */
START_TEST(checks_share_a_batch)
{
	struct batch *b = start_for(BATCH_VERIFIES);
	const int live[] = {1, 0, 1, 1, 0, 1, 0, 1};
	struct req r[NREQ];
	size_t i, k, pos;

	for (i = 0; i < NREQ; i++)
		req_init_kind(&r[i], b, &cfg1, 7, DB_LIVE_SESSION, (unsigned char)i);
	fake_db_batch_answer(DB_OK, 0, live, NREQ);
	queue_behind(r, NREQ, 0);
	answer_all(r, NREQ, 0, BATCH_DONE, -1);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 2);
	ck_assert_uint_eq(batch_call(1)->nitems, NREQ - 1);
	for (i = 0; i < NREQ; i++) {
		ck_assert_msg(find_item(&r[i], &k, &pos), "check %zu never batched", i);
		ck_assert_uint_eq(r[i].res.rows, (unsigned long long)live[pos]);
	}
	ck_assert_uint_eq(fake_db_writes(), 0);
	stop(b);
}
END_TEST

/* Three requests behind a held batch, answered with status: does the
 * third get its answer while the second's thread still holds on (after
 * running a second request first, if again)? expect: the answer sought,
 * waited for up to DEADLINE_MS when 1; when 0, 300 ms show it is not
 * coming (the old way woke every request at once, well within that). */
static int
third_answered_while_second_holds(enum db_status status, int again, int expect)
{
	struct batch *b = start();
	struct req r[3];
	int answered;

	fake_db_batch_answer(status, 0, NULL, 0);
	pile_up(b, r, 3, NULL, 800, 0);
	atomic_store(&r[1].keep, 1);
	atomic_store(&r[1].again, again);
	fake_db_hold(0);
	ck_assert_msg(wait_for(req_done, &r[1]), "the second request never answered");
	ck_assert_uint_eq(batch_call(1)->nitems, 2);
	answered = expect ? wait_for(req_done, &r[2]) : wait_ms(req_done, &r[2], 300);
	atomic_store(&r[1].keep, 0);
	ck_assert_msg(wait_for(req_done, &r[2]), "the third request never answered");
	req_join(&r[0]);
	req_join(&r[1]);
	req_join(&r[2]);
	ck_assert_int_eq(r[2].out, r[1].out);
	stop(b);
	return answered;
}

/* A batch's requests are woken one after another: the next once the one
 * before it has sent its answer (batch_pass_on). */
START_TEST(answers_go_one_after_another)
{
	ck_assert_msg(!third_answered_while_second_holds(DB_OK, 0, 0),
	    "the third request was woken before the second passed on");
}
END_TEST

/* A request not answered from the batch passes on at once: its own
 * statement (or its 503) must not hold up the others. */
START_TEST(unanswered_requests_pass_on_at_once)
{
	ck_assert_msg(third_answered_while_second_holds(DB_UNAVAILABLE, 0, 1),
	    "a 503 of the batch held up the next request");
	ck_assert_msg(third_answered_while_second_holds(DB_ERROR, 0, 1),
	    "a request handed back held up the next one");
}
END_TEST

/* A thread never holds two wake-ups: its next batch_run passes on first
 * (else the one it held would never be woken). */
START_TEST(next_batch_run_passes_on)
{
	ck_assert_msg(third_answered_while_second_holds(DB_OK, 1, 1),
	    "a second batch_run kept the next request asleep");
}
END_TEST

START_TEST(unavailable_answers_every_member)
{
	struct batch *b = start();
	struct req r[3];
	struct db_result res;

	fake_db_batch_answer(DB_UNAVAILABLE, 0, NULL, 0);
	pile_up(b, r, 3, NULL, 200, 0);
	answer_all(r, 3, 0, BATCH_UNAVAILABLE, 0);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 2);
	ck_assert_uint_eq(batch_call(1)->nitems, 2);
	/* Not a reason to keep the user out of the next batch. */
	ck_assert_int_eq(logout(b, &cfg1, 200, &res), BATCH_UNAVAILABLE);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 3);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, -1), 0);
	stop(b);
}
END_TEST

START_TEST(error_hands_members_back)
{
	struct batch *b = start();
	struct req r[2];
	struct db_result res;
	size_t i;

	/* A locked row, after a lost connection: "may have committed". */
	fake_db_batch_answer(DB_ERROR, 1, NULL, 0);
	pile_up(b, r, 2, NULL, 300, 0);
	answer_all(r, 2, 0, BATCH_ALONE, 0);
	ck_assert_int_eq(r[0].res.uncertain, 1);
	ck_assert_int_eq(r[1].res.uncertain, 1);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 2);
	/* The batch runs no statement of its own: the caller does. */
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_AFTER_BATCH, -1), 0);

	/* Their users are hot now: handed back at once, without a batch... */
	fake_db_batch_answer(DB_OK, 0, NULL, 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(logout(b, &cfg1, 300 + i, &res), BATCH_ALONE);
		ck_assert_uint_eq(res.rows, 0);
		ck_assert_int_eq(res.uncertain, 0);
	}
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 2);
	/* ...while everyone else still shares them. */
	ck_assert_int_eq(logout(b, &cfg1, 302, &res), BATCH_DONE);
	ck_assert_uint_eq(res.rows, 1);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 3);
	stop(b);
}
END_TEST

START_TEST(reload_starts_a_new_batch)
{
	struct batch *b = start();
	struct req r[4];
	const struct config *const gen[4] = {&cfg1, &cfg1, &cfg2, &cfg1};
	struct fake_call c;
	size_t i, n = 0, sets = 0;
	unsigned long handle_gen = 1;

	pile_up(b, r, 4, gen, 400, 0);
	answer_all(r, 4, 0, BATCH_DONE, 1);
	/* 1 | 1 | 2 | 1: a batch never mixes snapshots, nor skips ahead. */
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 4);
	for (i = 0; fake_db_call(i, &c); i++) {
		if (c.kind == FAKE_SET_CONFIG) {
			ck_assert_uint_ne(c.generation, handle_gen);
			handle_gen = c.generation;
			sets++;
			continue;
		}
		ck_assert_int_eq(c.kind, FAKE_BATCH);
		ck_assert_uint_eq(c.nitems, 1);
		ck_assert_uint_eq(c.items[0].user_id, r[n].user);
		/* The handle was switched to the request's snapshot first. */
		ck_assert_uint_eq(c.generation, gen[n]->generation);
		n++;
	}
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(sets, 2);
	stop(b);
}
END_TEST

#define NBIG (DB_BATCH_MAX + 12)

START_TEST(batch_size_bounded)
{
	struct batch *b = start();
	static struct req r[NBIG];
	size_t k, items = 0, nb;

	pile_up(b, r, NBIG, NULL, 1000, 0);
	answer_all(r, NBIG, 0, BATCH_DONE, 1);
	nb = fake_db_count(FAKE_BATCH, -1);
	ck_assert_uint_ge(nb, 3);
	for (k = 0; k < nb; k++) {
		ck_assert_uint_le(batch_call(k)->nitems, DB_BATCH_MAX);
		items += batch_call(k)->nitems;
	}
	ck_assert_uint_eq(items, NBIG);
	ck_assert_uint_eq(batch_call(1)->nitems, DB_BATCH_MAX);
	stop(b);
}
END_TEST

struct stopper {
	struct batch *b;
	pthread_t thread;
	atomic_int tid;
	atomic_int done;
};

static void *
stopper_main(void *arg)
{
	struct stopper *s = arg;

	atomic_store(&s->tid, (int)syscall(SYS_gettid));
	batch_stop(s->b);
	atomic_store(&s->done, 1);
	return NULL;
}

static int
stopper_sleeping(void *arg)
{
	struct stopper *s = arg;
	int tid = atomic_load(&s->tid);

	return tid != 0 && tid_sleeping(tid);
}

START_TEST(stop_commits_what_is_queued)
{
	struct batch *b = start();
	struct stopper s = {.b = b};
	struct req r[3];

	/* The committer stays alive after its loop, so the requests can
	 * return before batch_stop frees what they wait on. */
	pile_up(b, r, 3, NULL, 500, FAKE_HOLD_THREAD_END);
	ck_assert_int_eq(pthread_create(&s.thread, NULL, stopper_main, &s), 0);
	/* Asleep in pthread_join: stopping is set, two jobs still queued. */
	ck_assert_msg(wait_for(stopper_sleeping, &s), "batch_stop never blocked");
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 1);

	answer_all(r, 3, FAKE_HOLD_THREAD_END, BATCH_DONE, 1);
	ck_assert_uint_eq(fake_db_count(FAKE_BATCH, -1), 2);
	ck_assert_uint_eq(batch_call(1)->nitems, 2);
	ck_assert_int_eq(atomic_load(&s.done), 0);

	fake_db_hold(0);
	ck_assert_int_eq(pthread_join(s.thread, NULL), 0);
	ck_assert_int_eq(atomic_load(&s.done), 1);
	ck_assert_int_eq(fake_db_handles(), 0);
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc;

	/* The waits need more than Check's default timeout on a loaded
	 * machine (DEADLINE_MS each). */
	UNIT_TCASE_TIMEOUT(s, "batch", 30, one_request_ends_its_session,
	    each_kind_reaches_the_database, competing_requests_wait_their_turn,
	    queued_requests_share_a_batch, checks_share_a_batch, unavailable_answers_every_member,
	    error_hands_members_back, reload_starts_a_new_batch, batch_size_bounded,
	    stop_commits_what_is_queued, answers_go_one_after_another,
	    unanswered_requests_pass_on_at_once, next_batch_run_passes_on);
	tc = tcase_create("answers");
	tcase_add_loop_test(tc, each_answer_of_one, 0, (int)(sizeof(answers) / sizeof(answers[0])));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(batch_suite)

/* SPDX-License-Identifier: ISC */
/*
 * batch.c — the committer: one thread and one database connection per
 * process and use (batch.h). Requests queue a job and sleep on a semaphore
 * of their own; the committer takes up to DB_BATCH_MAX queued jobs of one
 * configuration generation, runs them as one statement (a DELETE ...
 * RETURNING and one commit, or the gate's SELECT), and wakes the first
 * with its answer, holding no lock then (sem_post may be called on a
 * semaphore its waiter destroys as soon as it returns). Each woken request
 * wakes the next of its batch once it is done with its connection
 * (batch_pass_on): woken all at once, a batch's threads would all be
 * runnable together and take the CPU from the web server that carries
 * their answers (tests/bench/RESULTS.md, "Answers one after another"). A
 * request that would wait for anything else first passes on: one not
 * answered from the batch (before batch_run returns), one about to run a
 * statement of its own, one whose client is not reading (server.c).
 *
 * An unreachable database is a 503 for the whole batch (a request of its
 * own would wait the same timeouts again). Any other failure (a locked
 * row, a deadlock) hands the batch back: each request runs its own
 * statement under the normal retry policy, and a lost connection's "may
 * have committed" travels with each request.
 *
 * The gate's instance (BATCH_VERIFIES) works the same way with checks of
 * sessions (DB_LIVE_SESSION), which read and end nothing, so none
 * competes with another and none makes its user hot (below); it records
 * no group-commit metrics.
 *
 * A job is a plain logout, a refresh-token logout or a logout of every
 * session (db.h, struct db_batch_item). Jobs of different users never
 * touch each other's rows (every condition of the statement names its
 * user), so only a user's own jobs can compete. Plain logouts of one user
 * share a batch (of two for the same session, the first queued ends it).
 * A job that ends more than the bearer's session, or on the strength of
 * it, has no other job of its user in its batch: one that would meet
 * another stays queued for the next batch, and so does every later job of
 * that user, so a user's jobs end in the order they queued and each answer
 * is what its own statement would have said then.
 *
 * The committer never waits for a row lock (db.c sets its lock wait to
 * 0), so a row another client holds costs the others in its batch one
 * more round trip, not a wait. Whose row it was is not known, so every
 * user of a batch that failed that way is "hot" for HOT_MS: their logouts
 * run alone, and a user whose rows stay locked keeps out of the batches
 * everyone else shares.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

struct job {
	const struct config *cfg;
	struct db_batch_item item;
	struct job *next;
	/* Posted once the answer is in (after the lock is let go): by the
	 * committer for the first job of a batch, by the job before it for
	 * the others. */
	sem_t done;
	enum batch_outcome outcome;
	int uncertain;
	sem_t *wakes; /* the next job's of its batch, or NULL */
};

/* The next job of this thread's last batch, while its answer is being
 * sent: that job's semaphore, alive until posted (its thread sleeps on
 * it). */
static _Thread_local sem_t *to_wake;

#define HOT_SLOTS 128
#define HOT_PROBE 8
#define HOT_MS	  2000

struct hot {
	unsigned long long user_id;
	long long until; /* ms, monotonic; 0: free */
};

struct batch {
	pthread_mutex_t mu;
	struct hot hot[HOT_SLOTS]; /* under mu */
	pthread_cond_t queued;
	struct job *head, **tail;
	int stopping;
	pthread_t tid;
	struct db *db;
	enum batch_use use;
};

/* Does the job end more than the bearer's own session? */
static int
ends_more(const struct job *j)
{
	return j->item.kind == DB_END_REFRESH || j->item.kind == DB_END_USER;
}

/* Would j compete with a job of its user among v[0..n)? Only one that
 * ends more than the bearer's session competes. */
static int
competes(struct job *const *v, size_t n, const struct job *j)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i]->item.user_id == j->item.user_id && (ends_more(v[i]) || ends_more(j)))
			return 1;
	return 0;
}

static int
held(const unsigned long long *users, size_t n, unsigned long long user)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (users[i] == user)
			return 1;
	return 0;
}

/* Up to DB_BATCH_MAX jobs, in queue order from the head, that share its
 * configuration generation (a reload between them starts a new batch)
 * and do not compete (file comment); the others stay queued in order.
 * Under mu. */
static size_t
take(struct batch *b, struct job **v)
{
	unsigned long gen = b->head->cfg->generation;
	unsigned long long users[DB_BATCH_MAX]; /* whose jobs stay queued */
	struct job **link = &b->head, *j;
	size_t n = 0, nheld = 0;

	while ((j = *link) != NULL && n < DB_BATCH_MAX && j->cfg->generation == gen) {
		int wait = held(users, nheld, j->item.user_id);

		if (!wait && competes(v, n, j)) {
			if (nheld == DB_BATCH_MAX)
				break;
			users[nheld++] = j->item.user_id;
			wait = 1;
		}
		if (wait) {
			link = &j->next;
			continue;
		}
		*link = j->next;
		if (b->tail == &j->next)
			b->tail = link;
		v[n++] = j;
	}
	return n;
}

/* Under mu. Is the user hot right now? */
static int
is_hot(const struct batch *b, unsigned long long user_id, long long now)
{
	size_t i, s = (size_t)(user_id % HOT_SLOTS);

	for (i = 0; i < HOT_PROBE; i++, s = (s + 1) % HOT_SLOTS)
		if (b->hot[s].user_id == user_id && b->hot[s].until > now)
			return 1;
	return 0;
}

/* Under mu. Mark the user hot until `until`, in its own slot, a free or
 * expired one, or else the one that expires first. */
static void
make_hot(struct batch *b, unsigned long long user_id, long long until, long long now)
{
	size_t i, s = (size_t)(user_id % HOT_SLOTS), pick = s;

	for (i = 0; i < HOT_PROBE; i++, s = (s + 1) % HOT_SLOTS) {
		if (b->hot[s].user_id == user_id || b->hot[s].until <= now) {
			pick = s;
			break;
		}
		if (b->hot[s].until < b->hot[pick].until)
			pick = s;
	}
	b->hot[pick].user_id = user_id;
	b->hot[pick].until = until;
}

static void
commit(struct batch *b, struct job **v, size_t n)
{
	struct db_batch_item items[DB_BATCH_MAX];
	enum db_status st;
	int uncertain = 0;
	long long t0;
	size_t i;

	if (db_generation(b->db) != v[0]->cfg->generation)
		db_set_config(b->db, v[0]->cfg);
	for (i = 0; i < n; i++)
		items[i] = v[i]->item;
	t0 = metrics_clock();
	st = db_exec_batch(b->db, items, n, &uncertain);
	if (b->use == BATCH_LOGOUTS)
		metrics_batch(n, metrics_clock() - t0);
	/* A check locks no row: only logouts make their users hot. */
	if (st == DB_ERROR && b->use == BATCH_LOGOUTS) {
		long long now = util_now_ms();

		pthread_mutex_lock(&b->mu);
		for (i = 0; i < n; i++)
			make_hot(b, v[i]->item.user_id, now + HOT_MS, now);
		pthread_mutex_unlock(&b->mu);
	}
	for (i = 0; i < n; i++) {
		v[i]->outcome = st == DB_OK && !items[i].alone ? BATCH_DONE
				: st == DB_UNAVAILABLE	       ? BATCH_UNAVAILABLE
							       : BATCH_ALONE;
		v[i]->item.rows = st == DB_OK ? items[i].rows : 0;
		v[i]->uncertain = uncertain;
		v[i]->wakes = i + 1 < n ? &v[i + 1]->done : NULL;
	}
	/* No lock held: a woken request goes on at once instead of waiting
	 * for the committer to let it go. A job is its request's (on its
	 * stack): not touched once posted, and the others are woken by the
	 * one before them (file comment). */
	sem_post(&v[0]->done);
}

static void *
committer_main(void *arg)
{
	struct batch *b = arg;
	struct job *v[DB_BATCH_MAX];
	size_t n;

	db_thread_init();
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->head == NULL && !b->stopping)
			pthread_cond_wait(&b->queued, &b->mu);
		if (b->head == NULL)
			break;
		n = take(b, v);
		pthread_mutex_unlock(&b->mu);
		commit(b, v, n);
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	db_thread_end();
	return NULL;
}

struct batch *
batch_start(const struct config *cfg, enum batch_use use)
{
	struct batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->tail = &b->head;
	b->use = use;
	if ((b->db = db_open_committer(cfg)) == NULL)
		goto fail;
	if (pthread_mutex_init(&b->mu, NULL) != 0)
		goto fail_db;
	if (pthread_cond_init(&b->queued, NULL) != 0)
		goto fail_mu;
	if (pthread_create(&b->tid, NULL, committer_main, b) != 0)
		goto fail_cv;
	return b;
fail_cv:
	pthread_cond_destroy(&b->queued);
fail_mu:
	pthread_mutex_destroy(&b->mu);
fail_db:
	db_close(b->db);
fail:
	free(b);
	log_warn("cannot start the %s batch thread: they run one by one",
	    use == BATCH_LOGOUTS ? "logouts'" : "verifies'");
	return NULL;
}

void
batch_stop(struct batch *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	b->stopping = 1;
	pthread_cond_signal(&b->queued);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->tid, NULL);
	pthread_cond_destroy(&b->queued);
	pthread_mutex_destroy(&b->mu);
	db_close(b->db);
	free(b);
}

enum batch_outcome
batch_run(struct batch *b, const struct config *cfg, const struct db_batch_item *item,
    struct db_result *res)
{
	struct job j;

	batch_pass_on(); /* never two held by one thread */
	memset(&j, 0, sizeof(j));
	j.cfg = cfg;
	j.item = *item;
	j.item.rows = 0;
	if (sem_init(&j.done, 0, 0) != 0)
		return BATCH_ALONE;
	pthread_mutex_lock(&b->mu);
	if (is_hot(b, item->user_id, util_now_ms())) {
		pthread_mutex_unlock(&b->mu);
		sem_destroy(&j.done);
		memset(res, 0, sizeof(*res));
		return BATCH_ALONE;
	}
	*b->tail = &j;
	b->tail = &j.next;
	pthread_mutex_unlock(&b->mu);
	pthread_cond_signal(&b->queued); /* free when the committer is busy */
	while (sem_wait(&j.done) != 0 && errno == EINTR)
		;
	sem_destroy(&j.done);
	to_wake = j.wakes;
	if (j.outcome != BATCH_DONE)
		batch_pass_on();
	memset(res, 0, sizeof(*res));
	res->rows = j.item.rows;
	res->uncertain = j.uncertain;
	return j.outcome;
}

int
batch_holding(void)
{
	return to_wake != NULL;
}

void
batch_pass_on(void)
{
	sem_t *next = to_wake;

	to_wake = NULL;
	if (next != NULL)
		sem_post(next);
}

/* SPDX-License-Identifier: ISC */
/*
 * batch.h — shared round trips. Group commit for logouts: concurrent
 * logout requests of one process are ended by one statement and one
 * commit. And the gate's shared SELECT: concurrent verifies of one process
 * are checked by one statement. A thread per use takes whatever is queued
 * while its previous statement runs (no fixed wait), and each request is
 * answered only after that statement, with its own result. Native schema
 * only: each request stands for one of the built-in logout,
 * logout_refresh, logout_all and verify (db.h, struct db_batch_item).
 */
#ifndef LOGOUT_BATCH_H
#define LOGOUT_BATCH_H

struct config;
struct db_batch_item;
struct db_result;

struct batch;

/* What an instance batches: each has its thread and connection, so a
 * verify never waits for a logout's commit. */
enum batch_use { BATCH_LOGOUTS = 0, BATCH_VERIFIES };

/* Start the thread (with signals blocked by the caller). NULL when it
 * cannot start; the caller then serves without batching. */
struct batch *batch_start(const struct config *cfg, enum batch_use use);

/* Finish what is queued and stop the thread. NULL is fine. Only once no
 * thread is inside batch_run any more (the server joins its workers
 * first): a waiting caller would wake on freed memory. */
void batch_stop(struct batch *b);

enum batch_outcome {
	BATCH_DONE = 0,	   /* res->rows: the sessions ended here; res->uncertain set */
	BATCH_UNAVAILABLE, /* the database cannot be reached: answer 503 */
	BATCH_ALONE,	   /* run it as a statement of its own (res->uncertain kept) */
};

/* Run what item names (its rows aside) in the next batch, under cfg (the
 * snapshot of the request, alive until this returns; so is what item
 * points to): an ending on a BATCH_LOGOUTS instance, a DB_LIVE_SESSION
 * check on a BATCH_VERIFIES one. Waits for the statement (and commit).
 * The answer is the one its own statement would have given, run in the
 * order the batches commit: a user's requests end in the order they were
 * queued, those of different users never touch each other's rows, and a
 * user whose request ends more than the bearer's session has no other
 * request in its batch (the next one takes them). */
enum batch_outcome batch_run(struct batch *b, const struct config *cfg,
    const struct db_batch_item *item, struct db_result *res);

/* The requests of a batch are woken one after another: batch_run may
 * return BATCH_DONE with the next request of its batch still asleep, and
 * the calling thread wakes it here once done with its connection, or
 * before it waits for anything else (a statement of its own, a client
 * that does not read; its next batch_run does so itself). Any other
 * outcome has passed on already. Nothing to do is fine. */
void batch_pass_on(void);

/* 1 while this thread holds the wake-up of the next request of a batch. */
int batch_holding(void);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * batch.h — group commit for logouts. Concurrent logout requests of one
 * process are ended by one statement and one commit: a committer thread
 * takes whatever is queued while the previous batch commits (no fixed
 * wait), and each request is answered only after that commit, with its own
 * result. Native schema only: each request stands for one of the built-in
 * logout, logout_refresh and logout_all (db.h, struct db_batch_item).
 */
#ifndef LOGOUT_BATCH_H
#define LOGOUT_BATCH_H

struct config;
struct db_batch_item;
struct db_result;

struct batch;

/* Start the committer thread (with signals blocked by the caller). NULL
 * when it cannot start; the caller then serves without batching. */
struct batch *batch_start(const struct config *cfg);

/* Finish what is queued and stop the thread. NULL is fine. Only once no
 * thread is inside batch_logout any more (the server joins its workers
 * first): a waiting caller would wake on freed memory. */
void batch_stop(struct batch *b);

enum batch_outcome {
	BATCH_DONE = 0,	   /* res->rows: the sessions ended here; res->uncertain set */
	BATCH_UNAVAILABLE, /* the database cannot be reached: answer 503 */
	BATCH_ALONE,	   /* run it as a statement of its own (res->uncertain kept) */
};

/* End what item names (its rows aside) in the next batch, under cfg (the
 * snapshot of the request, alive until this returns; so is what item
 * points to). Waits for the commit. The answer is the one its own
 * statement would have given, run in the order the batches commit: a
 * user's requests end in the order they were queued, those of different
 * users never touch each other's rows, and a user whose request is not a
 * plain logout has no other request in its batch (the next one takes
 * them). */
enum batch_outcome batch_logout(struct batch *b, const struct config *cfg,
    const struct db_batch_item *item, struct db_result *res);

#endif

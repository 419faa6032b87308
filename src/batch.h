/* SPDX-License-Identifier: ISC */
/*
 * batch.h — group commit for logouts. Concurrent logout requests of one
 * process are ended by one statement and one commit: a committer thread
 * takes whatever is queued while the previous batch commits (no fixed
 * wait), and each request is answered only after that commit, with its own
 * result. Native schema only (the built-in logout statement).
 */
#ifndef LOGOUT_BATCH_H
#define LOGOUT_BATCH_H

struct config;
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
	BATCH_DONE = 0,	   /* res->rows is 1 (ended here) or 0; res->uncertain set */
	BATCH_UNAVAILABLE, /* the database cannot be reached: answer 503 */
	BATCH_ALONE,	   /* run it as a statement of its own (res->uncertain kept) */
};

/* End the session of (hash, user_id) in the next batch, under cfg (the
 * snapshot of the request, alive until this returns). Waits for the
 * commit. */
enum batch_outcome batch_logout(struct batch *b, const struct config *cfg,
    const unsigned char *hash, unsigned long hash_len, unsigned long long user_id,
    struct db_result *res);

#endif

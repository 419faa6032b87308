/* SPDX-License-Identifier: ISC */
/*
 * metrics.h — the counters behind {metrics_path}: what every worker
 * process of one service has done, in the Prometheus text format.
 *
 * The counts live in one shared anonymous mapping made before the first
 * fork (by the --workers supervisor, or by a process that serves alone),
 * with one slot per worker slot: a worker adds to its own slot with
 * relaxed atomic operations, a restarted worker goes on in its
 * predecessor's slot (so totals never go down), and a scrape, answered by
 * whichever worker takes it, sums every slot. Within a slot each thread
 * adds to one of a few stripes, so threads do not fight over a cache line
 * on the hot path. Processes started apart (spawn-fcgi -F N) share
 * nothing: each reports its own counts.
 *
 * Every function is a no-op until metrics_open (the admin tool and most
 * unit tests never call it).
 */
#ifndef LOGOUT_METRICS_H
#define LOGOUT_METRICS_H

#include <stddef.h>

#include "reason.h"
#include "routes.h"

/* The route label of a request whose path names no served route. */
#define METRICS_ROUTE_NONE ROUTE_COUNT

/* Why the database layer tried a statement again. */
enum metrics_retry {
	METRICS_RETRY_DEADLOCK = 0, /* 1213, also a Galera certification failure */
	METRICS_RETRY_LOCK_WAIT,    /* 1205 */
	METRICS_RETRY_CONNECTION,   /* a lost connection: reconnected */
	METRICS_RETRY_FAILOVER,	    /* not ready, shutting down, lost mid-statement: next host */
	METRICS_RETRY_COUNT
};

/* ---- set-up (the main thread of each process) ---------------------------- */

/* Map the shared counters with nslots worker slots, before any fork.
 * 0, or -1 with a message in err (the service then runs without them). */
int metrics_open(int nslots, char *err, size_t errlen);

/* 1 once metrics_open succeeded in this process or a parent. */
int metrics_opened(void);

/* Unmap (tests; a process that exits need not). */
void metrics_close(void);

/* In a worker the supervisor just forked: its slot (0 <= slot < nslots). */
void metrics_use_slot(int slot);

/* The supervisor: the worker of slot exited (its gauges stop counting). */
void metrics_slot_exit(int slot);

/* A serving process starts in its slot (slot 0 unless metrics_use_slot
 * chose one) with threads threads and the snapshot of generation. */
void metrics_process_start(int threads, unsigned long generation);

/* A reload succeeded (with the new snapshot's generation) or failed. */
void metrics_reloaded(int ok, unsigned long generation);

/* The calling process's CPU time, resident memory and open descriptors
 * into its slot (the supervisor's: into the block's own). From the main
 * thread's tick, about once a second. */
void metrics_tick(void);

/* ---- the hot path (any thread) ------------------------------------------- */

/* A request starts being served: the thread is busy. Returns its start
 * (monotonic nanoseconds) for metrics_request_end. */
long long metrics_request_begin(void);

/* Its outcome is final: route (an enum route_id, or METRICS_ROUTE_NONE),
 * the HTTP status, the reason, sessions ended (-1: none), and the start
 * metrics_request_begin gave. The thread is idle again. */
void metrics_request_end(
    long long start, int route, int status, enum reason reason, long long sessions);

/* The database layer (db.c). */
void metrics_db_error(void);
void metrics_db_reconnect(void);
void metrics_db_retry(enum metrics_retry cause);

/* A group commit of n logouts ran (batch.c), taking ns nanoseconds. */
void metrics_batch(size_t n, long long ns);

/* Monotonic nanoseconds. */
long long metrics_clock(void);

/* ---- the scrape ---------------------------------------------------------- */

/* Every slot summed, in the text exposition format 0.0.4, into a buffer
 * the caller frees. 0, or -1 when out of memory. Without metrics_open the
 * exposition is that of an idle service. */
int metrics_render(char **out, size_t *len);

#endif

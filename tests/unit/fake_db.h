/* SPDX-License-Identifier: ISC */
/*
 * fake_db.h — a scriptable stand-in for src/db.c, so unit tests can run
 * the code above the database edge (batch.c, handlers.c) without a server.
 * It defines every function src/db.h declares; link tests/unit/fake_db.c
 * into the test binary ahead of src/liblogout.a and the archive's db.o is
 * never pulled in (were it pulled, the link would fail on duplicate
 * symbols). In Makefile.am, as for test_batch:
 *
 *	tests_unit_test_X_SOURCES = tests/unit/test_X.c tests/unit/fake_db.c tests/unit/fake_db.h
 *	tests_unit_test_X_LDADD = $(UNIT_LDADD) -lpthread
 *
 * Scripting answers (before the code under test runs):
 *
 *	fake_db_reset();                          forget answers, calls, holds
 *	fake_db_answer(STMT_LOGOUT, &(struct fake_answer){ .rows = 1 });
 *	fake_db_push(STMT_USER_LOOKUP, &(struct fake_answer){
 *	    .rows = 1, .ncols = 1, .col = { "42" } });
 *	fake_db_push(STMT_USER_LOOKUP, &(struct fake_answer){ .status = DB_UNAVAILABLE });
 *	fake_db_batch_answer(DB_OK, 0, (const int[]){ 1, 0, 3 }, 3);
 *
 * db_exec, db_exec_after_batch and db_exec_admin answer each call with the
 * statement's next queued answer (fake_db_push, first in first out), or
 * when none is queued with its fixed one (fake_db_answer), or, when the
 * test scripted neither, with { DB_OK, 0 rows, no columns }. An answer
 * other than DB_OK leaves the result empty but for uncertain, as db.c
 * does. Admin statements are scripted under FAKE_ADMIN(ADMIN_STMT_...).
 * db_exec_batch answers every call with the fixed batch answer (default:
 * DB_OK, every item ended one session); db_ping with fake_db_ping_answer's (default
 * DB_OK).
 *
 * Reading the call log (after, or while other threads still run):
 *
 *	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, -1), 0);            no statement ran
 *	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, STMT_LOGOUT), 1);   exactly one logout
 *	ck_assert_uint_eq(fake_db_writes(), 0);                        nothing written
 *	struct fake_call c;
 *	ck_assert(fake_db_call(0, &c));                                the first call, copied
 *	ck_assert_uint_eq(c.args[SQLP_USER_ID].u, 42);
 *
 * Every call is logged (a copy of its bound values, so the caller's
 * buffers may be gone), in order, across threads; all functions are
 * thread-safe. Check runs each test in a child of its own, so state left
 * by one test never reaches the next; call fake_db_reset first anyway
 * (it keeps the count of open handles: they are the caller's). A struct
 * fake_call is some 32 KB: one at a time on the stack, or static.
 */
#ifndef LOGOUT_FAKE_DB_H
#define LOGOUT_FAKE_DB_H

#include <stddef.h>

#include "config.h" /* enum stmt_id, enum admin_stmt_id */
#include "db.h"

/* The answer key of an admin statement: after the serving ones. */
#define FAKE_ADMIN(id) ((int)STMT_COUNT + (int)(id))
#define FAKE_STMT_KEYS ((int)STMT_COUNT + (int)ADMIN_STMT_COUNT)
#define FAKE_QUEUE_MAX 16  /* queued answers per statement */
#define FAKE_LOG_MAX   128 /* calls kept in the log (all are counted) */
#define FAKE_VALUE_MAX 64  /* bytes of a bound string or blob kept */

/* One answer of db_exec & co. col[i] for i < ncols: the text of column i,
 * NULL for SQL NULL; longer than DB_COL_MAX reads as truncated. */
struct fake_answer {
	enum db_status status;
	unsigned long long rows;
	int uncertain;
	unsigned long long insert_id;
	int ncols;
	const char *col[DB_ROW_COLS];
};

/* Answers: key is an enum stmt_id, or FAKE_ADMIN(enum admin_stmt_id). */
void fake_db_answer(int key, const struct fake_answer *a);
void fake_db_push(int key, const struct fake_answer *a);

/* db_exec_batch from now on: returns status and *uncertain = uncertain;
 * on DB_OK item i ended rows[i] sessions (i < nrows), and one past nrows
 * (so NULL, 0: every item ended one); a negative rows[i] marks the item
 * alone (db.h). Otherwise no item ended any. */
void fake_db_batch_answer(enum db_status status, int uncertain, const int *rows, size_t nrows);

/* db_ping from now on. */
void fake_db_ping_answer(enum db_status status);

/* Holds, for tests that need requests to pile up behind a commit in
 * progress, or a thread to stay put: while FAKE_HOLD_BATCH is set,
 * db_exec_batch blocks after logging its call; while FAKE_HOLD_THREAD_END
 * is set, db_thread_end blocks (a thread that ends, such as the batch
 * committer, stays alive). fake_db_hold replaces the set (0 lifts them
 * all, as fake_db_reset does); fake_db_held says how many calls wait now. */
#define FAKE_HOLD_BATCH	     1u
#define FAKE_HOLD_THREAD_END 2u
void fake_db_hold(unsigned int where);
size_t fake_db_held(void);

enum fake_call_kind {
	FAKE_EXEC = 0,	       /* db_exec */
	FAKE_EXEC_AFTER_BATCH, /* db_exec_after_batch */
	FAKE_EXEC_ADMIN,       /* db_exec_admin */
	FAKE_BATCH,	       /* db_exec_batch */
	FAKE_SET_CONFIG,       /* db_set_config */
	FAKE_PING,	       /* db_ping */
	FAKE_KINDS
};

/* A bound value as the call saw it; data holds the first FAKE_VALUE_MAX
 * bytes of a string or blob (len is the whole length). */
struct fake_value {
	enum sql_kind kind; /* SQLV_NULL: not bound */
	unsigned long len;
	unsigned char data[FAKE_VALUE_MAX];
	unsigned long long u;
};

struct fake_item {
	enum db_batch_kind kind;
	unsigned char hash[FAKE_VALUE_MAX];
	unsigned long hash_len;
	unsigned long long user_id;
	/* DB_END_REFRESH's; a length of -1: NULL (the token lacks the claim) */
	unsigned char refresh_sid[FAKE_VALUE_MAX], refresh_jti[FAKE_VALUE_MAX];
	long refresh_sid_len, refresh_jti_len;
};

struct fake_call {
	enum fake_call_kind kind;
	int id;			  /* the statement (admin: enum admin_stmt_id); -1 otherwise */
	unsigned long generation; /* of the handle's configuration at the call */
	int committer;		  /* made on a db_open_committer handle */
	struct fake_value args[SQLP_COUNT]; /* FAKE_EXEC*: every bound value */
	size_t nitems;			    /* FAKE_BATCH: the items, in order */
	struct fake_item items[DB_BATCH_MAX];
};

void fake_db_reset(void);

/* Calls of kind with statement id (-1: any statement; for
 * FAKE_EXEC_ADMIN an enum admin_stmt_id), counted from the last reset;
 * not limited by FAKE_LOG_MAX. */
size_t fake_db_count(enum fake_call_kind kind, int id);

/* Every call so far, of any kind. */
size_t fake_db_ncalls(void);

/* Calls that could have written: every statement run, batch, admin
 * statement, except the lookups (STMT_SESSION_CHECK, STMT_USER_LOOKUP,
 * STMT_TOKEN_LOOKUP, STMT_VERIFY) and the gate's batches (of
 * DB_LIVE_SESSION checks). */
size_t fake_db_writes(void);

/* Copy call i (0 = the first since the reset) into *out: 1, or 0 when
 * there is no such call or it is past FAKE_LOG_MAX. */
int fake_db_call(size_t i, struct fake_call *out);

/* Handles open now (db_open, db_open_committer minus db_close). */
int fake_db_handles(void);

#endif

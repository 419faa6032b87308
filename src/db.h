/* SPDX-License-Identifier: ISC */
/*
 * db.h — one persistent MariaDB connection per worker thread, with the
 * configured statements prepared once per connection (and again after a
 * reconnect). Timeouts bound every call; transient errors are retried a
 * bounded number of times, failing over through the host list.
 */
#ifndef LOGOUT_DB_H
#define LOGOUT_DB_H

#include <limits.h>

#include "sqlparam.h"
#include "stmts.h"
#include "util.h"

struct config;

enum sql_kind { SQLV_NULL = 0, SQLV_STR, SQLV_BLOB, SQLV_UINT };

struct sql_value {
	enum sql_kind kind;
	const void *ptr; /* SQLV_STR / SQLV_BLOB */
	unsigned long len;
	unsigned long long u; /* SQLV_UINT */
};

/* Every value a statement may name, indexed by enum sql_param. */
struct sql_args {
	struct sql_value v[SQLP_COUNT];
};

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* unreachable, timed out, retries exhausted: 503 */
	DB_ERROR,	/* anything else: 500 */
};

#define DB_ROW_COLS 2
#define DB_COL_MAX  256

/* What a statement gave back. For a SELECT, the first row's first
 * DB_ROW_COLS columns as text (a lookup needs no more). */
struct db_result {
	unsigned long long rows; /* affected rows, or rows returned by a SELECT */
	int uncertain;		 /* an earlier attempt may have committed */
	unsigned long long insert_id;
	int ncols;			       /* columns filled in col[] */
	char col[DB_ROW_COLS][DB_COL_MAX + 1]; /* NUL-terminated; "" for NULL */
	unsigned long col_len[DB_ROW_COLS];
	int col_null[DB_ROW_COLS];
	int col_truncated[DB_ROW_COLS]; /* longer than DB_COL_MAX: treat as invalid */
};

/* Inline, so a fake database layer in tests parses ids as the real one.
 * Column col of the row as an id: 0 when it is a whole decimal number
 * in [0, LLONG_MAX], not NULL and not truncated; else -1. */
static inline int
db_col_id(const struct db_result *res, int col, long long *out)
{
	if (col < 0 || col >= DB_ROW_COLS || col >= res->ncols || res->col_null[col] ||
	    res->col_truncated[col])
		return -1;
	return util_strtonum(res->col[col], 0, LLONG_MAX, out);
}

struct db;

/* Allocate a handle; connects lazily, so a down database is not fatal.
 * admin != 0 prepares the admin statements instead of the serving ones. */
struct db *db_open(const struct config *cfg, int admin);
void db_close(struct db *db);

/* A handle for a batch committer (db_exec_batch only): lock waits give up
 * after a second and deadlocks are not retried, so one contended row
 * sends its batch back to be run request by request. */
struct db *db_open_committer(const struct config *cfg);

/* The generation of the snapshot the handle works with, and a switch to
 * another one (after a reload): the connection is closed, and the next call
 * connects and prepares the new snapshot's statements. */
unsigned long db_generation(const struct db *db);
void db_set_config(struct db *db, const struct config *cfg);

enum db_status db_exec(
    struct db *db, enum stmt_id id, const struct sql_args *args, struct db_result *res);
/* The same for a request its batch handed back (a locked row, a deadlock,
 * any failure but unreachability): the batch was its first attempt, so one
 * attempt fewer. */
enum db_status db_exec_after_batch(
    struct db *db, enum stmt_id id, const struct sql_args *args, struct db_result *res);
enum db_status db_exec_admin(
    struct db *db, enum admin_stmt_id id, const struct sql_args *args, struct db_result *res);

/* Batched endings (native schema only): the items of one call are ended by
 * one DELETE ... RETURNING, committed once. An item is what one of the
 * built-in statements ends (stmts.h): its kind says which. Each item's rows
 * is what that statement, run on its own, would have ended, unless the
 * item is marked alone: then it ended nothing and its own statement is to
 * run (a refresh-token logout of the bearer's session whose row does not
 * carry the token's jti, or is gone). The caller puts no other item of a
 * user in the call with an ending that is not DB_END_SESSION (batch.c), so
 * the items of a call never compete for a row but as two DB_END_SESSION
 * items for one session, of which the first is the one that ends it.
 *
 * A call of DB_LIVE_SESSION items (and no other kind) is the gate's:
 * one SELECT, nothing ended; an item's rows is 1 when its session is
 * live, as the built-in verify statement would have found. */
#define DB_BATCH_MAX 128

enum db_batch_kind {
	DB_END_SESSION = 0, /* the bearer's session (logout) */
	DB_END_REFRESH,	    /* the refresh token's, while the bearer's exists (logout_refresh) */
	DB_END_USER,	    /* every session of the user, while the bearer's exists (logout_all) */
	DB_LIVE_SESSION,    /* is the bearer's session live (verify): ends nothing */
};

struct db_batch_item {
	enum db_batch_kind kind;
	const unsigned char *hash; /* the bearer's session */
	unsigned long hash_len;
	unsigned long long user_id;
	/* DB_END_REFRESH: the refresh token's sid and jti hashes; NULL for a
	 * claim the token lacks (it matches nothing, as NULL does in SQL). */
	const unsigned char *refresh_sid, *refresh_jti;
	unsigned long refresh_sid_len, refresh_jti_len;
	unsigned long long rows; /* out: the sessions this item ended (a check: 1 if live) */
	int alone;		 /* out: ended nothing, which says nothing: run its statement */
};

enum db_status db_exec_batch(struct db *db, struct db_batch_item *items, size_t n, int *uncertain);

/* What db_check found: a host it could not connect to, a session setting
 * or a statement the server refused. */
enum { DB_CHECK_CONNECT = -1, DB_CHECK_SESSION = -2, DB_CHECK_BATCH = -3 };

struct db_problem {
	const char *where;   /* "host:port", or the socket path */
	int stmt;	     /* the statement's id (stmt_id, admin_stmt_id), or DB_CHECK_* */
	const char *message; /* the server's or the client library's words */
};

typedef void (*db_report_fn)(void *arg, const struct db_problem *p);

/* For --check-config --connect: connect to every host (or the socket)
 * with the configured credentials and prepare there every statement the
 * handle runs (and the batched statements, when the configuration batches),
 * reporting each failure. 0 when there was none, else -1. The handle is
 * left disconnected. */
int db_check(struct db *db, db_report_fn report, void *arg);

/* "errno 2003" style text of the last failure: never SQL text or values. */
const char *db_last_error(const struct db *db);

/* Is the database reachable on this handle: connect if needed, then a
 * ping, under the usual timeouts and retries (the health route). */
enum db_status db_ping(struct db *db);

/* Call once before threads start, and in each thread before use. */
int db_library_init(void);
void db_thread_init(void);
void db_thread_end(void);

#endif

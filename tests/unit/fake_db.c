/* SPDX-License-Identifier: ISC */
/*
 * fake_db.c — src/db.h answered from a script instead of MariaDB (how to
 * use it: fake_db.h). One mutex guards all of it: the batch committer
 * calls in from its own thread while the test reads the log.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_db.h"
#include "util.h"

struct db {
	unsigned long generation;
	int admin;
	int committer;
	char err[64];
};

struct script {
	struct fake_answer fixed;
	struct fake_answer queue[FAKE_QUEUE_MAX];
	size_t head, len;
	/* Copies of the column texts, so a test may script from temporaries. */
	char fixed_col[DB_ROW_COLS][DB_COL_MAX + 2];
	char queue_col[FAKE_QUEUE_MAX][DB_ROW_COLS][DB_COL_MAX + 2];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t unheld = PTHREAD_COND_INITIALIZER;
static struct script scripts[FAKE_STMT_KEYS];
static struct {
	enum db_status status;
	int uncertain;
	int rows[DB_BATCH_MAX];
} batch_script;
static struct fake_call calls[FAKE_LOG_MAX];
static size_t ncalls, writes, counts[FAKE_KINDS][FAKE_STMT_KEYS + 1];
static unsigned int hold;
static size_t held, handles;
static enum db_status ping_status;

/* A counter, read under mu. */
static size_t
locked(const size_t *var)
{
	size_t n;

	pthread_mutex_lock(&mu);
	n = *var;
	pthread_mutex_unlock(&mu);
	return n;
}

static void
batch_default(void)
{
	size_t i;

	batch_script.status = DB_OK;
	batch_script.uncertain = 0;
	for (i = 0; i < DB_BATCH_MAX; i++)
		batch_script.rows[i] = 1;
}

void
fake_db_reset(void)
{
	pthread_mutex_lock(&mu);
	memset(scripts, 0, sizeof(scripts));
	memset(counts, 0, sizeof(counts));
	ncalls = writes = 0;
	batch_default();
	ping_status = DB_OK;
	hold = 0;
	pthread_cond_broadcast(&unheld);
	pthread_mutex_unlock(&mu);
}

static void
check_key(int key)
{
	if (key < 0 || key >= FAKE_STMT_KEYS) {
		fprintf(stderr, "fake_db: no statement %d\n", key);
		abort();
	}
}

/* *dst = *a with the columns copied into store. */
static void
copy_answer(struct fake_answer *dst, char store[][DB_COL_MAX + 2], const struct fake_answer *a)
{
	int i;

	*dst = *a;
	for (i = 0; i < DB_ROW_COLS; i++)
		if (a->col[i] != NULL) {
			/* One byte over DB_COL_MAX is enough to read as truncated. */
			snprintf(store[i], DB_COL_MAX + 2, "%s", a->col[i]);
			dst->col[i] = store[i];
		}
}

void
fake_db_answer(int key, const struct fake_answer *a)
{
	check_key(key);
	pthread_mutex_lock(&mu);
	copy_answer(&scripts[key].fixed, scripts[key].fixed_col, a);
	pthread_mutex_unlock(&mu);
}

void
fake_db_push(int key, const struct fake_answer *a)
{
	struct script *s;
	size_t slot;

	check_key(key);
	pthread_mutex_lock(&mu);
	s = &scripts[key];
	if (s->len == FAKE_QUEUE_MAX) {
		fprintf(
		    stderr, "fake_db: more than %d answers queued for %d\n", FAKE_QUEUE_MAX, key);
		abort();
	}
	slot = (s->head + s->len++) % FAKE_QUEUE_MAX;
	copy_answer(&s->queue[slot], s->queue_col[slot], a);
	pthread_mutex_unlock(&mu);
}

void
fake_db_batch_answer(enum db_status status, int uncertain, const int *rows, size_t nrows)
{
	size_t i;

	pthread_mutex_lock(&mu);
	batch_default();
	batch_script.status = status;
	batch_script.uncertain = uncertain;
	for (i = 0; i < nrows && i < DB_BATCH_MAX; i++)
		batch_script.rows[i] = rows[i];
	pthread_mutex_unlock(&mu);
}

void
fake_db_hold(unsigned int where)
{
	pthread_mutex_lock(&mu);
	hold = where;
	pthread_cond_broadcast(&unheld);
	pthread_mutex_unlock(&mu);
}

/* Under mu: wait while the hold at where is on. */
static void
held_at(unsigned int where)
{
	while (hold & where) {
		held++;
		pthread_cond_wait(&unheld, &mu);
		held--;
	}
}

size_t
fake_db_held(void)
{
	return locked(&held);
}

static int
is_write(enum fake_call_kind kind, int id)
{
	switch (kind) {
	case FAKE_EXEC:
	case FAKE_EXEC_AFTER_BATCH:
		return id != (int)STMT_SESSION_CHECK && id != (int)STMT_USER_LOOKUP &&
		       id != (int)STMT_TOKEN_LOOKUP && id != (int)STMT_VERIFY;
	case FAKE_EXEC_ADMIN:
		return 1;
	default:
		return 0;
	}
}

/* Log a call; under mu. The entry, or NULL once the log is full. */
static struct fake_call *
record(const struct db *db, enum fake_call_kind kind, int id, int key)
{
	struct fake_call *c = NULL;

	counts[kind][key + 1]++;
	if (is_write(kind, id))
		writes++;
	if (ncalls < FAKE_LOG_MAX) {
		c = &calls[ncalls];
		memset(c, 0, sizeof(*c));
		c->kind = kind;
		c->id = id;
		c->generation = db->generation;
		c->committer = db->committer;
	}
	ncalls++;
	return c;
}

static void
copy_value(struct fake_value *dst, const struct sql_value *v)
{
	dst->kind = v->kind;
	dst->len = v->len;
	dst->u = v->u;
	if ((v->kind == SQLV_STR || v->kind == SQLV_BLOB) && v->ptr != NULL)
		memcpy(dst->data, v->ptr, v->len < FAKE_VALUE_MAX ? v->len : FAKE_VALUE_MAX);
}

static void
fill_result(struct db_result *res, const struct fake_answer *a)
{
	int i;

	memset(res, 0, sizeof(*res));
	res->uncertain = a->uncertain;
	if (a->status != DB_OK)
		return;
	res->rows = a->rows;
	res->insert_id = a->insert_id;
	res->ncols = a->ncols < 0 ? 0 : a->ncols > DB_ROW_COLS ? DB_ROW_COLS : a->ncols;
	for (i = 0; i < res->ncols; i++) {
		size_t len;

		if (a->col[i] == NULL) {
			res->col_null[i] = 1;
			continue;
		}
		len = strlen(a->col[i]);
		res->col_len[i] = (unsigned long)len;
		res->col_truncated[i] = len > DB_COL_MAX;
		memcpy(res->col[i], a->col[i], len > DB_COL_MAX ? DB_COL_MAX : len);
	}
}

static void
set_error(struct db *db, enum db_status st)
{
	snprintf(db->err, sizeof(db->err), "fake: %s",
	    st == DB_UNAVAILABLE ? "unavailable"
	    : st == DB_ERROR	 ? "error"
				 : "ok");
}

static enum db_status
exec(struct db *db, enum fake_call_kind kind, int id, int key, const struct sql_args *args,
    struct db_result *res)
{
	struct fake_answer a;
	struct fake_call *c;
	struct script *s;
	size_t i;

	check_key(key);
	pthread_mutex_lock(&mu);
	if ((c = record(db, kind, id, key)) != NULL && args != NULL)
		for (i = 0; i < SQLP_COUNT; i++)
			copy_value(&c->args[i], &args->v[i]);
	s = &scripts[key];
	if (s->len > 0) {
		a = s->queue[s->head];
		s->head = (s->head + 1) % FAKE_QUEUE_MAX;
		s->len--;
	} else
		a = s->fixed;
	/* The columns point into the script: copy them before unlocking. */
	fill_result(res, &a);
	pthread_mutex_unlock(&mu);
	if (a.status != DB_OK)
		set_error(db, a.status);
	return a.status;
}

enum db_status
db_exec(struct db *db, enum stmt_id id, const struct sql_args *args, struct db_result *res)
{
	return exec(db, FAKE_EXEC, (int)id, (int)id, args, res);
}

enum db_status
db_exec_after_batch(
    struct db *db, enum stmt_id id, const struct sql_args *args, struct db_result *res)
{
	return exec(db, FAKE_EXEC_AFTER_BATCH, (int)id, (int)id, args, res);
}

enum db_status
db_exec_admin(
    struct db *db, enum admin_stmt_id id, const struct sql_args *args, struct db_result *res)
{
	return exec(db, FAKE_EXEC_ADMIN, (int)id, FAKE_ADMIN(id), args, res);
}

/* A copy of a bound blob (its first FAKE_VALUE_MAX bytes): its length,
 * or -1 for none. */
static long
copy_blob(unsigned char *dst, const unsigned char *src, unsigned long len)
{
	if (src == NULL)
		return -1;
	memcpy(dst, src, len < FAKE_VALUE_MAX ? len : FAKE_VALUE_MAX);
	return (long)len;
}

static void
record_item(struct fake_item *it, const struct db_batch_item *from)
{
	it->kind = from->kind;
	it->user_id = from->user_id;
	copy_blob(it->hash, from->hash, from->hash_len);
	it->hash_len = from->hash_len;
	it->refresh_sid_len = copy_blob(it->refresh_sid, from->refresh_sid, from->refresh_sid_len);
	it->refresh_jti_len = copy_blob(it->refresh_jti, from->refresh_jti, from->refresh_jti_len);
}

enum db_status
db_exec_batch(struct db *db, struct db_batch_item *items, size_t n, int *uncertain)
{
	enum db_status st;
	struct fake_call *c;
	size_t i, checks = 0;

	*uncertain = 0;
	pthread_mutex_lock(&mu);
	for (i = 0; i < n && i < DB_BATCH_MAX; i++)
		checks += items[i].kind == DB_LIVE_SESSION;
	if (checks < n)
		writes++; /* the gate's batch only reads */
	if ((c = record(db, FAKE_BATCH, -1, -1)) != NULL) {
		c->nitems = n;
		for (i = 0; i < n && i < DB_BATCH_MAX; i++)
			record_item(&c->items[i], &items[i]);
	}
	held_at(FAKE_HOLD_BATCH);
	/* As db.c: an empty or oversized batch, or checks and endings in one,
	 * is a caller's mistake. */
	st = n == 0 || n > DB_BATCH_MAX || (checks > 0 && checks < n) ? DB_ERROR
								 : batch_script.status;
	for (i = 0; i < n && i < DB_BATCH_MAX; i++) {
		int rows = st == DB_OK ? batch_script.rows[i] : 0;

		items[i].rows = rows > 0 ? (unsigned long long)rows : 0;
		items[i].alone = rows < 0;
	}
	/* A retry after a lost connection may succeed: uncertain either way. */
	*uncertain = batch_script.uncertain;
	pthread_mutex_unlock(&mu);
	if (st != DB_OK)
		set_error(db, st);
	return st;
}

void
fake_db_ping_answer(enum db_status status)
{
	pthread_mutex_lock(&mu);
	ping_status = status;
	pthread_mutex_unlock(&mu);
}

enum db_status
db_ping(struct db *db)
{
	enum db_status st;

	pthread_mutex_lock(&mu);
	record(db, FAKE_PING, -1, -1);
	st = ping_status;
	pthread_mutex_unlock(&mu);
	if (st != DB_OK)
		set_error(db, st);
	return st;
}

size_t
fake_db_count(enum fake_call_kind kind, int id)
{
	size_t n = 0;
	int k;

	pthread_mutex_lock(&mu);
	if (id >= 0)
		n = counts[kind][(kind == FAKE_EXEC_ADMIN ? FAKE_ADMIN(id) : id) + 1];
	else
		for (k = 0; k <= FAKE_STMT_KEYS; k++)
			n += counts[kind][k];
	pthread_mutex_unlock(&mu);
	return n;
}

size_t
fake_db_ncalls(void)
{
	return locked(&ncalls);
}

size_t
fake_db_writes(void)
{
	return locked(&writes);
}

int
fake_db_call(size_t i, struct fake_call *out)
{
	int ok;

	pthread_mutex_lock(&mu);
	ok = i < ncalls && i < FAKE_LOG_MAX;
	if (ok)
		*out = calls[i];
	pthread_mutex_unlock(&mu);
	return ok;
}

int
fake_db_handles(void)
{
	return (int)locked(&handles);
}

/* ---------------------------------------------------------------- handles */

static struct db *
open_handle(const struct config *cfg, int admin, int committer)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->generation = cfg->generation;
	db->admin = admin;
	db->committer = committer;
	pthread_mutex_lock(&mu);
	handles++;
	pthread_mutex_unlock(&mu);
	return db;
}

struct db *
db_open(const struct config *cfg, int admin)
{
	return open_handle(cfg, admin, 0);
}

struct db *
db_open_committer(const struct config *cfg)
{
	return open_handle(cfg, 0, 1);
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	pthread_mutex_lock(&mu);
	handles--;
	pthread_mutex_unlock(&mu);
	free(db);
}

unsigned long
db_generation(const struct db *db)
{
	return db->generation;
}

void
db_set_config(struct db *db, const struct config *cfg)
{
	pthread_mutex_lock(&mu);
	db->generation = cfg->generation;
	record(db, FAKE_SET_CONFIG, -1, -1);
	pthread_mutex_unlock(&mu);
}

const char *
db_last_error(const struct db *db)
{
	return db->err;
}

int
db_library_init(void)
{
	return 0;
}

void
db_thread_init(void)
{
}

void
db_thread_end(void)
{
	pthread_mutex_lock(&mu);
	held_at(FAKE_HOLD_THREAD_END);
	pthread_mutex_unlock(&mu);
}

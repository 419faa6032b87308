/* SPDX-License-Identifier: ISC */
/*
 * db.c — the database edge. Each worker thread owns one struct db: one
 * connection, its prepared statements, and where it is in the host list.
 *
 * Failure policy (README, "Database failures"): every call is bounded by the connect/read/write
 * timeouts; after a failed connect the handle answers "unavailable" at once
 * for a short back-off instead of paying the connect timeout on every
 * request; deadlocks, lock-wait timeouts, Galera's "not ready" and lost
 * connections are retried up to cfg->retries times, reconnecting (and so
 * re-preparing) and moving to the next host where that helps.
 *
 * Host list (README, "Running on a Galera cluster"): the hosts are tried in
 * the order listed, the first being the one this worker prefers (its
 * local Galera node). A host that refuses a connection, is not ready or
 * loses one mid-statement is "down" for failback_interval for every
 * thread of the process: they connect elsewhere at once instead of each
 * paying its timeout. A handle on a later host tries the earlier ones
 * again once per failback_interval, one thread of the process at a time,
 * and moves back when one connects and is ready.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "stmts.h"
#include "util.h"

#define BACKOFF_MS 1000
#define MAX_STMTS \
	((int)STMT_COUNT > (int)ADMIN_STMT_COUNT ? (int)STMT_COUNT : (int)ADMIN_STMT_COUNT)

_Static_assert(CONFIG_MAX_HOSTS <= 32, "a bit per host in an unsigned int");

/* Batched statements, per form one per size class 1, 2, 4 ... DB_BATCH_MAX. */
#define BATCH_CLASSES 8

struct db {
	const struct config *cfg;
	unsigned long generation; /* of cfg, kept while cfg may be stale */
	int admin;
	MYSQL *conn; /* NULL while disconnected */
	MYSQL_STMT *stmts[MAX_STMTS];
	size_t nstmts;
	MYSQL_STMT *batch[STMTS_BATCH_FORMS][BATCH_CLASSES]; /* prepared on first use */
	int committer;		     /* batches only: short lock waits, no retry */
	int connected_before;	     /* a connect now is a reconnect (metrics) */
	size_t host;		     /* index of the host connected to (or last tried) */
	long long failback_at_ms;    /* on a later host: try the earlier ones from then */
	long long retry_after_ms;    /* no connect attempt before this... */
	enum db_status retry_status; /* ...and this is the answer meanwhile */
	char err[96];
};

int
db_library_init(void)
{
	return mysql_library_init(0, NULL, NULL);
}

void
db_thread_init(void)
{
	mysql_thread_init();
}

void
db_thread_end(void)
{
	mysql_thread_end();
}

static const struct sql_text *
stmt_text(const struct db *db, size_t i)
{
	return db->admin ? &db->cfg->admin_stmts[i] : &db->cfg->stmts[i];
}

static void
set_error(struct db *db, const char *what, unsigned int code)
{
	snprintf(db->err, sizeof(db->err), "%s: error %u", what, code);
	metrics_db_error();
}

static void
disconnect(struct db *db)
{
	size_t i, f;

	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i] != NULL) {
			mysql_stmt_close(db->stmts[i]);
			db->stmts[i] = NULL;
		}
	for (f = 0; f < STMTS_BATCH_FORMS; f++)
		for (i = 0; i < BATCH_CLASSES; i++)
			if (db->batch[f][i] != NULL) {
				mysql_stmt_close(db->batch[f][i]);
				db->batch[f][i] = NULL;
			}
	if (db->conn != NULL) {
		mysql_close(db->conn);
		db->conn = NULL;
	}
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "host:port", or the socket path: where host i is, for messages. */
static void
host_name(const struct config *c, size_t i, char *out, size_t cap)
{
	if (c->db_socket[0] != '\0')
		snprintf(out, cap, "%s", c->db_socket);
	else
		snprintf(out, cap, "%s:%u", c->hosts[i].host, c->hosts[i].port);
}

/* Several hosts to choose from: a host list, not a socket. */
static int
has_alternatives(const struct db *db)
{
	return db->cfg->db_socket[0] == '\0' && db->cfg->nhosts > 1;
}

static size_t
nhosts(const struct db *db)
{
	return db->cfg->db_socket[0] != '\0' || db->cfg->nhosts == 0 ? 1 : db->cfg->nhosts;
}

/*
 * What this process's handles know about the hosts of the list, by index:
 * until down_until a host is tried only after every other one. Read and
 * written only when a connection is made or lost and at a fail-back check,
 * never on the path of a statement that runs. A reload (another
 * generation) starts afresh: the list may have changed.
 */
static pthread_mutex_t hosts_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long hosts_generation;
static long long hosts_down_until[CONFIG_MAX_HOSTS];

/* How long a host that failed is passed over: failback_interval, or the
 * connect back-off when the list never fails back. */
static long long
down_ms(const struct db *db)
{
	return db->cfg->failback_interval ? (long long)db->cfg->failback_interval * 1000
					  : BACKOFF_MS;
}

static void
hosts_sync(const struct db *db)
{
	if (hosts_generation != db->generation) {
		hosts_generation = db->generation;
		memset(hosts_down_until, 0, sizeof(hosts_down_until));
	}
}

static int
host_is_down(const struct db *db, size_t i, long long now)
{
	int down;

	pthread_mutex_lock(&hosts_mu);
	hosts_sync(db);
	down = i < CONFIG_MAX_HOSTS && now < hosts_down_until[i];
	pthread_mutex_unlock(&hosts_mu);
	return down;
}

/* Host i is down until `until` (0: up again). */
static void
host_mark(const struct db *db, size_t i, long long until)
{
	if (i >= CONFIG_MAX_HOSTS)
		return;
	pthread_mutex_lock(&hosts_mu);
	hosts_sync(db);
	hosts_down_until[i] = until;
	pthread_mutex_unlock(&hosts_mu);
}

/* Host i for a fail-back probe: 1 when it was not down, and is now marked
 * down until the probe's end, so other threads do not probe it at once. */
static int
host_claim(const struct db *db, size_t i, long long now)
{
	int claimed = 0;

	pthread_mutex_lock(&hosts_mu);
	hosts_sync(db);
	if (now >= hosts_down_until[i]) {
		hosts_down_until[i] = now + down_ms(db);
		claimed = 1;
	}
	pthread_mutex_unlock(&hosts_mu);
	return claimed;
}

/* A connection to host i, or NULL with db->err set and, when msg is not
 * NULL, the client library's words for it there (they never contain the
 * password). */
static MYSQL *
connect_host(struct db *db, size_t i, char *msg, size_t msglen)
{
	const struct config *c = db->cfg;
	MYSQL *m;
	const char *host = NULL, *sock = NULL;
	unsigned int port = 0;

	if ((m = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &c->connect_timeout);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &c->read_timeout);
	mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &c->write_timeout);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (c->db_socket[0] != '\0') {
		host = "localhost";
		sock = c->db_socket;
	} else {
		host = c->hosts[i].host;
		port = c->hosts[i].port;
	}
	if (mysql_real_connect(m, host, c->db_user, c->db_password[0] ? c->db_password : NULL,
		c->db_name[0] ? c->db_name : NULL, port, sock, 0) == NULL) {
		set_error(db, "connect", mysql_errno(m));
		if (msg != NULL)
			snprintf(msg, msglen, "%s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

enum retry_kind { RETRY_NO = 0, RETRY_SAME, RETRY_RECONNECT, RETRY_NEXT_HOST };

static enum retry_kind
classify(unsigned int code, int *uncertain)
{
	switch (code) {
	case ER_LOCK_DEADLOCK:	   /* 1213, also Galera certification failure */
	case ER_LOCK_WAIT_TIMEOUT: /* 1205 */
		return RETRY_SAME;
	case ER_UNKNOWN_COM_ERROR: /* 1047: Galera node not ready */
	case ER_SERVER_SHUTDOWN:   /* 1053 */
		return RETRY_NEXT_HOST;
	case CR_SERVER_LOST: /* 2013: the statement may have run */
	case ER_CONNECTION_KILLED:
		*uncertain = 1;
		return RETRY_RECONNECT;
	case CR_SERVER_GONE_ERROR: /* 2006 */
	case CR_COMMANDS_OUT_OF_SYNC:
	case CR_SERVER_LOST_EXTENDED:
		return RETRY_RECONNECT;
	default:
		return RETRY_NO;
	}
}

/*
 * A Galera node outside the primary component (joining, donating, cut off
 * from the others) accepts connections, SET and SELECT 1, but refuses every
 * table (1047) and fails a causal read at once as a lock wait timeout
 * (1205). Asked before a connection of a host list is used and when a 1205
 * could mean that, so a thread moves on instead of spending its attempts
 * there. A server without Galera (wsrep_on off, or unknown to it) is ready.
 */
static int
node_ready(MYSQL *m)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	unsigned int code;
	int ready = 1;

	if (mysql_query(m,
		"SELECT @@global.wsrep_on, VARIABLE_VALUE FROM "
		"information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY'") != 0) {
		code = mysql_errno(m);
		return !(code >= CR_MIN_ERROR && code <= CR_MAX_ERROR); /* lost: not ready */
	}
	if ((r = mysql_store_result(m)) == NULL)
		return 0;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL && strcmp(row[0], "1") == 0)
		ready = row[1] != NULL && strcmp(row[1], "ON") == 0;
	mysql_free_result(r);
	return ready;
}

/* The session settings every connection starts with: 0, or the MariaDB
 * error code of the one that failed. */
static unsigned int
set_session(struct db *db)
{
	unsigned int code;
	char q[64];

	/* A batch must never wait for a locked row: that would hold up
	 * every request in it and every one queued behind it. It gives up
	 * at once and hands its requests back to run alone (batch.c), where
	 * only the locked row's owner waits, and not longer than
	 * lock_wait_timeout, so a user whose rows another client holds
	 * cannot tie up the threads everybody else needs. */
	snprintf(q, sizeof(q), "SET SESSION innodb_lock_wait_timeout = %u",
	    db->committer ? 0 : db->cfg->lock_wait_timeout);
	if (mysql_query(db->conn, q) != 0) {
		set_error(db, "innodb_lock_wait_timeout", code = mysql_errno(db->conn));
		return code;
	}
	/* Galera's causal reads (README, "Running on a Galera cluster"), but
	 * not for a batch of plain logouts: a DELETE of the very row that
	 * proves the session, and a delete of a row another node has already
	 * deleted cannot commit (the two write-sets conflict and this one
	 * fails certification: 1213, the batch is handed back). So it needs
	 * no wait, which would cost every batch a round through the group.
	 * The mixed batch reads rows it may not delete (the bearer's session
	 * of a refresh-token logout) and must find sessions written through
	 * another node (a logout of every session), and the gate's check
	 * must see a logout made through another node: they wait, by a SET
	 * STATEMENT of their own (batch_text). */
	if (db->cfg->wsrep_sync_wait >= 0) {
		snprintf(q, sizeof(q), "SET SESSION wsrep_sync_wait = %d",
		    db->committer ? 0 : db->cfg->wsrep_sync_wait);
		if (mysql_query(db->conn, q) != 0) {
			set_error(db, "wsrep_sync_wait", code = mysql_errno(db->conn));
			return code;
		}
	}
	/* The mixed batch's OR of (hash, user) pairs over three indexes is
	 * weighed as an index merge at every execution: measured, a third
	 * of the server's time for the statement, where the range of its
	 * user ids (stmts.c) serves as well. No other statement runs on
	 * this handle. */
	if (db->committer &&
	    mysql_query(db->conn, "SET SESSION optimizer_switch = 'index_merge=off'") != 0) {
		set_error(db, "optimizer_switch", code = mysql_errno(db->conn));
		return code;
	}
	return 0;
}

/* 0, or the MariaDB error code of the step that failed. */
static unsigned int
prepare_all(struct db *db)
{
	unsigned int code;
	size_t i;

	if ((code = set_session(db)) != 0)
		return code;
	for (i = 0; i < db->nstmts; i++) {
		const struct sql_text *t = stmt_text(db, i);

		if (t->sql[0] == '\0')
			continue; /* not used by this configuration */
		if ((db->stmts[i] = mysql_stmt_init(db->conn)) == NULL) {
			set_error(db, "stmt_init", code = mysql_errno(db->conn));
			return code ? code : CR_OUT_OF_MEMORY;
		}
		if (mysql_stmt_prepare(db->stmts[i], t->sql, strlen(t->sql)) != 0) {
			set_error(db, "prepare", code = mysql_stmt_errno(db->stmts[i]));
			return code;
		}
	}
	return 0;
}

/* Connect to host i, check that it is ready and prepare the statements
 * there: 0, or the MariaDB error code of the step that failed (the handle
 * is then disconnected). */
static unsigned int
open_host(struct db *db, size_t i)
{
	unsigned int code;

	if ((db->conn = connect_host(db, i, NULL, 0)) == NULL)
		return CR_CONN_HOST_ERROR;
	db->host = i;
	if (has_alternatives(db) && !node_ready(db->conn)) {
		set_error(db, "not ready", ER_UNKNOWN_COM_ERROR);
		disconnect(db);
		return ER_UNKNOWN_COM_ERROR;
	}
	if ((code = prepare_all(db)) != 0)
		disconnect(db);
	return code;
}

/* Connect to the first host in list order that answers and is ready, those
 * found down lately last, and prepare the statements there. A statement
 * the server rejects for good (a schema or [sql] mistake) is DB_ERROR;
 * anything transient moves on to the next host. Whatever failed, the
 * handle then answers the same status at once for BACKOFF_MS instead of
 * reconnecting on every request. */
static enum db_status
ensure_connected(struct db *db)
{
	size_t n = nhosts(db), i;
	enum db_status st = DB_UNAVAILABLE;
	long long t = now_ms();
	unsigned int tried = 0; /* bit per host */
	int pass;

	if (db->conn != NULL)
		return DB_OK;
	if (t < db->retry_after_ms)
		return db->retry_status;
	for (pass = 0; pass < 2 && st != DB_ERROR; pass++)
		for (i = 0; i < n; i++) {
			unsigned int code;
			int uncertain = 0;

			if ((tried & (1u << i)) || host_is_down(db, i, t) != pass)
				continue;
			tried |= 1u << i;
			if ((code = open_host(db, i)) == 0) {
				if (db->connected_before)
					metrics_db_reconnect();
				db->connected_before = 1;
				if (i > 0)
					db->failback_at_ms =
					    t + (long long)db->cfg->failback_interval * 1000;
				if (pass == 1)
					host_mark(db, i, 0);
				return DB_OK;
			}
			if (code != CR_CONN_HOST_ERROR && classify(code, &uncertain) == RETRY_NO) {
				log_err("cannot prepare the statements (%s): check the [sql] "
					"section and the schema",
				    db->err);
				st = DB_ERROR;
				break;
			}
			if (n > 1)
				host_mark(db, i, t + down_ms(db));
		}
	if (st == DB_UNAVAILABLE)
		log_warn("database unavailable (%s)", db->err);
	db->retry_after_ms = t + BACKOFF_MS;
	db->retry_status = st;
	return st;
}

/*
 * On a later host of the list, once per failback_interval: try the earlier
 * ones, in order, and move to the first that connects and is ready. Only
 * one thread of the process probes a host at a time (host_claim); a probe
 * that fails marks it down for another interval. The probe costs the
 * request that makes it at most connect_timeout, and only when the host
 * does not answer at all.
 */
static void
fail_back(struct db *db)
{
	long long t;
	size_t i, from = db->host;
	int probed = 0;

	if (db->conn == NULL || db->host == 0 || db->cfg->failback_interval == 0 ||
	    !has_alternatives(db))
		return;
	if ((t = now_ms()) < db->failback_at_ms)
		return;
	for (i = 0; i < from; i++) {
		MYSQL *m;

		if (!host_claim(db, i, t))
			continue;
		probed = 1;
		if ((m = connect_host(db, i, NULL, 0)) == NULL)
			continue;
		if (!node_ready(m)) {
			mysql_close(m);
			continue;
		}
		disconnect(db);
		db->conn = m;
		db->host = i;
		if (prepare_all(db) != 0) {
			disconnect(db); /* the next attempt connects where it can */
			return;
		}
		host_mark(db, i, 0);
		metrics_db_reconnect();
		log_info("database: back on host %zu of the list", i + 1);
		return;
	}
	/* Nothing earlier is up: ask again in an interval, or in a moment
	 * when another thread's probe was under way. */
	db->failback_at_ms =
	    t + (probed ? (long long)db->cfg->failback_interval * 1000 : BACKOFF_MS);
}

struct db *
db_open(const struct config *cfg, int admin)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = cfg;
	db->generation = cfg->generation;
	db->admin = admin;
	db->nstmts = admin ? ADMIN_STMT_COUNT : STMT_COUNT;
	return db;
}

struct db *
db_open_committer(const struct config *cfg)
{
	struct db *db;

	if ((db = db_open(cfg, 0)) == NULL)
		return NULL;
	db->committer = 1;
	db->nstmts = 0; /* runs batches only */
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db);
}

unsigned long
db_generation(const struct db *db)
{
	/* A copy: db->cfg may be a snapshot already freed by a reload. */
	return db->generation;
}

void
db_set_config(struct db *db, const struct config *cfg)
{
	disconnect(db);
	db->cfg = cfg;
	db->generation = cfg->generation;
	db->host = 0;
	db->failback_at_ms = 0;
	db->retry_after_ms = 0;
}

/* The text of the batched statement of a form for n items: stmts.h's,
 * which waits for Galera's causal reads when it reads what it does not
 * delete (set_session). Its length, or -1. */
static int
batch_text(const struct db *db, enum stmts_batch_form form, size_t n, char *out, size_t cap)
{
	int pre = 0, len;

	if (form != STMTS_BATCH_SESSIONS && db->cfg->wsrep_sync_wait > 0 &&
	    (pre = snprintf(out, cap, "SET STATEMENT wsrep_sync_wait = %d FOR ",
		 db->cfg->wsrep_sync_wait)) >= (int)cap)
		return -1;
	if ((len = stmts_batch_sql(form, n, out + pre, cap - (size_t)pre)) < 0)
		return -1;
	return pre + len;
}

/* Whether cfg batches what a form is for: the sessions form its plain
 * logouts and refresh-token logouts of the bearer's own session, the
 * mixed one any refresh-token logout and logout of every session (and
 * the others that share a batch with them), the verify form the gate's. */
static int
batch_form_used(const struct config *cfg, enum stmts_batch_form form)
{
	static const unsigned int uses[STMTS_BATCH_FORMS] = {
	    [STMTS_BATCH_SESSIONS] = STMTS_BIT(STMT_LOGOUT) | STMTS_BIT(STMT_LOGOUT_REFRESH),
	    [STMTS_BATCH_MIXED] = STMTS_BIT(STMT_LOGOUT_ALL) | STMTS_BIT(STMT_LOGOUT_REFRESH),
	    [STMTS_BATCH_VERIFY] = STMTS_BIT(STMT_VERIFY),
	};

	return (cfg->batch_stmts & uses[form]) != 0;
}

/* One statement prepared and closed at once: 0, or -1 with the server's
 * words in msg. */
static int
try_prepare(MYSQL *conn, const char *sql, char *msg, size_t msglen)
{
	MYSQL_STMT *st;
	int rc = 0;

	if ((st = mysql_stmt_init(conn)) == NULL) {
		snprintf(msg, msglen, "%s", mysql_error(conn));
		return -1;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		snprintf(msg, msglen, "%s", mysql_stmt_error(st));
		rc = -1;
	}
	mysql_stmt_close(st);
	return rc;
}

/* Everything db_check tries on one connected host; the number of
 * problems reported. */
static int
check_host(struct db *db, const char *where, db_report_fn report, void *arg)
{
	char msg[512], sql[STMTS_BATCH_SQL_LEN(1) + 64];
	struct db_problem p = {where, DB_CHECK_SESSION, msg};
	enum stmts_batch_form f;
	int problems = 0;
	size_t i;

	if (set_session(db) != 0) {
		snprintf(msg, sizeof(msg), "%s", mysql_error(db->conn));
		report(arg, &p);
		return 1;
	}
	for (i = 0; i < db->nstmts; i++) {
		const char *text = stmt_text(db, i)->sql;

		if (text[0] == '\0' || try_prepare(db->conn, text, msg, sizeof(msg)) == 0)
			continue;
		p.stmt = (int)i;
		report(arg, &p);
		problems++;
	}
	for (f = 0; f < STMTS_BATCH_FORMS && !db->admin; f++)
		if (batch_form_used(db->cfg, f) && batch_text(db, f, 1, sql, sizeof(sql)) >= 0 &&
		    try_prepare(db->conn, sql, msg, sizeof(msg)) != 0) {
			p.stmt = DB_CHECK_BATCH;
			report(arg, &p);
			problems++;
		}
	return problems;
}

int
db_check(struct db *db, db_report_fn report, void *arg)
{
	size_t n = nhosts(db), i;
	char where[CONFIG_STR_MAX + 8], msg[512];
	struct db_problem p = {where, DB_CHECK_CONNECT, msg};
	int problems = 0;

	disconnect(db);
	for (i = 0; i < n; i++) {
		host_name(db->cfg, i, where, sizeof(where));
		if ((db->conn = connect_host(db, i, msg, sizeof(msg))) == NULL) {
			report(arg, &p);
			problems++;
			continue;
		}
		problems += check_host(db, where, report, arg);
		disconnect(db);
	}
	return problems == 0 ? 0 : -1;
}

const char *
db_last_error(const struct db *db)
{
	return db->err;
}

static void
bind_args(MYSQL_BIND *b, const struct sql_text *t, const struct sql_args *args)
{
	size_t i;

	memset(b, 0, sizeof(*b) * t->nparams);
	for (i = 0; i < t->nparams; i++) {
		const struct sql_value *v = &args->v[t->params[i]];

		switch (v->kind) {
		case SQLV_STR:
		case SQLV_BLOB:
			b[i].buffer_type =
			    v->kind == SQLV_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)(uintptr_t)v->ptr;
			b[i].buffer_length = v->len;
			break;
		case SQLV_UINT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)(uintptr_t)&v->u;
			b[i].is_unsigned = 1;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
}

/* The first row's leading columns, as text, into res. */
static int
fetch_first_row(MYSQL_STMT *st, struct db_result *res)
{
	MYSQL_BIND b[DB_ROW_COLS];
	my_bool is_null[DB_ROW_COLS], error[DB_ROW_COLS];
	int i, n = (int)mysql_stmt_field_count(st), rc;

	if (n > DB_ROW_COLS)
		n = DB_ROW_COLS;
	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = res->col[i];
		b[i].buffer_length = DB_COL_MAX;
		b[i].length = &res->col_len[i];
		b[i].is_null = &is_null[i];
		b[i].error = &error[i];
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		return -1;
	rc = mysql_stmt_fetch(st);
	if (rc == 1)
		return -1;
	if (rc == MYSQL_NO_DATA)
		return 0;
	res->ncols = n;
	for (i = 0; i < n; i++) {
		res->col_null[i] = is_null[i] != 0;
		res->col_truncated[i] = res->col_len[i] > DB_COL_MAX;
		res->col[i][res->col_len[i] > DB_COL_MAX ? DB_COL_MAX : res->col_len[i]] = '\0';
		if (res->col_null[i])
			res->col[i][0] = '\0';
	}
	return 0;
}

static int
run_once(
    MYSQL_STMT *st, const struct sql_text *t, const struct sql_args *args, struct db_result *res)
{
	MYSQL_BIND b[SQL_MAX_PARAMS];
	int rc = 0;

	bind_args(b, t, args);
	if (t->nparams > 0 && mysql_stmt_bind_param(st, b) != 0)
		return -1;
	if (mysql_stmt_execute(st) != 0)
		return -1;
	if (mysql_stmt_field_count(st) > 0) {
		if (mysql_stmt_store_result(st) != 0)
			return -1;
		res->rows = mysql_stmt_num_rows(st);
		if (res->rows > 0)
			rc = fetch_first_row(st, res);
		mysql_stmt_free_result(st);
	} else {
		res->rows = mysql_stmt_affected_rows(st);
		res->insert_id = mysql_stmt_insert_id(st);
	}
	return rc;
}

/*
 * Before retrying a deadlock or a lock wait: a random pause of up to
 * 10 ms, doubled per attempt (capped at 160 ms), so that two statements
 * that deadlocked do not meet again at once, as back-to-back retries of a
 * logout-all and the logouts of the same user did.
 */
static void
backoff(int attempt)
{
	unsigned int cap = 10u << (attempt < 4 ? attempt : 4);
	long long ms = 1 + (long long)randombytes_uniform(cap);
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* One attempt at some work on the connection: 0, or the MariaDB error. */
typedef unsigned int (*attempt_fn)(struct db *db, void *arg);

/* The failure policy (file comment) around attempts: connect, run, and on
 * a transient error reconnect or move host and run again. *uncertain is
 * set when an attempt may have committed before its connection was lost. */
static enum db_status
with_retries(struct db *db, const char *what, attempt_fn fn, void *arg, int first, int *uncertain)
{
	int attempt;
	enum db_status st = DB_UNAVAILABLE;

	*uncertain = 0;
	if (first > db->cfg->retries)
		first = db->cfg->retries; /* always one attempt */
	fail_back(db);
	for (attempt = first; attempt <= db->cfg->retries; attempt++) {
		unsigned int code;
		enum retry_kind rk;

		if ((st = ensure_connected(db)) != DB_OK)
			return st;
		if ((code = fn(db, arg)) == 0)
			return DB_OK;
		set_error(db, "execute", code);
		rk = classify(code, uncertain);
		/* With somewhere else to go, a connection lost mid-statement (a
		 * read timeout: the node hangs, or stalls for the group) and a
		 * 1205 from a node that is not ready move on rather than wait
		 * for the same host again. Not asked after a batch: its failed
		 * statement leaves the connection out of step; it disconnects,
		 * and the next connect asks (open_host). */
		if (has_alternatives(db) &&
		    (code == CR_SERVER_LOST ||
			(code == ER_LOCK_WAIT_TIMEOUT && !db->committer && !node_ready(db->conn))))
			rk = RETRY_NEXT_HOST;
		if (rk == RETRY_NO || (rk == RETRY_SAME && db->committer)) {
			if (rk == RETRY_NO)
				log_err("%s failed (%s)", what, db->err);
			/* DELETE ... RETURNING sends its result header before
			 * the rows: an error after it leaves the connection out
			 * of step, so a committer starts the next batch afresh. */
			if (db->committer)
				disconnect(db);
			return DB_ERROR;
		}
		if (attempt < db->cfg->retries)
			metrics_db_retry(code == ER_LOCK_DEADLOCK	? METRICS_RETRY_DEADLOCK
					 : code == ER_LOCK_WAIT_TIMEOUT ? METRICS_RETRY_LOCK_WAIT
					 : rk == RETRY_NEXT_HOST	? METRICS_RETRY_FAILOVER
									: METRICS_RETRY_CONNECTION);
		if (rk != RETRY_SAME) {
			if (rk == RETRY_NEXT_HOST && has_alternatives(db)) {
				host_mark(db, db->host, now_ms() + down_ms(db));
				log_warn("database: host %zu of the list failed (%s), moving on",
				    db->host + 1, db->err);
			}
			disconnect(db);
		} else if (attempt < db->cfg->retries)
			backoff(attempt - first);
		st = DB_UNAVAILABLE;
	}
	log_warn("%s gave up after %d attempts (%s)", what, db->cfg->retries + 1, db->err);
	return st;
}

struct stmt_call {
	size_t id;
	const struct sql_args *args;
	struct db_result *res;
};

static unsigned int
run_stmt(struct db *db, void *arg)
{
	struct stmt_call *c = arg;
	MYSQL_STMT *st = db->stmts[c->id];

	if (run_once(st, stmt_text(db, c->id), c->args, c->res) == 0)
		return 0;
	return mysql_stmt_errno(st) ? mysql_stmt_errno(st) : CR_UNKNOWN_ERROR;
}

static enum db_status
exec_stmt(struct db *db, size_t id, const struct sql_args *args, int first, struct db_result *res)
{
	struct stmt_call c = {id, args, res};
	char what[32];

	res->rows = 0;
	res->insert_id = 0;
	res->ncols = 0;
	if (stmt_text(db, id)->sql[0] == '\0') {
		log_err("statement %zu is not configured", id);
		return DB_ERROR;
	}
	snprintf(what, sizeof(what), "statement %zu", id);
	return with_retries(db, what, run_stmt, &c, first, &res->uncertain);
}

/* The batched statement of a form for size class k: 2^k items. */
static MYSQL_STMT *
batch_stmt(struct db *db, enum stmts_batch_form form, int k, unsigned int *code)
{
	char sql[STMTS_BATCH_SQL_LEN(DB_BATCH_MAX) + 64];
	MYSQL_STMT **st = &db->batch[form][k];

	if (*st != NULL)
		return *st;
	if (batch_text(db, form, (size_t)1 << k, sql, sizeof(sql)) < 0) {
		*code = CR_UNKNOWN_ERROR;
		return NULL;
	}
	if ((*st = mysql_stmt_init(db->conn)) == NULL) {
		*code = CR_OUT_OF_MEMORY;
		return NULL;
	}
	if (mysql_stmt_prepare(*st, sql, strlen(sql)) != 0) {
		*code = mysql_stmt_errno(*st);
		mysql_stmt_close(*st);
		*st = NULL;
		return NULL;
	}
	return *st;
}

struct batch_call {
	struct db_batch_item *items;
	size_t n;
	enum stmts_batch_form form;
	unsigned char by_user[DB_BATCH_MAX]; /* item indexes by user id, then position */
};

_Static_assert(DB_BATCH_MAX <= 256, "an item index in an unsigned char");

/* by_user: insertion sort, stable, so a user's items stay in their order. */
static void
sort_by_user(struct batch_call *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		unsigned char v = (unsigned char)i;

		for (j = i; j > 0 && c->items[c->by_user[j - 1]].user_id > c->items[v].user_id; j--)
			c->by_user[j] = c->by_user[j - 1];
		c->by_user[j] = v;
	}
}

/* Where the user's first item is in by_user (c->n when it has none). */
static size_t
first_of_user(const struct batch_call *c, unsigned long long user)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->items[c->by_user[mid]].user_id < user)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A session the statement ended, to the item whose statement would have
 * ended it: its user's one item that is not DB_END_SESSION (db.h), or else
 * the first of its user's items for that session not yet answered, so that
 * of two requests for the same session only one hears it ended it. A live
 * session the gate's found, to every item that asked about it. */
static void
attribute(
    struct batch_call *c, unsigned long long user, const unsigned char *hash, unsigned long len)
{
	size_t p;

	for (p = first_of_user(c, user); p < c->n; p++) {
		struct db_batch_item *it = &c->items[c->by_user[p]];

		if (it->user_id != user)
			return;
		if (it->kind == DB_LIVE_SESSION) {
			/* Every check of the session hears it is live. */
			if (it->hash_len == len && memcmp(it->hash, hash, len) == 0)
				it->rows = 1;
			continue;
		}
		if (it->kind != DB_END_SESSION) {
			it->rows++;
			return;
		}
		if (it->rows == 0 && it->hash_len == len && memcmp(it->hash, hash, len) == 0) {
			it->rows = 1;
			return;
		}
	}
}

/* A blob, or NULL when there is none. */
static void
bind_blob(MYSQL_BIND *b, const unsigned char *p, unsigned long len)
{
	if (p == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)(uintptr_t)p;
	b->buffer_length = len;
}

/* An id, or NULL when there is none. */
static void
bind_id(MYSQL_BIND *b, const unsigned long long *v)
{
	if (v == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = (void *)(uintptr_t)v;
	b->is_unsigned = 1;
}

/* How an item fits STMTS_BATCH_SESSIONS (stmts.h): a plain logout, or a
 * refresh-token logout naming the bearer's own session by its sid and no
 * jti, ends that session as it is (a pair); one naming it by its jti (and
 * the sid, or none) ends it while it carries that jti (a triple); any
 * other item does not fit. */
enum fit { FIT_NONE = 0, FIT_PAIR, FIT_TRIPLE };

/* A refresh token's sid that is absent or the bearer's own. */
static int
sid_is_bearers(const struct db_batch_item *it)
{
	return it->refresh_sid == NULL || (it->refresh_sid_len == it->hash_len &&
					      memcmp(it->refresh_sid, it->hash, it->hash_len) == 0);
}

static enum fit
sessions_fit(const struct db_batch_item *it)
{
	if (it->kind == DB_END_SESSION)
		return FIT_PAIR;
	if (it->kind != DB_END_REFRESH || !sid_is_bearers(it))
		return FIT_NONE;
	if (it->refresh_jti != NULL)
		return FIT_TRIPLE;
	return it->refresh_sid != NULL ? FIT_PAIR : FIT_NONE;
}

/* Item it in slot i of n, as stmts.h lays out STMTS_BATCH_SESSIONS. */
static void
bind_sessions(MYSQL_BIND *pb, size_t i, size_t n, const struct db_batch_item *it)
{
	enum fit f = sessions_fit(it);

	bind_blob(&pb[i], it->hash, it->hash_len);
	bind_blob(&pb[n + 2 * i], f == FIT_PAIR ? it->hash : NULL, it->hash_len);
	bind_id(&pb[n + 2 * i + 1], &it->user_id);
	bind_blob(&pb[3 * n + 3 * i], f == FIT_TRIPLE ? it->hash : NULL, it->hash_len);
	bind_id(&pb[3 * n + 3 * i + 1], &it->user_id);
	bind_blob(
	    &pb[3 * n + 3 * i + 2], f == FIT_TRIPLE ? it->refresh_jti : NULL, it->refresh_jti_len);
}

/* Item it in slot i of n, as stmts.h lays out STMTS_BATCH_MIXED. */
static void
bind_mixed(MYSQL_BIND *pb, size_t i, size_t n, const struct db_batch_item *it)
{
	const unsigned long long *u = &it->user_id;
	int refresh = it->kind == DB_END_REFRESH;

	bind_id(&pb[i], u);
	if (it->kind == DB_END_SESSION)
		bind_blob(&pb[n + 2 * i], it->hash, it->hash_len);
	else
		bind_blob(&pb[n + 2 * i], refresh ? it->refresh_sid : NULL, it->refresh_sid_len);
	bind_id(&pb[n + 2 * i + 1], u);
	bind_blob(&pb[3 * n + 2 * i], refresh ? it->refresh_jti : NULL, it->refresh_jti_len);
	bind_id(&pb[3 * n + 2 * i + 1], u);
	bind_id(&pb[5 * n + i], it->kind == DB_END_USER ? u : NULL);
	bind_blob(&pb[6 * n + 2 * i], it->hash, it->hash_len);
	bind_id(&pb[6 * n + 2 * i + 1], u);
}

/* Item it in slot i of n, as stmts.h lays out STMTS_BATCH_VERIFY. */
static void
bind_verify(MYSQL_BIND *pb, size_t i, size_t n, const struct db_batch_item *it)
{
	bind_blob(&pb[i], it->hash, it->hash_len);
	bind_blob(&pb[n + 2 * i], it->hash, it->hash_len);
	bind_id(&pb[n + 2 * i + 1], &it->user_id);
}

typedef void (*bind_fn)(MYSQL_BIND *pb, size_t i, size_t n, const struct db_batch_item *it);

static const bind_fn form_binds[STMTS_BATCH_FORMS] = {
    [STMTS_BATCH_SESSIONS] = bind_sessions,
    [STMTS_BATCH_MIXED] = bind_mixed,
    [STMTS_BATCH_VERIFY] = bind_verify,
};

#define BATCH_BINDS 8 /* per item, at most: STMTS_BATCH_MIXED (sessions: 6, verify: 3) */

static unsigned int
run_batch(struct db *db, void *arg)
{
	struct batch_call *c = arg;
	MYSQL_BIND pb[BATCH_BINDS * DB_BATCH_MAX], rb[2];
	unsigned long long user = 0;
	unsigned char got[64];
	unsigned long glen = 0;
	unsigned int code = 0;
	size_t n = 1, i;
	int k = 0, rc;
	MYSQL_STMT *st;

	while (n < c->n) {
		n <<= 1;
		k++;
	}
	if ((st = batch_stmt(db, c->form, k, &code)) == NULL)
		return code;
	memset(pb, 0, sizeof(pb[0]) * BATCH_BINDS * n);
	for (i = 0; i < n; i++) {
		/* Padding repeats the last item: IN ignores duplicates. */
		struct db_batch_item *it = &c->items[i < c->n ? i : c->n - 1];

		if (i < c->n) {
			it->rows = 0;
			it->alone = 0;
		}
		form_binds[c->form](pb, i, n, it);
	}
	memset(rb, 0, sizeof(rb));
	bind_id(&rb[0], &user);
	rb[1].buffer_type = MYSQL_TYPE_BLOB;
	rb[1].buffer = got;
	rb[1].buffer_length = sizeof(got);
	rb[1].length = &glen;
	if (mysql_stmt_bind_param(st, pb) != 0 || mysql_stmt_execute(st) != 0 ||
	    mysql_stmt_bind_result(st, rb) != 0 || mysql_stmt_store_result(st) != 0)
		goto fail;
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
		if (glen <= sizeof(got))
			attribute(c, user, got, glen);
	mysql_stmt_free_result(st);
	if (rc != MYSQL_NO_DATA)
		goto fail;
	/* A triple that ended nothing: gone, or another jti; its own
	 * statement tells which. */
	for (i = 0; i < c->n; i++)
		if (c->form == STMTS_BATCH_SESSIONS && c->items[i].rows == 0 &&
		    sessions_fit(&c->items[i]) == FIT_TRIPLE)
			c->items[i].alone = 1;
	return 0;
fail:
	code = mysql_stmt_errno(st);
	mysql_stmt_free_result(st);
	return code ? code : CR_UNKNOWN_ERROR;
}

enum db_status
db_exec_batch(struct db *db, struct db_batch_item *items, size_t n, int *uncertain)
{
	struct batch_call c = {items, n, STMTS_BATCH_SESSIONS, {0}};
	size_t i, checks = 0;

	*uncertain = 0;
	if (n == 0 || n > DB_BATCH_MAX)
		return DB_ERROR;
	/* The narrower statement when every item ends the bearer's own
	 * session: it finds them by the session index alone. */
	for (i = 0; i < n; i++) {
		checks += items[i].kind == DB_LIVE_SESSION;
		if (sessions_fit(&items[i]) == FIT_NONE)
			c.form = STMTS_BATCH_MIXED;
	}
	if (checks == n)
		c.form = STMTS_BATCH_VERIFY;
	else if (checks > 0)
		return DB_ERROR; /* a check never shares an ending's statement */
	sort_by_user(&c);
	return with_retries(db, c.form == STMTS_BATCH_VERIFY ? "batched verify" : "batched logout",
	    run_batch, &c, 0, uncertain);
}

static unsigned int
ping_once(struct db *db, void *arg)
{
	(void)arg;
	return mysql_ping(db->conn) == 0 ? 0 : mysql_errno(db->conn);
}

enum db_status
db_ping(struct db *db)
{
	int uncertain;

	return with_retries(db, "ping", ping_once, NULL, 0, &uncertain);
}

enum db_status
db_exec(struct db *db, enum stmt_id id, const struct sql_args *args, struct db_result *res)
{
	return exec_stmt(db, (size_t)id, args, 0, res);
}

enum db_status
db_exec_after_batch(
    struct db *db, enum stmt_id id, const struct sql_args *args, struct db_result *res)
{
	return exec_stmt(db, (size_t)id, args, 1, res);
}

enum db_status
db_exec_admin(
    struct db *db, enum admin_stmt_id id, const struct sql_args *args, struct db_result *res)
{
	return exec_stmt(db, (size_t)id, args, 0, res);
}

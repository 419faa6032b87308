/* SPDX-License-Identifier: ISC */
/*
 * ceiling.c — the least work a FastCGI logout can do, as a yardstick for
 * tests/bench/run. Same libfcgi, same thread-per-request model and same
 * socket as logout-fcgi, nothing else:
 *
 *     ceiling --mode fcgi  --listen PATH --threads N
 *         answers 204 at once (the FastCGI ceiling);
 *     ceiling --mode db    --listen PATH --threads N --db-socket S
 *                          --db-user U --db-pass-file F --db-name D
 *         takes h=<hex session hash>&u=<user id> from QUERY_STRING and runs
 *         the logout DELETE, prepared once per thread on the thread's own
 *         connection, one durable autocommit per request: 204 when a row
 *         went, 401 when none did (the "fcgi + db" ceiling);
 *     ceiling --mode batch ... [--committers C] [--max-batch B] [--pipeline 1]
 *         the same answers, but the requests queued while a batch commits
 *         form the next batch: one DELETE ... RETURNING and one commit for
 *         the lot, each request answered after that commit with its own
 *         result (the prototype of batched logouts). --pipeline 1: the
 *         committers take turns, and a committer's turn ends when its
 *         DELETE has run, before its COMMIT: the next batch is taken and
 *         run while the previous one's log flush is under way;
 *     ceiling --mode verify ... (the db options)
 *         the same QUERY_STRING, and the gate's SELECT (is the session
 *         live?) instead of the DELETE: 204 for a row, 401 for none (the
 *         ceiling of the verify route);
 *     ceiling --mode verify-batch ... [--committers C] [--max-batch B]
 *         the gate's answers from shared round trips: the requests queued
 *         while a SELECT runs form the next one, one SELECT ... IN for the
 *         lot (autocommit, no lock), each request answered from the rows
 *         it returned (what verifies sharing a round trip would give).
 *
 * Any mode, --handoff 1: one more thread accepts the connections and hands
 * them to the serving threads through a queue (a lock and a condition
 * variable), as logout-fcgi's acceptor thread does: what that extra hop
 * costs a bare responder.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#define HASHLEN	    32
#define MAX_BATCH   256
#define STMT_LOGOUT "DELETE FROM user_sessions WHERE session_hash = ? AND user_id = ?"
#define REPLY_204   "Status: 204 No Content\r\n\r\n"
#define REPLY_401   "Status: 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
#define REPLY_400   "Status: 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
#define REPLY_500   "Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"

/* The verify route's built-in statement (src/stmts.c). */
static const char stmt_verify[] = "SELECT 1 FROM user_sessions WHERE session_hash = ? "
				  "AND user_id = ? AND expires_at > NOW()";

enum mode { MODE_FCGI, MODE_DB, MODE_BATCH, MODE_VERIFY, MODE_VBATCH };

struct opts {
	enum mode mode;
	const char *listen, *sock, *user, *passfile, *name;
	char pass[256];
	int threads, committers, max_batch, pipeline, handoff;
};

/* One logout waiting in the batch queue; lives on its requester's stack. */
struct item {
	unsigned char hash[HASHLEN];
	unsigned long long uid;
	int status; /* 0 while queued or committing */
	struct item *next;
};

static struct opts o = {.threads = 4, .committers = 1, .max_batch = 128};
static int lfd;
static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcv = PTHREAD_COND_INITIALIZER; /* queue got an item */
static pthread_cond_t dcv = PTHREAD_COND_INITIALIZER; /* a batch committed */
static pthread_mutex_t turn = PTHREAD_MUTEX_INITIALIZER; /* --pipeline */
static struct item *qhead, **qtail = &qhead;

/* Modes whose requests queue for a committer. */
static int
batched(void)
{
	return o.mode == MODE_BATCH || o.mode == MODE_VBATCH;
}

/* --handoff: accepted connections waiting for a serving thread. */
#define HANDOFF_MAX 4096
static int hq[HANDOFF_MAX];
static unsigned hq_head, hq_count;
static pthread_mutex_t hmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hcv = PTHREAD_COND_INITIALIZER;

static void
die(const char *what, MYSQL *m)
{
	fprintf(stderr, "ceiling: %s%s%s\n", what, m ? ": " : "", m ? mysql_error(m) : "");
	exit(1);
}

static MYSQL *
db_connect(void)
{
	MYSQL *m;

	if ((m = mysql_init(NULL)) == NULL)
		die("mysql_init", NULL);
	if (mysql_real_connect(m, NULL, o.user, o.pass[0] ? o.pass : NULL, o.name, 0, o.sock, 0) ==
	    NULL)
		die("connect", m);
	return m;
}

static MYSQL_STMT *
prepare(MYSQL *m, const char *sql)
{
	MYSQL_STMT *st;

	if ((st = mysql_stmt_init(m)) == NULL || mysql_stmt_prepare(st, sql, strlen(sql)) != 0)
		die("prepare", m);
	return st;
}

static void
bind_item(MYSQL_BIND *b, struct item *it, unsigned long *hlen)
{
	b[0].buffer_type = MYSQL_TYPE_BLOB;
	b[0].buffer = it->hash;
	b[0].buffer_length = HASHLEN;
	b[0].length = hlen;
	b[1].buffer_type = MYSQL_TYPE_LONGLONG;
	b[1].buffer = &it->uid;
	b[1].is_unsigned = 1;
}

/* h=<64 hex>&u=<decimal>; 0 when both are there. */
static int
parse_query(const char *q, struct item *it)
{
	const char *u;
	char *end;
	int i;

	if (q == NULL || strncmp(q, "h=", 2) != 0 || (u = strstr(q, "&u=")) == NULL ||
	    u - q != 2 + 2 * HASHLEN)
		return -1;
	for (i = 0; i < HASHLEN; i++) {
		unsigned int v;

		if (sscanf(q + 2 + 2 * i, "%2x", &v) != 1)
			return -1;
		it->hash[i] = (unsigned char)v;
	}
	errno = 0;
	it->uid = strtoull(u + 3, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* Mode db: one statement and one commit per request; mode verify: one
 * SELECT, its rows stored as the worker stores them. */
static int
run_one(MYSQL_STMT *st, struct item *it)
{
	MYSQL_BIND b[2];
	unsigned long hlen = HASHLEN;
	my_ulonglong rows;

	memset(b, 0, sizeof(b));
	bind_item(b, it, &hlen);
	if (mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0)
		return 500;
	if (o.mode != MODE_VERIFY)
		return mysql_stmt_affected_rows(st) == 1 ? 204 : 401;
	if (mysql_stmt_store_result(st) != 0)
		return 500;
	rows = mysql_stmt_num_rows(st);
	mysql_stmt_free_result(st);
	return rows > 0 ? 204 : 401;
}

/* Mode batch: queue the request and sleep until its batch committed. */
static int
run_batched(struct item *it)
{
	it->status = 0;
	it->next = NULL;
	pthread_mutex_lock(&qmu);
	*qtail = it;
	qtail = &it->next;
	pthread_cond_signal(&qcv);
	while (it->status == 0)
		pthread_cond_wait(&dcv, &qmu);
	pthread_mutex_unlock(&qmu);
	return it->status;
}

static MYSQL_STMT *
batch_stmt(MYSQL *m, MYSQL_STMT **cache, int n)
{
	char sql[64 + MAX_BATCH * 16];
	size_t len;
	int i;

	if (cache[n] != NULL)
		return cache[n];
	/* The plain IN gives the optimizer the unique index on session_hash;
	 * the row IN keeps a request from ending another user's session. */
	len = (size_t)snprintf(sql, sizeof(sql), "%s FROM user_sessions WHERE session_hash IN (",
	    o.mode == MODE_VBATCH ? "SELECT session_hash" : "DELETE");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? "," : "");
	len += (size_t)snprintf(sql + len, sizeof(sql) - len, ") AND (session_hash, user_id) IN (");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s(?,?)", i ? "," : "");
	snprintf(sql + len, sizeof(sql) - len, "%s",
	    o.mode == MODE_VBATCH ? ") AND expires_at > NOW()" : ") RETURNING session_hash");
	return cache[n] = prepare(m, sql);
}

/* Execute one batch; res[i] is 204 when item i's row came back deleted.
 * The items' own status is written later, under the queue lock. */
static void
commit_batch(MYSQL *m, MYSQL_STMT **cache, struct item **v, int *res, int n)
{
	MYSQL_BIND pb[3 * MAX_BATCH], rb[1];
	unsigned long hlen = HASHLEN, rlen;
	unsigned char got[HASHLEN];
	MYSQL_STMT *st = batch_stmt(m, cache, n);
	int i, fail = 1;

	memset(pb, 0, sizeof(pb));
	memset(rb, 0, sizeof(rb));
	for (i = 0; i < n; i++) {
		res[i] = 401;
		pb[i].buffer_type = MYSQL_TYPE_BLOB;
		pb[i].buffer = v[i]->hash;
		pb[i].buffer_length = HASHLEN;
		pb[i].length = &hlen;
		bind_item(&pb[n + 2 * i], v[i], &hlen);
	}
	rb[0].buffer_type = MYSQL_TYPE_BLOB;
	rb[0].buffer = got;
	rb[0].buffer_length = sizeof(got);
	rb[0].length = &rlen;
	if (mysql_stmt_bind_param(st, pb) == 0 && mysql_stmt_execute(st) == 0 &&
	    mysql_stmt_bind_result(st, rb) == 0) {
		while (mysql_stmt_fetch(st) == 0)
			for (i = 0; i < n; i++)
				if (rlen == HASHLEN && !memcmp(got, v[i]->hash, HASHLEN))
					res[i] = 204;
		fail = 0;
	}
	mysql_stmt_free_result(st);
	for (i = 0; fail && i < n; i++)
		res[i] = 500;
}

/* Takes whatever is queued (up to max_batch), runs it, wakes the owners. */
static void *
committer(void *arg)
{
	MYSQL_STMT *cache[MAX_BATCH + 1] = {0};
	struct item *v[MAX_BATCH], *it;
	MYSQL *m = db_connect();
	int res[MAX_BATCH], i, n;

	(void)arg;
	if (o.pipeline && mysql_autocommit(m, 0) != 0)
		die("autocommit", m);
	for (;;) {
		if (o.pipeline)
			pthread_mutex_lock(&turn);
		pthread_mutex_lock(&qmu);
		while (qhead == NULL)
			pthread_cond_wait(&qcv, &qmu);
		for (n = 0; qhead != NULL && n < o.max_batch; n++) {
			it = qhead;
			qhead = it->next;
			v[n] = it;
		}
		if (qhead == NULL)
			qtail = &qhead;
		pthread_mutex_unlock(&qmu);
		commit_batch(m, cache, v, res, n);
		if (o.pipeline) {
			pthread_mutex_unlock(&turn);
			if (mysql_commit(m) != 0)
				for (i = 0; i < n; i++)
					res[i] = 500;
		}
		/* under the lock the requesters read them under */
		pthread_mutex_lock(&qmu);
		for (i = 0; i < n; i++)
			v[i]->status = res[i];
		pthread_cond_broadcast(&dcv);
		pthread_mutex_unlock(&qmu);
	}
	return NULL;
}

static void *
handoff_main(void *arg)
{
	int fd;

	(void)arg;
	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept4", NULL);
		}
		pthread_mutex_lock(&hmu);
		if (hq_count == HANDOFF_MAX)
			close(fd);
		else
			hq[(hq_head + hq_count++) % HANDOFF_MAX] = fd;
		pthread_mutex_unlock(&hmu);
		pthread_cond_signal(&hcv);
	}
	return NULL;
}

static int
handed_off(void)
{
	int fd;

	pthread_mutex_lock(&hmu);
	while (hq_count == 0)
		pthread_cond_wait(&hcv, &hmu);
	fd = hq[hq_head];
	hq_head = (hq_head + 1) % HANDOFF_MAX;
	hq_count--;
	pthread_mutex_unlock(&hmu);
	return fd;
}

static void *
serve(void *arg)
{
	FCGX_Request r;
	MYSQL_STMT *st = NULL;
	struct item it;
	const char *reply;
	int status;

	(void)arg;
	if (o.mode == MODE_DB || o.mode == MODE_VERIFY)
		st = prepare(db_connect(), o.mode == MODE_DB ? STMT_LOGOUT : stmt_verify);
	if (FCGX_InitRequest(&r, lfd, 0) != 0)
		die("FCGX_InitRequest", NULL);
	for (;;) {
		/* With a descriptor set, libfcgi reads it instead of accepting;
		 * keepConnection keeps the Finish that FCGX_Accept_r starts
		 * with from closing it. */
		if (o.handoff) {
			r.ipcFd = handed_off();
			r.keepConnection = 1;
		}
		if (FCGX_Accept_r(&r) != 0)
			break;
		reply = REPLY_204;
		if (o.mode != MODE_FCGI) {
			if (parse_query(FCGX_GetParam("QUERY_STRING", r.envp), &it) != 0)
				status = 400;
			else
				status = batched() ? run_batched(&it) : run_one(st, &it);
			reply = status == 204	? REPLY_204
				: status == 401 ? REPLY_401
				: status == 400 ? REPLY_400
						: REPLY_500;
		}
		FCGX_PutS(reply, r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ceiling --mode fcgi|db|batch|verify|verify-batch --listen PATH [--threads N]\n"
			"       [--db-socket S --db-user U --db-pass-file F --db-name D]\n"
			"       [--committers C] [--max-batch B] [--pipeline 0|1] [--handoff 0|1]\n");
	exit(2);
}

static void
parse_args(int argc, char **argv)
{
	FILE *f;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "--mode"))
			o.mode = !strcmp(v, "db")	? MODE_DB
				 : !strcmp(v, "batch")	? MODE_BATCH
				 : !strcmp(v, "verify") ? MODE_VERIFY
				 : !strcmp(v, "verify-batch") ? MODE_VBATCH
							: MODE_FCGI;
		else if (!strcmp(k, "--listen"))
			o.listen = v;
		else if (!strcmp(k, "--threads"))
			o.threads = atoi(v);
		else if (!strcmp(k, "--committers"))
			o.committers = atoi(v);
		else if (!strcmp(k, "--max-batch"))
			o.max_batch = atoi(v);
		else if (!strcmp(k, "--pipeline"))
			o.pipeline = atoi(v);
		else if (!strcmp(k, "--handoff"))
			o.handoff = atoi(v);
		else if (!strcmp(k, "--db-socket"))
			o.sock = v;
		else if (!strcmp(k, "--db-user"))
			o.user = v;
		else if (!strcmp(k, "--db-pass-file"))
			o.passfile = v;
		else if (!strcmp(k, "--db-name"))
			o.name = v;
		else
			usage();
	}
	if (i != argc || o.listen == NULL || o.threads < 1 || o.threads > 1024 ||
	    o.committers < 1 || o.max_batch < 1 || o.max_batch > MAX_BATCH)
		usage();
	if (o.passfile != NULL) {
		if ((f = fopen(o.passfile, "r")) == NULL ||
		    fgets(o.pass, sizeof(o.pass), f) == NULL)
			die("password file", NULL);
		fclose(f);
		o.pass[strcspn(o.pass, "\r\n")] = '\0';
	}
}

int
main(int argc, char **argv)
{
	pthread_t *t, hid;
	int i;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0)
		die("library init", NULL);
	/* FCGX_Init turns SIGTERM into "finish after the next request"; the
	 * bench stops the ceilings by SIGTERM and nothing needs finishing. */
	signal(SIGTERM, SIG_DFL);
	if ((lfd = FCGX_OpenSocket(o.listen, 1024)) < 0)
		die("cannot listen", NULL);
	if ((t = calloc((size_t)(o.threads + o.committers), sizeof(*t))) == NULL)
		die("calloc", NULL);
	for (i = 0; batched() && i < o.committers; i++)
		if (pthread_create(&t[o.threads + i], NULL, committer, NULL) != 0)
			die("pthread_create", NULL);
	for (i = 0; i < o.threads; i++)
		if (pthread_create(&t[i], NULL, serve, NULL) != 0)
			die("pthread_create", NULL);
	if (o.handoff && pthread_create(&hid, NULL, handoff_main, NULL) != 0)
		die("pthread_create", NULL);
	fprintf(stderr, "ceiling: serving with %d threads\n", o.threads);
	for (i = 0; i < o.threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}

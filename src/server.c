/* SPDX-License-Identifier: ISC */
/*
 * server.c — the threads of one worker process.
 *
 * The acceptor thread (acceptor.c) takes connections and queues each one
 * whose request is complete; every worker thread owns an FCGX_Request, a
 * database handle and a body buffer, takes the next queued connection,
 * lets libfcgi read the request from it, serves it, and gives the
 * connection back. Workers wait on the queue, never on a client (the
 * next request of a batch waits for the one before it to be sent only
 * while that client is reading: batch.h).
 *
 * Signals are taken by the main thread with sigtimedwait (README,
 * "Signals"):
 * - SIGTERM, SIGQUIT: graceful stop: drain (acceptor_drain: take the
 *   listen backlog, stop listening, serve everything queued and in
 *   flight), bounded by shutdown_timeout; a second one exits at once.
 * - SIGINT: fast stop: the requests being served finish, nothing queued
 *   is started (acceptor_abort).
 * - SIGUSR1: reopen the log files (logrotate).
 * - SIGHUP, SIGUSR2: load the file again. On success a new runtime (the snapshot
 *   and what this process opened for it: runtime.h) replaces the current
 *   one atomically; each thread picks it up at its next request. The old
 *   one is retired and freed by a later tick once no thread still serves a
 *   request with it, so a reload never waits for a client. A file that
 *   fails validation leaves the current one in place.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "acceptor.h"
#include "audit.h"
#include "batch.h"
#include "config.h"
#include "db.h"
#include "exchange.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "render.h"
#include "request.h"
#include "runtime.h"
#include "server.h"

#define OUT_MAX	  2048
#define DRAIN_MAX (256 * 1024) /* more than the acceptor's peek window */

struct server;

struct worker {
	pthread_t tid;
	long pid; /* for audit lines: read once, not a syscall per request */
	struct server *srv;
	struct db *db;
	char *body; /* body_cap bytes */
	size_t body_cap;
	int unread;	 /* the request's input was not read to its end */
	int unread_body; /* the acceptor did not check the body: never read it */
	_Atomic(const struct runtime *) in_use; /* runtime of the request being served */
};

struct server {
	_Atomic(struct runtime *) rt; /* the current snapshot and its state */
	struct runtime **retired;     /* replaced, freed once no request uses them */
	size_t nretired;
	struct acceptor *acc;
	struct worker *ws;
	int nthreads;
	struct batch *batch; /* logout group commit; NULL when off */
	struct batch *gate;  /* the gate's shared SELECTs; NULL when off */
	struct health health; /* the health route's last database check */
	pthread_mutex_t exit_mu;
	pthread_cond_t exit_cv;
	int exited; /* worker threads that have returned */
	atomic_uint serving; /* requests being answered: audit lines wait while others are */
};

static const char *
get_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

/*
 * The runtime for one request. in_use is published before it is checked
 * against the current pointer again, so a reload that swapped in between
 * is seen here and never frees a runtime this thread goes on to use.
 */
static const struct runtime *
acquire_runtime(struct worker *w)
{
	struct runtime *rt;

	do {
		rt = atomic_load(&w->srv->rt);
		atomic_store(&w->in_use, rt);
	} while (rt != atomic_load(&w->srv->rt));
	return rt;
}

/* Make the thread's handle and buffer fit the snapshot. 0 ok, -1 no memory. */
static int
adopt_config(struct worker *w, const struct config *cfg)
{
	if (db_generation(w->db) != cfg->generation)
		db_set_config(w->db, cfg);
	if (w->body_cap < cfg->max_body + 1) {
		char *b = realloc(w->body, cfg->max_body + 1);

		if (b == NULL)
			return -1;
		w->body = b;
		w->body_cap = cfg->max_body + 1;
	}
	return 0;
}

/* Read the body into w->body, never more than max_body + 1 bytes. 0 with
 * x->body set, or -1 refused (413 too large, 400 shorter than said). */
static int
read_body(struct worker *w, FCGX_Request *fr, struct exchange *x)
{
	const struct config *cfg = x->cfg;
	const struct request *req = x->req;
	size_t want = req->content_length >= 0 ? (size_t)req->content_length : cfg->max_body + 1;
	size_t got = 0;

	while (got < want) {
		int n = FCGX_GetStr(w->body + got, (int)(want - got), fr->in);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	/* Take the empty record that ends stdin, so a kept connection (nginx
	 * fastcgi_keep_conn) is clean for the next request. */
	if (req->content_length >= 0 && got == want) {
		char extra;

		if (FCGX_GetStr(&extra, 1, fr->in) != 0) {
			fr->keepConnection = 0; /* more than announced: drop it */
			w->unread = 1;
		}
	}
	if (got > cfg->max_body) {
		fr->keepConnection = 0; /* the rest of the body is still unread */
		w->unread = 1;
		return exchange_refuse(x, REASON_TOO_LARGE);
	}
	if (req->content_length >= 0 && got < want)
		return exchange_refuse(x, REASON_SHORT_BODY);
	x->body = w->body;
	x->bodylen = got;
	return 0;
}

/* The input of a route that reads no body, passed over: read to its end
 * when the acceptor checked all of it (a kept connection stays in step),
 * else left for the lingering close. An authorizer's request has no input
 * of its own to wait for (Apache sends none), so it is never read. */
static void
skip_input(struct worker *w, FCGX_Request *fr, const struct exchange *x)
{
	size_t total = 0;
	int n;

	if (!w->unread_body && !x->req->authorizer) {
		while (
		    total <= DRAIN_MAX && (n = FCGX_GetStr(w->body, (int)w->body_cap, fr->in)) > 0)
			total += (size_t)n;
		if (total <= DRAIN_MAX && FCGX_GetError(fr->in) == 0)
			return;
	}
	fr->keepConnection = 0;
	w->unread = 1;
}

/* Decide the outcome: the checks the params allow, the body, the route. */
static void
handle(struct worker *w, FCGX_Request *fr, struct exchange *x, enum request_err perr)
{
	if (adopt_config(w, x->cfg) != 0)
		exchange_refuse(x, REASON_NO_MEMORY);
	else if (handler_precheck(x, perr) != 0)
		; /* refused before reading stdin */
	else if (x->route->flags & ROUTE_NO_BODY) {
		handler_run(x);
		skip_input(w, fr, x);
		return;
	} else if (w->unread_body)
		/* Announced over max_body, which the precheck refuses; but
		 * whatever the parsers think, an unchecked body is never read. */
		exchange_refuse(x, REASON_TOO_LARGE);
	else {
		if (read_body(w, fr, x) == 0)
			handler_run(x);
		return;
	}
	/* Refused before reading stdin: close rather than reuse a kept
	 * connection with a body still in it. */
	fr->keepConnection = 0;
	w->unread = 1;
}

/* The route label of the outcome's counters: a path that names no served
 * route is "none". */
static int
metrics_route(const struct exchange *x)
{
	return x->route != NULL && x->out.reason != REASON_NOT_FOUND ? (int)x->route->id
								       : METRICS_ROUTE_NONE;
}

static void
serve(struct worker *w, FCGX_Request *fr)
{
	long long start = metrics_request_begin();
	const struct runtime *rt = acquire_runtime(w);
	struct request req;
	struct exchange x;
	enum request_err perr;
	char out[OUT_MAX];
	const char *tail;
	size_t tlen;
	int n;

	w->unread = 0;
	atomic_fetch_add(&w->srv->serving, 1);
	perr = request_parse(&req, rt->cfg, get_param, fr);
	exchange_init(&x, rt->cfg, &req);
	x.db = w->db;
	x.bt = w->srv->batch;
	x.gb = w->srv->gate;
	x.rl = rt->rl;
	x.health = &w->srv->health;
	handle(w, fr, &x, perr);
	x.out.status = render_status(x.cfg, &x.out);
	if ((n = render_response(x.cfg, x.route, &x.out, req.trace_id, out, sizeof(out))) < 0) {
		exchange_refuse(&x, REASON_NO_MEMORY);
		x.out.status = render_status(x.cfg, &x.out);
		n = render_response(x.cfg, x.route, &x.out, req.trace_id, out, sizeof(out));
	}
	/* A client gone mid-response is its loss, not the worker's. */
	FCGX_PutStr(out, n, fr->out);
	if ((tail = render_tail(&x.out, &tlen)) != NULL)
		FCGX_PutStr(tail, (int)tlen, fr->out);
	if (x.cfg->audit_enabled && exchange_audited(&x))
		audit_emit(w->pid, &req, &x.out, atomic_load(&w->srv->serving) == 1);
	metrics_request_end(start, metrics_route(&x), x.out.status, x.out.reason, x.out.sessions);
	exchange_end(&x);
	atomic_store(&w->in_use, NULL);
	/* The last one out writes what waits, before its answer leaves
	 * (libfcgi sends it when the stream is closed). */
	if (atomic_fetch_sub(&w->srv->serving, 1) == 1)
		audit_flush();
}

/*
 * The rest of a refused request's input, so that the web server's kept
 * connection stays in step and can be reused: closing it instead races
 * with the web server, which may already have taken it for its next
 * request. The acceptor checked every record up to the end of the input
 * (and waited for all of it), so libfcgi meets nothing unchecked and no
 * read waits. 0 when the input was read to its end.
 */
static int
drain_input(FCGX_Request *fr, int fd)
{
	char buf[4096];
	size_t total = 0;
	int flags, n, ok;

	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
		return -1;
	while (total <= DRAIN_MAX && (n = FCGX_GetStr(buf, sizeof(buf), fr->in)) > 0)
		total += (size_t)n;
	ok = total <= DRAIN_MAX && FCGX_GetError(fr->in) == 0 && FCGX_HasSeenEOF(fr->in);
	(void)fcntl(fd, F_SETFL, flags);
	return ok ? 0 : -1;
}

/* Would the answer go out without waiting? A web server reads each
 * answer, so this holds but for a client that does not read, which then
 * holds up only its own thread (up to send_timeout), not the next
 * request of its batch. */
static int
writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/*
 * One connection from the acceptor. libfcgi reads BEGIN_REQUEST and
 * PARAMS from ipcFd (already complete, so it does not block); detached
 * makes libfcgi close without its unbounded lingering read if it gives up
 * on the connection, and keepConnection keeps FCGX_Accept_r's opening
 * FCGX_Finish_r from closing a descriptor that is not its own yet. The
 * output is flushed here, then the descriptor taken back before libfcgi's
 * structures are freed, so the acceptor decides how it is closed.
 */
static void
serve_connection(struct worker *w, FCGX_Request *fr, int fd, int unread_body)
{
	enum acceptor_end how;
	int failed, asked_keep;

	fr->keepConnection = 1;
	fr->detached = 1;
	fr->ipcFd = fd;
	if (FCGX_Accept_r(fr) < 0) {
		acceptor_done(w->srv->acc, fd, ACCEPTOR_CLOSED);
		return;
	}
	asked_keep = fr->keepConnection;
	w->unread_body = unread_body;
	serve(w, fr);
	if (w->unread && asked_keep && !unread_body && drain_input(fr, fd) == 0) {
		w->unread = 0;
		fr->keepConnection = 1;
	}
	if (batch_holding() && !writable(fd))
		batch_pass_on();
	failed = FCGX_FClose(fr->err) != 0;
	failed |= FCGX_FClose(fr->out) != 0;
	failed |= FCGX_GetError(fr->in) != 0;
	if (fr->keepConnection && !failed)
		how = ACCEPTOR_KEEP;
	else if (w->unread) {
		/* Tell the web server at once that this connection is done, so
		 * it does not reuse a kept one for its next request; the
		 * acceptor then drains the unread input before closing. */
		how = ACCEPTOR_LINGER;
		(void)shutdown(fd, SHUT_WR);
	} else
		how = ACCEPTOR_CLOSE;
	fr->ipcFd = -1;
	FCGX_Free(fr, 0);
	acceptor_done(w->srv->acc, fd, how);
	/* Done with this request: the next of its batch, if any, may go. */
	batch_pass_on();
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *srv = w->srv;
	FCGX_Request fr;
	int fd, unread_body;

	db_thread_init();
	/* No listening socket: libfcgi must never accept by itself. */
	if (FCGX_InitRequest(&fr, -1, 0) != 0)
		log_err("cannot initialise a FastCGI request");
	else {
		while ((fd = acceptor_next(srv->acc, &unread_body)) >= 0)
			serve_connection(w, &fr, fd, unread_body);
		FCGX_Free(&fr, 0);
	}
	db_thread_end();
	pthread_mutex_lock(&srv->exit_mu);
	srv->exited++;
	pthread_cond_signal(&srv->exit_cv);
	pthread_mutex_unlock(&srv->exit_mu);
	return NULL;
}

/* A worker under SCHED_BATCH (sched(7)) is never woken ahead of what
 * runs: a burst of them waking (a batch's answers, a burst of requests)
 * does not preempt the web server and its client on the same cores,
 * which carry their answers (README, Performance). The acceptor and the
 * batch threads, one each, keep the normal policy. */
static void
sched_worker(pthread_t tid)
{
	static atomic_int warned;
	struct sched_param sp = {.sched_priority = 0};
	int e;

	if ((e = pthread_setschedparam(tid, SCHED_BATCH, &sp)) != 0 && !atomic_exchange(&warned, 1))
		log_warn("cannot run the threads under SCHED_BATCH (sched_batch): %s; they keep "
			 "the normal policy", strerror(e));
}

/* Start the threads; returns how many run (all of them on success). */
static int
start_workers(struct server *srv)
{
	const struct config *cfg = atomic_load(&srv->rt)->cfg;
	int i;

	for (i = 0; i < srv->nthreads; i++) {
		struct worker *w = &srv->ws[i];

		w->srv = srv;
		w->body_cap = cfg->max_body + 1;
		w->pid = (long)getpid();
		if ((w->db = db_open(cfg, 0)) == NULL || (w->body = malloc(w->body_cap)) == NULL) {
			log_err("out of memory");
			break;
		}
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
			log_err("cannot start thread %d", i);
			break;
		}
		if (cfg->sched_batch)
			sched_worker(w->tid);
	}
	return i;
}

static int
in_use_anywhere(const struct server *srv, const struct runtime *rt)
{
	int i;

	for (i = 0; i < srv->nthreads; i++)
		if (atomic_load(&srv->ws[i].in_use) == rt)
			return 1;
	return 0;
}

/* Free the retired snapshots no request uses any more. */
static void
free_retired(struct server *srv)
{
	size_t i = 0;

	while (i < srv->nretired)
		if (in_use_anywhere(srv, srv->retired[i]))
			i++;
		else {
			runtime_free(srv->retired[i]);
			srv->retired[i] = srv->retired[--srv->nretired];
		}
}

static void
limits_of(const struct config *cfg, struct acceptor_limits *lim)
{
	lim->header_timeout = cfg->header_timeout * 1000;
	lim->idle_timeout = cfg->keepalive_timeout * 1000;
	lim->body_timeout = cfg->body_timeout * 1000;
	lim->write_timeout = cfg->send_timeout * 1000;
	lim->max_params = cfg->max_params;
	lim->max_body = cfg->max_body;
	lim->max_conns = cfg->max_connections;
}

static void
reload(struct server *srv, const char *path)
{
	struct runtime *next = NULL, *old = atomic_load(&srv->rt), **r;
	struct acceptor_limits lim;
	struct config *cfg;
	char err[512];

	if ((cfg = config_load(path, err, sizeof(err))) == NULL ||
	    (next = runtime_open(cfg, old, err, sizeof(err))) == NULL) {
		log_err("reload failed: %s; keeping the current configuration", err);
		config_free(cfg);
		metrics_reloaded(0, 0);
		return;
	}
	if ((r = realloc(srv->retired, (srv->nretired + 1) * sizeof(*r))) == NULL) {
		log_err("reload failed: out of memory; keeping the current configuration");
		runtime_free(next);
		return;
	}
	srv->retired = r;
	if (strcmp(cfg->listen, old->cfg->listen) != 0 || cfg->threads != old->cfg->threads ||
	    cfg->max_connections != old->cfg->max_connections ||
	    cfg->sched_batch != old->cfg->sched_batch)
		log_warn("reload: listen, threads, max_connections and sched_batch take effect at "
			 "the next start");
	limits_of(cfg, &lim);
	acceptor_set_limits(srv->acc, &lim);
	atomic_store(&srv->rt, next);
	/* Requests that started with the old runtime finish with it. */
	srv->retired[srv->nretired++] = old;
	free_retired(srv);
	metrics_reloaded(1, cfg->generation);
	log_reconfigure(&cfg->log_sink, cfg->log_level, &cfg->audit_sink);
	log_info("reloaded configuration from %s", path);
}

/* Wait up to seconds for the worker threads to end; 0 when all did. */
static int
wait_workers(struct server *srv, unsigned seconds)
{
	struct timespec until;
	int rc;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&srv->exit_mu);
	while (srv->exited < srv->nthreads &&
	       pthread_cond_timedwait(&srv->exit_cv, &srv->exit_mu, &until) == 0)
		;
	rc = srv->exited < srv->nthreads ? -1 : 0;
	pthread_mutex_unlock(&srv->exit_mu);
	return rc;
}

/* Signals whose default would end the process but mean nothing here: a
 * stray one (SIGPIPE from a client gone, SIGALRM, a real-time signal) must
 * not stop the service. Faults (SIGSEGV...) keep their default. */
int
server_ignore_signals(void)
{
	static const int ignored[] = {SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF, SIGXFSZ, SIGIO,
	    SIGPWR, SIGSTKFLT, SIGTSTP, SIGTTIN, SIGTTOU};
	struct sigaction sa;
	size_t i;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (sigaction(ignored[i], &sa, NULL) != 0)
			return -1;
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		(void)sigaction(sig, &sa, NULL); /* some are the C library's own */
	return 0;
}

static int
install_signals(sigset_t *set)
{
	if (server_ignore_signals() != 0)
		return -1;
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR2); /* php-fpm's reload signal: the same as SIGHUP */
	sigaddset(set, SIGUSR1); /* reopen log files */
	sigaddset(set, SIGQUIT); /* graceful stop, as SIGTERM */
	/* Inherited by every thread: only the main thread takes these. */
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

/* SIGTERM/SIGQUIT: drain; SIGINT: only what is being served. Then wait
 * for the threads, at most shutdown_timeout; a second stop signal ends the
 * wait. 0 when every thread ended. */
static int
stop(struct server *srv, int sig, const sigset_t *set)
{
	const struct config *cfg = atomic_load(&srv->rt)->cfg;
	struct timespec now = {0, 0};
	unsigned waited = 0;
	int again;

	if (sig == SIGINT) {
		log_info("signal %d: finishing the requests in flight", sig);
		acceptor_abort(srv->acc);
	} else {
		log_info("signal %d: finishing queued and in-flight requests", sig);
		acceptor_drain(srv->acc);
	}
	while (wait_workers(srv, 1) != 0) {
		if (++waited >= cfg->shutdown_timeout) {
			log_err("shutdown_timeout (%u s) passed with requests in flight; exiting",
			    cfg->shutdown_timeout);
			return -1;
		}
		again = sigtimedwait(set, NULL, &now);
		if (again == SIGTERM || again == SIGINT || again == SIGQUIT) {
			log_warn("signal %d again: exiting without waiting", again);
			return -1;
		}
	}
	return 0;
}

int
server_run(struct config *cfg, const char *path, int fd, int nthreads)
{
	struct server srv;
	struct acceptor_limits lim;
	struct timespec tick = {1, 0};
	struct runtime *rt;
	sigset_t set;
	char err[512];
	int started = 0, i, sig, rc = 1;

	if ((rt = runtime_open(cfg, NULL, err, sizeof(err))) == NULL) {
		log_err("%s", err);
		config_free(cfg);
		return 1;
	}
	memset(&srv, 0, sizeof(srv));
	atomic_store(&srv.rt, rt);
	srv.nthreads = nthreads;
	pthread_mutex_init(&srv.health.mu, NULL);
	/* Serving alone: this process makes the counters (a supervisor made
	 * them before forking it otherwise). */
	if (!metrics_opened() && metrics_open(1, err, sizeof(err)) != 0)
		log_warn("%s; serving without", err);
	metrics_process_start(nthreads, cfg->generation);
	pthread_mutex_init(&srv.exit_mu, NULL);
	pthread_cond_init(&srv.exit_cv, NULL);
	if (install_signals(&set) != 0) {
		log_err("cannot install signal handlers");
		goto out;
	}
	if ((srv.ws = calloc((size_t)nthreads, sizeof(*srv.ws))) == NULL)
		goto out;
	limits_of(cfg, &lim);
	if ((srv.acc = acceptor_start(fd, &lim, err, sizeof(err))) == NULL) {
		log_err("%s", err);
		goto out;
	}
	/* Decided at start, like threads: a reload may switch them off.
	 * One thread never has a request queued behind another: nothing
	 * to share, so no thread and connection for it. */
	if (nthreads > 1 && (cfg->batch_stmts & ~STMTS_BIT(STMT_VERIFY)))
		srv.batch = batch_start(cfg, BATCH_LOGOUTS);
	if (nthreads > 1 && (cfg->batch_stmts & STMTS_BIT(STMT_VERIFY)))
		srv.gate = batch_start(cfg, BATCH_VERIFIES);
	if ((started = start_workers(&srv)) != nthreads) {
		srv.nthreads = started;
		acceptor_drain(srv.acc);
		goto out;
	}
	log_info("serving with %d threads%s%s", nthreads, srv.batch ? ", logouts batched" : "",
	    srv.gate ? ", verifies batched" : "");
	notify_ready("serving");
	for (;;) {
		notify_watchdog();
		metrics_tick();
		audit_flush();
		sig = sigtimedwait(&set, NULL, &tick);
		if (srv.nretired > 0)
			free_retired(&srv);
		if (sig < 0)
			continue;
		if (sig == SIGUSR1) {
			audit_flush(); /* to the file it was meant for */
			log_reopen();
			continue;
		}
		if (sig != SIGHUP && sig != SIGUSR2)
			break;
		notify_reloading();
		reload(&srv, path);
		notify_ready("serving");
	}
	notify_stopping();
	if (stop(&srv, sig, &set) != 0) {
		audit_flush();
		_exit(1); /* threads still serve: leave without freeing what they use */
	}
	log_info("stopped");
	rc = 0;
out:
	for (i = 0; i < started; i++)
		pthread_join(srv.ws[i].tid, NULL);
	acceptor_stop(srv.acc);
	audit_flush();
	/* After the workers: none can queue a logout or a verify any more. */
	batch_stop(srv.batch);
	batch_stop(srv.gate);
	if (srv.ws != NULL) {
		for (i = 0; i < nthreads; i++) {
			db_close(srv.ws[i].db);
			free(srv.ws[i].body);
		}
		free(srv.ws);
	}
	for (i = 0; i < (int)srv.nretired; i++)
		runtime_free(srv.retired[i]);
	free(srv.retired);
	runtime_free(atomic_load(&srv.rt));
	pthread_mutex_destroy(&srv.exit_mu);
	pthread_cond_destroy(&srv.exit_cv);
	pthread_mutex_destroy(&srv.health.mu);
	return rc;
}

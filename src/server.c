/* SPDX-License-Identifier: ISC */
/*
 * server.c — the threads of one worker process.
 *
 * Each thread owns an FCGX_Request, a database handle and a body buffer,
 * and serves one request at a time. There is no accept mutex: on Linux the
 * kernel hands each connection to one waiting accept(), and a lock would
 * let a thread idling on a kept connection starve the others (NOTES.md).
 *
 * Signals are taken by the main thread with sigwait.
 * - SIGTERM/SIGINT: set the stop flag, call FCGX_ShutdownPending(), and
 *   interrupt the threads that are waiting for a request (SIGUSR1 without
 *   SA_RESTART, so their accept or read returns EINTR). SIGUSR1 is blocked
 *   while a thread serves a request, so a request is never cut short.
 * - SIGHUP: load the file again. On success the new snapshot replaces the
 *   current one atomically; each thread picks it up at its next request.
 *   The old snapshot is freed once no thread still serves a request with
 *   it. A file that fails validation leaves the current one in place.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "audit.h"
#include "batch.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "render.h"
#include "request.h"
#include "server.h"

#define OUT_MAX 2048

struct server;

struct worker {
	pthread_t tid;
	long pid; /* for audit lines: read once, not a syscall per request */
	struct server *srv;
	struct db *db;
	char *body; /* body_cap bytes */
	size_t body_cap;
	_Atomic(const struct config *) in_use; /* snapshot of the request being served */
	atomic_int idle;		       /* waiting for a request: safe to interrupt */
	atomic_int done;
};

struct server {
	_Atomic(struct config *) cfg; /* the current snapshot */
	atomic_int stopping;
	int fd;
	struct worker *ws;
	int nthreads;
	struct batch *batch; /* logout group commit; NULL when off */
};

static void
on_wake(int sig)
{
	(void)sig; /* only there to interrupt a blocking call */
}

static const char *
get_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

/*
 * The snapshot for one request. in_use is published before it is checked
 * against the current pointer again, so a reload that swapped in between
 * is seen here and never frees a snapshot this thread goes on to use.
 */
static const struct config *
acquire_config(struct worker *w)
{
	struct config *c;

	do {
		c = atomic_load(&w->srv->cfg);
		atomic_store(&w->in_use, c);
	} while (c != atomic_load(&w->srv->cfg));
	return c;
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

/* Read the body into w->body, never more than max_body + 1 bytes. Returns
 * its length, or -1 with resp set (413 too large, 400 shorter than said). */
static long
read_body(struct worker *w, const struct config *cfg, FCGX_Request *fr, const struct request *req,
    struct response *resp, struct audit_event *ev)
{
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

		if (FCGX_GetStr(&extra, 1, fr->in) != 0)
			fr->keepConnection = 0; /* more than announced: drop it */
	}
	if (got > cfg->max_body) {
		fr->keepConnection = 0; /* the rest of the body is still unread */
		response_error(resp, HERR_TOO_LARGE);
		ev->event = "refused";
		ev->reason = "payload too large";
		return -1;
	}
	if (req->content_length >= 0 && got < want) {
		response_error(resp, HERR_BAD_REQUEST);
		ev->event = "refused";
		ev->reason = "body shorter than Content-Length";
		return -1;
	}
	return (long)got;
}

static void
serve(struct worker *w, FCGX_Request *fr)
{
	const struct config *cfg = acquire_config(w);
	struct request req;
	struct response resp;
	struct audit_event ev;
	enum request_err perr;
	char out[OUT_MAX];
	long blen;
	int n;

	memset(&resp, 0, sizeof(resp));
	memset(&ev, 0, sizeof(ev));
	ev.pid = w->pid;
	perr = request_parse(&req, cfg, get_param, fr);
	if (adopt_config(w, cfg) != 0) {
		response_error(&resp, HERR_INTERNAL);
		ev.event = "refused";
		ev.reason = "out of memory";
	} else if (!handler_precheck(cfg, &req, perr, &resp, &ev)) {
		/* Refused before reading stdin: close rather than reuse a kept
		 * connection with a body still in it. */
		fr->keepConnection = 0;
	} else if ((blen = read_body(w, cfg, fr, &req, &resp, &ev)) >= 0)
		handler_run(cfg, w->db, w->srv->batch, &req, w->body, (size_t)blen, &resp, &ev);
	ev.status = render_status(cfg, &resp);
	if ((n = render_response(cfg, &resp, req.trace_id, out, sizeof(out))) < 0) {
		response_error(&resp, HERR_INTERNAL);
		ev.status = 500;
		n = render_response(cfg, &resp, req.trace_id, out, sizeof(out));
	}
	/* A client gone mid-response is its loss, not the worker's. */
	FCGX_PutStr(out, n, fr->out);
	if (cfg->audit_enabled)
		audit_emit(&req, &ev);
	atomic_store(&w->in_use, NULL);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct timespec pause = {0, 100 * 1000 * 1000};
	FCGX_Request fr;
	sigset_t wake;

	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR1);
	db_thread_init();
	if (FCGX_InitRequest(&fr, w->srv->fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("cannot initialise a FastCGI request");
		goto out;
	}
	while (!atomic_load(&w->srv->stopping)) {
		int rc;

		atomic_store(&w->idle, 1);
		pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
		if (atomic_load(&w->srv->stopping))
			break;
		rc = FCGX_Accept_r(&fr);
		/* From here on a shutdown wake-up must not cut the request short:
		 * it stays pending, and the next unblock takes it. */
		pthread_sigmask(SIG_BLOCK, &wake, NULL);
		atomic_store(&w->idle, 0);
		if (rc < 0) {
			if (atomic_load(&w->srv->stopping))
				break;
			if (rc != -EINTR) {
				/* EMFILE and friends: do not spin on them. */
				log_warn("accept failed: %s", strerror(-rc));
				nanosleep(&pause, NULL);
			}
			continue;
		}
		serve(w, &fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Finish_r(&fr);
	FCGX_Free(&fr, 1);
out:
	db_thread_end();
	atomic_store(&w->done, 1);
	return NULL;
}

/* Interrupt waiting threads until every one has left its loop. */
static void
stop_workers(struct server *srv, int n)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	int i, left;

	atomic_store(&srv->stopping, 1);
	FCGX_ShutdownPending();
	do {
		left = 0;
		for (i = 0; i < n; i++) {
			if (atomic_load(&srv->ws[i].done))
				continue;
			left++;
			if (atomic_load(&srv->ws[i].idle))
				pthread_kill(srv->ws[i].tid, SIGUSR1);
		}
		if (left)
			nanosleep(&tick, NULL);
	} while (left);
	for (i = 0; i < n; i++)
		pthread_join(srv->ws[i].tid, NULL);
}

/* Start the threads; returns how many run (all of them on success). */
static int
start_workers(struct server *srv)
{
	const struct config *cfg = atomic_load(&srv->cfg);
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
	}
	return i;
}

static int
in_use_anywhere(const struct server *srv, const struct config *cfg)
{
	int i;

	for (i = 0; i < srv->nthreads; i++)
		if (atomic_load(&srv->ws[i].in_use) == cfg)
			return 1;
	return 0;
}

static void
reload(struct server *srv, const char *path)
{
	struct timespec tick = {0, 5 * 1000 * 1000};
	struct config *next, *old;
	char err[512];

	if ((next = config_load(path, err, sizeof(err))) == NULL ||
	    config_open_state(next, err, sizeof(err)) != 0) {
		log_err("reload failed: %s; keeping the current configuration", err);
		config_free(next);
		return;
	}
	old = atomic_load(&srv->cfg);
	if (strcmp(next->listen, old->listen) != 0 || next->threads != old->threads)
		log_warn("reload: listen and threads take effect at the next start");
	atomic_store(&srv->cfg, next);
	/* Requests that started with the old snapshot finish with it. */
	while (in_use_anywhere(srv, old))
		nanosleep(&tick, NULL);
	config_free(old);
	log_info("reloaded configuration from %s", path);
}

static int
install_signals(sigset_t *set)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = on_wake; /* no SA_RESTART: blocking calls return EINTR */
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return -1;
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	/* Inherited by every thread: only the main thread takes these. */
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

int
server_run(struct config *cfg, const char *path, int fd, int nthreads)
{
	struct server srv;
	sigset_t set;
	int started, i, sig, rc = 1;

	memset(&srv, 0, sizeof(srv));
	atomic_store(&srv.cfg, cfg);
	srv.fd = fd;
	srv.nthreads = nthreads;
	if (install_signals(&set) != 0) {
		log_err("cannot install signal handlers");
		goto out;
	}
	if ((srv.ws = calloc((size_t)nthreads, sizeof(*srv.ws))) == NULL)
		goto out;
	/* Decided at start, like threads: a reload may switch it off. */
	if (cfg->batch_logout)
		srv.batch = batch_start(cfg);
	if ((started = start_workers(&srv)) != nthreads) {
		stop_workers(&srv, started);
		goto out;
	}
	log_info("serving with %d threads%s", nthreads, srv.batch ? ", logouts batched" : "");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		reload(&srv, path);
	}
	log_info("signal %d: finishing in-flight requests", sig);
	stop_workers(&srv, nthreads);
	log_info("stopped");
	rc = 0;
out:
	/* After the workers: none can queue a logout any more. */
	batch_stop(srv.batch);
	if (srv.ws != NULL) {
		for (i = 0; i < nthreads; i++) {
			db_close(srv.ws[i].db);
			free(srv.ws[i].body);
		}
		free(srv.ws);
	}
	config_free(atomic_load(&srv.cfg));
	return rc;
}

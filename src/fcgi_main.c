/*
 * fcgi_main.c — the worker process: options, the listening socket, one
 * thread per FCGX_Request (each with its own database handle), signals.
 *
 * Shutdown: SIGTERM/SIGINT are taken by the main thread with sigwait. It
 * sets the flag, calls FCGX_ShutdownPending(), and interrupts the threads
 * that are waiting for a request (SIGUSR1, no SA_RESTART, so their accept
 * or read returns EINTR); threads busy with a request finish it and then
 * see the flag. No accept mutex: on Linux the kernel hands each connection
 * to one waiting accept(), and a lock would let a thread idling on a kept
 * connection starve the others (NOTES.md).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ac_config.h"

#include <fcgiapp.h>
#include <sodium.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "render.h"
#include "request.h"
#include "util.h"

#define OUT_MAX	       2048
#define LISTEN_BACKLOG 1024

struct worker {
	pthread_t tid;
	const struct config *cfg;
	int listen_fd;
	struct db *db;
	char *body;	 /* max_body + 1 bytes */
	atomic_int idle; /* waiting for a request: safe to interrupt */
	atomic_int done;
};

static atomic_int stopping;

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

/* Read the body into w->body, never more than max_body + 1 bytes. Returns
 * its length, or -1 with resp set (413 too large, 400 shorter than said). */
static long
read_body(struct worker *w, FCGX_Request *fr, const struct request *req, struct response *resp,
    struct audit_event *ev)
{
	size_t want = req->content_length >= 0 ? (size_t)req->content_length : w->cfg->max_body + 1;
	size_t got = 0;

	while (got < want) {
		int n = FCGX_GetStr(w->body + got, (int)(want - got), fr->in);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got > w->cfg->max_body) {
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
	struct request req;
	struct response resp;
	struct audit_event ev;
	enum request_err perr;
	char out[OUT_MAX];
	long blen;
	int n;

	memset(&resp, 0, sizeof(resp));
	memset(&ev, 0, sizeof(ev));
	perr = request_parse(&req, w->cfg, get_param, fr);
	if (handler_precheck(w->cfg, &req, perr, &resp, &ev) &&
	    (blen = read_body(w, fr, &req, &resp, &ev)) >= 0)
		handler_run(w->cfg, w->db, &req, w->body, (size_t)blen, &resp, &ev);
	ev.status = render_status(w->cfg, &resp);
	if ((n = render_response(w->cfg, &resp, req.trace_id, out, sizeof(out))) < 0) {
		response_error(&resp, HERR_INTERNAL);
		ev.status = 500;
		n = render_response(w->cfg, &resp, req.trace_id, out, sizeof(out));
	}
	/* A client gone mid-response is its loss, not the worker's. */
	FCGX_PutStr(out, n, fr->out);
	if (w->cfg->audit_enabled)
		audit_emit(&req, &ev);
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
	if (FCGX_InitRequest(&fr, w->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("cannot initialise a FastCGI request");
		goto out;
	}
	while (!atomic_load(&stopping)) {
		int rc;

		atomic_store(&w->idle, 1);
		pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
		if (atomic_load(&stopping))
			break;
		rc = FCGX_Accept_r(&fr);
		/* From here on a shutdown wake-up must not cut the request short:
		 * it stays pending, and the next unblock takes it. */
		pthread_sigmask(SIG_BLOCK, &wake, NULL);
		atomic_store(&w->idle, 0);
		if (rc < 0) {
			if (atomic_load(&stopping))
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

static int
open_listener(const char *addr)
{
	int fd;

	if (addr[0] == '\0') {
		int type;
		socklen_t len = sizeof(type);

		/* spawn-fcgi, mod_fcgid and lighttpd hand us the socket on fd 0. */
		if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
			log_err("standard input is not a socket: start under spawn-fcgi or use "
				"--listen");
			return -1;
		}
		return 0;
	}
	if (addr[0] == '/')
		unlink(addr); /* a stale socket from a previous run */
	if ((fd = FCGX_OpenSocket(addr, LISTEN_BACKLOG)) < 0) {
		log_err("cannot listen on %s", addr);
		return -1;
	}
	/* Only the web server (same group) may reach the socket (NOTES.md). */
	if (addr[0] == '/' && chmod(addr, 0660) != 0) {
		log_err("cannot chmod %s: %s", addr, strerror(errno));
		return -1;
	}
	return fd;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: logout-fcgi [--config PATH] [--threads N] [--listen PATH|HOST:PORT]\n"
		    "                   [--check-config] [--version]\n");
}

struct options {
	const char *config;
	const char *listen;
	int threads;
	int check_only;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"threads", required_argument, NULL, 't'},
	    {"listen", required_argument, NULL, 'l'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long long n;
	int ch;

	o->config = SYSCONFDIR "/logout-fcgi.conf";
	while ((ch = getopt_long(argc, argv, "c:t:l:CVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 't':
			if (util_strtonum(optarg, 1, 256, &n) != 0) {
				fprintf(stderr, "logout-fcgi: --threads must be 1 to 256\n");
				return -1;
			}
			o->threads = (int)n;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'C':
			o->check_only = 1;
			break;
		case 'V':
			printf("%s\n", PACKAGE_STRING);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Interrupt waiting threads until every one has left its loop. */
static void
stop_workers(struct worker *ws, int n)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	int i, left;

	atomic_store(&stopping, 1);
	FCGX_ShutdownPending();
	do {
		left = 0;
		for (i = 0; i < n; i++) {
			if (atomic_load(&ws[i].done))
				continue;
			left++;
			if (atomic_load(&ws[i].idle))
				pthread_kill(ws[i].tid, SIGUSR1);
		}
		if (left)
			nanosleep(&tick, NULL);
	} while (left);
	for (i = 0; i < n; i++)
		pthread_join(ws[i].tid, NULL);
}

/* Start n threads; returns how many run (all of them on success). */
static int
start_workers(struct worker *ws, int n, const struct config *cfg, int fd)
{
	int i;

	for (i = 0; i < n; i++) {
		ws[i].cfg = cfg;
		ws[i].listen_fd = fd;
		if ((ws[i].db = db_open(cfg, 0)) == NULL ||
		    (ws[i].body = malloc(cfg->max_body + 1)) == NULL) {
			log_err("out of memory");
			break;
		}
		if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
			log_err("cannot start thread %d", i);
			break;
		}
	}
	return i;
}

/* Block until SIGTERM or SIGINT; SIGHUP is acknowledged and ignored. */
static int
wait_for_stop(const sigset_t *set)
{
	for (;;) {
		int sig;

		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: configuration reload is not supported; restart to apply");
			continue;
		}
		return sig;
	}
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
main(int argc, char **argv)
{
	struct options opt = {0};
	struct config *cfg = NULL;
	struct worker *ws = NULL;
	char err[512];
	sigset_t set;
	int fd, nthreads, started, rc = 1, sig;

	if (parse_options(argc, argv, &opt) != 0)
		return 2;
	if (sodium_init() < 0 || db_library_init() != 0) {
		log_err("cannot initialise libsodium or the MariaDB client");
		return 1;
	}
	if ((cfg = config_load(opt.config, err, sizeof(err))) == NULL) {
		fprintf(stderr, "logout-fcgi: %s\n", err);
		return 1;
	}
	if (opt.check_only) {
		printf("%s: ok\n", opt.config);
		rc = 0;
		goto out;
	}
	nthreads = opt.threads ? opt.threads : cfg->threads;
	if (install_signals(&set) != 0 || FCGX_Init() != 0)
		goto out;
	if ((fd = open_listener(opt.listen ? opt.listen : cfg->listen)) < 0)
		goto out;
	if ((ws = calloc((size_t)nthreads, sizeof(*ws))) == NULL)
		goto out;
	if ((started = start_workers(ws, nthreads, cfg, fd)) != nthreads) {
		stop_workers(ws, started);
		goto out;
	}
	log_info("serving with %d threads", nthreads);
	sig = wait_for_stop(&set);
	log_info("signal %d: finishing in-flight requests", sig);
	stop_workers(ws, nthreads);
	log_info("stopped");
	rc = 0;
out:
	if (ws != NULL) {
		int i;

		for (i = 0; i < nthreads; i++) {
			db_close(ws[i].db);
			free(ws[i].body);
		}
		free(ws);
	}
	config_free(cfg);
	return rc;
}

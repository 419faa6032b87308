/* SPDX-License-Identifier: ISC */
/*
 * supervisor.c — --workers N: a parent that only forks, watches and signals.
 *
 * The parent loads and validates the configuration before the first fork,
 * so a bad file fails at start-up, not in N children. Each child is a
 * server_run() on the shared listening socket, which the parent keeps open
 * while it runs, so connections queued in the backlog wait for a
 * replacement instead of being refused. A child that dies (a crash, kill
 * -9, or the OOM killer) is replaced at once; when a slot's workers keep
 * dying within FLAP_MS of their start, the slot is restarted after a pause
 * that doubles up to MAX_BACKOFF, checked on the signal loop's one-second
 * tick, so neither signals nor the other slots wait for it.
 * SIGUSR1 reopens the log files here and in every child.
 * SIGHUP (and SIGUSR2) is passed on (each child reloads the file itself)
 * and the parent reloads its own copy, which is what later replacements
 * start with. SIGTERM, SIGQUIT and SIGINT close the parent's copy of the listening
 * socket (so once the children have drained the backlog nothing new
 * queues), are passed on, and the parent exits 0 once every child has
 * finished.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "pidfile.h"
#include "runtime.h"
#include "util.h"
#include "server.h"
#include "supervisor.h"

#define MAX_WORKERS  256
#define FLAP_MS	     1000
#define MAX_BACKOFF  30 /* seconds */

struct child {
	pid_t pid; /* 0: slot empty */
	long long started;    /* ms, monotonic */
	long long restart_at; /* slot empty: when to start it again */
	int flaps;	   /* deaths in a row soon after start */
};

struct supervisor {
	struct config *cfg;
	const char *path;
	int fd;
	int nthreads;
	struct child kids[MAX_WORKERS];
	int n;
	sigset_t set;
};

static pid_t
spawn(struct supervisor *sv, int i)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_err("fork failed: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t chld;

		/* SIGTERM, SIGINT and SIGHUP stay blocked: server_run takes them
		 * with sigtimedwait, and one that arrives before it gets there
		 * waits, pending, instead of killing the fresh child. */
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		notify_forget(); /* the supervisor speaks for its workers */
		pidfile_forget(); /* and holds the pid file's lock */
		metrics_use_slot(i); /* counts go on from the slot's last worker */
		_exit(server_run(sv->cfg, sv->path, sv->fd, sv->nthreads));
	}
	sv->kids[i].pid = pid;
	sv->kids[i].started = util_now_ms();
	return pid;
}

static void
signal_children(const struct supervisor *sv, int sig)
{
	int i;

	for (i = 0; i < sv->n; i++)
		if (sv->kids[i].pid > 0)
			kill(sv->kids[i].pid, sig);
}

static int
slot_of(const struct supervisor *sv, pid_t pid)
{
	int i;

	for (i = 0; i < sv->n; i++)
		if (sv->kids[i].pid == pid)
			return i;
	return -1;
}

static void
describe(int status, char *buf, size_t cap)
{
	if (WIFSIGNALED(status))
		snprintf(buf, cap, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "status %d", WEXITSTATUS(status));
}

/* Reap dead children and schedule their replacements: at once, or after
 * a back-off when the slot keeps dying young. */
static void
reap(struct supervisor *sv)
{
	char how[32];
	pid_t pid;
	int status, i, delay;
	long long now;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = slot_of(sv, pid)) < 0)
			continue;
		now = util_now_ms();
		sv->kids[i].pid = 0;
		metrics_slot_exit(i);
		sv->kids[i].flaps = now - sv->kids[i].started < FLAP_MS ? sv->kids[i].flaps + 1 : 0;
		if (sv->kids[i].flaps > 8)
			sv->kids[i].flaps = 8; /* 1 << 6 is past MAX_BACKOFF already */
		delay = sv->kids[i].flaps <= 1 ? 0 : 1 << (sv->kids[i].flaps - 2);
		if (delay > MAX_BACKOFF)
			delay = MAX_BACKOFF;
		sv->kids[i].restart_at = now + delay * 1000LL;
		describe(status, how, sizeof(how));
		if (delay > 0)
			log_warn("worker %ld exited (%s); restarting in %d s", (long)pid, how, delay);
		else
			log_warn("worker %ld exited (%s); restarting", (long)pid, how);
	}
}

/* Start the empty slots whose time has come. */
static void
restart_due(struct supervisor *sv)
{
	long long now = util_now_ms();
	int i;

	for (i = 0; i < sv->n; i++)
		if (sv->kids[i].pid == 0 && sv->kids[i].restart_at <= now)
			spawn(sv, i);
}

static int
live_children(const struct supervisor *sv)
{
	int i, n = 0;

	for (i = 0; i < sv->n; i++)
		n += sv->kids[i].pid > 0;
	return n;
}

static void
reload(struct supervisor *sv)
{
	struct config *next;
	char err[512];

	signal_children(sv, SIGHUP);
	/* Replacements start with this snapshot (and open its runtime
	 * themselves): a limiter file they could not open fails here, once. */
	if ((next = config_load(sv->path, err, sizeof(err))) == NULL ||
	    runtime_check(next, err, sizeof(err)) != 0) {
		log_err("reload failed: %s; keeping the current configuration", err);
		config_free(next);
		return;
	}
	log_reconfigure(&next->log_sink, next->log_level, &next->audit_sink);
	config_free(sv->cfg);
	sv->cfg = next;
}

int
supervisor_run(struct config *cfg, const char *path, int fd, int nworkers, int nthreads)
{
	struct supervisor sv;
	struct timespec tick = {1, 0};
	int i, sig, shown = -1;
	char err[256];

	memset(&sv, 0, sizeof(sv));
	sv.cfg = cfg;
	sv.path = path;
	sv.fd = fd;
	sv.nthreads = nthreads;
	sv.n = nworkers > MAX_WORKERS ? MAX_WORKERS : nworkers;
	sigemptyset(&sv.set);
	sigaddset(&sv.set, SIGTERM);
	sigaddset(&sv.set, SIGINT);
	sigaddset(&sv.set, SIGHUP);
	sigaddset(&sv.set, SIGUSR2);
	sigaddset(&sv.set, SIGQUIT);
	sigaddset(&sv.set, SIGUSR1);
	sigaddset(&sv.set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sv.set, NULL);
	if (server_ignore_signals() != 0)
		log_warn("cannot ignore stray signals: %s", strerror(errno));
	/* Before the first fork: every worker shares the one mapping. */
	if (metrics_open(sv.n, err, sizeof(err)) != 0)
		log_warn("%s; each worker counts alone", err);
	for (i = 0; i < sv.n; i++)
		if (spawn(&sv, i) < 0) {
			signal_children(&sv, SIGTERM);
			break;
		}
	log_info("supervising %d workers", sv.n);
	notify_ready("supervising workers");
	for (;;) {
		int live = live_children(&sv);

		notify_watchdog();
		metrics_tick();
		if (live != shown)
			notify_status("%d of %d workers running", shown = live, sv.n);
		restart_due(&sv);
		if ((sig = sigtimedwait(&sv.set, NULL, &tick)) < 0)
			continue;
		if (sig == SIGCHLD)
			reap(&sv);
		else if (sig == SIGHUP || sig == SIGUSR2) {
			notify_reloading();
			reload(&sv);
			notify_ready("supervising workers");
		}
		else if (sig == SIGUSR1) {
			log_reopen();
			signal_children(&sv, SIGUSR1);
		} else
			break;
	}
	notify_stopping();
	log_info("signal %d: stopping %d workers", sig, live_children(&sv));
	close(sv.fd); /* the children drain the backlog; nothing new queues */
	/* SIGINT stays a fast stop; SIGQUIT is SIGTERM's graceful one. */
	signal_children(&sv, sig == SIGINT ? SIGINT : SIGTERM);
	while (live_children(&sv) > 0) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid < 0 && errno != EINTR)
			break;
		if (pid > 0 && (i = slot_of(&sv, pid)) >= 0)
			sv.kids[i].pid = 0;
	}
	config_free(sv.cfg);
	log_info("stopped");
	return 0;
}

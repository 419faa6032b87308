/* SPDX-License-Identifier: ISC */
/*
 * supervisor.c — --workers N: a parent that only forks, watches and signals.
 *
 * The parent loads and validates the configuration before the first fork,
 * so a bad file fails at start-up, not in N children. Each child is a
 * server_run() on the shared listening socket. A child that dies (a crash,
 * kill -9, or the OOM killer) is replaced at once; one that dies within a
 * second of its start is replaced after a second, so a worker that cannot
 * start does not turn into a fork loop. SIGHUP is passed on (each child
 * reloads the file itself) and the parent reloads its own copy, which is
 * what later replacements start with. SIGTERM/SIGINT are passed on, and the
 * parent exits 0 once every child has finished its in-flight requests.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"
#include "supervisor.h"

#define MAX_WORKERS 256

struct child {
	pid_t pid; /* 0: slot empty */
	time_t started;
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
		/* The child's server blocks and takes the signals it needs. */
		sigprocmask(SIG_UNBLOCK, &sv->set, NULL);
		_exit(server_run(sv->cfg, sv->path, sv->fd, sv->nthreads));
	}
	sv->kids[i].pid = pid;
	sv->kids[i].started = time(NULL);
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

/* Reap dead children and, unless stopping, replace them. */
static void
reap(struct supervisor *sv, int stopping)
{
	struct timespec wait_a_second = {1, 0};
	char how[32];
	pid_t pid;
	int status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = slot_of(sv, pid)) < 0)
			continue;
		sv->kids[i].pid = 0;
		if (stopping)
			continue;
		describe(status, how, sizeof(how));
		log_warn("worker %ld exited (%s); restarting", (long)pid, how);
		if (time(NULL) - sv->kids[i].started < 1)
			nanosleep(&wait_a_second, NULL);
		spawn(sv, i);
	}
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
	if ((next = config_load(sv->path, err, sizeof(err))) == NULL) {
		log_err("reload failed: %s; keeping the current configuration", err);
		return;
	}
	config_free(sv->cfg);
	sv->cfg = next;
}

int
supervisor_run(struct config *cfg, const char *path, int fd, int nworkers, int nthreads)
{
	struct supervisor sv;
	int i, sig;

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
	sigaddset(&sv.set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sv.set, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sv.n; i++)
		if (spawn(&sv, i) < 0) {
			signal_children(&sv, SIGTERM);
			break;
		}
	log_info("supervising %d workers", sv.n);
	for (;;) {
		if (sigwait(&sv.set, &sig) != 0)
			continue;
		if (sig == SIGCHLD)
			reap(&sv, 0);
		else if (sig == SIGHUP)
			reload(&sv);
		else
			break;
	}
	log_info("signal %d: stopping %d workers", sig, live_children(&sv));
	signal_children(&sv, SIGTERM);
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

/* SPDX-License-Identifier: ISC */
/*
 * supervisor.h — the pre-fork supervisor of --workers N: forks worker
 * processes that share one listening socket, restarts any that dies, and
 * passes SIGTERM, SIGINT and SIGHUP on to them.
 */
#ifndef LOGOUT_SUPERVISOR_H
#define LOGOUT_SUPERVISOR_H

struct config;

/* Returns the supervisor's exit status. Takes ownership of cfg. */
int supervisor_run(struct config *cfg, const char *path, int fd, int nworkers, int nthreads);

#endif

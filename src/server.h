/* SPDX-License-Identifier: ISC */
/*
 * server.h — one worker process: its threads, each with its own FastCGI
 * request and database handle, and its life: serve until SIGTERM/SIGINT,
 * reload on SIGHUP.
 */
#ifndef LOGOUT_SERVER_H
#define LOGOUT_SERVER_H

struct config;

/* Serve fd with nthreads threads until SIGTERM or SIGINT; returns the exit
 * status. Takes ownership of cfg. path is re-read on SIGHUP. The caller has
 * called sodium_init, db_library_init and FCGX_Init. */
int server_run(struct config *cfg, const char *path, int fd, int nthreads);

#endif

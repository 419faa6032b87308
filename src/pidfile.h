/* SPDX-License-Identifier: ISC */
/*
 * pidfile.h — [server] pid_file (--pid-file): the main process's id
 * (the supervisor's under --workers) in a file the process holds locked
 * with flock(2) for as long as it runs. The lock, not the number, tells a
 * live instance: a second one with the same file refuses to start, and a
 * file left by a process that is gone (nothing holds its lock) is taken
 * over. Written before the switch to [server] user, like php-fpm's, so it
 * may live in a directory only root can write (README, "Privileges and the
 * socket").
 *
 * One pid file per process. Errors: -1 with a message in err.
 */
#ifndef LOGOUT_PIDFILE_H
#define LOGOUT_PIDFILE_H

#include <stddef.h>

/* Create or take over path, lock it and write getpid(). -1 with errno
 * EEXIST when another live process holds it ("already running as PID N"),
 * else -1 with errno of the failure. */
int pidfile_open(const char *path, char *err, size_t errlen);

/* In a child process: close the file without touching it (the lock is
 * the main process's). */
void pidfile_forget(void);

/* At a clean stop: remove the file, or empty it when its directory does
 * not let this process (after the switch of user) remove it; then let
 * the lock go. Nothing when no pid file was opened. */
void pidfile_remove(void);

#endif

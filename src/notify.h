/* SPDX-License-Identifier: ISC */
/*
 * notify.h — the service manager's readiness protocol (sd_notify(3)):
 * READY=1 once serving, RELOADING=1 around a reload, STOPPING=1, STATUS=
 * lines, and WATCHDOG=1 keep-alives when the unit sets WatchdogSec. It is
 * one datagram to $NOTIFY_SOCKET, written here rather than linked from
 * libsystemd so that installs without systemd (spawn-fcgi, mod_fcgid,
 * shared hosting) carry no dependency for it. Without NOTIFY_SOCKET every
 * call does nothing.
 */
#ifndef LOGOUT_NOTIFY_H
#define LOGOUT_NOTIFY_H

/* Read NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID, and unset them so
 * that no child process talks to the manager in our name. Call once, in
 * the process the manager started, before any fork. */
void notify_init(void);

/* In a child: never speak to the manager (it would take the child's
 * messages for the main process's, or refuse them). */
void notify_forget(void);

/* Send "NAME=VALUE\n..." lines as they are. */
void notify_send(const char *lines);

/* STATUS=... from a format. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* READY=1 (with a STATUS= line). */
void notify_ready(const char *status);

/* RELOADING=1 with MONOTONIC_USEC, as systemd's Type=notify-reload expects. */
void notify_reloading(void);

void notify_stopping(void);

/* WATCHDOG=1 when at least half the watchdog interval passed since the
 * last one; call it from a loop that runs at least once a second. */
void notify_watchdog(void);

#endif

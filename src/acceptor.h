/* SPDX-License-Identifier: ISC */
/*
 * acceptor.h — the one thread of a worker process that accepts FastCGI
 * connections and decides when one is ready for a worker thread.
 *
 * It owns the listening socket and every connection that is not being
 * served: new ones until their request is complete (fcgi_scan.h), kept ones
 * (nginx fastcgi_keep_conn) between requests, and closing ones. A worker
 * thread takes a connection whose request is complete, serves it through
 * libfcgi, and gives it back (kept) or closes it. So a client that sends
 * slowly, an idle kept connection, or a malformed or oversized request,
 * holds no worker thread and makes libfcgi allocate nothing; every phase
 * has a deadline. Requests on kept connections and on new ones share the
 * workers' queue.
 *
 * Errors: acceptor_start returns NULL with a message in err; the other
 * calls cannot fail.
 */
#ifndef LOGOUT_ACCEPTOR_H
#define LOGOUT_ACCEPTOR_H

#include <stddef.h>

struct acceptor_limits {
	unsigned header_timeout; /* ms: from the first byte to a complete request */
	unsigned idle_timeout;	 /* ms: a kept connection between requests */
	unsigned body_timeout;	 /* ms: each read a worker makes (SO_RCVTIMEO) */
	unsigned write_timeout;	 /* ms: each write a worker makes (SO_SNDTIMEO) */
	size_t max_params;	 /* bytes of a request's PARAMS stream */
	size_t max_body;	 /* larger announced bodies are refused unread */
	unsigned max_conns;	 /* connections held at once, served ones included */
};

/* How a worker gives a connection back. */
enum acceptor_end {
	ACCEPTOR_KEEP,	/* the web server keeps it: wait for its next request */
	ACCEPTOR_CLOSE, /* the request was read to its end: close */
	ACCEPTOR_LINGER, /* unread input may follow: close after it, bounded */
	ACCEPTOR_CLOSED	 /* libfcgi closed it already */
};

struct acceptor;

/* Start the thread on a listening socket (made non-blocking). */
struct acceptor *acceptor_start(int listen_fd, const struct acceptor_limits *lim, char *err,
    size_t errlen);

/* New limits for connections accepted from now on (reload). */
void acceptor_set_limits(struct acceptor *a, const struct acceptor_limits *lim);

/* A worker thread: the next connection whose request is complete, or -1
 * once the acceptor is drained and nothing is left to serve. *unread_body
 * is set when the request's body was announced over max_body and not
 * checked: it must be refused without reading it. */
int acceptor_next(struct acceptor *a, int *unread_body);

/* A worker thread: the connection from acceptor_next is done. */
void acceptor_done(struct acceptor *a, int fd, enum acceptor_end how);

/* Graceful stop: accept what waits in the listen backlog, close the
 * listening socket, serve what is queued and what arrives on kept
 * connections already mid-request; then acceptor_next returns -1. */
void acceptor_drain(struct acceptor *a);

/* Fast stop: accept nothing more and hand out nothing queued; the
 * requests workers are serving finish, then acceptor_next returns -1.
 * What was queued or kept is closed by acceptor_stop. */
void acceptor_abort(struct acceptor *a);

/* Stop the thread and close every connection it holds; after a drain,
 * once the last lingering close is done. */
void acceptor_stop(struct acceptor *a);

#endif

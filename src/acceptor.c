/* SPDX-License-Identifier: ISC */
/*
 * acceptor.c — the connection gate of a worker process (see acceptor.h).
 *
 * One thread runs an epoll loop over the listening socket, an eventfd the
 * workers ring when they give a connection back, and every connection it
 * holds. A connection's bytes are only peeked at (MSG_PEEK) until
 * fcgi_scan says its request is complete; edge-triggered epoll reports
 * each new arrival, so a partial request costs one peek per segment and
 * nothing in between. A complete request goes to the ready queue, where
 * worker threads wait on a condition variable; libfcgi then reads it from
 * the descriptor (FCGX_Accept_r reads from a request's ipcFd when one is
 * set) without ever blocking on the client.
 *
 * Who owns a connection: the acceptor thread while it is read, idle or
 * closing (conns[fd]); the queue and then one worker while it is served
 * (counted in inflight only). Deadlines are checked every SWEEP_MS.
 *
 * Quiet returns: a kept connection stays in the epoll set while it is
 * served, so a worker gives it back without waking this thread; it is
 * taken back when the thread next wakes, at the latest for that
 * connection's next request. Input that arrives while it is served is
 * reported once (edge-triggered): the thread marks it (F_PENDING) and the
 * worker rings when it gives the connection back. One wake-up of this
 * thread per kept request instead of two.
 *
 * Lingering close: when a request was refused before its input was read,
 * the socket is shut down for writing and its input drained for at most
 * LINGER_MS before close, so the response is not lost to a TCP reset.
 *
 * The worker's own accept: a worker that finished a request and finds
 * nothing queued takes the next connection from the backlog itself
 * (worker_take), and serves it at once when its request is already
 * complete, as a web server on the same machine usually sends it: no
 * hand-off, no wake-up of this thread or of another worker. Anything
 * else it takes (a request not complete yet, or not well formed) it gives
 * to this thread, which handles it as one it accepted. The listening
 * socket is closed at a drain only once no worker is in that accept.
 *
 * Admission: a new connection is taken from the backlog only while a
 * worker waits with nothing queued (may_accept), so that another process
 * on the same socket with an idle worker can take it instead. Requests on
 * kept connections need no admission: they are this process's already.
 * So that they cannot starve the backlog, each one queued while listening
 * is paused lets one waiting connection in (admit_one): new and kept
 * connections then share the workers' queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "acceptor.h"
#include "fcgi_scan.h"
#include "log.h"
#include "util.h"

#define SWEEP_MS    100
#define LINGER_MS   2000
#define WINDOW	    (160 * 1024) /* the most of a request the scanner sees */
#define ACCEPT_BURST 64
#define FAST_WINDOW (8 * 1024) /* what a worker peeks at of a connection it accepts */
#define EVENTS	    64
#define TAG_LISTEN  (-1)
#define TAG_WAKE    (-2)

enum conn_state { C_FREE = 0, C_READING, C_IDLE, C_LINGER, C_SERVED };

struct conn {
	enum conn_state state;
	int in_epoll;
	int kept;	    /* has served a request: the web server keeps it */
	long long deadline; /* ms, monotonic */
	unsigned long born; /* the acceptor's round it was accepted in */
};

struct returned {
	int fd;
	enum acceptor_end how;
	int fresh;   /* accepted by a worker, its request not complete yet */
	int seen;    /* its flags[] when taken back (filled by take_back) */
};

/* What the acceptor and the workers know of a served connection (flags[],
 * under mu). */
#define F_UNWATCHED 1 /* not in the epoll set: served from worker_take, or
			* dispatched at the first look */
#define F_RETURNED  2 /* given back, waiting in back[] */
#define F_PENDING   4 /* the acceptor saw input while it was served */

struct ready {
	int fd;
	int unread_body; /* fcgi_scan's body_unscanned */
};

struct acceptor {
	pthread_t tid;
	int lfd, ep, wake;
	struct acceptor_limits lim; /* guarded by mu: reload writes it */
	struct acceptor_limits cur; /* the acceptor thread's copy of lim */

	/* acceptor thread only */
	struct conn *conns; /* indexed by fd */
	int nfd;	    /* size of conns */
	int hwm;	    /* highest fd + 1 ever used */
	atomic_uint held;   /* C_READING + C_IDLE + C_LINGER; workers read it */
	int listening;	    /* lfd is in the epoll set */
	int drain_begun;    /* begin_drain is done */
	long long admit_at; /* ms: admit_one found the backlog empty */
	unsigned long round; /* epoll_wait returns so far */
	unsigned char *window;
	long long next_sweep, last_warn;
	unsigned long refused, timed_out;

	pthread_mutex_t mu;
	pthread_cond_t ready_cv;
	struct ready *ready; /* ring of connections whose request is complete */
	unsigned rcap, rhead, rcount;
	struct returned *back; /* given back by workers */
	unsigned char *flags;  /* by fd: F_* of a served connection */
	unsigned bcap, bcount;
	int rung;	       /* the eventfd rang since the last take_back */
	atomic_uint inflight; /* queued + served; a closing worker takes
			       * itself off without the lock */
	unsigned waiting;  /* workers waiting in acceptor_next */
	int want_workers;  /* listening paused until a worker waits */
	atomic_int draining; /* read without the lock by a closing worker */
	int worker_lfd;	     /* the listening socket for worker_take; -1 */
	unsigned takers;     /* workers in worker_take */
	int drained, stopping;
};

static void
ring(struct acceptor *a)
{
	uint64_t one = 1;

	if (write(a->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("acceptor: eventfd: %s", strerror(errno));
}

static void
set_timeout(int fd, int opt, unsigned ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};

	(void)setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

static int
ep_ctl(struct acceptor *a, int op, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	return epoll_ctl(a->ep, op, fd, &ev);
}

/* Forget a connection the acceptor holds and close it. */
static void
drop(struct acceptor *a, int fd)
{
	struct conn *c = &a->conns[fd];

	if (c->in_epoll)
		(void)epoll_ctl(a->ep, EPOLL_CTL_DEL, fd, NULL);
	c->state = C_FREE;
	c->in_epoll = 0;
	a->held--;
	close(fd);
}

/* Warnings about hostile or broken clients: at most one line a second. */
static void
warn_client(struct acceptor *a, const char *what)
{
	long long t = util_now_ms();

	if (t - a->last_warn < 1000)
		return;
	a->last_warn = t;
	log_warn("closed a FastCGI connection: %s (%lu refused, %lu timed out so far)", what,
	    a->refused, a->timed_out);
}

static void
watch(struct acceptor *a, int fd)
{
	struct conn *c = &a->conns[fd];

	if (c->in_epoll)
		return;
	if (ep_ctl(a, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP | EPOLLET) != 0) {
		log_warn("acceptor: epoll_ctl: %s", strerror(errno));
		drop(a, fd);
		return;
	}
	c->in_epoll = 1;
}

/* Hand a complete request to the workers. The connection stays in the
 * epoll set while it is served (its events are passed over): closing it
 * takes it out, and a kept one needs no epoll_ctl for its next request. */
static void
dispatch(struct acceptor *a, int fd, int unread_body)
{
	struct conn *c = &a->conns[fd];

	c->state = C_SERVED;
	a->held--;
	pthread_mutex_lock(&a->mu);
	a->ready[(a->rhead + a->rcount) % a->rcap] = (struct ready){fd, unread_body};
	a->rcount++;
	a->inflight++;
	a->flags[fd] = c->in_epoll ? 0 : F_UNWATCHED;
	pthread_mutex_unlock(&a->mu);
	/* After the unlock: the worker it wakes need not wait for the lock. */
	pthread_cond_signal(&a->ready_cv);
}

static void admit_one(struct acceptor *a);

/* Look at what a reading or idle connection has sent. hup: the peer shut
 * down its side, so nothing more will come. */
static void
examine(struct acceptor *a, int fd, int hup)
{
	struct conn *c = &a->conns[fd];
	struct scan_limits sl;
	struct scan_info info;
	ssize_t n;

	n = recv(fd, a->window, WINDOW, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(a, fd); /* gone; for an idle kept connection that is normal */
		return;
	}
	if (n < 0) {
		watch(a, fd);
		return;
	}
	if (c->state == C_IDLE) {
		c->state = C_READING;
		c->deadline = util_now_ms() + a->cur.header_timeout;
	}
	sl.max_params = a->cur.max_params;
	sl.max_body = a->cur.max_body;
	sl.window = WINDOW;
	switch (fcgi_scan(a->window, (size_t)n, &sl, &info)) {
	case SCAN_READY:
		dispatch(a, fd, info.body_unscanned);
		if (c->kept)
			admit_one(a);
		return;
	case SCAN_BAD:
		a->refused++;
		warn_client(a, fcgi_scan_reason(info.reason));
		drop(a, fd);
		return;
	case SCAN_MORE:
		if (hup) {
			a->refused++;
			drop(a, fd);
			return;
		}
		watch(a, fd);
		return;
	}
}

static void
linger_read(struct acceptor *a, int fd)
{
	char trash[4096];
	ssize_t n;
	int i;

	/* Edge-triggered: read until EAGAIN, but not forever. */
	for (i = 0; i < 64; i++) {
		n = recv(fd, trash, sizeof(trash), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break; /* EOF or error: done */
	}
	drop(a, fd);
}

static void
start_linger(struct acceptor *a, int fd)
{
	struct conn *c = &a->conns[fd];

	c->state = C_LINGER;
	c->deadline = util_now_ms() + LINGER_MS;
	(void)shutdown(fd, SHUT_WR); /* the worker may have done it already */
	watch(a, fd);
	if (c->state == C_LINGER)
		linger_read(a, fd);
}

static void
set_listening(struct acceptor *a, int on)
{
	if (a->lfd < 0 || a->listening == on)
		return;
	if (ep_ctl(a, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, a->lfd, EPOLLIN) == 0 || !on)
		a->listening = on;
}

/*
 * May another connection be taken from the backlog? Not beyond
 * max_conns, and not while every worker is busy or has a request queued:
 * then the connection is better left in the kernel's backlog, where
 * another process on the same socket with an idle worker can take it, as
 * with one blocking accept() per thread. A worker that starts waiting
 * wakes the acceptor (want_workers).
 */
static int
may_accept(struct acceptor *a)
{
	int ok;

	pthread_mutex_lock(&a->mu);
	ok = a->held + a->inflight + a->bcount < a->lim.max_conns && a->rcount < a->waiting;
	a->want_workers = !ok;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

/* A connection just accepted, by this thread or a worker: 0 when its fd
 * fits conns[] (it then has its timeouts), -1 when it was closed. */
static int
adopt(int fd, int nfd, unsigned body_timeout, unsigned write_timeout)
{
	if (fd >= nfd) {
		log_warn("acceptor: descriptor %d over the limit; closing it", fd);
		close(fd);
		return -1;
	}
	set_timeout(fd, SO_RCVTIMEO, body_timeout);
	set_timeout(fd, SO_SNDTIMEO, write_timeout);
	return 0;
}

/* One connection from the backlog: 1 taken; 0 none this time, but more
 * may wait (EINTR, ECONNABORTED, a descriptor over the limit); -1 none
 * waiting, or stop trying. */
static int
take_one(struct acceptor *a)
{
	int fd = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno == EINTR || errno == ECONNABORTED)
			return 0;
		if (errno != EAGAIN)
			warn_client(a, strerror(errno));
		if (errno == EMFILE || errno == ENFILE)
			set_listening(a, 0);
		return -1;
	}
	if (adopt(fd, a->nfd, a->cur.body_timeout, a->cur.write_timeout) != 0)
		return 0;
	if (fd >= a->hwm)
		a->hwm = fd + 1;
	a->conns[fd] = (struct conn){.state = C_READING,
	    .deadline = util_now_ms() + a->cur.header_timeout,
	    .born = a->round};
	a->held++;
	examine(a, fd, 0);
	return 1;
}

/* Take connections from the backlog; all of them when draining. */
static void
accept_some(struct acceptor *a, int all)
{
	int i;

	for (i = 0; all || i < ACCEPT_BURST; i++) {
		if (!all && !may_accept(a)) {
			set_listening(a, 0); /* back on once one may */
			return;
		}
		if (take_one(a) < 0)
			return;
	}
}

/* A request on a kept connection was queued: while listening is paused
 * (no worker idle), let one connection waiting in the backlog in too, so
 * that it queues behind as few requests as the kept ones do, instead of
 * waiting for a moment when the kept ones leave a worker idle. A backlog
 * found empty is looked at again a millisecond later at the soonest, so
 * kept connections that carry all the load cost no accept per request. */
static void
admit_one(struct acceptor *a)
{
	long long t;
	int ok;

	if (a->lfd < 0 || a->listening)
		return; /* draining, or the epoll loop accepts anyway */
	t = util_now_ms();
	if (t < a->admit_at)
		return;
	pthread_mutex_lock(&a->mu);
	ok = a->held + a->inflight + a->bcount < a->lim.max_conns;
	pthread_mutex_unlock(&a->mu);
	if (ok && take_one(a) != 1)
		a->admit_at = t + 1;
}

/* Connections the workers gave back. */
static void
take_back(struct acceptor *a)
{
	struct returned batch[256];
	unsigned n, i;
	int closing;

	do {
		pthread_mutex_lock(&a->mu);
		n = a->bcount < 256 ? a->bcount : 256;
		memcpy(batch, a->back + (a->bcount - n), n * sizeof(batch[0]));
		a->bcount -= n;
		for (i = 0; i < n; i++) {
			batch[i].seen = a->flags[batch[i].fd];
			a->flags[batch[i].fd] &= ~(F_RETURNED | F_PENDING);
		}
		a->rung = 0;
		/* Counted as held from here: what was given back is never
		 * out of the count that admission reads. */
		a->held += n;
		/* Given back before the drain began: idle, and begin_drain
		 * decides (a request already arriving is served). */
		closing = a->draining && a->drain_begun;
		pthread_mutex_unlock(&a->mu);
		for (i = 0; i < n; i++) {
			int fd = batch[i].fd;

			/* A worker's own accept may pass the mark. */
			if (fd >= a->hwm)
				a->hwm = fd + 1;
			if (batch[i].fresh) {
				a->conns[fd] = (struct conn){.state = C_READING,
				    .deadline = util_now_ms() + a->cur.header_timeout};
				examine(a, fd, 0);
			} else if (batch[i].how == ACCEPTOR_KEEP && !closing) {
				a->conns[fd] = (struct conn){.state = C_IDLE,
				    .in_epoll = (batch[i].seen & F_UNWATCHED) ? 0 : a->conns[fd].in_epoll,
				    .kept = 1,
				    .deadline = util_now_ms() + a->cur.idle_timeout};
				/* Still watched, and no input since it was
				 * dispatched: its next request is an event. */
				if (batch[i].seen & (F_UNWATCHED | F_PENDING))
					examine(a, fd, 0);
			} else
				start_linger(a, fd);
		}
	} while (n == 256);
}

/* An event on a connection a worker serves: its input is for the request
 * after this one. Edge-triggered, it is reported once: taken back now if
 * it was given back already, else marked for its worker to ring. */
static void
served_input(struct acceptor *a, int fd)
{
	int returned;

	pthread_mutex_lock(&a->mu);
	returned = (a->flags[fd] & F_RETURNED) != 0;
	a->flags[fd] |= F_PENDING;
	pthread_mutex_unlock(&a->mu);
	if (returned)
		take_back(a);
}

/* Listen again when a connection may be taken. */
static void
resume(struct acceptor *a)
{
	if (a->lfd >= 0 && !a->listening && may_accept(a))
		set_listening(a, 1);
}

static void
sweep(struct acceptor *a)
{
	long long t = util_now_ms();
	int fd;

	a->next_sweep = t + SWEEP_MS;
	for (fd = 0; fd < a->hwm; fd++) {
		struct conn *c = &a->conns[fd];

		if (c->state == C_FREE || c->state == C_SERVED || c->deadline > t)
			continue;
		if (c->state == C_READING) {
			a->timed_out++;
			warn_client(a, "request not complete within header_timeout");
		}
		drop(a, fd);
	}
	resume(a);
}

/* Draining: after the backlog, no new connections; idle kept ones close
 * unless a request is already arriving on them. */
static void
begin_drain(struct acceptor *a)
{
	int fd;

	if (a->lfd >= 0) {
		/* No worker may accept from it once it is closed: a worker
		 * in worker_take is a system call or two from done. */
		pthread_mutex_lock(&a->mu);
		a->worker_lfd = -1;
		while (a->takers > 0) {
			pthread_mutex_unlock(&a->mu);
			sched_yield();
			pthread_mutex_lock(&a->mu);
		}
		pthread_mutex_unlock(&a->mu);
		take_back(a); /* what they took */
		accept_some(a, 1);
		set_listening(a, 0);
		close(a->lfd);
		a->lfd = -1;
	}
	for (fd = 0; fd < a->hwm; fd++)
		if (a->conns[fd].state == C_IDLE) {
			char b;

			if (recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1)
				examine(a, fd, 0);
			else
				drop(a, fd);
		}
	/* From here a kept connection given back lingers and closes. */
	a->drain_begun = 1;
}

/* Drained: nothing is being read, queued or served. */
static int
check_drained(struct acceptor *a)
{
	unsigned reading = 0;
	int fd, done;

	for (fd = 0; fd < a->hwm; fd++)
		reading += a->conns[fd].state == C_READING;
	pthread_mutex_lock(&a->mu);
	done = reading == 0 && a->inflight == 0 && a->bcount == 0;
	if (done && !a->drained) {
		a->drained = 1;
		pthread_cond_broadcast(&a->ready_cv);
	}
	pthread_mutex_unlock(&a->mu);
	return done;
}

static void *
acceptor_main(void *arg)
{
	struct acceptor *a = arg;
	struct epoll_event evs[EVENTS];
	int drain_started = 0;

	for (;;) {
		int i, n, timeout, stopping, draining;

		pthread_mutex_lock(&a->mu);
		stopping = a->stopping;
		draining = a->draining;
		a->cur = a->lim;
		pthread_mutex_unlock(&a->mu);
		if (draining && !drain_started) {
			drain_started = 1;
			begin_drain(a);
		}
		if (drain_started && check_drained(a) && (stopping || a->held == 0))
			break;
		if (stopping)
			break;
		timeout = (int)(a->next_sweep - util_now_ms());
		if (timeout < 0)
			timeout = 0;
		n = epoll_wait(a->ep, evs, EVENTS, timeout);
		a->round++;
		/* Kept connections given back without a ring first, so that
		 * their events below find them idle. */
		take_back(a);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd != a->lfd && fd != a->wake && a->conns[fd].born == a->round)
				/* Accepted after these events were fetched: they
				 * were the number's previous connection's (closed by
				 * a worker meanwhile). The new one was looked at
				 * when accepted, and epoll reports it afresh. */
				continue;
			if (fd == a->lfd)
				accept_some(a, 0);
			else if (fd == a->wake) {
				uint64_t v;

				if (read(a->wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
					log_warn("acceptor: eventfd: %s", strerror(errno));
				take_back(a);
				resume(a);
			} else if (a->conns[fd].state == C_LINGER)
				linger_read(a, fd);
			else if (a->conns[fd].state == C_READING || a->conns[fd].state == C_IDLE)
				examine(a, fd, (evs[i].events & (EPOLLRDHUP | EPOLLHUP)) != 0);
			else if (a->conns[fd].state == C_SERVED)
				served_input(a, fd);
		}
		if (util_now_ms() >= a->next_sweep)
			sweep(a);
	}
	return NULL;
}

/* As many descriptors as the hard limit allows: each connection is one. */
static int
fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 1048576 ? 1048576 : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > 1048576 ? 1048576 : (int)rl.rlim_cur;
}

struct acceptor *
acceptor_start(int listen_fd, const struct acceptor_limits *lim, char *err, size_t errlen)
{
	struct acceptor *a;
	int flags;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto nomem;
	a->lfd = a->worker_lfd = listen_fd;
	a->ep = a->wake = -1;
	a->lim = *lim;
	a->nfd = fd_limit();
	/* Room for the acceptor's own descriptors and the database's. */
	if (a->lim.max_conns + 64 > (unsigned)a->nfd) {
		log_warn("max_connections %u is over the descriptor limit %d; using %d",
		    a->lim.max_conns, a->nfd, a->nfd > 128 ? a->nfd - 64 : 64);
		a->lim.max_conns = a->nfd > 128 ? (unsigned)a->nfd - 64 : 64;
	}
	a->cur = a->lim;
	a->rcap = a->bcap = (unsigned)a->nfd;
	if ((a->conns = calloc((size_t)a->nfd, sizeof(*a->conns))) == NULL ||
	    (a->ready = calloc(a->rcap, sizeof(*a->ready))) == NULL ||
	    (a->back = calloc(a->bcap, sizeof(*a->back))) == NULL ||
	    (a->flags = calloc((size_t)a->nfd, 1)) == NULL ||
	    (a->window = malloc(WINDOW)) == NULL)
		goto nomem;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->ready_cv, NULL);
	/* TCP: let a whole request sit unread while it is peeked at
	 * (accepted sockets inherit this); unix sockets are bounded by the
	 * sender's buffer, which is larger than the window. */
	(void)setsockopt(listen_fd, SOL_SOCKET, SO_RCVBUF, &(int){2 * WINDOW}, sizeof(int));
	if ((flags = fcntl(listen_fd, F_GETFL)) < 0 ||
	    fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
	    (a->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (a->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    ep_ctl(a, EPOLL_CTL_ADD, a->wake, EPOLLIN) != 0) {
		snprintf(err, errlen, "acceptor: %s", strerror(errno));
		goto fail;
	}
	set_listening(a, 1);
	if (!a->listening) {
		snprintf(err, errlen, "acceptor: cannot watch the listening socket: %s",
		    strerror(errno));
		goto fail;
	}
	a->next_sweep = util_now_ms() + SWEEP_MS;
	if ((errno = pthread_create(&a->tid, NULL, acceptor_main, a)) != 0) {
		snprintf(err, errlen, "acceptor: cannot start its thread: %s", strerror(errno));
		goto fail;
	}
	return a;
nomem:
	snprintf(err, errlen, "acceptor: out of memory");
fail:
	if (a != NULL) {
		if (a->ep >= 0)
			close(a->ep);
		if (a->wake >= 0)
			close(a->wake);
		free(a->conns);
		free(a->ready);
		free(a->back);
		free(a->flags);
		free(a->window);
		free(a);
	}
	return NULL;
}

void
acceptor_set_limits(struct acceptor *a, const struct acceptor_limits *lim)
{
	pthread_mutex_lock(&a->mu);
	a->lim.header_timeout = lim->header_timeout;
	a->lim.idle_timeout = lim->idle_timeout;
	a->lim.body_timeout = lim->body_timeout;
	a->lim.write_timeout = lim->write_timeout;
	a->lim.max_params = lim->max_params;
	a->lim.max_body = lim->max_body;
	pthread_mutex_unlock(&a->mu);
}

/* Give a connection a worker accepted to the acceptor thread. */
static void
give_fresh(struct acceptor *a, int fd)
{
	pthread_mutex_lock(&a->mu);
	a->back[a->bcount++] = (struct returned){fd, ACCEPTOR_CLOSE, 1, 0};
	pthread_mutex_unlock(&a->mu);
	ring(a);
}

/*
 * A worker with nothing queued: the next connection of the backlog, if
 * one waits and another may be held. Its fd when its request is complete
 * (counted in flight), else -1 (none, or given to the acceptor thread).
 * Under mu on entry and on return; the accept and the peek run without.
 */
static int
worker_take(struct acceptor *a, int *unread_body)
{
	unsigned char window[FAST_WINDOW];
	struct scan_limits sl;
	struct scan_info info;
	unsigned body_to, write_to;
	int lfd = a->worker_lfd, fd, ready = 0;
	ssize_t n;

	if (lfd < 0 || a->stopping || a->held + a->inflight + a->bcount >= a->lim.max_conns)
		return -1;
	sl.max_params = a->lim.max_params;
	sl.max_body = a->lim.max_body;
	sl.window = sizeof(window);
	body_to = a->lim.body_timeout;
	write_to = a->lim.write_timeout;
	a->takers++;
	pthread_mutex_unlock(&a->mu);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0 && adopt(fd, a->nfd, body_to, write_to) != 0)
		fd = -1;
	if (fd >= 0) {
		n = recv(fd, window, sizeof(window), MSG_PEEK | MSG_DONTWAIT);
		/* Served here only when complete within the small window,
		 * and with its body checked: the rest is the acceptor's. */
		ready = n > 0 && fcgi_scan(window, (size_t)n, &sl, &info) == SCAN_READY &&
			!info.body_unscanned;
	}
	pthread_mutex_lock(&a->mu);
	a->takers--;
	if (fd < 0)
		return -1;
	if (!ready) {
		pthread_mutex_unlock(&a->mu);
		give_fresh(a, fd);
		pthread_mutex_lock(&a->mu);
		return -1;
	}
	a->inflight++;
	a->flags[fd] = F_UNWATCHED;
	*unread_body = 0;
	return fd;
}

int
acceptor_next(struct acceptor *a, int *unread_body)
{
	int fd = -1;

	pthread_mutex_lock(&a->mu);
	if (a->rcount == 0 && (fd = worker_take(a, unread_body)) >= 0) {
		pthread_mutex_unlock(&a->mu);
		return fd;
	}
	a->waiting++;
	if (a->want_workers && a->rcount == 0) {
		a->want_workers = 0;
		ring(a);
	}
	while (a->rcount == 0 && !a->drained && !a->stopping)
		pthread_cond_wait(&a->ready_cv, &a->mu);
	a->waiting--;
	*unread_body = 0;
	if (a->rcount > 0 && !a->stopping) {
		fd = a->ready[a->rhead].fd;
		*unread_body = a->ready[a->rhead].unread_body;
		a->rhead = (a->rhead + 1) % a->rcap;
		a->rcount--;
	}
	pthread_mutex_unlock(&a->mu);
	return fd;
}

void
acceptor_done(struct acceptor *a, int fd, enum acceptor_end how)
{
	int wake;

	if (how == ACCEPTOR_CLOSE || how == ACCEPTOR_CLOSED) {
		/* The common case (no keep-alive): no lock, no wake-up. */
		if (how == ACCEPTOR_CLOSE)
			close(fd);
		atomic_fetch_sub(&a->inflight, 1);
		if (atomic_load(&a->draining))
			ring(a); /* it may have been the last one */
		return;
	}
	pthread_mutex_lock(&a->mu);
	a->inflight--;
	a->back[a->bcount++] = (struct returned){fd, how, 0, 0};
	/* A kept connection still in the epoll set with no input yet needs
	 * no ring: the acceptor takes it back when it next wakes, at the
	 * latest for that connection's next request. The others do, once
	 * until the acceptor has taken them back. */
	wake = how != ACCEPTOR_KEEP || (a->flags[fd] & (F_UNWATCHED | F_PENDING)) || a->draining;
	a->flags[fd] |= F_RETURNED;
	wake = wake && !a->rung;
	a->rung |= wake;
	pthread_mutex_unlock(&a->mu);
	if (wake)
		ring(a);
}

void
acceptor_drain(struct acceptor *a)
{
	pthread_mutex_lock(&a->mu);
	a->draining = 1;
	pthread_mutex_unlock(&a->mu);
	ring(a);
}

void
acceptor_abort(struct acceptor *a)
{
	pthread_mutex_lock(&a->mu);
	a->stopping = 1;
	pthread_cond_broadcast(&a->ready_cv);
	pthread_mutex_unlock(&a->mu);
	ring(a);
}

void
acceptor_stop(struct acceptor *a)
{
	int fd;

	if (a == NULL)
		return;
	/* After a drain the thread ends by itself once the last lingering
	 * close is done (LINGER_MS at most); otherwise it is told to. */
	pthread_mutex_lock(&a->mu);
	if (!a->drained)
		a->stopping = 1;
	pthread_cond_broadcast(&a->ready_cv);
	pthread_mutex_unlock(&a->mu);
	ring(a);
	pthread_join(a->tid, NULL);
	for (fd = 0; fd < a->hwm; fd++)
		if (a->conns[fd].state != C_FREE && a->conns[fd].state != C_SERVED)
			close(fd);
	while (a->bcount > 0)
		close(a->back[--a->bcount].fd);
	while (a->rcount > 0) {
		close(a->ready[a->rhead].fd);
		a->rhead = (a->rhead + 1) % a->rcap;
		a->rcount--;
	}
	if (a->lfd >= 0)
		(void)epoll_ctl(a->ep, EPOLL_CTL_DEL, a->lfd, NULL);
	close(a->ep);
	close(a->wake);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->ready_cv);
	free(a->conns);
	free(a->ready);
	free(a->back);
	free(a->flags);
	free(a->window);
	free(a);
}

/* SPDX-License-Identifier: ISC */
/*
 * test_acceptor.c — pins src/acceptor.c's admission: a connection waits in
 * the listen backlog while no worker is free, but requests on kept
 * connections cannot starve it there: each one queued lets one waiting
 * connection in behind it. An idle kept connection holds no worker. A
 * worker with nothing queued takes a waiting connection itself, and one
 * whose request is still arriving goes to the acceptor to finish; one it
 * served and keeps goes to the acceptor's epoll set, as does one the
 * acceptor dispatched at its first look. A kept connection given back
 * with nothing pending wakes nobody and is still served next time; a
 * graceful stop serves what already arrived.
 *
 * The test thread is the process's only worker: it takes connections with
 * acceptor_next, reads their request as libfcgi would, and gives them back.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "unit.h"

#include "acceptor.h"

/* A complete responder request (FCGI_KEEP_CONN, CONTENT_LENGTH 0): begin,
 * one param, the params' end, the body's end. */
static const char request[] = "\1\1\0\1\0\10\0\0"
			      "\0\1\1\0\0\0\0\0"
			      "\1\4\0\1\0\21\0\0"
			      "\16\1CONTENT_LENGTH0"
			      "\1\4\0\1\0\0\0\0"
			      "\1\5\0\1\0\0\0\0";
#define REQUEST_LEN (sizeof(request) - 1)

static const struct acceptor_limits limits = {
    .header_timeout = 5000,
    .idle_timeout = 75000,
    .body_timeout = 10000,
    .write_timeout = 10000,
    .max_params = 65536,
    .max_body = 4096,
    .max_conns = 64,
};

static char dir[32];
static struct sockaddr_un addr;

static void
pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
listening(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(dir, sizeof(dir), "/tmp/logout-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/s", dir);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	return fd;
}

/* An acceptor on a fresh socket; stopped, its socket removed, by ended. */
static struct acceptor *
started(void)
{
	char err[256] = "";
	struct acceptor *a = acceptor_start(listening(), &limits, err, sizeof(err));

	ck_assert_msg(a != NULL, "%s", err);
	return a;
}

static void
ended(struct acceptor *a)
{
	acceptor_stop(a);
	unlink(addr.sun_path);
	rmdir(dir);
}

/* The web server's side: a new connection. */
static int
client(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static void
send_request(int fd)
{
	ck_assert_int_eq(send(fd, request, REQUEST_LEN, 0), (ssize_t)REQUEST_LEN);
}

/* The worker's side: the next connection, its request read off it. */
static int
next(struct acceptor *a)
{
	char buf[REQUEST_LEN];
	size_t got = 0;
	int fd, unread_body = 1;
	ssize_t n;

	fd = acceptor_next(a, &unread_body);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unread_body, 0);
	while (got < sizeof(buf) && (n = recv(fd, buf + got, sizeof(buf) - got, 0)) > 0)
		got += (size_t)n;
	ck_assert_uint_eq(got, REQUEST_LEN);
	ck_assert_int_eq(memcmp(buf, request, REQUEST_LEN), 0);
	return fd;
}

/* Is fd the worker's end of client c's connection? A byte sent on c is
 * there at once (unix sockets deliver in the sender's call). */
static int
served(int c, int fd)
{
	char ch = 0;

	ck_assert_int_eq(send(c, "x", 1, 0), 1);
	return recv(fd, &ch, 1, MSG_DONTWAIT) == 1 && ch == 'x';
}

/* A kept connection served once, given back and watched: its next
 * requests come through the acceptor's epoll set. */
static int
kept_client(struct acceptor *a)
{
	int c = client(), fd;

	send_request(c);
	fd = next(a);
	ck_assert(served(c, fd));
	acceptor_done(a, fd, ACCEPTOR_KEEP);
	pause_ms(50);
	return c;
}

START_TEST(kept_requests_let_the_backlog_in)
{
	struct acceptor *a;
	int k1, k2, n, s1, s2, first, second, third;

	a = started();

	/* Two connections the web server keeps, each served once. */
	k1 = client();
	send_request(k1);
	s1 = next(a);
	k2 = client();
	send_request(k2);
	acceptor_done(a, s1, ACCEPTOR_KEEP);
	s2 = next(a);
	acceptor_done(a, s2, ACCEPTOR_KEEP);

	/* The worker is busy from here on (it asks for nothing): a new
	 * connection waits in the backlog. Then a request on each kept one:
	 * the first lets the waiting connection in behind it. */
	n = client();
	send_request(n);
	pause_ms(100);
	send_request(k1);
	pause_ms(100);
	send_request(k2);
	pause_ms(100);

	first = next(a);
	second = next(a);
	third = next(a);
	ck_assert_msg(served(k1, first), "the first request served is not k1's");
	ck_assert_msg(served(n, second), "the new connection waited behind both kept ones");
	ck_assert_msg(served(k2, third), "the third request served is not k2's");

	acceptor_done(a, first, ACCEPTOR_CLOSE);
	acceptor_done(a, third, ACCEPTOR_CLOSE);
	/* The new one was complete at the acceptor's first look, so it was
	 * never in the epoll set: kept, it is watched for its next request. */
	acceptor_done(a, second, ACCEPTOR_KEEP);
	send_request(n);
	second = next(a);
	ck_assert_msg(served(n, second), "not the kept new connection's next request");
	acceptor_done(a, second, ACCEPTOR_CLOSE);
	ended(a);
	close(k1);
	close(k2);
	close(n);
}
END_TEST

/* More idle kept connections than workers (here eight on one): none holds
 * the worker, so a new connection is served at once. */
START_TEST(idle_kept_hold_no_worker)
{
	struct acceptor *a;
	int kept[8], n, fd, i;

	a = started();
	for (i = 0; i < 8; i++)
		kept[i] = kept_client(a);
	n = client();
	send_request(n);
	fd = next(a);
	ck_assert_msg(served(n, fd), "not the new connection");
	acceptor_done(a, fd, ACCEPTOR_CLOSE);
	/* And each kept one is still served when its next request comes. */
	send_request(kept[5]);
	fd = next(a);
	ck_assert(served(kept[5], fd));
	acceptor_done(a, fd, ACCEPTOR_CLOSE);
	ended(a);
	for (i = 0; i < 8; i++)
		close(kept[i]);
	close(n);
}
END_TEST

struct late {
	int fd;
	size_t from;
};

static void *
send_rest(void *arg)
{
	struct late *l = arg;

	pause_ms(150);
	ck_assert_int_eq(send(l->fd, request + l->from, REQUEST_LEN - l->from, 0),
	    (ssize_t)(REQUEST_LEN - l->from));
	return NULL;
}

/* A worker that finds nothing queued accepts the waiting connection
 * itself: a complete request it serves; one still arriving it leaves to
 * the acceptor, and gets it once complete. Kept, the one it served is
 * watched for its next request. */
START_TEST(worker_takes_from_the_backlog)
{
	struct acceptor *a;
	struct late l;
	pthread_t t;
	int c1, c2, c3, s1, fd, was;

	a = started();
	c1 = client();
	send_request(c1);
	s1 = next(a);
	/* Busy: these wait in the backlog. */
	c2 = client();
	ck_assert_int_eq(send(c2, request, 20, 0), 20);
	pause_ms(50);
	acceptor_done(a, s1, ACCEPTOR_CLOSE);
	l = (struct late){c2, 20};
	ck_assert_int_eq(pthread_create(&t, NULL, send_rest, &l), 0);
	fd = next(a);
	ck_assert_msg(served(c2, fd), "not the connection that was still arriving");
	was = fd;
	c3 = client(); /* before was is closed, so that the accept reuses it */
	acceptor_done(a, fd, ACCEPTOR_CLOSE);
	pthread_join(t, NULL);
	send_request(c3);
	pause_ms(50);
	fd = next(a);
	ck_assert_msg(served(c3, fd), "not the complete one");
	/* Kept: its next request reaches the acceptor, though the last
	 * connection with its number was in the acceptor's epoll set. */
	ck_assert_msg(fd == was, "the scenario needs the number reused (%d, %d)", fd, was);
	acceptor_done(a, fd, ACCEPTOR_KEEP);
	pause_ms(50); /* idle first: the acceptor must watch it */
	send_request(c3);
	fd = next(a);
	ck_assert_msg(served(c3, fd), "the kept one's next request");
	acceptor_done(a, fd, ACCEPTOR_CLOSE);
	ended(a);
	close(c1);
	close(c2);
	close(c3);
}
END_TEST

/* Given back with no input since it was dispatched, a kept connection
 * wakes nobody; its next request is still served, for two given back one
 * after the other too. One whose next request came while it was served
 * is served as soon as it is given back. */
START_TEST(kept_returns_quietly)
{
	struct acceptor *a;
	int k1, k2, s1, s2, fd;

	a = started();
	k1 = kept_client(a);
	k2 = kept_client(a);
	send_request(k1);
	s1 = next(a);
	send_request(k2);
	s2 = next(a);
	acceptor_done(a, s1, ACCEPTOR_KEEP);
	acceptor_done(a, s2, ACCEPTOR_KEEP);
	pause_ms(50);
	send_request(k2);
	fd = next(a);
	ck_assert_msg(served(k2, fd), "not k2's next request");
	acceptor_done(a, fd, ACCEPTOR_KEEP);
	send_request(k1);
	fd = next(a);
	ck_assert_msg(served(k1, fd), "not k1's next request");
	acceptor_done(a, fd, ACCEPTOR_KEEP);
	pause_ms(50);

	send_request(k1);
	s1 = next(a);
	send_request(k1); /* before s1 is given back */
	pause_ms(50);
	acceptor_done(a, s1, ACCEPTOR_KEEP);
	fd = next(a);
	ck_assert_msg(fd == s1, "not k1's request that came while it was served");
	acceptor_done(a, fd, ACCEPTOR_CLOSE);
	ended(a);
	close(k1);
	close(k2);
}
END_TEST

/* A graceful stop serves the request already arriving on a kept
 * connection given back before it, closes the idle kept one, and then
 * ends the workers' wait. (Whether the acceptor sees the request before
 * or after the stop is the scheduler's choice: both must serve it.) */
START_TEST(drain_serves_what_arrived)
{
	struct acceptor *a;
	int k1, k2, s1, fd, unread_body;
	char b;

	a = started();
	k1 = kept_client(a);
	k2 = kept_client(a);
	send_request(k1);
	s1 = next(a);
	acceptor_done(a, s1, ACCEPTOR_KEEP);
	send_request(k1);
	acceptor_drain(a);
	fd = next(a);
	ck_assert_msg(served(k1, fd), "not the request that came before the stop");
	acceptor_done(a, fd, ACCEPTOR_KEEP);
	ck_assert_int_eq(acceptor_next(a, &unread_body), -1);
	ck_assert_int_eq(recv(k2, &b, 1, 0), 0); /* the idle one was closed */
	ended(a);
	close(k1);
	close(k2);
}
END_TEST

static Suite *
acceptor_suite(void)
{
	Suite *s = suite_create("acceptor");

	UNIT_TCASE_TIMEOUT(s, "admission", 20, kept_requests_let_the_backlog_in,
	    idle_kept_hold_no_worker, worker_takes_from_the_backlog);
	UNIT_TCASE_TIMEOUT(s, "kept", 20, kept_returns_quietly, drain_serves_what_arrived);
	return s;
}

UNIT_MAIN(acceptor_suite)

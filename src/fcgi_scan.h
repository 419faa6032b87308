/* SPDX-License-Identifier: ISC */
/*
 * fcgi_scan.h — checks the first bytes of a FastCGI connection before
 * libfcgi reads them.
 *
 * libfcgi allocates whatever a PARAMS record's length fields say, before
 * the bytes arrive, and aborts the process when that fails; nothing in it
 * bounds a params set or times out a read. So the acceptor looks at a
 * request's records (with MSG_PEEK: nothing is consumed) and hands the
 * connection to libfcgi only when this scanner says the request is well
 * formed, within the limits, and complete: BEGIN_REQUEST, the whole PARAMS
 * stream, and the whole STDIN stream (unless its announced length is
 * over max_body and too long for the window: then it is refused unread;
 * an authorizer's request, which may have no STDIN, is complete with its
 * params). A worker thread then never blocks reading a request that a
 * client trickles in.
 *
 * Pure: no I/O, no allocation; fuzzed by tests/fuzz/fuzz_scan.c.
 * Records are those of the FastCGI specification, version 1.
 */
#ifndef LOGOUT_FCGI_SCAN_H
#define LOGOUT_FCGI_SCAN_H

#include <stddef.h>

enum scan_result {
	SCAN_MORE = 0, /* well formed so far; wait for more bytes */
	SCAN_READY,    /* hand it to libfcgi */
	SCAN_BAD,      /* close the connection; reason says why */
};

enum scan_reason {
	SCAN_OK = 0,
	SCAN_EVERSION,	  /* a record of another protocol version */
	SCAN_EFIRST,	  /* the first record is not BEGIN_REQUEST */
	SCAN_EBEGIN,	  /* BEGIN_REQUEST malformed: id 0, length, a role not served */
	SCAN_ERECORD,	  /* a record of another type or request id */
	SCAN_EPARAMS_LEN, /* the params stream is longer than max_params */
	SCAN_EPAIR,	  /* a name-value pair runs past the params stream */
	SCAN_ETOO_BIG,	  /* the request needs more raw bytes than the peek window */
};

struct scan_limits {
	size_t max_params; /* content bytes of the PARAMS stream */
	size_t max_body;   /* a longer announced body is refused; if it cannot
			    * fit the window, handed over unread */
	size_t window;	   /* the most bytes the caller can show the scanner */
};

struct scan_info {
	enum scan_reason reason;
	int role;		/* 1 responder, 2 authorizer */
	size_t params_len;	/* content bytes of the PARAMS stream */
	long long content_length; /* CONTENT_LENGTH, or -1 */
	size_t consumed;	/* raw bytes of the request seen when READY */
	size_t stdin_len;	/* content bytes of the STDIN stream */
	int body_unscanned;	/* READY with CONTENT_LENGTH over max_body, too
				 * long for the window: the body was not
				 * looked at and must not be read */
};

/* Look at the first len bytes of a connection (or of the next request on a
 * kept one). Call again with more bytes after SCAN_MORE. */
enum scan_result fcgi_scan(const unsigned char *buf, size_t len, const struct scan_limits *lim,
    struct scan_info *info);

/* A fixed, short name for a reason (logs, metrics). */
const char *fcgi_scan_reason(enum scan_reason r);

#endif

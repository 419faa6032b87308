/* SPDX-License-Identifier: ISC */
/*
 * fcgi_scan.c — the FastCGI request scanner (see fcgi_scan.h).
 *
 * A request is BEGIN_REQUEST, then PARAMS records ending with an empty
 * one, then STDIN records ending with an empty one (FastCGI specification,
 * sections 3.3, 5.1 to 5.3). The scanner walks them from the start every
 * time it is called (the caller peeks, so the bytes stay in the socket),
 * which keeps it stateless; a request of a few kilobytes costs a few
 * microseconds. Name-value pairs may straddle records, so their lengths
 * are decoded by a small byte-stream machine fed with each record's
 * content.
 */
#include <stdint.h>
#include <string.h>

#include "fcgi_scan.h"

#define HDR_LEN		   8
#define FCGI_VERSION_1	   1
#define FCGI_BEGIN_REQUEST 1
#define FCGI_PARAMS	   4
#define FCGI_STDIN	   5
#define FCGI_RESPONDER	   1
#define FCGI_AUTHORIZER	   2

#define CL_NAME "CONTENT_LENGTH"
#define CL_MAX	20 /* digits kept of its value */

struct record {
	int type;
	unsigned id;
	size_t clen, plen;
	const unsigned char *content;
};

/* The name-value pair decoder (specification section 3.4). */
enum pair_state { P_NLEN, P_VLEN, P_NAME, P_VALUE };

struct pairs {
	enum pair_state st;
	unsigned char len[4];
	size_t lenpos;
	uint32_t nlen, vlen, left; /* left: bytes of the name or value to go */
	size_t limit;		   /* no length may exceed the stream's bound */
	int is_cl;		   /* the name read so far is CONTENT_LENGTH */
	size_t namepos;
	char cl[CL_MAX + 1];
	size_t clpos;
	int cl_seen;
};

/* 0 ok, -1 the record does not fit in len (need more), with *need set. */
static int
read_record(const unsigned char *p, size_t len, struct record *r, size_t *need)
{
	if (len < HDR_LEN) {
		*need = HDR_LEN;
		return -1;
	}
	r->type = p[1];
	r->id = (unsigned)p[2] << 8 | p[3];
	r->clen = (size_t)p[4] << 8 | p[5];
	r->plen = p[6];
	r->content = p + HDR_LEN;
	*need = HDR_LEN + r->clen + r->plen;
	return len < *need ? -1 : 0;
}

/* A length is 1 byte below 128, else 4 bytes with the top bit set. Returns
 * 1 once complete, 0 for more. */
static int
take_len(struct pairs *ps, unsigned char b, uint32_t *out)
{
	ps->len[ps->lenpos++] = b;
	if (ps->lenpos == 1 && !(b & 0x80)) {
		*out = b;
		ps->lenpos = 0;
		return 1;
	}
	if (ps->lenpos < 4)
		return 0;
	*out = (uint32_t)(ps->len[0] & 0x7f) << 24 | (uint32_t)ps->len[1] << 16 |
	       (uint32_t)ps->len[2] << 8 | ps->len[3];
	ps->lenpos = 0;
	return 1;
}

/* Feed n content bytes. -1 when a length exceeds the stream's bound. */
static int
pairs_feed(struct pairs *ps, const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t k;

		switch (ps->st) {
		case P_NLEN:
			if (take_len(ps, *p, &ps->nlen)) {
				if (ps->nlen > ps->limit)
					return -1;
				ps->st = P_VLEN;
			}
			p++, n--;
			break;
		case P_VLEN:
			if (take_len(ps, *p, &ps->vlen)) {
				if (ps->vlen > ps->limit)
					return -1;
				ps->is_cl = ps->nlen == sizeof(CL_NAME) - 1;
				ps->namepos = 0;
				ps->left = ps->nlen;
				ps->st = ps->left ? P_NAME : P_VALUE;
				if (ps->st == P_VALUE)
					ps->left = ps->vlen;
			}
			p++, n--;
			break;
		case P_NAME:
			k = n < ps->left ? n : ps->left;
			if (ps->is_cl && memcmp(p, &CL_NAME[ps->namepos], k) != 0)
				ps->is_cl = 0;
			ps->namepos += k;
			p += k, n -= k, ps->left -= (uint32_t)k;
			if (ps->left == 0) {
				ps->st = P_VALUE;
				ps->left = ps->vlen;
				/* The first one counts, as for FCGX_GetParam. */
				if (ps->is_cl && ps->cl_seen)
					ps->is_cl = 0;
				else if (ps->is_cl)
					ps->cl_seen = 1;
			}
			break;
		case P_VALUE:
			k = n < ps->left ? n : ps->left;
			if (ps->is_cl) {
				for (size_t i = 0; i < k; i++) {
					if (ps->clpos < CL_MAX)
						ps->cl[ps->clpos++] = (char)p[i];
					else
						ps->cl_seen = -1; /* too long to be a length */
				}
			}
			p += k, n -= k, ps->left -= (uint32_t)k;
			break;
		}
		if (ps->st == P_VALUE && ps->left == 0) {
			ps->st = P_NLEN;
			ps->is_cl = 0;
		}
	}
	return 0;
}

/* CONTENT_LENGTH as a number, or -1 when absent or not plain digits. */
static long long
content_length(const struct pairs *ps)
{
	long long v = 0;
	size_t i;

	if (ps->cl_seen != 1 || ps->clpos == 0 || ps->clpos > 18)
		return -1;
	for (i = 0; i < ps->clpos; i++) {
		if (ps->cl[i] < '0' || ps->cl[i] > '9')
			return -1;
		v = v * 10 + (ps->cl[i] - '0');
	}
	return v;
}

static enum scan_result
bad(struct scan_info *info, enum scan_reason r)
{
	info->reason = r;
	return SCAN_BAD;
}

/* Not complete yet: more bytes, unless the request cannot fit the window. */
static enum scan_result
more(struct scan_info *info, size_t needed, const struct scan_limits *lim)
{
	return needed > lim->window ? bad(info, SCAN_ETOO_BIG) : SCAN_MORE;
}

/* Ready with its params only: the body is refused (413) unread. */
static enum scan_result
unscanned(struct scan_info *info, size_t params_end)
{
	info->body_unscanned = 1;
	info->consumed = params_end;
	return SCAN_READY;
}

/* The raw bytes a body of cl bytes takes at the least plausible framing
 * (web servers send STDIN in records of 8 KiB or more, padded to 8). */
static size_t
body_raw(long long cl)
{
	return (size_t)cl + ((size_t)cl / 4096 + 2) * 16;
}

enum scan_result
fcgi_scan(const unsigned char *buf, size_t len, const struct scan_limits *lim,
    struct scan_info *info)
{
	struct pairs ps;
	struct record r;
	size_t pos = 0, need, stdin_len = 0, params_end;
	unsigned id;
	int over;

	memset(info, 0, sizeof(*info));
	memset(&ps, 0, sizeof(ps));
	info->content_length = -1;
	ps.limit = lim->max_params;

	/* BEGIN_REQUEST: id not 0, an 8-byte body, the responder or the
	 * authorizer role (the gate: README, "Protecting the whole API"). */
	if (len >= 1 && buf[0] != FCGI_VERSION_1)
		return bad(info, SCAN_EVERSION);
	if (read_record(buf, len, &r, &need) != 0)
		return len >= 2 && buf[1] != FCGI_BEGIN_REQUEST ? bad(info, SCAN_EFIRST)
								 : more(info, need, lim);
	if (r.type != FCGI_BEGIN_REQUEST)
		return bad(info, SCAN_EFIRST);
	if (r.id == 0 || r.clen != 8)
		return bad(info, SCAN_EBEGIN);
	info->role = r.content[0] << 8 | r.content[1];
	if (info->role != FCGI_RESPONDER && info->role != FCGI_AUTHORIZER)
		return bad(info, SCAN_EBEGIN);
	id = r.id;
	pos = need;

	/* PARAMS up to the empty record. */
	for (;;) {
		if (pos < len && buf[pos] != FCGI_VERSION_1)
			return bad(info, SCAN_EVERSION);
		if (read_record(buf + pos, len - pos, &r, &need) != 0)
			return more(info, pos + need, lim);
		if (r.type != FCGI_PARAMS || r.id != id)
			return bad(info, SCAN_ERECORD);
		pos += need;
		if (r.clen == 0)
			break;
		info->params_len += r.clen;
		if (info->params_len > lim->max_params)
			return bad(info, SCAN_EPARAMS_LEN);
		if (pairs_feed(&ps, r.content, r.clen) != 0)
			return bad(info, SCAN_EPAIR);
	}
	/* The stream must end on a pair boundary. */
	if (ps.st != P_NLEN || ps.lenpos != 0)
		return bad(info, SCAN_EPAIR);
	info->content_length = content_length(&ps);

	/*
	 * An authorizer's request ends with its params: the body belongs to
	 * the request it guards, so Apache sends no STDIN at all, and
	 * lighttpd an empty one for some methods and none for others. The
	 * worker never reads an authorizer's input (whatever follows is left
	 * unparsed, then drained when the connection closes), so nothing
	 * after the params is waited for or looked at.
	 */
	if (info->role == FCGI_AUTHORIZER) {
		info->consumed = pos;
		return SCAN_READY;
	}

	/*
	 * An announced body over max_body is refused (413). When it cannot
	 * fit the window it is handed over at once, marked so that nothing
	 * reads it, and the connection is closed after the answer. One that
	 * fits is waited for and checked like any other: the worker then
	 * reads it to its end after refusing it, and a kept connection
	 * (nginx fastcgi_keep_conn) stays in step for the web server's next
	 * request instead of closing under it.
	 */
	params_end = pos;
	over = info->content_length > 0 && (size_t)info->content_length > lim->max_body;
	if (over && params_end + body_raw(info->content_length) > lim->window)
		return unscanned(info, params_end);
	/*
	 * Else STDIN up to its empty record, whatever its length (a body
	 * longer than announced is the worker's to refuse), so that no thread
	 * waits for it, and so that libfcgi, reading it, never meets a record
	 * that was not checked: a request refused before its body is read
	 * can then still be read to its end and its kept connection reused.
	 * More than the window holds is refused here (an over-long body
	 * framed in records too small to fit is refused unread instead).
	 */
	for (;;) {
		if (pos < len && buf[pos] != FCGI_VERSION_1)
			return bad(info, SCAN_EVERSION);
		if (read_record(buf + pos, len - pos, &r, &need) != 0)
			return over && pos + need > lim->window ? unscanned(info, params_end)
								: more(info, pos + need, lim);
		if (r.type != FCGI_STDIN || r.id != id)
			return bad(info, SCAN_ERECORD);
		pos += need;
		stdin_len += r.clen;
		if (r.clen == 0)
			break;
	}
	info->stdin_len = stdin_len;
	info->consumed = pos;
	return SCAN_READY;
}

const char *
fcgi_scan_reason(enum scan_reason r)
{
	switch (r) {
	case SCAN_OK:
		return "ok";
	case SCAN_EVERSION:
		return "bad version";
	case SCAN_EFIRST:
		return "no BEGIN_REQUEST";
	case SCAN_EBEGIN:
		return "bad BEGIN_REQUEST";
	case SCAN_ERECORD:
		return "unexpected record";
	case SCAN_EPARAMS_LEN:
		return "params too long";
	case SCAN_EPAIR:
		return "bad name-value pair";
	case SCAN_ETOO_BIG:
		return "request too big";
	}
	return "?";
}

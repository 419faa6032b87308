/* SPDX-License-Identifier: ISC */
/*
 * audit.c — the audit trail: one JSON object per line, written to the
 * audit sink (log.h) whole, so lines from concurrent threads and
 * processes do not interleave (each line is kept under PIPE_BUF). Every
 * string that came from a client is escaped: control characters and
 * quotes cannot forge a line, and bytes that are not UTF-8 become U+FFFD.
 *
 * A write per line costs a system call per request, so while other
 * requests are being answered the lines wait in one buffer per process
 * (PENDING_MAX bytes, one write when full). They go out when the request
 * is the only one being served (then before its answer, so a lone client
 * never sees its answer before its line), when the oldest waited
 * HOLD_MS, when the process has nothing left to answer, and from the
 * main thread's tick (audit_flush): under load a line is written within
 * HOLD_MS of its request, and within a second at worst.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "exchange.h"
#include "log.h"
#include "request.h"
#include "util.h"

/* Escaped user, user agent and client ip take at most 3 × 1024 bytes of an
 * AUDIT_LINE_MAX line; the rest of the line is under 300 bytes. */
#define FIELD_MAX 1024

#define PENDING_MAX AUDIT_LINE_MAX /* a pipe keeps a write of this whole */
#define HOLD_MS	    100

static struct {
	pthread_mutex_t mu;
	char buf[PENDING_MAX];
	size_t len;
	long long since; /* ms, monotonic: when the oldest line came */
} pending = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Append s as a JSON string (with quotes), using at most FIELD_MAX bytes of
 * buf, so the fixed parts of the line always fit. Stops cleanly at a
 * character boundary; returns the new offset. */
static size_t
put_string(char *buf, size_t cap, size_t o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (cap > o + FIELD_MAX)
		cap = o + FIELD_MAX;
	if (o + 2 >= cap)
		return o;
	buf[o++] = '"';
	while (n > 0) {
		char esc[8];
		size_t elen, clen = 1;
		const char *out = esc;

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			elen = 2;
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			esc[0] = '\\';
			esc[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
			elen = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			elen = 6;
		} else if ((clen = util_utf8_len(p, n)) == 0) {
			out = "\\ufffd";
			elen = 6;
			clen = 1;
		} else {
			out = (const char *)p;
			elen = clen;
		}
		if (o + elen + 2 > cap)
			break;
		memcpy(buf + o, out, elen);
		o += elen;
		p += clen;
		n -= clen;
	}
	buf[o++] = '"';
	return o;
}

static size_t
put_raw(char *buf, size_t cap, size_t o, const char *s)
{
	size_t n = strlen(s);

	if (o + n >= cap)
		return o;
	memcpy(buf + o, s, n);
	return o + n;
}

size_t
audit_format(char *buf, size_t cap, const struct timespec *ts, long pid,
    const struct request *req, const struct outcome *ev)
{
	const struct reason_info *why = reason_info(ev->reason);
	char num[64];
	struct tm tm;
	size_t o = 0;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(num, sizeof(num), "%Y-%m-%dT%H:%M:%S", &tm);
	o = put_raw(buf, cap, o, "{\"time\":\"");
	o = put_raw(buf, cap, o, num);
	snprintf(
	    num, sizeof(num), ".%03ldZ\",\"pid\":%ld,\"event\":", ts->tv_nsec / 1000000, pid);
	o = put_raw(buf, cap, o, num);
	o = put_string(buf, cap, o, why->err != HERR_NONE || ev->event == NULL ? "refused" : ev->event);
	o = put_raw(buf, cap, o, ",\"user\":");
	o = ev->user[0] ? put_string(buf, cap, o, ev->user) : put_raw(buf, cap, o, "null");
	if (ev->sessions >= 0)
		snprintf(num, sizeof(num), ",\"sessions\":%lld,\"client_ip\":", ev->sessions);
	else
		snprintf(num, sizeof(num), ",\"sessions\":null,\"client_ip\":");
	o = put_raw(buf, cap, o, num);
	o = put_string(buf, cap, o, req->client_ip);
	o = put_raw(buf, cap, o, ",\"user_agent\":");
	o = put_string(buf, cap, o, req->user_agent);
	o = put_raw(buf, cap, o, ",\"trace_id\":");
	o = put_string(buf, cap, o, req->trace_id);
	snprintf(num, sizeof(num), ",\"status\":%d,\"reason\":", ev->status);
	o = put_raw(buf, cap, o, num);
	o = put_string(buf, cap, o, why->text);
	o = put_raw(buf, cap, o, "}\n");
	return o;
}

/* Under pending.mu. Best effort: a full or closed target must not fail
 * a request. */
static void
flush_locked(void)
{
	if (pending.len > 0)
		log_audit_lines(pending.buf, pending.len);
	pending.len = 0;
}

void
audit_emit(long pid, const struct request *req, const struct outcome *ev, int alone)
{
	char line[AUDIT_LINE_MAX];
	struct timespec ts;
	long long now;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if ((n = audit_format(line, sizeof(line), &ts, pid, req, ev)) == 0)
		return;
	now = util_now_ms();
	pthread_mutex_lock(&pending.mu);
	if (pending.len + n > sizeof(pending.buf))
		flush_locked();
	if (pending.len == 0)
		pending.since = now;
	memcpy(pending.buf + pending.len, line, n);
	pending.len += n;
	if (alone || now - pending.since >= HOLD_MS)
		flush_locked();
	pthread_mutex_unlock(&pending.mu);
}

void
audit_flush(void)
{
	pthread_mutex_lock(&pending.mu);
	flush_locked();
	pthread_mutex_unlock(&pending.mu);
}

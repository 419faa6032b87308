/* SPDX-License-Identifier: ISC */
/*
 * test_audit.c — pins src/audit.c: audit_format writes exactly one line of
 * valid JSON (checked by json-c, strict, UTF-8 validated) with the fields
 * time, event, user, sessions, client_ip, user_agent, trace_id, status and
 * reason; hostile client strings (quotes, backslashes, newlines, control
 * bytes, invalid UTF-8) cannot break or forge the line and round-trip where
 * they are valid text; the worst case still fits AUDIT_LINE_MAX as valid
 * JSON; a short buffer is never overrun; audit_emit writes the line to
 * stderr.
 */
#include <fcntl.h>
#include <unistd.h>

#include "unit.h"

#include "audit.h"
#include "exchange.h"
#include "request.h"

#define TRACE "123e4567-e89b-12d3-a456-426614174000"

static const struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 123000000 };

static void
make_request(struct request *r, const char *ua)
{
	memset(r, 0, sizeof(*r));
	r->route = routes_get(ROUTE_LOGOUT);
	r->method = METHOD_POST;
	r->content_length = -1;
	snprintf(r->client_ip, sizeof(r->client_ip), "%s", "203.0.113.7");
	snprintf(r->user_agent, sizeof(r->user_agent), "%s", ua);
	snprintf(r->trace_id, sizeof(r->trace_id), "%s", TRACE);
}

static void
make_event(struct outcome *ev, const char *event, const char *user, long long sessions,
    int status, enum reason reason)
{
	memset(ev, 0, sizeof(*ev));
	ev->event = event;
	snprintf(ev->user, sizeof(ev->user), "%s", user);
	ev->sessions = sessions;
	ev->status = status;
	ev->reason = reason;
}

/* Format, check it is one '\n'-terminated line of JSON, and parse it. */
static struct json_object *
format_line(const struct request *r, const struct outcome *ev, char *buf, size_t cap)
{
	size_t n = audit_format(buf, cap, &ts, 4242, r, ev);

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, cap);
	ck_assert_msg(buf[n - 1] == '\n', "line does not end in a newline: %.*s", (int)n, buf);
	ck_assert_msg(memchr(buf, '\n', n - 1) == NULL, "more than one line: %.*s", (int)n, buf);
	ck_assert_msg(memchr(buf, '\0', n) == NULL, "NUL inside the line");
	ck_assert_msg(memchr(buf, '\r', n) == NULL, "CR inside the line");
	return unit_json(buf, n - 1, 1);
}

static const char *
str_member(struct json_object *o, const char *name)
{
	struct json_object *v = unit_member(o, name);

	ck_assert_msg(json_object_is_type(v, json_type_string), "%s is not a string", name);
	return json_object_get_string(v);
}

START_TEST(fields)
{
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX];
	struct json_object *o, *t;

	make_request(&r, "curl/8.0");
	make_event(&ev, "logout_all", "42", 3, 200, REASON_OK);
	o = format_line(&r, &ev, buf, sizeof(buf));
	t = unit_member(o, "time");
	if (json_object_is_type(t, json_type_string))
		ck_assert_has(json_object_get_string(t), "2023-11-14T22:13:20");
	else
		ck_assert_int_eq(json_object_get_int64(t), 1700000000);
	ck_assert_str_eq(str_member(o, "event"), "logout_all");
	ck_assert_str_eq(str_member(o, "user"), "42");
	ck_assert(json_object_is_type(unit_member(o, "sessions"), json_type_int));
	ck_assert_int_eq(json_object_get_int64(unit_member(o, "sessions")), 3);
	ck_assert_str_eq(str_member(o, "client_ip"), "203.0.113.7");
	ck_assert_str_eq(str_member(o, "user_agent"), "curl/8.0");
	ck_assert_str_eq(str_member(o, "trace_id"), TRACE);
	ck_assert(json_object_is_type(unit_member(o, "status"), json_type_int));
	ck_assert_int_eq(json_object_get_int(unit_member(o, "status")), 200);
	ck_assert_str_eq(str_member(o, "reason"), "ok");
	json_object_put(o);
}
END_TEST

START_TEST(refused_unauthenticated)
{
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX];
	struct json_object *o, *v;

	make_request(&r, "");
	make_event(&ev, "refused", "", -1, 401, REASON_TOKEN_EXPIRED);
	o = format_line(&r, &ev, buf, sizeof(buf));
	ck_assert_str_eq(str_member(o, "event"), "refused");
	/* No user and no session count: null (or empty / -1), but present. */
	v = unit_member(o, "user");
	ck_assert(json_object_is_type(v, json_type_null) ||
	    (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0));
	v = unit_member(o, "sessions");
	ck_assert(json_object_is_type(v, json_type_null) ||
	    (json_object_is_type(v, json_type_int) && json_object_get_int64(v) == -1));
	ck_assert_int_eq(json_object_get_int(unit_member(o, "status")), 401);
	ck_assert_str_eq(str_member(o, "reason"), "expired");
	ck_assert_str_eq(str_member(o, "user_agent"), "");
	json_object_put(o);
}
END_TEST

START_TEST(hostile_user_agent)
{
	static const char ua[] = "Mozilla \"5.0\" \\ C:\\x\n{\"event\":\"forged\"}\r\t\x01\x02\x1b[31m\x1f\x7f end";
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX];
	struct json_object *o;

	make_request(&r, ua);
	make_event(&ev, "logout", "alice", 1, 204, REASON_OK);
	o = format_line(&r, &ev, buf, sizeof(buf));
	ck_assert_str_eq(str_member(o, "user_agent"), ua);
	ck_assert_str_eq(str_member(o, "event"), "logout");
	/* Raw control bytes never reach the log. */
	for (size_t i = 0; buf[i] != '\n'; i++)
		ck_assert_msg((unsigned char)buf[i] >= 0x20, "raw 0x%02x at %zu", buf[i], i);
	json_object_put(o);
}
END_TEST

START_TEST(hostile_user)
{
	/* sub comes from a verified token, but its text is still someone's input. */
	static const char user[] = "a\"b\\c\nd\x01";
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX];
	struct json_object *o;

	make_request(&r, "ua");
	make_event(&ev, "logout", user, 1, 204, REASON_OK);
	o = format_line(&r, &ev, buf, sizeof(buf));
	ck_assert_str_eq(str_member(o, "user"), user);
	json_object_put(o);
}
END_TEST

START_TEST(utf8)
{
	static const char good[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91";
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX];
	struct json_object *o;

	make_request(&r, good);
	make_event(&ev, "logout", "alice", 1, 204, REASON_OK);
	o = format_line(&r, &ev, buf, sizeof(buf));
	ck_assert_str_eq(str_member(o, "user_agent"), good);
	json_object_put(o);
	/* Invalid UTF-8 must still give a line that strict parsers accept. */
	make_request(&r, "bad \xff\xfe \xc3\x28 \xed\xa0\x80 \xc0\xaf end");
	o = format_line(&r, &ev, buf, sizeof(buf));
	ck_assert_has(str_member(o, "user_agent"), "bad ");
	ck_assert_has(str_member(o, "user_agent"), " end");
	json_object_put(o);
}
END_TEST

START_TEST(worst_case_fits)
{
	/* Longest user and user agent, every byte needing a \u escape. */
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX];
	struct json_object *o;

	make_request(&r, "");
	memset(r.user_agent, 0x01, REQUEST_UA_MAX - 1);
	r.user_agent[REQUEST_UA_MAX - 1] = '\0';
	memset(r.client_ip, '"', REQUEST_IP_MAX - 1);
	r.client_ip[REQUEST_IP_MAX - 1] = '\0';
	make_event(&ev, "refused", "", -1, 403, REASON_REFRESH_OTHER_USER);
	memset(ev.user, 0x02, TOKEN_CLAIM_MAX);
	ev.user[TOKEN_CLAIM_MAX] = '\0';
	o = format_line(&r, &ev, buf, sizeof(buf));
	/* Whatever was cut, the fixed fields are intact. */
	ck_assert_str_eq(str_member(o, "trace_id"), TRACE);
	ck_assert_str_eq(str_member(o, "reason"), "refresh token of another user");
	ck_assert_int_eq(json_object_get_int(unit_member(o, "status")), 403);
	json_object_put(o);
}
END_TEST

START_TEST(short_buffer)
{
	struct request r;
	struct outcome ev;
	static char buf[AUDIT_LINE_MAX + 64];

	make_request(&r, "a user agent of some length");
	make_event(&ev, "logout", "alice", 1, 204, REASON_OK);
	for (size_t cap = 1; cap < 160; cap++) {
		size_t n;

		memset(buf, '#', sizeof(buf));
		n = audit_format(buf, cap, &ts, 4242, &r, &ev);
		ck_assert_msg(n < cap, "length %zu with cap %zu", n, cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			ck_assert_msg(buf[i] == '#', "wrote at %zu with cap %zu", i, cap);
	}
}
END_TEST

START_TEST(emit_to_stderr)
{
	struct request r;
	struct outcome ev;
	char buf[AUDIT_LINE_MAX + 1];
	int fds[2], saved;
	ssize_t n;
	struct json_object *o;

	make_request(&r, "emit\ntest");
	make_event(&ev, "logout", "bob", 2, 204, REASON_OK);
	ck_assert_int_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fds[1], STDERR_FILENO), STDERR_FILENO);
	audit_emit(4242, &r, &ev, 1);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_ptr_null(memchr(buf, '\n', (size_t)n - 1));
	o = unit_json(buf, (size_t)n - 1, 1);
	ck_assert_str_eq(str_member(o, "user"), "bob");
	ck_assert_str_eq(str_member(o, "user_agent"), "emit\ntest");
	ck_assert_int_eq(json_object_get_int64(unit_member(o, "sessions")), 2);
	json_object_put(o);
}
END_TEST

/* Not alone: the line waits (nothing written) until the next alone line
 * or a flush writes both at once. */
START_TEST(held_until_alone_or_flush)
{
	struct request r;
	struct outcome ev;
	char buf[2 * AUDIT_LINE_MAX];
	int fds[2], saved;
	ssize_t n;

	make_request(&r, "held");
	make_event(&ev, "logout", "carol", 1, 204, REASON_OK);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_eq(dup2(fds[1], STDERR_FILENO), STDERR_FILENO);
	audit_emit(4242, &r, &ev, 0);
	n = read(fds[0], buf, sizeof(buf));
	ck_assert_int_eq(n, -1);
	audit_emit(4242, &r, &ev, 1);
	n = read(fds[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_ptr_nonnull(strchr(buf, '\n'));
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_ptr_nonnull(strstr(strchr(buf, '\n'), "carol")); /* two lines, one read */
	audit_emit(4242, &r, &ev, 0);
	audit_flush();
	n = read(fds[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");

	UNIT_TCASE(s, "format", fields, refused_unauthenticated);
	UNIT_TCASE(s, "escaping", hostile_user_agent, hostile_user, utf8, worst_case_fits);
	UNIT_TCASE(s, "bounds", short_buffer, emit_to_stderr, held_until_alone_or_flush);
	return s;
}

UNIT_MAIN(audit_suite)

/* SPDX-License-Identifier: ISC */
/*
 * fuzz_request.c — the routing layer: FastCGI params through request_parse,
 * handler_precheck, render_response and audit_format.
 *
 * The input is a list of NAME=VALUE lines ('\n' separated; the first '='
 * splits, a line without one is a name with an empty value, the first of
 * two equal names wins; a NUL ends a value early, as it would in a C
 * string). Each input runs against three configs loaded once: the shipped
 * defaults (prefix /api/v1/auth, 204, max_body 4096), a root-mounted one
 * (prefix "", 200, max_body 0) and one serving every route (the gate at
 * /check). A FUZZ_USER param, raw bytes, becomes the audit event's user
 * (and the gate's header value) when the request gets through the
 * precheck.
 *
 * Invariants: the trace id is always a valid UUID (it is echoed into a
 * header), client_ip and user_agent are well-formed UTF-8, a bad length is
 * reported as -1; the response renders, starts with "Status: ", has only
 * CRLF-terminated header lines free of control bytes (a gate's "yes" naming
 * a user that would break a header is not rendered at all); the audit line
 * is one line of valid JSON. FCGI_ROLE=AUTHORIZER routes any path to the
 * gate.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "fuzz.h"

#include "audit.h"
#include "config.h"
#include "exchange.h"
#include "handlers.h"
#include "render.h"
#include "request.h"
#include "util.h"

#define MAX_PARAMS 64

static struct config *cfgs[3];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	cfgs[0] = fuzz_config("[key main]\n"
			      "alg = HS256\n"
			      "secret_env = FUZZ_KEY32\n");
	cfgs[1] = fuzz_config("[server]\n"
			      "path_prefix = /\n"
			      "max_body = 0\n"
			      "health_path = /health\n"
			      "metrics_path = /metrics\n"
			      "[token]\n"
			      "default_key = a\n"
			      "[key a]\n"
			      "alg = HS256\n"
			      "secret_env = FUZZ_KEY_B64\n"
			      "encoding = base64\n"
			      "[key b]\n"
			      "alg = HS512\n"
			      "secret_env = FUZZ_KEY64\n"
			      "[response]\n"
			      "logout_status = 200\n");
	cfgs[2] = fuzz_config("[server]\n"
			      "endpoints = logout logout-all verify logout-others\n"
			      "verify_path = /check\n"
			      "[key main]\n"
			      "alg = HS256\n"
			      "secret_env = FUZZ_KEY32\n");
	return 0;
}

struct table {
	size_t n;
	const char *name[MAX_PARAMS];
	const char *value[MAX_PARAMS];
};

static const char *
get(void *ctx, const char *name)
{
	const struct table *t = ctx;

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return t->value[i];
	return NULL;
}

/* Split buf (NUL-terminated, modified in place) into the table. */
static void
split(char *buf, size_t len, struct table *t)
{
	char *p = buf, *end = buf + len;

	t->n = 0;
	while (p < end && t->n < MAX_PARAMS) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eq;

		if (nl != NULL)
			*nl = '\0';
		t->name[t->n] = p;
		if ((eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			t->value[t->n] = eq + 1;
		} else
			t->value[t->n] = p + strlen(p); /* "" */
		t->n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* Header lines end in CRLF and hold no other control byte; the body is
 * after the blank line. */
static void
check_rendered(const char *out, int n)
{
	const char *p = out, *end = out + n;

	FUZZ_CHECK(n > 0, "render_response returned %d", n);
	FUZZ_CHECK((size_t)n == strlen(out), "length %d, strlen %zu", n, strlen(out));
	FUZZ_CHECK(strncmp(out, "Status: ", 8) == 0, "starts \"%.20s\"", out);
	for (;;) {
		const char *crlf = strstr(p, "\r\n");

		FUZZ_CHECK(crlf != NULL, "header without CRLF: \"%.40s\"", p);
		for (const char *q = p; q < crlf; q++)
			FUZZ_CHECK((unsigned char)*q >= 0x20 && *q != 0x7f,
			    "control byte %#x in a header", (unsigned char)*q);
		if (crlf == p)
			break; /* the blank line */
		p = crlf + 2;
	}
	p += 2;
	FUZZ_CHECK(p <= end, "past the end");
	for (; p < end; p++)
		FUZZ_CHECK(
		    (unsigned char)*p >= 0x20, "control byte %#x in the body", (unsigned char)*p);
}

static void
check_audit(const struct request *req, const struct outcome *ev)
{
	static const struct timespec ts = {FUZZ_NOW, 123456789};
	char line[AUDIT_LINE_MAX];
	struct json_tokener *tok;
	struct json_object *obj;
	size_t n;

	n = audit_format(line, sizeof(line), &ts, 4242, req, ev);
	FUZZ_CHECK(n >= 2 && n < sizeof(line), "audit line length %zu", n);
	FUZZ_CHECK(
	    line[n - 1] == '\n' && memchr(line, '\n', n - 1) == NULL, "not exactly one line");
	FUZZ_CHECK(util_utf8_valid(line, n), "audit line not UTF-8");
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, (int)n - 1);
	FUZZ_CHECK(obj != NULL && json_tokener_get_parse_end(tok) == n - 1 &&
		       json_object_is_type(obj, json_type_object),
	    "audit line is not one JSON object: %.*s", (int)n, line);
	json_object_put(obj);
	json_tokener_free(tok);
}

static void
run(const struct config *cfg, struct table *t)
{
	struct request req;
	struct exchange x;
	enum request_err perr;
	char out[4096];
	const char *len, *user;
	int go, n;

	memset(&req, 0x5a, sizeof(req));
	perr = request_parse(&req, cfg, get, t);
	FUZZ_CHECK(perr == REQUEST_OK || perr == REQUEST_EBADLENGTH, "perr %d", (int)perr);
	FUZZ_CHECK(request_uuid_valid(req.trace_id), "trace_id \"%.40s\"", req.trace_id);
	if (request_uuid_valid(get(t, "HTTP_X_REQUEST_ID")))
		FUZZ_CHECK(strcmp(req.trace_id, get(t, "HTTP_X_REQUEST_ID")) == 0,
		    "X-Request-Id not kept");
	FUZZ_CHECK(memchr(req.path, '\0', sizeof(req.path)) != NULL, "path unterminated");
	FUZZ_CHECK(memchr(req.client_ip, '\0', sizeof(req.client_ip)) != NULL, "ip unterminated");
	FUZZ_CHECK(memchr(req.user_agent, '\0', sizeof(req.user_agent)) != NULL,
	    "user_agent unterminated");
	FUZZ_CHECK(util_utf8_valid(req.client_ip, strlen(req.client_ip)), "client_ip not UTF-8");
	FUZZ_CHECK(util_utf8_valid(req.user_agent, strlen(req.user_agent)), "user_agent not UTF-8");
	FUZZ_CHECK(req.route == NULL || req.route == routes_get(req.route->id), "route %p",
	    (const void *)req.route);
	FUZZ_CHECK(req.method == 0 || req.method == METHOD_GET || req.method == METHOD_HEAD ||
		       req.method == METHOD_POST,
	    "method %u", req.method);
	if (perr != REQUEST_OK)
		FUZZ_CHECK(req.content_length == -1, "bad length kept as %lld", req.content_length);
	else
		FUZZ_CHECK(req.content_length >= -1, "content_length %lld", req.content_length);
	len = get(t, "CONTENT_LENGTH");
	if (len == NULL || len[0] == '\0')
		FUZZ_CHECK(perr == REQUEST_OK && req.content_length == -1, "no length, yet %lld",
		    req.content_length);
	if (req.route != NULL && routes_config_path(req.route, cfg) != NULL)
		FUZZ_CHECK(strcmp(req.path, routes_config_path(req.route, cfg)) == 0,
		    "route %s for \"%.80s\"", req.route->name, req.path);
	if (req.authorizer)
		FUZZ_CHECK(req.route == routes_get(ROUTE_VERIFY), "authorizer not at the gate");
	else if (req.route != NULL && routes_suffix(req.route, cfg) != NULL) {
		size_t plen = strlen(cfg->path_prefix);

		FUZZ_CHECK(strncmp(req.path, cfg->path_prefix, plen) == 0 &&
			       strcmp(req.path + plen, routes_suffix(req.route, cfg)) == 0,
		    "route %s for \"%.80s\"", req.route->name, req.path);
	}

	exchange_init(&x, cfg, &req);
	go = handler_precheck(&x, perr);
	FUZZ_CHECK(go == 0 || go == -1, "precheck %d", go);
	if (go == 0 && req.route->methods == METHOD_ANY) {
		/* The gate: any method, any length (it never reads a body). */
		FUZZ_CHECK(req.route->flags & ROUTE_NO_BODY, "gate that reads a body");
		FUZZ_CHECK(routes_served(req.route, cfg), "gate not served let through");
	} else if (go == 0)
		FUZZ_CHECK(req.route != NULL && (req.method & req.route->methods) &&
			       ((req.route->flags & ROUTE_NO_BODY) ||
				   (perr == REQUEST_OK &&
				       req.content_length <= (long long)cfg->max_body)),
		    "precheck let through path \"%.80s\" method %u len %lld", req.path, req.method,
		    req.content_length);
	if (go == 0) {
		FUZZ_CHECK(!exchange_refused(&x), "precheck went on with a refusal");
		exchange_succeed(&x, REASON_OK, req.route->ok, "logout", 1);
		/* Raw bytes, as a token's sub would be: audit must escape them. */
		user = get(t, "FUZZ_USER");
		snprintf(x.out.user, sizeof(x.out.user), "%s", user ? user : "");
	} else {
		FUZZ_CHECK(exchange_refused(&x), "precheck refused without a reason");
		FUZZ_CHECK(render_status(cfg, &x.out) >= 400, "refusal with status %d",
		    render_status(cfg, &x.out));
	}
	x.out.status = render_status(cfg, &x.out);
	n = render_response(cfg, x.route, &x.out, req.trace_id, out, sizeof(out));
	if (go == 0 && x.out.kind == RESP_VERIFY_OK && !util_header_value_ok(x.out.user)) {
		FUZZ_CHECK(n == -1, "a gate header with a control byte rendered");
		check_audit(&req, &x.out);
		return;
	}
	check_rendered(out, n);
	{
		char want[64];

		snprintf(want, sizeof(want), "Status: %d ", x.out.status);
		FUZZ_CHECK(strncmp(out, want, strlen(want)) == 0, "status line \"%.30s\"", out);
		snprintf(want, sizeof(want), "\r\nX-Request-Id: %s\r\n", req.trace_id);
		FUZZ_CHECK(strstr(out, want) != NULL, "no X-Request-Id header");
	}
	check_audit(&req, &x.out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table t;
	char *buf;

	if (size > 16 * 1024)
		return -1;
	buf = fuzz_cstr(data, size);
	split(buf, size, &t);
	run(cfgs[0], &t);
	run(cfgs[1], &t);
	run(cfgs[2], &t);
	free(buf);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * options.c — the table of configuration keys and the typed setters that
 * fill a struct config from it. A row says everything about its key; the
 * few keys whose values need code (a normalised path, a list of routes,
 * "empty means the server's") name a setter of their own, and numbers with
 * a rule beyond their bounds (one of two statuses, a power of two) a
 * check. Defaults are spelled as the file would spell them and go through
 * the same setters, so a default cannot lie outside its own bounds
 * (tests/unit/test_options.c).
 */
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "ratelimit.h"
#include "routes.h"
#include "util.h"

/* 0 when the field has type T, else a compile error: a row cannot write a
 * type its field does not have. */
#define HAS_TYPE(S, fld, T) (0 * sizeof(_Generic(((S *)0)->fld, T: 1)))
#define INT_SIZED(S, fld)   (0 * sizeof(char[sizeof(((S *)0)->fld) == sizeof(int) ? 1 : -1]))
#define SIZE_OF(S, fld)	    sizeof(((S *)0)->fld)

#define STRING_OPT(sec_, nm_, fld, def_, doc_)                                                 \
	{.section = sec_, .name = nm_, .type = OPT_STRING, .in = OPT_IN_CONFIG,                \
	    .off = offsetof(struct config, fld) + HAS_TYPE(struct config, fld[0], char),       \
	    .size = SIZE_OF(struct config, fld), .def = def_, .doc = doc_}
#define NUMBER_OPT(type_, T, sec_, nm_, fld, lo, hi, def_, doc_)                               \
	{.section = sec_, .name = nm_, .type = type_, .in = OPT_IN_CONFIG,                     \
	    .off = offsetof(struct config, fld) + HAS_TYPE(struct config, fld, T),             \
	    .size = sizeof(T), .min = lo, .max = hi, .def = def_, .doc = doc_}
/* A number with a rule its bounds cannot say, and a type column that can. */
#define CHECKED_OPT(type_, T, sec_, nm_, fld, lo, hi, checker, kind_, def_, doc_)              \
	{.section = sec_, .name = nm_, .type = type_, .in = OPT_IN_CONFIG,                     \
	    .off = offsetof(struct config, fld) + HAS_TYPE(struct config, fld, T),             \
	    .size = sizeof(T), .min = lo, .max = hi, .check = checker, .kind = kind_,          \
	    .def = def_, .doc = doc_}
#define UINT_OPT(...)  NUMBER_OPT(OPT_UINT, unsigned int, __VA_ARGS__)
#define INT_OPT(...)   NUMBER_OPT(OPT_INT, int, __VA_ARGS__)
#define LLONG_OPT(...) NUMBER_OPT(OPT_LLONG, long long, __VA_ARGS__)
#define SIZE_OPT(...)  NUMBER_OPT(OPT_SIZE, size_t, __VA_ARGS__)
#define BOOL_OPT(sec_, nm_, fld, def_, doc_)                                                   \
	{.section = sec_, .name = nm_, .type = OPT_BOOL, .in = OPT_IN_CONFIG,                  \
	    .off = offsetof(struct config, fld) + HAS_TYPE(struct config, fld, int),           \
	    .size = sizeof(int), .def = def_, .doc = doc_}
#define CHOICE_OPT(S, in_, sec_, nm_, fld, words, vals, def_, shown_, doc_)                    \
	{.section = sec_, .name = nm_, .type = OPT_CHOICE, .in = in_,                          \
	    .off = offsetof(S, fld) + INT_SIZED(S, fld), .size = sizeof(int), .choices = words, \
	    .values = vals, .def = def_, .shown = shown_, .doc = doc_}
#define RAW_OPT(sec_, nm_, fld, kind_, def_, doc_)                                             \
	{.section = sec_, .name = nm_, .type = OPT_RAW, .in = OPT_IN_RAWS,                     \
	    .off = offsetof(struct opt_raws, fld), .size = sizeof(struct opt_raw),             \
	    .kind = kind_, .def = def_, .doc = doc_}
#define SQL_OPT(arr, id, adm, shown_, doc_)                                                    \
	{.section = "sql", .type = OPT_RAW, .in = OPT_IN_RAWS,                                 \
	    .off = offsetof(struct opt_raws, arr[id]), .size = sizeof(struct opt_raw),         \
	    .stmt = id, .admin = adm, .kind = "SQL", .shown = shown_, .doc = doc_}
#define SERVING_SQL_OPT(id, ...) SQL_OPT(sql, id, 0, __VA_ARGS__)
#define ADMIN_SQL_OPT(id, ...)   SQL_OPT(admin_sql, id, 1, __VA_ARGS__)
#define SPECIAL_OPT(sec_, nm_, fld, T, setter, lo, hi, kind_, def_, doc_)                      \
	{.section = sec_, .name = nm_, .type = OPT_SPECIAL, .in = OPT_IN_CONFIG,               \
	    .off = offsetof(struct config, fld) + HAS_TYPE(struct config, fld, T),             \
	    .size = SIZE_OF(struct config, fld), .min = lo, .max = hi, .set = setter,          \
	    .kind = kind_, .def = def_, .doc = doc_}
#define KEY_STRING_OPT(nm_, fld, kind_, doc_)                                                  \
	{.section = "key", .name = nm_, .type = OPT_STRING, .in = OPT_IN_KEY,                  \
	    .off = offsetof(struct keyring_spec, fld) +                                        \
		   HAS_TYPE(struct keyring_spec, fld[0], char),                                \
	    .size = SIZE_OF(struct keyring_spec, fld), .kind = kind_, .def = "", .doc = doc_}

static int set_path_prefix(struct opt_target *, const struct opt *, void *, const char *);
static int set_endpoints(struct opt_target *, const struct opt *, void *, const char *);
static int set_route_path(struct opt_target *, const struct opt *, void *, const char *);
static int set_route_suffix(struct opt_target *, const struct opt *, void *, const char *);
static int set_header_name(struct opt_target *, const struct opt *, void *, const char *);
static int logout_status(struct opt_target *, const struct opt *, long long);
static int power_of_two(struct opt_target *, const struct opt *, long long);
static int set_wsrep_sync_wait(struct opt_target *, const struct opt *, void *, const char *);
static int set_mode(struct opt_target *, const struct opt *, void *, const char *);
static int set_target(struct opt_target *, const struct opt *, void *, const char *);
static int set_ident(struct opt_target *, const struct opt *, void *, const char *);
static int set_facility(struct opt_target *, const struct opt *, void *, const char *);

static const char *const formats[] = {"jwt", "sanctum", NULL};
static const char *const styles[] = {"envelope", "fastapi", "laravel", NULL};
static const char *const scopes[] = {"session", "user", NULL};
static const char *const gone[] = {"401", "204", "200", NULL};
static const int gone_status[] = {401, 204, 200};
static const char *const algs[] = {"HS256", "HS512", NULL};
static const int alg_ids[] = {KEY_HS256, KEY_HS512};
static const char *const encodings[] = {"raw", "base64", NULL};
/* log.c's names (log_level_parse; tests/unit/test_options.c holds them
 * together). */
static const char *const levels[] = {"error", "warning", "info", "debug", NULL};
static const int level_prios[] = {SINK_ERR, SINK_WARNING, SINK_INFO, SINK_DEBUG};

/* The order is logout-fcgi.conf(5)'s and README's. */
static const struct opt opts[] = {
    SPECIAL_OPT("server", "path_prefix", path_prefix, char *, set_path_prefix, 0,
	0, "string", "/api/v1/auth",
	"where the endpoints are mounted; trailing slashes go, / is the root"),
    SIZE_OPT("server", "max_body", max_body, 0, 65536, "4096",
	"largest request body in bytes; a longer one is answered 413"),
    INT_OPT("server", "threads", threads, OPTIONS_THREADS_MIN, OPTIONS_THREADS_MAX, "16",
	"threads per process, each with a database connection (--threads)"),
    STRING_OPT("server", "listen", listen, "",
	"unix socket path or host:port; empty: the socket on fd 0 (--listen)"),
    RAW_OPT("server", "user", user, "user name", NULL,
	"started as root: the account to serve as (--user)"),
    RAW_OPT("server", "group", group, "group name", NULL,
	"started as root: the group to serve as; empty: the user's (--group)"),
    BOOL_OPT("server", "allow_root", allow_root, "no",
	"started as root without user: serve as root instead of refusing (--allow-root)"),
    RAW_OPT("server", "listen_owner", listen_owner, "user name", NULL,
	"owner of the unix socket listen makes; empty: user (--listen-owner)"),
    RAW_OPT("server", "listen_group", listen_group, "group name", NULL,
	"group of the unix socket listen makes; empty: group (--listen-group)"),
    SPECIAL_OPT("server", "listen_mode", listen_mode, unsigned int, set_mode, 0, 0777,
	"octal mode", "0660", "mode of the unix socket listen makes (--listen-mode)"),
    RAW_OPT("server", "pid_file", pid_file, "path", NULL,
	"the main process's id, locked while it runs; empty: none (--pid-file)"),
    BOOL_OPT("server", "strict_modes", strict_modes, "yes",
	"refuse secret files others may access or another user owns"),
    SPECIAL_OPT("server", "endpoints", endpoints, unsigned int, set_endpoints, 0, 0,
	"list of routes", ROUTES_DEFAULT_NAMES,
	"routes served (logout logout-all verify logout-others); the others answer 404"),
    SPECIAL_OPT("server", "verify_path", verify_path, char *, set_route_suffix, 0, 0, "string",
	"/verify", "the verify route's path after path_prefix"),
    SPECIAL_OPT("server", "health_path", health_path, char *, set_route_path, 0, 0, "string", "",
	"full path of GET health (200 or 503 by a database ping); empty: not served"),
    SPECIAL_OPT("server", "metrics_path", metrics_path, char *, set_route_path, 0, 0, "string",
	"", "full path of GET metrics (Prometheus text); empty: not served"),
    BOOL_OPT("server", "batch", batch, "yes",
	"group commit of the logouts whose [sql] statement is the built-in one"),
    BOOL_OPT("server", "gate_batch", gate_batch, "yes",
	"verifies of the built-in [sql] verify share one SELECT per round trip"),
    BOOL_OPT("server", "sched_batch", sched_batch, "yes",
	"worker threads under SCHED_BATCH: a woken one does not preempt the web server"),
    UINT_OPT("server", "header_timeout", header_timeout, 1, 3600, "5",
	"seconds from a request's first byte to its end"),
    UINT_OPT("server", "body_timeout", body_timeout, 1, 3600, "10",
	"seconds each read of a large body may take"),
    UINT_OPT("server", "send_timeout", send_timeout, 1, 3600, "10",
	"seconds each write of a response may take"),
    UINT_OPT("server", "keepalive_timeout", keepalive_timeout, 1, 86400, "75",
	"seconds a kept connection may idle between requests"),
    UINT_OPT("server", "shutdown_timeout", shutdown_timeout, 1, 86400, "30",
	"seconds the drain after SIGTERM may take"),
    UINT_OPT("server", "max_params", max_params, 1024, 65536, "65536",
	"bytes of a request's FastCGI params"),
    UINT_OPT("server", "max_connections", max_connections, 16, 1000000, "4096",
	"connections one process holds at once"),

    CHOICE_OPT(struct config, OPT_IN_CONFIG, "token", "format", format, formats, NULL, "jwt",
	NULL, "jwt, or sanctum: Laravel Sanctum personal access tokens"),
    LLONG_OPT("token", "leeway", rules.leeway, 0, 86400, "0",
	"seconds of clock skew allowed for exp, nbf and iat"),
    LLONG_OPT("token", "clock_skew", rules.clock_skew, 0, 3600, "5",
	"more seconds for nbf and iat: the issuer's clock"),
    LLONG_OPT("token", "max_lifetime", rules.max_lifetime, 0, 3153600000LL, "7776000",
	"seconds exp may lie ahead of now and of iat; 0: no bound"),
    BOOL_OPT("token", "require_iat", rules.require_iat, "no", "refuse tokens without iat"),
    STRING_OPT("token", "issuer", issuer, "", "the iss a token must have; empty: not checked"),
    STRING_OPT("token", "audience", audience, "",
	"the aud a token must have (or contain); empty: not checked"),
    STRING_OPT("token", "type_claim", type_claim, "typ",
	"the claim that tells access from refresh tokens"),
    STRING_OPT("token", "access_type", access_type, "access",
	"its value in a bearer token; empty: not checked"),
    STRING_OPT("token", "refresh_type", refresh_type, "refresh",
	"its value in a body's refresh_token; empty: not checked"),
    RAW_OPT("token", "default_key", default_key, "string", "main",
	"key for tokens without kid (the only key when there is one)"),
    LLONG_OPT("token", "access_ttl", access_ttl, 1, 315360000, "900",
	"seconds access tokens the admin tool mints live"),
    LLONG_OPT("token", "refresh_ttl", refresh_ttl, 1, 315360000, "2592000",
	"seconds refresh tokens and sessions the admin tool makes live"),
    LLONG_OPT("token", "expiration", expiration, 0, 52560000, "0",
	"sanctum: minutes after created_at a token expires; 0: never"),
    STRING_OPT("token", "token_prefix", token_prefix, "",
	"sanctum: what the admin tool puts before a new token's secret"),
    STRING_OPT("token", "tokenable_type", tokenable_type, "App\\Models\\User",
	"sanctum: the class of the tokens' owner model"),
    BOOL_OPT("token", "update_last_used", update_last_used, "no",
	"sanctum: stamp last_used_at before the logout"),

    RAW_OPT("database", "hosts", hosts, "list", "127.0.0.1:3306",
	"host[:port] failover list, in order; unused with socket"),
    STRING_OPT("database", "socket", db_socket, "", "unix socket; overrides hosts"),
    STRING_OPT("database", "user", db_user, "", "empty: the client library's default"),
    RAW_OPT("database", "password_file", password_file, "path", NULL,
	"file holding the password (or password_env, or neither)"),
    RAW_OPT("database", "password_env", password_env, "string", NULL,
	"environment variable holding the password"),
    STRING_OPT("database", "name", db_name, "", "the database; empty: none selected"),
    UINT_OPT("database", "connect_timeout", connect_timeout, 1, 3600, "2",
	"seconds a connection attempt may take"),
    UINT_OPT("database", "read_timeout", read_timeout, 1, 3600, "5",
	"seconds each read from the server may take"),
    UINT_OPT("database", "write_timeout", write_timeout, 1, 3600, "5",
	"seconds each write to the server may take"),
    INT_OPT("database", "retries", retries, 0, 10, "2",
	"extra attempts on transient errors"),
    UINT_OPT("database", "failback_interval", failback_interval, 0, 86400, "30",
	"seconds on a later host before the earlier ones are tried again; 0: never"),
    UINT_OPT("database", "lock_wait_timeout", lock_wait_timeout, 1, 3600, "1",
	"seconds a serving statement waits for a locked row"),
    SPECIAL_OPT("database", "wsrep_sync_wait", wsrep_sync_wait, int, set_wsrep_sync_wait, 0, 15,
	NULL, "", "Galera's wsrep_sync_wait; empty: the server's"),

    SERVING_SQL_OPT(STMT_LOGOUT, "(built-in)", "ends the bearer's session"),
    SERVING_SQL_OPT(STMT_LOGOUT_REFRESH, "(built-in)",
	"ends the session of the refresh_token in the body"),
    SERVING_SQL_OPT(STMT_SESSION_CHECK, "(built-in)",
	"does the bearer's session exist, when logout_refresh ended nothing"),
    SERVING_SQL_OPT(STMT_LOGOUT_ALL, "(built-in)", "ends every session of the user"),
    SERVING_SQL_OPT(STMT_USER_LOOKUP, "(none)",
	"the user must exist; its first column becomes :user_id"),
    SERVING_SQL_OPT(STMT_TOKEN_LOOKUP, "(sanctum's)", "sanctum: the token's row by id"),
    SERVING_SQL_OPT(STMT_TOKEN_TOUCH, "(sanctum's)", "sanctum: stamps last_used_at"),
    SERVING_SQL_OPT(STMT_VERIFY, "(built-in)",
	"verify: a row while the bearer's session is live"),
    SERVING_SQL_OPT(STMT_LOGOUT_OTHERS, "(built-in)",
	"ends the user's sessions but the bearer's"),
    ADMIN_SQL_OPT(ADMIN_STMT_CREATE_SESSION, "(jwt's)", "admin tool: a new session row"),
    ADMIN_SQL_OPT(ADMIN_STMT_FORCE_LOGOUT, "(built-in)",
	"admin tool: ends every session of a user"),
    ADMIN_SQL_OPT(ADMIN_STMT_CREATE_TOKEN, "(sanctum's)",
	"admin tool: a new personal access token row"),

    CHOICE_OPT(struct config, OPT_IN_CONFIG, "response", "style", style, styles, NULL,
	"envelope", NULL, "the body shape of answers (README, Compatibility)"),
    CHECKED_OPT(OPT_INT, int, "response", "logout_status", logout_status, 200, 204,
	logout_status, "204/200", "204", "a successful logout: 204 without a body, or 200 with one"),
    CHOICE_OPT(struct config, OPT_IN_CONFIG, "response", "logout_scope", logout_scope, scopes,
	NULL, "session", NULL, "what logout ends: the bearer's session, or all the user's"),
    CHOICE_OPT(struct config, OPT_IN_CONFIG, "response", "already_logged_out",
	already_logged_out, gone, gone_status, "401", NULL,
	"the answer when the session is already gone"),
    SPECIAL_OPT("response", "user_header", user_header, char *, set_header_name, 0, 0,
	"header name", "X-Auth-User", "verify's header naming the user (sub)"),
    SPECIAL_OPT("response", "session_header", session_header, char *, set_header_name, 0, 0,
	"header name", "X-Auth-Session", "verify's header naming the session or token id"),

    BOOL_OPT("rate_limit", "enabled", rl_enabled, "no",
	"per user (or client IP) request limit, host-wide"),
    UINT_OPT("rate_limit", "requests", rl_requests, 1, 1000000000, "60",
	"requests allowed per window"),
    UINT_OPT("rate_limit", "window", rl_window, 1, 86400, "60", "the window, in seconds"),
    RAW_OPT("rate_limit", "file", rl_file, "path", NULL,
	"the shared state (mmap); required when enabled"),
    CHECKED_OPT(OPT_UINT, unsigned int, "rate_limit", "slots", rl_slots, RATELIMIT_SLOTS_MIN,
	RATELIMIT_SLOTS_MAX, power_of_two, NULL, "65536", "keys the state file holds, a power of two"),

    SPECIAL_OPT("log", "target", log_sink, struct sink_spec, set_target, 0, 0,
	"stderr/syslog/path", "stderr",
	"where operational messages go: stderr, syslog, or an absolute file path"),
    CHOICE_OPT(struct config, OPT_IN_CONFIG, "log", "level", log_level, levels, level_prios,
	"info", NULL, "the least severe messages written"),
    SPECIAL_OPT("log", "syslog_ident", log_sink.ident, char *, set_ident, 0, 0, "string",
	"logout-fcgi", "syslog: the identifier before [PID]"),
    SPECIAL_OPT("log", "syslog_facility", log_sink.facility, int, set_facility, 0, 0,
	"facility", "daemon", "syslog: daemon, user, local0..local7, ..."),
    RAW_OPT("log", "syslog_socket", log_socket, "path", "/dev/log",
	"syslog: the datagram socket syslogd (or journald) reads"),

    BOOL_OPT("audit", "enabled", audit_enabled, "yes",
	"one JSON line per logout and refusal, to [audit] target"),
    SPECIAL_OPT("audit", "target", audit_sink, struct sink_spec, set_target, 0, 0,
	"stderr/syslog/path", "stderr",
	"where audit lines go: stderr, syslog, or an absolute file path"),
    SPECIAL_OPT("audit", "syslog_ident", audit_sink.ident, char *, set_ident, 0, 0, "string",
	"logout-fcgi-audit", "syslog: the identifier before [PID]"),
    SPECIAL_OPT("audit", "syslog_facility", audit_sink.facility, int, set_facility, 0, 0,
	"facility", "authpriv", "syslog: authpriv, auth, local0..local7, ..."),
    RAW_OPT("audit", "syslog_socket", audit_socket, "path", "/dev/log",
	"syslog: the datagram socket syslogd (or journald) reads"),
};

/* The rows of each [key NAME] section. */
static const struct opt key_opts[] = {
    CHOICE_OPT(struct keyring_spec, OPT_IN_KEY, "key", "alg", alg, algs, alg_ids, NULL,
	"(required)", "the key's algorithm; NAME is its kid"),
    KEY_STRING_OPT("secret_file", secret_file, "path",
	"file holding the secret (or secret_env)"),
    KEY_STRING_OPT("secret_env", secret_env, "string",
	"environment variable holding the secret"),
    CHOICE_OPT(struct keyring_spec, OPT_IN_KEY, "key", "encoding", enc, encodings, NULL, "raw",
	NULL, "raw: the bytes less one newline; base64: standard or URL-safe"),
};

#define NOPTS	  (sizeof(opts) / sizeof(opts[0]))
#define NKEY_OPTS (sizeof(key_opts) / sizeof(key_opts[0]))

const char *
options_name(const struct opt *o)
{
	if (o->name != NULL)
		return o->name;
	return o->admin ? stmts_admin_name((enum admin_stmt_id)o->stmt)
			: stmts_name((enum stmt_id)o->stmt);
}

const struct opt *
options_find(const char *section, const char *name)
{
	int key = !strcmp(section, "key");
	const struct opt *o = key ? key_opts : opts, *end = o + (key ? NKEY_OPTS : NOPTS);

	for (; o < end; o++)
		if (!strcmp(o->section, section) && !strcmp(options_name(o), name))
			return o;
	return NULL;
}

int
options_section_known(const char *section)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (!strcmp(opts[i].section, section))
			return 1;
	return 0;
}

static int fail(struct opt_target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct opt_target *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* Strings are the values an indented line may continue. */
static int
set_string(struct opt_target *t, char *dst, size_t cap, const char *value)
{
	if (util_strlcpy(dst, value, cap) != 0)
		return fail(t, "value longer than %zu bytes", cap - 1);
	t->cont_dst = dst;
	t->cont_cap = cap;
	return 0;
}

static int
parse_number(struct opt_target *t, const struct opt *o, const char *value, long long *n)
{
	if (util_strtonum(value, o->min, o->max, n) != 0)
		return fail(t, "%s: \"%s\" is not a number from %lld to %lld", o->name, value,
		    o->min, o->max);
	return 0;
}

static int
set_bool(struct opt_target *t, const struct opt *o, int *dst, const char *value)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") ||
	    !strcmp(value, "1"))
		*dst = 1;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off") ||
		 !strcmp(value, "0"))
		*dst = 0;
	else
		return fail(t, "%s: \"%s\" is not yes or no", o->name, value);
	return 0;
}

/* "a, b or c" of a choice's words. */
static void
choice_list(const struct opt *o, const char *sep, const char *last, char *out, size_t cap)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; o->choices[i] != NULL; i++) {
		if (i > 0)
			strncat(out, o->choices[i + 1] == NULL ? last : sep, cap - strlen(out) - 1);
		strncat(out, o->choices[i], cap - strlen(out) - 1);
	}
}

static int
set_choice(struct opt_target *t, const struct opt *o, int *dst, const char *value)
{
	char list[128];
	int i;

	for (i = 0; o->choices[i] != NULL; i++)
		if (!strcmp(value, o->choices[i])) {
			*dst = o->values != NULL ? o->values[i] : i;
			return 0;
		}
	choice_list(o, ", ", " or ", list, sizeof(list));
	return fail(t, "%s: \"%s\" is not %s", o->name, value, list);
}

static int
set_path_prefix(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	size_t len = strlen(value);
	char *prefix = dst;

	if (value[0] != '/')
		return fail(t, "path_prefix must start with '/'");
	while (len > 1 && value[len - 1] == '/')
		len--;
	if (len == 1)
		len = 0; /* "/" mounts at the root */
	if (len >= o->size)
		return fail(t, "value longer than %zu bytes", o->size - 1);
	memcpy(prefix, value, len);
	prefix[len] = '\0';
	return 0;
}

/* Route names (routes.h) into ROUTE_BITs. */
static int
set_endpoints(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	unsigned int bits;
	char err[256];

	(void)o;
	if (routes_parse_names(value, &bits, err, sizeof(err)) != 0)
		return fail(t, "endpoints: %s", err);
	*(unsigned int *)dst = bits;
	return 0;
}

/* A full path as a web server sends it: empty, or "/" and no space,
 * query or fragment. Taken as it is: /health and /health/ are two paths. */
static int
set_route_path(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	if (value[0] != '\0' && (value[0] != '/' || value[strcspn(value, " \t?#")] != '\0'))
		return fail(t,
		    "%s must be empty or a path starting with '/', without spaces, '?' or '#'",
		    o->name);
	if (set_string(t, dst, o->size, value) != 0)
		return -1;
	t->cont_dst = NULL; /* a path does not go on on the next line */
	return 0;
}

/* A checked value, whole: no indented line may continue it unchecked. */
static int
copy_value(struct opt_target *t, const struct opt *o, char *dst, const char *value)
{
	if (util_strlcpy(dst, value, o->size) != 0)
		return fail(t, "value longer than %zu bytes", o->size - 1);
	return 0;
}

/* A route's path after path_prefix: "/name", nothing a URL would escape. */
static int
set_route_suffix(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	size_t i;

	if (value[0] != '/' || value[1] == '\0')
		return fail(t, "%s must start with '/' and name something", o->name);
	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] <= 0x20 || value[i] == 0x7f || value[i] == '?' ||
		    value[i] == '#' || value[i] == '%')
			return fail(t, "%s: \"%s\" is not a plain path", o->name, value);
	return copy_value(t, o, dst, value);
}

/* An HTTP header name (RFC 9110 token), as the answer will carry it. */
static int
set_header_name(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t i;

	for (i = 0; value[i] != '\0'; i++) {
		unsigned char c = (unsigned char)value[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			strchr(tchar, c) != NULL))
			return fail(t, "%s: \"%s\" is not a header name", o->name, value);
	}
	if (i == 0)
		return fail(t, "%s must not be empty", o->name);
	return copy_value(t, o, dst, value);
}

static int
logout_status(struct opt_target *t, const struct opt *o, long long n)
{
	return n == 200 || n == 204 ? 0 : fail(t, "logout_status must be 204 or 200");
}

/* The state file's table is probed by masking a hash. */
static int
power_of_two(struct opt_target *t, const struct opt *o, long long n)
{
	return (n & (n - 1)) == 0 ? 0 : fail(t, "%s: %lld is not a power of two", o->name, n);
}

static int
set_wsrep_sync_wait(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	long long n = -1; /* leave the server's setting alone */

	if (value[0] != '\0' && parse_number(t, o, value, &n) != 0)
		return -1;
	*(int *)dst = (int)n;
	return 0;
}

/* Octal, as chmod(1) takes it. */
static int
set_mode(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	if (util_parse_mode(value, dst) != 0)
		return fail(t, "%s: \"%s\" is not an octal mode from 0 to 0777", o->name, value);
	return 0;
}

/* The kind and file path of a sink; a syslog target's socket is
 * syslog_socket's, set once the whole file is read (config.c). */
static int
set_target(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	struct sink_spec *spec = dst;

	if (sink_parse_target(value, spec) != 0)
		return fail(t, "%s: \"%s\" is not stderr, syslog or an absolute file path", o->name,
		    value);
	return 0;
}

/* What the syslog header can carry: a TAG is printable, without the
 * characters that end it. */
static int
set_ident(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	const char *p;

	if (value[0] == '\0')
		return fail(t, "%s must not be empty", o->name);
	for (p = value; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '[' || *p == ']' || *p == ':')
			return fail(t, "%s: \"%s\": printable ASCII only, without spaces, "
				       "brackets or colons",
			    o->name, value);
	if (util_strlcpy(dst, value, o->size) != 0)
		return fail(t, "value longer than %zu bytes", o->size - 1);
	return 0;
}

static int
set_facility(struct opt_target *t, const struct opt *o, void *dst, const char *value)
{
	int code = sink_facility(value);

	if (code < 0)
		return fail(t, "%s: \"%s\" is not a syslog facility (daemon, auth, authpriv, user, "
			       "local0..local7, ...)",
		    o->name, value);
	*(int *)dst = code;
	return 0;
}

static void *
destination(const struct opt_target *t, const struct opt *o)
{
	char *base = o->in == OPT_IN_CONFIG ? (char *)t->cfg
		     : o->in == OPT_IN_RAWS ? (char *)t->raws
					    : (char *)t->key;

	return base + o->off;
}

int
options_set(struct opt_target *t, const struct opt *o, const char *value)
{
	void *dst = destination(t, o);
	struct opt_raw *rv = dst;
	long long n;

	t->cont_dst = NULL;
	switch (o->type) {
	case OPT_STRING:
		return set_string(t, dst, o->size, value);
	case OPT_RAW:
		rv->line = t->line;
		rv->set = t->line > 0;
		return set_string(t, rv->text, sizeof(rv->text), value);
	case OPT_BOOL:
		return set_bool(t, o, dst, value);
	case OPT_CHOICE:
		return set_choice(t, o, dst, value);
	case OPT_SPECIAL:
		return o->set(t, o, dst, value);
	default:
		break;
	}
	if (parse_number(t, o, value, &n) != 0 || (o->check != NULL && o->check(t, o, n) != 0))
		return -1;
	if (o->type == OPT_UINT)
		*(unsigned int *)dst = (unsigned int)n;
	else if (o->type == OPT_INT)
		*(int *)dst = (int)n;
	else if (o->type == OPT_LLONG)
		*(long long *)dst = n;
	else
		*(size_t *)dst = (size_t)n;
	return 0;
}

int
options_defaults(struct opt_target *t, int key)
{
	const struct opt *o = key ? key_opts : opts, *end = o + (key ? NKEY_OPTS : NOPTS);

	t->line = 0;
	for (; o < end; o++)
		if (o->def != NULL && options_set(t, o, o->def) != 0)
			return -1;
	t->cont_dst = NULL;
	return 0;
}

/* The type column: what a value must look like. */
static const char *
kind(const struct opt *o, char *buf, size_t cap)
{
	if (o->kind != NULL)
		return o->kind;
	switch (o->type) {
	case OPT_SPECIAL: /* without a kind: a number with more rules */
	case OPT_UINT:
	case OPT_INT:
	case OPT_LLONG:
	case OPT_SIZE:
		snprintf(buf, cap, "number %lld..%lld", o->min, o->max);
		return buf;
	case OPT_BOOL:
		return "boolean";
	case OPT_CHOICE:
		choice_list(o, "/", "/", buf, cap);
		return buf;
	default:
		return "string";
	}
}

static void
print_rows(FILE *fp, const struct opt *o, size_t n)
{
	char buf[128];

	for (; n > 0; n--, o++)
		fprintf(fp, "%s\t%s\t%s\t%s\t%s\n",
		    o->in == OPT_IN_KEY ? "key NAME" : o->section, options_name(o),
		    kind(o, buf, sizeof(buf)), o->def ? o->def : o->shown ? o->shown : "", o->doc);
}

void
options_print(FILE *fp)
{
	print_rows(fp, opts, NOPTS);
	print_rows(fp, key_opts, NKEY_OPTS);
}

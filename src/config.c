/* SPDX-License-Identifier: ISC */
/*
 * config.c — the INI file (inih) into one immutable struct config.
 *
 * inih does not report line numbers to its handler, and Debian's build caps
 * lines at 200 bytes, so the file is fed through our own reader: it counts
 * lines, keeps the current one (an indented line continues the previous
 * value), and turns an over-long line into an error instead of silently
 * splitting it. Everything that can be checked is checked here, once, so
 * the serving path trusts the snapshot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <sodium.h>

#include "config.h"
#include "ratelimit.h"
#include "util.h"

#define MAX_KEYS     16
#define MAX_SEEN     (64 + MAX_KEYS * 8)
#define RAW_MAX	     SQL_MAX_LEN
#define LINE_MAX_LEN 4096

/* Built-in native-schema statements (README, "Sessions and SQL"). */
static const char *const jwt_sql[STMT_COUNT] = {
    [STMT_LOGOUT] = "DELETE FROM user_sessions WHERE session_hash = :sid_hash "
		    "AND user_id = :user_id",
    /* The refresh token's session by its sid, or by its jti for tokens
     * that carry no sid; a rotated (older) refresh token still names its
     * session through the sid. */
    [STMT_LOGOUT_REFRESH] = "DELETE FROM user_sessions WHERE user_id = :user_id AND "
			    "(session_hash = :refresh_sid_hash OR refresh_jti_hash = "
			    ":refresh_jti_hash) AND EXISTS (SELECT 1 FROM user_sessions b "
			    "WHERE b.session_hash = :sid_hash AND b.user_id = :user_id)",
    [STMT_SESSION_CHECK] = "SELECT 1 FROM user_sessions WHERE session_hash = :sid_hash "
			   "AND user_id = :user_id",
    [STMT_LOGOUT_ALL] = "DELETE FROM user_sessions WHERE user_id = :user_id AND EXISTS "
			"(SELECT 1 FROM user_sessions b WHERE b.session_hash = :sid_hash "
			"AND b.user_id = :user_id)",
    [STMT_USER_LOOKUP] = "",
    [STMT_TOKEN_LOOKUP] = "",
    [STMT_TOKEN_TOUCH] = "",
};

/* Built-in statements for Laravel's personal_access_tokens table. Expiry
 * is compared with the worker's clock in UTC, as Laravel stores it. */
static const char *const sanctum_sql[STMT_COUNT] = {
    [STMT_LOGOUT] = "DELETE FROM personal_access_tokens WHERE id = :token_id",
    [STMT_LOGOUT_REFRESH] = "",
    [STMT_SESSION_CHECK] = "",
    [STMT_LOGOUT_ALL] = "DELETE FROM personal_access_tokens WHERE tokenable_type = "
			":tokenable_type AND tokenable_id = :user_id",
    [STMT_USER_LOOKUP] = "",
    [STMT_TOKEN_LOOKUP] = "SELECT token, tokenable_id FROM personal_access_tokens WHERE "
			  "id = :token_id AND tokenable_type = :tokenable_type AND "
			  "(expires_at IS NULL OR expires_at > :now) AND "
			  "(:created_after IS NULL OR created_at > :created_after)",
    [STMT_TOKEN_TOUCH] = "UPDATE personal_access_tokens SET last_used_at = :now "
			 "WHERE id = :token_id",
};

static const char *const jwt_admin_sql[ADMIN_STMT_COUNT] = {
    [ADMIN_STMT_CREATE_SESSION] = "INSERT INTO user_sessions (user_id, session_hash, "
				  "refresh_jti_hash, expires_at) VALUES (:user_id, "
				  ":sid_hash, :refresh_jti_hash, FROM_UNIXTIME(:expires_at))",
    [ADMIN_STMT_FORCE_LOGOUT] = "DELETE FROM user_sessions WHERE user_id = :user_id",
    [ADMIN_STMT_CREATE_TOKEN] = "",
};

static const char *const sanctum_admin_sql[ADMIN_STMT_COUNT] = {
    [ADMIN_STMT_CREATE_SESSION] = "",
    [ADMIN_STMT_FORCE_LOGOUT] = "DELETE FROM personal_access_tokens WHERE tokenable_type = "
				":tokenable_type AND tokenable_id = :user_id",
    [ADMIN_STMT_CREATE_TOKEN] = "INSERT INTO personal_access_tokens (tokenable_type, "
				"tokenable_id, name, token, abilities, expires_at, "
				"created_at, updated_at) VALUES (:tokenable_type, :user_id, "
				":token_name, :token_hash, '[\"*\"]', :expires_at, :now, :now)",
};

static const char *const stmt_names[STMT_COUNT] = {
    [STMT_LOGOUT] = "logout",
    [STMT_LOGOUT_REFRESH] = "logout_refresh",
    [STMT_SESSION_CHECK] = "session_check",
    [STMT_LOGOUT_ALL] = "logout_all",
    [STMT_USER_LOOKUP] = "user_lookup",
    [STMT_TOKEN_LOOKUP] = "token_lookup",
    [STMT_TOKEN_TOUCH] = "token_touch",
};

static const char *const admin_stmt_names[ADMIN_STMT_COUNT] = {
    [ADMIN_STMT_CREATE_SESSION] = "create_session",
    [ADMIN_STMT_FORCE_LOGOUT] = "force_logout",
    [ADMIN_STMT_CREATE_TOKEN] = "create_token",
};

struct key_spec {
	char name[KEY_NAME_MAX];
	enum key_alg alg;
	enum key_encoding enc;
	char secret_file[CONFIG_STR_MAX];
	char secret_env[CONFIG_STR_MAX];
	int line;
};

/* A value being assembled from a line and its continuations. */
struct raw_value {
	char text[RAW_MAX];
	int line;
	int set;
};

struct parse_ctx {
	struct config *cfg;
	const char *name; /* file name for messages */
	char basedir[CONFIG_STR_MAX];

	/* reader state */
	FILE *fp;
	const char *str;
	int lineno;
	char line[LINE_MAX_LEN];
	int have_prev; /* a key was set in this section (inih's rule) */

	/* where a continuation line appends */
	char *cont_dst;
	size_t cont_cap;

	char err[512];
	int failed;

	struct key_spec keys[MAX_KEYS];
	size_t nkeys;
	struct raw_value sql[STMT_COUNT];
	struct raw_value admin_sql[ADMIN_STMT_COUNT];
	struct raw_value hosts, password_file, password_env, default_key, rl_file;
	/* "section\nkey" of every key set, for duplicates. Only known keys get
	 * past the section handlers, so MAX_SEEN bounds a valid file. */
	char seen[MAX_SEEN][KEY_NAME_MAX + 96];
	size_t nseen;
};

const char *
config_stmt_name(enum stmt_id id)
{
	return (unsigned)id < STMT_COUNT ? stmt_names[id] : "?";
}

static void
failf(struct parse_ctx *ctx, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (ctx->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(ctx->err, sizeof(ctx->err), "%s:%d: %s", ctx->name, line, msg);
	else
		snprintf(ctx->err, sizeof(ctx->err), "%s: %s", ctx->name, msg);
	ctx->failed = 1;
}

/* fgets-like source for ini_parse_stream, counting lines. */
static char *
reader(char *buf, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	size_t len;

	if (ctx->fp != NULL) {
		if (fgets(ctx->line, sizeof(ctx->line), ctx->fp) == NULL)
			return NULL;
	} else {
		const char *nl;

		if (ctx->str == NULL || *ctx->str == '\0')
			return NULL;
		nl = strchr(ctx->str, '\n');
		len = nl ? (size_t)(nl - ctx->str) + 1 : strlen(ctx->str);
		if (len >= sizeof(ctx->line))
			len = sizeof(ctx->line) - 1;
		memcpy(ctx->line, ctx->str, len);
		ctx->line[len] = '\0';
		ctx->str += len;
	}
	ctx->lineno++;
	if (ctx->line[strspn(ctx->line, " \t")] == '[')
		ctx->have_prev = 0;
	len = strlen(ctx->line);
	if (len > 0 && ctx->line[len - 1] != '\n' && (ctx->fp == NULL || !feof(ctx->fp)))
		failf(ctx, ctx->lineno, "line longer than %zu bytes", sizeof(ctx->line) - 2);
	if (len >= (size_t)num)
		failf(ctx, ctx->lineno,
		    "line longer than %d bytes: continue long values on indented lines", num - 1);
	util_strlcpy(buf, "", (size_t)num);
	strncat(buf, ctx->line, (size_t)num - 1);
	return buf;
}

static int
set_str(struct parse_ctx *ctx, char *dst, size_t cap, const char *value)
{
	if (util_strlcpy(dst, value, cap) != 0) {
		failf(ctx, ctx->lineno, "value longer than %zu bytes", cap - 1);
		return 0;
	}
	ctx->cont_dst = dst;
	ctx->cont_cap = cap;
	return 1;
}

static int
set_raw(struct parse_ctx *ctx, struct raw_value *rv, const char *value)
{
	rv->line = ctx->lineno;
	rv->set = 1;
	return set_str(ctx, rv->text, sizeof(rv->text), value);
}

static int
set_num(struct parse_ctx *ctx, const char *key, const char *value, long long min, long long max,
    long long *out)
{
	if (util_strtonum(value, min, max, out) != 0) {
		failf(ctx, ctx->lineno, "%s: \"%s\" is not a number from %lld to %lld", key, value,
		    min, max);
		return 0;
	}
	ctx->cont_dst = NULL;
	return 1;
}

static int
set_bool(struct parse_ctx *ctx, const char *key, const char *value, int *out)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") ||
	    !strcmp(value, "1"))
		*out = 1;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off") ||
		 !strcmp(value, "0"))
		*out = 0;
	else {
		failf(ctx, ctx->lineno, "%s: \"%s\" is not yes or no", key, value);
		return 0;
	}
	ctx->cont_dst = NULL;
	return 1;
}

static int
unknown_key(struct parse_ctx *ctx, const char *section, const char *key)
{
	failf(ctx, ctx->lineno, "unknown key \"%s\" in [%s]", key, section);
	return 0;
}

/* "logout logout-all" (space or comma separated) into ENDPOINT_* bits. */
static int
set_endpoints(struct parse_ctx *ctx, const char *value)
{
	unsigned int bits = 0;
	const char *p = value;

	while (*p != '\0') {
		size_t len;

		p += strspn(p, " ,");
		if ((len = strcspn(p, " ,")) == 0)
			break;
		if (len == 6 && !strncmp(p, "logout", len))
			bits |= ENDPOINT_LOGOUT;
		else if (len == 10 && !strncmp(p, "logout-all", len))
			bits |= ENDPOINT_LOGOUT_ALL;
		else {
			failf(ctx, ctx->lineno, "endpoints: \"%.*s\" is not logout or logout-all",
			    (int)len, p);
			return 0;
		}
		p += len;
	}
	if (bits == 0) {
		failf(ctx, ctx->lineno, "endpoints: name logout, logout-all or both");
		return 0;
	}
	ctx->cfg->endpoints = bits;
	ctx->cont_dst = NULL;
	return 1;
}

/* value must be one of names[0..n-1]; its index into *out. */
static int
set_choice(struct parse_ctx *ctx, const char *key, const char *value, const char *const *names,
    int n, int *out)
{
	char list[128] = "";
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(value, names[i])) {
			*out = i;
			ctx->cont_dst = NULL;
			return 1;
		}
		if (i > 0)
			strncat(list, i == n - 1 ? " or " : ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	failf(ctx, ctx->lineno, "%s: \"%s\" is not %s", key, value, list);
	return 0;
}

/* [server] keys that are plain unsigned numbers. */
static const struct num_key {
	const char *name;
	long long min, max;
	size_t off; /* of an unsigned int in struct config */
} server_nums[] = {
    {"header_timeout", 1, 3600, offsetof(struct config, header_timeout)},
    {"body_timeout", 1, 3600, offsetof(struct config, body_timeout)},
    {"send_timeout", 1, 3600, offsetof(struct config, send_timeout)},
    {"keepalive_timeout", 1, 86400, offsetof(struct config, keepalive_timeout)},
    {"shutdown_timeout", 1, 86400, offsetof(struct config, shutdown_timeout)},
    {"max_params", 1024, 65536, offsetof(struct config, max_params)},
    {"max_connections", 16, 1000000, offsetof(struct config, max_connections)},
};

static int
on_server(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct config *c = ctx->cfg;
	long long n;
	size_t i;

	for (i = 0; i < sizeof(server_nums) / sizeof(server_nums[0]); i++)
		if (!strcmp(key, server_nums[i].name)) {
			if (!set_num(ctx, key, value, server_nums[i].min, server_nums[i].max, &n))
				return 0;
			*(unsigned int *)((char *)c + server_nums[i].off) = (unsigned int)n;
			return 1;
		}

	if (!strcmp(key, "path_prefix")) {
		size_t len = strlen(value);

		if (value[0] != '/') {
			failf(ctx, ctx->lineno, "path_prefix must start with '/'");
			return 0;
		}
		while (len > 1 && value[len - 1] == '/')
			len--;
		if (len == 1)
			len = 0; /* "/" mounts at the root */
		if (len >= sizeof(c->path_prefix))
			return set_str(ctx, c->path_prefix, sizeof(c->path_prefix), value);
		memcpy(c->path_prefix, value, len);
		c->path_prefix[len] = '\0';
		ctx->cont_dst = NULL;
		return 1;
	}
	if (!strcmp(key, "max_body")) {
		if (!set_num(ctx, key, value, 0, 65536, &n))
			return 0;
		c->max_body = (size_t)n;
		return 1;
	}
	if (!strcmp(key, "threads")) {
		if (!set_num(ctx, key, value, 1, 256, &n))
			return 0;
		c->threads = (int)n;
		return 1;
	}
	if (!strcmp(key, "listen"))
		return set_str(ctx, c->listen, sizeof(c->listen), value);
	if (!strcmp(key, "endpoints"))
		return set_endpoints(ctx, value);
	if (!strcmp(key, "batch"))
		return set_bool(ctx, key, value, &c->batch);
	return unknown_key(ctx, "server", key);
}

static int
on_token(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct config *c = ctx->cfg;

	if (!strcmp(key, "format")) {
		static const char *const formats[] = {"jwt", "sanctum"};
		int f;

		if (!set_choice(ctx, key, value, formats, 2, &f))
			return 0;
		c->format = (enum token_format)f;
		return 1;
	}
	if (!strcmp(key, "token_prefix"))
		return set_str(ctx, c->token_prefix, sizeof(c->token_prefix), value);
	if (!strcmp(key, "expiration"))
		return set_num(ctx, key, value, 0, 52560000, &c->expiration);
	if (!strcmp(key, "tokenable_type"))
		return set_str(ctx, c->tokenable_type, sizeof(c->tokenable_type), value);
	if (!strcmp(key, "update_last_used"))
		return set_bool(ctx, key, value, &c->update_last_used);
	if (!strcmp(key, "leeway"))
		return set_num(ctx, key, value, 0, 86400, &c->rules.leeway);
	if (!strcmp(key, "clock_skew"))
		return set_num(ctx, key, value, 0, 3600, &c->rules.clock_skew);
	if (!strcmp(key, "max_lifetime"))
		return set_num(ctx, key, value, 0, 3153600000LL, &c->rules.max_lifetime);
	if (!strcmp(key, "require_iat"))
		return set_bool(ctx, key, value, &c->rules.require_iat);
	if (!strcmp(key, "issuer"))
		return set_str(ctx, c->issuer, sizeof(c->issuer), value);
	if (!strcmp(key, "audience"))
		return set_str(ctx, c->audience, sizeof(c->audience), value);
	if (!strcmp(key, "type_claim"))
		return set_str(ctx, c->type_claim, sizeof(c->type_claim), value);
	if (!strcmp(key, "access_type"))
		return set_str(ctx, c->access_type, sizeof(c->access_type), value);
	if (!strcmp(key, "refresh_type"))
		return set_str(ctx, c->refresh_type, sizeof(c->refresh_type), value);
	if (!strcmp(key, "default_key"))
		return set_raw(ctx, &ctx->default_key, value);
	if (!strcmp(key, "access_ttl"))
		return set_num(ctx, key, value, 1, 315360000, &c->access_ttl);
	if (!strcmp(key, "refresh_ttl"))
		return set_num(ctx, key, value, 1, 315360000, &c->refresh_ttl);
	return unknown_key(ctx, "token", key);
}

static struct key_spec *
key_spec_for(struct parse_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nkeys; i++)
		if (!strcmp(ctx->keys[i].name, name))
			return &ctx->keys[i];
	if (ctx->nkeys == MAX_KEYS) {
		failf(ctx, ctx->lineno, "more than %d keys", MAX_KEYS);
		return NULL;
	}
	if (name[0] == '\0' || util_strlcpy(ctx->keys[ctx->nkeys].name, name, KEY_NAME_MAX) != 0) {
		failf(ctx, ctx->lineno, "key name must be 1 to %d bytes", KEY_NAME_MAX - 1);
		return NULL;
	}
	ctx->keys[ctx->nkeys].line = ctx->lineno;
	return &ctx->keys[ctx->nkeys++];
}

static int
on_key(struct parse_ctx *ctx, const char *name, const char *key, const char *value)
{
	struct key_spec *ks;

	if ((ks = key_spec_for(ctx, name)) == NULL)
		return 0;
	if (!strcmp(key, "alg")) {
		if ((ks->alg = keyring_alg_parse(value, strlen(value))) == KEY_ALG_NONE) {
			failf(ctx, ctx->lineno, "alg: \"%s\" is not HS256 or HS512", value);
			return 0;
		}
		ctx->cont_dst = NULL;
		return 1;
	}
	if (!strcmp(key, "secret_file"))
		return set_str(ctx, ks->secret_file, sizeof(ks->secret_file), value);
	if (!strcmp(key, "secret_env"))
		return set_str(ctx, ks->secret_env, sizeof(ks->secret_env), value);
	if (!strcmp(key, "encoding")) {
		if (!strcmp(value, "raw"))
			ks->enc = KEY_ENC_RAW;
		else if (!strcmp(value, "base64"))
			ks->enc = KEY_ENC_BASE64;
		else {
			failf(ctx, ctx->lineno, "encoding: \"%s\" is not raw or base64", value);
			return 0;
		}
		ctx->cont_dst = NULL;
		return 1;
	}
	return unknown_key(ctx, "key", key);
}

static int
on_database(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct config *c = ctx->cfg;
	long long n;

	if (!strcmp(key, "hosts"))
		return set_raw(ctx, &ctx->hosts, value);
	if (!strcmp(key, "socket"))
		return set_str(ctx, c->db_socket, sizeof(c->db_socket), value);
	if (!strcmp(key, "user"))
		return set_str(ctx, c->db_user, sizeof(c->db_user), value);
	if (!strcmp(key, "password_file"))
		return set_raw(ctx, &ctx->password_file, value);
	if (!strcmp(key, "password_env"))
		return set_raw(ctx, &ctx->password_env, value);
	if (!strcmp(key, "name"))
		return set_str(ctx, c->db_name, sizeof(c->db_name), value);
	if (!strcmp(key, "connect_timeout") || !strcmp(key, "read_timeout") ||
	    !strcmp(key, "write_timeout")) {
		if (!set_num(ctx, key, value, 1, 3600, &n))
			return 0;
		if (key[0] == 'c')
			c->connect_timeout = (unsigned int)n;
		else if (key[0] == 'r')
			c->read_timeout = (unsigned int)n;
		else
			c->write_timeout = (unsigned int)n;
		return 1;
	}
	if (!strcmp(key, "retries")) {
		if (!set_num(ctx, key, value, 0, 10, &n))
			return 0;
		c->retries = (int)n;
		return 1;
	}
	if (!strcmp(key, "lock_wait_timeout")) {
		if (!set_num(ctx, key, value, 1, 3600, &n))
			return 0;
		c->lock_wait_timeout = (unsigned int)n;
		return 1;
	}
	if (!strcmp(key, "wsrep_sync_wait")) {
		if (value[0] == '\0') {
			c->wsrep_sync_wait = -1;
			return 1;
		}
		if (!set_num(ctx, key, value, 0, 15, &n))
			return 0;
		c->wsrep_sync_wait = (int)n;
		return 1;
	}
	return unknown_key(ctx, "database", key);
}

static int
on_sql(struct parse_ctx *ctx, const char *key, const char *value)
{
	int i;

	for (i = 0; i < STMT_COUNT; i++)
		if (!strcmp(key, stmt_names[i]))
			return set_raw(ctx, &ctx->sql[i], value);
	for (i = 0; i < ADMIN_STMT_COUNT; i++)
		if (!strcmp(key, admin_stmt_names[i]))
			return set_raw(ctx, &ctx->admin_sql[i], value);
	return unknown_key(ctx, "sql", key);
}

static int
on_response(struct parse_ctx *ctx, const char *key, const char *value)
{
	static const char *const styles[] = {"envelope", "fastapi", "laravel"};
	static const char *const scopes[] = {"session", "user"};
	static const char *const gone[] = {"401", "204", "200"};
	static const int gone_status[] = {401, 204, 200};
	struct config *c = ctx->cfg;
	long long n;
	int i;

	if (!strcmp(key, "style")) {
		if (!set_choice(ctx, key, value, styles, 3, &i))
			return 0;
		c->style = (enum resp_style)i;
		return 1;
	}
	if (!strcmp(key, "logout_status")) {
		if (!set_num(ctx, key, value, 200, 204, &n))
			return 0;
		if (n != 200 && n != 204) {
			failf(ctx, ctx->lineno, "logout_status must be 204 or 200");
			return 0;
		}
		c->logout_status = (int)n;
		return 1;
	}
	if (!strcmp(key, "logout_scope")) {
		if (!set_choice(ctx, key, value, scopes, 2, &i))
			return 0;
		c->logout_scope = (enum logout_scope)i;
		return 1;
	}
	if (!strcmp(key, "already_logged_out")) {
		if (!set_choice(ctx, key, value, gone, 3, &i))
			return 0;
		c->already_logged_out = gone_status[i];
		return 1;
	}
	return unknown_key(ctx, "response", key);
}

static int
on_rate_limit(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct config *c = ctx->cfg;
	long long n;

	if (!strcmp(key, "enabled"))
		return set_bool(ctx, key, value, &c->rl_enabled);
	if (!strcmp(key, "requests")) {
		if (!set_num(ctx, key, value, 1, 1000000000, &n))
			return 0;
		c->rl_requests = (unsigned int)n;
		return 1;
	}
	if (!strcmp(key, "window")) {
		if (!set_num(ctx, key, value, 1, 86400, &n))
			return 0;
		c->rl_window = (unsigned int)n;
		return 1;
	}
	if (!strcmp(key, "slots")) {
		if (!set_num(ctx, key, value, 1024, 16777216, &n))
			return 0;
		if ((n & (n - 1)) != 0) {
			failf(ctx, ctx->lineno, "slots: %lld is not a power of two", n);
			return 0;
		}
		c->rl_slots = (unsigned int)n;
		return 1;
	}
	if (!strcmp(key, "file"))
		return set_raw(ctx, &ctx->rl_file, value);
	return unknown_key(ctx, "rate_limit", key);
}

static int
on_audit(struct parse_ctx *ctx, const char *key, const char *value)
{
	if (!strcmp(key, "enabled"))
		return set_bool(ctx, key, value, &ctx->cfg->audit_enabled);
	return unknown_key(ctx, "audit", key);
}

/* An indented line continues the value before it, joined by one space. */
static int
continue_value(struct parse_ctx *ctx, const char *value)
{
	size_t len;

	if (ctx->cont_dst == NULL) {
		failf(ctx, ctx->lineno, "this value cannot continue on an indented line");
		return 0;
	}
	len = strlen(ctx->cont_dst);
	if (len + 1 + strlen(value) >= ctx->cont_cap) {
		failf(ctx, ctx->lineno, "value longer than %zu bytes", ctx->cont_cap - 1);
		return 0;
	}
	ctx->cont_dst[len] = ' ';
	memcpy(ctx->cont_dst + len + 1, value, strlen(value) + 1);
	return 1;
}

static int
check_duplicate(struct parse_ctx *ctx, const char *section, const char *key)
{
	char id[sizeof(ctx->seen[0])];
	size_t i;

	snprintf(id, sizeof(id), "%s\n%s", section, key);
	for (i = 0; i < ctx->nseen; i++)
		if (!strcmp(ctx->seen[i], id)) {
			failf(ctx, ctx->lineno, "\"%s\" is set twice in [%s]", key, section);
			return 0;
		}
	if (ctx->nseen == MAX_SEEN) {
		failf(ctx, ctx->lineno, "more than %d settings", MAX_SEEN);
		return 0;
	}
	util_strlcpy(ctx->seen[ctx->nseen++], id, sizeof(id));
	return 1;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *ctx = user;

	if (ctx->failed)
		return 0;
	if ((ctx->line[0] == ' ' || ctx->line[0] == '\t') && ctx->have_prev)
		return continue_value(ctx, value);
	ctx->have_prev = 1;
	if (!check_duplicate(ctx, section, key))
		return 0;
	if (!strcmp(section, "server"))
		return on_server(ctx, key, value);
	if (!strcmp(section, "token"))
		return on_token(ctx, key, value);
	if (!strncmp(section, "key ", 4))
		return on_key(ctx, section + 4, key, value);
	if (!strcmp(section, "database"))
		return on_database(ctx, key, value);
	if (!strcmp(section, "sql"))
		return on_sql(ctx, key, value);
	if (!strcmp(section, "response"))
		return on_response(ctx, key, value);
	if (!strcmp(section, "audit"))
		return on_audit(ctx, key, value);
	if (!strcmp(section, "rate_limit"))
		return on_rate_limit(ctx, key, value);
	failf(ctx, ctx->lineno, "unknown section [%s]", section);
	return 0;
}

static void
set_defaults(struct config *c)
{
	util_strlcpy(c->path_prefix, "/api/v1/auth", sizeof(c->path_prefix));
	c->max_body = 4096;
	c->threads = 16;
	c->header_timeout = 5;
	c->body_timeout = 10;
	c->send_timeout = 10;
	c->keepalive_timeout = 75;
	c->shutdown_timeout = 30;
	c->max_params = 65536;
	c->max_connections = 4096;
	util_strlcpy(c->type_claim, "typ", sizeof(c->type_claim));
	util_strlcpy(c->access_type, "access", sizeof(c->access_type));
	util_strlcpy(c->refresh_type, "refresh", sizeof(c->refresh_type));
	c->access_ttl = 900;
	c->refresh_ttl = 2592000;
	c->rules.clock_skew = 5;
	c->rules.max_lifetime = 7776000; /* 90 days */
	c->connect_timeout = 2;
	c->read_timeout = 5;
	c->write_timeout = 5;
	c->retries = 2;
	c->lock_wait_timeout = 1;
	c->wsrep_sync_wait = -1;
	c->endpoints = ENDPOINT_LOGOUT | ENDPOINT_LOGOUT_ALL;
	c->batch = 1;
	util_strlcpy(c->tokenable_type, "App\\Models\\User", sizeof(c->tokenable_type));
	c->logout_status = 204;
	c->already_logged_out = 401;
	c->rl_requests = 60;
	c->rl_window = 60;
	c->rl_slots = 65536;
	c->audit_enabled = 1;
}

/* Resolve a path against the config file's directory. */
static int
resolve_path(struct parse_ctx *ctx, const char *path, char *out, size_t cap)
{
	int n;

	if (path[0] == '/' || ctx->basedir[0] == '\0')
		n = snprintf(out, cap, "%s", path);
	else
		n = snprintf(out, cap, "%s/%s", ctx->basedir, path);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* File or environment contents of a secret; caller wipes and frees. */
static int
read_secret(struct parse_ctx *ctx, const char *file, const char *env, int line, const char *what,
    char **out, size_t *outlen)
{
	char path[CONFIG_STR_MAX * 2];

	if (file[0] != '\0' && env[0] != '\0') {
		failf(ctx, line, "%s: set a file or an environment variable, not both", what);
		return -1;
	}
	if (env[0] != '\0') {
		const char *v = getenv(env);

		if (v == NULL) {
			failf(ctx, line, "%s: environment variable %s is not set", what, env);
			return -1;
		}
		*outlen = strlen(v);
		if ((*out = strdup(v)) == NULL) {
			failf(ctx, line, "%s: out of memory", what);
			return -1;
		}
		return 0;
	}
	if (resolve_path(ctx, file, path, sizeof(path)) != 0 ||
	    util_read_file(path, KEY_SECRET_MAX * 2, out, outlen) != 0) {
		failf(ctx, line, "%s: cannot read %s: %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
load_key(struct parse_ctx *ctx, const struct key_spec *ks, struct key *k)
{
	unsigned char buf[KEY_SECRET_MAX];
	const char *why = NULL;
	char *raw = NULL;
	size_t rawlen = 0, len = 0;
	char what[KEY_NAME_MAX + 8];
	int rc = -1;

	snprintf(what, sizeof(what), "key %s", ks->name);
	if (ks->alg == KEY_ALG_NONE) {
		failf(ctx, ks->line, "%s: alg is required (HS256 or HS512)", what);
		return -1;
	}
	if (ks->secret_file[0] == '\0' && ks->secret_env[0] == '\0') {
		failf(ctx, ks->line, "%s: secret_file or secret_env is required", what);
		return -1;
	}
	if (read_secret(ctx, ks->secret_file, ks->secret_env, ks->line, what, &raw, &rawlen) != 0)
		return -1;
	if (keyring_decode_secret(ks->enc, raw, rawlen, buf, sizeof(buf), &len, &why) != 0) {
		failf(ctx, ks->line, "%s: %s", what, why);
		goto out;
	}
	if (len < keyring_alg_len(ks->alg)) {
		failf(ctx, ks->line, "%s: %zu-byte secret is shorter than the %zu bytes %s needs",
		    what, len, keyring_alg_len(ks->alg), keyring_alg_name(ks->alg));
		goto out;
	}
	if ((k->secret = sodium_malloc(len)) == NULL) {
		failf(ctx, ks->line, "%s: out of memory", what);
		goto out;
	}
	memcpy(k->secret, buf, len);
	k->secret_len = len;
	k->alg = ks->alg;
	util_strlcpy(k->name, ks->name, sizeof(k->name));
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	if (raw != NULL) {
		sodium_memzero(raw, rawlen);
		free(raw);
	}
	return rc;
}

static int
load_keys(struct parse_ctx *ctx)
{
	struct keyring *kr = &ctx->cfg->keys;
	const char *def = ctx->default_key.set ? ctx->default_key.text : "main";
	size_t i;

	if (ctx->nkeys == 0 && ctx->cfg->format == FORMAT_SANCTUM)
		return 0; /* opaque tokens: nothing to sign or verify */
	if (ctx->nkeys == 0) {
		failf(ctx, 0, "no [key NAME] section: at least one signing key is required");
		return -1;
	}
	if ((kr->keys = calloc(ctx->nkeys, sizeof(*kr->keys))) == NULL) {
		failf(ctx, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < ctx->nkeys; i++) {
		if (load_key(ctx, &ctx->keys[i], &kr->keys[i]) != 0)
			return -1;
		kr->nkeys++;
	}
	/* One key and no default_key: that key is the default. */
	if (!ctx->default_key.set && ctx->nkeys == 1)
		def = ctx->keys[0].name;
	for (i = 0; i < kr->nkeys; i++)
		if (!strcmp(kr->keys[i].name, def))
			break;
	if (i == kr->nkeys) {
		failf(ctx, ctx->default_key.line, "default_key \"%s\" has no [key %s] section", def,
		    def);
		return -1;
	}
	kr->defkey = i;
	util_strlcpy(ctx->cfg->default_key, def, sizeof(ctx->cfg->default_key));
	return 0;
}

static int
parse_host(struct parse_ctx *ctx, const char *item, size_t len, struct db_host *h)
{
	const char *colon = memchr(item, ':', len);
	size_t hostlen = colon ? (size_t)(colon - item) : len;
	long long port = 3306;

	if (hostlen == 0 || hostlen >= sizeof(h->host) ||
	    (colon && util_strntonum(colon + 1, len - hostlen - 1, 1, 65535, &port) != 0)) {
		failf(ctx, ctx->hosts.line, "hosts: \"%.*s\" is not host[:port]", (int)len, item);
		return -1;
	}
	memcpy(h->host, item, hostlen);
	h->host[hostlen] = '\0';
	h->port = (unsigned int)port;
	return 0;
}

static int
load_hosts(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;
	const char *p = ctx->hosts.set ? ctx->hosts.text : "127.0.0.1:3306";

	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, " ,");
		if (c->nhosts == CONFIG_MAX_HOSTS) {
			failf(ctx, ctx->hosts.line, "hosts: more than %d", CONFIG_MAX_HOSTS);
			return -1;
		}
		if (parse_host(ctx, p, len, &c->hosts[c->nhosts]) != 0)
			return -1;
		c->nhosts++;
		p += len;
	}
	if (c->nhosts == 0 && c->db_socket[0] == '\0') {
		failf(ctx, ctx->hosts.line, "hosts: at least one host or a socket is required");
		return -1;
	}
	return 0;
}

static int
load_password(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;
	char *raw = NULL;
	size_t len = 0;
	int line = ctx->password_file.set ? ctx->password_file.line : ctx->password_env.line;

	if (ctx->password_file.text[0] == '\0' && ctx->password_env.text[0] == '\0')
		return 0;
	if (read_secret(ctx, ctx->password_file.text, ctx->password_env.text, line,
		"database password", &raw, &len) != 0)
		return -1;
	while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	raw[len] = '\0';
	if (util_strlcpy(c->db_password, raw, sizeof(c->db_password)) != 0)
		failf(ctx, line, "database password longer than %zu bytes",
		    sizeof(c->db_password) - 1);
	sodium_memzero(raw, len);
	free(raw);
	return ctx->failed ? -1 : 0;
}

static int
compile_one(struct parse_ctx *ctx, const char *name, const struct raw_value *rv, const char *def,
    struct sql_text *out, int serving)
{
	const unsigned int admin_only =
	    (1u << SQLP_EXPIRES_AT) | (1u << SQLP_TOKEN_HASH) | (1u << SQLP_TOKEN_NAME);
	char err[200];

	if (sqlparam_compile(rv->set ? rv->text : def, out, err, sizeof(err)) != 0) {
		failf(ctx, rv->line, "[sql] %s: %s", name, err);
		return -1;
	}
	if (serving && (out->used & admin_only)) {
		failf(ctx, rv->line,
		    "[sql] %s: :expires_at, :token_hash and :token_name are only for admin "
		    "statements",
		    name);
		return -1;
	}
	return 0;
}

/* The statement is the built-in native one (however the file spelled it):
 * only then may logouts be batched, since the batch is written for it. */
static int
is_builtin(enum stmt_id id, const struct sql_text *t)
{
	struct sql_text def;
	char err[200];

	return sqlparam_compile(jwt_sql[id], &def, err, sizeof(err)) == 0 &&
	       strcmp(def.sql, t->sql) == 0;
}

/* A statement the configuration will run must have text. */
static int
require_stmt(struct parse_ctx *ctx, enum stmt_id id, const char *why)
{
	if (ctx->cfg->stmts[id].sql[0] != '\0')
		return 0;
	failf(ctx, ctx->sql[id].line, "[sql] %s is empty, but %s", stmt_names[id], why);
	return -1;
}

static int
compile_sql(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;
	int sanctum = c->format == FORMAT_SANCTUM;
	int i;

	for (i = 0; i < STMT_COUNT; i++) {
		if (compile_one(ctx, stmt_names[i], &ctx->sql[i],
			sanctum ? sanctum_sql[i] : jwt_sql[i], &c->stmts[i], 1) != 0)
			return -1;
		c->params_used |= c->stmts[i].used;
	}
	for (i = 0; i < ADMIN_STMT_COUNT; i++)
		if (compile_one(ctx, admin_stmt_names[i], &ctx->admin_sql[i],
			sanctum ? sanctum_admin_sql[i] : jwt_admin_sql[i], &c->admin_stmts[i],
			0) != 0)
			return -1;
	if ((c->endpoints & ENDPOINT_LOGOUT) &&
	    require_stmt(ctx, c->logout_scope == SCOPE_USER ? STMT_LOGOUT_ALL : STMT_LOGOUT,
		"the logout endpoint is served") != 0)
		return -1;
	if ((c->endpoints & ENDPOINT_LOGOUT_ALL) &&
	    require_stmt(ctx, STMT_LOGOUT_ALL, "the logout-all endpoint is served") != 0)
		return -1;
	if (sanctum && require_stmt(ctx, STMT_TOKEN_LOOKUP, "format is sanctum") != 0)
		return -1;
	if (c->update_last_used &&
	    require_stmt(ctx, STMT_TOKEN_TOUCH, "update_last_used is on") != 0)
		return -1;
	c->batch_logout = c->batch && !sanctum && is_builtin(STMT_LOGOUT, &c->stmts[STMT_LOGOUT]);
	return 0;
}

/* Choices that are each valid alone but not together. */
static int
check_combinations(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;

	/* An opaque token whose row is gone cannot be told from one never
	 * issued: answering success would accept made-up tokens. */
	if (c->format == FORMAT_SANCTUM && c->already_logged_out != 401) {
		failf(ctx, 0,
		    "[response] already_logged_out must be 401 with format sanctum: a deleted "
		    "token cannot be told from a made-up one");
		return -1;
	}
	/* The admin tool would mint tokens the service refuses. */
	if (c->rules.max_lifetime > 0 &&
	    (c->access_ttl > c->rules.max_lifetime || c->refresh_ttl > c->rules.max_lifetime)) {
		failf(ctx, 0, "[token] access_ttl and refresh_ttl must not exceed max_lifetime (%lld)",
		    c->rules.max_lifetime);
		return -1;
	}
	if (c->rl_enabled) {
		const char *f = ctx->rl_file.set ? ctx->rl_file.text : "";

		if (f[0] == '\0') {
			failf(ctx, 0, "[rate_limit] file is required when enabled");
			return -1;
		}
		if (resolve_path(ctx, f, c->rl_file, sizeof(c->rl_file)) != 0) {
			failf(ctx, ctx->rl_file.line, "[rate_limit] file: path too long");
			return -1;
		}
	}
	return 0;
}

static void
finish_rules(struct config *c)
{
	c->rules.issuer = c->issuer;
	c->rules.audience = c->audience;
	c->rules.type_claim = c->type_claim;
	c->rules.access_type = c->access_type;
	c->rules.refresh_type = c->refresh_type;
}

static struct config *
load(struct parse_ctx *ctx, char *err, size_t errlen)
{
	struct config *cfg = ctx->cfg;
	int rc;

	set_defaults(cfg);
	rc = ini_parse_stream(reader, ctx, handler, ctx);
	if (rc != 0 && !ctx->failed)
		failf(ctx, rc > 0 ? rc : 0, rc > 0 ? "syntax error" : "cannot read the file");
	if (!ctx->failed && load_keys(ctx) == 0 && load_hosts(ctx) == 0 &&
	    load_password(ctx) == 0 && compile_sql(ctx) == 0 && check_combinations(ctx) == 0) {
		finish_rules(cfg);
		return cfg;
	}
	util_strlcpy(err, ctx->err, errlen);
	config_free(cfg);
	return NULL;
}

static struct parse_ctx *
ctx_new(const char *name, char *err, size_t errlen)
{
	struct parse_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL ||
	    (ctx->cfg = calloc(1, sizeof(*ctx->cfg))) == NULL) {
		free(ctx);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	static atomic_ulong generations;

	ctx->name = name;
	ctx->cfg->generation = atomic_fetch_add(&generations, 1) + 1;
	util_strlcpy(ctx->cfg->path, name, sizeof(ctx->cfg->path));
	return ctx;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct parse_ctx *ctx;
	struct config *cfg;
	const char *slash;

	if ((ctx = ctx_new(path, err, errlen)) == NULL)
		return NULL;
	if ((slash = strrchr(path, '/')) != NULL && (size_t)(slash - path) < sizeof(ctx->basedir)) {
		memcpy(ctx->basedir, path, (size_t)(slash - path));
		ctx->basedir[slash - path] = '\0';
		if (slash == path)
			util_strlcpy(ctx->basedir, "/", sizeof(ctx->basedir));
	}
	if ((ctx->fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		free(ctx->cfg);
		free(ctx);
		return NULL;
	}
	cfg = load(ctx, err, errlen);
	fclose(ctx->fp);
	sodium_memzero(ctx, sizeof(*ctx));
	free(ctx);
	return cfg;
}

struct config *
config_load_string(const char *text, const char *name, char *err, size_t errlen)
{
	struct parse_ctx *ctx;
	struct config *cfg;

	if ((ctx = ctx_new(name, err, errlen)) == NULL)
		return NULL;
	ctx->str = text;
	cfg = load(ctx, err, errlen);
	sodium_memzero(ctx, sizeof(*ctx));
	free(ctx);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	keyring_free(&cfg->keys);
	sodium_memzero(cfg->db_password, sizeof(cfg->db_password));
	free(cfg);
}

/* SPDX-License-Identifier: ISC */
/*
 * config.c — the INI file (inih) into one immutable struct config.
 *
 * inih does not report line numbers to its handler, and Debian's build caps
 * lines at 200 bytes, so the file is fed through our own reader: it counts
 * lines, keeps the current one (an indented line continues the previous
 * value), and turns an over-long line into an error instead of silently
 * splitting it. What each key accepts is options.c's table; the built-in
 * statements are stmts.c's; keys are read by keyring.c. This file ties
 * them together and checks what no single key can: everything that can be
 * checked is checked here, once, so the serving path trusts the snapshot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <sodium.h>

#include "config.h"
#include "options.h"
#include "privs.h"
#include "ratelimit.h"
#include "routes.h"
#include "stmts.h"
#include "util.h"

#define MAX_KEYS     16
#define MAX_SEEN     (64 + MAX_KEYS * 8)
#define LINE_MAX_LEN 4096

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

	/* where rows write, and where a continuation line appends */
	struct opt_target t;
	struct opt_raws raw;

	char err[512];
	int failed;

	struct keyring_spec keys[MAX_KEYS];
	size_t nkeys;
	/* "section\nkey" of every key set, for duplicates. Only known keys get
	 * past the table, so MAX_SEEN bounds a valid file. */
	char seen[MAX_SEEN][KEY_NAME_MAX + 96];
	size_t nseen;
};

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

/* The spec of [key NAME], new ones with the key rows' defaults. */
static struct keyring_spec *
key_spec_for(struct parse_ctx *ctx, const char *name)
{
	struct keyring_spec *ks;
	size_t i;

	for (i = 0; i < ctx->nkeys; i++)
		if (!strcmp(ctx->keys[i].name, name))
			return &ctx->keys[i];
	if (ctx->nkeys == MAX_KEYS) {
		failf(ctx, ctx->lineno, "more than %d keys", MAX_KEYS);
		return NULL;
	}
	ks = &ctx->keys[ctx->nkeys];
	if (name[0] == '\0' || util_strlcpy(ks->name, name, KEY_NAME_MAX) != 0) {
		failf(ctx, ctx->lineno, "key name must be 1 to %d bytes", KEY_NAME_MAX - 1);
		return NULL;
	}
	ks->line = ctx->lineno;
	ctx->t.key = ks;
	if (options_defaults(&ctx->t, 1) != 0) {
		failf(ctx, ctx->lineno, "%s", ctx->t.err);
		return NULL;
	}
	ctx->nkeys++;
	return ks;
}

/* An indented line continues the value before it, joined by one space. */
static int
continue_value(struct parse_ctx *ctx, const char *value)
{
	size_t len;

	if (ctx->t.cont_dst == NULL) {
		failf(ctx, ctx->lineno, "this value cannot continue on an indented line");
		return 0;
	}
	len = strlen(ctx->t.cont_dst);
	if (len + 1 + strlen(value) >= ctx->t.cont_cap) {
		failf(ctx, ctx->lineno, "value longer than %zu bytes", ctx->t.cont_cap - 1);
		return 0;
	}
	ctx->t.cont_dst[len] = ' ';
	memcpy(ctx->t.cont_dst + len + 1, value, strlen(value) + 1);
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
	const struct opt *o;

	if (ctx->failed)
		return 0;
	if ((ctx->line[0] == ' ' || ctx->line[0] == '\t') && ctx->have_prev)
		return continue_value(ctx, value);
	ctx->have_prev = 1;
	if (!check_duplicate(ctx, section, key))
		return 0;
	if (!strncmp(section, "key ", 4)) {
		if ((ctx->t.key = key_spec_for(ctx, section + 4)) == NULL)
			return 0;
		section = "key";
	} else if (!options_section_known(section)) {
		failf(ctx, ctx->lineno, "unknown section [%s]", section);
		return 0;
	}
	if ((o = options_find(section, key)) == NULL) {
		failf(ctx, ctx->lineno, "unknown key \"%s\" in [%s]", key, section);
		return 0;
	}
	ctx->t.line = ctx->lineno;
	if (options_set(&ctx->t, o, value) != 0) {
		failf(ctx, ctx->lineno, "%s", ctx->t.err);
		return 0;
	}
	return 1;
}

/* Every [key NAME] into the keyring, and the default key chosen. */
static int
load_keys(struct parse_ctx *ctx)
{
	struct keyring *kr = &ctx->cfg->keys;
	const struct opt_raw *dk = &ctx->raw.default_key;
	const char *def = dk->text;
	const struct key *k;
	int line;

	if (ctx->nkeys == 0 && ctx->cfg->format == FORMAT_SANCTUM)
		return 0; /* opaque tokens: nothing to sign or verify */
	if (ctx->nkeys == 0) {
		failf(ctx, 0, "no [key NAME] section: at least one signing key is required");
		return -1;
	}
	if (keyring_load(kr, ctx->keys, ctx->nkeys, ctx->basedir, ctx->cfg->strict_modes, &line,
		ctx->t.err, sizeof(ctx->t.err)) != 0) {
		failf(ctx, line, "%s", ctx->t.err);
		return -1;
	}
	/* One key and no default_key: that key is the default. */
	if (!dk->set && ctx->nkeys == 1)
		def = ctx->keys[0].name;
	if ((k = keyring_find(kr, def, strlen(def))) == NULL) {
		failf(ctx, dk->line, "default_key \"%s\" has no [key %s] section", def, def);
		return -1;
	}
	kr->defkey = (size_t)(k - kr->keys);
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
		failf(
		    ctx, ctx->raw.hosts.line, "hosts: \"%.*s\" is not host[:port]", (int)len, item);
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
	const char *p = ctx->raw.hosts.text;

	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, " ,");
		if (c->nhosts == CONFIG_MAX_HOSTS) {
			failf(ctx, ctx->raw.hosts.line, "hosts: more than %d", CONFIG_MAX_HOSTS);
			return -1;
		}
		if (parse_host(ctx, p, len, &c->hosts[c->nhosts]) != 0)
			return -1;
		c->nhosts++;
		p += len;
	}
	if (c->nhosts == 0 && c->db_socket[0] == '\0') {
		failf(ctx, ctx->raw.hosts.line, "hosts: at least one host or a socket is required");
		return -1;
	}
	return 0;
}

static int
load_password(struct parse_ctx *ctx)
{
	const struct opt_raw *file = &ctx->raw.password_file, *env = &ctx->raw.password_env;
	struct config *c = ctx->cfg;
	char *raw = NULL;
	size_t len = 0;
	int line = file->set ? file->line : env->line;

	if (file->text[0] == '\0' && env->text[0] == '\0')
		return 0;
	if (keyring_read_secret(file->text, env->text, ctx->basedir, c->strict_modes,
		"database password", &raw, &len, ctx->t.err, sizeof(ctx->t.err)) != 0) {
		failf(ctx, line, "%s", ctx->t.err);
		return -1;
	}
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
compile_one(struct parse_ctx *ctx, const char *name, const struct opt_raw *rv, const char *def,
    struct sql_text *out, int serving)
{
	char err[200];

	if (stmts_compile(rv->set ? rv->text : def, serving, out, err, sizeof(err)) != 0) {
		failf(ctx, rv->line, "[sql] %s: %s", name, err);
		return -1;
	}
	return 0;
}

static int
compile_sql(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;
	struct stmts_need need[STMTS_NEED_MAX];
	size_t i, n;

	for (i = 0; i < STMT_COUNT; i++) {
		if (compile_one(ctx, stmts_name(i), &ctx->raw.sql[i], stmts_default(c, i),
			&c->stmts[i], 1) != 0)
			return -1;
		c->params_used |= c->stmts[i].used;
		c->stmt_lines[i] = ctx->raw.sql[i].set ? ctx->raw.sql[i].line : 0;
	}
	for (i = 0; i < ADMIN_STMT_COUNT; i++)
		if (compile_one(ctx, stmts_admin_name(i), &ctx->raw.admin_sql[i],
			stmts_admin_builtin(c->format, i), &c->admin_stmts[i], 0) != 0)
			return -1;
	/* A statement the configuration will run must have text. */
	n = stmts_required(c, need);
	for (i = 0; i < n; i++)
		if (c->stmts[need[i].id].sql[0] == '\0') {
			failf(ctx, ctx->raw.sql[need[i].id].line,
			    need[i].route ? "[sql] %s is empty, but the %s endpoint is served"
					  : "[sql] %s is empty, but %s",
			    stmts_name(need[i].id), need[i].route ? need[i].route : need[i].why);
			return -1;
		}
	c->batch_stmts = stmts_batchable(c);
	return 0;
}

/* One account name of [server] into dst, checked to exist: an unknown one
 * is the file's mistake, reported with its line, not a start's surprise. */
static int
load_account(struct parse_ctx *ctx, const struct opt_raw *rv, const char *key, int is_user,
    char *dst, size_t cap)
{
	char err[256];
	uid_t uid;
	gid_t gid;

	if (rv->text[0] == '\0')
		return 0;
	if ((is_user ? privs_user(rv->text, &uid, &gid, err, sizeof(err))
		     : privs_group(rv->text, &gid, err, sizeof(err))) != 0) {
		failf(ctx, rv->line, "[server] %s: %s", key, err);
		return -1;
	}
	if (util_strlcpy(dst, rv->text, cap) != 0) {
		failf(ctx, rv->line, "[server] %s: longer than %zu bytes", key, cap - 1);
		return -1;
	}
	return 0;
}

/* [server] user, group, listen_owner, listen_group and pid_file. */
static int
load_identity(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;
	const struct opt_raw *pid = &ctx->raw.pid_file;
	const struct {
		const struct opt_raw *rv;
		const char *key;
		int is_user;
		char *dst;
		size_t cap;
	} names[] = {
	    {&ctx->raw.user, "user", 1, c->run_user, sizeof(c->run_user)},
	    {&ctx->raw.group, "group", 0, c->run_group, sizeof(c->run_group)},
	    {&ctx->raw.listen_owner, "listen_owner", 1, c->listen_owner, sizeof(c->listen_owner)},
	    {&ctx->raw.listen_group, "listen_group", 0, c->listen_group, sizeof(c->listen_group)},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (load_account(ctx, names[i].rv, names[i].key, names[i].is_user, names[i].dst,
			names[i].cap) != 0)
			return -1;
	if (pid->text[0] != '\0' &&
	    util_path_join(ctx->basedir, pid->text, c->pid_file, sizeof(c->pid_file)) != 0) {
		failf(ctx, pid->line, "[server] pid_file: path too long");
		return -1;
	}
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
	/* Two routes on one path: the first would hide the other. */
	for (int i = 0; i < ROUTE_COUNT; i++)
		if (i != ROUTE_VERIFY && routes_get(i)->suffix != NULL &&
		    !strcmp(c->verify_path, routes_get(i)->suffix)) {
			failf(ctx, 0, "[server] verify_path %s is the %s route's path",
			    c->verify_path, routes_get(i)->name);
			return -1;
		}
	/* The admin tool would mint tokens the service refuses. */
	if (c->rules.max_lifetime > 0 &&
	    (c->access_ttl > c->rules.max_lifetime || c->refresh_ttl > c->rules.max_lifetime)) {
		failf(ctx, 0, "[token] access_ttl and refresh_ttl must not exceed max_lifetime (%lld)",
		    c->rules.max_lifetime);
		return -1;
	}
	if (routes_check(c, ctx->t.err, sizeof(ctx->t.err)) != 0) {
		failf(ctx, 0, "[server] %s", ctx->t.err);
		return -1;
	}
	if (c->rl_enabled) {
		const struct opt_raw *f = &ctx->raw.rl_file;

		if (f->text[0] == '\0') {
			failf(ctx, 0, "[rate_limit] file is required when enabled");
			return -1;
		}
		if (util_path_join(ctx->basedir, f->text, c->rl_file, sizeof(c->rl_file)) != 0) {
			failf(ctx, f->line, "[rate_limit] file: path too long");
			return -1;
		}
	}
	return 0;
}

/* A syslog target's socket: syslog_socket, whichever line came first. */
static int
load_sink(struct parse_ctx *ctx, const char *section, const struct opt_raw *sock,
    struct sink_spec *spec)
{
	if (sock->text[0] != '/') {
		failf(ctx, sock->line, "[%s] syslog_socket must be an absolute path", section);
		return -1;
	}
	if (spec->kind == SINK_SYSLOG &&
	    util_strlcpy(spec->path, sock->text, sizeof(spec->path)) != 0) {
		failf(ctx, sock->line, "[%s] syslog_socket: path too long", section);
		return -1;
	}
	return 0;
}

static int
load_sinks(struct parse_ctx *ctx)
{
	struct config *c = ctx->cfg;

	return load_sink(ctx, "log", &ctx->raw.log_socket, &c->log_sink) == 0 &&
		       load_sink(ctx, "audit", &ctx->raw.audit_socket, &c->audit_sink) == 0
		   ? 0
		   : -1;
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

	ctx->t.cfg = cfg;
	ctx->t.raws = &ctx->raw;
	if (options_defaults(&ctx->t, 0) != 0)
		failf(ctx, 0, "%s", ctx->t.err);
	rc = ini_parse_stream(reader, ctx, handler, ctx);
	if (rc != 0 && !ctx->failed)
		failf(ctx, rc > 0 ? rc : 0, rc > 0 ? "syntax error" : "cannot read the file");
	if (!ctx->failed && load_identity(ctx) == 0 && load_keys(ctx) == 0 &&
	    load_hosts(ctx) == 0 && load_password(ctx) == 0 && compile_sql(ctx) == 0 &&
	    check_combinations(ctx) == 0 && load_sinks(ctx) == 0) {
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

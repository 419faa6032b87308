/* SPDX-License-Identifier: ISC */
/*
 * test_config.c — pins src/config.c (and the secret decoding of
 * src/keyring.c it relies on): a minimal config gets the defaults that
 * deploy/logout-fcgi.conf documents, the shipped file itself loads (its
 * relative secret_file resolved against its own directory, its SQL equal to
 * the built-in statements), indented lines continue a value joined by one
 * space, and every refusal is one "FILE:LINE: problem" message naming
 * the offending key or value.
 */
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "routes.h"

#include "config.h"
#include "keyring.h"
#include "sqlparam.h"
#include "util.h"

#define NAME "unit.conf"

/* 16, 32 and 64 raw bytes. */
#define SECRET16 "0123456789abcdef"
#define SECRET64 UNIT_SECRET UNIT_SECRET

static void
set_env(void)
{
	setenv("LOGOUT_UNIT_SECRET", UNIT_SECRET, 1);
	setenv("LOGOUT_UNIT_16", SECRET16, 1);
	setenv("LOGOUT_UNIT_64", SECRET64, 1);
	unsetenv("LOGOUT_UNIT_UNSET");
}

/*
 * text must be refused with a message "unit.conf:LINE: ..." that contains
 * needle. line > 0: exactly that line; line < 0: some line number;
 * line == 0: the file name, a line number optional.
 */
static void
expect_error(const char *text, int line, const char *needle)
{
	char err[512] = "", want[64];
	struct config *cfg;

	set_env();
	cfg = config_load_string(text, NAME, err, sizeof(err));
	ck_assert_msg(cfg == NULL, "accepted:\n%s", text);
	ck_assert_msg(strncmp(err, NAME, strlen(NAME)) == 0, "no file name in \"%s\"", err);
	if (line > 0) {
		snprintf(want, sizeof(want), NAME ":%d:", line);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		    "want \"%s\" in \"%s\"\nfor:\n%s", want, err, text);
	} else if (line < 0) {
		ck_assert_msg(
		    err[strlen(NAME)] == ':' && isdigit((unsigned char)err[strlen(NAME) + 1]),
		    "no line number in \"%s\"", err);
	}
	if (needle != NULL)
		ck_assert_msg(strstr(err, needle) != NULL, "want \"%s\" in \"%s\"", needle, err);
	ck_assert_msg(strchr(err, '\n') == NULL, "more than one line: \"%s\"", err);
}

/* The compiled form of sql must equal st. */
static void
assert_stmt(const struct sql_text *st, const char *sql)
{
	struct sql_text want;
	char err[200];

	ck_assert_int_eq(sqlparam_compile(sql, &want, err, sizeof(err)), 0);
	ck_assert_str_eq(st->sql, want.sql);
	ck_assert_uint_eq(st->nparams, want.nparams);
	for (size_t i = 0; i < want.nparams; i++)
		ck_assert_int_eq(st->params[i], want.params[i]);
	ck_assert_uint_eq(st->used, want.used);
}

/* Every default of deploy/logout-fcgi.conf (but the key section). */
static void
assert_defaults(const struct config *c)
{
	ck_assert_str_eq(c->path_prefix, "/api/v1/auth");
	ck_assert_uint_eq(c->max_body, 4096);
	ck_assert_int_eq(c->threads, 16);
	ck_assert_str_eq(c->listen, "");
	ck_assert_str_eq(c->health_path, "");
	ck_assert_str_eq(c->metrics_path, "");
	ck_assert_int_eq(c->rules.leeway, 0);
	ck_assert(c->rules.issuer == NULL || c->rules.issuer[0] == '\0');
	ck_assert(c->rules.audience == NULL || c->rules.audience[0] == '\0');
	ck_assert_str_eq(c->rules.type_claim, "typ");
	ck_assert_str_eq(c->rules.access_type, "access");
	ck_assert_str_eq(c->rules.refresh_type, "refresh");
	ck_assert_str_eq(c->default_key, "main");
	ck_assert_int_eq(c->access_ttl, 900);
	ck_assert_int_eq(c->refresh_ttl, 2592000);
	ck_assert_uint_eq(c->nhosts, 1);
	ck_assert_str_eq(c->hosts[0].host, "127.0.0.1");
	ck_assert_uint_eq(c->hosts[0].port, 3306);
	ck_assert_str_eq(c->db_socket, "");
	ck_assert_str_eq(c->db_password, "");
	ck_assert_uint_eq(c->connect_timeout, 2);
	ck_assert_uint_eq(c->read_timeout, 5);
	ck_assert_uint_eq(c->write_timeout, 5);
	ck_assert_int_eq(c->retries, 2);
	ck_assert_uint_eq(c->failback_interval, 30);
	ck_assert_int_eq(c->wsrep_sync_wait, -1);
	ck_assert_int_eq(c->rules.clock_skew, 5);
	ck_assert_int_eq(c->rules.max_lifetime, 7776000);
	ck_assert_int_eq(c->rules.require_iat, 0);
	ck_assert_uint_eq(c->header_timeout, 5);
	ck_assert_uint_eq(c->body_timeout, 10);
	ck_assert_uint_eq(c->send_timeout, 10);
	ck_assert_uint_eq(c->keepalive_timeout, 75);
	ck_assert_uint_eq(c->shutdown_timeout, 30);
	ck_assert_uint_eq(c->max_params, 65536);
	ck_assert_uint_eq(c->max_connections, 4096);
	ck_assert_int_eq(c->logout_status, 204);
	ck_assert_int_eq(c->audit_enabled, 1);
	ck_assert_str_eq(c->run_user, "");
	ck_assert_str_eq(c->run_group, "");
	ck_assert_int_eq(c->allow_root, 0);
	ck_assert_str_eq(c->listen_owner, "");
	ck_assert_str_eq(c->listen_group, "");
	ck_assert_uint_eq(c->listen_mode, 0660);
	ck_assert_str_eq(c->pid_file, "");
	ck_assert_int_eq(c->strict_modes, 1);
	ck_assert_int_eq(c->log_sink.kind, SINK_STDERR);
	ck_assert_int_eq(c->log_level, SINK_INFO);
	ck_assert_str_eq(c->log_sink.ident, "logout-fcgi");
	ck_assert_int_eq(c->log_sink.facility, 3 << 3);
	ck_assert_int_eq(c->audit_sink.kind, SINK_STDERR);
	ck_assert_str_eq(c->audit_sink.ident, "logout-fcgi-audit");
	ck_assert_int_eq(c->audit_sink.facility, 10 << 3);
	assert_stmt(&c->stmts[STMT_LOGOUT],
	    "DELETE FROM user_sessions WHERE session_hash = :sid_hash AND user_id = :user_id");
	assert_stmt(&c->stmts[STMT_LOGOUT_REFRESH],
	    "DELETE FROM user_sessions WHERE user_id = :user_id AND (session_hash = "
	    ":refresh_sid_hash OR refresh_jti_hash = :refresh_jti_hash) AND EXISTS (SELECT 1 "
	    "FROM user_sessions b WHERE b.session_hash = :sid_hash AND b.user_id = :user_id)");
	assert_stmt(&c->stmts[STMT_SESSION_CHECK],
	    "SELECT 1 FROM user_sessions WHERE session_hash = :sid_hash AND user_id = :user_id");
	assert_stmt(&c->stmts[STMT_LOGOUT_ALL],
	    "DELETE FROM user_sessions WHERE user_id = :user_id AND EXISTS (SELECT 1 FROM "
	    "user_sessions b WHERE b.session_hash = :sid_hash AND b.user_id = :user_id)");
	assert_stmt(&c->admin_stmts[ADMIN_STMT_CREATE_SESSION],
	    "INSERT INTO user_sessions (user_id, session_hash, refresh_jti_hash, expires_at) "
	    "VALUES (:user_id, :sid_hash, :refresh_jti_hash, FROM_UNIXTIME(:expires_at))");
	assert_stmt(&c->admin_stmts[ADMIN_STMT_FORCE_LOGOUT],
	    "DELETE FROM user_sessions WHERE user_id = :user_id");
}

START_TEST(minimal_defaults)
{
	struct config *c = unit_config(UNIT_KEY_SECTION);
	const struct key *k;

	assert_defaults(c);
	for (int i = 0; i < STMT_COUNT; i++)
		ck_assert_int_eq(c->stmt_lines[i], 0); /* every statement built in */
	/* No built-in database user or name: the client library's defaults. */
	ck_assert_str_eq(c->db_user, "");
	ck_assert_str_eq(c->db_name, "");
	ck_assert_str_eq(c->path, NAME);
	ck_assert_uint_eq(c->keys.nkeys, 1);
	k = keyring_default(&c->keys);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->name, "main");
	ck_assert_int_eq(k->alg, KEY_HS256);
	ck_assert_uint_eq(k->secret_len, 32);
	ck_assert_mem_eq(k->secret, UNIT_SECRET, 32);
	ck_assert_ptr_eq(keyring_find(&c->keys, "main", 4), k);
	config_free(c);
}
END_TEST

/* Write len bytes to path, mode 0600 as a secret file must be (whatever
 * the umask), or fail. */
static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

START_TEST(shipped_file)
{
	const char *srcdir = getenv("top_srcdir");
	char src[1024], dir[] = "/tmp/logout-unit-XXXXXX", path[1100], *text = NULL;
	char err[512] = "";
	size_t len = 0;
	struct config *c;
	const struct key *k;

	snprintf(src, sizeof(src), "%s/deploy/logout-fcgi.conf", srcdir ? srcdir : ".");
	ck_assert_msg(util_read_file(src, 65536, &text, &len) == 0, "%s: %s", src, strerror(errno));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	/* keys/main.key, base64 of UNIT_SECRET, with the editor's newline. */
	snprintf(path, sizeof(path), "%s/keys/main.key", dir);
	write_file(path, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n", 45);
	snprintf(path, sizeof(path), "%s/logout-fcgi.conf", dir);
	write_file(path, text, len);
	free(text);

	/* Loaded from another working directory: paths are relative to the file. */
	ck_assert_int_eq(chdir("/"), 0);
	c = config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	assert_defaults(c);
	ck_assert_str_eq(c->db_user, "logout"); /* the file's examples */
	ck_assert_str_eq(c->db_name, "app");
	ck_assert_str_eq(c->path, path);
	k = keyring_default(&c->keys);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->name, "main");
	ck_assert_int_eq(k->alg, KEY_HS256);
	ck_assert_uint_eq(k->secret_len, 32);
	ck_assert_mem_eq(k->secret, UNIT_SECRET, 32);
	config_free(c);
}
END_TEST

START_TEST(missing_file)
{
	char err[512] = "";

	ck_assert_ptr_null(config_load("/nonexistent/logout-fcgi.conf", err, sizeof(err)));
	ck_assert_has(err, "/nonexistent/logout-fcgi.conf");
}
END_TEST

START_TEST(settings)
{
	struct config *c = unit_config("[server]\n"
				       "path_prefix = /auth\n"
				       "max_body = 100\n"
				       "threads = 16\n"
				       "[token]\n"
				       "leeway = 30\n"
				       "issuer = https://id.example\n"
				       "audience = api\n"
				       "type_claim = token_use\n"
				       "access_type =\n"
				       "refresh_type = r\n"
				       "[database]\n"
				       "hosts = db1:3307, db2,db3:3308\n"
				       "user = u\n"
				       "name = n\n"
				       "connect_timeout = 1\n"
				       "read_timeout = 7\n"
				       "write_timeout = 9\n"
				       "retries = 0\n"
				       "failback_interval = 0\n"
				       "wsrep_sync_wait = 3\n"
				       "[response]\n"
				       "logout_status = 200\n"
				       "[audit]\n"
				       "enabled = no\n" UNIT_KEY_SECTION);

	ck_assert_str_eq(c->path_prefix, "/auth");
	ck_assert_uint_eq(c->max_body, 100);
	ck_assert_int_eq(c->threads, 16);
	ck_assert_int_eq(c->rules.leeway, 30);
	ck_assert_str_eq(c->rules.issuer, "https://id.example");
	ck_assert_str_eq(c->rules.audience, "api");
	ck_assert_str_eq(c->rules.type_claim, "token_use");
	ck_assert(c->rules.access_type == NULL || c->rules.access_type[0] == '\0');
	ck_assert_str_eq(c->rules.refresh_type, "r");
	ck_assert_uint_eq(c->nhosts, 3);
	ck_assert_str_eq(c->hosts[0].host, "db1");
	ck_assert_uint_eq(c->hosts[0].port, 3307);
	ck_assert_str_eq(c->hosts[1].host, "db2");
	ck_assert_uint_eq(c->hosts[1].port, 3306);
	ck_assert_str_eq(c->hosts[2].host, "db3");
	ck_assert_uint_eq(c->hosts[2].port, 3308);
	ck_assert_str_eq(c->db_user, "u");
	ck_assert_str_eq(c->db_name, "n");
	ck_assert_uint_eq(c->connect_timeout, 1);
	ck_assert_uint_eq(c->read_timeout, 7);
	ck_assert_uint_eq(c->write_timeout, 9);
	ck_assert_int_eq(c->retries, 0);
	ck_assert_uint_eq(c->failback_interval, 0);
	ck_assert_int_eq(c->wsrep_sync_wait, 3);
	ck_assert_int_eq(c->logout_status, 200);
	ck_assert_int_eq(c->audit_enabled, 0);
	config_free(c);
}
END_TEST

/* [log] and [audit]: the targets, whichever order target and
 * syslog_socket come in. */
START_TEST(log_targets)
{
	struct config *c = unit_config("[log]\n"
				       "syslog_socket = /run/it/log.sock\n"
				       "target = syslog\n"
				       "level = warning\n"
				       "syslog_ident = api-logout\n"
				       "syslog_facility = local3\n"
				       "[audit]\n"
				       "target = /var/log/logout-fcgi/audit.log\n"
				       "syslog_socket = /run/other.sock\n" UNIT_KEY_SECTION);

	ck_assert_int_eq(c->log_sink.kind, SINK_SYSLOG);
	ck_assert_str_eq(c->log_sink.path, "/run/it/log.sock");
	ck_assert_str_eq(c->log_sink.ident, "api-logout");
	ck_assert_int_eq(c->log_sink.facility, 19 << 3);
	ck_assert_int_eq(c->log_level, SINK_WARNING);
	ck_assert_int_eq(c->audit_sink.kind, SINK_FILE);
	ck_assert_str_eq(c->audit_sink.path, "/var/log/logout-fcgi/audit.log");
	config_free(c);
	/* syslog without syslog_socket: /dev/log. */
	c = unit_config("[audit]\ntarget = syslog\n[log]\nlevel = debug\n" UNIT_KEY_SECTION);
	ck_assert_int_eq(c->audit_sink.kind, SINK_SYSLOG);
	ck_assert_str_eq(c->audit_sink.path, "/dev/log");
	ck_assert_str_eq(c->audit_sink.ident, "logout-fcgi-audit");
	ck_assert_int_eq(c->audit_sink.facility, 10 << 3);
	ck_assert_int_eq(c->log_level, SINK_DEBUG);
	config_free(c);
}
END_TEST

START_TEST(bad_log_targets)
{
	expect_error("[log]\ntarget = journal\n" UNIT_KEY_SECTION, 2, "target");
	expect_error("[audit]\ntarget = audit.log\n" UNIT_KEY_SECTION, 2, "absolute");
	expect_error("[log]\nlevel = notice\n" UNIT_KEY_SECTION, 2, "notice");
	expect_error("[log]\nsyslog_facility = kernel\n" UNIT_KEY_SECTION, 2, "kernel");
	expect_error("[audit]\nsyslog_ident = a b\n" UNIT_KEY_SECTION, 2, "syslog_ident");
	expect_error("[audit]\nsyslog_ident =\n" UNIT_KEY_SECTION, 2, "syslog_ident");
	expect_error("[log]\nsyslog_ident = x[1]\n" UNIT_KEY_SECTION, 2, "syslog_ident");
	expect_error("[audit]\n\nsyslog_socket = dev/log\n" UNIT_KEY_SECTION, 3, "syslog_socket");
	expect_error("[log]\ntarget = syslog\nsyslog_socket =\n" UNIT_KEY_SECTION, 3,
	    "syslog_socket");
	expect_error("[logs]\ntarget = stderr\n" UNIT_KEY_SECTION, -1, "logs");
}
END_TEST

START_TEST(continuation_lines)
{
	struct config *c = unit_config("[sql]\n"
				       "logout = DELETE FROM user_sessions\n"
				       "  WHERE session_hash = :sid_hash\n"
				       "\tAND user_id = :user_id\n"
				       "session_check = SELECT 1\n"
				       "    FROM t WHERE sid = :sid\n"
				       "\n" UNIT_KEY_SECTION);

	ck_assert_str_eq(c->stmts[STMT_LOGOUT].sql,
	    "DELETE FROM user_sessions WHERE session_hash = ? AND user_id = ?");
	ck_assert_uint_eq(c->stmts[STMT_LOGOUT].nparams, 2);
	ck_assert_int_eq(c->stmts[STMT_LOGOUT].params[0], SQLP_SID_HASH);
	ck_assert_int_eq(c->stmts[STMT_LOGOUT].params[1], SQLP_USER_ID);
	ck_assert_str_eq(c->stmts[STMT_SESSION_CHECK].sql, "SELECT 1 FROM t WHERE sid = ?");
	ck_assert_int_eq(c->stmts[STMT_SESSION_CHECK].params[0], SQLP_SID);
	/* Statements left out keep their defaults. */
	assert_stmt(&c->stmts[STMT_LOGOUT_ALL],
	    "DELETE FROM user_sessions WHERE user_id = :user_id AND EXISTS (SELECT 1 FROM "
	    "user_sessions b WHERE b.session_hash = :sid_hash AND b.user_id = :user_id)");
	config_free(c);
}
END_TEST

START_TEST(keys)
{
	char dir[] = "/tmp/logout-unit-XXXXXX", path[128], text[1024];
	struct config *c;
	const struct key *k;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/raw.key", dir);
	/* Raw: the bytes less one trailing newline. */
	write_file(path, SECRET64 "\n", 65);
	setenv("LOGOUT_UNIT_B64", "  MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n", 1);
	snprintf(text, sizeof(text),
	    "[token]\n"
	    "default_key = second\n"
	    "[key first]\n"
	    "alg = HS512\n"
	    "secret_file = %s\n"
	    "encoding = raw\n"
	    "[key second]\n"
	    "alg = HS256\n"
	    "secret_env = LOGOUT_UNIT_B64\n"
	    "encoding = base64\n",
	    path);
	c = unit_config(text);
	ck_assert_uint_eq(c->keys.nkeys, 2);
	ck_assert_str_eq(c->default_key, "second");
	k = keyring_default(&c->keys);
	ck_assert_str_eq(k->name, "second");
	ck_assert_int_eq(k->alg, KEY_HS256);
	ck_assert_uint_eq(k->secret_len, 32);
	ck_assert_mem_eq(k->secret, UNIT_SECRET, 32);
	k = keyring_find(&c->keys, "first", 5);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->alg, KEY_HS512);
	ck_assert_uint_eq(k->secret_len, 64);
	ck_assert_mem_eq(k->secret, SECRET64, 64);
	ck_assert_ptr_null(keyring_find(&c->keys, "firs", 4));
	ck_assert_ptr_null(keyring_find(&c->keys, "third", 5));
	config_free(c);
}
END_TEST

START_TEST(decode_secret)
{
	unsigned char out[128];
	size_t n = 0;
	char why[64] = "";

	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_RAW, "abc\n", 4, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "abc", 3);
	/* Only one newline goes. */
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_RAW, "abc\n\n", 5, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_RAW, " a b ", 5, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 5);
	/* Base64, both alphabets, whitespace around ignored. 0xfb 0xff 0xbf. */
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_BASE64, "+/+/", 4, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "\xfb\xff\xbf", 3);
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_BASE64, " -_-_\n", 6, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "\xfb\xff\xbf", 3);
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_BASE64, "Zm8=\n", 5, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_BASE64, "Zm8\n", 4, out, sizeof(out), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	why[0] = '\0';
	ck_assert_int_eq(keyring_decode_secret(
			     KEY_ENC_BASE64, "Zm9v!", 5, out, sizeof(out), &n, why, sizeof(why)),
	    -1);
	ck_assert_str_eq(why, "secret is not valid base64");
	why[0] = '\0';
	ck_assert_int_eq(
	    keyring_decode_secret(KEY_ENC_RAW, "", 0, out, sizeof(out), &n, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "secret is empty");
}
END_TEST

START_TEST(stmt_names)
{
	ck_assert_str_eq(stmts_name(STMT_LOGOUT), "logout");
	ck_assert_str_eq(stmts_name(STMT_LOGOUT_REFRESH), "logout_refresh");
	ck_assert_str_eq(stmts_name(STMT_SESSION_CHECK), "session_check");
	ck_assert_str_eq(stmts_name(STMT_LOGOUT_ALL), "logout_all");
}
END_TEST

/* ---- refusals ----------------------------------------------------------- */

START_TEST(unknown_key)
{
	expect_error("[server]\nbogus = 1\n" UNIT_KEY_SECTION, 2, "bogus");
	expect_error("[token]\nleeway = 0\nissuer_url = x\n" UNIT_KEY_SECTION, 3, "issuer_url");
	expect_error(UNIT_KEY_SECTION "secret = abc\n", 5, "secret");
	expect_error("[sql]\nlogoutall = DELETE FROM t\n" UNIT_KEY_SECTION, 2, "logoutall");
}
END_TEST

/* A key set twice is refused however many settings come before its
 * first setting: here 64 (16 key sections of 3, [database], [token]). */
START_TEST(duplicate_after_many)
{
	char text[8192], err[512];
	struct config *c;
	size_t n = 0, ok_len;
	int i, line;

	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "[key k%d]\nalg = HS256\nsecret_env = LOGOUT_UNIT_SECRET\nencoding = raw\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "[database]\nhosts = db1\nuser = u\nname = n\nconnect_timeout = 1\n"
	    "read_timeout = 1\nwrite_timeout = 1\nretries = 1\n"
	    "[token]\nleeway = 1\nissuer = i\naudience = a\ntype_claim = typ\n"
	    "access_type = access\nrefresh_type = refresh\ndefault_key = k0\n"
	    "access_ttl = 60\nrefresh_ttl = 120\n"
	    "[server]\nthreads = 2\n");
	ok_len = n;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "threads = 3\n");
	ck_assert_uint_lt(n, sizeof(text));
	line = 16 * 4 + 8 + 10 + 2 + 1;
	expect_error(text, line, "\"threads\" is set twice in [server]");
	/* the same file without the second threads loads */
	text[ok_len] = '\0';
	set_env();
	c = config_load_string(text, NAME, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->keys.nkeys, 16);
	ck_assert_int_eq(c->threads, 2);
	config_free(c);
}
END_TEST

START_TEST(lifetime_bounds)
{
	expect_error("[token]\nmax_lifetime = 3600\nrefresh_ttl = 7200\n" UNIT_KEY_SECTION, 0,
	    "must not exceed max_lifetime");
	expect_error("[token]\nclock_skew = 3601\n" UNIT_KEY_SECTION, 2, "clock_skew");
	expect_error("[server]\nmax_params = 100\n" UNIT_KEY_SECTION, 2, "max_params");
	expect_error("[server]\nheader_timeout = 0\n" UNIT_KEY_SECTION, 2, "header_timeout");
}
END_TEST

START_TEST(unknown_section)
{
	expect_error(
	    "[server]\nthreads = 2\n[databse]\nhosts = db1\n" UNIT_KEY_SECTION, -1, "databse");
}
END_TEST

START_TEST(bad_numbers)
{
	expect_error("[server]\nmax_body = abc\n" UNIT_KEY_SECTION, 2, "max_body");
	expect_error("[server]\nmax_body = -1\n" UNIT_KEY_SECTION, 2, "max_body");
	expect_error("[server]\nmax_body = 4096k\n" UNIT_KEY_SECTION, 2, "max_body");
	expect_error("[server]\nmax_body = 99999999999999999999\n" UNIT_KEY_SECTION, 2, "max_body");
	expect_error("[server]\nmax_body =\n" UNIT_KEY_SECTION, 2, "max_body");
	expect_error("[server]\nthreads = 0\n" UNIT_KEY_SECTION, 2, "threads");
	expect_error("[server]\n\nthreads = 2.5\n" UNIT_KEY_SECTION, 3, "threads");
	expect_error("[token]\nleeway = soon\n" UNIT_KEY_SECTION, 2, "leeway");
	expect_error("[database]\nread_timeout = 0x10\n" UNIT_KEY_SECTION, 2, "read_timeout");
	expect_error("[database]\nhosts = db1:99999\n" UNIT_KEY_SECTION, 2, "db1:99999");
}
END_TEST

START_TEST(bad_alg)
{
	expect_error("[key main]\nalg = RS256\nsecret_env = LOGOUT_UNIT_SECRET\n", 2, "alg");
	expect_error("[key main]\nalg = none\nsecret_env = LOGOUT_UNIT_SECRET\n", 2, "alg");
	expect_error("[key main]\nalg = hs256\nsecret_env = LOGOUT_UNIT_SECRET\n", 2, "alg");
	/* No alg at all. */
	expect_error("[key main]\nsecret_env = LOGOUT_UNIT_SECRET\nencoding = raw\n", -1, "main");
}
END_TEST

START_TEST(short_keys)
{
	expect_error(
	    "[key main]\nalg = HS256\nsecret_env = LOGOUT_UNIT_16\nencoding = raw\n", -1, "main");
	expect_error("[key main]\nalg = HS512\nsecret_env = LOGOUT_UNIT_SECRET\nencoding = raw\n",
	    -1, "main");
	/* 31 bytes after base64 decoding. */
	setenv("LOGOUT_UNIT_31", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ", 1);
	expect_error("[key main]\nalg = HS256\nsecret_env = LOGOUT_UNIT_31\nencoding = base64\n",
	    -1, "main");
}
END_TEST

START_TEST(exact_key_lengths)
{
	struct config *c;

	set_env();
	c = unit_config("[token]\ndefault_key = b\n"
			"[key a]\nalg = HS256\nsecret_env = LOGOUT_UNIT_SECRET\nencoding = raw\n"
			"[key b]\nalg = HS512\nsecret_env = LOGOUT_UNIT_64\nencoding = raw\n");

	ck_assert_uint_eq(c->keys.nkeys, 2);
	ck_assert_uint_eq(keyring_default(&c->keys)->secret_len, 64);
	config_free(c);
}
END_TEST

START_TEST(secret_sources)
{
	expect_error("[key main]\nalg = HS256\nsecret_file = /nonexistent/dir/main.key\n", -1,
	    "/nonexistent/dir/main.key");
	expect_error(
	    "[key main]\nalg = HS256\nsecret_env = LOGOUT_UNIT_UNSET\n", -1, "LOGOUT_UNIT_UNSET");
	expect_error("[key main]\nalg = HS256\nsecret_env = LOGOUT_UNIT_SECRET\n"
		     "secret_file = /etc/hostname\nencoding = raw\n",
	    -1, "main");
	expect_error("[key main]\nalg = HS256\nencoding = raw\n", -1, "main");
	expect_error("[key main]\nalg = HS256\nsecret_env = LOGOUT_UNIT_SECRET\n"
		     "encoding = hex\n",
	    4, "encoding");
}
END_TEST

START_TEST(key_selection)
{
	/* No key at all. */
	expect_error("[server]\nthreads = 2\n", 0, NULL);
	expect_error("", 0, NULL);
	/* A default that names no key. */
	expect_error("[token]\ndefault_key = nosuch\n" UNIT_KEY_SECTION, -1, "nosuch");
}
END_TEST

START_TEST(bad_sql)
{
	expect_error(
	    "[sql]\nlogout = DELETE FROM t WHERE a = :nosuch\n" UNIT_KEY_SECTION, 2, "nosuch");
	expect_error("[sql]\nlogout_all = DELETE FROM t\n  WHERE a = :user_id\n"
		     "  AND b = :bogus\n" UNIT_KEY_SECTION,
	    -1, "bogus");
	expect_error("\n[sql]\nlogout = DELETE FROM t WHERE a = 'x\n" UNIT_KEY_SECTION, 3, NULL);
}
END_TEST

START_TEST(bad_logout_status)
{
	expect_error("[response]\nlogout_status = 201\n" UNIT_KEY_SECTION, 2, "logout_status");
	expect_error("[response]\nlogout_status = 404\n" UNIT_KEY_SECTION, 2, "logout_status");
	expect_error("[response]\nlogout_status = ok\n" UNIT_KEY_SECTION, 2, "logout_status");
	expect_error("[audit]\nenabled = maybe\n" UNIT_KEY_SECTION, 2, "enabled");
}
END_TEST

/* ---- compat profiles (README, "Compatibility") ---------------------------------------- */

START_TEST(profile_settings)
{
	struct config *c;

	set_env();
	c = unit_config(
	    "[server]\nendpoints = logout-all\n"
	    "[response]\nstyle = fastapi\nlogout_scope = user\nalready_logged_out = 204\n"
	    "[rate_limit]\nenabled = yes\nrequests = 5\nwindow = 10\nfile = rl.state\n"
	    "slots = 1024\n" UNIT_KEY_SECTION);
	ck_assert_uint_eq(c->endpoints, ROUTE_BIT(ROUTE_LOGOUT_ALL));
	ck_assert_int_eq(c->style, STYLE_FASTAPI);
	ck_assert_int_eq(c->logout_scope, SCOPE_USER);
	ck_assert_int_eq(c->already_logged_out, 204);
	ck_assert_int_eq(c->rl_enabled, 1);
	ck_assert_uint_eq(c->rl_requests, 5);
	ck_assert_uint_eq(c->rl_window, 10);
	ck_assert_uint_eq(c->rl_slots, 1024);
	ck_assert_str_eq(c->rl_file, "rl.state");
	config_free(c);
}
END_TEST

START_TEST(sanctum_format)
{
	struct config *c;

	/* No key needed; the sanctum statements become the defaults. */
	c = unit_config("[token]\nformat = sanctum\nexpiration = 60\n");
	ck_assert_int_eq(c->format, FORMAT_SANCTUM);
	ck_assert_uint_eq(c->keys.nkeys, 0);
	ck_assert_int_eq(c->expiration, 60);
	ck_assert_str_eq(c->tokenable_type, "App\\Models\\User");
	ck_assert_has(c->stmts[STMT_TOKEN_LOOKUP].sql, "personal_access_tokens");
	ck_assert_has(c->stmts[STMT_LOGOUT].sql, "personal_access_tokens");
	ck_assert_str_eq(c->stmts[STMT_LOGOUT_REFRESH].sql, "");
	ck_assert_has(
	    c->admin_stmts[ADMIN_STMT_CREATE_TOKEN].sql, "INSERT INTO personal_access_tokens");
	config_free(c);
	/* A jwt config has no token lookup. */
	set_env();
	c = unit_config(UNIT_KEY_SECTION);
	ck_assert_str_eq(c->stmts[STMT_TOKEN_LOOKUP].sql, "");
	ck_assert_uint_eq(c->endpoints, ROUTE_BIT(ROUTE_LOGOUT) | ROUTE_BIT(ROUTE_LOGOUT_ALL));
	ck_assert_int_eq(c->already_logged_out, 401);
	config_free(c);
}
END_TEST

START_TEST(gate_settings)
{
	struct config *c;

	set_env();
	c = unit_config("[server]\nendpoints = logout verify logout-others\nverify_path = /auth\n"
			"[response]\nuser_header = X-User\nsession_header = X-Sess\n" UNIT_KEY_SECTION);
	ck_assert_uint_eq(c->endpoints, ROUTE_BIT(ROUTE_LOGOUT) | ROUTE_BIT(ROUTE_VERIFY) |
					     ROUTE_BIT(ROUTE_LOGOUT_OTHERS));
	ck_assert_str_eq(c->verify_path, "/auth");
	ck_assert_str_eq(c->user_header, "X-User");
	ck_assert_str_eq(c->session_header, "X-Sess");
	ck_assert_has(c->stmts[STMT_VERIFY].sql, "expires_at > NOW()");
	ck_assert_has(c->stmts[STMT_LOGOUT_OTHERS].sql, "session_hash <> ?");
	config_free(c);
	/* The fastapi way: the user lookup alone is the gate's check. */
	c = unit_config("[server]\nendpoints = logout-all verify\n[sql]\nverify =\n"
			"user_lookup = SELECT id FROM users WHERE username = :sub AND :exp > cut\n"
			UNIT_KEY_SECTION);
	ck_assert_str_eq(c->stmts[STMT_VERIFY].sql, "");
	ck_assert(c->params_used & (1u << SQLP_EXP));
	config_free(c);
	/* Sanctum: token_lookup is the check, so no verify statement. */
	c = unit_config("[server]\nendpoints = verify logout-others\n[token]\nformat = sanctum\n");
	ck_assert_str_eq(c->stmts[STMT_VERIFY].sql, "");
	ck_assert_has(c->stmts[STMT_LOGOUT_OTHERS].sql, "id <> ?");
	config_free(c);
}
END_TEST

START_TEST(bad_profile_settings)
{
	expect_error("[response]\nstyle = django\n" UNIT_KEY_SECTION, 2, "django");
	expect_error("[response]\nlogout_scope = device\n" UNIT_KEY_SECTION, 2, "logout_scope");
	expect_error("[response]\nalready_logged_out = 202\n" UNIT_KEY_SECTION, 2, "202");
	expect_error("[server]\nendpoints = logout login\n" UNIT_KEY_SECTION, 2, "login");
	expect_error("[server]\nendpoints =\n" UNIT_KEY_SECTION, 2, "endpoints");
	expect_error("[token]\nformat = paseto\n" UNIT_KEY_SECTION, 2, "paseto");
	expect_error("[rate_limit]\nslots = 3000\n" UNIT_KEY_SECTION, 2, "power of two");
	expect_error("[rate_limit]\nenabled = yes\nfile =\n" UNIT_KEY_SECTION, 0, "file");
	/* A made-up opaque token must not get an idempotent success. */
	expect_error("[token]\nformat = sanctum\n[response]\nalready_logged_out = 204\n", 0,
	    "already_logged_out");
	/* A statement the configuration runs cannot be empty. */
	expect_error("[sql]\nlogout =\n" UNIT_KEY_SECTION, 2, "logout");
	expect_error("[token]\nformat = sanctum\n[sql]\ntoken_lookup =\n", 4, "token_lookup");
	expect_error("[token]\nformat = sanctum\nupdate_last_used = yes\n[sql]\ntoken_touch =\n", 5,
	    "token_touch");
	/* The gate never answers without proving the session: its statement
	 * or a lookup (README, "Protecting the whole API"). */
	expect_error("[server]\nendpoints = verify\n[sql]\nverify =\n" UNIT_KEY_SECTION, 4,
	    "verify");
	expect_error("[server]\nendpoints = logout-others\n[sql]\nsession_check =\n"
		     UNIT_KEY_SECTION, 4, "session_check");
	expect_error("[server]\nverify_path = /logout-all\n" UNIT_KEY_SECTION, 0, "logout-all");
	expect_error("[response]\nuser_header = X Auth\n" UNIT_KEY_SECTION, 2, "header name");
	/* Admin-only parameters stay out of serving statements. */
	expect_error(
	    "[sql]\nlogout = DELETE FROM t WHERE h = :token_hash\n" UNIT_KEY_SECTION, 2, "admin");
}
END_TEST

START_TEST(server_identity)
{
	struct config *c = unit_config("[server]\n"
				       "user = nobody\n"
				       "group = nogroup\n"
				       "allow_root = yes\n"
				       "listen_owner = root\n"
				       "listen_group = 0\n"
				       "listen_mode = 640\n"
				       "pid_file = /run/unit.pid\n"
				       "strict_modes = no\n"
				       "[sql]\n"
				       "\n"
				       "logout = DELETE FROM s WHERE h = :sid_hash\n" UNIT_KEY_SECTION);

	ck_assert_str_eq(c->run_user, "nobody");
	ck_assert_str_eq(c->run_group, "nogroup");
	ck_assert_int_eq(c->allow_root, 1);
	ck_assert_str_eq(c->listen_owner, "root");
	ck_assert_str_eq(c->listen_group, "0");
	ck_assert_uint_eq(c->listen_mode, 0640);
	ck_assert_str_eq(c->pid_file, "/run/unit.pid");
	ck_assert_int_eq(c->strict_modes, 0);
	/* The line a --check-config --connect problem points at. */
	ck_assert_int_eq(c->stmt_lines[STMT_LOGOUT], 12);
	ck_assert_int_eq(c->stmt_lines[STMT_LOGOUT_ALL], 0);
	config_free(c);
}
END_TEST

START_TEST(bad_server_identity)
{
	expect_error("[server]\nthreads = 2\nuser = no-such-user-here\n" UNIT_KEY_SECTION, 3,
	    "[server] user: no such user \"no-such-user-here\"");
	expect_error("[server]\ngroup = no-such-group-here\n" UNIT_KEY_SECTION, 2,
	    "[server] group: no such group");
	expect_error("[server]\nlisten_owner = no-such-user-here\n" UNIT_KEY_SECTION, 2,
	    "listen_owner: no such user");
	expect_error("[server]\nlisten_group = no-such-group-here\n" UNIT_KEY_SECTION, 2,
	    "listen_group: no such group");
	expect_error("[server]\nlisten_mode = 0680\n" UNIT_KEY_SECTION, 2, "octal mode");
	expect_error("[server]\nlisten_mode = 1777\n" UNIT_KEY_SECTION, 2, "octal mode");
	expect_error("[server]\nlisten_mode =\n" UNIT_KEY_SECTION, 2, "octal mode");
	expect_error("[server]\nstrict_modes = maybe\n" UNIT_KEY_SECTION, 2, "yes or no");
}
END_TEST

/* A config whose key main is read from dir/main.key (after an optional
 * [server] line), and whose database password from dir/db.pass. */
static void
secret_config(char *text, size_t cap, const char *dir, const char *server, int password)
{
	snprintf(text, cap,
	    "[server]\n"
	    "%s\n"
	    "[database]\n"
	    "%s%s%s\n"
	    "[key main]\n"
	    "alg = HS256\n"
	    "secret_file = %s/main.key\n",
	    server, password ? "password_file = " : "", password ? dir : "",
	    password ? "/db.pass" : "", dir);
}

START_TEST(strict_modes)
{
	static const struct {
		mode_t mode;
		const char *says; /* NULL: accepted */
	} cases[] = {
	    {0600, NULL},
	    {0400, NULL},
	    {0640, NULL},
	    {0660, NULL},
	    {0644, "readable by others (mode 0644); chmod o-rwx "},
	    {0604, "readable by others (mode 0604)"},
	    {0602, "writable by others (mode 0602)"},
	    {0601, "executable by others (mode 0601)"},
	};
	char dir[] = "/tmp/logout-unit-XXXXXX", key[128], pass[128], text[1024], want[400];
	struct config *c;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/main.key", dir);
	snprintf(pass, sizeof(pass), "%s/db.pass", dir);
	write_file(key, UNIT_SECRET "\n", strlen(UNIT_SECRET) + 1);
	write_file(pass, "pw\n", 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The key's first line is line 6. */
		ck_assert_int_eq(chmod(key, cases[i].mode), 0);
		secret_config(text, sizeof(text), dir, "", 0);
		if (cases[i].says == NULL) {
			c = unit_config(text);
			config_free(c);
		} else {
			snprintf(want, sizeof(want), "key main: %s is %s", key, cases[i].says);
			expect_error(text, 6, want);
			/* strict_modes = no: the admin's choice. */
			secret_config(text, sizeof(text), dir, "strict_modes = no", 0);
			config_free(unit_config(text));
		}
	}
	ck_assert_int_eq(chmod(key, 0600), 0);
	/* The database password the same way, at its own line. */
	ck_assert_int_eq(chmod(pass, 0644), 0);
	secret_config(text, sizeof(text), dir, "", 1);
	snprintf(want, sizeof(want), "database password: %s is readable by others (mode 0644)",
	    pass);
	expect_error(text, 4, want);
	ck_assert_int_eq(chmod(pass, 0640), 0);
	c = unit_config(text);
	ck_assert_str_eq(c->db_password, "pw");
	config_free(c);
	/* Owned by a third user: only root can make one to test with. */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(key, 65534, 65534), 0);
		secret_config(text, sizeof(text), dir, "", 0);
		snprintf(want, sizeof(want),
		    "key main: %s is owned by uid 65534, neither root nor the user reading it "
		    "(uid 0)",
		    key);
		expect_error(text, 6, want);
		secret_config(text, sizeof(text), dir, "strict_modes = no", 0);
		config_free(unit_config(text));
	}
	unlink(key);
	unlink(pass);
	rmdir(dir);
}
END_TEST

START_TEST(syntax)
{
	expect_error("[server\nthreads = 2\n" UNIT_KEY_SECTION, -1, NULL);
	expect_error("[server]\nthreads 2\n" UNIT_KEY_SECTION, 2, NULL);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");

	UNIT_TCASE(s, "load", minimal_defaults, shipped_file, missing_file, settings,
	    continuation_lines, keys, decode_secret, stmt_names, exact_key_lengths, log_targets);
	UNIT_TCASE(s, "refuse", unknown_key, duplicate_after_many, lifetime_bounds, unknown_section, bad_numbers, bad_alg, short_keys,
	    secret_sources, key_selection, bad_sql, bad_logout_status, syntax,
	    bad_server_identity, bad_log_targets);
	UNIT_TCASE(s, "server", server_identity, strict_modes);
	UNIT_TCASE(s, "profiles", profile_settings, sanctum_format, gate_settings,
	    bad_profile_settings);
	return s;
}

UNIT_MAIN(config_suite)

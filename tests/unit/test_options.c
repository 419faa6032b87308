/* SPDX-License-Identifier: ISC */
/*
 * test_options.c — pins src/options.c: every row's default passes its own
 * setter, every printed key is found where the parser looks it up, the
 * printed table has five fields a line (tests/man/check reads it), bounds
 * shared with other code come from one place, and the setters' messages
 * keep the "KEY: problem" wording config.c prefixes with FILE:LINE.
 */
#include <stdio.h>

#include "unit.h"

#include "routes.h"

#include "config.h"
#include "log.h"
#include "options.h"
#include "ratelimit.h"

struct fixture {
	struct config *cfg;
	struct opt_raws *raws;
	struct keyring_spec key;
	struct opt_target t;
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->cfg = calloc(1, sizeof(*f->cfg));
	f->raws = calloc(1, sizeof(*f->raws));
	ck_assert_ptr_nonnull(f->cfg);
	ck_assert_ptr_nonnull(f->raws);
	f->t.cfg = f->cfg;
	f->t.raws = f->raws;
	f->t.key = &f->key;
}

static void
fixture_free(struct fixture *f)
{
	free(f->cfg);
	free(f->raws);
}

/* The printed table, one malloc'd string. */
static char *
printed(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	options_print(fp);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

START_TEST(defaults)
{
	struct fixture f;

	fixture_init(&f);
	ck_assert_msg(options_defaults(&f.t, 0) == 0, "%s", f.t.err);
	ck_assert_msg(options_defaults(&f.t, 1) == 0, "%s", f.t.err);
	ck_assert_int_eq(f.cfg->threads, 16);
	ck_assert_str_eq(f.cfg->path_prefix, "/api/v1/auth");
	/* verify and logout-others are off until a file names them. */
	ck_assert_uint_eq(f.cfg->endpoints, ROUTE_BIT(ROUTE_LOGOUT) | ROUTE_BIT(ROUTE_LOGOUT_ALL));
	ck_assert_str_eq(f.cfg->verify_path, "/verify");
	ck_assert_str_eq(f.cfg->user_header, "X-Auth-User");
	ck_assert_str_eq(f.cfg->session_header, "X-Auth-Session");
	ck_assert_int_eq(f.cfg->wsrep_sync_wait, -1);
	ck_assert_int_eq(f.cfg->already_logged_out, 401);
	ck_assert_uint_eq(f.cfg->rl_slots, 65536);
	ck_assert_str_eq(f.raws->hosts.text, "127.0.0.1:3306");
	ck_assert_str_eq(f.raws->default_key.text, "main");
	/* A default is not the file setting the key. */
	ck_assert_int_eq(f.raws->default_key.set, 0);
	ck_assert_int_eq(f.raws->default_key.line, 0);
	ck_assert_int_eq(f.key.enc, KEY_ENC_RAW);
	ck_assert_int_eq(f.key.alg, KEY_ALG_NONE);
	fixture_free(&f);
}
END_TEST

START_TEST(table)
{
	char *text = printed(), *line, *save = NULL;
	size_t rows = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char section[64], name[64];
		const char *tab1 = strchr(line, '\t'), *tab2;
		size_t tabs = 0;
		const struct opt *o;

		for (const char *p = line; *p != '\0'; p++)
			tabs += *p == '\t';
		ck_assert_msg(tabs == 4, "not 5 fields: %s", line);
		/* README lays the rows out as a Markdown table. */
		ck_assert_msg(strchr(line, '|') == NULL, "a '|' in: %s", line);
		tab2 = strchr(tab1 + 1, '\t');
		snprintf(section, sizeof(section), "%.*s", (int)(tab1 - line), line);
		snprintf(name, sizeof(name), "%.*s", (int)(tab2 - tab1 - 1), tab1 + 1);
		if (!strcmp(section, "key NAME"))
			snprintf(section, sizeof(section), "key");
		else
			ck_assert_msg(options_section_known(section), "[%s]", section);
		o = options_find(section, name);
		ck_assert_msg(o != NULL, "%s.%s not found", section, name);
		ck_assert_str_eq(options_name(o), name);
		ck_assert_msg(o->doc != NULL && o->doc[0] != '\0', "%s.%s: no doc", section, name);
		rows++;
	}
	ck_assert_uint_ge(rows, 60);
	free(text);
	ck_assert_ptr_null(options_find("server", "bogus"));
	ck_assert_ptr_null(options_find("bogus", "threads"));
	ck_assert_ptr_null(options_find("key", "threads"));
	ck_assert_int_eq(options_section_known("key"), 0);
	ck_assert_int_eq(options_section_known("databse"), 0);
}
END_TEST

START_TEST(printed_rows)
{
	char *text = printed();

	ck_assert_has(text, "server\tthreads\tnumber 1..256\t16\t");
	ck_assert_has(text, "response\tstyle\tenvelope/fastapi/laravel\tenvelope\t");
	ck_assert_has(text, "sql\tlogout\tSQL\t(built-in)\t");
	ck_assert_has(text, "key NAME\talg\tHS256/HS512\t(required)\t");
	ck_assert_has(text, "database\twsrep_sync_wait\tnumber 0..15\t\t");
	ck_assert_has(text, "log\tlevel\terror/warning/info/debug\tinfo\t");
	ck_assert_has(text, "audit\tsyslog_facility\tfacility\tauthpriv\t");
	free(text);
}
END_TEST

/* Bounds other code checks come from the same rows. */
START_TEST(shared_bounds)
{
	const struct opt *o = options_find("server", "threads");

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->min, OPTIONS_THREADS_MIN);
	ck_assert_int_eq(o->max, OPTIONS_THREADS_MAX);
	o = options_find("rate_limit", "slots");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->min, RATELIMIT_SLOTS_MIN);
	ck_assert_int_eq(o->max, RATELIMIT_SLOTS_MAX);
}
END_TEST

/* Set section.name = value; 0 or -1 and the message in err. */
static int
set(struct fixture *f, const char *section, const char *name, const char *value)
{
	const struct opt *o = options_find(section, name);

	ck_assert_msg(o != NULL, "%s.%s", section, name);
	f->t.line = 7;
	f->t.err[0] = '\0';
	return options_set(&f->t, o, value);
}

START_TEST(messages)
{
	static const struct {
		const char *section, *name, *value, *message;
	} refused[] = {
	    {"server", "threads", "0", "threads: \"0\" is not a number from 1 to 256"},
	    {"audit", "enabled", "maybe", "enabled: \"maybe\" is not yes or no"},
	    {"response", "style", "django",
		"style: \"django\" is not envelope, fastapi or laravel"},
	    {"key", "alg", "RS256", "alg: \"RS256\" is not HS256 or HS512"},
	    {"response", "logout_status", "201", "logout_status must be 204 or 200"},
	    {"response", "logout_status", "ok",
		"logout_status: \"ok\" is not a number from 200 to 204"},
	    {"rate_limit", "slots", "3072", "slots: 3072 is not a power of two"},
	    {"server", "path_prefix", "api", "path_prefix must start with '/'"},
	    {"server", "endpoints", "logout login",
		"endpoints: \"login\" is not logout, logout-all, verify or logout-others"},
	    {"server", "verify_path", "verify", "verify_path must start with '/' and name something"},
	    {"server", "verify_path", "/", "verify_path must start with '/' and name something"},
	    {"server", "verify_path", "/v?x=1", "verify_path: \"/v?x=1\" is not a plain path"},
	    {"server", "verify_path", "/a b", "verify_path: \"/a b\" is not a plain path"},
	    {"response", "user_header", "X-Auth User", "user_header: \"X-Auth User\" is not a header name"},
	    {"response", "session_header", "X:y", "session_header: \"X:y\" is not a header name"},
	    {"response", "user_header", "", "user_header must not be empty"},
	    {"token", "type_claim",
		"0123456789012345678901234567890123456789012345678901234567890123",
		"value longer than 63 bytes"},
	    {"log", "target", "journal",
		"target: \"journal\" is not stderr, syslog or an absolute file path"},
	    {"log", "level", "notice", "level: \"notice\" is not error, warning, info or debug"},
	    {"audit", "syslog_facility", "kernel",
		"syslog_facility: \"kernel\" is not a syslog facility (daemon, auth, authpriv, "
		"user, local0..local7, ...)"},
	    {"audit", "syslog_ident", "", "syslog_ident must not be empty"},
	    {"audit", "syslog_ident",
		"0123456789012345678901234567890123456789012345678901234567890123",
		"value longer than 63 bytes"},
	};
	struct fixture f;

	fixture_init(&f);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ck_assert_int_eq(
		    set(&f, refused[i].section, refused[i].name, refused[i].value), -1);
		ck_assert_str_eq(f.t.err, refused[i].message);
	}
	fixture_free(&f);
}
END_TEST

/* [log] level's words are log.c's, with its priorities. */
START_TEST(log_levels)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	struct fixture f;

	fixture_init(&f);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(set(&f, "log", "level", names[i]), 0);
		ck_assert_int_eq((int)f.cfg->log_level, log_level_parse(names[i]));
	}
	fixture_free(&f);
}
END_TEST

START_TEST(values_and_continuation)
{
	struct fixture f;

	fixture_init(&f);
	ck_assert_int_eq(set(&f, "server", "path_prefix", "/auth//"), 0);
	ck_assert_str_eq(f.cfg->path_prefix, "/auth");
	ck_assert_ptr_null(f.t.cont_dst);
	ck_assert_int_eq(set(&f, "server", "path_prefix", "/"), 0);
	ck_assert_str_eq(f.cfg->path_prefix, "");
	ck_assert_int_eq(set(&f, "response", "already_logged_out", "204"), 0);
	ck_assert_int_eq(f.cfg->already_logged_out, 204);
	ck_assert_int_eq(set(&f, "database", "wsrep_sync_wait", "3"), 0);
	ck_assert_int_eq(f.cfg->wsrep_sync_wait, 3);
	ck_assert_int_eq(set(&f, "database", "wsrep_sync_wait", ""), 0);
	ck_assert_int_eq(f.cfg->wsrep_sync_wait, -1);
	ck_assert_ptr_null(f.t.cont_dst);
	/* Strings and raw values may continue on an indented line. */
	ck_assert_int_eq(set(&f, "server", "listen", "/run/x.sock"), 0);
	ck_assert_ptr_eq(f.t.cont_dst, f.cfg->listen);
	ck_assert_int_eq(set(&f, "key", "secret_env", "X"), 0);
	ck_assert_ptr_eq(f.t.cont_dst, f.key.secret_env);
	ck_assert_int_eq(set(&f, "token", "format", "sanctum"), 0);
	ck_assert_int_eq(f.cfg->format, FORMAT_SANCTUM);
	ck_assert_ptr_null(f.t.cont_dst);
	/* Each [sql] key writes its own statement, and remembers the line. */
	for (int i = 0; i < STMT_COUNT; i++) {
		ck_assert_int_eq(set(&f, "sql", stmts_name((enum stmt_id)i), "SELECT 1"), 0);
		ck_assert_str_eq(f.raws->sql[i].text, "SELECT 1");
		ck_assert_int_eq(f.raws->sql[i].line, 7);
		ck_assert_int_eq(f.raws->sql[i].set, 1);
		ck_assert_ptr_eq(f.t.cont_dst, f.raws->sql[i].text);
	}
	for (int i = 0; i < ADMIN_STMT_COUNT; i++) {
		ck_assert_int_eq(
		    set(&f, "sql", stmts_admin_name((enum admin_stmt_id)i), "SELECT 2"), 0);
		ck_assert_str_eq(f.raws->admin_sql[i].text, "SELECT 2");
	}
	fixture_free(&f);
}
END_TEST

static Suite *
options_suite(void)
{
	Suite *s = suite_create("options");

	UNIT_TCASE(s, "table", defaults, table, printed_rows, shared_bounds);
	UNIT_TCASE(s, "set", messages, log_levels, values_and_continuation);
	return s;
}

UNIT_MAIN(options_suite)

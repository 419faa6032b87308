/* SPDX-License-Identifier: ISC */
/*
 * test_stmts.c — pins src/stmts.c: every built-in statement of both
 * formats compiles, the batched statement's text in both forms is exactly
 * what db.c prepares, each configuration requires the statements it runs,
 * a statement only a route not served runs is not even prepared, and of
 * logout, logout_refresh and logout_all only the built-in ones (however
 * spelled) are batched.
 */
#include "unit.h"

#include "config.h"
#include "db.h"
#include "stmts.h"

#define JWT_KEY UNIT_KEY_SECTION

START_TEST(builtins_compile)
{
	static const enum token_format formats[] = {FORMAT_JWT, FORMAT_SANCTUM};
	struct sql_text st;
	char err[200];

	for (size_t f = 0; f < 2; f++) {
		for (int i = 0; i < STMT_COUNT; i++) {
			const char *sql = stmts_builtin(formats[f], (enum stmt_id)i);

			ck_assert_ptr_nonnull(sql);
			ck_assert_msg(stmts_compile(sql, 1, &st, err, sizeof(err)) == 0,
			    "%s (format %zu): %s", stmts_name((enum stmt_id)i), f, err);
		}
		for (int i = 0; i < ADMIN_STMT_COUNT; i++) {
			const char *sql = stmts_admin_builtin(formats[f], (enum admin_stmt_id)i);

			ck_assert_ptr_nonnull(sql);
			ck_assert_msg(stmts_compile(sql, 0, &st, err, sizeof(err)) == 0,
			    "%s (format %zu): %s", stmts_admin_name((enum admin_stmt_id)i), f, err);
		}
	}
	/* What each format must have built in. */
	ck_assert_str_ne(stmts_builtin(FORMAT_JWT, STMT_LOGOUT), "");
	ck_assert_str_eq(stmts_builtin(FORMAT_JWT, STMT_TOKEN_LOOKUP), "");
	ck_assert_str_ne(stmts_builtin(FORMAT_SANCTUM, STMT_TOKEN_LOOKUP), "");
	ck_assert_str_eq(stmts_builtin(FORMAT_SANCTUM, STMT_LOGOUT_REFRESH), "");
	ck_assert_str_ne(stmts_builtin(FORMAT_JWT, STMT_VERIFY), "");
	ck_assert_str_eq(stmts_builtin(FORMAT_SANCTUM, STMT_VERIFY), "");
	ck_assert_str_ne(stmts_builtin(FORMAT_SANCTUM, STMT_LOGOUT_OTHERS), "");
	ck_assert_str_eq(stmts_admin_builtin(FORMAT_JWT, ADMIN_STMT_CREATE_TOKEN), "");
	ck_assert_str_ne(stmts_admin_builtin(FORMAT_SANCTUM, ADMIN_STMT_CREATE_TOKEN), "");
	ck_assert_str_eq(stmts_builtin(FORMAT_JWT, STMT_COUNT), "");
}
END_TEST

/* Every statement has its own [sql] key; ids out of range have none. */
START_TEST(names)
{
	const char *seen[STMT_COUNT + ADMIN_STMT_COUNT];
	size_t n = 0;

	for (int i = 0; i < STMT_COUNT; i++)
		seen[n++] = stmts_name((enum stmt_id)i);
	for (int i = 0; i < ADMIN_STMT_COUNT; i++)
		seen[n++] = stmts_admin_name((enum admin_stmt_id)i);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(seen[i] != NULL && seen[i][0] != '\0' && strcmp(seen[i], "?") != 0,
		    "statement %zu has no name", i);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	}
	ck_assert_str_eq(stmts_name(STMT_COUNT), "?");
	ck_assert_str_eq(stmts_admin_name(ADMIN_STMT_COUNT), "?");
}
END_TEST

START_TEST(admin_parameters)
{
	struct sql_text st;
	char err[200] = "";

	ck_assert_int_eq(
	    stmts_compile("DELETE FROM t WHERE h = :token_hash", 1, &st, err, sizeof(err)), -1);
	ck_assert_has(err, "only for admin statements");
	ck_assert_int_eq(
	    stmts_compile("DELETE FROM t WHERE h = :token_hash", 0, &st, err, sizeof(err)), 0);
	ck_assert_str_eq(st.sql, "DELETE FROM t WHERE h = ?");
	ck_assert_int_eq(
	    stmts_compile("DELETE FROM t WHERE h = :nosuch", 0, &st, err, sizeof(err)), -1);
	ck_assert_has(err, "nosuch");
}
END_TEST

/* Placeholders in sql. */
static size_t
binds(const char *sql)
{
	size_t q = 0;

	for (; *sql != '\0'; sql++)
		q += *sql == '?';
	return q;
}

/* stmts_batch_sql(form, n) is want, refused one byte short, and the
 * largest batch fits the buffer db.c gives it, with per_item binds an item. */
static void
check_form(enum stmts_batch_form form, size_t n, const char *want, size_t per_item)
{
	char sql[STMTS_BATCH_SQL_LEN(DB_BATCH_MAX)];

	ck_assert_int_eq(stmts_batch_sql(form, n, sql, sizeof(sql)), (int)strlen(want));
	ck_assert_str_eq(sql, want);
	ck_assert_int_eq(stmts_batch_sql(form, n, sql, strlen(want) + 1), (int)strlen(want));
	/* Too small a buffer, or no items: refused rather than cut short. */
	ck_assert_int_eq(stmts_batch_sql(form, n, sql, strlen(want)), -1);
	ck_assert_int_eq(stmts_batch_sql(form, 0, sql, sizeof(sql)), -1);
	ck_assert_int_gt(stmts_batch_sql(form, DB_BATCH_MAX, sql, sizeof(sql)), 0);
	ck_assert_uint_eq(binds(sql), per_item * DB_BATCH_MAX);
}

/* Every form, bound in the order db.c binds. */
START_TEST(batch_sql)
{
	char sql[STMTS_BATCH_SQL_LEN(1)];

	check_form(STMTS_BATCH_SESSIONS, 1,
	    "DELETE FROM user_sessions WHERE session_hash IN (?) AND ((session_hash, user_id) IN "
	    "((?,?)) OR (session_hash, user_id, refresh_jti_hash) IN ((?,?,?))) RETURNING "
	    "user_id, session_hash",
	    6);
	check_form(STMTS_BATCH_SESSIONS, 3,
	    "DELETE FROM user_sessions WHERE session_hash IN (?,?,?) AND ((session_hash, user_id) "
	    "IN ((?,?),(?,?),(?,?)) OR (session_hash, user_id, refresh_jti_hash) IN "
	    "((?,?,?),(?,?,?),(?,?,?))) RETURNING user_id, session_hash",
	    6);
	check_form(STMTS_BATCH_MIXED, 2,
	    "DELETE FROM user_sessions WHERE user_id IN (?,?) AND ((session_hash, user_id) IN "
	    "((?,?),(?,?)) OR (refresh_jti_hash, user_id) IN ((?,?),(?,?)) OR user_id IN (?,?)) "
	    "AND EXISTS (SELECT 1 FROM user_sessions b WHERE b.user_id = user_sessions.user_id "
	    "AND (b.session_hash, b.user_id) IN ((?,?),(?,?))) RETURNING user_id, session_hash",
	    8);
	check_form(STMTS_BATCH_VERIFY, 2,
	    "SELECT user_id, session_hash FROM user_sessions WHERE session_hash IN (?,?) AND "
	    "(session_hash, user_id) IN ((?,?),(?,?)) AND expires_at > NOW()",
	    3);
	ck_assert_int_eq(stmts_batch_sql(STMTS_BATCH_FORMS, 1, sql, sizeof(sql)), -1);
}
END_TEST

/* need[] of text, as "name,name,...". */
static void
required(const char *text, char *out, size_t cap)
{
	struct stmts_need need[STMTS_NEED_MAX];
	struct config *c = unit_config(text);
	size_t n = stmts_required(c, need);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(need[i].why);
		if (i > 0)
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, stmts_name(need[i].id), cap - strlen(out) - 1);
	}
	config_free(c);
}

START_TEST(requirements)
{
	char got[256];

	required(JWT_KEY, got, sizeof(got));
	ck_assert_str_eq(got, "logout,logout_all");
	required("[server]\nendpoints = logout\n" JWT_KEY, got, sizeof(got));
	ck_assert_str_eq(got, "logout");
	required("[server]\nendpoints = logout-all\n" JWT_KEY, got, sizeof(got));
	ck_assert_str_eq(got, "logout_all");
	required("[response]\nlogout_scope = user\n" JWT_KEY, got, sizeof(got));
	ck_assert_str_eq(got, "logout_all,logout_all");
	required("[token]\nformat = sanctum\n", got, sizeof(got));
	ck_assert_str_eq(got, "logout,logout_all,token_lookup");
	required("[token]\nformat = sanctum\nupdate_last_used = yes\n", got, sizeof(got));
	ck_assert_str_eq(got, "logout,logout_all,token_lookup,token_touch");
	/* The gate: its statement, unless a lookup proves the session. */
	required("[server]\nendpoints = verify\n" JWT_KEY, got, sizeof(got));
	ck_assert_str_eq(got, "verify");
	required("[server]\nendpoints = verify\n[sql]\nuser_lookup = SELECT id FROM u WHERE n = "
		 ":sub\n" JWT_KEY,
	    got, sizeof(got));
	ck_assert_str_eq(got, "");
	required("[server]\nendpoints = verify\n[token]\nformat = sanctum\n", got, sizeof(got));
	ck_assert_str_eq(got, "token_lookup");
	/* logout-others: and the session check where nothing ended is ambiguous. */
	required("[server]\nendpoints = logout-others\n" JWT_KEY, got, sizeof(got));
	ck_assert_str_eq(got, "logout_others,session_check");
	required("[server]\nendpoints = logout-others\n[token]\nformat = sanctum\n", got,
	    sizeof(got));
	ck_assert_str_eq(got, "logout_others,token_lookup");
	required("[server]\nendpoints = logout logout-all verify logout-others\n[response]\n"
		 "logout_scope = user\n[token]\nformat = sanctum\nupdate_last_used = yes\n",
	    got, sizeof(got));
	ck_assert_str_eq(got, "logout_all,logout_all,logout_others,token_lookup,token_touch");
}
END_TEST

/* A schema without user_sessions (the fastapi profile, a custom one) keeps
 * working after an upgrade: the statements of routes it does not serve are
 * empty, so never prepared; a file's own text always counts. */
START_TEST(defaults_follow_endpoints)
{
	struct config *c = unit_config(JWT_KEY);

	ck_assert_str_eq(stmts_default(c, STMT_VERIFY), "");
	ck_assert_str_eq(stmts_default(c, STMT_LOGOUT_OTHERS), "");
	ck_assert_str_eq(c->stmts[STMT_VERIFY].sql, "");
	ck_assert_str_eq(c->stmts[STMT_LOGOUT_OTHERS].sql, "");
	ck_assert_str_eq(stmts_default(c, STMT_LOGOUT), stmts_builtin(FORMAT_JWT, STMT_LOGOUT));
	ck_assert_str_eq(stmts_default(c, STMT_COUNT), "");
	config_free(c);
	c = unit_config("[server]\nendpoints = verify logout-others\n" JWT_KEY);
	ck_assert_str_eq(stmts_default(c, STMT_VERIFY), stmts_builtin(FORMAT_JWT, STMT_VERIFY));
	ck_assert_str_ne(c->stmts[STMT_VERIFY].sql, "");
	ck_assert_str_ne(c->stmts[STMT_LOGOUT_OTHERS].sql, "");
	config_free(c);
	c = unit_config("[sql]\nverify = SELECT 1 FROM s WHERE id = :sid\n" JWT_KEY);
	ck_assert_str_eq(c->stmts[STMT_VERIFY].sql, "SELECT 1 FROM s WHERE id = ?");
	config_free(c);
}
END_TEST

static unsigned int
batchable(const char *text)
{
	struct config *c = unit_config(text);
	unsigned int b = stmts_batchable(c);

	ck_assert_uint_eq(c->batch_stmts, b);
	config_free(c);
	return b;
}

#define B_LOGOUT  STMTS_BIT(STMT_LOGOUT)
#define B_REFRESH STMTS_BIT(STMT_LOGOUT_REFRESH)
#define B_ALL	  STMTS_BIT(STMT_LOGOUT_ALL)
#define B_VERIFY  STMTS_BIT(STMT_VERIFY)
#define GATE	  "[server]\nendpoints = logout verify\n"

START_TEST(batching)
{
	ck_assert_uint_eq(batchable(JWT_KEY), B_LOGOUT | B_REFRESH | B_ALL);
	ck_assert_uint_eq(batchable("[server]\nbatch = no\n" JWT_KEY), 0);
	ck_assert_uint_eq(batchable("[token]\nformat = sanctum\n"), 0);
	/* The built-in statement, spelled over two lines: still batched. */
	ck_assert_uint_eq(batchable("[sql]\nlogout = DELETE FROM user_sessions WHERE session_hash "
				    "= :sid_hash\n  AND user_id = :user_id\n" JWT_KEY),
	    B_LOGOUT | B_REFRESH | B_ALL);
	/* Each statement of its own: the others stay batched. */
	ck_assert_uint_eq(batchable("[sql]\nlogout = DELETE FROM user_sessions WHERE session_hash "
				    "= :sid_hash\n" JWT_KEY),
	    B_REFRESH | B_ALL);
	ck_assert_uint_eq(batchable("[sql]\nlogout_all = DELETE FROM user_sessions WHERE user_id "
				    "= :user_id\n" JWT_KEY),
	    B_LOGOUT | B_REFRESH);
	ck_assert_uint_eq(batchable("[sql]\nlogout_refresh =\n" JWT_KEY), B_LOGOUT | B_ALL);
	/* The gate's built-in verify, on its own switch; a statement of
	 * the file's own runs alone. */
	ck_assert_uint_eq(batchable(GATE JWT_KEY), B_LOGOUT | B_REFRESH | B_ALL | B_VERIFY);
	ck_assert_uint_eq(batchable(GATE "gate_batch = no\n" JWT_KEY), B_LOGOUT | B_REFRESH | B_ALL);
	ck_assert_uint_eq(batchable(GATE "batch = no\n" JWT_KEY), B_VERIFY);
	ck_assert_uint_eq(batchable(GATE "[sql]\nverify = SELECT 1 FROM user_sessions WHERE "
					 "session_hash = :sid_hash\n" JWT_KEY),
	    B_LOGOUT | B_REFRESH | B_ALL);
	ck_assert_uint_eq(batchable(GATE "[sql]\nverify = SELECT 1 FROM user_sessions WHERE\n"
					 "  session_hash = :sid_hash AND user_id = :user_id AND "
					 "expires_at > NOW()\n" JWT_KEY),
	    B_LOGOUT | B_REFRESH | B_ALL | B_VERIFY);
	ck_assert_uint_eq(batchable("[token]\nformat = sanctum\n[server]\nendpoints = verify\n"), 0);
}
END_TEST

static Suite *
stmts_suite(void)
{
	Suite *s = suite_create("stmts");

	UNIT_TCASE(s, "stmts", builtins_compile, names, admin_parameters, batch_sql, requirements,
	    defaults_follow_endpoints, batching);
	return s;
}

UNIT_MAIN(stmts_suite)

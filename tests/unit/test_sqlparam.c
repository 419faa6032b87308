/* SPDX-License-Identifier: ISC */
/*
 * test_sqlparam.c — pins src/sqlparam.c: ":name" outside quotes and
 * comments becomes '?', with the bind order (repeats bind twice) and the
 * `used` bitmask; quoted strings, quoted identifiers, -- and block comments
 * and ":=" are left alone; unknown names, too many parameters, too-long
 * text and open quotes are refused with the reason in err.
 */
#include "unit.h"

#include "sqlparam.h"

static struct sql_text st;
static char err[256];

static int
compile(const char *src)
{
	memset(&st, 0x5a, sizeof(st));
	err[0] = '\0';
	return sqlparam_compile(src, &st, err, sizeof(err));
}

/* src must compile to sql with no parameters. */
static void
literal(const char *src, const char *sql)
{
	ck_assert_msg(compile(src) == 0, "%s: %s", src, err);
	ck_assert_str_eq(st.sql, sql);
	ck_assert_uint_eq(st.nparams, 0);
	ck_assert_uint_eq(st.used, 0);
}

START_TEST(one_param)
{
	ck_assert_int_eq(compile("DELETE FROM t WHERE a = :sid_hash"), 0);
	ck_assert_str_eq(st.sql, "DELETE FROM t WHERE a = ?");
	ck_assert_uint_eq(st.nparams, 1);
	ck_assert_int_eq(st.params[0], SQLP_SID_HASH);
	ck_assert_uint_eq(st.used, 1u << SQLP_SID_HASH);
	ck_assert_int_eq(compile(":sid_hash"), 0);
	ck_assert_str_eq(st.sql, "?");
}
END_TEST

START_TEST(order_and_repeats)
{
	ck_assert_int_eq(compile("SELECT f(:user_id,:sid_hash) WHERE x=:user_id AND y = :jti"), 0);
	ck_assert_str_eq(st.sql, "SELECT f(?,?) WHERE x=? AND y = ?");
	ck_assert_uint_eq(st.nparams, 4);
	ck_assert_int_eq(st.params[0], SQLP_USER_ID);
	ck_assert_int_eq(st.params[1], SQLP_SID_HASH);
	ck_assert_int_eq(st.params[2], SQLP_USER_ID);
	ck_assert_int_eq(st.params[3], SQLP_JTI);
	ck_assert_uint_eq(st.used, (1u << SQLP_USER_ID) | (1u << SQLP_SID_HASH) | (1u << SQLP_JTI));
}
END_TEST

START_TEST(every_name)
{
	static const char *want[SQLP_COUNT] = {
		[SQLP_SUB] = "sub",
		[SQLP_USER_ID] = "user_id",
		[SQLP_SID] = "sid",
		[SQLP_SID_HASH] = "sid_hash",
		[SQLP_JTI] = "jti",
		[SQLP_JTI_HASH] = "jti_hash",
		[SQLP_REFRESH_JTI_HASH] = "refresh_jti_hash",
		[SQLP_REFRESH_SID_HASH] = "refresh_sid_hash",
		[SQLP_TOKEN_ID] = "token_id",
		[SQLP_CLIENT_IP] = "client_ip",
		[SQLP_USER_AGENT] = "user_agent",
		[SQLP_TRACE_ID] = "trace_id",
		[SQLP_TOKENABLE_TYPE] = "tokenable_type",
		[SQLP_NOW] = "now",
		[SQLP_CREATED_AFTER] = "created_after",
		[SQLP_EXPIRES_AT] = "expires_at",
		[SQLP_TOKEN_HASH] = "token_hash",
		[SQLP_TOKEN_NAME] = "token_name",
		[SQLP_EXP] = "exp",
	};
	char src[64];

	for (int p = 0; p < SQLP_COUNT; p++) {
		ck_assert_str_eq(sqlparam_name((enum sql_param)p), want[p]);
		snprintf(src, sizeof(src), "X :%s Y", want[p]);
		ck_assert_msg(compile(src) == 0, "%s: %s", src, err);
		ck_assert_str_eq(st.sql, "X ? Y");
		ck_assert_uint_eq(st.nparams, 1);
		ck_assert_int_eq(st.params[0], p);
		ck_assert_uint_eq(st.used, 1u << p);
	}
}
END_TEST

START_TEST(longest_name)
{
	/* :sid_hash is one name, not :sid followed by "_hash". */
	ck_assert_int_eq(compile(":sid_hash,:sid,:jti_hash"), 0);
	ck_assert_str_eq(st.sql, "?,?,?");
	ck_assert_int_eq(st.params[0], SQLP_SID_HASH);
	ck_assert_int_eq(st.params[1], SQLP_SID);
	ck_assert_int_eq(st.params[2], SQLP_JTI_HASH);
	/* A name runs to the end of the identifier. */
	ck_assert_int_eq(compile("a = :subx"), -1);
	ck_assert_has(err, "subx");
	ck_assert_int_eq(compile("(:sub)"), 0);
	ck_assert_str_eq(st.sql, "(?)");
}
END_TEST

START_TEST(quotes_are_not_code)
{
	literal("SELECT ':sub'", "SELECT ':sub'");
	literal("SELECT \":sub\"", "SELECT \":sub\"");
	literal("SELECT `:sub` FROM t", "SELECT `:sub` FROM t");
	literal("SELECT 'it''s :sub'", "SELECT 'it''s :sub'");
	literal("SELECT 'a :nosuch b'", "SELECT 'a :nosuch b'");
	/* The text after a closed quote is code again. */
	ck_assert_int_eq(compile("SELECT ':x', :sub, \":y\""), 0);
	ck_assert_str_eq(st.sql, "SELECT ':x', ?, \":y\"");
	ck_assert_uint_eq(st.nparams, 1);
	ck_assert_int_eq(st.params[0], SQLP_SUB);
}
END_TEST

START_TEST(comments_are_not_code)
{
	ck_assert_int_eq(compile("-- :nosuch\nSELECT :sub"), 0);
	ck_assert_uint_eq(st.nparams, 1);
	ck_assert_int_eq(st.params[0], SQLP_SUB);
	ck_assert_int_eq(compile("/* :nosuch */ SELECT :sub /* :jti\n:sid */"), 0);
	ck_assert_uint_eq(st.nparams, 1);
	ck_assert_int_eq(st.params[0], SQLP_SUB);
	ck_assert_uint_eq(st.used, 1u << SQLP_SUB);
	literal("SELECT 1 -- :sub", "SELECT 1 -- :sub");
	/* A quote inside a comment opens nothing. */
	ck_assert_int_eq(compile("/* it's */ SELECT :sub"), 0);
	ck_assert_uint_eq(st.nparams, 1);
	ck_assert_int_eq(compile("-- it's\nSELECT :sub"), 0);
	ck_assert_uint_eq(st.nparams, 1);
}
END_TEST

START_TEST(assignment_is_not_param)
{
	literal("SET @a := 1", "SET @a := 1");
	literal("SELECT @x:=5", "SELECT @x:=5");
	ck_assert_int_eq(compile("SELECT @a := :sub"), 0);
	ck_assert_str_eq(st.sql, "SELECT @a := ?");
	ck_assert_uint_eq(st.nparams, 1);
}
END_TEST

START_TEST(unknown_name)
{
	ck_assert_int_eq(compile("DELETE FROM t WHERE a = :nosuch"), -1);
	ck_assert_has(err, "nosuch");
	ck_assert_int_eq(compile("a = :SUB"), -1);
	ck_assert_has(err, "SUB");
	ck_assert_int_eq(compile("a = :user_id AND b = :password"), -1);
	ck_assert_has(err, "password");
}
END_TEST

START_TEST(too_many)
{
	char src[SQL_MAX_PARAMS * 8 + 16] = "";
	size_t n = 0;

	for (int i = 0; i < SQL_MAX_PARAMS; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, ":sub,");
	ck_assert_int_eq(compile(src), 0);
	ck_assert_uint_eq(st.nparams, SQL_MAX_PARAMS);
	ck_assert_int_eq(st.params[SQL_MAX_PARAMS - 1], SQLP_SUB);
	snprintf(src + n, sizeof(src) - n, ":jti");
	ck_assert_int_eq(compile(src), -1);
	ck_assert_str_ne(err, "");
}
END_TEST

START_TEST(too_long)
{
	static char src[SQL_MAX_LEN + 16];

	memset(src, ' ', SQL_MAX_LEN + 8);
	memcpy(src, "SELECT 1", 8);
	src[SQL_MAX_LEN + 8] = '\0';
	ck_assert_int_eq(compile(src), -1);
	ck_assert_str_ne(err, "");
	/* Just under the limit fits. */
	src[SQL_MAX_LEN - 1] = '\0';
	ck_assert_int_eq(compile(src), 0);
	ck_assert_uint_eq(strlen(st.sql), SQL_MAX_LEN - 1);
}
END_TEST

START_TEST(open_quote)
{
	ck_assert_int_eq(compile("SELECT 'abc"), -1);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(compile("SELECT `abc"), -1);
	ck_assert_int_eq(compile("SELECT \"abc :sub"), -1);
}
END_TEST

START_TEST(text_preserved)
{
	ck_assert_int_eq(compile("SELECT\n\t1 ,  ::\n-- x\nFROM t WHERE a=:sub;"), 0);
	ck_assert_str_eq(st.sql, "SELECT\n\t1 ,  ::\n-- x\nFROM t WHERE a=?;");
}
END_TEST

START_TEST(small_err_buffer)
{
	char tiny[8];

	memset(tiny, 'X', sizeof(tiny));
	ck_assert_int_eq(sqlparam_compile("a = :a_very_long_unknown_name", &st, tiny, 4), -1);
	ck_assert_msg(memchr(tiny, '\0', 4) != NULL, "err not terminated within errlen");
	ck_assert_int_eq(tiny[4], 'X');
}
END_TEST

static Suite *
sqlparam_suite(void)
{
	Suite *s = suite_create("sqlparam");

	UNIT_TCASE(s, "params", one_param, order_and_repeats, every_name, longest_name,
	    text_preserved);
	UNIT_TCASE(s, "not_params", quotes_are_not_code, comments_are_not_code,
	    assignment_is_not_param);
	UNIT_TCASE(s, "refuse", unknown_name, too_many, too_long, open_quote, small_err_buffer);
	return s;
}

UNIT_MAIN(sqlparam_suite)

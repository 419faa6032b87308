/* SPDX-License-Identifier: ISC */
/*
 * test_fake_db.c — pins tests/unit/fake_db.c, the database the unit tests
 * of batch.c and handlers.c run against: answers come from the queue
 * first, then the fixed answer, then { DB_OK, 0 rows }; results look like
 * db.c's (columns as text, NULL and truncation flagged, nothing but
 * uncertain after a failure); every call is logged with copies of its
 * bound values; writes are counted apart from lookups; db_col_id keeps
 * db.c's contract.
 */
#include "unit.h"

#include <limits.h>

#include "fake_db.h"

static struct config cfg = {.generation = 7};

static enum db_status
run(struct db *db, enum stmt_id id, struct db_result *res)
{
	struct sql_args args;

	memset(&args, 0, sizeof(args));
	memset(res, 0x5a, sizeof(*res));
	return db_exec(db, id, &args, res);
}

START_TEST(queue_then_fixed_then_default)
{
	struct db *db;
	struct db_result res;

	fake_db_reset();
	db = db_open(&cfg, 0);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(run(db, STMT_LOGOUT, &res), DB_OK);
	ck_assert_uint_eq(res.rows, 0);
	ck_assert_int_eq(res.ncols, 0);
	ck_assert_int_eq(res.uncertain, 0);

	fake_db_answer(STMT_LOGOUT, &(struct fake_answer){.rows = 3});
	fake_db_push(STMT_LOGOUT, &(struct fake_answer){.status = DB_UNAVAILABLE, .rows = 9});
	fake_db_push(STMT_LOGOUT, &(struct fake_answer){.status = DB_ERROR, .uncertain = 1});
	ck_assert_int_eq(run(db, STMT_LOGOUT, &res), DB_UNAVAILABLE);
	ck_assert_uint_eq(res.rows, 0);
	ck_assert_str_eq(db_last_error(db), "fake: unavailable");
	ck_assert_int_eq(run(db, STMT_LOGOUT, &res), DB_ERROR);
	ck_assert_int_eq(res.uncertain, 1);
	ck_assert_int_eq(run(db, STMT_LOGOUT, &res), DB_OK);
	ck_assert_uint_eq(res.rows, 3);
	ck_assert_int_eq(run(db, STMT_LOGOUT, &res), DB_OK);
	ck_assert_uint_eq(res.rows, 3);
	/* Another statement keeps its own script. */
	ck_assert_int_eq(run(db, STMT_LOGOUT_ALL, &res), DB_OK);
	ck_assert_uint_eq(res.rows, 0);

	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, STMT_LOGOUT), 5);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC, -1), 6);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_AFTER_BATCH, -1), 0);
	db_close(db);
	ck_assert_int_eq(fake_db_handles(), 0);
}
END_TEST

START_TEST(columns_like_db_c)
{
	struct db *db;
	struct db_result res;
	char longer[DB_COL_MAX + 10];
	long long id = -5;

	fake_db_reset();
	db = db_open(&cfg, 0);
	fake_db_push(STMT_USER_LOOKUP, &(struct fake_answer){.rows = 1, .ncols = 2, .col = {"42"}});
	memset(longer, '7', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	fake_db_push(
	    STMT_USER_LOOKUP, &(struct fake_answer){.rows = 1, .ncols = 2, .col = {longer, "x"}});
	memset(longer, 0, sizeof(longer)); /* the fake kept its own copy */

	ck_assert_int_eq(run(db, STMT_USER_LOOKUP, &res), DB_OK);
	ck_assert_int_eq(res.ncols, 2);
	ck_assert_str_eq(res.col[0], "42");
	ck_assert_uint_eq(res.col_len[0], 2);
	ck_assert_int_eq(res.col_null[1], 1);
	ck_assert_str_eq(res.col[1], "");
	ck_assert_int_eq(db_col_id(&res, 0, &id), 0);
	ck_assert_int_eq(id, 42);
	ck_assert_int_eq(db_col_id(&res, 1, &id), -1);
	ck_assert_int_eq(db_col_id(&res, 2, &id), -1);

	ck_assert_int_eq(run(db, STMT_USER_LOOKUP, &res), DB_OK);
	ck_assert_int_eq(res.col_truncated[0], 1);
	ck_assert_uint_eq(strlen(res.col[0]), DB_COL_MAX);
	ck_assert_int_eq(db_col_id(&res, 0, &id), -1);
	ck_assert_str_eq(res.col[1], "x");
	ck_assert_int_eq(id, 42);
	db_close(db);
}
END_TEST

START_TEST(calls_logged_with_copies)
{
	struct db *db, *admin;
	struct db_result res;
	struct sql_args args;
	struct fake_call c;
	char sub[] = "user-42";

	fake_db_reset();
	db = db_open(&cfg, 0);
	admin = db_open(&cfg, 1);
	ck_assert_int_eq(fake_db_handles(), 2);
	memset(&args, 0, sizeof(args));
	args.v[SQLP_SUB] = (struct sql_value){.kind = SQLV_STR, .ptr = sub, .len = 7};
	args.v[SQLP_USER_ID] = (struct sql_value){.kind = SQLV_UINT, .u = 42};
	db_exec(db, STMT_SESSION_CHECK, &args, &res);
	ck_assert_uint_eq(fake_db_writes(), 0);
	db_exec_after_batch(db, STMT_LOGOUT, &args, &res);
	fake_db_answer(FAKE_ADMIN(ADMIN_STMT_CREATE_TOKEN), &(struct fake_answer){.insert_id = 9});
	db_exec_admin(admin, ADMIN_STMT_CREATE_TOKEN, &args, &res);
	ck_assert_uint_eq(res.insert_id, 9);
	memset(sub, 'X', sizeof(sub) - 1);

	ck_assert_uint_eq(fake_db_ncalls(), 3);
	ck_assert_uint_eq(fake_db_writes(), 2);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_ADMIN, ADMIN_STMT_CREATE_TOKEN), 1);
	ck_assert_uint_eq(fake_db_count(FAKE_EXEC_ADMIN, ADMIN_STMT_CREATE_SESSION), 0);
	ck_assert(fake_db_call(0, &c));
	ck_assert_int_eq(c.kind, FAKE_EXEC);
	ck_assert_int_eq(c.id, STMT_SESSION_CHECK);
	ck_assert_uint_eq(c.generation, 7);
	ck_assert_int_eq(c.args[SQLP_SUB].kind, SQLV_STR);
	ck_assert_uint_eq(c.args[SQLP_SUB].len, 7);
	ck_assert_mem_eq(c.args[SQLP_SUB].data, "user-42", 7);
	ck_assert_int_eq(c.args[SQLP_USER_ID].kind, SQLV_UINT);
	ck_assert_uint_eq(c.args[SQLP_USER_ID].u, 42);
	ck_assert_int_eq(c.args[SQLP_JTI].kind, SQLV_NULL);
	ck_assert(fake_db_call(1, &c));
	ck_assert_int_eq(c.kind, FAKE_EXEC_AFTER_BATCH);
	ck_assert(fake_db_call(2, &c));
	ck_assert_int_eq(c.kind, FAKE_EXEC_ADMIN);
	ck_assert_int_eq(c.id, ADMIN_STMT_CREATE_TOKEN);
	ck_assert(!fake_db_call(3, &c));
	db_close(db);
	db_close(admin);
}
END_TEST

static Suite *
fake_db_suite(void)
{
	Suite *s = suite_create("fake_db");

	UNIT_TCASE(s, "fake_db", queue_then_fixed_then_default, columns_like_db_c,
	    calls_logged_with_copies);
	return s;
}

UNIT_MAIN(fake_db_suite)

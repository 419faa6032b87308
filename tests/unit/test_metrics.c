/* SPDX-License-Identifier: ISC */
/*
 * test_metrics.c — pins src/metrics.c: the exposition is well-formed text
 * format 0.0.4 (every family announced by HELP and TYPE before its
 * samples, counters ending in _total, histograms cumulative with +Inf
 * equal to _count), each count lands in its series, and the slots of a
 * shared block add up: across a fork, and across a worker replaced in its
 * slot, whose counts go on and never go down.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "metrics.h"
#include "reason.h"
#include "routes.h"

/* ---- a small reader of the exposition ------------------------------------- */

#define MAX_FAMILIES 64

struct family {
	char name[96];
	char type[16];
	int help, samples;
};

/* The value of the sample line "series value" (series with its labels,
 * exactly as printed); -1 when there is no such line. */
static double
value_of(const char *text, const char *series)
{
	char want[256];
	const char *p = text;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "%s ", series);
	while ((p = strstr(p, want)) != NULL) {
		if (p == text || p[-1] == '\n')
			return strtod(p + n, NULL);
		p += n;
	}
	return -1;
}

/* Split "name{labels} value" into its parts; labels "" when none. */
static void
split_sample(const char *line, char *name, size_t ncap, char *labels, size_t lcap, double *v)
{
	size_t n = strcspn(line, "{ ");
	const char *rest = line + n;
	char *end;

	ck_assert_msg(n > 0 && n < ncap, "sample without a name: %s", line);
	memcpy(name, line, n);
	name[n] = '\0';
	labels[0] = '\0';
	if (*rest == '{') {
		const char *close = strchr(rest, '}');

		ck_assert_msg(close != NULL && (size_t)(close - rest) < lcap, "labels: %s", line);
		memcpy(labels, rest + 1, (size_t)(close - rest - 1));
		labels[close - rest - 1] = '\0';
		rest = close + 1;
	}
	ck_assert_msg(*rest == ' ', "no value: %s", line);
	rest++;
	if (!strcmp(rest, "+Inf"))
		*v = INFINITY;
	else {
		*v = strtod(rest, &end);
		ck_assert_msg(end != rest && *end == '\0', "value not a number: %s", line);
	}
}

/* The le="..." of labels (removed from them), or NULL. */
static const char *
take_le(char *labels, char *le, size_t cap)
{
	char *p = strstr(labels, "le=\"");
	char *q;

	if (p == NULL)
		return NULL;
	q = strchr(p + 4, '"');
	ck_assert_ptr_nonnull(q);
	snprintf(le, cap, "%.*s", (int)(q - p - 4), p + 4);
	if (p > labels && p[-1] == ',')
		p--;
	memmove(p, q + 1, strlen(q + 1) + 1);
	return le;
}

/* Check the whole text; returns how many families it has. */
static int
check_exposition(const char *text)
{
	static struct family fam[MAX_FAMILIES];
	struct family *cur = NULL;
	char line[512], name[128], labels[256], le[32], hist_labels[256] = "";
	double v, last_bucket = -1, inf = -1;
	const char *p = text;
	int nfam = 0, i;

	ck_assert_msg(text[strlen(text) - 1] == '\n', "the text does not end with a newline");
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		ck_assert_msg(n < sizeof(line), "line too long");
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (p[n] == '\n');
		ck_assert_msg(n > 0, "an empty line");
		if (!strncmp(line, "# HELP ", 7)) {
			ck_assert_int_lt(nfam, MAX_FAMILIES);
			cur = &fam[nfam++];
			memset(cur, 0, sizeof(*cur));
			ck_assert_int_eq(sscanf(line + 7, "%95s", cur->name), 1);
			for (i = 0; i < nfam - 1; i++)
				ck_assert_msg(
				    strcmp(fam[i].name, cur->name) != 0, "%s twice", cur->name);
			cur->help = 1;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			char tname[96];

			ck_assert_ptr_nonnull(cur);
			ck_assert_int_eq(sscanf(line + 7, "%95s %15s", tname, cur->type), 2);
			ck_assert_str_eq(tname, cur->name);
			ck_assert_msg(!strcmp(cur->type, "counter") ||
					  !strcmp(cur->type, "gauge") ||
					  !strcmp(cur->type, "histogram"),
			    "type %s", cur->type);
			if (!strcmp(cur->type, "counter"))
				ck_assert_msg(
				    strlen(cur->name) > 6 &&
					!strcmp(cur->name + strlen(cur->name) - 6, "_total"),
				    "counter %s does not end in _total", cur->name);
			continue;
		}
		ck_assert_msg(line[0] != '#', "comment: %s", line);
		ck_assert_msg(
		    cur != NULL && cur->type[0] != '\0', "sample before HELP/TYPE: %s", line);
		split_sample(line, name, sizeof(name), labels, sizeof(labels), &v);
		ck_assert_msg(v >= 0, "negative: %s", line);
		cur->samples++;
		if (strcmp(cur->type, "histogram") != 0) {
			ck_assert_msg(!strcmp(name, cur->name), "%s under %s", name, cur->name);
			continue;
		}
		/* a histogram: _bucket... (+Inf last), then _sum, then _count */
		if (!strncmp(name + strlen(cur->name), "_bucket", 8)) {
			ck_assert_ptr_nonnull(take_le(labels, le, sizeof(le)));
			if (last_bucket < 0 || strcmp(labels, hist_labels) != 0) {
				ck_assert_msg(last_bucket < 0, "buckets of %s{%s} end without +Inf",
				    cur->name, hist_labels);
				snprintf(hist_labels, sizeof(hist_labels), "%s", labels);
				last_bucket = 0;
			}
			ck_assert_msg(v >= last_bucket, "%s: buckets not cumulative", line);
			last_bucket = v;
			if (!strcmp(le, "+Inf")) {
				inf = v;
				last_bucket = -1;
			}
		} else if (!strcmp(name + strlen(cur->name), "_sum")) {
			ck_assert_msg(inf >= 0, "%s before its +Inf bucket", line);
			ck_assert_str_eq(labels, hist_labels);
		} else {
			ck_assert_str_eq(name + strlen(cur->name), "_count");
			ck_assert_str_eq(labels, hist_labels);
			ck_assert_msg(
			    v == inf, "%s: _count is not the +Inf bucket (%g)", line, inf);
			inf = -1;
		}
	}
	for (i = 0; i < nfam; i++) {
		ck_assert_msg(fam[i].help && fam[i].type[0], "%s lacks HELP or TYPE", fam[i].name);
		ck_assert_msg(
		    fam[i].samples > 0 || !strcmp(fam[i].name, "logout_fcgi_requests_total"),
		    "%s has no sample", fam[i].name);
	}
	return nfam;
}

static char *
scrape(void)
{
	char *text;
	size_t len;

	ck_assert_int_eq(metrics_render(&text, &len), 0);
	ck_assert_uint_eq(strlen(text), len);
	check_exposition(text);
	return text;
}

static void
expect(const char *text, const char *series, double want)
{
	double got = value_of(text, series);

	ck_assert_msg(got == want, "%s: %g, want %g\n%s", series, got, want, text);
}

/* One request of route with status and reason, ms milliseconds long. */
static void
request(int route, int status, enum reason r, long long sessions, long long ms)
{
	long long start = metrics_request_begin();

	metrics_request_end(start - ms * 1000000LL, route, status, r, sessions);
}

static void
open_block(int slots)
{
	char err[128];

	ck_assert_msg(metrics_open(slots, err, sizeof(err)) == 0, "%s", err);
}

/* ---- the tests ------------------------------------------------------------- */

START_TEST(idle_service_is_well_formed)
{
	char *text;

	metrics_close();
	text = scrape();
	expect(text, "logout_fcgi_sessions_ended_total", 0);
	expect(text, "logout_fcgi_refusals_total{reason=\"no_bearer_token\"}", 0);
	expect(text, "logout_fcgi_request_duration_seconds_count{route=\"logout\"}", 0);
	expect(text, "logout_fcgi_workers", 0);
	/* nothing counted without a block */
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 1);
	free(text);
	text = scrape();
	expect(text, "logout_fcgi_sessions_ended_total", 0);
	free(text);
}
END_TEST

/* Every reason that refuses has its series under its snake_case name;
 * the successes have none. */
START_TEST(every_refusal_reason_is_a_series)
{
	char *text, series[128];
	int r;

	metrics_close();
	text = scrape();
	for (r = 0; r < REASON_COUNT; r++) {
		snprintf(series, sizeof(series), "logout_fcgi_refusals_total{reason=\"%s\"}",
		    reason_info(r)->name);
		if (reason_info(r)->err != HERR_NONE)
			expect(text, series, 0);
		else
			ck_assert_msg(value_of(text, series) < 0, "%s is a success", series);
	}
	free(text);
}
END_TEST

START_TEST(counts_of_one_process)
{
	char *text;

	open_block(1);
	metrics_process_start(4, 7);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 3);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	request(ROUTE_LOGOUT_ALL, 200, REASON_OK, 5, 0);
	request(ROUTE_LOGOUT, 401, REASON_NO_BEARER, -1, 0);
	request(ROUTE_LOGOUT, 401, REASON_TOKEN_EXPIRED, -1, 0);
	request(ROUTE_LOGOUT, 429, REASON_RATE_LIMITED, -1, 0);
	request(METRICS_ROUTE_NONE, 404, REASON_NOT_FOUND, -1, 0);
	request(ROUTE_HEALTH, 503, REASON_OK, -1, 0);
	metrics_db_error();
	metrics_db_reconnect();
	metrics_db_retry(METRICS_RETRY_DEADLOCK);
	metrics_db_retry(METRICS_RETRY_DEADLOCK);
	metrics_db_retry(METRICS_RETRY_LOCK_WAIT);
	metrics_batch(3, 2000000);
	metrics_batch(1, 100000);
	metrics_batch(128, 30000000);
	text = scrape();
	expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"204\"}", 2);
	expect(text, "logout_fcgi_requests_total{route=\"logout-all\",status=\"200\"}", 1);
	expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"401\"}", 2);
	expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"429\"}", 1);
	expect(text, "logout_fcgi_requests_total{route=\"none\",status=\"404\"}", 1);
	expect(text, "logout_fcgi_requests_total{route=\"health\",status=\"503\"}", 1);
	ck_assert_msg(
	    value_of(text, "logout_fcgi_requests_total{route=\"logout\",status=\"200\"}") < 0,
	    "a series of nothing");
	expect(text, "logout_fcgi_refusals_total{reason=\"no_bearer_token\"}", 1);
	expect(text, "logout_fcgi_refusals_total{reason=\"token_expired\"}", 1);
	expect(text, "logout_fcgi_refusals_total{reason=\"rate_limited\"}", 1);
	expect(text, "logout_fcgi_refusals_total{reason=\"not_found\"}", 1);
	expect(text, "logout_fcgi_refusals_total{reason=\"token_signature\"}", 0);
	expect(text, "logout_fcgi_rate_limited_total", 1);
	expect(text, "logout_fcgi_sessions_ended_total", 7);
	/* the 3 ms logout is over 0.0025 s and within 0.005 s */
	expect(
	    text, "logout_fcgi_request_duration_seconds_bucket{route=\"logout\",le=\"0.0025\"}", 4);
	expect(
	    text, "logout_fcgi_request_duration_seconds_bucket{route=\"logout\",le=\"0.005\"}", 5);
	expect(
	    text, "logout_fcgi_request_duration_seconds_bucket{route=\"logout\",le=\"+Inf\"}", 5);
	expect(text, "logout_fcgi_request_duration_seconds_count{route=\"logout\"}", 5);
	ck_assert(
	    value_of(text, "logout_fcgi_request_duration_seconds_sum{route=\"logout\"}") >= 0.003);
	expect(text, "logout_fcgi_db_errors_total", 1);
	expect(text, "logout_fcgi_db_reconnects_total", 1);
	expect(text, "logout_fcgi_db_retries_total{cause=\"deadlock\"}", 2);
	expect(text, "logout_fcgi_db_retries_total{cause=\"lock_wait_timeout\"}", 1);
	expect(text, "logout_fcgi_db_retries_total{cause=\"connection\"}", 0);
	expect(text, "logout_fcgi_batch_size_bucket{le=\"1\"}", 1);
	expect(text, "logout_fcgi_batch_size_bucket{le=\"2\"}", 1);
	expect(text, "logout_fcgi_batch_size_bucket{le=\"4\"}", 2);
	expect(text, "logout_fcgi_batch_size_bucket{le=\"128\"}", 3);
	expect(text, "logout_fcgi_batch_size_sum", 132);
	expect(text, "logout_fcgi_batch_size_count", 3);
	expect(text, "logout_fcgi_batch_commit_duration_seconds_bucket{le=\"0.0005\"}", 1);
	expect(text, "logout_fcgi_batch_commit_duration_seconds_bucket{le=\"0.0025\"}", 2);
	expect(text, "logout_fcgi_batch_commit_duration_seconds_sum", 0.0321);
	expect(text, "logout_fcgi_threads{state=\"busy\"}", 0);
	expect(text, "logout_fcgi_threads{state=\"idle\"}", 4);
	expect(text, "logout_fcgi_workers", 1);
	expect(text, "logout_fcgi_config_generation", 7);
	ck_assert(value_of(text, "logout_fcgi_config_last_reload_timestamp_seconds") > 1.6e9);
	ck_assert(value_of(text, "process_start_time_seconds") > 1.6e9);
	free(text);
	metrics_close();
}
END_TEST

START_TEST(busy_threads_and_reloads)
{
	long long start;
	char *text;

	open_block(1);
	metrics_process_start(3, 1);
	start = metrics_request_begin();
	metrics_reloaded(1, 2);
	metrics_reloaded(0, 0);
	metrics_tick();
	text = scrape();
	expect(text, "logout_fcgi_threads{state=\"busy\"}", 1);
	expect(text, "logout_fcgi_threads{state=\"idle\"}", 2);
	expect(text, "logout_fcgi_config_generation", 2);
	expect(text, "logout_fcgi_config_reloads_total{result=\"ok\"}", 1);
	expect(text, "logout_fcgi_config_reloads_total{result=\"failed\"}", 1);
	/* the tick read this process's figures */
	ck_assert(value_of(text, "process_resident_memory_bytes") > 0);
	ck_assert(value_of(text, "process_open_fds") >= 3);
	ck_assert(value_of(text, "process_cpu_seconds_total") >= 0);
	free(text);
	metrics_request_end(start, ROUTE_LOGOUT, 204, REASON_OK, 1);
	text = scrape();
	expect(text, "logout_fcgi_threads{state=\"busy\"}", 0);
	free(text);
	metrics_close();
}
END_TEST

/* A worker forked after the block was made adds to the same counters. */
START_TEST(slots_add_up_across_a_fork)
{
	char *text;
	pid_t pid;
	int st;

	open_block(2);
	metrics_use_slot(0);
	metrics_process_start(2, 1);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	request(ROUTE_LOGOUT, 401, REASON_NO_BEARER, -1, 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		metrics_use_slot(1);
		metrics_process_start(2, 1);
		request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
		request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
		request(ROUTE_LOGOUT, 401, REASON_TOKEN_SIGNATURE, -1, 0);
		metrics_batch(2, 1000);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	text = scrape();
	expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"204\"}", 3);
	expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"401\"}", 2);
	expect(text, "logout_fcgi_refusals_total{reason=\"no_bearer_token\"}", 1);
	expect(text, "logout_fcgi_refusals_total{reason=\"token_signature\"}", 1);
	expect(text, "logout_fcgi_sessions_ended_total", 3);
	expect(text, "logout_fcgi_batch_size_count", 1);
	expect(text, "logout_fcgi_worker_starts_total", 2);
	/* the child is gone: its gauges no longer count, its counts do */
	expect(text, "logout_fcgi_workers", 1);
	expect(text, "logout_fcgi_threads{state=\"idle\"}", 2);
	free(text);
	metrics_close();
}
END_TEST

/* A slot's next worker goes on from its predecessor's counts. */
START_TEST(replaced_worker_continues_its_slot)
{
	double before, after;
	long long start;
	char *text;

	open_block(2);
	metrics_use_slot(1);
	metrics_process_start(2, 1);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	start = metrics_request_begin(); /* killed in the middle of this one */
	(void)start;
	text = scrape();
	before = value_of(text, "logout_fcgi_requests_total{route=\"logout\",status=\"204\"}");
	expect(text, "logout_fcgi_threads{state=\"busy\"}", 1);
	free(text);
	metrics_slot_exit(1); /* the supervisor reaped it */
	text = scrape();
	expect(text, "logout_fcgi_workers", 0);
	expect(text, "logout_fcgi_threads{state=\"idle\"}", 0);
	free(text);
	metrics_use_slot(1);
	metrics_process_start(2, 1);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	text = scrape();
	after = value_of(text, "logout_fcgi_requests_total{route=\"logout\",status=\"204\"}");
	ck_assert(before == 2 && after == 3);
	expect(text, "logout_fcgi_sessions_ended_total", 3);
	expect(text, "logout_fcgi_worker_starts_total", 2);
	expect(text, "logout_fcgi_workers", 1);
	expect(text, "logout_fcgi_threads{state=\"busy\"}", 0); /* not its predecessor's */
	free(text);
	metrics_close();
}
END_TEST

/* Threads of one process, each on its stripe: nothing lost. */
static void *
hammer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 10000; i++)
		request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	return NULL;
}

START_TEST(threads_lose_nothing)
{
	pthread_t t[12];
	char *text;
	int i;

	open_block(1);
	metrics_process_start(12, 1);
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (i = 0; i < 12; i++)
		pthread_join(t[i], NULL);
	text = scrape();
	expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"204\"}", 120000);
	expect(text, "logout_fcgi_sessions_ended_total", 120000);
	expect(text, "logout_fcgi_request_duration_seconds_count{route=\"logout\"}", 120000);
	expect(text, "logout_fcgi_threads{state=\"busy\"}", 0);
	free(text);
	metrics_close();
}
END_TEST

START_TEST(bounds)
{
	char err[128];

	ck_assert_int_eq(metrics_open(0, err, sizeof(err)), -1);
	ck_assert_int_eq(metrics_open(100000, err, sizeof(err)), -1);
	metrics_close();
	ck_assert(!metrics_opened());
	/* a slot out of range is slot 0 */
	open_block(1);
	metrics_use_slot(5);
	metrics_process_start(1, 1);
	request(ROUTE_LOGOUT, 204, REASON_OK, 1, 0);
	metrics_slot_exit(7);
	request(99, 999, REASON_COUNT, 0, 0); /* out of range: "none", "other" */
	{
		char *text = scrape();

		expect(text, "logout_fcgi_requests_total{route=\"logout\",status=\"204\"}", 1);
		expect(text, "logout_fcgi_requests_total{route=\"none\",status=\"other\"}", 1);
		free(text);
	}
	metrics_close();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("metrics");

	UNIT_TCASE(s, "exposition", idle_service_is_well_formed, every_refusal_reason_is_a_series,
	    counts_of_one_process, busy_threads_and_reloads, bounds);
	UNIT_TCASE(s, "aggregation", slots_add_up_across_a_fork, replaced_worker_continues_its_slot,
	    threads_lose_nothing);
	return s;
}

UNIT_MAIN(suite)

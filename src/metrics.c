/* SPDX-License-Identifier: ISC */
/*
 * metrics.c — the shared counters and their exposition (metrics.h).
 *
 * Layout: one block per service, MAP_SHARED | MAP_ANONYMOUS, so it exists
 * only in the process that made it and the processes it forks, and needs
 * no file, no name and no clean-up. The block holds the supervisor's own
 * process figures and one slot per worker slot; a slot holds its
 * process's gauges and STRIPES stripes of counters, each thread adding to
 * the stripe it was given at its first count. Counters are only ever
 * added to, with relaxed atomics (the values are independent; a scrape
 * needs no consistent cut), so a worker killed at any point leaves
 * nothing half written, and the slot's next worker goes on from its
 * counts. Gauges (busy threads, memory, descriptors) count only for slots
 * whose process is alive.
 *
 * Histograms keep one count per bucket (not cumulative: one add per
 * observation) and a sum in nanoseconds; the scrape makes them cumulative.
 *
 * Process figures: CPU time is added to the slot as it is used (a tick
 * adds what getrusage says since the last tick), so a worker that dies
 * loses at most its last second and the total never goes down; memory and
 * descriptors are what the live processes hold now.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

#define STRIPES	  8
#define NROUTES	  (ROUTE_COUNT + 1)
#define MAX_SLOTS 4096

/* The statuses the service answers (render.c); the last index: any other. */
static const int statuses[] = {200, 204, 400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503};
#define NSTATUS ((int)(sizeof(statuses) / sizeof(statuses[0])) + 1)

/* Latency buckets, seconds as text and as nanoseconds. */
static const char *const lat_le[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
static const long long lat_ns[] = {500000LL, 1000000LL, 2500000LL, 5000000LL, 10000000LL,
    25000000LL, 50000000LL, 100000000LL, 250000000LL, 500000000LL, 1000000000LL, 2500000000LL,
    5000000000LL, 10000000000LL};
#define NLAT ((int)(sizeof(lat_ns) / sizeof(lat_ns[0])))

/* Batch sizes: DB_BATCH_MAX (db.h) is the last. */
static const int size_le[] = {1, 2, 4, 8, 16, 32, 64, 128};
#define NSIZE ((int)(sizeof(size_le) / sizeof(size_le[0])))

static const char *const retry_causes[METRICS_RETRY_COUNT] = {
    [METRICS_RETRY_DEADLOCK] = "deadlock",
    [METRICS_RETRY_LOCK_WAIT] = "lock_wait_timeout",
    [METRICS_RETRY_CONNECTION] = "connection",
    [METRICS_RETRY_FAILOVER] = "failover",
};

typedef atomic_ullong counter;

/* What the threads of one stripe count; its own cache lines. */
struct stripe {
	_Alignas(64) counter requests[NROUTES][NSTATUS];
	counter refusals[REASON_COUNT];
	counter sessions;
	counter lat[NROUTES][NLAT + 1];
	counter lat_sum_ns[NROUTES];
	atomic_llong busy;
	counter db_errors, db_reconnects, db_retries[METRICS_RETRY_COUNT];
	counter batch_size[NSIZE + 1], batch_items;
	counter commit[NLAT + 1], commit_sum_ns;
};

/* One process's figures. */
struct proc {
	atomic_long pid; /* 0: none (yet, or any more) */
	counter cpu_ns;	 /* used since the slot was first taken */
	counter rss;	 /* bytes, now */
	counter fds;	 /* open descriptors, now */
};

struct slot {
	struct proc proc;
	atomic_int threads;
	counter generation;	/* of the snapshot served */
	atomic_llong loaded_at; /* Unix seconds: start or last reload */
	counter starts, reloads_ok, reloads_failed;
	struct stripe stripes[STRIPES];
};

struct block {
	int nslots;
	double start_time; /* Unix seconds, when the block was made */
	struct proc super; /* the --workers supervisor; pid 0 without one */
	struct slot slots[];
};

static struct block *blk;
static size_t blk_size;
static struct slot *self; /* this serving process's slot, or NULL */
static int chosen = -1;	  /* from metrics_use_slot */
static atomic_int next_stripe;
static _Thread_local int my_stripe = -1;
static unsigned long long cpu_seen; /* ns of this process's CPU already added */

int
metrics_open(int nslots, char *err, size_t errlen)
{
	struct timespec ts;
	size_t size;
	void *p;

	if (nslots < 1 || nslots > MAX_SLOTS) {
		snprintf(err, errlen, "metrics: %d slots", nslots);
		return -1;
	}
	size = sizeof(struct block) + (size_t)nslots * sizeof(struct slot);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "metrics: cannot map %zu bytes: %s", size, strerror(errno));
		return -1;
	}
	metrics_close();
	blk = p;
	blk_size = size;
	blk->nslots = nslots;
	clock_gettime(CLOCK_REALTIME, &ts);
	blk->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return 0;
}

int
metrics_opened(void)
{
	return blk != NULL;
}

void
metrics_close(void)
{
	if (blk != NULL)
		munmap(blk, blk_size);
	blk = NULL;
	self = NULL;
	chosen = -1;
	cpu_seen = 0;
}

void
metrics_use_slot(int slot)
{
	chosen = slot;
	self = NULL;
	cpu_seen = 0; /* a child's rusage starts afresh */
}

void
metrics_slot_exit(int slot)
{
	struct slot *s;

	if (blk == NULL || slot < 0 || slot >= blk->nslots)
		return;
	s = &blk->slots[slot];
	atomic_store(&s->proc.pid, 0);
	atomic_store(&s->proc.rss, 0);
	atomic_store(&s->proc.fds, 0);
}

void
metrics_process_start(int threads, unsigned long generation)
{
	int i;

	if (blk == NULL)
		return;
	i = chosen >= 0 && chosen < blk->nslots ? chosen : 0;
	self = &blk->slots[i];
	/* A predecessor killed mid-request left its threads counted busy. */
	for (int k = 0; k < STRIPES; k++)
		atomic_store_explicit(&self->stripes[k].busy, 0, memory_order_relaxed);
	atomic_store(&self->threads, threads);
	atomic_store(&self->generation, generation);
	atomic_store(&self->loaded_at, (long long)time(NULL));
	atomic_fetch_add(&self->starts, 1);
	atomic_store(&self->proc.pid, (long)getpid());
}

void
metrics_reloaded(int ok, unsigned long generation)
{
	if (self == NULL)
		return;
	if (!ok) {
		atomic_fetch_add(&self->reloads_failed, 1);
		return;
	}
	atomic_fetch_add(&self->reloads_ok, 1);
	atomic_store(&self->generation, generation);
	atomic_store(&self->loaded_at, (long long)time(NULL));
}

/* Resident bytes of this process: statm's second field, in pages. */
static unsigned long long
resident(void)
{
	unsigned long long size = 0, pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &pages) != 2)
		pages = 0;
	fclose(f);
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* Open descriptors of this process (the directory's own not counted). */
static unsigned long long
open_fds(void)
{
	unsigned long long n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0 ? n - 1 : 0;
}

void
metrics_tick(void)
{
	struct proc *p = self != NULL ? &self->proc : blk != NULL ? &blk->super : NULL;
	unsigned long long cpu;
	struct rusage ru;

	if (p == NULL)
		return;
	if (self == NULL)
		atomic_store(&p->pid, (long)getpid());
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		cpu = ((unsigned long long)ru.ru_utime.tv_sec +
			  (unsigned long long)ru.ru_stime.tv_sec) *
			  1000000000ULL +
		      ((unsigned long long)ru.ru_utime.tv_usec +
			  (unsigned long long)ru.ru_stime.tv_usec) *
			  1000ULL;
		if (cpu > cpu_seen) {
			atomic_fetch_add(&p->cpu_ns, cpu - cpu_seen);
			cpu_seen = cpu;
		}
	}
	atomic_store(&p->rss, resident());
	atomic_store(&p->fds, open_fds());
}

/* ---- the hot path --------------------------------------------------------- */

#define ADD(var, n) atomic_fetch_add_explicit(&(var), (n), memory_order_relaxed)

static struct stripe *
stripe(void)
{
	if (self == NULL)
		return NULL;
	if (my_stripe < 0)
		my_stripe =
		    atomic_fetch_add_explicit(&next_stripe, 1, memory_order_relaxed) % STRIPES;
	return &self->stripes[my_stripe];
}

long long
metrics_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
lat_bucket(long long ns)
{
	int i;

	for (i = 0; i < NLAT && ns > lat_ns[i]; i++)
		;
	return i;
}

long long
metrics_request_begin(void)
{
	struct stripe *s = stripe();

	if (s == NULL)
		return 0;
	ADD(s->busy, 1);
	return metrics_clock();
}

void
metrics_request_end(long long start, int route, int status, enum reason reason, long long sessions)
{
	struct stripe *s = stripe();
	long long ns;
	int st;

	if (s == NULL)
		return;
	ns = metrics_clock() - start;
	if (ns < 0)
		ns = 0;
	if (route < 0 || route > METRICS_ROUTE_NONE)
		route = METRICS_ROUTE_NONE;
	for (st = 0; st < NSTATUS - 1 && statuses[st] != status; st++)
		;
	ADD(s->requests[route][st], 1);
	if ((unsigned)reason < REASON_COUNT && reason_info(reason)->err != HERR_NONE)
		ADD(s->refusals[reason], 1);
	if (sessions > 0)
		ADD(s->sessions, (unsigned long long)sessions);
	ADD(s->lat[route][lat_bucket(ns)], 1);
	ADD(s->lat_sum_ns[route], (unsigned long long)ns);
	ADD(s->busy, -1);
}

void
metrics_db_error(void)
{
	struct stripe *s = stripe();

	if (s != NULL)
		ADD(s->db_errors, 1);
}

void
metrics_db_reconnect(void)
{
	struct stripe *s = stripe();

	if (s != NULL)
		ADD(s->db_reconnects, 1);
}

void
metrics_db_retry(enum metrics_retry cause)
{
	struct stripe *s = stripe();

	if (s != NULL && (unsigned)cause < METRICS_RETRY_COUNT)
		ADD(s->db_retries[cause], 1);
}

void
metrics_batch(size_t n, long long ns)
{
	struct stripe *s = stripe();
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < NSIZE && n > (size_t)size_le[i]; i++)
		;
	ADD(s->batch_size[i], 1);
	ADD(s->batch_items, (unsigned long long)n);
	if (ns < 0)
		ns = 0;
	ADD(s->commit[lat_bucket(ns)], 1);
	ADD(s->commit_sum_ns, (unsigned long long)ns);
}

/* ---- the scrape ----------------------------------------------------------- */

/* The sums of every slot, and of the live ones' gauges. */
struct totals {
	unsigned long long requests[NROUTES][NSTATUS];
	unsigned long long refusals[REASON_COUNT];
	unsigned long long sessions;
	unsigned long long lat[NROUTES][NLAT + 1], lat_sum_ns[NROUTES];
	long long busy;
	unsigned long long db_errors, db_reconnects, db_retries[METRICS_RETRY_COUNT];
	unsigned long long batch_size[NSIZE + 1], batch_items, commit[NLAT + 1], commit_sum_ns;
	/* processes */
	unsigned long long cpu_ns, rss, fds;
	long long threads, workers, loaded_at;
	unsigned long long generation, starts, reloads_ok, reloads_failed;
};

#define LOAD(var) atomic_load_explicit(&(var), memory_order_relaxed)

static int
alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static void
add_proc(struct totals *t, struct proc *p, int live)
{
	t->cpu_ns += LOAD(p->cpu_ns);
	if (live) {
		t->rss += LOAD(p->rss);
		t->fds += LOAD(p->fds);
	}
}

static void
add_stripe(struct totals *t, struct stripe *s, int live)
{
	int r, i;

	for (r = 0; r < NROUTES; r++) {
		for (i = 0; i < NSTATUS; i++)
			t->requests[r][i] += LOAD(s->requests[r][i]);
		for (i = 0; i <= NLAT; i++)
			t->lat[r][i] += LOAD(s->lat[r][i]);
		t->lat_sum_ns[r] += LOAD(s->lat_sum_ns[r]);
	}
	for (i = 0; i < REASON_COUNT; i++)
		t->refusals[i] += LOAD(s->refusals[i]);
	t->sessions += LOAD(s->sessions);
	if (live)
		t->busy += LOAD(s->busy);
	t->db_errors += LOAD(s->db_errors);
	t->db_reconnects += LOAD(s->db_reconnects);
	for (i = 0; i < METRICS_RETRY_COUNT; i++)
		t->db_retries[i] += LOAD(s->db_retries[i]);
	for (i = 0; i <= NSIZE; i++)
		t->batch_size[i] += LOAD(s->batch_size[i]);
	t->batch_items += LOAD(s->batch_items);
	for (i = 0; i <= NLAT; i++)
		t->commit[i] += LOAD(s->commit[i]);
	t->commit_sum_ns += LOAD(s->commit_sum_ns);
}

static void
sum(struct totals *t)
{
	int i, k, live;

	memset(t, 0, sizeof(*t));
	if (blk == NULL)
		return;
	add_proc(t, &blk->super, alive(LOAD(blk->super.pid)));
	for (i = 0; i < blk->nslots; i++) {
		struct slot *s = &blk->slots[i];

		live = alive(LOAD(s->proc.pid));
		add_proc(t, &s->proc, live);
		for (k = 0; k < STRIPES; k++)
			add_stripe(t, &s->stripes[k], live);
		t->starts += LOAD(s->starts);
		t->reloads_ok += LOAD(s->reloads_ok);
		t->reloads_failed += LOAD(s->reloads_failed);
		if (!live)
			continue;
		t->workers++;
		t->threads += LOAD(s->threads);
		if (LOAD(s->generation) > t->generation)
			t->generation = LOAD(s->generation);
		if (LOAD(s->loaded_at) > t->loaded_at)
			t->loaded_at = LOAD(s->loaded_at);
	}
	if (t->busy < 0)
		t->busy = 0;
}

/* A growing text buffer; failed once an allocation failed. */
struct text {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct text *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct text *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		char *p = realloc(o->p, o->cap * 2 + (size_t)n);

		if (p == NULL) {
			o->failed = 1;
			return;
		}
		o->p = p;
		o->cap = o->cap * 2 + (size_t)n;
	}
}

static void
head(struct text *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void
one(struct text *o, const char *name, const char *type, const char *help, unsigned long long v)
{
	head(o, name, type, help);
	put(o, "%s %llu\n", name, v);
}

/* Nanoseconds as seconds, exactly. */
static void
put_seconds(struct text *o, unsigned long long ns)
{
	put(o, "%llu.%09llu\n", ns / 1000000000ULL, ns % 1000000000ULL);
}

static const char *
route_name(int r)
{
	return r < ROUTE_COUNT ? routes_get((enum route_id)r)->name : "none";
}

/* One histogram's series; labels: "" or `route="x",` (with the comma). */
static void
histogram(struct text *o, const char *name, const char *labels, const unsigned long long *b, int nb,
    const char *const *le_text, const int *le_int, unsigned long long sum_ns,
    unsigned long long sum_plain, int seconds)
{
	unsigned long long cum = 0;
	int i;

	for (i = 0; i < nb; i++) {
		cum += b[i];
		if (le_text != NULL)
			put(o, "%s_bucket{%sle=\"%s\"} %llu\n", name, labels, le_text[i], cum);
		else
			put(o, "%s_bucket{%sle=\"%d\"} %llu\n", name, labels, le_int[i], cum);
	}
	cum += b[nb];
	put(o, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels, cum);
	if (labels[0] != '\0') {
		/* the label list without its trailing comma */
		put(o, "%s_sum{%.*s} ", name, (int)strlen(labels) - 1, labels);
	} else
		put(o, "%s_sum ", name);
	if (seconds)
		put_seconds(o, sum_ns);
	else
		put(o, "%llu\n", sum_plain);
	if (labels[0] != '\0')
		put(o, "%s_count{%.*s} %llu\n", name, (int)strlen(labels) - 1, labels, cum);
	else
		put(o, "%s_count %llu\n", name, cum);
}

static void
render_requests(struct text *o, const struct totals *t)
{
	char labels[64];
	int r, i;

	head(o, "logout_fcgi_requests_total", "counter",
	    "Requests answered, by route and HTTP status.");
	for (r = 0; r < NROUTES; r++)
		for (i = 0; i < NSTATUS; i++)
			if (t->requests[r][i] > 0) {
				if (i < NSTATUS - 1)
					put(o,
					    "logout_fcgi_requests_total{route=\"%s\",status=\"%d\"}"
					    " "
					    "%llu\n",
					    route_name(r), statuses[i], t->requests[r][i]);
				else
					put(o,
					    "logout_fcgi_requests_total{route=\"%s\",status="
					    "\"other\"} "
					    "%llu\n",
					    route_name(r), t->requests[r][i]);
			}
	head(o, "logout_fcgi_refusals_total", "counter",
	    "Requests refused, by reason (the audit trail's reasons, snake_case).");
	for (i = 0; i < REASON_COUNT; i++)
		if (reason_info((enum reason)i)->err != HERR_NONE)
			put(o, "logout_fcgi_refusals_total{reason=\"%s\"} %llu\n",
			    reason_info((enum reason)i)->name, t->refusals[i]);
	one(o, "logout_fcgi_rate_limited_total", "counter",
	    "Requests refused by the rate limiter (refusals with reason rate_limited).",
	    t->refusals[REASON_RATE_LIMITED]);
	one(o, "logout_fcgi_sessions_ended_total", "counter", "Sessions ended by logouts.",
	    t->sessions);
	head(o, "logout_fcgi_request_duration_seconds", "histogram",
	    "Time from a complete request to its answer, by route.");
	for (r = 0; r < NROUTES; r++) {
		snprintf(labels, sizeof(labels), "route=\"%s\",", route_name(r));
		histogram(o, "logout_fcgi_request_duration_seconds", labels, t->lat[r], NLAT,
		    lat_le, NULL, t->lat_sum_ns[r], 0, 1);
	}
}

static void
render_db(struct text *o, const struct totals *t)
{
	int i;

	one(o, "logout_fcgi_db_errors_total", "counter",
	    "Errors the database reported (failed connects, prepares and statements, each "
	    "attempt).",
	    t->db_errors);
	one(o, "logout_fcgi_db_reconnects_total", "counter",
	    "Connections opened again by a thread or committer that had one before.",
	    t->db_reconnects);
	head(o, "logout_fcgi_db_retries_total", "counter",
	    "Statements tried again after a transient error, by cause.");
	for (i = 0; i < METRICS_RETRY_COUNT; i++)
		put(o, "logout_fcgi_db_retries_total{cause=\"%s\"} %llu\n", retry_causes[i],
		    t->db_retries[i]);
	head(o, "logout_fcgi_batch_size", "histogram", "Logouts per group commit.");
	histogram(o, "logout_fcgi_batch_size", "", t->batch_size, NSIZE, NULL, size_le, 0,
	    t->batch_items, 0);
	head(o, "logout_fcgi_batch_commit_duration_seconds", "histogram",
	    "Time a group commit took, its statement and commit.");
	histogram(o, "logout_fcgi_batch_commit_duration_seconds", "", t->commit, NLAT, lat_le, NULL,
	    t->commit_sum_ns, 0, 1);
}

static void
render_processes(struct text *o, const struct totals *t)
{
	long long idle = t->threads - t->busy;

	head(o, "logout_fcgi_threads", "gauge", "Serving threads of the live workers, by state.");
	put(o, "logout_fcgi_threads{state=\"busy\"} %lld\n", t->busy);
	put(o, "logout_fcgi_threads{state=\"idle\"} %lld\n", idle > 0 ? idle : 0);
	one(o, "logout_fcgi_workers", "gauge", "Worker processes running.",
	    (unsigned long long)t->workers);
	one(o, "logout_fcgi_worker_starts_total", "counter",
	    "Worker processes started (the first of each slot, then every replacement).",
	    t->starts);
	one(o, "logout_fcgi_config_generation", "gauge",
	    "The newest configuration load a live worker serves with (counts up per load).",
	    t->generation);
	one(o, "logout_fcgi_config_last_reload_timestamp_seconds", "gauge",
	    "When a live worker last loaded its configuration (start or reload), Unix time.",
	    (unsigned long long)t->loaded_at);
	head(o, "logout_fcgi_config_reloads_total", "counter", "Reloads, by result.");
	put(o, "logout_fcgi_config_reloads_total{result=\"ok\"} %llu\n", t->reloads_ok);
	put(o, "logout_fcgi_config_reloads_total{result=\"failed\"} %llu\n", t->reloads_failed);
	head(o, "process_start_time_seconds", "gauge",
	    "Start time of the service (the supervisor, or the process serving alone), Unix "
	    "time.");
	put(o, "process_start_time_seconds %.3f\n", blk != NULL ? blk->start_time : 0.0);
	head(o, "process_cpu_seconds_total", "counter",
	    "User and system CPU time of the service's processes.");
	put(o, "process_cpu_seconds_total ");
	put_seconds(o, t->cpu_ns);
	one(o, "process_resident_memory_bytes", "gauge",
	    "Resident memory of the service's live processes.", t->rss);
	one(o, "process_open_fds", "gauge",
	    "Open file descriptors of the service's live processes.", t->fds);
}

int
metrics_render(char **out, size_t *len)
{
	struct text o = {NULL, 0, 16384, 0};
	struct totals *t;

	if ((t = malloc(sizeof(*t))) == NULL || (o.p = malloc(o.cap)) == NULL) {
		free(t);
		return -1;
	}
	sum(t);
	render_requests(&o, t);
	render_db(&o, t);
	render_processes(&o, t);
	free(t);
	if (o.failed) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*len = o.len;
	return 0;
}

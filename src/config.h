/* SPDX-License-Identifier: ISC */
/*
 * config.h — the configuration snapshot: pure data, parsed and validated
 * from an INI file by config_load and never changed after it returns, so
 * every thread reads it without locks. What a process opens from it (the
 * rate limiter's mapping, database connections) is the process's own
 * (runtime.h, db.h). Secrets come from files or the environment, never
 * argv.
 * Every key, its bounds and its default: options.c (logout-fcgi-admin keys).
 */
#ifndef LOGOUT_CONFIG_H
#define LOGOUT_CONFIG_H

#include <stddef.h>

#include "keyring.h"
#include "sink.h" /* struct sink_spec: where [log] and [audit] lines go */
#include "sqlparam.h"
#include "stmts.h" /* enum stmt_id, admin_stmt_id, token_format */
#include "token.h"

#define CONFIG_MAX_HOSTS 8
#define CONFIG_STR_MAX	 256

/* Body shapes (README, "Compatibility"). */
enum resp_style { STYLE_ENVELOPE = 0, STYLE_FASTAPI, STYLE_LARAVEL };

/* What POST .../logout ends: the bearer's session, or all of the user's. */
enum logout_scope { SCOPE_SESSION = 0, SCOPE_USER };


struct db_host {
	char host[CONFIG_STR_MAX];
	unsigned int port;
};

struct config {
	/* Unique per load in this process: tells snapshots apart even when a
	 * new one reuses the address of a freed one. */
	unsigned long generation;
	char path[CONFIG_STR_MAX]; /* the file it came from */

	/* [server] */
	char path_prefix[CONFIG_STR_MAX];
	size_t max_body;
	int threads;
	char listen[CONFIG_STR_MAX]; /* "" = fd 0 */
	/* Who serves and who may connect (privs.h, listener.h): names as the
	 * file gives them, "" = not set. config_load checks that they exist;
	 * the process resolves them when it starts, after the command line
	 * has had its say. */
	char run_user[CONFIG_STR_MAX];
	char run_group[CONFIG_STR_MAX];
	int allow_root;		     /* started as root without run_user: serve anyway */
	char listen_owner[CONFIG_STR_MAX];
	char listen_group[CONFIG_STR_MAX];
	unsigned int listen_mode;
	/* Resolved against the file's directory; "" = none. */
	char pid_file[CONFIG_STR_MAX * 2];
	int strict_modes;	     /* secret files: others locked out, owner root or us */
	unsigned int endpoints;	     /* ROUTE_BIT()s of the routes served (routes.h) */
	/* Full paths of the operator's routes (routes.h); "" = not served. */
	char health_path[CONFIG_STR_MAX];
	char metrics_path[CONFIG_STR_MAX];
	/* the verify route's path after path_prefix */
	char verify_path[CONFIG_STR_MAX];
	int batch;		     /* [server] batch: group commit of logouts... */
	int gate_batch;		     /* [server] gate_batch: shared SELECTs of verifies... */
	int sched_batch;	     /* [server] sched_batch: the workers under SCHED_BATCH */
	unsigned int batch_stmts;    /* ...and what they run: STMTS_BIT()s (stmts_batchable) */
	/* Client limits, enforced by the acceptor (acceptor.h); seconds. */
	unsigned int header_timeout;	/* first byte to a complete request */
	unsigned int body_timeout;	/* each read of a body */
	unsigned int send_timeout;	/* each write of a response */
	unsigned int keepalive_timeout; /* a kept connection between requests */
	unsigned int shutdown_timeout;	/* the drain at SIGTERM */
	unsigned int max_params;	/* bytes of a request's FastCGI params */
	unsigned int max_connections;	/* per process */

	/* [token] */
	enum token_format format;
	struct token_rules rules;
	char issuer[CONFIG_STR_MAX];
	char audience[CONFIG_STR_MAX];
	char type_claim[64];
	char access_type[64];
	char refresh_type[64];
	char default_key[KEY_NAME_MAX];
	long long access_ttl; /* admin: lifetime of minted tokens */
	long long refresh_ttl;
	struct keyring keys; /* may be empty for format sanctum */
	/* format sanctum (Laravel's config/sanctum.php) */
	char token_prefix[64];		     /* admin: sanctum.token_prefix */
	long long expiration;		     /* minutes after created_at; 0 = none */
	char tokenable_type[CONFIG_STR_MAX]; /* e.g. App\Models\User */
	int update_last_used;

	/* [database] */
	struct db_host hosts[CONFIG_MAX_HOSTS];
	size_t nhosts;
	char db_socket[CONFIG_STR_MAX];
	char db_user[CONFIG_STR_MAX];
	char db_password[CONFIG_STR_MAX]; /* from password_file / password_env */
	char db_name[CONFIG_STR_MAX];
	unsigned int connect_timeout;
	unsigned int read_timeout;
	unsigned int write_timeout;
	int retries;	     /* extra attempts on transient errors */
	unsigned int failback_interval; /* seconds before an earlier host is tried again */
	unsigned int lock_wait_timeout; /* seconds a serving statement waits for a row lock */
	int wsrep_sync_wait; /* -1 = leave the server default */

	/* [sql] */
	struct sql_text stmts[STMT_COUNT];
	int stmt_lines[STMT_COUNT]; /* where the file set each; 0 = built-in */
	unsigned int params_used; /* bit per sql_param any serving statement names */
	struct sql_text admin_stmts[ADMIN_STMT_COUNT];

	/* [response] */
	enum resp_style style;
	int logout_status; /* 204 or 200 */
	enum logout_scope logout_scope;
	int already_logged_out; /* answer when the bearer's session is gone: 401, 204, 200 */
	/* verify's answer: the headers naming the user the backend may
	 * trust and the session (or Sanctum token) id */
	char user_header[64];
	char session_header[64];

	/* [rate_limit] */
	int rl_enabled;
	unsigned int rl_requests; /* per window, per user (or client IP) */
	unsigned int rl_window;	  /* seconds */
	unsigned int rl_slots;	  /* keys the state file holds */
	char rl_file[CONFIG_STR_MAX * 2];

	/* [log]: operational messages. Only the target's description: the
	 * process opens it (log_open) and keeps it across reloads. */
	struct sink_spec log_sink;
	enum sink_priority log_level; /* the least severe written */

	/* [audit] */
	int audit_enabled;
	struct sink_spec audit_sink;
};

/* Load and validate. On failure returns NULL and writes one message
 * "FILE:LINE: problem" (or "FILE: problem") into err. Caller owns the
 * result and frees it with config_free. */
struct config *config_load(const char *path, char *err, size_t errlen);

/* Same, from a string (tests, fuzzing); name is used in messages. */
struct config *config_load_string(const char *text, const char *name, char *err, size_t errlen);

void config_free(struct config *cfg);

#endif

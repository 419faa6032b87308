/*
 * config.h — the immutable configuration snapshot. Parsed from an INI file
 * once at start-up; nothing mutates it afterwards, so every thread reads it
 * without locks. Secrets come from files or the environment, never argv.
 */
#ifndef LOGOUT_CONFIG_H
#define LOGOUT_CONFIG_H

#include <stddef.h>

#include "keyring.h"
#include "sqlparam.h"
#include "token.h"

#define CONFIG_MAX_HOSTS 8
#define CONFIG_STR_MAX	 256

enum stmt_id {
	STMT_LOGOUT = 0,     /* end the bearer's session; 0 rows = session gone */
	STMT_LOGOUT_REFRESH, /* end the refresh token's session if the bearer's exists */
	STMT_SESSION_CHECK,  /* does the bearer's session exist (slow path only) */
	STMT_LOGOUT_ALL,     /* end every session of the user if the bearer's exists */
	STMT_COUNT
};

/* Statements used only by the admin tool. */
enum admin_stmt_id { ADMIN_STMT_CREATE_SESSION = 0, ADMIN_STMT_FORCE_LOGOUT, ADMIN_STMT_COUNT };

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

	/* [token] */
	struct token_rules rules;
	char issuer[CONFIG_STR_MAX];
	char audience[CONFIG_STR_MAX];
	char type_claim[64];
	char access_type[64];
	char refresh_type[64];
	char default_key[KEY_NAME_MAX];
	long long access_ttl; /* admin: lifetime of minted tokens */
	long long refresh_ttl;
	struct keyring keys;

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
	int wsrep_sync_wait; /* -1 = leave the server default */

	/* [sql] */
	struct sql_text stmts[STMT_COUNT];
	struct sql_text admin_stmts[ADMIN_STMT_COUNT];

	/* [response] */
	int logout_status; /* 204 or 200 */

	/* [audit] */
	int audit_enabled;
};

/* Load and validate. On failure returns NULL and writes one message
 * "FILE:LINE: problem" (or "FILE: problem") into err. Caller owns the
 * result and frees it with config_free. */
struct config *config_load(const char *path, char *err, size_t errlen);

/* Same, from a string (tests, fuzzing); name is used in messages. */
struct config *config_load_string(const char *text, const char *name, char *err, size_t errlen);

void config_free(struct config *cfg);

const char *config_stmt_name(enum stmt_id id);

#endif

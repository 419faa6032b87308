/* SPDX-License-Identifier: ISC */
/*
 * fuzz_config.c — config_load_string on arbitrary text (a NUL-terminated
 * copy of the input). Key and password secrets come from the environment
 * variables fuzz.h sets (FUZZ_KEY32, FUZZ_KEY64, FUZZ_KEY_B64, FUZZ_KEY16,
 * FUZZ_EMPTY, FUZZ_PASSWORD; FUZZ_UNSET is not set); secret_file and
 * password_file paths mostly name nothing, which is the error path.
 *
 * Inputs that name anything under dev/, proc/ or sys/ are skipped: a read
 * of /dev/stdin or a FIFO would block, and that is a harness hazard, not a
 * finding (the service reads files the administrator names).
 *
 * Invariants: failure gives one non-empty line naming fuzz.conf; success
 * gives a snapshot the serving path can trust without checking again.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

#include "config.h"
#include "keyring.h"
#include "sqlparam.h"

#define NAME "fuzz.conf"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static int
terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

#define TERMINATED(field) FUZZ_CHECK(terminated((field), sizeof(field)), #field " unterminated")

static void
check_stmt(const struct sql_text *st, int serving)
{
	unsigned int used = 0;

	TERMINATED(st->sql);
	FUZZ_CHECK(st->sql[0] != '\0' || st->nparams == 0, "empty statement with params");
	FUZZ_CHECK(st->nparams <= SQL_MAX_PARAMS, "nparams %zu", st->nparams);
	for (size_t i = 0; i < st->nparams; i++) {
		FUZZ_CHECK((unsigned)st->params[i] < SQLP_COUNT, "param %d", (int)st->params[i]);
		used |= 1u << st->params[i];
	}
	FUZZ_CHECK(used == st->used, "used bits");
	if (serving)
		FUZZ_CHECK(!(st->used & (1u << SQLP_EXPIRES_AT)), ":expires_at when serving");
}

static void
check_config(const struct config *c)
{
	size_t i;

	TERMINATED(c->path);
	TERMINATED(c->path_prefix);
	TERMINATED(c->listen);
	TERMINATED(c->issuer);
	TERMINATED(c->audience);
	TERMINATED(c->type_claim);
	TERMINATED(c->access_type);
	TERMINATED(c->refresh_type);
	TERMINATED(c->default_key);
	TERMINATED(c->db_socket);
	TERMINATED(c->db_user);
	TERMINATED(c->db_password);
	TERMINATED(c->db_name);
	FUZZ_CHECK(strcmp(c->path, NAME) == 0, "path \"%s\"", c->path);
	FUZZ_CHECK(c->generation > 0, "generation 0");
	/* "" (root) or "/x" without a trailing slash. */
	if (c->path_prefix[0] != '\0') {
		size_t n = strlen(c->path_prefix);

		FUZZ_CHECK(c->path_prefix[0] == '/', "path_prefix \"%s\"", c->path_prefix);
		FUZZ_CHECK(
		    n == 1 || c->path_prefix[n - 1] != '/', "path_prefix \"%s\"", c->path_prefix);
		FUZZ_CHECK(n > 1, "path_prefix \"/\" kept");
	}
	FUZZ_CHECK(c->max_body <= 1048576, "max_body %zu", c->max_body);
	FUZZ_CHECK(c->threads >= 1 && c->threads <= 256, "threads %d", c->threads);
	FUZZ_CHECK(
	    c->rules.leeway >= 0 && c->rules.leeway <= 86400, "leeway %lld", c->rules.leeway);
	FUZZ_CHECK(c->rules.issuer == c->issuer && c->rules.audience == c->audience &&
		       c->rules.type_claim == c->type_claim &&
		       c->rules.access_type == c->access_type &&
		       c->rules.refresh_type == c->refresh_type,
	    "rules do not point into the snapshot");
	FUZZ_CHECK(c->access_ttl >= 1 && c->refresh_ttl >= 1, "ttl");

	FUZZ_CHECK(c->keys.nkeys >= 1 && c->keys.keys != NULL, "no keys");
	FUZZ_CHECK(
	    c->keys.defkey < c->keys.nkeys, "defkey %zu of %zu", c->keys.defkey, c->keys.nkeys);
	FUZZ_CHECK(keyring_default(&c->keys) == &c->keys.keys[c->keys.defkey], "default key");
	FUZZ_CHECK(strcmp(c->default_key, c->keys.keys[c->keys.defkey].name) == 0,
	    "default_key \"%s\"", c->default_key);
	for (i = 0; i < c->keys.nkeys; i++) {
		const struct key *k = &c->keys.keys[i];

		TERMINATED(k->name);
		FUZZ_CHECK(k->name[0] != '\0', "unnamed key");
		FUZZ_CHECK(k->alg == KEY_HS256 || k->alg == KEY_HS512, "key alg %d", (int)k->alg);
		FUZZ_CHECK(k->secret != NULL && k->secret_len >= keyring_alg_len(k->alg) &&
			       k->secret_len <= KEY_SECRET_MAX,
		    "key %s: %zu-byte secret", k->name, k->secret_len);
		FUZZ_CHECK(keyring_find(&c->keys, k->name, strlen(k->name)) == k,
		    "key %s: duplicate name", k->name);
	}

	FUZZ_CHECK(c->nhosts <= CONFIG_MAX_HOSTS, "nhosts %zu", c->nhosts);
	FUZZ_CHECK(c->nhosts > 0 || c->db_socket[0] != '\0', "no host and no socket");
	for (i = 0; i < c->nhosts; i++) {
		TERMINATED(c->hosts[i].host);
		FUZZ_CHECK(c->hosts[i].host[0] != '\0', "empty host");
		FUZZ_CHECK(c->hosts[i].port >= 1 && c->hosts[i].port <= 65535, "port %u",
		    c->hosts[i].port);
	}
	FUZZ_CHECK(c->connect_timeout >= 1 && c->connect_timeout <= 3600, "connect_timeout");
	FUZZ_CHECK(c->read_timeout >= 1 && c->read_timeout <= 3600, "read_timeout");
	FUZZ_CHECK(c->write_timeout >= 1 && c->write_timeout <= 3600, "write_timeout");
	FUZZ_CHECK(c->retries >= 0 && c->retries <= 10, "retries %d", c->retries);
	FUZZ_CHECK(c->wsrep_sync_wait >= -1 && c->wsrep_sync_wait <= 15, "wsrep_sync_wait");
	for (i = 0; i < STMT_COUNT; i++)
		check_stmt(&c->stmts[i], 1);
	for (i = 0; i < ADMIN_STMT_COUNT; i++)
		check_stmt(&c->admin_stmts[i], 0);
	FUZZ_CHECK(c->logout_status == 200 || c->logout_status == 204, "logout_status %d",
	    c->logout_status);
	FUZZ_CHECK(c->audit_enabled == 0 || c->audit_enabled == 1, "audit_enabled");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct config *cfg;
	char *text;

	if (size > 64 * 1024)
		return -1;
	text = fuzz_cstr(data, size);
	if (strstr(text, "dev/") || strstr(text, "proc/") || strstr(text, "sys/")) {
		free(text);
		return -1;
	}
	memset(err, 0x5a, sizeof(err));
	err[sizeof(err) - 1] = '\0';
	cfg = config_load_string(text, NAME, err, sizeof(err));
	if (cfg == NULL) {
		FUZZ_CHECK(terminated(err, sizeof(err)), "err unterminated");
		FUZZ_CHECK(strncmp(err, NAME ":", strlen(NAME) + 1) == 0, "message \"%.80s\"", err);
		FUZZ_CHECK(strchr(err, '\n') == NULL, "multi-line message");
	} else {
		check_config(cfg);
		config_free(cfg);
	}
	free(text);
	return 0;
}

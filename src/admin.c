/* SPDX-License-Identifier: ISC */
/*
 * admin.c — logout-fcgi-admin: the operator's tool. It reads the same
 * config file as the worker and uses the same keys and statements:
 *
 *   create-session --user ID          new session row + its two tokens
 *   mint --sub S [...]                any token from the configured keys
 *   create-token --user ID [...]      Laravel Sanctum token (format sanctum)
 *   force-logout --user ID            end every session of a user
 *   gen-key [--alg HS256|HS512]       a random key, base64
 *   check-config                      validate and exit
 *   keys                              every configuration key, one a line
 *
 * Tokens are printed on stdout only, never logged.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "ac_config.h"

#include "b64url.h"
#include "config.h"
#include "db.h"
#include "options.h"
#include "sanctum.h"
#include "token.h"
#include "util.h"

#define ID_BYTES 16
#define ID_LEN	 32

struct mint_opts {
	const char *sub;
	int sub_int;
	const char *type; /* NULL: the config's access type */
	const char *sid;
	const char *jti;
	const char *kid;
	int no_kid;
	const char *iss;
	const char *aud;
	long long exp_in, nbf_in, iat_in;
	int has_exp, has_nbf, has_iat;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: logout-fcgi-admin [--config PATH] COMMAND [options]\n"
	    "       logout-fcgi-admin --help | --version\n"
	    "  create-session --user ID\n"
	    "  mint --sub S [--sub-int] [--type access|refresh|none|VALUE] [--sid X] [--jti X]\n"
	    "       [--exp-in SECONDS] [--nbf-in SECONDS] [--iat-in SECONDS]\n"
	    "       [--kid NAME] [--no-kid] [--iss X] [--aud X]\n"
	    "  create-token --user ID [--name NAME] [--expires-in MINUTES]\n"
	    "  force-logout --user ID\n"
	    "  gen-key [--alg HS256|HS512]\n"
	    "  check-config\n"
	    "  keys\n"
	    "The config path defaults to $LOGOUT_FCGI_CONFIG, then %s.\n"
	    "See logout-fcgi-admin(8).\n",
	    CONFIG_PATH);
}

static void
random_id(char *out)
{
	unsigned char b[ID_BYTES];

	randombytes_buf(b, sizeof(b));
	b64url_encode(b, sizeof(b), out, ID_LEN);
}

static int
parse_num(const char *s, long long min, long long max, long long *out, const char *what)
{
	if (util_strtonum(s, min, max, out) != 0) {
		fprintf(stderr, "logout-fcgi-admin: %s: \"%s\" is not a number\n", what, s);
		return -1;
	}
	return 0;
}

/* Payload JSON for o; caller frees. */
static char *
build_payload(const struct config *cfg, const struct mint_opts *o, time_t now)
{
	struct json_object *p = json_object_new_object();
	const char *type = o->type ? o->type : cfg->access_type;
	char *s;

	if (o->sub_int) {
		long long id;

		if (util_strtonum(o->sub, LLONG_MIN, LLONG_MAX, &id) != 0) {
			json_object_put(p);
			return NULL;
		}
		json_object_object_add(p, "sub", json_object_new_int64(id));
	} else
		json_object_object_add(p, "sub", json_object_new_string(o->sub));
	if (o->sid)
		json_object_object_add(p, "sid", json_object_new_string(o->sid));
	if (o->jti)
		json_object_object_add(p, "jti", json_object_new_string(o->jti));
	if (strcmp(type, "none") != 0 && type[0] != '\0' && cfg->type_claim[0] != '\0')
		json_object_object_add(p, cfg->type_claim, json_object_new_string(type));
	if (o->iss)
		json_object_object_add(p, "iss", json_object_new_string(o->iss));
	if (o->aud)
		json_object_object_add(p, "aud", json_object_new_string(o->aud));
	json_object_object_add(
	    p, "iat", json_object_new_int64((int64_t)now + (o->has_iat ? o->iat_in : 0)));
	if (o->has_nbf)
		json_object_object_add(p, "nbf", json_object_new_int64((int64_t)now + o->nbf_in));
	json_object_object_add(p, "exp",
	    json_object_new_int64((int64_t)now + (o->has_exp ? o->exp_in : cfg->access_ttl)));
	s = strdup(json_object_to_json_string_ext(
	    p, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(p);
	return s;
}

static int
mint(const struct config *cfg, const struct mint_opts *o, char *out, size_t cap)
{
	const struct key *key;
	char *payload;
	int n;

	key =
	    o->kid ? keyring_find(&cfg->keys, o->kid, strlen(o->kid)) : keyring_default(&cfg->keys);
	if (key == NULL) {
		fprintf(stderr, "logout-fcgi-admin: no key \"%s\" in the config\n",
		    o->kid ? o->kid : "(default)");
		return -1;
	}
	if ((payload = build_payload(cfg, o, util_now())) == NULL) {
		fprintf(stderr, "logout-fcgi-admin: --sub-int needs a number\n");
		return -1;
	}
	n = token_sign(key, !o->no_kid, payload, out, cap);
	free(payload);
	if (n < 0) {
		fprintf(stderr, "logout-fcgi-admin: token too long\n");
		return -1;
	}
	return 0;
}

static int
cmd_mint(const struct config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"sub", required_argument, NULL, 's'},
	    {"sub-int", no_argument, NULL, 'S'},
	    {"type", required_argument, NULL, 't'},
	    {"sid", required_argument, NULL, 'i'},
	    {"jti", required_argument, NULL, 'j'},
	    {"exp-in", required_argument, NULL, 'e'},
	    {"nbf-in", required_argument, NULL, 'n'},
	    {"iat-in", required_argument, NULL, 'a'},
	    {"kid", required_argument, NULL, 'k'},
	    {"no-kid", no_argument, NULL, 'K'},
	    {"iss", required_argument, NULL, 'I'},
	    {"aud", required_argument, NULL, 'A'},
	    {NULL, 0, NULL, 0},
	};
	struct mint_opts o = {0};
	char tok[TOKEN_MAX_LEN + 1];
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o.sub = optarg;
			break;
		case 'S':
			o.sub_int = 1;
			break;
		case 't':
			o.type = optarg;
			break;
		case 'i':
			o.sid = optarg;
			break;
		case 'j':
			o.jti = optarg;
			break;
		case 'k':
			o.kid = optarg;
			break;
		case 'K':
			o.no_kid = 1;
			break;
		case 'I':
			o.iss = optarg;
			break;
		case 'A':
			o.aud = optarg;
			break;
		case 'e':
			if (parse_num(optarg, -315360000, 315360000, &o.exp_in, "--exp-in") != 0)
				return 2;
			o.has_exp = 1;
			break;
		case 'n':
			if (parse_num(optarg, -315360000, 315360000, &o.nbf_in, "--nbf-in") != 0)
				return 2;
			o.has_nbf = 1;
			break;
		case 'a':
			if (parse_num(optarg, -315360000, 315360000, &o.iat_in, "--iat-in") != 0)
				return 2;
			o.has_iat = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.sub == NULL) {
		usage(stderr);
		return 2;
	}
	if (o.type != NULL && !strcmp(o.type, "access"))
		o.type = cfg->access_type;
	else if (o.type != NULL && !strcmp(o.type, "refresh"))
		o.type = cfg->refresh_type;
	if (mint(cfg, &o, tok, sizeof(tok)) != 0)
		return 1;
	printf("%s\n", tok);
	return 0;
}

static int
user_option(int argc, char **argv, long long *user)
{
	static const struct option longopts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {NULL, 0, NULL, 0},
	};
	int ch, have = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'u' || parse_num(optarg, 0, LLONG_MAX, user, "--user") != 0) {
			usage(stderr);
			return -1;
		}
		have = 1;
	}
	if (!have) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int
exec_admin(const struct config *cfg, enum admin_stmt_id id, const struct sql_args *args,
    struct db_result *res)
{
	struct db *db;
	enum db_status st;

	if ((db = db_open(cfg, 1)) == NULL)
		return -1;
	st = db_exec_admin(db, id, args, res);
	if (st != DB_OK)
		fprintf(stderr, "logout-fcgi-admin: database: %s\n", db_last_error(db));
	db_close(db);
	return st == DB_OK ? 0 : -1;
}

static int
cmd_create_session(const struct config *cfg, int argc, char **argv)
{
	unsigned char sid_hash[crypto_hash_sha256_BYTES], rjti_hash[crypto_hash_sha256_BYTES];
	char sid[ID_LEN], ajti[ID_LEN], rjti[ID_LEN], user[32];
	char access[TOKEN_MAX_LEN + 1], refresh[TOKEN_MAX_LEN + 1];
	struct mint_opts o = {0};
	struct sql_args args;
	struct db_result res;
	long long uid;
	time_t now = util_now();

	if (user_option(argc, argv, &uid) != 0)
		return 2;
	if (cfg->format != FORMAT_JWT) {
		fprintf(stderr, "logout-fcgi-admin: create-session needs [token] format = jwt "
				"(use create-token)\n");
		return 2;
	}
	snprintf(user, sizeof(user), "%lld", uid);
	random_id(sid);
	random_id(ajti);
	random_id(rjti);
	o.sub = user;
	o.sid = sid;
	o.jti = ajti;
	if (mint(cfg, &o, access, sizeof(access)) != 0)
		return 1;
	o.jti = rjti;
	o.type = cfg->refresh_type[0] ? cfg->refresh_type : "none";
	o.exp_in = cfg->refresh_ttl;
	o.has_exp = 1;
	if (mint(cfg, &o, refresh, sizeof(refresh)) != 0)
		return 1;
	crypto_hash_sha256(sid_hash, (const unsigned char *)sid, strlen(sid));
	crypto_hash_sha256(rjti_hash, (const unsigned char *)rjti, strlen(rjti));
	memset(&args, 0, sizeof(args));
	args.v[SQLP_USER_ID] = (struct sql_value){.kind = SQLV_UINT, .u = (unsigned long long)uid};
	args.v[SQLP_SUB] = (struct sql_value){.kind = SQLV_STR, .ptr = user, .len = strlen(user)};
	args.v[SQLP_SID] = (struct sql_value){.kind = SQLV_STR, .ptr = sid, .len = strlen(sid)};
	args.v[SQLP_SID_HASH] = (struct sql_value){.kind = SQLV_BLOB, .ptr = sid_hash, .len = 32};
	args.v[SQLP_JTI] = (struct sql_value){.kind = SQLV_STR, .ptr = rjti, .len = strlen(rjti)};
	args.v[SQLP_JTI_HASH] = (struct sql_value){.kind = SQLV_BLOB, .ptr = rjti_hash, .len = 32};
	args.v[SQLP_REFRESH_JTI_HASH] =
	    (struct sql_value){.kind = SQLV_BLOB, .ptr = rjti_hash, .len = 32};
	args.v[SQLP_EXPIRES_AT] = (struct sql_value){
	    .kind = SQLV_UINT, .u = (unsigned long long)(now + cfg->refresh_ttl)};
	if (exec_admin(cfg, ADMIN_STMT_CREATE_SESSION, &args, &res) != 0)
		return 1;
	printf("user_id=%s\nsession_id=%s\naccess_token=%s\nrefresh_token=%s\nrefresh_jti=%s\n",
	    user, sid, access, refresh, rjti);
	return 0;
}

struct token_opts {
	long long user;
	const char *name;
	long long expires_in; /* minutes; 0 = never */
};

static int
token_options(int argc, char **argv, struct token_opts *o)
{
	static const struct option longopts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"name", required_argument, NULL, 'n'},
	    {"expires-in", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	int ch, have = 0;

	o->name = "api";
	o->expires_in = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'u' && parse_num(optarg, 0, LLONG_MAX, &o->user, "--user") == 0)
			have = 1;
		else if (ch == 'n')
			o->name = optarg;
		else if (ch != 'e' ||
			 parse_num(optarg, 1, 52560000, &o->expires_in, "--expires-in") != 0) {
			usage(stderr);
			return -1;
		}
	}
	if (!have) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* A personal access token the way Laravel's createToken() makes one: the
 * row holds the hex SHA-256 of the secret, the client gets "<id>|<secret>". */
static int
cmd_create_token(const struct config *cfg, int argc, char **argv)
{
	char secret[SANCTUM_SECRET_MAX + 1], hash[SANCTUM_HASH_HEX + 1];
	char now_s[UTIL_DATETIME_LEN + 1], exp_s[UTIL_DATETIME_LEN + 1];
	struct token_opts o;
	struct sql_args args;
	struct db_result res;
	time_t now = util_now();
	int len, rc = 1;

	if (token_options(argc, argv, &o) != 0)
		return 2;
	if (cfg->format != FORMAT_SANCTUM) {
		fprintf(stderr, "logout-fcgi-admin: create-token needs [token] format = sanctum\n");
		return 2;
	}
	if ((len = sanctum_new_secret(cfg->token_prefix, secret, sizeof(secret))) < 0) {
		fprintf(stderr, "logout-fcgi-admin: token_prefix is too long\n");
		return 1;
	}
	sanctum_hash_hex(secret, (size_t)len, hash);
	util_utc_datetime((long long)now, now_s);
	util_utc_datetime((long long)now + o.expires_in * 60, exp_s);
	memset(&args, 0, sizeof(args));
	args.v[SQLP_USER_ID] =
	    (struct sql_value){.kind = SQLV_UINT, .u = (unsigned long long)o.user};
	args.v[SQLP_TOKENABLE_TYPE] = (struct sql_value){
	    .kind = SQLV_STR, .ptr = cfg->tokenable_type, .len = strlen(cfg->tokenable_type)};
	args.v[SQLP_TOKEN_NAME] =
	    (struct sql_value){.kind = SQLV_STR, .ptr = o.name, .len = strlen(o.name)};
	args.v[SQLP_TOKEN_HASH] =
	    (struct sql_value){.kind = SQLV_STR, .ptr = hash, .len = SANCTUM_HASH_HEX};
	args.v[SQLP_NOW] = (struct sql_value){.kind = SQLV_STR, .ptr = now_s, .len = strlen(now_s)};
	if (o.expires_in > 0)
		args.v[SQLP_EXPIRES_AT] =
		    (struct sql_value){.kind = SQLV_STR, .ptr = exp_s, .len = strlen(exp_s)};
	if (exec_admin(cfg, ADMIN_STMT_CREATE_TOKEN, &args, &res) != 0)
		goto out;
	if (res.insert_id == 0) {
		fprintf(stderr, "logout-fcgi-admin: create_token gave no AUTO_INCREMENT id\n");
		goto out;
	}
	printf("user_id=%lld\ntoken_id=%llu\ntoken=%llu|%s\n", o.user, res.insert_id, res.insert_id,
	    secret);
	rc = 0;
out:
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

static int
cmd_force_logout(const struct config *cfg, int argc, char **argv)
{
	struct sql_args args;
	struct db_result res;
	char user[32];
	long long uid;

	if (user_option(argc, argv, &uid) != 0)
		return 2;
	snprintf(user, sizeof(user), "%lld", uid);
	memset(&args, 0, sizeof(args));
	args.v[SQLP_USER_ID] = (struct sql_value){.kind = SQLV_UINT, .u = (unsigned long long)uid};
	args.v[SQLP_SUB] = (struct sql_value){.kind = SQLV_STR, .ptr = user, .len = strlen(user)};
	args.v[SQLP_TOKENABLE_TYPE] = (struct sql_value){
	    .kind = SQLV_STR, .ptr = cfg->tokenable_type, .len = strlen(cfg->tokenable_type)};
	if (exec_admin(cfg, ADMIN_STMT_FORCE_LOGOUT, &args, &res) != 0)
		return 1;
	printf("sessions_ended=%llu\n", res.rows);
	return 0;
}

static int
cmd_gen_key(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"alg", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	unsigned char key[64];
	char out[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	enum key_alg alg = KEY_HS256;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'a' ||
		    (alg = keyring_alg_parse(optarg, strlen(optarg))) == KEY_ALG_NONE) {
			usage(stderr);
			return 2;
		}
	}
	randombytes_buf(key, keyring_alg_len(alg));
	sodium_bin2base64(
	    out, sizeof(out), key, keyring_alg_len(alg), sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof(key));
	printf("%s\n", out);
	return 0;
}

/* The table of configuration keys; tests/man/check holds the man page and
 * README to it. */
static int
cmd_keys(int argc)
{
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	options_print(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *path = getenv("LOGOUT_FCGI_CONFIG"), *cmd;
	struct config *cfg;
	char err[512];
	int i = 1, rc;

	/* Help and version need no config, no database and no libsodium. */
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("logout-fcgi-admin (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (sodium_init() < 0 || db_library_init() != 0)
		return 1;
	if (path == NULL || path[0] == '\0')
		path = CONFIG_PATH;
	if (argc > 2 && !strcmp(argv[1], "--config")) {
		path = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[i];
	/* Sub-command options start after its name. */
	argc -= i;
	argv += i;
	optind = 1;
	if (!strcmp(cmd, "gen-key"))
		return cmd_gen_key(argc, argv);
	if (!strcmp(cmd, "keys"))
		return cmd_keys(argc);
	if ((cfg = config_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "logout-fcgi-admin: %s\n", err);
		return 1;
	}
	if (!strcmp(cmd, "check-config")) {
		printf("%s: ok\n", path);
		rc = 0;
	} else if (!strcmp(cmd, "mint"))
		rc = cmd_mint(cfg, argc, argv);
	else if (!strcmp(cmd, "create-session"))
		rc = cmd_create_session(cfg, argc, argv);
	else if (!strcmp(cmd, "create-token"))
		rc = cmd_create_token(cfg, argc, argv);
	else if (!strcmp(cmd, "force-logout"))
		rc = cmd_force_logout(cfg, argc, argv);
	else {
		usage(stderr);
		rc = 2;
	}
	config_free(cfg);
	return rc;
}

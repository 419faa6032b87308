/* SPDX-License-Identifier: ISC */
/*
 * options.h — every configuration key as one row of a table: its section,
 * name, type and bounds, default, where its value goes, and a line of
 * documentation. The parser (config.c), `logout-fcgi-admin keys` and the
 * documentation checks (tests/man/check) all read the same rows, so a key
 * cannot be accepted without being documented, nor bounded in two places.
 */
#ifndef LOGOUT_OPTIONS_H
#define LOGOUT_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "keyring.h"
#include "sqlparam.h"
#include "stmts.h"

struct config;

/* [server] threads, which --threads overrides within the same bounds. */
#define OPTIONS_THREADS_MIN 1
#define OPTIONS_THREADS_MAX 256

/* A value kept as text while the file is read and resolved once all of it
 * is known: statements need the format, hosts the socket, secrets the
 * file's directory. */
struct opt_raw {
	char text[SQL_MAX_LEN];
	int line; /* where the file set it; 0 = the default */
	int set;  /* the file set it */
};

struct opt_raws {
	struct opt_raw hosts, password_file, password_env, default_key, rl_file;
	struct opt_raw user, group, listen_owner, listen_group, pid_file;
	/* [log] and [audit] syslog_socket: the path of a syslog target, whatever
	 * order target and syslog_socket come in */
	struct opt_raw log_socket, audit_socket;
	struct opt_raw sql[STMT_COUNT];
	struct opt_raw admin_sql[ADMIN_STMT_COUNT];
};

enum opt_type {
	OPT_STRING, /* char array */
	OPT_UINT,   /* unsigned int, min..max */
	OPT_INT,    /* int, min..max */
	OPT_LLONG,  /* long long, min..max */
	OPT_SIZE,   /* size_t, min..max */
	OPT_BOOL,   /* int 0/1 from yes/true/on/1, no/false/off/0 */
	OPT_CHOICE, /* int: the index of the word in choices, or values[index] */
	OPT_RAW,    /* struct opt_raw, resolved after the file is read */
	OPT_SPECIAL /* set() does what the others cannot */
};

/* Which structure off is an offset into. */
enum opt_dest { OPT_IN_CONFIG, OPT_IN_RAWS, OPT_IN_KEY };

/* Where rows write, and what a setter reports back. */
struct opt_target {
	struct config *cfg;
	struct opt_raws *raws;
	struct keyring_spec *key; /* the [key NAME] section being read */
	int line;		  /* of the value; 0 while defaults are applied */
	char *cont_dst;		  /* out: where an indented next line appends, or NULL */
	size_t cont_cap;
	char err[400]; /* out: the problem, without "FILE:LINE: " */
};

struct opt {
	const char *section; /* "key" for the rows of [key NAME] */
	const char *name;    /* NULL: the name of statement stmt (stmts.h) */
	enum opt_type type;
	enum opt_dest in;
	size_t off, size;
	long long min, max;
	const char *const *choices; /* OPT_CHOICE, NULL-terminated */
	const int *values;	    /* OPT_CHOICE: stored instead of the index; may be NULL */
	int (*set)(struct opt_target *t, const struct opt *o, void *dst, const char *value);
	/* numbers: a rule beyond min..max; 0, or -1 with t->err set */
	int (*check)(struct opt_target *t, const struct opt *o, long long n);
	int stmt;	   /* [sql] rows: the stmt_id, or the admin_stmt_id when admin */
	int admin;	   /* [sql] rows: an admin tool statement */
	const char *def;   /* the default as the file would spell it; NULL: none applied */
	const char *shown; /* the default column when def is NULL (resolved later) */
	const char *kind;  /* the type column when the type alone does not say it */
	const char *doc;
};

/* The key's name: row->name, or its statement's. */
const char *options_name(const struct opt *o);

/* The row of section.name ("key" for any [key NAME]), or NULL. */
const struct opt *options_find(const char *section, const char *name);

/* 1 when section is one of the table's (not "key NAME"). */
int options_section_known(const char *section);

/* Parse value into the row's destination. 0, or -1 with t->err set. */
int options_set(struct opt_target *t, const struct opt *o, const char *value);

/* Apply every row's default: of the main sections (key == 0), or of one
 * [key NAME] section (key != 0) into t->key. 0, or -1 with t->err set. */
int options_defaults(struct opt_target *t, int key);

/* One line per key: "section<TAB>name<TAB>type<TAB>default<TAB>doc". */
void options_print(FILE *fp);

#endif

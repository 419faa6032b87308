/* SPDX-License-Identifier: ISC */
/*
 * fcgi_main.c — the worker program: options, the configuration, the
 * listening socket, and then either one serving process (server.c) or the
 * pre-fork supervisor of --workers (supervisor.c).
 *
 * The socket comes, in this order, from systemd socket activation
 * (LISTEN_PID/LISTEN_FDS: fd 3), --listen (or [server] listen), or fd 0 as
 * spawn-fcgi, mod_fcgid and lighttpd hand it over.
 *
 * A start as root does what needs root first (the pid file, the socket
 * with its owner; config_load has read the secrets) and then switches to
 * [server] user for good, before the supervisor forks: nothing is served
 * as root unless allow_root says so (README, "Privileges and the
 * socket").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "ac_config.h"

#include <fcgiapp.h>
#include <sodium.h>

#include "config.h"
#include "db.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "options.h"
#include "pidfile.h"
#include "privs.h"
#include "runtime.h"
#include "server.h"
#include "supervisor.h"
#include "util.h"

/* Exit status of a start that finds its instance already running: the
 * socket path is live, or the pid file is locked (logout-fcgi(8), EXIT
 * STATUS). */
#define EXIT_RUNNING 3

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: logout-fcgi [--config PATH] [--threads N] [--workers N]\n"
	    "                   [--listen PATH|HOST:PORT] [--listen-owner USER]\n"
	    "                   [--listen-group GROUP] [--listen-mode MODE]\n"
	    "                   [--user USER] [--group GROUP] [--allow-root]\n"
	    "                   [--pid-file PATH] [--check-config [--connect]] [--version]\n"
	    "The config path defaults to $LOGOUT_FCGI_CONFIG, then %s.\n"
	    "See logout-fcgi(8) and logout-fcgi.conf(5).\n",
	    CONFIG_PATH);
}

/* The command line; NULL or -1: the file's setting. */
struct options {
	const char *config;
	const char *listen;
	const char *user, *group;
	const char *listen_owner, *listen_group;
	const char *pid_file;
	int listen_mode;
	int allow_root;
	int threads;
	int workers;
	int check_only;
	int connect;
};

enum { OPT_ALLOW_ROOT = 256, OPT_CONNECT };

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"threads", required_argument, NULL, 't'},
	    {"listen", required_argument, NULL, 'l'},
	    {"listen-owner", required_argument, NULL, 'U'},
	    {"listen-group", required_argument, NULL, 'G'},
	    {"listen-mode", required_argument, NULL, 'M'},
	    {"user", required_argument, NULL, 'u'},
	    {"group", required_argument, NULL, 'g'},
	    {"allow-root", no_argument, NULL, OPT_ALLOW_ROOT},
	    {"pid-file", required_argument, NULL, 'P'},
	    {"workers", required_argument, NULL, 'w'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"connect", no_argument, NULL, OPT_CONNECT},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned int mode;
	long long n;
	int ch;

	o->listen_mode = -1;
	/* mod_fcgid and lighttpd's bin-path set environment more easily than
	 * arguments. */
	if ((o->config = getenv("LOGOUT_FCGI_CONFIG")) == NULL || o->config[0] == '\0')
		o->config = CONFIG_PATH;
	while ((ch = getopt_long(argc, argv, "c:t:l:U:G:M:u:g:P:w:CVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 't':
			if (util_strtonum(optarg, OPTIONS_THREADS_MIN, OPTIONS_THREADS_MAX, &n) !=
			    0) {
				fprintf(stderr, "logout-fcgi: --threads must be %d to %d\n",
				    OPTIONS_THREADS_MIN, OPTIONS_THREADS_MAX);
				return -1;
			}
			o->threads = (int)n;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'U':
			o->listen_owner = optarg;
			break;
		case 'G':
			o->listen_group = optarg;
			break;
		case 'M':
			if (util_parse_mode(optarg, &mode) != 0) {
				fprintf(stderr,
				    "logout-fcgi: --listen-mode must be an octal mode from 0 to "
				    "0777\n");
				return -1;
			}
			o->listen_mode = (int)mode;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case OPT_ALLOW_ROOT:
			o->allow_root = 1;
			break;
		case 'P':
			o->pid_file = optarg;
			break;
		case 'w':
			if (util_strtonum(optarg, 1, 256, &n) != 0) {
				fprintf(stderr, "logout-fcgi: --workers must be 1 to 256\n");
				return -1;
			}
			o->workers = (int)n;
			break;
		case 'C':
			o->check_only = 1;
			break;
		case OPT_CONNECT:
			o->connect = 1;
			break;
		case 'V':
			printf("logout-fcgi (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || (o->connect && !o->check_only)) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* --check-config --connect: each problem db_check finds, as one line
 * that names the configuration line to fix. arg: the config. */
static void
report_problem(void *arg, const struct db_problem *p)
{
	const struct config *c = arg;
	char on[CONFIG_STR_MAX + 16] = "";

	if (c->db_socket[0] == '\0' && c->nhosts > 1)
		snprintf(on, sizeof(on), " (on %s)", p->where);
	switch (p->stmt) {
	case DB_CHECK_CONNECT:
		fprintf(stderr, "logout-fcgi: %s: cannot connect to DB %s as %s: %s\n", c->path,
		    p->where, c->db_user[0] ? c->db_user : "the default user", p->message);
		break;
	case DB_CHECK_SESSION:
		fprintf(stderr, "logout-fcgi: %s: [database] settings refused on %s: %s\n", c->path,
		    p->where, p->message);
		break;
	case DB_CHECK_BATCH:
		fprintf(stderr, "logout-fcgi: %s: [server] batch: the batched statement%s: %s\n",
		    c->path, on, p->message);
		break;
	default:
		if (c->stmt_lines[p->stmt] > 0)
			fprintf(stderr, "logout-fcgi: %s:%d: [sql] %s%s: %s\n", c->path,
			    c->stmt_lines[p->stmt], stmts_name((enum stmt_id)p->stmt), on,
			    p->message);
		else
			fprintf(stderr, "logout-fcgi: %s: [sql] %s (built-in)%s: %s\n", c->path,
			    stmts_name((enum stmt_id)p->stmt), on, p->message);
	}
}

/* --check-config: what the file names can be opened (and with --connect,
 * the database takes the credentials and the statements). */
static int
check_config(struct config *cfg, const struct options *opt)
{
	struct db *db = NULL;
	char err[512];
	int rc = 1;

	/* The log targets too, without creating a missing file. */
	if (log_check(&cfg->log_sink, &cfg->audit_sink, err, sizeof(err)) != 0 ||
	    runtime_check(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "logout-fcgi: %s\n", err);
		goto fail;
	}
	if (opt->connect) {
		if ((db = db_open(cfg, 0)) == NULL) {
			fprintf(stderr, "logout-fcgi: out of memory\n");
			goto fail;
		}
		if (db_check(db, report_problem, cfg) != 0)
			goto fail;
	}
	printf("%s: ok\n", opt->config);
	rc = 0;
fail:
	db_close(db);
	config_free(cfg);
	return rc;
}

/* An option, else the file's setting ("" when neither). */
static const char *
either(const char *option, const char *file)
{
	return option != NULL ? option : file;
}

/* Who may connect to a unix socket the worker makes: listen_owner and
 * listen_group, else (when the start switches user) the user and group
 * it serves as, so that the web server's group is all the socket needs. */
static int
socket_perm(const struct config *cfg, const struct options *opt, const struct privs *pv,
    struct listener_perm *perm, char *err, size_t errlen)
{
	const char *owner = either(opt->listen_owner, cfg->listen_owner);
	const char *group = either(opt->listen_group, cfg->listen_group);
	gid_t unused;

	perm->mode = opt->listen_mode >= 0 ? (mode_t)opt->listen_mode : (mode_t)cfg->listen_mode;
	perm->uid = pv->drop ? pv->uid : (uid_t)-1;
	perm->gid = pv->drop ? pv->gid : (gid_t)-1;
	if (owner[0] != '\0' && privs_user(owner, &perm->uid, &unused, err, errlen) != 0)
		return -1;
	if (group[0] != '\0' && privs_group(group, &perm->gid, err, errlen) != 0)
		return -1;
	return 0;
}

/* Everything from the pid file to serving; the exit status. */
static int
serve(struct config *cfg, const struct options *opt)
{
	const char *pid_file = either(opt->pid_file, cfg->pid_file);
	struct listener_perm perm;
	struct privs pv;
	char err[512];
	int fd, rc = 1, nthreads = opt->threads ? opt->threads : cfg->threads;

	/* Once, before any thread or worker process exists (they inherit the
	 * sinks), and as root: a file target in a root-only directory opens. */
	if (log_open(&cfg->log_sink, cfg->log_level, &cfg->audit_sink, err, sizeof(err)) != 0) {
		fprintf(stderr, "logout-fcgi: %s\n", err);
		config_free(cfg);
		return 1;
	}
	if (privs_plan(either(opt->user, cfg->run_user), either(opt->group, cfg->run_group),
		opt->allow_root || cfg->allow_root, geteuid(), getegid(), &pv, err,
		sizeof(err)) != 0 ||
	    socket_perm(cfg, opt, &pv, &perm, err, sizeof(err)) != 0) {
		log_err("%s", err);
		config_free(cfg);
		return 1;
	}
	if (pid_file[0] != '\0' && pidfile_open(pid_file, err, sizeof(err)) != 0) {
		rc = errno == EEXIST ? EXIT_RUNNING : 1;
		log_err("%s", err);
		config_free(cfg);
		return rc;
	}
	if (FCGX_Init() != 0) {
		log_err("cannot initialise libfcgi");
		goto fail;
	}
	if ((fd = listener_open(either(opt->listen, cfg->listen), &perm, err, sizeof(err))) < 0) {
		if (errno == EADDRINUSE)
			rc = EXIT_RUNNING;
		log_err("%s", err);
		goto fail;
	}
	/* Root's part is done: from here on, only what the user may do. The
	 * limiter is checked again as the user, before any worker needs it. */
	if ((pv.drop && runtime_hand_over(cfg, pv.uid, pv.gid, err, sizeof(err)) != 0) ||
	    privs_drop(&pv, err, sizeof(err)) != 0 || runtime_check(cfg, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto fail;
	}
	if (pv.drop)
		log_info("serving as uid %ld, gid %ld", (long)pv.uid, (long)pv.gid);
	if (opt->workers > 0)
		rc = supervisor_run(cfg, opt->config, fd, opt->workers, nthreads);
	else
		rc = server_run(cfg, opt->config, fd, nthreads);
	/* A clean stop leaves no socket or pid file behind (a successor's
	 * stay). */
	if (rc == 0) {
		listener_remove();
		pidfile_remove();
	}
	return rc;
fail:
	listener_remove();
	pidfile_remove();
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options opt = {0};
	struct config *cfg;
	char err[512];

	if (parse_options(argc, argv, &opt) != 0)
		return 2;
	notify_init();
	if (sodium_init() < 0 || db_library_init() != 0) {
		log_err("cannot initialise libsodium or the MariaDB client");
		return 1;
	}
	if ((cfg = config_load(opt.config, err, sizeof(err))) == NULL) {
		fprintf(stderr, "logout-fcgi: %s\n", err);
		return 1;
	}
	if (opt.check_only)
		return check_config(cfg, &opt);
	return serve(cfg, &opt);
}

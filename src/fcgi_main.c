/* SPDX-License-Identifier: ISC */
/*
 * fcgi_main.c — the worker program: options, the configuration, the
 * listening socket, and then either one serving process (server.c) or the
 * pre-fork supervisor of --workers (supervisor.c).
 *
 * The socket comes, in this order, from systemd socket activation
 * (LISTEN_PID/LISTEN_FDS: fd 3), --listen (or [server] listen), or fd 0 as
 * spawn-fcgi, mod_fcgid and lighttpd hand it over.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
#include "runtime.h"
#include "server.h"
#include "supervisor.h"
#include "util.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: logout-fcgi [--config PATH] [--threads N] [--workers N]\n"
	    "                   [--listen PATH|HOST:PORT] [--check-config] [--version]\n"
	    "The config path defaults to $LOGOUT_FCGI_CONFIG, then %s.\n"
	    "See logout-fcgi(8) and logout-fcgi.conf(5).\n",
	    CONFIG_PATH);
}

struct options {
	const char *config;
	const char *listen;
	int threads;
	int workers;
	int check_only;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"threads", required_argument, NULL, 't'},
	    {"listen", required_argument, NULL, 'l'},
	    {"workers", required_argument, NULL, 'w'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long long n;
	int ch;

	/* mod_fcgid and lighttpd's bin-path set environment more easily than
	 * arguments. */
	if ((o->config = getenv("LOGOUT_FCGI_CONFIG")) == NULL || o->config[0] == '\0')
		o->config = CONFIG_PATH;
	while ((ch = getopt_long(argc, argv, "c:t:l:w:CVh", longopts, NULL)) != -1) {
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
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt = {0};
	struct config *cfg;
	char err[512];
	int fd, nthreads, rc;

	if (parse_options(argc, argv, &opt) != 0)
		return 2;
	notify_init();
	if (sodium_init() < 0 || db_library_init() != 0) {
		log_err("cannot initialise libsodium or the MariaDB client");
		return 1;
	}
	if ((cfg = config_load(opt.config, err, sizeof(err))) == NULL ||
	    runtime_check(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "logout-fcgi: %s\n", err);
		config_free(cfg);
		return 1;
	}
	if (opt.check_only) {
		/* The log targets too, without creating a missing file. */
		if (log_check(&cfg->log_sink, &cfg->audit_sink, err, sizeof(err)) != 0) {
			fprintf(stderr, "logout-fcgi: %s\n", err);
			config_free(cfg);
			return 1;
		}
		printf("%s: ok\n", opt.config);
		config_free(cfg);
		return 0;
	}
	/* Once, before any thread or worker process exists: they inherit them. */
	if (log_open(&cfg->log_sink, cfg->log_level, &cfg->audit_sink, err, sizeof(err)) != 0) {
		fprintf(stderr, "logout-fcgi: %s\n", err);
		config_free(cfg);
		return 1;
	}
	nthreads = opt.threads ? opt.threads : cfg->threads;
	if (FCGX_Init() != 0) {
		log_err("cannot initialise libfcgi");
		config_free(cfg);
		return 1;
	}
	if ((fd = listener_open(opt.listen ? opt.listen : cfg->listen, NULL, err, sizeof(err))) < 0) {
		log_err("%s", err);
		config_free(cfg);
		return 1;
	}
	if (opt.workers > 0)
		rc = supervisor_run(cfg, opt.config, fd, opt.workers, nthreads);
	else
		rc = server_run(cfg, opt.config, fd, nthreads);
	/* A clean stop leaves no socket file behind (a successor's stays). */
	if (rc == 0)
		listener_remove();
	return rc;
}

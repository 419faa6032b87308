/* SPDX-License-Identifier: ISC */
/*
 * handlers.h — what each route does with an exchange (exchange.h): check
 * what the params alone decide, authenticate the bearer, apply the rate
 * limit, run the statements through the exchange's database handle and
 * batcher, and write the outcome. The web server's side (reading params
 * and the body, sending the answer) is server.c's.
 */
#ifndef LOGOUT_HANDLERS_H
#define LOGOUT_HANDLERS_H

#include <pthread.h>
#include <stdatomic.h>

#include "exchange.h"
#include "request.h"

/* The health route's last database check, shared by a process's threads:
 * the database is pinged at most once a second per process, whatever the
 * rate of probes, and a probe that comes while another pings answers with
 * the previous result instead of waiting behind it. */
struct health {
	pthread_mutex_t mu;	 /* held while pinging */
	atomic_llong checked_ms; /* monotonic; 0: never */
	atomic_int ok;
};
#define HEALTH_INIT {PTHREAD_MUTEX_INITIALIZER, 0, 0}
#define HEALTH_MAX_AGE_MS 1000

/* What the params decide for any route: 404 (no route, or not in
 * [server] endpoints), 405, 400 for a bad CONTENT_LENGTH, 413 by
 * CONTENT_LENGTH. 0 when the request may go on; -1 with the outcome
 * final. */
int handler_precheck(struct exchange *x, enum request_err perr);

/* The route's action (x->route->handle), once the body was read. */
void handler_run(struct exchange *x);

/* The actions of the route table's rows (routes.c). */
void handler_logout(struct exchange *x);
void handler_logout_all(struct exchange *x);
void handler_health(struct exchange *x);
void handler_metrics(struct exchange *x);
void handler_verify(struct exchange *x);
void handler_logout_others(struct exchange *x);

#endif

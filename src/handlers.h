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

#include "exchange.h"
#include "request.h"

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
void handler_verify(struct exchange *x);
void handler_logout_others(struct exchange *x);

#endif

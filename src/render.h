/* SPDX-License-Identifier: ISC */
/*
 * render.h — a response value to the bytes of a CGI response: Status line,
 * headers every response carries, and the body in the configured style
 * (envelope, fastapi, laravel: README, "Compatibility").
 * Reads the outcome only; writes into a caller buffer, never allocates.
 */
#ifndef LOGOUT_RENDER_H
#define LOGOUT_RENDER_H

#include <stddef.h>

#include "reason.h"

struct config;
struct outcome;
struct route;

/* HTTP status the outcome will carry. */
int render_status(const struct config *cfg, const struct outcome *o);

/* The machine code, e.g. "UNAUTHORIZED". */
const char *render_code(enum http_error err);

/* Full CGI response into buf; returns its length, or -1 if cap is short
 * (or a gate's user or session would not be a safe header value).
 * route: the request's (its methods make a 405's Allow header), or NULL.
 * A HEAD request's answer has the headers without the body. An outcome
 * with a body of its own (o->body) gets only the head here: see
 * render_tail. */
int render_response(const struct config *cfg, const struct route *route, const struct outcome *o,
    const char *trace_id, char *buf, size_t cap);

/* What to send after render_response's bytes: the outcome's own body
 * (len bytes), or NULL for nothing. */
const char *render_tail(const struct outcome *o, size_t *len);

#endif

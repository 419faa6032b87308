/* SPDX-License-Identifier: ISC */
/*
 * routes.c — the route table (README, "The endpoint contract").
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "handlers.h"
#include "routes.h"

/* The gate answers for every request of the API: it reads nothing it does
 * not need, writes nothing, is not rate limited (the requests it guards
 * are the API's, not logouts) and logs only what it refuses. */
#define GATE (ROUTE_NO_BODY | ROUTE_UNLIMITED | ROUTE_NO_WRITE | ROUTE_QUIET)

static const struct route routes[ROUTE_COUNT] = {
    [ROUTE_LOGOUT] = {ROUTE_LOGOUT, "logout", "/logout", METHOD_POST, RESP_LOGOUT_OK, 1,
	STMT_LOGOUT, handler_logout, 0},
    [ROUTE_LOGOUT_ALL] = {ROUTE_LOGOUT_ALL, "logout-all", "/logout-all", METHOD_POST,
	RESP_LOGOUT_ALL_OK, 1, STMT_LOGOUT_ALL, handler_logout_all, 0},
    [ROUTE_VERIFY] = {ROUTE_VERIFY, "verify", "/verify", METHOD_ANY, RESP_VERIFY_OK, 0, STMT_VERIFY,
	handler_verify, GATE},
    [ROUTE_LOGOUT_OTHERS] = {ROUTE_LOGOUT_OTHERS, "logout-others", "/logout-others", METHOD_POST,
	RESP_LOGOUT_OTHERS_OK, 0, STMT_LOGOUT_OTHERS, handler_logout_others, 0},
};

const char *
routes_suffix(const struct route *r, const struct config *cfg)
{
	if (r->id == ROUTE_VERIFY && cfg->verify_path[0] != '\0')
		return cfg->verify_path;
	return r->suffix;
}

const struct route *
routes_match(const char *path, const struct config *cfg)
{
	size_t plen = strlen(cfg->path_prefix);
	int i;

	if (strncmp(path, cfg->path_prefix, plen) != 0)
		return NULL;
	path += plen;
	for (i = 0; i < ROUTE_COUNT; i++)
		if (!strcmp(path, routes_suffix(&routes[i], cfg)))
			return &routes[i];
	return NULL;
}

const struct route *
routes_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < ROUTE_COUNT; i++)
		if (strlen(routes[i].name) == len && !strncmp(name, routes[i].name, len))
			return &routes[i];
	return NULL;
}

const struct route *
routes_get(enum route_id id)
{
	return (unsigned)id < ROUTE_COUNT ? &routes[id] : NULL;
}

/* "logout or logout-all": every route's name, for messages. */
static void
name_list(char *buf, size_t cap)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < ROUTE_COUNT; i++) {
		if (i > 0)
			strncat(buf, i == ROUTE_COUNT - 1 ? " or " : ", ", cap - strlen(buf) - 1);
		strncat(buf, routes[i].name, cap - strlen(buf) - 1);
	}
}

int
routes_parse_names(const char *value, unsigned int *bits, char *err, size_t errlen)
{
	const struct route *r;
	const char *p = value;
	char names[128];
	size_t len;

	*bits = 0;
	name_list(names, sizeof(names));
	while (*p != '\0') {
		p += strspn(p, " ,");
		if ((len = strcspn(p, " ,")) == 0)
			break;
		if ((r = routes_by_name(p, len)) == NULL) {
			snprintf(err, errlen, "\"%.*s\" is not %s", (int)len, p, names);
			return -1;
		}
		*bits |= ROUTE_BIT(r->id);
		p += len;
	}
	if (*bits == 0) {
		snprintf(err, errlen, "name at least one of %s", names);
		return -1;
	}
	return 0;
}

unsigned int
routes_default_bits(void)
{
	unsigned int bits = 0;
	int i;

	for (i = 0; i < ROUTE_COUNT; i++)
		if (routes[i].on_by_default)
			bits |= ROUTE_BIT(i);
	return bits;
}

unsigned int
routes_method(const char *method)
{
	if (method == NULL)
		return 0;
	if (!strcmp(method, "POST"))
		return METHOD_POST;
	if (!strcmp(method, "GET"))
		return METHOD_GET;
	if (!strcmp(method, "HEAD"))
		return METHOD_HEAD;
	return 0;
}

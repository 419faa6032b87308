/* SPDX-License-Identifier: ISC */
/*
 * routes.c — the route table (README, "The endpoint contract").
 */
#include <string.h>

#include "handlers.h"
#include "routes.h"

static const struct route routes[ROUTE_COUNT] = {
    [ROUTE_LOGOUT] = {ROUTE_LOGOUT, "logout", "/logout", METHOD_POST, RESP_LOGOUT_OK,
	handler_logout},
    [ROUTE_LOGOUT_ALL] = {ROUTE_LOGOUT_ALL, "logout-all", "/logout-all", METHOD_POST,
	RESP_LOGOUT_ALL_OK, handler_logout_all},
};

const struct route *
routes_match(const char *path, const char *prefix)
{
	size_t plen = strlen(prefix);
	int i;

	if (strncmp(path, prefix, plen) != 0)
		return NULL;
	path += plen;
	for (i = 0; i < ROUTE_COUNT; i++)
		if (!strcmp(path, routes[i].suffix))
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

/* SPDX-License-Identifier: ISC */
/*
 * routes.c — the route table (README, "The endpoint contract", "Health
 * and metrics" and "Protecting the whole API").
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "handlers.h"
#include "routes.h"

/* The offset of a char array of struct config (a compile error for a
 * field of another type). */
#define ROUTE_PATH_KEY(fld)                                                                     \
	(offsetof(struct config, fld) + 0 * sizeof(_Generic(((struct config *)0)->fld, char *: 1)))

/* The gate answers for every request of the API: it reads nothing it does
 * not need, writes nothing, is not rate limited (the requests it guards
 * are the API's, not logouts) and logs only what it refuses. */
#define GATE (ROUTE_NO_BODY | ROUTE_UNLIMITED | ROUTE_NO_WRITE | ROUTE_QUIET)
/* The operator's routes read no body and write nothing. */
#define PROBE (ROUTE_NO_BODY | ROUTE_UNLIMITED | ROUTE_NO_WRITE)

static const struct route routes[ROUTE_COUNT] = {
    [ROUTE_LOGOUT] = {.id = ROUTE_LOGOUT, .name = "logout", .suffix = "/logout",
	.methods = METHOD_POST, .ok = RESP_LOGOUT_OK, .on_by_default = 1, .bearer = 1,
	.audited = 1, .stmt = STMT_LOGOUT, .handle = handler_logout},
    [ROUTE_LOGOUT_ALL] = {.id = ROUTE_LOGOUT_ALL, .name = "logout-all", .suffix = "/logout-all",
	.methods = METHOD_POST, .ok = RESP_LOGOUT_ALL_OK, .on_by_default = 1, .bearer = 1,
	.audited = 1, .stmt = STMT_LOGOUT_ALL, .handle = handler_logout_all},
    /* For the operator's tools, not the API's clients: no token, no rate
     * limit, no audit line (a probe every few seconds would drown the
     * trail of logouts). */
    [ROUTE_HEALTH] = {.id = ROUTE_HEALTH, .name = "health",
	.path_key = ROUTE_PATH_KEY(health_path), .methods = METHOD_GET | METHOD_HEAD,
	.ok = RESP_HEALTH_OK, .stmt = STMT_COUNT, .handle = handler_health, .flags = PROBE},
    [ROUTE_METRICS] = {.id = ROUTE_METRICS, .name = "metrics",
	.path_key = ROUTE_PATH_KEY(metrics_path), .methods = METHOD_GET | METHOD_HEAD,
	.ok = RESP_METRICS, .stmt = STMT_COUNT, .handle = handler_metrics, .flags = PROBE},
    [ROUTE_VERIFY] = {.id = ROUTE_VERIFY, .name = "verify", .suffix = "/verify",
	.methods = METHOD_ANY, .ok = RESP_VERIFY_OK, .bearer = 1, .audited = 1,
	.stmt = STMT_VERIFY, .handle = handler_verify, .flags = GATE},
    [ROUTE_LOGOUT_OTHERS] = {.id = ROUTE_LOGOUT_OTHERS, .name = "logout-others",
	.suffix = "/logout-others", .methods = METHOD_POST, .ok = RESP_LOGOUT_OTHERS_OK,
	.bearer = 1, .audited = 1, .stmt = STMT_LOGOUT_OTHERS, .handle = handler_logout_others},
};

const char *
routes_suffix(const struct route *r, const struct config *cfg)
{
	if (r->suffix == NULL)
		return NULL;
	if (r->id == ROUTE_VERIFY && cfg->verify_path[0] != '\0')
		return cfg->verify_path;
	return r->suffix;
}

const char *
routes_config_path(const struct route *r, const struct config *cfg)
{
	return r->suffix != NULL ? NULL : (const char *)cfg + r->path_key;
}

const struct route *
routes_match(const char *path, const struct config *cfg)
{
	size_t plen = strlen(cfg->path_prefix);
	const char *own;
	int i;

	for (i = 0; i < ROUTE_COUNT; i++)
		if ((own = routes_config_path(&routes[i], cfg)) != NULL && own[0] != '\0' &&
		    !strcmp(path, own))
			return &routes[i];
	if (strncmp(path, cfg->path_prefix, plen) != 0)
		return NULL;
	path += plen;
	for (i = 0; i < ROUTE_COUNT; i++)
		if (routes[i].suffix != NULL && !strcmp(path, routes_suffix(&routes[i], cfg)))
			return &routes[i];
	return NULL;
}

int
routes_served(const struct route *r, const struct config *cfg)
{
	const char *own = routes_config_path(r, cfg);

	return own != NULL ? own[0] != '\0' : (cfg->endpoints & ROUTE_BIT(r->id)) != 0;
}

int
routes_check(const struct config *cfg, char *err, size_t errlen)
{
	const char *own, *other;
	char path[2 * CONFIG_STR_MAX];
	int i, j;

	for (i = 0; i < ROUTE_COUNT; i++) {
		if ((own = routes_config_path(&routes[i], cfg)) == NULL || own[0] == '\0')
			continue;
		for (j = 0; j < ROUTE_COUNT; j++) {
			if (j == i || !routes_served(&routes[j], cfg))
				continue;
			if ((other = routes_config_path(&routes[j], cfg)) == NULL) {
				snprintf(path, sizeof(path), "%s%s", cfg->path_prefix,
				    routes_suffix(&routes[j], cfg));
				other = path;
			}
			if (!strcmp(own, other)) {
				snprintf(err, errlen,
				    "the %s endpoint and the %s endpoint are both at %s",
				    routes[i].name, routes[j].name, own);
				return -1;
			}
		}
	}
	return 0;
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

/* "logout or logout-all": the names [server] endpoints takes, for
 * messages. */
static void
name_list(char *buf, size_t cap)
{
	int i, n = 0, last = 0;

	for (i = 0; i < ROUTE_COUNT; i++)
		if (routes[i].suffix != NULL)
			last = i;
	buf[0] = '\0';
	for (i = 0; i < ROUTE_COUNT; i++) {
		if (routes[i].suffix == NULL)
			continue;
		if (n++ > 0)
			strncat(buf, i == last ? " or " : ", ", cap - strlen(buf) - 1);
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
		if ((r = routes_by_name(p, len)) == NULL || r->suffix == NULL) {
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

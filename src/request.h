/* SPDX-License-Identifier: ISC */
/*
 * request.h — FastCGI params to one normalized request: method, route,
 * the headers we use, and the trace id (the client's X-Request-Id when it
 * is a UUID, else a fresh random one). No I/O besides the param getter,
 * so it can be fuzzed without a web server. The three web servers disagree on
 * SCRIPT_NAME / PATH_INFO / DOCUMENT_URI / REQUEST_URI: the path is
 * computed here, in one place.
 */
#ifndef LOGOUT_REQUEST_H
#define LOGOUT_REQUEST_H

#include <stddef.h>

#include "routes.h"

struct config;

#define REQUEST_PATH_MAX 1024
#define REQUEST_UA_MAX	 256
#define REQUEST_IP_MAX	 64
#define TRACE_ID_LEN	 36

struct request {
	const struct route *route; /* NULL: the path names none (404) */
	unsigned int method;	   /* a METHOD_* bit; 0 for any other method */
	int authorizer;		   /* FastCGI role AUTHORIZER: the gate, whatever the path */
	long long content_length;  /* -1 when the server sent none */
	const char *authorization; /* NULL when absent; points into params */
	const char *content_type;  /* NULL when absent */
	char client_ip[REQUEST_IP_MAX];
	char user_agent[REQUEST_UA_MAX]; /* truncated copy, for audit only */
	char trace_id[TRACE_ID_LEN + 1];
	char path[REQUEST_PATH_MAX];
};

typedef const char *(*request_getter)(void *ctx, const char *name);

enum request_err {
	REQUEST_OK = 0,
	REQUEST_EBADLENGTH, /* CONTENT_LENGTH not a number (400) */
};

enum request_err request_parse(
    struct request *r, const struct config *cfg, request_getter get, void *ctx);

/* 1 if s is a well-formed UUID (8-4-4-4-12 hex). */
int request_uuid_valid(const char *s);

/* A fresh random UUIDv4 into out (TRACE_ID_LEN + 1 bytes). */
void request_uuid_new(char *out);

/* 1 when the media type is application/json (parameters allowed). */
int request_is_json(const char *content_type);

#endif

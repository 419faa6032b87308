/* SPDX-License-Identifier: ISC */
/*
 * sqlparam.c — compile ":name" parameters into '?' placeholders. A small
 * scanner that knows where SQL text is not code (quoted strings, quoted
 * identifiers, comments), so a ':' there is left alone.
 */
#include <stdio.h>
#include <string.h>

#include "sqlparam.h"

static const char *const names[SQLP_COUNT] = {
    [SQLP_SUB] = "sub",
    [SQLP_USER_ID] = "user_id",
    [SQLP_SID] = "sid",
    [SQLP_SID_HASH] = "sid_hash",
    [SQLP_JTI] = "jti",
    [SQLP_JTI_HASH] = "jti_hash",
    [SQLP_REFRESH_JTI_HASH] = "refresh_jti_hash",
    [SQLP_REFRESH_SID_HASH] = "refresh_sid_hash",
    [SQLP_TOKEN_ID] = "token_id",
    [SQLP_CLIENT_IP] = "client_ip",
    [SQLP_USER_AGENT] = "user_agent",
    [SQLP_TRACE_ID] = "trace_id",
    [SQLP_TOKENABLE_TYPE] = "tokenable_type",
    [SQLP_NOW] = "now",
    [SQLP_CREATED_AFTER] = "created_after",
    [SQLP_EXPIRES_AT] = "expires_at",
    [SQLP_TOKEN_HASH] = "token_hash",
    [SQLP_TOKEN_NAME] = "token_name",
    [SQLP_EXP] = "exp",
};

const char *
sqlparam_name(enum sql_param p)
{
	return (unsigned)p < SQLP_COUNT ? names[p] : "?";
}

static int
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int
lookup(const char *s, size_t len)
{
	int i;

	for (i = 0; i < SQLP_COUNT; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

/* Length of the quoted run starting at s[0] (a quote char), -1 if open.
 * Backslash escapes and doubled quotes both stay inside the run. */
static long
quoted_len(const char *s)
{
	char q = s[0];
	size_t i = 1;

	for (;;) {
		if (s[i] == '\0')
			return -1;
		if (s[i] == '\\' && q != '`' && s[i + 1] != '\0') {
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (s[i + 1] == q) {
				i += 2;
				continue;
			}
			return (long)i + 1;
		}
		i++;
	}
}

/* Length of a comment starting at s, 0 if none, -1 if unterminated. */
static long
comment_len(const char *s)
{
	const char *e;

	if ((s[0] == '-' && s[1] == '-' && (s[2] == ' ' || s[2] == '\t' || s[2] == '\n')) ||
	    s[0] == '#') {
		e = strchr(s, '\n');
		return e ? e - s + 1 : (long)strlen(s);
	}
	if (s[0] == '/' && s[1] == '*') {
		if ((e = strstr(s + 2, "*/")) == NULL)
			return -1;
		return e - s + 2;
	}
	return 0;
}

int
sqlparam_compile(const char *src, struct sql_text *out, char *err, size_t errlen)
{
	size_t o = 0;
	const char *p = src;

	memset(out, 0, sizeof(*out));
	while (*p != '\0') {
		long run = 0;
		size_t n;

		if (*p == '\'' || *p == '"' || *p == '`') {
			if ((run = quoted_len(p)) < 0)
				goto unterminated;
		} else if ((run = comment_len(p)) < 0)
			goto unterminated;
		if (run > 0) {
			if (o + (size_t)run >= sizeof(out->sql))
				goto toolong;
			memcpy(out->sql + o, p, (size_t)run);
			o += (size_t)run;
			p += run;
			continue;
		}
		if (*p == ':' && is_ident(p[1])) {
			int id;

			for (n = 1; is_ident(p[n]); n++)
				;
			if ((id = lookup(p + 1, n - 1)) < 0) {
				snprintf(err, errlen, "unknown SQL parameter \":%.*s\"",
				    (int)(n - 1), p + 1);
				return -1;
			}
			if (out->nparams == SQL_MAX_PARAMS) {
				snprintf(
				    err, errlen, "more than %d SQL parameters", SQL_MAX_PARAMS);
				return -1;
			}
			if (o + 1 >= sizeof(out->sql))
				goto toolong;
			out->params[out->nparams++] = (enum sql_param)id;
			out->used |= 1u << id;
			out->sql[o++] = '?';
			p += n;
			continue;
		}
		if (*p == '?') {
			snprintf(err, errlen, "positional '?' placeholder: use named parameters");
			return -1;
		}
		if (o + 1 >= sizeof(out->sql))
			goto toolong;
		out->sql[o++] = *p++;
	}
	out->sql[o] = '\0';
	return 0;
unterminated:
	snprintf(err, errlen, "unterminated quote or comment in SQL");
	return -1;
toolong:
	snprintf(err, errlen, "SQL longer than %d bytes", SQL_MAX_LEN - 1);
	return -1;
}

/* SPDX-License-Identifier: ISC */
/*
 * jsonparse.c — json-c behind strict flags, plus the one check json-c cannot
 * make: it silently keeps the last of two equal member names, so the
 * top-level members are counted on the raw text and compared.
 */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "jsonparse.h"
#include "util.h"

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the literal at s if it is true, false or null, else 0. */
static size_t
literal_len(const char *s, size_t n)
{
	static const char *const words[] = {"true", "false", "null"};
	size_t i, k;

	for (i = 0; i < 3; i++) {
		k = strlen(words[i]);
		if (n >= k && memcmp(s, words[i], k) == 0)
			return k;
	}
	return 0;
}

/*
 * Check the text against RFC 8259 where json-c's strict mode is lax
 * (single-quoted strings, NaN, Infinity, raw control characters inside
 * strings) and count the
 * members of the top-level object: commas at depth 1, plus one. Returns -1
 * for text that is not plain JSON.
 */
static long
scan_top_members(const char *buf, size_t len)
{
	size_t i, commas = 0, depth = 0, k;
	int in_str = 0, any = 0;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			/* RFC 8259 §7: control characters must be escaped in
			 * strings; json-c's strict mode lets them through. */
			if ((unsigned char)c < 0x20)
				return -1;
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			if (depth == 1)
				any = 1;
		} else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		else if (c == ',') {
			if (depth == 1)
				commas++;
		} else if ((k = literal_len(buf + i, len - i)) > 0)
			i += k - 1;
		else if (strchr(" \t\r\n:-+.eE0123456789", c) == NULL || c == '\0')
			return -1;
	}
	return any ? (long)commas + 1 : 0;
}

static locale_t c_locale_obj;

static void
make_c_locale(void)
{
	c_locale_obj = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/*
 * json-c parses every text under a copy of the thread's locale with
 * LC_NUMERIC "C" (duplocale, newlocale, freelocale), which in glibc
 * allocates and takes the process-wide locale lock each time: every
 * thread parses the tokens of every request. From the static "C" locale
 * object those calls return at once. The program never calls setlocale,
 * so its locale is "C" already and nothing else changes. (locale_t)0 when
 * there is none: json-c then does as it did.
 */
static locale_t
c_locale(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, make_c_locale);
	return c_locale_obj;
}

/* json_tokener_parse_ex under the "C" locale object (c_locale). */
static struct json_object *
parse_in_c(struct json_tokener *tok, const char *buf, int len)
{
	locale_t c = c_locale(), prev = (locale_t)0;
	struct json_object *obj;

	if (c != (locale_t)0)
		prev = uselocale(c);
	obj = json_tokener_parse_ex(tok, buf, len);
	if (c != (locale_t)0)
		uselocale(prev);
	return obj;
}

enum jsonparse_err
jsonparse_strict(const char *buf, size_t len, int max_depth, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj = NULL;
	size_t end;
	long members;

	*out = NULL;
	while (len > 0 && is_ws(buf[len - 1]))
		len--;
	if (len == 0 || len > (size_t)INT32_MAX)
		return JSONPARSE_EINVALID;
	/* json-c checks only the byte structure of UTF-8; RFC 8259 text must
	 * be well-formed, so overlong forms and surrogates are refused here. */
	if (!util_utf8_valid(buf, len))
		return JSONPARSE_EINVALID;
	if ((tok = json_tokener_new_ex(max_depth)) == NULL)
		return JSONPARSE_EINVALID;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = parse_in_c(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A number or literal at the very end may continue for all json-c
	 * knows: the terminating NUL tells it the text is over. */
	if (obj == NULL && json_tokener_get_error(tok) == json_tokener_continue && end == len)
		obj = parse_in_c(tok, "", 1);
	/* Success with obj NULL is the literal null: json-c has no object for it. */
	if (json_tokener_get_error(tok) != json_tokener_success || end != len) {
		json_tokener_free(tok);
		json_object_put(obj);
		return JSONPARSE_EINVALID;
	}
	json_tokener_free(tok);
	members = scan_top_members(buf, len);
	if (members < 0) {
		json_object_put(obj);
		return JSONPARSE_EINVALID;
	}
	if (json_object_is_type(obj, json_type_object) &&
	    (size_t)members != (size_t)json_object_object_length(obj)) {
		json_object_put(obj);
		return JSONPARSE_EDUPLICATE;
	}
	*out = obj;
	return JSONPARSE_OK;
}

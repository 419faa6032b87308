/*
 * jsonparse.c — json-c behind strict flags, plus the one check json-c cannot
 * make: it silently keeps the last of two equal member names, so the
 * top-level members are counted on the raw text and compared.
 */
#include <stdint.h>
#include <string.h>

#include "jsonparse.h"
#include "util.h"

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Members of the top-level object, counted as commas at depth 1 plus one.
 * Only called on text json-c accepted, so the structure is well formed. */
static size_t
count_top_members(const char *buf, size_t len)
{
	size_t i, commas = 0, depth = 0;
	int in_str = 0, any = 0;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			if (depth == 1)
				any = 1;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ',':
			if (depth == 1)
				commas++;
			break;
		default:
			break;
		}
	}
	return any ? commas + 1 : 0;
}

enum jsonparse_err
jsonparse_strict(const char *buf, size_t len, int max_depth, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj = NULL;
	size_t end;

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
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A number or literal at the very end may continue for all json-c
	 * knows: the terminating NUL tells it the text is over. */
	if (obj == NULL && json_tokener_get_error(tok) == json_tokener_continue && end == len)
		obj = json_tokener_parse_ex(tok, "", 1);
	/* Success with obj NULL is the literal null: json-c has no object for it. */
	if (json_tokener_get_error(tok) != json_tokener_success || end != len) {
		json_tokener_free(tok);
		json_object_put(obj);
		return JSONPARSE_EINVALID;
	}
	json_tokener_free(tok);
	if (json_object_is_type(obj, json_type_object) &&
	    count_top_members(buf, len) != (size_t)json_object_object_length(obj)) {
		json_object_put(obj);
		return JSONPARSE_EDUPLICATE;
	}
	*out = obj;
	return JSONPARSE_OK;
}

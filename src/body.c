/* SPDX-License-Identifier: ISC */
/*
 * body.c — the LogoutRequest body. Types are checked member by member so a
 * 422 can name the field, as clients of the envelope style expect.
 */
#include <string.h>

#include "body.h"
#include "jsonparse.h"

static enum body_err
field_error(struct logout_body *out, const char *field, const char *problem)
{
	out->field = field;
	out->problem = problem;
	return BODY_EFIELD;
}

static enum body_err
read_members(struct json_object *obj, struct logout_body *out)
{
	struct json_object *v;

	if (json_object_object_get_ex(obj, "refresh_token", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		size_t n;

		if (!json_object_is_type(v, json_type_string))
			return field_error(out, "refresh_token", "must be a string");
		n = (size_t)json_object_get_string_len(v);
		if (n == 0)
			return field_error(out, "refresh_token", "must not be empty");
		if (n > TOKEN_MAX_LEN)
			return field_error(out, "refresh_token", "is too long");
		/* "\u0000" decodes to a NUL: the value would not be one string. */
		if (memchr(json_object_get_string(v), '\0', n) != NULL)
			return field_error(out, "refresh_token", "must not contain NUL");
		memcpy(out->refresh_token, json_object_get_string(v), n);
		out->refresh_token[n] = '\0';
		out->refresh_len = n;
		out->has_refresh = 1;
	}
	if (json_object_object_get_ex(obj, "all_devices", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_boolean))
			return field_error(out, "all_devices", "must be a boolean");
		out->all_devices = json_object_get_boolean(v);
	}
	return BODY_OK;
}

enum body_err
body_parse(const char *buf, size_t len, struct logout_body *out)
{
	struct json_object *obj = NULL;
	enum body_err err;

	out->has_refresh = 0;
	out->refresh_len = 0;
	out->refresh_token[0] = '\0';
	out->all_devices = 0;
	out->field = out->problem = NULL;
	while (len > 0 && memchr(" \t\r\n", buf[len - 1], 4) != NULL)
		len--;
	if (len == 0)
		return BODY_OK;
	switch (jsonparse_strict(buf, len, BODY_MAX_DEPTH, &obj)) {
	case JSONPARSE_OK:
		break;
	case JSONPARSE_EDUPLICATE:
		return field_error(out, "body", "must not repeat a member");
	default:
		return BODY_EJSON;
	}
	if (!json_object_is_type(obj, json_type_object))
		err = BODY_ENOTOBJECT;
	else
		err = read_members(obj, out);
	json_object_put(obj);
	return err;
}

/* SPDX-License-Identifier: ISC */
/*
 * reason.c — the reason table. The texts are the audit trail's since the
 * first release (README, "Audit log"): changing one breaks the searches
 * admins have written, so new wording means a new row.
 */
#include "reason.h"

static const struct reason_info reasons[REASON_COUNT] = {
    [REASON_OK] = {"ok", "ok", HERR_NONE, 0, 0},
    [REASON_ALREADY_LOGGED_OUT] = {"already logged out", "already_logged_out", HERR_NONE, 0, 0},
    [REASON_NOT_FOUND] = {"not found", "not_found", HERR_NOT_FOUND, 0, 0},
    [REASON_METHOD] = {"method not allowed", "method_not_allowed", HERR_METHOD, 0, 0},
    [REASON_BAD_LENGTH] = {"bad content length", "bad_content_length", HERR_BAD_REQUEST, 0, 0},
    [REASON_TOO_LARGE] = {"payload too large", "payload_too_large", HERR_TOO_LARGE, 0, 0},
    [REASON_SHORT_BODY] = {"body shorter than Content-Length", "short_body", HERR_BAD_REQUEST,
	0, 0},
    [REASON_NO_MEMORY] = {"out of memory", "out_of_memory", HERR_INTERNAL, 0, 0},
    [REASON_NO_BEARER] = {"no bearer token", "no_bearer_token", HERR_UNAUTHORIZED, 0, 0},
    [REASON_TOKEN_TOO_LONG] = {"token too long", "token_too_long", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_MALFORMED] = {"malformed token", "token_malformed", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_ALG] = {"algorithm not allowed for key", "token_algorithm",
	HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_KID] = {"unknown key id", "token_unknown_kid", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_CRIT] = {"crit header not supported", "token_crit", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_SIGNATURE] = {"bad signature", "token_signature", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_CLAIM] = {"missing or malformed claim", "token_claim", HERR_UNAUTHORIZED, 1,
	0},
    [REASON_TOKEN_EXPIRED] = {"expired", "token_expired", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_NOT_YET] = {"not yet valid", "token_not_yet_valid", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_IAT] = {"issued in the future", "token_issued_in_future", HERR_UNAUTHORIZED,
	1, 0},
    [REASON_TOKEN_ISSUER] = {"wrong issuer", "token_issuer", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_AUDIENCE] = {"wrong audience", "token_audience", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_TYPE] = {"wrong token type", "token_type", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_LIFETIME] = {"lifetime too long", "token_lifetime", HERR_UNAUTHORIZED, 1, 0},
    [REASON_TOKEN_UNKNOWN] = {"unknown, revoked or expired token", "token_unknown",
	HERR_UNAUTHORIZED, 1, 0},
    [REASON_SESSION_GONE] = {"session gone", "session_gone", HERR_UNAUTHORIZED, 1, 0},
    [REASON_CLAIM_FOR_STMT] = {"token lacks a claim the statement needs", "claim_for_statement",
	HERR_UNAUTHORIZED, 1, 0},
    [REASON_UNKNOWN_USER] = {"unknown user", "unknown_user", HERR_UNAUTHORIZED, 1, 0},
    [REASON_RATE_LIMITED] = {"rate limited", "rate_limited", HERR_RATE_LIMITED, 0, 0},
    [REASON_MEDIA_TYPE] = {"unsupported media type", "unsupported_media_type", HERR_MEDIA_TYPE,
	0, 0},
    [REASON_BODY_NOT_JSON] = {"body is not JSON", "body_not_json", HERR_BAD_REQUEST, 0, 0},
    [REASON_BODY_NOT_OBJECT] = {"body is not an object", "body_not_object", HERR_VALIDATION, 0,
	0},
    [REASON_BODY_FIELD] = {"body member has the wrong type", "body_member_type",
	HERR_VALIDATION, 0, 0},
    [REASON_REFRESH_UNSUPPORTED] = {"refresh_token not supported", "refresh_unsupported",
	HERR_VALIDATION, 0, 0},
    /* Not error="invalid_token": that would tell the client to throw away
     * its access token, which is fine. */
    [REASON_REFRESH_INVALID] = {"refresh token invalid", "refresh_invalid", HERR_UNAUTHORIZED, 0,
	"Invalid refresh token"},
    [REASON_REFRESH_NO_SESSION] = {"refresh token names no session", "refresh_no_session",
	HERR_UNAUTHORIZED, 0, "Invalid refresh token"},
    [REASON_REFRESH_OTHER_USER] = {"refresh token of another user", "refresh_other_user",
	HERR_FORBIDDEN, 0, 0},
    [REASON_DB_UNAVAILABLE] = {"database unavailable", "db_unavailable", HERR_UNAVAILABLE, 0, 0},
    [REASON_DB_ERROR] = {"database error", "db_error", HERR_INTERNAL, 0, 0},
    [REASON_BAD_OWNER_ID] = {"token_lookup: owner is not a number", "bad_owner_id",
	HERR_INTERNAL, 0, 0},
    [REASON_BAD_USER_ID] = {"user_lookup: id is not a number", "bad_user_id", HERR_INTERNAL, 0,
	0},
    /* A control character in a header value would let a token's issuer
     * (or whoever got a claim past it) add headers the backend trusts. */
    [REASON_CLAIM_FOR_HEADER] = {"claim cannot be sent in a header", "claim_for_header",
	HERR_UNAUTHORIZED, 1, 0},
};

const struct reason_info *
reason_info(enum reason r)
{
	return (unsigned)r < REASON_COUNT ? &reasons[r] : &reasons[REASON_DB_ERROR];
}

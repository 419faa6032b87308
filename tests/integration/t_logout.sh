# SPDX-License-Identifier: ISC
# t_logout.sh — POST /logout: the bearer's session ends, once.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

P=/api/v1/auth

t_begin "logout: 204, empty body, no-store, X-Request-Id, session row gone"
if it_session 42; then
	a=$S_ACCESS
	it_session 42 && other=$S_SID
	it_session 7
	expect_count "" 3
	it_http POST $P/logout -H "Authorization: Bearer $a"
	expect_status 204
	expect_eq "$H_BODY_BYTES" 0 "body length"
	expect_common_headers
	expect_eq "$(it_hdr Content-Length)" "" "Content-Length header on 204"
	expect_count "user_id = 42" 1
	expect_count "user_id = 7" 1
	expect_count "session_hash = UNHEX(SHA2('$other', 256))" 1
else
	t_fail "create-session failed"
fi
t_end

t_begin "logout twice: second answer 401 invalid_token with envelope"
it_session 42; a=$S_ACCESS
it_session 42
it_http POST $P/logout -H "Authorization: Bearer $a"
expect_status 204
it_http POST $P/logout -H "Authorization: Bearer $a"
expect_error 401 UNAUTHORIZED
expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
expect_count "user_id = 42" 1
t_end

t_begin "401 without a token: WWW-Authenticate: Bearer without error="
it_session 42
it_http POST $P/logout
expect_error 401 UNAUTHORIZED
expect_match "$(it_hdr WWW-Authenticate)" 'Bearer( +realm="[^"]*")?' "WWW-Authenticate"
expect_count "" 1
t_end

t_begin "X-Request-Id: a valid UUID is echoed"
it_session 42; a=$S_ACCESS
rid=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $a" -H "X-Request-Id: $rid"
expect_status 204
expect_eq "$(it_hdr X-Request-Id)" "$rid" "X-Request-Id"
# ... on errors too, and it is the trace_id
it_http POST $P/logout -H "Authorization: Bearer $a" -H "X-Request-Id: $rid"
expect_error 401 UNAUTHORIZED
expect_eq "$(it_hdr X-Request-Id)" "$rid" "X-Request-Id on 401"
expect_count "" 0
t_end

t_begin "X-Request-Id: a malformed one is replaced by a fresh UUID"
it_session 42; a=$S_ACCESS
for bad in "not-a-uuid" "12345678-1234-1234-1234-1234567890123" "<script>" "$(it_uuid_new)x"; do
	it_http POST $P/logout -H "Authorization: Bearer garbage" -H "X-Request-Id: $bad"
	expect_error 401 UNAUTHORIZED
	got=$(it_hdr X-Request-Id)
	[ "$got" != "$bad" ] || t_fail "malformed X-Request-Id '$bad' echoed"
done
r1=$(it_hdr X-Request-Id)
it_http POST $P/logout -H "Authorization: Bearer garbage" -H "X-Request-Id: not-a-uuid"
[ "$(it_hdr X-Request-Id)" != "$r1" ] || t_fail "two requests got the same fresh trace id $r1"
it_http POST $P/logout -H "Authorization: Bearer $a" -H "X-Request-Id: nope"
expect_status 204
expect_match "$(it_hdr X-Request-Id)" "$IT_UUID_RE" "X-Request-Id on 204"
expect_count "" 0
t_end

t_begin "logout with own refresh_token of another session: that session ends"
it_session 42; a_access=$S_ACCESS; a_sid=$S_SID
it_session 42; b_refresh=$S_REFRESH; b_sid=$S_SID
it_session 43
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$b_refresh\"}"
expect_status 204
expect_eq "$H_BODY_BYTES" 0 "body length"
expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 0
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
expect_count "user_id = 43" 1
# B is gone already: idempotent while A (the bearer's session) exists
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$b_refresh\"}"
expect_status 204
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
expect_count "" 2
t_end

t_begin "logout with a valid refresh_token after the bearer's own session ended: 401"
it_session 42; a_access=$S_ACCESS
it_session 42; b_refresh=$S_REFRESH
it_http POST $P/logout -H "Authorization: Bearer $a_access"
expect_status 204
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$b_refresh\"}"
expect_error 401 UNAUTHORIZED
expect_count "user_id = 42" 1
t_end

t_begin "logout with another user's refresh_token: 403 FORBIDDEN, nothing deleted"
it_session 42; a_access=$S_ACCESS
it_session 43; x_refresh=$S_REFRESH
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$x_refresh\"}"
expect_error 403 FORBIDDEN
expect_count "user_id = 42" 1
expect_count "user_id = 43" 1
t_end

t_begin "logout with a rotated (older) refresh_token: its session still ends"
it_session 42; a_access=$S_ACCESS
it_session 42; b_sid=$S_SID; b_refresh=$S_REFRESH
# The issuing side refreshed session B: its current refresh jti is another one.
it_sql app -e "UPDATE user_sessions SET refresh_jti_hash = UNHEX(SHA2('rotated', 256))
	WHERE session_hash = UNHEX(SHA2('$b_sid', 256))" || t_fail "rotation update failed"
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$b_refresh\"}"
expect_status 204
expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 0
expect_count "user_id = 42" 1
t_end

t_begin "logout with an invalid refresh_token: 401 that does not condemn the access token"
it_session 42; a_access=$S_ACCESS; a_refresh=$S_REFRESH
# An access token, a tampered refresh token, garbage: none verifies as refresh.
for bad in "$a_access" "${a_refresh%?}x" "garbage"; do
	it_http POST $P/logout -H "Authorization: Bearer $a_access" \
		-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$bad\"}"
	expect_error 401 UNAUTHORIZED
	expect_match "$H_BODY" '.*"message":"Invalid refresh token".*' "message"
	expect_eq "$(it_hdr WWW-Authenticate)" "Bearer" "WWW-Authenticate (no invalid_token)"
done
expect_count "user_id = 42" 1
# ... and the access token still works.
it_http POST $P/logout -H "Authorization: Bearer $a_access"
expect_status 204
expect_count "user_id = 42" 0
t_end

t_begin "logout with all_devices:true: every session of the user ends"
it_session 42; a_access=$S_ACCESS
it_session 42
it_session 42
it_session 43
it_session 44
expect_count "user_id = 42" 3
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' --data-binary '{"all_devices":true}'
expect_status 204
expect_eq "$H_BODY_BYTES" 0 "body length"
expect_common_headers
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
expect_count "user_id = 44" 1
t_end

t_begin "logout with all_devices:false and null/unknown members: only the bearer's session"
it_session 42; a_access=$S_ACCESS; a_sid=$S_SID
it_session 42
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json' \
	--data-binary '{"all_devices":false,"refresh_token":null,"device":"phone"}'
expect_status 204
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
expect_count "user_id = 42" 1
t_end

t_begin "logout with Content-Type: application/json; charset=utf-8"
it_session 42; a_access=$S_ACCESS
it_session 42
it_http POST $P/logout -H "Authorization: Bearer $a_access" \
	-H 'Content-Type: application/json; charset=utf-8' --data-binary '{}'
expect_status 204
expect_count "user_id = 42" 1
t_end

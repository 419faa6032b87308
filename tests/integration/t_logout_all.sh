# SPDX-License-Identifier: ISC
# t_logout_all.sh — POST /logout-all: every session of the user, one batch.

P=/api/v1/auth

t_begin "logout-all: 200 fixed body, every session of the user gone, others kept"
it_session 42; a=$S_ACCESS
it_session 42
it_session 42
it_session 43; x_sid=$S_SID
it_session 44
expect_count "user_id = 42" 3
it_http POST $P/logout-all -H "Authorization: Bearer $a"
expect_status 200
expect_eq "$H_BODY" '{"success":true,"data":{"message":"Logged out from all devices"}}' "body"
expect_match "$(it_hdr Content-Type)" 'application/json' "Content-Type"
expect_common_headers
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
expect_count "user_id = 44" 1
expect_count "session_hash = UNHEX(SHA2('$x_sid', 256))" 1
t_end

t_begin "logout-all again with the same token: 401 invalid_token"
it_session 42; a=$S_ACCESS
it_session 42
it_http POST $P/logout-all -H "Authorization: Bearer $a"
expect_status 200
it_session 42; it_session 43
it_http POST $P/logout-all -H "Authorization: Bearer $a"
expect_error 401 UNAUTHORIZED
expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
# the session created after the logout-all is not touched by the refused call
expect_count "user_id = 42" 1
expect_count "user_id = 43" 1
t_end

t_begin "logout-all: token of another session of the user still 401 afterwards"
it_session 42; a=$S_ACCESS
it_session 42; b=$S_ACCESS
it_http POST $P/logout-all -H "Authorization: Bearer $a"
expect_status 200
it_http POST $P/logout -H "Authorization: Bearer $b"
expect_error 401 UNAUTHORIZED
expect_count "" 0
t_end

t_begin "logout-all without a token: 401, nothing deleted"
it_session 42
it_http POST $P/logout-all
expect_error 401 UNAUTHORIZED
expect_match "$(it_hdr WWW-Authenticate)" 'Bearer( +realm="[^"]*")?' "WWW-Authenticate"
expect_count "" 1
t_end

t_begin "logout-all: GET is 405 with Allow: POST"
it_session 42; a=$S_ACCESS
it_http GET $P/logout-all -H "Authorization: Bearer $a"
expect_error 405 METHOD_NOT_ALLOWED
expect_eq "$(it_hdr Allow)" "POST" "Allow"
expect_count "" 1
t_end

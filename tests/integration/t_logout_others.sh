# SPDX-License-Identifier: ISC
# t_logout_others.sh — POST {prefix}/logout-others (README, "The endpoint
# contract"): every session of the user but the bearer's, in one statement
# that ends nothing unless the bearer's own session exists; 200 with the
# count; the bearer's token keeps working (proven at the gate). With the
# native schema and with Laravel Sanctum's tokens.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
others_body() {
	printf '{"success":true,"data":{"message":"Logged out from other devices","sessions_ended":%s}}' "$1"
}

# lo_config PROFILE OUT — the profile with logout-others and verify served.
lo_config() {
	it_profile_config "$1" "$2" &&
		sed -i -e 's/^endpoints = .*/endpoints = logout logout-all verify logout-others/' \
			-e "s|^file = .*|file = $1-others.ratelimit|" "$2"
}

up=0
lo_config native "$IT_DIR/others-native.conf" && cp_up native "$IT_DIR/others-native.conf" && up=1

t_begin "logout-others: the user's other sessions end, the bearer's and other users' stay; 200 with the count"
[ "$up" = 1 ] || t_fail "the native stack did not start"
cp_native_login 42; a=$TOK; a_sid=$S_SID
cp_native_login 42; b=$TOK
cp_native_login 42
cp_native_login 43; c=$TOK
cp_http POST $P/logout-others -H "Authorization: Bearer $a" -H 'X-Request-Id: 5f0c2a52-93b4-4d6e-8a8e-5b1c3f2d7a10'
expect_status 200
cp_expect_body "$(others_body 2)"
expect_eq "$(it_hdr Content-Type)" "application/json" "Content-Type"
expect_count "user_id = 42" 1
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
expect_count "user_id = 43" 1
# the bearer goes on: the gate lets it through, and it can log out
cp_verify "$a" 204
expect_eq "$(it_hdr X-Auth-User)" 42 "X-Auth-User"
expect_eq "$(it_hdr X-Auth-Session)" "$a_sid" "X-Auth-Session"
cp_verify "$b" 401
cp_verify "$c" 204
grep -q '"event":"logout_others","user":"42","sessions":2,.*"trace_id":"5f0c2a52-93b4-4d6e-8a8e-5b1c3f2d7a10","status":200,"reason":"ok"' "$CP_LOG" ||
	t_fail "no audit line for the logout-others"
t_end

t_begin "logout-others: the bearer's only session: 200, 0 ended; again: still 200"
cp_native_login 42; a=$TOK
cp_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_status 200
cp_expect_body "$(others_body 0)"
cp_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_status 200
cp_expect_body "$(others_body 0)"
expect_count "user_id = 42" 1
t_end

t_begin "logout-others with a logged-out token: 401, and the sessions left are not touched"
cp_native_login 42; a=$TOK
cp_native_login 42
cp_native_login 42
cp_http POST $P/logout -H "Authorization: Bearer $a"
expect_status 204
cp_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_error 401 UNAUTHORIZED
expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
expect_count "user_id = 42" 2
t_end

t_begin "logout-others: no token 401, an expired one 401, GET 405 with Allow: POST; nothing ended"
cp_native_login 42; a=$TOK
cp_native_login 42
cp_http POST $P/logout-others
expect_error 401 UNAUTHORIZED
cp_http POST $P/logout-others -H "Authorization: Bearer $(cp_native_expired 42)"
expect_error 401 UNAUTHORIZED
cp_http GET $P/logout-others -H "Authorization: Bearer $a"
expect_error 405 METHOD_NOT_ALLOWED
expect_eq "$(it_hdr Allow)" POST "Allow"
expect_count "user_id = 42" 2
t_end

t_begin "logout-others, off by default: the suite's own workers answer 404"
cp_native_login 42; a=$TOK
cp_native_login 42
it_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_error 404 NOT_FOUND
expect_count "user_id = 42" 2
t_end

sup=0
# update_last_used on: the gate must not stamp even so
lo_config sanctum "$IT_DIR/others-sanctum.conf" &&
	sed -i 's/^update_last_used = .*/update_last_used = yes/' "$IT_DIR/others-sanctum.conf" &&
	cp_up sanctum "$IT_DIR/others-sanctum.conf" && sup=1

t_begin "logout-others, sanctum: every other token row of the user goes; the bearer's token still passes the gate" keep
[ "$sup" = 1 ] || t_fail "the sanctum stack did not start"
cp_sql "DELETE FROM personal_access_tokens"
cp_sanctum_login 7; a=$TOK; a_id=$T_ID
cp_sanctum_login 7; b=$TOK
cp_laravel_token 7
cp_sanctum_login 8; c=$TOK
cp_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_status 200
cp_expect_body "$(others_body 2)"
expect_eq "$(cp_sanctum_count 7)" 1 "user 7's tokens"
expect_eq "$(cp_sql "SELECT COUNT(*) FROM personal_access_tokens WHERE id = $a_id")" 1 "the bearer's row"
expect_eq "$(cp_sanctum_count 8)" 1 "user 8's tokens"
cp_verify "$a" 204
expect_eq "$(it_hdr X-Auth-User)" 7 "X-Auth-User"
expect_eq "$(it_hdr X-Auth-Session)" "$a_id" "X-Auth-Session: the token's id"
cp_verify "$b" 401
cp_verify "$c" 204
# alone now: 200, 0 ended (the token lookup proved the bearer)
cp_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_status 200
cp_expect_body "$(others_body 0)"
t_end

t_begin "the gate, sanctum: an expired token row is refused; last_used_at is never stamped by the gate (update_last_used on)" keep
cp_sql "DELETE FROM personal_access_tokens"
tok=$(cp_sanctum_expired 7)
cp_verify "$tok" 401
cp_sanctum_login 7; a=$TOK; a_id=$T_ID
cp_verify "$a" 204
expect_eq "$(cp_sql "SELECT COALESCE(last_used_at, 'null') FROM personal_access_tokens WHERE id = $a_id")" null "last_used_at"
# a logout-others stamps it, as a logout would
cp_http POST $P/logout-others -H "Authorization: Bearer $a"
expect_status 200
expect_eq "$(cp_sql "SELECT last_used_at IS NOT NULL FROM personal_access_tokens WHERE id = $a_id")" 1 "last_used_at after logout-others"
t_end

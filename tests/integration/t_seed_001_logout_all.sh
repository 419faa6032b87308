# SPDX-License-Identifier: ISC
# t_seed_001_logout_all.sh — the logout-all contract of the native and
# sanctum profiles (README "The endpoint contract", "Compatibility"): 200
# {"success":true,"data":{"message":"Logged out from all devices"}}, every
# token of the user revoked in one write (other users untouched), 401 in
# the error envelope for a wrong, expired or missing token, rate-limit
# headers (60 requests a minute) on every answer. Replayed against both
# profiles: native (JWT + user_sessions) and sanctum (personal_access_tokens).

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
ALL_OK='{"success":true,"data":{"message":"Logged out from all devices"}}'

for profile in native sanctum; do
	up=0
	cp_up "$profile" && up=1
	u=$((RANDOM % 100000 + 1000)) v=$((u + 1))

	t_begin "logout-all ($profile): logout-all ends every session of the user, 200 with the exact body" keep
	[ "$up" = 1 ] || t_fail "$profile profile did not start"
	for i in 1 2 3; do "cp_${profile}_login" "$u"; done
	"cp_${profile}_login" "$v"
	mine=$TOK
	"cp_${profile}_login" "$u"
	expect_eq "$("cp_${profile}_count" "$u")" 4 "sessions of the user before"
	cp_http POST $P/logout-all -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json'
	expect_status 200
	cp_expect_body "$ALL_OK"
	expect_common_headers
	expect_eq "$("cp_${profile}_count" "$u")" 0 "sessions of the user after"
	expect_eq "$("cp_${profile}_count" "$v")" 1 "another user's sessions"
	t_end

	t_begin "logout-all ($profile): a revoked token, a wrong token, an expired token and no token are 401 in the envelope" keep
	cp_http POST $P/logout-all -H "Authorization: Bearer $TOK"
	expect_error 401 UNAUTHORIZED
	cp_http POST $P/logout-all -H "Authorization: Bearer ${mine}x"
	expect_error 401 UNAUTHORIZED
	exp=$("cp_${profile}_expired" "$v")
	cp_http POST $P/logout-all -H "Authorization: Bearer $exp"
	expect_error 401 UNAUTHORIZED
	cp_http POST $P/logout-all
	expect_error 401 UNAUTHORIZED
	expect_eq "$(it_hdr WWW-Authenticate)" "Bearer" "WWW-Authenticate without a token"
	cp_http POST $P/logout-all -H 'Authorization: Bearer <token>'
	expect_error 401 UNAUTHORIZED
	expect_eq "$("cp_${profile}_count" "$v")" "$([ "$profile" = native ] && echo 1 || echo 2)" "another user's sessions (untouched by refusals)"
	t_end

	t_begin "logout-all ($profile): rate-limit headers (60 req/minute) on every answer" keep
	cp_http POST $P/logout-all -H "Authorization: Bearer $mine"
	expect_status 200
	expect_eq "$(it_hdr X-RateLimit-Limit)" 60 "X-RateLimit-Limit"
	expect_match "$(it_hdr X-RateLimit-Remaining)" '[0-9]+' "X-RateLimit-Remaining"
	t_end
	pr_cleanup
done

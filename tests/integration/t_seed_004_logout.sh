# SPDX-License-Identifier: ISC
# t_seed_004_logout.sh — the logout contract of the native and sanctum
# profiles (README "The endpoint contract", "Compatibility"): revoke only
# the current session or token, 204 without a body; 401 in the error
# envelope for a wrong, expired or missing token and for a token already
# logged out; rate-limit headers on every answer; the idempotent
# alternative (already_logged_out = 204) for clients that retry. Replayed
# against the native and the sanctum profile.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth

for profile in native sanctum; do
	up=0
	cp_up "$profile" && up=1
	u=$((RANDOM % 100000 + 1000))

	t_begin "logout ($profile): logout revokes the current token only: 204, no body" keep
	[ "$up" = 1 ] || t_fail "$profile profile did not start"
	"cp_${profile}_login" "$u"
	other=$TOK
	"cp_${profile}_login" "$u"
	cp_http POST $P/logout -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json'
	expect_status 204
	expect_eq "$H_BODY_BYTES" 0 "body bytes"
	expect_eq "$(it_hdr Content-Type)" "" "Content-Type of a 204"
	expect_common_headers
	expect_eq "$("cp_${profile}_count" "$u")" 1 "the user's other session is kept"
	t_end

	t_begin "logout ($profile): token already invalid must respond 401; the other token still logs out" keep
	cp_http POST $P/logout -H "Authorization: Bearer $TOK"
	expect_error 401 UNAUTHORIZED
	expect_eq "$("cp_${profile}_count" "$u")" 1 "sessions after the refused retry"
	cp_http POST $P/logout -H "Authorization: Bearer $other"
	expect_status 204
	expect_eq "$("cp_${profile}_count" "$u")" 0 "sessions at the end"
	t_end

	t_begin "logout ($profile): wrong token, expired token, no token: 401 in the envelope, nothing deleted" keep
	"cp_${profile}_login" "$u"
	cp_http POST $P/logout -H "Authorization: Bearer ${TOK%?}"
	expect_error 401 UNAUTHORIZED
	exp=$("cp_${profile}_expired" "$u")
	cp_http POST $P/logout -H "Authorization: Bearer $exp"
	expect_error 401 UNAUTHORIZED
	cp_http POST $P/logout
	expect_error 401 UNAUTHORIZED
	cp_http POST $P/logout -H 'Authorization: Bearer <token>'
	expect_error 401 UNAUTHORIZED
	expect_eq "$("cp_${profile}_count" "$u")" "$([ "$profile" = native ] && echo 1 || echo 2)" "sessions after the refusals"
	t_end

	t_begin "logout ($profile): every answer carries X-RateLimit-Limit 60 and a falling X-RateLimit-Remaining" keep
	"cp_${profile}_login" "$u"
	first=$TOK
	"cp_${profile}_login" "$u"
	cp_http POST $P/logout -H "Authorization: Bearer $first"
	expect_status 204
	r1=$(it_hdr X-RateLimit-Remaining)
	expect_eq "$(it_hdr X-RateLimit-Limit)" 60 "X-RateLimit-Limit"
	cp_http POST $P/logout -H "Authorization: Bearer $TOK"
	expect_status 204
	r2=$(it_hdr X-RateLimit-Remaining)
	expect_eq "$((r1 - r2))" 1 "Remaining falls by one ($r1 then $r2)"
	t_end
	pr_cleanup
done

t_begin "logout (native, already_logged_out = 204): a retried logout is an idempotent 204; a forged token is still 401"
conf=$IT_DIR/native-idem.conf
it_profile_config native "$conf"
sed -i 's/^already_logged_out = .*/already_logged_out = 204/' "$conf"
if cp_up native "$conf"; then
	u=$((RANDOM % 100000 + 1000))
	cp_native_login "$u"
	cp_http POST $P/logout -H "Authorization: Bearer $TOK"
	expect_status 204
	cp_http POST $P/logout -H "Authorization: Bearer $TOK"
	expect_status 204
	expect_eq "$H_BODY_BYTES" 0 "body bytes"
	cp_http POST $P/logout -H "Authorization: Bearer ${TOK%?}"
	expect_error 401 UNAUTHORIZED
	grep -q '"reason":"already logged out"' "$CP_LOG" || t_fail "audit line says already logged out"
else
	t_fail "native profile with already_logged_out = 204 did not start"
fi
t_end

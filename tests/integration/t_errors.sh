# SPDX-License-Identifier: ISC
# t_errors.sh — every refusal: the right status and code, and no row deleted.

P=/api/v1/auth
JSON='Content-Type: application/json'

# it_session 42 plus a bystander; A (42) stays unless a case says otherwise.
setup() {
	it_session 42 || t_fail "create-session failed"
	A_ACCESS=$S_ACCESS A_REFRESH=$S_REFRESH A_SID=$S_SID A_JTI=$S_JTI
	it_session 43
}
untouched() { expect_count "user_id = 42" 1; expect_count "user_id = 43" 1; }

t_begin "mint control: a minted access token for a live session is accepted"
setup
tok=$(it_mint --sub 42 --type access --sid "$A_SID") || t_fail "mint failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_status 204
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
t_end

t_begin "400 BAD_REQUEST: body is not JSON"
setup
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary '{bad json'
expect_error 400 BAD_REQUEST
untouched
t_end

t_begin "401: no Authorization header"
setup
it_http POST $P/logout
expect_error 401 UNAUTHORIZED
case $(it_hdr WWW-Authenticate) in *error=*) t_fail "error= without a token: $(it_hdr WWW-Authenticate)" ;; esac
untouched
t_end

t_begin "401: Authorization: Basic"
setup
it_http POST $P/logout -H "Authorization: Basic $(printf 'user:pass' | base64)"
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "401: Authorization: Bearer with nothing after it"
setup
it_http POST $P/logout -H "Authorization: Bearer "
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "401: garbage token"
setup
for g in garbage abc.def.ghi "$A_ACCESS.x" "..." "$(printf 'x%.0s' $(seq 1 9000))"; do
	it_http POST $P/logout -H "Authorization: Bearer $g"
	expect_error 401 UNAUTHORIZED
	expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
done
untouched
t_end

t_begin "401: expired token (exp 60 s ago)"
setup
tok=$(it_mint --sub 42 --type access --sid "$A_SID" --exp-in -60) || t_fail "mint failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_error 401 UNAUTHORIZED
expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
untouched
t_end

t_begin "401: token not valid yet (nbf in 1 h)"
setup
tok=$(it_mint --sub 42 --type access --sid "$A_SID" --nbf-in 3600) || t_fail "mint failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "401: refresh token used as the bearer"
setup
it_http POST $P/logout -H "Authorization: Bearer $A_REFRESH"
expect_error 401 UNAUTHORIZED
it_http POST $P/logout-all -H "Authorization: Bearer $A_REFRESH"
expect_error 401 UNAUTHORIZED
tok=$(it_mint --sub 42 --type none --sid "$A_SID") || t_fail "mint failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "401: token signed with a key of unknown kid"
setup
tok=$("$IT_ADMIN_BIN" --config "$IT_CONF_ALT" mint --sub 42 --type access --sid "$A_SID" --kid nosuch 2>/dev/null | tail -n 1)
it_remember_token "$tok"
[ -n "$tok" ] || t_fail "mint --kid nosuch (with $IT_CONF_ALT) failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "401: wrong signature (last character altered)"
setup
case $A_ACCESS in *A) bad=${A_ACCESS%?}E ;; *) bad=${A_ACCESS%?}A ;; esac
it_remember_token "$bad"
it_http POST $P/logout -H "Authorization: Bearer $bad"
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "401: alg none and a token for a session that does not exist"
setup
h=$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
p=$(printf '{"sub":"42","sid":"%s","typ":"access","exp":%s}' "$A_SID" $(($(date +%s) + 600)) | base64 -w0 | tr '+/' '-_' | tr -d '=')
it_http POST $P/logout -H "Authorization: Bearer $h.$p."
expect_error 401 UNAUTHORIZED
tok=$(it_mint --sub 42 --type access --sid "no-such-session") || t_fail "mint failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_error 401 UNAUTHORIZED
tok=$(it_mint --sub 43 --type access --sid "$A_SID") || t_fail "mint failed"
it_http POST $P/logout -H "Authorization: Bearer $tok"
expect_error 401 UNAUTHORIZED
untouched
t_end

t_begin "404 NOT_FOUND: unknown path under the prefix, and /other"
setup
it_http POST $P/nosuch -H "Authorization: Bearer $A_ACCESS"
expect_error 404 NOT_FOUND
it_http POST $P/logout/extra -H "Authorization: Bearer $A_ACCESS"
expect_error 404 NOT_FOUND
it_http POST /other -H "Authorization: Bearer $A_ACCESS"
expect_error 404 NOT_FOUND
it_http GET /other
expect_error 404 NOT_FOUND
untouched
t_end

t_begin "405 METHOD_NOT_ALLOWED with Allow: POST"
setup
for m in GET PUT DELETE PATCH; do
	it_http $m $P/logout -H "Authorization: Bearer $A_ACCESS"
	expect_error 405 METHOD_NOT_ALLOWED
	expect_eq "$(it_hdr Allow)" "POST" "Allow on $m"
done
untouched
t_end

t_begin "413 PAYLOAD_TOO_LARGE: 5000-byte body (max_body 4096)"
setup
pad=$(head -c 4980 /dev/zero | tr '\0' a)
body="{\"pad\":\"$pad\"}"
body="$body$(head -c $((5000 - ${#body})) /dev/zero | tr '\0' ' ')"
expect_eq "${#body}" 5000 "test body length"
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary "$body"
expect_error 413 PAYLOAD_TOO_LARGE
untouched
t_end

t_begin "a body of exactly max_body (4096) bytes is accepted"
setup
body='{"all_devices":false,"pad":"'
pad=$(head -c $((4096 - ${#body} - 2)) /dev/zero | tr '\0' b)
body="$body$pad\"}"
expect_eq "${#body}" 4096 "test body length"
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary "$body"
expect_status 204
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
t_end

t_begin "415 UNSUPPORTED_MEDIA_TYPE: Content-Type: text/plain"
setup
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H 'Content-Type: text/plain' --data-binary '{"all_devices":true}'
expect_error 415 UNSUPPORTED_MEDIA_TYPE
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" --data-binary 'all_devices=true'
expect_error 415 UNSUPPORTED_MEDIA_TYPE
untouched
t_end

t_begin "422 VALIDATION_ERROR: JSON that is not an object"
setup
for b in '[]' '"x"' '42' 'null' 'true'; do
	it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary "$b"
	if [ "$H_STATUS" = 422 ]; then
		expect_error_re 422 VALIDATION_ERROR '\{.*\}'
	else
		t_fail "body $b (valid JSON, not an object): got $H_STATUS $H_BODY, want 422"
	fi
done
untouched
t_end

t_begin "422 VALIDATION_ERROR: all_devices must be a boolean"
setup
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary '{"all_devices":"yes"}'
expect_error 422 VALIDATION_ERROR '{"all_devices":["must be a boolean"]}'
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary '{"all_devices":1}'
expect_error 422 VALIDATION_ERROR '{"all_devices":["must be a boolean"]}'
untouched
t_end

t_begin "422 VALIDATION_ERROR: refresh_token must be a string"
setup
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" --data-binary '{"refresh_token":5}'
expect_error 422 VALIDATION_ERROR '{"refresh_token":["must be a string"]}'
untouched
t_end

t_begin "application/json; charset=utf-8 is accepted (all_devices)"
setup
it_session 42
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"all_devices":true}'
expect_status 204
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
t_end

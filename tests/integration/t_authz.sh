# SPDX-License-Identifier: ISC
# t_authz.sh — user A (42) can never end user B's (43) sessions, whatever
# the combination of bearer, refresh_token and all_devices. For every
# combination of A's bearer x {no refresh_token, A's, B's, garbage} x
# {all_devices absent, false, true} on /logout and /logout-all, B's rows
# stay and A's rows are exactly the expected ones; then the combinations a
# key holder could forge (A's claims naming B's session) and body tricks.
#
# Each combination starts from the same four rows, inserted in one
# statement: A1 (the bearer's session), A2 (another of A's), B1, B2. Their
# tokens are crafted with the suite's key (jwt.sh) the way the issuer would:
# sid = the session id, jti = the refresh token's id (refresh_jti_hash).

. "$top_srcdir/tests/integration/jwt.sh"

P=/api/v1/auth
JSON='Content-Type: application/json'
K=$(jwt_key_hex "$IT_KEYDIR/main.key")
jwt_prepare "$K"
H='{"alg":"HS256","typ":"JWT"}'

# fresh — the four rows, new ids each time, and their tokens:
# A_ACCESS (A1), A_REFRESH (A2's refresh), B_REFRESH (B1's), B_ACCESS (B1).
fresh() {
	local n=$((RANDOM * 32768 + RANDOM)) exp=$(($(jwt_now) + 600)) s
	A1=az-a1-$n A2=az-a2-$n B1=az-b1-$n B2=az-b2-$n
	it_db_reset >/dev/null 2>&1 || t_fail "could not reset user_sessions"
	it_sql app -e "INSERT INTO user_sessions (user_id, session_hash, refresh_jti_hash, expires_at) VALUES
		(42, UNHEX(SHA2('$A1', 256)), UNHEX(SHA2('rj-$A1', 256)), NOW() + INTERVAL 1 DAY),
		(42, UNHEX(SHA2('$A2', 256)), UNHEX(SHA2('rj-$A2', 256)), NOW() + INTERVAL 1 DAY),
		(43, UNHEX(SHA2('$B1', 256)), UNHEX(SHA2('rj-$B1', 256)), NOW() + INTERVAL 1 DAY),
		(43, UNHEX(SHA2('$B2', 256)), UNHEX(SHA2('rj-$B2', 256)), NOW() + INTERVAL 1 DAY)" ||
		t_fail "could not insert the sessions"
	for s in "A_ACCESS 42 $A1 aj-$A1 access" "A_REFRESH 42 $A2 rj-$A2 refresh" \
		"B_REFRESH 43 $B1 rj-$B1 refresh" "B_ACCESS 43 $B1 aj-$B1 access"; do
		set -- $s
		_jwt_sign HS256 "$K" "$H" \
			"{\"sub\":\"$2\",\"sid\":\"$3\",\"jti\":\"$4\",\"typ\":\"$5\",\"exp\":$exp}"
		printf -v "$1" '%s' "$JWT_R"
		it_remember_token "$JWT_R"
	done
}

# rows — "A1 A2 B1 B2": 1 where the row exists, 0 where it is gone.
rows() {
	it_sql -N -B app -e "SELECT CONCAT_WS(' ',
		IFNULL(SUM(session_hash = UNHEX(SHA2('$A1', 256))), 0), IFNULL(SUM(session_hash = UNHEX(SHA2('$A2', 256))), 0),
		IFNULL(SUM(session_hash = UNHEX(SHA2('$B1', 256))), 0), IFNULL(SUM(session_hash = UNHEX(SHA2('$B2', 256))), 0))
		FROM user_sessions" 2>&1
}

# body REFRESH ALLDEV — the JSON body (empty: no member at all).
body() {
	local m=()
	[ -n "$1" ] && m+=("\"refresh_token\":\"$1\"")
	[ -n "$2" ] && m+=("\"all_devices\":$2")
	[ ${#m[@]} -gt 0 ] || return 0
	local IFS=,
	printf '{%s}' "${m[*]}"
}

# try LABEL PATH BEARER BODY — POST (body sent only when not empty).
try() {
	if [ -n "$4" ]; then
		it_http POST "$P/$2" -H "Authorization: Bearer $3" -H "$JSON" --data-binary "$4"
	else
		it_http POST "$P/$2" -H "Authorization: Bearer $3"
	fi
	case $H_STATUS in 5??) t_fail "$1: a 5xx ($H_STATUS $H_BODY)" ;; esac
}

# outcome LABEL STATUS ROWS — the answer and the four rows as expected.
outcome() {
	local got
	got=$(rows)
	[ "$H_STATUS" = "$2" ] || t_fail "$1: status $H_STATUS, want $2 ($(printf '%s' "$H_BODY" | head -c 160))"
	[ "$got" = "$3" ] || t_fail "$1: rows A1 A2 B1 B2 = '$got', want '$3'"
	case $got in *' 1 1') ;; *) t_fail "$1: B'S SESSIONS TOUCHED (rows '$got')" ;; esac
}

# ---------------------------------------------------------------- the matrix

# want ENDPOINT REFRESH ALLDEV — "STATUS ROWS" (the contract in README).
want() {
	if [ "$1" = logout-all ]; then echo "200 0 0 1 1"; return; fi
	if [ "$3" = true ]; then echo "204 0 0 1 1"; return; fi
	case $2 in
	none) echo "204 0 1 1 1" ;;
	A) echo "204 1 0 1 1" ;;
	B) echo "403 1 1 1 1" ;;
	garbage) echo "401 1 1 1 1" ;;
	esac
}

for ep in logout logout-all; do
	for rk in none A B garbage; do
		t_begin "authz matrix: A's bearer on /$ep, refresh_token ${rk}, all_devices absent/false/true: B untouched"
		for ad in '' false true; do
			fresh
			case $rk in
			none) rt= ;;
			A) rt=$A_REFRESH ;;
			B) rt=$B_REFRESH ;;
			garbage) rt=garbage.not.atoken ;;
			esac
			b=$(body "$rt" "$ad")
			label="/$ep refresh=$rk all_devices=${ad:-absent}"
			try "$label" "$ep" "$A_ACCESS" "$b"
			w=$(want "$ep" "$rk" "$ad")
			outcome "$label" "${w%% *}" "${w#* }"
			case ${w%% *} in
			200) expect_eq "$H_BODY" '{"success":true,"data":{"message":"Logged out from all devices"}}' "$label: body" ;;
			204) expect_eq "$H_BODY_BYTES" 0 "$label: body length" ;;
			403) expect_error 403 FORBIDDEN ;;
			401)
				expect_error 401 UNAUTHORIZED
				expect_match "$H_BODY" '.*"message":"Invalid refresh token".*' "$label: message"
				;;
			esac
		done
		t_end
	done
done

# ---------------------------------------------------------------- beyond the matrix

t_begin "authz: B's tokens in A's request (B's access token as refresh_token, B's refresh token with all_devices false)"
fresh
try "B's access as refresh_token" logout "$A_ACCESS" "$(body "$B_ACCESS" '')"
outcome "B's access as refresh_token" 401 "1 1 1 1"
fresh
try "B's refresh, all_devices null" logout "$A_ACCESS" "{\"refresh_token\":\"$B_REFRESH\",\"all_devices\":null}"
outcome "B's refresh, all_devices null" 403 "1 1 1 1"
fresh
try "B's refresh on logout-all" logout-all "$A_ACCESS" "$(body "$B_REFRESH" false)"
outcome "B's refresh on logout-all" 200 "0 0 1 1"
t_end

t_begin "authz: forged claims naming B's session (a key holder's view): the SQL still binds A's user id"
# A's sub with B's sid/jti: the statements match user_id = 42 as well, so
# nothing of B's is reachable even with the key.
exp=$(($(jwt_now) + 600))
fresh
rt=$(jwt_sign HS256 "$K" "$H" "{\"sub\":\"42\",\"sid\":\"$B1\",\"jti\":\"rj-$B1\",\"typ\":\"refresh\",\"exp\":$exp}")
it_remember_token "$rt"
try "refresh: sub 42, B1's sid and jti" logout "$A_ACCESS" "$(body "$rt" '')"
outcome "refresh: sub 42, B1's sid and jti" 204 "1 1 1 1"
fresh
bt=$(jwt_sign HS256 "$K" "$H" "{\"sub\":\"42\",\"sid\":\"$B1\",\"typ\":\"access\",\"exp\":$exp}")
it_remember_token "$bt"
for b in '' '{"all_devices":true}'; do
	fresh
	try "bearer: sub 42, B1's sid, body '$b'" logout "$bt" "$b"
	outcome "bearer: sub 42, B1's sid, body '$b'" 401 "1 1 1 1"
	fresh
	try "bearer: sub 42, B1's sid, /logout-all" logout-all "$bt" "$b"
	outcome "bearer: sub 42, B1's sid, /logout-all" 401 "1 1 1 1"
done
fresh
bt=$(jwt_sign HS256 "$K" "$H" "{\"sub\":\"43\",\"sid\":\"$A1\",\"typ\":\"access\",\"exp\":$exp}")
it_remember_token "$bt"
try "bearer: sub 43, A1's sid, all_devices" logout "$bt" '{"all_devices":true}'
outcome "bearer: sub 43, A1's sid, all_devices" 401 "1 1 1 1"
fresh
rt=$(jwt_sign HS256 "$K" "$H" "{\"sub\":\"042\",\"sid\":\"$A2\",\"jti\":\"rj-$A2\",\"typ\":\"refresh\",\"exp\":$exp}")
it_remember_token "$rt"
try "refresh: sub \"042\" (another spelling of 42)" logout "$A_ACCESS" "$(body "$rt" '')"
outcome "refresh: sub \"042\" (another spelling of 42)" 403 "1 1 1 1"
fresh
rt=$(jwt_sign HS256 "$K" "$H" "{\"sub\":42,\"sid\":\"$A2\",\"jti\":\"rj-$A2\",\"typ\":\"refresh\",\"exp\":$exp}")
it_remember_token "$rt"
try "refresh: sub as the integer 42" logout "$A_ACCESS" "$(body "$rt" '')"
outcome "refresh: sub as the integer 42" 204 "1 0 1 1"
t_end

t_begin "authz: body tricks (duplicate refresh_token, wrong types) end nothing"
fresh
try "refresh_token twice (A's, then B's)" logout "$A_ACCESS" "{\"refresh_token\":\"$A_REFRESH\",\"refresh_token\":\"$B_REFRESH\"}"
outcome "refresh_token twice (A's, then B's)" 422 "1 1 1 1"
try "refresh_token twice (B's, then A's)" logout "$A_ACCESS" "{\"refresh_token\":\"$B_REFRESH\",\"refresh_token\":\"$A_REFRESH\"}"
outcome "refresh_token twice (B's, then A's)" 422 "1 1 1 1"
try "all_devices twice" logout "$A_ACCESS" '{"all_devices":false,"all_devices":true}'
outcome "all_devices twice" 422 "1 1 1 1"
try "refresh_token as an array" logout "$A_ACCESS" "{\"refresh_token\":[\"$B_REFRESH\"]}"
outcome "refresh_token as an array" 422 "1 1 1 1"
try "refresh_token as an object" logout "$A_ACCESS" "{\"refresh_token\":{\"token\":\"$B_REFRESH\"}}"
outcome "refresh_token as an object" 422 "1 1 1 1"
try "all_devices \"true\"" logout "$A_ACCESS" "$(body "$B_REFRESH" '"true"')"
outcome "all_devices \"true\"" 422 "1 1 1 1"
try "user_id member" logout "$A_ACCESS" '{"user_id":43,"sub":"43","sid":"'"$B1"'"}'
outcome "user_id member (ignored)" 204 "0 1 1 1"
t_end

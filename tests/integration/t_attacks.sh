# SPDX-License-Identifier: ISC
# t_attacks.sh — a JWT attack corpus through the real service (nginx and the
# suite's worker; a second worker with issuer, audience and an HS512 key for
# the cases that need them). Every token is crafted by hand (jwt.sh) and,
# unless the case is about the signature, correctly signed, so the check
# that refuses it is the one named: the audit line's reason says which.
# Each refused token is sent to /logout and /logout-all and must get
# 401 invalid_token (never a 5xx), with user 42's session and a bystander's
# (43) untouched.

. "$top_srcdir/tests/integration/jwt.sh"
. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
K=$(jwt_key_hex "$IT_KEYDIR/main.key")     # the suite's key "main" (HS256)
KO=$(jwt_key_hex "$IT_KEYDIR/nosuch.key")  # a key the workers do not know
H='{"alg":"HS256","typ":"JWT"}'
jwt_prepare "$K" "$KO"
B64URL=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_

R_EALG="algorithm not allowed for key"
R_EKID="unknown key id"
R_ECRIT="crit header not supported"
R_ESIG="bad signature"
R_EMAL="malformed token"
R_ECLAIM="missing or malformed claim"
R_EEXP="expired"
R_ELIFETIME="lifetime too long"
R_ENOTYET="not yet valid"
R_EIAT="issued in the future"
R_EISS="wrong issuer"
R_EAUD="wrong audience"
R_ETYPE="wrong token type"
R_ELONG="token too long"
R_GONE="session gone"
R_LACKS="token lacks a claim the statement needs"

# setup — a new session of user 42 (A_SID), a bystander's (43) unless there
# is one; NOW, EXP (now + 600).
setup() {
	it_session 42 || t_fail "create-session 42 failed"
	A_SID=$S_SID A_REFRESH=$S_REFRESH A_ACCESS=$S_ACCESS
	if [ "$(it_db_count "user_id = 43")" = 0 ]; then
		it_session 43 || t_fail "create-session 43 failed"
	fi
	NOW=$(jwt_now)
	EXP=$((NOW + 600))
}
untouched() { expect_count "user_id = 42" 1; expect_count "user_id = 43" 1; }

# claims [EXTRA] — a valid access-token payload for A's session, EXTRA
# members (",\"k\":v") appended.
claims() { printf '{"sub":"42","sid":"%s","typ":"access","exp":%s%s}' "$A_SID" "$EXP" "${1:-}"; }

# tok [HEADER [PAYLOAD]] — signed with main (HS256); PAYLOAD claims.
tok() {
	local p
	if [ $# -ge 2 ]; then p=$2; else printf -v p '{"sub":"42","sid":"%s","typ":"access","exp":%s}' "$A_SID" "$EXP"; fi
	jwt_sign HS256 "$K" "${1:-$H}" "$p"
}

# audit_reason LOG RID — the reason of the audit line of request RID (the
# worker may write it just after answering: polled for up to 5 s).
audit_reason() {
	local line deadline=$((SECONDS + 5))
	while :; do
		line=$(grep -m 1 -F "\"trace_id\":\"$2\"" "$1")
		[ -n "$line" ] && break
		[ "$SECONDS" -ge "$deadline" ] && { printf 'NO AUDIT LINE'; return; }
		sleep 0.05
	done
	[[ $line =~ \"reason\":\"([^\"]*)\" ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# refused LABEL TOKEN [REASON] — 401 invalid_token, the audit reason (when
# given) as named. The token is checked before the routes part, so the
# calls alternate between /logout and /logout-all (half the requests, both
# endpoints covered; REFUSED_BOTH=1 sends each to both). BASE/LOG default
# to the suite's.
REFUSED_N=0
refused() {
	local label=$1 t=$2 reason=${3:-} base=${BASE:-$IT_BASE} log=${LOG:-$IT_WORKER_LOG}
	local path paths rid n got
	it_remember_token "$t"
	REFUSED_N=$((REFUSED_N + 1))
	if [ "${REFUSED_BOTH:-0}" = 1 ]; then
		paths="logout logout-all"
	elif [ $((REFUSED_N % 2)) = 1 ]; then
		paths=logout
	else
		paths=logout-all
	fi
	for path in $paths; do
		n=${#T_FAILS[@]}
		printf -v rid '%04x%04x-%04x-4%03x-a%03x-%04x%04x%04x' $RANDOM $RANDOM $RANDOM \
			$((RANDOM & 4095)) $((RANDOM & 4095)) $RANDOM $RANDOM $RANDOM
		it_http --base "$base" POST "$P/$path" -H "Authorization: Bearer $t" -H "X-Request-Id: $rid"
		if [ "$H_STATUS" != 401 ]; then
			t_fail "$label (/$path): got $H_STATUS, want 401: $(printf '%s' "$H_BODY" | head -c 200)"
			continue
		fi
		expect_401 "$rid"
		if [ -n "$reason" ]; then
			got=$(audit_reason "$log" "$rid")
			[ "$got" = "$reason" ] || t_fail "$label (/$path): audit reason '$got', want '$reason'"
		fi
		[ ${#T_FAILS[@]} -eq "$n" ] || t_fail "^ in case: $label (/$path)"
	done
}

# expect_401 RID — lib's expect_error 401 UNAUTHORIZED plus invalid_token,
# checked in the shell (no fork: the corpus is a few hundred requests).
expect_401() {
	local h
	IFS= read -r -d '' h <"$H_HEADERS"
	h=${h//$'\r'/}
	h=${h,,}
	[[ $h == *$'\n'"cache-control: no-store"$'\n'* ]] || t_fail "no Cache-Control: no-store"
	[[ $h == *$'\n'"x-request-id: $1"$'\n'* ]] || t_fail "X-Request-Id $1 not echoed"
	[[ $h == *$'\n'"content-type: application/json"* ]] || t_fail "no Content-Type: application/json"
	[[ $h == *$'\n''www-authenticate: bearer error="invalid_token"'* ]] ||
		t_fail "no WWW-Authenticate: Bearer error=\"invalid_token\""
	[[ $H_BODY =~ ^\{\"success\":false,\"message\":$IT_MSG_RE,\"code\":\"UNAUTHORIZED\",\"errors\":\{\},\"trace_id\":\"$1\"\}$ ]] ||
		t_fail "error body: $H_BODY"
}

# accepted LABEL TOKEN SID — 204 on /logout, and SID's session is gone.
accepted() {
	local base=${BASE:-$IT_BASE}
	it_remember_token "$2"
	it_http --base "$base" POST "$P/logout" -H "Authorization: Bearer $2"
	expect_eq "$H_STATUS" 204 "$1: status"
	expect_count "session_hash = UNHEX(SHA2('$3', 256))" 0
}

# noncanon SEG — SEG with the unused low bits of its last character set:
# the same bytes for a lax decoder, refused by a strict one.
noncanon() {
	local s=$1 last i
	case $((${#s} % 4)) in 2 | 3) ;; *) printf '%s' "$s"; return 1 ;; esac
	last=${s: -1}
	i=${B64URL%%"$last"*}
	i=${#i}
	printf '%s%s' "${s%?}" "${B64URL:$((i | 1)):1}"
}

# padded SEG — SEG with its "=" padding.
padded() {
	case $((${#1} % 4)) in 2) printf '%s==' "$1" ;; 3) printf '%s=' "$1" ;; *) printf '%s' "$1" ;; esac
}

# ---------------------------------------------------------------- controls

t_begin "attacks control: hand-crafted HS256 tokens (no kid, kid main) are accepted"
setup
accepted "crafted, no kid" "$(tok)" "$A_SID"
setup
accepted "crafted, kid main" "$(tok '{"alg":"HS256","typ":"JWT","kid":"main"}')" "$A_SID"
setup
accepted "crafted, JSON whitespace and member order" \
	"$(tok '{ "typ" : "JWT" , "alg" : "HS256" }' "$(printf '{ "exp" : %s , "typ":"access", "sid" : "%s", "sub" : 42 }' "$EXP" "$A_SID")")" "$A_SID"
expect_count "user_id = 43" 1
t_end

# ---------------------------------------------------------------- alg

t_begin "alg none/None/NONE/missing/other: 401, refused by the alg check"
setup
p=$(jwt_b64 "$(claims)")
for h in '{"alg":"none","typ":"JWT"}' '{"alg":"None"}' '{"alg":"NONE"}' '{"alg":"nOnE"}'; do
	h64=$(jwt_b64 "$h")
	refused "$h, empty signature" "$h64.$p." "$R_EALG"
	refused "$h, HS256 signature" "$(jwt_sign_raw HS256 "$K" "$h64" "$p")" "$R_EALG"
done
for h in '{"typ":"JWT"}' '{"alg":""}' '{"alg":null}' '{"alg":256}' '{"alg":["HS256"]}' \
	'{"alg":"hs256"}' '{"alg":"HS256 "}' '{"alg":"HS384"}'; do
	refused "$h" "$(tok "$h")" "$R_EALG"
done
untouched
t_end

t_begin "alg confusion: HS512 header on the HS256 key; RS256/ES256/PS256/EdDSA headers"
setup
refused "HS512 header, HMAC-SHA512 with the HS256 key" "$(jwt_sign HS512 "$K" '{"alg":"HS512"}' "$(claims)")" "$R_EALG"
refused "HS512 header, HMAC-SHA256" "$(tok '{"alg":"HS512"}')" "$R_EALG"
for a in RS256 ES256 PS256 EdDSA; do
	refused "alg $a, HMAC-SHA256 with the key" "$(tok "{\"alg\":\"$a\",\"typ\":\"JWT\"}")" "$R_EALG"
done
untouched
t_end

# ---------------------------------------------------------------- signature

t_begin "signature: empty, another key, truncated, extended, flipped, non-canonical, padded"
setup
good=$(tok)
signed=${good%.*}
sig=${good##*.}
refused "empty signature" "$signed." "$R_EMAL"
refused "signed with another key" "$(jwt_sign HS256 "$KO" "$H" "$(claims)")" "$R_ESIG"
refused "signature less its last character" "$signed.${sig%?}" "$R_EMAL"
refused "signature less 4 characters (30 bytes)" "$signed.${sig%????}" "$R_EMAL"
refused "signature plus AAAA (35 bytes)" "$signed.${sig}AAAA" "$R_EMAL"
refused "an HS512-length signature" "$signed.$(jwt_hmac_b64 HS512 "$K" "$signed")" "$R_EMAL"
first=${sig:0:1}
[ "$first" = A ] && flip=B || flip=A
refused "signature with its first character changed" "$signed.$flip${sig:1}" "$R_ESIG"
nc=$(noncanon "$sig") || t_fail "test setup: signature has no spare bits"
refused "signature with non-canonical trailing bits (same bytes)" "$signed.$nc" "$R_EMAL"
refused "signature with = padding" "$signed.$(padded "$sig")" "$R_EMAL"
refused "signature in the standard alphabet" "$signed.$(printf '%s' "$sig" | tr -- '-_' '+/')A" "$R_EMAL"
untouched
t_end

t_begin "segments: 2, 4, empty header or payload"
setup
good=$(tok)
h64=${good%%.*}
p64=$(jwt_b64 "$(claims)")
sig=${good##*.}
refused "2 segments (header.payload)" "$h64.$p64" "$R_EMAL"
refused "2 segments (header.signature)" "$h64.$sig" "$R_EMAL"
refused "4 segments" "$good.$sig" "$R_EMAL"
refused "trailing dot" "$good." "$R_EMAL"
refused "leading dot" ".$good" "$R_EMAL"
refused "empty header" "$(jwt_sign_raw HS256 "$K" "" "$p64")" "$R_EMAL"
refused "empty payload (correctly signed)" "$(jwt_sign_raw HS256 "$K" "$h64" "")" "$R_EMAL"
refused "just dots" ".." "$R_EMAL"
untouched
t_end

t_begin "base64url: padded, non-canonical or standard-alphabet segments, correctly signed"
setup
# header/payload texts whose length leaves spare bits (n mod 3 != 0)
h='{"alg":"HS256","typ":"JWT" }'
pj=$(claims ',"x":"~~~???~"')
while [ $((${#pj} % 3)) = 0 ] || [[ $(jwt_b64 "$pj") != *[-_]* ]]; do pj="$pj "; done
h64=$(jwt_b64 "$h") p64=$(jwt_b64 "$pj")
accepted "control: these header and payload texts" "$(jwt_sign_raw HS256 "$K" "$h64" "$p64")" "$A_SID"
setup
# same texts, the new session id has the same length
pj=$(claims ',"x":"~~~???~"')
while [ $((${#pj} % 3)) = 0 ] || [[ $(jwt_b64 "$pj") != *[-_]* ]]; do pj="$pj "; done
p64=$(jwt_b64 "$pj")
refused "padded header" "$(jwt_sign_raw HS256 "$K" "$(padded "$h64")" "$p64")" "$R_EMAL"
refused "padded payload" "$(jwt_sign_raw HS256 "$K" "$h64" "$(padded "$p64")")" "$R_EMAL"
refused "non-canonical header" "$(jwt_sign_raw HS256 "$K" "$(noncanon "$h64")" "$p64")" "$R_EMAL"
refused "non-canonical payload" "$(jwt_sign_raw HS256 "$K" "$h64" "$(noncanon "$p64")")" "$R_EMAL"
refused "payload in the standard alphabet" \
	"$(jwt_sign_raw HS256 "$K" "$h64" "$(printf '%s' "$p64" | tr -- '-_' '+/')")" "$R_EMAL"
refused "payload with a space inside (correctly signed)" \
	"$(jwt_sign_raw HS256 "$K" "$h64" "${p64:0:10} ${p64:10}")" "$R_EMAL"
refused "payload not base64 at all (correctly signed)" "$(jwt_sign_raw HS256 "$K" "$h64" 'not*base64!')" "$R_EMAL"
untouched
t_end

t_begin "whitespace and control characters inside the token (NUL: see the comment)"
# A NUL byte cannot travel in an HTTP header: curl cuts the header at it
# and nginx refuses the line (t_abuse.sh sends one straight to a worker
# over FastCGI). Whitespace and the other control characters do reach the
# worker.
setup
good=$(tok)
signed=${good%.*} sig=${good##*.}
for c in ' ' $'\t' $'\x01' $'\x1b' $'\x7f' $'\x0b' $'\xff'; do
	refused "$(printf '%q' "$c") inside the signature" "$signed.${sig:0:20}$c${sig:20}" "$R_EMAL"
done
# inside the signed part: the signature (checked first) no longer matches
refused "space after the first dot" "${good%%.*}. ${good#*.}" "$R_ESIG"
refused "tab inside the payload" "${good:0:60}	${good:60}" "$R_ESIG"
# leading/trailing blanks around the token are not part of it (RFC 7235
# allows the spaces): a control, accepted
accepted "control: two spaces after Bearer and a trailing tab" "  $good	" "$A_SID"
expect_count "user_id = 43" 1
t_end

# ---------------------------------------------------------------- size, depth

t_begin "size: a correctly signed token of 8192 bytes is accepted, 8193 refused unread"
setup
# sized LEN — a correctly signed token of exactly LEN bytes (the payload
# padded; the header's blank shifts the length when padding alone jumps
# over LEN).
sized() {
	local len=$1 hs pad t n
	for hs in '' ' ' '  ' '   '; do
		pad=
		while :; do
			t=$(tok "{\"alg\":\"HS256\"$hs}" "$(claims ",\"pad\":\"$pad\"")")
			[ ${#t} -ge "$len" ] && break
			n=$(((len - ${#t}) * 3 / 4))
			[ "$n" -ge 1 ] || n=1
			pad=$pad$(printf '%*s' "$n" '' | tr ' ' x)
		done
		[ ${#t} = "$len" ] && break
	done
	printf '%s' "$t"
}
t=$(sized 8192)
if [ ${#t} = 8192 ]; then
	accepted "8192 bytes" "$t" "$A_SID"
else
	t_fail "test set-up: could not make a token of exactly 8192 bytes (${#t})"
fi
setup
t=$(sized 8193)
refused "${#t} bytes, correctly signed" "$t" "$R_ELONG"
untouched
t_end

t_begin "size: a 100 KiB Authorization header: nginx refuses it (400), the worker never sees it"
setup
rid=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $(head -c 102400 /dev/zero | tr '\0' a)" -H "X-Request-Id: $rid"
case $H_STATUS in 400 | 413 | 431 | 494) ;; *) t_fail "100 KiB header: got $H_STATUS, want nginx's 400/431/494" ;; esac
# barrier: a later request's audit line is there, the big one's is not
rid2=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer x" -H "X-Request-Id: $rid2"
expect_status 401
it_wait_until 5 grep -q -F "$rid2" "$IT_WORKER_LOG" || t_fail "no audit line for the barrier request"
grep -q -F "$rid" "$IT_WORKER_LOG" && t_fail "the worker saw the 100 KiB header"
untouched
t_end

t_begin "JSON depth bombs in the header and in the payload (correctly signed)"
setup
deep() { printf '%*s' "$1" '' | tr ' ' '['; printf '%*s' "$1" '' | tr ' ' ']'; }
dobj() { printf '%*s' "$1" '' | sed 's/ /{"a":/g'; printf 1; printf '%*s' "$1" '' | tr ' ' '}'; }
for d in 64 1000 2000; do
	refused "header with an array nested $d deep" "$(tok "{\"alg\":\"HS256\",\"x\":$(deep $d)}")" "$R_EMAL"
	refused "payload with an array nested $d deep" "$(tok "$H" "$(claims ",\"x\":$(deep $d)")")" "$R_EMAL"
done
refused "payload with objects nested 500 deep" "$(tok "$H" "$(claims ",\"x\":$(dobj 500)")")" "$R_EMAL"
refused "header that is an array" "$(tok '["alg","HS256"]')" "$R_EMAL"
refused "payload that is an array" "$(tok "$H" "[$(claims)]")" "$R_EMAL"
refused "payload that is a string" "$(tok "$H" '"42"')" "$R_EMAL"
untouched
t_end

# ---------------------------------------------------------------- claims

t_begin "duplicate members (correctly signed): sub, exp, sid, typ, alg, kid"
setup
refused "sub twice (42 then 43)" "$(tok "$H" "$(claims ',"sub":"43"')")" "$R_EMAL"
refused "sub twice (same value)" "$(tok "$H" "$(claims ',"sub":"42"')")" "$R_EMAL"
refused "exp twice (future, then past)" "$(tok "$H" "$(claims ",\"exp\":$((NOW - 600))")")" "$R_EMAL"
refused "exp twice (past, then future)" \
	"$(tok "$H" "$(printf '{"exp":%s,"sub":"42","sid":"%s","typ":"access","exp":%s}' $((NOW - 600)) "$A_SID" "$EXP")")" "$R_EMAL"
refused "sid twice" "$(tok "$H" "$(claims ',"sid":"other"')")" "$R_EMAL"
refused "typ twice" "$(tok "$H" "$(claims ',"typ":"refresh"')")" "$R_EMAL"
refused "alg twice in the header" "$(tok '{"alg":"HS256","alg":"HS256"}')" "$R_EMAL"
refused "kid twice in the header" "$(tok '{"alg":"HS256","kid":"main","kid":"main"}')" "$R_EMAL"
refused "escaped duplicate name (\"s\\u0075b\")" "$(tok "$H" "$(claims ',"s\u0075b":"43"')")" "$R_EMAL"
untouched
t_end

t_begin "exp: string, 1e400, negative, past, null, bool, missing, fraction in the past"
setup
pl() { printf '{"sub":"42","sid":"%s","typ":"access"%s}' "$A_SID" "$1"; }
refused "exp as a string" "$(tok "$H" "$(pl ",\"exp\":\"$EXP\"")")" "$R_ECLAIM"
refused "exp 1e400 (not finite)" "$(tok "$H" "$(pl ',"exp":1e400')")" "$R_ECLAIM"
refused "exp -1e400" "$(tok "$H" "$(pl ',"exp":-1e400')")" "$R_ECLAIM"
refused "exp negative" "$(tok "$H" "$(pl ',"exp":-1')")" "$R_EEXP"
refused "exp -9223372036854775808" "$(tok "$H" "$(pl ',"exp":-9223372036854775808')")" "$R_EEXP"
refused "exp = now" "$(tok "$H" "$(pl ",\"exp\":$NOW")")" "$R_EEXP"
refused "exp 0.5 s ago" "$(tok "$H" "$(pl ",\"exp\":$((NOW - 1)).5")")" "$R_EEXP"
refused "exp null" "$(tok "$H" "$(pl ',"exp":null')")" "$R_ECLAIM"
refused "exp true" "$(tok "$H" "$(pl ',"exp":true')")" "$R_ECLAIM"
refused "exp an object" "$(tok "$H" "$(pl ',"exp":{"v":1}')")" "$R_ECLAIM"
refused "exp missing" "$(tok "$H" "$(pl '')")" "$R_ECLAIM"
untouched
t_end

t_begin "exp: a fractional future NumericDate is valid (204); one beyond max_lifetime, huge or overflowing, is 401"
# RFC 7519 §2: NumericDate is a JSON number, "non-integer values can be
# represented". An exp further ahead than max_lifetime (90 days by default)
# is refused: a leaked key or a broken issuer must not mint tokens that
# live for centuries.
setup
accepted "exp $((NOW + 600)).5" "$(tok "$H" "$(printf '{"sub":"42","sid":"%s","typ":"access","exp":%s.5}' "$A_SID" $((NOW + 600)))")" "$A_SID"
setup
for e in $((NOW + 7776000 + 60)) 9e18 9.3e18 9223372036854775807 99999999999999999999 1e300; do
	refused "exp $e" "$(tok "$H" "$(printf '{"sub":"42","sid":"%s","typ":"access","exp":%s}' "$A_SID" "$e")")" "$R_ELIFETIME"
done
refused "iat 91 days before exp" "$(tok "$H" "$(claims ",\"iat\":$((NOW + 600 - 7862400))")")" "$R_ELIFETIME"
untouched
t_end

t_begin "iat and nbf a second or two ahead (an issuer's clock, PyJWT's precise time()): accepted within clock_skew"
setup
accepted "iat now+2, nbf now+2" "$(tok "$H" "$(claims ",\"nbf\":$((NOW + 2)),\"iat\":$((NOW + 2))")")" "$A_SID"
setup
refused "iat now+60" "$(tok "$H" "$(claims ",\"iat\":$((NOW + 60))")")" "$R_EIAT"
untouched
t_end

t_begin "nbf and iat in the future, or malformed: 401"
setup
refused "nbf in 10 min" "$(tok "$H" "$(claims ",\"nbf\":$((NOW + 600))")")" "$R_ENOTYET"
refused "nbf in 10 min, fractional" "$(tok "$H" "$(claims ",\"nbf\":$((NOW + 600)).5")")" "$R_ENOTYET"
refused "nbf 9e18" "$(tok "$H" "$(claims ',"nbf":9e18')")" "$R_ENOTYET"
refused "nbf as a string" "$(tok "$H" "$(claims ',"nbf":"0"')")" "$R_ECLAIM"
refused "iat in 10 min" "$(tok "$H" "$(claims ",\"iat\":$((NOW + 600))")")" "$R_EIAT"
refused "iat null" "$(tok "$H" "$(claims ',"iat":null')")" "$R_ECLAIM"
refused "iat 1e400" "$(tok "$H" "$(claims ',"iat":1e400')")" "$R_ECLAIM"
untouched
setup
accepted "control: nbf and iat in the past" "$(tok "$H" "$(claims ",\"nbf\":$((NOW - 60)),\"iat\":$((NOW - 60)).25")")" "$A_SID"
t_end

t_begin "kid: unknown, path traversal, quotes, SQL, empty, not a string"
setup
for kid in nope '../keys/main' '../../../../../../etc/passwd' 'keys/main.key' 'main\"' "main'" \
	"main' OR '1'='1" 'main; DROP TABLE user_sessions; --' '' 'main ' 'MAIN' 'main\u0000' 'nosuch'; do
	refused "kid '$kid'" "$(tok "{\"alg\":\"HS256\",\"kid\":\"$kid\"}")" "$R_EKID"
done
for kid in 1 null true '["main"]' '{"k":"main"}'; do
	refused "kid $kid" "$(tok "{\"alg\":\"HS256\",\"kid\":$kid}")" "$R_EKID"
done
# a well-formed token of the known-to-others key "nosuch", signed with it
refused "kid nosuch signed with the nosuch key" \
	"$(jwt_sign HS256 "$KO" '{"alg":"HS256","kid":"nosuch"}' "$(claims)")" "$R_EKID"
untouched
expect_eq "$(it_sql -N -B app -e "SHOW TABLES LIKE 'user_sessions'")" user_sessions "table still there"
t_end

t_begin "crit header: refused whatever it lists"
setup
refused 'crit ["exp"]' "$(tok '{"alg":"HS256","crit":["exp"],"exp":1}')" "$R_ECRIT"
refused 'crit []' "$(tok '{"alg":"HS256","crit":[]}')" "$R_ECRIT"
refused 'crit null' "$(tok '{"alg":"HS256","crit":null}')" "$R_ECRIT"
refused 'crit ["b64"], b64 false' "$(tok '{"alg":"HS256","crit":["b64"],"b64":false}')" "$R_ECRIT"
untouched
t_end

t_begin "token type: refresh token as bearer, access token as refresh_token"
setup
refused "the admin tool's refresh token as bearer" "$A_REFRESH" "$R_ETYPE"
refused "typ refresh" "$(tok "$H" "$(printf '{"sub":"42","sid":"%s","typ":"refresh","jti":"j1","exp":%s}' "$A_SID" "$EXP")")" "$R_ETYPE"
for typ in '"Access"' '"access "' '["access"]' 'null' '1'; do
	refused "typ $typ" "$(tok "$H" "$(printf '{"sub":"42","sid":"%s","typ":%s,"exp":%s}' "$A_SID" "$typ" "$EXP")")" "$R_ETYPE"
done
refused "no typ" "$(tok "$H" "$(printf '{"sub":"42","sid":"%s","exp":%s}' "$A_SID" "$EXP")")" "$R_ETYPE"
# an access token (crafted, valid) where the refresh token goes
it_session 42; b_sid=$S_SID
acc_b=$(tok "$H" "$(printf '{"sub":"42","sid":"%s","jti":"%s","typ":"access","exp":%s}' "$b_sid" "$S_JTI" "$EXP")")
it_remember_token "$acc_b"
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H 'Content-Type: application/json' \
	--data-binary "{\"refresh_token\":\"$acc_b\"}"
expect_error 401 UNAUTHORIZED
expect_match "$H_BODY" '.*"message":"Invalid refresh token".*' "message"
expect_count "user_id = 42" 2
expect_count "user_id = 43" 1
t_end

t_begin "sub and sid: missing, empty, null, quotes, NUL, non-UTF-8, not numeric, too long"
setup
sp() { printf '{%s"typ":"access","exp":%s}' "$1" "$EXP"; }
sid="\"sid\":\"$A_SID\","
refused "no sub" "$(tok "$H" "$(sp "$sid")")" "$R_ECLAIM"
refused "sub empty" "$(tok "$H" "$(sp "$sid\"sub\":\"\",")")" "$R_ECLAIM"
refused "sub null" "$(tok "$H" "$(sp "$sid\"sub\":null,")")" "$R_ECLAIM"
refused "sub 42.0" "$(tok "$H" "$(sp "$sid\"sub\":42.0,")")" "$R_ECLAIM"
refused "sub [42]" "$(tok "$H" "$(sp "$sid\"sub\":[42],")")" "$R_ECLAIM"
refused "sub 2^63 (saturates)" "$(tok "$H" "$(sp "$sid\"sub\":9223372036854775808,")")" "$R_ECLAIM"
refused "sub with NUL (\\u0000)" "$(tok "$H" "$(sp "$sid\"sub\":\"42\\u0000\",")")" "$R_ECLAIM"
refused "sub 257 bytes" "$(tok "$H" "$(sp "$sid\"sub\":\"$(printf '%0257d' 42)\",")")" "$R_ECLAIM"
refused "sub with quotes (not a user id)" "$(tok "$H" "$(sp "$sid\"sub\":\"42\\\"' OR 1=1 -- \",")")" "$R_LACKS"
refused "sub -42" "$(tok "$H" "$(sp "$sid\"sub\":\"-42\",")")" "$R_LACKS"
refused "sub ' 42'" "$(tok "$H" "$(sp "$sid\"sub\":\" 42\",")")" "$R_LACKS"
refused "sub 42 with a Unicode digit" "$(tok "$H" "$(sp "$sid\"sub\":\"4\\u0662\",")")" "$R_LACKS"
# raw bytes that are not UTF-8, inside the (correctly signed) payload
for bad in '\xff' '\xc0\xaf' '\xed\xa0\x80' '\xf8\x88\x80\x80\x80'; do
	p64=$( { printf '{"sub":"42'; printf '%b' "$bad"; printf '","sid":"%s","typ":"access","exp":%s}' "$A_SID" "$EXP"; } | jwt_b64_stdin)
	refused "sub with raw bytes $bad" "$(jwt_sign_raw HS256 "$K" "$(jwt_b64 "$H")" "$p64")" "$R_EMAL"
done
refused "no sid" "$(tok "$H" "$(sp '"sub":"42",')")" "$R_LACKS"
refused "sid empty" "$(tok "$H" "$(sp '"sub":"42","sid":"",')")" "$R_ECLAIM"
refused "sid 7" "$(tok "$H" "$(sp '"sub":"42","sid":7,')")" "$R_ECLAIM"
refused "sid with NUL" "$(tok "$H" "$(sp "\"sub\":\"42\",\"sid\":\"$A_SID\\u0000x\",")")" "$R_ECLAIM"
refused "sid with quotes and SQL" "$(tok "$H" "$(sp "\"sub\":\"42\",\"sid\":\"x' OR '1'='1\",")")" "$R_GONE"
refused "sid of A, sub of the bystander" "$(tok "$H" "$(sp "\"sub\":\"43\",\"sid\":\"$A_SID\",")")" "$R_GONE"
untouched
setup
accepted "control: sub as the integer 42" "$(tok "$H" "$(sp "\"sid\":\"$A_SID\",\"sub\":42,")")" "$A_SID"
t_end

t_begin "a valid token whose session was deleted: 401 session gone"
setup
t=$(tok)
it_sql app -e "DELETE FROM user_sessions WHERE session_hash = UNHEX(SHA2('$A_SID', 256))"
it_session 42
refused "crafted token, row deleted" "$t" "$R_GONE"
refused "admin token, row deleted" "$A_ACCESS" "$R_GONE"
setup
it_admin force-logout --user 42 >/dev/null 2>&1 || t_fail "force-logout failed"
refused "after force-logout" "$A_ACCESS" "$R_GONE"
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
t_end

# ---------------------------------------------------------------- issuer, audience, HS512

# A second worker: issuer and audience set, plus an HS512 key "big".
ia_conf=$IT_DIR/attacks-ia.conf
ia_log=$IT_DIR/attacks-ia.log
ia_sock=$IT_DIR/attacks-ia.sock
[ -s "$IT_KEYDIR/attacks-big.key" ] || (umask 077; head -c 96 /dev/urandom | base64 -w0 >"$IT_KEYDIR/attacks-big.key")
KB=$(jwt_key_hex "$IT_KEYDIR/attacks-big.key")
jwt_prepare "$KB"
{
	sed -e 's|^issuer =.*|issuer = https://issuer.test|' -e 's|^audience =.*|audience = api|' "$IT_CONF"
	printf '\n[key big]\nalg = HS512\nsecret_file = keys/attacks-big.key\nencoding = base64\n'
} >"$ia_conf"
chmod 600 "$ia_conf"
ia_up=0
if ! grep -q '^issuer = https://issuer.test$' "$ia_conf" || ! grep -q '^audience = api$' "$ia_conf"; then
	it_log "could not set issuer/audience in $ia_conf"
else
	"$IT_WORKER_BIN" --config "$ia_conf" --listen "$ia_sock" --threads 2 </dev/null 2>>"$ia_log" &
	pr_track $! "worker attacks-ia"
	if it_wait_until 10 test -S "$ia_sock" && pr_nginx_start attacks-ia "$ia_sock" &&
		pr_http_ready "$PR_BASE" 10; then
		ia_up=1
	else
		it_log "second worker: $(tail -n 5 "$ia_log" 2>/dev/null)"
	fi
fi

t_begin "issuer and audience (second worker): wrong or missing iss/aud refused"
if [ $ia_up = 1 ]; then
	BASE=$PR_BASE LOG=$ia_log
	ia() { printf '{"sub":"42","sid":"%s","typ":"access","exp":%s%s}' "$A_SID" "$EXP" "$1"; }
	setup
	refused "no iss, no aud" "$(tok "$H" "$(ia '')")" "$R_EISS"
	for iss in '"https://issuer.test/"' '"https://ISSUER.test"' '"https://evil.test"' '""' \
		'["https://issuer.test"]' 'null' '"https://issuer.test\u0000"'; do
		refused "iss $iss" "$(tok "$H" "$(ia ",\"iss\":$iss,\"aud\":\"api\"")")" "$R_EISS"
	done
	for aud in '"apix"' '"API"' '""' '[]' '["web","apix"]' 'null' '1' '[["api"]]'; do
		refused "aud $aud" "$(tok "$H" "$(ia ",\"iss\":\"https://issuer.test\",\"aud\":$aud")")" "$R_EAUD"
	done
	refused "no aud" "$(tok "$H" "$(ia ',"iss":"https://issuer.test"')")" "$R_EAUD"
	refused "iss twice (right, then wrong)" \
		"$(tok "$H" "$(ia ',"iss":"https://issuer.test","aud":"api","iss":"https://evil.test"')")" "$R_EMAL"
	untouched
	setup
	accepted "control: right iss, aud a string" "$(tok "$H" "$(ia ',"iss":"https://issuer.test","aud":"api"')")" "$A_SID"
	setup
	accepted "control: aud an array holding api" "$(tok "$H" "$(ia ',"iss":"https://issuer.test","aud":["web","api"]')")" "$A_SID"
	unset BASE LOG
else
	t_fail "the second worker (issuer/audience) did not start"
fi
t_end

t_begin "HS512 key (second worker): HS256 header or HMAC on it refused, HS512 accepted"
if [ $ia_up = 1 ]; then
	BASE=$PR_BASE LOG=$ia_log
	iap=$(printf ',"iss":"https://issuer.test","aud":"api"')
	setup
	pj=$(claims "$iap")
	refused "kid big, HS256 header, HMAC-SHA256 with the HS512 key" \
		"$(jwt_sign HS256 "$KB" '{"alg":"HS256","kid":"big"}' "$pj")" "$R_EALG"
	refused "kid big, HS512 header, HMAC-SHA256 with the HS512 key" \
		"$(jwt_sign HS256 "$KB" '{"alg":"HS512","kid":"big"}' "$pj")" "$R_EMAL"
	refused "kid big, HS512 header, signed with main's key" \
		"$(jwt_sign HS512 "$K" '{"alg":"HS512","kid":"big"}' "$pj")" "$R_ESIG"
	refused "kid main, HS512 header, HMAC-SHA512 with the big key" \
		"$(jwt_sign HS512 "$KB" '{"alg":"HS512","kid":"main"}' "$pj")" "$R_EALG"
	refused "kid big, alg none" "$(jwt_b64 '{"alg":"none","kid":"big"}').$(jwt_b64 "$pj")." "$R_EALG"
	good=$(jwt_sign HS512 "$KB" '{"alg":"HS512","kid":"big"}' "$pj")
	refused "kid big, signature cut to 32 bytes" "${good%.*}.$(jwt_hmac_b64 HS256 "$KB" "${good%.*}")" "$R_EMAL"
	untouched
	accepted "control: kid big, HS512" "$good" "$A_SID"
	unset BASE LOG
else
	t_fail "the second worker (HS512 key) did not start"
fi
t_end

t_begin "no worker log line carries a crafted token, signature or key"
for f in "$IT_WORKER_LOG" "$ia_log"; do
	[ -s "$f" ] || continue
	grep -q -F -e "$(printf '%s' "$K" | head -c 40)" "$f" && t_fail "key hex in $f"
	grep -q -F -e "$(cat "$IT_KEYDIR/main.key")" -e "$(cat "$IT_KEYDIR/attacks-big.key")" "$f" && t_fail "a key in $f"
done
grep -q -E '"status":5[0-9][0-9]' "$ia_log" 2>/dev/null &&
	t_fail "a 5xx in the second worker's log: $(grep -E '"status":5' "$ia_log" | head -n 2)"
t_end

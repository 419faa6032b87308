# SPDX-License-Identifier: ISC
# t_abuse.sh — protocol and body abuse. Through the suite's nginx: oversized
# headers and bodies, lying Content-Length, invalid UTF-8, depth bombs, NUL
# bytes, Content-Type variants, hostile User-Agent and X-Request-Id. What
# nginx will not pass on (newlines in a header, a CONTENT_LENGTH that does
# not match the body, a NUL in a param) is sent straight to a private worker
# with a small FastCGI client written in bash (/dev/tcp to --listen
# 127.0.0.1:PORT). Every case: the status, no 5xx, and user 42's sessions
# and a bystander's (43) as expected.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/jwt.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
JSON='Content-Type: application/json'

# setup — two sessions of 42 (A: the bearer's, A2) and one of 43.
setup() {
	it_session 42 || t_fail "create-session failed"
	A_ACCESS=$S_ACCESS A_SID=$S_SID A_REFRESH=$S_REFRESH
	it_session 42; A2_SID=$S_SID A2_ACCESS=$S_ACCESS
	it_session 43
}
untouched() { expect_count "user_id = 42" 2; expect_count "user_id = 43" 1; }
no5xx() { case $H_STATUS in 5?? | 000 | '') t_fail "$1: status '$H_STATUS'" ;; esac; }

# post_body LABEL BODYFILE CURL-ARGS... — POST /logout with A's bearer and
# the body from a file (any bytes).
post_body() {
	local label=$1 f=$2
	shift 2
	it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" --data-binary "@$f" "$@"
	no5xx "$label"
}

# barrier — one more request, and wait for its audit line: a request sent
# before it that reached the worker has its line by then too (the suite's
# case files run one request at a time), so its absence means something.
barrier() {
	local rid
	rid=$(it_uuid_new)
	it_http POST $P/logout -H "Authorization: Bearer x" -H "X-Request-Id: $rid"
	it_wait_until 5 grep -q -F "$rid" "$IT_WORKER_LOG" || t_fail "no audit line for the barrier request"
}

# json_valid LINE — 1 when MariaDB's JSON_VALID accepts LINE.
json_valid() {
	local b64
	b64=$(printf '%s' "$1" | base64 -w0)
	it_sql -N -B -e "SELECT JSON_VALID(CONVERT(FROM_BASE64('$b64') USING utf8mb4))"
}
json_field() {
	local b64
	b64=$(printf '%s' "$1" | base64 -w0)
	it_sql -N -B -r -e "SELECT JSON_UNQUOTE(JSON_EXTRACT(CONVERT(FROM_BASE64('$b64') USING utf8mb4), '\$.$2'))"
}

# audit_one LOG RID — exactly one line with that trace id, valid JSON; in AUDIT.
audit_one() {
	local n
	it_wait_until 5 grep -q -F "\"trace_id\":\"$2\"" "$1"
	n=$(grep -c -F "\"trace_id\":\"$2\"" "$1")
	[ "$n" = 1 ] || { t_fail "audit: $n lines for $2 (want 1)"; AUDIT=; return 1; }
	AUDIT=$(grep -F "\"trace_id\":\"$2\"" "$1")
	[ "$(json_valid "$AUDIT")" = 1 ] || { t_fail "audit line is not valid JSON: $AUDIT"; return 1; }
}

# ---------------------------------------------------------------- sizes

t_begin "oversized Authorization: 12 KiB reaches the worker (401), 20 KiB stopped by nginx (400)"
setup
it_http POST $P/logout -H "Authorization: Bearer $(head -c 12288 /dev/zero | tr '\0' a)"
expect_error 401 UNAUTHORIZED
rid=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $(head -c 20480 /dev/zero | tr '\0' a)" -H "X-Request-Id: $rid"
case $H_STATUS in 400 | 431 | 494) ;; *) t_fail "20 KiB header: got $H_STATUS, want nginx's 400" ;; esac
barrier
grep -q -F "$rid" "$IT_WORKER_LOG" && t_fail "the worker saw the 20 KiB header"
untouched
t_end

t_begin "body over max_body: 60 KB gets the worker's 413 at once; 10 MB gets nginx's 413"
setup
f=$IT_DIR/abuse.60k
printf '{"all_devices":true,"pad":"%s"}' "$(head -c 60000 /dev/zero | tr '\0' a)" >"$f"
post_body "60 KB" "$f" -H "$JSON"
expect_error 413 PAYLOAD_TOO_LARGE
awk -v t="$H_TIME" 'BEGIN { exit !(t < 2) }' || t_fail "60 KB body: 413 took $H_TIME s"
post_body "60 KB chunked" "$f" -H "$JSON" -H 'Transfer-Encoding: chunked'
expect_error 413 PAYLOAD_TOO_LARGE
f=$IT_DIR/abuse.10m
head -c 10000000 /dev/zero | tr '\0' ' ' >"$f"
rid=$(it_uuid_new)
post_body "10 MB" "$f" -H "$JSON" -H "X-Request-Id: $rid"
expect_status 413
awk -v t="$H_TIME" 'BEGIN { exit !(t < 5) }' || t_fail "10 MB body: 413 took $H_TIME s"
barrier
grep -q -F "$rid" "$IT_WORKER_LOG" && t_fail "the worker saw the 10 MB request"
rm -f "$IT_DIR/abuse.10m"
untouched
t_end

t_begin "lying Content-Length through nginx: shorter, longer, invalid, doubled, with chunked"
setup
# shorter: nginx forwards the first 5 bytes ('{"all'), the worker's JSON
# check refuses them; the rest is a second (bad) request on the connection
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" \
	-H 'Content-Length: 5' --data-binary '{"all_devices":true}'
expect_error 400 BAD_REQUEST
# longer: nginx waits for the rest of the body (client_body_timeout); the
# client gives up after 1 s and the worker never hears of it
rid=$(it_uuid_new)
it_http --max-time 1 --status-only POST $P/logout \
	-H "Authorization: Bearer $A_ACCESS" -H "$JSON" -H 'Content-Length: 100' -H "X-Request-Id: $rid" \
	--data-binary '{"all_devices":true}'
expect_eq "$H_STATUS" 000 "Content-Length 100 with 20 bytes sent: an answer before the body"
for cl in -1 abc 1e3 '5, 5' 99999999999999999999; do
	it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" \
		-H "Content-Length: $cl" --data-binary '{"all_devices":true}'
	[ "$H_STATUS" = 400 ] || t_fail "Content-Length '$cl': got $H_STATUS, want nginx's 400"
done
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" \
	-H 'Content-Length: 20' -H 'Content-Length: 2' --data-binary '{"all_devices":true}'
expect_status 400
it_http POST $P/logout -H "Authorization: Bearer $A_ACCESS" -H "$JSON" \
	-H 'Content-Length: 20' -H 'Transfer-Encoding: chunked' --data-binary '{"all_devices":true}'
expect_status 400
barrier
grep -q -F "$rid" "$IT_WORKER_LOG" && t_fail "the worker saw the request whose body never came"
untouched
t_end

# ---------------------------------------------------------------- JSON

t_begin "invalid UTF-8, NUL bytes, trailing data in the JSON body: 400 BAD_REQUEST"
setup
f=$IT_DIR/abuse.body
for b in '{"all_devices":true,"x":"\xff"}' '{"all_devices":true,"x":"\xc0\xaf"}' \
	'{"all_devices":true,"x":"\xed\xa0\x80"}' '{"all_devices":true,"x":"\xf4\x90\x80\x80"}' \
	'{"all_devices":true,"\xfe":1}' '{"all_devices":true}\xff' \
	'{"all_devices":true}\x00' '{"all_devices":true,"x":"a\x00b"}' '\x00{"all_devices":true}' \
	'{"all_devices":\x00true}' '{"all_devices":true}{}' '{"all_devices":true} x' \
	"{'all_devices':true}" '{"all_devices":True}' '{"all_devices":true,}' '{"x":NaN,"all_devices":true}' \
	'\xef\xbb\xbf{"all_devices":true}'; do
	printf '%b' "$b" >"$f"
	post_body "body $b" "$f" -H "$JSON"
	[ "$H_STATUS" = 400 ] || t_fail "body $b: got $H_STATUS, want 400"
	expect_error 400 BAD_REQUEST
done
untouched
t_end

t_begin "raw control characters inside JSON strings (RFC 8259 section 7): refused in a body and in a token"
# json-c takes them even in strict mode; the README promises strict JSON
# (and a parser that disagrees with others about a token is a risk).
f=$IT_DIR/abuse.body
K=$(jwt_key_hex "$IT_KEYDIR/main.key")
jwt_prepare "$K"
for c in '\x01' '\x1f' '\t' '\n'; do
	setup
	t=$(jwt_sign HS256 "$K" '{"alg":"HS256","typ":"JWT"}' \
		"$(printf '{"sub":"42","sid":"%s","typ":"access","exp":%s,"x":"a%bb"}' "$A_SID" $(($(jwt_now) + 600)) "$c")")
	it_remember_token "$t"
	it_http POST $P/logout -H "Authorization: Bearer $t"
	[ "$H_STATUS" = 401 ] || t_fail "token whose payload has \"x\":\"a${c}b\" (raw byte): got $H_STATUS, want 401"
	printf '{"all_devices":true,"x":"a%bb"}' "$c" >"$f"
	it_http POST $P/logout -H "Authorization: Bearer $A2_ACCESS" -H "$JSON" --data-binary "@$f"
	[ "$H_STATUS" = 400 ] || t_fail "body {\"all_devices\":true,\"x\":\"a${c}b\"} (raw byte): got $H_STATUS, want 400"
	untouched
	it_db_reset >/dev/null 2>&1
done
t_end

t_begin "JSON depth bombs in the body: 400; moderate nesting in an unknown member is fine"
setup
f=$IT_DIR/abuse.body
for d in 17 100 2000; do
	{ printf '{"all_devices":true,"x":'; printf '%*s' "$d" '' | tr ' ' '['; printf '%*s' "$d" '' | tr ' ' ']'; printf '}'; } >"$f"
	post_body "array depth $d" "$f" -H "$JSON"
	[ "$H_STATUS" = 400 ] || t_fail "array depth $d: got $H_STATUS, want 400"
	expect_error 400 BAD_REQUEST
done
{ printf '{"all_devices":true,"x":'; printf '%*s' 500 '' | sed 's/ /{"a":/g'; printf 1; printf '%*s' 500 '' | tr ' ' '}'; printf '}'; } >"$f"
post_body "object depth 500" "$f" -H "$JSON"
expect_error 400 BAD_REQUEST
{ printf '{"all_devices":true,"x":'; printf '%*s' 5000 '' | tr ' ' '['; printf '%*s' 5000 '' | tr ' ' ']'; printf '}'; } >"$f"
post_body "array depth 5000 (10 KB: over max_body)" "$f" -H "$JSON"
expect_error 413 PAYLOAD_TOO_LARGE
untouched
printf '{"x":[[[{"y":[1]}]]],"all_devices":false}' >"$f"
post_body "depth 6" "$f" -H "$JSON"
expect_status 204
expect_count "user_id = 42" 1
expect_count "session_hash = UNHEX(SHA2('$A_SID', 256))" 0
t_end

t_begin "Content-Type: charset accepted; text/plain, application/jsonx, none with a body: 415"
setup
f=$IT_DIR/abuse.body
printf '{"all_devices":false}' >"$f"
for ct in 'text/plain' 'application/jsonx' 'application/json-patch+json' 'application/x-www-form-urlencoded' \
	'multipart/form-data; boundary=x' 'json' 'application/javascript' 'application/json5' 'text/json'; do
	post_body "Content-Type $ct" "$f" -H "Content-Type: $ct"
	[ "$H_STATUS" = 415 ] || t_fail "Content-Type '$ct': got $H_STATUS, want 415"
	expect_error 415 UNSUPPORTED_MEDIA_TYPE
done
post_body "no Content-Type" "$f" -H 'Content-Type:'
expect_error 415 UNSUPPORTED_MEDIA_TYPE
untouched
for ct in 'application/json; charset=utf-8' 'application/json;charset=UTF-8' 'Application/JSON'; do
	setup
	post_body "Content-Type $ct" "$f" -H "Content-Type: $ct"
	[ "$H_STATUS" = 204 ] || t_fail "Content-Type '$ct': got $H_STATUS, want 204"
	expect_count "session_hash = UNHEX(SHA2('$A_SID', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$A2_SID', 256))" 1
done
expect_count "user_id = 43" 4
t_end

# ---------------------------------------------------------------- audit escaping, X-Request-Id

t_begin "hostile User-Agent: quotes, backslashes, controls, non-UTF-8, a newline (cut by nginx): one valid JSON audit line each"
setup
for ua in 'evil"agent\\' '\\"},{"event":"logout","status":204,"x":"' 'ctl\x01\x02\x1b[31m\x7f' \
	'tab\there' 'bytes\xff\xfe\xc0\xaf' 'line1\nline2' 'cr\rcr' 'uni\u2028\u2029' "$(printf '%0500d' 0)"; do
	rid=$(it_uuid_new)
	it_http POST $P/logout -H "Authorization: Bearer garbage" -H "X-Request-Id: $rid" -A "$(printf '%b' "$ua")"
	no5xx "UA $ua"
	[ "$H_STATUS" = 401 ] || [ "$H_STATUS" = 400 ] || t_fail "UA $ua: got $H_STATUS"
	[ "$H_STATUS" = 401 ] || continue
	audit_one "$IT_WORKER_LOG" "$rid" || continue
done
rid=$(it_uuid_new)
ua='he said "hi" \o/'
it_http POST $P/logout -H "Authorization: Bearer garbage" -H "X-Request-Id: $rid" -A "$ua"
audit_one "$IT_WORKER_LOG" "$rid" && expect_eq "$(json_field "$AUDIT" user_agent)" "$ua" "user_agent round trip"
untouched
t_end

t_begin "malformed X-Request-Id: replaced by a fresh UUID, not echoed in header, body or log"
setup
for bad in 'x"},{"injected":"1' '../../etc/passwd' '<script>alert(1)</script>' \
	"$(it_uuid_new)\"" "$(it_uuid_new) x" "{$(it_uuid_new)}" "$(it_uuid_new | tr 'a-f0-9-' 'g-l0-9_')" \
	"$(printf 'id\x01\x7f\xff')" "$(printf '%0400d' 7)"; do
	mark="m$RANDOM$RANDOM"
	sent="$bad$mark"
	it_http POST $P/logout -H "Authorization: Bearer garbage" -H "X-Request-Id: $sent"
	no5xx "X-Request-Id $bad"
	expect_error 401 UNAUTHORIZED
	got=$(it_hdr X-Request-Id)
	case $got in *"$mark"*) t_fail "X-Request-Id '$bad' echoed in the header" ;; esac
	case $H_BODY in *"$mark"*) t_fail "X-Request-Id '$bad' echoed in the body" ;; esac
	audit_one "$IT_WORKER_LOG" "$got"
	grep -q -F "$mark" "$IT_WORKER_LOG" && t_fail "X-Request-Id '$bad' in the log"
done
untouched
t_end

# ---------------------------------------------------------------- raw FastCGI

. "$top_srcdir/tests/integration/fcgi.sh"

f_expect() {
	[ "$F_STATUS" = "$2" ] || t_fail "$1: got '${F_STATUS:-no answer}', want $2 ($(printf '%s' "$F_BODY" | head -c 160))"
	case $F_STATUS in 5??) t_fail "$1: a 5xx" ;; esac
}

fcgi_log=$IT_DIR/abuse-worker.log
FCGI_PORT=$(it_free_port)
"$IT_WORKER_BIN" --config "$IT_CONF" --listen "127.0.0.1:$FCGI_PORT" --threads 2 </dev/null 2>>"$fcgi_log" &
pr_track $! "worker abuse"
fcgi_up=0
fcgi_listening() { [ -n "$FCGI_PORT" ] && it_port_in_use "$FCGI_PORT"; }
it_wait_until 10 fcgi_listening && fcgi_up=1

# fcgi_case NAME — t_begin NAME, and 0 when the private worker is up.
fcgi_case() {
	t_begin "$1"
	[ $fcgi_up = 1 ] && return 0
	t_fail "the private worker on 127.0.0.1:$FCGI_PORT did not start: $(tail -n 3 "$fcgi_log")"
	return 1
}

if fcgi_case "raw FastCGI: control request, then CONTENT_LENGTH longer and shorter than the body"; then
	setup
	fcgi_post '' "HTTP_AUTHORIZATION=Bearer $A_ACCESS" CONTENT_LENGTH=0
	f_expect "control (no body)" 204
	expect_count "session_hash = UNHEX(SHA2('$A_SID', 256))" 0
	setup
	fcgi_post '{}' "HTTP_AUTHORIZATION=Bearer $A_ACCESS" CONTENT_LENGTH=20 CONTENT_TYPE=application/json
	f_expect "CONTENT_LENGTH 20, 2 bytes sent" 400
	expect_count "session_hash = UNHEX(SHA2('$A_SID', 256))" 1
	# the bytes past CONTENT_LENGTH are not the body: {} ends the bearer's
	# session only, the all_devices after it is never seen
	fcgi_post '{}{"all_devices":true}' "HTTP_AUTHORIZATION=Bearer $A_ACCESS" CONTENT_LENGTH=2 CONTENT_TYPE=application/json
	f_expect "CONTENT_LENGTH 2, 22 bytes sent" 204
	expect_count "session_hash = UNHEX(SHA2('$A_SID', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$A2_SID', 256))" 1
	expect_count "user_id = 43" 2
fi
t_end

if fcgi_case "raw FastCGI: CONTENT_LENGTH not a number, negative, overflowing, over max_body"; then
	setup
	for cl in abc -1 1e3 ' 2' '2 ' 0x10 +2 99999999999999999999 '2\n'; do
		fcgi_post '{}' "HTTP_AUTHORIZATION=Bearer $A_ACCESS" "CONTENT_LENGTH=$cl" CONTENT_TYPE=application/json
		f_expect "CONTENT_LENGTH '$cl'" 400
	done
	fcgi_post '{}' "HTTP_AUTHORIZATION=Bearer $A_ACCESS" CONTENT_LENGTH=100000 CONTENT_TYPE=application/json
	f_expect "CONTENT_LENGTH 100000" 413
	untouched
fi
t_end

if fcgi_case "raw FastCGI: newlines, quotes, NUL in User-Agent, X-Request-Id and Authorization"; then
	setup
	for ua in 'line1\nline2' 'a\r\n{"event":"logout"}\r\n' 'q"uote\\back' 'nul\x00after' '\x1b]0;title\x07'; do
		rid=$(it_uuid_new)
		fcgi_post '' "HTTP_AUTHORIZATION=Bearer garbage" "HTTP_X_REQUEST_ID=$rid" "HTTP_USER_AGENT=$ua"
		f_expect "UA $ua" 401
		expect_eq "$(f_hdr X-Request-Id)" "$rid" "X-Request-Id (UA $ua)"
		audit_one "$fcgi_log" "$rid"
	done
	for bad in "$(it_uuid_new)\\n" "\\n$(it_uuid_new)" "$(it_uuid_new)\\x00junk" 'x"}\n{"event":"logout","trace_id":"y'; do
		fcgi_post '' "HTTP_AUTHORIZATION=Bearer garbage" "HTTP_X_REQUEST_ID=$bad" 'HTTP_USER_AGENT=it-raw'
		f_expect "X-Request-Id $bad" 401
		got=$(f_hdr X-Request-Id)
		expect_match "$got" "$IT_UUID_RE" "fresh X-Request-Id for '$bad'"
		case $F_BODY in *"\"trace_id\":\"$got\""*) ;; *) t_fail "trace_id is not the fresh X-Request-Id: $F_BODY" ;; esac
		audit_one "$fcgi_log" "$got"
	done
	grep -q -F '"event":"logout","trace_id":"y' "$fcgi_log" && t_fail "an injected line in the log"
	grep -q -v -e '^{' -e '^logout-fcgi\[' "$fcgi_log" &&
		t_fail "a log line that is neither JSON nor a logout-fcgi message: $(grep -v -e '^{' -e '^logout-fcgi\[' "$fcgi_log" | head -n 2)"
	# a NUL in the bearer: the param ends there (C strings), half a token is malformed
	fcgi_post '' "HTTP_AUTHORIZATION=Bearer ${A_ACCESS:0:40}\\x00${A_ACCESS:40}"
	f_expect "NUL inside the token" 401
	fcgi_post '' "HTTP_AUTHORIZATION=Bearer ${A_ACCESS:0:40}\\n${A_ACCESS:40}"
	f_expect "newline inside the token" 401
	fcgi_post '' "HTTP_AUTHORIZATION=Bearer\\x00 $A_ACCESS"
	f_expect "NUL after Bearer" 401
	untouched
fi
t_end

# SPDX-License-Identifier: ISC
# t_audit.sh — the audit trail on the worker's stderr (README "Audit log"):
# one JSON line per request with every field, a hostile User-Agent kept
# inside its line, and none of the tokens this file sends (accepted,
# refused, expired, in a body) nor a key, the password or SQL text in the
# log. Whether any token of the whole run reached the log is the run
# script's last check (tests/integration/run), after every case file.

P=/api/v1/auth
# the tokens this file handles: those it_remember_token records from here on
tokens_from=$(($(wc -l <"$IT_DIR/tokens") + 1))
FIELDS='time event user sessions client_ip user_agent trace_id status reason'

# audit_line TRACE_ID — the one log line carrying that trace id.
audit_line() {
	local n
	n=$(grep -c -F "\"trace_id\":\"$1\"" "$IT_WORKER_LOG")
	[ "$n" = 1 ] || { t_fail "audit: $n lines with trace_id $1 (want 1)"; return 1; }
	grep -F "\"trace_id\":\"$1\"" "$IT_WORKER_LOG"
}

# json_get LINE KEY — JSON_VALUE via the database (valid JSON or "INVALID").
json_get() {
	local b64
	b64=$(printf '%s' "$1" | base64 -w0)
	it_sql -N -B -e "SET @j = CONVERT(FROM_BASE64('$b64') USING utf8mb4);
		SELECT IF(JSON_VALID(@j), IFNULL(JSON_UNQUOTE(JSON_EXTRACT(@j, '\$.$2')), 'NULL'), 'INVALID')"
}

# expect_audit TRACE_ID EVENT STATUS USER SESSIONS — one line, every field.
expect_audit() {
	local line f v
	line=$(audit_line "$1") || return
	for f in $FIELDS; do
		v=$(json_get "$line" "$f")
		[ "$v" = INVALID ] && { t_fail "audit line is not JSON: $line"; return; }
		# JSON_EXTRACT of a missing key is NULL; a null value prints "null"
		[ "$v" = NULL ] && t_fail "audit: no field '$f' in $line"
	done
	expect_eq "$(json_get "$line" event)" "$2" "audit event"
	expect_eq "$(json_get "$line" status)" "$3" "audit status"
	[ -n "$4" ] && expect_eq "$(json_get "$line" user)" "$4" "audit user"
	[ -n "$5" ] && expect_eq "$(json_get "$line" sessions)" "$5" "audit sessions"
	expect_eq "$(json_get "$line" client_ip)" "127.0.0.1" "audit client_ip"
	expect_eq "$(json_get "$line" trace_id)" "$1" "audit trace_id"
}

t_begin "audit: logout, logout-all and refused attempts, one JSON line each"
it_session 42; a=$S_ACCESS
r1=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $a" -H "X-Request-Id: $r1" -A 'it-agent/1.0'
expect_status 204
it_session 42; b=$S_ACCESS; it_session 42; it_session 42; it_session 43
r2=$(it_uuid_new)
it_http POST $P/logout-all -H "Authorization: Bearer $b" -H "X-Request-Id: $r2" -A 'it-agent/1.0'
expect_status 200
r3=$(it_uuid_new)
it_remember_token garbage.token.here
it_http POST $P/logout -H "Authorization: Bearer garbage.token.here" -H "X-Request-Id: $r3"
expect_status 401
r4=$(it_uuid_new)
it_http POST $P/logout-all -H "Authorization: Bearer $b" -H "X-Request-Id: $r4"
expect_status 401
it_session 42; c=$S_ACCESS; it_session 43; x=$S_REFRESH
r5=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $c" -H "X-Request-Id: $r5" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$x\"}"
expect_status 403
# the worker writes the line before or after answering: give it a moment
it_wait_until 5 grep -q -F "$r5" "$IT_WORKER_LOG"
expect_audit "$r1" logout 204 42 1
line=$(audit_line "$r1") && expect_eq "$(json_get "$line" user_agent)" "it-agent/1.0" "audit user_agent"
expect_audit "$r2" logout_all 200 42 3
expect_audit "$r3" refused 401 "" ""
line=$(audit_line "$r3") && [ -z "$(json_get "$line" reason)" ] && t_fail "audit: empty reason for a refused token"
expect_audit "$r4" refused 401 "" ""
expect_audit "$r5" refused 403 42 ""
t_end

t_begin "audit: a hostile User-Agent stays one valid JSON line"
it_session 42; a=$S_ACCESS
r=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $a" -H "X-Request-Id: $r" \
	-A "$(printf 'evil"agent\\\001\t{"x":1}')"
expect_status 204
it_wait_until 5 grep -q -F "$r" "$IT_WORKER_LOG"
expect_audit "$r" logout 204 42 1
t_end

t_begin "log hygiene: no token, signature or key text in the worker log"
it_session 44; a=$S_ACCESS; a_sid=$S_SID
# refused for a reason the worker logs: expired, then its signature altered
expired=$(it_mint --sub 44 --sid "$a_sid" --exp-in -30) || t_fail "could not mint an expired token"
r=$(it_uuid_new)
it_http POST $P/logout -H "Authorization: Bearer $expired" -H "X-Request-Id: $r"
expect_status 401
forged=${a%?}$([ "${a: -1}" = A ] && echo B || echo A)
it_remember_token "$forged"
it_http POST $P/logout -H "Authorization: Bearer $forged"
expect_status 401
it_http POST $P/logout -H "Authorization: Bearer $a"
expect_status 204
it_wait_until 5 grep -q -F "$r" "$IT_WORKER_LOG"
tail -n +"$tokens_from" "$IT_DIR/tokens" >"$IT_DIR/audit.tokens"
it_expect_log_clean "$IT_WORKER_LOG" "$IT_DIR/audit.tokens" 10
t_end

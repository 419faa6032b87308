# SPDX-License-Identifier: ISC
# tests/integration/gate.sh — the revocation gate behind each web server
# (README, "Protecting the whole API"): the cases every server's recipe must
# pass, for t_gate_nginx, t_gate_apache and t_gate_lighttpd. Sourced after
# lib.sh and servers.sh (whose srv_track/srv_cleanup stop what is started
# here).
#
# A server under test guards GATE_PATH (a path of its API) with the gate and
# serves the logout endpoints under /api/v1/auth through the same workers;
# the backend behind GATE_PATH answers "user=U session=S users=N
# method=M path=P": the identity it was handed (U, S), and N, how many
# identities reached it (more than 1: a client's own X-Auth-User got
# through). Its log (GATE_BACKEND_LOG) has one such line per request.

GATE_P=/api/v1/auth

# gate_config OUT — the suite's config, serving the gate and logout-others
# too; OUT next to IT_CONF (its keys/ are the suite's).
gate_config() {
	sed -e 's/^endpoints = .*/endpoints = logout logout-all verify logout-others/' \
		"$IT_CONF" >"$1" && chmod 600 "$1" &&
		grep -q '^endpoints = logout logout-all verify logout-others$' "$1" ||
		{ it_die "no endpoints line in $IT_CONF"; return 1; }
}

# gate_worker_start DIR CONF LISTEN — a worker (4 threads) listening on
# LISTEN (a socket path or 127.0.0.1:PORT), its log DIR/worker.log; sets
# GATE_WORKER_PID once it serves.
gate_worker_start() {
	local dir=$1 pid
	"$IT_WORKER_BIN" --config "$2" --listen "$3" --threads 4 </dev/null 2>>"$dir/worker.log" &
	pid=$!
	srv_track "$pid" "logout-fcgi($dir)"
	it_wait_until 10 grep -q "^logout-fcgi\[$pid\]: info: serving with" "$dir/worker.log" ||
		{ it_log "the worker did not start: $(tail -n 5 "$dir/worker.log")"; return 1; }
	GATE_WORKER_PID=$pid
}

# gate_backend_start DIR — tests/integration/echo_backend.py on a free
# port; sets GATE_BACKEND_PORT and GATE_BACKEND_LOG.
gate_backend_start() {
	local dir=$1 pid
	GATE_BACKEND_LOG=$dir/backend.log
	: >"$GATE_BACKEND_LOG"
	GATE_BACKEND_PORT=$(it_free_port) || return 1
	python3 "$top_srcdir/tests/integration/echo_backend.py" "$GATE_BACKEND_PORT" \
		"$GATE_BACKEND_LOG" 900 </dev/null >>"$dir/backend.err" 2>&1 &
	pid=$!
	srv_track "$pid" "echo backend($dir)"
	it_wait_until 10 srv_port_answers "$GATE_BACKEND_PORT" ||
		{ it_log "the echo backend did not start: $(cat "$dir/backend.err")"; return 1; }
	: >"$GATE_BACKEND_LOG"
}

# gate_reached — the backend's request count so far.
gate_reached() { grep -c . "$GATE_BACKEND_LOG"; }

# gate_get BASE TOKEN [curl args...] — GET GATE_PATH through the server
# with TOKEN as the bearer ("" for none).
gate_get() {
	local base=$1 tok=$2
	shift 2
	srv_http "$base" GET "$GATE_PATH" ${tok:+-H "Authorization: Bearer $tok"} "$@"
}

# gate_post BASE PATH TOKEN — a bodiless POST to the logout endpoints.
gate_post() {
	srv_http "$1" POST "$GATE_P/$2" -H "Authorization: Bearer $3" -H 'Content-Length: 0'
}

# expect_refused WHAT — a 401 of the gate: WWW-Authenticate: Bearer, and
# the backend never reached (REACHED: its count before).
expect_refused() {
	expect_eq "$H_STATUS" 401 "$1: status"
	case $(it_hdr WWW-Authenticate) in
	Bearer*) ;;
	*) t_fail "$1: no WWW-Authenticate: Bearer (got '$(it_hdr WWW-Authenticate)')" ;;
	esac
	expect_eq "$(gate_reached)" "$REACHED" "$1: requests that reached the backend"
}

# expect_passed USER SID — the backend answered with that identity, once.
expect_passed() {
	expect_status 200
	expect_match "$H_BODY" "user=$1 session=$2 users=1 method=[A-Z]+ path=.*" "backend's answer"
}

# gate_writes — INSERT/UPDATE/DELETE statements the server ran so far.
gate_writes() {
	it_sql -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_insert', 'Com_update',
		'Com_delete', 'Com_delete_multi', 'Com_update_multi', 'Com_replace')" |
		awk '{ s += $2 } END { print s + 0 }'
}

# gate_cases BASE — every case, against the server at BASE ($SRV_VARIANT
# names them). The worker behind it: GATE_WORKER_PID (its log GATE_LOG).
gate_cases() {
	local base=$1 v=$SRV_VARIANT a a_sid b c c_sid tok w0 i

	t_begin "$v: a live session passes: the backend gets the user and session, and a client's own X-Auth-User never"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	gate_get "$base" "$a"
	expect_passed 42 "$a_sid"
	gate_get "$base" "$a" -H 'X-Auth-User: 1' -H 'X-Auth-Session: forged' -H 'X-Auth-User: 7'
	expect_passed 42 "$a_sid"
	expect_count "user_id = 42" 1
	t_end

	t_begin "$v: no token, forged, another key's, expired, a refresh token, a gone session: 401 with WWW-Authenticate, the backend never reached"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID; b=$S_REFRESH
	REACHED=$(gate_reached)
	gate_get "$base" ""
	expect_refused "no token"
	gate_get "$base" "" -H 'X-Auth-User: 42'
	expect_refused "no token, X-Auth-User: 42"
	tok=${a%?}
	[ "${a: -1}" = A ] && tok=${tok}B || tok=${tok}A
	gate_get "$base" "$tok"
	expect_refused "forged signature"
	tok=$("$IT_ADMIN_BIN" --config "$IT_CONF_ALT" mint --kid nosuch --sub 42 --sid "$a_sid" 2>/dev/null | tail -n 1)
	it_remember_token "$tok"
	gate_get "$base" "$tok"
	expect_refused "another key's token"
	gate_get "$base" "$(it_mint --sub 42 --sid "$a_sid" --exp-in -30)"
	expect_refused "expired"
	gate_get "$base" "$b"
	expect_refused "a refresh token as the bearer"
	gate_get "$base" "$(it_mint --sub 42 --sid no-such-session)"
	expect_refused "a session that never existed"
	it_sql app -e "UPDATE user_sessions SET expires_at = NOW() - INTERVAL 1 SECOND WHERE session_hash = UNHEX(SHA2('$a_sid', 256))" ||
		t_fail "cannot expire the session"
	gate_get "$base" "$a"
	expect_refused "an expired session row"
	t_end

	t_begin "$v: logout through the same server: the very next request with that token is refused"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	it_session 42; b=$S_ACCESS
	gate_get "$base" "$a"
	expect_passed 42 "$a_sid"
	gate_post "$base" logout "$a"
	expect_status 204
	REACHED=$(gate_reached)
	gate_get "$base" "$a"
	expect_refused "the logged-out token"
	expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
	gate_get "$base" "$b"
	expect_status 200
	t_end

	t_begin "$v: logout-others: the bearer's token still passes, every other session of the user is refused"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	it_session 42; b=$S_ACCESS
	it_session 42; c=$S_ACCESS
	it_session 43; tok=$S_ACCESS
	gate_post "$base" logout-others "$a"
	expect_status 200
	expect_eq "$H_BODY" '{"success":true,"data":{"message":"Logged out from other devices","sessions_ended":2}}' "body"
	gate_get "$base" "$a"
	expect_passed 42 "$a_sid"
	REACHED=$(gate_reached)
	gate_get "$base" "$b"
	expect_refused "another session of the user"
	gate_get "$base" "$c"
	expect_refused "a third session of the user"
	gate_get "$base" "$tok"
	expect_status 200
	expect_count "user_id = 42" 1
	t_end

	t_begin "$v: logout-all: every token of the user is refused from the next request on"
	it_session 42; a=$S_ACCESS
	it_session 42; b=$S_ACCESS
	gate_post "$base" logout-all "$a"
	expect_status 200
	REACHED=$(gate_reached)
	gate_get "$base" "$a"
	expect_refused "the bearer's token"
	gate_get "$base" "$b"
	expect_refused "another token of the user"
	t_end

	t_begin "$v: any method, with a body the gate never reads, reaches the backend; the gate writes nothing"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	w0=$(gate_writes)
	for i in 1 2 3; do
		srv_http "$base" PUT "$GATE_PATH" -H "Authorization: Bearer $a" \
			-H 'Content-Type: application/json' --data-binary "$(srv_json_body 10000)"
		expect_passed 42 "$a_sid"
		expect_match "$H_BODY" '.* method=PUT .*' "method at the backend"
		srv_http "$base" DELETE "$GATE_PATH" -H "Authorization: Bearer $a"
		expect_passed 42 "$a_sid"
	done
	expect_eq "$(gate_writes)" "$w0" "INSERT/UPDATE/DELETE run while the gate answered"
	t_end

	t_begin "$v: database down: 503 from the gate, never the backend; served again once it is back"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	REACHED=$(gate_reached)
	it_db_stop
	gate_get "$base" "$a"
	expect_status 503
	expect_eq "$(gate_reached)" "$REACHED" "requests that reached the backend"
	it_db_start || t_fail "the database did not start again"
	# each thread tries its connection again a second after its last
	# failure: served again once every one has (8 answers in a row)
	it_wait_until 15 gate_passes "$base" "$a" || t_fail "not served again: $H_STATUS"
	expect_passed 42 "$a_sid"
	t_end
}

# gate_log_cases LOG — the worker's log after the cases: every refusal has
# its audit line, a pass has none (one per API request would drown the
# trail), and no token, key or SQL text is in it.
gate_log_cases() {
	t_begin "$SRV_VARIANT: the worker's log: the gate's refusals audited, its passes not; no token or key" keep
	expect_eq "$(grep -c '"event":"verify"' "$1")" 0 "audit lines of passes"
	[ "$(grep -c '"event":"refused".*"status":401' "$1")" -ge 10 ] ||
		t_fail "fewer than 10 refusals audited: $(grep -c '"event":"refused"' "$1")"
	grep -q '"event":"logout_others","user":"42","sessions":2' "$1" ||
		t_fail "no audit line of logout-others ending 2 sessions"
	it_expect_log_clean "$1" "$IT_DIR/tokens" 1
	t_end
}

# gate_passes BASE TOKEN — 8 requests in a row reach the backend.
gate_passes() {
	local i
	for i in 1 2 3 4 5 6 7 8; do
		gate_get "$1" "$2"
		[ "$H_STATUS" = 200 ] || return 1
	done
}

# SPDX-License-Identifier: ISC
# t_signals.sh — SIGTERM ends a worker cleanly (exit 0, promptly). Uses a
# second worker on its own socket, started by `spawn-fcgi -n` (no fork) so
# it is this shell's child and its exit status can be read.

P=/api/v1/auth

t_begin "SIGTERM: an idle worker exits 0 within 5 s" keep
sock2=$IT_DIR/w2.sock
log2=$IT_DIR/w2.log
spawn-fcgi -n -s "$sock2" -M 0660 -- \
	/bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "$log2" \
	"$IT_WORKER_BIN" --config "$IT_CONF" --threads 2 >>"$IT_DIR/spawn-fcgi.log" 2>&1 &
pid=$!
is_worker() { [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$IT_WORKER_BIN")" ]; }
if ! it_wait_until 5 is_worker; then
	t_fail "worker $pid did not start: $(tail -n 5 "$log2" 2>/dev/null)"
	kill -KILL "$pid" 2>/dev/null
else
	# The worker logs this once its threads are started.
	it_wait_until 5 grep -q 'serving with' "$log2" || t_fail "no 'serving with' line in $log2"
	kill -TERM "$pid"
	if it_wait_until 5 eval '! it_alive $pid'; then
		wait "$pid"
		expect_eq "$?" 0 "exit status after SIGTERM"
	else
		t_fail "still running 5 s after SIGTERM"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
fi
rm -f "$sock2"
t_end

t_begin "SIGTERM with a request in flight: it completes (204), then the worker exits"
it_session 42; a=$S_ACCESS; a_sid=$S_SID
wpid=$(it_worker_pid)
# Another client holds the session row (and sleeps), so the worker's DELETE
# waits on it; KILL of that client's connection rolls back and releases it.
it_sql app -e "BEGIN; SELECT id FROM user_sessions WHERE session_hash = UNHEX(SHA2('$a_sid', 256))
	FOR UPDATE; SELECT SLEEP(60); ROLLBACK;" >"$IT_DIR/lock.out" 2>&1 &
lockpid=$!
holder() { it_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60)%'"; }
locked() { [ -n "$(holder)" ]; }
waiting() { [ "$(it_sql -N -B -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DELETE FROM user_sessions%'")" -ge 1 ]; }
if it_wait_until 10 locked; then
	it_http_bg "$IT_DIR/inflight.code" --max-time 30 POST "$P/logout" -H "Authorization: Bearer $a"
	curlpid=$!
	if it_wait_until 10 waiting; then
		kill -TERM "$wpid"
		# It has a request to finish: it must still be there.
		it_alive "$wpid" || t_fail "worker exited with a request in flight"
		it_sql -e "KILL $(holder)" || t_fail "could not release the lock"
		wait "$curlpid"
		expect_eq "$(cat "$IT_DIR/inflight.code")" 204 "status of the in-flight request"
		it_wait_until 5 eval '! it_alive $wpid' || t_fail "worker still running 5 s after SIGTERM"
		expect_eq "$(grep -c "logout-fcgi\[$wpid\]: info: stopped" "$IT_WORKER_LOG")" 1 "'stopped' line of worker $wpid"
		expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
	else
		t_fail "the worker's DELETE never showed up waiting on the lock"
		it_sql -e "KILL $(holder)"
		wait "$curlpid"
	fi
else
	t_fail "could not take the row lock: $(cat "$IT_DIR/lock.out")"
fi
kill "$lockpid" 2>/dev/null
wait "$lockpid" 2>/dev/null
# The next case files get fresh workers.
it_workers_restart
t_end

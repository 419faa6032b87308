# SPDX-License-Identifier: ISC
# t_faults.sh — the database fails at the worst moment: down at start-up,
# killed (-9) under load, frozen (SIGSTOP), rows locked by another client.
# Workers must answer fast 503s (never hang, never crash), recover by
# themselves, and every 204 must mean the row is durably gone.
# Its own worker (connect 1 s, read/write 2 s, a child of this shell) and
# its own nginx, so the suite's worker keeps its settings.

. "$top_srcdir/tests/integration/procs.sh"
trap 'it_sql -e "SET GLOBAL innodb_lock_wait_timeout = 50" 2>/dev/null; pr_cleanup' EXIT

conf=$IT_DIR/faults.conf
log=$IT_DIR/faults.log
sock=$IT_DIR/faults.sock
CT=1 RT=2 # connect and read timeouts of this worker, seconds
LIMIT=$((CT + RT)) # no answer may take longer (plus HTTP overhead below)
sed -e "s/^connect_timeout = .*/connect_timeout = $CT/" -e "s/^read_timeout = .*/read_timeout = $RT/" \
	-e "s/^write_timeout = .*/write_timeout = $RT/" "$IT_CONF" >"$conf"
chmod 600 "$conf"

start_worker() {
	pr_worker faults "$conf" "$sock" "$log" 4
}
# poll_204 TOKEN SECS — logout until 204 (the worker reconnects by itself)
poll_204() {
	local deadline=$((SECONDS + $2)) code
	while :; do
		code=$(pr_status "$base" "$1")
		[ "$code" = 204 ] && return 0
		[ "$SECONDS" -ge "$deadline" ] && { t_note "last status $code"; return 1; }
		sleep 0.1
	done
}
slow_answers() { cat "$@" | awk -v l="$LIMIT" '$4 > l + 0.5' | wc -l; }

t_begin "database down when the worker starts: it starts, answers 503 fast, and recovers by itself" keep
it_session 42; a=$S_ACCESS; a_sid=$S_SID
it_db_stop
if ! start_worker; then
	t_fail "worker did not start with the database down: $(tail -n 5 "$log")"
elif ! pr_nginx_start faults "$sock" || ! pr_http_ready "$PR_BASE" 10; then
	t_fail "nginx in front of the worker not answering"
else
	base=$PR_BASE
	r=$(pr_post "$base" "$a")
	expect_eq "${r%% *}" 503 "status with the database down"
	awk -v t="${r#* }" -v l="$LIMIT" 'BEGIN { exit !(t < l + 0.5) }' || t_fail "503 took ${r#* } s"
	it_db_start || t_fail "mariadbd did not restart"
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
	poll_204 "$a" 15 || t_fail "no 204 within 15 s of the database coming back"
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
	it_alive "$wpid" || t_fail "worker died"
fi
t_end

t_begin "kill -9 of mariadbd under load: only 204/503, none slow, every 204 durable, recovery"
if [ -z "${base:-}" ]; then
	t_fail "no worker from the previous case"
else
	for i in 1 2 3; do
		pr_sessions 300 $((60 + i)) "$IT_DIR/f$i.sessions" 2>>"$IT_DIR/f.err" &&
			pr_tokens "$IT_DIR/f$i.sessions" $((60 + i)) "$IT_DIR/f$i.tokens" 2>>"$IT_DIR/f.err" ||
			t_fail "could not create sessions $i: $(tail -n 3 "$IT_DIR/f.err")"
	done
	loads=()
	for i in 1 2 3; do
		: >"$IT_DIR/f$i.out" # before the glob below is expanded
		pr_load "$base" "$IT_DIR/f$i.tokens" "$IT_DIR/f$i.out" "" 60 &
		loads+=($!)
	done
	it_wait_until 20 pr_lines_ge 20 "$IT_DIR"/f?.out || t_fail "load did not start"
	dbpid=$(it_db_pid)
	kill -KILL "$dbpid"
	it_wait_until 10 eval '! it_alive '"$dbpid" || t_fail "mariadbd $dbpid survived kill -9"
	rm -f "$IT_DIR/mariadbd.ourpid"
	# Let the clients meet the dead database, then bring it back.
	it_wait_until 20 eval '[ "$(pr_count_code 503 "$IT_DIR"/f?.out)" -ge 3 ]' ||
		t_fail "no 503 while the database was down ($(pr_codes "$IT_DIR"/f?.out))"
	it_db_start || t_fail "mariadbd did not restart after kill -9"
	wait "${loads[@]}"
	codes=$(pr_codes "$IT_DIR"/f?.out)
	expect_eq "$(pr_select '!204' "$IT_DIR"/f?.out | awk '$3 != 503' | wc -l)" 0 "answers other than 204/503 ($codes)"
	expect_eq "$(slow_answers "$IT_DIR"/f?.out)" 0 "answers slower than connect+read ($LIMIT s)"
	# Durability: every session answered 204 is gone after the crash.
	pr_select 204 "$IT_DIR"/f?.out >"$IT_DIR/f.204"
	expect_eq "$(pr_sids_left "$IT_DIR/f.204")" 0 "sessions answered 204 but present after the restart"
	n204=$(pr_lines "$IT_DIR/f.204")
	total=$(pr_lines "$IT_DIR"/f?.sessions)
	left=$(pr_sids_left <(cat "$IT_DIR"/f?.sessions))
	awk -v d=$((total - left)) -v n="$n204" 'BEGIN { exit !(n <= d) }' ||
		t_fail "204s ($n204) exceed rows deleted ($((total - left)))"
	it_log "kill -9 under load: $codes; rows deleted $((total - left)) of $total"
	it_alive "$wpid" || t_fail "worker died"
	it_session 42
	poll_204 "$S_ACCESS" 15 || t_fail "no recovery after the restart"
fi
t_end

t_begin "mariadbd frozen (SIGSTOP): 503 within connect+read, never a hung worker"
if [ -z "${base:-}" ]; then
	t_fail "no worker"
else
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	it_session 42; b=$S_ACCESS
	dbpid=$(it_db_pid)
	kill -STOP "$dbpid"
	for tok in "$a" "$b"; do
		r=$(pr_post "$base" "$tok")
		expect_eq "${r%% *}" 503 "status with the database frozen"
		awk -v t="${r#* }" -v l="$LIMIT" 'BEGIN { exit !(t < l + 0.5) }' || t_fail "503 took ${r#* } s (limit $LIMIT)"
	done
	kill -CONT "$dbpid"
	it_alive "$wpid" || t_fail "worker died"
	# The thawed server may still run the DELETE the worker gave up on (it
	# was in the socket); either way a's session ends, and stays ended.
	it_session 42; c=$S_ACCESS
	poll_204 "$c" 15 || t_fail "no recovery after SIGCONT"
	r=$(pr_status "$base" "$a")
	case $r in 204 | 401) ;; *) t_fail "retry of a's logout after SIGCONT: $r (want 204 or 401)" ;; esac
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
fi
t_end

# hold SID SECS — another client locks SID's row for SECS, in the background.
hold() {
	it_sql app -e "BEGIN; SELECT id FROM user_sessions WHERE session_hash = UNHEX(SHA2('$1', 256))
		FOR UPDATE; SELECT SLEEP($2); ROLLBACK;" >>"$IT_DIR/hold.out" 2>&1 &
	holdpid=$!
	it_wait_until 10 eval '[ -n "$(holder)" ]'
}
holder() { it_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(%'"; }
lock_waits() { it_sql -N -B -e "SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'" | awk '{ print $2 }'; }

t_begin "lock wait timeouts (1205): retried, then 204 when the lock goes, 503 when it stays"
if [ -z "${base:-}" ]; then
	t_fail "no worker"
else
	# New connections wait 1 s for a lock; restart the worker so it has them.
	it_sql -e "SET GLOBAL innodb_lock_wait_timeout = 1"
	kill -TERM "$wpid"
	pr_wait_exit "$wpid" 5 || t_fail "worker did not stop"
	start_worker || t_fail "worker did not restart"
	pr_http_ready "$base" 10 || t_fail "worker not answering"
	# Released after 1.5 s: the first attempt times out at 1 s, a retry wins.
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	w0=$(lock_waits)
	hold "$a_sid" 1.5 || t_fail "could not lock the row"
	expect_eq "$(pr_status "$base" "$a")" 204 "status when the lock goes during the retries"
	w1=$(lock_waits)
	awk -v d=$((w1 - w0)) 'BEGIN { exit !(d >= 2) }' || t_fail "expected a retried lock wait (waits: $((w1 - w0)))"
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
	wait "$holdpid"
	# Held for longer than every attempt: 503, row untouched, then 204.
	it_session 42; b=$S_ACCESS; b_sid=$S_SID
	hold "$b_sid" 30 || t_fail "could not lock the row"
	r=$(pr_post "$base" "$b")
	expect_eq "${r%% *}" 503 "status when the lock outlasts the retries"
	awk -v t="${r#* }" 'BEGIN { exit !(t < 5) }' || t_fail "took ${r#* } s"
	it_sql -e "KILL $(holder)"
	wait "$holdpid"
	expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 1
	expect_eq "$(pr_status "$base" "$b")" 204 "status once the lock is gone"
	it_sql -e "SET GLOBAL innodb_lock_wait_timeout = 50"
fi
kill -TERM "$wpid" 2>/dev/null
pr_wait_exit "$wpid" 5 && expect_eq "$PR_RC" 0 "worker exit status"
pr_nginx_stop faults
rm -f "$sock"
t_end

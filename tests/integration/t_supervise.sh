# SPDX-License-Identifier: ISC
# t_supervise.sh — faults around the processes: hostile FastCGI payloads
# against --workers 2 under load (nothing restarts, nothing is refused), a
# reload signal that reaches a freshly forked worker (it reloads, it does
# not die), and SIGTERM while requests wait in the listen backlog behind a
# slow database (every one of them is answered, none gets a 502).
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/procs.sh"
trap 'pr_cleanup; [ -n "${holdpid:-}" ] && kill "$holdpid" 2>/dev/null' EXIT

hostile() { python3 "$top_srcdir/tests/integration/fcgi_hostile.py" "$@"; }

sock=$IT_DIR/sup.sock
log=$IT_DIR/sup.log
"$IT_WORKER_BIN" --config "$IT_CONF" --listen "$sock" --workers 2 --threads 2 </dev/null 2>>"$log" &
sup=$!
pr_track "$sup" "supervisor"
two() { pr_nchildren_is "$sup" 2 && [ "$(pr_serving_pids "$log" | wc -l)" -ge "$1" ]; }
base=
if it_wait_until 10 two 2 && pr_nginx_start sup "$sock" && pr_http_ready "$PR_BASE" 10; then
	base=$PR_BASE
fi

t_begin "supervisor: 100 CVE-2025-23016 payloads while two clients log out through nginx: no worker exits, every logout 204"
if [ -z "$base" ]; then
	t_fail "supervisor not serving: $(tail -n 5 "$log")"
else
	kids=$(pr_children "$sup" | sort | tr '\n' ' ')
	# From here on: what happened before belongs to start-up.
	lines0=$(wc -l <"$log")
	u=$((RANDOM % 100000 + 300000))
	pr_sessions 120 "$u" "$IT_DIR/sup.s" && pr_tokens "$IT_DIR/sup.s" "$u" "$IT_DIR/sup.t" ||
		t_fail "could not create the sessions"
	split -n l/2 -d "$IT_DIR/sup.t" "$IT_DIR/sup.t."
	pr_load "$base" "$IT_DIR/sup.t.00" "$IT_DIR/sup.o.0" "" 30 &
	l0=$!
	pr_load "$base" "$IT_DIR/sup.t.01" "$IT_DIR/sup.o.1" "" 30 &
	l1=$!
	it_wait_until 10 pr_lines_ge 10 "$IT_DIR/sup.o.0" "$IT_DIR/sup.o.1"
	out=$(hostile "$sock" huge 100)
	wait "$l0" "$l1"
	expect_eq "$(grep -c '^closed' <<<"$out")" 100 "payload connections closed"
	expect_eq "$(pr_codes "$IT_DIR/sup.o.0" "$IT_DIR/sup.o.1")" "120*204 " "answers to the logouts"
	expect_eq "$(pr_children "$sup" | sort | tr '\n' ' ')" "$kids" "worker PIDs (none replaced)"
	expect_eq "$(tail -n +$((lines0 + 1)) "$log" | grep -c exited)" 0 "'exited' lines"
	while read -r l; do t_note "$l"; done < <(grep -E "exited|error" "$log" | head -n 5)
	expect_eq "$(it_db_count "user_id = $u")" 0 "sessions left"
fi
t_end

t_begin "supervisor: SIGHUP storms while workers are replaced: fresh workers reload, none dies of it"
# age PID — seconds since PID started.
age() { ps -o etimes= -p "$1" 2>/dev/null | tr -d ' '; }
if [ -n "$base" ]; then
	# SIGHUP every 20 ms for the rounds, so some reach a worker just forked.
	(for _ in $(seq 1 400); do kill -HUP "$sup" 2>/dev/null || break; sleep 0.02; done) &
	storm=$!
	pr_track "$storm" "SIGHUP storm"
	for i in $(seq 1 10); do
		# The oldest worker, once a second old: a younger one's death would
		# count as a crash at start and earn its slot a back-off.
		victim=$(for p in $(pr_children "$sup"); do echo "$(age "$p") $p"; done | sort -rn | awk 'NR == 1 { print $2 }')
		it_wait_until 5 eval '[ "$(age "$victim")" -ge 1 ]'
		kill -KILL "$victim"
		it_wait_until 5 eval "! it_alive $victim && pr_nchildren_is $sup 2" ||
			{ t_fail "worker $victim not replaced in round $i"; break; }
	done
	kill "$storm" 2>/dev/null
	wait "$storm" 2>/dev/null
	it_wait_until 10 two 2 || t_fail "not two workers after the rounds"
	expect_eq "$(pr_log_count "$log" "exited \(signal 1\)")" 0 "workers killed by SIGHUP"
	pr_log_has_n "$log" "reloaded configuration" 20 || t_fail "fewer than 20 'reloaded' lines"
	expect_eq "$(pr_log_count "$log" "restarting in")" 0 "back-offs (no worker died young)"
	expect_eq "$(pr_status "$base" x)" 401 "a request afterwards"
	kill -USR2 "$sup"
	it_alive "$sup" || t_fail "SIGUSR2 ended the supervisor"
	expect_eq "$(pr_status "$base" x)" 401 "a request after SIGUSR2"
	kill -TERM "$sup"
	pr_wait_exit "$sup" 10 && expect_eq "$PR_RC" 0 "supervisor exit status" ||
		t_fail "supervisor still running 10 s after SIGTERM"
fi
pr_nginx_stop sup
t_end

# hold USER SECS — another client locks every session row of USER for SECS.
hold() {
	it_sql app -e "BEGIN; SELECT id FROM user_sessions WHERE user_id = $1 FOR UPDATE;
		SELECT SLEEP($2); ROLLBACK;" >>"$IT_DIR/hold.out" 2>&1 &
	holdpid=$!
	it_wait_until 10 eval '[ -n "$(it_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '"'"'SELECT SLEEP(%'"'"'")" ]'
}
# backlog PATH — connections waiting in the accept queue of the unix socket.
backlog() { ss -xlnH | awk -v p="$1" '$5 == p { print $3 }'; }

t_begin "SIGTERM with 18 requests in the listen backlog behind a locked row: every request nginx had written is answered 204, none 502"
tsock=$IT_DIR/drain.sock
tlog=$IT_DIR/drain.log
tconf=$IT_DIR/drain.conf
sed -e 's/^batch = .*//' -e 's/^\[server\]$/[server]\nbatch = no/' "$IT_CONF" >"$tconf"
if pr_worker drain "$tconf" "$tsock" "$tlog" 2 && pr_nginx_start drain "$tsock" &&
	pr_http_ready "$PR_BASE" 10; then
	u=$((RANDOM % 100000 + 400000))
	pr_sessions 20 "$u" "$IT_DIR/drain.s" && pr_tokens "$IT_DIR/drain.s" "$u" "$IT_DIR/drain.t" ||
		t_fail "could not create the sessions"
	hold "$u" 3 || t_fail "could not lock the rows"
	: >"$IT_DIR/drain.o"
	pids=()
	while read -r sid rid tok; do
		(r=$(pr_post "$PR_BASE" "$tok" "$rid"); echo "$sid $rid $r" >>"$IT_DIR/drain.o") &
		pids+=($!)
	done <"$IT_DIR/drain.t"
	# 2 requests wait for the lock in the 2 threads; the other 18 wait in
	# the backlog, written by nginx, until a thread is free.
	it_wait_until 10 eval '[ "$(backlog "$tsock")" -ge 18 ]' ||
		t_fail "backlog reached only $(backlog "$tsock")"
	kill -TERM "$wpid"
	it_wait_until 5 pr_log_has_n "$tlog" "finishing queued" 1
	r=$(pr_post "$PR_BASE" x)
	t_note "a request after the signal: $r"
	expect_eq "${r%% *}" 502 "a request after the signal"
	awk -v t="${r#* }" 'BEGIN { exit !(t < 1) }' || t_fail "its 502 took ${r#* } s"
	wait "${pids[@]}"
	expect_eq "$(awk '{ print $3 }' "$IT_DIR/drain.o" | sort | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" \
		"20*204 " "answers to the 20 requests"
	if pr_wait_exit "$wpid" 10; then
		expect_eq "$PR_RC" 0 "exit status after the drain"
	else
		t_fail "worker still running 10 s after SIGTERM"
	fi
	expect_eq "$(it_db_count "user_id = $u")" 0 "sessions left"
else
	t_fail "drain worker not serving: $(tail -n 5 "$tlog")"
fi
pr_nginx_stop drain
t_end

# SPDX-License-Identifier: ISC
# t_lifecycle.sh — start and stop: systemd socket activation (the socket on
# fd 3, LISTEN_PID/LISTEN_FDS, as deploy/systemd/logout-fcgi.socket passes
# it), alone and with --workers 2; SIGTERM under load finishes what was
# accepted and refuses nothing silently.

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

# sa_start NAME [WORKER ARGS...] — systemd-socket-activate in front of the
# worker; it execs the worker in place (same PID) on the first connection.
sa_start() {
	local name=$1
	shift
	sa_sock=$IT_DIR/$name.sock
	sa_log=$IT_DIR/$name.log
	rm -f "$sa_sock"
	systemd-socket-activate -l "$sa_sock" -- "$IT_WORKER_BIN" --config "$IT_CONF" "$@" \
		</dev/null >>"$sa_log" 2>&1 &
	sa_pid=$!
	pr_track "$sa_pid" "$name"
	it_wait_until 5 test -S "$sa_sock" || { t_fail "systemd-socket-activate made no socket"; return 1; }
	pr_nginx_start "$name" "$sa_sock" || { t_fail "nginx for $name did not start"; return 1; }
	# The first connection starts the worker.
	pr_http_ready "$PR_BASE" 10 || { t_fail "no 401 through $name: $(tail -n 5 "$sa_log")"; return 1; }
}

# sa_logouts BASE USER N — N sessions logged out one by one: all 204, gone.
sa_logouts() {
	pr_sessions "$3" "$2" "$IT_DIR/sa$2.sessions" && pr_tokens "$IT_DIR/sa$2.sessions" "$2" "$IT_DIR/sa$2.tokens" ||
		{ t_fail "could not create sessions"; return; }
	pr_load "$1" "$IT_DIR/sa$2.tokens" "$IT_DIR/sa$2.out" "" 20
	expect_eq "$(pr_codes "$IT_DIR/sa$2.out")" "$3*204 " "answers"
	expect_count "user_id = $2" 0
}

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	t_begin "systemd socket activation (systemd-socket-activate missing: package systemd)" keep
	t_fail "systemd-socket-activate not installed (deploy/packages.txt lists systemd)"
	t_end
else

t_begin "systemd socket activation: the worker serves fd 3 (no --listen), SIGTERM exits 0"
if sa_start sa1 --threads 2; then
	pr_is_worker "$sa_pid" || t_fail "pid $sa_pid is not logout-fcgi (systemd-socket-activate execs it in place)"
	grep -q "^logout-fcgi\[$sa_pid\]: info: serving with 2 threads" "$sa_log" ||
		t_fail "no 'serving with 2 threads' from $sa_pid: $(tail -n 3 "$sa_log")"
	sa_logouts "$PR_BASE" 70 6
	kill -TERM "$sa_pid"
	if pr_wait_exit "$sa_pid" 5; then
		expect_eq "$PR_RC" 0 "exit status after SIGTERM"
	else
		t_fail "still running 5 s after SIGTERM"
	fi
	expect_eq "$(pr_log_count "$sa_log" "^logout-fcgi\[$sa_pid\]: info: stopped")" 1 "'stopped' line"
fi
pr_nginx_stop sa1
rm -f "$sa_sock"
t_end

t_begin "systemd socket activation with --workers 2 (as logout-fcgi.service): both workers on fd 3, SIGTERM exits 0"
if sa_start sa2 --workers 2 --threads 2; then
	two() { pr_nchildren_is "$sa_pid" 2 && [ "$(pr_serving_pids "$sa_log" | wc -l)" -ge 2 ]; }
	it_wait_until 5 two || t_fail "no 2 serving workers under $sa_pid: $(tail -n 5 "$sa_log")"
	expect_eq "$(pr_serving_pids "$sa_log" | tr '\n' ' ')" "$(pr_children "$sa_pid" | sort | tr '\n' ' ')" \
		"PIDs that logged 'serving with' vs the supervisor's children"
	sa_logouts "$PR_BASE" 71 10
	kids=$(pr_children "$sa_pid")
	kill -TERM "$sa_pid"
	if pr_wait_exit "$sa_pid" 10; then
		expect_eq "$PR_RC" 0 "supervisor exit status after SIGTERM"
	else
		t_fail "supervisor still running 10 s after SIGTERM"
	fi
	for c in $kids; do it_alive "$c" && t_fail "worker $c outlived the supervisor"; done
fi
pr_nginx_stop sa2
rm -f "$sa_sock"
t_end

fi

t_begin "SIGTERM under load (4 threads): accepted requests finish 204, later ones 502 at once, exit 0, DB reconciles"
sock=$IT_DIR/term.sock
log=$IT_DIR/term.log
if ! pr_worker term "$IT_CONF" "$sock" "$log" 4; then
	t_fail "worker $wpid not serving: $(tail -n 5 "$log")"
elif ! pr_nginx_start term "$sock" || ! pr_http_ready "$PR_BASE" 10; then
	t_fail "nginx in front of the worker not answering"
else
	base=$PR_BASE
	pr_sessions 200 72 "$IT_DIR/term.sessions" && pr_tokens "$IT_DIR/term.sessions" 72 "$IT_DIR/term.tokens" ||
		t_fail "could not create the sessions"
	split -n l/4 -d "$IT_DIR/term.tokens" "$IT_DIR/term.tokens."
	loads=()
	for i in 0 1 2 3; do
		pr_load "$base" "$IT_DIR/term.tokens.0$i" "$IT_DIR/term.out.$i" "" 30 &
		loads+=($!)
	done
	outs=("$IT_DIR"/term.out.{0,1,2,3})
	if it_wait_until 20 pr_lines_ge 40 "${outs[@]}"; then
		kill -TERM "$wpid"
		if pr_wait_exit "$wpid" 10; then
			expect_eq "$PR_RC" 0 "exit status after SIGTERM"
		else
			t_fail "worker still running 10 s after SIGTERM"
		fi
		at_exit=$(pr_lines "${outs[@]}")
	else
		t_fail "the load did not get going: $(pr_codes "${outs[@]}")"
		kill -TERM "$wpid"
	fi
	wait "${loads[@]}"
	total=$(pr_lines "${outs[@]}")
	n204=$(pr_count_code 204 "${outs[@]}")
	n502=$(pr_count_code 502 "${outs[@]}")
	t_note "answers: $(pr_codes "${outs[@]}") ($at_exit when the worker had exited), slowest $(pr_max_time "${outs[@]}") s"
	expect_eq "$total" 200 "answers (every token used within the deadline)"
	expect_eq $((n204 + n502)) "$total" "answers that are 204 or 502"
	[ "$n204" -ge 40 ] || t_fail "only $n204 answers 204"
	[ "$n502" -ge 1 ] || t_fail "no 502 after the worker stopped: did the load outlive it?"
	awk -v m="$(pr_max_time "${outs[@]}")" 'BEGIN { exit !(m < 5) }' ||
		t_fail "an answer took $(pr_max_time "${outs[@]}") s: something hung"
	# A request the worker took is finished: each 204 ended its session and
	# was audited; each 502 was never started (no audit line, row intact).
	pr_select 204 "${outs[@]}" >"$IT_DIR/term.ok"
	pr_select 502 "${outs[@]}" >"$IT_DIR/term.refused"
	expect_eq "$(pr_sids_left "$IT_DIR/term.ok")" 0 "sessions left of the 204 answers"
	expect_eq "$(pr_sids_left "$IT_DIR/term.refused")" "$n502" "sessions left of the 502 answers"
	expect_eq $((200 - $(it_db_count "user_id = 72"))) "$n204" "rows deleted vs 204 answers"
	while read -r sid rid _; do
		pr_audited "$rid" "$log" || t_fail "204 for request $rid without its audit line"
	done <"$IT_DIR/term.ok"
	while read -r sid rid _; do
		pr_audited "$rid" "$log" && t_fail "request $rid was audited by the worker but answered 502"
	done <"$IT_DIR/term.refused"
	expect_eq "$(pr_log_count "$log" "^logout-fcgi\[$wpid\]: info: signal 15: finishing queued and in-flight requests")" 1 \
		"'finishing in-flight requests' line"
	expect_eq "$(pr_log_count "$log" "^logout-fcgi\[$wpid\]: info: stopped")" 1 "'stopped' line"
	# Nothing left listening: a new request is refused at once.
	r=$(pr_post "$base" x)
	expect_eq "${r%% *}" 502 "status once the worker is gone"
	awk -v t="${r#* }" 'BEGIN { exit !(t < 2) }' || t_fail "the 502 took ${r#* } s"
	pr_no_tokens_in "$IT_DIR/term.tokens" "$log"
fi
pr_nginx_stop term
rm -f "$sock"
t_end

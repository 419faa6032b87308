# SPDX-License-Identifier: ISC
# t_procs.sh — several processes on one socket: the --workers supervisor
# (a killed worker is replaced, requests keep being answered, SIGHUP and
# SIGTERM are passed on) and spawn-fcgi -F 2. Each runs on its own socket
# behind its own nginx; the suite's worker is not touched.

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

THREADS=2

t_begin "--workers 2: kill -9 of a worker under load: replaced, every answer 204 but the killed worker's requests (502, at most $THREADS)"
sock=$IT_DIR/sup.sock
log=$IT_DIR/sup.log
"$IT_WORKER_BIN" --config "$IT_CONF" --listen "$sock" --workers 2 --threads $THREADS \
	</dev/null 2>>"$log" &
sup=$!
pr_track "$sup" supervisor
up() { pr_nchildren_is "$sup" 2 && [ "$(pr_serving_pids "$log" | wc -l)" -ge 2 ]; }
if ! it_wait_until 10 up; then
	t_fail "supervisor $sup: no 2 serving workers within 10 s: $(tail -n 5 "$log")"
elif ! pr_nginx_start sup "$sock" || ! pr_http_ready "$PR_BASE" 10; then
	t_fail "nginx in front of the supervisor not answering"
else
	base=$PR_BASE
	expect_eq "$(pr_serving_pids "$log" | tr '\n' ' ')" "$(pr_children "$sup" | sort | tr '\n' ' ')" \
		"PIDs that logged 'serving with' vs the supervisor's children"
	for c in $(pr_children "$sup"); do pr_is_worker "$c" || t_fail "child $c is not logout-fcgi"; done
	pr_sessions 300 60 "$IT_DIR/sup.sessions" || t_fail "could not create the sessions"
	pr_tokens "$IT_DIR/sup.sessions" 60 "$IT_DIR/sup.tokens" || t_fail "could not mint the tokens"
	expect_count "user_id = 60" 300
	split -n l/3 -d "$IT_DIR/sup.tokens" "$IT_DIR/sup.tokens."
	loads=()
	for i in 0 1 2; do
		pr_load "$base" "$IT_DIR/sup.tokens.0$i" "$IT_DIR/sup.out.$i" "" 40 &
		loads+=($!)
	done
	outs=("$IT_DIR"/sup.out.{0,1,2})
	if it_wait_until 20 pr_lines_ge 45 "${outs[@]}"; then
		victim=$(pr_children "$sup" | head -n 1)
		before=$(pr_lines "${outs[@]}")
		kill -KILL "$victim"
		it_wait_until 5 pr_log_has_n "$log" "worker $victim exited \(signal 9\); restarting" 1 ||
			t_fail "no 'worker $victim exited (signal 9); restarting' in the supervisor log"
		replaced() {
			local c
			pr_nchildren_is "$sup" 2 || return 1
			for c in $(pr_children "$sup"); do
				[ "$c" = "$victim" ] && return 1
				grep -q "^logout-fcgi\[$c\]: info: serving with" "$log" || return 1
			done
		}
		it_wait_until 5 replaced ||
			t_fail "no replacement worker serving 5 s after the kill (children: $(pr_children "$sup" | tr '\n' ' '))"
		t_note "killed worker $victim after $before answers; now $(pr_children "$sup" | tr '\n' ' ')"
		# Some answers must come after the replacement started serving.
		after=$(pr_lines "${outs[@]}")
	else
		t_fail "the load did not get going: $(pr_codes "${outs[@]}")"
	fi
	wait "${loads[@]}"
	total=$(pr_lines "${outs[@]}")
	n204=$(pr_count_code 204 "${outs[@]}")
	bad=$((total - n204))
	t_note "answers: $(pr_codes "${outs[@]}"), slowest $(pr_max_time "${outs[@]}") s"
	expect_eq "$total" 300 "answers (every token used within the deadline)"
	[ "$bad" -le $THREADS ] || t_fail "$bad answers other than 204 (at most $THREADS: the killed worker's threads)"
	[ -z "$(pr_select '!204' "${outs[@]}" | awk '$3 != 502')" ] ||
		t_fail "non-204 answers other than 502: $(pr_codes "${outs[@]}")"
	awk -v m="$(pr_max_time "${outs[@]}")" 'BEGIN { exit !(m < 5) }' ||
		t_fail "an answer took $(pr_max_time "${outs[@]}") s"
	# Each 204 ended its session; a 502 may or may not have (killed before
	# or after its DELETE committed): rows gone is between the two counts.
	pr_select 204 "${outs[@]}" >"$IT_DIR/sup.ok"
	expect_eq "$(pr_sids_left "$IT_DIR/sup.ok")" 0 "sessions left of the 204 answers"
	gone=$((300 - $(it_db_count "user_id = 60")))
	[ "$gone" -ge "$n204" ] && [ "$gone" -le "$total" ] && [ "$gone" -le $((n204 + bad)) ] ||
		t_fail "rows deleted $gone, 204 answers $n204, other answers $bad"
	# And afterwards: still answering, on both workers' threads.
	pr_sessions 8 61 "$IT_DIR/sup2.sessions" && pr_tokens "$IT_DIR/sup2.sessions" 61 "$IT_DIR/sup2.tokens"
	pr_load "$base" "$IT_DIR/sup2.tokens" "$IT_DIR/sup2.out" "" 20
	expect_eq "$(pr_codes "$IT_DIR/sup2.out")" "8*204 " "answers after the replacement"
	expect_count "user_id = 61" 0
	pr_no_tokens_in "$IT_DIR/sup.tokens" "$log"
fi
t_end

t_begin "--workers 2: SIGHUP reaches every worker (each logs 'reloaded configuration'), still 204" keep
if it_alive "$sup" && [ -n "${base:-}" ]; then
	kids=$(pr_children "$sup")
	kill -HUP "$sup"
	for c in $kids; do
		it_wait_until 5 pr_log_has_n "$log" "^logout-fcgi\[$c\]: info: reloaded configuration" 1 ||
			t_fail "worker $c did not log 'reloaded configuration'"
	done
	expect_eq "$(pr_children "$sup" | tr '\n' ' ')" "$(printf '%s\n' $kids | tr '\n' ' ')" "workers after SIGHUP (none restarted)"
	it_session 62
	expect_eq "$(pr_status "$base" "$S_ACCESS")" 204 "logout after the reload"
	expect_count "user_id = 62" 0
else
	t_fail "no supervisor to signal"
fi
t_end

t_begin "--workers 2: SIGTERM: the supervisor stops its workers and exits 0" keep
if it_alive "$sup"; then
	kids=$(pr_children "$sup")
	kill -TERM "$sup"
	if pr_wait_exit "$sup" 10; then
		expect_eq "$PR_RC" 0 "supervisor exit status"
	else
		t_fail "supervisor still running 10 s after SIGTERM"
	fi
	for c in $kids; do
		it_alive "$c" && t_fail "worker $c still running after the supervisor exited"
		expect_eq "$(pr_log_count "$log" "^logout-fcgi\[$c\]: info: stopped")" 1 "'stopped' lines of worker $c"
	done
	[ -n "${base:-}" ] && expect_eq "$(pr_status "$base" x)" 502 "status once the workers are gone"
else
	t_fail "no supervisor to stop"
fi
pr_nginx_stop sup
rm -f "$sock"
t_end

t_begin "spawn-fcgi -F 2: two processes on one fd-0 socket, both serve, both stop on SIGTERM"
sock=$IT_DIR/sf2.sock
logbase=$IT_DIR/sf2.log
# Each process logs to sf2.log.PID ($$ of the sh is the worker's PID: exec).
spawn-fcgi -F 2 -s "$sock" -M 0660 -P "$IT_DIR/sf2.pid" -- \
	/bin/sh -c 'log=$1.$$; shift; exec "$@" 2>>"$log"' sh "$logbase" \
	"$IT_WORKER_BIN" --config "$IT_CONF" --threads $THREADS >>"$IT_DIR/spawn-fcgi.log" 2>&1 ||
	t_fail "spawn-fcgi -F 2 failed: $(tail -n 3 "$IT_DIR/spawn-fcgi.log")"
pids=$(grep -E '^[0-9]+$' "$IT_DIR/sf2.pid" 2>/dev/null | sort -u)
for p in $pids; do pr_track "$p" "spawn-fcgi child"; done
expect_eq "$(printf '%s\n' $pids | grep -c .)" 2 "PIDs in spawn-fcgi's pid file"
both_up() {
	local p
	for p in $pids; do
		pr_is_worker "$p" && grep -q "^logout-fcgi\[$p\]: info: serving with" "$logbase.$p" 2>/dev/null || return 1
	done
}
if ! it_wait_until 10 both_up; then
	t_fail "the two processes did not both log 'serving with'"
# one FastCGI connection per request: a kept one stays with the process
# that accepted it, and these requests must reach both
elif ! IT_NGINX_LOCATION=logout-fcgi-nokeep pr_nginx_start sf2 "$sock" || ! pr_http_ready "$PR_BASE" 10; then
	t_fail "nginx in front of spawn-fcgi -F 2 not answering"
else
	base=$PR_BASE
	pr_sessions 40 63 "$IT_DIR/sf2.sessions" && pr_tokens "$IT_DIR/sf2.sessions" 63 "$IT_DIR/sf2.tokens" ||
		t_fail "could not create the sessions"
	# one request at a time until each process has served some (the kernel
	# hands connections to waiting accept()s in turn)
	served_by_both() {
		local p
		for p in $pids; do grep -q '"event":"logout"' "$logbase.$p" 2>/dev/null || return 1; done
	}
	: >"$IT_DIR/sf2.out"
	while read -r sid rid tok; do
		printf '%s %s %s\n' "$sid" "$rid" "$(pr_post "$base" "$tok" "$rid")" >>"$IT_DIR/sf2.out"
		[ "$(pr_lines "$IT_DIR/sf2.out")" -ge 10 ] && served_by_both && break
	done <"$IT_DIR/sf2.tokens"
	n=$(pr_lines "$IT_DIR/sf2.out")
	expect_eq "$(pr_codes "$IT_DIR/sf2.out")" "$n*204 " "answers"
	served_by_both || t_fail "after $n requests not both processes have served one"
	for p in $pids; do
		t_note "process $p: $(grep -c '"event":"logout"' "$logbase.$p" 2>/dev/null) logouts"
	done
	expect_count "user_id = 63" $((40 - n))
	# every request audited exactly once, by one of the two
	while read -r sid rid _; do
		[ "$(cat "$logbase".* | grep -c -F "\"trace_id\":\"$rid\"")" = 1 ] ||
			t_fail "request $rid not audited exactly once"
	done <"$IT_DIR/sf2.out"
fi
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
for p in $pids; do
	it_wait_until 5 eval "! it_alive $p" || t_fail "process $p still running 5 s after SIGTERM"
	grep -q "^logout-fcgi\[$p\]: info: stopped" "$logbase.$p" 2>/dev/null || t_fail "process $p did not log 'stopped'"
done
pr_nginx_stop sf2
rm -f "$sock"
t_end

# SPDX-License-Identifier: ISC
# t_reload.sh — SIGHUP re-reads the config and its keys without dropping a
# request: a key added is accepted, a key removed is refused, a file that
# fails validation is logged and the running configuration stays.
# Its own worker (a child of this shell, --listen) with its own config file
# next to the suite's (so keys/ resolves the same) and its own nginx.

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

conf=$IT_DIR/reload.conf
log=$IT_DIR/reload.log
sock=$IT_DIR/reload.sock
c0=$IT_DIR/reload.c0 # key main only (the suite's config)
c1=$IT_DIR/reload.c1 # main + second
c2=$IT_DIR/reload.c2 # second only, default_key = second
cbad=$IT_DIR/reload.bad
[ -s "$IT_KEYDIR/second.key" ] || it_key_new "$IT_KEYDIR/second.key"
cp "$IT_CONF" "$c0"
{ cat "$c0"; printf '\n[key second]\nalg = HS256\nsecret_file = keys/second.key\nencoding = base64\n'; } >"$c1"
awk '/^\[/ { skip = ($0 == "[key main]") } !skip' "$c1" |
	sed 's/^default_key = .*/default_key = second/' >"$c2"
sed 's/^max_body = .*/max_body = abc/' "$c2" >"$cbad"
chmod 600 "$c0" "$c1" "$c2" "$cbad"
# install FILE — replace the config atomically (a reader never sees half a file)
install_conf() { cp "$1" "$conf.tmp" && mv -f "$conf.tmp" "$conf"; }
reloaded() { pr_log_has_n "$log" "^logout-fcgi\[$wpid\]: info: reloaded configuration" "$1"; }

# stream_ok FILE FIRST THEN — the statuses of one sequential client are
# FIRST... then THEN... (one switch at most, never back), both present.
stream_ok() {
	local seq
	seq=$(awk '{ print $3 }' "$1" | uniq | tr '\n' ' ')
	expect_eq "$seq" "$2 $3 " "status sequence of $(basename "$1") ($(pr_codes "$1"))"
}

install_conf "$c0"
pr_worker reload "$conf" "$sock" "$log" 4
ready=$?

t_begin "SIGHUP under load: key added then key removed; no request fails, each answer matches the key set it met"
if [ "$ready" != 0 ]; then
	t_fail "worker $wpid not serving: $(tail -n 5 "$log")"
elif ! pr_nginx_start reload "$sock" || ! pr_http_ready "$PR_BASE" 10; then
	t_fail "nginx in front of the worker not answering"
else
	base=$PR_BASE
	# stream A: tokens signed with main; stream B: with second (unknown at first)
	pr_sessions 150 80 "$IT_DIR/rA.sessions" && pr_tokens "$IT_DIR/rA.sessions" 80 "$IT_DIR/rA.tokens" "$c0" &&
		pr_sessions 150 81 "$IT_DIR/rB.sessions" && pr_tokens "$IT_DIR/rB.sessions" 81 "$IT_DIR/rB.tokens" "$c1" second ||
		t_fail "could not create the sessions"
	# singles for the explicit checks
	pr_sessions 3 82 "$IT_DIR/rS.sessions"
	pr_tokens "$IT_DIR/rS.sessions" 82 "$IT_DIR/rS.main" "$c0"
	pr_tokens "$IT_DIR/rS.sessions" 82 "$IT_DIR/rS.second" "$c1" second
	tok() { sed -n "$2p" "$IT_DIR/rS.$1" | awk '{ print $3 }'; }
	sidn() { sed -n "$1p" "$IT_DIR/rS.sessions" | awk '{ print $1 }'; }

	expect_eq "$(pr_status "$base" "$(tok second 1)")" 401 "token of key second before the reload"
	stop=$IT_DIR/reload.stop
	rm -f "$stop"
	pr_load "$base" "$IT_DIR/rA.tokens" "$IT_DIR/rA.out" "$stop" 30 &
	la=$!
	pr_load "$base" "$IT_DIR/rB.tokens" "$IT_DIR/rB.out" "$stop" 30 &
	lb=$!
	progress() { pr_lines_ge "$1" "$IT_DIR/rA.out" && pr_lines_ge "$1" "$IT_DIR/rB.out"; }
	it_wait_until 10 progress 8 || t_fail "the load did not get going"

	install_conf "$c1"
	kill -HUP "$wpid"
	it_wait_until 5 reloaded 1 || t_fail "no 'reloaded configuration' after adding key second"
	expect_eq "$(pr_status "$base" "$(tok second 1)")" 204 "token of key second after adding it"
	expect_eq "$(pr_sid_count "$(sidn 1)")" 0 "session of that token"
	n=$(pr_lines "$IT_DIR/rA.out")
	it_wait_until 10 progress $((n + 8)) || t_fail "the load stalled after the first reload"

	install_conf "$c2"
	kill -HUP "$wpid"
	it_wait_until 5 reloaded 2 || t_fail "no 'reloaded configuration' after removing key main"
	expect_eq "$(pr_status "$base" "$(tok main 2)")" 401 "token of key main after removing it"
	expect_eq "$(pr_sid_count "$(sidn 2)")" 1 "session of that token (kept)"
	n=$(pr_lines "$IT_DIR/rA.out")
	it_wait_until 10 progress $((n + 8)) || t_fail "the load stalled after the second reload"
	touch "$stop"
	wait "$la" "$lb"

	t_note "stream A (main): $(pr_codes "$IT_DIR/rA.out"); stream B (second): $(pr_codes "$IT_DIR/rB.out")"
	# A: accepted until main was removed, refused after; B: the reverse.
	stream_ok "$IT_DIR/rA.out" 204 401
	stream_ok "$IT_DIR/rB.out" 401 204
	awk -v m="$(pr_max_time "$IT_DIR/rA.out" "$IT_DIR/rB.out")" 'BEGIN { exit !(m < 5) }' ||
		t_fail "an answer took $(pr_max_time "$IT_DIR/rA.out" "$IT_DIR/rB.out") s"
	for s in A B; do
		pr_select 204 "$IT_DIR/r$s.out" >"$IT_DIR/r$s.ok"
		pr_select 401 "$IT_DIR/r$s.out" >"$IT_DIR/r$s.refused"
		expect_eq "$(pr_sids_left "$IT_DIR/r$s.ok")" 0 "stream $s: sessions left of the 204 answers"
		expect_eq "$(pr_sids_left "$IT_DIR/r$s.refused")" "$(pr_lines "$IT_DIR/r$s.refused")" \
			"stream $s: sessions left of the 401 answers"
	done
	expect_eq $((150 - $(it_db_count "user_id = 80"))) "$(pr_lines "$IT_DIR/rA.ok")" "stream A: rows deleted vs 204s"
	expect_eq $((150 - $(it_db_count "user_id = 81"))) "$(pr_lines "$IT_DIR/rB.ok")" "stream B: rows deleted vs 204s"
	it_alive "$wpid" || t_fail "worker $wpid died"
	expect_eq "$(pr_log_count "$log" 'reload failed')" 0 "'reload failed' lines"
fi
t_end

t_begin "SIGHUP with a config that fails validation: 'reload failed', the running configuration goes on serving" keep
if it_alive "$wpid" && [ -n "${base:-}" ]; then
	install_conf "$cbad"
	"$IT_WORKER_BIN" --config "$conf" --check-config >/dev/null 2>&1 &&
		t_fail "--check-config accepts max_body = abc"
	kill -HUP "$wpid"
	it_wait_until 5 pr_log_has_n "$log" "^logout-fcgi\[$wpid\]: error: reload failed: .*; keeping the current configuration" 1 ||
		t_fail "no 'reload failed: ...; keeping the current configuration' line: $(tail -n 2 "$log")"
	t_note "$(grep 'reload failed' "$log" | head -n 1)"
	expect_eq "$(pr_log_count "$log" "reloaded configuration")" 2 "'reloaded configuration' lines (no new one)"
	it_alive "$wpid" || t_fail "worker $wpid died on the bad config"
	# still the second configuration: key second accepted, main refused
	expect_eq "$(pr_status "$base" "$(tok second 3)")" 204 "token of key second"
	expect_eq "$(pr_sid_count "$(sidn 3)")" 0 "its session"
	expect_eq "$(pr_status "$base" "$(tok main 2)")" 401 "token of key main"
	expect_eq "$(pr_sid_count "$(sidn 2)")" 1 "its session (kept)"
	# and a fixed file is taken again
	install_conf "$c1"
	kill -HUP "$wpid"
	it_wait_until 5 reloaded 3 || t_fail "no 'reloaded configuration' after fixing the file"
	expect_eq "$(pr_status "$base" "$(tok main 2)")" 204 "token of key main once it is back"
	expect_eq "$(pr_sid_count "$(sidn 2)")" 0 "its session"
	kill -TERM "$wpid"
	if pr_wait_exit "$wpid" 5; then
		expect_eq "$PR_RC" 0 "exit status after SIGTERM"
	else
		t_fail "still running 5 s after SIGTERM"
	fi
	for f in rA.tokens rB.tokens rS.main rS.second; do pr_no_tokens_in "$IT_DIR/$f" "$log"; done
	grep -q -F -- "$(tr -d '\n' <"$IT_KEYDIR/second.key")" "$log" && t_fail "key second appears in the log"
else
	t_fail "no worker to signal"
fi
pr_nginx_stop reload
rm -f "$sock"
t_end

# SPDX-License-Identifier: ISC
# t_reload_sql.sh — a reload that changes [sql] reaches every thread, also
# one that slept through earlier reloads (a new snapshot may reuse the
# address of a freed one: threads compare generations, not pointers).

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
conf=$IT_DIR/rsql.conf
log=$IT_DIR/rsql.log
sock=$IT_DIR/rsql.sock
# install FILE-CONTENT — replace the config atomically
install_text() { printf '%s\n' "$1" >"$conf.tmp" && mv -f "$conf.tmp" "$conf"; }
reloads() { pr_log_count "$log" "^logout-fcgi\[$wpid\]: info: reloaded configuration"; }
reload_n() { # reload_n N — SIGHUP, then wait for the Nth 'reloaded' line
	kill -HUP "$wpid"
	it_wait_until 5 eval '[ "$(reloads)" -ge '"$1"' ]'
}

base_conf=$(cat "$IT_CONF")
install_text "$base_conf"
pr_worker rsql "$conf" "$sock" "$log" 1
ready=$?

t_begin "SIGHUP: changed [sql] reaches a thread that idled through two reloads"
if [ "$ready" != 0 ]; then
	t_fail "worker $wpid not serving: $(tail -n 5 "$log")"
elif ! pr_nginx_start rsql "$sock" || ! pr_http_ready "$PR_BASE" 10; then
	t_fail "nginx in front of the worker not answering"
else
	it_session 42; a=$S_ACCESS
	expect_eq "$(pr_status "$PR_BASE" "$a")" 204 "logout before any reload (connection warm)"
	# 1: a harmless change; 2: a logout statement that never matches.
	install_text "$(printf '%s\n' "$base_conf" | sed 's/^leeway = .*/leeway = 1/')"
	reload_n 1 || t_fail "first reload not logged"
	install_text "$(printf '%s\n\n[sql]\nlogout = DELETE FROM user_sessions WHERE session_hash = :sid_hash AND user_id = :user_id AND 1 = 0\n' \
		"$(printf '%s\n' "$base_conf" | sed '/^\[sql\]/,$d')")"
	reload_n 2 || t_fail "second reload not logged: $(tail -n 3 "$log")"
	it_session 42; b=$S_ACCESS; b_sid=$S_SID
	expect_eq "$(pr_status "$PR_BASE" "$b")" 401 "logout with the never-matching statement"
	expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 1
fi
kill -TERM "$wpid" 2>/dev/null
pr_wait_exit "$wpid" 5 || t_fail "worker still running 5 s after SIGTERM"
pr_nginx_stop rsql
rm -f "$sock"
t_end

# SPDX-License-Identifier: ISC
# t_privs.sh — operable like php-fpm (README, "Privileges and the socket"):
# started as root with [server] user = nobody, the worker (and under
# --workers the supervisor and every worker) serves as nobody:nogroup, its
# socket is www-data:www-data 0660 from its creation, and a logout through
# an nginx whose workers run as www-data answers 204; a reload re-reads the
# files as nobody. A second instance on the same socket or pid file
# refuses (exit 3) while the first keeps serving; a clean stop leaves no
# socket or pid file. Root without a user (or allow_root) is refused, so
# is a user other than one's own when not root, and so are secret files
# others may read (StrictModes).
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/procs.sh"

if [ "$(id -u)" != 0 ]; then
	if [ "${CI:-}" = true ]; then
		t_begin "privs: prerequisites" keep
		t_fail "needs root (starts the worker as root)"
		t_end
	else
		it_log "SKIP privs: needs root (starts the worker as root)"
	fi
	exit 0
fi

# A tree the users involved can reach, as an install would have it: the
# config, key and password root:nogroup 0640 in a 0750 directory (nobody
# reads them again at a reload), the socket and pid file in a directory of
# nobody's (so that nobody can remove them at the stop), all of it on a
# short path (unix socket names are limited to 108 bytes).
PV=$(mktemp -d /tmp/logout-privs.XXXXXX) || exit 1
trap 'pr_cleanup; rm -rf "$PV"' EXIT
chmod 0755 "$PV"
install -d -m 0750 -g nogroup "$PV/etc" "$PV/etc/keys"
install -d -m 0755 -o nobody -g nogroup "$PV/run"
# The suite's key, so that it_session's tokens are this worker's too.
install -m 0640 -g nogroup "$IT_KEYDIR/main.key" "$PV/etc/keys/main.key"
install -m 0640 -g nogroup "$IT_DB_PASSFILE" "$PV/etc/db.pass"
conf=$PV/etc/logout-fcgi.conf
sock=$PV/run/logout-fcgi.sock
pidf=$PV/run/logout-fcgi.pid
log=$IT_DIR/privs.log
# nobody cannot enter the suite's directory, where MariaDB's socket is: TCP.
sed -e "s|^socket =.*|socket =|" -e "s|^hosts =.*|hosts = 127.0.0.1:$IT_DB_PORT|" \
	-e "s|^password_file =.*|password_file = db.pass|" \
	-e '/^allow_root =/d' -e '/^; started as root, with root-only files/d' \
	-e 's|^;user = .*|user = nobody|' -e 's|^;group = .*|group = nogroup|' \
	-e 's|^;listen_owner = .*|listen_owner = www-data|' \
	-e 's|^;listen_group = .*|listen_group = www-data|' \
	-e 's|^listen_mode = .*|listen_mode = 0660|' -e "s|^pid_file =.*|pid_file = $pidf|" \
	"$IT_CONF" >"$conf"
chgrp nogroup "$conf" && chmod 0640 "$conf"
[ "$(grep -c -E '^(user = nobody|group = nogroup|listen_(owner|group) = www-data|pid_file = /)' \
	"$conf")" = 5 ] || it_log "t_privs: $conf lacks the [server] settings it needs"

W=$IT_WORKER_BIN

# pv_ids PID — "UID GID GROUPS" of a process: each of real, effective,
# saved and filesystem ids, and the supplementary groups.
pv_ids() {
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 } /^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
		/^Groups:/ { $1 = ""; s = $0; sub(/^ +/, "", s); sub(/ +$/, "", s) }
		END { out = u " / " g " / " s; sub(/ +$/, "", out); print out }' \
		"/proc/$1/status" 2>/dev/null
}
NOBODY_IDS="65534 65534 65534 65534 / 65534 65534 65534 65534 / 65534"

pv_http() {
	local IT_BASE=$PR_BASE
	it_http "$@"
}

# pv_start NAME ARGS... — the worker as root in the background (stderr to
# the case's log), tracked; sets pid. 0 once it logs that it serves.
pv_start() {
	local name=$1
	shift
	"$W" "$@" </dev/null 2>>"$log" &
	pid=$!
	pr_track "$pid" "$name"
	it_wait_until 10 pr_log_has_n "$log" "^logout-fcgi\[$pid\]: info: (serving with|supervising)" 1
}

t_begin "privs: started as root with user = nobody: serves as nobody:nogroup, socket www-data:www-data 0660, a logout through nginx as www-data answers 204"
up=0
if pv_start worker --config "$conf" --listen "$sock" --threads 2; then
	up=1
	first=$pid
	expect_eq "$(pv_ids "$first")" "$NOBODY_IDS" "the worker's uids / gids / groups"
	grep -q "^logout-fcgi\[$first\]: info: serving as uid 65534, gid 65534\$" "$log" ||
		t_fail "no 'serving as uid 65534' line"
	expect_eq "$(stat -c '%U:%G %a' "$sock")" "www-data:www-data 660" "the socket's owner and mode"
	expect_eq "$(cat "$pidf" 2>&1)" "$first" "the pid file"
	if IT_NGINX_USER=www-data pr_nginx_start privs "$sock" && pr_http_ready "$PR_BASE" 10; then
		master=$(it_pidfile_read "$IT_DIR/privs/nginx.ourpid")
		for c in $(pr_children "$master"); do
			expect_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$c/status")" 33 "uid of nginx worker $c"
		done
		u=$((RANDOM % 100000 + 700000))
		if IT_CONF=$conf it_session "$u"; then
			pv_http POST "$PR_P/logout" -H "Authorization: Bearer $S_ACCESS"
			expect_status 204
			expect_count "user_id = $u" 0
			pv_http POST "$PR_P/logout" -H "Authorization: Bearer $S_ACCESS"
			expect_status 401
		else
			t_fail "logout-fcgi-admin create-session with the worker's config failed"
		fi
	else
		t_fail "nginx as www-data does not reach the worker: $(tail -n 3 "$IT_DIR/privs/nginx/error.log" 2>/dev/null)"
	fi
else
	t_fail "worker not serving: $(tail -n 3 "$log")"
fi
t_end

t_begin "privs: a reload re-reads the config, key and password as nobody (group-readable files)"
if [ "$up" = 1 ]; then
	n0=$(pr_log_count "$log" "^logout-fcgi\[$first\]: info: reloaded")
	kill -HUP "$first"
	it_wait_until 10 pr_log_has_n "$log" "^logout-fcgi\[$first\]: info: reloaded" $((n0 + 1)) ||
		t_fail "no reload: $(grep "^logout-fcgi\[$first\]" "$log" | tail -n 2)"
	grep -q "^logout-fcgi\[$first\]: error: reload failed" "$log" &&
		t_fail "reload failed: $(grep "reload failed" "$log" | tail -n 1)"
	expect_eq "$(pv_ids "$first")" "$NOBODY_IDS" "the worker's ids after the reload"
	pv_http POST "$PR_P/logout"
	expect_status 401
else
	t_fail "no worker"
fi
t_end

t_begin "privs: a second instance on the same pid file or socket exits 3 and leaves the first serving"
if [ "$up" = 1 ]; then
	# The same pid file (the config's), another socket.
	out=$(timeout 20 "$W" --config "$conf" --listen "$PV/run/second.sock" --threads 1 \
		</dev/null 2>&1)
	expect_eq "$?" 3 "exit status with the same pid file"
	case $out in
	*"pid file $pidf: already running as PID $first"*) ;;
	*) t_fail "no 'already running as PID $first': $out" ;;
	esac
	[ -e "$PV/run/second.sock" ] && t_fail "the refused instance made its socket"
	# The same socket, another pid file.
	out=$(timeout 20 "$W" --config "$conf" --listen "$sock" --pid-file "$PV/run/second.pid" \
		--threads 1 </dev/null 2>&1)
	expect_eq "$?" 3 "exit status on the same socket"
	case $out in
	*"$sock: another process is listening on it"*) ;;
	*) t_fail "no 'another process is listening on it': $out" ;;
	esac
	[ -e "$PV/run/second.pid" ] && t_fail "the refused instance left its pid file"
	expect_eq "$(cat "$pidf" 2>&1)" "$first" "the pid file after both refusals"
	expect_eq "$(stat -c '%U:%G %a' "$sock")" "www-data:www-data 660" "the first's socket"
	# The first still answers, through nginx.
	it_alive "$first" || t_fail "the first worker died"
	u=$((RANDOM % 100000 + 700000))
	if IT_CONF=$conf it_session "$u"; then
		pv_http POST "$PR_P/logout" -H "Authorization: Bearer $S_ACCESS"
		expect_status 204
	else
		t_fail "create-session failed"
	fi
else
	t_fail "no worker"
fi
t_end

t_begin "privs: SIGTERM: exit 0, and neither the socket file nor the pid file is left"
if [ "$up" = 1 ]; then
	kill -TERM "$first"
	if pr_wait_exit "$first" 20; then
		expect_eq "$PR_RC" 0 "exit status"
	else
		t_fail "still running 20 s after SIGTERM"
	fi
	[ -e "$sock" ] && t_fail "the socket file is left: $(ls -l "$sock")"
	[ -e "$pidf" ] && t_fail "the pid file is left: $(ls -l "$pidf")"
else
	t_fail "no worker"
fi
pr_nginx_stop privs
t_end

t_begin "privs: --workers 2 started as root: the supervisor and both workers serve as nobody, the rate limiter's file is nobody's"
sup_sock=$PV/run/sup.sock
sup_pid=$PV/run/sup.pid
# The limiter's file where only root may create it: root makes it, nobody
# gets it, every worker maps it.
rl_conf=$PV/etc/rl.conf
sed -e '/^\[rate_limit\]$/,/^\[/ s/^enabled = .*/enabled = yes/' \
	-e "s|^file = ratelimit.state\$|file = $PV/ratelimit.state|" "$conf" >"$rl_conf"
chgrp nogroup "$rl_conf" && chmod 0640 "$rl_conf"
if pv_start supervisor --config "$rl_conf" --listen "$sup_sock" --pid-file "$sup_pid" \
	--workers 2 --threads 1 && it_wait_until 10 pr_nchildren_is "$pid" 2; then
	sup=$pid
	expect_eq "$(pv_ids "$sup")" "$NOBODY_IDS" "the supervisor's ids"
	for c in $(pr_children "$sup"); do
		expect_eq "$(pv_ids "$c")" "$NOBODY_IDS" "worker $c's ids"
		it_wait_until 10 pr_log_has_n "$log" "^logout-fcgi\[$c\]: info: serving with" 1 ||
			t_fail "worker $c not serving: $(grep "^logout-fcgi\[$c\]" "$log" | tail -n 2)"
	done
	expect_eq "$(stat -c '%U %a' "$PV/ratelimit.state" 2>&1)" "nobody 600" "the limiter's file"
	expect_eq "$(cat "$sup_pid" 2>&1)" "$sup" "the pid file holds the supervisor's pid"
	expect_eq "$(stat -c '%U:%G %a' "$sup_sock")" "www-data:www-data 660" "the socket"
	kill -TERM "$sup"
	if pr_wait_exit "$sup" 20; then
		expect_eq "$PR_RC" 0 "the supervisor's exit status"
	else
		t_fail "supervisor still running 20 s after SIGTERM"
	fi
	[ -e "$sup_sock" ] && t_fail "the socket file is left"
	[ -e "$sup_pid" ] && t_fail "the pid file is left"
else
	t_fail "supervisor not serving with 2 workers: $(tail -n 3 "$log")"
fi
t_end

t_begin "privs: where nobody may not remove them, a stop empties the pid file and leaves a stale socket; the next start takes both over"
# $PV is root's: nobody can neither unlink nor create there.
for round in 1 2; do
	if pv_start "root-dir $round" --config "$conf" --listen "$PV/kept.sock" \
		--pid-file "$PV/kept.pid" --threads 1; then
		expect_eq "$(cat "$PV/kept.pid" 2>&1)" "$pid" "pid file, round $round"
		kill -TERM "$pid"
		pr_wait_exit "$pid" 20 && expect_eq "$PR_RC" 0 "exit status, round $round"
		expect_eq "$(stat -c %s "$PV/kept.pid" 2>&1)" 0 "pid file size after the stop"
		[ -S "$PV/kept.sock" ] || t_fail "round $round: no stale socket left"
	else
		t_fail "round $round: not serving: $(tail -n 3 "$log")"
	fi
done
t_end

t_begin "privs: root without user is refused unless allow_root; not root, only one's own user"
noroot=$PV/etc/noroot.conf
sed -e '/^user = nobody$/d' -e '/^group = nogroup$/d' "$conf" >"$noroot"
chgrp nogroup "$noroot" && chmod 0640 "$noroot"
out=$(timeout 20 "$W" --config "$noroot" --listen "$PV/run/root.sock" --threads 1 </dev/null 2>&1)
expect_eq "$?" 1 "exit status as root without user"
case $out in
*"refusing to serve as root: set [server] user (--user)"*"allow_root = yes (--allow-root)"*) ;;
*) t_fail "no clear refusal: $out" ;;
esac
[ -e "$PV/run/root.sock" ] && t_fail "the refused start made its socket"
[ -e "$pidf" ] && t_fail "the refused start left the pid file"
# --allow-root: what the admin asked for.
if pv_start allow-root --config "$noroot" --listen "$PV/run/root.sock" --allow-root --threads 1; then
	expect_eq "$(awk '/^Uid:/ { print $2 $3 }' "/proc/$pid/status")" 00 "uid with --allow-root"
	kill -TERM "$pid"
	pr_wait_exit "$pid" 20 || t_fail "--allow-root worker did not stop"
else
	t_fail "--allow-root worker not serving: $(tail -n 3 "$log")"
fi
# As nobody: naming nobody is fine, naming anyone else is not.
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$W")
out=$(timeout 20 "${as_nobody[@]}" --config "$conf" --listen "$PV/run/nb.sock" --user www-data \
	--pid-file "$PV/run/nb.pid" --threads 1 </dev/null 2>&1)
expect_eq "$?" 1 "exit status as nobody with --user www-data"
case $out in
*"cannot switch to user www-data: not started as root"*) ;;
*) t_fail "no 'cannot switch to user www-data: not started as root': $out" ;;
esac
out=$(timeout 20 "${as_nobody[@]}" --config "$conf" --listen "$PV/run/nb.sock" --group www-data \
	--pid-file "$PV/run/nb.pid" --threads 1 </dev/null 2>&1)
case $out in
*"cannot switch to group www-data: not started as root"*) ;;
*) t_fail "no 'cannot switch to group www-data: not started as root': $out" ;;
esac
"${as_nobody[@]}" --config "$conf" --listen "$PV/run/nb.sock" --listen-owner nobody \
	--listen-group nogroup --pid-file "$PV/run/nb.pid" --threads 1 </dev/null 2>>"$log" &
pid=$!
pr_track "$pid" "as nobody"
if it_wait_until 10 pr_log_has_n "$log" "^logout-fcgi\[$pid\]: info: serving with" 1; then
	# setpriv --clear-groups left it none; it has nothing to change.
	expect_eq "$(pv_ids "$pid")" "${NOBODY_IDS% 65534}" "ids when started as nobody"
	expect_eq "$(stat -c '%U:%G %a' "$PV/run/nb.sock")" "nobody:nogroup 660" "its socket"
	kill -TERM "$pid"
	pr_wait_exit "$pid" 20 || t_fail "the worker started as nobody did not stop"
	[ -e "$PV/run/nb.sock" ] && t_fail "its socket file is left"
else
	t_fail "started as nobody with user = nobody: not serving: $(tail -n 3 "$log")"
fi
t_end

t_begin "privs: StrictModes: a key others may read, or another user's, is refused with its line and the fix"
key=$PV/etc/keys/main.key
# Messages name the first line of the key's section.
kline=$(awk '/^\[key main\]$/ { k = 1; next } k && /^[a-z]/ { print NR; exit }' "$conf")
chmod 0644 "$key"
out=$("$W" --config "$conf" --check-config 2>&1)
expect_eq "$?" 1 "--check-config exit status"
expect_match "$out" "logout-fcgi: $conf:$kline: key main: $key is readable by others \\(mode 0644\\); chmod o-rwx $key" "--check-config message"
out=$(timeout 20 "$W" --config "$conf" --listen "$PV/run/strict.sock" --threads 1 </dev/null 2>&1)
expect_eq "$?" 1 "exit status of a start"
case $out in *"readable by others (mode 0644)"*) ;; *) t_fail "start: $out" ;; esac
[ -e "$PV/run/strict.sock" ] && t_fail "the refused start made its socket"
chmod 0640 "$key"
chown www-data "$key"
out=$("$W" --config "$conf" --check-config 2>&1)
expect_eq "$?" 1 "--check-config exit status, key owned by www-data"
case $out in
*"key main: $key is owned by uid 33, neither root nor the user reading it (uid 0)"*) ;;
*) t_fail "owner: $out" ;;
esac
# strict_modes = no: the admin's choice for an unusual setup.
lax=$PV/etc/lax.conf
sed -e 's/^strict_modes = yes$/strict_modes = no/' "$conf" >"$lax"
chmod 0644 "$key"
out=$("$W" --config "$lax" --check-config 2>&1)
expect_eq "$out" "$lax: ok" "strict_modes = no"
chown root "$key" && chmod 0640 "$key"
out=$("$W" --config "$conf" --check-config 2>&1)
expect_eq "$out" "$conf: ok" "root:nogroup 0640 again"
t_end

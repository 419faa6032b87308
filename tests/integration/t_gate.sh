# SPDX-License-Identifier: ISC
# t_gate.sh — nothing one FastCGI connection sends stops the service: the
# acceptor (src/acceptor.c, src/fcgi_scan.c) closes malformed and oversized
# requests before libfcgi allocates anything, times out partial ones
# without holding a thread, and the socket is private from its creation.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

hostile() { python3 "$top_srcdir/tests/integration/fcgi_hostile.py" "$@"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# A worker with short client timeouts: 4 threads, header_timeout 2 s.
conf=$IT_DIR/gate.conf
sed -e 's/^\[server\]$/[server]\nheader_timeout = 2\nbody_timeout = 2\nsend_timeout = 2/' \
	"$IT_CONF" >"$conf"
sock=$IT_DIR/gate.sock
log=$IT_DIR/gate.log
gate_up=0
if pr_worker gate "$conf" "$sock" "$log" 4 && pr_nginx_start gate "$sock" &&
	pr_http_ready "$PR_BASE" 10; then
	gate_up=1
	base=$PR_BASE
fi

# still_serving — the worker lives and a request through nginx is answered.
still_serving() {
	it_alive "$wpid" || { t_fail "worker $wpid died: $(tail -n 5 "$log")"; return 1; }
	expect_eq "$(pr_status "$base" x)" 401 "a request through nginx afterwards"
}

t_begin "gate: PARAMS lengths of 0x7ffffffe (CVE-2025-23016 remains) close the connection; the worker lives"
if [ "$gate_up" = 1 ]; then
	out=$(hostile "$sock" huge 100)
	expect_eq "$(grep -c '^closed' <<<"$out")" 100 "connections closed by the worker"
	still_serving
	pr_log_has_n "$log" "closed a FastCGI connection: bad name-value pair" 1 ||
		t_fail "no warning about the closed connections"
else
	t_fail "gate worker not serving: $(tail -n 5 "$log")"
fi
t_end

t_begin "gate: 256 MiB names announced by 4 held connections: closed at once, memory flat"
if [ "$gate_up" = 1 ]; then
	before=$(rss_kb "$wpid")
	out=$(hostile "$sock" announce 4 3)
	after=$(rss_kb "$wpid")
	t_note "RSS $before kB before, $after kB after; $(tr '\n' ' ' <<<"$out")"
	expect_eq "$(grep -c '^closed 0\.' <<<"$out")" 4 "connections closed within a second"
	[ $((after - before)) -lt 8192 ] || t_fail "RSS grew by $((after - before)) kB"
	still_serving
fi
t_end

t_begin "gate: every malformed record set closes its connection without an answer"
if [ "$gate_up" = 1 ]; then
	out=$(hostile "$sock" malformed)
	n=$(wc -l <<<"$out")
	[ "$n" -ge 19 ] || t_fail "only $n cases ran"
	bad=$(grep -v ': closed 0\.' <<<"$out")
	[ -z "$bad" ] || t_fail "not closed at once: $bad"
	still_serving
fi
t_end

t_begin "gate: a body announced over max_body and the peek window is refused 413 unread, whatever follows it"
if [ "$gate_up" = 1 ]; then
	expect_eq "$(hostile "$sock" big)" "answered 413" "answer"
	still_serving
fi
t_end

t_begin "gate: a body announced over max_body that fits the window is checked: a stray record after it closes the connection at once"
if [ "$gate_up" = 1 ]; then
	t0=$SECONDS
	expect_eq "$(hostile "$sock" bigcheck)" "answered none" "answer"
	[ $((SECONDS - t0)) -lt 3 ] || t_fail "closed after $((SECONDS - t0)) s, not at once"
	still_serving
fi
t_end

t_begin "gate: a FastCGI authorizer's request (role 2, no STDIN) is answered at once; a record after its params is never parsed"
if [ "$gate_up" = 1 ]; then
	# verify is not served by this worker: the gate's own 404, at once
	expect_eq "$(hostile "$sock" authorizer)" "answered 404" "answer"
	still_serving
fi
t_end

t_begin "gate: 40 slow connections (10 x threads) hold no thread: requests through nginx answered meanwhile, the slow ones closed after header_timeout"
if [ "$gate_up" = 1 ]; then
	hostile "$sock" slow 40 6 >"$IT_DIR/gate.slow" &
	slow_pid=$!
	pr_track "$slow_pid" "slow clients"
	it_wait_until 5 grep -q '^ready' "$IT_DIR/gate.slow" || t_fail "the slow clients did not connect"
	: >"$IT_DIR/gate.fast"
	deadline=$((SECONDS + 3))
	while [ "$SECONDS" -lt "$deadline" ]; do
		pr_post "$base" x >>"$IT_DIR/gate.fast"
		echo >>"$IT_DIR/gate.fast"
	done
	wait "$slow_pid"
	n=$(wc -l <"$IT_DIR/gate.fast")
	[ "$n" -ge 20 ] || t_fail "only $n requests answered in 3 s"
	expect_eq "$(awk '$1 != 401' "$IT_DIR/gate.fast" | wc -l)" 0 "answers other than 401"
	p99=$(sort -n -k2 "$IT_DIR/gate.fast" | awk '{ t[NR] = $2 } END { i = int(NR * 0.99); if (i < 1) i = 1; print t[i] }')
	t_note "$n requests while 40 slow connections were open, p99 $p99 s"
	awk -v p="$p99" 'BEGIN { exit !(p < 1) }' || t_fail "p99 $p99 s"
	expect_eq "$(grep -c '^closed' "$IT_DIR/gate.slow")" 40 "slow connections closed by the worker"
	late=$(awk '$1 == "closed" && $2 > 4' "$IT_DIR/gate.slow" | wc -l)
	expect_eq "$late" 0 "slow connections closed later than header_timeout + 2 s"
	still_serving
fi
t_end

t_begin "gate: SIGHUP and then SIGTERM with a client stalled mid-request: reloaded at once, exit within header_timeout"
if [ "$gate_up" = 1 ]; then
	hostile "$sock" slow 5 10 >"$IT_DIR/gate.stalled" &
	pr_track $! "stalled clients"
	it_wait_until 5 grep -q '^ready' "$IT_DIR/gate.stalled" || t_fail "the stalled clients did not connect"
	n0=$(pr_log_count "$log" "reloaded configuration")
	t0=$SECONDS
	kill -HUP "$wpid"
	it_wait_until 2 pr_log_has_n "$log" "reloaded configuration" $((n0 + 1)) ||
		t_fail "no 'reloaded' line within 2 s of SIGHUP"
	kill -TERM "$wpid"
	if pr_wait_exit "$wpid" 5; then
		expect_eq "$PR_RC" 0 "exit status"
	else
		t_fail "still running 5 s after SIGTERM"
	fi
	t_note "SIGHUP to exit: $((SECONDS - t0)) s"
fi
pr_nginx_stop gate
t_end

# connect_as_nobody PATH — "connected", or the errno of the refusal.
connect_as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print("connected")
except OSError as e:
    print(e.errno)' "$1" 2>&1
}

t_begin "gate: a socket made with --listen is 0660 from its creation, relative or absolute, under umask 000; another uid cannot connect"
# A directory anyone may traverse, so only the socket's own mode decides.
pub=$(mktemp -d /tmp/logout-perm.XXXXXX)
chmod 755 "$pub"
for path in "$pub/perm-abs.sock" "perm-rel.sock"; do
	(cd "$pub" && umask 000 && exec "$IT_WORKER_BIN" --config "$conf" --listen "$path" \
		--threads 1 </dev/null 2>>"$IT_DIR/perm.log") &
	ppid_=$!
	pr_track "$ppid_" "perm worker"
	full=$path
	case $path in /*) ;; *) full=$pub/$path ;; esac
	if it_wait_until 5 pr_log_has_n "$IT_DIR/perm.log" "^logout-fcgi\[$ppid_\]: info: serving" 1; then
		expect_eq "$(stat -c %a "$full")" 660 "mode of $path"
		expect_eq "$(connect_as_nobody "$full")" 13 "connect as nobody to $path (13 = EACCES)"
		# the control: the same socket opened to everyone lets nobody in
		chmod 666 "$full"
		expect_eq "$(connect_as_nobody "$full")" connected "connect as nobody after chmod 666"
	else
		t_fail "worker on $path not serving: $(tail -n 3 "$IT_DIR/perm.log")"
	fi
	kill -TERM "$ppid_"
	pr_wait_exit "$ppid_" 5 || t_fail "worker on $path did not stop"
done
rm -rf "$pub"
t_end

t_begin "gate: a live socket is never taken over (exit 3: already running); a stale one is replaced"
live=$IT_DIR/live.sock
if pr_worker live "$conf" "$live" "$IT_DIR/live.log" 1; then
	first=$wpid
	"$IT_WORKER_BIN" --config "$conf" --listen "$live" --threads 1 </dev/null \
		2>>"$IT_DIR/live2.log"
	expect_eq "$?" 3 "exit status of a second worker on the same path"
	grep -q "another process is listening" "$IT_DIR/live2.log" ||
		t_fail "no clear message: $(tail -n 2 "$IT_DIR/live2.log")"
	expect_eq "$(hostile "$live" valid)" "answered 401" "the first worker still answers on it"
	kill -KILL "$first"
	pr_wait_exit "$first" 5
	[ -S "$live" ] || t_fail "no stale socket left by kill -9"
	if pr_worker live2 "$conf" "$live" "$IT_DIR/live.log" 1; then
		expect_eq "$(hostile "$live" valid)" "answered 401" "a new worker on the stale path"
		kill -TERM "$wpid"
		pr_wait_exit "$wpid" 5
	else
		t_fail "a stale socket was not replaced: $(tail -n 2 "$IT_DIR/live.log")"
	fi
else
	t_fail "first worker not serving"
fi
t_end

# SPDX-License-Identifier: ISC
# t_logs.sh — [log] and [audit] targets end to end (README, "Logs"): a
# target that cannot be opened stops start-up and --check-config, which
# creates no file; audit lines and diagnostics reach a syslog socket with
# their own identifier, facility and severity, and [log] level drops what
# is less severe; a syslog socket that goes away and a file that can take
# no more (a full disk: the path made a link to /dev/full) lose no line,
# which reaches stderr while the requests are answered as usual; an audit
# file renamed under load and reopened on SIGUSR1 (logrotate's way), by
# one worker and by a --workers supervisor, holds with its successor every
# line exactly once; the shipped logrotate snippet rotates, signals and
# compresses; on stderr under journald every line carries its "<N>"
# priority; no token, key or password in any of it.
# Each case runs its own workers with their own config next to the
# suite's (IT_DIR/logs-*.conf, so keys/ resolves the same) behind their
# own nginx; the syslog socket is notify_listen.py's, which records each
# datagram with its sender's pid.

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

LG=$IT_DIR/logs
mkdir -p "$LG"
LISTENER=$top_srcdir/tests/integration/notify_listen.py
U=90 # the sessions' user

# lg_conf OUT SECTION.KEY=VALUE... — the suite's config with those keys
# set; each must be in it (deploy/logout-fcgi.conf lists every key).
lg_conf() {
	local out=$1
	shift
	printf '%s\n' "$@" >"$out.set"
	awk 'NR == FNR { i = index($0, "="); want[substr($0, 1, i - 1)] = substr($0, i + 1); next }
		/^\[/ { sect = $0; gsub(/[][]/, "", sect) }
		/^[a-z_]+ =/ {
			k = sect "." substr($0, 1, index($0, " ") - 1)
			if (k in want) { print substr(k, length(sect) + 2) " = " want[k]; done[k] = 1; next }
		}
		{ print }
		END { for (k in want) if (!(k in done)) { print "lg_conf: no " k > "/dev/stderr"; exit 1 } }' \
		"$out.set" "$IT_CONF" >"$out.tmp" && chmod 600 "$out.tmp" && mv -f "$out.tmp" "$out"
}

# lg_listen NAME — a datagram socket LG/NAME.sock recorded in LG/NAME.out
# ("PID<TAB>DATAGRAM" a line); sets LPID.
lg_listen() {
	rm -f "$LG/$1.sock"
	python3 "$LISTENER" "$LG/$1.sock" "$LG/$1.out" 120 &
	LPID=$!
	pr_track "$LPID" "listener $1"
	it_wait_until 5 test -S "$LG/$1.sock"
}

# lg_worker NAME CONF ARGS... — a worker on LG/NAME.fcgi, stderr appended to
# LG/NAME.err, behind nginx NAME; sets WPID and BASE. 0 once it answers.
lg_worker() {
	local name=$1 conf=$2
	shift 2
	"$IT_WORKER_BIN" --config "$conf" --listen "$LG/$name.fcgi" "$@" </dev/null \
		2>>"$LG/$name.err" &
	WPID=$!
	pr_track "$WPID" "worker $name"
	pr_nginx_start "lg-$name" "$LG/$name.fcgi" || return 1
	BASE=$PR_BASE
	it_wait_until 10 lg_ready && it_alive "$WPID"
}
lg_ready() { ! it_alive "$WPID" || pr_answers_401 "$BASE"; }

# lg_logout TOKEN RID — a logout through BASE; prints the status.
lg_logout() {
	local r
	r=$(pr_post "$BASE" "$1" "$2")
	printf '%s' "${r%% *}"
}

# lg_json FILE... — the trace_id of every line that is a JSON object, and
# "INVALID <line>" for every other line.
lg_json() {
	python3 -c '
import json, sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                o = json.loads(line)
                ok = isinstance(o, dict)
            except ValueError:
                ok = False
            print(o.get("trace_id", "") if ok else "INVALID " + line.strip()[:300])
' "$@"
}

# lg_datagram OUT NEEDLE — the one datagram of OUT containing NEEDLE, with
# its sender's pid first; fails unless there is exactly one.
lg_datagram() {
	local n
	n=$(grep -c -F -- "$2" "$1")
	[ "$n" = 1 ] || { t_fail "$n datagrams with $2 (want 1)"; return 1; }
	grep -F -- "$2" "$1"
}

# RFC 3164's TIMESTAMP, after the <PRI>.
STAMP='[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}'

# ---------------------------------------------------------------- start-up

t_begin "--check-config and start-up: a target that cannot be opened is named, exit 1; a missing file is not created by the check" keep
conf=$IT_DIR/logs-check.conf
lg_conf "$conf" "audit.target=$LG/no/such/dir/audit.log" || t_fail "config"
out=$("$IT_WORKER_BIN" --config "$conf" --check-config 2>&1)
expect_eq "$?" 1 "--check-config exit status, audit file in a missing directory"
expect_match "$out" "logout-fcgi: \[audit\] target: $LG/no/such/dir/audit.log: .*No such file or directory" "its message"
out=$("$IT_WORKER_BIN" --config "$conf" --listen "$LG/check.fcgi" 2>&1 </dev/null)
expect_eq "$?" 1 "start-up exit status, same config"
expect_match "$out" "logout-fcgi: \[audit\] target: $LG/no/such/dir/audit.log: .*" "its message"
lg_conf "$conf" log.target=syslog "log.syslog_socket=$LG/nobody.sock" || t_fail "config"
out=$("$IT_WORKER_BIN" --config "$conf" --check-config 2>&1)
expect_eq "$?" 1 "--check-config exit status, a syslog socket nobody reads"
expect_match "$out" "logout-fcgi: \[log\] target: $LG/nobody.sock: .*" "its message"
lg_conf "$conf" "log.target=$LG/check-diag.log" "audit.target=$LG/check-audit.log" || t_fail "config"
out=$("$IT_WORKER_BIN" --config "$conf" --check-config 2>&1)
expect_eq "$?" 0 "--check-config exit status, files that can be created ($out)"
[ -e "$LG/check-diag.log" ] || [ -e "$LG/check-audit.log" ] && t_fail "--check-config created a log file"
t_end

# ---------------------------------------------------------------- syslog

t_begin "syslog: audit lines as authpriv.info from logout-fcgi-audit[PID], diagnostics with their own identifier, facility and level"
lg_listen sys
conf=$IT_DIR/logs-sys.conf
# sys_conf KEY=VALUE... — both streams to the listener, and those keys.
sys_conf() {
	lg_conf "$conf" log.target=syslog log.syslog_ident=it-logout log.syslog_facility=local3 \
		"log.syslog_socket=$LG/sys.sock" audit.target=syslog \
		"audit.syslog_socket=$LG/sys.sock" "$@" || t_fail "config"
}
# sys_reload NEEDLE PRI TEXT — SIGHUP; then the one datagram with
# NEEDLE is PRI from it-logout[WPID], saying TEXT (a regex).
sys_reload() {
	kill -HUP "$WPID"
	it_wait_until 5 grep -q -F -- "$1" "$LG/sys.out" || { t_fail "no datagram '$1'"; return; }
	d=$(lg_datagram "$LG/sys.out" "$1") &&
		expect_match "$d" "$WPID	<$2>$STAMP it-logout\\[$WPID\\]: $3" "datagram '$1'"
}
sys_conf log.level=warning
if ! lg_worker sys "$conf" --threads 2; then
	t_fail "worker not answering: $(tail -n 5 "$LG/sys.err")"
else
	it_session $U
	r1=$(it_uuid_new) r2=$(it_uuid_new)
	expect_eq "$(lg_logout "$S_ACCESS" "$r1")" 204 "logout"
	expect_eq "$(lg_logout "not.a.token" "$r2")" 401 "refusal"
	both() { grep -q -F "$r1" "$LG/sys.out" && grep -q -F "$r2" "$LG/sys.out"; }
	it_wait_until 5 both || t_fail "no datagram for the logout or the refusal"
	for r in "$r1" "$r2"; do
		d=$(lg_datagram "$LG/sys.out" "\"trace_id\":\"$r\"") || continue
		# authpriv (10) * 8 + info (6)
		expect_match "$d" "$WPID	<86>$STAMP logout-fcgi-audit\\[$WPID\\]: \\{.*\\}" "audit datagram"
		printf '%s\n' "${d#*]: }" >"$LG/sys.json"
		expect_eq "$(lg_json "$LG/sys.json")" "$r" "the datagram's JSON line"
	done
	grep -F "\"trace_id\":\"$r1\"" "$LG/sys.out" | grep -q '"event":"logout".*"status":204' ||
		t_fail "the logout's line: $(grep -F "$r1" "$LG/sys.out")"
	grep -F "\"trace_id\":\"$r2\"" "$LG/sys.out" | grep -q '"event":"refused".*"status":401' ||
		t_fail "the refusal's line: $(grep -F "$r2" "$LG/sys.out")"
	# A warning, local3 (19) * 8 + 4, at a reload that changes threads; its
	# "reloaded" info line is dropped, as those of the start were.
	sys_conf log.level=warning server.threads=3
	sys_reload 'take effect at the next start' 156 'warning: reload: .*'
	# An error: local3 * 8 + 3.
	printf '[bogus]\nx = 1\n' >>"$conf"
	sys_reload 'reload failed' 155 'error: reload failed: .*bogus.*'
	# level = info at a reload: its own "reloaded" line is the first info.
	sys_conf log.level=info server.threads=3
	sys_reload 'reloaded configuration' 158 'info: reloaded configuration from .*'
	expect_eq "$(grep -c -E '	<15[89]>' "$LG/sys.out")" 1 "info and debug datagrams (the reload's only)"
	expect_eq "$(grep -c -v -E "^$WPID	" "$LG/sys.out")" 0 "datagrams from other senders"
	[ -s "$LG/sys.err" ] && t_fail "stderr is not empty: $(head -n 3 "$LG/sys.err")"
fi
t_end

t_begin "syslog socket gone: audit and diagnostic lines reach stderr with their tag, requests answered; lines come back when it does"
if ! it_alive "$WPID"; then
	t_fail "the worker of the previous case is gone"
else
	it_stop_pid "$LPID" listener 5
	rm -f "$LG/sys.sock"
	it_session $U
	r3=$(it_uuid_new)
	expect_eq "$(lg_logout "$S_ACCESS" "$r3")" 204 "logout while the socket is gone"
	expect_eq "$(lg_logout "not.a.token" "$(it_uuid_new)")" 401 "refusal while the socket is gone"
	it_wait_until 5 grep -q -F "$r3" "$LG/sys.err" || t_fail "the audit line did not reach stderr"
	n=$(grep -c -E "^logout-fcgi-audit\\[$WPID\\]: \\{.*\"trace_id\":\"$r3\".*\"status\":204" "$LG/sys.err")
	expect_eq "$n" 1 "audit lines on stderr for that request"
	grep -q -F "cannot write to $LG/sys.sock" "$LG/sys.err" || t_fail "no note that the socket is gone"
	# A diagnostic: the reload's info line (level = info now).
	kill -HUP "$WPID"
	it_wait_until 5 grep -q -E "^it-logout\\[$WPID\\]: info: reloaded configuration" "$LG/sys.err" ||
		t_fail "the diagnostic did not reach stderr: $(tail -n 3 "$LG/sys.err")"
	# syslogd back: the next line goes to it again.
	lg_listen sys
	r4=$(it_uuid_new)
	expect_eq "$(lg_logout "not.a.token" "$r4")" 401 "refusal once the socket is back"
	it_wait_until 5 grep -q -F "$r4" "$LG/sys.out" || t_fail "no datagram once the socket is back"
	grep -q -F "$r4" "$LG/sys.err" && t_fail "a line written to stderr though the socket was back"
fi
pr_cleanup
t_end

# ---------------------------------------------------------------- a full file

t_begin "audit file on a full disk (/dev/full after SIGUSR1): lines reach stderr, requests answered, one note; back to a file after the next SIGUSR1"
audit=$LG/full-audit.log
conf=$IT_DIR/logs-full.conf
lg_conf "$conf" "audit.target=$audit" || t_fail "config"
if ! lg_worker full "$conf" --threads 2; then
	t_fail "worker not answering: $(tail -n 5 "$LG/full.err")"
else
	it_session $U
	r5=$(it_uuid_new)
	expect_eq "$(lg_logout "$S_ACCESS" "$r5")" 204 "logout before"
	mv "$audit" "$audit.1"
	ln -s /dev/full "$audit"
	kill -USR1 "$WPID"
	it_wait_until 5 pr_log_has_n "$LG/full.err" "^logout-fcgi\\[$WPID\\]: info: log files reopened" 1 ||
		t_fail "no 'log files reopened'"
	rids=()
	for i in 1 2 3 4 5; do
		it_session $U
		r=$(it_uuid_new)
		rids+=("$r")
		expect_eq "$(lg_logout "$S_ACCESS" "$r")" 204 "logout $i on a full disk"
	done
	for r in "${rids[@]}"; do
		it_wait_until 5 grep -q -F "$r" "$LG/full.err" || t_fail "audit line of $r not on stderr"
	done
	lg_json "$LG/full.err" >"$LG/full.ids" 2>/dev/null
	for r in "${rids[@]}"; do
		expect_eq "$(grep -c -x -F "$r" "$LG/full.ids")" 1 "JSON lines on stderr for $r"
	done
	expect_eq "$(grep -c -F "cannot write to $audit: No space left on device" "$LG/full.err")" 1 \
		"notes on stderr (one a minute)"
	expect_eq "$(lg_json "$audit.1" | grep -c -x -F "$r5")" 1 "the line before, in the renamed file"
	# Room again: a new file at the next SIGUSR1.
	rm -f "$audit"
	kill -USR1 "$WPID"
	it_wait_until 5 pr_log_has_n "$LG/full.err" "^logout-fcgi\\[$WPID\\]: info: log files reopened" 2 ||
		t_fail "no second 'log files reopened'"
	it_session $U
	r6=$(it_uuid_new)
	expect_eq "$(lg_logout "$S_ACCESS" "$r6")" 204 "logout after"
	it_wait_until 5 test -s "$audit" || t_fail "no new audit file"
	[ -f "$audit" ] && [ ! -L "$audit" ] && expect_eq "$(lg_json "$audit")" "$r6" "the new file's line"
fi
pr_cleanup
t_end

# ---------------------------------------------------------------- rotation

N=400
pr_sessions $N $U "$LG/rot.sessions" && pr_tokens "$LG/rot.sessions" $U "$LG/rot.tokens" ||
	it_log "could not create the sessions of the rotation cases"

# lg_sessions_again — the rows of rot.sessions back, so that its tokens
# (still valid: they are only signed) serve a second case.
lg_sessions_again() {
	local vals
	vals=$(awk -v u=$U '{ printf "%s(%s, UNHEX(SHA2(\x27%s\x27, 256)), UNHEX(SHA2(\x27rj-%s\x27, 256)), NOW() + INTERVAL 1 DAY)",
		(NR > 1 ? "," : ""), u, $1, $1 }' "$LG/rot.sessions")
	it_sql app -e "DELETE FROM user_sessions WHERE user_id = $U;
		INSERT INTO user_sessions (user_id, session_hash, refresh_jti_hash, expires_at) VALUES $vals"
}

# lg_rotate NAME ARGS... — a worker (ARGS: --threads or --workers) with
# [audit] target a file; N logouts from 4 clients at once, the file renamed
# and SIGUSR1 sent once a quarter of them are audited; then the old and new
# files hold each request's line exactly once, and only JSON lines.
lg_rotate() {
	local name=$1 audit=$LG/$1-audit.log conf=$IT_DIR/logs-$1.conf part i out pids=() ours
	shift
	lg_conf "$conf" "audit.target=$audit" || t_fail "config"
	if ! lg_worker "$name" "$conf" "$@"; then
		t_fail "worker not answering: $(tail -n 5 "$LG/$name.err")"
		return
	fi
	# The tokens in 4 parts: one client each.
	lg_sessions_again || t_fail "could not restore the sessions"
	cp "$LG/rot.tokens" "$LG/$name.tokens"
	awk '{ print $2 }' "$LG/$name.tokens" | sort >"$LG/$name.rids"
	split -n l/4 -d "$LG/$name.tokens" "$LG/$name.part"
	for part in "$LG/$name".part0?; do
		pr_load "$BASE" "$part" "$part.out" "" 60 &
		pids+=($!)
	done
	ours() { lg_json "$audit" 2>/dev/null | grep -c -x -F -f "$LG/$name.rids"; }
	quarter() { [ "$(ours)" -ge $((N / 4)) ]; }
	it_wait_until 30 quarter || t_fail "the load did not get going"
	mv "$audit" "$audit.1"
	kill -USR1 "$WPID"
	for i in "${pids[@]}"; do wait "$i"; done
	out=("$LG/$name".part0?.out)
	expect_eq "$(pr_lines "${out[@]}")" "$N" "answers"
	expect_eq "$(pr_count_code 204 "${out[@]}")" "$N" "204 answers ($(pr_codes "${out[@]}"))"
	# A line may be written just after its answer: wait for the last ones.
	all() { [ "$(lg_json "$audit.1" "$audit" 2>/dev/null | grep -c -x -F -f "$LG/$name.rids")" -ge "$N" ]; }
	it_wait_until 10 all || t_fail "fewer than $N lines of these requests after 10 s"
	lg_json "$audit.1" "$audit" >"$LG/$name.ids" 2>&1
	expect_eq "$(grep -c '^INVALID' "$LG/$name.ids")" 0 "lines that are not JSON objects"
	grep -x -F -f "$LG/$name.rids" "$LG/$name.ids" | sort >"$LG/$name.ours"
	expect_eq "$(wc -l <"$LG/$name.ours")" "$N" "lines of these requests in the two files"
	expect_eq "$(uniq -d "$LG/$name.ours" | wc -l)" 0 "requests with two lines"
	expect_eq "$(comm -3 "$LG/$name.rids" "$LG/$name.ours" | wc -l)" 0 "requests without a line"
	ours=$(lg_json "$audit" | grep -c -x -F -f "$LG/$name.rids")
	[ "$ours" -gt 0 ] && [ "$ours" -lt "$N" ] ||
		t_fail "the rename was not mid-run: $ours of $N lines in the new file"
	t_note "lines in the new file: $ours of $N"
	pr_no_tokens_in "$LG/$name.tokens" "$audit.1" "$audit" "$LG/$name.err"
}

t_begin "audit file renamed under load, SIGUSR1: every line in the old or the new file, once" keep
lg_rotate rot1 --threads 4
expect_eq "$(pr_log_count "$LG/rot1.err" "^logout-fcgi\\[$WPID\\]: info: log files reopened")" 1 "'log files reopened'"
pr_cleanup
t_end

t_begin "the same under --workers 2: the supervisor passes SIGUSR1 on, each process reopens" keep
lg_rotate rot2 --workers 2 --threads 2
# The supervisor and both workers.
it_wait_until 5 pr_log_has_n "$LG/rot2.err" "info: log files reopened" 3 ||
	t_fail "'log files reopened' $(pr_log_count "$LG/rot2.err" "info: log files reopened") times, want 3"
pr_cleanup
t_end

# ---------------------------------------------------------------- logrotate

t_begin "logrotate with deploy/logrotate/logout-fcgi: both files renamed, new ones 0640, SIGUSR1 through the pid file, compressed a rotation later"
rdir=$LG/var-log
lr=$LG/logrotate.conf
mkdir -p "$rdir"
if ! command -v logrotate >/dev/null 2>&1 && [ ! -x /usr/sbin/logrotate ]; then
	t_fail "logrotate not installed (deploy/packages.txt lists it)"
elif ! lg_conf "$IT_DIR/logs-lr.conf" "log.target=$rdir/logout-fcgi.log" \
	"audit.target=$rdir/audit.log" || ! lg_worker lr "$IT_DIR/logs-lr.conf" --threads 2; then
	t_fail "worker not answering: $(tail -n 5 "$LG/lr.err" "$rdir/logout-fcgi.log")"
else
	printf '%s\n' "$WPID" >"$LG/lr.pid"
	# The shipped file with this case's paths, owner and a unit name that
	# no host runs (the pid file's branch of postrotate is the one tested).
	sed -e "s|/var/log/logout-fcgi/|$rdir/|" -e "s|/run/logout-fcgi/logout-fcgi.pid|$LG/lr.pid|g" \
		-e "s|logout-fcgi\.service|logout-fcgi-it-$$.service|g" \
		-e "s|create 0640 logout-fcgi adm|create 0640 $(id -un) $(id -gn)|" \
		"$top_srcdir/deploy/logrotate/logout-fcgi" >"$lr"
	expect_eq "$(grep -c -F -e "$rdir/" -e "$LG/lr.pid" -e "logout-fcgi-it-$$" -e "create 0640 $(id -un)" "$lr")" 6 \
		"lines of the snippet rewritten for the test"
	reopened() { pr_log_has_n "$rdir/logout-fcgi.log" "logout-fcgi\[$WPID\]: info: log files reopened" 1; }
	it_session $U
	r7=$(it_uuid_new)
	expect_eq "$(lg_logout "$S_ACCESS" "$r7")" 204 "logout before"
	it_wait_until 5 grep -q -F "$r7" "$rdir/audit.log" || t_fail "no line for the first logout"
	PATH=$PATH:/usr/sbin logrotate -f -s "$LG/logrotate.state" "$lr" >"$LG/logrotate.out" 2>&1 ||
		t_fail "logrotate failed: $(tail -n 5 "$LG/logrotate.out")"
	it_wait_until 5 reopened || t_fail "no 'log files reopened' in the new diagnostics file"
	expect_eq "$(stat -c %a "$rdir/audit.log" 2>&1)" 640 "mode of the new audit file"
	it_session $U
	r8=$(it_uuid_new)
	expect_eq "$(lg_logout "$S_ACCESS" "$r8")" 204 "logout after"
	it_wait_until 5 grep -q -F "$r8" "$rdir/audit.log" || t_fail "the second logout's line is not in the new file"
	expect_eq "$(lg_json "$rdir/audit.log.1" | grep -c -x -F -e "$r7" -e "$r8")" 1 "lines of the two in the renamed file"
	grep -q -F "$r7" "$rdir/audit.log.1" || t_fail "the first logout's line is not in the renamed file"
	grep -q 'info: serving with' "$rdir/logout-fcgi.log.1" || t_fail "the renamed diagnostics file lacks the start"
	# The next rotation compresses the previous one (delaycompress).
	PATH=$PATH:/usr/sbin logrotate -f -s "$LG/logrotate.state" "$lr" >>"$LG/logrotate.out" 2>&1 ||
		t_fail "the second logrotate failed: $(tail -n 5 "$LG/logrotate.out")"
	zcat "$rdir/audit.log.2.gz" 2>/dev/null | grep -q -F "$r7" || t_fail "audit.log.2.gz does not hold the first logout's line"
	grep -q -F "$r8" "$rdir/audit.log.1" || t_fail "audit.log.1 does not hold the second logout's line"
	it_wait_until 5 pr_log_has_n "$rdir/logout-fcgi.log" "info: log files reopened" 1 ||
		t_fail "no 'log files reopened' after the second rotation"
fi
pr_cleanup
t_end

# ---------------------------------------------------------------- journald

t_begin "stderr under journald (JOURNAL_STREAM names it): <6> before info and audit lines, <3> before errors"
err=$LG/journal.err
conf=$IT_DIR/logs-journal.conf
: >"$err"
cp "$IT_CONF" "$conf"
# The worker's environment only (lg_worker starts it).
JOURNAL_STREAM=$(stat -c '%d:%i' "$err") lg_worker journal "$conf" --threads 2 ||
	t_fail "worker not answering: $(tail -n 5 "$err")"
it_wait_until 5 grep -q -E "^<6>logout-fcgi\\[$WPID\\]: info: serving with" "$err" ||
	t_fail "no '<6>logout-fcgi[PID]: info: serving with': $(head -n 3 "$err")"
it_wait_until 5 grep -q -E '^<6>\{"time":.*"event":"refused"' "$err" ||
	t_fail "no '<6>' audit line of the readiness probe's refusal"
printf '[bogus]\nx = 1\n' >>"$conf"
kill -HUP "$WPID"
it_wait_until 5 grep -q -E "^<3>logout-fcgi\\[$WPID\\]: error: reload failed" "$err" ||
	t_fail "no '<3>logout-fcgi[PID]: error: reload failed': $(tail -n 3 "$err")"
expect_eq "$(grep -c -v -E '^<[0-7]>' "$err")" 0 "lines without a priority prefix"
pr_cleanup
t_end

# ---------------------------------------------------------------- hygiene

t_begin "no token, key or password in any line these cases wrote" keep
logs=("$LG"/*.err "$LG"/*.out "$LG"/*-audit.log* "$rdir"/*)
[ "${#logs[@]}" -gt 10 ] || t_fail "only ${#logs[@]} log files: the cases did not run?"
# Every token of this file: the suite's (it_session) and the rotation's.
{ cat "$IT_DIR/tokens"; awk '{ print $3 }' "$LG/rot.tokens"; } | grep -v '^$' >"$LG/all.tokens"
[ "$(wc -l <"$LG/all.tokens")" -gt "$N" ] || t_fail "only $(wc -l <"$LG/all.tokens") tokens to look for"
zcat -f "${logs[@]}" 2>/dev/null | grep -q -F -f "$LG/all.tokens" && t_fail "a token appears in a log"
for k in "$IT_KEYDIR"/*.key; do
	zcat -f "${logs[@]}" 2>/dev/null | grep -q -F -- "$(tr -d '\n' <"$k")" && t_fail "key $(basename "$k") appears in a log"
done
zcat -f "${logs[@]}" 2>/dev/null | grep -q -F -- "$(cat "$IT_DB_PASSFILE")" && t_fail "the DB password appears in a log"
t_end

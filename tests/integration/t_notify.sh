# SPDX-License-Identifier: ISC
# t_notify.sh — readiness for systemd's Type=notify (README, "Operations"),
# against a listener that speaks the manager's side of sd_notify(3): the
# worker says READY=1 once it serves, RELOADING=1 and READY=1 around a
# reload, STOPPING=1 at a stop, and WATCHDOG=1 at half of WATCHDOG_USEC.
# Under --workers only the supervisor speaks (systemd's NotifyAccess=main
# would refuse its workers).

P=/api/v1/auth

# nt_start NAME ARGS... — a listener and a worker with NOTIFY_SOCKET set;
# sets NT_PID NT_OUT NT_LOG NT_SOCK NT_LISTENER.
nt_start() {
	local name=$1 nsock
	shift
	nsock=$IT_DIR/$name.notify
	NT_OUT=$IT_DIR/$name.notified
	NT_LOG=$IT_DIR/$name.log
	NT_SOCK=$IT_DIR/$name.sock
	: >"$NT_OUT"
	python3 "$top_srcdir/tests/integration/notify_listen.py" "$nsock" "$NT_OUT" 60 &
	NT_LISTENER=$!
	it_wait_until 5 test -S "$nsock" || t_fail "no notify socket"
	NOTIFY_SOCKET=$nsock WATCHDOG_USEC=2000000 \
		"$IT_WORKER_BIN" --config "$IT_CONF" --listen "$NT_SOCK" "$@" </dev/null 2>>"$NT_LOG" &
	NT_PID=$!
}

nt_stop() {
	it_stop_pid "$NT_PID" worker 20
	wait "$NT_PID" 2>/dev/null
	it_stop_pid "$NT_LISTENER" notify-listener 5
	wait "$NT_LISTENER" 2>/dev/null
}

# nt_count PATTERN — messages matching PATTERN so far.
nt_count() { grep -c -- "$1" "$NT_OUT" 2>/dev/null || true; }
nt_has() { [ "$(nt_count "$1")" -ge "${2:-1}" ]; }

t_begin "sd_notify: READY=1 once serving, WATCHDOG=1, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1"
nt_start single --threads 2
if ! it_wait_until 10 nt_has 'READY=1'; then
	t_fail "no READY=1: $(tail -n 5 "$NT_LOG")"
else
	it_wait_until 10 grep -q 'serving with' "$NT_LOG" || t_fail "READY before serving"
	it_wait_until 5 nt_has 'WATCHDOG=1' || t_fail "no WATCHDOG=1 within 5 s of a 2 s watchdog"
	kill -HUP "$NT_PID"
	it_wait_until 10 nt_has 'READY=1' 2 || t_fail "no READY=1 after the reload"
	# RELOADING=1 (with MONOTONIC_USEC) comes before the second READY=1.
	order=$(grep -n -e 'RELOADING=1' -e 'READY=1' "$NT_OUT" | cut -d: -f1 | tr '\n' ' ')
	grep -q 'RELOADING=1|MONOTONIC_USEC=[0-9]' "$NT_OUT" || t_fail "no RELOADING=1 with MONOTONIC_USEC"
	first_reload=$(grep -n 'RELOADING=1' "$NT_OUT" | head -n 1 | cut -d: -f1)
	second_ready=$(grep -n 'READY=1' "$NT_OUT" | sed -n 2p | cut -d: -f1)
	[ -n "$first_reload" ] && [ -n "$second_ready" ] && [ "$first_reload" -lt "$second_ready" ] ||
		t_fail "RELOADING=1 not before the second READY=1 (lines $order)"
	kill -TERM "$NT_PID"
	it_wait_until 10 nt_has 'STOPPING=1' || t_fail "no STOPPING=1"
	# Every message is the worker's own.
	others=$(awk -F'\t' -v p="$NT_PID" '$1 != p' "$NT_OUT")
	[ -z "$others" ] || t_fail "messages from other pids: $others"
fi
nt_stop
t_end

t_begin "sd_notify under --workers: only the supervisor speaks; STATUS counts its workers"
nt_start super --workers 2 --threads 2
if ! it_wait_until 10 nt_has 'READY=1'; then
	t_fail "no READY=1: $(tail -n 5 "$NT_LOG")"
else
	it_wait_until 10 nt_has 'STATUS=2 of 2 workers running' ||
		t_fail "no STATUS with 2 of 2 workers: $(cat "$NT_OUT")"
	it_wait_until 5 nt_has 'WATCHDOG=1' || t_fail "no WATCHDOG=1"
	kill -USR2 "$NT_PID"
	it_wait_until 10 nt_has 'READY=1' 2 || t_fail "no READY=1 after SIGUSR2 (a reload)"
	it_alive "$NT_PID" || t_fail "SIGUSR2 stopped the supervisor"
	kill -TERM "$NT_PID"
	it_wait_until 10 nt_has 'STOPPING=1' || t_fail "no STOPPING=1"
	others=$(awk -F'\t' -v p="$NT_PID" '$1 != p' "$NT_OUT")
	[ -z "$others" ] || t_fail "messages from pids other than the supervisor's: $others"
fi
nt_stop
t_end

# t_signals.sh — SIGTERM ends a worker cleanly (exit 0, promptly). Uses a
# second worker on its own socket, started by `spawn-fcgi -n` (no fork) so
# it is this shell's child and its exit status can be read.

t_begin "SIGTERM: an idle worker exits 0 within 5 s" keep
sock2=$IT_DIR/w2.sock
log2=$IT_DIR/w2.log
spawn-fcgi -n -s "$sock2" -M 0660 -- \
	/bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "$log2" \
	"$IT_WORKER_BIN" --config "$IT_CONF" --threads 2 >>"$IT_DIR/spawn-fcgi.log" 2>&1 &
pid=$!
is_worker() { [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$IT_WORKER_BIN")" ]; }
if ! it_wait_until 5 is_worker; then
	t_fail "worker $pid did not start: $(tail -n 5 "$log2" 2>/dev/null)"
	kill -KILL "$pid" 2>/dev/null
else
	sleep 0.3 # let it reach its accept loop
	kill -TERM "$pid"
	if it_wait_until 5 eval '! it_alive $pid'; then
		wait "$pid"
		expect_eq "$?" 0 "exit status after SIGTERM"
	else
		t_fail "still running 5 s after SIGTERM"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
fi
rm -f "$sock2"
t_end

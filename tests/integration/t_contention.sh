# SPDX-License-Identifier: ISC
# t_contention.sh — a user whose session rows another client holds locked
# delays only that user's requests: other users' logouts (group-committed)
# and 401s keep their latency, measured against the same load without the
# lock in the same run.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/procs.sh"
trap 'pr_cleanup; [ -n "${holdpid:-}" ] && kill "$holdpid" 2>/dev/null' EXIT

# p99 FILE... — the 99th percentile of the answer times (4th column).
p99() { cat "$@" | awk '{ print $4 }' | sort -n | awk '{ t[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; print t[i] + 0 }'; }
# bad_tokens N OUT — N lines of a token no key signed.
bad_tokens() { for ((i = 0; i < $1; i++)); do echo "x $(it_uuid_new) not.a.token"; done >"$2"; }
# within P BASE — P is at most twice BASE (or 0.1 s, for noise on two cores).
within() { awk -v p="$1" -v b="$2" 'BEGIN { m = 2 * b; if (m < 0.1) m = 0.1; exit !(p <= m) }'; }

# phase NAME SECS — two clients logging other users out, one sending bad
# tokens, for SECS; results in IT_DIR/ct.NAME.{a,b,bad}.
phase() {
	local n=$1 secs=$2 p=()
	pr_load "$base" "$IT_DIR/ct.t.$n.0" "$IT_DIR/ct.$n.a" "" "$secs" &
	p+=($!)
	pr_load "$base" "$IT_DIR/ct.t.$n.1" "$IT_DIR/ct.$n.b" "" "$secs" &
	p+=($!)
	pr_load "$base" "$IT_DIR/ct.bad" "$IT_DIR/ct.$n.bad" "" "$secs" &
	p+=($!)
	wait "${p[@]}"
}

t_begin "a user's rows locked by another client: other users' logouts and 401s keep their p99 (within 2x the unlocked run); the locked user gets 204 or 503"
sock=$IT_DIR/ct.sock
log=$IT_DIR/ct.log
if pr_worker ct "$IT_CONF" "$sock" "$log" 8 && pr_nginx_start ct "$sock" && pr_http_ready "$PR_BASE" 10; then
	base=$PR_BASE
	u0=$((RANDOM % 10000 * 50 + 500000))
	locked=$((u0 + 49))
	: >"$IT_DIR/ct.others"
	for ((k = 0; k < 40; k++)); do
		pr_sessions 12 $((u0 + k)) "$IT_DIR/ct.s" && pr_tokens "$IT_DIR/ct.s" $((u0 + k)) "$IT_DIR/ct.tk" ||
			t_fail "could not create sessions"
		cat "$IT_DIR/ct.tk" >>"$IT_DIR/ct.others"
	done
	shuf "$IT_DIR/ct.others" -o "$IT_DIR/ct.others"
	split -n l/4 -d "$IT_DIR/ct.others" "$IT_DIR/ct.part."
	mv "$IT_DIR/ct.part.00" "$IT_DIR/ct.t.free.0"
	mv "$IT_DIR/ct.part.01" "$IT_DIR/ct.t.free.1"
	mv "$IT_DIR/ct.part.02" "$IT_DIR/ct.t.lock.0"
	mv "$IT_DIR/ct.part.03" "$IT_DIR/ct.t.lock.1"
	pr_sessions 60 "$locked" "$IT_DIR/ct.ls" && pr_tokens "$IT_DIR/ct.ls" "$locked" "$IT_DIR/ct.lt" ||
		t_fail "could not create the locked user's sessions"
	bad_tokens 2000 "$IT_DIR/ct.bad"

	phase free 3

	it_sql app -e "BEGIN; SELECT id FROM user_sessions WHERE user_id = $locked FOR UPDATE;
		SELECT SLEEP(8); ROLLBACK;" >>"$IT_DIR/ct.hold" 2>&1 &
	holdpid=$!
	it_wait_until 10 eval '[ -n "$(it_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '"'"'SELECT SLEEP(%'"'"'")" ]' ||
		t_fail "could not lock the rows"
	split -n l/2 -d "$IT_DIR/ct.lt" "$IT_DIR/ct.lt."
	pr_load "$base" "$IT_DIR/ct.lt.00" "$IT_DIR/ct.lock.victim" "" 4 &
	victim=$!
	pr_load "$base" "$IT_DIR/ct.lt.01" "$IT_DIR/ct.lock.victim2" "" 4 &
	victim2=$!
	phase lock 3
	wait "$victim" "$victim2"

	f=$(p99 "$IT_DIR/ct.free.a" "$IT_DIR/ct.free.b") l=$(p99 "$IT_DIR/ct.lock.a" "$IT_DIR/ct.lock.b")
	fb=$(p99 "$IT_DIR/ct.free.bad") lb=$(p99 "$IT_DIR/ct.lock.bad")
	t_note "others' logouts p99 $f s unlocked, $l s locked ($(pr_lines "$IT_DIR"/ct.lock.[ab]) answers); 401 p99 $fb s, $lb s"
	t_note "the locked user's answers: $(pr_codes "$IT_DIR"/ct.lock.victim*), slowest $(pr_max_time "$IT_DIR"/ct.lock.victim*) s"
	within "$l" "$f" || t_fail "others' logout p99 $l s against $f s unlocked"
	within "$lb" "$fb" || t_fail "401 p99 $lb s against $fb s unlocked"
	expect_eq "$(awk '$3 != 204' "$IT_DIR"/ct.free.[ab] "$IT_DIR"/ct.lock.[ab] | wc -l)" 0 "others' answers that are not 204"
	expect_eq "$(awk '$3 != 401' "$IT_DIR"/ct.free.bad "$IT_DIR"/ct.lock.bad | wc -l)" 0 "bad tokens' answers that are not 401"
	expect_eq "$(awk '$3 != 204 && $3 != 503' "$IT_DIR"/ct.lock.victim* | wc -l)" 0 "locked user's answers that are not 204 or 503"
	kill "$holdpid" 2>/dev/null
	it_sql -e "KILL $(it_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(%'")" 2>/dev/null
	# every 204 of the locked user ended its row, once the lock was gone
	pr_select 204 "$IT_DIR"/ct.lock.victim* >"$IT_DIR/ct.v.ok"
	expect_eq "$(pr_sids_left "$IT_DIR/ct.v.ok")" 0 "the locked user's sessions answered 204 and still there"
else
	t_fail "worker not serving: $(tail -n 5 "$log")"
fi
pr_nginx_stop ct
t_end

t_begin "logout-all and group-committed logouts of the same users at once: deadlocks are retried with jitter, never a 503"
if pr_worker ct2 "$IT_CONF" "$IT_DIR/ct2.sock" "$IT_DIR/ct2.log" 8 && pr_nginx_start ct2 "$IT_DIR/ct2.sock" &&
	pr_http_ready "$PR_BASE" 10; then
	base=$PR_BASE
	u0=$((RANDOM % 10000 * 50 + 1000000))
	: >"$IT_DIR/ct2.all"
	: >"$IT_DIR/ct2.one"
	for ((k = 0; k < 30; k++)); do
		pr_sessions 8 $((u0 + k)) "$IT_DIR/ct2.s" && pr_tokens "$IT_DIR/ct2.s" $((u0 + k)) "$IT_DIR/ct2.tk" ||
			t_fail "could not create sessions"
		head -n 1 "$IT_DIR/ct2.tk" >>"$IT_DIR/ct2.all"
		tail -n +2 "$IT_DIR/ct2.tk" >>"$IT_DIR/ct2.one"
	done
	shuf "$IT_DIR/ct2.one" -o "$IT_DIR/ct2.one"
	split -n l/4 -d "$IT_DIR/ct2.one" "$IT_DIR/ct2.one."
	split -n l/2 -d "$IT_DIR/ct2.all" "$IT_DIR/ct2.all."
	p=()
	for i in 0 1 2 3; do
		pr_load "$base" "$IT_DIR/ct2.one.0$i" "$IT_DIR/ct2.o.$i" "" 30 &
		p+=($!)
	done
	# two clients of logout-all, each token in turn (no time limit: 600 s)
	pr_load "$base" "$IT_DIR/ct2.all.00" "$IT_DIR/ct2.a.0" "" 600 logout-all &
	p+=($!)
	pr_load "$base" "$IT_DIR/ct2.all.01" "$IT_DIR/ct2.a.1" "" 600 logout-all &
	p+=($!)
	wait "${p[@]}"
	t_note "logouts: $(pr_codes "$IT_DIR"/ct2.o.*); logout-all: $(pr_codes "$IT_DIR"/ct2.a.*)"
	expect_eq "$(pr_lines "$IT_DIR"/ct2.o.* "$IT_DIR"/ct2.a.*)" 240 "answers"
	expect_eq "$(awk '$3 != 204 && $3 != 401' "$IT_DIR"/ct2.o.* | wc -l)" 0 "logouts other than 204 or 401"
	expect_eq "$(awk '$3 != 200' "$IT_DIR"/ct2.a.* | wc -l)" 0 "logout-all answers other than 200"
	expect_eq "$(it_db_count "user_id BETWEEN $u0 AND $((u0 + 29))")" 0 "sessions left"
	expect_eq "$(pr_log_count "$IT_DIR/ct2.log" "gave up")" 0 "'gave up' lines"
else
	t_fail "worker not serving"
fi
pr_nginx_stop ct2
t_end

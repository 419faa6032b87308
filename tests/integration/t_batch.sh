# SPDX-License-Identifier: ISC
# t_batch.sh — logouts batched by the committer (group commit: one DELETE
# ... RETURNING and one commit for whatever is queued) keep every answer
# exact under concurrency: each session ends once (of two requests for the
# same session one gets 204, the other 401), a token whose session does not
# exist or belongs to another user gets 401 and deletes nothing, every 204's
# row is gone; and batches really form (fewer DELETE statements than 204s).
# Durability under a killed database is t_faults' case, on the same path.

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

sock=$IT_DIR/batch.sock
log=$IT_DIR/batch.log
U=80 # the sessions' user; U+1 signs the wrong-user tokens

com_delete() { it_sql -N -B -e "SHOW GLOBAL STATUS LIKE 'Com_delete'" | awk '{ print $2 }'; }
# sids FILE — the first column, sorted
sids() { awk '{ print $1 }' "$@" | sort; }

t_begin "batched logouts, 16 at once: each answer exact, each session ended once, fewer statements than logouts"
pr_worker batch "$IT_CONF" "$sock" "$log" 16 && grep -q 'logouts batched' "$log" ||
	t_fail "worker with batching did not start: $(tail -n 3 "$log")"
pr_nginx_start batch "$sock" || t_fail "nginx did not start"
base=$PR_BASE
pr_sessions 600 $U "$IT_DIR/b.once" && pr_tokens "$IT_DIR/b.once" $U "$IT_DIR/b.once.t" ||
	t_fail "sessions (once)"
pr_sessions 100 $U "$IT_DIR/b.twice" && pr_tokens "$IT_DIR/b.twice" $U "$IT_DIR/b.twice.t" ||
	t_fail "sessions (twice)"
pr_sessions 50 $U "$IT_DIR/b.other" && pr_tokens "$IT_DIR/b.other" $((U + 1)) "$IT_DIR/b.other.t" ||
	t_fail "sessions (wrong user)"
for i in $(seq 1 50); do printf 'none%s %s\n' "$(pr_uuid)" "$(pr_uuid)"; done >"$IT_DIR/b.none"
pr_tokens "$IT_DIR/b.none" $U "$IT_DIR/b.none.t" || t_fail "tokens (no session)"
# Every line once, plus the "twice" lines a second time, shuffled, sent by
# one curl running up to 16 transfers at once (the test nginx has 64
# worker_connections; each transfer takes two) (the session id rides in the
# query string, which routing ignores, to tie each answer to its session).
cat "$IT_DIR"/b.once.t "$IT_DIR"/b.twice.t "$IT_DIR"/b.twice.t "$IT_DIR"/b.other.t "$IT_DIR"/b.none.t |
	shuf | awk -v u="$base/api/v1/auth/logout" '{
		if (NR > 1) print "next" # not after the last: an empty transfer fails them all
		printf "url = \"%s?s=%s\"\nrequest = POST\nheader = \"Authorization: Bearer %s\"\n", u, $1, $3
		printf "output = /dev/null\nwrite-out = \"%%{url} %%{http_code}\\\\n\"\n" }'>"$IT_DIR/b.curl"
before=$(com_delete)
it_http_config 16 "$IT_DIR/b.curl" --max-time 60 | sed -n 's/.*[?]s=\([^ ]*\) \([0-9]*\)$/\1 - \2 0/p' >"$IT_DIR/b.out"
after=$(com_delete)
outs=("$IT_DIR"/b.out)
expect_eq "$(pr_lines "${outs[@]}")" 900 "answers"
expect_eq "$(pr_select '!204' "${outs[@]}" | awk '$3 != 401' | wc -l)" 0 "answers other than 204/401 ($(pr_codes "${outs[@]}"))"
pr_select 204 "${outs[@]}" >"$IT_DIR/b.204"
pr_select 401 "${outs[@]}" >"$IT_DIR/b.401"
n204=$(pr_lines "$IT_DIR/b.204")
expect_eq "$(pr_sids_left "$IT_DIR/b.204")" 0 "rows left of the 204 answers"
expect_eq "$(comm -12 <(sids "$IT_DIR/b.once") <(sids "$IT_DIR/b.204") | wc -l)" 600 "sessions sent once that got 204"
expect_eq "$(comm -12 <(sids "$IT_DIR/b.twice") <(sids "$IT_DIR/b.204") | uniq -d | wc -l)" 0 "sessions sent twice that got two 204s"
expect_eq "$(comm -12 <(sids "$IT_DIR/b.twice") <(sids "$IT_DIR/b.204" | uniq) | wc -l)" 100 "sessions sent twice that got one 204"
expect_eq "$(comm -12 <(sids "$IT_DIR/b.twice") <(sids "$IT_DIR/b.401") | wc -l)" 100 "sessions sent twice that got one 401"
expect_eq "$(comm -12 <(sids "$IT_DIR/b.other" "$IT_DIR/b.none") <(sids "$IT_DIR/b.204") | wc -l)" 0 "wrong-user or missing sessions that got 204"
expect_eq "$(pr_sids_left "$IT_DIR/b.other")" 50 "wrong-user sessions left"
expect_eq "$n204" 700 "204 answers"
expect_count "user_id = $U" 50
stmts=$((after - before))
# 900 requests ran a logout statement; batches of two on average at least
[ "$stmts" -gt 0 ] && [ $((stmts * 2)) -le 900 ] ||
	t_fail "DELETE statements $stmts for 900 logouts: batches did not form"
it_log "DELETE statements: $stmts for 900 logouts"
pr_no_tokens_in <(awk '{ print "- - " $3 }' "$IT_DIR"/b.*.t) "$log"
t_end

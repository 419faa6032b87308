# SPDX-License-Identifier: ISC
# t_batch.sh — logouts batched by the committer (group commit: one DELETE
# ... RETURNING and one commit for whatever is queued) keep every answer
# exact under concurrency: each session ends once (of two requests for the
# same session one gets 204, the other 401), a token whose session does not
# exist or belongs to another user gets 401 and deletes nothing, every 204's
# row is gone; and batches really form (fewer DELETE statements than 204s).
# Durability under a killed database is t_faults' case, on the same path.
# The gate's verifies, batched by their own thread (one SELECT ... IN),
# likewise: each answer that of its own session (live, gone, expired,
# another user's), fewer SELECTs than verifies, nothing written, a
# logout refused by the very next verify of its token under load, and a
# client that does not read its answers holds up no other request.

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

# The other endings join the batches too: a logout with a refresh token
# (ending the refresh token's session while the bearer's exists) and a
# logout of every session (logout-all, or all_devices). Each user's
# requests are sent together and race; every answer must be that of its
# own statement in some order of the user's requests, and the sessions
# each request ended (its audit line) must add up to the rows deleted.
#   A: sessions 1-3; logouts of 1 and 2, logout-all with 3: the
#      logout-all always 200, ending 3 less the logouts answered 204.
#   B: sessions 1-2; logout of 1, refresh-token logout of 2 with 1: the
#      logout always 204; the refresh one 204 ending 2, or 401 leaving it.
#   C: sessions 1-3; logout-all with 1, refresh-token logout of 3 with 2:
#      either 204 then 200 ending 2, or 200 ending 3 then 401.
#   D: sessions 1-3; logout-all with 1, all_devices with 2: one ends 3,
#      the other 401.
#   E: session 1; refresh-token logout of it (a refresh token with a jti
#      and no sid) with it: 204, 1 ended.
#   G: session 1; refresh-token logout of a session that does not exist:
#      204, 0 ended (the session check), the bearer's row left.
#   H: session 1; refresh-token logout of it by its sid, with a jti it no
#      longer carries (a rotated token): 204, 1 ended.
#   I: session 1; a logout, and a refresh-token logout of it with it: one
#      204 ending it, the other 401.
#   F: session 1; a logout: 204.
t_begin "batched refresh-token logouts and logouts of every session, racing logouts of the same users: each answer that of some order, every row accounted for"
m=$IT_DIR/bm
mkdir -p "$m"
run=$(pr_uuid | cut -c1-8)
# plan lines: GROUP USER SESSIONS, users from 8100 on
awk 'BEGIN { u = 8100
	n["A"] = 40; n["B"] = 40; n["C"] = 40; n["D"] = 20; n["E"] = 40; n["G"] = 20; n["H"] = 20
	n["I"] = 40; n["F"] = 100
	k["A"] = 3; k["B"] = 2; k["C"] = 3; k["D"] = 3
	split("A B C D E G H I F", gs, " ")
	for (g = 1; g <= 9; g++) for (i = 0; i < n[gs[g]]; i++) print gs[g], u++, (gs[g] in k ? k[gs[g]] : 1) }' >"$m/plan"
# sessions: USER SID (sid "m<run>-<user>-<k>", refresh jti "rj-<sid>")
awk -v r="$run" '{ for (k = 1; k <= $3; k++) print $2, "m" r "-" $2 "-" k }' "$m/plan" >"$m/sessions"
it_sql app -e "INSERT INTO user_sessions (user_id, session_hash, refresh_jti_hash, expires_at) VALUES
	$(awk '{ printf "%s(%s, UNHEX(SHA2(\x27%s\x27, 256)), UNHEX(SHA2(\x27rj-%s\x27, 256)), NOW() + INTERVAL 1 DAY)", (NR > 1 ? "," : ""), $1, $2, $2 }' "$m/sessions")" ||
	t_fail "sessions"
# requests: TAG USER PATH BEARER_K REFRESH (REFRESH: "-", "sid:K" a token of
# session K, "jti:K" a token with K's jti and no sid, "old:K" one with K's
# sid and another jti, "gone" one of no session, "all" the all_devices body)
awk '{ u = $2
	if ($1 == "A") { print "A-" u "-p1", u, "logout", 1, "-"; print "A-" u "-p2", u, "logout", 2, "-"
		print "A-" u "-all", u, "logout-all", 3, "-" }
	if ($1 == "B") { print "B-" u "-p1", u, "logout", 1, "-"; print "B-" u "-r", u, "logout", 1, "sid:2" }
	if ($1 == "C") { print "C-" u "-all", u, "logout-all", 1, "-"; print "C-" u "-r", u, "logout", 2, "sid:3" }
	if ($1 == "D") { print "D-" u "-a1", u, "logout-all", 1, "-"; print "D-" u "-a2", u, "logout", 2, "all" }
	if ($1 == "E") print "E-" u "-r", u, "logout", 1, "jti:1"
	if ($1 == "G") print "G-" u "-r", u, "logout", 1, "gone"
	if ($1 == "H") print "H-" u "-r", u, "logout", 1, "old:1"
	if ($1 == "I") { print "I-" u "-p1", u, "logout", 1, "-"; print "I-" u "-r", u, "logout", 1, "sid:1" }
	if ($1 == "F") print "F-" u "-p1", u, "logout", 1, "-" }' "$m/plan" >"$m/reqs"
bm_mint() { "$IT_ADMIN_BIN" --config "$IT_CONF" mint --sub "$@" 2>>"$m/mint.err" | tail -n 1; }
# minted: TAG RID ACCESS BODY ("-" for none)
while read -r tag u path k refresh; do
	sid=m$run-$u-$k
	tok=$(bm_mint "$u" --sid "$sid")
	case $refresh in
	-) body=- ;;
	all) body='{"all_devices":true}' ;;
	sid:*) rs=m$run-$u-${refresh#sid:} body=$(bm_mint "$u" --type refresh --sid "$rs" --jti "rj-$rs") ;;
	jti:*) rs=m$run-$u-${refresh#jti:} body=$(bm_mint "$u" --type refresh --jti "rj-$rs") ;;
	old:*) rs=m$run-$u-${refresh#old:} body=$(bm_mint "$u" --type refresh --sid "$rs" --jti "rj-old-$rs") ;;
	gone) body=$(bm_mint "$u" --type refresh --sid "gone-$sid" --jti "rj-gone-$sid") ;;
	esac
	case $refresh in sid:* | jti:* | old:* | gone) body="{\"refresh_token\":\"$body\"}" ;; esac
	printf '%s %s %s %s %s\n' "$tag" "$(pr_uuid)" "$path" "$tok" "$body"
done <"$m/reqs" >"$m/minted"
expect_eq "$(awk 'NF == 5 && length($4) > 20' "$m/minted" | wc -l)" "$(wc -l <"$m/reqs")" "requests minted ($(tail -n 1 "$m/mint.err" 2>/dev/null))"
shuf "$m/minted" | awk -v b="$base/api/v1/auth/" '{
	if (NR > 1) print "next"
	printf "url = \"%s%s?t=%s\"\nrequest = POST\nheader = \"Authorization: Bearer %s\"\n", b, $3, $1, $4
	printf "header = \"X-Request-Id: %s\"\n", $2
	if ($5 != "-") {
		gsub(/"/, "\\\"", $5)
		printf "header = \"Content-Type: application/json\"\ndata = \"%s\"\n", $5
	}
	printf "output = /dev/null\nwrite-out = \"%%{url} %%{http_code}\\\\n\"\n" }' >"$m/curl"
rows0=$(it_db_count "user_id BETWEEN 8100 AND 8999")
before=$(com_delete)
it_http_config 16 "$m/curl" --max-time 60 | sed -n 's/.*[?]t=\([^ ]*\) \([0-9]*\)$/\1 \2/p' >"$m/out"
after=$(com_delete)
rows1=$(it_db_count "user_id BETWEEN 8100 AND 8999")
nreq=$(wc -l <"$m/reqs")
expect_eq "$(wc -l <"$m/out")" "$nreq" "answers"
# TAG CODE SESSIONS (from the audit line of the request's id; "-" for none)
awk 'NR == FNR { rid[$2] = $1; next }
	/"trace_id"/ { t = $0; sub(/.*"trace_id":"/, "", t); sub(/".*/, "", t)
		if (!(t in rid)) next
		s = $0; sub(/.*"sessions":/, "", s); sub(/[,}].*/, "", s); ses[rid[t]] = s }
	END { while ((getline l < out) > 0) { split(l, f, " "); print f[1], f[2], (f[1] in ses ? ses[f[1]] : "-") } }' \
	out="$m/out" "$m/minted" "$log" | sort >"$m/answers"
# One line per user: GROUP USER, then each request's "SUFFIX=CODE/SESSIONS".
awk '{ split($1, p, "-"); k = p[1] " " p[2]; a[k] = a[k] " " p[3] "=" $2 "/" $3 }
	END { for (k in a) print k a[k] }' "$m/answers" | sort >"$m/users"
bad=$(awk '
	function v(name,  i, f) { for (i = 3; i <= NF; i++) { split($i, f, "="); if (f[1] == name) return f[2] } return "" }
	function code(x,  f) { split(x, f, "/"); return f[1] }
	function ses(x,  f) { split(x, f, "/"); return f[2] }
	function no(why) { if (w == "") w = why }
	{ w = "" }
	$1 == "A" { all = v("all"); n = (code(v("p1")) == 204) + (code(v("p2")) == 204)
		if (code(all) != 200) no("logout-all not 200")
		if (code(v("p1")) !~ /^(204|401)$/ || code(v("p2")) !~ /^(204|401)$/) no("a logout neither 204 nor 401")
		if (ses(all) + n != 3) no("ended " ses(all) " + " n " logouts != 3") }
	$1 == "B" { if (v("p1") != "204/1") no("logout not 204 ending 1")
		r = v("r"); if (r != "204/1" && code(r) != 401) no("refresh-token logout " r) }
	$1 == "C" { all = v("all"); r = v("r")
		if (!((r == "204/1" && all == "200/2") || (code(r) == 401 && all == "200/3"))) no("not an order") }
	$1 == "D" { x = v("a1"); y = v("a2")
		if (!((x == "200/3" && code(y) == 401) || (code(x) == 401 && y == "204/3"))) no("not one of the two") }
	$1 == "E" && v("r") != "204/1" { no("refresh-token logout by jti") }
	$1 == "G" && v("r") != "204/0" { no("refresh-token logout of no session") }
	$1 == "H" && v("r") != "204/1" { no("refresh-token logout with a rotated jti") }
	$1 == "I" { x = v("p1"); y = v("r")
		if (!((x == "204/1" && code(y) == 401) || (code(x) == 401 && y == "204/1"))) no("not one of the two") }
	$1 == "F" && v("p1") != "204/1" { no("logout") }
	w != "" { print $0 " : " w }' "$m/users")
expect_eq "$(printf '%s' "$bad" | grep -c .)" 0 "users whose answers fit no order"
[ -z "$bad" ] || t_note "$(printf '%s\n' "$bad" | head -n 5)"
expect_eq "$(wc -l <"$m/users")" 360 "users answered"
ended=$(awk '$2 ~ /^20[04]$/ && $3 ~ /^[0-9]+$/ { s += $3 } END { print s + 0 }' "$m/answers")
expect_eq "$ended" "$((rows0 - rows1))" "sessions the 2xx answers ended against rows deleted"
# what is left: B's refresh-token sessions whose logout was 401, G's bearers
left=$(awk '$1 ~ /^B-.*-r$/ && $2 == 401' "$m/answers" | wc -l)
expect_eq "$rows1" "$((left + 20))" "rows left"
stmts=$((after - before))
# the requests other than plain logouts would be as many DELETEs alone
others=$(awk '$1 !~ /-p[12]$/' "$m/reqs" | wc -l)
[ "$stmts" -gt 0 ] && [ "$stmts" -lt "$others" ] && [ $((stmts * 2)) -le "$nreq" ] ||
	t_fail "DELETE statements $stmts for $nreq requests ($others not plain logouts): batches did not form"
it_log "mixed: DELETE statements: $stmts for $nreq requests ($others not plain logouts); refresh-token logouts of B answered 401: $left"
pr_no_tokens_in <(awk '{ print "- - " $4 }' "$m/minted") "$log"
t_end

# The gate's verifies share a SELECT as well ([server] gate_batch, on by
# default): one SELECT ... IN for the verifies queued while the previous one
# ran, each answered from the rows it returned.
g=$IT_DIR/gbatch
mkdir -p "$g"
V=90 # the verified sessions' user; V+1 signs the wrong-user tokens
gsock=$g/w.sock
glog=$g/w.log
com_select() { it_sql -N -B -e "SHOW GLOBAL STATUS LIKE 'Com_select'" | awk '{ print $2 }'; }
com_writes() {
	it_sql -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_insert', 'Com_update',
		'Com_delete', 'Com_delete_multi', 'Com_update_multi', 'Com_replace')" |
		awk '{ s += $2 } END { print s + 0 }'
}
# verify_config FILE LINES — curl's config: a GET of the verify route for
# each "SID REQUEST_ID TOKEN" line of FILE, LINES times over, shuffled.
verify_config() {
	local f=$1 times=$2 i
	for ((i = 0; i < times; i++)); do cat "$f"; done | shuf |
		awk -v u="$gbase/api/v1/auth/verify" '{
			if (NR > 1) print "next"
			printf "url = \"%s?s=%s\"\nheader = \"Authorization: Bearer %s\"\n", u, $1, $3
			printf "output = /dev/null\nwrite-out = \"%%{url} %%{http_code}\\\\n\"\n" }'
}
# verify_run CONFIG OUT — run it 16 at once; OUT lines "SID - CODE 0".
verify_run() {
	it_http_config 16 "$1" --max-time 60 | sed -n 's/.*[?]s=\([^ ]*\) \([0-9]*\)$/\1 - \2 0/p' >"$2"
}

t_begin "batched verifies, 16 at once: live sessions pass, gone, expired and other users' are refused, fewer SELECTs than verifies, nothing written"
sed -e 's/^endpoints = .*/endpoints = logout logout-all verify/' "$IT_CONF" >"$IT_DIR/gbatch.conf" &&
	chmod 600 "$IT_DIR/gbatch.conf" || t_fail "config"
pr_worker gbatch "$IT_DIR/gbatch.conf" "$gsock" "$glog" 16 && grep -q 'verifies batched' "$glog" ||
	t_fail "worker with batched verifies did not start: $(tail -n 3 "$glog")"
gpid=$wpid
pr_nginx_start gbatch "$gsock" || t_fail "nginx did not start"
gbase=$PR_BASE
for k in live gone expired other; do
	pr_sessions 100 $V "$g/$k" || t_fail "sessions ($k)"
done
for k in live gone expired; do
	pr_tokens "$g/$k" $V "$g/$k.t" || t_fail "tokens ($k)"
done
pr_tokens "$g/other" $((V + 1)) "$g/other.t" || t_fail "tokens (other)"
in_list() { awk '{ printf "%sUNHEX(SHA2(\x27%s\x27, 256))", (NR > 1 ? "," : ""), $1 }' "$1"; }
it_sql app -e "DELETE FROM user_sessions WHERE session_hash IN ($(in_list "$g/gone"))"
it_sql app -e "UPDATE user_sessions SET expires_at = NOW() - INTERVAL 1 MINUTE WHERE session_hash IN ($(in_list "$g/expired"))"
cat "$g"/live.t "$g"/gone.t "$g"/expired.t "$g"/other.t >"$g/all.t"
verify_config "$g/all.t" 3 >"$g/v.curl"
w0=$(com_writes)
before=$(com_select)
verify_run "$g/v.curl" "$g/v.out"
after=$(com_select)
expect_eq "$(com_writes)" "$w0" "statements that wrote"
expect_eq "$(pr_lines "$g/v.out")" 1200 "answers"
expect_eq "$(pr_select 204 "$g/v.out" | awk '{ print $1 }' | sort | uniq -c | awk '$1 == 3' | wc -l)" 100 "live sessions passed all three times"
expect_eq "$(comm -12 <(sids "$g/live") <(pr_select '!204' "$g/v.out" | awk '{ print $1 }' | sort -u) | wc -l)" 0 "live sessions refused"
expect_eq "$(pr_select 401 "$g/v.out" | wc -l)" 900 "401 answers"
expect_eq "$(comm -12 <(sids "$g/gone" "$g/expired" "$g/other") <(pr_select 204 "$g/v.out" | awk '{ print $1 }' | sort -u) | wc -l)" 0 "gone, expired or wrong-user sessions that passed"
expect_eq "$(pr_sids_left "$g/live")" 100 "live sessions left"
expect_eq "$(pr_sids_left "$g/other")" 100 "wrong-user sessions left"
stmts=$((after - before))
# each verify alone would be a SELECT of its own; three in four at most
[ "$stmts" -gt 0 ] && [ "$stmts" -le 900 ] ||
	t_fail "SELECT statements $stmts for 1200 verifies: batches did not form"
it_log "SELECT statements: $stmts for 1200 verifies"
pr_no_tokens_in "$g/all.t" "$glog"
t_end

t_begin "batched verifies under load: a logout is seen by the very next verify of its token"
pr_sessions 40 $V "$g/seq" && pr_tokens "$g/seq" $V "$g/seq.t" || t_fail "sessions (seq)"
pr_sessions 100 $V "$g/kept" && pr_tokens "$g/kept" $V "$g/kept.t" || t_fail "sessions (kept)"
verify_config "$g/kept.t" 12 >"$g/load.curl"
verify_run "$g/load.curl" "$g/load.out" &
load=$!
stale=0 ends=0
while read -r sid rid tok; do
	it_http --base "$gbase" --status-only POST /api/v1/auth/logout \
		-H "Authorization: Bearer $tok" -H 'Content-Length: 0'
	[ "$H_STATUS" = 204 ] && ends=$((ends + 1))
	it_http --base "$gbase" --status-only GET /api/v1/auth/verify -H "Authorization: Bearer $tok"
	[ "$H_STATUS" = 401 ] || stale=$((stale + 1))
done <"$g/seq.t"
wait "$load"
expect_eq "$ends" 40 "logouts answered 204"
expect_eq "$stale" 0 "verifies right after a logout not refused"
expect_eq "$(pr_lines "$g/load.out")" 1200 "answers of the load"
expect_eq "$(pr_select '!204' "$g/load.out" | wc -l)" 0 "live sessions refused under load ($(pr_codes "$g/load.out"))"
pr_no_tokens_in <(cat "$g/seq.t" "$g/kept.t") "$glog"
t_end

# A batch's answers go out one after another (each woken by the one before
# it, src/batch.c); a client that does not read its answers makes its
# worker's write wait send_timeout (10 s), and that must hold up no other
# request of its batch. Four such connections, each stuck once, each in a
# batch with the load's verifies; every verify of the load stays far below
# send_timeout (wrongly held up, one would take 10 s).
t_begin "a client that does not read its answers holds up only its own thread, not the verifies batched with it"
pr_sessions 101 $V "$g/fresh" && pr_tokens "$g/fresh" $V "$g/fresh.t" || t_fail "sessions (fresh)"
head -n 1 "$g/fresh.t" >"$g/stuck.t"
tail -n +2 "$g/fresh.t" >"$g/timed.t"
awk -v u="$gbase/api/v1/auth/verify" '{
	if (NR > 1) print "next"
	printf "url = \"%s?s=%s\"\nheader = \"Authorization: Bearer %s\"\n", u, $1, $3
	printf "output = /dev/null\nwrite-out = \"%%{http_code} %%{time_total}\\\\n\"\n" }' \
	"$g/timed.t" "$g/timed.t" >"$g/timed.curl"
# The load runs first, so that each stuck answer is in a batch with others;
# it stops once the stuck connections are closed (45 s at most).
: >"$g/timed.out"
rm -f "$g/stop"
(
	end=$((SECONDS + 45))
	while [ $SECONDS -lt $end ] && [ ! -e "$g/stop" ]; do
		it_http_config 16 "$g/timed.curl" --max-time 60 >>"$g/timed.out"
	done
) &
load=$!
load_going() { [ "$(wc -l <"$g/timed.out")" -ge 200 ]; }
it_wait_until 20 load_going || t_fail "the load never got going"
pids=()
for i in 1 2 3 4; do
	LF_TOKEN=$(awk '{ print $3 }' "$g/stuck.t") python3 "$top_srcdir/tests/integration/fcgi_hostile.py" \
		"$gsock" unread 20000 30 >"$g/unread.$i" &
	pids+=($!)
done
wait "${pids[@]}"
touch "$g/stop"
wait "$load"
for i in 1 2 3 4; do
	expect_match "$(tail -n 1 "$g/unread.$i")" 'closed [0-9.]*' "stuck connection $i ($(head -n 1 "$g/unread.$i"))"
done
expect_eq "$(awk '$1 != 204' "$g/timed.out" | wc -l)" 0 "load verifies not 204"
slowest=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$g/timed.out")
it_log "load: $(pr_lines "$g/timed.out") verifies, slowest ${slowest}s; stuck: $(cat "$g"/unread.* | tr '\n' ' ')"
awk -v m="$slowest" 'BEGIN { exit !(m < 5) }' ||
	t_fail "a verify of the load took ${slowest}s: held up by a client that does not read"
pr_no_tokens_in "$g/fresh.t" "$glog"
t_end

# policies PID — "POLICY COUNT" lines: the scheduling policy (sched(7);
# 0 normal, 3 SCHED_BATCH) of each of the process's threads, counted.
policies() {
	local t
	for t in /proc/"$1"/task/*/stat; do
		sed 's/.*) //' "$t" | awk '{ print $39 }'
	done | sort | uniq -c | awk '{ print $2, $1 }'
}

t_begin "sched_batch: the workers run under SCHED_BATCH, the acceptor and batch threads do not; off, none does"
# the gbatch process: 16 workers; the main thread, the acceptor, two batch threads
expect_match "$(policies "$gpid" | tr '\n' ' ')" '0 [4-9] 3 16 ' "thread policies (sched_batch = yes, the default)"
t_end

t_begin "a process of one thread starts no batch thread: nothing could share its batches"
sed -e '/^\[server\]/a sched_batch = no' "$IT_DIR/gbatch.conf" >"$IT_DIR/one.conf" &&
	chmod 600 "$IT_DIR/one.conf" || t_fail "config"
pr_worker single "$IT_DIR/one.conf" "$g/one.sock" "$g/one.log" 1 ||
	t_fail "worker with one thread did not start: $(tail -n 3 "$g/one.log")"
line=$(grep -m 1 'info: serving with' "$g/one.log")
expect_match "$line" '.*: serving with 1 threads' "its start line"
expect_match "$(policies "$wpid" | tr '\n' ' ')" '0 [0-9]+ ' "thread policies (sched_batch = no)"
t_end

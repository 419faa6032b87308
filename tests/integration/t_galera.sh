# SPDX-License-Identifier: ISC
# t_galera.sh — logout-fcgi on a three-node MariaDB Galera cluster (README,
# "Running on a Galera cluster"), the suite's one cluster (cluster.sh):
# started here, stopped at the end.
#
# Workers sit next to "their" node: worker k lists node k first and the
# others as fail-over, behind an nginx of its own. Checked:
# - read-your-writes: a logout answered through node 1 makes the same token
#   fail through node 2 on the very next request (and the other way round),
#   on the plain logout, the session check, the refresh-token logout and
#   the gate (verify; after a logout-all too);
# - conflicts: logout-all through one node against group-committed logouts
#   of the same users through another: certification failures are retried,
#   never a 5xx, no row left on any node;
# - faults under load (kill -9, SIGSTOP past the read timeout, a network
#   partition of one node): only 204 or, inside one window after the fault,
#   503; no answer slower than the timeouts allow; every 204's row gone on
#   every node; the node comes back by IST and its worker moves back to it.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/cluster.sh"
trap 'pr_cleanup; gc_down' EXIT

gs_skip() {
	if [ "${CI:-}" = true ]; then
		t_begin "galera: prerequisites" keep
		t_fail "$1"
		t_end
	else
		it_log "SKIP galera: $1"
	fi
	exit 0
}
missing=$(gc_missing)
[ -z "$missing" ] || gs_skip "missing: $missing"

CT=1 RT=3 RETRIES=2 FAILBACK=3
SYNC_WAIT=3
# No answer may take longer: every attempt bounded by connect + read.
LIMIT=$(((RETRIES + 1) * (CT + RT)))
# Writes anywhere in the cluster wait while the group has not yet
# evicted a node that went silent (evs.inactive_timeout, cluster.sh):
# failures are allowed from the fault until then plus one request's time.
EVICT=6
WINDOW=$((EVICT + LIMIT))
GS_U=700000 # users of this file: GS_U + n

# gs_worker K ORDER [KEY=VALUE...] — worker K (hosts in ORDER) behind its
# own nginx; sets GS_BASE[K] and GS_PID[K].
declare -A GS_BASE GS_PID
gs_worker() {
	local k=$1 order=$2
	shift 2
	gc_conf "$IT_DIR/gs$k.conf" "$order" "connect_timeout=$CT" "read_timeout=$RT" \
		"write_timeout=$RT" "retries=$RETRIES" "failback_interval=$FAILBACK" \
		"wsrep_sync_wait=$SYNC_WAIT" "$@" || return 1
	gc_worker "gs$k" "$IT_DIR/gs$k.conf" "$IT_DIR/gs$k.sock" "$IT_DIR/gs$k.log" "${GS_THREADS:-4}" || {
		it_log "worker gs$k: $(tail -n 3 "$IT_DIR/gs$k.log")"
		return 1
	}
	GS_PID[$k]=$wpid
	pr_nginx_start "gs$k" "$IT_DIR/gs$k.sock" && pr_http_ready "$PR_BASE" 10 || return 1
	GS_BASE[$k]=$PR_BASE
}

gs_stop_worker() {
	[ -n "${GS_PID[$1]:-}" ] && it_stop_pid "${GS_PID[$1]}" "worker gs$1" 10
	pr_nginx_stop "gs$1"
	rm -f "$IT_DIR/gs$1.sock"
}

# gs_pairs F SECOND — read-your-writes pairs, one a line of F.pairs,
# "KIND FIRST TOKEN TOKEN2 BODY": the FIRST route (logout, logout-all)
# with TOKEN through one worker, then, on the very next request, the
# SECOND route (logout, verify) through the other with TOKEN2 ("-":
# TOKEN) and, for a logout, BODY's refresh token as the body ("-": none).
# Odd pairs go from worker 1 to worker 2, even ones back. A verify is also
# asked before the first request, through the same worker as after it:
# 204, the session is live, so the one after could accept it. Expected:
# the first 204 (logout-all 200), the second 401; any other second answer
# is a stale acceptance. F.out lines "TAG EXPECTED CODE TIME", TAG
# "PAIR-STEP-KIND" (step 0 before, 1 first, 2 second).
gs_pairs() {
	local f=$1 second=$2 steps=2 took stale
	[ "$second" = verify ] && steps=3
	awk -v a="${GS_BASE[1]}/api/v1/auth/" -v b="${GS_BASE[2]}/api/v1/auth/" -v second="$second" '
	function req(base, tag, route, want, tok, body) {
		if (n++) print "next"
		printf "url = \"%s%s?p=%s\"\nrequest = %s\nheader = \"Authorization: Bearer %s\"\n",
			base, route, tag, route == "verify" ? "GET" : "POST", tok
		if (body != "-")
			printf "header = \"Content-Type: application/json\"\ndata = \"{\\\"refresh_token\\\":\\\"%s\\\"}\"\n", body
		printf "max-time = 20\noutput = /dev/null\nwrite-out = \"%s %s %%{http_code} %%{time_total}\\\\n\"\n", tag, want
	}
	{ one = NR % 2 ? a : b; other = NR % 2 ? b : a; tok2 = $4 == "-" ? $3 : $4
	  if (second == "verify")
		req(other, NR "-0-" $1, second, 204, tok2, "-")
	  req(one, NR "-1-" $1, $2, $2 == "logout-all" ? 200 : 204, $3, "-")
	  req(other, NR "-2-" $1, second, 401, tok2, $5) }' "$f.pairs" >"$f.curl"
	took=$SECONDS
	curl -s --no-progress-meter --noproxy '*' --config "$f.curl" >"$f.out" 2>"$f.err"
	took=$((SECONDS - took))
	expect_eq "$(wc -l <"$f.out")" $(($(wc -l <"$f.pairs") * steps)) "answers"
	expect_eq "$(awk '$1 !~ /-2-/ && $2 != $3' "$f.out" | wc -l)" 0 \
		"requests before the second not answered 204 (verify, logout) or 200 (logout-all)"
	stale=$(awk '$1 ~ /-2-/ && $2 != $3' "$f.out")
	expect_eq "$(printf '%s' "$stale" | grep -c .)" 0 "second requests ($second) not answered 401 (stale acceptances)"
	[ -z "$stale" ] || t_note "the first: $(printf '%s\n' "$stale" | head -n 5 | tr '\n' ';')"
	# the median of each step and kind, "STEP-KIND MS"
	it_log "read-your-writes then $second: $(wc -l <"$f.out") requests in $took s; p50 ms by step-kind:" \
		"$(awk '{ split($1, t, "-"); print t[2] "-" t[3], $4 }' "$f.out" | sort -k1,1 -k2,2n |
			awk '{ v[$1, ++c[$1]] = $2 } END { for (k in c) print k, v[k, int((c[k] + 1) / 2)] * 1000 }' |
			sort | tr '\n' ' ')"
}

# gs_status_sum NAME — a status counter summed over the running nodes.
gs_status_sum() {
	local i s=0 v
	for i in 1 2 3; do
		gc_node_alive "$i" || continue
		v=$(gc_status "$i" "$1")
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# gs_each_left FILE — "n1 n2 n3": FILE's sessions left on each node.
gs_each_left() { echo "$(gc_left "$1" 1) $(gc_left "$1" 2) $(gc_left "$1" 3)"; }

t_begin "galera: three nodes (bootstrap, two joined by state transfer), each Synced in a cluster of 3" keep
start=$SECONDS
# The tokens of the cases below are made while the cluster starts.
mkdir -p "$IT_DIR/gs"
(
	gc_mint $((GS_U + 1)) 1000 access "$IT_DIR/gs/ryw.t" &&
		gc_mint $((GS_U + 1)) 300 refresh "$IT_DIR/gs/ryw.other" &&
		gc_mint $((GS_U + 1)) 300 refresh "$IT_DIR/gs/ryw.none" &&
		gc_mint $((GS_U + 2)) 1000 access "$IT_DIR/gs/gate.t" &&
		GC_PER=2 gc_mint $((GS_U + 200)) 200 access "$IT_DIR/gs/gate.all" &&
		for f in kill stop part; do
			for k in 1 2 3; do
				gc_mint $((GS_U + 10 + k)) 500 access "$IT_DIR/gs/$f.$k.t" || exit 1
			done
		done &&
		gc_mint $((GS_U + 99)) 20 access "$IT_DIR/gs/probe.t" &&
		gc_mint $((GS_U + 4)) 3 access "$IT_DIR/gs/w4.t"
) >"$IT_DIR/gs/mint.log" 2>&1 &
mintpid=$!
if ! gc_up 150; then
	t_fail "the cluster did not come up"
	up=0
else
	up=1
	t_note "cluster up in $GC_UP_SECS s"
	it_log "cluster up in $GC_UP_SECS s: nodes $(gc_transfer 1)/$(gc_transfer 2)/$(gc_transfer 3)"
	for i in 1 2 3; do
		expect_eq "$(gc_status "$i" wsrep_cluster_size)" 3 "node $i: wsrep_cluster_size"
		expect_eq "$(gc_status "$i" wsrep_local_state_comment)" Synced "node $i: state"
	done
	expect_eq "$(gc_transfer 2) $(gc_transfer 3)" "SST SST" "how nodes 2 and 3 joined"
fi
wait "$mintpid" || t_fail "minting tokens failed: $(tail -n 3 "$IT_DIR/gs/mint.log")"
t_end
[ "$up" = 1 ] || exit 0

t_begin "galera: workers spread over the nodes, each on its own node first" keep
# the gate too, for the read-your-writes pairs
ep="endpoints=logout logout-all verify"
gs_worker 1 "1 2 3" "$ep" && gs_worker 2 "2 3 1" "$ep" && gs_worker 3 "3 1 2" "$ep" || t_fail "workers did not start"
# the gate's checks share a SELECT on a connection of their own, which
# must wait for the cluster as the workers' do
for k in 1 2; do grep -q 'verifies batched' "$IT_DIR/gs$k.log" || t_fail "worker $k does not batch verifies"; done
GC_ON=1 gc_insert "$IT_DIR/gs/probe.t" $((GS_U + 99)) >/dev/null
# a logout through each: its statement runs on its own node
for k in 1 2 3; do
	before=$(gc_status "$k" Com_stmt_execute)
	head -n "$k" "$IT_DIR/gs/probe.t" | tail -n 1 >"$IT_DIR/gs/one"
	expect_eq "$(pr_status "${GS_BASE[$k]}" "$(awk '{ print $3 }' "$IT_DIR/gs/one")")" 204 "worker $k: a logout"
	after=$(gc_status "$k" Com_stmt_execute)
	[ "$after" -gt "$before" ] || t_fail "worker $k did not run its statement on node $k"
	expect_eq "$(gs_each_left "$IT_DIR/gs/one")" "0 0 0" "its session on the three nodes"
done
t_end

t_begin "galera: read-your-writes: 1,000 pairs, a logout through one node then the same token through the other, zero stale acceptances" keep
f=$IT_DIR/gs/ryw
cat "$f.t" "$f.other" >"$f.rows"
gc_insert "$f.rows" $((GS_U + 1)) || t_fail "could not insert the sessions"
it_wait_until 20 eval '[ "$(gc_left "$f.rows" 2)" = 1300 ]' || t_fail "rows not on node 2"
# pairs 1-400 (L): logout, logout; 401-700 (C): logout, then logout with
# the refresh token of a session that does not exist (the session check,
# a SELECT); 701-1000 (R): logout, then logout with the refresh token of
# another live session of the user (a DELETE whose EXISTS reads the
# bearer's session).
{
	sed -n 1,400p "$f.t" | awk '{ print "L logout", $3, "- -" }'
	sed -n 401,700p "$f.t" | paste -d ' ' - "$f.none" | awk '{ print "C logout", $3, "-", $6 }'
	sed -n 701,1000p "$f.t" | paste -d ' ' - "$f.other" | awk '{ print "R logout", $3, "-", $6 }'
} >"$f.pairs"
gs_pairs "$f" logout
# the refresh-token logouts of pairs 701-1000 ended nothing
expect_eq "$(gs_each_left "$f.other")" "300 300 300" "other sessions left on the three nodes"
expect_eq "$(gs_each_left "$f.t")" "0 0 0" "logged-out sessions left on the three nodes"
for w in 1 2; do pr_no_tokens_in "$f.t" "$IT_DIR/gs$w.log"; done
t_end

t_begin "galera: read-your-writes on the gate: 1,000 logouts and 100 logout-alls through one node, each then verify through the other, zero stale acceptances" keep
f=$IT_DIR/gs/gate
gc_insert "$f.t" $((GS_U + 2)) && GC_PER=2 gc_insert "$f.all" $((GS_U + 200)) ||
	t_fail "could not insert the sessions"
it_wait_until 20 eval '[ "$(gc_left "$f.t" 2) $(gc_left "$f.all" 2)" = "1000 200" ]' || t_fail "rows not on node 2"
# pairs 1-1000 (L): logout, verify of the same token; 1001-1100 (A):
# logout-all with a user's first session, verify of its second
{
	awk '{ print "L logout", $3, "- -" }' "$f.t"
	awk 'NR % 2 { t = $3; next } { print "A logout-all", t, $3, "-" }' "$f.all"
} >"$f.pairs"
gs_pairs "$f" verify
expect_eq "$(gs_each_left "$f.t"), $(gs_each_left "$f.all")" "0 0 0, 0 0 0" "sessions left on the three nodes (logouts, logout-alls)"
pr_no_tokens_in "$f.t" "$IT_DIR/gs1.log" "$IT_DIR/gs2.log"
pr_no_tokens_in "$f.all" "$IT_DIR/gs1.log" "$IT_DIR/gs2.log"
t_end

t_begin "galera: logout-all through node 1 against group-committed logouts of the same users through node 2: certification failures retried, never a 5xx, no row left on any node" keep
# The server retries a statement that failed certification once by itself
# (wsrep_retry_autocommit); off for these workers' sessions, every
# conflict reaches them as 1213.
for i in 1 2 3; do gc_sql "$i" -e "SET GLOBAL wsrep_retry_autocommit = 0"; done
gs_stop_worker 1
gs_stop_worker 2
gs_worker 1 "1 2 3" "retries=4" "metrics_path=/api/v1/auth/metrics" &&
	gs_worker 2 "2 3 1" "retries=4" "metrics_path=/api/v1/auth/metrics" || t_fail "workers did not restart"
grep -q 'logouts batched' "$IT_DIR/gs2.log" || t_fail "worker 2 does not batch"
u0=$((GS_U + 100)) nu=60
: >"$IT_DIR/gs/cf.rows"
: >"$IT_DIR/gs/cf.curl"
for ((k = 0; k < nu; k++)); do
	gc_mint $((u0 + k)) 8 access "$IT_DIR/gs/cf.tk" || t_fail "could not mint"
	cat "$IT_DIR/gs/cf.tk" >>"$IT_DIR/gs/cf.rows"
	# per user: seven logouts through node 2 and, started among them,
	# its logout-all through node 1
	awk -v a="${GS_BASE[1]}/api/v1/auth/logout-all" -v b="${GS_BASE[2]}/api/v1/auth/logout" -v first="$k" '{
		if (first > 0 || NR > 1) print "next"
		printf "url = \"%s?s=%s\"\nrequest = POST\nheader = \"Authorization: Bearer %s\"\n", NR == 4 ? a : b, $1, $3
		printf "max-time = 30\noutput = /dev/null\nwrite-out = \"%s - %%{http_code} %%{time_total} %s\\\\n\"\n", $1, NR == 4 ? "all" : "one" }' \
		"$IT_DIR/gs/cf.tk" >>"$IT_DIR/gs/cf.curl"
	GC_ON=1 gc_insert "$IT_DIR/gs/cf.tk" $((u0 + k)) || t_fail "could not insert sessions"
done
it_wait_until 20 eval '[ "$(gc_count 2 "user_id BETWEEN $u0 AND $((u0 + nu - 1))")" = $((nu * 8)) ]' ||
	t_fail "rows not on node 2"
c0=$(gs_status_sum wsrep_local_cert_failures) b0=$(gs_status_sum wsrep_local_bf_aborts)
it_http_config 16 "$IT_DIR/gs/cf.curl" >"$IT_DIR/gs/cf.out"
c1=$(gs_status_sum wsrep_local_cert_failures) b1=$(gs_status_sum wsrep_local_bf_aborts)
for i in 1 2 3; do gc_sql "$i" -e "SET GLOBAL wsrep_retry_autocommit = 1"; done
awk '$5 == "one"' "$IT_DIR/gs/cf.out" >"$IT_DIR/gs/cf.o"
awk '$5 == "all"' "$IT_DIR/gs/cf.out" >"$IT_DIR/gs/cf.a"
retried=
for k in 1 2; do
	it_http --base "${GS_BASE[$k]}" GET /api/v1/auth/metrics
	retried="$retried $(printf '%s\n' "$H_BODY" | sed -n 's/^logout_fcgi_db_retries_total{cause="deadlock"} //p')"
done
t_note "logouts: $(pr_codes "$IT_DIR/gs/cf.o"); logout-all: $(pr_codes "$IT_DIR/gs/cf.a")"
it_log "conflicts: certification failures $((c1 - c0)), brute-force aborts $((b1 - b0)), statements retried by workers 1 and 2:$retried; logouts $(pr_codes "$IT_DIR/gs/cf.o")logout-all $(pr_codes "$IT_DIR/gs/cf.a")"
expect_eq "$(pr_lines "$IT_DIR/gs/cf.out")" $((nu * 8)) "answers"
[ $((c1 - c0 + b1 - b0)) -gt 0 ] || t_fail "no certification conflict happened"
expect_eq "$(awk '$3 != 204 && $3 != 401' "$IT_DIR/gs/cf.o" | wc -l)" 0 "logouts other than 204 or 401"
expect_eq "$(awk '$3 != 200' "$IT_DIR/gs/cf.a" | wc -l)" 0 "logout-all answers other than 200"
pr_select 204 "$IT_DIR/gs/cf.o" >"$IT_DIR/gs/cf.204"
expect_eq "$(gs_each_left "$IT_DIR/gs/cf.204")" "0 0 0" "sessions answered 204 left on the three nodes"
for i in 1 2 3; do
	expect_eq "$(gc_count "$i" "user_id BETWEEN $u0 AND $((u0 + nu - 1))")" 0 "sessions left on node $i"
done
expect_eq "$(pr_log_count "$IT_DIR/gs1.log" "gave up") $(pr_log_count "$IT_DIR/gs2.log" "gave up")" "0 0" "'gave up' lines"
pr_no_tokens_in "$IT_DIR/gs/cf.rows" "$IT_DIR/gs1.log" "$IT_DIR/gs2.log"
t_end

# ---------------------------------------------------------------- faults

# gs_fault NAME NODE INJECT RESTORE HOLD [DURING] — load through the three
# workers (25 logouts a second each, 20 s), NAME's fault on NODE after 3 s
# of it (INJECT NODE), undone (RESTORE NODE) HOLD s later (DURING NODE runs
# in that time); then every answer checked against the fault's time and
# the rows on every node.
gs_fault() {
	local name=$1 node=$2 inject=$3 restore=$4 hold=$5 during=${6:-} k loads=() t_fault t_restore
	local ist0 sst0 bad n204 out t0
	for k in 1 2 3; do
		gc_insert "$IT_DIR/gs/$name.$k.t" $((GS_U + 10 + k)) || t_fail "sessions for $name"
	done
	it_wait_until 20 eval '[ "$(gc_left "$IT_DIR/gs/$name.3.t" "$node")" = 500 ]' ||
		t_fail "rows not on node $node"
	ist0=$(gc_ists "$node") sst0=$(gc_ssts "$node")
	for k in 1 2 3; do
		gc_load "${GS_BASE[$k]}" "$IT_DIR/gs/$name.$k.t" "$IT_DIR/gs/$name.$k.out" 25
		loads+=("$GC_LOAD_PID")
	done
	it_wait_until 15 pr_lines_ge 150 "$IT_DIR/gs/$name".?.out || t_fail "load did not start"
	t_fault=$EPOCHREALTIME
	t0=$SECONDS
	"$inject" "$node" || t_fail "could not inject the fault ($inject $node)"
	[ -z "$during" ] || "$during" "$node"
	# the fault lasts this long by design; every wait below has a deadline
	[ $((t0 + hold - SECONDS)) -le 0 ] || sleep $((t0 + hold - SECONDS))
	t_restore=$EPOCHREALTIME
	"$restore" "$node" || t_fail "could not undo the fault ($restore $node)"
	it_wait_until 90 gc_all_synced || t_fail "node $node not back and synced within 90 s"
	it_log "$name: node $node synced again $(awk -v a="$t_fault" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s after the fault"
	it_wait_until 60 eval '! it_alive '"${loads[0]}"' && ! it_alive '"${loads[1]}"' && ! it_alive '"${loads[2]}" ||
		t_fail "load still running after 60 s"
	wait "${loads[@]}"
	out=("$IT_DIR/gs/$name".?.out)
	t_note "$name: $(pr_codes "${out[@]}") slowest $(pr_max_time "${out[@]}") s"
	it_log "$name of node $node: $(pr_codes "${out[@]}")slowest $(pr_max_time "${out[@]}") s"
	expect_eq "$(awk '$3 != 204 && $3 != 503' "${out[@]}" | wc -l)" 0 "answers other than 204 and 503"
	bad=$(awk -v t="$t_fault" -v w="$WINDOW" -v l="$LIMIT" '$3 != 204 && ($2 < t - l || $2 > t + w)' "${out[@]}")
	expect_eq "$(printf '%s' "$bad" | grep -c .)" 0 "failed requests started outside [fault - $LIMIT s, fault + $WINDOW s]"
	[ -z "$bad" ] || t_note "$(printf '%s\n' "$bad" | head -n 3)"
	expect_eq "$(awk -v l="$LIMIT" '$4 > l + 1' "${out[@]}" | wc -l)" 0 "answers slower than (retries + 1) x (connect + read) = $LIMIT s"
	# the worker of that node went on answering, on the other nodes
	[ "$(awk -v a="$t_fault" -v b="$t_restore" '$3 == 204 && $2 > a + 1 && $2 < b' \
		"$IT_DIR/gs/$name.$node.out" | wc -l)" -gt 0 ] || t_fail "worker $node answered no 204 while node $node was out"
	pr_select 204 "${out[@]}" >"$IT_DIR/gs/$name.204"
	n204=$(pr_lines "$IT_DIR/gs/$name.204")
	[ "$n204" -gt 300 ] || t_fail "only $n204 answers 204"
	expect_eq "$(gs_each_left "$IT_DIR/gs/$name.204")" "0 0 0" "sessions answered 204 left on the three nodes"
	cat "$IT_DIR/gs/$name".?.t >"$IT_DIR/gs/$name.all"
	left=$(gs_each_left "$IT_DIR/gs/$name.all")
	[ "$(echo "$left" | tr ' ' '\n' | sort -u | wc -l)" = 1 ] || t_fail "nodes disagree on the sessions left: $left"
	[ "$(gc_ists "$node")" -gt "$ist0" ] || t_fail "node $node did not rejoin by IST"
	expect_eq "$(gc_ssts "$node")" "$sst0" "node $node: full transfers (SST)"
	# Worker NODE prefers the node: within failback_interval of its
	# return, a request through it runs there again.
	it_wait_until $((FAILBACK * 3 + 5)) gs_back_on "$node" || t_fail "worker $node not back on node $node"
	for k in 1 2 3; do pr_no_tokens_in "$IT_DIR/gs/$name.$k.t" "$IT_DIR/gs$k.log"; done
}

# gs_back_on K — a logout (of a session that does not exist: 401, and the
# statement runs) through worker K runs on node K.
gs_back_on() {
	local before after
	before=$(gc_status "$1" Com_stmt_execute)
	pr_status "${GS_BASE[$1]}" "$(awk 'NR == 20 { print $3 }' "$IT_DIR/gs/probe.t")" >/dev/null
	after=$(gc_status "$1" Com_stmt_execute)
	[ "${after:-0}" -gt "${before:-0}" ]
}

# kill -9, and the restart once the others have evicted it (as an operator
# would: a new instance with the old one's address waits for that anyway)
gs_kill() {
	local j
	gc_node_kill "$1" || return 1
	for j in 1 2 3; do
		[ "$j" = "$1" ] || it_wait_until 20 gc_synced "$j" 2 || return 1
	done
}
gs_restart() { gc_node_start "$1"; }
gs_stop() { kill -STOP "$(gc_node_pid "$1")"; }
gs_cont() { kill -CONT "$(gc_node_pid "$1")"; }

t_begin "galera: kill -9 of node 3 under load: only 204, or 503 inside the fault's window; none slow; every 204 gone on every node; back by IST; its worker moves back" keep
gs_fault kill 3 gs_kill gs_restart 1
t_end

t_begin "galera: node 2 stopped (SIGSTOP) past the read timeout under load, then SIGCONT: the same" keep
# Held past the eviction and one more read timeout: writes everywhere
# wait for the eviction, so the worker's first request after the stop may
# take that long, and the next ones must still start while node 2 is out.
gs_fault stop 2 gs_stop gs_cont $((EVICT + RT + 2))
t_end

# While node 1 is cut off and out of the primary component, worker 4 (one
# thread, node 1 first, its connection made before) meets "not ready"
# (1047) at its next statement and moves on at once; its fail-back probes
# find node 1 not ready and leave it alone until it is back.
gs_part_during() {
	local r
	# node 1 out, nodes 2 and 3 a primary component of two
	it_wait_until 20 eval '[ "$(gc_status 1 wsrep_cluster_status)" = non-Primary ]' &&
		it_wait_until 20 gc_synced 2 2 && it_wait_until 20 gc_synced 3 2 ||
		{ t_fail "node 1 not cut off from the primary component"; return; }
	r=$(pr_post "${GS_BASE[4]}" "$(awk 'NR == 1 { print $3 }' "$IT_DIR/gs/w4.t")")
	expect_eq "${r%% *}" 204 "worker 4 with node 1 out of the primary component"
	awk -v t="${r#* }" 'BEGIN { exit !(t < 1) }' || t_fail "worker 4 took ${r#* } s"
	pr_log_has_n "$IT_DIR/gs4.log" 'host 1 of the list failed \(execute: error 1047\)' 1 ||
		t_fail "worker 4 did not move on from a 1047: $(tail -n 3 "$IT_DIR/gs4.log")"
	sleep $((FAILBACK + 1)) # past the fail-back interval: the next request probes node 1
	r=$(pr_post "${GS_BASE[4]}" "$(awk 'NR == 2 { print $3 }' "$IT_DIR/gs/w4.t")")
	expect_eq "${r%% *}" 204 "worker 4 after its fail-back interval, node 1 still cut off"
	pr_log_has_n "$IT_DIR/gs4.log" 'back on host 1' 1 && t_fail "worker 4 went back to a node that is not ready"
}

t_begin "galera: node 1 cut off from the others (network partition) under load, then healed: the same; a worker on it moves on at 1047 and comes back after" keep
GS_THREADS=1 gs_worker 4 "1 2 3" || t_fail "worker 4 did not start"
gc_insert "$IT_DIR/gs/w4.t" $((GS_U + 4)) || t_fail "sessions for worker 4"
# its connection to node 1, made now (a 401: no such session)
expect_eq "$(pr_status "${GS_BASE[4]}" "$(awk 'NR == 20 { print $3 }' "$IT_DIR/gs/probe.t")")" 401 "worker 4 before"
gs_fault part 1 gc_partition gc_heal 12 gs_part_during
r=$(pr_post "${GS_BASE[4]}" "$(awk 'NR == 3 { print $3 }' "$IT_DIR/gs/w4.t")")
expect_eq "${r%% *}" 204 "worker 4 once node 1 is back"
pr_log_has_n "$IT_DIR/gs4.log" 'back on host 1' 1 || t_fail "worker 4 did not move back to node 1"
gs_stop_worker 4
t_end

for k in 1 2 3; do gs_stop_worker "$k"; done
t_begin "galera: the cluster stops cleanly" keep
pids=$(for i in 1 2 3; do gc_node_pid "$i"; echo; done)
gc_down
for pid in $pids; do it_alive "$pid" && t_fail "node (pid $pid) still running"; done
t_note "took $((SECONDS - start)) s"
it_log "t_galera took $((SECONDS - start)) s"
t_end

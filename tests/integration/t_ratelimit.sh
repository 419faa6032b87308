# SPDX-License-Identifier: ISC
# t_ratelimit.sh — the host-wide rate limit of the native and sanctum
# profiles (README "Compatibility", "Rate limiting": 60 requests a minute), deploy/profiles/native.conf under --workers 2: the
# 61st request of one user within the minute is 429 in the envelope with
# Retry-After and no database write, whichever process serves it (the state
# is one memory-mapped file); another user is unaffected; refused tokens
# count per client address without locking users out; the counts survive a
# worker killed and replaced.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

conf=$IT_DIR/rl.conf
log=$IT_DIR/rl.log
sock=$IT_DIR/rl.sock
it_profile_config native "$conf"
sed -i "s|^file = .*|file = rl.state|" "$conf"

"$IT_WORKER_BIN" --config "$conf" --listen "$sock" --workers 2 --threads 2 </dev/null 2>>"$log" &
sup=$!
pr_track "$sup" "supervisor rl"
up() { pr_nchildren_is "$sup" 2 && [ "$(pr_serving_pids "$log" | wc -l)" -ge 2 ]; }
base=
# one FastCGI connection per request, so that one client's requests in turn
# reach both processes (a kept connection stays with one)
if it_wait_until 10 up && IT_NGINX_LOCATION=logout-fcgi-nokeep pr_nginx_start rl "$sock"; then
	base=$PR_BASE
fi
IT_BASE=$base

# post TOKEN RID — one logout; sets H_* (it_http)
post() { it_http POST /api/v1/auth/logout -H "Authorization: Bearer $1" -H "X-Request-Id: $2"; }
pid_of() { grep -F "\"trace_id\":\"$1\"" "$log" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | head -n 1; }

t_begin "rate limit: 60 logouts of one user pass across two worker processes, the 61st is 429 with Retry-After and deletes nothing"
[ -n "$base" ] || t_fail "supervisor with the native profile not serving"
ua=$((RANDOM % 100000 + 200000)) ub=$((ua + 1))
pr_sessions 61 "$ua" "$IT_DIR/rl.a" && pr_tokens "$IT_DIR/rl.a" "$ua" "$IT_DIR/rl.ta" "$conf" ||
	t_fail "could not create user A's sessions"
n=0 rem_ok=1 pids=
while read -r sid rid tok; do
	n=$((n + 1))
	post "$tok" "$rid"
	if [ "$n" -le 60 ]; then
		[ "$H_STATUS" = 204 ] || t_fail "request $n: status $H_STATUS, want 204"
		[ "$(it_hdr X-RateLimit-Remaining)" = $((60 - n)) ] || rem_ok=0
		pids="$pids $(pid_of "$rid")"
	else
		expect_error 429 TOO_MANY_REQUESTS
		expect_match "$(it_hdr Retry-After)" '[1-9][0-9]?' "Retry-After"
		[ "$(it_hdr Retry-After)" -le 60 ] || t_fail "Retry-After $(it_hdr Retry-After) > 60"
		expect_eq "$(it_hdr X-RateLimit-Limit)" 60 "X-RateLimit-Limit"
		expect_eq "$(it_hdr X-RateLimit-Remaining)" 0 "X-RateLimit-Remaining"
		expect_eq "$(pr_sid_count "$sid")" 1 "the 61st session (no database write)"
		last_sid=$sid last_tok=$tok
	fi
done <"$IT_DIR/rl.ta"
expect_eq "$n" 61 "requests sent"
expect_eq "$rem_ok" 1 "X-RateLimit-Remaining counted 59 down to 0"
expect_eq "$(printf '%s\n' $pids | sort -u | wc -l)" 2 "worker processes that served user A"
t_end

t_begin "rate limit: another user is unaffected (204, Remaining 59); a GET is 405 with the address's headers" keep
pr_sessions 1 "$ub" "$IT_DIR/rl.b" && pr_tokens "$IT_DIR/rl.b" "$ub" "$IT_DIR/rl.tb" "$conf"
read -r sid rid tok <"$IT_DIR/rl.tb"
post "$tok" "$rid"
expect_status 204
expect_eq "$(it_hdr X-RateLimit-Remaining)" 59 "X-RateLimit-Remaining"
it_http GET /api/v1/auth/logout
expect_status 405
expect_eq "$(it_hdr X-RateLimit-Limit)" 60 "X-RateLimit-Limit of a 405"
expect_match "$(it_hdr X-RateLimit-Remaining)" '[0-9]+' "X-RateLimit-Remaining of a 405"
t_end

t_begin "rate limit: the count survives a worker killed -9 and replaced" keep
victim=$(pr_children "$sup" | head -n 1)
kill -9 "$victim" 2>/dev/null
it_wait_until 10 eval "! it_alive $victim && pr_nchildren_is $sup 2" || t_fail "worker $victim not replaced"
for i in 1 2 3 4; do
	post "$last_tok" "$(it_uuid_new)"
	expect_status 429
done
expect_eq "$(pr_sid_count "$last_sid")" 1 "user A's last session"
t_end

t_begin "rate limit: still on after SIGHUP to the supervisor and both workers replaced" keep
n0=$(pr_log_count "$log" "reloaded configuration")
kill -HUP "$sup"
it_wait_until 10 pr_log_has_n "$log" "reloaded configuration" $((n0 + 2)) ||
	t_fail "the workers did not reload"
for victim in $(pr_children "$sup"); do
	kill -9 "$victim" 2>/dev/null
	it_wait_until 10 eval "! it_alive $victim && pr_nchildren_is $sup 2" || t_fail "worker $victim not replaced"
done
for i in 1 2 3 4; do
	post "$last_tok" "$(it_uuid_new)"
	expect_status 429
done
expect_eq "$(pr_sid_count "$last_sid")" 1 "user A's last session"
t_end

t_begin "rate limit: refused tokens count per client address (429 after the limit), a valid user on that address still passes" keep
codes=
for i in $(seq 1 62); do
	post "not-a-token-$i" "$(it_uuid_new)"
	codes="$codes $H_STATUS"
done
n401=$(printf '%s\n' $codes | grep -c '^401$')
n429=$(printf '%s\n' $codes | grep -c '^429$')
# the GET above counted too: at most 59 refusals
[ "$n401" -le 59 ] && [ "$n429" -ge 3 ] || t_fail "bad tokens: $n401 x 401, $n429 x 429"
expect_eq "$((n401 + n429))" 62 "answers that are 401 or 429"
# refusals before authentication (here 405) count per address too
it_http GET /api/v1/auth/logout
expect_status 429
expect_eq "$(it_hdr X-RateLimit-Limit)" 60 "X-RateLimit-Limit of a refused GET"
pr_sessions 1 "$((ub + 1))" "$IT_DIR/rl.c" && pr_tokens "$IT_DIR/rl.c" "$((ub + 1))" "$IT_DIR/rl.tc" "$conf"
read -r sid rid tok <"$IT_DIR/rl.tc"
post "$tok" "$rid"
expect_status 204
t_end

t_begin "rate limit: the state file holds no user ids or addresses, mode 0600" keep
st=$IT_DIR/rl.state
expect_eq "$(stat -c %a "$st" 2>/dev/null)" 600 "mode of $st"
if grep -a -q -e "user:$ua" -e "127.0.0.1" "$st"; then t_fail "a key appears in clear in $st"; fi
pr_no_tokens_in "$IT_DIR/rl.ta" "$log"
t_end

# SPDX-License-Identifier: ISC
# t_db_down.sh — database unreachable: a fast 503, and the same workers
# recover by themselves once it is back.

P=/api/v1/auth

t_begin "database down: 503 SERVICE_UNAVAILABLE within the timeouts, row untouched"
it_session 42; a=$S_ACCESS; a_sid=$S_SID
it_session 42; b=$S_ACCESS
wpid=$(it_worker_pid)
# warm the worker's connection, so the outage hits a live connection
it_http POST $P/logout -H "Authorization: Bearer $b"
expect_status 204
dbpid=$(it_db_pid)
it_db_stop
if it_alive "$dbpid"; then t_fail "mariadbd $dbpid still running"; fi
for ep in logout logout logout-all; do
	it_http POST $P/$ep -H "Authorization: Bearer $a"
	expect_error 503 SERVICE_UNAVAILABLE
	awk -v t="$H_TIME" 'BEGIN { exit !(t < 8) }' || t_fail "$ep took $H_TIME s (limit 8)"
done
it_alive "$wpid" || t_fail "worker $wpid died while the database was down"
if it_db_start; then
	expect_count "user_id = 42" 1
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
else
	t_fail "mariadbd did not restart"
fi
t_end

t_begin "database back: the same worker answers 204 again (reconnects by itself)"
it_session 42; a=$S_ACCESS; a_sid=$S_SID
wpid=$(it_worker_pid)
it_db_stop
it_http POST $P/logout -H "Authorization: Bearer $a"
expect_error 503 SERVICE_UNAVAILABLE
it_db_start || t_fail "mariadbd did not restart"
deadline=$((SECONDS + 15))
while :; do
	it_http POST $P/logout -H "Authorization: Bearer $a"
	[ "$H_STATUS" = 204 ] && break
	[ "$SECONDS" -ge "$deadline" ] && break
	sleep 0.2
done
expect_status 204
expect_eq "$(it_worker_pid)" "$wpid" "worker pid"
it_alive "$wpid" || t_fail "worker $wpid not running"
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
expect_count "" 0
t_end

t_begin "database down: an invalid token is still 401, not 503"
it_session 42
it_db_stop
it_http POST $P/logout -H "Authorization: Bearer garbage"
expect_error 401 UNAUTHORIZED
it_db_start || t_fail "mariadbd did not restart"
expect_count "" 1
t_end

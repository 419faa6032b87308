# SPDX-License-Identifier: ISC
# t_db_error.sh — a database that answers but rejects the statement (the
# schema no longer matches the [sql] section): 500 INTERNAL_ERROR, nothing
# changed, and the same workers serve again once the schema is back.

P=/api/v1/auth

t_begin "statement rejected by the schema: 500 INTERNAL_ERROR, then 204 once it is fixed"
it_session 42; a=$S_ACCESS
it_session 42; warm=$S_ACCESS
wpid=$(it_worker_pid)
# warm the connections, so the statements are already prepared
it_http POST $P/logout -H "Authorization: Bearer $warm"
expect_status 204
if it_sql app -e "RENAME TABLE user_sessions TO user_sessions_moved"; then
	for ep in logout logout-all; do
		it_http POST $P/$ep -H "Authorization: Bearer $a"
		expect_error 500 INTERNAL_ERROR
		expect_eq "$(printf '%s' "$H_BODY" | grep -c 'user_sessions')" 0 "no SQL text in the body"
	done
	it_sql app -e "RENAME TABLE user_sessions_moved TO user_sessions" ||
		t_fail "could not rename the table back"
	expect_count "user_id = 42" 1
	# A thread whose prepare failed waits out its one-second back-off.
	deadline=$((SECONDS + 5))
	while :; do
		it_http POST $P/logout -H "Authorization: Bearer $a"
		[ "$H_STATUS" = 500 ] || break
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.2
	done
	expect_status 204
	expect_count "user_id = 42" 0
	expect_eq "$(it_worker_pid)" "$wpid" "worker pid"
else
	t_fail "could not rename the table"
fi
# A thread whose prepare failed may still be in its one-second back-off:
# the next case files get fresh workers.
it_workers_restart
t_end

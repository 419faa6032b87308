# SPDX-License-Identifier: ISC
# t_seed_003_story.sh — the logout endpoint of the native profile
# (deploy/profiles/native.conf; README "The endpoint contract") as a user
# story: Bearer required; the current session deleted from user_sessions;
# a refresh_token in the LogoutRequest body ends that specific session;
# all_devices=true ends every session of the user; 204 No Content; 401 for
# an invalid or missing access token (and for an invalid or expired refresh
# token); a malformed body refused before anything is deleted.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
J='Content-Type: application/json'
login() { local IT_CONF=$CP_CONF; it_session "$1"; }

up=0
cp_up native && up=1
u=$((RANDOM % 100000 + 1000))

t_begin "native logout: Bearer required: none or an invalid one is 401, nothing deleted" keep
[ "$up" = 1 ] || t_fail "native profile did not start"
login "$u"
cp_http POST $P/logout
expect_error 401 UNAUTHORIZED
cp_http POST $P/logout -H "Authorization: Bearer ${S_ACCESS}x"
expect_error 401 UNAUTHORIZED
cp_http POST $P/logout -H "Authorization: Bearer $S_REFRESH"
expect_error 401 UNAUTHORIZED
expect_eq "$(pr_sid_count "$S_SID")" 1 "the session is still there"
t_end

t_begin "native logout: the current session is deleted from user_sessions, 204 No Content" keep
sid=$S_SID
login "$u"
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS"
expect_status 204
expect_eq "$H_BODY_BYTES" 0 "body bytes"
expect_eq "$(pr_sid_count "$S_SID")" 0 "the bearer's session"
expect_eq "$(pr_sid_count "$sid")" 1 "the user's other session"
t_end

t_begin "native logout: refresh_token invalidates that specific session (LogoutRequest body), 204" keep
login "$u"
other_refresh=$S_REFRESH other_sid=$S_SID
login "$u"
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d "{\"refresh_token\":\"$other_refresh\"}"
expect_status 204
expect_eq "$(pr_sid_count "$other_sid")" 0 "the refresh token's session"
expect_eq "$(pr_sid_count "$S_SID")" 1 "the bearer's own session"
# the same refresh token again: already gone is fine while the bearer is logged in
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d "{\"refresh_token\":\"$other_refresh\",\"all_devices\":false}"
expect_status 204
t_end

t_begin "native logout: an invalid or expired refresh token is 401; nothing deleted" keep
n=$(it_db_count "user_id = $u")
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d "{\"refresh_token\":\"${other_refresh}x\"}"
expect_error 401 UNAUTHORIZED
expired=$(IT_CONF=$CP_CONF it_mint --sub "$u" --sid "$S_SID" --jti rj --type refresh --exp-in -5)
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d "{\"refresh_token\":\"$expired\"}"
expect_error 401 UNAUTHORIZED
expect_eq "$(it_db_count "user_id = $u")" "$n" "sessions of the user"
t_end

t_begin "native logout: all_devices=true deletes every session of the user, 204" keep
login "$u"
n=$(it_db_count "user_id = $u")
login "$((u + 1))"
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d '{"all_devices":true}'
expect_status 204
expect_eq "$(it_db_count "user_id = $((u + 1))")" 0 "sessions of the user"
login "$((u + 1))"
expect_eq "$(it_db_count "user_id = $u")" "$n" "another user's sessions"
t_end

t_begin "native logout: a malformed LogoutRequest is refused before any delete (400 / 422 naming the field)" keep
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d '{"all_devices":"yes"}'
expect_error 422 VALIDATION_ERROR '{"all_devices":["must be a boolean"]}'
cp_http POST $P/logout -H "Authorization: Bearer $S_ACCESS" -H "$J" -d '{"refresh_token":'
expect_error 400 BAD_REQUEST
expect_eq "$(pr_sid_count "$S_SID")" 1 "the bearer's session"
t_end

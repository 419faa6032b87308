# SPDX-License-Identifier: ISC
# t_seed_000_fastapi.sh — the fastapi profile (README "Compatibility": a
# FastAPI app's logout-all endpoint) with deploy/profiles/fastapi.conf
# against sql/compat/fastapi.sql: PyJWT-signed HS256 tokens (sub = username)
# with a 64-hex SECRET_KEY string as the key; logout-all revokes every
# refresh token of the user in one UPDATE and answers 200
# {"message":"Successfully logged out from all devices"}; every 401 is
# {"detail":"Could not validate credentials"} with WWW-Authenticate: Bearer;
# only logout-all is served; an unreachable database is 503
# {"detail":"Service temporarily unavailable"}, any other failure 500
# {"detail":"Logout failed"}, and neither revokes anything.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
ALL_OK='{"message":"Successfully logged out from all devices"}'
NO_CRED='{"detail":"Could not validate credentials"}'

# fresh users testuser (3 live refresh tokens, 1 already revoked) and other (2)
seed_users() {
	cp_sql "DELETE FROM refresh_tokens; DELETE FROM users;
	INSERT INTO users (id, username, email, hashed_password) VALUES
	  (1, 'testuser', 'test@example.com', 'x'), (2, 'other', 'o@example.com', 'x');
	INSERT INTO refresh_tokens (user_id, token_hash, expires_at, revoked) VALUES
	  (1, SHA2('r1', 256), NOW() + INTERVAL 7 DAY, 0), (1, SHA2('r2', 256), NOW() + INTERVAL 7 DAY, 0),
	  (1, SHA2('r3', 256), NOW() + INTERVAL 7 DAY, 0), (1, SHA2('r4', 256), NOW() + INTERVAL 7 DAY, 1),
	  (2, SHA2('o1', 256), NOW() + INTERVAL 7 DAY, 0), (2, SHA2('o2', 256), NOW() + INTERVAL 7 DAY, 0)"
}
live() { cp_sql "SELECT COUNT(*) FROM refresh_tokens WHERE user_id = $1 AND revoked = 0"; }

expect_no_cred() {
	expect_status 401
	cp_expect_body "$NO_CRED"
	expect_eq "$(it_hdr WWW-Authenticate)" "Bearer" "WWW-Authenticate"
	expect_eq "$(it_hdr Content-Type)" "application/json" "Content-Type"
	expect_eq "$(live 1)" 3 "testuser's live refresh tokens (untouched)"
}

up=0
cp_up fastapi && up=1

t_begin "fastapi: logout-all revokes every refresh token of the user, 200 with the exact body" keep
[ "$up" = 1 ] || t_fail "fastapi profile did not start"
seed_users
tok=$(cp_pyjwt testuser 900)
cp_http POST $P/logout-all -H "Authorization: Bearer $tok"
expect_status 200
cp_expect_body "$ALL_OK"
expect_eq "$(it_hdr Content-Type)" "application/json" "Content-Type"
expect_eq "$(live 1)" 0 "testuser's live refresh tokens"
expect_eq "$(cp_sql 'SELECT COUNT(*) FROM refresh_tokens WHERE user_id = 1 AND revoked = 1')" 4 "testuser's tokens kept, revoked"
expect_eq "$(live 2)" 2 "other user's live refresh tokens"
# FastAPI's access token itself stays valid until exp: a second call revokes nothing, still 200
cp_http POST $P/logout-all -H "Authorization: Bearer $tok"
expect_status 200
cp_expect_body "$ALL_OK"
t_end

t_begin "fastapi: a hand-made sample token (expired in 2023, signature 'example') is 401 Could not validate credentials" keep
seed_users
cp_http POST $P/logout-all -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0dXNlciIsImV4cCI6MTY5NjE2MDAwMH0.example'
expect_no_cred
t_end

t_begin "fastapi: 401 for a missing, invalid, expired token and for a user that does not exist" keep
seed_users
cp_http POST $P/logout-all
expect_no_cred
cp_http POST $P/logout-all -H "Authorization: Bearer $(cp_pyjwt testuser 900)x"
expect_no_cred
cp_http POST $P/logout-all -H "Authorization: Bearer $(cp_pyjwt testuser -60)"
expect_no_cred
cp_http POST $P/logout-all -H "Authorization: Bearer $(cp_pyjwt ghost 900)"
expect_no_cred
# a token signed with another secret
cp_http POST $P/logout-all -H "Authorization: Bearer $(IT_KEYDIR=$IT_DIR/nokeys; mkdir -p "$IT_KEYDIR"; printf '%064d' 7 >"$IT_KEYDIR/fastapi.secret"; cp_pyjwt testuser 900)"
expect_no_cred
t_end

t_begin "fastapi: only logout-all is served by this profile (logout: 404 {\"detail\":\"Not Found\"})" keep
cp_http POST $P/logout -H "Authorization: Bearer $(cp_pyjwt testuser 900)"
expect_status 404
cp_expect_body '{"detail":"Not Found"}'
t_end

t_begin "fastapi: 500 {\"detail\":\"Logout failed\"} on an unexpected error during revocation; nothing revoked" keep
seed_users
cp_sql "CREATE TRIGGER refuse_revoke BEFORE UPDATE ON refresh_tokens FOR EACH ROW
	SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'"
cp_http POST $P/logout-all -H "Authorization: Bearer $(cp_pyjwt testuser 900)"
cp_sql "DROP TRIGGER refuse_revoke"
expect_status 500
cp_expect_body '{"detail":"Logout failed"}'
expect_eq "$(live 1)" 3 "testuser's live refresh tokens"
t_end

t_begin "fastapi: 503 {\"detail\":\"Service temporarily unavailable\"} when the database cannot be reached; nothing revoked" keep
seed_users
down=$IT_DIR/fastapi-down.conf
port=$(it_free_port)
sed -e "s|^socket =.*|socket =|" -e "s|^hosts =.*|hosts = 127.0.0.1:$port|" "$CP_CONF" >"$down"
keep_base=$CP_BASE keep_conf=$CP_CONF
if cp_up fastapi "$down"; then
	cp_http POST $P/logout-all -H "Authorization: Bearer $(cp_pyjwt testuser 900)"
	expect_status 503
	cp_expect_body '{"detail":"Service temporarily unavailable"}'
else
	t_fail "worker with an unreachable database did not start"
fi
CP_BASE=$keep_base CP_CONF=$keep_conf
expect_eq "$(live 1)" 3 "testuser's live refresh tokens"
t_end

# SPDX-License-Identifier: ISC
# t_seed_002_sanctum_all.sh — the sanctum-all profile (README
# "Compatibility": a Laravel Sanctum app whose POST /api/v1/auth/logout
# revokes all of the user's tokens) with deploy/profiles/sanctum-all.conf against Laravel's personal_access_tokens
# (sql/compat/laravel-sanctum.sql): 200 {"message":"Successfully logged out"}
# and every token of the user deleted; 401 {"message":"Unauthenticated."} for
# no header, an invalid, expired, revoked or malformed token; immediate
# effect; not rate limited. Tokens come from logout-fcgi-admin create-token
# and from rows made here the way Laravel makes them.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth
OK='{"message":"Successfully logged out"}'
UNAUTH='{"message":"Unauthenticated."}'

tokens_of() { cp_sql "SELECT COUNT(*) FROM personal_access_tokens WHERE tokenable_type = 'App\\\\Models\\\\User' AND tokenable_id = $1"; }
expect_unauth() {
	expect_status 401
	cp_expect_body "$UNAUTH"
	expect_eq "$(it_hdr Content-Type)" "application/json" "Content-Type"
	expect_common_headers
}

up=0
cp_up sanctum-all && up=1
u=$((RANDOM % 100000 + 1000)) v=$((u + 1))

t_begin "sanctum-all: tokens are Laravel's: <id>|<40 alphanumerics><crc32b>, the row holds hex SHA-256 of the part after '|'" keep
[ "$up" = 1 ] || t_fail "sanctum-all profile did not start"
cp_token "$u"
expect_match "$T_TOKEN" "$T_ID\\|[A-Za-z0-9]{40}[0-9a-f]{8}" "token shape"
plain=${T_TOKEN#*|}
expect_eq "$(cp_sql "SELECT token FROM personal_access_tokens WHERE id = $T_ID")" \
	"$(printf '%s' "$plain" | sha256sum | cut -d' ' -f1)" "token column"
expect_eq "$(/usr/bin/python3 -c 'import sys, zlib; r = sys.argv[1]; print(format(zlib.crc32(r[:40].encode()) & 0xffffffff, "08x") == r[40:])' "$plain")" True "crc32b suffix"
expect_eq "$(cp_sql "SELECT CONCAT(tokenable_type, ' ', abilities, ' ', ISNULL(expires_at)) FROM personal_access_tokens WHERE id = $T_ID")" 'App\Models\User ["*"] 1' "row as Laravel writes it"
t_end

t_begin "sanctum-all: logout revokes every token of the user (200, exact body); other users keep theirs" keep
cp_token "$u"; a=$T_TOKEN
cp_laravel_token "$u"; b=$T_TOKEN
cp_token "$v"; theirs=$T_TOKEN
before=$(tokens_of "$u")
[ "$before" -ge 3 ] || t_fail "user $u has $before tokens before, want >= 3"
cp_http POST $P/logout -H "Authorization: Bearer $b" -H 'Content-Type: application/json'
expect_status 200
cp_expect_body "$OK"
expect_eq "$(it_hdr Content-Type)" "application/json" "Content-Type"
expect_eq "$(tokens_of "$u")" 0 "tokens of the user after"
expect_eq "$(tokens_of "$v")" 1 "tokens of another user"
t_end

t_begin "sanctum-all: immediate effect: every revoked token is 401 Unauthenticated. at once" keep
cp_http POST $P/logout -H "Authorization: Bearer $a"
expect_unauth
cp_http POST $P/logout -H "Authorization: Bearer $b"
expect_unauth
expect_eq "$(tokens_of "$v")" 1 "tokens of another user"
t_end

t_begin "sanctum-all: 401 Unauthenticated. for no header, a placeholder token ('1|abc123def456...'), a wrong secret, an expired token, a bad format" keep
cp_http POST $P/logout
expect_unauth
cp_http POST $P/logout -H 'Authorization: Bearer 1|abc123def456...'
expect_unauth
cp_http POST $P/logout -H "Authorization: Bearer ${theirs%?}X"
expect_unauth
cp_token "$v"
cp_sql "UPDATE personal_access_tokens SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE id = $T_ID"
cp_http POST $P/logout -H "Authorization: Bearer $T_TOKEN"
expect_unauth
for bad in "${theirs#*|}" "x$theirs" "$theirs extra" "0|${theirs#*|}" "Basic $theirs"; do
	cp_http POST $P/logout -H "Authorization: Bearer $bad"
	expect_unauth
done
cp_http POST $P/logout -H "Authorization: $theirs"
expect_unauth
# a token of another model (tokenable_type) is not a user's token
cp_laravel_token "$v" 'App\\Models\\Admin'
cp_http POST $P/logout -H "Authorization: Bearer $T_TOKEN"
expect_unauth
expect_eq "$(tokens_of "$v")" 2 "the user's tokens after the refusals (live + expired)"
t_end

t_begin "sanctum-all: logout is not rate limited: 70 refused attempts, no 429, no X-RateLimit headers" keep
n429=0
for i in $(seq 1 70); do
	cp_http POST $P/logout -H "Authorization: Bearer 1|nosuchtoken$i"
	[ "$H_STATUS" = 429 ] && n429=$((n429 + 1))
done
expect_eq "$n429" 0 "429 answers"
expect_eq "$(it_hdr_count X-RateLimit-Limit)" 0 "X-RateLimit-Limit headers"
cp_http POST $P/logout -H "Authorization: Bearer $theirs"
expect_status 200
expect_eq "$(tokens_of "$v")" 0 "tokens of the user after logout"
t_end

t_begin "sanctum-all: only logout is served (logout-all 404 {\"message\":\"Not Found\"})" keep
cp_token "$u"
cp_http POST $P/logout-all -H "Authorization: Bearer $T_TOKEN"
expect_status 404
cp_expect_body '{"message":"Not Found"}'
expect_eq "$(tokens_of "$u")" 1 "tokens after"
t_end

t_begin "sanctum-all: sanctum.expiration (minutes since created_at) and token_prefix are honoured like Laravel's" keep
conf=$IT_DIR/sanctum-all-exp.conf
it_profile_config sanctum-all "$conf"
sed -i -e 's/^expiration = .*/expiration = 60/' -e 's/^token_prefix =.*/token_prefix = laravel_/' "$conf"
if cp_up sanctum-all "$conf"; then
	cp_token "$u"
	expect_match "$T_TOKEN" "$T_ID\\|laravel_[A-Za-z0-9]{40}[0-9a-f]{8}" "token with prefix"
	cp_sql "UPDATE personal_access_tokens SET created_at = UTC_TIMESTAMP() - INTERVAL 61 MINUTE WHERE id = $T_ID"
	cp_http POST $P/logout -H "Authorization: Bearer $T_TOKEN"
	expect_unauth
	cp_token "$u"
	cp_sql "UPDATE personal_access_tokens SET created_at = UTC_TIMESTAMP() - INTERVAL 59 MINUTE WHERE id = $T_ID"
	cp_http POST $P/logout -H "Authorization: Bearer $T_TOKEN"
	expect_status 200
	expect_eq "$(tokens_of "$u")" 0 "tokens after"
else
	t_fail "sanctum-all with expiration = 60 did not start"
fi
t_end

t_begin "sanctum-all: update_last_used = yes stamps last_used_at before the tokens go" keep
conf=$IT_DIR/sanctum-all-touch.conf
it_profile_config sanctum-all "$conf"
sed -i 's/^update_last_used = .*/update_last_used = yes/' "$conf"
cp_sql "CREATE TABLE IF NOT EXISTS touch_log (id BIGINT UNSIGNED, last_used_at TIMESTAMP NULL);
	DELETE FROM touch_log;
	DROP TRIGGER IF EXISTS pat_touch;
	CREATE TRIGGER pat_touch AFTER UPDATE ON personal_access_tokens FOR EACH ROW
	  INSERT INTO touch_log VALUES (NEW.id, NEW.last_used_at)"
if cp_up sanctum-all "$conf"; then
	cp_token "$u"
	cp_http POST $P/logout -H "Authorization: Bearer $T_TOKEN"
	expect_status 200
	expect_eq "$(cp_sql "SELECT COUNT(*) FROM touch_log WHERE id = $T_ID AND last_used_at IS NOT NULL")" 1 "last_used_at stamped once"
else
	t_fail "sanctum-all with update_last_used did not start"
fi
cp_sql "DROP TRIGGER pat_touch; DROP TABLE touch_log"
t_end

# SPDX-License-Identifier: ISC
# t_gate_fastapi.sh — the revocation gate with the fastapi profile (README,
# "Protecting the whole API"): PyJWT tokens name no session, so the gate's
# check is the user lookup alone (deploy/profiles/fastapi.conf, verify
# empty); and the profile's recipe, a per-user cut-off compared with each
# token's exp, makes logout-all end the access tokens too.

. "$top_srcdir/tests/integration/procs.sh"
. "$top_srcdir/tests/integration/compat.sh"
trap pr_cleanup EXIT

P=/api/v1/auth

seed_users() {
	cp_sql "DELETE FROM refresh_tokens; DELETE FROM users;
	INSERT INTO users (id, username, email, hashed_password) VALUES
	  (1, 'testuser', 'test@example.com', 'x'), (2, 'other', 'o@example.com', 'x');
	INSERT INTO refresh_tokens (user_id, token_hash, expires_at, revoked) VALUES
	  (1, SHA2('r1', 256), NOW() + INTERVAL 7 DAY, 0), (2, SHA2('o1', 256), NOW() + INTERVAL 7 DAY, 0)"
}

# fa_config OUT [RECIPE] — the profile serving the gate; with RECIPE, the
# cut-off statements of the profile's comments, as its comments write them.
fa_config() {
	it_profile_config fastapi "$1" &&
		sed -i 's/^endpoints = .*/endpoints = logout-all verify/' "$1" || return 1
	[ -z "${2:-}" ] && return 0
	# the comment's lines ";   key = ..." and ";     continued", uncommented
	sed -n 's/^;   \([a-z_]* = .*\|  .*\)$/\1/p' "$top_srcdir/deploy/profiles/fastapi.conf" >"$1.recipe"
	grep -q '^user_lookup = ' "$1.recipe" && grep -q '^logout_all = ' "$1.recipe" ||
		{ it_die "no recipe in deploy/profiles/fastapi.conf"; return 1; }
	sed -i -e '/^user_lookup = /d' -e '/^logout_all = /d' "$1" &&
		sed -i "/^\[sql\]/r $1.recipe" "$1"
}

# fresh_token_passes USER — a token minted now passes the gate (after a
# cut-off, once the clock has left the cut-off's second).
fresh_token_passes() {
	TOK=$(cp_pyjwt "$1" 1800)
	cp_http GET $P/verify -H "Authorization: Bearer $TOK"
	[ "$H_STATUS" = 204 ]
}

up=0
fa_config "$IT_DIR/gate-fastapi.conf" && cp_up fastapi "$IT_DIR/gate-fastapi.conf" && up=1

t_begin "gate, fastapi: the user exists: 204 naming the username, no session header; unknown user or bad token 401" keep
[ "$up" = 1 ] || t_fail "the fastapi stack did not start"
seed_users
tok=$(cp_pyjwt testuser 900)
cp_verify "$tok" 204
expect_eq "$(it_hdr X-Auth-User)" testuser "X-Auth-User"
expect_eq "$(it_hdr_count X-Auth-Session)" 0 "X-Auth-Session headers"
cp_http GET $P/verify -H "Authorization: Bearer $(cp_pyjwt nobody 900)"
expect_status 401
expect_eq "$H_BODY_BYTES" 0 "body length"
expect_eq "$(it_hdr WWW-Authenticate)" "Bearer" "WWW-Authenticate (the fastapi style's)"
cp_verify "$(cp_pyjwt testuser -30)" 401
# without the recipe a logout-all leaves the access token valid until exp
cp_http POST $P/logout-all -H "Authorization: Bearer $tok"
expect_status 200
cp_verify "$tok" 204
t_end

rup=0
if [ "$up" = 1 ]; then
	cp_sql "ALTER TABLE users ADD COLUMN IF NOT EXISTS tokens_valid_after BIGINT UNSIGNED NOT NULL DEFAULT 0" &&
		fa_config "$IT_DIR/gate-fastapi-recipe.conf" recipe &&
		cp_up fastapi "$IT_DIR/gate-fastapi-recipe.conf" && rup=1
fi

t_begin "gate, fastapi recipe: logout-all ends the user's access tokens; a token issued afterwards passes" keep
[ "$rup" = 1 ] || t_fail "the fastapi recipe stack did not start"
seed_users
a=$(cp_pyjwt testuser 1800)
b=$(cp_pyjwt testuser 1800)
o=$(cp_pyjwt other 1800)
cp_verify "$a" 204
cp_http POST $P/logout-all -H "Authorization: Bearer $a"
expect_status 200
cp_expect_body '{"message":"Successfully logged out from all devices"}'
expect_eq "$(cp_sql 'SELECT COUNT(*) FROM refresh_tokens WHERE user_id = 1 AND revoked = 0')" 0 "testuser's live refresh tokens"
for t in "$a" "$b"; do
	cp_verify "$t" 401
done
cp_http POST $P/logout-all -H "Authorization: Bearer $a"
expect_status 401
cp_verify "$o" 204
it_wait_until 5 fresh_token_passes testuser || t_fail "a token issued after the cut-off is refused"
t_end

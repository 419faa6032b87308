# SPDX-License-Identifier: ISC
# tests/integration/compat.sh — helpers for the compatibility cases
# (t_seed_*, t_ratelimit; README "Compatibility"): a compat profile from
# deploy/profiles/ served by its own worker and nginx
# against its framework's tables (sql/compat/), tokens made the way each
# framework makes them. Sourced by a case file after lib.sh and procs.sh.

# cp_up NAME [CONF] — the profile's database, config (deploy/profiles/NAME.conf
# rendered, or CONF as given), a worker and an nginx in front of it. Sets
# CP_NAME CP_CONF CP_LOG CP_BASE CP_DB. Each call gets its own socket and nginx.
cp_up() {
	local name=$1 tag
	CP_N=$((${CP_N:-0} + 1))
	tag=$name-$CP_N
	CP_NAME=$name CP_LOG=$IT_DIR/$tag.log CP_DB=$(it_profile_db "$name")
	CP_CONF=${2:-$IT_DIR/$tag.conf}
	it_profile_provision "$name" || { it_log "provision $name failed"; return 1; }
	if [ -z "${2:-}" ]; then
		it_profile_config "$name" "$CP_CONF" || return 1
		# rate-limit state of its own: cases must not share counts
		sed -i "s|^file = .*|file = $tag.ratelimit|" "$CP_CONF"
	fi
	pr_worker "$tag" "$CP_CONF" "$IT_DIR/$tag.sock" "$CP_LOG" 2 ||
		{ it_log "worker for $tag did not start:"; sed 's/^/#   /' "$CP_LOG"; return 1; }
	pr_nginx_start "$tag" "$IT_DIR/$tag.sock" || return 1
	CP_BASE=$PR_BASE
}

# cp_http METHOD PATH [curl args...] — it_http against the profile's nginx.
cp_http() { it_http --base "$CP_BASE" "$@"; }

cp_admin() { "$IT_ADMIN_BIN" --config "$CP_CONF" "$@"; }

# cp_sql SQL — one value (or rows, tab separated, unescaped) from the
# profile's database.
cp_sql() { it_sql "$CP_DB" -N -B -r -e "$1"; }

# cp_token USER — a Sanctum token from logout-fcgi-admin create-token; sets
# T_ID (the row id) and T_TOKEN ("<id>|<secret>").
cp_token() {
	local out
	out=$(cp_admin create-token --user "$1" 2>&1) || { it_log "create-token: $out"; return 1; }
	T_ID=$(printf '%s\n' "$out" | sed -n 's/^token_id=//p')
	T_TOKEN=$(printf '%s\n' "$out" | sed -n 's/^token=//p')
	[ -n "$T_ID" ] && [ -n "$T_TOKEN" ] || { it_log "create-token: $out"; return 1; }
	it_remember_token "$T_TOKEN"
}

# cp_laravel_token USER [TYPE] — a token made here the way Laravel's
# HasApiTokens::createToken() makes it (Str::random(40) + crc32b, the row
# holding hash('sha256', ...)), without the admin tool; sets T_ID T_TOKEN.
cp_laravel_token() {
	local type=${2:-App\\\\Models\\\\User} plain
	plain=$(/usr/bin/python3 -c '
import secrets, string, zlib
r = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
print(r + format(zlib.crc32(r.encode()) & 0xffffffff, "08x"))')
	T_ID=$(cp_sql "INSERT INTO personal_access_tokens (tokenable_type, tokenable_id, name,
		token, abilities, created_at, updated_at) VALUES ('$type', $1, 'laravel',
		SHA2('$plain', 256), '[\"*\"]', UTC_TIMESTAMP(), UTC_TIMESTAMP());
		SELECT LAST_INSERT_ID()") || return 1
	T_TOKEN="$T_ID|$plain"
	it_remember_token "$T_TOKEN"
}

# cp_pyjwt SUB EXP_IN — an HS256 JWT from PyJWT (Debian's python3-jwt), signed
# with the fastapi profile's SECRET_KEY string as a FastAPI app signs it. The
# key is read from its file inside Python, never passed on a command line.
cp_pyjwt() {
	/usr/bin/python3 - "$IT_KEYDIR/fastapi.secret" "$1" "$2" <<'PY'
import sys, time, jwt
secret = open(sys.argv[1]).read()
print(jwt.encode({"sub": sys.argv[2], "exp": int(time.time()) + int(sys.argv[3])},
                 secret, algorithm="HS256"))
PY
}

# cp_verify TOKEN STATUS — the gate ({prefix}/verify, served directly by
# the profile's nginx) answers TOKEN with STATUS.
cp_verify() {
	cp_http GET /api/v1/auth/verify -H "Authorization: Bearer $1"
	expect_eq "$H_STATUS" "$2" "the gate's answer"
}

# cp_expect_body BYTES — the body is exactly BYTES (no trailing newline either).
cp_expect_body() {
	expect_eq "$H_BODY" "$1" "body"
	expect_eq "$H_BODY_BYTES" "${#1}" "body length"
}

# One login, session count and expired token per profile, for cases that
# replay one contract against both native and sanctum ("cp_${profile}_login"):
# cp_X_login USER sets TOK (one more session of USER); cp_X_count USER the
# user's sessions; cp_X_expired USER prints an expired token of USER.
cp_native_login() { local IT_CONF=$CP_CONF; it_session "$1" && TOK=$S_ACCESS; }
cp_native_count() { it_db_count "user_id = $1"; }
cp_native_expired() { local IT_CONF=$CP_CONF; it_mint --sub "$1" --sid "$S_SID" --exp-in -30; }
cp_sanctum_login() { cp_token "$1" && TOK=$T_TOKEN; }
cp_sanctum_count() { cp_sql "SELECT COUNT(*) FROM personal_access_tokens WHERE tokenable_id = $1"; }
cp_sanctum_expired() {
	cp_token "$1" &&
		cp_sql "UPDATE personal_access_tokens SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE WHERE id = $T_ID" &&
		printf '%s' "$T_TOKEN"
}

# SPDX-License-Identifier: ISC
# tests/integration/lib.sh — helpers for the integration suite (sourced).
#
# Brings up, under one private directory, everything a logout request
# crosses on its way: a throw-away MariaDB (own datadir, socket and port),
# nginx rendered from deploy/nginx/, and logout-fcgi workers started by
# spawn-fcgi. Every daemon is stopped by the PID it was started with.
# deploy/quickstart sources this file too, with a persistent directory.
#
# Needs: top_srcdir, top_builddir (absolute; set by `make check`).
# bash only; no `set -e` (the suite records failures instead of dying).

# ---------------------------------------------------------------- layout

# it_layout DIR — every path the suite uses, under DIR.
it_layout() {
	IT_DIR=$1
	IT_DB_DATADIR=$IT_DIR/db
	IT_DB_SOCK=$IT_DIR/mysql.sock
	IT_DB_PIDFILE=$IT_DIR/mariadbd.pid
	IT_DB_ERRLOG=$IT_DIR/mariadbd.err
	IT_DB_PASSFILE=$IT_DIR/db.pass
	IT_NGINX_DIR=$IT_DIR/nginx
	IT_NGINX_PIDFILE=$IT_NGINX_DIR/nginx.pid
	IT_FCGI_SOCK=$IT_DIR/logout-fcgi.sock
	IT_WORKER_PIDFILE=$IT_DIR/logout-fcgi.pid
	IT_WORKER_LOG=$IT_DIR/logout-fcgi.log
	IT_CONF=$IT_DIR/logout-fcgi.conf
	IT_CONF_ALT=$IT_DIR/logout-fcgi-alt.conf
	IT_KEYDIR=$IT_DIR/keys
	IT_WORKER_BIN=$top_builddir/src/logout-fcgi
	IT_ADMIN_BIN=$top_builddir/src/logout-fcgi-admin
	IT_MARIADB=$(command -v mariadb || command -v mysql)
	IT_MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
	IT_NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	: "${IT_DB_PORT:=}" "${IT_HTTP_PORT:=}"
}

it_log() { printf '# %s\n' "$*"; }
it_die() { printf 'it: %s\n' "$*" >&2; return 1; }

# it_have_tools — 0 when every external program is present; names the
# missing ones on stdout.
it_missing_tools() {
	local t missing=
	for t in mariadbd mariadb-install-db nginx spawn-fcgi curl; do
		command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing="$missing $t"
	done
	command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1 ||
		missing="$missing mariadb"
	printf '%s' "${missing# }"
}

# ---------------------------------------------------------------- processes

# it_alive PID — running and not a zombie.
it_alive() {
	local pid=$1 state
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ] && [ -n "$state" ]
}

# it_stop_pid PID NAME [SECONDS] — SIGTERM, wait with a deadline, then SIGKILL.
it_stop_pid() {
	local pid=$1 name=$2 secs=${3:-20} deadline
	it_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + secs))
	while it_alive "$pid"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			it_log "$name (pid $pid) ignored SIGTERM for ${secs}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
			break
		fi
		sleep 0.05
	done
	return 0
}

# it_pidfile_read FILE — the number in FILE, or nothing.
it_pidfile_read() {
	local p=
	[ -r "$1" ] && read -r p <"$1"
	case $p in '' | *[!0-9]*) return 1 ;; esac
	printf '%s' "$p"
}

# it_wait_until SECONDS CMD... — poll CMD every 50 ms until it succeeds.
it_wait_until() {
	local secs=$1 deadline
	shift
	deadline=$((SECONDS + secs))
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# ---------------------------------------------------------------- ports

# it_port_in_use PORT — something listens on PORT (IPv4 or IPv6).
it_port_in_use() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p="$hex" 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); if (a[n] == p) f = 1 }
		END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

it_free_port() {
	local i p
	for i in $(seq 1 100); do
		# below Linux's ephemeral range (32768-60999): a port a client
		# connection happens to use cannot be picked
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		it_port_in_use "$p" || { printf '%s' "$p"; return 0; }
	done
	return 1
}

# ---------------------------------------------------------------- MariaDB

it_sql() { # it_sql [mariadb args...] -e SQL — as root, over the private socket
	"$IT_MARIADB" --no-defaults -S "$IT_DB_SOCK" -uroot --connect-timeout=5 "$@"
}

# it_db_count WHERE — rows of user_sessions matching WHERE (or all).
it_db_count() {
	it_sql -N -B app -e "SELECT COUNT(*) FROM user_sessions${1:+ WHERE $1}" 2>&1
}

it_db_ping() { it_sql -N -B -e 'SELECT 1' >/dev/null 2>&1; }

# it_db_init — a fresh datadir (once per directory).
it_db_init() {
	[ -d "$IT_DB_DATADIR/mysql" ] && return 0
	mkdir -p "$IT_DB_DATADIR" "$IT_DIR/tmp"
	local userarg=
	[ "$(id -u)" = 0 ] && userarg=--user=root
	if ! mariadb-install-db --no-defaults $userarg --datadir="$IT_DB_DATADIR" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve >"$IT_DIR/install-db.log" 2>&1; then
		cat "$IT_DIR/install-db.log" >&2
		it_die "mariadb-install-db failed"
		return 1
	fi
}

# it_db_start — start mariadbd on the datadir; waits for the socket.
# IT_DB_ARGS: more server options (later ones win; tests/bench sizes the
# buffer pool and connection limit with it).
it_db_start() {
	local userarg= pid deadline
	[ "$(id -u)" = 0 ] && userarg=--user=root
	[ -n "$IT_DB_PORT" ] || IT_DB_PORT=$(it_free_port) || { it_die "no free port"; return 1; }
	printf '%s\n' "$IT_DB_PORT" >"$IT_DIR/mariadbd.port"
	mkdir -p "$IT_DIR/tmp"
	: >>"$IT_DB_ERRLOG"
	# setsid: the server outlives a terminal hang-up (quickstart); the suite
	# stops it by PID in any case.
	setsid "$IT_MARIADBD" --no-defaults $userarg \
		--datadir="$IT_DB_DATADIR" --socket="$IT_DB_SOCK" \
		--port="$IT_DB_PORT" --bind-address=127.0.0.1 \
		--pid-file="$IT_DB_PIDFILE" --log-error="$IT_DB_ERRLOG" \
		--tmpdir="$IT_DIR/tmp" \
		--innodb-flush-log-at-trx-commit=1 --skip-name-resolve \
		--innodb-buffer-pool-size=32M --skip-log-bin \
		--max-connections=50 ${IT_DB_ARGS:-} \
		</dev/null >>"$IT_DB_ERRLOG" 2>&1 &
	pid=$!
	printf '%s\n' "$pid" >"$IT_DIR/mariadbd.ourpid"
	deadline=$((SECONDS + 30))
	until [ -S "$IT_DB_SOCK" ] && it_db_ping; do
		if ! it_alive "$pid"; then
			it_log "mariadbd exited during start-up; error log:"
			tail -n 30 "$IT_DB_ERRLOG" | sed 's/^/#   /'
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			it_log "mariadbd not ready after 30s; error log:"
			tail -n 30 "$IT_DB_ERRLOG" | sed 's/^/#   /'
			it_stop_pid "$pid" mariadbd 10
			return 1
		fi
		sleep 0.05
	done
	# setsid may have forked: trust the server's own pid file.
	pid=$(it_pidfile_read "$IT_DB_PIDFILE") && printf '%s\n' "$pid" >"$IT_DIR/mariadbd.ourpid"
	IT_DB_PID=$(it_pidfile_read "$IT_DIR/mariadbd.ourpid")
	return 0
}

it_db_pid() { it_pidfile_read "$IT_DIR/mariadbd.ourpid"; }

# it_db_stop — stop the server we started, by PID.
it_db_stop() {
	local pid
	pid=$(it_db_pid) || return 0
	it_stop_pid "$pid" mariadbd 30
	rm -f "$IT_DIR/mariadbd.ourpid"
}

# it_db_provision — database app, schema, user logout with a password file.
it_db_provision() {
	local pw
	if [ ! -s "$IT_DB_PASSFILE" ]; then
		pw=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
		(umask 077; printf '%s' "$pw" >"$IT_DB_PASSFILE")
	fi
	pw=$(cat "$IT_DB_PASSFILE")
	it_sql -e "CREATE DATABASE IF NOT EXISTS app" || return 1
	it_sql app <"$top_srcdir/sql/schema.sql" || return 1
	it_sql -e "
		CREATE USER IF NOT EXISTS 'logout'@'localhost' IDENTIFIED BY '$pw';
		CREATE USER IF NOT EXISTS 'logout'@'127.0.0.1' IDENTIFIED BY '$pw';
		GRANT SELECT, INSERT, DELETE ON app.* TO 'logout'@'localhost';
		GRANT SELECT, INSERT, DELETE ON app.* TO 'logout'@'127.0.0.1';" || return 1
}

# it_db_reset — no sessions at all (fresh rows per test).
it_db_reset() {
	it_sql app -e "SET SESSION lock_wait_timeout = 5; TRUNCATE TABLE user_sessions"
}

# ---------------------------------------------------------------- config

# it_key_new FILE — base64 of 32 random bytes.
it_key_new() {
	(umask 077; head -c 32 /dev/urandom | base64 >"$1")
}

# it_config_render SRC OUT — SRC (a file shaped like deploy/logout-fcgi.conf)
# with the private DB filled in. IT_CONF_TIMEOUTS="c r w" overrides the DB
# timeouts where SRC sets them. Run as root, the suite (and the quickstart)
# keeps every file root's own, 0600, under a 0700 directory, and starts the
# workers as root: the config says so with allow_root = yes (t_privs
# starts them with a user instead; README, "Privileges and the socket").
it_config_render() {
	local t=${IT_CONF_TIMEOUTS:-2 5 5} ct rt wt root=
	read -r ct rt wt <<EOF
$t
EOF
	[ "$(id -u)" = 0 ] &&
		root='\n; started as root, with root-only files: serve as root (a demo, a test)\nallow_root = yes'
	sed -e "s|^socket =.*|socket = $IT_DB_SOCK|" \
		-e '/^allow_root =/d' -e "s|^\\[server\\]\$|[server]$root|" \
		-e "s|^password_file =.*|password_file = $IT_DB_PASSFILE|" \
		-e "s|^user =.*|user = logout|" \
		-e "s|^connect_timeout =.*|connect_timeout = $ct|" \
		-e "s|^read_timeout =.*|read_timeout = $rt|" \
		-e "s|^write_timeout =.*|write_timeout = $wt|" \
		"$1" >"$2" || return 1
	grep -q "^socket = $IT_DB_SOCK\$" "$2" &&
		grep -q "^password_file = $IT_DB_PASSFILE\$" "$2" ||
		{ it_die "$1 lacks the socket/password_file keys"; return 1; }
	chmod 600 "$2"
}

# it_config_write — keys and the config from deploy/logout-fcgi.conf, with
# the private DB filled in. Also writes IT_CONF_ALT: the same plus a key
# "nosuch" the workers do not know (for unknown-kid tokens).
it_config_write() {
	mkdir -p "$IT_KEYDIR"
	[ -s "$IT_KEYDIR/main.key" ] || it_key_new "$IT_KEYDIR/main.key"
	[ -s "$IT_KEYDIR/nosuch.key" ] || it_key_new "$IT_KEYDIR/nosuch.key"
	it_config_render "$top_srcdir/deploy/logout-fcgi.conf" "$IT_CONF" || return 1
	{
		cat "$IT_CONF"
		printf '\n[key nosuch]\nalg = HS256\nsecret_file = keys/nosuch.key\nencoding = base64\n'
	} >"$IT_CONF_ALT"
	chmod 600 "$IT_CONF_ALT"
}

# ---------------------------------------------------------------- profiles

# it_profile_db NAME — the database deploy/profiles/NAME.conf names.
it_profile_db() {
	sed -n 's/^name = //p' "$top_srcdir/deploy/profiles/$1.conf" | head -n 1
}

# it_profile_provision NAME — the profile's database with its framework's
# tables (sql/compat) and the logout user's grants (UPDATE: FastAPI revokes
# refresh tokens, Sanctum may stamp last_used_at).
it_profile_provision() {
	local db schema
	db=$(it_profile_db "$1") || return 1
	case $1 in
	native) schema=sql/schema.sql ;;
	fastapi) schema=sql/compat/fastapi.sql ;;
	sanctum | sanctum-all) schema=sql/compat/laravel-sanctum.sql ;;
	*) it_die "no such profile: $1"; return 1 ;;
	esac
	it_sql -e "CREATE DATABASE IF NOT EXISTS \`$db\`" &&
		it_sql "$db" <"$top_srcdir/$schema" &&
		it_sql -e "
		GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO 'logout'@'localhost';
		GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO 'logout'@'127.0.0.1';"
}

# it_profile_config NAME OUT — deploy/profiles/NAME.conf rendered for the
# private DB into OUT (keep OUT next to IT_CONF, so keys/ is the suite's key
# dir). The fastapi profile's key is a FastAPI-style SECRET_KEY: 64 hex
# characters, used as they are.
it_profile_config() {
	mkdir -p "$IT_KEYDIR"
	[ -s "$IT_KEYDIR/main.key" ] || it_key_new "$IT_KEYDIR/main.key"
	[ -s "$IT_KEYDIR/fastapi.secret" ] ||
		(umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$IT_KEYDIR/fastapi.secret")
	it_config_render "$top_srcdir/deploy/profiles/$1.conf" "$2"
}

# ---------------------------------------------------------------- nginx

# it_nginx_upstream SOCK OUT — deploy/nginx/logout-fcgi-upstream.conf (the
# upstream the shipped locations pass to) with the workers' socket SOCK.
it_nginx_upstream() {
	sed -e "s|unix:@runstatedir@/logout-fcgi/logout-fcgi.sock|unix:$1|" \
		"$top_srcdir/deploy/nginx/logout-fcgi-upstream.conf.in" >"$2" || return 1
	grep -q "unix:$1;" "$2" ||
		{ it_die "deploy/nginx/logout-fcgi-upstream.conf.in: server unix:... not found"; return 1; }
}

# it_nginx_render — nginx.conf for IT_NGINX_DIR with the shipped location
# file IT_NGINX_LOCATION (default logout-fcgi: kept FastCGI connections;
# logout-fcgi-nokeep: one connection per request) as logout-fcgi.conf.
it_nginx_render() {
	local fcgi_params conf_dir user_line= loc=${IT_NGINX_LOCATION:-logout-fcgi}
	conf_dir=$(dirname "$("$IT_NGINX" -V 2>&1 | tr ' ' '\n' | sed -n 's/^--conf-path=//p')")
	fcgi_params=$conf_dir/fastcgi_params
	[ -r "$fcgi_params" ] || fcgi_params=/etc/nginx/fastcgi_params
	[ -r "$fcgi_params" ] || { it_die "no fastcgi_params"; return 1; }
	mkdir -p "$IT_NGINX_DIR/tmp"
	cp "$fcgi_params" "$IT_NGINX_DIR/fastcgi_params"
	[ "$(id -u)" = 0 ] && user_line='user root;'
	# IT_NGINX_USER: the user nginx's workers run as (nginx started as root).
	[ -n "${IT_NGINX_USER:-}" ] && user_line="user $IT_NGINX_USER;"
	it_nginx_upstream "$IT_FCGI_SOCK" "$IT_NGINX_DIR/logout-fcgi-upstream.conf" || return 1
	sed -e "s|unix:@runstatedir@/logout-fcgi/logout-fcgi.sock|unix:$IT_FCGI_SOCK|" \
		"$top_srcdir/deploy/nginx/$loc.conf.in" >"$IT_NGINX_DIR/logout-fcgi.conf" || return 1
	sed -e "s|@PREFIX@|$IT_NGINX_DIR|g" -e "s|@PORT@|$IT_HTTP_PORT|g" \
		-e "s|@SOCKET@|$IT_FCGI_SOCK|g" -e "s|@USER_LINE@|$user_line|g" \
		-e "s|@UPSTREAM_CONF@|$IT_NGINX_DIR/logout-fcgi-upstream.conf|g" \
		-e "s|@LOCATION_CONF@|$IT_NGINX_DIR/logout-fcgi.conf|g" \
		"$top_srcdir/deploy/nginx/nginx.conf.in" >"$IT_NGINX_DIR/nginx.conf"
}

# it_nginx_start — render and start (daemon on); a few tries at a free port
# unless IT_HTTP_PORT was fixed by the caller.
it_nginx_start() {
	local try fixed=$IT_HTTP_PORT pid
	for try in 1 2 3 4 5; do
		[ -n "$fixed" ] || IT_HTTP_PORT=$(it_free_port) || return 1
		it_nginx_render || return 1
		rm -f "$IT_NGINX_PIDFILE"
		if "$IT_NGINX" -p "$IT_NGINX_DIR" -c "$IT_NGINX_DIR/nginx.conf" \
			-e "$IT_NGINX_DIR/error.log" >>"$IT_NGINX_DIR/start.log" 2>&1 &&
			it_wait_until 10 test -s "$IT_NGINX_PIDFILE"; then
			pid=$(it_pidfile_read "$IT_NGINX_PIDFILE") &&
				printf '%s\n' "$pid" >"$IT_DIR/nginx.ourpid"
			IT_BASE=http://127.0.0.1:$IT_HTTP_PORT
			printf '%s\n' "$IT_HTTP_PORT" >"$IT_DIR/nginx.port"
			return 0
		fi
		[ -n "$fixed" ] && break
	done
	it_log "nginx did not start:"
	sed 's/^/#   /' "$IT_NGINX_DIR/start.log" "$IT_NGINX_DIR/error.log" 2>/dev/null | tail -n 20
	return 1
}

it_nginx_stop() {
	local pid
	pid=$(it_pidfile_read "$IT_DIR/nginx.ourpid") || return 0
	it_stop_pid "$pid" nginx 10
	rm -f "$IT_DIR/nginx.ourpid"
}

# ---------------------------------------------------------------- workers

# it_workers_start [CONF] — spawn-fcgi binds the socket (mode 0660) and
# forks one worker serving it on fd 0. spawn-fcgi points the child's
# stdout/stderr at /dev/null, so the worker is exec'd through sh with
# stderr appended to IT_WORKER_LOG (same PID: sh execs it).
it_workers_start() {
	local conf=${1:-$IT_CONF} threads=${IT_THREADS:-2} pid
	rm -f "$IT_WORKER_PIDFILE"
	if ! spawn-fcgi -s "$IT_FCGI_SOCK" -M 0660 -P "$IT_WORKER_PIDFILE" -- \
		/bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "$IT_WORKER_LOG" \
		"$IT_WORKER_BIN" --config "$conf" --threads "$threads" \
		>>"$IT_DIR/spawn-fcgi.log" 2>&1; then
		it_log "spawn-fcgi failed:"
		sed 's/^/#   /' "$IT_DIR/spawn-fcgi.log"
		return 1
	fi
	pid=$(it_pidfile_read "$IT_WORKER_PIDFILE") || { it_die "no worker pid file"; return 1; }
	printf '%s\n' "$pid" >"$IT_DIR/worker.ourpid"
	IT_WORKER_PID=$pid
	return 0
}

it_worker_pid() { it_pidfile_read "$IT_DIR/worker.ourpid"; }

it_workers_stop() {
	local pid
	pid=$(it_worker_pid) || return 0
	it_stop_pid "$pid" logout-fcgi 15
	rm -f "$IT_DIR/worker.ourpid" "$IT_FCGI_SOCK"
}

# it_workers_restart — fresh suite workers (same config), ready to serve.
it_workers_restart() {
	it_workers_stop
	it_workers_start || { t_fail "could not restart the workers"; return 1; }
	it_http_ready 10 || { t_fail "restarted workers not ready"; return 1; }
}

# it_http_ready SECONDS — the whole chain answers (a 401 to a bare POST to
# IT_READY_PATH, default the logout path).
it_http_ready() {
	local deadline=$((SECONDS + $1)) code pid
	pid=$(it_worker_pid)
	while :; do
		it_http --max-time 3 --status-only POST "${IT_READY_PATH:-/api/v1/auth/logout}"
		code=$H_STATUS
		[ "$code" = 401 ] && return 0
		if ! it_alive "$pid"; then
			it_log "worker (pid $pid) exited; its log:"
			tail -n 30 "$IT_WORKER_LOG" 2>/dev/null | sed 's/^/#   /'
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			it_log "no 401 from POST /logout within $1 s (last status '$code'); worker log:"
			tail -n 30 "$IT_WORKER_LOG" 2>/dev/null | sed 's/^/#   /'
			tail -n 10 "$IT_NGINX_DIR/error.log" 2>/dev/null | sed 's/^/#   /'
			return 1
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------- whole stack

# it_stack_up — DB, schema, config, workers, nginx; 0 when all answer.
it_stack_up() {
	it_db_init || return 1
	# a random port may be taken between the check and the bind: retry
	# (IT_DB_PORT stays as chosen, so a restart reuses it)
	it_db_start || { IT_DB_PORT=; it_db_start; } || return 1
	it_db_provision && it_config_write &&
		it_workers_start && it_nginx_start && it_http_ready 15
}

# it_cleanup — stop everything started under IT_DIR, by PID; remove IT_DIR
# unless IT_KEEP=1 (or the suite failed and IT_KEEP_ON_FAIL=1).
it_cleanup() {
	[ -n "${IT_DIR:-}" ] && [ -d "$IT_DIR" ] || return 0
	it_nginx_stop
	it_workers_stop
	it_db_stop
	if [ "${IT_KEEP:-0}" = 1 ]; then
		it_log "kept $IT_DIR"
	else
		rm -rf "$IT_DIR"
	fi
}

# ---------------------------------------------------------------- admin tool

it_admin() { "$IT_ADMIN_BIN" --config "$IT_CONF" "$@"; }

# it_session USER — create a session; sets S_USER S_SID S_ACCESS S_REFRESH S_JTI.
it_session() {
	local out line
	S_USER= S_SID= S_ACCESS= S_REFRESH= S_JTI=
	out=$(it_admin create-session --user "$1" 2>&1) || {
		it_log "create-session --user $1 failed: $out"
		return 1
	}
	while IFS= read -r line; do
		case $line in
		user_id=*) S_USER=${line#*=} ;;
		session_id=*) S_SID=${line#*=} ;;
		access_token=*) S_ACCESS=${line#*=} ;;
		refresh_token=*) S_REFRESH=${line#*=} ;;
		refresh_jti=*) S_JTI=${line#*=} ;;
		esac
	done <<EOF
$out
EOF
	[ -n "$S_ACCESS" ] && [ -n "$S_REFRESH" ] || {
		it_log "create-session --user $1: unexpected output: $out"
		return 1
	}
	it_remember_token "$S_ACCESS"
	it_remember_token "$S_REFRESH"
	return 0
}

# Every token the suite handles, so that it can prove none is logged
# (it_expect_log_clean; only when IT_RECORD_TOKENS=1: quickstart keeps no
# token files).
it_remember_token() {
	[ "${IT_RECORD_TOKENS:-0}" = 1 ] && [ -n "$1" ] && printf '%s\n' "$1" >>"$IT_DIR/tokens"
	return 0
}

# it_expect_log_clean LOG TOKENS MIN — t_fail when LOG holds a token of
# the file TOKENS (one a line), a token's signature or payload segment, the
# text of a key file of IT_KEYDIR, the database password or SQL text; and
# when fewer than MIN tokens were there to check.
it_expect_log_clean() {
	local log=$1 n=0 tok sig payload k key
	while IFS= read -r tok; do
		[ -n "$tok" ] || continue
		n=$((n + 1))
		grep -q -F -- "$tok" "$log" && t_fail "a token appears in the log: ${tok:0:20}..."
		sig=${tok##*.}
		[ ${#sig} -ge 16 ] && grep -q -F -- "$sig" "$log" && t_fail "a token signature appears in the log"
		payload=$(printf '%s' "$tok" | cut -d. -f2)
		[ ${#payload} -ge 16 ] && grep -q -F -- "$payload" "$log" && t_fail "a token payload appears in the log"
	done <"$2"
	[ "$n" -ge "$3" ] || t_fail "only $n tokens recorded, want $3 at least"
	for k in "$IT_KEYDIR"/*.key; do
		key=$(tr -d '\n' <"$k")
		grep -q -F -- "$key" "$log" && t_fail "key $(basename "$k") appears in the log"
	done
	grep -q -F -- "$(cat "$IT_DB_PASSFILE")" "$log" && t_fail "the DB password appears in the log"
	grep -qi -E 'DELETE FROM|SELECT 1 FROM' "$log" && t_fail "SQL text appears in the log"
	t_note "$log: $(wc -l <"$log") lines, $n tokens checked"
}

# it_mint ARGS... — one token from `mint` (on stdout), remembered.
it_mint() {
	local tok
	tok=$(it_admin mint "$@" 2>/dev/null) || return 1
	tok=$(printf '%s' "$tok" | tail -n 1)
	it_remember_token "$tok"
	printf '%s' "$tok"
}

# ---------------------------------------------------------------- HTTP

# it_http [OPTIONS] METHOD PATH [curl args...] — one request, sent by curl:
# the suite's one way of making a request and reading its answer. Sets
# H_STATUS (000: no answer), H_TIME (seconds) and H_RC (curl's exit
# status); unless --status-only, also H_BODY (the body's bytes as they
# came, up to a NUL), H_BODY_BYTES and the header file H_HEADERS (read it
# with it_hdr). Options, before METHOD:
#   --base URL       send to URL instead of IT_BASE (another server or port)
#   --max-time SECS  give up after SECS (default 20): H_STATUS 000
#   --status-only    keep neither headers nor body, write no file: for
#                    polls and for requests that run at once (it_http_bg)
it_http() {
	local base=${IT_BASE:-} max=20 only=0 method path out err keep
	while :; do
		case $1 in
		--base) base=$2; shift 2 ;;
		--max-time) max=$2; shift 2 ;;
		--status-only) only=1; shift ;;
		*) break ;;
		esac
	done
	method=$1 path=$2
	shift 2
	if [ "$only" = 1 ]; then
		keep=(-o /dev/null) err=/dev/null
	else
		H_HEADERS=$IT_DIR/last.headers
		: >"$H_HEADERS"
		: >"$IT_DIR/last.body"
		keep=(-D "$H_HEADERS" -o "$IT_DIR/last.body") err=$IT_DIR/last.curlerr
	fi
	out=$(curl -sS --noproxy '*' --max-time "$max" -X "$method" "${keep[@]}" \
		-w '%{http_code} %{time_total}' "$@" "$base$path" 2>"$err")
	H_RC=$?
	if [ "$only" != 1 ]; then
		H_BODY=
		IFS= read -r -d '' H_BODY <"$IT_DIR/last.body"
		H_BODY_BYTES=$(wc -c <"$IT_DIR/last.body")
	fi
	H_STATUS=${out%% *}
	H_TIME=${out#* }
	return 0
}

# it_http_bg OUT [OPTIONS] METHOD PATH [curl args...] — it_http
# --status-only in the background (for requests that must run at once,
# or one in flight while the test does something else); OUT gets the
# status and a newline. $! is its process: `wait` for it.
it_http_bg() {
	local out=$1
	shift
	(
		it_http --status-only "$@"
		printf '%s\n' "$H_STATUS" >"$out"
	) &
}

# it_http_config MAX CONFIG [curl args...] — every transfer of the curl
# config file CONFIG (one request each, separated by "next"), MAX at a
# time, by one curl: what the transfers' write-out prints goes to stdout.
# For load: thousands of requests without a process each (and without
# curl's progress meter, which -s alone does not keep off). The curl args
# come before CONFIG (curl applies them to its first transfer).
it_http_config() {
	local max=$1 cfg=$2
	shift 2
	curl -s --no-progress-meter --noproxy '*' "$@" --parallel --parallel-max "$max" --config "$cfg"
}

# it_hdr NAME — value of the (last) response header NAME, CR stripped.
it_hdr() {
	tr -d '\r' <"$H_HEADERS" | awk -v n="$1" 'BEGIN { n = tolower(n) }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) {
			v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); last = v } }
		END { if (last != "") print last }'
}

# it_hdr_count NAME — how many times NAME appears.
it_hdr_count() {
	tr -d '\r' <"$H_HEADERS" | awk -v n="$1" 'BEGIN { n = tolower(n); c = 0 }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) c++ }
		END { print c }'
}

IT_UUID_RE='[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'

it_uuid_new() {
	local h
	h=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-4%s-a%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
}

# ---------------------------------------------------------------- assertions
#
# t_begin NAME ... t_end: one assertion group = one `ok`/`not ok` line.
# Results go to IT_DIR/results so case files may run in subshells.

t_begin() {
	T_NAME=$1
	T_FAILS=()
	T_DIAG=()
	if [ "${2:-}" != keep ]; then
		it_db_reset >/dev/null 2>&1 || t_fail "could not reset user_sessions"
	fi
}

t_fail() { T_FAILS+=("$*"); }
t_note() { T_DIAG+=("$*"); }

t_end() {
	local m
	if [ "${#T_FAILS[@]}" -eq 0 ]; then
		printf 'ok - %s\n' "$T_NAME"
		echo ok >>"$IT_DIR/results"
	else
		printf 'not ok - %s\n' "$T_NAME"
		for m in "${T_FAILS[@]}"; do printf '#   %s\n' "$m"; done
		for m in "${T_DIAG[@]}"; do printf '#   %s\n' "$m"; done
		if [ -n "${H_STATUS:-}" ]; then
			printf '#   last response: %s, body: %s\n' "$H_STATUS" "$(printf '%s' "${H_BODY:-}" | head -c 400)"
		fi
		echo "not ok" >>"$IT_DIR/results"
	fi
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || t_fail "$3: got '$1', want '$2'"
}

# expect_match GOT ERE WHAT — whole-string extended regex match.
expect_match() {
	[[ $1 =~ ^$2$ ]] || t_fail "$3: '$(printf '%s' "$1" | head -c 300)' does not match /$2/"
}

expect_status() { expect_eq "$H_STATUS" "$1" "HTTP status"; }

# expect_count WHERE N — row count of user_sessions.
expect_count() {
	local got
	got=$(it_db_count "$1")
	[ "$got" = "$2" ] || t_fail "rows where ${1:-true}: got '$got', want '$2'"
}

# The headers every response carries.
expect_common_headers() {
	local rid
	expect_eq "$(it_hdr Cache-Control)" "no-store" "Cache-Control"
	rid=$(it_hdr X-Request-Id)
	expect_match "$rid" "$IT_UUID_RE" "X-Request-Id"
}

IT_MSG_RE='"([^"\\]|\\.)*"'

# expect_error STATUS CODE [ERRORS_JSON] — the envelope error body with
# trace_id equal to the X-Request-Id header; ERRORS_JSON literal, default {}.
expect_error() {
	local errs_re
	errs_re=$(printf '%s' "${3:-"{}"}" | sed 's/[][{}.*+?()|^$\\]/\\&/g')
	expect_error_re "$1" "$2" "$errs_re"
}

# expect_error_re STATUS CODE ERRORS_ERE — same, errors member as a regex.
expect_error_re() {
	local status=$1 code=$2 errs_re=$3 rid
	expect_status "$status"
	expect_common_headers
	rid=$(it_hdr X-Request-Id)
	expect_match "$(it_hdr Content-Type)" 'application/json(;.*)?' "Content-Type"
	expect_match "$H_BODY" "\\{\"success\":false,\"message\":$IT_MSG_RE,\"code\":\"$code\",\"errors\":$errs_re,\"trace_id\":\"$rid\"\\}" "error body"
	if [ "$status" = 401 ]; then
		case $(it_hdr WWW-Authenticate) in
		Bearer*) ;;
		*) t_fail "401 without WWW-Authenticate: Bearer (got '$(it_hdr WWW-Authenticate)')" ;;
		esac
	fi
}

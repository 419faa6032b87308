# SPDX-License-Identifier: ISC
# tests/integration/servers.sh — logout-fcgi behind each real web server
# (sourced by t_servers.sh, after lib.sh).
#
# Every server runs privately on 127.0.0.1 from a directory under $IT_DIR
# (config, pid, logs, temp files), with its config rendered by sed from the
# files under deploy/<server>/ — so what ships is what is tested. Every
# process started here is recorded in $IT_DIR/servers.ourpids and stopped by
# its PID (with the descendants it spawned: mod_fcgid and lighttpd bin-path
# workers); srv_cleanup stops whatever is left.
#
# Apache will not run its children as root, so they run as www-data
# (SRV_APACHE_USER); for them the suite directory is opened to that group
# (mode 0710) while an Apache variant runs, and closed again afterwards.

SRV_APACHE=$(command -v apache2 || command -v httpd || echo /usr/sbin/apache2)
SRV_LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
SRV_APACHE_MODDIR=${SRV_APACHE_MODDIR:-/usr/lib/apache2/modules}
SRV_APACHE_USER=${SRV_APACHE_USER:-www-data}
SRV_APACHE_GROUP=${SRV_APACHE_GROUP:-www-data}
SRV_PIDS=$IT_DIR/servers.ourpids
SRV_LOGOUT_ALL_BODY='{"success":true,"data":{"message":"Logged out from all devices"}}'

# ---------------------------------------------------------------- processes

srv_track() { printf '%s %s\n' "$1" "$2" >>"$SRV_PIDS"; }

# srv_descendants PID — every live descendant of PID, one per line (from
# /proc: no procps needed).
srv_descendants() {
	local f line rest pid ppid
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		pid=${line%% *}
		rest=${line##*) } # after "(comm) ": state ppid ...
		ppid=${rest#* }
		printf '%s %s\n' "$pid" "${ppid%% *}"
	done | awk -v root="$1" '
		{ parent[$1] = $2; pids[++n] = $1 }
		END {
			want[root] = 1
			do {
				more = 0
				for (i = 1; i <= n; i++) {
					p = pids[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; more = 1 }
				}
			} while (more)
			for (p in want) if (p != root) print p
		}'
}

# srv_stop PID NAME — SIGTERM the server, wait; then stop, by PID, any
# descendant it left behind (a leak is reported through SRV_LEFTOVER).
srv_stop() {
	local pid=$1 name=$2 kids k
	SRV_LEFTOVER=
	it_alive "$pid" || return 0
	kids=$(srv_descendants "$pid")
	it_stop_pid "$pid" "$name" 15
	for k in $kids; do
		# a child gets a few seconds to notice its parent's shutdown
		it_wait_until 5 srv_dead "$k" && continue
		SRV_LEFTOVER="$SRV_LEFTOVER $k($(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null | cut -c1-60))"
		it_stop_pid "$k" "$name child" 5
	done
	sed -i "/^$pid /d" "$SRV_PIDS" 2>/dev/null
	return 0
}

srv_dead() { ! it_alive "$1"; }

# srv_cleanup — stop every process this file started (EXIT trap).
srv_cleanup() {
	local pid name list
	if [ -s "$SRV_PIDS" ]; then
		list=$(tac "$SRV_PIDS")
		while read -r pid name; do
			srv_stop "$pid" "$name"
		done <<EOF
$list
EOF
	fi
	srv_www_close
}

# srv_www_open — let the Apache user traverse $IT_DIR (mode 0710, group
# SRV_APACHE_GROUP): its children reach the worker socket, mod_fcgid's
# directory and the worker binary; nothing in $IT_DIR is readable to it
# unless a file's own mode says so.
srv_www_open() {
	[ -e "$IT_DIR/.www-open" ] && return 0
	stat -c '%g %a' "$IT_DIR" >"$IT_DIR/.www-open" &&
		chgrp "$SRV_APACHE_GROUP" "$IT_DIR" && chmod 0710 "$IT_DIR"
}

srv_www_close() {
	local gid mode
	[ -s "$IT_DIR/.www-open" ] || return 0
	read -r gid mode <"$IT_DIR/.www-open"
	chgrp "$gid" "$IT_DIR" && chmod "$mode" "$IT_DIR" && rm -f "$IT_DIR/.www-open"
}

# ---------------------------------------------------------------- variants

# srv_have VARIANT PROGRAM — PROGRAM is installed; else the variant is
# skipped (a failure when CI=true: packages.txt lists every server).
srv_have() {
	[ -x "$2" ] && return 0
	if [ "${CI:-}" = true ]; then
		t_begin "$1: $2 installed" keep
		t_fail "$2 missing (deploy/packages.txt)"
		t_end
	else
		it_log "SKIP $1: $2 not installed"
	fi
	return 1
}

# start_failed VARIANT — one failing group for a variant that did not start.
start_failed() {
	t_begin "$1: start-up" keep
	t_fail "could not start the $1 stack (see the lines above)"
	t_end
}

# ---------------------------------------------------------------- users

SRV_USER_COMMENT="logout-fcgi tests"

# srv_user_ensure NAME HOME — the unprivileged account NAME exists (created
# when missing, with a group of its name, no login shell and the comment
# SRV_USER_COMMENT) and its home in the password database, which
# mod_userdir looks up, is HOME. Idempotent: an account left by an earlier
# run is reused and pointed at HOME.
srv_user_ensure() {
	local name=$1 home=$2 group=-U
	if getent passwd "$name" >/dev/null; then
		[ "$(getent passwd "$name" | cut -d: -f6)" = "$home" ] ||
			usermod -d "$home" "$name" >/dev/null || return 1
	else
		getent group "$name" >/dev/null && group="-g $name"
		useradd -M -d "$home" -s /usr/sbin/nologin $group -c "$SRV_USER_COMMENT" "$name" ||
			return 1
	fi
	[ "$(getent passwd "$name" | cut -d: -f6)" = "$home" ]
}

# srv_as USER CMD... — CMD as USER with its groups, from its home, in a
# login-like environment (HOME, USER, LOGNAME, a plain PATH) and nothing of
# ours: no LOGOUT_FCGI_CONFIG, no make flags.
srv_as() {
	local user=$1 home gid
	shift
	home=$(getent passwd "$user" | cut -d: -f6) && gid=$(id -g "$user") || return 1
	(cd "$home" && setpriv --reuid="$user" --regid="$gid" --init-groups -- \
		env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/sh LANG=C \
		PATH=/usr/local/bin:/usr/bin:/bin "$@")
}

# srv_user_pids UID — the live processes whose real or effective uid is UID.
srv_user_pids() {
	local f pid key ruid euid rest
	for f in /proc/[0-9]*/status; do
		key=
		while read -r key ruid euid rest; do
			[ "$key" = Uid: ] && break
		done 2>/dev/null <"$f"
		[ "$key" = Uid: ] && { [ "$ruid" = "$1" ] || [ "$euid" = "$1" ]; } || continue
		pid=${f#/proc/}
		pid=${pid%/status}
		it_alive "$pid" && printf '%s\n' "$pid"
	done
}

# ---------------------------------------------------------------- workers

# srv_worker_spawn DIR CONF [spawn-fcgi options...] — one worker under
# spawn-fcgi on DIR/worker.sock (mode 0660), stderr to DIR/worker.log;
# SRV_THREADS threads (default 2). Sets SRV_WORKER_PID, SRV_WORKER_SOCK.
srv_worker_spawn() {
	local dir=$1 conf=$2 pid
	shift 2
	SRV_WORKER_SOCK=$dir/worker.sock
	rm -f "$dir/worker.pid" "$SRV_WORKER_SOCK"
	if ! spawn-fcgi -s "$SRV_WORKER_SOCK" -M 0660 -P "$dir/worker.pid" "$@" -- \
		/bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "$dir/worker.log" \
		"$IT_WORKER_BIN" --config "$conf" --threads "${SRV_THREADS:-2}" \
		>>"$dir/spawn-fcgi.log" 2>&1; then
		it_log "spawn-fcgi failed:"
		sed 's/^/#   /' "$dir/spawn-fcgi.log"
		return 1
	fi
	pid=$(it_pidfile_read "$dir/worker.pid") || { it_die "no worker pid file in $dir"; return 1; }
	srv_track "$pid" "logout-fcgi($dir)"
	SRV_WORKER_PID=$pid
}

# srv_worker_program DIR — install the worker as DIR/logout-fcgi, for a
# web server that starts it itself (mod_fcgid, lighttpd bin-path) as
# possibly another user: a copy of the binary, mode 0755. It takes its
# config from LOGOUT_FCGI_CONFIG; a worker too old to know the variable gets
# a wrapper that passes it as --config (noted in the log).
srv_worker_program() {
	local dir=$1
	if LOGOUT_FCGI_CONFIG=$IT_CONF "$IT_WORKER_BIN" --check-config >/dev/null 2>&1; then
		install -m 0755 "$IT_WORKER_BIN" "$dir/logout-fcgi" || return 1
	else
		it_log "the worker ignores LOGOUT_FCGI_CONFIG: starting it through a --config wrapper" >&2
		install -m 0755 "$IT_WORKER_BIN" "$dir/logout-fcgi.real" || return 1
		printf '#!/bin/sh\nexec "%s" --config "$LOGOUT_FCGI_CONFIG" "$@"\n' \
			"$dir/logout-fcgi.real" >"$dir/logout-fcgi"
		chmod 0755 "$dir/logout-fcgi"
	fi
	printf '%s' "$dir/logout-fcgi"
}

# srv_config_prefixed SRC DEST PREFIX KEYDIR — SRC with [server] path_prefix
# = PREFIX, and relative key files (keys/NAME) taken from KEYDIR: DEST may
# live in another directory than SRC.
srv_config_prefixed() {
	(umask 077; sed -e "s|^path_prefix =.*|path_prefix = $3|" \
		-e "s|^secret_file = keys/|secret_file = $4/|" "$1" >"$2") &&
		grep -q "^path_prefix = $3\$" "$2" || { it_die "path_prefix not set in $2"; return 1; }
}

# ---------------------------------------------------------------- HTTP

# srv_http BASE METHOD PATH [curl args...] — it_http against BASE.
srv_http() {
	local base=$1
	shift
	it_http --base "$base" "$@"
}

# srv_ready BASE PATH SECONDS PID LOGS... — the chain answers: a 401 to a
# bodiless POST of PATH; on failure (PID gone, or the deadline) show LOGS.
srv_ready() {
	local base=$1 path=$2 secs=$3 pid=$4 deadline code f
	shift 4
	deadline=$((SECONDS + secs))
	while :; do
		it_http --base "$base" --max-time 3 --status-only POST "$path" -H 'Content-Length: 0'
		code=$H_STATUS
		[ "$code" = 401 ] && return 0
		if ! it_alive "$pid" || [ "$SECONDS" -ge "$deadline" ]; then
			it_log "no 401 from POST $base$path within $secs s (last status '$code', pid $pid)"
			for f in "$@"; do
				[ -s "$f" ] && { it_log "$f:"; tail -n 15 "$f" | sed 's/^/#   /'; }
			done
			return 1
		fi
		sleep 0.05
	done
}

# srv_port_answers PORT — something answers HTTP on 127.0.0.1:PORT.
srv_port_answers() {
	it_http --base "http://127.0.0.1:$1" --max-time 2 --status-only GET /
	[ "$H_RC" = 0 ]
}

# srv_unix_conns SOCK — inodes of the accepted (worker-side) connections of
# the unix socket SOCK that are established now, one per line.
srv_unix_conns() {
	awk -v p="$1" 'NR > 1 && $8 == p && $6 == "03" { print $7 }' /proc/net/unix
}

# srv_unix_conns_at_most SOCK N — at most N such connections are open.
srv_unix_conns_at_most() { [ "$(srv_unix_conns "$1" | grep -c .)" -le "$2" ]; }

# srv_unix_clients_at_least SOCK N — at least N connections to SOCK are
# open: accepted, or waiting in its backlog (state 02, no inode yet).
srv_unix_clients_at_least() {
	[ "$(awk -v p="$1" 'NR > 1 && $8 == p && ($6 == "02" || $6 == "03")' /proc/net/unix | wc -l)" -ge "$2" ]
}

# ---------------------------------------------------------------- the contract

# contract_cases BASE PREFIX [LABEL] — the cases every deployment must pass,
# against BASE (http://127.0.0.1:PORT) with the endpoints under PREFIX.
# Bodiless POSTs carry Content-Length: 0, as browsers and HTTP libraries
# send them (lighttpd answers 411 without it).
contract_cases() {
	local base=$1 p=$2 v=${3:-$SRV_VARIANT} a b_sid b_refresh a_sid pad body
	local nobody='Content-Length: 0' json='Content-Type: application/json'

	t_begin "$v: logout 204, empty body, session row gone, others kept"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	it_session 42; b_sid=$S_SID
	it_session 7
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$nobody"
	expect_status 204
	expect_eq "$H_BODY_BYTES" 0 "body length"
	expect_common_headers
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 1
	expect_count "user_id = 7" 1
	t_end

	t_begin "$v: repeated logout 401 UNAUTHORIZED, envelope, WWW-Authenticate"
	it_session 42; a=$S_ACCESS
	it_session 42
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$nobody"
	expect_status 204
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$nobody"
	expect_error 401 UNAUTHORIZED
	expect_match "$(it_hdr WWW-Authenticate)" 'Bearer +error="invalid_token".*' "WWW-Authenticate"
	expect_count "user_id = 42" 1
	t_end

	t_begin "$v: logout with refresh_token of another session of the user: that row gone"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	it_session 42; b_sid=$S_SID; b_refresh=$S_REFRESH
	it_session 43
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$json" \
		--data-binary "{\"refresh_token\":\"$b_refresh\"}"
	expect_status 204
	expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
	expect_count "user_id = 43" 1
	t_end

	t_begin "$v: logout-all 200 with the fixed body, every row of the user gone"
	it_session 42; a=$S_ACCESS
	it_session 42
	it_session 42
	it_session 43
	srv_http "$base" POST "$p/logout-all" -H "Authorization: Bearer $a" -H "$nobody"
	expect_status 200
	expect_eq "$H_BODY" "$SRV_LOGOUT_ALL_BODY" "body"
	expect_match "$(it_hdr Content-Type)" 'application/json(;.*)?' "Content-Type"
	expect_common_headers
	expect_count "user_id = 42" 0
	expect_count "user_id = 43" 1
	t_end

	t_begin "$v: 404 NOT_FOUND from the worker for an unknown path under the prefix"
	it_session 42; a=$S_ACCESS
	srv_http "$base" POST "$p/nosuch" -H "Authorization: Bearer $a" -H "$nobody"
	expect_error 404 NOT_FOUND
	srv_http "$base" POST "$p/logout/extra" -H "Authorization: Bearer $a" -H "$nobody"
	expect_error 404 NOT_FOUND
	expect_count "user_id = 42" 1
	t_end

	t_begin "$v: 405 METHOD_NOT_ALLOWED for GET, Allow: POST"
	it_session 42; a=$S_ACCESS
	srv_http "$base" GET "$p/logout" -H "Authorization: Bearer $a"
	expect_error 405 METHOD_NOT_ALLOWED
	expect_eq "$(it_hdr Allow)" POST "Allow"
	srv_http "$base" GET "$p/logout-all" -H "Authorization: Bearer $a"
	expect_error 405 METHOD_NOT_ALLOWED
	expect_eq "$(it_hdr Allow)" POST "Allow (logout-all)"
	expect_count "user_id = 42" 1
	t_end

	t_begin "$v: 413 PAYLOAD_TOO_LARGE for a 5000-byte JSON body (max_body 4096)"
	it_session 42; a=$S_ACCESS
	body=$(srv_json_body 5000)
	expect_eq "${#body}" 5000 "test body length"
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$json" --data-binary "$body"
	expect_error 413 PAYLOAD_TOO_LARGE
	expect_count "user_id = 42" 1
	t_end

	t_begin "$v: 415 UNSUPPORTED_MEDIA_TYPE for a text/plain body"
	it_session 42; a=$S_ACCESS
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H 'Content-Type: text/plain' \
		--data-binary '{"all_devices":true}'
	expect_error 415 UNSUPPORTED_MEDIA_TYPE
	expect_count "user_id = 42" 1
	t_end
}

# srv_json_body N — a JSON object of exactly N bytes.
srv_json_body() {
	printf '{"pad":"%s"}' "$(head -c $(($1 - 10)) /dev/zero | tr '\0' a)"
}

# ---------------------------------------------------------------- nginx

# srv_nginx_start DIR SOCK LOCATIONS — nginx from deploy/nginx/nginx.conf.in
# with the server-level file LOCATIONS as its location conf, and
# logout-fcgi-upstream.conf (the upstream of the shipped locations) and its
# catch-all location to the worker on SOCK. Sets SRV_BASE, SRV_PID.
srv_nginx_start() {
	local dir=$1 sock=$2 loc=$3 user_line='' conf_dir fcgi_params try port pid
	mkdir -p "$dir/tmp"
	conf_dir=$(dirname "$("$IT_NGINX" -V 2>&1 | tr ' ' '\n' | sed -n 's/^--conf-path=//p')")
	fcgi_params=$conf_dir/fastcgi_params
	[ -r "$fcgi_params" ] || fcgi_params=/etc/nginx/fastcgi_params
	cp "$fcgi_params" "$dir/fastcgi_params" || return 1
	it_nginx_upstream "$sock" "$dir/logout-fcgi-upstream.conf" || return 1
	[ "$(id -u)" = 0 ] && user_line='user root;'
	for try in 1 2 3; do
		port=$(it_free_port) || return 1
		sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
			-e "s|@SOCKET@|$sock|g" -e "s|@USER_LINE@|$user_line|g" \
			-e "s|@UPSTREAM_CONF@|$dir/logout-fcgi-upstream.conf|g" \
			-e "s|@LOCATION_CONF@|$loc|g" \
			"$top_srcdir/deploy/nginx/nginx.conf.in" >"$dir/nginx.conf"
		rm -f "$dir/nginx.pid"
		if "$IT_NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
			>>"$dir/start.log" 2>&1 && it_wait_until 10 test -s "$dir/nginx.pid"; then
			pid=$(it_pidfile_read "$dir/nginx.pid") || return 1
			srv_track "$pid" "nginx($dir)"
			SRV_PID=$pid SRV_BASE=http://127.0.0.1:$port
			return 0
		fi
	done
	it_log "nginx ($dir) did not start:"
	tail -n 20 "$dir/start.log" "$dir/error.log" 2>/dev/null | sed 's/^/#   /'
	return 1
}

# srv_nginx_keepconn_start DIR SOCK — nginx with logout-fcgi.conf as
# shipped (kept FastCGI connections, through logout-fcgi-upstream.conf) to
# the worker on SOCK. Sets SRV_BASE, SRV_PID.
srv_nginx_keepconn_start() {
	mkdir -p "$1" && cp "$top_srcdir/deploy/nginx/logout-fcgi.conf.in" "$1/logout-fcgi.conf" &&
		srv_nginx_start "$1" "$2" "$1/logout-fcgi.conf"
}

# srv_nginx_nokeep_start DIR SOCK — nginx with logout-fcgi-nokeep.conf (one
# FastCGI connection per request) to the worker on SOCK. Sets SRV_BASE,
# SRV_PID.
srv_nginx_nokeep_start() {
	mkdir -p "$1" && srv_render "$top_srcdir/deploy/nginx/logout-fcgi-nokeep.conf.in" \
		"$1/logout-fcgi-nokeep.conf" "unix:@runstatedir@/logout-fcgi/logout-fcgi.sock=unix:$2" &&
		srv_nginx_start "$1" "$2" "$1/logout-fcgi-nokeep.conf"
}

# ---------------------------------------------------------------- Apache

# srv_apache_start DIR SNIPPET — Apache from deploy/apache/httpd.conf.in
# including SNIPPET (rendered already), in the foreground under our PID.
# Sets SRV_BASE, SRV_PID.
srv_apache_start() {
	local dir=$1 snippet=$2 try port pid
	mkdir -p "$dir/run" "$dir/htdocs"
	for try in 1 2 3; do
		port=$(it_free_port) || return 1
		sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
			-e "s|@MODDIR@|$SRV_APACHE_MODDIR|g" \
			-e "s|@USER@|$SRV_APACHE_USER|g" -e "s|@GROUP@|$SRV_APACHE_GROUP|g" \
			-e "s|@SNIPPET@|$snippet|g" \
			"$top_srcdir/deploy/apache/httpd.conf.in" >"$dir/httpd.conf"
		if ! "$SRV_APACHE" -f "$dir/httpd.conf" -t >>"$dir/start.log" 2>&1; then
			it_log "apache2 -t refused $dir/httpd.conf:"
			tail -n 10 "$dir/start.log" | sed 's/^/#   /'
			return 1
		fi
		rm -f "$dir/apache2.pid"
		"$SRV_APACHE" -f "$dir/httpd.conf" -DFOREGROUND </dev/null >>"$dir/start.log" 2>&1 &
		pid=$!
		srv_track "$pid" "apache2($dir)"
		if it_wait_until 10 srv_apache_up "$pid" "$port" "$dir" && it_alive "$pid"; then
			SRV_PID=$pid SRV_BASE=http://127.0.0.1:$port
			return 0
		fi
		srv_stop "$pid" apache2
		grep -q 'Address already in use' "$dir/error.log" "$dir/start.log" 2>/dev/null || break
	done
	it_log "apache2 did not start:"
	tail -n 20 "$dir/start.log" "$dir/error.log" 2>/dev/null | sed 's/^/#   /'
	return 1
}

# srv_apache_up PID PORT DIR — Apache is serving (or PID is gone).
srv_apache_up() { ! it_alive "$1" || { test -s "$3/apache2.pid" && srv_port_answers "$2"; }; }

# ---------------------------------------------------------------- lighttpd

# srv_lighttpd_start DIR SNIPPET — lighttpd from deploy/lighttpd/
# lighttpd.conf.in including SNIPPET, in the foreground (-D) under our PID.
# Sets SRV_BASE, SRV_PID.
srv_lighttpd_start() {
	local dir=$1 snippet=$2 try port pid
	mkdir -p "$dir/htdocs" "$dir/tmp"
	for try in 1 2 3; do
		port=$(it_free_port) || return 1
		sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@SNIPPET@|$snippet|g" \
			"$top_srcdir/deploy/lighttpd/lighttpd.conf.in" >"$dir/lighttpd.conf"
		if ! "$SRV_LIGHTTPD" -tt -f "$dir/lighttpd.conf" >>"$dir/start.log" 2>&1; then
			it_log "lighttpd -tt refused $dir/lighttpd.conf:"
			tail -n 10 "$dir/start.log" | sed 's/^/#   /'
			return 1
		fi
		"$SRV_LIGHTTPD" -D -f "$dir/lighttpd.conf" </dev/null >>"$dir/start.log" 2>&1 &
		pid=$!
		srv_track "$pid" "lighttpd($dir)"
		if it_wait_until 10 srv_lighttpd_up "$pid" "$port" && it_alive "$pid"; then
			SRV_PID=$pid SRV_BASE=http://127.0.0.1:$port
			return 0
		fi
		srv_stop "$pid" lighttpd
		grep -q 'Address already in use' "$dir/error.log" "$dir/start.log" 2>/dev/null || break
	done
	it_log "lighttpd did not start:"
	tail -n 20 "$dir/start.log" "$dir/error.log" 2>/dev/null | sed 's/^/#   /'
	return 1
}

# srv_lighttpd_up PID PORT — lighttpd is serving (or PID is gone).
srv_lighttpd_up() { ! it_alive "$1" || srv_port_answers "$2"; }

# srv_render SRC DEST FROM=TO... — copy SRC to DEST replacing each literal
# FROM with TO (| free), failing when a FROM does not occur in SRC: the
# shipped file must still contain the path the test swaps.
srv_render() {
	local src=$1 dest=$2 pair from to args=()
	shift 2
	for pair in "$@"; do
		from=${pair%%=*} to=${pair#*=}
		grep -qF -- "$from" "$src" || { it_die "$src: '$from' not found"; return 1; }
		args+=(-e "s|$from|$to|g")
	done
	sed "${args[@]}" "$src" >"$dest"
}

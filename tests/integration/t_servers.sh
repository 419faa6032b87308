# SPDX-License-Identifier: ISC
# t_servers.sh — the same contract behind every supported web server setup:
#   nginx-keepconn   nginx as shipped (fastcgi_keep_conn on + upstream
#                    keepalive) on a worker of its own with 2 threads
#   nginx-nokeep     nginx, logout-fcgi-nokeep.conf: a connection a request
#   apache-proxy     Apache 2.4 + mod_proxy_fcgi to a spawn-fcgi worker
#   apache-fcgid     Apache 2.4 + mod_fcgid starting the workers itself
#   lighttpd-spawn   lighttpd mod_fastcgi "bin-path" starting the worker
#   lighttpd-socket  lighttpd mod_fastcgi "socket" to the suite's worker
#   lighttpd-prefix  the same, mounted under /auth/api/v1/auth
# (nginx as shipped is also the main suite's own stack). Each server runs privately
# from a directory under $IT_DIR with the config rendered from the templates
# under deploy/ (NAME.in, the files `make` renders with the configured
# paths): the test substitutes its own paths for the same placeholders.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/servers.sh"
trap srv_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

P=/api/v1/auth
JSON='Content-Type: application/json'

# chunked_cases BASE PREFIX — request bodies in chunked transfer coding
# (no Content-Length from the client) reach the worker and obey max_body.
chunked_cases() {
	local base=$1 p=$2 a a_sid b_sid b_refresh body
	local te='Transfer-Encoding: chunked'

	t_begin "$SRV_VARIANT: chunked body: refresh_token logout 204, 5000 bytes 413, 4096 bytes accepted"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	it_session 42; b_sid=$S_SID; b_refresh=$S_REFRESH
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$JSON" -H "$te" \
		--data-binary "{\"refresh_token\":\"$b_refresh\"}"
	expect_status 204
	expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
	body=$(srv_json_body 5000)
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$JSON" -H "$te" \
		--data-binary "$body"
	expect_error 413 PAYLOAD_TOO_LARGE
	expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
	body=$(srv_json_body 4096)
	srv_http "$base" POST "$p/logout" -H "Authorization: Bearer $a" -H "$JSON" -H "$te" \
		--data-binary "$body"
	expect_status 204
	expect_count "user_id = 42" 0
	t_end
}

# ================================================================ nginx keep-conn

# keepconn_idle_cases SOCK WORKER — more idle kept connections than the
# worker's threads (SRV_THREADS, 2) hold no thread: with nginx's pool
# filled with 16 of them, a new FastCGI connection straight to SOCK and
# 20 requests at once through nginx (the kept connections and new ones) are
# all answered within seconds; a worker that parked a thread on each kept
# connection would answer none of them before nginx's 60 s timeout.
keepconn_idle_cases() {
	local sock=$1 worker=$2 toks=() pids=() i n out t0 ms
	t_begin "$SRV_VARIANT: 16 idle kept connections on 2 threads: new connections and requests still served at once"
	for i in $(seq 1 36); do it_session 60 && toks+=("$S_ACCESS"); done
	it_session 61
	# Filling the pool: the worker stopped, nginx opens a connection for
	# each of 16 requests at once; once they are answered it keeps all 16.
	rm -rf "$d/fill" "$d/more"
	mkdir -p "$d/fill" "$d/more"
	kill -STOP "$worker"
	for i in $(seq 0 15); do
		it_http_bg "$d/fill/$i" --base "$SRV_BASE" --max-time 30 POST "$P/logout" \
			-H "Authorization: Bearer ${toks[$i]}" -H 'Content-Length: 0'
		pids+=($!)
	done
	it_wait_until 10 srv_unix_clients_at_least "$sock" 16 ||
		t_fail "nginx opened fewer than 16 connections to the worker"
	kill -CONT "$worker"
	wait "${pids[@]}"
	expect_eq "$(cat "$d"/fill/* | sort | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" "16*204 " "statuses filling the pool"
	n=$(srv_unix_conns "$sock" | grep -c .)
	t_note "idle kept connections: $n (threads: 2)"
	[ "$n" -ge 16 ] || t_fail "$n idle kept connections, want 16"
	# A new connection next to them, straight to the worker.
	t0=$(date +%s%N)
	out=$(python3 "$top_srcdir/tests/integration/fcgi_hostile.py" "$sock" valid)
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_eq "$out" "answered 401" "a new FastCGI connection"
	[ "$ms" -lt 3000 ] || t_fail "the new connection was answered after $ms ms"
	# 20 at once through nginx: 16 on the kept connections, 4 on new ones.
	pids=()
	t0=$(date +%s%N)
	for i in $(seq 16 35); do
		it_http_bg "$d/more/$i" --base "$SRV_BASE" --max-time 10 POST "$P/logout" \
			-H "Authorization: Bearer ${toks[$i]}" -H 'Content-Length: 0'
		pids+=($!)
	done
	wait "${pids[@]}"
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_eq "$(cat "$d"/more/* | sort | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" "20*204 " "statuses of 20 at once"
	[ "$ms" -lt 5000 ] || t_fail "20 requests at once took $ms ms"
	expect_count "user_id = 60" 0
	expect_count "user_id = 61" 1
	grep -E 'upstream timed out|prematurely closed|no live upstreams' "$d/error.log" >/dev/null &&
		t_fail "nginx: $(grep -E 'upstream timed out|prematurely closed|no live upstreams' "$d/error.log" | tail -n 1)"
	t_end
}

# nginx_variant START — SRV_VARIANT's directory (d), a worker of its own
# with 2 threads (srv_worker_spawn's default) and nginx started by START
# DIR SOCK, answering; sets V_WORKER, V_SOCK.
nginx_variant() {
	d=$IT_DIR/$SRV_VARIANT
	mkdir -p "$d"
	srv_worker_spawn "$d" "$IT_CONF" && V_WORKER=$SRV_WORKER_PID && V_SOCK=$SRV_WORKER_SOCK &&
		"$1" "$d" "$V_SOCK" &&
		srv_ready "$SRV_BASE" "$P/logout" 15 "$V_WORKER" "$d/worker.log" "$d/error.log"
}

nginx_variant_stop() {
	[ -n "${SRV_PID:-}" ] && srv_stop "$SRV_PID" nginx
	[ -n "${V_WORKER:-}" ] && srv_stop "$V_WORKER" logout-fcgi
	SRV_PID='' SRV_BASE='' V_WORKER=''
}

# 2 threads, far fewer than the upstream's keepalive pool
# (deploy/nginx/logout-fcgi-upstream.conf)
SRV_VARIANT=nginx-keepconn
if nginx_variant srv_nginx_keepconn_start; then
	contract_cases "$SRV_BASE" "$P"

	t_begin "$SRV_VARIANT: six requests on one client connection; kept FastCGI connection reused"
	it_session 42; a1=$S_ACCESS; a1_sid=$S_SID
	it_session 42; a2=$S_ACCESS; a2_sid=$S_SID
	it_session 42; b_sid=$S_SID; b_refresh=$S_REFRESH
	it_session 43; c=$S_ACCESS
	it_session 43
	it_session 44
	big=$(srv_json_body 5000)
	w='%{http_code} %{num_connects}\n'
	# --next keeps curl's connection: num_connects is 0 on a reused one.
	# The 405 and 413 are refused before the worker reads the request body:
	# it reads what is left of it then (the acceptor waited for all of it),
	# so the kept FastCGI connection stays in step for the next request,
	# which must never see a 502.
	out=$(curl -sS --noproxy '*' --max-time 20 \
		-o /dev/null -w "$w" -X POST -H "Authorization: Bearer $a1" -H 'Content-Length: 0' \
		"$SRV_BASE$P/logout" --next \
		-o /dev/null -w "$w" -X POST -H "Authorization: Bearer $a1" -H 'Content-Length: 0' \
		"$SRV_BASE$P/logout" --next \
		-o /dev/null -w "$w" "$SRV_BASE$P/logout" --next \
		-o /dev/null -w "$w" -X POST -H "Authorization: Bearer $a2" -H "$JSON" \
		--data-binary "$big" "$SRV_BASE$P/logout" --next \
		-o /dev/null -w "$w" -X POST -H "Authorization: Bearer $a2" -H "$JSON" \
		--data-binary "{\"refresh_token\":\"$b_refresh\"}" "$SRV_BASE$P/logout" --next \
		-o /dev/null -w "$w" -X POST -H "Authorization: Bearer $c" -H 'Content-Length: 0' \
		"$SRV_BASE$P/logout-all" 2>&1 | tr '\n' ' ')
	expect_eq "$out" "204 1 401 0 405 0 413 0 204 0 200 0 " "status and new connections per request"
	expect_count "session_hash = UNHEX(SHA2('$a1_sid', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 0
	expect_count "session_hash = UNHEX(SHA2('$a2_sid', 256))" 1
	expect_count "user_id = 43" 0
	expect_count "user_id = 44" 1
	# nginx keeps its FastCGI connection open after a served request, and
	# the next request goes over that same connection.
	kept=$(srv_unix_conns "$V_SOCK")
	expect_eq "$(printf '%s' "$kept" | grep -c .)" 1 "FastCGI connections kept open"
	srv_http "$SRV_BASE" POST "$P/logout" -H "Authorization: Bearer $a2" -H 'Content-Length: 0'
	expect_status 204
	expect_count "user_id = 42" 0
	expect_eq "$(srv_unix_conns "$V_SOCK")" "$kept" "kept connection (socket inode) after one more request"
	t_end

	t_begin "$SRV_VARIANT: 20 bodies over max_body between requests: 413s, no 502, FastCGI connection kept"
	# A body over max_body that fits the acceptor's window is read after
	# the 413, so the kept connection survives it: nginx may put its next
	# request on it at once.
	args=()
	for i in $(seq 1 20); do
		args+=(-o /dev/null -w '%{http_code} ' -X POST -H "$JSON" --data-binary "$big"
			"$SRV_BASE$P/logout" --next
			-o /dev/null -w '%{http_code} ' -X POST -H 'Content-Length: 0' "$SRV_BASE$P/logout")
		[ "$i" = 20 ] || args+=(--next)
	done
	out=$(curl -sS --noproxy '*' --max-time 30 "${args[@]}" 2>&1)
	expect_eq "$out" "$(for i in $(seq 1 20); do printf '413 401 '; done)" "statuses"
	expect_eq "$(srv_unix_conns "$V_SOCK")" "$kept" "kept connection (socket inode) after the 413s"
	t_end

	keepconn_idle_cases "$V_SOCK" "$V_WORKER"
else
	start_failed "$SRV_VARIANT"
fi
nginx_variant_stop

# ================================================================ nginx, no kept connections

SRV_VARIANT=nginx-nokeep
if nginx_variant srv_nginx_nokeep_start; then
	contract_cases "$SRV_BASE" "$P"
	chunked_cases "$SRV_BASE" "$P"

	t_begin "$SRV_VARIANT: no FastCGI connection stays open after its request"
	it_session 42; a=$S_ACCESS
	out=$(curl -sS --noproxy '*' --max-time 20 -o /dev/null -w '%{http_code} ' \
		-X POST -H "Authorization: Bearer $a" -H 'Content-Length: 0' "$SRV_BASE$P/logout" --next \
		-o /dev/null -w '%{http_code} ' -X POST -H "Authorization: Bearer $a" -H 'Content-Length: 0' \
		"$SRV_BASE$P/logout" 2>&1)
	expect_eq "$out" "204 401 " "statuses"
	it_wait_until 5 srv_unix_conns_at_most "$V_SOCK" 0 ||
		t_fail "$(srv_unix_conns "$V_SOCK" | wc -l) FastCGI connections still open, want none"
	t_end
else
	start_failed "$SRV_VARIANT"
fi
nginx_variant_stop

# ================================================================ Apache

if srv_have apache-proxy "$SRV_APACHE" && srv_www_open; then
	# -------------------------------------------- mod_proxy_fcgi
	SRV_VARIANT=apache-proxy
	d=$IT_DIR/$SRV_VARIANT
	mkdir -p "$d" && chgrp "$SRV_APACHE_GROUP" "$d" && chmod 0750 "$d"
	# the worker's socket: root:www-data 0660, as the README says
	if srv_worker_spawn "$d" "$IT_CONF" -G "$SRV_APACHE_GROUP" && ap_worker=$SRV_WORKER_PID &&
		srv_render "$top_srcdir/deploy/apache/logout-fcgi-proxy.conf.in" "$d/logout-fcgi-proxy.conf" \
			"@runstatedir@/logout-fcgi/logout-fcgi.sock=$SRV_WORKER_SOCK" &&
		srv_apache_start "$d" "$d/logout-fcgi-proxy.conf" &&
		srv_ready "$SRV_BASE" "$P/logout" 15 "$SRV_PID" "$d/error.log" "$d/worker.log"; then
		contract_cases "$SRV_BASE" "$P"
		chunked_cases "$SRV_BASE" "$P"
	else
		start_failed "$SRV_VARIANT"
	fi
	[ -n "${SRV_PID:-}" ] && srv_stop "$SRV_PID" apache2
	[ -n "${ap_worker:-}" ] && srv_stop "$ap_worker" logout-fcgi
	SRV_PID='' SRV_BASE=''

	# -------------------------------------------- mod_fcgid
	SRV_VARIANT=apache-fcgid
	d=$IT_DIR/$SRV_VARIANT
	mkdir -p "$d/bin" "$d/etc/keys" && chgrp -R "$SRV_APACHE_GROUP" "$d" && chmod 0750 "$d" "$d/etc" "$d/etc/keys"
	# mod_fcgid's workers run as www-data: a config it may read, with the
	# database over TCP (the private socket is in a root-only place), its
	# own copies of the key and the password file, and one thread (mod_fcgid
	# sends a process one request at a time).
	if sed -e "s|^socket =.*|socket =|" -e "s|^hosts =.*|hosts = 127.0.0.1:$IT_DB_PORT|" \
		-e "s|^password_file =.*|password_file = $d/etc/db.pass|" -e "s|^threads =.*|threads = 1|" \
		"$IT_CONF" >"$d/etc/logout-fcgi.conf" &&
		grep -q "^hosts = 127.0.0.1:$IT_DB_PORT\$" "$d/etc/logout-fcgi.conf" &&
		cp "$IT_KEYDIR/main.key" "$d/etc/keys/main.key" && cp "$IT_DB_PASSFILE" "$d/etc/db.pass" &&
		chgrp "$SRV_APACHE_GROUP" "$d/etc/logout-fcgi.conf" "$d/etc/keys/main.key" "$d/etc/db.pass" &&
		chmod 0640 "$d/etc/logout-fcgi.conf" "$d/etc/keys/main.key" "$d/etc/db.pass" &&
		prog=$(srv_worker_program "$d") && ln -s "$prog" "$d/bin/logout-fcgi" &&
		srv_render "$top_srcdir/deploy/apache/logout-fcgi-fcgid.conf.in" "$d/logout-fcgi-fcgid.conf" \
			"@pkglibexecdir@=$d/bin" "@sysconfdir@/logout-fcgi/logout-fcgi.conf=$d/etc/logout-fcgi.conf" &&
		srv_apache_start "$d" "$d/logout-fcgi-fcgid.conf" &&
		srv_ready "$SRV_BASE" "$P/logout" 15 "$SRV_PID" "$d/error.log"; then
		contract_cases "$SRV_BASE" "$P"
		chunked_cases "$SRV_BASE" "$P"

		t_begin "$SRV_VARIANT: workers started by mod_fcgid as $SRV_APACHE_USER; SCRIPT_NAME+PATH_INFO joined"
		users=
		for k in $(srv_descendants "$SRV_PID"); do
			[ "$(readlink "/proc/$k/exe" 2>/dev/null)" = "$(readlink -f "$d/bin/logout-fcgi")" ] &&
				users="$users $(stat -c %U "/proc/$k")"
		done
		case $users in
		'') t_fail "no logout-fcgi process among Apache's descendants" ;;
		*[!\ ]*)
			for u in $users; do
				[ "$u" = "$SRV_APACHE_USER" ] || t_fail "a worker runs as $u"
			done
			;;
		esac
		t_note "worker users:$users"
		# /api/v1/auth itself: SCRIPT_NAME only, no PATH_INFO: the worker's 404
		it_session 42; a=$S_ACCESS
		srv_http "$SRV_BASE" POST "$P" -H "Authorization: Bearer $a" -H 'Content-Length: 0'
		expect_error 404 NOT_FOUND
		srv_http "$SRV_BASE" POST "$P/logout?x=1" -H "Authorization: Bearer $a" -H 'Content-Length: 0'
		expect_status 204
		expect_count "user_id = 42" 0
		t_end

		t_begin "$SRV_VARIANT: stopping Apache stops the workers mod_fcgid started" keep
		srv_stop "$SRV_PID" apache2
		[ -z "$SRV_LEFTOVER" ] || t_fail "left running (stopped by the test):$SRV_LEFTOVER"
		t_end
	else
		start_failed "$SRV_VARIANT"
	fi
	[ -n "${SRV_PID:-}" ] && srv_stop "$SRV_PID" apache2
	SRV_PID='' SRV_BASE=''
	srv_www_close
fi

# ================================================================ lighttpd

if srv_have lighttpd "$SRV_LIGHTTPD"; then
	# -------------------------------------------- bin-path
	SRV_VARIANT=lighttpd-spawn
	d=$IT_DIR/$SRV_VARIANT
	mkdir -p "$d"
	if prog=$(srv_worker_program "$d") &&
		srv_render "$top_srcdir/deploy/lighttpd/90-logout-fcgi-spawn.conf.in" "$d/90-logout-fcgi-spawn.conf" \
			"@bindir@/logout-fcgi=$prog" "/run/lighttpd/logout-fcgi.sock=$d/spawn.sock" \
			"@sysconfdir@/logout-fcgi/logout-fcgi.conf=$IT_CONF" &&
		srv_lighttpd_start "$d" "$d/90-logout-fcgi-spawn.conf" &&
		srv_ready "$SRV_BASE" "$P/logout" 15 "$SRV_PID" "$d/error.log"; then
		contract_cases "$SRV_BASE" "$P"

		t_begin "$SRV_VARIANT: stopping lighttpd stops the worker it started" keep
		n=0
		for k in $(srv_descendants "$SRV_PID"); do
			[ "$(readlink "/proc/$k/exe" 2>/dev/null)" = "$(readlink -f "$prog")" ] && n=$((n + 1))
		done
		expect_eq "$n" 1 "worker processes under lighttpd (max-procs 1)"
		srv_stop "$SRV_PID" lighttpd
		[ -z "$SRV_LEFTOVER" ] || t_fail "left running (stopped by the test):$SRV_LEFTOVER"
		t_end
	else
		start_failed "$SRV_VARIANT"
	fi
	[ -n "${SRV_PID:-}" ] && srv_stop "$SRV_PID" lighttpd
	SRV_PID='' SRV_BASE=''

	# -------------------------------------------- socket (the suite's worker)
	SRV_VARIANT=lighttpd-socket
	d=$IT_DIR/$SRV_VARIANT
	mkdir -p "$d"
	if srv_render "$top_srcdir/deploy/lighttpd/90-logout-fcgi.conf.in" "$d/90-logout-fcgi.conf" \
		"@runstatedir@/logout-fcgi/logout-fcgi.sock=$IT_FCGI_SOCK" &&
		srv_lighttpd_start "$d" "$d/90-logout-fcgi.conf" &&
		srv_ready "$SRV_BASE" "$P/logout" 15 "$SRV_PID" "$d/error.log" "$IT_WORKER_LOG"; then
		contract_cases "$SRV_BASE" "$P"

		t_begin "$SRV_VARIANT: lighttpd answers 411 itself to a POST without Content-Length"
		it_session 42; a=$S_ACCESS
		srv_http "$SRV_BASE" POST "$P/logout" -H "Authorization: Bearer $a"
		expect_status 411
		expect_count "user_id = 42" 1
		t_end
	else
		start_failed "$SRV_VARIANT"
	fi
	[ -n "${SRV_PID:-}" ] && srv_stop "$SRV_PID" lighttpd
	SRV_PID='' SRV_BASE=''

	# -------------------------------------------- socket, prefix mount
	SRV_VARIANT=lighttpd-prefix
	PP=/auth/api/v1/auth
	d=$IT_DIR/$SRV_VARIANT
	mkdir -p "$d"
	if srv_config_prefixed "$IT_CONF" "$d/logout-fcgi.conf" "$PP" "$IT_KEYDIR" &&
		srv_worker_spawn "$d" "$d/logout-fcgi.conf" && lp_worker=$SRV_WORKER_PID &&
		srv_render "$top_srcdir/deploy/lighttpd/90-logout-fcgi.conf.in" "$d/90-logout-fcgi.conf" \
			"@runstatedir@/logout-fcgi/logout-fcgi.sock=$SRV_WORKER_SOCK" "/api/v1/auth/=$PP/" &&
		srv_lighttpd_start "$d" "$d/90-logout-fcgi.conf" &&
		srv_ready "$SRV_BASE" "$PP/logout" 15 "$lp_worker" "$d/error.log" "$d/worker.log"; then
		contract_cases "$SRV_BASE" "$PP"
	else
		start_failed "$SRV_VARIANT"
	fi
	[ -n "${SRV_PID:-}" ] && srv_stop "$SRV_PID" lighttpd
	[ -n "${lp_worker:-}" ] && srv_stop "$lp_worker" logout-fcgi
	SRV_PID='' SRV_BASE=''
fi

# SPDX-License-Identifier: ISC
# t_gate_lighttpd.sh — the revocation gate behind lighttpd (README,
# "Protecting the whole API"): deploy/lighttpd/90-logout-fcgi-gate.conf, as
# shipped, has mod_fastcgi ask the workers as a FastCGI authorizer about
# every request under /api/ but the logout endpoints, which
# 90-logout-fcgi.conf sends to the same workers on the same socket. The
# backend is a CGI program in the gate's docroot that answers with the
# identity lighttpd handed it (AUTH_USER, AUTH_SESSION) and counts a
# client's X-Auth-User too, should one get through.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/servers.sh"
. "$top_srcdir/tests/integration/gate.sh"
trap srv_cleanup EXIT

SRV_VARIANT=gate-lighttpd
GATE_PATH=/api/orders.cgi
d=$IT_DIR/$SRV_VARIANT
mkdir -p "$d/api-root/api"
sock=$d/worker.sock

# The backend: what echo_backend.py answers, from the CGI environment.
gate_cgi_write() {
	GATE_BACKEND_LOG=$d/backend.log
	: >"$GATE_BACKEND_LOG"
	cat >"$d/api-root/api/orders.cgi" <<CGI
#!/bin/sh
n=0
[ -n "\${AUTH_USER:-}" ] && n=\$((n + 1))
[ -n "\${HTTP_X_AUTH_USER+set}" ] && n=\$((n + 1))
body="user=\${AUTH_USER:-} session=\${AUTH_SESSION:-} users=\$n method=\$REQUEST_METHOD path=\$REQUEST_URI"
printf '%s\n' "\$body" >>"$GATE_BACKEND_LOG"
[ -z "\${CONTENT_LENGTH:-}" ] || head -c "\$CONTENT_LENGTH" >/dev/null
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n%s\n' "\$body"
CGI
	chmod 0755 "$d/api-root/api/orders.cgi"
}

# The shipped snippets with the worker's socket and the docroot, after the
# modules they need (Debian: lighty-enable-mod fastcgi setenv; cgi for
# this backend).
gate_lighttpd_render() {
	srv_render "$top_srcdir/deploy/lighttpd/90-logout-fcgi.conf.in" "$d/90-logout-fcgi.conf" \
		"@runstatedir@/logout-fcgi/logout-fcgi.sock=$sock" &&
		srv_render "$top_srcdir/deploy/lighttpd/90-logout-fcgi-gate.conf.in" \
			"$d/90-logout-fcgi-gate.conf" "@runstatedir@/logout-fcgi/logout-fcgi.sock=$sock" \
			"/var/www/api=$d/api-root" &&
		cat >"$d/site.conf" <<CONF
server.modules += ( "mod_setenv", "mod_cgi" )
cgi.assign = ( ".cgi" => "" )
include "$d/90-logout-fcgi.conf"
include "$d/90-logout-fcgi-gate.conf"
CONF
}

if srv_have "$SRV_VARIANT" "$SRV_LIGHTTPD"; then
	if gate_config "$IT_DIR/$SRV_VARIANT.conf" &&
		gate_worker_start "$d" "$IT_DIR/$SRV_VARIANT.conf" "$sock" &&
		gate_cgi_write && gate_lighttpd_render &&
		srv_lighttpd_start "$d" "$d/site.conf" &&
		srv_ready "$SRV_BASE" "$GATE_P/logout" 15 "$GATE_WORKER_PID" "$d/error.log" "$d/worker.log"; then
		gate_cases "$SRV_BASE"

		t_begin "$SRV_VARIANT: a static file of the gate's docroot, served only to a live session"
		printf 'orders' >"$d/api-root/api/orders.txt"
		it_session 42; a=$S_ACCESS
		srv_http "$SRV_BASE" GET /api/orders.txt -H "Authorization: Bearer $a"
		expect_status 200
		expect_eq "$H_BODY" "orders" "the file"
		srv_http "$SRV_BASE" GET /api/orders.txt
		expect_status 401
		gate_post "$SRV_BASE" logout "$a"
		expect_status 204
		srv_http "$SRV_BASE" GET /api/orders.txt -H "Authorization: Bearer $a"
		expect_status 401
		t_end

		gate_log_cases "$d/worker.log"
	else
		start_failed "$SRV_VARIANT"
	fi
fi

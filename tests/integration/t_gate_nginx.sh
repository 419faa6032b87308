# SPDX-License-Identifier: ISC
# t_gate_nginx.sh — the revocation gate behind nginx (README, "Protecting
# the whole API"): deploy/nginx/logout-fcgi-gate.conf and
# logout-fcgi-protect.conf, as shipped, guard a location proxied to a
# backend (tests/integration/echo_backend.py) with auth_request, next to
# the logout endpoints of logout-fcgi.conf on the same workers.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/servers.sh"
. "$top_srcdir/tests/integration/gate.sh"
trap srv_cleanup EXIT

SRV_VARIANT=gate-nginx
GATE_PATH=/api/orders/7
d=$IT_DIR/$SRV_VARIANT
mkdir -p "$d"
sock=$d/worker.sock

# The server block's part: the shipped files (they pass to the upstream
# srv_nginx_start renders with the worker's socket), and the guarded
# location the way logout-fcgi-protect.conf says to write it.
gate_nginx_render() {
	local f
	for f in logout-fcgi logout-fcgi-gate logout-fcgi-protect; do
		cp "$top_srcdir/deploy/nginx/$f.conf.in" "$d/$f.conf" || return 1
	done
	cat >"$d/locations.conf" <<CONF
include $d/logout-fcgi.conf;
include $d/logout-fcgi-gate.conf;
location /api/ {
    include $d/logout-fcgi-protect.conf;
    proxy_pass http://127.0.0.1:$GATE_BACKEND_PORT;
}
CONF
}

if gate_config "$IT_DIR/$SRV_VARIANT.conf" &&
	gate_worker_start "$d" "$IT_DIR/$SRV_VARIANT.conf" "$sock" &&
	gate_backend_start "$d" && gate_nginx_render &&
	srv_nginx_start "$d" "$sock" "$d/locations.conf" &&
	srv_ready "$SRV_BASE" "$GATE_P/logout" 15 "$GATE_WORKER_PID" "$d/error.log" "$d/worker.log"; then
	gate_cases "$SRV_BASE"

	t_begin "$SRV_VARIANT: nginx asks the gate on every request: no answer is cached"
	it_session 42; a=$S_ACCESS; a_sid=$S_SID
	for i in 1 2 3; do
		gate_get "$SRV_BASE" "$a"
		expect_passed 42 "$a_sid"
	done
	it_sql app -e "DELETE FROM user_sessions WHERE user_id = 42"
	gate_get "$SRV_BASE" "$a"
	expect_status 401
	t_end

	t_begin "$SRV_VARIANT: the verify location is nginx's alone: a client asking for it gets 404"
	it_session 42; a=$S_ACCESS
	srv_http "$SRV_BASE" GET "$GATE_P/verify" -H "Authorization: Bearer $a"
	expect_status 404
	t_end

	gate_log_cases "$d/worker.log"
else
	start_failed "$SRV_VARIANT"
fi

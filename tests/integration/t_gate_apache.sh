# SPDX-License-Identifier: ISC
# t_gate_apache.sh — the revocation gate behind Apache 2.4 (README,
# "Protecting the whole API"): deploy/apache/logout-fcgi-gate.conf, as
# shipped, has mod_authnz_fcgi ask the workers about every request of a
# location proxied to a backend (tests/integration/echo_backend.py), and
# sends the logout endpoints to the same workers, over loopback TCP.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/servers.sh"
. "$top_srcdir/tests/integration/gate.sh"
trap srv_cleanup EXIT

SRV_VARIANT=gate-apache
GATE_PATH=/api/orders/7
d=$IT_DIR/$SRV_VARIANT
mkdir -p "$d"

# What the snippet needs besides the test server's own modules (Debian:
# a2enmod authnz_fcgi headers proxy_http), then the snippet with the
# workers' port and the backend's.
gate_apache_render() {
	local m
	: >"$d/gate-site.conf"
	for m in authn_core authz_user authnz_fcgi headers proxy_http; do
		printf 'LoadModule %s_module %s/mod_%s.so\n' "$m" "$SRV_APACHE_MODDIR" "$m" >>"$d/gate-site.conf"
	done
	printf 'Include "%s/logout-fcgi-gate.conf"\n' "$d" >>"$d/gate-site.conf"
	srv_render "$top_srcdir/deploy/apache/logout-fcgi-gate.conf.in" "$d/logout-fcgi-gate.conf" \
		"127.0.0.1:9000=127.0.0.1:$wport" \
		"http://127.0.0.1:8000/api/=http://127.0.0.1:$GATE_BACKEND_PORT/api/"
}

if srv_have "$SRV_VARIANT" "$SRV_APACHE" && srv_www_open; then
	if wport=$(it_free_port) && gate_config "$IT_DIR/$SRV_VARIANT.conf" &&
		gate_worker_start "$d" "$IT_DIR/$SRV_VARIANT.conf" "127.0.0.1:$wport" &&
		gate_backend_start "$d" && gate_apache_render &&
		srv_apache_start "$d" "$d/gate-site.conf" &&
		srv_ready "$SRV_BASE" "$GATE_P/logout" 15 "$GATE_WORKER_PID" "$d/error.log" "$d/worker.log"; then
		gate_cases "$SRV_BASE"
		gate_log_cases "$d/worker.log"
	else
		start_failed "$SRV_VARIANT"
	fi
	srv_www_close
fi

# SPDX-License-Identifier: ISC
# t_hosting.sh — the shared-hosting install (README, "Shared hosting"),
# step by step as an unprivileged user: build and install into ~/.local,
# the config at the compiled-in path, the logout.fcgi wrapper and
# deploy/apache/htaccess in ~/public_html. Apache serves
# /~USER/api/v1/auth/logout with mod_fcgid, mod_rewrite and mod_userdir and
# the host's generic deploy/apache/userdir-hosting.conf: nothing of
# logout-fcgi at the server level. Apache is started by root with `User`
# the hosting user, so the workers run as that user, as suexec starts them.
#
# Needs root (it creates the account IT_HOSTING_USER, default
# logout-hosting, when missing, and keeps it: a later run reuses it and
# points its home at that run's temporary directory). Sourced by
# tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/servers.sh"

HU=${IT_HOSTING_USER:-logout-hosting}
ht_dir=''
ht_uid=''

# ht_cleanup — Apache and whatever it started, by PID (srv_cleanup); then
# any process left running as the hosting user, by PID; then the files.
ht_cleanup() {
	local p
	srv_cleanup
	if [ -n "$ht_uid" ]; then
		for p in $(srv_user_pids "$ht_uid"); do
			it_stop_pid "$p" "$HU process" 5
		done
	fi
	[ -n "$ht_dir" ] && rm -rf "$ht_dir"
	return 0
}
trap ht_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The point is that nothing tells the worker where its config is.
unset LOGOUT_FCGI_CONFIG

# ht_skip WHY — the case cannot run here: skipped, a failure when CI=true.
ht_skip() {
	if [ "${CI:-}" = true ]; then
		t_begin "hosting: prerequisites" keep
		t_fail "$1"
		t_end
	else
		it_log "SKIP hosting: $1"
	fi
	exit 0
}

[ "$(id -u)" = 0 ] || ht_skip "needs root (creates the account $HU)"
[ -x "$SRV_APACHE" ] || ht_skip "$SRV_APACHE missing"
for m in fcgid rewrite userdir mime; do
	[ -r "$SRV_APACHE_MODDIR/mod_$m.so" ] || ht_skip "$SRV_APACHE_MODDIR/mod_$m.so missing"
done
for c in useradd usermod setpriv make cc; do
	command -v "$c" >/dev/null 2>&1 || ht_skip "$c missing"
done

# ht_failed WHAT — one failing group for a step the later ones need.
ht_failed() {
	t_begin "hosting: $1" keep
	t_fail "could not $1 (see the lines above)"
	t_end
	exit 0
}

ht_no_user_procs() { [ -z "$(srv_user_pids "$ht_uid")" ]; }

# ht_user_sh SCRIPT [ARGS...] — sh -c SCRIPT as the hosting user, from its
# home (source tree in ./src).
ht_user_sh() {
	local script=$1
	shift
	srv_as "$HU" /bin/sh -c "$script" sh "$@"
}

ht_dir=$(mktemp -d "${IT_TMPDIR:-/tmp}/logout-hosting.XXXXXX") && chmod 0755 "$ht_dir" ||
	ht_failed "make a temporary directory"
home=$ht_dir/home/$HU
ad=$ht_dir/apache
# usermod refuses to move the home of an account in use: a run killed
# before its cleanup may have left workers running as the test account.
if old_uid=$(id -u "$HU" 2>/dev/null); then
	# reused only when an earlier run made it (its comment field says so)
	[ "$old_uid" != 0 ] && [ "$(getent passwd "$HU" | cut -d: -f5)" = "$SRV_USER_COMMENT" ] ||
		ht_failed "reuse the account $HU: not one this test created"
	for p in $(srv_user_pids "$old_uid"); do
		it_log "hosting: stopping pid $p, left running as $HU by an earlier run"
		it_stop_pid "$p" "$HU process" 5
	done
fi
mkdir -p "$ht_dir/home" "$ad" && srv_user_ensure "$HU" "$home" || ht_failed "create the account $HU"
ht_uid=$(id -u "$HU") && ht_gid=$(id -g "$HU") || ht_failed "look up $HU"
# A home as a host makes it: the user's, and o+x so that a web server
# running as another user (suexec setups) reaches ~/public_html.
mkdir -m 0711 "$home" && chown "$ht_uid:$ht_gid" "$home" || ht_failed "make $home"
it_log "hosting: user $HU (uid $ht_uid), home $home"

# The distributed source tree (what a user unpacks from the tarball), also
# from a VPATH build of the tarball itself (make distcheck).
mkdir -p "$home/src" &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$top_builddir" distdir distdir="$home/src/logout-fcgi" >"$ht_dir/distdir.log" 2>&1 &&
	chown -R "$ht_uid:$ht_gid" "$home/src" ||
	{ tail -n 20 "$ht_dir/distdir.log" | sed 's/^/#   /'; ht_failed "copy the source tree"; }

bin=$home/.local/bin
etc=$home/.local/etc/logout-fcgi

# ================================================================ build, install

t_begin "hosting: $HU builds and installs with --prefix=\$HOME/.local, no root" keep
t0=$SECONDS
if ! ht_user_sh 'cd src/logout-fcgi &&
	{ [ -x configure ] || autoreconf -fi; } &&
	./configure --prefix="$HOME/.local" && make -j2 && make install' >"$ht_dir/build.log" 2>&1; then
	t_fail "configure/make/make install as $HU failed:"
	while IFS= read -r l; do t_fail "  $l"; done <<EOF
$(tail -n 25 "$ht_dir/build.log")
EOF
fi
it_log "hosting: configure, make -j2, make install took $((SECONDS - t0)) s"
for b in logout-fcgi logout-fcgi-admin; do
	[ -x "$bin/$b" ] || { t_fail "$bin/$b not installed"; continue; }
	expect_eq "$(stat -c %U "$bin/$b")" "$HU" "owner of $bin/$b"
done
[ -r "$home/.local/share/logout-fcgi/sql/schema.sql" ] || t_fail "no ~/.local/share/logout-fcgi/sql/schema.sql"
# The compiled-in default: $(sysconfdir)/logout-fcgi/logout-fcgi.conf.
help=$(srv_as "$HU" "$bin/logout-fcgi" --help 2>&1)
case $help in
*"then $etc/logout-fcgi.conf."*) ;;
*) t_fail "--help does not name $etc/logout-fcgi.conf as the default: $help" ;;
esac
t_end
[ -x "$bin/logout-fcgi" ] && [ -x "$bin/logout-fcgi-admin" ] || ht_failed "install the programs"

# ================================================================ config

t_begin "hosting: config at the compiled-in path, 0600, found without --config or LOGOUT_FCGI_CONFIG" keep
# As README says: a key from gen-key, the config make install put there,
# 0600, with [database]
# filled in, threads = 1 (mod_fcgid sends a process one request at a
# time) and path_prefix the script's URL.
ht_user_sh 'umask 077 && mkdir -p "$HOME/.local/etc/logout-fcgi/keys" &&
	"$HOME/.local/bin/logout-fcgi-admin" gen-key >"$HOME/.local/etc/logout-fcgi/keys/main.key" &&
	sed -e "s|^path_prefix =.*|path_prefix = /~$USER/logout.fcgi|" \
		-e "s|^threads =.*|threads = 1|" \
		-e "s|^hosts =.*|hosts = 127.0.0.1:$1|" -e "s|^socket =.*|socket =|" \
		-e "s|^user =.*|user = logout|" -e "s|^name =.*|name = app|" \
		-e "s|^password_file =.*|password_file = db.pass|" \
		src/logout-fcgi/deploy/logout-fcgi.conf >"$HOME/.local/etc/logout-fcgi/logout-fcgi.conf" &&
	chmod 600 "$HOME/.local/etc/logout-fcgi/logout-fcgi.conf"' \
	"$IT_DB_PORT" || t_fail "writing the key and the config as $HU failed"
install -m 0600 -o "$ht_uid" -g "$ht_gid" "$IT_DB_PASSFILE" "$etc/db.pass" || t_fail "db.pass"
grep -q "^hosts = 127.0.0.1:$IT_DB_PORT\$" "$etc/logout-fcgi.conf" &&
	grep -q "^path_prefix = /~$HU/logout.fcgi\$" "$etc/logout-fcgi.conf" ||
	t_fail "the sample config lacks the keys the recipe sets"
for f in logout-fcgi.conf keys/main.key db.pass; do
	expect_eq "$(stat -c '%U %a' "$etc/$f" 2>&1)" "$HU 600" "owner and mode of $f"
done
out=$(srv_as "$HU" "$bin/logout-fcgi" --check-config 2>&1) || t_fail "logout-fcgi --check-config: $out"
out=$(srv_as "$HU" "$bin/logout-fcgi-admin" check-config 2>&1)
expect_eq "$out" "$etc/logout-fcgi.conf: ok" "logout-fcgi-admin check-config"
t_end

# ================================================================ public_html, Apache

t_begin "hosting: Apache with mod_fcgid, mod_rewrite, mod_userdir and no logout-fcgi setting" keep
ht_user_sh 'umask 022 && mkdir -p "$HOME/public_html" &&
	sed "s|@bindir@|$HOME/.local/bin|" src/logout-fcgi/deploy/apache/logout.fcgi.in \
		>"$HOME/public_html/logout.fcgi" && chmod 0755 "$HOME/public_html/logout.fcgi" &&
	cp src/logout-fcgi/deploy/apache/htaccess "$HOME/public_html/.htaccess"' ||
	t_fail "filling ~/public_html as $HU failed"
grep -qxF "exec $bin/logout-fcgi" "$home/public_html/logout.fcgi" ||
	t_fail "logout.fcgi.in: no '@bindir@' line rendered"
# The host's server config: the test server (deploy/apache/httpd.conf.in)
# plus the modules an admin enables and the generic user-directory block.
{
	for m in mime userdir rewrite; do
		printf 'LoadModule %s_module "%s/mod_%s.so"\n' "$m" "$SRV_APACHE_MODDIR" "$m"
	done
	# mod_mime (AddHandler) wants a types file; the test needs no types
	printf 'TypesConfig /dev/null\nInclude "%s"\n' "$ad/userdir-hosting.conf"
} >"$ad/hosting.conf"
if srv_render "$top_srcdir/deploy/apache/userdir-hosting.conf" "$ad/userdir-hosting.conf" \
	"\"/home/=\"$ht_dir/home/" &&
	SRV_APACHE_USER=$HU SRV_APACHE_GROUP=$(id -gn "$HU") srv_apache_start "$ad" "$ad/hosting.conf" &&
	srv_ready "$SRV_BASE" "/~$HU/api/v1/auth/logout" 20 "$SRV_PID" "$ad/error.log"; then
	ht_up=1
else
	t_fail "Apache did not serve /~$HU/api/v1/auth/logout (401 wanted)"
	ht_up=0
fi
# Directives, not comments; paths of this run taken out.
server_conf=$(cat "$ad/httpd.conf" "$ad/hosting.conf" "$ad/userdir-hosting.conf" 2>/dev/null |
	grep -v '^[[:space:]]*#' | sed "s|$ht_dir||g")
case $server_conf in
*Include*) ;;
*) t_fail "no server config rendered" ;;
esac
leak=$(printf '%s\n' "$server_conf" | grep -n -i -E 'FcgidInitialEnv|LOGOUT_FCGI|logout-fcgi|logout\.fcgi|api/v1|FcgidWrapper|SetEnv')
[ -z "$leak" ] || t_fail "server-level config names logout-fcgi: $leak"
t_end
[ "$ht_up" = 1 ] || exit 0

# ================================================================ the endpoints

# Sessions from the user's own admin tool, with its default config.
it_admin() { srv_as "$HU" "$bin/logout-fcgi-admin" "$@"; }
P=/~$HU/api/v1/auth
nobody='Content-Length: 0'

t_begin "hosting: POST $P/logout 204, the same token again 401"
it_session 42; a=$S_ACCESS; a_sid=$S_SID
it_session 42; b_sid=$S_SID
srv_http "$SRV_BASE" POST "$P/logout" -H "Authorization: Bearer $a" -H "$nobody"
expect_status 204
expect_common_headers
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 0
expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 1
srv_http "$SRV_BASE" POST "$P/logout" -H "Authorization: Bearer $a" -H "$nobody"
expect_error 401 UNAUTHORIZED
expect_count "user_id = 42" 1
t_end

t_begin "hosting: a JSON body through the rewrite; logout-all 200"
it_session 42; a=$S_ACCESS; a_sid=$S_SID
it_session 42; b_sid=$S_SID; b_refresh=$S_REFRESH
it_session 43
srv_http "$SRV_BASE" POST "$P/logout" -H "Authorization: Bearer $a" \
	-H 'Content-Type: application/json' --data-binary "{\"refresh_token\":\"$b_refresh\"}"
expect_status 204
expect_count "session_hash = UNHEX(SHA2('$b_sid', 256))" 0
expect_count "session_hash = UNHEX(SHA2('$a_sid', 256))" 1
srv_http "$SRV_BASE" POST "$P/logout-all" -H "Authorization: Bearer $a" -H "$nobody"
expect_status 200
expect_eq "$H_BODY" "$SRV_LOGOUT_ALL_BODY" "body"
expect_count "user_id = 42" 0
expect_count "user_id = 43" 1
t_end

t_begin "hosting: only the two paths are rewritten; the worker routes on SCRIPT_NAME+PATH_INFO"
it_session 42; a=$S_ACCESS
# not rewritten: Apache's own 404, the worker never sees it
srv_http "$SRV_BASE" POST "$P/nosuch" -H "Authorization: Bearer $a" -H "$nobody"
expect_status 404
[ -z "$(it_hdr X-Request-Id)" ] || t_fail "the worker answered $P/nosuch"
# the script's own URL, which the rewrite targets
srv_http "$SRV_BASE" POST "/~$HU/logout.fcgi/nosuch" -H "Authorization: Bearer $a" -H "$nobody"
expect_error 404 NOT_FOUND
srv_http "$SRV_BASE" GET "$P/logout" -H "Authorization: Bearer $a"
expect_error 405 METHOD_NOT_ALLOWED
expect_count "user_id = 42" 1
t_end

t_begin "hosting: the workers run as $HU, started by mod_fcgid with no config setting" keep
n=0
for k in $(srv_descendants "$SRV_PID"); do
	[ "$(readlink "/proc/$k/exe" 2>/dev/null)" = "$bin/logout-fcgi" ] || continue
	n=$((n + 1))
	expect_eq "$(stat -c %U "/proc/$k" 2>&1)" "$HU" "owner of worker $k"
	tr '\0' '\n' <"/proc/$k/environ" 2>/dev/null | grep -q '^LOGOUT_FCGI_CONFIG=' &&
		t_fail "worker $k has LOGOUT_FCGI_CONFIG in its environment"
	case $(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null) in
	*--config*) t_fail "worker $k was given --config" ;;
	esac
done
[ "$n" -ge 1 ] || t_fail "no $bin/logout-fcgi among Apache's descendants"
grep -q '"event":"logout".*"status":204' "$ad/error.log" ||
	t_fail "no audit line of a logout in Apache's error log"
t_end

t_begin "hosting: stopping Apache stops the workers; nothing left running as $HU" keep
srv_stop "$SRV_PID" apache2
[ -z "$SRV_LEFTOVER" ] || t_fail "left running (stopped by the test):$SRV_LEFTOVER"
SRV_PID=''
it_wait_until 5 ht_no_user_procs ||
	t_fail "still running as $HU: $(srv_user_pids "$ht_uid" | tr '\n' ' ')"
t_end

# SPDX-License-Identifier: ISC
# t_check_connect.sh — logout-fcgi --check-config --connect (logout-fcgi(8)):
# with the configured credentials it connects to the database and prepares
# every serving statement there. A wrong password is one line naming the
# host and user (never the password), a statement the schema rejects one
# line naming the config line to fix; either exits 1. A good config
# prints "PATH: ok".
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

# Beside the suite's config, so that keys/main.key is its key file.
cc_dir=$IT_DIR
W=$IT_WORKER_BIN

t_begin "check-config --connect: the suite's config connects and prepares every statement" keep
out=$("$W" --config "$IT_CONF" --check-config --connect 2>&1)
expect_eq "$?" 0 "exit status"
expect_eq "$out" "$IT_CONF: ok" "output"
# Without --connect nothing is asked of the database; --connect alone is a
# usage error.
"$W" --config "$IT_CONF" --connect >/dev/null 2>&1
expect_eq "$?" 2 "--connect without --check-config"
t_end

t_begin "check-config --connect: a wrong password: exit 1, 'cannot connect to DB ... as logout: Access denied', no password shown" keep
wrong=$cc_dir/cc-wrong.pass
(umask 077; printf 'not-the-%s' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$wrong")
sed -e "s|^password_file =.*|password_file = $wrong|" "$IT_CONF" >"$cc_dir/cc-wrong.conf"
out=$("$W" --config "$cc_dir/cc-wrong.conf" --check-config --connect 2>&1)
expect_eq "$?" 1 "exit status"
expect_match "$out" "logout-fcgi: $cc_dir/cc-wrong.conf: cannot connect to DB $IT_DB_SOCK as logout: Access denied for user 'logout'@'localhost' \\(using password: YES\\)" "message"
case $out in *"$(cat "$wrong")"* | *"$(cat "$IT_DB_PASSFILE")"*) t_fail "a password in the output" ;; esac
# Over TCP too, where the host is host:port.
sed -e "s|^password_file =.*|password_file = $wrong|" -e "s|^socket =.*|socket =|" \
	-e "s|^hosts =.*|hosts = 127.0.0.1:$IT_DB_PORT|" "$IT_CONF" >"$cc_dir/cc-wrong-tcp.conf"
out=$("$W" --config "$cc_dir/cc-wrong-tcp.conf" --check-config --connect 2>&1)
expect_eq "$?" 1 "exit status over TCP"
case $out in
*"cannot connect to DB 127.0.0.1:$IT_DB_PORT as logout: Access denied"*) ;;
*) t_fail "over TCP: $out" ;;
esac
t_end

t_begin "check-config --connect: a statement naming a missing column: exit 1, FILE:LINE: [sql] logout: Unknown column" keep
bad=$cc_dir/cc-column.conf
sed -e 's|^logout = .*|logout = DELETE FROM user_sessions WHERE no_such_column = :sid_hash AND user_id = :user_id|' \
	"$IT_CONF" >"$bad"
line=$(grep -n '^logout = DELETE FROM user_sessions WHERE no_such_column' "$bad" | cut -d: -f1)
# Valid as far as the file goes: only the database can tell.
out=$("$W" --config "$bad" --check-config 2>&1)
expect_eq "$out" "$bad: ok" "--check-config without --connect"
out=$("$W" --config "$bad" --check-config --connect 2>&1)
expect_eq "$?" 1 "exit status"
# (the server's words after "in" vary with its version)
expect_match "$out" "logout-fcgi: $bad:$line: \\[sql\\] logout: Unknown column 'no_such_column' in [^
]*" "message"
# Every statement the server refuses is reported, each at its own line.
sed -e 's|^logout_all = .*|logout_all = DELETE FROM no_such_table WHERE user_id = :user_id|' \
	-e '/^logout_all = /{n;d}' "$bad" >"$cc_dir/cc-table.conf"
line2=$(grep -n '^logout_all = DELETE FROM no_such_table' "$cc_dir/cc-table.conf" | cut -d: -f1)
out=$("$W" --config "$cc_dir/cc-table.conf" --check-config --connect 2>&1)
expect_eq "$?" 1 "exit status, two statements"
expect_match "$out" "logout-fcgi: $cc_dir/cc-table.conf:$line: \\[sql\\] logout: Unknown column [^
]*
logout-fcgi: $cc_dir/cc-table.conf:$line2: \\[sql\\] logout_all: Table 'app.no_such_table' doesn't exist" "two statements"
t_end

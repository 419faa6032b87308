# SPDX-License-Identifier: ISC
# tests/integration/cluster.sh — a private three-node MariaDB Galera
# cluster for t_galera.sh and the bench's cluster scenario (sourced after
# lib.sh; bash only).
#
# Why network namespaces: a partition must cut one node's group traffic
# while its clients still reach it, which loopback cannot do per node and
# this machine has no packet filter for. So each node runs in a network
# namespace of its own (as if on its own host: the standard ports 3306,
# 4567, 4568, 4444 on an address of its own), joined by veth links to a
# bridge in a hub namespace where the test's logout-fcgi workers run. A
# partition is a blackhole route to the other nodes inside the node's
# namespace (and to it inside theirs). Nothing outside these namespaces is
# touched; each namespace lives as long as its holder process (a sleep
# started by unshare), and every process is stopped by the PID it was
# started with. nginx and curl stay in the host's namespace: the workers
# listen on unix sockets, which are paths, not addresses.
#
# The nodes run as the mysql account (started as root, they switch to it):
# the rsync daemon of a state transfer, started by a root server, would
# drop to "nobody" and could not write the datadir. So GC_DIR is a
# directory of its own that account owns, not one under the suite's 0700
# IT_DIR: nI/db (datadir), nI/mysql.sock, nI/mariadbd.{err,ourpid}, and
# ns.NAME (a holder's PID: hub, 1, 2, 3). gc_down removes it.

GC_N=3
GC_NET=10.77.0 # inside the namespaces only
GC_HUB_IP=$GC_NET.1
GC_WSREP=${GC_WSREP:-/usr/lib/galera/libgalera_smm.so}
# Group timeouts: a silent node is suspected after 3 s and evicted after
# 6 s, so a fault's window stays inside the tests' deadlines (defaults 5
# and 15 s). A gcache (a file per node) far larger than the write-sets a
# node misses in a test's outage: it catches up by IST, not a full copy.
GC_PROVIDER_OPTS=${GC_PROVIDER_OPTS:-"gcache.size=32M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S;evs.keepalive_period=PT1S;evs.inactive_check_period=PT0.5S;gmcast.peer_timeout=PT2S"}

GC_USER=${GC_USER:-mysql}

# gc_layout — GC_DIR, made once per IT_DIR (its name is kept there).
gc_layout() {
	GC_DIR=$(cat "$IT_DIR/gc.dir" 2>/dev/null || true)
	[ -n "$GC_DIR" ] && [ -d "$GC_DIR" ] && return 0
	GC_DIR=$(mktemp -d "${IT_TMPDIR:-/tmp}/logout-gc.XXXXXX") || return 1
	chown "$GC_USER:" "$GC_DIR" && chmod 700 "$GC_DIR" || return 1
	printf '%s\n' "$GC_DIR" >"$IT_DIR/gc.dir"
}

gc_ip() { printf '%s.%s' "$GC_NET" "$((10 + $1))"; }
gc_sock() { printf '%s/n%s/mysql.sock' "$GC_DIR" "$1"; }

# gc_missing — what this machine lacks for a cluster (empty: nothing).
gc_missing() {
	local t m=
	[ "$(id -u)" = 0 ] || m="$m root(network namespaces)"
	id "$GC_USER" >/dev/null 2>&1 || m="$m user:$GC_USER"
	[ -r "$GC_WSREP" ] || m="$m $GC_WSREP(galera-4)"
	for t in unshare nsenter ip rsync wsrep_sst_rsync; do
		command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || m="$m $t"
	done
	printf '%s' "${m# }"
}

# ---------------------------------------------------------------- namespaces

gc_ns_pid() { it_pidfile_read "$GC_DIR/ns.$1"; }

# gc_ns_private NAME — the holder runs in a network namespace other than ours.
gc_ns_private() {
	local pid
	pid=$(gc_ns_pid "$1") || return 1
	[ -n "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" ] &&
		[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/$$/ns/net)" ]
}

# gc_in NAME CMD... — run CMD in namespace NAME (hub, 1, 2, 3). Refuses a
# namespace that turns out to be ours (a holder that did not unshare).
gc_in() {
	local ns=$1 pid
	shift
	gc_ns_private "$ns" || { it_die "namespace $ns is not a private one"; return 1; }
	pid=$(gc_ns_pid "$ns")
	nsenter --net="/proc/$pid/ns/net" -- "$@"
}

# gc_spawn NAME CMD... & — the same for a background process: the
# subshell of `&` execs nsenter, which execs CMD, so $! is CMD's own PID.
# Only ever with `&` (it replaces the shell that runs it).
gc_spawn() {
	local ns=$1 pid
	shift
	gc_ns_private "$ns" || { it_die "namespace $ns is not a private one"; exit 1; }
	pid=$(gc_ns_pid "$ns")
	exec nsenter --net="/proc/$pid/ns/net" -- "$@"
}

# gc_net_up — the hub (bridge, GC_HUB_IP) and a namespace per node with
# one veth link to it.
gc_net_up() {
	local name pid i
	for name in hub $(seq 1 $GC_N); do
		unshare --net sleep 1000000 </dev/null >/dev/null 2>&1 &
		printf '%s\n' "$!" >"$GC_DIR/ns.$name"
	done
	for name in hub $(seq 1 $GC_N); do
		it_wait_until 10 gc_ns_private "$name" || { it_die "no namespace $name"; return 1; }
	done
	gc_in hub ip link set lo up &&
		gc_in hub ip link add gcbr type bridge &&
		gc_in hub ip addr add "$GC_HUB_IP/24" dev gcbr &&
		gc_in hub ip link set gcbr up || return 1
	for i in $(seq 1 $GC_N); do
		pid=$(gc_ns_pid "$i")
		gc_in hub ip link add "gcv$i" type veth peer name eth0 netns "$pid" &&
			gc_in hub ip link set "gcv$i" master gcbr &&
			gc_in hub ip link set "gcv$i" up &&
			gc_in "$i" ip link set lo up &&
			gc_in "$i" ip addr add "$(gc_ip "$i")/24" dev eth0 &&
			gc_in "$i" ip link set eth0 up || return 1
	done
}

# gc_net_down — end the holders: a namespace goes with its last process.
gc_net_down() {
	local name pid
	for name in hub $(seq 1 $GC_N); do
		pid=$(gc_ns_pid "$name") || continue
		it_stop_pid "$pid" "namespace $name" 5
		rm -f "$GC_DIR/ns.$name"
	done
}

# gc_partition I / gc_heal I — cut node I from the other nodes (both
# ways, blackhole routes: packets vanish as on a broken link) while the hub,
# where its clients are, still reaches it; and undo it.
gc_partition() {
	local j
	for j in $(seq 1 $GC_N); do
		[ "$j" = "$1" ] && continue
		gc_in "$1" ip route add blackhole "$(gc_ip "$j")/32" || return 1
		gc_in "$j" ip route add blackhole "$(gc_ip "$1")/32" || return 1
	done
}

gc_heal() {
	local j
	for j in $(seq 1 $GC_N); do
		[ "$j" = "$1" ] && continue
		gc_in "$1" ip route del blackhole "$(gc_ip "$j")/32"
		gc_in "$j" ip route del blackhole "$(gc_ip "$1")/32"
	done
	return 0
}

# ---------------------------------------------------------------- nodes

# gc_sql I [mariadb args...] — as root, over node I's unix socket.
gc_sql() {
	local i=$1
	shift
	"$IT_MARIADB" --no-defaults -S "$(gc_sock "$i")" -uroot --connect-timeout=5 "$@"
}

# gc_status I NAME — a global status variable of node I.
gc_status() {
	gc_sql "$1" -N -B -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | awk '{ print $2 }'
}

# gc_count I WHERE — rows of app.user_sessions matching WHERE on node I,
# as of every commit the cluster made before the count (a causal read: a
# plain one may run before node I has applied a commit made elsewhere).
gc_count() {
	gc_sql "$1" -N -B app -e "SET SESSION wsrep_sync_wait = 1;
		SELECT COUNT(*) FROM user_sessions${2:+ WHERE $2}" 2>&1
}

# gc_synced I [SIZE] — node I is Synced, ready and primary in a
# component of SIZE nodes (default all).
gc_synced() {
	local out
	out=$(gc_sql "$1" -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN
		('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_ready', 'wsrep_cluster_status')" \
		2>/dev/null | sort | awk '{ printf "%s ", $2 }')
	[ "$out" = "${2:-$GC_N} Primary Synced ON " ]
}

# gc_all_synced [SIZE] — every running node is.
gc_all_synced() {
	local i
	for i in $(seq 1 $GC_N); do
		gc_node_alive "$i" || continue
		gc_synced "$i" "${1:-$GC_N}" || return 1
	done
}

gc_node_pid() { it_pidfile_read "$GC_DIR/n$1/mariadbd.ourpid"; }
gc_node_alive() { it_alive "$(gc_node_pid "$1")"; }

# gc_node_init — node 1's datadir by mariadb-install-db, the others a copy
# of it (they get node 1's data by a state transfer when they join).
gc_node_init() {
	local i
	mkdir -p "$GC_DIR/n1"
	chown "$GC_USER:" "$GC_DIR/n1"
	if ! mariadb-install-db --no-defaults --user="$GC_USER" --datadir="$GC_DIR/n1/db" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve >"$GC_DIR/install-db.log" 2>&1; then
		tail -n 20 "$GC_DIR/install-db.log" | sed 's/^/#   /'
		it_die "mariadb-install-db failed"
		return 1
	fi
	for i in $(seq 2 $GC_N); do
		mkdir -p "$GC_DIR/n$i"
		chown "$GC_USER:" "$GC_DIR/n$i"
		cp -a "$GC_DIR/n1/db" "$GC_DIR/n$i/db" || return 1
	done
}

# gc_node_start I [--wsrep-new-cluster] — start node I's mariadbd in its
# namespace; returns once it runs (not yet synced: gc_synced). After a
# crash (grastate's seqno -1) the position comes from InnoDB first
# (--wsrep-recover, as mysqld_safe does), so the node asks for an
# incremental transfer (IST) instead of a full copy.
# GC_DB_ARGS: more server options (the bench sizes the buffer pool).
gc_node_start() {
	local i=$1 d=$GC_DIR/n$1 pos=
	shift
	mkdir -p "$d/tmp"
	: >>"$d/mariadbd.err"
	chown "$GC_USER:" "$d/tmp" "$d/mariadbd.err"
	local args=(--no-defaults --user="$GC_USER" --datadir="$d/db" --socket="$d/mysql.sock"
		--port=3306 --bind-address=0.0.0.0 --pid-file="$d/mariadbd.pid"
		--log-error="$d/mariadbd.err" --tmpdir="$d/tmp" --skip-name-resolve
		--innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=32M
		--max-connections=100 --binlog-format=ROW --innodb-autoinc-lock-mode=2
		--wsrep-on=ON --wsrep-provider="$GC_WSREP"
		--wsrep-cluster-name=logout-it
		--wsrep-cluster-address="gcomm://$(gc_ip 1),$(gc_ip 2),$(gc_ip 3)"
		--wsrep-node-address="$(gc_ip "$i")" --wsrep-node-name="n$i"
		--wsrep-sst-method=rsync --wsrep-provider-options="$GC_PROVIDER_OPTS"
		${GC_DB_ARGS:-})
	if grep -q '^seqno: *-1' "$d/db/grastate.dat" 2>/dev/null; then
		gc_in "$i" "$IT_MARIADBD" "${args[@]}" --wsrep-recover --log-error="$d/recover.err" \
			</dev/null >/dev/null 2>&1
		pos=$(sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' "$d/recover.err" | tail -n 1)
	fi
	# nsenter execs the server: $! is its PID (a joiner writes its pid
	# file only after the state transfer).
	gc_spawn "$i" "$IT_MARIADBD" "${args[@]}" ${pos:+--wsrep-start-position="$pos"} "$@" \
		</dev/null >>"$d/mariadbd.err" 2>&1 &
	printf '%s\n' "$!" >"$d/mariadbd.ourpid"
	disown "$!" # stopped by PID, never waited for: no job notice when killed
	return 0
}

# gc_node_wait I SECS [SIZE] — node I synced within SECS.
gc_synced_or_gone() { gc_synced "$@" || ! gc_node_alive "$1"; }
gc_node_wait() {
	it_wait_until "$2" gc_synced_or_gone "$1" "${3:-$GC_N}"
	if ! gc_synced "$1" "${3:-$GC_N}"; then
		it_log "node $1 not synced after $2 s ($(gc_status "$1" wsrep_local_state_comment)); error log:"
		tail -n 15 "$GC_DIR/n$1/mariadbd.err" | sed 's/^/#   /'
		return 1
	fi
}

# gc_node_stop I — SIGTERM by PID (it leaves the group cleanly).
gc_node_stop() {
	local pid
	pid=$(gc_node_pid "$1") || return 0
	it_stop_pid "$pid" "galera node $1" 30
	rm -f "$GC_DIR/n$1/mariadbd.ourpid"
}

# gc_node_kill I — SIGKILL by PID, and wait until it is gone.
gc_node_kill() {
	local pid
	pid=$(gc_node_pid "$1") || return 1
	kill -KILL "$pid" 2>/dev/null
	it_wait_until 10 eval "! it_alive $pid" || return 1
	rm -f "$GC_DIR/n$1/mariadbd.ourpid"
}

# gc_transfer I — how node I got its state the last time it started: SST
# (a full copy of the datadir), IST (only the write-sets it missed, from a
# donor's gcache), or none (it bootstrapped). A rejoin without a restart
# (after a partition) is an IST too: gc_ists counts them all.
gc_transfer() {
	awk '/Starting MariaDB/ { t = "none" }
		/IST received/ { if (t != "SST") t = "IST" }
		/SST completed on joiner/ { t = "SST" }
		END { print t }' "$GC_DIR/n$1/mariadbd.err"
}

# gc_ists I / gc_ssts I — incremental / full state transfers node I received.
gc_ists() { grep -c 'IST received' "$GC_DIR/n$1/mariadbd.err"; }
gc_ssts() { grep -c 'SST completed on joiner' "$GC_DIR/n$1/mariadbd.err"; }

# gc_provision — the app database, schema and the logout user (password
# of IT_DB_PASSFILE) for clients from the hub; DDL replicates to every node.
gc_provision() {
	local pw
	if [ ! -s "$IT_DB_PASSFILE" ]; then
		(umask 077; od -An -N18 -tx1 /dev/urandom | tr -d ' \n' >"$IT_DB_PASSFILE")
	fi
	pw=$(cat "$IT_DB_PASSFILE")
	gc_sql 1 -e "CREATE DATABASE IF NOT EXISTS app" &&
		gc_sql 1 app <"$top_srcdir/sql/schema.sql" &&
		gc_sql 1 -e "
		CREATE USER IF NOT EXISTS 'logout'@'$GC_NET.%' IDENTIFIED BY '$pw';
		GRANT SELECT, INSERT, DELETE ON app.* TO 'logout'@'$GC_NET.%';"
}

# gc_up — namespaces, three datadirs, node 1 bootstraps the cluster, the
# schema, then nodes 2 and 3 join (state transfer by rsync); returns once
# every node is Synced in a cluster of three, within SECS (default 120).
gc_up() {
	local secs=${1:-120} start=$SECONDS i
	gc_layout
	gc_net_up || { it_log "cannot make the namespaces"; return 1; }
	gc_node_init || return 1
	gc_node_start 1 --wsrep-new-cluster && gc_node_wait 1 60 1 || return 1
	gc_provision || { it_log "cannot provision node 1"; return 1; }
	for i in $(seq 2 $GC_N); do
		gc_node_start "$i" || return 1
	done
	for i in $(seq 1 $GC_N); do
		gc_node_wait "$i" $((secs - (SECONDS - start))) || return 1
	done
	GC_UP_SECS=$((SECONDS - start))
}

# gc_down — stop every node (all at once, by PID), then the namespaces.
gc_down() {
	local i pid pids=()
	[ -n "${GC_DIR:-}" ] && [ -d "$GC_DIR" ] || return 0
	for i in $(seq 1 $GC_N); do
		pid=$(gc_node_pid "$i") || continue
		kill -CONT "$pid" 2>/dev/null
		kill -TERM "$pid" 2>/dev/null
		pids+=("$pid")
	done
	for pid in "${pids[@]}"; do it_stop_pid "$pid" "galera node" 30; done
	rm -f "$GC_DIR"/n?/mariadbd.ourpid
	gc_net_down
	if [ "${IT_KEEP:-0}" = 1 ] || { [ "${IT_KEEP_ON_FAIL:-0}" = 1 ] &&
		grep -q '^not ok' "$IT_DIR/results" 2>/dev/null; }; then
		it_log "kept $GC_DIR"
	else
		rm -rf "$GC_DIR"
		rm -f "$IT_DIR/gc.dir"
	fi
}

# ---------------------------------------------------------------- workers

# gc_conf OUT ORDER [KEY=VALUE...] — IT_CONF pointed at the cluster: hosts
# in ORDER (node numbers, e.g. "2 3 1": the first is the worker's own
# node, the others its fail-over), no socket; each KEY=VALUE replaces a key.
gc_conf() {
	local out=$1 order=$2 hosts= i kv
	shift 2
	for i in $order; do hosts="$hosts${hosts:+, }$(gc_ip "$i"):3306"; done
	sed -e "s|^socket =.*|socket =|" -e "s|^hosts =.*|hosts = $hosts|" "$IT_CONF" >"$out" || return 1
	for kv in "$@"; do
		if grep -q "^${kv%%=*} =" "$out"; then
			sed -i "s|^${kv%%=*} =.*|${kv%%=*} = ${kv#*=}|" "$out"
		else
			sed -i "s|^\\[database\\]\$|[database]\\n${kv%%=*} = ${kv#*=}|" "$out"
		fi
	done
	chmod 600 "$out"
}

# gc_worker NAME CONF SOCK LOG THREADS — a worker in the hub namespace
# serving the unix socket SOCK (pr_worker's contract: tracked for
# pr_cleanup, sets wpid, 0 once it logs that it serves).
gc_worker() {
	gc_spawn hub "$IT_WORKER_BIN" --config "$2" --listen "$3" --threads "$5" </dev/null 2>>"$4" &
	wpid=$!
	pr_track "$wpid" "worker $1"
	it_wait_until 5 pr_log_has_n "$4" "^logout-fcgi\[$wpid\]: info: serving with" 1
}

# ---------------------------------------------------------------- sessions and load

# gc_mint USER N TYPE OUT [SIDS] — N sessions of USER and a TYPE (access,
# refresh) token for each, signed with IT_CONF's main key (one python
# process: the admin tool's mint costs a process per token, and the fault
# cases need thousands). OUT lines: "SID RID TOKEN" (pr_tokens' format);
# with SIDS (such a file), the tokens are for its sessions instead. With
# GC_PER=P, the sessions are of consecutive users from USER on, P each.
gc_mint() {
	GC_PER=${GC_PER:-0} /usr/bin/python3 - "$IT_KEYDIR/main.key" "$@" <<'PY'
import base64, hashlib, hmac, json, os, sys, time, uuid
keyfile, user, n, typ, out = sys.argv[1:6]
per = int(os.environ["GC_PER"])
key = base64.b64decode(open(keyfile).read().strip())
sids = [l.split()[0] for l in open(sys.argv[6])] if len(sys.argv) > 6 else \
    ["gc" + str(uuid.uuid4()) for _ in range(int(n))]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "main"}, separators=(",", ":")).encode())
now = int(time.time())
with open(out, "w") as f:
    for i, sid in enumerate(sids):
        sub = str(int(user) + i // per) if per else user
        body = b64(json.dumps({"sub": sub, "sid": sid, "typ": typ, "iat": now, "exp": now + 900},
                              separators=(",", ":")).encode())
        sig = b64(hmac.new(key, (head + "." + body).encode(), hashlib.sha256).digest())
        f.write("%s %s %s.%s.%s\n" % (sid, uuid.uuid4(), head, body, sig))
PY
}

# gc_insert FILE USER — a session row of USER for each line of FILE (its
# first column the sid), in one statement on node GC_ON (default 1). With
# GC_PER=P, of consecutive users from USER on, P lines each (gc_mint's).
gc_insert() {
	awk -v u="$2" -v per="${GC_PER:-0}" 'BEGIN { printf "INSERT INTO user_sessions (user_id, session_hash, refresh_jti_hash, expires_at) VALUES " }
		{ printf "%s(%s, UNHEX(SHA2(\x27%s\x27, 256)), UNHEX(SHA2(\x27rj-%s\x27, 256)), NOW() + INTERVAL 1 DAY)",
			(NR > 1 ? "," : ""), per ? u + int((NR - 1) / per) : u, $1, $1 }' "$1" | gc_sql "${GC_ON:-1}" app
}

# gc_left FILE I — how many of FILE's sessions (first column) exist on node I.
gc_left() {
	local list
	list=$(awk '{ printf "%sUNHEX(SHA2(\x27%s\x27, 256))", (NR > 1 ? "," : ""), $1 }' "$1")
	[ -n "$list" ] || { echo 0; return; }
	gc_count "$2" "session_hash IN ($list)"
}

# gc_curl_config BASE TOKENS OUT [BODY_FILE] — a curl config: a logout per
# line of TOKENS (with the JSON of BODY_FILE's third column's refresh
# token as body when given, line by line), each answer written out as
# "SID CODE TIME" (the sid rides in the query string, which routing ignores).
gc_curl_config() {
	awk -v u="$1/api/v1/auth/logout" -v bodies="${4:-}" '
		BEGIN { if (bodies != "") while ((getline l < bodies) > 0) { split(l, f, " "); b[++nb] = f[3] } }
		{ if (NR > 1) print "next"
		  printf "url = \"%s?s=%s\"\nrequest = POST\nheader = \"Authorization: Bearer %s\"\n", u, $1, $3
		  if (bodies != "") printf "header = \"Content-Type: application/json\"\ndata = \"{\\\"refresh_token\\\":\\\"%s\\\"}\"\n", b[NR]
		  printf "max-time = 30\noutput = /dev/null\nwrite-out = \"%s %%{http_code} %%{time_total}\\\\n\"\n", $1 }' "$2" >"$3"
}

# gc_stamp — each line of stdin with the time it came first (seconds
# since the epoch, to the microsecond): when that answer arrived.
gc_stamp() {
	local LC_ALL=C l
	while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done
}

# gc_load BASE TOKENS OUT RATE — one client, in the background: a logout
# for each line of TOKENS, one at a time, at most RATE a second (bounded by
# the list's length: RATE * seconds wanted). OUT lines "SID START CODE
# TIME" (START: seconds since the epoch), pr_select and pr_codes read
# them. `wait` for the $! it leaves in GC_LOAD_PID.
gc_load() {
	gc_curl_config "$1" "$2" "$3.curl"
	{
		# stdbuf: curl's write-out line by line, so each is stamped when
		# its answer came, not when a buffer filled
		stdbuf -oL curl -s --no-progress-meter --noproxy '*' --rate "$4/s" --config "$3.curl" \
			2>>"$3.err" | gc_stamp |
			awk '{ printf "%s %.3f %s %s\n", $2, $1 - $4, $3, $4; fflush() }' >"$3"
	} &
	GC_LOAD_PID=$!
}

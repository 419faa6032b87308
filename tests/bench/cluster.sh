# SPDX-License-Identifier: ISC
# tests/bench/cluster.sh — the Galera scenarios of tests/bench/run (sourced
# by it, after tests/integration/cluster.sh): the same logouts through a
# three-node cluster as through the single node, in the same run.
#
#   logout-nobatch          the single node, [server] batch = no: the
#                           baseline of cluster-logout-nobatch
#   cluster-logout          three workers, one per node (each lists its
#                           node first, as README's topology says), behind
#                           one nginx upstream, group commit on,
#                           wsrep_sync_wait = 3 (README's setting)
#   cluster-logout-nobatch  the same without group commit
#   cluster-logout-sw0      cluster-logout with wsrep_sync_wait = 0: the
#                           batches make no causal reads either way (db.c)
#   cluster-logout-nobatch-sw0  cluster-logout-nobatch with wsrep_sync_wait
#                           = 0: what the causal wait of each DELETE costs
#
# The three workers together have the single worker's thread count
# (rounded up), so the rows compare the database, not the thread count.
# Each scenario has its own workers and path (/bc/NAME/logout, their
# path_prefix); the single node's rows keep their own worker.

BC_SCENARIOS="logout-nobatch cluster-logout cluster-logout-nobatch cluster-logout-sw0 cluster-logout-nobatch-sw0"
BC_UP=0
declare -A BC_PIDS

bc_is() { case " $BC_SCENARIOS " in *" $1 "*) return 0 ;; esac; return 1; }
bc_clustered() { case $1 in cluster-*) return 0 ;; esac; return 1; }

# bc_settings NAME — "BATCH SYNC_WAIT" of a scenario.
bc_settings() {
	case $1 in
	logout-nobatch) echo "no -" ;;
	cluster-logout) echo "yes 3" ;;
	cluster-logout-nobatch) echo "no 3" ;;
	cluster-logout-sw0) echo "yes 0" ;;
	cluster-logout-nobatch-sw0) echo "no 0" ;;
	esac
}

# bc_conf NAME OUT [ORDER] — IT_CONF for scenario NAME: its path prefix
# and batch setting; for the cluster, hosts in ORDER and its sync wait.
bc_conf() {
	local name=$1 out=$2 order=${3:-} batch sw
	read -r batch sw <<<"$(bc_settings "$name")"
	if [ -n "$order" ]; then
		gc_conf "$out" "$order" "wsrep_sync_wait=$sw" || return 1
	else
		cp "$IT_CONF" "$out" || return 1
	fi
	sed -i -e "s|^path_prefix =.*|path_prefix = /bc/$name|" -e "s|^batch =.*|batch = $batch|" "$out"
	chmod 600 "$out"
}

# bc_start SCENARIOS THREADS — the cluster (when a scenario needs it) and
# the scenarios' workers. Sets BC_UP, BC_PIDS[NAME] (space-separated).
bc_start() {
	local want=$1 threads=$2 s k per
	BC_SCENARIOS=$want
	per=$(((threads + 2) / 3))
	for s in $want; do
		bc_clustered "$s" || continue
		if [ "$BC_UP" = 0 ]; then
			[ -z "$(gc_missing)" ] || bench_die "cluster scenarios need: $(gc_missing)"
			# a disk for the datadirs, as the single node's
			GC_DB_ARGS="--innodb-buffer-pool-size=256M --max-connections=300 --wsrep-slave-threads=4" \
				IT_TMPDIR=/var/tmp gc_up 180 || bench_die "the Galera cluster did not start"
			it_log "bench: Galera cluster up in $GC_UP_SECS s"
			BC_UP=1
		fi
	done
	for s in $want; do
		BC_PIDS[$s]=
		if ! bc_clustered "$s"; then
			bc_conf "$s" "$W/bc-$s.conf" || bench_die "config of $s"
			"$IT_WORKER_BIN" --config "$W/bc-$s.conf" --listen "$W/bc-$s.0.sock" --threads "$threads" \
				</dev/null 2>>"$W/bc-$s.log" &
			BC_PIDS[$s]=$!
			pr_track "$!" "bc $s"
			continue
		fi
		for k in 1 2 3; do
			bc_conf "$s" "$W/bc-$s.$k.conf" "$k $((k % 3 + 1)) $(((k + 1) % 3 + 1))" ||
				bench_die "config of $s"
			gc_spawn hub "$IT_WORKER_BIN" --config "$W/bc-$s.$k.conf" --listen "$W/bc-$s.$k.sock" \
				--threads "$per" </dev/null 2>>"$W/bc-$s.log" &
			BC_PIDS[$s]="${BC_PIDS[$s]} $!"
			pr_track "$!" "bc $s $k"
		done
	done
}

# bc_nginx DIR — the scenarios' upstreams (DIR/http.conf) and locations
# (DIR/ceilings.conf), appended to what the run renders.
bc_nginx() {
	local s k up
	for s in $BC_SCENARIOS; do
		up=bc_${s//-/_}
		printf 'upstream %s {\n' "$up" >>"$1/http.conf"
		if bc_clustered "$s"; then
			for k in 1 2 3; do printf '  server unix:%s;\n' "$W/bc-$s.$k.sock" >>"$1/http.conf"; done
		else
			printf '  server unix:%s;\n' "$W/bc-$s.0.sock" >>"$1/http.conf"
		fi
		printf '  keepalive %s;\n' "$POOL" >>"$1/http.conf"
		printf '}\n' >>"$1/http.conf"
		printf 'location /bc/%s/ {\n  include fastcgi_params;\n  fastcgi_pass %s;\n  fastcgi_keep_conn %s;\n}\n' \
			"$s" "$up" "$KEEPCONN" >>"$1/ceilings.conf"
	done
}

# bc_ready — every scenario's workers answer through nginx (a bare POST: 401).
bc_answers() {
	it_http --max-time 3 --status-only POST "/bc/$1/logout"
	[ "$H_STATUS" = 401 ]
}
bc_ready() {
	local s IT_BASE=$BASE
	for s in $BC_SCENARIOS; do
		it_wait_until 15 bc_answers "$s" ||
			bench_die "scenario $s not answering: $(tail -n 5 "$W/bc-$s.log")"
	done
}

# bc_seed FILE — the cluster's sessions from bench_mint's TSV (as the run's
# seed does for the single node), loaded through node 1 and there on every
# node (a causal count on each) before the point starts.
bc_seed() {
	local f=$1 n i
	gc_sql 1 app -e "TRUNCATE TABLE user_sessions" || return 1
	gc_sql 1 --local-infile=1 app -e "LOAD DATA LOCAL INFILE '$f' INTO TABLE user_sessions
		FIELDS TERMINATED BY '\t' (user_id, @s, @r)
		SET session_hash = UNHEX(@s), refresh_jti_hash = UNHEX(@r),
		    expires_at = NOW() + INTERVAL 1 DAY" || return 1
	n=$(wc -l <"$f")
	for i in 1 2 3; do
		it_wait_until 60 eval '[ "$(bc_count '"$i"')" = '"$n"' ]' || return 1
	done
}

# bc_count [I] — the rows of node I (default 1), causally (gc_count).
bc_count() { gc_count "${1:-1}"; }

# bc_db_pids — the three nodes' mariadbd.
bc_db_pids() { gc_node_pid 1; echo; gc_node_pid 2; echo; gc_node_pid 3; echo; }

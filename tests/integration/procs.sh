# SPDX-License-Identifier: ISC
# tests/integration/procs.sh — helpers for the process-model cases
# (t_procs, t_reload, t_lifecycle): extra logout-fcgi processes on their own
# sockets, each behind its own small nginx, bulk sessions, load loops.
# Sourced by a case file after lib.sh; bash only.
#
# Everything started here is recorded with pr_track and stopped by PID in
# pr_cleanup (a case file sets `trap pr_cleanup EXIT`), so a failing case
# leaves nothing running.

PR_P=/api/v1/auth
PR_TRACKED=()

# pr_track PID NAME — stop PID in pr_cleanup.
pr_track() { PR_TRACKED+=("$1:$2"); }

# pr_cleanup — stop every tracked process, last started first.
pr_cleanup() {
	local i e
	for ((i = ${#PR_TRACKED[@]} - 1; i >= 0; i--)); do
		e=${PR_TRACKED[i]}
		it_stop_pid "${e%%:*}" "${e#*:}" 10
	done
	PR_TRACKED=()
}

# ---------------------------------------------------------------- nginx

# pr_nginx_start NAME SOCKET — a private nginx in IT_DIR/NAME forwarding to
# SOCKET (deploy/nginx rendered by lib.sh's it_nginx_start, with the layout
# variables shadowed so the suite's own nginx files are not touched). Sets
# PR_BASE (http://127.0.0.1:PORT).
pr_nginx_start() {
	local name=$1
	local IT_DIR=$IT_DIR/$name
	local IT_NGINX_DIR=$IT_DIR/nginx IT_NGINX_PIDFILE=$IT_DIR/nginx/nginx.pid
	local IT_FCGI_SOCK=$2 IT_HTTP_PORT= IT_BASE=
	mkdir -p "$IT_DIR"
	it_nginx_start || return 1
	PR_BASE=$IT_BASE
	pr_track "$(it_pidfile_read "$IT_DIR/nginx.ourpid")" "nginx $name"
}

pr_nginx_stop() {
	local pid
	pid=$(it_pidfile_read "$IT_DIR/$1/nginx.ourpid") || return 0
	it_stop_pid "$pid" "nginx $1" 10
	rm -f "$IT_DIR/$1/nginx.ourpid"
}

# ---------------------------------------------------------------- processes

# pr_children PID — the child PIDs of PID, one per line.
pr_children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+$'
}

# pr_nchildren_is PID N — PID has exactly N live children.
pr_nchildren_is() {
	local c n=0
	for c in $(pr_children "$1"); do it_alive "$c" && n=$((n + 1)); done
	[ "$n" = "$2" ]
}

# pr_is_worker PID — PID runs the logout-fcgi binary (exec'd, not a wrapper).
pr_is_worker() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$IT_WORKER_BIN")" ]
}

# pr_serving_pids LOG — PIDs that logged "serving with" in LOG, sorted.
pr_serving_pids() {
	sed -n 's/^logout-fcgi\[\([0-9]*\)\]: info: serving with.*/\1/p' "$@" 2>/dev/null | sort -u
}

# pr_log_count LOG ERE — lines of LOG matching ERE.
pr_log_count() { grep -c -E -- "$2" "$1" 2>/dev/null; }

# pr_log_has_n LOG ERE N — at least N matching lines.
pr_log_has_n() {
	local n
	n=$(pr_log_count "$1" "$2") # nothing while LOG does not exist yet
	[ "${n:-0}" -ge "$3" ]
}

# pr_wait_exit PID SECS — wait for our child PID to end; sets PR_RC
# (its exit status) and returns 0, or returns 1 when it is still running.
pr_wait_exit() {
	PR_RC=
	it_wait_until "$2" eval "! it_alive $1" || return 1
	wait "$1"
	PR_RC=$?
	return 0
}

# ---------------------------------------------------------------- sessions

# pr_uuid — a random UUIDv4 (bash only, no fork).
# $RANDOM does not advance in $(...) subshells, so ids built from it repeat:
# lib.sh's it_uuid_new reads /dev/urandom.
pr_uuid() { it_uuid_new; }

# pr_worker NAME CONF SOCK LOG THREADS — a worker serving SOCK, a child of
# this shell (so its exit status can be read), tracked for cleanup; sets
# wpid. Returns 0 once it logs that it serves, 1 after 5 s without.
pr_worker() {
	"$IT_WORKER_BIN" --config "$2" --listen "$3" --threads "$5" </dev/null 2>>"$4" &
	wpid=$!
	pr_track "$wpid" "worker $1"
	it_wait_until 5 pr_log_has_n "$4" "^logout-fcgi\[$wpid\]: info: serving with" 1
}

# pr_sessions N USER OUT — N session rows for USER in one INSERT; OUT gets
# one line per session: "SID REQUEST_ID" (the request id to send with its
# logout, so the audit line of that very request can be found).
pr_sessions() {
	local n=$1 user=$2 out=$3 i sid vals= sep=
	: >"$out"
	for ((i = 1; i <= n; i++)); do
		sid=pr$(pr_uuid)
		printf '%s %s\n' "$sid" "$(pr_uuid)" >>"$out"
		vals="$vals$sep($user, UNHEX(SHA2('$sid', 256)), UNHEX(SHA2('rj-$sid', 256)), NOW() + INTERVAL 1 DAY)"
		sep=,
	done
	it_sql app -e "INSERT INTO user_sessions (user_id, session_hash, refresh_jti_hash, expires_at) VALUES $vals"
}

# pr_tokens SESSIONS USER OUT [CONF [KID]] — an access token for each
# session of the SESSIONS file (minted offline by the admin tool, with CONF's
# keys); OUT lines: "SID REQUEST_ID TOKEN". Not added to IT_DIR/tokens: they
# only reach the case's own processes, whose logs the case checks itself
# (pr_no_tokens_in); the run script checks the suite worker's log
# (it_expect_log_clean).
pr_tokens() {
	local in=$1 user=$2 out=$3 conf=${4:-$IT_CONF} kid=${5:-} sid rid tok
	: >"$out"
	while read -r sid rid; do
		tok=$("$IT_ADMIN_BIN" --config "$conf" mint --sub "$user" --sid "$sid" \
			${kid:+--kid "$kid"} 2>>"$IT_DIR/pr-mint.err" | tail -n 1)
		[ -n "$tok" ] || { it_log "mint failed: $(tail -n 2 "$IT_DIR/pr-mint.err")"; return 1; }
		printf '%s %s %s\n' "$sid" "$rid" "$tok" >>"$out"
	done <"$in"
}

# pr_sid_count SID — 1 while the session of SID exists, else 0.
pr_sid_count() { it_db_count "session_hash = UNHEX(SHA2('$1', 256))"; }

# pr_sids_left FILE — how many of FILE's sessions (first column) still exist.
pr_sids_left() {
	local list
	list=$(awk '{ printf "%sUNHEX(SHA2(\x27%s\x27, 256))", (NR > 1 ? "," : ""), $1 }' "$1")
	[ -n "$list" ] || { echo 0; return; }
	it_db_count "session_hash IN ($list)"
}

# ---------------------------------------------------------------- load

# pr_post BASE TOKEN [REQUEST_ID] [ENDPOINT] — one logout (or POST of
# ENDPOINT, e.g. logout-all); prints "CODE TIME".
pr_post() {
	it_http --base "$1" --max-time 10 --status-only POST "$PR_P/${4:-logout}" \
		-H "Authorization: Bearer $2" ${3:+-H "X-Request-Id: $3"}
	printf '%s %s' "$H_STATUS" "$H_TIME"
}

# pr_load BASE TOKENS OUT [STOPFILE] [SECS] [ENDPOINT] — one client: a
# logout (or POST of ENDPOINT) for each line of TOKENS, in order, one at a
# time; OUT gets "SID RID CODE TIME" per answer. Stops early when STOPFILE
# exists or after SECS (default 30). Run it in the background: `pr_load ... &`.
pr_load() {
	local base=$1 in=$2 out=$3 stop=${4:-} secs=${5:-30} ep=${6:-logout} deadline sid rid tok r
	deadline=$((SECONDS + secs))
	: >"$out"
	while read -r sid rid tok; do
		[ -n "$stop" ] && [ -e "$stop" ] && break
		[ "$SECONDS" -ge "$deadline" ] && break
		r=$(pr_post "$base" "$tok" "$rid" "$ep")
		printf '%s %s %s\n' "$sid" "$rid" "${r:-000 0}" >>"$out"
	done <"$in"
}

# pr_lines FILE... — total lines.
pr_lines() { cat "$@" 2>/dev/null | wc -l; }
pr_lines_ge() {
	local n=$1
	shift
	[ "$(pr_lines "$@")" -ge "$n" ]
}

# pr_codes FILE... — "COUNT*CODE " for each status of the load results.
pr_codes() {
	cat "$@" | awk '{ print $3 }' | sort | uniq -c | awk '{ printf "%s*%s ", $1, $2 }'
}

# pr_count_code CODE FILE... — answers with that status.
pr_count_code() {
	local c=$1
	shift
	cat "$@" | awk -v c="$c" '$3 == c { n++ } END { print n + 0 }'
}

# pr_max_time FILE... — the slowest answer, in seconds.
pr_max_time() { cat "$@" | awk '$4 > m { m = $4 } END { print m + 0 }'; }

# pr_select CODE FILE... — the result lines with status CODE (or "!CODE").
pr_select() {
	local c=$1
	shift
	case $c in
	!*) cat "$@" | awk -v c="${c#!}" '$3 != c' ;;
	*) cat "$@" | awk -v c="$c" '$3 == c' ;;
	esac
}

# pr_audited RID LOG... — the worker logged an audit line for that request.
pr_audited() { grep -q -F "\"trace_id\":\"$1\"" "${@:2}" 2>/dev/null; }

# pr_no_tokens_in TOKENS LOG... — fails (t_fail) when a token of the TOKENS
# file appears in one of the logs.
pr_no_tokens_in() {
	local f=$1
	shift
	awk '{ print $3 }' "$f" | grep -q -F -f - "$@" 2>/dev/null &&
		t_fail "a token of $(basename "$f") appears in $*"
	return 0
}

# pr_http_ready BASE SECS — the chain behind BASE answers a bare POST /logout
# with 401 (worker reached), within SECS.
pr_answers_401() {
	it_http --base "$1" --max-time 3 --status-only POST "$PR_P/logout"
	[ "$H_STATUS" = 401 ]
}
pr_http_ready() { it_wait_until "$2" pr_answers_401 "$1"; }

# pr_status BASE TOKEN — just the status of one logout.
pr_status() {
	local r
	r=$(pr_post "$1" "$2")
	printf '%s' "${r%% *}"
}

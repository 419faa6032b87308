# SPDX-License-Identifier: ISC
# t_metrics.sh — the operator's routes (README, "Health and metrics"): a
# supervisor with --workers 2 and [server] health_path and metrics_path
# set, behind an nginx of its own that includes the shipped
# deploy/nginx/logout-fcgi-metrics.conf. The text of /metrics is read by
# prometheus_client's own parser (python3-prometheus-client): a known mix
# of requests shows up as exact deltas per route, status and reason,
# summed over both workers; histograms are cumulative with +Inf = _count;
# a worker killed and replaced takes no count down. /health is 200, 503
# while the database is stopped and 200 again once it is back.
# Sourced by tests/integration/run in a subshell (lib.sh loaded, stack up).

. "$top_srcdir/tests/integration/procs.sh"
trap pr_cleanup EXIT

PY=/usr/bin/python3
P=/api/v1/auth
mdir=$IT_DIR/metrics
msock=$IT_DIR/metrics.sock
mlog=$IT_DIR/metrics.log
# Next to the suite's config: its relative key paths stay right.
mconf=$IT_DIR/metrics.conf
mkdir -p "$mdir"
sed -e 's|^health_path =.*|health_path = /health|' -e 's|^metrics_path =.*|metrics_path = /metrics|' \
	"$IT_CONF" >"$mconf"
chmod 600 "$mconf"

# m_http METHOD PATH [curl args...] — it_http to this case's nginx.
m_http() {
	local IT_BASE=$MBASE
	it_http "$@"
}

# m_nginx_start — procs.sh's nginx (the shipped API snippet, in its
# one-connection-per-request form, so that requests one at a time reach
# both workers: a kept connection stays with the process that accepted it)
# with the shipped metrics snippet included next to it, and the client address
# taken from X-Forwarded-For (realip), so a request can claim to come from
# elsewhere while all traffic stays on 127.0.0.1. lib.sh's renderer is
# wrapped for this case file only (it runs in a subshell of its own).
eval "m_orig_nginx_render() $(declare -f it_nginx_render | tail -n +2)"
it_nginx_render() {
	m_orig_nginx_render || return 1
	# it passes to the upstream lib.sh rendered with the worker's socket
	cp "$top_srcdir/deploy/nginx/logout-fcgi-metrics.conf.in" "$IT_NGINX_DIR/logout-fcgi-metrics.conf" || return 1
	printf '%s\n' "include $IT_NGINX_DIR/logout-fcgi-metrics.conf;" \
		"set_real_ip_from 127.0.0.1;" "real_ip_header X-Forwarded-For;" \
		>>"$IT_NGINX_DIR/logout-fcgi.conf"
}
m_nginx_start() {
	IT_NGINX_LOCATION=logout-fcgi-nokeep pr_nginx_start metrics-nginx "$msock" || return 1
	MBASE=$PR_BASE
}

# m_scrape FILE — GET /metrics into FILE; 0 when it answered 200.
m_scrape() {
	m_http GET /metrics
	[ "$H_STATUS" = 200 ] || return 1
	printf '%s' "$H_BODY" >"$1"
}

# m_check MODE ARGS... — the exposition files through prometheus_client's
# parser (tests below); prints "FAIL: ..." lines, nothing when all hold.
#   wellformed FILE                 every family parses; counters end in
#                                   _total; histograms cumulative, +Inf = _count
#   deltas BEFORE AFTER EXPECT      each "SERIES DELTA" line of EXPECT holds
#                                   exactly; every other refusals_total
#                                   series moved by 0
#   value FILE SERIES               print the value of SERIES
#   monotonic BEFORE AFTER          no counter or histogram sample went down
m_check() {
	"$PY" - "$@" <<'PY'
import math, sys
from prometheus_client.parser import text_string_to_metric_families

def load(path):
    with open(path) as f:
        fams = list(text_string_to_metric_families(f.read()))
    samples = {}
    for fam in fams:
        for s in fam.samples:
            key = s.name
            if s.labels:
                key += "{" + ",".join('%s="%s"' % kv for kv in sorted(s.labels.items())) + "}"
            samples[key] = (fam.type, s.value)
    return fams, samples

def wellformed(path):
    fams, _ = load(path)
    if len(fams) < 15:
        print("FAIL: only %d families" % len(fams))
    for fam in fams:
        if fam.type == "counter":
            for s in fam.samples:
                if not s.name.endswith("_total"):
                    print("FAIL: counter sample %s does not end in _total" % s.name)
        if fam.type != "histogram":
            continue
        groups = {}
        for s in fam.samples:
            labels = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            g = groups.setdefault(labels, {"b": [], "count": None, "sum": None})
            if s.name.endswith("_bucket"):
                g["b"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                g["count"] = s.value
            elif s.name.endswith("_sum"):
                g["sum"] = s.value
        if not groups:
            print("FAIL: histogram %s has no samples" % fam.name)
        for labels, g in groups.items():
            b = sorted(g["b"])
            what = "%s%s" % (fam.name, dict(labels))
            if not b or not math.isinf(b[-1][0]):
                print("FAIL: %s has no +Inf bucket" % what)
                continue
            if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
                print("FAIL: %s buckets not cumulative: %s" % (what, b))
            if g["count"] != b[-1][1]:
                print("FAIL: %s _count %s != +Inf bucket %s" % (what, g["count"], b[-1][1]))
            if g["sum"] is None or g["sum"] < 0:
                print("FAIL: %s _sum missing or negative" % what)

def value(samples, key):
    return samples[key][1] if key in samples else 0.0

mode = sys.argv[1]
if mode == "wellformed":
    wellformed(sys.argv[2])
elif mode == "value":
    _, s = load(sys.argv[2])
    print("%g" % value(s, sys.argv[3]))
elif mode == "deltas":
    _, a = load(sys.argv[2])
    _, b = load(sys.argv[3])
    named = set()
    for line in open(sys.argv[4]):
        line = line.strip()
        if not line:
            continue
        key, want = line.rsplit(" ", 1)
        named.add(key)
        got = value(b, key) - value(a, key)
        if got != float(want):
            print("FAIL: %s moved by %g, want %s" % (key, got, want))
    for key in b:
        if key.startswith("logout_fcgi_refusals_total{") and key not in named:
            got = value(b, key) - value(a, key)
            if got != 0:
                print("FAIL: %s moved by %g, want 0" % (key, got))
elif mode == "monotonic":
    _, a = load(sys.argv[2])
    _, b = load(sys.argv[3])
    for key, (typ, v) in a.items():
        if typ in ("counter", "histogram") and value(b, key) < v:
            print("FAIL: %s went down: %g -> %g" % (key, v, value(b, key)))
PY
}

# m_expect_clean OUTPUT WHAT — t_fail on each FAIL line of m_check.
m_expect_clean() {
	local l
	[ -z "$1" ] && return 0
	while IFS= read -r l; do t_fail "$2: $l"; done <<<"$1"
}

# m_audit_pids FROM — the pids of the audit lines of mlog after line FROM.
m_audit_pids() {
	tail -n +"$(($1 + 1))" "$mlog" | sed -n 's/.*"pid":\([0-9]*\),"event".*/\1/p' | sort -u
}

"$IT_WORKER_BIN" --config "$mconf" --listen "$msock" --workers 2 --threads 2 </dev/null 2>>"$mlog" &
sup=$!
pr_track "$sup" "metrics supervisor"
two() { pr_nchildren_is "$sup" 2 && [ "$(pr_serving_pids "$mlog" | wc -l)" -ge "$1" ]; }
MBASE=
if it_wait_until 10 two 2 && m_nginx_start; then
	it_wait_until 10 eval 'm_http GET /health; [ "$H_STATUS" = 200 ]' || MBASE=
fi

t_begin "health and metrics through the shipped nginx snippet: 200, HEAD, 405 with Allow, 403 off the host, never audited"
if [ -z "$MBASE" ]; then
	t_fail "supervisor or nginx not serving: $(tail -n 5 "$mlog")"
else
	lines0=$(grep -c '"event":' "$mlog")
	m_http GET /health
	expect_status 200
	expect_eq "$H_BODY" '{"status":"ok"}' "health body"
	expect_match "$(it_hdr Content-Type)" 'application/json' "health Content-Type"
	expect_common_headers
	# (curl -I writes the head where the body would go: no '{' means no body)
	m_http HEAD /health -I
	expect_status 200
	case $H_BODY in *'{'*) t_fail "HEAD /health has a body" ;; esac
	expect_eq "$(it_hdr Content-Length)" 15 "HEAD Content-Length"
	for path in /health /metrics; do
		m_http POST $path -H 'Content-Length: 0'
		expect_error 405 METHOD_NOT_ALLOWED
		expect_eq "$(it_hdr Allow)" "GET, HEAD" "Allow of POST $path"
		expect_eq "$(it_hdr X-RateLimit-Limit)" "" "X-RateLimit-Limit of POST $path"
		m_http GET $path -H 'X-Forwarded-For: 192.0.2.7'
		expect_eq "$H_STATUS" 403 "GET $path from 192.0.2.7"
	done
	m_http GET /metrics
	expect_status 200
	expect_eq "$(it_hdr Content-Type)" "text/plain; version=0.0.4; charset=utf-8" "metrics Content-Type"
	printf '%s' "$H_BODY" >"$mdir/first.prom"
	m_expect_clean "$(m_check wellformed "$mdir/first.prom" 2>&1)" "first scrape"
	expect_eq "$(grep -c '"event":' "$mlog")" "$lines0" "audit lines after health and metrics requests"
	# the API's routes are still there, and a path outside them is a 404
	m_http POST $P/logout
	expect_error 401 UNAUTHORIZED
	m_http GET /healthz
	expect_error 404 NOT_FOUND
fi
t_end

t_begin "metrics: a known mix of requests as exact deltas per route, status and reason, summed over both workers"
if [ -n "$MBASE" ]; then
	u=$((RANDOM % 100000 + 500000))
	toks=()
	for i in 1 2 3 4 5; do
		it_session "$u" && toks+=("$S_ACCESS") || t_fail "could not create session $i"
	done
	expired=$(it_mint --sub "$u" --type access --sid "$S_SID" --exp-in -60) || t_fail "mint failed"
	it_session "$u" || t_fail "could not create the bad-signature session"
	sig=${S_ACCESS##*.}
	c=${sig:3:1}
	[ "$c" = A ] && c=B || c=A
	badsig=${S_ACCESS%.*}.${sig:0:3}$c${sig:4}
	m_scrape "$mdir/before.prom" || t_fail "scrape before: $H_STATUS"
	from=$(wc -l <"$mlog")
	codes=
	for tok in "${toks[@]}"; do
		m_http POST $P/logout -H "Authorization: Bearer $tok"
		codes="$codes$H_STATUS "
	done
	for i in 1 2 3; do
		m_http POST $P/logout -H 'Content-Length: 0'
		codes="$codes$H_STATUS "
	done
	for tok in "$expired" "$badsig"; do
		m_http POST $P/logout -H "Authorization: Bearer $tok"
		codes="$codes$H_STATUS "
	done
	m_http GET $P/logout
	codes="$codes$H_STATUS"
	expect_eq "$codes" "204 204 204 204 204 401 401 401 401 401 405" "statuses of the mix"
	# More of the no-token kind, one at a time, until both workers have
	# served some (the kernel hands each connection to either process).
	extra=0
	while [ "$(m_audit_pids "$from" | wc -l)" -lt 2 ] && [ "$extra" -lt 200 ]; do
		m_http POST $P/logout -H 'Content-Length: 0'
		extra=$((extra + 1))
	done
	pids=$(m_audit_pids "$from" | tr '\n' ' ')
	t_note "served by pids $pids after $extra extra requests; workers $(pr_children "$sup" | tr '\n' ' ')"
	expect_eq "$(m_audit_pids "$from" | wc -l)" 2 "worker pids in the audit lines of the mix"
	m_scrape "$mdir/after.prom" || t_fail "scrape after: $H_STATUS"
	cat >"$mdir/expect" <<EOF
logout_fcgi_requests_total{route="logout",status="204"} 5
logout_fcgi_requests_total{route="logout",status="401"} $((5 + extra))
logout_fcgi_requests_total{route="logout",status="405"} 1
logout_fcgi_requests_total{route="logout-all",status="200"} 0
logout_fcgi_requests_total{route="metrics",status="200"} 1
logout_fcgi_requests_total{route="health",status="200"} 0
logout_fcgi_refusals_total{reason="no_bearer_token"} $((3 + extra))
logout_fcgi_refusals_total{reason="token_expired"} 1
logout_fcgi_refusals_total{reason="token_signature"} 1
logout_fcgi_refusals_total{reason="method_not_allowed"} 1
logout_fcgi_rate_limited_total 0
logout_fcgi_sessions_ended_total 5
logout_fcgi_request_duration_seconds_count{route="logout"} $((11 + extra))
logout_fcgi_request_duration_seconds_bucket{le="+Inf",route="logout"} $((11 + extra))
logout_fcgi_batch_size_sum 5
EOF
	m_expect_clean "$(m_check deltas "$mdir/before.prom" "$mdir/after.prom" "$mdir/expect" 2>&1)" "deltas"
	m_expect_clean "$(m_check wellformed "$mdir/after.prom" 2>&1)" "after the mix"
	v() { m_check value "$mdir/after.prom" "$1"; }
	expect_eq "$(v logout_fcgi_workers)" 2 "logout_fcgi_workers"
	expect_eq "$(( $(v 'logout_fcgi_threads{state="busy"}') + $(v 'logout_fcgi_threads{state="idle"}') ))" 4 \
		"busy + idle threads (2 workers x 2)"
	expect_eq "$(v logout_fcgi_worker_starts_total)" 2 "logout_fcgi_worker_starts_total"
	for s in process_cpu_seconds_total process_resident_memory_bytes process_open_fds \
		process_start_time_seconds logout_fcgi_config_generation \
		logout_fcgi_config_last_reload_timestamp_seconds; do
		awk -v x="$(v $s)" 'BEGIN { exit !(x > 0) }' || t_fail "$s is $(v $s), want > 0"
	done
	expect_count "user_id = $u" 1
fi
t_end

t_begin "metrics: a worker killed with SIGKILL is replaced in its slot; no counter goes down" keep
if [ -n "$MBASE" ]; then
	m_scrape "$mdir/c.prom" || t_fail "scrape before the kill: $H_STATUS"
	victim=$(pr_children "$sup" | head -n 1)
	kill -KILL "$victim"
	it_wait_until 10 eval "! it_alive $victim && pr_nchildren_is $sup 2 && two 3" ||
		t_fail "worker $victim not replaced: $(tail -n 3 "$mlog")"
	m_scrape "$mdir/d.prom" || t_fail "scrape after the kill: $H_STATUS"
	m_expect_clean "$(m_check monotonic "$mdir/c.prom" "$mdir/d.prom" 2>&1)" "after the kill"
	expect_eq "$(m_check value "$mdir/d.prom" logout_fcgi_worker_starts_total)" 3 \
		"logout_fcgi_worker_starts_total"
	expect_eq "$(m_check value "$mdir/d.prom" logout_fcgi_workers)" 2 "logout_fcgi_workers"
fi
t_end

t_begin "health: 503 while the database is stopped, 200 once it is back, each within 10 s"
if [ -n "$MBASE" ]; then
	health_is() { m_http GET /health; [ "$H_STATUS" = "$1" ]; }
	health_is 200 || t_fail "health before the stop: $H_STATUS"
	m_scrape "$mdir/e.prom"
	it_db_stop
	if it_wait_until 10 health_is 503; then
		expect_eq "$H_BODY" '{"status":"unavailable"}' "503 body"
		expect_common_headers
	else
		t_fail "no 503 within 10 s of the database stopping (last $H_STATUS)"
	fi
	it_db_start || t_fail "mariadbd did not restart"
	it_wait_until 10 health_is 200 || t_fail "no 200 within 10 s of the database starting (last $H_STATUS)"
	expect_eq "$H_BODY" '{"status":"ok"}' "health body after the restart"
	m_scrape "$mdir/f.prom"
	d() { awk -v a="$(m_check value "$mdir/e.prom" "$1")" -v b="$(m_check value "$mdir/f.prom" "$1")" \
		'BEGIN { print b - a }'; }
	n=$(d 'logout_fcgi_requests_total{route="health",status="503"}')
	awk -v n="$n" 'BEGIN { exit !(n >= 1) }' || t_fail "health 503s counted: $n"
	n=$(d logout_fcgi_db_errors_total)
	awk -v n="$n" 'BEGIN { exit !(n >= 1) }' || t_fail "database errors counted: $n"
fi
t_end

t_begin "metrics supervisor stops on SIGTERM" keep
if [ -n "$MBASE" ]; then
	kill -TERM "$sup"
	pr_wait_exit "$sup" 15 && expect_eq "$PR_RC" 0 "exit status" ||
		t_fail "supervisor still running 15 s after SIGTERM"
fi
t_end

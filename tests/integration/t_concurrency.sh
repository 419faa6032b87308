# SPDX-License-Identifier: ISC
# t_concurrency.sh — parallel requests over the worker's threads: every one
# answered, none lost, and racing logout-alls never leave a row or a 5xx.

P=/api/v1/auth

# par_post ENDPOINT OUTDIR TOKEN... — all at once, one request per token;
# status codes land in OUTDIR/N.
par_post() {
	local ep=$1 out=$2 i=0 tok
	shift 2
	mkdir -p "$out"
	for tok in "$@"; do
		i=$((i + 1))
		it_http_bg "$out/$i" POST "$P/$ep" -H "Authorization: Bearer $tok"
	done
	wait
}

t_begin "20 parallel logouts of 20 sessions: all 204, all rows gone"
toks=()
for i in $(seq 1 20); do it_session 50 && toks+=("$S_ACCESS"); done
it_session 51
expect_eq "${#toks[@]}" 20 "sessions created"
out=$IT_DIR/par1; rm -rf "$out"
par_post logout "$out" "${toks[@]}"
expect_eq "$(cat "$out"/* | sort | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" "20*204 " "statuses"
expect_count "user_id = 50" 0
expect_count "user_id = 51" 1
t_end

t_begin "5 racing logout-alls of one user: 200 or 401 only, at least one 200, no rows left"
toks=()
for i in $(seq 1 5); do it_session 52 && toks+=("$S_ACCESS"); done
it_session 53
out=$IT_DIR/par2; rm -rf "$out"
par_post logout-all "$out" "${toks[@]}"
codes=$(cat "$out"/* | sort | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')
t_note "statuses: $codes"
grep -q -x 200 "$out"/* || t_fail "no 200 among $codes"
for f in "$out"/*; do
	case $(cat "$f") in 200 | 401) ;; *) t_fail "unexpected status $(cat "$f") among $codes" ;; esac
done
expect_count "user_id = 52" 0
expect_count "user_id = 53" 1
t_end

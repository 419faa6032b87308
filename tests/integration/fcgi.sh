# SPDX-License-Identifier: ISC
# fcgi.sh — a minimal FastCGI client in bash (/dev/tcp, no other tool), to
# send a worker what no web server would pass on. Sourced by case files.

# fcgi_rec TYPE FILE — append to FCGI_REQ one record of TYPE with FILE's
# bytes as content (< 64 KiB).
fcgi_rec() {
	local n
	n=$(stat -c %s "$2")
	printf '%b' "$(printf '\\x01\\x%02x\\x00\\x01\\x%02x\\x%02x\\x00\\x00' "$1" $((n >> 8)) $((n & 255)))" >>"$FCGI_REQ"
	cat "$2" >>"$FCGI_REQ"
}

# fcgi_nv NAME VALUE — append a name-value pair to FCGI_PARAMS; VALUE is a
# printf %b string (\x00, \n... allowed).
fcgi_nv() {
	local vf=$IT_DIR/fcgi.nv n v=${#1}
	printf '%b' "$2" >"$vf"
	n=$(stat -c %s "$vf")
	if [ "$n" -lt 128 ]; then
		printf '%b' "$(printf '\\x%02x\\x%02x' "$v" "$n")" >>"$FCGI_PARAMS"
	else
		printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x' "$v" \
			$((n >> 24 | 128)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))" >>"$FCGI_PARAMS"
	fi
	printf '%s' "$1" >>"$FCGI_PARAMS"
	cat "$vf" >>"$FCGI_PARAMS"
}

# fcgi_build BODY NAME=VALUE... — FCGI_REQ gets one request: the usual
# nginx params for POST $P/logout plus the given ones (VALUE as printf %b;
# a later NAME replaces nothing, it is sent as well), BODY (printf %b) on
# stdin.
fcgi_build() {
	local body=$1 kv
	shift
	FCGI_REQ=$IT_DIR/fcgi.req FCGI_PARAMS=$IT_DIR/fcgi.params
	: >"$FCGI_REQ"
	: >"$FCGI_PARAMS"
	printf '%b' '\x00\x01\x00\x00\x00\x00\x00\x00' >"$IT_DIR/fcgi.begin"
	fcgi_rec 1 "$IT_DIR/fcgi.begin"
	fcgi_nv REQUEST_METHOD POST
	fcgi_nv DOCUMENT_URI $P/logout
	fcgi_nv REQUEST_URI $P/logout
	fcgi_nv REMOTE_ADDR 127.0.0.1
	for kv in "$@"; do fcgi_nv "${kv%%=*}" "${kv#*=}"; done
	fcgi_rec 4 "$FCGI_PARAMS"
	: >"$IT_DIR/fcgi.empty"
	fcgi_rec 4 "$IT_DIR/fcgi.empty"
	printf '%b' "$body" >"$IT_DIR/fcgi.stdin"
	[ -s "$IT_DIR/fcgi.stdin" ] && fcgi_rec 5 "$IT_DIR/fcgi.stdin"
	fcgi_rec 5 "$IT_DIR/fcgi.empty"
}

# fcgi_post BODY NAME=VALUE... — fcgi_build, send it to the worker on
# 127.0.0.1:$FCGI_PORT, read the answer. Sets F_STATUS, F_HEADERS, F_BODY.
fcgi_post() {
	local out i n t clen pad k bytes=() stdout=
	fcgi_build "$@"
	F_STATUS= F_HEADERS= F_BODY=
	out=$IT_DIR/fcgi.resp
	: >"$out"
	if ! exec 7<>"/dev/tcp/127.0.0.1/$FCGI_PORT"; then
		t_fail "cannot connect to the worker on 127.0.0.1:$FCGI_PORT"
		return 1
	fi
	cat "$FCGI_REQ" >&7
	timeout 5 cat <&7 >"$out"
	exec 7<&-
	# records: version type id(2) length(2) padding reserved, content
	read -r -a bytes <<<"$(od -An -v -tu1 "$out" | tr -s ' \n' '  ')"
	i=0
	n=${#bytes[@]}
	while [ $((i + 8)) -le "$n" ]; do
		t=${bytes[i + 1]} clen=$((bytes[i + 4] * 256 + bytes[i + 5])) pad=${bytes[i + 6]}
		if [ "$t" = 6 ]; then
			for ((k = i + 8; k < i + 8 + clen; k++)); do printf -v stdout '%s\\x%02x' "$stdout" "${bytes[k]}"; done
		fi
		i=$((i + 8 + clen + pad))
	done
	printf '%b' "$stdout" | tr -d '\r' >"$IT_DIR/fcgi.stdout"
	F_HEADERS=$(sed '/^$/q' "$IT_DIR/fcgi.stdout")
	F_BODY=$(sed '1,/^$/d' "$IT_DIR/fcgi.stdout")
	F_STATUS=$(printf '%s\n' "$F_HEADERS" | sed -n 's/^Status: \([0-9]*\).*/\1/p')
	[ -n "$F_STATUS" ] || { [ -s "$IT_DIR/fcgi.stdout" ] && F_STATUS=200; }
}

f_hdr() { printf '%s\n' "$F_HEADERS" | sed -n "s/^$1: *//Ip" | tail -n 1; }

# SPDX-License-Identifier: ISC
# tests/integration/jwt.sh — JWTs crafted by hand, for the hostile-input
# cases (t_attacks, t_abuse, t_authz). Sourced after lib.sh; bash only.
#
# Only bash and coreutils: base64url in bash (basenc for arbitrary bytes),
# HMAC-SHA256/512 built on sha256sum/sha512sum (RFC 2104), so no openssl or
# python is needed. The admin tool cannot produce a malformed token; these
# functions can: any header, any payload bytes, any signature.
#
# Printing functions (use in $(...)):
#   jwt_b64 STRING          base64url of STRING's bytes, no padding
#   jwt_b64_stdin           the same for stdin (any bytes, NUL included)
#   jwt_key_hex FILE        the key bytes of a base64 key file, as hex
#   jwt_hmac_hex ALG KEYHEX MSG   HMAC of MSG as hex (ALG HS256|HS512)
#   jwt_hmac_b64 ALG KEYHEX MSG   the same, base64url
#   jwt_sign ALG KEYHEX HEADER PAYLOAD   "b64(HEADER).b64(PAYLOAD).HMAC"
#   jwt_sign_raw ALG KEYHEX H64 P64      the same over given segments
#   jwt_now                 Unix seconds
# Set-up:
#   jwt_prepare KEYHEX...   compute the keys' HMAC pads once, in the case
#                           file's shell, so tokens made in $(...) find them
#
# A token costs two forks (the two hashes): everything else is done in the
# shell, as a case file makes a few hundred tokens. The _jwt_* functions
# return in JWT_R instead of printing.

JWT_B64A=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
declare -A JWT_PADS

jwt_now() { date +%s; }

# _jwt_b64 STRING — JWT_R = base64url of STRING (bytes: C locale).
_jwt_b64() {
	local LC_ALL=C
	local s=$1 out= i n a b c v
	n=${#s}
	for ((i = 0; i < n; i += 3)); do
		printf -v a '%d' "'${s:i:1}"
		b=0 c=0
		((i + 1 < n)) && printf -v b '%d' "'${s:i+1:1}"
		((i + 2 < n)) && printf -v c '%d' "'${s:i+2:1}"
		v=$(((a & 255) << 16 | (b & 255) << 8 | (c & 255)))
		out+=${JWT_B64A:v>>18&63:1}${JWT_B64A:v>>12&63:1}
		((i + 1 < n)) && out+=${JWT_B64A:v>>6&63:1}
		((i + 2 < n)) && out+=${JWT_B64A:v&63:1}
	done
	JWT_R=$out
}

# _jwt_hex_b64 HEX — JWT_R = base64url of the bytes written in HEX.
_jwt_hex_b64() {
	local h=$1 out= i n=${#1} v
	for ((i = 0; i + 6 <= n; i += 6)); do
		v=$((16#${h:i:6}))
		out+=${JWT_B64A:v>>18&63:1}${JWT_B64A:v>>12&63:1}${JWT_B64A:v>>6&63:1}${JWT_B64A:v&63:1}
	done
	case $((n - i)) in
	4)
		v=$((16#${h:i:4} << 8))
		out+=${JWT_B64A:v>>18&63:1}${JWT_B64A:v>>12&63:1}${JWT_B64A:v>>6&63:1}
		;;
	2)
		v=$((16#${h:i:2} << 16))
		out+=${JWT_B64A:v>>18&63:1}${JWT_B64A:v>>12&63:1}
		;;
	esac
	JWT_R=$out
}

# _jwt_hex_esc HEX — JWT_R = HEX as printf %b escapes.
_jwt_hex_esc() {
	local i out=
	for ((i = 0; i < ${#1}; i += 2)); do out+="\\x${1:i:2}"; done
	JWT_R=$out
}

# _jwt_pads ALG KEYHEX — JWT_IPAD, JWT_OPAD (printf %b escapes), JWT_SUM.
_jwt_pads() {
	local alg=$1 key=$2 bs i b ip= op=
	case $alg in
	HS256) JWT_SUM=sha256sum bs=64 ;;
	HS512) JWT_SUM=sha512sum bs=128 ;;
	*) it_die "jwt: no HMAC for '$alg'"; return 1 ;;
	esac
	if [ -n "${JWT_PADS[$alg:$key]:-}" ]; then
		JWT_IPAD=${JWT_PADS[$alg:$key]% *} JWT_OPAD=${JWT_PADS[$alg:$key]#* }
		return 0
	fi
	if [ $((${#key} / 2)) -gt "$bs" ]; then # longer than a block: hashed
		_jwt_hex_esc "$key"
		key=$(printf '%b' "$JWT_R" | $JWT_SUM)
		key=${key%% *}
	fi
	while [ ${#key} -lt $((bs * 2)) ]; do key+=00; done
	for ((i = 0; i < bs * 2; i += 2)); do
		b=$((16#${key:i:2}))
		printf -v ip '%s\\x%02x' "$ip" $((b ^ 0x36))
		printf -v op '%s\\x%02x' "$op" $((b ^ 0x5c))
	done
	JWT_IPAD=$ip JWT_OPAD=$op
	JWT_PADS[$alg:$2]="$ip $op"
}

jwt_prepare() {
	local k
	for k in "$@"; do _jwt_pads HS256 "$k" && _jwt_pads HS512 "$k"; done
}

# _jwt_hmac ALG KEYHEX MSG — JWT_R = HMAC(key, MSG) as hex. The hash
# inputs (bytes, NUL included) go through a scratch file under IT_DIR.
_jwt_hmac() {
	local f=${JWT_TMP:-${IT_DIR:-${TMPDIR:-/tmp}}}/jwt-hmac.$BASHPID h
	_jwt_pads "$1" "$2" || return 1
	printf '%b%s' "$JWT_IPAD" "$3" >"$f" || return 1
	h=$($JWT_SUM <"$f")
	_jwt_hex_esc "${h%% *}"
	printf '%b%b' "$JWT_OPAD" "$JWT_R" >"$f"
	h=$($JWT_SUM <"$f")
	JWT_R=${h%% *}
}

# _jwt_sign_raw ALG KEYHEX H64 P64 — JWT_R = the token.
_jwt_sign_raw() {
	_jwt_hmac "$1" "$2" "$3.$4" || return 1
	_jwt_hex_b64 "$JWT_R"
	JWT_R="$3.$4.$JWT_R"
}

# _jwt_sign ALG KEYHEX HEADER_JSON PAYLOAD_JSON — JWT_R = the token.
_jwt_sign() {
	local h64
	_jwt_b64 "$3"
	h64=$JWT_R
	_jwt_b64 "$4"
	_jwt_sign_raw "$1" "$2" "$h64" "$JWT_R"
}

jwt_b64() { _jwt_b64 "$1" && printf '%s' "$JWT_R"; }
jwt_b64_stdin() { basenc --base64url -w0 | tr -d '='; }
jwt_key_hex() { base64 -d <"$1" | od -An -v -tx1 | tr -d ' \n'; }
jwt_hmac_hex() { _jwt_hmac "$@" && printf '%s' "$JWT_R"; }
jwt_hmac_b64() { _jwt_hmac "$@" && _jwt_hex_b64 "$JWT_R" && printf '%s' "$JWT_R"; }
jwt_sign_raw() { _jwt_sign_raw "$@" && printf '%s' "$JWT_R"; }
# The header's alg is whatever HEADER says; ALG is the HMAC actually used.
jwt_sign() { _jwt_sign "$@" && printf '%s' "$JWT_R"; }

/* SPDX-License-Identifier: ISC */
/*
 * make_seeds.c — writes the seed corpora of tests/fuzz/corpus/ (which are
 * committed as static files; this program documents how they were made and
 * remakes them after a change of keys or format). Needs libsodium only:
 *
 *   cc -std=c11 -D_GNU_SOURCE -Itests/fuzz -Isrc tests/fuzz/make_seeds.c \
 *       $(pkg-config --cflags --libs libsodium) -o make_seeds
 *   ./make_seeds tests/fuzz/corpus
 *
 * Keys and clock are those of fuzz.h: "a" HS256 (default), "b" HS512,
 * now = FUZZ_NOW.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "fuzz.h"

static const char *outdir;

static void
put(const char *corpus, const char *name, const void *data, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, corpus);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, corpus, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
puts_(const char *corpus, const char *name, const char *s)
{
	put(corpus, name, s, strlen(s));
}

/* A literal that may hold NULs. */
#define PUTLIT(corpus, name, lit) put((corpus), (name), (lit), sizeof(lit) - 1)

static size_t
b64u(const void *in, size_t len, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

/* base64url(hdr) "." base64url(payload) "." base64url(HMAC with key). */
static size_t
craft(const char *hdr, const char *payload, char key, char *out, size_t cap)
{
	unsigned char mac[64];
	size_t n;

	n = b64u(hdr, strlen(hdr), out, cap);
	out[n++] = '.';
	n += b64u(payload, strlen(payload), out + n, cap - n);
	if (key == 'a') {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, (const unsigned char *)FUZZ_SECRET32, 32);
		crypto_auth_hmacsha256_update(&st, (unsigned char *)out, n);
		crypto_auth_hmacsha256_final(&st, mac);
		out[n++] = '.';
		n += b64u(mac, 32, out + n, cap - n);
	} else if (key == 'b') {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, (const unsigned char *)FUZZ_SECRET64, 64);
		crypto_auth_hmacsha512_update(&st, (unsigned char *)out, n);
		crypto_auth_hmacsha512_final(&st, mac);
		out[n++] = '.';
		n += b64u(mac, 64, out + n, cap - n);
	} else
		out[n++] = '.'; /* empty signature */
	out[n] = '\0';
	return n;
}

static char tok[16384];

static void
token(const char *name, const char *hdr, const char *payload, char key)
{
	size_t n = craft(hdr, payload, key, tok, sizeof(tok));

	put("token", name, tok, n);
}

/* The harness's JSON mode: HEADER '\n' PAYLOAD, signed by the harness. */
static void
token_json(const char *name, const char *hdr, const char *payload)
{
	char buf[8192];
	int n = snprintf(buf, sizeof(buf), "%s\n%s", hdr, payload);

	put("token", name, buf, (size_t)n);
}

#define HA  "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"a\"}"
#define HB  "{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"b\"}"
#define H0  "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define EXP "1700003600"
#define OLD "1699990000"
#define ISS "\"iss\":\"https://issuer.example\",\"aud\":\"logout-api\""
#define ACCESS \
	"{\"sub\":\"42\",\"sid\":\"s-1\",\"jti\":\"j-1\",\"typ\":\"access\",\"iat\":" OLD \
	",\"nbf\":" OLD ",\"exp\":" EXP "," ISS "}"
#define SHORT "{\"sub\":\"42\",\"exp\":" EXP ",\"typ\":\"access\"}"
#define REFRESH \
	"{\"sub\":42,\"sid\":\"s-1\",\"jti\":\"r-1\",\"typ\":\"refresh\",\"exp\":" EXP \
	",\"iss\":\"https://issuer.example\",\"aud\":[\"x\",\"logout-api\"]}"

static void
tokens(void)
{
	char buf[4096];
	size_t n;

	/* Valid. */
	token("valid-access-a", HA, ACCESS, 'a');
	token("valid-refresh-b", HB, REFRESH, 'b');
	token("valid-nokid-default", H0, ACCESS, 'a');
	token("valid-minimal", H0, "{\"sub\":\"u\",\"exp\":" EXP "}", 'a');

	/* Header attacks. */
	token("alg-none", "{\"alg\":\"none\",\"kid\":\"a\"}", SHORT, 0);
	token("alg-None", "{\"alg\":\"None\"}", SHORT, 0);
	token("alg-NONE-signed", "{\"alg\":\"NONE\"}", SHORT, 'a');
	token("alg-missing", "{\"typ\":\"JWT\",\"kid\":\"a\"}", SHORT, 'a');
	token("alg-null", "{\"alg\":null}", SHORT, 'a');
	token("alg-hs512-on-hs256-key", "{\"alg\":\"HS512\",\"kid\":\"a\"}", SHORT, 'b');
	token("alg-hs256-on-hs512-key", "{\"alg\":\"HS256\",\"kid\":\"b\"}", SHORT, 'a');
	token("alg-rs256", "{\"alg\":\"RS256\",\"kid\":\"a\"}", SHORT, 'a');
	token("alg-es256", "{\"alg\":\"ES256\"}", SHORT, 'a');
	token("alg-lowercase", "{\"alg\":\"hs256\"}", SHORT, 'a');
	token("alg-array", "{\"alg\":[\"HS256\"]}", SHORT, 'a');
	token("sig-empty", HA, SHORT, 0);
	token("crit", "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", SHORT, 'a');
	token("kid-traversal", "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}", SHORT, 'a');
	token("kid-sql", "{\"alg\":\"HS256\",\"kid\":\"a' OR '1'='1\"}", SHORT, 'a');
	token("kid-quote", "{\"alg\":\"HS256\",\"kid\":\"a\\\"\"}", SHORT, 'a');
	token("kid-nul", "{\"alg\":\"HS256\",\"kid\":\"a\\u0000\"}", SHORT, 'a');
	token("kid-number", "{\"alg\":\"HS256\",\"kid\":1}", SHORT, 'a');
	token("kid-empty", "{\"alg\":\"HS256\",\"kid\":\"\"}", SHORT, 'a');
	token("hdr-dup-alg", "{\"alg\":\"none\",\"alg\":\"HS256\"}", SHORT, 'a');
	token("hdr-not-object", "[\"HS256\"]", SHORT, 'a');
	token("hdr-trailing-junk", "{\"alg\":\"HS256\"}x", SHORT, 'a');

	/* Segments and encoding. */
	put("token", "empty", "", 0);
	puts_("token", "dots-only", "..");
	n = craft(HA, SHORT, 'a', buf, sizeof(buf));
	{
		char two[4096];
		char *d2 = strrchr(buf, '.');

		memcpy(two, buf, (size_t)(d2 - buf));
		two[d2 - buf] = '\0';
		puts_("token", "two-segments", two);
		snprintf(two, sizeof(two), "%s.", buf);
		puts_("token", "four-segments-empty", two);
		snprintf(two, sizeof(two), "%s.e30", buf);
		puts_("token", "four-segments", two);
		snprintf(two, sizeof(two), "%.*s==.%s", (int)(strchr(buf, '.') - buf), buf,
		    strchr(buf, '.') + 1);
		puts_("token", "padded-header", two);
		snprintf(two, sizeof(two), "%s=", buf);
		puts_("token", "padded-signature", two);
		snprintf(two, sizeof(two), " %s", buf);
		puts_("token", "leading-space", two);
		snprintf(two, sizeof(two), "%s\n", buf);
		puts_("token", "trailing-newline", two);
		memcpy(two, buf, n + 1);
		two[strchr(buf, '.') - buf + 3] = ' ';
		puts_("token", "space-inside", two);
		memcpy(two, buf, n + 1);
		two[strchr(buf, '.') - buf + 3] = '\0';
		put("token", "nul-inside", two, n);
		/* Standard alphabet instead of url-safe. */
		memcpy(two, buf, n + 1);
		for (char *p = two; *p; p++)
			*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
		puts_("token", "std-alphabet", two);
	}
	/* Non-canonical base64url: a 32-byte MAC is 43 chars, the last with 2
	 * unused bits; setting one keeps the decoded bytes the same. */
	n = craft(H0, SHORT, 'a', buf, sizeof(buf));
	{
		static const char abc[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		char *last = buf + n - 1;

		*last = abc[(strchr(abc, *last) - abc) ^ 1];
		puts_("token", "noncanonical-b64", buf);
	}

	/* Claims (signed compact form). */
	token("exp-string", HA, "{\"sub\":\"42\",\"exp\":\"1700003600\"}", 'a');
	token("exp-1e400", HA, "{\"sub\":\"42\",\"exp\":1e400}", 'a');
	token("exp-negative", HA, "{\"sub\":\"42\",\"exp\":-1}", 'a');
	token("exp-null", HA, "{\"sub\":\"42\",\"exp\":null}", 'a');
	token("exp-huge-int", HA, "{\"sub\":\"42\",\"exp\":99999999999999999999999}", 'a');
	token("exp-float", HA, "{\"sub\":\"42\",\"exp\":1700000000.5}", 'a');
	token("exp-dup", HA, "{\"sub\":\"42\",\"exp\":1,\"exp\":" EXP "}", 'a');
	token("sub-dup", HA, "{\"sub\":\"1\",\"sub\":\"2\",\"exp\":" EXP "}", 'a');
	token("deep-nesting", HA,
	    "{\"sub\":\"42\",\"exp\":" EXP ",\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", 'a');

	/* Claims (the harness's JSON mode, signed by the harness). */
	token_json("json-valid", HA, ACCESS);
	token_json("json-valid-b", HB, REFRESH);
	token_json("json-exp-1e400", H0, "{\"sub\":\"42\",\"exp\":1e400}");
	token_json("json-exp-neg-1e400", H0, "{\"sub\":\"42\",\"exp\":-1e400}");
	token_json("json-exp-nan", H0, "{\"sub\":\"42\",\"exp\":NaN}");
	token_json("json-exp-bool", H0, "{\"sub\":\"42\",\"exp\":true}");
	token_json("json-nbf-future", H0, "{\"sub\":\"42\",\"exp\":" EXP ",\"nbf\":1800000000}");
	token_json("json-iat-future", H0, "{\"sub\":\"42\",\"exp\":" EXP ",\"iat\":1.8e9}");
	token_json("json-expired-leeway", H0, "{\"sub\":\"42\",\"exp\":1699999990}");
	token_json("json-sub-empty", H0, "{\"sub\":\"\",\"exp\":" EXP "}");
	token_json("json-sub-nul", H0, "{\"sub\":\"a\\u0000b\",\"exp\":" EXP "}");
	token_json("json-sub-int-max", H0, "{\"sub\":9223372036854775807,\"exp\":" EXP "}");
	token_json("json-sub-negative", H0, "{\"sub\":-5,\"exp\":" EXP "}");
	token_json("json-sub-float", H0, "{\"sub\":1.5,\"exp\":" EXP "}");
	token_json("json-sub-object", H0, "{\"sub\":{\"id\":1},\"exp\":" EXP "}");
	token_json("json-sid-number", H0, "{\"sub\":\"x\",\"sid\":7,\"exp\":" EXP "}");
	token_json(
	    "json-typ-wrong", H0, "{\"sub\":\"x\",\"typ\":\"refresh\",\"exp\":" EXP "," ISS "}");
	token_json("json-aud-array-miss", H0,
	    "{\"sub\":\"x\",\"aud\":[1,null,\"y\"],\"iss\":\"https://issuer.example\",\"exp\":" EXP
	    "}");
	token_json(
	    "json-dup-nested", H0, "{\"sub\":\"x\",\"exp\":" EXP ",\"o\":{\"a\":1,\"a\":2}}");
	token_json("json-deep", H0,
	    "{\"sub\":\"x\",\"exp\":" EXP
	    ",\"d\":{\"d\":{\"d\":{\"d\":{\"d\":{\"d\":{\"d\":{\"d\":{}}}}}}}}}");
	token_json("json-utf8-bad", H0, "{\"sub\":\"\xc0\xaf\",\"exp\":" EXP "}");
	token_json("json-surrogate", H0, "{\"sub\":\"\\ud800\",\"exp\":" EXP "}");
	token_json("json-crit-empty", "{\"alg\":\"HS256\",\"crit\":[]}", ACCESS);
	token_json("json-single-quotes", "{'alg':'HS256'}", ACCESS);
}

static void
bodies(void)
{
	char buf[4096], big[600];
	size_t n;

	n = craft(HA, REFRESH, 'a', tok, sizeof(tok));
	snprintf(buf, sizeof(buf), "{\"refresh_token\":\"%s\",\"all_devices\":false}", tok);
	puts_("body", "valid", buf);
	puts_("body", "all-devices", "{\"all_devices\":true}");
	puts_("body", "empty-object", "{}");
	put("body", "empty", "", 0);
	puts_("body", "whitespace", " \r\n\t");
	puts_("body", "nulls", "{\"refresh_token\":null,\"all_devices\":null}");
	puts_("body", "unknown-member", "{\"x\":[1,2,{\"y\":null}],\"all_devices\":false}");
	puts_("body", "not-object-array", "[]");
	puts_("body", "not-object-string", "\"refresh_token\"");
	puts_("body", "not-object-number", "-0.5e+3");
	puts_("body", "literal-null", "null");
	puts_("body", "wrong-type-token", "{\"refresh_token\":123}");
	puts_("body", "wrong-type-bool", "{\"all_devices\":\"yes\"}");
	puts_("body", "wrong-type-bool-int", "{\"all_devices\":1}");
	puts_("body", "token-empty", "{\"refresh_token\":\"\"}");
	puts_("body", "token-nul-escape", "{\"refresh_token\":\"a\\u0000b\"}");
	PUTLIT("body", "nul-raw-in-string", "{\"refresh_token\":\"a\0b\"}");
	PUTLIT("body", "nul-after", "{}\0");
	puts_("body", "duplicate", "{\"refresh_token\":\"a\",\"refresh_token\":\"b\"}");
	puts_("body", "duplicate-nested-ok", "{\"x\":{\"a\":1,\"a\":2}}");
	puts_("body", "utf8-invalid", "{\"refresh_token\":\"\xff\xfe\"}");
	puts_("body", "utf8-overlong", "{\"refresh_token\":\"\xc0\xaf\"}");
	puts_("body", "utf8-surrogate", "{\"refresh_token\":\"\xed\xa0\x80\"}");
	puts_("body", "escape-surrogate", "{\"refresh_token\":\"\\udc00\\ud800\"}");
	puts_("body", "nan", "{\"all_devices\":NaN}");
	puts_("body", "infinity", "{\"x\":-Infinity}");
	puts_("body", "single-quotes", "{'refresh_token':'a'}");
	puts_("body", "trailing-comma", "{\"all_devices\":true,}");
	puts_("body", "trailing-junk", "{} {}");
	puts_("body", "comment", "{/* c */}");
	puts_("body", "unterminated", "{\"refresh_token\":\"abc");
	puts_("body", "number-huge", "{\"x\":1e99999,\"y\":123456789012345678901234567890}");
	/* Depth bombs: past BODY_MAX_DEPTH and far past it. */
	memset(big, '[', 20);
	memset(big + 20, ']', 20);
	put("body", "depth-20", big, 40);
	memset(big, '[', 300);
	put("body", "depth-bomb-open", big, 300);
	for (n = 0; n < 100; n++)
		memcpy(big + 5 * n, "{\"a\":", 5);
	put("body", "depth-bomb-objects", big, 500);
}

static void
configs(void)
{
	/* deploy/logout-fcgi.conf, its key from the environment. */
	puts_("config", "shipped",
	    "; logout-fcgi.conf (deploy/), secret from FUZZ_KEY_B64\n"
	    "[server]\n"
	    "path_prefix = /api/v1/auth\n"
	    "max_body = 4096\n"
	    "threads = 4\n"
	    "\n"
	    "[token]\n"
	    "format = jwt\n"
	    "leeway = 0\n"
	    "issuer =\n"
	    "audience =\n"
	    "type_claim = typ\n"
	    "access_type = access\n"
	    "refresh_type = refresh\n"
	    "default_key = main\n"
	    "access_ttl = 900\n"
	    "refresh_ttl = 2592000\n"
	    "\n"
	    "[key main]\n"
	    "alg = HS256\n"
	    "secret_env = FUZZ_KEY_B64\n"
	    "encoding = base64\n"
	    "\n"
	    "[database]\n"
	    "hosts = 127.0.0.1:3306\n"
	    "socket =\n"
	    "user = logout\n"
	    "password_file =\n"
	    "password_env = FUZZ_PASSWORD\n"
	    "name = app\n"
	    "connect_timeout = 2\n"
	    "read_timeout = 5\n"
	    "write_timeout = 5\n"
	    "retries = 2\n"
	    "wsrep_sync_wait =\n"
	    "\n"
	    "[sql]\n"
	    "logout = DELETE FROM user_sessions WHERE session_hash = :sid_hash AND user_id = "
	    ":user_id\n"
	    "logout_refresh = DELETE FROM user_sessions WHERE user_id = :user_id\n"
	    "  AND (session_hash = :refresh_sid_hash OR refresh_jti_hash = :refresh_jti_hash)\n"
	    "  AND EXISTS (SELECT 1 FROM user_sessions b WHERE b.session_hash = :sid_hash AND "
	    "b.user_id = :user_id)\n"
	    "session_check = SELECT 1 FROM user_sessions WHERE session_hash = :sid_hash AND "
	    "user_id = :user_id\n"
	    "logout_all = DELETE FROM user_sessions WHERE user_id = :user_id\n"
	    "  AND EXISTS (SELECT 1 FROM user_sessions b WHERE b.session_hash = :sid_hash AND "
	    "b.user_id = :user_id)\n"
	    "create_session = INSERT INTO user_sessions (user_id, session_hash, "
	    "refresh_jti_hash, expires_at)\n"
	    "  VALUES (:user_id, :sid_hash, :refresh_jti_hash, FROM_UNIXTIME(:expires_at))\n"
	    "force_logout = DELETE FROM user_sessions WHERE user_id = :user_id\n"
	    "\n"
	    "[response]\n"
	    "style = envelope\n"
	    "logout_status = 204\n"
	    "\n"
	    "[audit]\n"
	    "enabled = yes\n");
	puts_("config", "minimal", "[key main]\nalg = HS256\nsecret_env = FUZZ_KEY32\n");
	puts_("config", "two-keys",
	    "[server]\npath_prefix = /\nmax_body = 0\n[token]\ndefault_key = b\nleeway = 86400\n"
	    "issuer = https://issuer.example\naudience = logout-api\n"
	    "[key a]\nalg = HS256\nsecret_env = FUZZ_KEY32\nencoding = raw\n"
	    "[key b]\nalg = HS512\nsecret_env = FUZZ_KEY64\n"
	    "[database]\nsocket = /run/mysqld/mysqld.sock\nhosts =\n"
	    "[response]\nlogout_status = 200\n[audit]\nenabled = off\n");
	puts_("config", "continuation",
	    "[key main]\nalg = HS256\nsecret_env = FUZZ_KEY32\n"
	    "[token]\nissuer = https://a.example\n  /continued\n\tand tabbed\n"
	    "[sql]\nlogout = DELETE FROM s\n  WHERE user_id = :user_id\n"
	    "  -- a comment with :colon\n  AND session_hash = :sid_hash\n");
	puts_("config", "continuation-not-allowed",
	    "[server]\nthreads = 4\n  5\n[key main]\nalg = HS256\nsecret_env = FUZZ_KEY32\n");
	{
		char buf[4600];
		int n = snprintf(buf, sizeof(buf),
		    "[key main]\nalg = HS256\nsecret_env = FUZZ_KEY32\n"
		    "[token]\nissuer = ");

		memset(buf + n, 'x', 300);
		n += 300;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\n");
		put("config", "long-line", buf, (size_t)n);
	}
	puts_("config", "secret-file-missing",
	    "[key main]\nalg = HS256\nsecret_file = keys/none.key\n");
	puts_("config", "secret-both",
	    "[key main]\nalg = HS256\nsecret_file = /nonexistent\nsecret_env = FUZZ_KEY32\n");
	puts_("config", "secret-short", "[key main]\nalg = HS512\nsecret_env = FUZZ_KEY32\n");
	puts_("config", "secret-unset-empty",
	    "[key main]\nalg = HS256\nsecret_env = FUZZ_UNSET\n"
	    "[key e]\nalg = HS256\nsecret_env = FUZZ_EMPTY\n");
	puts_("config", "secret-b64-bad",
	    "[key main]\nalg = HS256\nsecret_env = FUZZ_KEY64\nencoding = base64\n");
	puts_("config", "bad-values",
	    "[server]\nmax_body = -1\nthreads = 99999999999999999999\n"
	    "[key main]\nalg = RS256\nsecret_env = FUZZ_KEY32\nencoding = hex\n");
	puts_("config", "duplicates",
	    "[key main]\nalg = HS256\nalg = HS512\nsecret_env = FUZZ_KEY32\n"
	    "[server]\nthreads = 1\n[server]\nthreads = 2\n");
	puts_("config", "unknown",
	    "[nope]\nx = 1\n[server]\ncolor = blue\n[key main]\nalg = HS256\n"
	    "secret_env = FUZZ_KEY32\n");
	puts_("config", "hosts-many",
	    "[key main]\nalg = HS256\nsecret_env = FUZZ_KEY32\n[database]\n"
	    "hosts = a:1, b:65535 ,c,d:0,e:65536,f:x,g:,:3306,h,i,j\n"
	    "password_file = /nonexistent/pw\nwsrep_sync_wait = 3\nretries = 11\n");
	puts_("config", "sql-bad",
	    "[key main]\nalg = HS256\nsecret_env = FUZZ_KEY32\n[sql]\n"
	    "logout = DELETE FROM s WHERE x = ? AND y = :nope\n"
	    "session_check = SELECT ':sid' FROM t WHERE a = :expires_at\n");
	puts_("config", "syntax",
	    "key without section = 1\n[unterminated\n=value\n[key ]\nalg=HS256\n"
	    "; comment\n# hash\n[key main] ; trailing\nalg = HS256 ; inline\n"
	    "secret_env = FUZZ_KEY32\n");
	puts_("config", "crlf",
	    "[key main]\r\nalg = HS256\r\nsecret_env = FUZZ_KEY32\r\n[server]\r\n"
	    "path_prefix = /x///\r\n");
	PUTLIT("config", "nul", "[key main]\nalg = HS256\0\nsecret_env = FUZZ_KEY32\n");
}

static void
sqls(void)
{
	puts_("sqlparam", "logout",
	    "DELETE FROM user_sessions WHERE session_hash = :sid_hash AND user_id = :user_id");
	puts_("sqlparam", "logout-refresh",
	    "DELETE FROM user_sessions WHERE user_id = :user_id AND (session_hash = "
	    ":refresh_sid_hash OR refresh_jti_hash = :refresh_jti_hash) AND EXISTS (SELECT 1 "
	    "FROM user_sessions b WHERE b.session_hash = :sid_hash AND b.user_id = :user_id)");
	puts_("sqlparam", "all-names",
	    "INSERT INTO t VALUES (:sub,:user_id,:sid,:sid_hash,:jti,:jti_hash,"
	    ":refresh_jti_hash,:refresh_sid_hash,:token_id,:client_ip,:user_agent,:trace_id,"
	    ":expires_at)");
	puts_("sqlparam", "quotes",
	    "SELECT ':sub', \":sid\", `:jti`, 'it''s :x', 'back\\' :y', \"\"\"\" FROM t WHERE a = "
	    ":sub");
	puts_("sqlparam", "comments",
	    "SELECT 1 -- :nope\nFROM t # :nope2\nWHERE /* :nope3 */ a = :sid --:not_a_comment");
	puts_("sqlparam", "assign", "SET @x := 1; SELECT a::text, :sub FROM t WHERE b := :jti");
	puts_("sqlparam", "unknown", "SELECT :nope");
	puts_("sqlparam", "positional", "SELECT ? FROM t");
	puts_("sqlparam", "unterminated-quote", "SELECT 'abc");
	puts_("sqlparam", "unterminated-comment", "SELECT /* abc");
	puts_("sqlparam", "backslash-end", "SELECT 'abc\\");
	puts_("sqlparam", "colon-end", "SELECT a:");
	puts_("sqlparam", "colon-digit", "SELECT :1, :_x");
	{
		char buf[1024];
		size_t o = 0;

		o += (size_t)snprintf(buf, sizeof(buf), "SELECT ");
		for (int i = 0; i < 33; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, ":sub,");
		buf[o - 1] = '\0';
		puts_("sqlparam", "too-many", buf);
	}
	put("sqlparam", "empty", "", 0);
	PUTLIT("sqlparam", "nul", "SELECT :sub\0 :nope");
}

static void
requests(void)
{
	puts_("request", "nginx",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/api/v1/auth/logout\n"
	    "REQUEST_URI=/api/v1/auth/logout?x=1\nSCRIPT_NAME=/api/v1/auth/logout\n"
	    "CONTENT_LENGTH=42\nCONTENT_TYPE=application/json\n"
	    "HTTP_AUTHORIZATION=Bearer abc.def.ghi\nREMOTE_ADDR=192.0.2.1\n"
	    "HTTP_USER_AGENT=curl/8.0\nHTTP_X_REQUEST_ID=0f8fad5b-d9cb-469f-a165-70867728950e\n"
	    "FUZZ_USER=42\n");
	puts_("request", "apache",
	    "REQUEST_METHOD=POST\nSCRIPT_NAME=/api/v1/auth\nPATH_INFO=/logout-all\n"
	    "CONTENT_LENGTH=0\nREMOTE_ADDR=2001:db8::1\n");
	puts_("request", "lighttpd", "REQUEST_METHOD=POST\nSCRIPT_NAME=/api/v1/auth/logout\n");
	puts_("request", "uri-only", "REQUEST_METHOD=POST\nREQUEST_URI=/logout?a=/logout-all\n");
	puts_("request", "get", "REQUEST_METHOD=GET\nDOCUMENT_URI=/api/v1/auth/logout\n");
	puts_("request", "method-lower", "REQUEST_METHOD=post\nDOCUMENT_URI=/logout\n");
	puts_("request", "prefix-lookalike",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/api/v1/authX/logout\n");
	puts_("request", "traversal",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/api/v1/auth/../auth/logout\n");
	puts_("request", "length-junk",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/logout\nCONTENT_LENGTH=12abc\n");
	puts_("request", "length-negative",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/logout\nCONTENT_LENGTH=-1\n");
	puts_("request", "length-overflow",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/logout\nCONTENT_LENGTH=99999999999999999999\n");
	puts_("request", "length-spaces",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/logout\nCONTENT_LENGTH= 5 \n");
	puts_("request", "length-plus-hex",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/logout\nCONTENT_LENGTH=+0x10\n");
	puts_("request", "length-too-large",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/api/v1/auth/logout\nCONTENT_LENGTH=4097\n");
	{
		char buf[1400];
		int n = snprintf(
		    buf, sizeof(buf), "REQUEST_METHOD=POST\nSCRIPT_NAME=/api/v1/auth\nPATH_INFO=/");

		memset(buf + n, 'a', 1100);
		n += 1100;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "/logout\n");
		put("request", "huge-path", buf, (size_t)n);
	}
	puts_("request", "request-id-upper",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/logout\n"
	    "HTTP_X_REQUEST_ID=0F8FAD5B-D9CB-469F-A165-70867728950E\n");
	puts_("request", "request-id-short",
	    "HTTP_X_REQUEST_ID=0f8fad5b-d9cb-469f-a165-7086772895\n");
	puts_("request", "request-id-crlf",
	    "HTTP_X_REQUEST_ID=0f8fad5b-d9cb-469f-a165-70867728950e\r\nSet-Cookie: x=1\n");
	puts_("request", "request-id-nonhex",
	    "HTTP_X_REQUEST_ID=0f8fad5b-d9cb-469f-a165-70867728950g\n");
	puts_("request", "request-id-nodash",
	    "HTTP_X_REQUEST_ID=0f8fad5bxd9cbx469fxa165x70867728950e\n");
	puts_("request", "ua-bad-utf8",
	    "REQUEST_METHOD=POST\nDOCUMENT_URI=/api/v1/auth/logout\n"
	    "HTTP_USER_AGENT=\xff\xc0\xaf\xed\xa0\x80 \"quoted\" \\ \x01\x7f\n"
	    "REMOTE_ADDR=\xe2\x82\n"
	    "FUZZ_USER=\"},{\"\n\x1b[31m\xff\n");
	PUTLIT("request", "nul-values", "REQUEST_METHOD=POST\0X\nDOCUMENT_URI=/logout\0/x\n");
	puts_("request", "dup-names",
	    "REQUEST_METHOD=GET\nREQUEST_METHOD=POST\nDOCUMENT_URI=\nSCRIPT_NAME=/logout\n");
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	outdir = argv[1];
	mkdir(outdir, 0755);
	tokens();
	bodies();
	configs();
	sqls();
	requests();
	return 0;
}

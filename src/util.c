/* SPDX-License-Identifier: ISC */
/*
 * util.c — bounded parsing and copying shared by every module. Every number
 * read from a config file or a request goes through util_strntonum.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
util_strntonum(const char *s, size_t len, long long min, long long max, long long *out)
{
	unsigned long long acc = 0, limit;
	size_t i = 0;
	int neg = 0;

	if (len == 0)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len)
		return -1;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned int)(s[i] - '0');
		if (acc > (limit - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	{
		long long v =
		    neg ? (acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc)
			: (long long)acc;

		if (v < min || v > max)
			return -1;
		*out = v;
	}
	return 0;
}

int
util_strtonum(const char *s, long long min, long long max, long long *out)
{
	if (s == NULL)
		return -1;
	return util_strntonum(s, strlen(s), min, max, out);
}

int
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return -1;
	if (n >= size) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

void
util_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
util_strncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];

		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
		if (ca != cb)
			return 0;
		if (ca == '\0')
			return 1;
	}
	return 1;
}

int
util_header_value_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
util_read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;

	return util_read_file_stat(path, max, out, outlen, &st);
}

int
util_read_file_stat(const char *path, size_t max, char **out, size_t *outlen, struct stat *st)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, st) != 0 || (buf = malloc(max + 1)) == NULL)
		goto fail;
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

int
util_parse_mode(const char *s, unsigned int *out)
{
	unsigned int m = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 8) /* no overflow below */
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		m = m * 8 + (unsigned int)(s[i] - '0');
	}
	if (m > 0777)
		return -1;
	*out = m;
	return 0;
}

int
util_path_join(const char *dir, const char *path, char *out, size_t cap)
{
	int n;

	if (path[0] == '/' || dir == NULL || dir[0] == '\0')
		n = snprintf(out, cap, "%s", path);
	else
		n = snprintf(out, cap, "%s/%s", dir, path);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t
util_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int
util_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		size_t k = util_utf8_len(p, n);

		if (k == 0)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

size_t
util_utf8_copy(char *dst, size_t cap, const char *src)
{
	const unsigned char *p = (const unsigned char *)(src ? src : "");
	size_t n = strlen((const char *)p), o = 0;

	while (n > 0) {
		size_t k = util_utf8_len(p, n);

		if (k == 0) {
			if (o + 1 >= cap)
				break;
			dst[o++] = '?';
			p++;
			n--;
			continue;
		}
		if (o + k >= cap)
			break;
		memcpy(dst + o, p, k);
		o += k;
		p += k;
		n -= k;
	}
	dst[o] = '\0';
	return o;
}

void
util_utc_datetime(long long t, char out[UTIL_DATETIME_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, UTIL_DATETIME_LEN + 1, "%Y-%m-%d %H:%M:%S", &tm) != UTIL_DATETIME_LEN)
		strcpy(out, "1970-01-01 00:00:00");
}

time_t
util_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return time(NULL);
	return ts.tv_sec;
}

long long
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

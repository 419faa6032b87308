/* SPDX-License-Identifier: ISC */
/*
 * log.c — one line per message, one write(2) per line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

void
log_msg(const char *level, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "logout-fcgi[%ld]: %s: ", (long)getpid(), level);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

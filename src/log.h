/* SPDX-License-Identifier: ISC */
/*
 * log.h — operational messages (start, stop, database trouble) as plain
 * lines on stderr. Callers pass fixed text and numbers only: never a token,
 * a secret, SQL text or a raw client value.
 */
#ifndef LOGOUT_LOG_H
#define LOGOUT_LOG_H

void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...) log_msg("info", __VA_ARGS__)
#define log_warn(...) log_msg("warning", __VA_ARGS__)
#define log_err(...)  log_msg("error", __VA_ARGS__)

#endif

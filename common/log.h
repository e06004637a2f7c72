/* log.h — levelled, timestamped logging; where lines go is up to the program (the sink). */
#ifndef PARLEY_LOG_H
#define PARLEY_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum log_level {
    LOG_DEBUG = 0,
    LOG_INFO = 1,
    LOG_WARN = 2,
    LOG_ERROR = 3,
    LOG_OFF = 4
} log_level;

/* Receives one finished line ("2026-11-26T06:10:50.123Z INFO  text", no newline).
 * Called from any thread that logs; the sink does its own locking if it needs any. */
typedef void (*log_sink_fn)(void *user, log_level level, const char *line, size_t len);

/* Process-wide: a program sets its sink once at start-up. With no sink, lines go to stderr. */
void log_set_sink(log_sink_fn sink, void *user);
void log_set_level(log_level level);
log_level log_get_level(void);
/* Writes the UTC time ms (since 1970) as "YYYY-MM-DDTHH:MM:SS.mmmZ": 24 bytes, no NUL. */
#define LOG_TIME_LEN 24
void log_format_time(char *out, uint64_t ms);
const char *log_level_name(log_level level);
/* Parses "debug", "info", "warn", "error", "off" (case-insensitive); -1 if unknown. */
int log_level_parse(const char *name);

/* On MinGW "printf" means the MSVCRT dialect (no %zu, %lld); Parley builds with
 * __USE_MINGW_ANSI_STDIO, so the C99 dialect is the one to check against. */
#if defined(__MINGW32__) && (defined(__GNUC__) || defined(__clang__))
#define PARLEY_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__) || defined(__clang__)
#define PARLEY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PARLEY_PRINTF(a, b)
#endif

void log_msg(log_level level, const char *fmt, ...) PARLEY_PRINTF(2, 3);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif

/* log.c — levelled, timestamped log lines formatted on the stack and handed to one process-wide sink. */
#include "log.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sys.h"
#include "utf8.h"

/* Longest message text kept, "..." included; longer messages are cut to this. */
#define LOG_MSG_CAP 2048
/* "YYYY-MM-DDTHH:MM:SS.mmmZ " + level padded to 5 + " " */
#define LOG_HEAD_LEN 31

/* Set once at start-up, before other threads log, so plain loads are enough afterwards. */
static log_sink_fn g_sink;
static void *g_sink_user;
static log_level g_level = LOG_INFO;

void log_set_sink(log_sink_fn sink, void *user)
{
    g_sink = sink;
    g_sink_user = user;
}

void log_set_level(log_level level)
{
    g_level = level;
}

log_level log_get_level(void)
{
    return g_level;
}

const char *log_level_name(log_level level)
{
    switch (level) {
    case LOG_DEBUG:
        return "DEBUG";
    case LOG_INFO:
        return "INFO";
    case LOG_WARN:
        return "WARN";
    case LOG_ERROR:
        return "ERROR";
    case LOG_OFF:
        return "OFF";
    }
    return "?";
}

/* ASCII-only case folding: level names are ASCII, and the C locale must not matter. */
static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

int log_level_parse(const char *name)
{
    if (!name)
        return -1;
    if (ascii_ieq(name, "debug"))
        return LOG_DEBUG;
    if (ascii_ieq(name, "info"))
        return LOG_INFO;
    if (ascii_ieq(name, "warn") || ascii_ieq(name, "warning"))
        return LOG_WARN;
    if (ascii_ieq(name, "error"))
        return LOG_ERROR;
    if (ascii_ieq(name, "off"))
        return LOG_OFF;
    return -1;
}

static int is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Writes v as exactly `width` decimal digits (the leading ones dropped if v is wider). */
static void put_digits(char *out, unsigned v, int width)
{
    while (width-- > 0) {
        out[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Computed by hand because gmtime() shares a static buffer between threads and
 * gmtime_r/gmtime_s are not standard C. */
void log_format_time(char *out, uint64_t ms)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    uint64_t secs = ms / 1000, days = secs / 86400;
    unsigned sod = (unsigned)(secs % 86400), year = 1970, month = 0;

    for (;;) {
        unsigned ylen = is_leap(year) ? 366u : 365u;
        if (days < ylen)
            break;
        days -= ylen;
        year++;
    }
    for (;;) {
        unsigned mlen = mdays[month] + (month == 1 && is_leap(year) ? 1u : 0u);
        if (days < mlen)
            break;
        days -= mlen;
        month++;
    }
    memcpy(out, "0000-00-00T00:00:00.000Z", 24);
    put_digits(out, year, 4);
    put_digits(out + 5, month + 1, 2);
    put_digits(out + 8, (unsigned)days + 1, 2);
    put_digits(out + 11, sod / 3600, 2);
    put_digits(out + 14, sod / 60 % 60, 2);
    put_digits(out + 17, sod % 60, 2);
    put_digits(out + 20, (unsigned)(ms % 1000), 3);
}

static int is_unsafe(uint32_t cp)
{
    /* C0, DEL and C1 controls, and the Unicode line and paragraph separators: anything that a
     * terminal, log viewer or parser could take as the end of the line or as a command. */
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

/* Rewrites s[0..n) in place so the line is one line of valid UTF-8: unsafe characters become a
 * space, bytes that are not UTF-8 become '?'. Output never outgrows input; returns its length. */
static size_t sanitize(char *s, size_t n)
{
    size_t in = 0, out = 0;

    while (in < n) {
        uint32_t cp;
        size_t len = utf8_decode((const uint8_t *)s + in, n - in, &cp);
        if (len == 0) {
            s[out++] = '?';
            in++;
        } else if (is_unsafe(cp)) {
            s[out++] = ' ';
            in += len;
        } else {
            memmove(s + out, s + in, len);
            out += len;
            in += len;
        }
    }
    return out;
}

void log_msg(log_level level, const char *fmt, ...)
{
    /* head + message + '\n' for stderr + NUL */
    char line[LOG_HEAD_LEN + LOG_MSG_CAP + 2];
    char *msg = line + LOG_HEAD_LEN;
    log_sink_fn sink = g_sink;
    void *user = g_sink_user;
    const char *name;
    size_t n, len;
    va_list ap;
    int r;

    if ((int)level < 0 || level >= LOG_OFF || level < g_level)
        return;

    /* Head: timestamp, then the level name padded to 5 so messages line up. */
    log_format_time(line, sys_wall_ms());
    memset(line + 24, ' ', LOG_HEAD_LEN - 24);
    name = log_level_name(level);
    memcpy(line + 25, name, strlen(name));

    va_start(ap, fmt);
    r = vsnprintf(msg, LOG_MSG_CAP + 1, fmt, ap);
    va_end(ap);
    if (r < 0) {
        static const char bad[] = "(unformattable log message)";
        memcpy(msg, bad, sizeof bad);
        n = sizeof bad - 1;
    } else if ((size_t)r <= LOG_MSG_CAP) {
        n = sanitize(msg, (size_t)r);
    } else {
        /* Cut on a character boundary so the "..." does not follow half a character. */
        n = LOG_MSG_CAP - 3;
        while (n > 0 && ((unsigned char)msg[n] & 0xC0u) == 0x80u)
            n--;
        n = sanitize(msg, n);
        memcpy(msg + n, "...", 3);
        n += 3;
    }
    len = LOG_HEAD_LEN + n;
    line[len] = '\0';

    if (sink) {
        sink(user, level, line, len);
        return;
    }
    /* One fwrite per line: stdio locks the stream per call, so lines from threads do not mix. */
    line[len] = '\n';
    fwrite(line, 1, len + 1, stderr);
}

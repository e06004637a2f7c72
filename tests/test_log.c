/* test_log.c — log lines through a capturing sink: format, timestamp, levels, truncation, sanitising. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sys.h"
#include "test.h"
#include "utf8.h"

/* Fixed offsets in "YYYY-MM-DDTHH:MM:SS.mmmZ LEVEL message". */
#define TS_LEN 24
#define HEAD_LEN 31
#define MSG_CAP 2048

typedef struct capture {
    char line[4096];
    size_t len;
    log_level level;
    int calls;
    int bad_terminator; /* line[len] was not NUL */
} capture;

static void capture_sink(void *user, log_level level, const char *line, size_t len)
{
    capture *c = user;

    c->calls++;
    c->level = level;
    if (line[len] != '\0')
        c->bad_terminator = 1;
    if (len >= sizeof c->line)
        len = sizeof c->line - 1;
    memcpy(c->line, line, len);
    c->line[len] = '\0';
    c->len = len;
}

static void capture_start(capture *c, log_level level)
{
    memset(c, 0, sizeof *c);
    log_set_sink(capture_sink, c);
    log_set_level(level);
}

/* Back to the defaults, so tests run in one process do not see each other's settings. */
static void capture_stop(void)
{
    log_set_sink(NULL, NULL);
    log_set_level(LOG_INFO);
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* 1 if s starts with "YYYY-MM-DDTHH:MM:SS.mmmZ " with plausible field values. */
static int timestamp_shape_ok(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ ";
    size_t i;
    int month, day, hour, minute, second;

    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
            return 0;
    }
    month = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    hour = (s[11] - '0') * 10 + (s[12] - '0');
    minute = (s[14] - '0') * 10 + (s[15] - '0');
    second = (s[17] - '0') * 10 + (s[18] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 &&
           second <= 60;
}

TEST(log_line_format)
{
    capture c;

    capture_start(&c, LOG_DEBUG);
    log_info("hello %s %d", "world", 42);
    REQUIRE(c.calls == 1);
    CHECK(c.level == LOG_INFO);
    CHECK(!c.bad_terminator);
    CHECK(timestamp_shape_ok(c.line));
    CHECK_EQ_STR(c.line + TS_LEN, " INFO  hello world 42");
    CHECK_EQ_INT(c.len, strlen(c.line));

    log_debug("d");
    CHECK_EQ_STR(c.line + TS_LEN, " DEBUG d");
    CHECK(c.level == LOG_DEBUG);
    log_warn("w");
    CHECK_EQ_STR(c.line + TS_LEN, " WARN  w");
    log_error("e");
    CHECK_EQ_STR(c.line + TS_LEN, " ERROR e");
    CHECK(c.level == LOG_ERROR);
    log_info("%s", "");
    CHECK_EQ_STR(c.line + TS_LEN, " INFO  ");
    CHECK_EQ_INT(c.calls, 5);
    capture_stop();
}

TEST(log_timestamp_is_utc_now)
{
    capture c;
    char before[32], after[32];
    time_t t0, t1;
    uint64_t ms0, ms1;
    int tries;

    capture_start(&c, LOG_INFO);
    /* Compare to the minute with the C library's gmtime; retry if the minute turned over. */
    for (tries = 0; tries < 3; tries++) {
        t0 = time(NULL);
        ms0 = sys_wall_ms();
        log_info("tick");
        ms1 = sys_wall_ms();
        t1 = time(NULL);
        strftime(before, sizeof before, "%Y-%m-%dT%H:%M", gmtime(&t0));
        strftime(after, sizeof after, "%Y-%m-%dT%H:%M", gmtime(&t1));
        if (strcmp(before, after) == 0)
            break;
    }
    CHECK(timestamp_shape_ok(c.line));
    CHECK(strncmp(c.line, before, 16) == 0);
    /* The seconds and milliseconds lie between the two sys_wall_ms readings. */
    {
        unsigned sec = (unsigned)((c.line[17] - '0') * 10 + (c.line[18] - '0'));
        unsigned msec = (unsigned)((c.line[20] - '0') * 100 + (c.line[21] - '0') * 10 +
                                   (c.line[22] - '0'));
        uint64_t in_minute = sec * 1000u + msec;
        uint64_t lo = ms0 % 60000u, hi = ms1 % 60000u;
        if (lo <= hi)
            CHECK(in_minute >= lo && in_minute <= hi);
    }
    capture_stop();
}

TEST(log_sys_clocks_sane)
{
    uint64_t wall = sys_wall_ms(), m0 = sys_mono_ms(), m1;
    /* After 2020-01-01 and before 2200-01-01. */
    CHECK(wall > 1577836800000ull);
    CHECK(wall < 7258118400000ull);
    m1 = sys_mono_ms();
    CHECK(m1 >= m0);
}

TEST(log_level_filtering)
{
    capture c;

    capture_start(&c, LOG_WARN);
    CHECK(log_get_level() == LOG_WARN);
    log_debug("no");
    log_info("no");
    CHECK_EQ_INT(c.calls, 0);
    log_warn("yes");
    CHECK_EQ_INT(c.calls, 1);
    log_error("yes");
    CHECK_EQ_INT(c.calls, 2);

    log_set_level(LOG_OFF);
    log_error("nothing gets through OFF");
    CHECK_EQ_INT(c.calls, 2);

    log_set_level(LOG_DEBUG);
    log_debug("everything gets through DEBUG");
    CHECK_EQ_INT(c.calls, 3);
    /* OFF is a threshold, not a level to log at. */
    log_msg(LOG_OFF, "never");
    log_msg((log_level)99, "never");
    CHECK_EQ_INT(c.calls, 3);
    capture_stop();
}

TEST(log_level_names_and_parse)
{
    CHECK_EQ_STR(log_level_name(LOG_DEBUG), "DEBUG");
    CHECK_EQ_STR(log_level_name(LOG_INFO), "INFO");
    CHECK_EQ_STR(log_level_name(LOG_WARN), "WARN");
    CHECK_EQ_STR(log_level_name(LOG_ERROR), "ERROR");
    CHECK_EQ_STR(log_level_name(LOG_OFF), "OFF");
    CHECK_EQ_INT(log_level_parse("debug"), LOG_DEBUG);
    CHECK_EQ_INT(log_level_parse("INFO"), LOG_INFO);
    CHECK_EQ_INT(log_level_parse("Warn"), LOG_WARN);
    CHECK_EQ_INT(log_level_parse("warning"), LOG_WARN);
    CHECK_EQ_INT(log_level_parse("eRRoR"), LOG_ERROR);
    CHECK_EQ_INT(log_level_parse("off"), LOG_OFF);
    CHECK_EQ_INT(log_level_parse("verbose"), -1);
    CHECK_EQ_INT(log_level_parse(""), -1);
    CHECK_EQ_INT(log_level_parse("info "), -1);
    CHECK_EQ_INT(log_level_parse(NULL), -1);
}

TEST(log_long_message_truncated)
{
    static char big[5000];
    capture c;
    size_t i;
    int all_a = 1;

    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    capture_start(&c, LOG_INFO);
    log_info("%s", big);
    REQUIRE(c.calls == 1);
    CHECK_EQ_INT(c.len, HEAD_LEN + MSG_CAP);
    CHECK(strcmp(c.line + c.len - 3, "...") == 0);
    for (i = HEAD_LEN; i < c.len - 3; i++)
        if (c.line[i] != 'a')
            all_a = 0;
    CHECK(all_a);

    /* Exactly the cap fits without "...". */
    big[MSG_CAP] = '\0';
    log_info("%s", big);
    CHECK_EQ_INT(c.len, HEAD_LEN + MSG_CAP);
    CHECK(c.line[c.len - 1] == 'a');
    /* One more byte does not. */
    big[MSG_CAP] = 'a';
    big[MSG_CAP + 1] = '\0';
    log_info("%s", big);
    CHECK_EQ_INT(c.len, HEAD_LEN + MSG_CAP);
    CHECK(strcmp(c.line + c.len - 3, "...") == 0);
    capture_stop();
}

TEST(log_truncation_keeps_utf8_whole)
{
    static char big[6001];
    capture c;
    size_t i;

    /* 3000 x U+00E9 (2 bytes each): the cut would fall inside a character. */
    for (i = 0; i < 3000; i++)
        memcpy(big + 2 * i, "\xC3\xA9", 2);
    big[6000] = '\0';
    capture_start(&c, LOG_INFO);
    log_info("%s", big);
    REQUIRE(c.calls == 1);
    CHECK(c.len <= HEAD_LEN + MSG_CAP);
    CHECK(strcmp(c.line + c.len - 3, "...") == 0);
    CHECK(utf8_valid(c.line, c.len));
    CHECK_EQ_INT(c.len, HEAD_LEN + 1022 * 2 + 3);

    /* Same with a 4-byte character straddling the cut, at every offset. */
    for (i = 0; i < 4; i++) {
        size_t k, n = i;
        memset(big, 'x', i);
        for (k = 0; k < 1200; k++, n += 4)
            memcpy(big + n, "\xF0\x9F\x98\x80", 4);
        big[n] = '\0';
        log_info("%s", big);
        CHECK(utf8_valid(c.line, c.len));
        CHECK(strcmp(c.line + c.len - 3, "...") == 0);
        CHECK(c.len > HEAD_LEN + MSG_CAP - 7);
    }
    capture_stop();
}

TEST(log_control_characters_replaced)
{
    capture c;

    capture_start(&c, LOG_INFO);
    log_info("a\nb\rc\td\x1B[0m\x7F" "e");
    CHECK_EQ_STR(c.line + HEAD_LEN, "a b c d [0m e");
    /* A forged second line stays on the first. */
    log_info("user said: %s", "hi\n2026-01-01T00:00:00.000Z ERROR fake");
    CHECK_EQ_STR(c.line + HEAD_LEN, "user said: hi 2026-01-01T00:00:00.000Z ERROR fake");
    CHECK(memchr(c.line, '\n', c.len) == NULL);
    /* C1 NEL and the Unicode line/paragraph separators are line breaks to some readers. */
    log_info("x\xC2\x85y\xE2\x80\xA8z\xE2\x80\xA9w");
    CHECK_EQ_STR(c.line + HEAD_LEN, "x y z w");
    /* An embedded NUL does not cut the line short. */
    log_info("a%cb", 0);
    CHECK_EQ_STR(c.line + HEAD_LEN, "a b");
    CHECK_EQ_INT(c.len, HEAD_LEN + 3);
    /* Bytes that are not UTF-8 become '?', so the line stays valid UTF-8. */
    log_info("bad \xFF\xC0\xAF ok \xC3\xA9");
    CHECK_EQ_STR(c.line + HEAD_LEN, "bad ??? ok \xC3\xA9");
    CHECK(utf8_valid(c.line, c.len));
    capture_stop();
}

TEST(log_without_sink_goes_to_stderr)
{
    /* Nothing to capture portably without disturbing the harness's own stderr; this checks
     * that the default path works and does not crash with the sink removed. */
    log_set_sink(NULL, NULL);
    log_set_level(LOG_INFO);
    log_info("test_log: a line on stderr, %d of 1", 1);
    log_debug("test_log: filtered, never printed");
    CHECK(log_get_level() == LOG_INFO);
}

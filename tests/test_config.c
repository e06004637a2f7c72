/* test_config.c — INI parser (syntax, every error message, CRLF, BOM, quotes, files) and value helpers. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "test.h"

/* What the recording handler saw: "section|key|value\n" per pair, in file order. */
typedef struct recorder {
    char seen[8192];
    int calls;
    int reject_at;          /* reject the n-th call (1-based), 0 for never */
    const char *reject_msg; /* problem text to give, may be "" */
} recorder;

static int record(void *user, const char *section, const char *key, const char *value,
                  char *problem, size_t problem_size)
{
    recorder *r = user;
    size_t used = strlen(r->seen);

    r->calls++;
    snprintf(r->seen + used, sizeof r->seen - used, "%s|%s|%s\n", section, key, value);
    if (r->reject_at == r->calls) {
        snprintf(problem, problem_size, "%s", r->reject_msg);
        return -1;
    }
    return 0;
}

/* Parses a NUL-terminated text as "t.ini"; err gets the error, rec the pairs. */
static int parse(const char *text, recorder *rec, char *err, size_t err_size)
{
    return config_parse_text("t.ini", text, strlen(text), record, rec, err, err_size);
}

/* Expects `text` to fail with exactly `want`. */
static void expect_error(const char *file, int line, const char *text, const char *want)
{
    recorder rec;
    char err[512];

    memset(&rec, 0, sizeof rec);
    strcpy(err, "untouched");
    if (parse(text, &rec, err, sizeof err) != -1)
        test_failf_at(file, line, "parse succeeded, wanted \"%s\"", want);
    else if (strcmp(err, want) != 0)
        test_failf_at(file, line, "error \"%s\", wanted \"%s\"", err, want);
}
#define EXPECT_ERROR(text, want) expect_error(__FILE__, __LINE__, text, want)

TEST(config_basic_pairs_and_sections)
{
    recorder rec;
    char err[256];
    const char *text = "top = level\n"
                       "[Server]\n"
                       "Port = 7777\n"
                       "bind=0.0.0.0\n"
                       "  name   =   Parley chat  \n"
                       "\n"
                       "[ log ]\n"
                       "level = info\n"
                       "empty =\n";

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse(text, &rec, err, sizeof err), 0);
    CHECK_EQ_STR(err, "");
    /* Sections and keys arrive lowercased; values trimmed but otherwise untouched. */
    CHECK_EQ_STR(rec.seen, "|top|level\n"
                           "server|port|7777\n"
                           "server|bind|0.0.0.0\n"
                           "server|name|Parley chat\n"
                           "log|level|info\n"
                           "log|empty|\n");
    CHECK_EQ_INT(rec.calls, 6);
}

TEST(config_comments_and_blank_lines)
{
    recorder rec;
    char err[256];
    const char *text = "; a comment\n"
                       "# another\n"
                       "   ; indented comment\n"
                       "\t# tab-indented\n"
                       "   \t  \n"
                       "[a]\n"
                       "k = v ; not a comment: comments are whole lines\n"
                       "h = #1\n";

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse(text, &rec, err, sizeof err), 0);
    CHECK_EQ_STR(rec.seen, "a|k|v ; not a comment: comments are whole lines\n"
                           "a|h|#1\n");
}

TEST(config_crlf_bom_and_no_final_newline)
{
    recorder rec;
    char err[256];
    const char *text = "\xEF\xBB\xBF[s]\r\nk1 = one\r\n\r\n; c\r\nk2 = \"two\"\r\nk3 = three";

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse(text, &rec, err, sizeof err), 0);
    CHECK_EQ_STR(rec.seen, "s|k1|one\ns|k2|two\ns|k3|three\n");

    /* Line numbers still count CRLF lines correctly. */
    EXPECT_ERROR("\xEF\xBB\xBF[s]\r\nk = 1\r\n\r\noops\r\n", "t.ini:4: expected 'key = value'");
}

TEST(config_empty_inputs)
{
    recorder rec;
    char err[64];

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(config_parse_text("e.ini", "", 0, record, &rec, err, sizeof err), 0);
    CHECK_EQ_INT(config_parse_text("e.ini", NULL, 0, record, &rec, err, sizeof err), 0);
    CHECK_EQ_INT(config_parse_text("e.ini", "\xEF\xBB\xBF", 3, record, &rec, err, sizeof err), 0);
    CHECK_EQ_INT(config_parse_text("e.ini", "\n\n\r\n", 4, record, &rec, err, sizeof err), 0);
    CHECK_EQ_INT(rec.calls, 0);
    /* No handler: a syntax check only. */
    CHECK_EQ_INT(config_parse_text("e.ini", "a = 1\n", 6, NULL, NULL, err, sizeof err), 0);
}

TEST(config_quoted_values)
{
    recorder rec;
    char err[256];
    const char *text = "a = \"  padded  \"\n"
                       "b = \"say \\\"hi\\\"\"\n"
                       "c = \"C:\\\\Program Files\\\\Parley\"\n"
                       "d = \"\"\n"
                       "e = \"x = y ; z # w\"   \n"
                       "f = C:\\plain\\path\n"
                       "g = not \"quoted\"\n"
                       "h = \"caf\xC3\xA9\"\n";

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse(text, &rec, err, sizeof err), 0);
    CHECK_EQ_STR(rec.seen, "|a|  padded  \n"
                           "|b|say \"hi\"\n"
                           "|c|C:\\Program Files\\Parley\n"
                           "|d|\n"
                           "|e|x = y ; z # w\n"
                           "|f|C:\\plain\\path\n"
                           "|g|not \"quoted\"\n"
                           "|h|caf\xC3\xA9\n");
}

TEST(config_quote_errors)
{
    EXPECT_ERROR("a = 1\nb = \"open\n", "t.ini:2: unterminated quoted value");
    EXPECT_ERROR("b = \"ends in backslash\\\"\n", "t.ini:1: unterminated quoted value");
    EXPECT_ERROR("b = \"x\" y\n", "t.ini:1: unexpected text after closing quote");
    EXPECT_ERROR("b = \"tab\\t\"\n",
                 "t.ini:1: unknown escape '\\t' in quoted value (only \\\" and \\\\)");
}

TEST(config_syntax_errors_name_file_and_line)
{
    EXPECT_ERROR("[a]\nk = 1\n\n\n\n\njust words\n", "t.ini:7: expected 'key = value'");
    EXPECT_ERROR("k = 1\n\n[server\n", "t.ini:3: unterminated section header");
    EXPECT_ERROR("[server] trailing\n", "t.ini:1: unexpected text after section header");
    EXPECT_ERROR("[]\n", "t.ini:1: empty section name");
    EXPECT_ERROR("[  ]\n", "t.ini:1: empty section name");
    EXPECT_ERROR("[two words]\n", "t.ini:1: invalid section name 'two words'");
    EXPECT_ERROR("= value\n", "t.ini:1: missing key before '='");
    EXPECT_ERROR("two words = 1\n", "t.ini:1: invalid key 'two words'");
    EXPECT_ERROR("cl\xC3\xA9 = 1\n", "t.ini:1: invalid key 'cl\xC3\xA9'");
    EXPECT_ERROR("x\n", "t.ini:1: expected 'key = value'");
}

TEST(config_long_key_quoted_short)
{
    char text[200];
    memset(text, 'k', 100);
    strcpy(text + 100, " x = 1\n");
    /* Only the first 40 bytes of the offending key are quoted. */
    EXPECT_ERROR(text, "t.ini:1: invalid key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'");
}

TEST(config_line_length_limit)
{
    static char text[3 * 4200];
    recorder rec;
    char err[256];
    size_t n;

    /* Exactly 4096 bytes (not counting CRLF) is fine... */
    strcpy(text, "[s]\nk = ");
    n = strlen(text);
    memset(text + n, 'v', 4096 - 4);
    n += 4096 - 4;
    strcpy(text + n, "\r\n");
    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse(text, &rec, err, sizeof err), 0);
    CHECK_EQ_INT(rec.calls, 1);
    CHECK_EQ_INT(strlen(rec.seen), strlen("s|k|") + 4096 - 4 + 1);

    /* ...one more byte is not, and the error names the line. */
    strcpy(text, "[s]\n\nk = ");
    n = strlen(text);
    memset(text + n, 'v', 4096 - 3);
    n += 4096 - 3;
    strcpy(text + n, "\nz = 1\n");
    EXPECT_ERROR(text, "t.ini:3: line too long");

    /* Also without a final newline, and on a line of the 12th. */
    strcpy(text, "a=1\nb=2\nc=3\nd=4\ne=5\nf=6\ng=7\nh=8\ni=9\nj=10\nk=11\n");
    n = strlen(text);
    memset(text + n, ';', 5000);
    text[n + 5000] = '\0';
    EXPECT_ERROR(text, "t.ini:12: line too long");
}

TEST(config_invalid_utf8_names_line)
{
    EXPECT_ERROR("a = 1\nb = \xC0\xAF\n", "t.ini:2: invalid UTF-8");
    EXPECT_ERROR("a = 1\n\n; comment \xED\xA0\x80\n", "t.ini:3: invalid UTF-8");
    EXPECT_ERROR("a = caf\xC3\n", "t.ini:1: invalid UTF-8");
    /* A BOM is only skipped at the very start; a truncated one is invalid UTF-8. */
    EXPECT_ERROR("\xEF\xBB[s]\n", "t.ini:1: invalid UTF-8");
}

TEST(config_control_characters)
{
    char err[128];
    recorder rec;

    EXPECT_ERROR("a = 1\nb = x\x1B[2J\n", "t.ini:2: control character in line");
    EXPECT_ERROR("a = 1\rb = 2\n", "t.ini:1: control character in line"); /* old Mac line end */
    EXPECT_ERROR("a = \xC2\x85\n", "t.ini:1: control character in line");
    /* An embedded NUL must not silently cut the value short. */
    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(config_parse_text("t.ini", "k = a\0b\n", 8, record, &rec, err, sizeof err), -1);
    CHECK_EQ_STR(err, "t.ini:1: control character in line");
    CHECK_EQ_INT(rec.calls, 0);
    /* Tabs are whitespace. */
    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse("\tk\t=\tv\tw\t\n", &rec, err, sizeof err), 0);
    CHECK_EQ_STR(rec.seen, "|k|v\tw\n");
}

TEST(config_duplicate_keys_reach_handler)
{
    recorder rec;
    char err[128];

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse("[s]\nk = 1\nK = 2\n[S]\nk = 3\n", &rec, err, sizeof err), 0);
    CHECK_EQ_STR(rec.seen, "s|k|1\ns|k|2\ns|k|3\n");
}

TEST(config_handler_rejection_stops_at_line)
{
    recorder rec;
    char err[256];
    const char *text = "[server]\n"
                       "; comment\n"
                       "name = x\n"
                       "\n"
                       "\n"
                       "\n"
                       "\n"
                       "\n"
                       "port = abc\n"
                       "after = never\n";

    memset(&rec, 0, sizeof rec);
    rec.reject_at = 2;
    rec.reject_msg = "value for 'port' is not a number";
    CHECK_EQ_INT(parse(text, &rec, err, sizeof err), -1);
    CHECK_EQ_STR(err, "t.ini:9: value for 'port' is not a number");
    CHECK_EQ_INT(rec.calls, 2); /* the parser stopped at the rejection */

    /* A handler that gives no reason still yields a useful message. */
    memset(&rec, 0, sizeof rec);
    rec.reject_at = 1;
    rec.reject_msg = "";
    CHECK_EQ_INT(parse("[s]\nColour = mauve\n", &rec, err, sizeof err), -1);
    CHECK_EQ_STR(err, "t.ini:2: invalid value for 'colour'");
}

/* A realistic handler built on the value helpers. */
typedef struct server_cfg {
    long long port;
    int tls;
    uint64_t max_msg;
    uint64_t idle_ms;
} server_cfg;

static int server_handler(void *user, const char *section, const char *key, const char *value,
                          char *problem, size_t problem_size)
{
    server_cfg *c = user;

    if (strcmp(section, "server") != 0) {
        snprintf(problem, problem_size, "unknown section '%s'", section);
        return -1;
    }
    if (strcmp(key, "port") == 0)
        return config_value_int(value, 1, 65535, &c->port, problem, problem_size);
    if (strcmp(key, "tls") == 0)
        return config_value_bool(value, &c->tls, problem, problem_size);
    if (strcmp(key, "max_message") == 0)
        return config_value_size(value, 1u << 20, &c->max_msg, problem, problem_size);
    if (strcmp(key, "idle_timeout") == 0)
        return config_value_duration_ms(value, &c->idle_ms, problem, problem_size);
    snprintf(problem, problem_size, "unknown key '%s'", key);
    return -1;
}

TEST(config_helpers_through_parser)
{
    server_cfg c;
    char err[256];
    const char *ok = "[server]\nport = 7777\ntls = Yes\nmax_message = 64k\nidle_timeout = 5m\n";

    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(config_parse_text("server.ini", ok, strlen(ok), server_handler, &c, err,
                                   sizeof err), 0);
    CHECK_EQ_INT(c.port, 7777);
    CHECK_EQ_INT(c.tls, 1);
    CHECK_EQ_INT(c.max_msg, 65536);
    CHECK_EQ_INT(c.idle_ms, 300000);

#define BAD(text, want)                                                                       \
    do {                                                                                      \
        CHECK_EQ_INT(config_parse_text("server.ini", text, strlen(text), server_handler, &c,  \
                                       err, sizeof err), -1);                                 \
        CHECK_EQ_STR(err, want);                                                              \
    } while (0)
    BAD("[server]\nport = 70000\n",
        "server.ini:2: '70000' is out of range (must be between 1 and 65535)");
    BAD("[server]\n\nport = 0x50\n", "server.ini:3: '0x50' is not a number");
    BAD("[server]\ncolour = red\n", "server.ini:2: unknown key 'colour'");
    BAD("[client]\nport = 1\n", "server.ini:2: unknown section 'client'");
    BAD("[server]\nmax_message = 2M\n", "server.ini:2: '2M' is too large (at most 1M)");
    BAD("[server]\nidle_timeout = 5 weeks\n",
        "server.ini:2: '5 weeks' has an unknown duration suffix (use ms, s, m, h or d)");
#undef BAD
}

TEST(config_file_not_found)
{
    char err[512];
    recorder rec;
    const char *path = "no-such-dir-parley/definitely/missing.ini";
    const char *want_prefix = "no-such-dir-parley/definitely/missing.ini: cannot open: ";

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(config_parse_file(path, record, &rec, err, sizeof err), -1);
    CHECK(strncmp(err, want_prefix, strlen(want_prefix)) == 0);
    CHECK(strlen(err) > strlen(want_prefix)); /* a reason follows */
    CHECK_EQ_INT(rec.calls, 0);
}

/* Writes a temporary file in the current directory; returns 0 on success. */
static int write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    size_t wrote;
    if (!f)
        return -1;
    wrote = fwrite(data, 1, n, f);
    if (fclose(f) != 0 || wrote != n)
        return -1;
    return 0;
}

TEST(config_file_parse)
{
    static const char path[] = "test_config_tmp_ok.ini";
    static const char data[] = "\xEF\xBB\xBF; Parley server\r\n[server]\r\nport = 7777\r\n"
                               "motd = \"Welcome, \\\"friend\\\"\"";
    recorder rec;
    char err[512];

    REQUIRE(write_file(path, data, sizeof data - 1) == 0);
    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(config_parse_file(path, record, &rec, err, sizeof err), 0);
    CHECK_EQ_STR(rec.seen, "server|port|7777\nserver|motd|Welcome, \"friend\"\n");
    remove(path);
}

TEST(config_file_error_names_path_and_line)
{
    static const char path[] = "test_config_tmp_bad.ini";
    static const char data[] = "[server]\nport = 1\n\n[oops\n";
    recorder rec;
    char err[512];

    REQUIRE(write_file(path, data, sizeof data - 1) == 0);
    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(config_parse_file(path, record, &rec, err, sizeof err), -1);
    CHECK_EQ_STR(err, "test_config_tmp_bad.ini:4: unterminated section header");
    remove(path);
}

TEST(config_file_larger_than_read_chunk)
{
    static const char path[] = "test_config_tmp_big.ini";
    char *data;
    size_t i, n = 0, cap = 200000;
    recorder rec;
    char err[512];

    data = malloc(cap);
    REQUIRE(data != NULL);
    for (i = 0; i < 5000; i++)
        n += (size_t)snprintf(data + n, cap - n, "; filler comment line %05u\n", (unsigned)i);
    n += (size_t)snprintf(data + n, cap - n, "[s]\nlast = yes\nbad line\n");
    REQUIRE(write_file(path, data, n) == 0);
    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(config_parse_file(path, record, &rec, err, sizeof err), -1);
    CHECK_EQ_STR(err, "test_config_tmp_big.ini:5003: expected 'key = value'");
    CHECK_EQ_STR(rec.seen, "s|last|yes\n");
    remove(path);
    free(data);
}

TEST(config_error_buffer_small_or_absent)
{
    char err[8];
    recorder rec;

    memset(&rec, 0, sizeof rec);
    CHECK_EQ_INT(parse("[x\n", &rec, err, sizeof err), -1);
    CHECK_EQ_STR(err, "t.ini:1"); /* truncated, still terminated */
    CHECK_EQ_INT(config_parse_text("t.ini", "[x\n", 3, record, &rec, NULL, 0), -1);
}

TEST(config_value_bool_cases)
{
    static const char *const yes[] = {"true", "TRUE", "yes", "Yes", "on", "ON", "1"};
    static const char *const no[] = {"false", "False", "no", "NO", "off", "Off", "0"};
    char problem[128];
    size_t i;
    int v;

    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        v = -1;
        CHECK_EQ_INT(config_value_bool(yes[i], &v, problem, sizeof problem), 0);
        CHECK_EQ_INT(v, 1);
        v = -1;
        CHECK_EQ_INT(config_value_bool(no[i], &v, problem, sizeof problem), 0);
        CHECK_EQ_INT(v, 0);
    }
    CHECK_EQ_INT(config_value_bool("maybe", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'maybe' is not a boolean (use true/false, yes/no, on/off or 1/0)");
    CHECK_EQ_INT(config_value_bool("", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "value is empty; expected a boolean");
    CHECK_EQ_INT(config_value_bool("2", &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_bool("yess", &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_bool("tru", &v, problem, sizeof problem), -1);
}

TEST(config_value_int_cases)
{
    char problem[128];
    long long v;

    CHECK_EQ_INT(config_value_int("443", 1, 65535, &v, problem, sizeof problem), 0);
    CHECK_EQ_INT(v, 443);
    CHECK_EQ_INT(config_value_int("1", 1, 65535, &v, problem, sizeof problem), 0);
    CHECK_EQ_INT(config_value_int("65535", 1, 65535, &v, problem, sizeof problem), 0);
    CHECK_EQ_INT(v, 65535);
    CHECK_EQ_INT(config_value_int("+12", 0, 100, &v, problem, sizeof problem), 0);
    CHECK_EQ_INT(v, 12);
    CHECK_EQ_INT(config_value_int("-40", -100, 100, &v, problem, sizeof problem), 0);
    CHECK_EQ_INT(v, -40);
    CHECK_EQ_INT(config_value_int("007", 0, 100, &v, problem, sizeof problem), 0);
    CHECK_EQ_INT(v, 7);

    CHECK_EQ_INT(config_value_int("0", 1, 65535, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'0' is out of range (must be between 1 and 65535)");
    CHECK_EQ_INT(config_value_int("65536", 1, 65535, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'65536' is out of range (must be between 1 and 65535)");
    CHECK_EQ_INT(config_value_int("-1", 1, 65535, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'-1' is out of range (must be between 1 and 65535)");

    CHECK_EQ_INT(config_value_int("12abc", 0, 100, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'12abc' is not a number");
    CHECK_EQ_INT(config_value_int("", 0, 100, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "value is empty; expected a number");
    CHECK_EQ_INT(config_value_int("-", 0, 100, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'-' is not a number");
    CHECK_EQ_INT(config_value_int(" 5", 0, 100, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_int("5 ", 0, 100, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_int("1.5", 0, 100, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_int("--5", -100, 100, &v, problem, sizeof problem), -1);
}

TEST(config_value_int_overflow_never_wraps)
{
    char problem[128];
    long long v = 42;

    CHECK_EQ_INT(config_value_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v,
                                  problem, sizeof problem), 0);
    CHECK(v == LLONG_MAX);
    CHECK_EQ_INT(config_value_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v,
                                  problem, sizeof problem), 0);
    CHECK(v == LLONG_MIN);
    v = 42;
    CHECK_EQ_INT(config_value_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v,
                                  problem, sizeof problem), -1);
    CHECK_EQ_INT(v, 42); /* untouched on failure */
    CHECK_EQ_INT(config_value_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v,
                                  problem, sizeof problem), -1);
    /* 2^64 + 1 would wrap to 1 in unchecked 64-bit arithmetic, and 1 is in range. */
    CHECK_EQ_INT(config_value_int("18446744073709551617", 0, 100, &v, problem, sizeof problem),
                 -1);
    CHECK_EQ_STR(problem, "'18446744073709551617' is out of range (must be between 0 and 100)");
    CHECK_EQ_INT(config_value_int("99999999999999999999999999999999", 0, 100, &v, problem,
                                  sizeof problem), -1);
}

TEST(config_value_size_cases)
{
    char problem[160];
    uint64_t v;
    const uint64_t big = UINT64_MAX;

    CHECK_EQ_INT(config_value_size("512", big, &v, problem, sizeof problem), 0);
    CHECK(v == 512);
    CHECK_EQ_INT(config_value_size("0", big, &v, problem, sizeof problem), 0);
    CHECK(v == 0);
    CHECK_EQ_INT(config_value_size("64k", big, &v, problem, sizeof problem), 0);
    CHECK(v == 65536);
    CHECK_EQ_INT(config_value_size("64K", big, &v, problem, sizeof problem), 0);
    CHECK(v == 65536);
    CHECK_EQ_INT(config_value_size("64kB", big, &v, problem, sizeof problem), 0);
    CHECK(v == 65536);
    CHECK_EQ_INT(config_value_size("64KiB", big, &v, problem, sizeof problem), 0);
    CHECK(v == 65536);
    CHECK_EQ_INT(config_value_size("4M", big, &v, problem, sizeof problem), 0);
    CHECK(v == 4u * 1024 * 1024);
    CHECK_EQ_INT(config_value_size("4 MiB", big, &v, problem, sizeof problem), 0);
    CHECK(v == 4u * 1024 * 1024);
    CHECK_EQ_INT(config_value_size("1G", big, &v, problem, sizeof problem), 0);
    CHECK(v == 1024u * 1024 * 1024);
    CHECK_EQ_INT(config_value_size("3GB", big, &v, problem, sizeof problem), 0);
    CHECK(v == 3ull * 1024 * 1024 * 1024);
    CHECK_EQ_INT(config_value_size("100B", big, &v, problem, sizeof problem), 0);
    CHECK(v == 100);
    /* Exactly at the limit is allowed. */
    CHECK_EQ_INT(config_value_size("1M", 1u << 20, &v, problem, sizeof problem), 0);
    CHECK(v == 1u << 20);

    CHECK_EQ_INT(config_value_size("1025k", 1u << 20, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'1025k' is too large (at most 1M)");
    CHECK_EQ_INT(config_value_size("70000", 65535, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'70000' is too large (at most 65535 bytes)");
    CHECK_EQ_INT(config_value_size("5q", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem,
                 "'5q' has an unknown size suffix (use k, M or G, optionally followed by B)");
    CHECK_EQ_INT(config_value_size("5iB", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_size("5kk", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_size("5T", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_size("-1", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'-1' must not be negative");
    CHECK_EQ_INT(config_value_size("1.5G", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'1.5G' is not a whole number");
    CHECK_EQ_INT(config_value_size("k", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'k' is not a size");
    CHECK_EQ_INT(config_value_size("", big, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "value is empty; expected a size");
}

TEST(config_value_size_overflow_never_wraps)
{
    char problem[160];
    uint64_t v = 7;

    CHECK_EQ_INT(config_value_size("18446744073709551615", UINT64_MAX, &v, problem,
                                   sizeof problem), 0);
    CHECK(v == UINT64_MAX);
    v = 7;
    CHECK_EQ_INT(config_value_size("18446744073709551616", UINT64_MAX, &v, problem,
                                   sizeof problem), -1);
    /* 2^34 G = 2^64 bytes: the multiplication would wrap to 0. */
    CHECK_EQ_INT(config_value_size("17179869184G", UINT64_MAX, &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_size("17179869183G", UINT64_MAX, &v, problem, sizeof problem), 0);
    CHECK(v == (UINT64_MAX >> 30) << 30);
    v = 7;
    CHECK_EQ_INT(config_value_size("99999999999999999999k", UINT64_MAX, &v, problem,
                                   sizeof problem), -1);
    CHECK(v == 7);
}

TEST(config_value_duration_cases)
{
    char problem[160];
    uint64_t v;

    CHECK_EQ_INT(config_value_duration_ms("250ms", &v, problem, sizeof problem), 0);
    CHECK(v == 250);
    CHECK_EQ_INT(config_value_duration_ms("30s", &v, problem, sizeof problem), 0);
    CHECK(v == 30000);
    CHECK_EQ_INT(config_value_duration_ms("30", &v, problem, sizeof problem), 0);
    CHECK(v == 30000); /* a bare number is seconds */
    CHECK_EQ_INT(config_value_duration_ms("5m", &v, problem, sizeof problem), 0);
    CHECK(v == 300000);
    CHECK_EQ_INT(config_value_duration_ms("2h", &v, problem, sizeof problem), 0);
    CHECK(v == 7200000);
    CHECK_EQ_INT(config_value_duration_ms("7d", &v, problem, sizeof problem), 0);
    CHECK(v == 604800000);
    CHECK_EQ_INT(config_value_duration_ms("10 s", &v, problem, sizeof problem), 0);
    CHECK(v == 10000);
    CHECK_EQ_INT(config_value_duration_ms("0", &v, problem, sizeof problem), 0);
    CHECK(v == 0);

    CHECK_EQ_INT(config_value_duration_ms("5y", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'5y' has an unknown duration suffix (use ms, s, m, h or d)");
    CHECK_EQ_INT(config_value_duration_ms("5sec", &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_duration_ms("5mss", &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_duration_ms("-5s", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'-5s' must not be negative");
    CHECK_EQ_INT(config_value_duration_ms("1.5h", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'1.5h' is not a whole number");
    CHECK_EQ_INT(config_value_duration_ms("s", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'s' is not a duration");
    CHECK_EQ_INT(config_value_duration_ms("", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "value is empty; expected a duration");
}

TEST(config_value_duration_overflow_never_wraps)
{
    char problem[160];
    uint64_t v = 9;

    CHECK_EQ_INT(config_value_duration_ms("18446744073709551615ms", &v, problem, sizeof problem),
                 0);
    CHECK(v == UINT64_MAX);
    v = 9;
    /* UINT64_MAX / 1000 + 1 seconds does not fit in milliseconds. */
    CHECK_EQ_INT(config_value_duration_ms("18446744073709552s", &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'18446744073709552s' is too large");
    CHECK_EQ_INT(config_value_duration_ms("18446744073709551s", &v, problem, sizeof problem), 0);
    CHECK(v == 18446744073709551000ull);
    v = 9;
    CHECK_EQ_INT(config_value_duration_ms("213503982335d", &v, problem, sizeof problem), -1);
    CHECK_EQ_INT(config_value_duration_ms("99999999999999999999999ms", &v, problem,
                                          sizeof problem), -1);
    CHECK(v == 9);
}

TEST(config_value_problem_quotes_long_values)
{
    char value[200], problem[256];
    long long v;

    memset(value, '9', 100);
    strcpy(value + 100, "x");
    CHECK_EQ_INT(config_value_int(value, 0, 10, &v, problem, sizeof problem), -1);
    CHECK_EQ_STR(problem, "'9999999999999999999999999999999999999999...' is not a number");
    /* A problem buffer that is too small is cut, never overrun; NULL is allowed. */
    CHECK_EQ_INT(config_value_int("abc", 0, 10, &v, problem, 5), -1);
    CHECK_EQ_STR(problem, "'abc");
    CHECK_EQ_INT(config_value_int("abc", 0, 10, &v, NULL, 0), -1);
}

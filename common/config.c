/* config.c — INI-style configuration parser and value helpers; every error says file, line and problem. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

/* Longest line accepted, in bytes, not counting its CR/LF. */
#define CONFIG_LINE_MAX 4096
/* Largest file config_parse_file reads: a configuration file is a few kilobytes, so anything
 * this big is a wrong path (a log, a database) and is better refused than parsed. */
#define CONFIG_FILE_MAX (16u * 1024u * 1024u)
#define CONFIG_READ_CHUNK 8192
/* How much of an offending key or value a problem text quotes. */
#define CONFIG_QUOTE_MAX 40
#define CONFIG_PROBLEM_MAX 256

/* The parser's state. Keys and values are cut out of `line` in place; `section` keeps the
 * current section name between lines. */
typedef struct config_parser {
    const char *name;
    config_handler handler;
    void *user;
    char *err;
    size_t err_size;
    unsigned long line_no;
    char section[CONFIG_LINE_MAX + 1];
    char line[CONFIG_LINE_MAX + 1];
} config_parser;

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive for ASCII only, so the result never depends on the C locale. */
static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower(*a) != ascii_lower(*b))
            return 0;
    return *a == *b;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

/* Copies s[0..n) into out (at least CONFIG_QUOTE_MAX + 4 bytes) for quoting in a problem text,
 * cut on a character boundary with "..." when it is longer than CONFIG_QUOTE_MAX. */
static void quote_cut(char *out, const char *s, size_t n)
{
    int cut = 0;

    if (n > CONFIG_QUOTE_MAX) {
        n = CONFIG_QUOTE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u)
            n--;
        cut = 1;
    }
    memcpy(out, s, n);
    if (cut) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* Writes "name:line: problem" into the caller's error buffer and returns -1. */
static int fail_line(config_parser *ps, const char *problem)
{
    if (ps->err && ps->err_size > 0)
        snprintf(ps->err, ps->err_size, "%s:%lu: %s", ps->name, ps->line_no, problem);
    return -1;
}

/* Same, quoting a piece of the line: "invalid key 'a b'". */
static int fail_quoting(config_parser *ps, const char *what, const char *s, size_t n)
{
    char q[CONFIG_QUOTE_MAX + 4];
    char problem[CONFIG_PROBLEM_MAX];

    quote_cut(q, s, n);
    snprintf(problem, sizeof problem, "%s '%s'", what, q);
    return fail_line(ps, problem);
}

static int check_name(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return 0;
    return 1;
}

/* "[name]": the rest of the line after ']' must be blank. */
static int parse_section(config_parser *ps, char *p, char *end)
{
    char *close = memchr(p, ']', (size_t)(end - p));
    char *name = p + 1, *name_end, *q;
    size_t i, n;

    if (!close)
        return fail_line(ps, "unterminated section header");
    for (q = close + 1; q < end; q++)
        if (!is_space(*q))
            return fail_line(ps, "unexpected text after section header");
    while (name < close && is_space(*name))
        name++;
    name_end = close;
    while (name_end > name && is_space(name_end[-1]))
        name_end--;
    n = (size_t)(name_end - name);
    if (n == 0)
        return fail_line(ps, "empty section name");
    if (!check_name(name, n))
        return fail_quoting(ps, "invalid section name", name, n);
    for (i = 0; i < n; i++)
        ps->section[i] = ascii_lower(name[i]);
    ps->section[n] = '\0';
    return 0;
}

/* Unquotes "..." in place starting at v (which points at the opening quote); end is the end of
 * the trimmed line. Only \" and \\ are escapes, so Windows paths need their backslashes doubled
 * inside quotes — or no quotes at all. */
static int unquote(config_parser *ps, char *v, char *end)
{
    char *in = v + 1, *out = v;

    for (;;) {
        if (in >= end)
            return fail_line(ps, "unterminated quoted value");
        if (*in == '"')
            break;
        if (*in == '\\') {
            if (in + 1 >= end)
                return fail_line(ps, "unterminated quoted value");
            if (in[1] != '"' && in[1] != '\\') {
                char problem[CONFIG_PROBLEM_MAX];
                unsigned char c = (unsigned char)in[1];
                if (c >= 0x21 && c < 0x7F)
                    snprintf(problem, sizeof problem,
                             "unknown escape '\\%c' in quoted value (only \\\" and \\\\)", c);
                else
                    snprintf(problem, sizeof problem,
                             "unknown escape in quoted value (only \\\" and \\\\)");
                return fail_line(ps, problem);
            }
            *out++ = in[1];
            in += 2;
            continue;
        }
        *out++ = *in++;
    }
    for (in++; in < end; in++)
        if (!is_space(*in))
            return fail_line(ps, "unexpected text after closing quote");
    *out = '\0';
    return 0;
}

/* "key = value" */
static int parse_pair(config_parser *ps, char *p, char *end)
{
    char *eq = memchr(p, '=', (size_t)(end - p));
    char *key_end, *v, *q;
    char problem[CONFIG_PROBLEM_MAX];

    if (!eq)
        return fail_line(ps, "expected 'key = value'");
    key_end = eq;
    while (key_end > p && is_space(key_end[-1]))
        key_end--;
    if (key_end == p)
        return fail_line(ps, "missing key before '='");
    if (!check_name(p, (size_t)(key_end - p)))
        return fail_quoting(ps, "invalid key", p, (size_t)(key_end - p));
    for (q = p; q < key_end; q++)
        *q = ascii_lower(*q);

    v = eq + 1;
    while (v < end && is_space(*v))
        v++;
    if (v < end && *v == '"') {
        if (unquote(ps, v, end) != 0)
            return -1;
    } else {
        *end = '\0';
    }
    *key_end = '\0'; /* after the value: key_end may be the '=' that the value scan relied on */

    if (!ps->handler)
        return 0;
    problem[0] = '\0';
    if (ps->handler(ps->user, ps->section, p, v, problem, sizeof problem) == 0)
        return 0;
    problem[sizeof problem - 1] = '\0';
    if (problem[0] == '\0') /* a handler that forgot to say why still gets a useful message */
        return fail_quoting(ps, "invalid value for", p, strlen(p));
    return fail_line(ps, problem);
}

static int parse_line(config_parser *ps, const char *s, size_t n)
{
    char *p, *end;

    if (!utf8_valid(s, n))
        return fail_line(ps, "invalid UTF-8");
    /* Tabs are whitespace; any other control character (a stray CR, NUL, ESC) is a mistake. */
    if (!utf8_valid_text(s, n, 1))
        return fail_line(ps, "control character in line");

    memcpy(ps->line, s, n);
    ps->line[n] = '\0';
    p = ps->line;
    end = p + n;
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    if (p == end || *p == ';' || *p == '#')
        return 0;
    if (*p == '[')
        return parse_section(ps, p, end);
    return parse_pair(ps, p, end);
}

int config_parse_text(const char *name, const char *text, size_t len, config_handler handler,
                      void *user, char *err, size_t err_size)
{
    config_parser *ps;
    size_t pos = 0;
    int rc = 0;

    /* ~8 KiB of line and section buffers: on the heap, to stay friendly to small thread stacks. */
    ps = malloc(sizeof *ps);
    if (!ps) {
        if (err && err_size > 0)
            snprintf(err, err_size, "%s: out of memory", name ? name : "config");
        return -1;
    }
    ps->name = name ? name : "config";
    ps->handler = handler;
    ps->user = user;
    ps->err = err;
    ps->err_size = err_size;
    ps->line_no = 0;
    ps->section[0] = '\0'; /* pairs before any header belong to the section "" */
    if (err && err_size > 0)
        err[0] = '\0';
    if (!text)
        len = 0;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;

        pos += n + (nl ? 1 : 0);
        ps->line_no++;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        if (n > CONFIG_LINE_MAX) {
            rc = fail_line(ps, "line too long");
            break;
        }
        rc = parse_line(ps, start, n);
        if (rc != 0)
            break;
    }
    free(ps);
    return rc;
}

int config_parse_file(const char *path, config_handler handler, void *user, char *err,
                      size_t err_size)
{
    FILE *f;
    buf b;
    int rc = -1;

    buf_init(&b);
    if (err && err_size > 0)
        err[0] = '\0';
    f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (err && err_size > 0)
            snprintf(err, err_size, "%s: cannot open: %s", path, strerror(e));
        return -1;
    }
    for (;;) {
        uint8_t *dst = buf_reserve(&b, CONFIG_READ_CHUNK);
        size_t got;

        if (!dst) {
            if (err && err_size > 0)
                snprintf(err, err_size, "%s: out of memory", path);
            goto fail;
        }
        got = fread(dst, 1, CONFIG_READ_CHUNK, f);
        b.len += got;
        if (b.len > CONFIG_FILE_MAX) {
            if (err && err_size > 0)
                snprintf(err, err_size, "%s: file too large (over %u MiB)", path,
                         CONFIG_FILE_MAX / (1024u * 1024u));
            goto fail;
        }
        if (got < CONFIG_READ_CHUNK) {
            if (ferror(f)) {
                int e = errno;
                if (err && err_size > 0)
                    snprintf(err, err_size, "%s: cannot read: %s", path, strerror(e));
                goto fail;
            }
            break;
        }
    }
    rc = config_parse_text(path, (const char *)b.data, b.len, handler, user, err, err_size);

fail:
    fclose(f);
    buf_free(&b);
    return rc;
}

/* ---- value helpers ---- */

/* Problem texts quote the value and read on their own after "file:line: ", e.g.
 * "server.ini:9: 'abc' is not a number"; a handler may prefix the key if it wants to. */
static void value_problem(char *problem, size_t size, const char *value, const char *what)
{
    char q[CONFIG_QUOTE_MAX + 4];

    if (!problem || size == 0)
        return;
    quote_cut(q, value, strlen(value));
    snprintf(problem, size, "'%s' %s", q, what);
}

static void empty_problem(char *problem, size_t size, const char *expected)
{
    if (problem && size > 0)
        snprintf(problem, size, "value is empty; expected %s", expected);
}

/* Reads decimal digits at *s into *out and advances *s. Returns 0, -1 if there is no digit,
 * or 1 if the number does not fit in 64 bits (then *s is past all the digits anyway). */
static int parse_digits(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    int overflow = 0;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = 1;
        else
            v = v * 10 + d;
    }
    *s = p;
    *out = v;
    return overflow;
}

int config_value_bool(const char *value, int *out, char *problem, size_t problem_size)
{
    static const char *const truthy[] = {"true", "yes", "on", "1"};
    static const char *const falsy[] = {"false", "no", "off", "0"};
    size_t i;

    if (!value || !*value) {
        empty_problem(problem, problem_size, "a boolean");
        return -1;
    }
    for (i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
        if (ascii_ieq(value, truthy[i])) {
            *out = 1;
            return 0;
        }
        if (ascii_ieq(value, falsy[i])) {
            *out = 0;
            return 0;
        }
    }
    value_problem(problem, problem_size, value,
                  "is not a boolean (use true/false, yes/no, on/off or 1/0)");
    return -1;
}

int config_value_int(const char *value, long long min, long long max, long long *out,
                     char *problem, size_t problem_size)
{
    const char *p = value;
    uint64_t mag;
    long long v;
    int neg = 0, rc;

    if (!value || !*value) {
        empty_problem(problem, problem_size, "a number");
        return -1;
    }
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    rc = parse_digits(&p, &mag);
    if (rc < 0 || *p != '\0') {
        value_problem(problem, problem_size, value, "is not a number");
        return -1;
    }
    if (rc > 0 || mag > (uint64_t)LLONG_MAX + (neg ? 1u : 0u))
        goto out_of_range;
    if (!neg)
        v = (long long)mag;
    else if (mag == (uint64_t)LLONG_MAX + 1u)
        v = LLONG_MIN;
    else
        v = -(long long)mag;
    if (v < min || v > max)
        goto out_of_range;
    *out = v;
    return 0;

out_of_range:
    if (problem && problem_size > 0) {
        char what[96];
        snprintf(what, sizeof what, "is out of range (must be between %lld and %lld)", min, max);
        value_problem(problem, problem_size, value, what);
    }
    return -1;
}

/* Writes a byte count the way an administrator would type it: "4G", "64k", "1000 bytes". */
static void format_size(char *out, size_t size, uint64_t v)
{
    static const char units[] = "GMk";
    int shift, i;

    for (i = 0, shift = 30; i < 3; i++, shift -= 10) {
        uint64_t unit = (uint64_t)1 << shift;
        if (v >= unit && v % unit == 0) {
            snprintf(out, size, "%llu%c", (unsigned long long)(v / unit), units[i]);
            return;
        }
    }
    snprintf(out, size, "%llu bytes", (unsigned long long)v);
}

/* The whole number that starts a size or a duration ("a size", "a duration" in kind), with the
 * checks both share. Returns parse_digits' result (1 = overflow, reported by the caller with
 * its own limit) or -1 after describing the problem; *p is left after the digits and spaces. */
static int leading_count(const char *value, const char **p, uint64_t *n, const char *kind,
                         char *problem, size_t problem_size)
{
    char not_a[48];
    int rc;

    if (!value || !*value) {
        empty_problem(problem, problem_size, kind);
        return -1;
    }
    if (**p == '-') {
        value_problem(problem, problem_size, value, "must not be negative");
        return -1;
    }
    rc = parse_digits(p, n);
    if (rc < 0) {
        snprintf(not_a, sizeof not_a, "is not %s", kind);
        value_problem(problem, problem_size, value, not_a);
        return -1;
    }
    if (**p == '.' || **p == ',') {
        value_problem(problem, problem_size, value, "is not a whole number");
        return -1;
    }
    while (**p == ' ')
        (*p)++;
    return rc;
}

int config_value_size(const char *value, uint64_t max, uint64_t *out, char *problem,
                      size_t problem_size)
{
    const char *p = value;
    uint64_t n, mult = 1;
    int rc = leading_count(value, &p, &n, "a size", problem, problem_size);

    if (rc < 0)
        return -1;
    switch (ascii_lower(*p)) {
    case 'k':
        mult = (uint64_t)1 << 10;
        p++;
        break;
    case 'm':
        mult = (uint64_t)1 << 20;
        p++;
        break;
    case 'g':
        mult = (uint64_t)1 << 30;
        p++;
        break;
    default:
        break;
    }
    /* "64k", "64kB" and "64KiB" all mean 65536; "iB" only makes sense after a multiplier. */
    if (mult > 1 && ascii_lower(p[0]) == 'i' && ascii_lower(p[1]) == 'b')
        p += 2;
    else if (ascii_lower(*p) == 'b')
        p++;
    if (*p != '\0') {
        value_problem(problem, problem_size, value,
                      "has an unknown size suffix (use k, M or G, optionally followed by B)");
        return -1;
    }
    if (rc > 0 || n > UINT64_MAX / mult || n * mult > max) {
        if (problem && problem_size > 0) {
            char lim[32], what[64];
            format_size(lim, sizeof lim, max);
            snprintf(what, sizeof what, "is too large (at most %s)", lim);
            value_problem(problem, problem_size, value, what);
        }
        return -1;
    }
    *out = n * mult;
    return 0;
}

int config_value_duration_ms(const char *value, uint64_t *out, char *problem, size_t problem_size)
{
    const char *p = value;
    uint64_t n, mult;
    int rc = leading_count(value, &p, &n, "a duration", problem, problem_size);

    if (rc < 0)
        return -1;
    if (*p == '\0' || ascii_ieq(p, "s"))
        mult = 1000;
    else if (ascii_ieq(p, "ms"))
        mult = 1;
    else if (ascii_ieq(p, "m"))
        mult = 60u * 1000u;
    else if (ascii_ieq(p, "h"))
        mult = 60u * 60u * 1000u;
    else if (ascii_ieq(p, "d"))
        mult = 24u * 60u * 60u * 1000u;
    else {
        value_problem(problem, problem_size, value,
                      "has an unknown duration suffix (use ms, s, m, h or d)");
        return -1;
    }
    if (rc > 0 || n > UINT64_MAX / mult) {
        value_problem(problem, problem_size, value, "is too large");
        return -1;
    }
    *out = n * mult;
    return 0;
}

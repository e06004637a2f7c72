/* runner.c — main() for every test executable: runs the test named on the command line, or
 * all of them, and reports "N passed, N failed". The test table comes from CMake. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "test.h"

/* Every CHECK in the product is an assert as well; a build that switched them off would test
 * something other than what ships. */
#ifdef NDEBUG
#error "Parley builds keep asserts on: NDEBUG must not be defined"
#endif

#define X(name) void test_##name(void);
#include "test_list.h"
#undef X

typedef struct test_entry {
    const char *name;
    void (*fn)(void);
} test_entry;

static const test_entry tests[] = {
#define X(name) {#name, test_##name},
#include "test_list.h"
#undef X
    {NULL, NULL} /* keeps the table non-empty while an executable has no tests yet */
};

static int failures;
static char bin_dir[1024] = ".";

void test_fail_at(const char *file, int line, const char *what)
{
    test_failf_at(file, line, "CHECK failed: %s", what);
}

void test_failf_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    failures++;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

int test_failures(void)
{
    return failures;
}

const char *test_data_dir(void)
{
    const char *d = getenv("PARLEY_TEST_DATA");
    return d && *d ? d : PARLEY_TEST_DATA_DEFAULT;
}

const char *test_bin_dir(void)
{
    return bin_dir;
}

long test_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        char c = *hex;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        v = hex_digit_value(c);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)n : -1;
}

static void set_bin_dir(const char *argv0)
{
    size_t i, cut = 0;
    size_t n = strlen(argv0);
    if (n >= sizeof bin_dir)
        return;
    for (i = 0; i < n; i++)
        if (argv0[i] == '/' || argv0[i] == '\\')
            cut = i;
    if (cut > 0) {
        memcpy(bin_dir, argv0, cut);
        bin_dir[cut] = '\0';
    }
}

static int run_one(const test_entry *t)
{
    int before = failures;
    fprintf(stderr, "-- %s\n", t->name);
    t->fn();
    if (failures != before) {
        fprintf(stderr, "FAIL %s\n", t->name);
        return 0;
    }
    fprintf(stderr, "ok   %s\n", t->name);
    return 1;
}

int main(int argc, char **argv)
{
    size_t i, count = sizeof tests / sizeof tests[0] - 1;
    int passed = 0, failed = 0, ran = 0;

    setvbuf(stdout, NULL, _IONBF, 0);
    set_bin_dir(argv[0]);
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < count; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    for (i = 0; i < count; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
            continue;
        ran++;
        if (run_one(&tests[i]))
            passed++;
        else
            failed++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
        return 2;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

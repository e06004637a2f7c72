/* test.h — Parley's small test harness: TEST() functions, CHECK macros that record failures and
 * go on, and a runner (runner.c) that runs one named test or all of them. */
#ifndef PARLEY_TEST_H
#define PARLEY_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Every test is `TEST(name) { ... }` at file scope. CMake reads these lines to register each
 * test with CTest, and generates the table the runner uses. */
#define TEST(name)                                                                            \
    void test_##name(void);                                                                   \
    void test_##name(void)

void test_fail_at(const char *file, int line, const char *what);
#if defined(__MINGW32__)
__attribute__((format(gnu_printf, 3, 4))) /* MinGW's own C99 stdio, see ParleyCompile */
#elif defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
void test_failf_at(const char *file, int line, const char *fmt, ...);
int test_failures(void);
/* Directory holding test data (tests/ in the source tree), without a trailing slash. */
const char *test_data_dir(void);
/* Directory of the running test executable (build tree), without a trailing slash. */
const char *test_bin_dir(void);

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond))                                                                          \
            test_fail_at(__FILE__, __LINE__, #cond);                                          \
    } while (0)

/* Stops the current test when cond is false (for checks the rest of the test relies on). */
#define REQUIRE(cond)                                                                         \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            test_fail_at(__FILE__, __LINE__, #cond);                                          \
            return;                                                                           \
        }                                                                                     \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                    \
    do {                                                                                      \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                       \
        if (check_a_ != check_b_)                                                             \
            test_failf_at(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, check_a_,     \
                          check_b_);                                                          \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                    \
    do {                                                                                      \
        const char *check_a_ = (a), *check_b_ = (b);                                          \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)                        \
            test_failf_at(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,           \
                          check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");    \
    } while (0)

#define CHECK_EQ_MEM(a, b, n)                                                                 \
    do {                                                                                      \
        if (memcmp((a), (b), (n)) != 0)                                                       \
            test_failf_at(__FILE__, __LINE__, "%s and %s differ in their %zu bytes", #a, #b,  \
                          (size_t)(n));                                                       \
    } while (0)

/* Parses hex (whitespace ignored) into out; returns the byte count, or -1 if malformed or
 * longer than cap. */
long test_hex(const char *hex, uint8_t *out, size_t cap);

#endif

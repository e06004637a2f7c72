/* fuzz_config.c — libFuzzer target: the INI parser (config_parse_text), the value helpers, and
 * the server's own settings handler (server_config_set) on whatever the parser hands over.
 *
 * Input: the file's bytes, NULs and all. Checked beyond "no crash, no leak, no UB": every
 * string the handler gets is NUL-terminated inside its limits, an error always names the file,
 * and a value the helpers accept is within the bounds they were given. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"
#include "server_config.h"

typedef struct ctx {
    server_config cfg;
    unsigned pairs;
} ctx;

static void check_values(const char *value)
{
    char problem[128];
    long long i;
    uint64_t u;
    int b;

    if (config_value_bool(value, &b, problem, sizeof problem) == 0)
        FUZZ_ASSERT(b == 0 || b == 1);
    if (config_value_int(value, -1000, 1000, &i, problem, sizeof problem) == 0)
        FUZZ_ASSERT(i >= -1000 && i <= 1000);
    if (config_value_size(value, 1u << 30, &u, problem, sizeof problem) == 0)
        FUZZ_ASSERT(u <= (1u << 30));
    else
        FUZZ_ASSERT(memchr(problem, '\0', sizeof problem) != NULL);
    config_value_duration_ms(value, &u, problem, sizeof problem);
}

static int on_pair(void *user, const char *section, const char *key, const char *value,
                   char *problem, size_t problem_size)
{
    ctx *c = user;

    FUZZ_ASSERT(section && key && value && problem && problem_size > 0);
    c->pairs++;
    check_values(value);
    /* The real handler, so the fuzzer can reach every setting's validation. Its verdict is
     * ignored (the parser would stop at the first refusal and hide the later lines). */
    server_config_set(&c->cfg, section, key, value, problem, problem_size);
    problem[0] = '\0';
    return 0;
}

/* Stops at the first pair whose key starts with '!': the parser's error path with a problem. */
static int on_pair_strict(void *user, const char *section, const char *key, const char *value,
                          char *problem, size_t problem_size)
{
    (void)user;
    (void)section;
    (void)value;
    if (key[0] == '!') {
        snprintf(problem, problem_size, "refused '%s'", key);
        return 1;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ctx c;
    char err[512];
    int rc;

    server_config_defaults(&c.cfg);
    c.pairs = 0;
    err[0] = '\0';
    rc = config_parse_text("fuzz.ini", (const char *)data, size, on_pair, &c, err, sizeof err);
    if (rc != 0) {
        FUZZ_ASSERT(rc == -1);
        FUZZ_ASSERT(strncmp(err, "fuzz.ini", 8) == 0);
    }
    rc = config_parse_text("strict.ini", (const char *)data, size, on_pair_strict, NULL, err,
                           sizeof err);
    if (rc != 0)
        FUZZ_ASSERT(strncmp(err, "strict.ini", 10) == 0);
    /* A tiny error buffer must still come back terminated. */
    rc = config_parse_text("x", (const char *)data, size, on_pair_strict, NULL, err, 4);
    FUZZ_ASSERT(memchr(err, '\0', 4) != NULL);
    return 0;
}

/* fuzz_util.c — shared set-up for the libFuzzer targets: crypto, quiet logs, a cached key schedule. */
#include "fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"

static const uint8_t fuzz_salt[PROTO_SALT_SIZE] = {'p', 'a', 'r', 'l', 'e', 'y', '-', 'f',
                                                   'u', 'z', 'z', '-', 's', 'a', 'l', 't'};
static uint8_t fuzz_master[HS_KEY_SIZE];
static int fuzz_ready;

void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz invariant failed: %s\n", what);
    abort();
}

void fuzz_init(void)
{
    if (fuzz_ready)
        return;
    if (crypto_init() != CRYPTO_OK)
        fuzz_fail("crypto_init");
    /* Log lines from the code under test would drown libFuzzer's own output. */
    log_set_level(LOG_OFF);
    if (hs_master(FUZZ_SECRET, strlen(FUZZ_SECRET), fuzz_salt, FUZZ_ITERATIONS, fuzz_master) !=
        PROTO_OK)
        fuzz_fail("hs_master");
    fuzz_ready = 1;
}

void fuzz_server_config(hs_server_config *cfg, const uint8_t *allowed, size_t nallowed)
{
    fuzz_init();
    memset(cfg, 0, sizeof *cfg);
    cfg->secret = (const uint8_t *)FUZZ_SECRET;
    cfg->secret_len = strlen(FUZZ_SECRET);
    memcpy(cfg->salt, fuzz_salt, sizeof fuzz_salt);
    cfg->iterations = FUZZ_ITERATIONS;
    memcpy(cfg->master, fuzz_master, sizeof fuzz_master);
    memcpy(cfg->allowed, allowed, nallowed);
    cfg->nallowed = (uint8_t)nallowed;
    cfg->server_name = "fuzz";
}

void fuzz_client_prime(hs_client *hs)
{
    fuzz_init();
    memcpy(hs->master, fuzz_master, sizeof fuzz_master);
    memcpy(hs->master_salt, fuzz_salt, sizeof fuzz_salt);
    hs->master_iterations = FUZZ_ITERATIONS;
    hs->have_master = 1;
}

int fuzz_take_frame(proto_reader *r, const uint8_t *bytes, size_t n, proto_frame *f)
{
    proto_reader_init(r, PROTO_MAX_FRAME_HARD);
    if (proto_reader_feed(r, bytes, n) != PROTO_OK)
        return 0;
    return proto_reader_next(r, f) == 1;
}

int fuzz_scram_costly(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 2 <= n; i++) {
        size_t v = i + 2, digits = 0;
        if (p[i] != 'i' || p[i + 1] != '=' || (i > 0 && p[i - 1] != ','))
            continue;
        while (v + digits < n && p[v + digits] >= '0' && p[v + digits] <= '9')
            digits++;
        if (!(digits == 4 && memcmp(p + v, "4096", 4) == 0))
            return 1;
    }
    return 0;
}

/* fuzz_scram.c — libFuzzer target: both sides of the SCRAM-SHA-256 exchange fed hostile
 * messages.
 *
 * Byte 0 picks the side (even: server, odd: client); the rest is split at NUL bytes into the
 * messages the peer would send. Server: client-first, then client-final (after a real
 * server-first). Client: server-first, then server-final. Checked beyond "no crash, no UB":
 *  - the server accepts a proof only for the password it holds (it never knows another);
 *  - the client accepts a server-final only if it carries the real server signature, which a
 *    fuzzer cannot forge: with a fuzzed server-first, OK from scram_client_check is a bug. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "scram.h"

static scram_verifier verifier;

/* The next NUL-terminated piece of p[0..n) (copied, NUL-terminated, into out). */
static size_t take(const uint8_t **p, size_t *n, char *out, size_t cap)
{
    const uint8_t *end = *n ? memchr(*p, 0, *n) : NULL;
    size_t len = end ? (size_t)(end - *p) : *n;
    size_t used = end ? len + 1 : len;
    size_t copy = len < cap ? len : cap - 1;
    if (copy)
        memcpy(out, *p, copy);
    out[copy] = '\0';
    *p += used;
    *n -= used;
    return copy;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t salt[16] = {3};
    (void)argc;
    (void)argv;
    fuzz_init();
    if (scram_verifier_make("pencil", 6, salt, sizeof salt, SCRAM_ITERATIONS_MIN, &verifier) !=
        SCRAM_OK)
        fuzz_fail("scram_verifier_make");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char a[SCRAM_MSG_MAX + 8], b[SCRAM_MSG_MAX + 8], out[SCRAM_MSG_MAX], user[SCRAM_USER_MAX + 1];
    size_t alen, blen, n;
    const uint8_t *p;
    uint8_t bind[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    scram_binding binding = {"parley-session", bind, sizeof bind};

    if (size < 1)
        return 0;
    p = data + 1;
    n = size - 1;
    alen = take(&p, &n, a, sizeof a);
    blen = take(&p, &n, b, sizeof b);
    if (data[0] % 2 == 0) {
        scram_server s;
        int rc = scram_server_start(&s, a, alen, data[0] & 2 ? &binding : NULL, user,
                                    sizeof user);
        if (rc != SCRAM_OK)
            return 0;
        FUZZ_ASSERT(strlen(user) > 0 && strlen(user) <= SCRAM_USER_MAX);
        if (scram_server_first(&s, &verifier, NULL, out, sizeof out) != SCRAM_OK)
            fuzz_fail("server-first after a good client-first");
        /* The server nonce is fresh and random: a fuzzed final cannot match it, so the proof
         * step must refuse it. */
        rc = scram_server_final(&s, b, blen, out, sizeof out);
        FUZZ_ASSERT(rc != SCRAM_OK);
    } else {
        scram_client c;
        int rc;
        if (scram_client_first(&c, "user", 4, data[0] & 2 ? &binding : NULL, "fixednonce", out,
                               sizeof out) != SCRAM_OK)
            fuzz_fail("client-first");
        /* Iteration counts above the floor only cost time, by design: skip them. */
        if (fuzz_scram_costly((const uint8_t *)a, alen))
            return 0;
        rc = scram_client_final(&c, a, alen, "pencil", 6, out, sizeof out);
        if (rc != SCRAM_OK)
            return 0;
        FUZZ_ASSERT(strncmp(out, "c=", 2) == 0 && strstr(out, ",p=") != NULL);
        rc = scram_client_check(&c, b, blen);
        FUZZ_ASSERT(rc != SCRAM_OK);
    }
    return 0;
}

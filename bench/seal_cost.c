/* seal_cost.c — parley-seal-cost: seals and opens AES-256-GCM frames through common/cipher.c, the
 * way the server seals one room message per member, so that the cost per frame can be counted
 * with `valgrind --tool=callgrind --toggle-collect=cipher_seal` (instructions: repeatable on a
 * busy machine) or read from the wall-clock figure it prints (noisy there). */
#define _GNU_SOURCE

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cipher.h"
#include "crypto.h"
#include "proto.h"

#define MAX_BODY 4096

static void usage(void)
{
    fprintf(stderr,
            "usage: parley-seal-cost [--frames N] [--body BYTES] [--keys K] [--rest]\n"
            "  Seals N frames of BYTES body bytes (100) with K keys in turn (1000: one per\n"
            "  member of a 1000-member room), then opens them with the matching keys, and\n"
            "  prints ns per seal and per open. Under callgrind, --toggle-collect=cipher_seal\n"
            "  or =cipher_open gives instructions per frame (divide by N). --rest puts every\n"
            "  state to rest after each frame (cipher_state_rest), so each frame pays for\n"
            "  rebuilding it. Also prints the heap per state (malloc's count) while in use\n"
            "  and at rest.\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned long frames = 100000, body = 100, keys = 1000, i;
    cipher_state *tx = NULL, *rx = NULL;
    uint8_t *frame = NULL;
    size_t frame_len;
    uint8_t check = 0;
    double t0, t_seal, t_open;
    int rc = 1, a, rest = 0;
    size_t heap0, heap_live, heap_rest;

    for (a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(argv[a], "--rest") == 0) {
            rest = 1;
            continue;
        }
        if (strcmp(argv[a], "--frames") == 0 && v)
            frames = strtoul(v, NULL, 10);
        else if (strcmp(argv[a], "--body") == 0 && v)
            body = strtoul(v, NULL, 10);
        else if (strcmp(argv[a], "--keys") == 0 && v)
            keys = strtoul(v, NULL, 10);
        else {
            usage();
            return 2;
        }
        a++;
    }
    if (frames == 0 || keys == 0 || body > MAX_BODY) {
        usage();
        return 2;
    }
    if (crypto_init() != CRYPTO_OK) {
        fprintf(stderr, "parley-seal-cost: crypto backend unavailable\n");
        return 1;
    }
    tx = calloc(keys, sizeof *tx);
    rx = calloc(keys, sizeof *rx);
    frame_len = PROTO_HEADER_SIZE + body + CRYPTO_GCM_TAG_SIZE;
    /* One sealed copy per frame, kept so that every open checks a real tag. */
    frame = malloc(frame_len * frames);
    if (!tx || !rx || !frame)
        goto done;
    heap0 = mallinfo2().uordblks;
    for (i = 0; i < keys; i++) {
        uint8_t key[CRYPTO_GCM_KEY_SIZE];
        if (crypto_random(key, sizeof key) != CRYPTO_OK ||
            cipher_state_gcm(&tx[i], key) != PROTO_OK || cipher_state_gcm(&rx[i], key) != PROTO_OK)
            goto done;
    }
    heap_live = mallinfo2().uordblks - heap0;
    t0 = now_s();
    for (i = 0; i < frames; i++) {
        uint8_t *f = frame + i * frame_len;
        be_put32(f, (uint32_t)(body + CRYPTO_GCM_TAG_SIZE));
        f[4] = PT_MSG;
        f[5] = 0;
        memset(f + PROTO_HEADER_SIZE, (int)('a' + i % 26), body);
        if (cipher_seal(&tx[i % keys], f, body) != PROTO_OK) {
            fprintf(stderr, "parley-seal-cost: seal %lu failed\n", i);
            goto done;
        }
        if (rest)
            cipher_state_rest(&tx[i % keys]);
    }
    t_seal = now_s() - t0;
    t0 = now_s();
    for (i = 0; i < frames; i++) {
        uint8_t *f = frame + i * frame_len;
        size_t n = 0;
        if (cipher_open(&rx[i % keys], f, f + PROTO_HEADER_SIZE, body + CRYPTO_GCM_TAG_SIZE, &n) !=
                PROTO_OK ||
            n != body) {
            fprintf(stderr, "parley-seal-cost: open %lu failed\n", i);
            goto done;
        }
        if (rest)
            cipher_state_rest(&rx[i % keys]);
        check ^= body ? f[PROTO_HEADER_SIZE] : 0;
    }
    t_open = now_s() - t0;
    for (i = 0; i < keys; i++) {
        cipher_state_rest(&tx[i]);
        cipher_state_rest(&rx[i]);
    }
    heap_rest = mallinfo2().uordblks - heap0;
    printf("RESULT tool=seal_cost backend=\"%s\" frames=%lu body=%lu keys=%lu rest=%d "
           "ns_per_seal=%.1f ns_per_open=%.1f heap_per_state_live=%zu heap_per_state_rest=%zu "
           "check=%u\n",
           crypto_backend_name(), frames, body, keys, rest, t_seal / (double)frames * 1e9,
           t_open / (double)frames * 1e9, heap_live / (2 * keys), heap_rest / (2 * keys),
           (unsigned)check);
    rc = 0;

done:
    if (tx && rx)
        for (i = 0; i < keys; i++) {
            cipher_state_free(&tx[i]);
            cipher_state_free(&rx[i]);
        }
    free(tx);
    free(rx);
    free(frame);
    return rc;
}

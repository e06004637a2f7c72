/* fuzz_util.h — what the libFuzzer targets share: the entry points' prototypes, a fixed key
 * schedule (so the slow PBKDF2 runs once per process, not once per input) and frame helpers. */
#ifndef PARLEY_FUZZ_UTIL_H
#define PARLEY_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "handshake.h"
#include "proto.h"

/* libFuzzer's entry points, declared here because the build insists on prototypes. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SECRET "fuzzing secret key"
#define FUZZ_ITERATIONS HS_ITERATIONS_MIN

/* Crypto started, logging silenced, and the server's handshake settings ready: the fixed secret,
 * salt and iterations, with master derived once. allowed lists the server's ciphers. */
void fuzz_init(void);
void fuzz_server_config(hs_server_config *cfg, const uint8_t *allowed, size_t nallowed);
/* Primes a zeroed hs_client with the master key for the fixed salt and iterations, so the
 * client skips PBKDF2 when the server (real or fuzzed) asks for exactly those. */
void fuzz_client_prime(hs_client *hs);

/* Takes the one whole frame at the start of bytes[0..n) into r (freed by the caller) and f.
 * Returns 1, or 0 if the bytes do not hold a whole valid frame. */
int fuzz_take_frame(proto_reader *r, const uint8_t *bytes, size_t n, proto_frame *f);

/* 1 if p[0..n) holds a SCRAM iteration attribute ("i=", at the start or after a ',') whose
 * value is anything but SCRAM's minimum, 4096: a server-first that would make a client run a
 * slower PBKDF2 (by design, capped by SCRAM_ITERATIONS_MAX), which only slows a fuzzer down. */
int fuzz_scram_costly(const uint8_t *p, size_t n);

/* Abort with a message: an invariant the target checks did not hold (libFuzzer saves the input). */
void fuzz_fail(const char *what);
#define FUZZ_ASSERT(cond)                                                                     \
    do {                                                                                      \
        if (!(cond))                                                                          \
            fuzz_fail(#cond);                                                                 \
    } while (0)

#endif

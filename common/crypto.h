/* crypto.h — the cryptographic primitives Parley uses, behind one interface with two backends:
 * Windows CNG (crypto_cng.c) and OpenSSL libcrypto (crypto_openssl.c). Nothing here is hand-written crypto. */
#ifndef PARLEY_CRYPTO_H
#define PARLEY_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_SIZE 32
#define CRYPTO_GCM_KEY_SIZE 32
#define CRYPTO_GCM_NONCE_SIZE 12
#define CRYPTO_GCM_TAG_SIZE 16

enum {
    CRYPTO_OK = 0,
    CRYPTO_EFAIL = -1,   /* the backend failed (out of memory, provider missing) */
    CRYPTO_EAUTH = -2,   /* authentication failed: tag mismatch */
    CRYPTO_EINVAL = -3   /* bad input: e.g. a peer's public key that is not a point on the curve */
};

/* Call once before any other function (idempotent, thread-safe after the first call returns). */
int crypto_init(void);
/* Name of the backend in use, e.g. "Windows CNG" or "OpenSSL 3.0.x". */
const char *crypto_backend_name(void);

/* Fills buf with n bytes from the system's cryptographic RNG. */
int crypto_random(void *buf, size_t n);

/* One piece of a message given to HMAC as a list of parts (hashed in order, as if concatenated). */
typedef struct crypto_part {
    const void *p;
    size_t n;
} crypto_part;

/* SHA-256 of the parts, hashed in order as if concatenated. */
int crypto_sha256(const crypto_part *parts, size_t nparts, uint8_t out[CRYPTO_SHA256_SIZE]);

int crypto_hmac_sha256(const void *key, size_t key_len, const crypto_part *parts, size_t nparts,
                       uint8_t out[CRYPTO_SHA256_SIZE]);

int crypto_pbkdf2_sha256(const void *password, size_t password_len, const void *salt,
                         size_t salt_len, uint32_t iterations, void *out, size_t out_len);

/* An AES-256-GCM key. Owned by the caller of crypto_gcm_new; freed with crypto_gcm_free.
 * One key may be used by one thread at a time. */
typedef struct crypto_gcm crypto_gcm;

crypto_gcm *crypto_gcm_new(const uint8_t key[CRYPTO_GCM_KEY_SIZE]);
void crypto_gcm_free(crypto_gcm *k);
/* Gives back the memory of the expanded key (the backend's context, about a kilobyte) while
 * the key is idle, keeping only the 32 key bytes; the next seal or open builds it again (a
 * key schedule and GHASH table, about 1,800 instructions with OpenSSL). For connections that
 * go quiet; calling it before every frame would nearly double the cost of a frame. */
void crypto_gcm_rest(crypto_gcm *k);
/* Encrypts buf[0..len) in place and writes the tag. aad may be NULL when aad_len is 0. */
int crypto_gcm_seal(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, uint8_t tag[CRYPTO_GCM_TAG_SIZE]);
/* Decrypts buf[0..len) in place if the tag verifies; CRYPTO_EAUTH (and buf unspecified) if not. */
int crypto_gcm_open(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, const uint8_t tag[CRYPTO_GCM_TAG_SIZE]);

/* Ephemeral ECDH over NIST P-256 (secp256r1), for forward secrecy in the handshake. Public
 * keys travel as SEC 1 uncompressed points (04 || X || Y, big-endian); the shared secret is the
 * X coordinate of the shared point, big-endian (as in TLS and NIST SP 800-56A "Z"). */
#define CRYPTO_P256_PUBLIC_SIZE 65
#define CRYPTO_P256_PRIVATE_SIZE 32
#define CRYPTO_P256_SECRET_SIZE 32

typedef struct crypto_ecdh crypto_ecdh;

/* 1 if this backend can carry out the whole exchange here, else 0. Probed once per process:
 * CNG under Wine 8 makes keys and agrees secrets but cannot hand the secret out. */
int crypto_ecdh_available(void);
/* A fresh key pair; its public key is written to pub. NULL on failure. Owned by the caller. */
crypto_ecdh *crypto_ecdh_new(uint8_t pub[CRYPTO_P256_PUBLIC_SIZE]);
/* A key pair from known values (known-answer tests): the private scalar and its public key. */
crypto_ecdh *crypto_ecdh_import(const uint8_t priv[CRYPTO_P256_PRIVATE_SIZE],
                                const uint8_t pub[CRYPTO_P256_PUBLIC_SIZE]);
/* The shared secret with the peer's public key. CRYPTO_EINVAL if peer is not a valid point. */
int crypto_ecdh_derive(crypto_ecdh *k, const uint8_t peer[CRYPTO_P256_PUBLIC_SIZE],
                       uint8_t secret[CRYPTO_P256_SECRET_SIZE]);
void crypto_ecdh_free(crypto_ecdh *k);

/* Constant-time comparison: 1 if equal, 0 if not. Time depends only on n. */
int crypto_equal(const void *a, const void *b, size_t n);
/* Overwrites memory in a way the compiler may not remove. */
void crypto_wipe(void *p, size_t n);

#endif

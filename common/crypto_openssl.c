/* crypto_openssl.c — the crypto.h backend for Linux builds: OpenSSL 3 libcrypto (EVP_MAC HMAC,
 * EVP_Digest SHA-256, PKCS5_PBKDF2_HMAC, EVP AES-256-GCM, RAND_bytes). */
#include "crypto.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "crypto_openssl.c needs OpenSSL 3.0 or later (EVP_MAC, explicit fetches)"
#endif

/* Largest piece handed to an int-sized OpenSSL length parameter in one call. */
#define CHUNK_MAX ((size_t)1 << 30)

/* Algorithms fetched once: an explicit fetch avoids a by-name lookup on every key and call.
 * They live for the whole process (reachable from here, so leak checkers stay quiet). */
static CRYPTO_ONCE init_once = CRYPTO_ONCE_STATIC_INIT;
static int init_status = CRYPTO_EFAIL;
static EVP_MAC *hmac_alg;
static EVP_MD *sha256_alg;
static EVP_CIPHER *gcm_alg;
static char backend_name[64] = "OpenSSL";

struct crypto_gcm {
    /* Holds the expanded key; each seal/open re-inits it with only a new nonce, so a key costs
     * one context (well under a kilobyte) however many frames it protects. */
    EVP_CIPHER_CTX *ctx;
};

static void init_once_fn(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
    gcm_alg = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    if (!hmac_alg || !sha256_alg || !gcm_alg)
        goto fail;
    snprintf(backend_name, sizeof backend_name, "OpenSSL %s",
             OpenSSL_version(OPENSSL_VERSION_STRING));
    init_status = CRYPTO_OK;
    return;

fail:
    EVP_MAC_free(hmac_alg);
    EVP_MD_free(sha256_alg);
    EVP_CIPHER_free(gcm_alg);
    hmac_alg = NULL;
    sha256_alg = NULL;
    gcm_alg = NULL;
}

int crypto_init(void)
{
    if (!CRYPTO_THREAD_run_once(&init_once, init_once_fn))
        return CRYPTO_EFAIL;
    return init_status;
}

const char *crypto_backend_name(void)
{
    crypto_init();
    return backend_name;
}

int crypto_random(void *buf, size_t n)
{
    unsigned char *p = buf;

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    while (n > 0) {
        size_t step = n < CHUNK_MAX ? n : CHUNK_MAX;
        if (RAND_bytes(p, (int)step) != 1)
            return CRYPTO_EFAIL;
        p += step;
        n -= step;
    }
    return CRYPTO_OK;
}

int crypto_sha256(const crypto_part *parts, size_t nparts, uint8_t out[CRYPTO_SHA256_SIZE])
{
    EVP_MD_CTX *ctx = NULL;
    unsigned int out_len = 0;
    size_t i;
    int rc = CRYPTO_EFAIL;

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, sha256_alg, NULL))
        goto fail;
    for (i = 0; i < nparts; i++) {
        if (parts[i].n > 0 && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].n))
            goto fail;
    }
    if (!EVP_DigestFinal_ex(ctx, out, &out_len) || out_len != CRYPTO_SHA256_SIZE)
        goto fail;
    rc = CRYPTO_OK;

fail:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int crypto_hmac_sha256(const void *key, size_t key_len, const crypto_part *parts, size_t nparts,
                       uint8_t out[CRYPTO_SHA256_SIZE])
{
    /* EVP_MAC_init treats a NULL key as "keep the previous key", which a new context lacks;
     * any non-NULL pointer with length 0 is the empty key. */
    static const unsigned char empty_key[1] = {0};
    static char digest_name[] = "SHA256";
    OSSL_PARAM params[2];
    EVP_MAC_CTX *ctx = NULL;
    size_t out_len = 0;
    size_t i;
    int rc = CRYPTO_EFAIL;

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    ctx = EVP_MAC_CTX_new(hmac_alg);
    if (!ctx)
        goto fail;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, params))
        goto fail;
    for (i = 0; i < nparts; i++) {
        if (parts[i].n > 0 && !EVP_MAC_update(ctx, parts[i].p, parts[i].n))
            goto fail;
    }
    if (!EVP_MAC_final(ctx, out, &out_len, CRYPTO_SHA256_SIZE) || out_len != CRYPTO_SHA256_SIZE)
        goto fail;
    rc = CRYPTO_OK;

fail:
    EVP_MAC_CTX_free(ctx);
    return rc;
}

int crypto_pbkdf2_sha256(const void *password, size_t password_len, const void *salt,
                         size_t salt_len, uint32_t iterations, void *out, size_t out_len)
{
    static const char empty[1] = {0};

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    /* Zero iterations is not PBKDF2; the int-sized OpenSSL parameters bound the rest. */
    if (iterations == 0 || iterations > INT_MAX || password_len > INT_MAX || salt_len > INT_MAX ||
        out_len > INT_MAX)
        return CRYPTO_EFAIL;
    if (out_len == 0)
        return CRYPTO_OK;
    if (PKCS5_PBKDF2_HMAC(password_len ? password : empty, (int)password_len,
                          salt_len ? salt : (const void *)empty, (int)salt_len, (int)iterations,
                          sha256_alg, (int)out_len, out) != 1)
        return CRYPTO_EFAIL;
    return CRYPTO_OK;
}

crypto_gcm *crypto_gcm_new(const uint8_t key[CRYPTO_GCM_KEY_SIZE])
{
    crypto_gcm *k = NULL;

    if (crypto_init() != CRYPTO_OK)
        return NULL;
    k = OPENSSL_zalloc(sizeof *k);
    if (!k)
        goto fail;
    k->ctx = EVP_CIPHER_CTX_new();
    if (!k->ctx)
        goto fail;
    /* The key schedule is computed here, once; seal/open pass only a nonce. GCM's default IV
     * length is already the 96 bits we use. */
    if (EVP_EncryptInit_ex2(k->ctx, gcm_alg, key, NULL, NULL) != 1)
        goto fail;
    return k;

fail:
    crypto_gcm_free(k);
    return NULL;
}

void crypto_gcm_free(crypto_gcm *k)
{
    if (!k)
        return;
    /* Frees and clears the provider context, expanded key included. */
    EVP_CIPHER_CTX_free(k->ctx);
    OPENSSL_free(k);
}

/* Feeds aad (no output) or transforms buf in place, in int-sized steps. */
static int gcm_update(EVP_CIPHER_CTX *ctx, int enc, uint8_t *out, const uint8_t *in, size_t n)
{
    while (n > 0) {
        size_t step = n < CHUNK_MAX ? n : CHUNK_MAX;
        int out_len = 0;
        int ok = enc ? EVP_EncryptUpdate(ctx, out, &out_len, in, (int)step)
                     : EVP_DecryptUpdate(ctx, out, &out_len, in, (int)step);
        /* GCM is a stream mode: everything given comes straight back out. */
        if (ok != 1 || (out && (size_t)out_len != step))
            return 0;
        in += step;
        if (out)
            out += step;
        n -= step;
    }
    return 1;
}

int crypto_gcm_seal(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    uint8_t final_block[16];
    int final_len = 0;

    if (!k)
        return CRYPTO_EFAIL;
    /* NULL cipher and key: keep the schedule, start a new message under this nonce. */
    if (EVP_EncryptInit_ex2(k->ctx, NULL, NULL, nonce, NULL) != 1)
        return CRYPTO_EFAIL;
    if (!gcm_update(k->ctx, 1, NULL, aad, aad_len))
        return CRYPTO_EFAIL;
    if (!gcm_update(k->ctx, 1, buf, buf, len))
        return CRYPTO_EFAIL;
    if (EVP_EncryptFinal_ex(k->ctx, final_block, &final_len) != 1 || final_len != 0)
        return CRYPTO_EFAIL;
    if (EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_GET_TAG, CRYPTO_GCM_TAG_SIZE, tag) != 1)
        return CRYPTO_EFAIL;
    return CRYPTO_OK;
}

int crypto_gcm_open(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, const uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    uint8_t expected[CRYPTO_GCM_TAG_SIZE];
    uint8_t final_block[16];
    int final_len = 0;

    if (!k)
        return CRYPTO_EFAIL;
    /* Switching the direction with a NULL key keeps the schedule: GCM only ever runs AES
     * forwards, for both sealing and opening. */
    if (EVP_DecryptInit_ex2(k->ctx, NULL, NULL, nonce, NULL) != 1)
        return CRYPTO_EFAIL;
    /* The ctrl takes a non-const pointer; give it a copy rather than cast const away. */
    memcpy(expected, tag, sizeof expected);
    if (EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_TAG, CRYPTO_GCM_TAG_SIZE, expected) != 1)
        return CRYPTO_EFAIL;
    if (!gcm_update(k->ctx, 0, NULL, aad, aad_len))
        return CRYPTO_EFAIL;
    if (!gcm_update(k->ctx, 0, buf, buf, len))
        return CRYPTO_EFAIL;
    if (EVP_DecryptFinal_ex(k->ctx, final_block, &final_len) != 1) {
        /* Never leave unauthenticated plaintext where a careless caller could use it. */
        crypto_wipe(buf, len);
        return CRYPTO_EAUTH;
    }
    return CRYPTO_OK;
}

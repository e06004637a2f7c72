/* crypto_openssl.c — the crypto.h backend for Linux builds: OpenSSL 3 libcrypto (EVP_MAC HMAC,
 * EVP_Digest SHA-256, PKCS5_PBKDF2_HMAC, AES-256-GCM from the provider behind EVP_CIPHER_fetch,
 * RAND_bytes). */
#include "crypto.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/provider.h>
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
/* An HMAC context with SHA-256 set and no key: each HMAC starts from a copy of it, since
 * naming the digest on every call fetches it by name again. Only copied after init. */
static EVP_MAC_CTX *hmac_template;
static EVP_MD *sha256_alg;
static EVP_CIPHER *gcm_alg;
static char backend_name[64] = "OpenSSL";

/* AES-256-GCM is driven through the functions of the provider that EVP_CIPHER_fetch chose,
 * called directly: EVP's per-call layer (EVP_EncryptInit_ex2 asks the provider for the IV
 * length through OSSL_PARAM lookups on every frame, and each ctrl goes through them again)
 * cost about two thirds of the instructions of sealing a 100-byte frame. The provider is
 * the same code EVP would reach, AES-NI and all; only the wrapper is skipped. */
static struct {
    void *provctx;
    OSSL_FUNC_cipher_newctx_fn *newctx;
    OSSL_FUNC_cipher_freectx_fn *freectx;
    OSSL_FUNC_cipher_encrypt_init_fn *einit;
    OSSL_FUNC_cipher_decrypt_init_fn *dinit;
    OSSL_FUNC_cipher_update_fn *update;
    OSSL_FUNC_cipher_final_fn *final;
    OSSL_FUNC_cipher_get_ctx_params_fn *get_params;
    OSSL_FUNC_cipher_set_ctx_params_fn *set_params;
} gcm_impl;

struct crypto_gcm {
    /* The provider's context: holds the expanded key; each seal/open re-inits it with only a
     * new nonce, so a key costs one context (about a kilobyte) however many frames it
     * protects. NULL while the key rests (crypto_gcm_rest): built again from `key` on use. */
    void *ctx;
    uint8_t key[CRYPTO_GCM_KEY_SIZE];
};

/* 1 if `name` is one of the colon-separated names in `names` (names are case-insensitive). */
static int names_include(const char *names, const char *name)
{
    size_t n = strlen(name);
    const char *p = names;

    while (p && *p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && OPENSSL_strncasecmp(p, name, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Fills gcm_impl from the dispatch table of the provider behind gcm_alg. */
static int gcm_impl_load(void)
{
    const OSSL_PROVIDER *prov = EVP_CIPHER_get0_provider(gcm_alg);
    const OSSL_ALGORITHM *algs, *alg;
    const OSSL_DISPATCH *d = NULL;
    int no_cache = 0;

    if (!prov)
        return 0;
    gcm_impl.provctx = OSSL_PROVIDER_get0_provider_ctx(prov);
    algs = OSSL_PROVIDER_query_operation(prov, OSSL_OP_CIPHER, &no_cache);
    for (alg = algs; alg && alg->algorithm_names; alg++) {
        if (names_include(alg->algorithm_names, EVP_CIPHER_get0_name(gcm_alg))) {
            d = alg->implementation;
            break;
        }
    }
    for (; d && d->function_id != 0; d++) {
        switch (d->function_id) {
        case OSSL_FUNC_CIPHER_NEWCTX:
            gcm_impl.newctx = OSSL_FUNC_cipher_newctx(d);
            break;
        case OSSL_FUNC_CIPHER_FREECTX:
            gcm_impl.freectx = OSSL_FUNC_cipher_freectx(d);
            break;
        case OSSL_FUNC_CIPHER_ENCRYPT_INIT:
            gcm_impl.einit = OSSL_FUNC_cipher_encrypt_init(d);
            break;
        case OSSL_FUNC_CIPHER_DECRYPT_INIT:
            gcm_impl.dinit = OSSL_FUNC_cipher_decrypt_init(d);
            break;
        case OSSL_FUNC_CIPHER_UPDATE:
            gcm_impl.update = OSSL_FUNC_cipher_update(d);
            break;
        case OSSL_FUNC_CIPHER_FINAL:
            gcm_impl.final = OSSL_FUNC_cipher_final(d);
            break;
        case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
            gcm_impl.get_params = OSSL_FUNC_cipher_get_ctx_params(d);
            break;
        case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
            gcm_impl.set_params = OSSL_FUNC_cipher_set_ctx_params(d);
            break;
        default:
            break;
        }
    }
    /* The functions stay valid while the provider is loaded, which gcm_alg ensures. */
    OSSL_PROVIDER_unquery_operation(prov, OSSL_OP_CIPHER, algs);
    return gcm_impl.newctx && gcm_impl.freectx && gcm_impl.einit && gcm_impl.dinit &&
           gcm_impl.update && gcm_impl.final && gcm_impl.get_params && gcm_impl.set_params;
}

/* hmac_template from hmac_alg; 1 on success. */
static int hmac_template_make(void)
{
    static char digest_name[] = "SHA256";
    OSSL_PARAM params[2];

    hmac_template = EVP_MAC_CTX_new(hmac_alg);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    return hmac_template && EVP_MAC_CTX_set_params(hmac_template, params);
}

static void init_once_fn(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
    gcm_alg = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    if (!hmac_alg || !sha256_alg || !gcm_alg || !hmac_template_make() || !gcm_impl_load())
        goto fail;
    snprintf(backend_name, sizeof backend_name, "OpenSSL %s",
             OpenSSL_version(OPENSSL_VERSION_STRING));
    init_status = CRYPTO_OK;
    return;

fail:
    EVP_MAC_CTX_free(hmac_template);
    EVP_MAC_free(hmac_alg);
    EVP_MD_free(sha256_alg);
    EVP_CIPHER_free(gcm_alg);
    memset(&gcm_impl, 0, sizeof gcm_impl);
    hmac_template = NULL;
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
    EVP_MAC_CTX *ctx = NULL;
    size_t out_len = 0;
    size_t i;
    int rc = CRYPTO_EFAIL;

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    ctx = EVP_MAC_CTX_dup(hmac_template);
    if (!ctx)
        goto fail;
    if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, NULL))
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

/* Builds k's provider context from its key: the key schedule and GHASH table are computed
 * here, once per build; seal/open then pass only a nonce. GCM's default IV length is already
 * the 96 bits we use. */
static int gcm_build(crypto_gcm *k)
{
    k->ctx = gcm_impl.newctx(gcm_impl.provctx);
    if (!k->ctx)
        return 0;
    if (gcm_impl.einit(k->ctx, k->key, CRYPTO_GCM_KEY_SIZE, NULL, 0, NULL) != 1) {
        crypto_gcm_rest(k);
        return 0;
    }
    return 1;
}

crypto_gcm *crypto_gcm_new(const uint8_t key[CRYPTO_GCM_KEY_SIZE])
{
    crypto_gcm *k = NULL;

    if (crypto_init() != CRYPTO_OK)
        return NULL;
    k = OPENSSL_zalloc(sizeof *k);
    if (!k)
        return NULL;
    memcpy(k->key, key, sizeof k->key);
    if (!gcm_build(k)) {
        crypto_gcm_free(k);
        return NULL;
    }
    return k;
}

void crypto_gcm_rest(crypto_gcm *k)
{
    /* The provider clears its context, expanded key included, as it frees it. */
    if (k && k->ctx)
        gcm_impl.freectx(k->ctx);
    if (k)
        k->ctx = NULL;
}

void crypto_gcm_free(crypto_gcm *k)
{
    if (!k)
        return;
    crypto_gcm_rest(k);
    OPENSSL_clear_free(k, sizeof *k);
}

/* Feeds aad (out NULL) or transforms buf in place. The provider takes size_t lengths, and
 * wants the output room stated even for AAD, which produces none. */
static int gcm_update(void *ctx, uint8_t *out, const uint8_t *in, size_t n)
{
    size_t out_len = 0;

    if (n == 0)
        return 1;
    if (gcm_impl.update(ctx, out, &out_len, n, in, n) != 1)
        return 0;
    /* GCM is a stream mode: everything given comes straight back out. */
    return !out || out_len == n;
}

int crypto_gcm_seal(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    uint8_t final_block[16];
    size_t final_len = 0;
    OSSL_PARAM params[2];

    if (!k || (!k->ctx && !gcm_build(k)))
        return CRYPTO_EFAIL;
    /* No key: keep the schedule, start a new message under this nonce. */
    if (gcm_impl.einit(k->ctx, NULL, 0, nonce, CRYPTO_GCM_NONCE_SIZE, NULL) != 1)
        return CRYPTO_EFAIL;
    if (!gcm_update(k->ctx, NULL, aad, aad_len) || !gcm_update(k->ctx, buf, buf, len))
        return CRYPTO_EFAIL;
    if (gcm_impl.final(k->ctx, final_block, &final_len, sizeof final_block) != 1 ||
        final_len != 0)
        return CRYPTO_EFAIL;
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag,
                                                  CRYPTO_GCM_TAG_SIZE);
    params[1] = OSSL_PARAM_construct_end();
    if (gcm_impl.get_params(k->ctx, params) != 1)
        return CRYPTO_EFAIL;
    return CRYPTO_OK;
}

int crypto_gcm_open(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, const uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    uint8_t expected[CRYPTO_GCM_TAG_SIZE];
    uint8_t final_block[16];
    size_t final_len = 0;
    OSSL_PARAM params[2];

    if (!k || (!k->ctx && !gcm_build(k)))
        return CRYPTO_EFAIL;
    /* Switching the direction without a key keeps the schedule: GCM only ever runs AES
     * forwards, for both sealing and opening. */
    if (gcm_impl.dinit(k->ctx, NULL, 0, nonce, CRYPTO_GCM_NONCE_SIZE, NULL) != 1)
        return CRYPTO_EFAIL;
    /* The parameter takes a non-const pointer; give it a copy rather than cast const away. */
    memcpy(expected, tag, sizeof expected);
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, expected,
                                                  sizeof expected);
    params[1] = OSSL_PARAM_construct_end();
    if (gcm_impl.set_params(k->ctx, params) != 1)
        return CRYPTO_EFAIL;
    if (!gcm_update(k->ctx, NULL, aad, aad_len) || !gcm_update(k->ctx, buf, buf, len))
        return CRYPTO_EFAIL;
    if (gcm_impl.final(k->ctx, final_block, &final_len, sizeof final_block) != 1) {
        /* Never leave unauthenticated plaintext where a careless caller could use it. */
        crypto_wipe(buf, len);
        return CRYPTO_EAUTH;
    }
    return CRYPTO_OK;
}

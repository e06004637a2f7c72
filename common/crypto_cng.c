/* crypto_cng.c — the crypto.h backend for Windows: CNG (bcrypt.dll) for the RNG, SHA-256,
 * HMAC-SHA256, PBKDF2 and AES-256-GCM. The one file of the portable tree that includes <windows.h>. */
#include "crypto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <bcrypt.h>

/* Not every SDK's headers expose these without <ntstatus.h>/<winternl.h>, which clash with
 * <windows.h>; the values are fixed by the NTSTATUS ABI. */
#define CNG_STATUS_AUTH_TAG_MISMATCH ((NTSTATUS)0xC000A002L)

/* CNG declares its input buffers as non-const PUCHAR though it only reads them; the casts
 * below that drop const are for that, and nothing here writes through them. */

/* Largest length in one call: CNG lengths are 32-bit ULONGs. */
#define CNG_CHUNK_MAX ((size_t)1 << 30)

/* Providers are costly to open and safe to share between threads, so they are opened once
 * (crypto_init) and kept for the life of the process. Hash and key objects are per use. */
static INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
static int init_status = CRYPTO_EFAIL;
static BCRYPT_ALG_HANDLE hmac_alg; /* SHA-256 with BCRYPT_ALG_HANDLE_HMAC_FLAG: HMAC and PBKDF2 */
static BCRYPT_ALG_HANDLE sha256_alg; /* plain SHA-256 */
static BCRYPT_ALG_HANDLE aes_alg;  /* AES with the chaining mode set to GCM */

struct crypto_gcm {
    /* The key object holds the expanded key; CNG allocates and wipes it. No chaining flag is
     * ever used, so each seal/open is a whole message and the handle stays reusable. NULL
     * while the key rests (crypto_gcm_rest): made again from `secret` on use. */
    BCRYPT_KEY_HANDLE key;
    UCHAR secret[CRYPTO_GCM_KEY_SIZE];
};

static int cng_ok(NTSTATUS s)
{
    return s >= 0;
}

static BOOL CALLBACK init_once_fn(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once;
    (void)param;
    (void)context;
    if (!cng_ok(BCryptOpenAlgorithmProvider(&hmac_alg, BCRYPT_SHA256_ALGORITHM, NULL,
                                            BCRYPT_ALG_HANDLE_HMAC_FLAG)))
        goto fail;
    if (!cng_ok(BCryptOpenAlgorithmProvider(&sha256_alg, BCRYPT_SHA256_ALGORITHM, NULL, 0)))
        goto fail;
    if (!cng_ok(BCryptOpenAlgorithmProvider(&aes_alg, BCRYPT_AES_ALGORITHM, NULL, 0)))
        goto fail;
    if (!cng_ok(BCryptSetProperty(aes_alg, BCRYPT_CHAINING_MODE, (PUCHAR)BCRYPT_CHAIN_MODE_GCM,
                                  (ULONG)sizeof(BCRYPT_CHAIN_MODE_GCM), 0)))
        goto fail;
    init_status = CRYPTO_OK;
    /* Always report success: a failed init is remembered in init_status, not retried. */
    return TRUE;

fail:
    if (aes_alg)
        BCryptCloseAlgorithmProvider(aes_alg, 0);
    if (sha256_alg)
        BCryptCloseAlgorithmProvider(sha256_alg, 0);
    if (hmac_alg)
        BCryptCloseAlgorithmProvider(hmac_alg, 0);
    aes_alg = NULL;
    sha256_alg = NULL;
    hmac_alg = NULL;
    return TRUE;
}

int crypto_init(void)
{
    if (!InitOnceExecuteOnce(&init_once, init_once_fn, NULL, NULL))
        return CRYPTO_EFAIL;
    return init_status;
}

const char *crypto_backend_name(void)
{
    return "Windows CNG";
}

int crypto_random(void *buf, size_t n)
{
    unsigned char *p = buf;

    /* The system-preferred RNG needs no provider handle, but keep the contract uniform. */
    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    while (n > 0) {
        size_t step = n < CNG_CHUNK_MAX ? n : CNG_CHUNK_MAX;
        if (!cng_ok(BCryptGenRandom(NULL, p, (ULONG)step, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return CRYPTO_EFAIL;
        p += step;
        n -= step;
    }
    return CRYPTO_OK;
}

/* HMAC pads a short key with zeros to the block size, so the empty key and a single zero byte
 * are the same key; the latter spares providers that reject a zero-length secret. */
static const UCHAR zero_key[1] = {0};

/* One hash over the parts with provider alg; secret is the HMAC key, or NULL for a plain hash. */
static int cng_hash(BCRYPT_ALG_HANDLE alg, PUCHAR secret, ULONG secret_len,
                    const crypto_part *parts, size_t nparts, uint8_t out[CRYPTO_SHA256_SIZE])
{
    BCRYPT_HASH_HANDLE h = NULL;
    size_t i;
    int rc = CRYPTO_EFAIL;

    /* A NULL object buffer lets CNG allocate (and free) the hash state itself. */
    if (!cng_ok(BCryptCreateHash(alg, &h, NULL, 0, secret, secret_len, 0)))
        goto fail;
    for (i = 0; i < nparts; i++) {
        const unsigned char *p = parts[i].p;
        size_t n = parts[i].n;
        while (n > 0) {
            size_t step = n < CNG_CHUNK_MAX ? n : CNG_CHUNK_MAX;
            if (!cng_ok(BCryptHashData(h, (PUCHAR)p, (ULONG)step, 0)))
                goto fail;
            p += step;
            n -= step;
        }
    }
    if (!cng_ok(BCryptFinishHash(h, out, CRYPTO_SHA256_SIZE, 0)))
        goto fail;
    rc = CRYPTO_OK;

fail:
    if (h)
        BCryptDestroyHash(h);
    return rc;
}

int crypto_sha256(const crypto_part *parts, size_t nparts, uint8_t out[CRYPTO_SHA256_SIZE])
{
    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    return cng_hash(sha256_alg, NULL, 0, parts, nparts, out);
}

int crypto_hmac_sha256(const void *key, size_t key_len, const crypto_part *parts, size_t nparts,
                       uint8_t out[CRYPTO_SHA256_SIZE])
{
    PUCHAR secret = (PUCHAR)key;
    ULONG secret_len = (ULONG)key_len;

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    if (key_len > ULONG_MAX)
        return CRYPTO_EFAIL;
    if (key_len == 0) {
        secret = (PUCHAR)zero_key;
        secret_len = sizeof zero_key;
    }
    return cng_hash(hmac_alg, secret, secret_len, parts, nparts, out);
}

int crypto_pbkdf2_sha256(const void *password, size_t password_len, const void *salt,
                         size_t salt_len, uint32_t iterations, void *out, size_t out_len)
{
    PUCHAR pass = (PUCHAR)password;
    ULONG pass_len = (ULONG)password_len;
    UCHAR no_salt[1] = {0};

    if (crypto_init() != CRYPTO_OK)
        return CRYPTO_EFAIL;
    if (iterations == 0 || password_len > ULONG_MAX || salt_len > ULONG_MAX || out_len > ULONG_MAX)
        return CRYPTO_EFAIL;
    if (out_len == 0)
        return CRYPTO_OK;
    /* The password is the HMAC key: the same zero-padding argument as in crypto_hmac_sha256. */
    if (password_len == 0) {
        pass = (PUCHAR)zero_key;
        pass_len = sizeof zero_key;
    }
    if (!cng_ok(BCryptDeriveKeyPBKDF2(hmac_alg, pass, pass_len,
                                      salt_len ? (PUCHAR)salt : no_salt, (ULONG)salt_len,
                                      iterations, out, (ULONG)out_len, 0)))
        return CRYPTO_EFAIL;
    return CRYPTO_OK;
}

/* Makes k's key object from its secret. A NULL object buffer: CNG allocates the key object
 * and wipes it on destroy. */
static int gcm_build(crypto_gcm *k)
{
    if (!cng_ok(BCryptGenerateSymmetricKey(aes_alg, &k->key, NULL, 0, k->secret,
                                           CRYPTO_GCM_KEY_SIZE, 0))) {
        k->key = NULL;
        return 0;
    }
    return 1;
}

crypto_gcm *crypto_gcm_new(const uint8_t key[CRYPTO_GCM_KEY_SIZE])
{
    crypto_gcm *k = NULL;

    if (crypto_init() != CRYPTO_OK)
        return NULL;
    k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    memcpy(k->secret, key, sizeof k->secret);
    if (!gcm_build(k)) {
        crypto_gcm_free(k);
        return NULL;
    }
    return k;
}

void crypto_gcm_rest(crypto_gcm *k)
{
    if (k && k->key)
        BCryptDestroyKey(k->key);
    if (k)
        k->key = NULL;
}

void crypto_gcm_free(crypto_gcm *k)
{
    if (!k)
        return;
    crypto_gcm_rest(k);
    crypto_wipe(k->secret, sizeof k->secret);
    free(k);
}

/* Fills the per-message parameters: nonce, associated data and where the tag is. */
static int gcm_mode_info(BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO *info,
                         const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                         size_t aad_len, uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    if (aad_len > ULONG_MAX)
        return 0;
    BCRYPT_INIT_AUTH_MODE_INFO(*info);
    info->pbNonce = (PUCHAR)nonce;
    info->cbNonce = CRYPTO_GCM_NONCE_SIZE;
    info->pbAuthData = aad_len ? (PUCHAR)aad : NULL;
    info->cbAuthData = (ULONG)aad_len;
    info->pbTag = tag;
    info->cbTag = CRYPTO_GCM_TAG_SIZE;
    return 1;
}

int crypto_gcm_seal(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info;
    UCHAR empty[1] = {0};
    PUCHAR data = len ? buf : empty;
    ULONG done = 0;

    if (!k || len > ULONG_MAX || !gcm_mode_info(&info, nonce, aad, aad_len, tag) ||
        (!k->key && !gcm_build(k)))
        return CRYPTO_EFAIL;
    /* In place: CNG allows the same buffer as input and output for GCM. No IV argument: the
     * nonce travels in the mode info. */
    if (!cng_ok(BCryptEncrypt(k->key, data, (ULONG)len, &info, NULL, 0, data, (ULONG)len, &done,
                              0)))
        return CRYPTO_EFAIL;
    return done == len ? CRYPTO_OK : CRYPTO_EFAIL;
}

int crypto_gcm_open(crypto_gcm *k, const uint8_t nonce[CRYPTO_GCM_NONCE_SIZE], const void *aad,
                    size_t aad_len, uint8_t *buf, size_t len, const uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
    BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info;
    uint8_t expected[CRYPTO_GCM_TAG_SIZE];
    UCHAR empty[1] = {0};
    PUCHAR data = len ? buf : empty;
    ULONG done = 0;
    NTSTATUS s;

    /* The mode info wants a writable tag pointer; give it a copy rather than cast const away. */
    memcpy(expected, tag, sizeof expected);
    if (!k || len > ULONG_MAX || !gcm_mode_info(&info, nonce, aad, aad_len, expected) ||
        (!k->key && !gcm_build(k)))
        return CRYPTO_EFAIL;
    s = BCryptDecrypt(k->key, data, (ULONG)len, &info, NULL, 0, data, (ULONG)len, &done, 0);
    if (s == CNG_STATUS_AUTH_TAG_MISMATCH) {
        /* Never leave unauthenticated plaintext where a careless caller could use it. */
        crypto_wipe(buf, len);
        return CRYPTO_EAUTH;
    }
    if (!cng_ok(s) || done != len)
        return CRYPTO_EFAIL;
    return CRYPTO_OK;
}

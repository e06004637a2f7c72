/* crypto_ecdh_cng.c — ECDH P-256 of crypto.h on Windows CNG (BCRYPT_ECDH_P256_ALGORITHM,
 * BCryptSecretAgreement, BCryptDeriveKey with BCRYPT_KDF_RAW_SECRET). */
#include "crypto.h"

#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <bcrypt.h>

#define COORD 32 /* bytes in one P-256 coordinate or scalar */

struct crypto_ecdh {
    BCRYPT_KEY_HANDLE key;
};

static INIT_ONCE alg_once = INIT_ONCE_STATIC_INIT;
static BCRYPT_ALG_HANDLE ecdh_alg; /* opened once, kept for the life of the process */
static INIT_ONCE probe_once = INIT_ONCE_STATIC_INIT;
static int probe_result;

static int cng_ok(NTSTATUS s)
{
    return s >= 0;
}

static BOOL CALLBACK alg_once_fn(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once;
    (void)param;
    (void)context;
    if (!cng_ok(BCryptOpenAlgorithmProvider(&ecdh_alg, BCRYPT_ECDH_P256_ALGORITHM, NULL, 0)))
        ecdh_alg = NULL;
    return TRUE;
}

static BCRYPT_ALG_HANDLE alg(void)
{
    if (crypto_init() != CRYPTO_OK || !InitOnceExecuteOnce(&alg_once, alg_once_fn, NULL, NULL))
        return NULL;
    return ecdh_alg;
}

/* Wine 8 generates keys and agrees secrets, then fails in BCryptDeriveKey with
 * STATUS_INTERNAL_ERROR; so the probe runs a whole exchange between two fresh keys and checks
 * both sides get the same, non-zero secret. */
static BOOL CALLBACK probe_once_fn(PINIT_ONCE once, PVOID param, PVOID *context)
{
    uint8_t pa[CRYPTO_P256_PUBLIC_SIZE], pb[CRYPTO_P256_PUBLIC_SIZE];
    uint8_t sa[CRYPTO_P256_SECRET_SIZE], sb[CRYPTO_P256_SECRET_SIZE];
    static const uint8_t zero[CRYPTO_P256_SECRET_SIZE] = {0};
    crypto_ecdh *a = crypto_ecdh_new(pa);
    crypto_ecdh *b = crypto_ecdh_new(pb);

    (void)once;
    (void)param;
    (void)context;
    probe_result = a && b && crypto_ecdh_derive(a, pb, sa) == CRYPTO_OK &&
                   crypto_ecdh_derive(b, pa, sb) == CRYPTO_OK && memcmp(sa, sb, sizeof sa) == 0 &&
                   memcmp(sa, zero, sizeof sa) != 0;
    crypto_ecdh_free(a);
    crypto_ecdh_free(b);
    crypto_wipe(sa, sizeof sa);
    crypto_wipe(sb, sizeof sb);
    return TRUE;
}

int crypto_ecdh_available(void)
{
    if (!InitOnceExecuteOnce(&probe_once, probe_once_fn, NULL, NULL))
        return 0;
    return probe_result;
}

/* A CNG key blob: BCRYPT_ECCKEY_BLOB, X, Y (big-endian), and for a private blob d. */
static BCRYPT_KEY_HANDLE import_blob(const uint8_t pub[CRYPTO_P256_PUBLIC_SIZE],
                                     const uint8_t *priv)
{
    UCHAR blob[sizeof(BCRYPT_ECCKEY_BLOB) + 3 * COORD];
    BCRYPT_ECCKEY_BLOB head;
    BCRYPT_KEY_HANDLE key = NULL;
    BCRYPT_ALG_HANDLE a = alg();
    ULONG len = (ULONG)(sizeof head + 2 * COORD);

    if (!a || pub[0] != 0x04)
        return NULL; /* only the uncompressed form travels */
    head.dwMagic = priv ? BCRYPT_ECDH_PRIVATE_P256_MAGIC : BCRYPT_ECDH_PUBLIC_P256_MAGIC;
    head.cbKey = COORD;
    memcpy(blob, &head, sizeof head);
    memcpy(blob + sizeof head, pub + 1, 2 * COORD);
    if (priv) {
        memcpy(blob + sizeof head + 2 * COORD, priv, COORD);
        len += COORD;
    }
    /* CNG checks that the point lies on the curve (and, with d, that it matches d). */
    if (!cng_ok(BCryptImportKeyPair(a, NULL, priv ? BCRYPT_ECCPRIVATE_BLOB : BCRYPT_ECCPUBLIC_BLOB,
                                    &key, blob, len, 0)))
        key = NULL;
    crypto_wipe(blob, sizeof blob);
    return key;
}

crypto_ecdh *crypto_ecdh_new(uint8_t pub[CRYPTO_P256_PUBLIC_SIZE])
{
    UCHAR blob[sizeof(BCRYPT_ECCKEY_BLOB) + 2 * COORD];
    BCRYPT_ECCKEY_BLOB head;
    BCRYPT_ALG_HANDLE a = alg();
    crypto_ecdh *k = NULL;
    ULONG n = 0;

    if (!a)
        return NULL;
    k = calloc(1, sizeof *k);
    if (!k)
        goto fail;
    if (!cng_ok(BCryptGenerateKeyPair(a, &k->key, 256, 0)) ||
        !cng_ok(BCryptFinalizeKeyPair(k->key, 0)))
        goto fail;
    if (!cng_ok(BCryptExportKey(k->key, NULL, BCRYPT_ECCPUBLIC_BLOB, blob, (ULONG)sizeof blob, &n,
                                0)) ||
        n != sizeof blob)
        goto fail;
    memcpy(&head, blob, sizeof head);
    if (head.cbKey != COORD)
        goto fail;
    pub[0] = 0x04;
    memcpy(pub + 1, blob + sizeof head, 2 * COORD);
    return k;

fail:
    crypto_ecdh_free(k);
    return NULL;
}

crypto_ecdh *crypto_ecdh_import(const uint8_t priv[CRYPTO_P256_PRIVATE_SIZE],
                                const uint8_t pub[CRYPTO_P256_PUBLIC_SIZE])
{
    crypto_ecdh *k = calloc(1, sizeof *k);

    if (!k)
        return NULL;
    k->key = import_blob(pub, priv);
    if (!k->key) {
        free(k);
        return NULL;
    }
    return k;
}

int crypto_ecdh_derive(crypto_ecdh *k, const uint8_t peer[CRYPTO_P256_PUBLIC_SIZE],
                       uint8_t secret[CRYPTO_P256_SECRET_SIZE])
{
    BCRYPT_KEY_HANDLE peer_key = NULL;
    BCRYPT_SECRET_HANDLE agreed = NULL;
    uint8_t raw[CRYPTO_P256_SECRET_SIZE];
    ULONG n = 0;
    size_t i;
    int rc = CRYPTO_EFAIL;

    if (!k)
        return CRYPTO_EFAIL;
    peer_key = import_blob(peer, NULL);
    if (!peer_key) {
        rc = CRYPTO_EINVAL;
        goto done;
    }
    if (!cng_ok(BCryptSecretAgreement(k->key, peer_key, &agreed, 0)))
        goto done;
    if (!cng_ok(BCryptDeriveKey(agreed, BCRYPT_KDF_RAW_SECRET, NULL, raw, (ULONG)sizeof raw, &n,
                                0)) ||
        n != sizeof raw)
        goto done;
    /* RAW_SECRET hands the X coordinate out little-endian; the contract is big-endian. */
    for (i = 0; i < sizeof raw; i++)
        secret[i] = raw[sizeof raw - 1 - i];
    rc = CRYPTO_OK;
done:
    crypto_wipe(raw, sizeof raw);
    if (agreed)
        BCryptDestroySecret(agreed);
    if (peer_key)
        BCryptDestroyKey(peer_key);
    return rc;
}

void crypto_ecdh_free(crypto_ecdh *k)
{
    if (!k)
        return;
    if (k->key)
        BCryptDestroyKey(k->key);
    free(k);
}

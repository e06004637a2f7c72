/* crypto_ecdh_openssl.c — ECDH P-256 of crypto.h on OpenSSL 3 (EVP_PKEY, EVP_PKEY_derive). */
#include "crypto.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

struct crypto_ecdh {
    EVP_PKEY *key;
};

static char group_name[] = "prime256v1";

/* P-256's domain parameters as a key without a point, made once. Every new key pair and every
 * peer's point is built on a copy of it: building the group from its name each time (what
 * EVP_PKEY_Q_keygen and a by-name import do) costs more than the key generation itself, and a
 * server pays it twice per login. Only read after it is made, as OpenSSL allows across threads. */
static EVP_PKEY *domain;
static CRYPTO_ONCE domain_once = CRYPTO_ONCE_STATIC_INIT;

static void domain_fn(void)
{
    OSSL_PARAM params[2];
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &domain, EVP_PKEY_KEY_PARAMETERS, params) != 1)
        domain = NULL;
    EVP_PKEY_CTX_free(ctx);
}

static const EVP_PKEY *p256(void)
{
    if (crypto_init() != CRYPTO_OK || !CRYPTO_THREAD_run_once(&domain_once, domain_fn))
        return NULL;
    return domain;
}

static CRYPTO_ONCE probe_once = CRYPTO_ONCE_STATIC_INIT;
static int probe_result;

static void probe_fn(void)
{
    uint8_t pub[CRYPTO_P256_PUBLIC_SIZE];
    crypto_ecdh *k = crypto_ecdh_new(pub);
    probe_result = k != NULL;
    crypto_ecdh_free(k);
}

int crypto_ecdh_available(void)
{
    /* OpenSSL 3 has P-256 unless built without EC; then key generation fails. */
    if (!CRYPTO_THREAD_run_once(&probe_once, probe_fn))
        return 0;
    return probe_result;
}

/* An EVP_PKEY from its parts (pub only: a public key; both: a key pair), for crypto_ecdh_import.
 * Building it through fromdata makes OpenSSL decode the point, which refuses one that is not on
 * the curve. Handshakes use p256() and peer_from instead: this builds the group each time. */
static EVP_PKEY *key_from(const uint8_t *priv, const uint8_t pub[CRYPTO_P256_PUBLIC_SIZE])
{
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *d = NULL;

    if (pub[0] != 0x04)
        return NULL; /* only the uncompressed form travels */
    bld = OSSL_PARAM_BLD_new();
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                          CRYPTO_P256_PUBLIC_SIZE))
        goto done;
    if (priv) {
        d = BN_secure_new();
        if (!d || !BN_bin2bn(priv, CRYPTO_P256_PRIVATE_SIZE, d) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
            goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    return key;
}

/* A peer's public key: the point decoded onto a copy of the domain parameters. Decoding refuses
 * a point that is not on the curve. */
static EVP_PKEY *peer_from(const uint8_t pub[CRYPTO_P256_PUBLIC_SIZE])
{
    const EVP_PKEY *d = p256();
    EVP_PKEY *key;

    if (!d || pub[0] != 0x04)
        return NULL; /* only the uncompressed form travels */
    key = EVP_PKEY_dup((EVP_PKEY *)d);
    if (key && EVP_PKEY_set1_encoded_public_key(key, pub, CRYPTO_P256_PUBLIC_SIZE) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    return key;
}

crypto_ecdh *crypto_ecdh_new(uint8_t pub[CRYPTO_P256_PUBLIC_SIZE])
{
    const EVP_PKEY *d = p256();
    EVP_PKEY_CTX *ctx = NULL;
    crypto_ecdh *k = NULL;
    size_t n = 0;

    if (!d)
        return NULL;
    k = OPENSSL_zalloc(sizeof *k);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)d, NULL);
    if (!k || !ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &k->key) != 1)
        goto fail;
    EVP_PKEY_CTX_free(ctx);
    ctx = NULL;
    /* Uncompressed is the default point format for a generated EC key. */
    if (EVP_PKEY_get_octet_string_param(k->key, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                        CRYPTO_P256_PUBLIC_SIZE, &n) != 1 ||
        n != CRYPTO_P256_PUBLIC_SIZE || pub[0] != 0x04)
        goto fail;
    return k;

fail:
    EVP_PKEY_CTX_free(ctx);
    crypto_ecdh_free(k);
    return NULL;
}

crypto_ecdh *crypto_ecdh_import(const uint8_t priv[CRYPTO_P256_PRIVATE_SIZE],
                                const uint8_t pub[CRYPTO_P256_PUBLIC_SIZE])
{
    crypto_ecdh *k = NULL;

    if (crypto_init() != CRYPTO_OK)
        return NULL;
    k = OPENSSL_zalloc(sizeof *k);
    if (!k)
        return NULL;
    k->key = key_from(priv, pub);
    if (!k->key) {
        crypto_ecdh_free(k);
        return NULL;
    }
    return k;
}

int crypto_ecdh_derive(crypto_ecdh *k, const uint8_t peer[CRYPTO_P256_PUBLIC_SIZE],
                       uint8_t secret[CRYPTO_P256_SECRET_SIZE])
{
    EVP_PKEY *peer_key = NULL;
    EVP_PKEY_CTX *ctx = NULL, *check = NULL;
    size_t n = CRYPTO_P256_SECRET_SIZE;
    int rc = CRYPTO_EFAIL;

    if (!k)
        return CRYPTO_EFAIL;
    peer_key = peer_from(peer);
    if (!peer_key) {
        rc = CRYPTO_EINVAL;
        goto done;
    }
    /* The peer's point must be on the curve and not the point at infinity. P-256's cofactor is
     * 1, so such a point has the group's prime order: the full check (EVP_PKEY_public_check,
     * what set_peer runs by default) adds only a multiplication by the order, which cannot
     * fail for it and costs as much as the ECDH itself (SP 800-56A's partial validation). */
    check = EVP_PKEY_CTX_new_from_pkey(NULL, peer_key, NULL);
    if (!check || EVP_PKEY_public_check_quick(check) != 1) {
        rc = check ? CRYPTO_EINVAL : CRYPTO_EFAIL;
        goto done;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->key, NULL);
    if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
        goto done;
    if (EVP_PKEY_derive_set_peer_ex(ctx, peer_key, 0) != 1) {
        rc = CRYPTO_EINVAL;
        goto done;
    }
    if (EVP_PKEY_derive(ctx, secret, &n) != 1 || n != CRYPTO_P256_SECRET_SIZE)
        goto done;
    rc = CRYPTO_OK;
done:
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer_key);
    return rc;
}

void crypto_ecdh_free(crypto_ecdh *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->key); /* clears the private scalar */
    OPENSSL_free(k);
}

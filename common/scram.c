/* scram.c — SCRAM-SHA-256 for both sides (RFC 5802 message syntax, RFC 7677 hash), over the
 * crypto.h primitives: PBKDF2, HMAC-SHA256 and SHA-256 from CNG or OpenSSL. */
#include "scram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "crypto.h"
#include "uni.h"
#include "utf8.h"

#define NONCE_RANDOM_BYTES 18 /* 24 base64 characters, 144 bits */
#define DECOY_SALT_LEN 16

enum { ST_START, ST_FIRST, ST_FINAL, ST_DONE };

/* ---- shared helpers ---- */

/* NFC of password[0..n) as UTF-8 in a new buffer the caller frees (and wipes). */
static int nfc_password(const char *password, size_t n, char **out, size_t *out_len)
{
    uint32_t *cps = NULL, *nfc = NULL;
    size_t count = 0, i = 0, len, at = 0, cap = n * 4 + 4;
    char *s = NULL;
    int rc = SCRAM_EPOLICY;

    if (n == 0 || n > SCRAM_PASSWORD_MAX || !utf8_valid_text(password, n, 0))
        return SCRAM_EPOLICY;
    cps = malloc(n * sizeof *cps);
    nfc = malloc(cap * sizeof *nfc);
    if (!cps || !nfc)
        goto fail;
    while (i < n) {
        size_t step = utf8_decode((const uint8_t *)password + i, n - i, &cps[count]);
        if (step == 0)
            goto fail;
        i += step;
        count++;
    }
    len = uni_nfc(cps, count, nfc, cap);
    if (len == UNI_OVERFLOW || !(s = malloc(len * 4 + 1)))
        goto fail;
    for (i = 0; i < len; i++)
        at += utf8_encode(nfc[i], (uint8_t *)s + at);
    *out = s;
    *out_len = at;
    s = NULL;
    rc = SCRAM_OK;

fail:
    if (cps)
        crypto_wipe(cps, n * sizeof *cps);
    if (nfc)
        crypto_wipe(nfc, cap * sizeof *nfc);
    free(cps);
    free(nfc);
    free(s);
    return rc;
}

static int hmac_str(const uint8_t *key, const char *msg, uint8_t out[SCRAM_KEY_SIZE])
{
    crypto_part part;
    part.p = msg;
    part.n = strlen(msg);
    return crypto_hmac_sha256(key, SCRAM_KEY_SIZE, &part, 1, out) == CRYPTO_OK ? 0 : -1;
}

/* HMAC(key, AuthMessage) with AuthMessage = first_bare "," server_first "," final_no_proof. */
static int hmac_auth(const uint8_t *key, const char *first_bare, const char *server_first,
                     const char *final_no_proof, size_t final_len, uint8_t out[SCRAM_KEY_SIZE])
{
    crypto_part parts[5];
    parts[0].p = first_bare;
    parts[0].n = strlen(first_bare);
    parts[1].p = ",";
    parts[1].n = 1;
    parts[2].p = server_first;
    parts[2].n = strlen(server_first);
    parts[3].p = ",";
    parts[3].n = 1;
    parts[4].p = final_no_proof;
    parts[4].n = final_len;
    return crypto_hmac_sha256(key, SCRAM_KEY_SIZE, parts, 5, out) == CRYPTO_OK ? 0 : -1;
}

/* SaltedPassword -> ClientKey, StoredKey and ServerKey (any output may be NULL). */
static int derive_keys(const uint8_t salted[SCRAM_KEY_SIZE], uint8_t client_key[SCRAM_KEY_SIZE],
                       uint8_t stored_key[SCRAM_KEY_SIZE], uint8_t server_key[SCRAM_KEY_SIZE])
{
    uint8_t ck[SCRAM_KEY_SIZE];
    crypto_part part;
    int rc = -1;

    if (hmac_str(salted, "Client Key", ck) != 0)
        goto fail;
    part.p = ck;
    part.n = sizeof ck;
    if (stored_key && crypto_sha256(&part, 1, stored_key) != CRYPTO_OK)
        goto fail;
    if (server_key && hmac_str(salted, "Server Key", server_key) != 0)
        goto fail;
    if (client_key)
        memcpy(client_key, ck, sizeof ck);
    rc = 0;

fail:
    crypto_wipe(ck, sizeof ck);
    return rc;
}

static int salted_password(const char *password, size_t n, const uint8_t *salt, size_t salt_len,
                           uint32_t iterations, uint8_t out[SCRAM_KEY_SIZE])
{
    char *norm = NULL;
    size_t norm_len = 0;
    int rc = nfc_password(password, n, &norm, &norm_len);
    if (rc != SCRAM_OK)
        return rc;
    if (crypto_pbkdf2_sha256(norm, norm_len, salt, salt_len, iterations, out, SCRAM_KEY_SIZE) !=
        CRYPTO_OK)
        rc = SCRAM_ECRYPTO;
    crypto_wipe(norm, norm_len);
    free(norm);
    return rc;
}

int scram_verifier_make(const char *password, size_t n, const uint8_t *salt, size_t salt_len,
                        uint32_t iterations, scram_verifier *out)
{
    uint8_t salted[SCRAM_KEY_SIZE];
    int rc;

    if (salt_len == 0 || salt_len > SCRAM_SALT_MAX || iterations < SCRAM_ITERATIONS_MIN ||
        iterations > SCRAM_ITERATIONS_MAX)
        return SCRAM_EPOLICY;
    memset(out, 0, sizeof *out);
    rc = salted_password(password, n, salt, salt_len, iterations, salted);
    if (rc == SCRAM_OK && derive_keys(salted, NULL, out->stored_key, out->server_key) != 0)
        rc = SCRAM_ECRYPTO;
    crypto_wipe(salted, sizeof salted);
    memcpy(out->salt, salt, salt_len);
    out->salt_len = salt_len;
    out->iterations = iterations;
    return rc;
}

int scram_verifier_decoy(const uint8_t key[SCRAM_KEY_SIZE], const char *user, size_t n,
                         uint32_t iterations, scram_verifier *out)
{
    static const char *const labels[3] = {"parley decoy salt", "parley decoy stored",
                                          "parley decoy server"};
    uint8_t *outs[3];
    uint8_t salt[SCRAM_KEY_SIZE];
    crypto_part parts[2];
    int i;

    memset(out, 0, sizeof *out);
    outs[0] = salt;
    outs[1] = out->stored_key;
    outs[2] = out->server_key;
    for (i = 0; i < 3; i++) {
        parts[0].p = labels[i];
        parts[0].n = strlen(labels[i]) + 1; /* with its NUL: labels and names cannot run together */
        parts[1].p = user;
        parts[1].n = n;
        if (crypto_hmac_sha256(key, SCRAM_KEY_SIZE, parts, 2, outs[i]) != CRYPTO_OK)
            return SCRAM_ECRYPTO;
    }
    memcpy(out->salt, salt, DECOY_SALT_LEN);
    out->salt_len = DECOY_SALT_LEN;
    out->iterations = iterations;
    out->decoy = 1;
    return SCRAM_OK;
}

/* Reads "name=value" attributes separated by ',' from a message. */
typedef struct attr_reader {
    const char *p, *end;
} attr_reader;

/* Reads the next attribute if it is called name; 0 with the value, or -1. */
static int attr_next(attr_reader *r, char name, const char **value, size_t *len)
{
    const char *s, *comma;
    if (r->end - r->p < 2 || r->p[0] != name || r->p[1] != '=')
        return -1;
    s = r->p + 2;
    comma = memchr(s, ',', (size_t)(r->end - s));
    *value = s;
    *len = (size_t)((comma ? comma : r->end) - s);
    if (comma && comma + 1 == r->end)
        return -1; /* a trailing comma announces an attribute that is not there */
    r->p = comma ? comma + 1 : r->end;
    return 0;
}

/* Skips one optional extension "x=value" (x a letter other than 'm', which marks a mandatory
 * extension this profile does not know); 0, or -1 if the next attribute is not one. */
static int skip_extension(attr_reader *r)
{
    const char *v;
    size_t vn;
    char name;
    if (r->end - r->p < 2)
        return -1;
    name = r->p[0];
    if (!((name >= 'a' && name <= 'z') || (name >= 'A' && name <= 'Z')) || name == 'm')
        return -1;
    return attr_next(r, name, &v, &vn);
}

/* printable ASCII except ',' (RFC 5802's "printable"), 1..SCRAM_NONCE_MAX characters */
static int nonce_valid(const char *s, size_t n, size_t max)
{
    size_t i;
    if (n == 0 || n > max)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7E || s[i] == ',')
            return 0;
    return 1;
}

static int fresh_nonce(char out[SCRAM_NONCE_MAX + 1])
{
    uint8_t r[NONCE_RANDOM_BYTES];
    if (crypto_random(r, sizeof r) != CRYPTO_OK)
        return -1;
    return base64_encode(r, sizeof r, out, SCRAM_NONCE_MAX + 1) < 0 ? -1 : 0;
}

static int binding_name_valid(const char *name)
{
    size_t i, n = strlen(name);
    if (n == 0 || n > 32)
        return 0;
    for (i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

/* base64(gs2 header || binding data) into out: the value of the c= attribute. */
static int cbind_value(const char *gs2, const uint8_t *data, size_t len, char *out, size_t cap)
{
    uint8_t raw[SCRAM_MSG_MAX + SCRAM_BINDING_MAX];
    size_t n = strlen(gs2);
    if (n + len > sizeof raw)
        return -1;
    memcpy(raw, gs2, n);
    if (len)
        memcpy(raw + n, data, len);
    return base64_encode(raw, n + len, out, cap) < 0 ? -1 : 0;
}

/* ---- client ---- */

int scram_client_first(scram_client *c, const char *user, size_t n, const scram_binding *b,
                       const char *nonce, char *out, size_t cap)
{
    char escaped[SCRAM_USER_MAX * 3 + 1];
    size_t i, at = 0;
    int len;

    memset(c, 0, sizeof *c);
    if (n == 0 || n > SCRAM_USER_MAX || !utf8_valid_text(user, n, 0))
        return SCRAM_EPOLICY;
    for (i = 0; i < n; i++) { /* saslname: ',' and '=' are escaped as =2C and =3D */
        if (user[i] == ',' || user[i] == '=') {
            memcpy(escaped + at, user[i] == ',' ? "=2C" : "=3D", 3);
            at += 3;
        } else {
            escaped[at++] = user[i];
        }
    }
    escaped[at] = '\0';
    if (b && b->name) {
        if (!binding_name_valid(b->name) || b->len > SCRAM_BINDING_MAX)
            return SCRAM_EPOLICY;
        snprintf(c->gs2, sizeof c->gs2, "p=%s,,", b->name);
        memcpy(c->binding, b->data, b->len);
        c->binding_len = b->len;
    } else {
        snprintf(c->gs2, sizeof c->gs2, "n,,");
    }
    if (nonce) {
        if (!nonce_valid(nonce, strlen(nonce), SCRAM_NONCE_MAX))
            return SCRAM_EPOLICY;
        snprintf(c->nonce, sizeof c->nonce, "%s", nonce);
    } else if (fresh_nonce(c->nonce) != 0) {
        return SCRAM_ECRYPTO;
    }
    len = snprintf(c->first_bare, sizeof c->first_bare, "n=%s,r=%s", escaped, c->nonce);
    if (len < 0 || (size_t)len >= sizeof c->first_bare)
        return SCRAM_EPOLICY;
    len = snprintf(out, cap, "%s%s", c->gs2, c->first_bare);
    if (len < 0 || (size_t)len >= cap)
        return SCRAM_EPOLICY;
    c->state = ST_FIRST;
    return SCRAM_OK;
}

int scram_client_final(scram_client *c, const char *server_first, size_t n,
                       const char *password, size_t password_len, char *out, size_t cap)
{
    return scram_client_final_cached(c, server_first, n, password, password_len, NULL, out,
                                     cap);
}

/* SaltedPassword from the cache when it holds this salt and count; else derived (and cached). */
static int cached_salted(scram_salted_cache *cache, const char *password, size_t n,
                         const uint8_t *salt, size_t salt_len, uint32_t iterations,
                         uint8_t out[SCRAM_KEY_SIZE])
{
    int rc;
    if (cache && cache->valid && cache->salt_len == salt_len && cache->iterations == iterations &&
        memcmp(cache->salt, salt, salt_len) == 0) {
        memcpy(out, cache->salted, SCRAM_KEY_SIZE);
        return SCRAM_OK;
    }
    rc = salted_password(password, n, salt, salt_len, iterations, out);
    if (rc == SCRAM_OK && cache) {
        memcpy(cache->salt, salt, salt_len);
        cache->salt_len = salt_len;
        cache->iterations = iterations;
        memcpy(cache->salted, out, SCRAM_KEY_SIZE);
        cache->valid = 1;
    }
    return rc;
}

int scram_client_final_cached(scram_client *c, const char *server_first, size_t n,
                              const char *password, size_t password_len,
                              scram_salted_cache *cache, char *out, size_t cap)
{
    attr_reader r;
    const char *nonce, *salt_b64, *iter_s;
    size_t nonce_len, salt_b64_len, iter_len, i, own = strlen(c->nonce);
    uint8_t salt[SCRAM_SALT_MAX * 2], salted[SCRAM_KEY_SIZE], client_key[SCRAM_KEY_SIZE],
        stored_key[SCRAM_KEY_SIZE], server_key[SCRAM_KEY_SIZE], sig[SCRAM_KEY_SIZE];
    char sf[SCRAM_MSG_MAX], cbind[BASE64_LEN(SCRAM_MSG_MAX + SCRAM_BINDING_MAX) + 1],
        no_proof[SCRAM_MSG_MAX], proof_b64[BASE64_LEN(SCRAM_KEY_SIZE) + 1];
    long salt_len;
    unsigned long iterations = 0;
    int rc = SCRAM_EPARSE, len;

    if (c->state != ST_FIRST || n == 0 || n >= sizeof sf || memchr(server_first, 0, n))
        return SCRAM_EPARSE;
    memcpy(sf, server_first, n);
    sf[n] = '\0';
    r.p = sf;
    r.end = sf + n;
    if (attr_next(&r, 'r', &nonce, &nonce_len) != 0 || attr_next(&r, 's', &salt_b64, &salt_b64_len) != 0 ||
        attr_next(&r, 'i', &iter_s, &iter_len) != 0)
        return SCRAM_EPARSE; /* also refuses a mandatory extension ("m=") in front */
    /* The server's nonce must extend ours, or this is not our exchange. */
    if (!nonce_valid(nonce, nonce_len, 2 * SCRAM_NONCE_MAX) || nonce_len <= own ||
        memcmp(nonce, c->nonce, own) != 0)
        return SCRAM_EPOLICY;
    salt_len = base64_decode(salt_b64, salt_b64_len, salt, sizeof salt);
    if (salt_len <= 0 || salt_len > SCRAM_SALT_MAX)
        return SCRAM_EPARSE;
    if (iter_len == 0 || iter_len > 9)
        return iter_len > 9 ? SCRAM_EPOLICY : SCRAM_EPARSE;
    for (i = 0; i < iter_len; i++) {
        if (iter_s[i] < '0' || iter_s[i] > '9')
            return SCRAM_EPARSE;
        iterations = iterations * 10 + (unsigned long)(iter_s[i] - '0');
    }
    if (iterations < SCRAM_ITERATIONS_MIN || iterations > SCRAM_ITERATIONS_MAX)
        return SCRAM_EPOLICY;

    if (cbind_value(c->gs2, c->binding, c->binding_len, cbind, sizeof cbind) != 0)
        return SCRAM_EPARSE;
    len = snprintf(no_proof, sizeof no_proof, "c=%s,r=%.*s", cbind, (int)nonce_len, nonce);
    if (len < 0 || (size_t)len >= sizeof no_proof)
        return SCRAM_EPARSE;
    rc = cached_salted(cache, password, password_len, salt, (size_t)salt_len,
                       (uint32_t)iterations, salted);
    if (rc != SCRAM_OK)
        goto done;
    rc = SCRAM_ECRYPTO;
    if (derive_keys(salted, client_key, stored_key, server_key) != 0 ||
        hmac_auth(stored_key, c->first_bare, sf, no_proof, (size_t)len, sig) != 0 ||
        hmac_auth(server_key, c->first_bare, sf, no_proof, (size_t)len, c->server_signature) != 0)
        goto done;
    for (i = 0; i < SCRAM_KEY_SIZE; i++)
        client_key[i] ^= sig[i]; /* ClientProof = ClientKey XOR ClientSignature */
    rc = SCRAM_EPARSE;
    if (base64_encode(client_key, SCRAM_KEY_SIZE, proof_b64, sizeof proof_b64) < 0)
        goto done;
    len = snprintf(out, cap, "%s,p=%s", no_proof, proof_b64);
    if (len < 0 || (size_t)len >= cap)
        goto done;
    c->state = ST_FINAL;
    rc = SCRAM_OK;

done:
    crypto_wipe(salted, sizeof salted);
    crypto_wipe(client_key, sizeof client_key);
    crypto_wipe(server_key, sizeof server_key);
    return rc;
}

int scram_client_check(scram_client *c, const char *server_final, size_t n)
{
    attr_reader r;
    const char *v;
    size_t vn;
    uint8_t sig[SCRAM_KEY_SIZE + 3];

    if (c->state != ST_FINAL)
        return SCRAM_EPARSE;
    c->state = ST_DONE;
    r.p = server_final;
    r.end = server_final + n;
    if (attr_next(&r, 'e', &v, &vn) == 0)
        return SCRAM_EPROOF; /* "e=invalid-proof" and kin: the server refused us */
    if (attr_next(&r, 'v', &v, &vn) != 0 ||
        base64_decode(v, vn, sig, sizeof sig) != SCRAM_KEY_SIZE)
        return SCRAM_EPARSE;
    return crypto_equal(sig, c->server_signature, SCRAM_KEY_SIZE) ? SCRAM_OK : SCRAM_EPROOF;
}

void scram_client_wipe(scram_client *c)
{
    crypto_wipe(c, sizeof *c);
}

/* ---- server ---- */

/* Unescapes a saslname into user[0..cap) NUL-terminated; -1 if malformed or too long. */
static int unescape_user(const char *s, size_t n, char *user, size_t cap)
{
    size_t i, at = 0;
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '=') {
            if (n - i >= 3 && s[i + 1] == '2' && s[i + 2] == 'C')
                ch = ',';
            else if (n - i >= 3 && s[i + 1] == '3' && s[i + 2] == 'D')
                ch = '=';
            else
                return -1;
            i += 2;
        }
        if (at + 1 >= cap)
            return -1;
        user[at++] = ch;
    }
    user[at] = '\0';
    return at > 0 && at <= SCRAM_USER_MAX && utf8_valid_text(user, at, 0) ? 0 : -1;
}

int scram_server_start(scram_server *s, const char *client_first, size_t n, const scram_binding *b,
                       char *user, size_t cap)
{
    const char *p = client_first, *end = client_first + n, *comma, *v;
    size_t vn, gs2_len;
    attr_reader r;
    char gs2[SCRAM_MSG_MAX];

    memset(s, 0, sizeof *s);
    if (n == 0 || n >= SCRAM_MSG_MAX || memchr(client_first, 0, n))
        return SCRAM_EPARSE;
    /* gs2 header: flag "," [authzid] "," */
    comma = memchr(p, ',', n);
    if (!comma)
        return SCRAM_EPARSE;
    if (b && b->name) {
        size_t name_len = strlen(b->name);
        if ((size_t)(comma - p) != 2 + name_len || p[0] != 'p' || p[1] != '=' ||
            memcmp(p + 2, b->name, name_len) != 0)
            return SCRAM_EBIND; /* the server binds to the session; this client does not */
    } else if (comma - p != 1 || (p[0] != 'n' && p[0] != 'y')) {
        return comma - p >= 2 && p[0] == 'p' && p[1] == '=' ? SCRAM_EBIND : SCRAM_EPARSE;
    }
    if (comma + 1 >= end || comma[1] != ',')
        return SCRAM_EPARSE; /* an authzid (acting as someone else) is not supported */
    gs2_len = (size_t)(comma + 2 - p);
    memcpy(gs2, p, gs2_len);
    gs2[gs2_len] = '\0';
    if (cbind_value(gs2, b && b->name ? b->data : NULL, b && b->name ? b->len : 0,
                    s->gs2_expected, sizeof s->gs2_expected) != 0)
        return SCRAM_EPARSE;
    memcpy(s->first_bare, p + gs2_len, n - gs2_len);
    s->first_bare[n - gs2_len] = '\0';
    r.p = s->first_bare;
    r.end = s->first_bare + (n - gs2_len);
    if (attr_next(&r, 'n', &v, &vn) != 0 || unescape_user(v, vn, user, cap) != 0)
        return SCRAM_EPARSE;
    if (attr_next(&r, 'r', &v, &vn) != 0 || !nonce_valid(v, vn, SCRAM_NONCE_MAX))
        return SCRAM_EPARSE;
    memcpy(s->client_nonce, v, vn);
    s->client_nonce[vn] = '\0';
    while (r.p < r.end) /* optional extensions after r= are ignored */
        if (skip_extension(&r) != 0)
            return SCRAM_EPARSE;
    s->state = ST_FIRST;
    return SCRAM_OK;
}

int scram_server_first(scram_server *s, const scram_verifier *v, const char *nonce, char *out,
                       size_t cap)
{
    char own[SCRAM_NONCE_MAX + 1], salt_b64[BASE64_LEN(SCRAM_SALT_MAX) + 1];
    int len;

    if (s->state != ST_FIRST)
        return SCRAM_EPARSE;
    if (nonce) {
        if (!nonce_valid(nonce, strlen(nonce), SCRAM_NONCE_MAX))
            return SCRAM_EPOLICY;
        snprintf(own, sizeof own, "%s", nonce);
    } else if (fresh_nonce(own) != 0) {
        return SCRAM_ECRYPTO;
    }
    if (base64_encode(v->salt, v->salt_len, salt_b64, sizeof salt_b64) < 0)
        return SCRAM_EPARSE;
    snprintf(s->nonce, sizeof s->nonce, "%s%s", s->client_nonce, own);
    len = snprintf(s->server_first, sizeof s->server_first, "r=%s,s=%s,i=%lu", s->nonce,
                   salt_b64, (unsigned long)v->iterations);
    if (len < 0 || (size_t)len >= sizeof s->server_first || (size_t)len >= cap)
        return SCRAM_EPARSE;
    memcpy(out, s->server_first, (size_t)len + 1);
    s->v = *v;
    s->state = ST_FINAL;
    return SCRAM_OK;
}

int scram_server_final(scram_server *s, const char *client_final, size_t n, char *out,
                       size_t cap)
{
    attr_reader r;
    const char *v, *proof_at = NULL;
    size_t vn, i;
    uint8_t proof[SCRAM_KEY_SIZE + 3], sig[SCRAM_KEY_SIZE], server_sig[SCRAM_KEY_SIZE],
        stored[SCRAM_KEY_SIZE];
    char sig_b64[BASE64_LEN(SCRAM_KEY_SIZE) + 1];
    crypto_part part;
    int bind_ok, nonce_ok, proof_ok, len;

    if (s->state != ST_FINAL || n == 0 || n >= SCRAM_MSG_MAX || memchr(client_final, 0, n))
        return SCRAM_EPARSE;
    s->state = ST_DONE;
    r.p = client_final;
    r.end = client_final + n;
    if (attr_next(&r, 'c', &v, &vn) != 0)
        return SCRAM_EPARSE;
    bind_ok = vn == strlen(s->gs2_expected) && memcmp(v, s->gs2_expected, vn) == 0;
    if (attr_next(&r, 'r', &v, &vn) != 0)
        return SCRAM_EPARSE;
    nonce_ok = vn == strlen(s->nonce) && memcmp(v, s->nonce, vn) == 0;
    while (r.p < r.end) { /* optional extensions, then the proof, which comes last */
        const char *at = r.p;
        if (attr_next(&r, 'p', &v, &vn) == 0) {
            if (r.p != r.end)
                return SCRAM_EPARSE;
            proof_at = at;
            break;
        }
        if (skip_extension(&r) != 0)
            return SCRAM_EPARSE;
    }
    if (!proof_at || base64_decode(v, vn, proof, sizeof proof) != SCRAM_KEY_SIZE)
        return SCRAM_EPARSE;
    if (!bind_ok)
        return SCRAM_EBIND;
    if (!nonce_ok)
        return SCRAM_EPARSE;

    /* ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof holds when
     * H(ClientKey) is StoredKey. The same steps run for a decoy, which then fails anyway. */
    len = (int)(proof_at - 1 - client_final); /* client-final-without-proof, before ",p=" */
    if (hmac_auth(s->v.stored_key, s->first_bare, s->server_first, client_final, (size_t)len,
                  sig) != 0 ||
        hmac_auth(s->v.server_key, s->first_bare, s->server_first, client_final, (size_t)len,
                  server_sig) != 0)
        return SCRAM_ECRYPTO;
    for (i = 0; i < SCRAM_KEY_SIZE; i++)
        proof[i] ^= sig[i];
    part.p = proof;
    part.n = SCRAM_KEY_SIZE;
    if (crypto_sha256(&part, 1, stored) != CRYPTO_OK)
        return SCRAM_ECRYPTO;
    proof_ok = crypto_equal(stored, s->v.stored_key, SCRAM_KEY_SIZE) & !s->v.decoy;
    crypto_wipe(proof, sizeof proof);
    if (!proof_ok) {
        snprintf(out, cap, "e=invalid-proof");
        return SCRAM_EPROOF;
    }
    if (base64_encode(server_sig, sizeof server_sig, sig_b64, sizeof sig_b64) < 0)
        return SCRAM_EPARSE;
    len = snprintf(out, cap, "v=%s", sig_b64);
    return len < 0 || (size_t)len >= cap ? SCRAM_EPARSE : SCRAM_OK;
}

void scram_server_wipe(scram_server *s)
{
    crypto_wipe(s, sizeof *s);
}

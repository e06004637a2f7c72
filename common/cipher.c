/* cipher.c — sealing and opening frame bodies with the negotiated cipher, and the frame-level
 * encode/decode that combines the codec with a cipher direction. */
#include "cipher.h"

#include <assert.h>
#include <string.h>

void cipher_state_plain(cipher_state *c)
{
    memset(c, 0, sizeof *c);
}

int cipher_state_xor(cipher_state *c, const uint8_t *key, size_t key_len)
{
    cipher_state_plain(c);
    if (key_len == 0)
        return CIPHER_E_FAIL; /* an empty key would send text as it is */
    c->id = PROTO_CIPHER_XOR;
    c->xor_key = key;
    c->xor_len = key_len;
    return PROTO_OK;
}

int cipher_state_gcm(cipher_state *c, const uint8_t key[CRYPTO_GCM_KEY_SIZE])
{
    cipher_state_plain(c);
    c->gcm = crypto_gcm_new(key);
    if (!c->gcm)
        return CIPHER_E_FAIL;
    c->id = PROTO_CIPHER_AES256GCM;
    return PROTO_OK;
}

void cipher_state_free(cipher_state *c)
{
    if (c->gcm)
        crypto_gcm_free(c->gcm);
    cipher_state_plain(c);
}

void cipher_state_rest(cipher_state *c)
{
    if (c->gcm)
        crypto_gcm_rest(c->gcm);
}

size_t cipher_overhead(uint8_t id)
{
    return id == PROTO_CIPHER_AES256GCM ? CRYPTO_GCM_TAG_SIZE : 0;
}

const char *cipher_name(uint8_t id)
{
    switch (id) {
    case PROTO_CIPHER_XOR:
        return "xor";
    case PROTO_CIPHER_AES256GCM:
        return "aes-256-gcm";
    default:
        return "plain";
    }
}

uint8_t cipher_parse(const char *name)
{
    if (strcmp(name, "xor") == 0)
        return PROTO_CIPHER_XOR;
    if (strcmp(name, "aes-256-gcm") == 0)
        return PROTO_CIPHER_AES256GCM;
    return 0;
}

static void xor_body(const cipher_state *c, uint8_t *p, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        p[i] ^= c->xor_key[k];
        if (++k == c->xor_len)
            k = 0;
    }
}

/* The nonce is implicit: both sides count frames, so nothing on the wire can move a frame. */
static int next_nonce(cipher_state *c, uint8_t nonce[CRYPTO_GCM_NONCE_SIZE])
{
    if (c->seq == UINT64_MAX)
        return CIPHER_E_FAIL;
    memset(nonce, 0, 4);
    be_put64(nonce + 4, c->seq);
    return PROTO_OK;
}

int cipher_seal(cipher_state *c, uint8_t *frame, size_t body_len)
{
    uint8_t nonce[CRYPTO_GCM_NONCE_SIZE];
    uint8_t *body = frame + PROTO_HEADER_SIZE;

    assert(be_get32(frame) == body_len + cipher_overhead(c->id));
    switch (c->id) {
    case 0:
        return PROTO_OK;
    case PROTO_CIPHER_XOR:
        xor_body(c, body, body_len);
        return PROTO_OK;
    case PROTO_CIPHER_AES256GCM:
        if (next_nonce(c, nonce) != PROTO_OK)
            return CIPHER_E_FAIL;
        if (crypto_gcm_seal(c->gcm, nonce, frame, PROTO_HEADER_SIZE, body, body_len,
                            body + body_len) != CRYPTO_OK)
            return CIPHER_E_FAIL;
        c->seq++;
        return PROTO_OK;
    default:
        return CIPHER_E_FAIL;
    }
}

int cipher_open(cipher_state *c, const uint8_t header[PROTO_HEADER_SIZE], uint8_t *body,
                size_t len, size_t *plain_len)
{
    uint8_t nonce[CRYPTO_GCM_NONCE_SIZE];
    size_t n;
    int rc;

    switch (c->id) {
    case 0:
        *plain_len = len;
        return PROTO_OK;
    case PROTO_CIPHER_XOR:
        xor_body(c, body, len);
        *plain_len = len;
        return PROTO_OK;
    case PROTO_CIPHER_AES256GCM:
        if (len < CRYPTO_GCM_TAG_SIZE)
            return CIPHER_E_AUTH;
        n = len - CRYPTO_GCM_TAG_SIZE;
        if (next_nonce(c, nonce) != PROTO_OK)
            return CIPHER_E_FAIL;
        rc = crypto_gcm_open(c->gcm, nonce, header, PROTO_HEADER_SIZE, body, n, body + n);
        if (rc == CRYPTO_EAUTH)
            return CIPHER_E_AUTH;
        if (rc != CRYPTO_OK)
            return CIPHER_E_FAIL;
        c->seq++;
        *plain_len = n;
        return PROTO_OK;
    default:
        return CIPHER_E_FAIL;
    }
}

int cipher_skip(cipher_state *c)
{
    if (c->id != PROTO_CIPHER_AES256GCM)
        return PROTO_OK; /* the other ciphers keep no per-frame state */
    if (c->seq == UINT64_MAX)
        return CIPHER_E_FAIL;
    c->seq++;
    return PROTO_OK;
}

int cipher_encode(cipher_state *c, const proto_msg *msg, buf *out)
{
    size_t start = out->len;
    size_t tail = cipher_overhead(c->id);
    size_t body_len;
    int rc = proto_encode(msg, tail, out);

    if (rc != PROTO_OK)
        return rc;
    body_len = out->len - start - PROTO_HEADER_SIZE;
    if (tail && !buf_reserve(out, tail))
        goto fail_nomem;
    out->len += tail;
    rc = cipher_seal(c, out->data + start, body_len);
    if (rc != PROTO_OK) {
        out->len = start;
        return rc;
    }
    return PROTO_OK;

fail_nomem:
    out->len = start;
    return PROTO_E_NOMEM;
}

int cipher_decode(cipher_state *c, proto_frame *f, proto_msg *msg)
{
    size_t n;
    int rc = cipher_open(c, f->header, f->body, f->len, &n);
    if (rc != PROTO_OK)
        return rc;
    return proto_decode(f->type, f->body, n, msg);
}

const char *cipher_status_text(int status)
{
    switch (status) {
    case CIPHER_E_AUTH:
        return "frame failed authentication (tampered, replayed, reordered or wrong key)";
    case CIPHER_E_FAIL:
        return "cipher failure";
    default:
        return proto_status_text(status);
    }
}

/* test_crypto.c — crypto.h against published vectors (GCM spec, RFC 4231, PBKDF2-HMAC-SHA256)
 * and against tests/fixtures/gcm-interop.txt, which both backends must reproduce exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "test.h"

/* Parses hex that the test itself supplies; a malformed literal is a bug in the test. */
static size_t hex_or_fail(const char *hex, uint8_t *out, size_t cap, const char *what)
{
    long n = test_hex(hex, out, cap);
    if (n < 0) {
        test_failf_at(__FILE__, __LINE__, "%s: bad hex literal", what);
        return 0;
    }
    return (size_t)n;
}

/* ---- AES-256-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation", Appendix B ---- */

typedef struct gcm_vector {
    const char *name;
    const char *key, *iv, *pt, *aad, *ct, *tag;
} gcm_vector;

/* Test cases 13-16: the 256-bit-key, 96-bit-IV cases (16 has AAD). */
static const gcm_vector gcm_spec[] = {
    {"GCM spec test case 13",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"GCM spec test case 14",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"GCM spec test case 15",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"GCM spec test case 16",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

typedef struct gcm_data {
    uint8_t key[CRYPTO_GCM_KEY_SIZE], nonce[CRYPTO_GCM_NONCE_SIZE], tag[CRYPTO_GCM_TAG_SIZE];
    uint8_t pt[128], ct[128], aad[64];
    size_t pt_len, aad_len;
} gcm_data;

static int gcm_decode(const gcm_vector *v, gcm_data *d)
{
    memset(d, 0, sizeof *d);
    if (hex_or_fail(v->key, d->key, sizeof d->key, v->name) != sizeof d->key ||
        hex_or_fail(v->iv, d->nonce, sizeof d->nonce, v->name) != sizeof d->nonce ||
        hex_or_fail(v->tag, d->tag, sizeof d->tag, v->name) != sizeof d->tag)
        return 0;
    d->pt_len = hex_or_fail(v->pt, d->pt, sizeof d->pt, v->name);
    d->aad_len = hex_or_fail(v->aad, d->aad, sizeof d->aad, v->name);
    return hex_or_fail(v->ct, d->ct, sizeof d->ct, v->name) == d->pt_len;
}

/* Opens a copy of d's ciphertext with one bit of ct, tag or aad flipped: must be CRYPTO_EAUTH. */
static int gcm_open_tampered(crypto_gcm *k, const gcm_data *d, char what, size_t bit)
{
    uint8_t buf[128], tag[CRYPTO_GCM_TAG_SIZE], aad[64];
    memcpy(buf, d->ct, d->pt_len);
    memcpy(tag, d->tag, sizeof tag);
    memcpy(aad, d->aad, d->aad_len);
    if (what == 'c')
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    else if (what == 't')
        tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    else
        aad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    return crypto_gcm_open(k, d->nonce, aad, d->aad_len, buf, d->pt_len, tag);
}

static void check_gcm_vector(const gcm_vector *v)
{
    gcm_data d;
    uint8_t buf[128], tag[CRYPTO_GCM_TAG_SIZE], nonce[CRYPTO_GCM_NONCE_SIZE];
    crypto_gcm *k;
    size_t i;

    REQUIRE(gcm_decode(v, &d));
    k = crypto_gcm_new(d.key);
    REQUIRE(k != NULL);

    /* Seal: ciphertext and tag as published. */
    memcpy(buf, d.pt, d.pt_len);
    CHECK_EQ_INT(crypto_gcm_seal(k, d.nonce, d.aad_len ? d.aad : NULL, d.aad_len, buf, d.pt_len,
                                 tag),
                 CRYPTO_OK);
    CHECK_EQ_MEM(buf, d.ct, d.pt_len);
    CHECK_EQ_MEM(tag, d.tag, sizeof tag);

    /* Open: the published ciphertext and tag give back the plaintext. */
    memcpy(buf, d.ct, d.pt_len);
    CHECK_EQ_INT(crypto_gcm_open(k, d.nonce, d.aad_len ? d.aad : NULL, d.aad_len, buf, d.pt_len,
                                 d.tag),
                 CRYPTO_OK);
    CHECK_EQ_MEM(buf, d.pt, d.pt_len);

    /* One flipped bit — the first, one in the middle, the last — of tag, ciphertext or AAD
     * fails authentication. */
    for (i = 0; i < 3; i++) {
        static const size_t tag_bits[3] = {0, 8 * CRYPTO_GCM_TAG_SIZE / 2 + 3,
                                           8 * CRYPTO_GCM_TAG_SIZE - 1};
        size_t ct_bits[3], aad_bits[3];
        ct_bits[0] = 0;
        ct_bits[1] = 8 * d.pt_len / 2 + 5;
        ct_bits[2] = 8 * d.pt_len - 1;
        aad_bits[0] = 0;
        aad_bits[1] = 8 * d.aad_len / 2 + 1;
        aad_bits[2] = 8 * d.aad_len - 1;
        CHECK_EQ_INT(gcm_open_tampered(k, &d, 't', tag_bits[i]), CRYPTO_EAUTH);
        if (d.pt_len > 0)
            CHECK_EQ_INT(gcm_open_tampered(k, &d, 'c', ct_bits[i]), CRYPTO_EAUTH);
        if (d.aad_len > 0)
            CHECK_EQ_INT(gcm_open_tampered(k, &d, 'a', aad_bits[i]), CRYPTO_EAUTH);
    }
    /* AAD where the sender had none (or one byte short of it) fails too, as does another nonce. */
    memcpy(buf, d.ct, d.pt_len);
    if (d.aad_len == 0)
        CHECK_EQ_INT(crypto_gcm_open(k, d.nonce, "x", 1, buf, d.pt_len, d.tag), CRYPTO_EAUTH);
    else
        CHECK_EQ_INT(crypto_gcm_open(k, d.nonce, d.aad, d.aad_len - 1, buf, d.pt_len, d.tag),
                     CRYPTO_EAUTH);
    memcpy(nonce, d.nonce, sizeof nonce);
    nonce[CRYPTO_GCM_NONCE_SIZE - 1] ^= 1;
    memcpy(buf, d.ct, d.pt_len);
    CHECK_EQ_INT(crypto_gcm_open(k, nonce, d.aad, d.aad_len, buf, d.pt_len, d.tag), CRYPTO_EAUTH);

    /* The same key object still seals correctly after all those failures. */
    memcpy(buf, d.pt, d.pt_len);
    CHECK_EQ_INT(crypto_gcm_seal(k, d.nonce, d.aad, d.aad_len, buf, d.pt_len, tag), CRYPTO_OK);
    CHECK_EQ_MEM(buf, d.ct, d.pt_len);
    CHECK_EQ_MEM(tag, d.tag, sizeof tag);
    crypto_gcm_free(k);
}

TEST(gcm_spec_case13)
{
    check_gcm_vector(&gcm_spec[0]);
}

TEST(gcm_spec_case14)
{
    check_gcm_vector(&gcm_spec[1]);
}

TEST(gcm_spec_case15)
{
    check_gcm_vector(&gcm_spec[2]);
}

TEST(gcm_spec_case16)
{
    check_gcm_vector(&gcm_spec[3]);
}

/* One key object used for many messages, seals and opens interleaved with a second key, gives
 * what a fresh object gives each time: per-key state must not leak from one call to the next.
 * Both keys are also put to rest now and then (crypto_gcm_rest): that must change nothing. */
TEST(gcm_key_reuse)
{
    uint8_t key_a[CRYPTO_GCM_KEY_SIZE], key_b[CRYPTO_GCM_KEY_SIZE];
    uint8_t nonce[CRYPTO_GCM_NONCE_SIZE] = {0};
    uint8_t hdr[6] = {1, 2, 3, 4, 5, 6};
    uint8_t msg[300], buf[300], ref[300], tag[CRYPTO_GCM_TAG_SIZE], ref_tag[CRYPTO_GCM_TAG_SIZE];
    crypto_gcm *a, *b;
    unsigned i;

    memset(key_a, 0x5a, sizeof key_a);
    memset(key_b, 0xa5, sizeof key_b);
    for (i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    a = crypto_gcm_new(key_a);
    b = crypto_gcm_new(key_b);
    REQUIRE(a && b);
    for (i = 0; i < 64; i++) {
        size_t len = (i * 37) % sizeof msg;
        crypto_gcm *fresh = crypto_gcm_new(key_a);
        REQUIRE(fresh != NULL);
        nonce[0] = (uint8_t)i; /* a counter nonce, as the protocol uses */
        hdr[0] = (uint8_t)i;

        memcpy(ref, msg, len);
        CHECK_EQ_INT(crypto_gcm_seal(fresh, nonce, hdr, sizeof hdr, ref, len, ref_tag), CRYPTO_OK);
        crypto_gcm_free(fresh);

        if (i % 3 == 1)
            crypto_gcm_rest(a);
        if (i % 4 == 2)
            crypto_gcm_rest(b);
        memcpy(buf, msg, len);
        CHECK_EQ_INT(crypto_gcm_seal(a, nonce, hdr, sizeof hdr, buf, len, tag), CRYPTO_OK);
        CHECK_EQ_MEM(buf, ref, len);
        CHECK_EQ_MEM(tag, ref_tag, sizeof tag);

        /* The other key in between must not disturb a. */
        CHECK_EQ_INT(crypto_gcm_open(b, nonce, hdr, sizeof hdr, buf, len, tag),
                     CRYPTO_EAUTH);
        memcpy(buf, ref, len);
        if (i % 5 == 3)
            crypto_gcm_rest(a); /* between a seal and the open of the same message */
        CHECK_EQ_INT(crypto_gcm_open(a, nonce, hdr, sizeof hdr, buf, len, tag), CRYPTO_OK);
        CHECK_EQ_MEM(buf, msg, len);
    }
    crypto_gcm_rest(a); /* freeing a resting key is fine too */
    crypto_gcm_free(a);
    crypto_gcm_free(b);
    crypto_gcm_free(NULL); /* like free(NULL) */
    crypto_gcm_rest(NULL);
}

/* ---- Interoperability: tests/fixtures/gcm-interop.txt ---- */

#define FIX_MAX_DATA 2048

typedef struct fix_record {
    uint8_t key[CRYPTO_GCM_KEY_SIZE], nonce[CRYPTO_GCM_NONCE_SIZE], tag[CRYPTO_GCM_TAG_SIZE];
    uint8_t aad[64], pt[FIX_MAX_DATA], ct[FIX_MAX_DATA];
    long key_len, nonce_len, tag_len, aad_len, pt_len, ct_len;
} fix_record;

/* Reads the whole file; the caller frees. NULL if it cannot be read. */
static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL, *grown;
    size_t len = 0, cap = 0, got;

    if (!f)
        return NULL;
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 16384;
            grown = realloc(text, cap + 1);
            if (!grown)
                goto fail;
            text = grown;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f))
        goto fail;
    fclose(f);
    text[len] = '\0';
    return text;

fail:
    fclose(f);
    free(text);
    return NULL;
}

/* Decodes one field's collected hex into the record; 0 if the name is unknown. */
static int fix_store(fix_record *r, const char *name, const char *hex)
{
    if (strcmp(name, "key") == 0)
        r->key_len = test_hex(hex, r->key, sizeof r->key);
    else if (strcmp(name, "nonce") == 0)
        r->nonce_len = test_hex(hex, r->nonce, sizeof r->nonce);
    else if (strcmp(name, "aad") == 0)
        r->aad_len = test_hex(hex, r->aad, sizeof r->aad);
    else if (strcmp(name, "pt") == 0)
        r->pt_len = test_hex(hex, r->pt, sizeof r->pt);
    else if (strcmp(name, "ct") == 0)
        r->ct_len = test_hex(hex, r->ct, sizeof r->ct);
    else if (strcmp(name, "tag") == 0)
        r->tag_len = test_hex(hex, r->tag, sizeof r->tag);
    else
        return 0;
    return 1;
}

/* Seals pt and opens ct with a fresh key object, as the other backend did. */
static void fix_check(const fix_record *r, int index)
{
    uint8_t buf[FIX_MAX_DATA], tag[CRYPTO_GCM_TAG_SIZE];
    size_t len = (size_t)r->pt_len;
    crypto_gcm *k;

    if (r->key_len != CRYPTO_GCM_KEY_SIZE || r->nonce_len != CRYPTO_GCM_NONCE_SIZE ||
        r->tag_len != CRYPTO_GCM_TAG_SIZE || r->aad_len < 0 || r->pt_len < 0 ||
        r->ct_len != r->pt_len) {
        test_failf_at(__FILE__, __LINE__, "fixture record %d is malformed", index);
        return;
    }
    k = crypto_gcm_new(r->key);
    if (!k) {
        test_failf_at(__FILE__, __LINE__, "record %d: crypto_gcm_new failed", index);
        return;
    }
    memcpy(buf, r->pt, len);
    if (crypto_gcm_seal(k, r->nonce, r->aad, (size_t)r->aad_len, buf, len, tag) != CRYPTO_OK ||
        memcmp(buf, r->ct, len) != 0 || memcmp(tag, r->tag, sizeof tag) != 0)
        test_failf_at(__FILE__, __LINE__, "record %d (%lu bytes): seal differs from the fixture",
                      index, (unsigned long)len);
    memcpy(buf, r->ct, len);
    if (crypto_gcm_open(k, r->nonce, r->aad, (size_t)r->aad_len, buf, len, r->tag) != CRYPTO_OK ||
        memcmp(buf, r->pt, len) != 0)
        test_failf_at(__FILE__, __LINE__, "record %d (%lu bytes): open of the fixture failed",
                      index, (unsigned long)len);
    crypto_gcm_free(k);
}

TEST(gcm_interop_fixture)
{
    char path[1024];
    char *text, *line, *next;
    char name[16] = "";
    char *hex = NULL; /* the current field's value, continuation lines joined */
    size_t hex_len = 0;
    fix_record *r = calloc(1, sizeof *r);
    int records = 0, saw_empty = 0, saw_one = 0, saw_long_odd = 0, saw_header_aad = 0;

    REQUIRE(r != NULL);
    snprintf(path, sizeof path, "%s/fixtures/gcm-interop.txt", test_data_dir());
    text = read_text_file(path);
    hex = malloc(text ? strlen(text) + 1 : 1);
    if (!text || !hex) {
        test_failf_at(__FILE__, __LINE__, "cannot read %s", path);
        goto done;
    }
    hex[0] = '\0';
    for (line = text; line; line = next) {
        char *eq;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == ' ' || line[0] == '\t') { /* continues the current value */
            size_t n = strlen(line);
            memcpy(hex + hex_len, line, n + 1);
            hex_len += n;
            continue;
        }
        /* Anything else ends the current field. */
        if (name[0]) {
            if (!fix_store(r, name, hex))
                test_failf_at(__FILE__, __LINE__, "unknown fixture field \"%s\"", name);
            if (strcmp(name, "tag") == 0) {
                fix_check(r, ++records);
                saw_empty |= r->pt_len == 0;
                saw_one |= r->pt_len == 1;
                saw_long_odd |= r->pt_len >= 999 && r->pt_len % 2 == 1;
                saw_header_aad |= r->aad_len == 6;
                memset(r, 0, sizeof *r);
            }
            name[0] = '\0';
        }
        if (line[0] == '#' || line[0] == '\r' || line[0] == '\0')
            continue;
        eq = strchr(line, '=');
        if (!eq || (size_t)(eq - line) >= sizeof name) {
            test_failf_at(__FILE__, __LINE__, "fixture line not understood: %.40s", line);
            continue;
        }
        {
            size_t n = (size_t)(eq - line);
            while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
                n--;
            memcpy(name, line, n);
            name[n] = '\0';
        }
        strcpy(hex, eq + 1);
        hex_len = strlen(hex);
    }
    if (name[0] && strcmp(name, "tag") == 0 && fix_store(r, name, hex))
        fix_check(r, ++records);
    /* A truncated or emptied fixture must not pass quietly. */
    CHECK(records >= 8);
    CHECK(saw_empty && saw_one && saw_long_odd && saw_header_aad);

done:
    free(hex);
    free(text);
    free(r);
}

/* ---- HMAC-SHA256: RFC 4231 section 4 ---- */

typedef struct hmac_vector {
    const char *name;
    const char *key_hex;
    const char *data; /* text, or NULL when data_hex is used */
    const char *data_hex;
    const char *mac; /* hex; case 5 publishes only the first 128 bits */
} hmac_vector;

static const hmac_vector hmac_rfc4231[] = {
    {"RFC 4231 test case 1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", NULL,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"RFC 4231 test case 2", "4a656665" /* "Jefe" */, "what do ya want for nothing?", NULL,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"RFC 4231 test case 3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddddddd",
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"RFC 4231 test case 4", "0102030405060708090a0b0c0d0e0f10111213141516171819", NULL,
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
     "cdcdcdcdcdcd",
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"RFC 4231 test case 5", "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "Test With Truncation",
     NULL, "a3b6167473100ee06e0c796c2955552b"},
    {"RFC 4231 test case 6", NULL /* 131 bytes of 0xaa */,
     "Test Using Larger Than Block-Size Key - Hash Key First", NULL,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"RFC 4231 test case 7", NULL /* 131 bytes of 0xaa */,
     "This is a test using a larger than block-size key and a larger than block-size data. The "
     "key needs to be hashed before being used by the HMAC algorithm.",
     NULL, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

static void check_hmac_vector(const hmac_vector *v)
{
    uint8_t key[131], data[256], expect[CRYPTO_SHA256_SIZE], mac[CRYPTO_SHA256_SIZE];
    size_t key_len, data_len, mac_len, i;
    crypto_part parts[6];
    /* Cut points for the split checks, taken modulo the message length. */
    static const size_t cuts[][3] = {{1, 2, 3}, {7, 7, 20}, {0, 13, 50}, {31, 64, 65}};

    if (v->key_hex) {
        key_len = hex_or_fail(v->key_hex, key, sizeof key, v->name);
    } else {
        key_len = 131;
        memset(key, 0xaa, key_len);
    }
    if (v->data) {
        data_len = strlen(v->data);
        memcpy(data, v->data, data_len);
    } else {
        data_len = hex_or_fail(v->data_hex, data, sizeof data, v->name);
    }
    mac_len = hex_or_fail(v->mac, expect, sizeof expect, v->name);
    REQUIRE(mac_len == 16 || mac_len == 32);

    parts[0].p = data;
    parts[0].n = data_len;
    CHECK_EQ_INT(crypto_hmac_sha256(key, key_len, parts, 1, mac), CRYPTO_OK);
    CHECK_EQ_MEM(mac, expect, mac_len);

    /* The same message in pieces, empty pieces included, gives the same MAC. */
    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t a = cuts[i][0] % (data_len + 1), b = cuts[i][1] % (data_len + 1),
               c = cuts[i][2] % (data_len + 1);
        if (b < a)
            b = a;
        if (c < b)
            c = b;
        parts[0].p = data;
        parts[0].n = a;
        parts[1].p = data + a;
        parts[1].n = 0;
        parts[2].p = data + a;
        parts[2].n = b - a;
        parts[3].p = data + b;
        parts[3].n = c - b;
        parts[4].p = NULL;
        parts[4].n = 0;
        parts[5].p = data + c;
        parts[5].n = data_len - c;
        memset(mac, 0, sizeof mac);
        CHECK_EQ_INT(crypto_hmac_sha256(key, key_len, parts, 6, mac), CRYPTO_OK);
        CHECK_EQ_MEM(mac, expect, mac_len);
    }
    /* And byte by byte. */
    {
        crypto_part bytes[256];
        for (i = 0; i < data_len; i++) {
            bytes[i].p = data + i;
            bytes[i].n = 1;
        }
        memset(mac, 0, sizeof mac);
        CHECK_EQ_INT(crypto_hmac_sha256(key, key_len, bytes, data_len, mac), CRYPTO_OK);
        CHECK_EQ_MEM(mac, expect, mac_len);
    }
}

TEST(hmac_rfc4231_case1)
{
    check_hmac_vector(&hmac_rfc4231[0]);
}

TEST(hmac_rfc4231_case2)
{
    check_hmac_vector(&hmac_rfc4231[1]);
}

TEST(hmac_rfc4231_case3)
{
    check_hmac_vector(&hmac_rfc4231[2]);
}

TEST(hmac_rfc4231_case4)
{
    check_hmac_vector(&hmac_rfc4231[3]);
}

TEST(hmac_rfc4231_case5_truncated)
{
    check_hmac_vector(&hmac_rfc4231[4]);
}

TEST(hmac_rfc4231_case6)
{
    check_hmac_vector(&hmac_rfc4231[5]);
}

TEST(hmac_rfc4231_case7)
{
    check_hmac_vector(&hmac_rfc4231[6]);
}

/* SHA-256 of msg, given whole and then split into one part per byte, against expect_hex. */
static void check_sha256(const char *msg, const char *expect_hex)
{
    uint8_t expect[CRYPTO_SHA256_SIZE], out[CRYPTO_SHA256_SIZE];
    crypto_part whole, bytes[64];
    size_t i, n = strlen(msg);

    REQUIRE(test_hex(expect_hex, expect, sizeof expect) == CRYPTO_SHA256_SIZE);
    REQUIRE(n <= 64);
    whole.p = msg;
    whole.n = n;
    memset(out, 0, sizeof out);
    CHECK_EQ_INT(crypto_sha256(&whole, 1, out), CRYPTO_OK);
    CHECK_EQ_MEM(out, expect, sizeof out);
    for (i = 0; i < n; i++) {
        bytes[i].p = msg + i;
        bytes[i].n = 1;
    }
    memset(out, 0, sizeof out);
    CHECK_EQ_INT(crypto_sha256(bytes, n, out), CRYPTO_OK);
    CHECK_EQ_MEM(out, expect, sizeof out);
}

/* FIPS 180-2, appendix B, and the hash of nothing. */
TEST(sha256_fips180_examples)
{
    check_sha256("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_sha256("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* The empty key and the empty message: HMAC zero-pads short keys, so "", "\0" and 64 zero bytes
 * are one key. The value is the commonly quoted HMAC_SHA256("", ""), cross-checked here with
 * Python's hmac module. */
TEST(hmac_empty_key_and_message)
{
    static const uint8_t zeros[64] = {0};
    uint8_t expect[CRYPTO_SHA256_SIZE], a[CRYPTO_SHA256_SIZE], b[CRYPTO_SHA256_SIZE],
        c[CRYPTO_SHA256_SIZE], d[CRYPTO_SHA256_SIZE];
    crypto_part empty = {"", 0};

    REQUIRE(hex_or_fail("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", expect,
                        sizeof expect, "empty HMAC") == sizeof expect);
    CHECK_EQ_INT(crypto_hmac_sha256(NULL, 0, NULL, 0, a), CRYPTO_OK);
    CHECK_EQ_INT(crypto_hmac_sha256("", 0, &empty, 1, b), CRYPTO_OK);
    CHECK_EQ_INT(crypto_hmac_sha256(zeros, 1, &empty, 1, c), CRYPTO_OK);
    CHECK_EQ_INT(crypto_hmac_sha256(zeros, sizeof zeros, NULL, 0, d), CRYPTO_OK);
    CHECK_EQ_MEM(a, expect, sizeof expect);
    CHECK_EQ_MEM(b, expect, sizeof expect);
    CHECK_EQ_MEM(c, expect, sizeof expect);
    CHECK_EQ_MEM(d, expect, sizeof expect);
}

/* ---- PBKDF2-HMAC-SHA256 ----
 * "password"/"salt" and the long and NUL cases: the widely used SHA-256 companion set to
 * RFC 6070 (same inputs, SHA-256 PRF). "passwd"/"salt" c=1: RFC 7914 section 11. */

typedef struct pbkdf2_vector {
    const char *name;
    const char *password;
    size_t password_len;
    const char *salt;
    size_t salt_len;
    uint32_t iterations;
    const char *dk;
} pbkdf2_vector;

static const pbkdf2_vector pbkdf2_vectors[] = {
    {"password/salt c=1", "password", 8, "salt", 4, 1,
     "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"},
    {"password/salt c=2", "password", 8, "salt", 4, 2,
     "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"},
    {"password/salt c=4096", "password", 8, "salt", 4, 4096,
     "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"},
    {"long password and salt c=4096 dkLen=40", "passwordPASSWORDpassword", 24,
     "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096,
     "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"},
    {"embedded NULs c=4096 dkLen=16", "pass\0word", 9, "sa\0lt", 5, 4096,
     "89b69d0516f829893c696226650a8687"},
    {"RFC 7914 passwd/salt c=1 dkLen=64", "passwd", 6, "salt", 4, 1,
     "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
     "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
};

static void check_pbkdf2_vector(const pbkdf2_vector *v)
{
    uint8_t expect[64], out[64 + 1];
    size_t n = hex_or_fail(v->dk, expect, sizeof expect, v->name);

    REQUIRE(n > 0);
    out[n] = 0xee; /* guard: nothing past out_len is written */
    CHECK_EQ_INT(crypto_pbkdf2_sha256(v->password, v->password_len, v->salt, v->salt_len,
                                      v->iterations, out, n),
                 CRYPTO_OK);
    CHECK_EQ_MEM(out, expect, n);
    CHECK_EQ_INT(out[n], 0xee);
}

TEST(pbkdf2_c1)
{
    check_pbkdf2_vector(&pbkdf2_vectors[0]);
}

TEST(pbkdf2_c2)
{
    check_pbkdf2_vector(&pbkdf2_vectors[1]);
}

TEST(pbkdf2_c4096)
{
    check_pbkdf2_vector(&pbkdf2_vectors[2]);
}

TEST(pbkdf2_long_c4096_dk40)
{
    check_pbkdf2_vector(&pbkdf2_vectors[3]);
}

TEST(pbkdf2_embedded_nul)
{
    check_pbkdf2_vector(&pbkdf2_vectors[4]);
}

TEST(pbkdf2_rfc7914_c1_dk64)
{
    check_pbkdf2_vector(&pbkdf2_vectors[5]);
}

TEST(pbkdf2_edges)
{
    uint8_t full[32], part[20], a[32], b[32];

    /* Shorter output is a prefix of longer output. */
    CHECK_EQ_INT(crypto_pbkdf2_sha256("password", 8, "salt", 4, 2, full, sizeof full), CRYPTO_OK);
    CHECK_EQ_INT(crypto_pbkdf2_sha256("password", 8, "salt", 4, 2, part, sizeof part), CRYPTO_OK);
    CHECK_EQ_MEM(full, part, sizeof part);
    /* Zero iterations is not PBKDF2; zero output bytes is trivially done. */
    CHECK_EQ_INT(crypto_pbkdf2_sha256("password", 8, "salt", 4, 0, full, sizeof full),
                 CRYPTO_EFAIL);
    CHECK_EQ_INT(crypto_pbkdf2_sha256("password", 8, "salt", 4, 1, full, 0), CRYPTO_OK);
    /* An empty password is the zero-padded HMAC key, the same as a single NUL. */
    CHECK_EQ_INT(crypto_pbkdf2_sha256("", 0, "salt", 4, 3, a, sizeof a), CRYPTO_OK);
    CHECK_EQ_INT(crypto_pbkdf2_sha256("\0", 1, "salt", 4, 3, b, sizeof b), CRYPTO_OK);
    CHECK_EQ_MEM(a, b, sizeof a);
    /* An empty salt is allowed. */
    CHECK_EQ_INT(crypto_pbkdf2_sha256("password", 8, NULL, 0, 3, a, sizeof a), CRYPTO_OK);
}

/* ---- RNG, comparison, wiping, identity ---- */

TEST(random_bytes)
{
    uint8_t a[32], b[32], big[4096];
    size_t i, nonzero = 0;

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_EQ_INT(crypto_random(a, sizeof a), CRYPTO_OK);
    CHECK_EQ_INT(crypto_random(b, sizeof b), CRYPTO_OK);
    /* 2^-256 chance of a false failure. */
    CHECK(memcmp(a, b, sizeof a) != 0);
    for (i = 0; i < sizeof a; i++)
        nonzero += a[i] != 0;
    CHECK(nonzero > 0);
    /* Odd sizes and nothing at all. */
    CHECK_EQ_INT(crypto_random(big, sizeof big), CRYPTO_OK);
    CHECK_EQ_INT(crypto_random(big, 1), CRYPTO_OK);
    CHECK_EQ_INT(crypto_random(big, 0), CRYPTO_OK);
}

TEST(equal_constant_time_compare)
{
    uint8_t a[33], b[33];
    size_t i;

    for (i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)(i * 13);
    CHECK_EQ_INT(crypto_equal(a, b, sizeof a), 1);
    CHECK_EQ_INT(crypto_equal(a, b, 0), 1);
    CHECK_EQ_INT(crypto_equal(NULL, NULL, 0), 1);
    for (i = 0; i < sizeof a; i++) {
        b[i] ^= 0x80;
        CHECK_EQ_INT(crypto_equal(a, b, sizeof a), 0);
        b[i] ^= 0x81;
        CHECK_EQ_INT(crypto_equal(a, b, sizeof a), 0);
        b[i] ^= 0x01;
        CHECK_EQ_INT(crypto_equal(a, b, sizeof a), 1);
    }
    /* A difference past n is ignored. */
    b[32] ^= 0xff;
    CHECK_EQ_INT(crypto_equal(a, b, 32), 1);
}

TEST(wipe_clears)
{
    uint8_t buf[40];
    static const uint8_t zeros[40] = {0};

    memset(buf, 0xab, sizeof buf);
    crypto_wipe(buf + 1, 38);
    CHECK_EQ_INT(buf[0], 0xab);
    CHECK_EQ_MEM(buf + 1, zeros, 38);
    CHECK_EQ_INT(buf[39], 0xab);
    crypto_wipe(NULL, 0);
}

TEST(init_and_backend_name)
{
    const char *name;

    CHECK_EQ_INT(crypto_init(), CRYPTO_OK);
    CHECK_EQ_INT(crypto_init(), CRYPTO_OK); /* idempotent */
    name = crypto_backend_name();
    REQUIRE(name != NULL);
    CHECK(name[0] != '\0');
#ifdef _WIN32
    CHECK(strstr(name, "CNG") != NULL);
#else
    CHECK(strncmp(name, "OpenSSL", 7) == 0);
#endif
}

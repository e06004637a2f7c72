/* test_cipher.c — frame ciphers: xor as specified, AES-256-GCM sealing with header
 * authentication, and refusal of tampered, replayed and reordered frames. */
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "crypto.h"
#include "test.h"

static const uint8_t KEY32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void say(proto_msg *m, const char *room, const char *text)
{
    memset(m, 0, sizeof *m);
    m->type = PT_SAY;
    m->tag = 42;
    m->room = proto_s(room);
    m->text = proto_s(text);
}

/* Reads the single frame in b (via a reader) into f; the reader owns the memory. */
static int one_frame(proto_reader *r, const buf *b, proto_frame *f)
{
    proto_reader_init(r, PROTO_MAX_FRAME_DEFAULT);
    if (proto_reader_feed(r, b->data, b->len) != PROTO_OK)
        return 0;
    return proto_reader_next(r, f) == 1;
}

TEST(xor_repeats_key_from_frame_start)
{
    static const uint8_t key[] = {'k', 'e', 'y'};
    uint8_t frame[PROTO_HEADER_SIZE + 5] = {0, 0, 0, 5, PROTO_VERSION, PT_SAY, 'h', 'e', 'l', 'l', 'o'};
    uint8_t expect[5];
    cipher_state c;
    size_t i, n = 0;

    for (i = 0; i < 5; i++)
        expect[i] = (uint8_t)("hello"[i] ^ key[i % 3]);
    REQUIRE(cipher_state_xor(&c, key, sizeof key) == PROTO_OK);
    CHECK_EQ_INT(cipher_overhead(PROTO_CIPHER_XOR), 0);
    REQUIRE(cipher_seal(&c, frame, 5) == PROTO_OK);
    CHECK_EQ_MEM(frame + PROTO_HEADER_SIZE, expect, 5);
    /* The header is never ciphered. */
    CHECK_EQ_INT(frame[5], PT_SAY);
    REQUIRE(cipher_open(&c, frame, frame + PROTO_HEADER_SIZE, 5, &n) == PROTO_OK);
    CHECK_EQ_INT(n, 5);
    CHECK_EQ_MEM(frame + PROTO_HEADER_SIZE, "hello", 5);
    cipher_state_free(&c);
}

TEST(xor_refuses_empty_key)
{
    cipher_state c;
    CHECK(cipher_state_xor(&c, (const uint8_t *)"", 0) != PROTO_OK);
}

TEST(names_parse_back)
{
    CHECK_EQ_STR(cipher_name(PROTO_CIPHER_XOR), "xor");
    CHECK_EQ_STR(cipher_name(PROTO_CIPHER_AES256GCM), "aes-256-gcm");
    CHECK_EQ_INT(cipher_parse("xor"), PROTO_CIPHER_XOR);
    CHECK_EQ_INT(cipher_parse("aes-256-gcm"), PROTO_CIPHER_AES256GCM);
    CHECK_EQ_INT(cipher_parse("rot13"), 0);
}

TEST(gcm_round_trip_and_text_hidden)
{
    cipher_state tx, rx;
    proto_msg m, got;
    proto_reader r;
    proto_frame f;
    buf b;
    const char *text = "meet at noon, bring the keys";

    REQUIRE(crypto_init() == CRYPTO_OK);
    REQUIRE(cipher_state_gcm(&tx, KEY32) == PROTO_OK);
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);
    buf_init(&b);
    say(&m, "lobby", text);
    REQUIRE(cipher_encode(&tx, &m, &b) == PROTO_OK);
    /* Neither the text nor the room name may be visible in the sealed frame. */
    CHECK(b.len > strlen(text) + CRYPTO_GCM_TAG_SIZE);
    {
        size_t i;
        int found = 0;
        for (i = 0; i + 5 <= b.len; i++)
            found |= memcmp(b.data + i, "lobby", 5) == 0 || memcmp(b.data + i, "noon,", 5) == 0;
        CHECK(!found);
    }
    REQUIRE(one_frame(&r, &b, &f));
    REQUIRE(cipher_decode(&rx, &f, &got) == PROTO_OK);
    CHECK_EQ_INT(got.tag, 42);
    CHECK(got.text.n == strlen(text) && memcmp(got.text.p, text, got.text.n) == 0);
    proto_reader_free(&r);
    buf_free(&b);
    cipher_state_free(&tx);
    cipher_state_free(&rx);
}

/* Seals one SAY into b with a fresh sender, returns via the reader the frame, and checks that
 * flipping the byte at offset `at` makes it fail to open. */
static void tamper_at(size_t at)
{
    cipher_state tx, rx;
    proto_msg m, got;
    proto_reader r;
    proto_frame f;
    buf b;
    int rc;

    REQUIRE(cipher_state_gcm(&tx, KEY32) == PROTO_OK);
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);
    buf_init(&b);
    say(&m, "lobby", "hello");
    REQUIRE(cipher_encode(&tx, &m, &b) == PROTO_OK);
    REQUIRE(at < b.len);
    if (at < 4) {
        /* Length bytes: changing them changes framing; instead re-tag the type byte below. */
        at = 5;
    }
    b.data[at] ^= 0x01;
    proto_reader_init(&r, PROTO_MAX_FRAME_DEFAULT);
    REQUIRE(proto_reader_feed(&r, b.data, b.len) == PROTO_OK);
    rc = proto_reader_next(&r, &f);
    if (rc == 1)
        CHECK_EQ_INT(cipher_decode(&rx, &f, &got), CIPHER_E_AUTH);
    else
        CHECK(rc < 0); /* a header change the reader itself refuses (e.g. unknown type) */
    proto_reader_free(&r);
    buf_free(&b);
    cipher_state_free(&tx);
    cipher_state_free(&rx);
}

TEST(gcm_tamper_any_byte_fails)
{
    size_t at;
    REQUIRE(crypto_init() == CRYPTO_OK);
    /* The type byte (header, authenticated), every body byte and every tag byte. */
    for (at = 5; at < PROTO_HEADER_SIZE + 2 + 4 + 5 + 2 + 5 + CRYPTO_GCM_TAG_SIZE; at++)
        tamper_at(at);
}

/* Seals "one" then "two" under a fresh GCM state tx, each frame in its own buffer (the caller
 * frees both buffers and tx). 1 on success. */
static int two_frames(cipher_state *tx, buf *first, buf *second)
{
    proto_msg m;

    buf_init(first);
    buf_init(second);
    cipher_state_plain(tx);
    if (crypto_init() != CRYPTO_OK || cipher_state_gcm(tx, KEY32) != PROTO_OK)
        return 0;
    say(&m, "lobby", "one");
    if (cipher_encode(tx, &m, first) != PROTO_OK)
        return 0;
    say(&m, "lobby", "two");
    return cipher_encode(tx, &m, second) == PROTO_OK;
}

/* Opens the one frame in b with rx: the cipher_decode status, or PROTO_E_NOMEM if b holds no
 * whole frame; with `text`, a frame that opens must also carry that text. */
static int open_one(cipher_state *rx, const buf *b, const char *text)
{
    proto_reader r;
    proto_frame f;
    proto_msg got;
    int rc = PROTO_E_NOMEM;

    if (one_frame(&r, b, &f)) {
        rc = cipher_decode(rx, &f, &got);
        if (rc == PROTO_OK && text &&
            (got.text.n != strlen(text) || memcmp(got.text.p, text, got.text.n) != 0))
            rc = CIPHER_E_FAIL;
    }
    proto_reader_free(&r);
    return rc;
}

TEST(gcm_replay_and_reorder_fail)
{
    cipher_state tx, rx;
    buf first, second;

    REQUIRE(two_frames(&tx, &first, &second));

    /* Replay: frame one twice. */
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);
    CHECK_EQ_INT(open_one(&rx, &first, "one"), PROTO_OK);
    CHECK_EQ_INT(open_one(&rx, &first, NULL), CIPHER_E_AUTH);
    cipher_state_free(&rx);

    /* Reorder: frame two first. */
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);
    CHECK_EQ_INT(open_one(&rx, &second, NULL), CIPHER_E_AUTH);
    cipher_state_free(&rx);

    buf_free(&first);
    buf_free(&second);
    cipher_state_free(&tx);
}

/* A skipped frame moves the nonce on: the frame after it opens, the skipped one no longer does. */
TEST(gcm_skip_steps_past_one_frame)
{
    cipher_state tx, rx;
    buf first, second;

    REQUIRE(two_frames(&tx, &first, &second));
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);

    CHECK_EQ_INT(cipher_skip(&rx), PROTO_OK);
    CHECK_EQ_INT(open_one(&rx, &second, "two"), PROTO_OK);
    CHECK_EQ_INT(open_one(&rx, &first, NULL), CIPHER_E_AUTH);

    buf_free(&first);
    buf_free(&second);
    cipher_state_free(&rx);
    cipher_state_free(&tx);
}

/* A state put to rest between frames (the idle-connection case) seals and opens exactly as one
 * that never rested: same bytes, and the nonce sequence goes on. */
TEST(gcm_rest_between_frames_changes_nothing)
{
    cipher_state tx, rested, rx;
    proto_msg m;
    buf first, second, again;

    REQUIRE(two_frames(&tx, &first, &second));
    REQUIRE(cipher_state_gcm(&rested, KEY32) == PROTO_OK);
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);
    buf_init(&again);
    say(&m, "lobby", "one");
    REQUIRE(cipher_encode(&rested, &m, &again) == PROTO_OK);
    cipher_state_rest(&rested);
    say(&m, "lobby", "two");
    REQUIRE(cipher_encode(&rested, &m, &again) == PROTO_OK);
    REQUIRE(again.len == first.len + second.len);
    CHECK_EQ_MEM(again.data, first.data, first.len);
    CHECK_EQ_MEM(again.data + first.len, second.data, second.len);

    CHECK_EQ_INT(open_one(&rx, &first, "one"), PROTO_OK);
    cipher_state_rest(&rx);
    cipher_state_rest(&rx); /* twice is the same as once */
    CHECK_EQ_INT(open_one(&rx, &second, "two"), PROTO_OK);

    buf_free(&first);
    buf_free(&second);
    buf_free(&again);
    cipher_state_free(&rx);
    cipher_state_free(&rested);
    cipher_state_free(&tx);
}

TEST(gcm_same_text_differs_per_frame)
{
    cipher_state tx;
    proto_msg m;
    buf a, b;

    REQUIRE(crypto_init() == CRYPTO_OK);
    REQUIRE(cipher_state_gcm(&tx, KEY32) == PROTO_OK);
    buf_init(&a);
    buf_init(&b);
    say(&m, "lobby", "same words");
    REQUIRE(cipher_encode(&tx, &m, &a) == PROTO_OK);
    REQUIRE(cipher_encode(&tx, &m, &b) == PROTO_OK);
    REQUIRE(a.len == b.len);
    CHECK(memcmp(a.data, b.data, a.len) != 0);
    buf_free(&a);
    buf_free(&b);
    cipher_state_free(&tx);
}

TEST(gcm_short_body_fails)
{
    cipher_state rx;
    uint8_t header[PROTO_HEADER_SIZE] = {0, 0, 0, 4, PROTO_VERSION, PT_SAY};
    uint8_t body[4] = {1, 2, 3, 4};
    size_t n;

    REQUIRE(crypto_init() == CRYPTO_OK);
    REQUIRE(cipher_state_gcm(&rx, KEY32) == PROTO_OK);
    CHECK_EQ_INT(cipher_open(&rx, header, body, sizeof body, &n), CIPHER_E_AUTH);
    cipher_state_free(&rx);
}

TEST(wrong_gcm_key_fails)
{
    cipher_state tx, rx;
    uint8_t other[32];
    proto_msg m, got;
    proto_reader r;
    proto_frame f;
    buf b;

    REQUIRE(crypto_init() == CRYPTO_OK);
    memcpy(other, KEY32, 32);
    other[31] ^= 0x80;
    REQUIRE(cipher_state_gcm(&tx, KEY32) == PROTO_OK);
    REQUIRE(cipher_state_gcm(&rx, other) == PROTO_OK);
    buf_init(&b);
    say(&m, "lobby", "hello");
    REQUIRE(cipher_encode(&tx, &m, &b) == PROTO_OK);
    REQUIRE(one_frame(&r, &b, &f));
    CHECK_EQ_INT(cipher_decode(&rx, &f, &got), CIPHER_E_AUTH);
    proto_reader_free(&r);
    buf_free(&b);
    cipher_state_free(&tx);
    cipher_state_free(&rx);
}

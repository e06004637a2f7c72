/* fuzz_hs_client.c — libFuzzer target: the client side of the handshake (hs_client_on_frame) for
 * both ciphers, fed fuzzed server frames at each step after a valid prefix.
 *
 * Input: byte 0 chooses the cipher (bit 0: xor, else aes-256-gcm; bit 1: the client offers
 * both) and the mode (bits 2-3); the rest is the payload:
 *   mode 0: the payload is the whole stream from the server, answering the client's HELLO;
 *   mode 1: a real server's CHALLENGE is taken and the client's PROOF accepted by it; the
 *           payload is the stream that follows (where the WELCOME belongs);
 *   mode 2: as 1, then the payload is one WELCOME body that the test seals with the server's
 *           real s2c cipher, so it passes authentication and reaches the decoder and MAC check
 *           (first byte: odd = PT_WELCOME, even = the payload's next byte is the type);
 *   mode 3: as 2, but the body starts with the server's correct MAC.
 * Bit 4 of byte 0: the client has an account password, and in modes 2 and 3 the server's
 * empty LOGIN ("log in") is sealed and fed first, so the fuzzed frame meets a client that is
 * in the middle of an account login (client-first sent). A server-first asking for more than
 * SCRAM's minimum iterations is skipped, like a costly CHALLENGE.
 * Bit 5 of byte 0: the client can sign on with Windows (a stand-in for the security library:
 * its token is "T1", a server token starting with 'K' completes it, 'E' fails it, and only
 * the MIC "GOOD" verifies), and in modes 2 and 3 the server's empty SIGNON is sealed and fed
 * first, so the fuzzed frame meets a client in the middle of a sign-on: it must never take a
 * WELCOME before the server's binding MIC verified.
 * Checked: no crash, leak or UB; a failure has a code and a reason; HS_DONE only with the
 * server's correct MAC. A CHALLENGE asking for more key stretching than the minimum is skipped:
 * its cost (up to HS_ITERATIONS_MAX) is by design, and would only slow the fuzzer down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

/* The stand-in sign-on: deterministic, no KDC. */
static void signon_reset(void *ctx)
{
    (void)ctx;
}

static int signon_step(void *ctx, const uint8_t *in, size_t in_len, buf *out, int *complete,
                       char *why, size_t why_size)
{
    (void)ctx;
    *complete = 0;
    if (!in) {
        buf_append(out, "T1", 2);
        return 0;
    }
    if (in_len && in[0] == 'E') {
        snprintf(why, why_size, "stand-in refusal");
        return -1;
    }
    if (in_len && in[0] == 'K')
        *complete = 1;
    else
        buf_append(out, "T2", 2);
    return 0;
}

static int signon_bind_make(void *ctx, const uint8_t *hash, size_t hash_len, buf *mic,
                            char *why, size_t why_size)
{
    (void)ctx;
    (void)why;
    (void)why_size;
    FUZZ_ASSERT(hash_len == HS_KEY_SIZE);
    buf_append(mic, hash, 4);
    return 0;
}

static int signon_bind_check(void *ctx, const uint8_t *hash, size_t hash_len, const uint8_t *mic,
                             size_t mic_len, char *why, size_t why_size)
{
    (void)ctx;
    (void)hash;
    FUZZ_ASSERT(hash_len == HS_KEY_SIZE);
    if (mic_len == 4 && memcmp(mic, "GOOD", 4) == 0)
        return 0;
    snprintf(why, why_size, "stand-in MIC mismatch");
    return -1;
}

static const hs_signon_ops signon_ops = {signon_reset, signon_step, signon_bind_make,
                                         signon_bind_check};

static const uint8_t AES[] = {PROTO_CIPHER_AES256GCM};
static const uint8_t XOR[] = {PROTO_CIPHER_XOR};
static const uint8_t BOTH[] = {PROTO_CIPHER_AES256GCM, PROTO_CIPHER_XOR};

typedef struct run {
    hs_server_config cfg;
    hs_server srv;
    hs_client cli;
    buf out;  /* what the server sends */
    buf cout; /* what the client sends */
} run;

static hs_result feed_client(run *t, proto_frame *f)
{
    proto_msg m;
    hs_result res = hs_client_on_frame(&t->cli, f, &m, &t->cout);

    if (res == HS_FAILED) {
        FUZZ_ASSERT(t->cli.code != PC_OK);
        FUZZ_ASSERT(t->cli.reason[0] != '\0');
    }
    return res;
}

/* 1 if the frame is a CHALLENGE that would make the client run a slow PBKDF2. */
static int costly_challenge(const proto_frame *f)
{
    proto_msg m;
    uint8_t *body;
    int costly = 0;

    if (f->type != PT_CHALLENGE)
        return 0;
    /* Decode a copy: decoding must not disturb the frame the client is about to see. */
    body = malloc(f->len ? f->len : 1);
    if (!body)
        return 1;
    if (f->len)
        memcpy(body, f->body, f->len);
    if (proto_decode(f->type, body, f->len, &m) == PROTO_OK)
        costly = m.iterations > HS_ITERATIONS_MIN;
    free(body);
    return costly;
}

static void feed_stream(run *t, const uint8_t *p, size_t n)
{
    proto_reader r;
    proto_frame f;

    proto_reader_init(&r, 0);
    if (proto_reader_feed(&r, p, n) == PROTO_OK)
        while (proto_reader_next(&r, &f) == 1) {
            hs_result res;
            if (costly_challenge(&f))
                break;
            res = feed_client(t, &f);
            if (res == HS_DONE) {
                cipher_state_free(&t->cli.tx);
                cipher_state_free(&t->cli.rx);
            }
            if (res != HS_CONTINUE)
                break;
        }
    proto_reader_free(&r);
}

/* HELLO from the real client; CHALLENGE from the real server; PROOF accepted by the server.
 * Returns 1 when the client is waiting for its WELCOME. */
static int valid_prefix(run *t)
{
    proto_reader r;
    proto_frame f;
    proto_msg m;
    hs_result res;

    if (!fuzz_take_frame(&r, t->cout.data, t->cout.len, &f))
        fuzz_fail("client HELLO unreadable");
    res = hs_server_on_frame(&t->srv, &t->cfg, &f, &m, &t->out);
    proto_reader_free(&r);
    if (res != HS_CONTINUE)
        return 0;
    buf_reset(&t->cout);
    if (!fuzz_take_frame(&r, t->out.data, t->out.len, &f))
        fuzz_fail("server CHALLENGE unreadable");
    res = feed_client(t, &f);
    proto_reader_free(&r);
    FUZZ_ASSERT(res == HS_CONTINUE);
    if (!fuzz_take_frame(&r, t->cout.data, t->cout.len, &f))
        fuzz_fail("client PROOF unreadable");
    buf_reset(&t->out);
    res = hs_server_on_frame(&t->srv, &t->cfg, &f, &m, &t->out);
    proto_reader_free(&r);
    FUZZ_ASSERT(res == HS_DONE);
    return 1;
}

/* Seals body as a server frame with the server's tx (still at sequence 0: it has sent nothing
 * ciphered yet) and feeds it to the client. */
static hs_result feed_sealed(run *t, uint8_t type, const uint8_t *body, size_t n)
{
    size_t tail = cipher_overhead(t->srv.tx.id);
    proto_reader r;
    proto_frame f;
    buf frame;
    hs_result res = HS_FAILED;

    buf_init(&frame);
    if (buf_reserve(&frame, PROTO_HEADER_SIZE + n + tail)) {
        be_put32(frame.data, (uint32_t)(n + tail));
        frame.data[4] = PROTO_VERSION;
        frame.data[5] = type;
        if (n)
            memcpy(frame.data + PROTO_HEADER_SIZE, body, n);
        frame.len = PROTO_HEADER_SIZE + n + tail;
        if (cipher_seal(&t->srv.tx, frame.data, n) != PROTO_OK)
            fuzz_fail("seal");
        if (fuzz_take_frame(&r, frame.data, frame.len, &f))
            res = feed_client(t, &f);
        proto_reader_free(&r);
    }
    buf_free(&frame);
    return res;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run *t;
    const uint8_t *offer, *p;
    size_t noffer, n;
    int mode;

    if (size < 1)
        return 0;
    mode = (data[0] >> 2) & 3;
    if (data[0] & 2) {
        offer = BOTH;
        noffer = sizeof BOTH;
    } else {
        offer = data[0] & 1 ? XOR : AES;
        noffer = 1;
    }
    p = data + 1;
    n = size - 1;

    t = calloc(1, sizeof *t);
    if (!t)
        return 0;
    fuzz_server_config(&t->cfg, data[0] & 1 ? XOR : AES, 1);
    hs_server_init(&t->srv);
    buf_init(&t->out);
    buf_init(&t->cout);
    fuzz_client_prime(&t->cli);
    if (data[0] & 16)
        hs_client_set_password(&t->cli, "fuzz password", 13);
    if (data[0] & 32)
        hs_client_set_signon(&t->cli, &signon_ops, NULL);
    if (hs_client_start(&t->cli, FUZZ_SECRET, strlen(FUZZ_SECRET), offer, noffer, "fuzzer",
                        "fuzz-agent", &t->cout) != PROTO_OK)
        fuzz_fail("hs_client_start");

    if (mode == 0) {
        feed_stream(t, p, n);
    } else if (valid_prefix(t)) {
        uint8_t mac[PROTO_MAC_SIZE];
        if (hs_proof(&t->cli.keys, 1, mac) != PROTO_OK)
            fuzz_fail("hs_proof");
        if ((data[0] & 16) && mode >= 2) {
            /* An account login begins: the client answers with its client-first. */
            FUZZ_ASSERT(feed_sealed(t, PT_LOGIN, (const uint8_t *)"\0\0", 2) == HS_CONTINUE);
            if (fuzz_scram_costly(p, n))
                goto done;
        }
        if ((data[0] & 32) && mode >= 2) {
            /* A Windows sign-on begins: the client answers with its first token. */
            FUZZ_ASSERT(feed_sealed(t, PT_SIGNON, (const uint8_t *)"\0\0", 2) == HS_CONTINUE);
            FUZZ_ASSERT(t->cli.server_auth == HS_AUTH_WINDOWS && !t->cli.signed_on);
        }
        if (mode == 1) {
            feed_stream(t, p, n);
        } else if (mode == 2) {
            uint8_t type = PT_WELCOME;
            if (n > 0) {
                if (!(p[0] & 1) && n > 1) {
                    type = p[1];
                    p++;
                    n--;
                }
                p++;
                n--;
            }
            if (feed_sealed(t, type, p, n) == HS_DONE) {
                /* Only the server's correct MAC may complete the handshake. */
                FUZZ_ASSERT(type == PT_WELCOME && n >= PROTO_MAC_SIZE);
                FUZZ_ASSERT(memcmp(mac, p, PROTO_MAC_SIZE) == 0);
                cipher_state_free(&t->cli.tx);
                cipher_state_free(&t->cli.rx);
            }
        } else {
            uint8_t *body = malloc(PROTO_MAC_SIZE + n);
            if (body) {
                memcpy(body, mac, PROTO_MAC_SIZE);
                if (n)
                    memcpy(body + PROTO_MAC_SIZE, p, n);
                if (feed_sealed(t, PT_WELCOME, body, PROTO_MAC_SIZE + n) == HS_DONE) {
                    FUZZ_ASSERT(t->cli.welcome_nick[PROTO_NICK_MAX] == '\0');
                    /* A sign-on that started must have been bound first. */
                    FUZZ_ASSERT(!(data[0] & 32) || t->cli.signed_on);
                    cipher_state_free(&t->cli.tx);
                    cipher_state_free(&t->cli.rx);
                }
                free(body);
            }
        }
    }

done:
    hs_server_free(&t->srv);
    hs_client_free(&t->cli);
    buf_free(&t->out);
    buf_free(&t->cout);
    free(t);
    return 0;
}

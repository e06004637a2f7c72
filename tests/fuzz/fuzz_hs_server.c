/* fuzz_hs_server.c — libFuzzer target: the server side of the handshake (hs_server_on_frame and
 * hs_server_welcome) for both ciphers, fed fuzzed frames at each step after a valid prefix.
 *
 * Input: byte 0 chooses the cipher (bit 0: xor, else aes-256-gcm; bit 1: the server allows
 * both) and the mode (bits 2-3); the rest is the payload:
 *   mode 0: the payload is the whole stream from the client (frames from the first byte);
 *   mode 1: a real client's HELLO is answered first; the payload is the stream that follows;
 *   mode 2: as 1, then the payload is one PROOF body that the test seals with the client's real
 *           c2s cipher, so it passes authentication and reaches the decoder and MAC check
 *           (its first byte is the frame type: odd = PT_PROOF, even = the payload's next byte);
 *   mode 3: as 2, but the body starts with the correct MAC, so the fuzzer picks the nick (and
 *           whatever trails it) and reaches HS_DONE and the WELCOME.
 * Checked: no crash, leak or UB; a failure always leaves a plain ERROR in out; HS_DONE only
 * with the right MAC; the WELCOME a client receives completes its handshake. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

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

/* A failed handshake must tell the client why, readably: a plain ERROR frame. */
static void check_failure_reply(const run *t, size_t start)
{
    proto_reader r;
    proto_frame f;
    proto_msg m;

    FUZZ_ASSERT(t->out.len > start);
    FUZZ_ASSERT(fuzz_take_frame(&r, t->out.data + start, t->out.len - start, &f));
    FUZZ_ASSERT(f.type == PT_ERROR);
    FUZZ_ASSERT(proto_decode(f.type, f.body, f.len, &m) == PROTO_OK);
    FUZZ_ASSERT(m.code == t->srv.code && m.code != PC_OK);
    proto_reader_free(&r);
}

static hs_result feed_server(run *t, proto_frame *f)
{
    proto_msg m;
    size_t start = t->out.len;
    hs_result res = hs_server_on_frame(&t->srv, &t->cfg, f, &m, &t->out);

    if (res == HS_FAILED)
        check_failure_reply(t, start);
    return res;
}

/* Feeds the payload to the server as a stream of frames until it stops continuing. */
static void feed_stream(run *t, const uint8_t *p, size_t n)
{
    proto_reader r;
    proto_frame f;

    proto_reader_init(&r, 0);
    if (proto_reader_feed(&r, p, n) == PROTO_OK)
        while (proto_reader_next(&r, &f) == 1)
            if (feed_server(t, &f) != HS_CONTINUE)
                break;
    proto_reader_free(&r);
}

/* A real client's HELLO to the server, and the server's CHALLENGE back to the client (which
 * then derives its keys). Returns 1 when both went through. */
static int valid_prefix(run *t, const uint8_t *offer, size_t noffer)
{
    proto_reader r;
    proto_frame f;
    proto_msg m;
    size_t start;
    hs_result res;

    fuzz_client_prime(&t->cli);
    if (hs_client_start(&t->cli, FUZZ_SECRET, strlen(FUZZ_SECRET), offer, noffer, "fuzzer",
                        "fuzz-agent", &t->cout) != PROTO_OK)
        fuzz_fail("hs_client_start");
    if (!fuzz_take_frame(&r, t->cout.data, t->cout.len, &f))
        fuzz_fail("client HELLO unreadable");
    start = t->out.len;
    res = feed_server(t, &f);
    proto_reader_free(&r);
    if (res != HS_CONTINUE)
        return 0;
    if (!fuzz_take_frame(&r, t->out.data + start, t->out.len - start, &f))
        fuzz_fail("server CHALLENGE unreadable");
    buf_reset(&t->cout);
    res = hs_client_on_frame(&t->cli, &f, &m, &t->cout);
    proto_reader_free(&r);
    FUZZ_ASSERT(res == HS_CONTINUE);
    return 1;
}

/* Seals body as a frame of the given type with a fresh c2s cipher (sequence 0, exactly what the
 * server expects for the client's first ciphered frame) and feeds it to the server. */
static hs_result feed_sealed(run *t, uint8_t type, const uint8_t *body, size_t n)
{
    cipher_state tx;
    buf frame;
    proto_reader r;
    proto_frame f;
    size_t tail;
    hs_result res = HS_FAILED;

    if (t->cli.cipher == PROTO_CIPHER_XOR) {
        if (cipher_state_xor(&tx, (const uint8_t *)FUZZ_SECRET, strlen(FUZZ_SECRET)) != PROTO_OK)
            fuzz_fail("xor state");
    } else if (cipher_state_gcm(&tx, t->cli.keys.c2s) != PROTO_OK) {
        fuzz_fail("gcm state");
    }
    tail = cipher_overhead(tx.id);
    buf_init(&frame);
    if (buf_reserve(&frame, PROTO_HEADER_SIZE + n + tail)) {
        be_put32(frame.data, (uint32_t)(n + tail));
        frame.data[4] = PROTO_VERSION;
        frame.data[5] = type;
        if (n)
            memcpy(frame.data + PROTO_HEADER_SIZE, body, n);
        frame.len = PROTO_HEADER_SIZE + n + tail;
        if (cipher_seal(&tx, frame.data, n) != PROTO_OK)
            fuzz_fail("seal");
        /* The reader checks the header as a server would; an unknown type stops here. */
        if (fuzz_take_frame(&r, frame.data, frame.len, &f))
            res = feed_server(t, &f);
        proto_reader_free(&r);
    }
    buf_free(&frame);
    cipher_state_free(&tx);
    return res;
}

/* After HS_DONE: the WELCOME for the requested nick must complete the real client's side. */
static void finish_welcome(run *t, const proto_msg *proof)
{
    char nick[PROTO_NICK_MAX + 1];
    size_t n = proof->nick.n < PROTO_NICK_MAX ? proof->nick.n : PROTO_NICK_MAX;
    size_t start = t->out.len;
    proto_reader r;
    proto_frame f;
    proto_msg m;

    /* The chat core validates the nick before this call; a nick with a NUL cannot reach it. */
    memcpy(nick, proof->nick.p, n);
    nick[n] = '\0';
    if (hs_server_welcome(&t->srv, nick, PROTO_MAX_FRAME_DEFAULT, "motd", &t->out) != PROTO_OK)
        return;
    FUZZ_ASSERT(fuzz_take_frame(&r, t->out.data + start, t->out.len - start, &f));
    /* The test sealed the PROOF itself, so the client's own rx is still at sequence 0. */
    FUZZ_ASSERT(hs_client_on_frame(&t->cli, &f, &m, &t->cout) == HS_DONE);
    proto_reader_free(&r);
    /* The caller took the ciphers (HS_DONE): release them as the client library would. */
    cipher_state_free(&t->cli.tx);
    cipher_state_free(&t->cli.rx);
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
    int use_xor, mode;
    const uint8_t *offer, *p;
    size_t n;

    if (size < 1)
        return 0;
    use_xor = data[0] & 1;
    mode = (data[0] >> 2) & 3;
    offer = use_xor ? XOR : AES;
    p = data + 1;
    n = size - 1;

    t = calloc(1, sizeof *t);
    if (!t)
        return 0;
    if (data[0] & 2)
        fuzz_server_config(&t->cfg, BOTH, sizeof BOTH);
    else
        fuzz_server_config(&t->cfg, offer, 1);
    hs_server_init(&t->srv);
    buf_init(&t->out);
    buf_init(&t->cout);

    if (mode == 0) {
        feed_stream(t, p, n);
    } else if (valid_prefix(t, offer, 1)) {
        if (mode == 1) {
            feed_stream(t, p, n);
        } else if (mode == 2) {
            uint8_t type = PT_PROOF;
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
                /* Only the right MAC may get in, whatever else the body holds. */
                uint8_t mac[PROTO_MAC_SIZE];
                FUZZ_ASSERT(type == PT_PROOF && n >= PROTO_MAC_SIZE);
                FUZZ_ASSERT(hs_proof(&t->cli.keys, 0, mac) == PROTO_OK);
                FUZZ_ASSERT(memcmp(mac, p, PROTO_MAC_SIZE) == 0);
            }
        } else {
            uint8_t *body = malloc(PROTO_MAC_SIZE + n);
            proto_msg proof;
            if (body) {
                if (hs_proof(&t->cli.keys, 0, body) != PROTO_OK)
                    fuzz_fail("hs_proof");
                if (n)
                    memcpy(body + PROTO_MAC_SIZE, p, n);
                if (feed_sealed(t, PT_PROOF, body, PROTO_MAC_SIZE + n) == HS_DONE) {
                    /* Decode again to get the nick: the sealed frame is gone, body is plain. */
                    FUZZ_ASSERT(proto_decode(PT_PROOF, body, PROTO_MAC_SIZE + n, &proof) ==
                                PROTO_OK);
                    finish_welcome(t, &proof);
                }
                free(body);
            }
        }
    }

    hs_server_free(&t->srv);
    hs_client_free(&t->cli);
    buf_free(&t->out);
    buf_free(&t->cout);
    free(t);
    return 0;
}

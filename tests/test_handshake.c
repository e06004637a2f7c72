/* test_handshake.c — the handshake end to end in memory: both ciphers, wrong keys on either
 * side, cipher negotiation, a tampered negotiation, the ECDH exchange (forward secrecy) and its
 * tampering, and messages flowing afterwards. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "handshake.h"
#include "keyholder.h"
#include "scram.h"
#include "test.h"

#define TEST_ITERATIONS 1000u /* the minimum, to keep tests quick */

typedef struct pair {
    hs_client c;
    hs_server s;
    hs_server_config cfg;
    proto_reader to_server, to_client;
    buf wire;
    proto_msg msg;
    proto_frame f;
    buf *rec_c2s, *rec_s2c; /* when set, everything delivered is also recorded here */
} pair;

static void pair_init(pair *p, const char *server_secret, const uint8_t *allowed, size_t nallowed)
{
    memset(p, 0, sizeof *p);
    p->cfg.secret = (const uint8_t *)server_secret;
    p->cfg.secret_len = strlen(server_secret);
    memset(p->cfg.salt, 0x5a, sizeof p->cfg.salt);
    p->cfg.iterations = TEST_ITERATIONS;
    memcpy(p->cfg.allowed, allowed, nallowed);
    p->cfg.nallowed = (uint8_t)nallowed;
    p->cfg.server_name = "test server";
    CHECK(hs_master(p->cfg.secret, p->cfg.secret_len, p->cfg.salt, p->cfg.iterations,
                    p->cfg.master) == PROTO_OK);
    hs_server_init(&p->s);
    proto_reader_init(&p->to_server, PROTO_MAX_FRAME_DEFAULT);
    proto_reader_init(&p->to_client, PROTO_MAX_FRAME_DEFAULT);
    buf_init(&p->wire);
}

static void pair_free(pair *p)
{
    hs_client_free(&p->c);
    hs_server_free(&p->s);
    proto_reader_free(&p->to_server);
    proto_reader_free(&p->to_client);
    buf_free(&p->wire);
}

/* Moves everything in p->wire into reader r and takes the next frame. */
static int deliver(pair *p, proto_reader *r)
{
    buf *rec = r == &p->to_server ? p->rec_c2s : p->rec_s2c;
    int rc;
    if (rec)
        buf_append(rec, p->wire.data, p->wire.len);
    rc = proto_reader_feed(r, p->wire.data, p->wire.len);
    buf_reset(&p->wire);
    if (rc != PROTO_OK)
        return 0;
    return proto_reader_next(r, &p->f) == 1;
}

/* Runs the handshake; returns the final client result. */
static hs_result run(pair *p, const char *client_secret, const uint8_t *offer, size_t noffer,
                     hs_result *server_result)
{
    hs_result rc;

    *server_result = HS_CONTINUE;
    if (hs_client_start(&p->c, client_secret, strlen(client_secret), offer, noffer, "alice",
                        "parley-test", &p->wire) != PROTO_OK)
        return HS_FAILED;
    if (!deliver(p, &p->to_server))
        return HS_FAILED;
    *server_result = hs_server_on_frame(&p->s, &p->cfg, &p->f, &p->msg, &p->wire);
    if (!deliver(p, &p->to_client))
        return HS_FAILED;
    rc = hs_client_on_frame(&p->c, &p->f, &p->msg, &p->wire);
    if (rc != HS_CONTINUE)
        return rc;
    if (!deliver(p, &p->to_server))
        return HS_FAILED;
    *server_result = hs_server_on_frame(&p->s, &p->cfg, &p->f, &p->msg, &p->wire);
    if (*server_result == HS_DONE) {
        CHECK(p->msg.nick.n == 5 && memcmp(p->msg.nick.p, "alice", 5) == 0);
        CHECK(hs_server_welcome(&p->s, "alice", 65536, "welcome to the test", &p->wire) ==
              PROTO_OK);
    }
    if (!deliver(p, &p->to_client))
        return HS_FAILED;
    return hs_client_on_frame(&p->c, &p->f, &p->msg, &p->wire);
}

/* After a handshake, one SAY from client to server and one MSG back must arrive intact. */
static void chat_both_ways(pair *p)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_SAY;
    m.room = proto_s("lobby");
    m.text = proto_s("hi server");
    REQUIRE(cipher_encode(&p->c.tx, &m, &p->wire) == PROTO_OK);
    REQUIRE(deliver(p, &p->to_server));
    REQUIRE(cipher_decode(&p->s.rx, &p->f, &p->msg) == PROTO_OK);
    CHECK(p->msg.text.n == 9 && memcmp(p->msg.text.p, "hi server", 9) == 0);

    memset(&m, 0, sizeof m);
    m.type = PT_MSG;
    m.id = 1;
    m.time = 1700000000000ull;
    m.room = proto_s("lobby");
    m.nick = proto_s("alice");
    m.text = proto_s("hi server");
    REQUIRE(cipher_encode(&p->s.tx, &m, &p->wire) == PROTO_OK);
    REQUIRE(deliver(p, &p->to_client));
    REQUIRE(cipher_decode(&p->c.rx, &p->f, &p->msg) == PROTO_OK);
    CHECK_EQ_INT(p->msg.id, 1);
}

static const uint8_t BOTH[] = {PROTO_CIPHER_AES256GCM, PROTO_CIPHER_XOR};
static const uint8_t AES_ONLY[] = {PROTO_CIPHER_AES256GCM};
static const uint8_t XOR_ONLY[] = {PROTO_CIPHER_XOR};

TEST(aes_handshake_and_chat)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", BOTH, 2);
    CHECK_EQ_INT(run(&p, "correct horse", BOTH, 2, &srv), HS_DONE);
    CHECK_EQ_INT(srv, HS_DONE);
    CHECK_EQ_INT(p.c.cipher, PROTO_CIPHER_AES256GCM);
    CHECK_EQ_STR(p.c.welcome_nick, "alice");
    CHECK_EQ_STR(p.c.server_name, "test server");
    CHECK_EQ_INT(p.c.max_frame, 65536);
    chat_both_ways(&p);
    pair_free(&p);
}

TEST(xor_handshake_and_chat)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", XOR_ONLY, 1);
    CHECK_EQ_INT(run(&p, "correct horse", BOTH, 2, &srv), HS_DONE);
    CHECK_EQ_INT(p.c.cipher, PROTO_CIPHER_XOR);
    chat_both_ways(&p);
    pair_free(&p);
}

static void wrong_key(const uint8_t *allowed, size_t n)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", allowed, n);
    CHECK_EQ_INT(run(&p, "battery staple", allowed, n, &srv), HS_FAILED);
    CHECK_EQ_INT(srv, HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_WRONG_KEY);
    CHECK_EQ_INT(p.c.code, PC_WRONG_KEY);
    CHECK(strstr(p.c.reason, "wrong key") != NULL);
    /* Nothing of either secret appears in what the server said. */
    CHECK(strstr(p.s.reason, "horse") == NULL && strstr(p.s.reason, "staple") == NULL);
    pair_free(&p);
}

TEST(wrong_key_aes)
{
    wrong_key(AES_ONLY, 1);
}

TEST(wrong_key_xor)
{
    wrong_key(XOR_ONLY, 1);
}

TEST(no_cipher_in_common)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", AES_ONLY, 1);
    CHECK_EQ_INT(run(&p, "k", XOR_ONLY, 1, &srv), HS_FAILED);
    CHECK_EQ_INT(srv, HS_FAILED);
    CHECK_EQ_INT(p.c.code, PC_NO_CIPHER);
    pair_free(&p);
}

TEST(server_prefers_its_own_order)
{
    pair p;
    hs_result srv;
    static const uint8_t client_pref[] = {PROTO_CIPHER_XOR, PROTO_CIPHER_AES256GCM};
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", BOTH, 2);
    CHECK_EQ_INT(run(&p, "k", client_pref, 2, &srv), HS_DONE);
    CHECK_EQ_INT(p.c.cipher, PROTO_CIPHER_AES256GCM);
    pair_free(&p);
}

/* A man in the middle strips aes-256-gcm from HELLO to force xor: the proofs no longer match. */
TEST(downgrade_in_hello_is_detected)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", BOTH, 2);
    REQUIRE(hs_client_start(&p.c, "k", 1, BOTH, 2, "alice", "t", &p.wire) == PROTO_OK);
    /* HELLO body: version u16, cipher count u8, ids...; rewrite the first id to xor. */
    REQUIRE(p.wire.len > PROTO_HEADER_SIZE + 4);
    CHECK_EQ_INT(p.wire.data[PROTO_HEADER_SIZE + 3], PROTO_CIPHER_AES256GCM);
    p.wire.data[PROTO_HEADER_SIZE + 3] = PROTO_CIPHER_XOR;
    REQUIRE(deliver(&p, &p.to_server));
    CHECK_EQ_INT(hs_server_on_frame(&p.s, &p.cfg, &p.f, &p.msg, &p.wire), HS_CONTINUE);
    CHECK_EQ_INT(p.s.cipher, PROTO_CIPHER_XOR);
    REQUIRE(deliver(&p, &p.to_client));
    CHECK_EQ_INT(hs_client_on_frame(&p.c, &p.f, &p.msg, &p.wire), HS_CONTINUE);
    REQUIRE(deliver(&p, &p.to_server));
    srv = hs_server_on_frame(&p.s, &p.cfg, &p.f, &p.msg, &p.wire);
    CHECK_EQ_INT(srv, HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_WRONG_KEY);
    pair_free(&p);
}

/* A server that does not know the key cannot fake the welcome. */
TEST(forged_welcome_is_refused)
{
    pair p, fake;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "real key", XOR_ONLY, 1);
    pair_init(&fake, "guess", XOR_ONLY, 1);
    REQUIRE(hs_client_start(&p.c, "real key", 8, XOR_ONLY, 1, "alice", "t", &p.wire) == PROTO_OK);
    REQUIRE(deliver(&p, &fake.to_server));
    srv = hs_server_on_frame(&fake.s, &fake.cfg, &p.f, &p.msg, &p.wire);
    CHECK_EQ_INT(srv, HS_CONTINUE);
    REQUIRE(deliver(&p, &p.to_client));
    CHECK_EQ_INT(hs_client_on_frame(&p.c, &p.f, &p.msg, &p.wire), HS_CONTINUE);
    buf_reset(&p.wire); /* the fake server ignores the proof and welcomes anyway */
    REQUIRE(hs_server_welcome(&fake.s, "alice", 65536, "", &p.wire) == PROTO_OK);
    REQUIRE(deliver(&p, &p.to_client));
    CHECK_EQ_INT(hs_client_on_frame(&p.c, &p.f, &p.msg, &p.wire), HS_FAILED);
    CHECK_EQ_INT(p.c.code, PC_WRONG_KEY);
    pair_free(&p);
    pair_free(&fake);
}

TEST(frame_out_of_order_fails_cleanly)
{
    pair p;
    proto_msg m;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", BOTH, 2);
    memset(&m, 0, sizeof m);
    m.type = PT_PING;
    m.token = 9;
    REQUIRE(proto_encode(&m, 0, &p.wire) == PROTO_OK);
    REQUIRE(deliver(&p, &p.to_server));
    CHECK_EQ_INT(hs_server_on_frame(&p.s, &p.cfg, &p.f, &p.msg, &p.wire), HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_PROTOCOL);
    /* The refusal is a plain ERROR frame the client can read. */
    REQUIRE(deliver(&p, &p.to_client));
    CHECK_EQ_INT(p.f.type, PT_ERROR);
    pair_free(&p);
}

TEST(master_is_cached_across_reconnects)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", BOTH, 2);
    CHECK_EQ_INT(run(&p, "k", BOTH, 2, &srv), HS_DONE);
    CHECK(p.c.have_master);
    /* Second connection over the same client state: cipher states are reset, master kept. */
    cipher_state_free(&p.c.tx);
    cipher_state_free(&p.c.rx);
    hs_server_free(&p.s);
    hs_server_init(&p.s);
    proto_reader_free(&p.to_client);
    proto_reader_free(&p.to_server);
    CHECK_EQ_INT(run(&p, "k", BOTH, 2, &srv), HS_DONE);
    chat_both_ways(&p);
    pair_free(&p);
}

/* Runs HELLO, CHALLENGE and PROOF (not WELCOME) and takes both sides' session bindings. */
static void bindings_of(pair *p, uint8_t client[HS_KEY_SIZE], uint8_t server[HS_KEY_SIZE])
{
    REQUIRE(hs_client_start(&p->c, "correct horse", 13, AES_ONLY, 1, "alice", "parley-test",
                            &p->wire) == PROTO_OK);
    REQUIRE(deliver(p, &p->to_server));
    REQUIRE(hs_server_on_frame(&p->s, &p->cfg, &p->f, &p->msg, &p->wire) == HS_CONTINUE);
    REQUIRE(deliver(p, &p->to_client));
    REQUIRE(hs_client_on_frame(&p->c, &p->f, &p->msg, &p->wire) == HS_CONTINUE);
    REQUIRE(deliver(p, &p->to_server));
    REQUIRE(hs_server_on_frame(&p->s, &p->cfg, &p->f, &p->msg, &p->wire) == HS_DONE);
    REQUIRE(hs_binding(p->c.keys.auth, client) == PROTO_OK);
    REQUIRE(hs_binding(p->s.auth, server) == PROTO_OK);
}

/* A SCRAM login over these bindings; returns the server's verdict. */
static int scram_over(const uint8_t *client_binding, const uint8_t *server_binding)
{
    scram_binding cb = {HS_BINDING_NAME, client_binding, HS_KEY_SIZE};
    scram_binding sb = {HS_BINDING_NAME, server_binding, HS_KEY_SIZE};
    scram_verifier v;
    scram_client c;
    scram_server s;
    uint8_t salt[16] = {1};
    char user[64], m1[SCRAM_MSG_MAX], m2[SCRAM_MSG_MAX], m3[SCRAM_MSG_MAX], m4[SCRAM_MSG_MAX];
    int rc;

    if (scram_verifier_make("pw", 2, salt, sizeof salt, SCRAM_ITERATIONS_MIN, &v) != SCRAM_OK ||
        scram_client_first(&c, "alice", 5, &cb, NULL, m1, sizeof m1) != SCRAM_OK ||
        scram_server_start(&s, m1, strlen(m1), &sb, user, sizeof user) != SCRAM_OK ||
        scram_server_first(&s, &v, NULL, m2, sizeof m2) != SCRAM_OK ||
        scram_client_final(&c, m2, strlen(m2), "pw", 2, m3, sizeof m3) != SCRAM_OK)
        return -100;
    rc = scram_server_final(&s, m3, strlen(m3), m4, sizeof m4);
    if (rc == SCRAM_OK && scram_client_check(&c, m4, strlen(m4)) != SCRAM_OK)
        return -101;
    return rc;
}

/* Both ends of one connection derive the same binding; another connection (fresh nonces)
 * another one, so a password proof made for one connection fails on the other. */
TEST(session_binding_is_per_connection)
{
    pair p1, p2;
    uint8_t c1[HS_KEY_SIZE], s1[HS_KEY_SIZE], c2[HS_KEY_SIZE], s2[HS_KEY_SIZE];

    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p1, "correct horse", AES_ONLY, 1);
    pair_init(&p2, "correct horse", AES_ONLY, 1);
    bindings_of(&p1, c1, s1);
    bindings_of(&p2, c2, s2);
    CHECK_EQ_MEM(c1, s1, HS_KEY_SIZE);
    CHECK_EQ_MEM(c2, s2, HS_KEY_SIZE);
    CHECK(memcmp(c1, c2, HS_KEY_SIZE) != 0);
    CHECK_EQ_INT(scram_over(c1, s1), SCRAM_OK);
    CHECK_EQ_INT(scram_over(c1, s2), SCRAM_EBIND);
    pair_free(&p1);
    pair_free(&p2);
}

/* ---- forward secrecy: the ephemeral ECDH P-256 exchange ---- */

/* Where the handshake frame in p->wire keeps its key share: HELLO and CHALLENGE end with it
 * (u8 length, then the share). */
static uint8_t *share_of(pair *p)
{
    if (p->wire.len <= PROTO_HEADER_SIZE + PROTO_SHARE_SIZE + 1 ||
        p->wire.data[p->wire.len - PROTO_SHARE_SIZE - 1] != PROTO_SHARE_SIZE)
        return NULL;
    return p->wire.data + p->wire.len - PROTO_SHARE_SIZE;
}

/* A man in the middle strikes the key share from the frame in p->wire: length byte 0, the 65
 * bytes gone, the header's length shortened to match, so the frame is well-formed. */
static void strip_share(pair *p)
{
    uint32_t body;
    REQUIRE(share_of(p) != NULL);
    p->wire.len -= PROTO_SHARE_SIZE;
    p->wire.data[p->wire.len - 1] = 0;
    body = (uint32_t)(p->wire.len - PROTO_HEADER_SIZE);
    p->wire.data[0] = (uint8_t)(body >> 24);
    p->wire.data[1] = (uint8_t)(body >> 16);
    p->wire.data[2] = (uint8_t)(body >> 8);
    p->wire.data[3] = (uint8_t)body;
}

/* Runs the handshake up to the server's verdict on PROOF, letting tamper() change HELLO
 * (which = 0) or CHALLENGE (which = 1) on the way. */
static hs_result run_tampered(pair *p, int which, void (*tamper)(pair *))
{
    /* A step that cannot happen here returns HS_CONTINUE, which every caller rejects. */
    if (hs_client_start(&p->c, "k", 1, AES_ONLY, 1, "alice", "t", &p->wire) != PROTO_OK)
        return HS_CONTINUE;
    if (which == 0)
        tamper(p);
    if (!deliver(p, &p->to_server) ||
        hs_server_on_frame(&p->s, &p->cfg, &p->f, &p->msg, &p->wire) != HS_CONTINUE)
        return HS_CONTINUE;
    if (which == 1)
        tamper(p);
    if (!deliver(p, &p->to_client))
        return HS_CONTINUE;
    if (hs_client_on_frame(&p->c, &p->f, &p->msg, &p->wire) != HS_CONTINUE)
        return HS_FAILED;
    if (!deliver(p, &p->to_server))
        return HS_CONTINUE;
    return hs_server_on_frame(&p->s, &p->cfg, &p->f, &p->msg, &p->wire);
}

/* The man in the middle's own key in place of a side's share: he could agree a secret with
 * each side, but the shares are in the transcript, so the proofs no longer match. */
static void swap_share(pair *p)
{
    uint8_t mitm[CRYPTO_P256_PUBLIC_SIZE];
    crypto_ecdh *k = crypto_ecdh_new(mitm);
    uint8_t *share = share_of(p);
    REQUIRE(k != NULL);
    if (share)
        memcpy(share, mitm, sizeof mitm);
    CHECK(share != NULL);
    crypto_ecdh_free(k);
}

/* A share that is no point on the curve: refused before any secret is computed with it. */
static void bad_point(pair *p)
{
    uint8_t *share = share_of(p);
    REQUIRE(share != NULL);
    share[1] ^= 0x01; /* x changes, y stays: almost surely off the curve */
}

/* Tampering with a share needs shares: without ECDH here (Wine) there is nothing to change. */
static int have_ecdh(void)
{
    CHECK(crypto_init() == CRYPTO_OK);
    if (!crypto_ecdh_available()) {
        printf("no ECDH on this system (%s): no key shares to tamper with\n",
               crypto_backend_name());
        return 0;
    }
    return 1;
}

/* One tampering case: the handshake must fail, the side that notices with the given code. */
static void tamper_case(int which, void (*tamper)(pair *), int server_notices, uint16_t code)
{
    pair p;
    if (!have_ecdh())
        return;
    pair_init(&p, "k", AES_ONLY, 1);
    CHECK_EQ_INT(run_tampered(&p, which, tamper), HS_FAILED);
    CHECK_EQ_INT(server_notices ? p.s.code : p.c.code, code);
    /* The side that was fooled took the exchange as struck, not silently half of it. */
    if (tamper == strip_share)
        CHECK_EQ_INT(which == 0 ? p.s.forward_secret : p.c.forward_secret, 0);
    pair_free(&p);
}

/* Which outcome the exchange should have here: natively both sides can do it; under Wine 8
 * neither can (its CNG cannot hand the secret out), and the handshake goes on without. */
TEST(exchange_used_when_both_can_and_declined_gracefully_otherwise)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", AES_ONLY, 1);
    CHECK_EQ_INT(run(&p, "correct horse", AES_ONLY, 1, &srv), HS_DONE);
    CHECK_EQ_INT(srv, HS_DONE);
    printf("ECDH exchange %s (%s)\n", crypto_ecdh_available() ? "used" : "declined",
           crypto_backend_name());
    CHECK_EQ_INT(p.c.forward_secret, crypto_ecdh_available());
    CHECK_EQ_INT(p.s.forward_secret, crypto_ecdh_available());
    CHECK(p.c.ecdh == NULL); /* the ephemeral key is gone once the keys are derived */
    chat_both_ways(&p);
    pair_free(&p);
}

TEST(exchange_with_xor_too)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", XOR_ONLY, 1);
    CHECK_EQ_INT(run(&p, "correct horse", XOR_ONLY, 1, &srv), HS_DONE);
    CHECK_EQ_INT(p.s.forward_secret, crypto_ecdh_available());
    chat_both_ways(&p);
    pair_free(&p);
}

TEST(exchange_wrong_key_still_refused)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", AES_ONLY, 1);
    CHECK_EQ_INT(run(&p, "battery staple", AES_ONLY, 1, &srv), HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_WRONG_KEY);
    CHECK_EQ_INT(p.c.code, PC_WRONG_KEY);
    pair_free(&p);
}

TEST(exchange_changed_client_share_is_detected)
{
    tamper_case(0, swap_share, 1, PC_WRONG_KEY);
}

TEST(exchange_changed_server_share_is_detected)
{
    tamper_case(1, swap_share, 1, PC_WRONG_KEY);
}

/* Downgrade: the offer struck from HELLO. The server (preferred) goes on without the exchange,
 * but the two sides hashed different HELLOs, so the proof fails. */
TEST(exchange_stripped_from_hello_is_detected)
{
    tamper_case(0, strip_share, 1, PC_WRONG_KEY);
}

/* Downgrade the other way: the server's answer struck from CHALLENGE. */
TEST(exchange_stripped_from_challenge_is_detected)
{
    tamper_case(1, strip_share, 1, PC_WRONG_KEY);
}

TEST(exchange_invalid_client_point_is_refused)
{
    pair p;
    if (!have_ecdh())
        return;
    pair_init(&p, "k", AES_ONLY, 1);
    REQUIRE(hs_client_start(&p.c, "k", 1, AES_ONLY, 1, "alice", "t", &p.wire) == PROTO_OK);
    bad_point(&p);
    REQUIRE(deliver(&p, &p.to_server));
    CHECK_EQ_INT(hs_server_on_frame(&p.s, &p.cfg, &p.f, &p.msg, &p.wire), HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_BAD_FRAME);
    CHECK(strstr(p.s.reason, "not a valid P-256") != NULL);
    pair_free(&p);
}

TEST(exchange_invalid_server_point_is_refused)
{
    tamper_case(1, bad_point, 0, PC_PROTOCOL);
}

/* A share in CHALLENGE when the client offered none is a protocol error, not a silent ignore. */
TEST(exchange_unasked_server_share_is_refused)
{
    pair p, other;
    hs_result srv;
    if (!have_ecdh())
        return;
    pair_init(&p, "k", AES_ONLY, 1);
    pair_init(&other, "k", AES_ONLY, 1);
    p.c.fs_off = 1;
    REQUIRE(hs_client_start(&p.c, "k", 1, AES_ONLY, 1, "alice", "t", &p.wire) == PROTO_OK);
    buf_reset(&p.wire);
    /* A CHALLENGE with a share, from a handshake that offered one. */
    REQUIRE(hs_client_start(&other.c, "k", 1, AES_ONLY, 1, "alice", "t", &other.wire) == PROTO_OK);
    REQUIRE(deliver(&other, &other.to_server));
    srv = hs_server_on_frame(&other.s, &other.cfg, &other.f, &other.msg, &p.wire);
    REQUIRE(srv == HS_CONTINUE);
    REQUIRE(deliver(&p, &p.to_client));
    CHECK_EQ_INT(hs_client_on_frame(&p.c, &p.f, &p.msg, &p.wire), HS_FAILED);
    CHECK_EQ_INT(p.c.code, PC_PROTOCOL);
    pair_free(&p);
    pair_free(&other);
}

/* forward_secrecy = required: a client that does not offer the exchange is refused with a
 * plain ERROR whose words name the reason. */
TEST(required_refuses_a_client_without_the_exchange)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", AES_ONLY, 1);
    p.cfg.forward_secrecy = HS_FS_REQUIRED;
    p.c.fs_off = 1;
    CHECK_EQ_INT(run(&p, "k", AES_ONLY, 1, &srv), HS_FAILED);
    CHECK_EQ_INT(srv, HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_NO_CIPHER);
    CHECK_EQ_INT(p.c.code, PC_NO_CIPHER);
    CHECK(strstr(p.c.reason, "requires forward secrecy") != NULL);
    CHECK(strstr(p.c.reason, "does not offer") != NULL);
    pair_free(&p);
}

/* The same setting with this system's own client: natively it connects with the exchange;
 * under Wine 8 the client cannot offer it and gets the clear refusal. */
TEST(required_with_this_systems_client)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", AES_ONLY, 1);
    p.cfg.forward_secrecy = HS_FS_REQUIRED;
    if (crypto_ecdh_available()) {
        CHECK_EQ_INT(run(&p, "k", AES_ONLY, 1, &srv), HS_DONE);
        CHECK_EQ_INT(p.c.forward_secret, 1);
    } else {
        CHECK_EQ_INT(run(&p, "k", AES_ONLY, 1, &srv), HS_FAILED);
        CHECK_EQ_INT(p.c.code, PC_NO_CIPHER);
        CHECK(strstr(p.c.reason, "requires forward secrecy") != NULL);
        printf("refused as expected: %s\n", p.c.reason);
    }
    pair_free(&p);
}

TEST(preferred_accepts_a_client_without_the_exchange)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", AES_ONLY, 1);
    p.c.fs_off = 1;
    CHECK_EQ_INT(run(&p, "k", AES_ONLY, 1, &srv), HS_DONE);
    CHECK_EQ_INT(p.s.forward_secret, 0);
    chat_both_ways(&p);
    pair_free(&p);
}

TEST(off_never_uses_the_exchange)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "k", AES_ONLY, 1);
    p.cfg.forward_secrecy = HS_FS_OFF;
    CHECK_EQ_INT(run(&p, "k", AES_ONLY, 1, &srv), HS_DONE);
    CHECK_EQ_INT(p.s.forward_secret, 0);
    CHECK_EQ_INT(p.c.forward_secret, 0);
    chat_both_ways(&p);
    pair_free(&p);
}

TEST(forward_secrecy_setting_parses)
{
    hs_fs_policy v = HS_FS_OFF;
    CHECK_EQ_INT(hs_fs_parse("required", &v), 0);
    CHECK_EQ_INT(v, HS_FS_REQUIRED);
    CHECK_EQ_INT(hs_fs_parse("preferred", &v), 0);
    CHECK_EQ_INT(v, HS_FS_PREFERRED);
    CHECK_EQ_INT(hs_fs_parse("off", &v), 0);
    CHECK_EQ_INT(v, HS_FS_OFF);
    CHECK_EQ_INT(hs_fs_parse("yes", &v), -1);
    CHECK_EQ_STR(hs_fs_name(HS_FS_REQUIRED), "required");
}

/* ---- a recorded session, opened by someone who holds the network key ---- */

/* Records a whole aes-256-gcm session (handshake, one SAY, one MSG), the client offering the
 * exchange or not, as a passive listener would capture it. */
static void record_session(int offer, buf *c2s, buf *s2c)
{
    pair p;
    hs_result srv;
    pair_init(&p, "correct horse", AES_ONLY, 1);
    p.rec_c2s = c2s;
    p.rec_s2c = s2c;
    p.c.fs_off = !offer;
    REQUIRE(run(&p, "correct horse", AES_ONLY, 1, &srv) == HS_DONE);
    chat_both_ways(&p);
    pair_free(&p);
}

/* Without the exchange every key comes from the network key and public nonces: another key
 * holder who recorded the session reads it all. This is the documented weakness. */
TEST(recorded_session_without_exchange_opens_with_the_key)
{
    buf c2s, s2c;
    int saw;
    REQUIRE(crypto_init() == CRYPTO_OK);
    buf_init(&c2s);
    buf_init(&s2c);
    record_session(0, &c2s, &s2c);
    /* PROOF and the SAY open, and the SAY's text reads. */
    CHECK_EQ_INT(keyholder_open(&c2s, &s2c, "correct horse", "hi server", &saw), 2);
    CHECK_EQ_INT(saw, 1);
    buf_free(&c2s);
    buf_free(&s2c);
}

/* With the exchange the same key holder opens nothing: not PROOF, not the SAY. */
TEST(recorded_session_with_exchange_does_not_open_with_the_key)
{
    buf c2s, s2c;
    int saw;
    REQUIRE(crypto_init() == CRYPTO_OK);
    if (!crypto_ecdh_available()) {
        printf("no ECDH on this system (%s): sessions here are readable by key holders, as "
               "the test above shows\n",
               crypto_backend_name());
        return;
    }
    buf_init(&c2s);
    buf_init(&s2c);
    record_session(1, &c2s, &s2c);
    CHECK_EQ_INT(keyholder_open(&c2s, &s2c, "correct horse", "hi server", &saw), 0);
    CHECK_EQ_INT(saw, 0);
    buf_free(&c2s);
    buf_free(&s2c);
}

/* ---- key rotation: a server that accepts a next key too ---- */

static void rotation_case(const char *client_secret, const uint8_t *ciphers, int expect_next)
{
    static const char next[] = "the next key";
    pair p;
    hs_result srv;
    pair_init(&p, "correct horse", ciphers, 1);
    p.cfg.next_secret = (const uint8_t *)next;
    p.cfg.next_secret_len = strlen(next);
    REQUIRE(hs_master(next, strlen(next), p.cfg.salt, p.cfg.iterations, p.cfg.next_master) ==
            PROTO_OK);
    if (expect_next < 0) {
        CHECK_EQ_INT(run(&p, client_secret, ciphers, 1, &srv), HS_FAILED);
        CHECK_EQ_INT(p.s.code, PC_WRONG_KEY);
        CHECK_EQ_INT(p.c.code, PC_WRONG_KEY);
    } else {
        CHECK_EQ_INT(run(&p, client_secret, ciphers, 1, &srv), HS_DONE);
        CHECK_EQ_INT(p.s.used_next, expect_next);
        CHECK_EQ_INT(p.s.have_next, 0); /* the other key's schedule is gone */
        chat_both_ways(&p);
    }
    pair_free(&p);
}

TEST(rotation_accepts_the_current_key)
{
    REQUIRE(crypto_init() == CRYPTO_OK);
    rotation_case("correct horse", AES_ONLY, 0);
    rotation_case("correct horse", XOR_ONLY, 0);
}

TEST(rotation_accepts_the_next_key)
{
    REQUIRE(crypto_init() == CRYPTO_OK);
    rotation_case("the next key", AES_ONLY, 1);
    rotation_case("the next key", XOR_ONLY, 1);
}

TEST(rotation_refuses_any_other_key)
{
    REQUIRE(crypto_init() == CRYPTO_OK);
    rotation_case("battery staple", AES_ONLY, -1);
    rotation_case("battery staple", XOR_ONLY, -1);
}

/* Without a next key configured, the next key is just a wrong key. */
TEST(without_rotation_the_next_key_is_refused)
{
    pair p;
    hs_result srv;
    REQUIRE(crypto_init() == CRYPTO_OK);
    pair_init(&p, "correct horse", AES_ONLY, 1);
    CHECK_EQ_INT(run(&p, "the next key", AES_ONLY, 1, &srv), HS_FAILED);
    CHECK_EQ_INT(p.s.code, PC_WRONG_KEY);
    pair_free(&p);
}

/* test_handshake.c — the handshake end to end in memory: both ciphers, wrong keys on either
 * side, cipher negotiation, a tampered negotiation, and messages flowing afterwards. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "handshake.h"
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
    int rc = proto_reader_feed(r, p->wire.data, p->wire.len);
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

/* test_wire.c — the cipher guarantees on the wire, against the real server and the real client
 * library (runs natively and under Wine): a tampered byte or a replayed frame ends the
 * connection in either direction with aes-256-gcm; a replayed session cannot log in; a wrong
 * key is refused without anything that depends on the right key. And, so the docs stay honest,
 * what xor does not protect: tampering and replay go unnoticed. The unit-level versions of
 * these live in tests/test_cipher.c and tests/test_handshake.c. */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "fake_server.h"
#include "fault_util.h"
#include "raw_client.h"
#include "sock.h"
#include "sys.h"
#include "test.h"

#define WAIT 5000u

static int start(test_server *ts, const char *name)
{
    server_config cfg;
    sock_startup();
    crypto_init();
    test_server_config(&cfg, name);
    return test_server_start(ts, &cfg);
}

static void finish(test_server *ts, bystanders *by)
{
    char dir[SERVER_PATH_MAX];
    bystanders_leave(by);
    memcpy(dir, ts->cfg.data_dir, sizeof dir);
    test_server_stop(ts);
    test_server_clean(dir);
}

static void say_msg(proto_msg *m, const char *room, const char *text)
{
    memset(m, 0, sizeof *m);
    m->type = PT_SAY;
    m->room = proto_s(room);
    m->text = proto_s(text);
}

/* b (in the lobby) must not see `text` within a short wait. */
static int never_delivered(pc_conn *b, const char *text)
{
    proto_msg m;
    return test_expect_text(b, text, &m, 300) == 0;
}

/* Sends one SAY from a logged-in raw client with byte `at` of the sealed frame flipped, and
 * expects the server to end the session with a BYE DECRYPT, delivering nothing. */
static void tamper_to_server(const test_server *ts, bystanders *by, size_t at_from_end,
                             int in_header, const char *nick)
{
    raw_client rc;
    proto_msg m;
    buf frame;

    REQUIRE(raw_connect(&rc, ts->port, TEST_SECRET, PROTO_CIPHER_AES256GCM, nick) == 0);
    buf_init(&frame);
    say_msg(&m, "lobby", "tampered in transit");
    REQUIRE(cipher_encode(&rc.tx, &m, &frame) == PROTO_OK);
    if (in_header)
        frame.data[5] = PT_PRIV; /* the header is authenticated too */
    else
        frame.data[frame.len - at_from_end] ^= 0x80;
    raw_send(&rc, frame.data, frame.len);
    CHECK_EQ_INT(raw_expect(&rc, PT_BYE, &m, WAIT), 1);
    CHECK_EQ_INT(m.code, PC_DECRYPT);
    CHECK(never_delivered(by->b, "tampered in transit"));
    buf_free(&frame);
    raw_close(&rc, 0);
}

TEST(tampered_byte_from_client_ends_its_session)
{
    test_server ts;
    bystanders by;

    REQUIRE(start(&ts, "w-tamper-c") == 0);
    REQUIRE(bystanders_join(&by, &ts) == 0);
    tamper_to_server(&ts, &by, 20, 0, "mallory1"); /* a ciphertext byte of the text */
    tamper_to_server(&ts, &by, 1, 0, "mallory2");  /* a byte of the tag */
    tamper_to_server(&ts, &by, 0, 1, "mallory3");  /* the type in the header */
    CHECK(bystanders_talk(&by));
    CHECK(wait_sessions(&ts, 2, WAIT));
    finish(&ts, &by);
}

TEST(replayed_frame_to_server_ends_the_session_and_is_delivered_once)
{
    test_server ts;
    bystanders by;
    raw_client rc;
    proto_msg m;
    buf copy;
    int seen = 0;

    REQUIRE(start(&ts, "w-replay-c") == 0);
    REQUIRE(bystanders_join(&by, &ts) == 0);
    REQUIRE(raw_connect(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "replayer") == 0);
    say_msg(&m, "lobby", "say it once");
    REQUIRE(raw_send_msg(&rc, &m) == 0);
    buf_init(&copy);
    buf_append(&copy, rc.last_frame.data, rc.last_frame.len);
    raw_send(&rc, copy.data, copy.len); /* the very same bytes again */
    CHECK_EQ_INT(raw_expect(&rc, PT_BYE, &m, WAIT), 1);
    CHECK_EQ_INT(m.code, PC_DECRYPT);
    while (test_expect_text(by.b, "say it once", &m, 300) == 1)
        seen++;
    CHECK_EQ_INT(seen, 1);
    buf_free(&copy);
    raw_close(&rc, 0);
    CHECK(bystanders_talk(&by));
    finish(&ts, &by);
}

/* Everything a client sent in a whole session (HELLO, PROOF, SAY), replayed byte for byte on a
 * new connection: the server's fresh nonce makes the old proof worthless. */
TEST(replayed_session_cannot_log_in)
{
    test_server ts;
    bystanders by;
    raw_client rc;
    proto_msg m;
    buf recorded;
    char err[256];
    uint16_t code = 0;
    int closed = 0, seen = 0, type;
    sock *s;

    REQUIRE(start(&ts, "w-replay-s") == 0);
    REQUIRE(bystanders_join(&by, &ts) == 0);
    REQUIRE(raw_connect(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "original") == 0);
    say_msg(&m, "lobby", "recorded and replayed");
    REQUIRE(raw_send_msg(&rc, &m) == 0);
    CHECK(test_expect_text(by.b, "recorded and replayed", &m, WAIT) == 1);
    buf_init(&recorded);
    buf_append(&recorded, rc.sent.data, rc.sent.len);
    raw_close(&rc, 0);

    s = sock_connect("127.0.0.1", ts.port, WAIT, err, sizeof err);
    REQUIRE(s);
    sock_send_all(s, recorded.data, recorded.len);
    type = drain_until_closed(s, &code, &closed, WAIT);
    CHECK_EQ_INT(type, PT_CHALLENGE); /* a new challenge, then the refusal */
    CHECK(closed);
    sock_close(s, 0);
    while (test_expect_text(by.b, "recorded and replayed", &m, 300) == 1)
        seen++;
    CHECK_EQ_INT(seen, 0);
    buf_free(&recorded);
    CHECK(bystanders_talk(&by));
    finish(&ts, &by);
}

/* The client library as the receiver: a server (or a man in the middle) that flips a byte or
 * replays a frame is cut off with "decryption failed". */
TEST(tampered_or_replayed_frame_to_client_ends_the_connection)
{
    fake_server fs;
    pc_options o;
    pc_conn *c;
    proto_msg m;
    int code = 0, i;
    char err[256];

    sock_startup();
    for (i = 0; i < 2; i++) {
        REQUIRE(fake_server_start(&fs, i ? FAKE_REPLAY_AFTER_LOGIN : FAKE_TAMPER_AFTER_LOGIN,
                                  TEST_SECRET) == 0);
        pc_options_init(&o);
        o.host = "127.0.0.1";
        o.port = fs.port;
        o.secret = TEST_SECRET;
        o.secret_len = strlen(TEST_SECRET);
        o.nick = "victim";
        c = pc_connect(&o, &code, err, sizeof err);
        REQUIRE(c);
        if (i) /* the replay: the first copy is genuine */
            CHECK_EQ_INT(pc_recv(c, &m, WAIT), 1);
        CHECK_EQ_INT(pc_recv(c, &m, WAIT), -1);
        CHECK_EQ_INT(pc_error_code(c), PC_DECRYPT);
        CHECK(strstr(pc_error(c), "decryption failed") != NULL);
        CHECK_EQ_INT(pc_recv(c, &m, 0), -1); /* and it stays ended */
        CHECK(pc_say(c, "lobby", "anyone?", 1) == -1);
        pc_close(c);
        fake_server_stop(&fs);
    }
}

/* A wrong key gets a CHALLENGE (salt, iterations, a nonce: all public) and a plain ERROR that
 * is the same whatever wrong key was tried: no WELCOME, so no proof made with the right key
 * that could be used to test guesses offline; and the secret appears nowhere. */
TEST(wrong_key_is_refused_without_revealing_the_right_one)
{
    static const char *const wrong[] = {"test secret kez", "x", "a much longer wrong secret key"};
    test_server ts;
    bystanders by;
    buf refusal[3];
    size_t i;

    REQUIRE(start(&ts, "w-wrongkey") == 0);
    REQUIRE(bystanders_join(&by, &ts) == 0);
    for (i = 0; i < 3; i++) {
        raw_client rc;
        size_t k = 0;
        int frames = 0;

        buf_init(&refusal[i]);
        CHECK_EQ_INT(raw_connect(&rc, ts.port, wrong[i], i == 1 ? PROTO_CIPHER_XOR
                                                               : PROTO_CIPHER_AES256GCM,
                                 "guesser"),
                     -1);
        CHECK_EQ_INT(rc.code, PC_WRONG_KEY);
        CHECK(strstr(rc.err, "wrong key") != NULL);
        /* Every frame the server sent: a CHALLENGE, then an ERROR. */
        while (k + PROTO_HEADER_SIZE <= rc.received.len) {
            const uint8_t *f = rc.received.data + k;
            uint32_t len = be_get32(f);
            if (k + PROTO_HEADER_SIZE + len > rc.received.len)
                break;
            CHECK(f[5] == (frames == 0 ? PT_CHALLENGE : PT_ERROR)); /* never a WELCOME */
            if (f[5] == PT_ERROR)
                buf_append(&refusal[i], f, PROTO_HEADER_SIZE + len);
            k += PROTO_HEADER_SIZE + len;
            frames++;
        }
        CHECK_EQ_INT(frames, 2);
        CHECK(refusal[i].len > PROTO_HEADER_SIZE);
        raw_close(&rc, 0);
    }
    /* And the client library's report carries nothing of the secret either. */
    {
        char err[256];
        CHECK_EQ_INT(test_connect_fails(&ts, "guesser", "wrong", err, sizeof err), PC_WRONG_KEY);
        CHECK(strstr(err, TEST_SECRET) == NULL);
    }
    for (i = 1; i < 3; i++)
        CHECK(refusal[i].len == refusal[0].len &&
              (refusal[0].len == 0 || memcmp(refusal[i].data, refusal[0].data, refusal[0].len) == 0));
    for (i = 0; i < 3; i++)
        buf_free(&refusal[i]);
    CHECK(bystanders_talk(&by));
    finish(&ts, &by);
}

/* What xor does NOT give, shown so that nobody relies on it: a flipped bit changes the text
 * the client shows and nothing notices; a replayed frame is accepted twice. */
TEST(xor_does_not_detect_tampering_or_replay)
{
    static const uint8_t xor_only[] = {PROTO_CIPHER_XOR};
    fake_server fs;
    pc_options o;
    pc_conn *c;
    proto_msg m;
    int code = 0;
    char err[256];

    sock_startup();
    REQUIRE(fake_server_start(&fs, FAKE_TAMPER_AFTER_LOGIN, TEST_SECRET) == 0);
    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = fs.port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = "victim";
    o.ciphers = xor_only;
    o.nciphers = 1;
    c = pc_connect(&o, &code, err, sizeof err);
    REQUIRE(c);
    CHECK_EQ_INT(pc_cipher(c), PROTO_CIPHER_XOR);
    /* The fake server flipped the lowest bit of one letter: "server" became "sesver". */
    CHECK_EQ_INT(pc_recv(c, &m, WAIT), 1);
    CHECK_EQ_INT(m.type, PT_MSG);
    CHECK(m.text.n == strlen("a message from the fake server") &&
          !str_is(m.text, "a message from the fake server"));
    pc_close(c);
    fake_server_stop(&fs);

    REQUIRE(fake_server_start(&fs, FAKE_REPLAY_AFTER_LOGIN, TEST_SECRET) == 0);
    o.port = fs.port;
    c = pc_connect(&o, &code, err, sizeof err);
    REQUIRE(c);
    CHECK_EQ_INT(pc_recv(c, &m, WAIT), 1);
    CHECK_EQ_INT(pc_recv(c, &m, WAIT), 1); /* the same frame, accepted again */
    CHECK(str_is(m.text, "a message from the fake server"));
    pc_close(c);
    fake_server_stop(&fs);
}

/* test_chat.c — integration tests: a real server core and engine on loopback, driven by real
 * clients through the client library. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "server_fixture.h"
#include "server_setup.h"
#include "sock.h"
#include "sys.h"
#include "test.h"

#define WAIT 5000u

static const uint8_t XOR_ONLY[] = {PROTO_CIPHER_XOR};

static int start(test_server *ts, const char *name, server_config *cfg)
{
    sock_startup();
    crypto_init();
    return test_server_start(ts, cfg ? cfg : (test_server_config(&ts->cfg, name), &ts->cfg));
}

/* Starts a server on test defaults under the test's own name. */
#define START(ts, name)                                                                       \
    do {                                                                                      \
        server_config cfg_;                                                                   \
        test_server_config(&cfg_, name);                                                      \
        REQUIRE(start(ts, name, &cfg_) == 0);                                                 \
    } while (0)

static void finish(test_server *ts)
{
    char dir[SERVER_PATH_MAX];
    memcpy(dir, ts->cfg.data_dir, sizeof dir);
    test_server_stop(ts);
    test_server_clean(dir);
}

TEST(two_clients_chat_both_ways)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;

    START(&ts, "two");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    CHECK_EQ_INT(pc_cipher(a), PROTO_CIPHER_AES256GCM);
    CHECK(test_settle(a) == 1 && test_settle(b) == 1);
    CHECK(pc_say(a, "lobby", "hello bob", 1) == 0);
    CHECK(test_expect_text(b, "hello bob", &m, WAIT) == 1);
    CHECK(str_is(m.nick, "alice") && str_is(m.room, "lobby") && m.id > 0 && m.time > 0);
    /* The sender's own copy is its acknowledgement, with its tag. */
    CHECK(test_expect_text(a, "hello bob", &m, WAIT) == 1);
    CHECK_EQ_INT(m.tag, 1);
    CHECK(pc_say(b, "lobby", "hi alice", 2) == 0);
    CHECK(test_expect_text(a, "hi alice", &m, WAIT) == 1);
    CHECK(str_is(m.nick, "bob"));
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(unicode_text_round_trip)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    const char *text = "Grüße, Καλημέρα, こんにちは, مرحبا, 👋🏽 — ok";

    START(&ts, "unicode");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    CHECK(pc_say(a, "lobby", text, 9) == 0);
    CHECK(test_expect_text(b, text, &m, WAIT) == 1);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(fanout_reaches_every_member_in_order)
{
    enum { N = 24, MSGS = 20 };
    test_server ts;
    pc_conn *c[N];
    proto_msg m;
    char nick[16], text[32];
    int i, j, ok = 1, order[MSGS];

    START(&ts, "fanout");
    for (i = 0; i < N; i++) {
        snprintf(nick, sizeof nick, "user%d", i);
        /* Half the room on each cipher: both fan-out paths at once. */
        c[i] = i % 2 ? test_connect(&ts, nick, XOR_ONLY, 1) : test_connect(&ts, nick, NULL, 0);
        REQUIRE(c[i]);
        test_settle(c[i]);
    }
    for (j = 0; j < MSGS; j++) {
        snprintf(text, sizeof text, "message %d", j);
        CHECK(pc_say(c[j % 3], "lobby", text, (uint32_t)j) == 0);
    }
    /* Everyone sees the same messages in the same order (the order the server accepted
     * them), with increasing ids; each sender's own messages keep their order. */
    for (i = 0; i < N; i++) {
        uint64_t last_id = 0;
        int last_from[3] = {-1, -1, -1};
        for (j = 0; j < MSGS; j++) {
            int num;
            if (test_expect(c[i], PT_MSG, &m, WAIT) != 1 || m.id <= last_id) {
                ok = 0;
                break;
            }
            last_id = m.id;
            num = (int)m.tag;
            if (i == 0)
                order[j] = num;
            else if (order[j] != num)
                ok = 0;
            snprintf(text, sizeof text, "message %d", num);
            if (!str_is(m.text, text) || num <= last_from[num % 3])
                ok = 0;
            last_from[num % 3] = num;
        }
    }
    CHECK(ok);
    for (i = 0; i < N; i++)
        pc_close(c[i]);
    finish(&ts);
}

TEST(private_message)
{
    test_server ts;
    pc_conn *a, *b, *c;
    proto_msg m;

    START(&ts, "priv");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    c = test_connect(&ts, "carol", NULL, 0);
    REQUIRE(a && b && c);
    test_settle(a);
    test_settle(b);
    test_settle(c);
    CHECK(pc_priv(a, "BOB", "just between us", 5) == 0);
    CHECK(test_expect(b, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.nick, "alice") && str_is(m.target, "bob") && str_is(m.text, "just between us"));
    CHECK(test_expect(a, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK_EQ_INT(m.tag, 5);
    /* Carol must not see it: her next frame is the PONG to this ping. */
    CHECK(pc_ping(c, 77) == 0);
    CHECK(pc_recv(c, &m, WAIT) == 1);
    CHECK_EQ_INT(m.type, PT_PONG);
    CHECK(pc_priv(a, "nobody", "hello?", 6) == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NO_SUCH_USER);
    pc_close(a);
    pc_close(b);
    pc_close(c);
    finish(&ts);
}

TEST(nick_clash_is_refused_case_insensitively)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    char err[256];

    START(&ts, "nick");
    a = test_connect(&ts, "Alice", NULL, 0);
    REQUIRE(a);
    CHECK_EQ_INT(test_connect_fails(&ts, "alice", TEST_SECRET, err, sizeof err), PC_NICK_TAKEN);
    CHECK_EQ_INT(test_connect_fails(&ts, "9lives", TEST_SECRET, err, sizeof err), PC_BAD_NICK);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    test_settle(a);
    test_settle(b);
    CHECK(pc_nick(b, "ALICE") == 0);
    CHECK(test_expect(b, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NICK_TAKEN);
    /* Renaming works and everyone in a shared room hears it. */
    CHECK(pc_nick(b, "robert") == 0);
    while (test_expect(a, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_RENAME)
        ;
    CHECK_EQ_INT(m.event, MEMBER_RENAME);
    CHECK(str_is(m.nick, "bob") && str_is(m.target, "robert"));
    CHECK_EQ_STR(pc_nick_of(b), "bob"); /* the client learns it when its own event arrives */
    while (test_expect(b, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_RENAME)
        ;
    CHECK_EQ_STR(pc_nick_of(b), "robert");
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(rooms_join_part_topic_list)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    proto_entry e;
    size_t pos = 0;
    int found = 0;

    START(&ts, "rooms");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    CHECK(pc_join(a, "dev") == 0);
    CHECK(test_expect(a, PT_USER_LIST, &m, WAIT) == 1);
    CHECK(str_is(m.room, "dev") && m.list.count == 1);
    CHECK(pc_join(b, "DEV") == 0); /* room names are case-insensitive */
    CHECK(test_expect(a, PT_MEMBER, &m, WAIT) == 1);
    CHECK(m.event == MEMBER_JOIN && str_is(m.nick, "bob") && str_is(m.room, "dev"));
    CHECK(test_expect(b, PT_USER_LIST, &m, WAIT) == 1);
    CHECK_EQ_INT(m.list.count, 2);

    memset(&m, 0, sizeof m);
    m.type = PT_TOPIC;
    m.room = proto_s("dev");
    m.text = proto_s("release on Friday");
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(b, PT_TOPIC, &m, WAIT) == 1);
    CHECK(str_is(m.text, "release on Friday") && str_is(m.nick, "alice"));

    memset(&m, 0, sizeof m);
    m.type = PT_ROOMS;
    CHECK(pc_send(b, &m) == 0);
    CHECK(test_expect(b, PT_ROOM_LIST, &m, WAIT) == 1);
    while (proto_list_next(&m.list, PT_ROOM_LIST, &pos, &e))
        if (str_is(e.name, "dev")) {
            found = 1;
            CHECK_EQ_INT(e.value, 2);
            CHECK(str_is(e.text, "release on Friday"));
        }
    CHECK(found);

    CHECK(pc_part(b, "dev", "lunch") == 0);
    CHECK(test_expect(a, PT_MEMBER, &m, WAIT) == 1);
    CHECK(m.event == MEMBER_PART && str_is(m.nick, "bob") && str_is(m.text, "lunch"));
    CHECK(pc_say(b, "dev", "still here?", 1) == 0);
    CHECK(test_expect(b, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NOT_IN_ROOM);
    CHECK(pc_join(b, "no spaces allowed") == 0);
    CHECK(test_expect(b, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_ROOM);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(away_presence_reaches_room_mates)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;

    START(&ts, "away");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    CHECK(pc_away(a, PRESENCE_AWAY, "at lunch") == 0);
    CHECK(test_expect(b, PT_MEMBER, &m, WAIT) == 1);
    CHECK(m.event == MEMBER_PRESENCE && m.presence == PRESENCE_AWAY && str_is(m.text, "at lunch"));
    /* A private message to an away user tells the sender. */
    CHECK(pc_priv(b, "alice", "ping", 1) == 0);
    CHECK(test_expect(b, PT_NOTICE, &m, WAIT) == 1);
    CHECK(strstr(m.text.p, "at lunch") != NULL);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(history_replayed_on_join_and_after_restart)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    proto_msg m;
    char text[32];
    int i, n = 0;

    test_server_config(&cfg, "history");
    cfg.history_per_room = 5;
    REQUIRE(start(&ts, "history", &cfg) == 0);
    a = test_connect(&ts, "alice", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    for (i = 0; i < 8; i++) {
        snprintf(text, sizeof text, "old news %d", i);
        CHECK(pc_say(a, "lobby", text, 0) == 0);
        CHECK(test_expect_text(a, text, &m, WAIT) == 1);
    }
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    /* The last five, oldest first, flagged as history, then the end marker. */
    for (i = 3; i < 8; i++) {
        snprintf(text, sizeof text, "old news %d", i);
        CHECK(test_expect(b, PT_MSG, &m, WAIT) == 1);
        CHECK(str_is(m.text, text) && (m.flags & PROTO_FLAG_HISTORY));
    }
    CHECK(test_expect(b, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK_EQ_INT(m.count, 5);
    pc_close(a);
    pc_close(b);
    test_server_stop(&ts);

    /* Restart on the same data directory: the same history comes back. */
    ts.cfg = cfg;
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    while (test_expect(b, PT_MSG, &m, WAIT) == 1) {
        snprintf(text, sizeof text, "old news %d", 3 + n);
        CHECK(str_is(m.text, text));
        if (++n == 5)
            break;
    }
    CHECK_EQ_INT(n, 5);
    /* New ids continue after the old ones. */
    CHECK(pc_say(b, "lobby", "new era", 0) == 0);
    CHECK(test_expect_text(b, "new era", &m, WAIT) == 1);
    CHECK(m.id > 8);
    pc_close(b);
    finish(&ts);
}

/* A SAY or PRIV carrying ACTION (0x20, "/me waves"). */
static int send_action(pc_conn *c, uint8_t type, const char *to, const char *text)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = type;
    if (type == PT_SAY)
        m.room = proto_s(to);
    else
        m.target = proto_s(to);
    m.text = proto_s(text);
    m.flags = PROTO_FLAG_ACTION;
    return pc_send(c, &m);
}

/* The action flag of /me passes through the server: live to everyone in the room and back to
 * the sender, in private messages, and in history replays, also after a restart (it is kept
 * in the journal). A plain message after it does not carry it. */
TEST(action_flag_passes_through)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b, *c;
    proto_msg m;

    test_server_config(&cfg, "action");
    REQUIRE(start(&ts, "action", &cfg) == 0);
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    CHECK(send_action(a, PT_SAY, "lobby", "waves") == 0);
    CHECK(test_expect_text(b, "waves", &m, WAIT) == 1);
    CHECK_EQ_INT(m.flags, PROTO_FLAG_ACTION);
    CHECK(test_expect_text(a, "waves", &m, WAIT) == 1);
    CHECK_EQ_INT(m.flags, PROTO_FLAG_ACTION);
    CHECK(pc_say(a, "lobby", "plain words", 0) == 0);
    CHECK(test_expect_text(b, "plain words", &m, WAIT) == 1);
    CHECK_EQ_INT(m.flags, 0);
    CHECK(send_action(a, PT_PRIV, "bob", "nods at you") == 0);
    CHECK(test_expect(b, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.text, "nods at you") && m.flags == PROTO_FLAG_ACTION);
    CHECK(test_expect(a, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.text, "nods at you") && m.flags == PROTO_FLAG_ACTION);
    c = test_connect(&ts, "carol", NULL, 0);
    REQUIRE(c);
    CHECK(test_expect_text(c, "waves", &m, WAIT) == 1);
    CHECK_EQ_INT(m.flags, PROTO_FLAG_HISTORY | PROTO_FLAG_ACTION);
    CHECK(test_expect_text(c, "plain words", &m, WAIT) == 1);
    CHECK_EQ_INT(m.flags, PROTO_FLAG_HISTORY);
    pc_close(a);
    pc_close(b);
    pc_close(c);
    test_server_stop(&ts);

    REQUIRE(test_server_start(&ts, &cfg) == 0);
    c = test_connect(&ts, "carol", NULL, 0);
    REQUIRE(c);
    CHECK(test_expect_text(c, "waves", &m, WAIT) == 1);
    CHECK_EQ_INT(m.flags, PROTO_FLAG_HISTORY | PROTO_FLAG_ACTION);
    pc_close(c);
    finish(&ts);
}

TEST(history_request_after_id)
{
    test_server ts;
    pc_conn *a;
    proto_msg m;
    uint64_t second = 0;
    char text[16];
    int i;

    START(&ts, "histreq");
    a = test_connect(&ts, "alice", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    for (i = 0; i < 4; i++) {
        snprintf(text, sizeof text, "n%d", i);
        CHECK(pc_say(a, "lobby", text, 0) == 0);
        CHECK(test_expect_text(a, text, &m, WAIT) == 1);
        if (i == 1)
            second = m.id;
    }
    CHECK(pc_history(a, "lobby", second, 10) == 0);
    CHECK(test_expect(a, PT_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.text, "n2"));
    CHECK(test_expect(a, PT_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.text, "n3"));
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK_EQ_INT(m.count, 2);
    pc_close(a);
    finish(&ts);
}

/* Waits (up to WAIT ms, reading c meanwhile) until the core has put keys to rest `n` times. */
static int wait_rested(test_server *ts, pc_conn *c, size_t n)
{
    uint64_t end = sys_mono_ms() + WAIT;
    proto_msg m;

    while (chat_keys_rested(ts->core) < n) {
        if (sys_mono_ms() > end)
            return 0;
        if (pc_recv(c, &m, 20) < 0)
            return 0;
    }
    return 1;
}

/* AES-GCM keys of sessions that stay idle for a few ticks are put to rest, and work again after:
 * the server opens the next frame with a rebuilt key and seals its answers with one, for the
 * sender and for another member, and the nonce sequence goes on (a skipped or repeated nonce
 * would fail the clients' opens). */
TEST(idle_sessions_keys_rest_and_work_after)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    size_t rested;

    START(&ts, "keyrest");
    a = test_connect(&ts, "resta", NULL, 0);
    b = test_connect(&ts, "restb", NULL, 0);
    REQUIRE(a && b);
    CHECK_EQ_INT(pc_cipher(a), PROTO_CIPHER_AES256GCM);
    test_settle(a);
    test_settle(b);
    REQUIRE(wait_rested(&ts, a, 2));
    rested = chat_keys_rested(ts.core);
    CHECK(pc_say(a, "lobby", "after rest", 1) == 0);
    CHECK(test_expect_text(a, "after rest", &m, WAIT) == 1);
    CHECK(test_expect_text(b, "after rest", &m, WAIT) == 1);
    /* Used again, then idle again: both rest a second time, and still work. */
    CHECK(wait_rested(&ts, b, rested + 2));
    CHECK(pc_say(b, "lobby", "second rest", 2) == 0);
    CHECK(test_expect_text(a, "second rest", &m, WAIT) == 1);
    CHECK(test_expect_text(b, "second rest", &m, WAIT) == 1);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(wrong_key_is_refused_clearly)
{
    test_server ts;
    char err[256];
    int code;

    START(&ts, "wrongkey");
    code = test_connect_fails(&ts, "mallory", "not the key", err, sizeof err);
    CHECK_EQ_INT(code, PC_WRONG_KEY);
    CHECK(strstr(err, "wrong key") != NULL);
    CHECK(strstr(err, TEST_SECRET) == NULL);
    finish(&ts);
}

TEST(xor_and_aes_clients_talk_to_each_other)
{
    test_server ts;
    pc_conn *x, *g;
    proto_msg m;

    START(&ts, "ciphers");
    x = test_connect(&ts, "xena", XOR_ONLY, 1);
    g = test_connect(&ts, "gary", NULL, 0);
    REQUIRE(x && g);
    CHECK_EQ_INT(pc_cipher(x), PROTO_CIPHER_XOR);
    CHECK_EQ_INT(pc_cipher(g), PROTO_CIPHER_AES256GCM);
    test_settle(x);
    test_settle(g);
    CHECK(pc_say(x, "lobby", "from xor", 1) == 0);
    CHECK(test_expect_text(g, "from xor", &m, WAIT) == 1);
    CHECK(pc_say(g, "lobby", "from aes", 2) == 0);
    CHECK(test_expect_text(x, "from aes", &m, WAIT) == 1);
    pc_close(x);
    pc_close(g);
    finish(&ts);
}

TEST(xor_refused_when_server_allows_only_aes)
{
    test_server ts;
    server_config cfg;
    pc_options o;
    int code = 0;
    char err[256];
    pc_conn *c;

    test_server_config(&cfg, "aesonly");
    cfg.nciphers = 1;
    REQUIRE(start(&ts, "aesonly", &cfg) == 0);
    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = ts.port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = "xena";
    o.ciphers = XOR_ONLY;
    o.nciphers = 1;
    c = pc_connect(&o, &code, err, sizeof err);
    CHECK(c == NULL);
    CHECK_EQ_INT(code, PC_NO_CIPHER);
    if (c)
        pc_close(c);
    finish(&ts);
}

/* Raw bytes on a raw socket: the server must close only this connection, with a reason. */
static void bad_bytes_close_only_offender(const char *name, const uint8_t *bytes, size_t n,
                                          int after_login)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    char err[256];
    uint8_t reply[512];
    long got, total = 0;
    sock *raw;

    START(&ts, name);
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    (void)after_login;
    raw = sock_connect("127.0.0.1", ts.port, WAIT, err, sizeof err);
    REQUIRE(raw);
    CHECK(sock_send_all(raw, bytes, n) == 0);
    /* The server answers with an ERROR frame (readable: no cipher yet) and closes. */
    while ((got = sock_recv(raw, reply + total, sizeof reply - (size_t)total, WAIT)) > 0)
        total += got;
    CHECK(got == SOCK_CLOSED || got == SOCK_ERROR);
    CHECK(total >= PROTO_HEADER_SIZE && reply[5] == PT_ERROR);
    sock_close(raw, 0);
    /* Everyone else carries on. */
    CHECK(pc_say(a, "lobby", "still fine", 1) == 0);
    CHECK(test_expect_text(b, "still fine", &m, WAIT) == 1);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(garbage_closes_only_the_offender)
{
    static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    bad_bytes_close_only_offender("garbage", junk, sizeof junk - 1, 0);
}

TEST(oversized_frame_closes_only_the_offender)
{
    /* A header declaring a body of 16 MiB. */
    static const uint8_t big[] = {0x01, 0x00, 0x00, 0x00, PROTO_VERSION, PT_HELLO};
    bad_bytes_close_only_offender("oversized", big, sizeof big, 0);
}

TEST(bad_frame_after_login_gets_bye_with_reason)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;

    START(&ts, "badafter");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    /* HELLO again, after the handshake, is a protocol error for that client only. */
    memset(&m, 0, sizeof m);
    m.type = PT_HELLO;
    m.version = 1;
    m.ncipher = 1;
    m.ciphers[0] = PROTO_CIPHER_AES256GCM;
    m.agent = proto_s("again");
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(a, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(a), PC_PROTOCOL);
    CHECK(pc_say(b, "lobby", "unaffected", 1) == 0);
    CHECK(test_expect_text(b, "unaffected", &m, WAIT) == 1);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

/* AES-256-GCM members get a room message as a reference to one plaintext frame, each sealed
 * by the send path when it flushes. Members leave while a burst is queued to them; the others
 * still decrypt every message, in order (a nonce out of order would fail to open). */
TEST(aes_fanout_members_leaving_mid_burst_others_decrypt_everything)
{
    enum { N = 12, MSGS = 400, LEAVERS = 4 };
    test_server ts;
    server_config cfg;
    pc_conn *c[N];
    proto_msg m;
    char nick[16], text[600];
    int i, j, ok = 1;

    test_server_config(&cfg, "aesburst");
    cfg.rate_per_sec = 1000000;
    cfg.rate_burst = 1000000;
    REQUIRE(start(&ts, "aesburst", &cfg) == 0);
    for (i = 0; i < N; i++) {
        snprintf(nick, sizeof nick, "member%d", i);
        c[i] = test_connect(&ts, nick, NULL, 0);
        REQUIRE(c[i]);
        CHECK_EQ_INT(pc_cipher(c[i]), PROTO_CIPHER_AES256GCM);
        test_settle(c[i]);
    }
    memset(text, 'y', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    for (j = 0; j < MSGS; j++) {
        char head[12];
        snprintf(head, sizeof head, "%010d", j);
        memcpy(text, head, 10);
        CHECK(pc_say(c[0], "lobby", text, (uint32_t)j) == 0);
        if (j == MSGS / 2) {
            /* Members that never read a word of the burst go now, their queues full of it. */
            for (i = N - LEAVERS; i < N; i++) {
                pc_close(c[i]);
                c[i] = NULL;
            }
        }
    }
    for (i = 0; i < N - LEAVERS; i++) {
        for (j = 0; j < MSGS; j++) {
            char head[12];
            if (test_expect(c[i], PT_MSG, &m, WAIT) != 1 || m.tag != (uint32_t)j) {
                test_failf_at(__FILE__, __LINE__, "member %d: message %d missing or out of order",
                              i, j);
                ok = 0;
                break;
            }
            snprintf(head, sizeof head, "%010d", j);
            if (m.text.n != sizeof text - 1 || memcmp(m.text.p, head, 10) != 0)
                ok = 0;
        }
    }
    CHECK(ok);
    /* The server still serves a newcomer: nothing was left broken by the leavers. */
    c[N - 1] = test_connect(&ts, "late", NULL, 0);
    CHECK(c[N - 1] != NULL);
    for (i = 0; i < N - LEAVERS; i++)
        pc_close(c[i]);
    if (c[N - 1])
        pc_close(c[N - 1]);
    finish(&ts);
}

TEST(slow_reader_is_cut_others_keep_receiving)
{
    enum { TOTAL = 8000, STEP = 50 };
    test_server ts;
    server_config cfg;
    pc_conn *fast, *talker, *lazy;
    proto_msg m;
    char text[1100];
    int i, received = 0, lazy_ended = 0;

    test_server_config(&cfg, "slow");
    cfg.send_queue_max = 256 * 1024;
    cfg.rate_per_sec = 1000000;
    cfg.rate_burst = 1000000;
    REQUIRE(start(&ts, "slow", &cfg) == 0);
    lazy = test_connect(&ts, "lazy", NULL, 0);
    fast = test_connect(&ts, "fast", NULL, 0);
    talker = test_connect(&ts, "talker", NULL, 0);
    REQUIRE(lazy && fast && talker);
    test_settle(lazy);
    test_settle(fast);
    test_settle(talker);
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    /* About 9 MB towards a client that reads nothing: far past its allowance and whatever
     * the sockets buffer. The talker waits for its own echo every STEP messages and the fast
     * reader catches up, so neither of them is ever far behind. */
    for (i = 0; i < TOTAL; i++) {
        char head[12];
        snprintf(head, sizeof head, "%010d", i);
        memcpy(text, head, 10);
        CHECK(pc_say(talker, "lobby", text, (uint32_t)i) == 0);
        if (i % STEP == STEP - 1 || i == TOTAL - 1) {
            int rc;
            do
                rc = test_expect(talker, PT_MSG, &m, WAIT);
            while (rc == 1 && m.tag != (uint32_t)i);
            CHECK(rc == 1);
            while (received <= i && test_expect(fast, PT_MSG, &m, WAIT) == 1) {
                if (m.tag != (uint32_t)received)
                    break;
                received++;
            }
        }
    }
    CHECK_EQ_INT(received, TOTAL);
    /* The lazy one finds, once it reads, that the server cut it off. */
    for (i = 0; i < 2 * TOTAL; i++) {
        int rc = pc_recv(lazy, &m, WAIT);
        if (rc < 0) {
            lazy_ended = 1;
            break;
        }
        if (rc == 0)
            break;
    }
    CHECK(lazy_ended);
    pc_close(lazy);
    pc_close(fast);
    pc_close(talker);
    finish(&ts);
}

TEST(rate_limit_answers_with_clear_error)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    int i, limited = 0, echoed = 0;

    test_server_config(&cfg, "rate");
    cfg.rate_per_sec = 5;
    cfg.rate_burst = 5;
    REQUIRE(start(&ts, "rate", &cfg) == 0);
    a = test_connect(&ts, "chatty", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    for (i = 0; i < 15; i++)
        CHECK(pc_say(a, "lobby", "spam", (uint32_t)i) == 0);
    while (pc_recv(a, &m, 1000) == 1) {
        if (m.type == PT_ERROR && m.code == PC_RATE_LIMITED)
            limited++;
        if (m.type == PT_MSG)
            echoed++;
    }
    CHECK(limited >= 1);
    CHECK(echoed >= 5 && echoed < 15);
    pc_close(a);
    finish(&ts);
}

static void become_oper(pc_conn *c)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("op-pass");
    CHECK(pc_send(c, &m) == 0);
    CHECK(test_expect(c, PT_NOTICE, &m, WAIT) == 1);
}

TEST(kick_and_ban)
{
    test_server ts;
    server_config cfg;
    pc_conn *op, *troll, *other;
    proto_msg m;
    char err[256];

    test_server_config(&cfg, "kickban");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    REQUIRE(start(&ts, "kickban", &cfg) == 0);
    op = test_connect(&ts, "op", NULL, 0);
    troll = test_connect(&ts, "troll", NULL, 0);
    other = test_connect(&ts, "other", NULL, 0);
    REQUIRE(op && troll && other);
    test_settle(op);
    test_settle(troll);
    test_settle(other);

    /* Not an operator yet: refused. */
    memset(&m, 0, sizeof m);
    m.type = PT_KICK;
    m.nick = proto_s("troll");
    m.text = proto_s("bye");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NOT_OPERATOR);
    /* Wrong password: refused. */
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("guess");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_PASSWORD);

    become_oper(op);
    memset(&m, 0, sizeof m);
    m.type = PT_KICK;
    m.nick = proto_s("troll");
    m.text = proto_s("behave");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(troll, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(troll), PC_KICKED);
    CHECK(strstr(pc_error(troll), "behave") != NULL);
    CHECK(test_expect(other, PT_MEMBER, &m, WAIT) == 1);
    CHECK(m.event == MEMBER_KICK && str_is(m.nick, "troll"));
    pc_close(troll);

    /* A ban by nick keeps the troll out when it comes back, with the reason. */
    memset(&m, 0, sizeof m);
    m.type = PT_BAN;
    m.target = proto_s("troll");
    m.duration = 3600;
    m.text = proto_s("spam");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_NOTICE, &m, WAIT) == 1);
    CHECK_EQ_INT(test_connect_fails(&ts, "troll", TEST_SECRET, err, sizeof err), PC_BANNED);
    CHECK(strstr(err, "spam") != NULL);

    /* Bans persist across restarts. */
    pc_close(op);
    pc_close(other);
    test_server_stop(&ts);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    CHECK_EQ_INT(test_connect_fails(&ts, "TROLL", TEST_SECRET, err, sizeof err), PC_BANNED);

    /* Unban lets it in again. */
    op = test_connect(&ts, "op", NULL, 0);
    REQUIRE(op);
    test_settle(op);
    become_oper(op);
    memset(&m, 0, sizeof m);
    m.type = PT_UNBAN;
    m.target = proto_s("troll");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_NOTICE, &m, WAIT) == 1);
    troll = test_connect(&ts, "troll", NULL, 0);
    CHECK(troll != NULL);
    if (troll)
        pc_close(troll);
    pc_close(op);
    finish(&ts);
}

TEST(graceful_shutdown_says_bye_to_everyone)
{
    enum { N = 5 };
    test_server ts;
    pc_conn *c[N];
    proto_msg m;
    char nick[16];
    int i;

    START(&ts, "shutdown");
    for (i = 0; i < N; i++) {
        snprintf(nick, sizeof nick, "u%d", i);
        c[i] = test_connect(&ts, nick, NULL, 0);
        REQUIRE(c[i]);
        test_settle(c[i]);
    }
    net_engine_stop(ts.engine);
    for (i = 0; i < N; i++) {
        CHECK(test_expect(c[i], PT_BYE, &m, WAIT) == -1);
        CHECK_EQ_INT(pc_error_code(c[i]), PC_SHUTDOWN);
        pc_close(c[i]);
    }
    finish(&ts);
}

TEST(operator_shutdown_and_wall)
{
    test_server ts;
    server_config cfg;
    pc_conn *op, *u;
    proto_msg m;

    test_server_config(&cfg, "opshut");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    REQUIRE(start(&ts, "opshut", &cfg) == 0);
    op = test_connect(&ts, "op", NULL, 0);
    u = test_connect(&ts, "user", NULL, 0);
    REQUIRE(op && u);
    test_settle(op);
    test_settle(u);
    become_oper(op);
    memset(&m, 0, sizeof m);
    m.type = PT_WALL;
    m.text = proto_s("maintenance at noon");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(u, PT_NOTICE, &m, WAIT) == 1);
    CHECK(str_is(m.text, "maintenance at noon") && str_is(m.nick, "op"));
    memset(&m, 0, sizeof m);
    m.type = PT_SHUTDOWN;
    m.text = proto_s("upgrade");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(u, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(u), PC_SHUTDOWN);
    CHECK(strstr(pc_error(u), "upgrade") != NULL);
    pc_close(op);
    pc_close(u);
    finish(&ts);
}

TEST(per_ip_limit_holds)
{
    test_server ts;
    server_config cfg;
    pc_conn *c[3];
    char err[256];
    int i;

    test_server_config(&cfg, "perip");
    cfg.max_per_ip = 3;
    REQUIRE(start(&ts, "perip", &cfg) == 0);
    for (i = 0; i < 3; i++) {
        char nick[8];
        snprintf(nick, sizeof nick, "p%d", i);
        c[i] = test_connect(&ts, nick, NULL, 0);
        REQUIRE(c[i]);
    }
    CHECK_EQ_INT(test_connect_fails(&ts, "p3", TEST_SECRET, err, sizeof err), PC_SERVER_FULL);
    /* Leaving frees a place. */
    pc_close(c[0]);
    sleep_ms(300);
    c[0] = test_connect(&ts, "p4", NULL, 0);
    CHECK(c[0] != NULL);
    for (i = 0; i < 3; i++)
        if (c[i])
            pc_close(c[i]);
    finish(&ts);
}

TEST(handshake_timeout_closes_silent_connections)
{
    test_server ts;
    server_config cfg;
    sock *raw;
    char err[256];
    uint8_t reply[256];
    long got, total = 0;

    test_server_config(&cfg, "hstimeout");
    cfg.handshake_timeout_ms = 300;
    REQUIRE(start(&ts, "hstimeout", &cfg) == 0);
    raw = sock_connect("127.0.0.1", ts.port, WAIT, err, sizeof err);
    REQUIRE(raw);
    while ((got = sock_recv(raw, reply + total, sizeof reply - (size_t)total, WAIT)) > 0)
        total += got;
    CHECK(got == SOCK_CLOSED || got == SOCK_ERROR);
    CHECK(total > PROTO_HEADER_SIZE + 2 && reply[5] == PT_ERROR &&
          be_get16(reply + PROTO_HEADER_SIZE) == PC_TIMEOUT);
    sock_close(raw, 0);
    finish(&ts);
}

TEST(idle_client_is_pinged_and_kept)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    int rc;

    test_server_config(&cfg, "keepalive");
    cfg.idle_timeout_ms = 200;
    cfg.ping_timeout_ms = 400;
    REQUIRE(start(&ts, "keepalive", &cfg) == 0);
    a = test_connect(&ts, "sleepy", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    /* The client library answers pings by itself; after several idle periods it is still in. */
    rc = pc_recv(a, &m, 1500);
    CHECK(rc == 0);
    CHECK(pc_say(a, "lobby", "still here", 1) == 0);
    CHECK(test_expect_text(a, "still here", &m, WAIT) == 1);
    pc_close(a);
    finish(&ts);
}

/* forward_secrecy = required on a real server: where this system can do the ECDH exchange the
 * server starts and this system's client connects; where it cannot (Wine 8's CNG) the server
 * refuses to start, saying why, rather than turn every client away. */
TEST(forward_secrecy_required_starts_only_where_it_can_be_kept)
{
    test_server ts;
    server_config cfg;
    pc_conn *c;
    char err[512];

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "fsrequired");
    cfg.forward_secrecy = HS_FS_REQUIRED;
    if (!crypto_ecdh_available()) {
        chat *core;
        REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
        core = chat_create(&cfg, err, sizeof err);
        CHECK(core == NULL);
        CHECK(strstr(err, "forward_secrecy = required") != NULL);
        CHECK(strstr(err, "cannot carry out the ECDH P-256 exchange") != NULL);
        printf("refused to start, as expected: %s\n", err);
        if (core)
            chat_destroy(core);
        test_server_clean(cfg.data_dir);
        return;
    }
    REQUIRE(start(&ts, "fsrequired", &cfg) == 0);
    c = test_connect(&ts, "alice", NULL, 0);
    CHECK(c != NULL);
    if (c)
        pc_close(c);
    finish(&ts);
}

/* Rotating the network key on a real server: while next_secret is set, clients with the
 * current key and clients with the next key both log in and talk to each other; any other key
 * is still refused. */
TEST(key_rotation_admits_either_key_while_both_are_set)
{
    static const char next[] = "the next network key";
    test_server ts;
    server_config cfg;
    pc_options o;
    pc_conn *old_key, *new_key;
    proto_msg m;
    char err[256];
    int code = 0;

    test_server_config(&cfg, "rotation");
    snprintf(cfg.next_secret, sizeof cfg.next_secret, "%s", next);
    REQUIRE(start(&ts, "rotation", &cfg) == 0);
    old_key = test_connect(&ts, "olga", NULL, 0);
    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = ts.port;
    o.secret = next;
    o.secret_len = strlen(next);
    o.nick = "nina";
    new_key = pc_connect(&o, &code, err, sizeof err);
    CHECK(old_key != NULL);
    CHECK(new_key != NULL);
    if (old_key && new_key) {
        test_settle(old_key);
        test_settle(new_key);
        CHECK(pc_say(new_key, "lobby", "on the next key", 1) == 0);
        CHECK(test_expect_text(old_key, "on the next key", &m, WAIT) == 1);
    }
    code = test_connect_fails(&ts, "mallory", "neither key", err, sizeof err);
    CHECK_EQ_INT(code, PC_WRONG_KEY);
    if (old_key)
        pc_close(old_key);
    if (new_key)
        pc_close(new_key);
    finish(&ts);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fsys_fopen(path, "wb");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

/* next_secret_file is read with the same rules as the key file; an empty, missing or
 * unchanged next key stops the start with a sentence that names the problem. */
TEST(next_key_file_is_read_and_checked)
{
    server_config cfg;
    char path[600], err[256];
    int generated = 0;

    test_server_config(&cfg, "nextkey");
    REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
    REQUIRE(fsys_path_join(path, sizeof path, cfg.data_dir, "next.key") == 0);
    snprintf(cfg.next_secret_file, sizeof cfg.next_secret_file, "%s", path);
    CHECK(server_secret(&cfg, &generated, NULL, 0, err, sizeof err) != 0);
    CHECK(strstr(err, "next.key") != NULL);
    REQUIRE(write_text(path, "\xEF\xBB\xBFnew key \r\n"));
    REQUIRE(server_secret(&cfg, &generated, NULL, 0, err, sizeof err) == 0);
    CHECK_EQ_STR(cfg.next_secret, "new key");
    cfg.next_secret[0] = '\0';
    REQUIRE(write_text(path, TEST_SECRET "\n"));
    CHECK(server_secret(&cfg, &generated, NULL, 0, err, sizeof err) != 0);
    CHECK(strstr(err, "same as the current key") != NULL);
    cfg.next_secret[0] = '\0';
    REQUIRE(write_text(path, " \r\n"));
    CHECK(server_secret(&cfg, &generated, NULL, 0, err, sizeof err) != 0);
    CHECK(strstr(err, "next key is empty") != NULL);
    test_server_clean(cfg.data_dir);
}

/* test_protocol_rules.c — each behaviour docs/PROTOCOL.md promises, checked against a real
 * server on loopback. Every test is named after the section of PROTOCOL.md that states the
 * rule (JOIN, MEMBER, Codes, ...), so a failing test points at the sentence that is no longer
 * true. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "raw_client.h"
#include "secret_text.h"
#include "server_fixture.h"
#include "server_setup.h"
#include "sock.h"
#include "sys.h"
#include "test.h"

#define WAIT 5000u


static pc_conn *join_settled(test_server *ts, const char *nick)
{
    pc_conn *c = test_connect(ts, nick, NULL, 0);
    if (c)
        test_settle(c);
    return c;
}

/* Decoder results: a header whose version byte is not 1 is answered BAD_VERSION (plain,
 * before the handshake; BYE after it), not BAD_FRAME, and the text names no size limit. */
TEST(decoder_results_wrong_version_is_BAD_VERSION)
{
    static const uint8_t v2[] = {0, 0, 0, 0, 2, PT_HELLO};
    test_server ts;
    server_config cfg;
    raw_client rc;
    proto_msg m;
    uint8_t frame[PROTO_HEADER_SIZE];
    char err[256];
    sock *s;

    test_server_config(&cfg, "p-version");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    s = sock_connect("127.0.0.1", ts.port, WAIT, err, sizeof err);
    REQUIRE(s);
    {
        proto_reader r;
        proto_frame f;
        uint8_t in[512];
        long n;
        CHECK_EQ_INT(sock_send_all(s, v2, sizeof v2), 0);
        proto_reader_init(&r, PROTO_MAX_FRAME_DEFAULT);
        n = sock_recv(s, in, sizeof in, WAIT);
        CHECK(n > 0);
        if (n > 0) {
            CHECK_EQ_INT(proto_reader_feed(&r, in, (size_t)n), PROTO_OK);
            CHECK_EQ_INT(proto_reader_next(&r, &f), 1);
            CHECK_EQ_INT(proto_decode(f.type, f.body, f.len, &m), PROTO_OK);
            CHECK_EQ_INT(m.type, PT_ERROR);
            CHECK_EQ_INT(m.code, PC_BAD_VERSION);
            CHECK(memchr(m.text.p, '(', m.text.n) == NULL); /* no "(limit ... bytes)" */
        }
        proto_reader_free(&r);
    }
    sock_close(s, 0);
    /* After WELCOME: a BYE BAD_VERSION. */
    REQUIRE(raw_connect(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "versioned") == 0);
    memset(frame, 0, sizeof frame);
    frame[4] = 7;
    frame[5] = PT_PING;
    raw_send(&rc, frame, sizeof frame);
    CHECK_EQ_INT(raw_expect(&rc, PT_BYE, &m, WAIT), 1);
    CHECK_EQ_INT(m.code, PC_BAD_VERSION);
    raw_close(&rc, 0);
    test_server_end(&ts);
}

/* Codes: a refused request gets an ERROR carrying that request's tag, never silence: every
 * SAY gets exactly one answer, its echo or an ERROR (in any order: an echo waits for the
 * journal, a refusal does not). Only sustained flooding ends the connection, with BYE
 * FLOODING after 4 x burst + 16 refusals. */
TEST(codes_every_refused_say_gets_an_error_with_its_tag)
{
    enum { N = 30, FLOOD = 400 };
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    unsigned char answers[N + 1];
    int i, rc, errors = 0, msgs = 0, twice = 0, missing = 0;

    test_server_config(&cfg, "p-tags");
    cfg.rate_per_sec = 10;
    cfg.rate_burst = 10; /* flooding: past 4 x 10 + 16 = 56 refused requests */
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "hasty");
    REQUIRE(a);
    memset(answers, 0, sizeof answers);
    for (i = 1; i <= N; i++)
        CHECK(pc_say(a, "lobby", "quick", (uint32_t)i) == 0);
    while (msgs + errors < N && (rc = pc_recv(a, &m, WAIT)) == 1) {
        if ((m.type != PT_MSG && m.type != PT_ERROR) || m.tag == 0 || m.tag > N)
            continue;
        if (answers[m.tag]++)
            twice++;
        if (m.type == PT_ERROR) {
            CHECK_EQ_INT(m.code, PC_RATE_LIMITED);
            errors++;
        } else {
            msgs++;
        }
    }
    for (i = 1; i <= N; i++)
        if (!answers[i])
            missing++;
    CHECK_EQ_INT(twice, 0);
    CHECK_EQ_INT(missing, 0);
    CHECK(msgs >= 10 && errors >= 1);
    /* Keep going far past the limit: the connection ends with FLOODING, the refusals before
     * the BYE numbering exactly 4 x 10 + 16 (counted since the allowance was last full). */
    errors = 0;
    for (i = 0; i < FLOOD; i++)
        if (pc_say(a, "lobby", "quick", (uint32_t)(N + 1 + i)) != 0)
            break;
    while ((rc = pc_recv(a, &m, WAIT)) == 1)
        if (m.type == PT_ERROR && m.code == PC_RATE_LIMITED)
            errors++;
    CHECK(errors >= 4 * 10 + 16 - 20 && errors <= 4 * 10 + 16);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_INT(pc_error_code(a), PC_FLOODING);
    pc_close(a);
    test_server_end(&ts);
}

/* Codes: after WELCOME, anything fatal arrives as BYE (here a handshake frame at the wrong
 * time); an ERROR always has a code of 100 or more and leaves the connection open. */
TEST(codes_fatal_after_welcome_arrives_as_bye)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;

    test_server_config(&cfg, "p-fatal");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "late");
    REQUIRE(a);
    CHECK(pc_part(a, "nowhere", "") == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK(m.code >= 100);
    memset(&m, 0, sizeof m);
    m.type = PT_WELCOME; /* not something a client sends */
    m.nick = proto_s("late");
    m.text = proto_s("");
    CHECK(pc_send(a, &m) == 0);
    CHECK_EQ_INT(test_expect(a, PT_ERROR, &m, WAIT), -1);
    CHECK_EQ_INT(pc_error_code(a), PC_PROTOCOL);
    pc_close(a);
    test_server_end(&ts);
}

/* JOIN: the reply is MEMBER JOIN (the joiner), TOPIC if set, USER_LIST, history, HISTORY_END;
 * joining again gets the same reply to the joiner alone and tells nobody else. */
TEST(join_reply_in_order_and_rejoin_answers_the_same)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    proto_msg m;
    int pass;

    test_server_config(&cfg, "p-join");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "anna");
    b = join_settled(&ts, "ben");
    REQUIRE(a && b);
    CHECK(pc_join(a, "den") == 0);
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    memset(&m, 0, sizeof m);
    m.type = PT_TOPIC;
    m.room = proto_s("den");
    m.nick = proto_s("");
    m.text = proto_s("cosy");
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(a, PT_TOPIC, &m, WAIT) == 1);
    CHECK(pc_say(a, "den", "first", 1) == 0);
    CHECK(test_expect_text(a, "first", &m, WAIT) == 1);
    CHECK(pc_join(b, "den") == 0);
    test_expect(a, PT_MEMBER, &m, WAIT); /* anna hears ben's join */
    for (pass = 0; pass < 2; pass++) {
        static const uint8_t order[] = {PT_MEMBER, PT_TOPIC, PT_USER_LIST, PT_MSG,
                                        PT_HISTORY_END};
        size_t k;
        if (pass == 1)
            CHECK(pc_join(b, "den") == 0); /* again */
        for (k = 0; k < sizeof order; k++) {
            if (pc_recv(b, &m, WAIT) != 1) {
                test_failf_at(__FILE__, __LINE__, "pass %d: reply ended at step %zu", pass, k);
                break;
            }
            if (m.type != order[k])
                test_failf_at(__FILE__, __LINE__, "pass %d step %zu: %s, expected %s", pass,
                              k, proto_type_name(m.type), proto_type_name(order[k]));
            if (m.type == PT_MEMBER)
                CHECK(m.event == MEMBER_JOIN && str_is(m.nick, "ben") && str_is(m.room, "den"));
            if (m.type == PT_MSG)
                CHECK((m.flags & PROTO_FLAG_HISTORY) && m.tag == 0);
        }
    }
    /* Anna heard nothing of the second join. */
    CHECK_EQ_INT(pc_recv(a, &m, 300), 0);
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

/* JOIN: rooms are any UTF-8 without spaces or commas; the join that would make a 65th room
 * for one client gets BAD_ROOM. */
TEST(join_65th_room_and_bad_names_are_BAD_ROOM)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    int i;

    test_server_config(&cfg, "p-rooms");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "roamer");
    REQUIRE(a);
    CHECK(pc_join(a, "caf\xc3\xa9-\xe7\x94\xa8\xe6\x88\xb7-\xf0\x9f\x98\x80") == 0);
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    for (i = 2; i < 64; i++) { /* with the lobby: 64 rooms */
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        CHECK(pc_join(a, name) == 0);
        CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    }
    CHECK(pc_join(a, "one-too-many") == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_ROOM);
    CHECK(pc_join(a, "two words") == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_ROOM);
    CHECK(pc_join(a, "a,b") == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_ROOM);
    pc_close(a);
    test_server_end(&ts);
}

/* SAY: empty text is BAD_TEXT, with the SAY's tag. */
TEST(say_empty_text_is_BAD_TEXT_with_its_tag)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;

    test_server_config(&cfg, "p-empty");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "mute");
    REQUIRE(a);
    CHECK(pc_say(a, "lobby", "", 77) == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_TEXT);
    CHECK_EQ_INT(m.tag, 77);
    CHECK(pc_priv(a, "nobody", "hello?", 78) == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NO_SUCH_USER);
    CHECK_EQ_INT(m.tag, 78);
    pc_close(a);
    test_server_end(&ts);
}

/* MEMBER: KICK names the room, one per room the user was in; QUIT carries the reason the
 * client gave in its BYE. */
TEST(member_kick_names_each_room_and_quit_carries_the_bye_reason)
{
    test_server ts;
    server_config cfg;
    pc_conn *op, *troll, *leaver, *watcher;
    proto_msg m;
    int kicks = 0, lobby = 0, den = 0;

    test_server_config(&cfg, "p-member");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    op = join_settled(&ts, "op");
    troll = join_settled(&ts, "troll");
    leaver = join_settled(&ts, "leaver");
    watcher = join_settled(&ts, "watcher");
    REQUIRE(op && troll && leaver && watcher);
    CHECK(pc_join(troll, "den") == 0 && test_expect(troll, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK(pc_join(watcher, "den") == 0 && test_expect(watcher, PT_HISTORY_END, &m, WAIT) == 1);
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("op-pass");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_NOTICE, &m, WAIT) == 1);
    memset(&m, 0, sizeof m);
    m.type = PT_KICK;
    m.nick = proto_s("troll");
    m.text = proto_s("behave");
    CHECK(pc_send(op, &m) == 0);
    while (kicks < 2 && test_expect(watcher, PT_MEMBER, &m, WAIT) == 1) {
        if (m.event != MEMBER_KICK)
            continue;
        kicks++;
        CHECK(str_is(m.nick, "troll") && str_is(m.target, "op") && str_is(m.text, "behave"));
        lobby += str_is(m.room, "lobby");
        den += str_is(m.room, "den");
    }
    CHECK(lobby == 1 && den == 1);
    CHECK(pc_quit(leaver, "off to lunch") == 0);
    while (test_expect(watcher, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_QUIT) {
    }
    CHECK(m.event == MEMBER_QUIT && str_is(m.nick, "leaver") && str_is(m.text, "off to lunch"));
    pc_close(troll);
    pc_close(leaver);
    pc_close(op);
    pc_close(watcher);
    test_server_end(&ts);
}

/* NICK: asking for the nick one already has is answered (a RENAME to the same nick, to the
 * asker alone), not ignored. */
TEST(nick_same_nick_is_answered)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;

    test_server_config(&cfg, "p-nick");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "same");
    REQUIRE(a);
    CHECK(pc_nick(a, "same") == 0);
    CHECK(test_expect(a, PT_MEMBER, &m, WAIT) == 1);
    CHECK(m.event == MEMBER_RENAME && str_is(m.nick, "same") && str_is(m.target, "same"));
    pc_close(a);
    test_server_end(&ts);
}

/* Sends HISTORY and collects the ids replayed until HISTORY_END (whose count must match). */
static size_t history_ids(pc_conn *c, const char *room, uint64_t after, uint64_t before,
                          uint32_t count, uint64_t *ids, size_t cap)
{
    proto_msg m;
    size_t n = 0;

    memset(&m, 0, sizeof m);
    m.type = PT_HISTORY;
    m.room = proto_s(room);
    m.after = after;
    m.before = before;
    m.count = count;
    CHECK(pc_send(c, &m) == 0);
    while (pc_recv(c, &m, WAIT) == 1) {
        if (m.type == PT_MSG && (m.flags & PROTO_FLAG_HISTORY) && n < cap) {
            CHECK_EQ_INT(m.tag, 0); /* replayed messages carry no tag */
            ids[n++] = m.id;
        }
        if (m.type == PT_HISTORY_END) {
            CHECK_EQ_INT(m.count, n);
            return n;
        }
        if (m.type == PT_ERROR)
            return (size_t)-1;
    }
    test_failf_at(__FILE__, __LINE__, "no HISTORY_END");
    return n;
}

/* HISTORY: paging backwards (before = the oldest id seen) and forwards (after = the newest id
 * seen) meets every message exactly once; count 0 means as many as the server keeps; a room
 * the client is not in is NOT_IN_ROOM. */
TEST(history_pages_both_ways_without_gaps)
{
    enum { N = 10, PAGE = 3 };
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    uint64_t sent[N], got[N + 1], page[N];
    size_t n, k, total;
    int i;

    test_server_config(&cfg, "p-history");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "pager");
    REQUIRE(a);
    for (i = 0; i < N; i++) {
        char text[16];
        snprintf(text, sizeof text, "m%d", i);
        CHECK(pc_say(a, "lobby", text, (uint32_t)i + 1) == 0);
        CHECK(test_expect_text(a, text, &m, WAIT) == 1);
        sent[i] = m.id;
    }
    /* Newest first page, then backwards. */
    total = 0;
    n = history_ids(a, "lobby", 0, 0, PAGE, page, N);
    CHECK_EQ_INT(n, PAGE);
    while (n > 0 && n != (size_t)-1 && total + n <= N) {
        memmove(got + n, got, total * sizeof *got);
        memcpy(got, page, n * sizeof *page);
        total += n;
        n = history_ids(a, "lobby", 0, got[0], PAGE, page, N);
    }
    CHECK_EQ_INT(total, N);
    for (k = 0; k < total && k < N; k++)
        CHECK(got[k] == sent[k]);
    /* Forwards from the oldest. */
    total = 1;
    got[0] = sent[0];
    while ((n = history_ids(a, "lobby", got[total - 1], 0, PAGE, page, N)) > 0 &&
           n != (size_t)-1 && total + n <= N) {
        memcpy(got + total, page, n * sizeof *page);
        total += n;
    }
    CHECK_EQ_INT(total, N);
    for (k = 0; k < total && k < N; k++)
        CHECK(got[k] == sent[k]);
    /* count 0: everything kept. */
    CHECK_EQ_INT(history_ids(a, "lobby", 0, 0, 0, page, N), N);
    /* Not a member: NOT_IN_ROOM. */
    CHECK_EQ_INT(history_ids(a, "elsewhere", 0, 0, 0, page, N), (size_t)-1);
    pc_close(a);
    test_server_end(&ts);
}

static uint64_t priv_id(pc_conn *from, pc_conn *to, const char *text, uint32_t tag)
{
    proto_msg m;
    CHECK(pc_priv(from, pc_nick_of(to), text, tag) == 0);
    while (test_expect(to, PT_PRIV_MSG, &m, WAIT) == 1)
        if (str_is(m.text, text))
            return m.id;
    test_failf_at(__FILE__, __LINE__, "private message '%s' did not arrive", text);
    return 0;
}

/* PRIV_MSG: ids never repeat and only increase, across restarts too, and share one sequence
 * with room messages (MSG). */
TEST(priv_msg_ids_increase_across_restarts)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    proto_msg m;
    uint64_t id1, id2, room_id, id3;

    test_server_config(&cfg, "p-privids");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "amy");
    b = join_settled(&ts, "bo");
    REQUIRE(a && b);
    id1 = priv_id(a, b, "one", 1);
    id2 = priv_id(a, b, "two", 2);
    CHECK(id2 > id1);
    CHECK(pc_say(a, "lobby", "between", 3) == 0);
    CHECK(test_expect_text(a, "between", &m, WAIT) == 1);
    room_id = m.id;
    CHECK(room_id > id2);
    pc_close(a);
    pc_close(b);
    test_server_stop(&ts);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    a = join_settled(&ts, "amy");
    b = join_settled(&ts, "bo");
    REQUIRE(a && b);
    id3 = priv_id(a, b, "three", 4);
    CHECK(id3 > room_id);
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

/* WELCOME: max_frame is the largest declared frame length the server takes. A client must not
 * send more: the client library refuses such a request itself, and the connection stays
 * usable. */
TEST(welcome_max_frame_is_honoured_by_the_client)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    char text[PROTO_TEXT_MAX + 1];

    test_server_config(&cfg, "p-maxframe");
    cfg.max_frame = 4096;
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "wordy");
    REQUIRE(a);
    CHECK_EQ_INT(pc_server_max_frame(a), 4096);
    memset(text, 'w', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    CHECK(pc_say(a, "lobby", text, 1) != 0);
    CHECK(strstr(pc_send_error(a), "SAY") != NULL);
    text[1000] = '\0';
    CHECK(pc_say(a, "lobby", text, 2) == 0);
    CHECK(test_expect(a, PT_MSG, &m, WAIT) == 1);
    CHECK_EQ_INT(m.tag, 2);
    pc_close(a);
    test_server_end(&ts);
}

/* PING: after idle_timeout of silence the server sends PING; a client that answers nothing
 * within ping_timeout gets BYE TIMEOUT. Any frame counts as an answer. */
TEST(ping_server_pings_after_silence_then_bye_TIMEOUT)
{
    test_server ts;
    server_config cfg;
    raw_client rc;
    proto_msg m;

    test_server_config(&cfg, "p-keepalive");
    cfg.idle_timeout_ms = 200;
    cfg.ping_timeout_ms = 300;
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    REQUIRE(raw_connect(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "dozy") == 0);
    CHECK_EQ_INT(raw_expect(&rc, PT_PING, &m, WAIT), 1);
    CHECK_EQ_INT(raw_expect(&rc, PT_BYE, &m, WAIT), 1);
    CHECK_EQ_INT(m.code, PC_TIMEOUT);
    raw_close(&rc, 0);
    test_server_end(&ts);
}

/* OPER: success is a NOTICE from the server (empty nick); a wrong password BAD_PASSWORD. */
TEST(oper_success_is_a_notice)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;

    test_server_config(&cfg, "p-oper");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "boss");
    REQUIRE(a);
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("op-pass");
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(a, PT_NOTICE, &m, WAIT) == 1);
    CHECK_EQ_INT(m.nick.n, 0);
    pc_close(a);
    test_server_end(&ts);
}

/* PRIV: a private message to a user who is away is delivered, and the sender also gets a
 * NOTICE from the server with the away message. */
TEST(priv_to_an_away_user_gets_a_notice)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    proto_msg m;

    test_server_config(&cfg, "p-away");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = join_settled(&ts, "asker");
    b = join_settled(&ts, "napper");
    REQUIRE(a && b);
    CHECK(pc_away(b, PRESENCE_AWAY, "back at three") == 0);
    while (test_expect(a, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_PRESENCE) {
    }
    CHECK(m.event == MEMBER_PRESENCE);
    CHECK(pc_priv(a, "napper", "ping me", 5) == 0);
    CHECK(test_expect(b, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(test_expect(a, PT_NOTICE, &m, WAIT) == 1);
    CHECK_EQ_INT(m.nick.n, 0);
    {
        char text[PROTO_TEXT_MAX + 1];
        proto_str_copy(text, sizeof text, m.text);
        CHECK(strstr(text, "back at three") != NULL);
    }
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

/* The secret's bytes: a BOM at the start and trailing white space are not part of it;
 * everything else is. */
TEST(the_secrets_bytes_are_normalised_once_the_same_way)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"\xEF\xBB\xBFkey\r\n", "key"},
        {"key \t \r\n\n", "key"},
        {"  key", "  key"},          /* leading white space is part of it */
        {"k e y", "k e y"},
        {"key\xEF\xBB\xBF", "key\xEF\xBB\xBF"}, /* a BOM only counts at the start */
        {"\xEF\xBB\xBF \r\n", ""},
        {"", ""},
    };
    char key[64];
    size_t i, n;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(key, sizeof key, "%s", cases[i].in);
        n = secret_normalize(key, strlen(key));
        CHECK_EQ_INT(n, strlen(cases[i].out));
        CHECK(memcmp(key, cases[i].out, n) == 0 && key[n] == '\0');
    }
}

/* The same through the server's key file: a file saved with a BOM and a trailing space
 * gives the key a client has without them. */
TEST(the_secrets_bytes_key_file_with_bom_and_trailing_space)
{
    test_server ts;
    server_config cfg;
    char path[600], err[256], where[600];
    int generated = 0;
    FILE *f;
    pc_conn *a;

    test_server_config(&cfg, "p-secret");
    REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
    REQUIRE(fsys_path_join(path, sizeof path, cfg.data_dir, "secret.key") == 0);
    f = fsys_fopen(path, "wb");
    REQUIRE(f);
    fputs("\xEF\xBB\xBF" TEST_SECRET " \r\n", f);
    fclose(f);
    cfg.secret[0] = '\0';
    REQUIRE(server_secret(&cfg, &generated, where, sizeof where, err, sizeof err) == 0);
    CHECK_EQ_INT(generated, 0);
    CHECK_EQ_STR(cfg.secret, TEST_SECRET);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = test_connect(&ts, "keyed", NULL, 0);
    CHECK(a != NULL);
    if (a)
        pc_close(a);
    test_server_end(&ts);
}

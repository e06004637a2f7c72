/* test_private.c — integration tests for stored private conversations (auth = accounts) on a
 * real server core and engine (epoll natively, IOCP under Wine): a message to an offline
 * account waits for its login, several sessions of one account share the conversation,
 * catch-up without duplicates, delivery and read receipts (and switching them off), the
 * mailbox cap and expiry, key mode left as it was, and a deleted account's conversations
 * gone for good (a new account of its name inherits nothing). */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "search_pages.h"
#include "server_fixture.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "user_admin.h"
#include "thread.h"

#define WAIT 5000u

static int start_with(test_server *ts, server_config *cfg)
{
    if (test_add_account(cfg->data_dir, "alice", "alice pw", USER_ROLE_USER, 0) != 0 ||
        test_add_account(cfg->data_dir, "bob", "bob pw", USER_ROLE_USER, 0) != 0 ||
        test_add_account(cfg->data_dir, "dave", "dave pw", USER_ROLE_USER, 0) != 0)
        return -1;
    return test_server_begin(ts, cfg);
}

static int start(test_server *ts, const char *name)
{
    server_config cfg;
    test_server_config(&cfg, name);
    cfg.auth = AUTH_ACCOUNTS;
    return start_with(ts, &cfg);
}

/* The next frame of one of the two types (others skipped): its type, 0 on timeout. */
static uint8_t next_of(pc_conn *c, uint8_t a, uint8_t b, proto_msg *m)
{
    uint64_t deadline = sys_mono_ms() + WAIT;
    while (sys_mono_ms() < deadline) {
        if (pc_recv(c, m, WAIT) != 1)
            return 0;
        if (m->type == a || m->type == b)
            return m->type;
    }
    return 0;
}

/* Sends a private message and waits for its echo (the store's acknowledgement): its id, or 0
 * with *code set if it was refused. */
static uint64_t send_priv(pc_conn *c, const char *to, const char *text, uint32_t tag,
                          uint16_t *code)
{
    proto_msg m;
    *code = 0;
    if (pc_priv(c, to, text, tag) != 0)
        return 0;
    for (;;) {
        uint8_t t = next_of(c, PT_PRIV_MSG, PT_ERROR, &m);
        if (t == PT_ERROR) {
            *code = m.code;
            CHECK_EQ_INT(m.tag, tag);
            return 0;
        }
        if (t == 0)
            return 0;
        if (m.tag == tag && str_is(m.text, text))
            return m.id;
    }
}

/* Asks for the conversations after `after` and collects the replay: texts joined by '|'. */
static uint32_t sync_texts(pc_conn *c, uint64_t after, char *out, size_t cap, uint8_t *flags_or,
                           uint64_t *end_id)
{
    proto_msg m;
    uint32_t n = 0;
    out[0] = '\0';
    *flags_or = 0;
    if (pc_priv_sync(c, after, 0) != 0)
        return 0;
    while (next_of(c, PT_PRIV_MSG, PT_PRIV_SYNC_END, &m) == PT_PRIV_MSG) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%.*s", n ? "|" : "", (int)m.text.n, m.text.p);
        *flags_or |= m.flags;
        n++;
    }
    if (m.type != PT_PRIV_SYNC_END) {
        test_failf_at(__FILE__, __LINE__, "no PRIV_SYNC_END");
        return n;
    }
    CHECK_EQ_INT(m.count, n);
    *end_id = m.id;
    return n;
}

TEST(private_message_to_an_offline_account_waits_for_its_login)
{
    test_server ts;
    pc_conn *a, *d;
    uint16_t code;
    uint64_t id1, id2, id3, end = 0;
    uint8_t flags;
    char got[256];
    proto_msg m;

    REQUIRE(start(&ts, "pm-offline") == 0);
    a = test_login_settled(&ts, "alice");
    REQUIRE(a);
    id1 = send_priv(a, "dave", "first", 1, &code);
    CHECK_EQ_INT(code, 0); /* was: NO_SUCH_USER, "no user called dave is online" */
    id2 = send_priv(a, "DAVE", "second", 2, &code); /* any spelling of the account */
    id3 = send_priv(a, "dave", "third", 3, &code);
    CHECK(id1 && id2 > id1 && id3 > id2);

    d = test_login_settled(&ts, "dave");
    REQUIRE(d);
    CHECK_EQ_INT(sync_texts(d, 0, got, sizeof got, &flags, &end), 3);
    CHECK_EQ_STR(got, "first|second|third"); /* in order */
    CHECK(flags & PROTO_FLAG_OFFLINE);
    CHECK(flags & PROTO_FLAG_HISTORY);
    CHECK_EQ_INT(end, id3);
    /* The sender hears that they reached dave, up to the newest. */
    REQUIRE(next_of(a, PT_DELIVERED, PT_DELIVERED, &m) == PT_DELIVERED);
    CHECK(str_is(m.nick, "dave"));
    CHECK_EQ_INT(m.id, id3);
    /* Delivered now: a later catch-up shows them as conversation, not as waiting. */
    CHECK_EQ_INT(sync_texts(d, 0, got, sizeof got, &flags, &end), 3);
    CHECK(!(flags & PROTO_FLAG_OFFLINE));
    /* A name that is no account is still refused. */
    CHECK_EQ_INT(send_priv(a, "nobody", "hello?", 4, &code), 0);
    CHECK_EQ_INT(code, PC_NO_SUCH_USER);
    pc_close(a);
    pc_close(d);
    test_server_end(&ts);
}

TEST(private_two_sessions_of_one_account_see_the_same_conversation)
{
    test_server ts;
    pc_conn *a1, *a2, *b;
    uint16_t code;
    uint64_t id;
    proto_msg m;

    REQUIRE(start(&ts, "pm-two") == 0);
    a1 = test_login_settled(&ts, "alice");
    a2 = test_login_settled(&ts, "alice"); /* was refused: "that nickname is taken" */
    b = test_login_settled(&ts, "bob");
    REQUIRE(a1 && a2 && b);
    /* To alice: both of her sessions. */
    id = send_priv(b, "alice", "hi alice", 7, &code);
    CHECK(id != 0);
    REQUIRE(next_of(a1, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "hi alice") && m.id == id && m.tag == 0);
    REQUIRE(next_of(a2, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "hi alice") && m.id == id && m.tag == 0);
    /* From one of her sessions: the other shows it too. */
    id = send_priv(a1, "bob", "hi bob", 8, &code);
    CHECK(id != 0);
    REQUIRE(next_of(a2, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "hi bob") && str_is(m.nick, "alice") && str_is(m.target, "bob"));
    CHECK_EQ_INT(m.tag, 0); /* the tag is the sending session's own */
    REQUIRE(next_of(b, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "hi bob"));
    pc_close(a1);
    pc_close(a2);
    pc_close(b);
    test_server_end(&ts);
}

TEST(private_catch_up_after_a_reconnect_has_no_duplicates)
{
    test_server ts;
    pc_conn *a, *b;
    uint16_t code;
    uint64_t seen, end = 0, live;
    uint8_t flags;
    char got[256];
    proto_msg m;

    REQUIRE(start(&ts, "pm-catchup") == 0);
    a = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    REQUIRE(a && b);
    send_priv(a, "bob", "one", 1, &code);
    seen = send_priv(b, "alice", "two", 2, &code);
    REQUIRE(next_of(a, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    CHECK_EQ_INT(m.id, seen);
    pc_close(a); /* alice's PC goes away */
    send_priv(b, "alice", "three", 3, &code);
    send_priv(b, "alice", "four", 4, &code);
    a = test_login_settled(&ts, "alice");
    REQUIRE(a);
    /* Asking for what came after the last one seen: exactly the two missed. */
    CHECK_EQ_INT(sync_texts(a, seen, got, sizeof got, &flags, &end), 2);
    CHECK_EQ_STR(got, "three|four");
    /* A live message, then a catch-up from the start: the live one is not repeated. */
    live = send_priv(b, "alice", "five", 5, &code);
    REQUIRE(next_of(a, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    CHECK_EQ_INT(m.id, live);
    CHECK_EQ_INT(sync_texts(a, 0, got, sizeof got, &flags, &end), 4);
    CHECK_EQ_STR(got, "one|two|three|four");
    CHECK_EQ_INT(end, live); /* the newest id of her conversations */
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

TEST(private_receipts_delivered_read_and_switched_off)
{
    test_server ts;
    pc_conn *a1, *a2, *b;
    uint16_t code;
    uint64_t id, id2;
    proto_msg m;

    REQUIRE(start(&ts, "pm-receipts") == 0);
    a1 = test_login_settled(&ts, "alice");
    a2 = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    REQUIRE(a1 && a2 && b);
    id = send_priv(b, "alice", "did you read this?", 1, &code);
    REQUIRE(id != 0);
    REQUIRE(next_of(b, PT_DELIVERED, PT_DELIVERED, &m) == PT_DELIVERED);
    CHECK(str_is(m.nick, "alice") && m.id == id);
    /* alice reads it in one session: bob hears, and her other session shares the state. */
    REQUIRE(pc_read(a1, "bob", id) == 0);
    REQUIRE(next_of(b, PT_READ_MARK, PT_READ_MARK, &m) == PT_READ_MARK);
    CHECK(str_is(m.nick, "alice") && str_is(m.target, "bob") && m.id == id);
    REQUIRE(next_of(a2, PT_READ_MARK, PT_READ_MARK, &m) == PT_READ_MARK);
    CHECK(str_is(m.nick, "alice") && str_is(m.target, "bob") && m.id == id);
    /* Receipts off: both her sessions show the setting, and bob no longer hears. */
    REQUIRE(pc_priv_prefs(a1, 0) == 0);
    REQUIRE(next_of(a2, PT_PRIV_PREFS, PT_PRIV_PREFS, &m) == PT_PRIV_PREFS);
    CHECK(m.flags & PROTO_FLAG_NO_RECEIPTS);
    id2 = send_priv(b, "alice", "and this?", 2, &code);
    REQUIRE(id2 != 0);
    REQUIRE(pc_read(a1, "bob", id2) == 0);
    REQUIRE(next_of(a2, PT_READ_MARK, PT_READ_MARK, &m) == PT_READ_MARK); /* still shared */
    CHECK_EQ_INT(m.id, id2);
    /* alice's reply comes after her READ: if a receipt were sent, bob would see it first. */
    send_priv(a1, "bob", "no receipts from me", 3, &code);
    REQUIRE(next_of(b, PT_READ_MARK, PT_PRIV_MSG, &m) != 0);
    CHECK_EQ_INT(m.type, PT_PRIV_MSG);
    pc_close(a1);
    pc_close(a2);
    pc_close(b);
    test_server_end(&ts);
}

TEST(private_read_receipts_off_for_the_whole_server)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    uint16_t code;
    uint64_t id;
    proto_msg m;

    test_server_config(&cfg, "pm-noreceipts");
    cfg.auth = AUTH_ACCOUNTS;
    cfg.read_receipts = 0;
    REQUIRE(start_with(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    REQUIRE(a && b);
    id = send_priv(b, "alice", "read?", 1, &code);
    REQUIRE(id != 0);
    REQUIRE(next_of(a, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG);
    REQUIRE(pc_read(a, "bob", id) == 0);
    REQUIRE(next_of(a, PT_READ_MARK, PT_READ_MARK, &m) == PT_READ_MARK); /* her own state */
    send_priv(a, "bob", "reply", 2, &code);
    REQUIRE(next_of(b, PT_READ_MARK, PT_PRIV_MSG, &m) != 0);
    CHECK_EQ_INT(m.type, PT_PRIV_MSG); /* no READ_MARK before it */
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

TEST(private_mailbox_cap_refuses_and_says_why)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *d;
    uint16_t code;
    uint64_t end;
    uint8_t flags;
    char got[256];

    test_server_config(&cfg, "pm-cap");
    cfg.auth = AUTH_ACCOUNTS;
    cfg.mailbox_cap = 2;
    REQUIRE(start_with(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    REQUIRE(a);
    CHECK(send_priv(a, "dave", "m1", 1, &code) != 0);
    CHECK(send_priv(a, "dave", "m2", 2, &code) != 0);
    CHECK_EQ_INT(send_priv(a, "dave", "m3", 3, &code), 0);
    CHECK_EQ_INT(code, PC_MAILBOX_FULL);
    d = test_login_settled(&ts, "dave");
    REQUIRE(d);
    CHECK_EQ_INT(sync_texts(d, 0, got, sizeof got, &flags, &end), 2);
    CHECK_EQ_STR(got, "m1|m2"); /* the refused one was not stored */
    pc_close(d);
    /* Delivered, the mailbox is empty again. */
    CHECK(send_priv(a, "dave", "m4", 4, &code) != 0);
    CHECK_EQ_INT(code, 0);
    pc_close(a);
    test_server_end(&ts);
}

TEST(private_waiting_message_expires_and_the_sender_is_told)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *d;
    uint16_t code;
    uint64_t id, end;
    uint8_t flags;
    char got[256];
    proto_msg m;

    test_server_config(&cfg, "pm-expiry");
    cfg.auth = AUTH_ACCOUNTS;
    cfg.mailbox_expiry_ms = 1000;
    REQUIRE(start_with(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    REQUIRE(a);
    id = send_priv(a, "dave", "too late", 1, &code);
    REQUIRE(id != 0);
    /* The server's once-a-second upkeep drops it after a second; alice is told which. */
    REQUIRE(test_expect(a, PT_UNDELIVERED, &m, 10000) == 1);
    CHECK_EQ_INT(m.id, id);
    CHECK_EQ_INT(m.code, PC_EXPIRED);
    CHECK(str_is(m.target, "dave"));
    d = test_login_settled(&ts, "dave");
    REQUIRE(d);
    CHECK_EQ_INT(sync_texts(d, 0, got, sizeof got, &flags, &end), 0);
    pc_close(d);
    pc_close(a);
    test_server_end(&ts);
}

TEST(private_in_key_mode_stays_live_only)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;

    test_server_config(&cfg, "pm-key");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = test_connect(&ts, "alice", NULL, 0);
    REQUIRE(a);
    CHECK(test_settle(a) == 1);
    REQUIRE(pc_priv(a, "nobody", "hello", 9) == 0);
    REQUIRE(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NO_SUCH_USER);
    REQUIRE(pc_priv_sync(a, 0, 0) == 0);
    REQUIRE(test_expect(a, PT_PRIV_SYNC_END, &m, WAIT) == 1);
    CHECK_EQ_INT(m.count, 0);
    pc_close(a);
    test_server_end(&ts);
}

/* A user in a room from two sessions is one member: the second login is no JOIN to the
 * others, the user list names them once, and only the last session's end is a QUIT. */
/* Asks the lobby's USERS on c: how many entries name nick (-1: no list came). */
static int listed_in_lobby(pc_conn *c, const char *nick)
{
    char list[1024], *name, *rest;
    int n = 0;

    if (test_users(c, "lobby", list, sizeof list, WAIT) < 0)
        return -1;
    for (name = list; name; name = rest) {
        rest = strchr(name, ',');
        if (rest)
            *rest++ = '\0';
        n += strcmp(name, nick) == 0;
    }
    return n;
}

/* Waits until the core has n sessions (a closed client's session ends a moment later). */
static int sessions_become(test_server *ts, size_t n)
{
    uint64_t deadline = sys_mono_ms() + WAIT;
    while (chat_session_count(ts->core) != n && sys_mono_ms() < deadline)
        sleep_ms(10);
    return chat_session_count(ts->core) == n;
}

TEST(private_two_sessions_are_one_member_of_a_room)
{
    test_server ts;
    pc_conn *a1, *a2, *b;
    proto_msg m;
    size_t pos;
    proto_entry e;
    int alices;
    uint64_t deadline;

    REQUIRE(start(&ts, "pm-one-member") == 0);
    b = test_login_settled(&ts, "bob");
    a1 = test_login_settled(&ts, "alice");
    REQUIRE(b && a1);
    REQUIRE(test_expect(b, PT_MEMBER, &m, WAIT) == 1); /* alice joined the lobby */
    CHECK(m.event == MEMBER_JOIN && str_is(m.nick, "alice"));
    a2 = test_login_settled(&ts, "alice");
    REQUIRE(a2);
    memset(&m, 0, sizeof m);
    m.type = PT_USERS;
    m.room = proto_s("lobby");
    REQUIRE(pc_send(b, &m) == 0);
    REQUIRE(next_of(b, PT_USER_LIST, PT_MEMBER, &m) == PT_USER_LIST); /* no second JOIN */
    pos = 0;
    alices = 0;
    while (proto_list_next(&m.list, PT_USER_LIST, &pos, &e))
        alices += str_is(e.name, "alice");
    CHECK_EQ_INT(alices, 1);
    /* One of her sessions ends (the server has let it go: two sessions left, read while the
     * engine runs, where a stale read only waits longer): she is still there. The other's end
     * is her QUIT. */
    pc_close(a2);
    deadline = sys_mono_ms() + WAIT;
    while (chat_session_count(ts.core) != 2 && sys_mono_ms() < deadline)
        sleep_ms(10);
    CHECK_EQ_INT(chat_session_count(ts.core), 2);
    REQUIRE(pc_say(b, "lobby", "still here?", 1) == 0);
    REQUIRE(next_of(b, PT_MSG, PT_MEMBER, &m) == PT_MSG);
    CHECK(str_is(m.text, "still here?"));
    pc_close(a1);
    REQUIRE(next_of(b, PT_MEMBER, PT_MEMBER, &m) == PT_MEMBER);
    CHECK(m.event == MEMBER_QUIT && str_is(m.nick, "alice"));
    pc_close(b);
    test_server_end(&ts);
}

/* The member list names a user once however their sessions come and go: alone, two, three,
 * the first of them gone, one left. (A list only looks a nick up when several sessions hold
 * it, so who shares a nick must stay right through every change.) */
TEST(private_member_list_names_a_user_once_as_sessions_come_and_go)
{
    test_server ts;
    pc_conn *a[3], *b;

    REQUIRE(start(&ts, "pm-list-once") == 0);
    b = test_login_settled(&ts, "bob");
    a[0] = test_login_settled(&ts, "alice");
    REQUIRE(b && a[0]);
    CHECK_EQ_INT(listed_in_lobby(b, "alice"), 1);
    a[1] = test_login_settled(&ts, "alice");
    a[2] = test_login_settled(&ts, "alice");
    REQUIRE(a[1] && a[2]);
    CHECK_EQ_INT(listed_in_lobby(b, "alice"), 1);
    CHECK_EQ_INT(listed_in_lobby(a[2], "alice"), 1);
    pc_close(a[0]); /* the first session, the one the nick map names */
    REQUIRE(sessions_become(&ts, 3));
    CHECK_EQ_INT(listed_in_lobby(b, "alice"), 1);
    pc_close(a[2]);
    REQUIRE(sessions_become(&ts, 2));
    CHECK_EQ_INT(listed_in_lobby(b, "alice"), 1);
    CHECK_EQ_INT(listed_in_lobby(a[1], "bob"), 1);
    pc_close(a[1]);
    REQUIRE(sessions_become(&ts, 1));
    CHECK_EQ_INT(listed_in_lobby(b, "alice"), 0);
    pc_close(b);
    test_server_end(&ts);
}

/* Sends a private "/me" (PRIV with the ACTION flag). */
static int send_action(pc_conn *c, const char *to, const char *text, uint32_t tag)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_PRIV;
    m.target = proto_s(to);
    m.text = proto_s(text);
    m.tag = tag;
    m.flags = PROTO_FLAG_ACTION;
    return pc_send(c, &m);
}

/* The next PRIV_MSG with this text: its flags, or 0xFF if none came. */
static unsigned priv_flags_of(pc_conn *c, const char *text)
{
    proto_msg m;
    while (next_of(c, PT_PRIV_MSG, PT_PRIV_MSG, &m) == PT_PRIV_MSG)
        if (str_is(m.text, text))
            return m.flags;
    test_failf_at(__FILE__, __LINE__, "no PRIV_MSG \"%s\"", text);
    return 0xFFu;
}

/* A "/me" in a private conversation stays an action live, when it waited for an offline
 * recipient and when a later catch-up replays it (was: the stored copy had no flags). */
TEST(private_action_keeps_its_flag_live_offline_and_replayed)
{
    test_server ts;
    pc_conn *a, *d;
    proto_msg m;
    unsigned f;

    REQUIRE(start(&ts, "pm-action") == 0);
    a = test_login_settled(&ts, "alice");
    d = test_login_settled(&ts, "dave");
    REQUIRE(a && d);
    REQUIRE(send_action(a, "dave", "waves", 1) == 0);
    f = priv_flags_of(d, "waves"); /* live, to the recipient */
    CHECK(f != 0xFFu && (f & PROTO_FLAG_ACTION));
    f = priv_flags_of(a, "waves"); /* the sender's copy */
    CHECK(f != 0xFFu && (f & PROTO_FLAG_ACTION));
    pc_close(d);
    REQUIRE(send_action(a, "dave", "knocks", 2) == 0);
    f = priv_flags_of(a, "knocks");
    CHECK(f != 0xFFu && (f & PROTO_FLAG_ACTION));
    REQUIRE(pc_priv(a, "dave", "plain words", 3) == 0);
    CHECK_EQ_INT(priv_flags_of(a, "plain words"), 0);

    d = test_login_settled(&ts, "dave");
    REQUIRE(d);
    REQUIRE(pc_priv_sync(d, 0, 0) == 0);
    REQUIRE(next_of(d, PT_PRIV_MSG, PT_PRIV_SYNC_END, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "waves")); /* replayed */
    CHECK_EQ_INT(m.flags, PROTO_FLAG_HISTORY | PROTO_FLAG_ACTION);
    REQUIRE(next_of(d, PT_PRIV_MSG, PT_PRIV_SYNC_END, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "knocks")); /* waited while dave was offline */
    CHECK_EQ_INT(m.flags, PROTO_FLAG_HISTORY | PROTO_FLAG_OFFLINE | PROTO_FLAG_ACTION);
    REQUIRE(next_of(d, PT_PRIV_MSG, PT_PRIV_SYNC_END, &m) == PT_PRIV_MSG);
    CHECK(str_is(m.text, "plain words"));
    CHECK_EQ_INT(m.flags, PROTO_FLAG_HISTORY | PROTO_FLAG_OFFLINE); /* no action made up */
    pc_close(d);
    pc_close(a);
    test_server_end(&ts);
}

/* The server's log, watched for one line (the server logs from its own thread). */
static mutex_handle *seen_mu;
static const char *seen_want;
static int seen_it;

static void watch_sink(void *user, log_level level, const char *line, size_t len)
{
    (void)user;
    (void)level;
    (void)len;
    mutex_lock(seen_mu);
    if (seen_want && strstr(line, seen_want))
        seen_it = 1;
    mutex_unlock(seen_mu);
}

static int log_seen(void)
{
    int seen;
    mutex_lock(seen_mu);
    seen = seen_it;
    mutex_unlock(seen_mu);
    return seen;
}

/* The UNDELIVERED frames a PRIV_SYNC brings before its PRIV_SYNC_END: how many, the last in *m. */
static int undelivered_in_sync(pc_conn *c, proto_msg *last)
{
    proto_msg m;
    int n = 0;
    if (pc_priv_sync(c, 0, 0) != 0)
        return -1;
    while (next_of(c, PT_UNDELIVERED, PT_PRIV_SYNC_END, &m) == PT_UNDELIVERED) {
        *last = m;
        n++;
    }
    return m.type == PT_PRIV_SYNC_END ? n : -1;
}

/* A sender who was logged out when their message expired hears of it at their next login, once,
 * and across a restart of the server (was: never). */
TEST(private_expiry_is_told_to_a_sender_who_was_offline)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    uint16_t code;
    uint64_t id, deadline;
    proto_msg m;
    int started = 0;

    seen_mu = mutex_new();
    REQUIRE(seen_mu);
    seen_want = "expired undelivered";
    seen_it = 0;
    test_server_config(&cfg, "pm-expiry-offline");
    cfg.auth = AUTH_ACCOUNTS;
    cfg.mailbox_expiry_ms = 1000;
    cfg.log_level = LOG_INFO;
    log_set_sink(watch_sink, NULL);
    if (start_with(&ts, &cfg) != 0)
        goto done;
    started = 1;
    a = test_login_settled(&ts, "alice");
    if (!a)
        goto done;
    id = send_priv(a, "dave", "you will not read this", 1, &code);
    CHECK(id != 0);
    pc_close(a);
    /* She is gone before the message expires (a second after it was sent)... */
    deadline = sys_mono_ms() + WAIT;
    while (chat_session_count(ts.core) != 0 && sys_mono_ms() < deadline)
        sleep_ms(10);
    CHECK_EQ_INT(chat_session_count(ts.core), 0);
    /* ... and it expires while nobody is there to be told. */
    deadline = sys_mono_ms() + 10000u;
    while (!log_seen() && sys_mono_ms() < deadline)
        sleep_ms(10);
    CHECK(log_seen());
    /* The server restarts in between: what she is owed is in the journal. */
    test_server_stop(&ts);
    started = test_server_start(&ts, &cfg) == 0;
    if (!started)
        goto done;
    a = test_login_settled(&ts, "alice");
    if (!a)
        goto done;
    memset(&m, 0, sizeof m);
    CHECK_EQ_INT(undelivered_in_sync(a, &m), 1);
    CHECK_EQ_INT(m.id, id);
    CHECK_EQ_INT(m.code, PC_EXPIRED);
    CHECK(str_is(m.target, "dave"));
    /* Told once: the next catch-up has nothing more to say. */
    CHECK_EQ_INT(undelivered_in_sync(a, &m), 0);
    pc_close(a);
done:
    log_set_sink(NULL, NULL);
    if (started)
        test_server_end(&ts);
    mutex_free(seen_mu);
    seen_mu = NULL;
}

/* A whole catch-up: how many messages, and how many marks (READ_MARK, DELIVERED) it gave. */
static void sync_counts(pc_conn *c, uint32_t *msgs, uint32_t *marks)
{
    proto_msg m;
    *msgs = *marks = 0;
    REQUIRE(pc_priv_sync(c, 0, 0) == 0);
    for (;;) {
        if (pc_recv(c, &m, WAIT) != 1) {
            test_failf_at(__FILE__, __LINE__, "no PRIV_SYNC_END");
            return;
        }
        if (m.type == PT_PRIV_SYNC_END)
            return;
        if (m.type == PT_PRIV_MSG)
            (*msgs)++;
        else if (m.type == PT_READ_MARK || m.type == PT_DELIVERED)
            (*marks)++;
    }
}

/* alice and bob talk, alice reads; returns the time (wall clock) of the newest message. */
static uint64_t old_conversation(pc_conn *a, pc_conn *b)
{
    uint16_t code;
    uint64_t id;
    proto_msg m;

    CHECK(send_priv(a, "bob", "the walrus plan", 1, &code) != 0);
    id = send_priv(b, "alice", "walrus agreed", 2, &code);
    CHECK(id != 0);
    CHECK(pc_read(a, "bob", id) == 0);
    CHECK(next_of(b, PT_READ_MARK, PT_READ_MARK, &m) == PT_READ_MARK && m.id == id);
    return sys_wall_ms();
}

/* What the new alice sees: nothing of the old alice's conversation, no marks, no hits. */
static void new_alice_sees_nothing(const test_server *ts)
{
    uint32_t msgs, marks;
    page pg;
    pc_conn *a = test_login_settled(ts, "alice");
    REQUIRE(a);
    sync_counts(a, &msgs, &marks);
    CHECK_EQ_INT(msgs, 0);
    CHECK_EQ_INT(marks, 0);
    REQUIRE(search_page(a, "walrus", 9, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, 0);
    CHECK_EQ_INT(pg.n, 0);
    pc_close(a);
}

/* An admin deletes alice while the server runs and adds an alice again: the new account gets
 * nothing of the old one's conversations, and bob's side of them is gone too (was: the new
 * alice's catch-up replayed them and her search found them). */
TEST(private_deleted_account_conversations_go_with_it)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b, *r;
    proto_msg m;
    char v[256], note[256];
    uint32_t msgs, marks;
    page pg;

    test_server_config(&cfg, "pm-forget");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "root", "root pw", USER_ROLE_ADMIN, 0) == 0);
    REQUIRE(start_with(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    r = test_login_settled(&ts, "root");
    REQUIRE(a && b && r);
    old_conversation(a, b);
    memset(&m, 0, sizeof m);
    m.type = PT_ACCOUNT;
    m.nick = proto_s("alice");
    m.target = proto_s("delete");
    REQUIRE(pc_send(r, &m) == 0);
    CHECK(test_expect(a, PT_BYE, &m, WAIT) == -1);
    pc_close(a);
    REQUIRE(test_expect(r, PT_NOTICE, &m, WAIT) == 1);
    CHECK(str_is(m.text, "account alice: delete done"));
    test_verifier_text("alice pw", v, sizeof v);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_ADD, "alice", NULL, NULL, v, note,
                                      sizeof note),
                 0);
    new_alice_sees_nothing(&ts);
    /* bob: the conversation went for both (docs/ADMIN.md). */
    sync_counts(b, &msgs, &marks);
    CHECK_EQ_INT(msgs, 0);
    CHECK_EQ_INT(marks, 0);
    REQUIRE(search_page(b, "walrus", 10, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 0);
    pc_close(b);
    pc_close(r);
    /* And after a restart: the forgetting was journaled. */
    test_server_stop(&ts);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    new_alice_sees_nothing(&ts);
    test_server_end(&ts);
}

/* The same done with the server stopped: parley-server --user delete drops the account's
 * stored conversations itself, so an account made again under the name starts with none. */
TEST(private_account_replaced_offline_inherits_nothing)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    uint64_t newest;
    uint32_t msgs, marks;

    test_server_config(&cfg, "pm-forget-offline");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(start_with(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    REQUIRE(a && b);
    newest = old_conversation(a, b);
    pc_close(a);
    pc_close(b);
    test_server_stop(&ts);
    (void)newest;
    /* parley-server --user delete alice, then an account of the same name again. */
    {
        char *argv[] = {"--user", "delete", "alice"};
        REQUIRE(user_admin_main(&cfg, 3, argv) == 0);
    }
    REQUIRE(test_add_account(cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    new_alice_sees_nothing(&ts);
    /* bob, whose account is older than the messages, keeps nothing of a conversation with an
     * account that no longer exists either. */
    b = test_login_settled(&ts, "bob");
    REQUIRE(b);
    sync_counts(b, &msgs, &marks);
    CHECK_EQ_INT(msgs, 0);
    pc_close(b);
    test_server_end(&ts);
}

/* test_limits.c — the limits no key holder can get around (issue 12): PING against the rate
 * limit, the per-address connection rate and its IPv6 /64 key, auto_join, the room cap, large
 * rooms that send member counts instead of announcements, the server-wide output budget, the
 * history limits, and the journal writer that keeps disk I/O off the core lock.
 * A real server core and engine on loopback, driven by the client library. */
#include <stdio.h>
#include <string.h>

#include "chat_internal.h"
#include "crypto.h"
#include "fault_util.h"
#include "idmark.h"
#include "journal_writer.h"
#include "log.h"
#include "server_fixture.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 5000u

static int start(test_server *ts, server_config *cfg)
{
    return test_server_begin(ts, cfg);
}

static void finish(test_server *ts)
{
    test_server_end(ts);
    log_capture_stop();
}

static int send_ping(pc_conn *c, uint64_t token)
{
    return pc_ping(c, token);
}

/* Connects as nick to 127.0.0.1; NULL with the refusal's code and text when refused. */
static pc_conn *try_connect(const test_server *ts, const char *nick, int *code, char *err,
                            size_t err_size)
{
    pc_options o;
    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = ts->port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = nick;
    *code = 0;
    return pc_connect(&o, code, err, err_size);
}

/* Answering a PING costs a decrypt and an encrypt like any request: PINGs draw on the same
 * bucket as everything else, and past it get ERROR RATE_LIMITED, not a PONG. */
TEST(ping_counts_against_the_rate_limit)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    int i, limited = 0, pongs = 0;

    test_server_config(&cfg, "l-ping");
    cfg.rate_per_sec = 5;
    cfg.rate_burst = 5;
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "pinger", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    for (i = 0; i < 20; i++)
        CHECK(send_ping(a, (uint64_t)i + 1) == 0);
    while (pc_recv(a, &m, 1000) == 1) {
        if (m.type == PT_ERROR && m.code == PC_RATE_LIMITED)
            limited++;
        if (m.type == PT_PONG)
            pongs++;
    }
    CHECK(limited >= 1);
    CHECK(pongs >= 5 && pongs < 20);
    pc_close(a);
    finish(&ts);
}

/* New connections from one address are a token bucket: a burst, then connect_rate a second.
 * Past it the connection is refused with SERVER_FULL and a reason, the log says so once, and
 * the address gets in again once the bucket refills. Others are not affected. */
TEST(connect_rate_per_address_refuses_then_recovers)
{
    test_server ts;
    server_config cfg;
    bystanders by;
    pc_conn *c[3], *late = NULL;
    char err[256];
    uint64_t end;
    int i;

    test_server_config(&cfg, "l-crate");
    cfg.connect_rate = 2;
    cfg.connect_burst = 5;
    log_capture_start();
    REQUIRE(start(&ts, &cfg) == 0);
    REQUIRE(bystanders_join(&by, &ts) == 0); /* from 127.0.0.2 and .3: buckets of their own */
    for (i = 0; i < 3; i++) {
        char nick[8];
        snprintf(nick, sizeof nick, "c%d", i);
        c[i] = test_connect(&ts, nick, NULL, 0);
        CHECK(c[i] != NULL);
    }
    /* The burst is 5: two more get in at most (the bucket refills a little meanwhile), and
     * a quick series of attempts is refused long before it ends. */
    for (i = 0; i < 20; i++) {
        int code;
        pc_conn *e = try_connect(&ts, "eager", &code, err, sizeof err);
        if (e) {
            pc_close(e);
            continue;
        }
        if (code == PC_SERVER_FULL && strstr(err, "connecting too often"))
            break;
    }
    CHECK(i < 20);
    CHECK(log_capture_has("refusing connections from 127.0.0.1: more than 2 a second"));
    CHECK(bystanders_talk(&by));
    /* Two a second: within a few seconds the address is welcome again. */
    end = sys_mono_ms() + WAIT;
    while (!late && sys_mono_ms() < end) {
        int code;
        late = try_connect(&ts, "patient", &code, err, sizeof err);
        if (!late)
            sleep_ms(100);
    }
    CHECK(late != NULL);
    if (late)
        pc_close(late);
    for (i = 0; i < 3; i++)
        if (c[i])
            pc_close(c[i]);
    bystanders_leave(&by);
    finish(&ts);
}

/* Per-address limits count an IPv6 client by its /64: one machine has the whole /64 to pick
 * addresses from. */
TEST(ipv6_clients_are_counted_per_64)
{
    static const char *const same[] = {"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff",
                                       "2001:db8:1:2:3:4:5:6"};
    char key[64];
    size_t i;

    for (i = 0; i < sizeof same / sizeof same[0]; i++) {
        limits_addr_key(same[i], key, sizeof key);
        CHECK_EQ_STR(key, "2001:db8:1:2::/64");
    }
    limits_addr_key("2001:db8:1:3::1", key, sizeof key);
    CHECK_EQ_STR(key, "2001:db8:1:3::/64");
    limits_addr_key("::1", key, sizeof key);
    CHECK_EQ_STR(key, "::/64");
    limits_addr_key("192.0.2.7", key, sizeof key);
    CHECK_EQ_STR(key, "192.0.2.7");
}

/* The same through a real IPv6 connection, where the host has IPv6 loopback. */
TEST(per_address_limit_holds_for_ipv6_loopback)
{
    test_server ts;
    server_config cfg;
    pc_conn *c;
    pc_options o;
    char err[256];
    int code = 0;
    sock *probe;

    test_server_config(&cfg, "l-v6");
    snprintf(cfg.bind, sizeof cfg.bind, "::1");
    cfg.max_per_ip = 1;
    sock_startup();
    crypto_init();
    if (test_server_start(&ts, &cfg) != 0)
        return;
    probe = sock_connect("::1", ts.port, WAIT, err, sizeof err);
    if (!probe) {
        fprintf(stderr, "   no IPv6 loopback here (%s)\n", err);
        finish(&ts);
        return;
    }
    CHECK(wait_sessions(&ts, 1, WAIT)); /* accepted, so the close below is seen too */
    sock_close(probe, 0);
    CHECK(wait_sessions(&ts, 0, WAIT));
    pc_options_init(&o);
    o.host = "::1";
    o.port = ts.port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = "six";
    c = pc_connect(&o, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "connect over IPv6: %s", err);
    o.nick = "seven";
    CHECK(pc_connect(&o, &code, err, sizeof err) == NULL);
    CHECK_EQ_INT(code, PC_SERVER_FULL);
    if (c)
        pc_close(c);
    finish(&ts);
}

static int joined(pc_conn *c, const char *room_name, uint32_t timeout_ms)
{
    proto_msg m;
    while (test_expect(c, PT_MEMBER, &m, timeout_ms) == 1)
        if (m.event == MEMBER_JOIN && str_is(m.room, room_name) && str_is(m.nick, pc_nick_of(c)))
            return 1;
    return 0;
}

/* auto_join names the room every user is put in at login; empty puts nobody anywhere. */
TEST(auto_join_setting_names_the_room_or_none)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;

    test_server_config(&cfg, "l-autojoin");
    snprintf(cfg.auto_join, sizeof cfg.auto_join, "welcome");
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "newcomer", NULL, 0);
    REQUIRE(a);
    CHECK(joined(a, "welcome", WAIT));
    pc_close(a);
    finish(&ts);

    test_server_config(&cfg, "l-autojoin0");
    cfg.auto_join[0] = '\0';
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "loner", NULL, 0);
    REQUIRE(a);
    /* In no room: saying something in the lobby is answered NOT_IN_ROOM, and nothing (no
     * MEMBER JOIN, no history) came before that answer. */
    CHECK(pc_say(a, "lobby", "anyone?", 7) == 0);
    CHECK(pc_recv(a, &m, WAIT) == 1);
    CHECK(m.type == PT_ERROR && m.code == PC_NOT_IN_ROOM);
    pc_close(a);
    finish(&ts);
}

/* max_rooms caps the rooms on the server: a JOIN that would create one more is BAD_ROOM;
 * joining one that exists still works. */
TEST(room_cap_refuses_new_rooms_only)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    proto_msg m;

    test_server_config(&cfg, "l-rooms");
    cfg.max_rooms = 2; /* the lobby and one more */
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "builder", NULL, 0);
    b = test_connect(&ts, "visitor", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    CHECK(pc_join(a, "one") == 0);
    CHECK(joined(a, "one", WAIT));
    CHECK(pc_join(a, "two") == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_ROOM);
    {
        char text[PROTO_NAME_MAX + 1];
        proto_str_copy(text, sizeof text, m.text);
        CHECK(strstr(text, "2 rooms") != NULL);
    }
    CHECK(pc_join(b, "one") == 0);
    CHECK(joined(b, "one", WAIT));
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

/* Above announce_max_members a room does not tell every member about each join, part and
 * quit: the subject alone hears of it, and members get the count in a ROOM_LIST flagged
 * UPDATE every few seconds. */
TEST(large_room_sends_member_counts_instead_of_announcements)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b, *c;
    proto_msg m;
    int rc, counted = 0, saw_join_of_c = 0;
    uint64_t end;

    test_server_config(&cfg, "l-large");
    cfg.announce_max_members = 2;
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "first", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    b = test_connect(&ts, "second", NULL, 0);
    REQUIRE(b);
    test_settle(b);
    /* Two members: still announced. */
    CHECK(test_expect(a, PT_MEMBER, &m, WAIT) == 1 && m.event == MEMBER_JOIN &&
          str_is(m.nick, "second"));
    c = test_connect(&ts, "third", NULL, 0);
    REQUIRE(c);
    CHECK(joined(c, "lobby", WAIT)); /* the joiner hears its own join */
    end = sys_mono_ms() + 8000;
    while (!counted && sys_mono_ms() < end && (rc = pc_recv(a, &m, 1000)) >= 0) {
        if (rc == 1 && m.type == PT_MEMBER && str_is(m.nick, "third"))
            saw_join_of_c = 1;
        if (rc == 1 && m.type == PT_ROOM_LIST && (m.flags & PROTO_FLAG_UPDATE)) {
            proto_entry e;
            size_t pos = 0;
            CHECK(proto_list_next(&m.list, PT_ROOM_LIST, &pos, &e) == 1);
            CHECK(str_is(e.name, "lobby"));
            CHECK_EQ_INT(e.value, 3);
            counted = 1;
        }
    }
    CHECK(counted);
    CHECK(!saw_join_of_c);
    pc_close(a);
    pc_close(b);
    pc_close(c);
    finish(&ts);
}

/* A large room keeps its member list encoded (a lobby of thousands joined a thousand times a
 * second), and what it sends stays right: everyone listed once, a joiner at once, presence and
 * a new name at once, and someone who left gone within a second, even one who comes back
 * within it. */
TEST(large_room_member_list_keeps_up_with_the_room)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b, *c, *d, *e;
    proto_msg m;
    char list[512];

    test_server_config(&cfg, "l-list");
    cfg.announce_max_members = 2;
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect_settled(&ts, "ann");
    b = test_connect_settled(&ts, "bob");
    c = test_connect_settled(&ts, "cy");
    REQUIRE(a && b && c);
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 3);
    CHECK(strcmp(list, "ann,bob,cy") == 0);
    /* A joiner is in the list it gets, and in everyone's from then on. */
    d = test_connect_settled(&ts, "dee");
    REQUIRE(d);
    CHECK_EQ_INT(test_users(d, "lobby", list, sizeof list, WAIT), 4);
    CHECK(strcmp(list, "ann,bob,cy,dee") == 0);
    /* Away, and a new name: shown at once. */
    memset(&m, 0, sizeof m);
    m.type = PT_AWAY;
    m.presence = PRESENCE_AWAY;
    m.text = proto_s("lunch");
    REQUIRE(pc_send(b, &m) == 0);
    do /* its own presence: done */
        REQUIRE(test_expect(b, PT_MEMBER, &m, WAIT) == 1);
    while (m.event != MEMBER_PRESENCE);
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 4);
    CHECK(strcmp(list, "ann,bob(away:lunch),cy,dee") == 0);
    memset(&m, 0, sizeof m);
    m.type = PT_NICK;
    m.nick = proto_s("cyril");
    REQUIRE(pc_send(c, &m) == 0);
    do /* its own rename (after bob's presence): done */
        REQUIRE(test_expect(c, PT_MEMBER, &m, WAIT) == 1);
    while (m.event != MEMBER_RENAME);
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 4);
    CHECK(strcmp(list, "ann,bob(away:lunch),cyril,dee") == 0);
    /* Someone leaves and comes back at once: listed once. */
    pc_close(d);
    REQUIRE(wait_sessions(&ts, 3, WAIT));
    d = test_connect_settled(&ts, "dee");
    REQUIRE(d);
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 4);
    CHECK(strcmp(list, "ann,bob(away:lunch),cyril,dee") == 0);
    /* Someone leaves for good: gone from the list within a second. */
    pc_close(d);
    REQUIRE(wait_sessions(&ts, 3, WAIT));
    sleep_ms(1100);
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 3);
    CHECK(strcmp(list, "ann,bob(away:lunch),cyril") == 0);
    /* Back to a small room: exact lists again, made afresh. */
    pc_close(c);
    REQUIRE(wait_sessions(&ts, 2, WAIT));
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 2);
    CHECK(strcmp(list, "ann,bob(away:lunch)") == 0);
    e = test_connect_settled(&ts, "eve");
    REQUIRE(e);
    pc_close(e);
    REQUIRE(wait_sessions(&ts, 2, WAIT));
    CHECK_EQ_INT(test_users(a, "lobby", list, sizeof list, WAIT), 2);
    CHECK(strcmp(list, "ann,bob(away:lunch)") == 0);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

/* Output queued to all clients together has a budget: over it, the largest queue is cut
 * first (logged with the reason), and a client with little queued keeps its connection. */
TEST(output_budget_cuts_the_largest_queue_first)
{
    enum { TOTAL = 9000, STEP = 50 };
    test_server ts;
    server_config cfg;
    pc_conn *big, *small, *talker;
    proto_msg m;
    char text[1100];
    int i, big_ended = 0;

    test_server_config(&cfg, "l-budget");
    cfg.send_queue_max = 64u << 20; /* the per-client cap is not what bites here */
    cfg.send_queue_total = 512u * 1024u;
    cfg.rate_per_sec = 1000000;
    cfg.rate_burst = 1000000;
    log_capture_start();
    REQUIRE(start(&ts, &cfg) == 0);
    big = test_connect(&ts, "big", NULL, 0);
    small = test_connect(&ts, "small", NULL, 0);
    talker = test_connect(&ts, "talker", NULL, 0);
    REQUIRE(big && small && talker);
    test_settle(big);
    test_settle(small);
    test_settle(talker);
    CHECK(pc_join(big, "flood") == 0 && joined(big, "flood", WAIT));
    CHECK(pc_join(talker, "flood") == 0 && joined(talker, "flood", WAIT));
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    /* About 10 MB towards "big", which reads nothing: past every socket buffer. */
    for (i = 0; i < TOTAL; i++) {
        CHECK(pc_say(talker, "flood", text, (uint32_t)i) == 0);
        if (i % STEP == STEP - 1) {
            int rc;
            do
                rc = test_expect(talker, PT_MSG, &m, WAIT);
            while (rc == 1 && m.tag != (uint32_t)i);
            if (rc != 1)
                break;
        }
        if (log_capture_has("output to all clients is over its budget"))
            break;
    }
    fprintf(stderr, "   %d messages sent before the cut\n", i);
    CHECK(log_capture_has("big (127.0.0.1) disconnected: output to all clients is over its "
                          "budget"));
    for (i = 0; i < 2 * TOTAL; i++) {
        int rc = pc_recv(big, &m, WAIT);
        if (rc < 0) {
            big_ended = 1;
            break;
        }
        if (rc == 0)
            break;
    }
    CHECK(big_ended);
    /* The small one is still there. */
    CHECK(pc_say(talker, "lobby", "still there?", 1) == 0);
    CHECK(test_expect_text(small, "still there?", &m, WAIT) == 1);
    pc_close(big);
    pc_close(small);
    pc_close(talker);
    finish(&ts);
}

/* History has a global byte budget: over it, the oldest messages of the least recently used
 * room go first (logged), a compaction takes that to the disk, and the rest stays. */
TEST(history_byte_budget_trims_the_least_recently_used_room)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    char text[120];
    int i, left;

    test_server_config(&cfg, "l-hbudget");
    cfg.history_max_bytes = 6000;
    log_capture_start();
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "archivist", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    CHECK(pc_join(a, "attic") == 0 && joined(a, "attic", WAIT));
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    for (i = 0; i < 30; i++) { /* about 4.3 kB */
        text[0] = (char)('A' + i % 26);
        CHECK(pc_say(a, "attic", text, (uint32_t)i) == 0);
        CHECK(test_expect(a, PT_MSG, &m, WAIT) == 1);
    }
    /* Then 1.4 kB more in another room, in small messages: over the budget once, and after
     * the trim (down to 90 %) what is still to come cannot take it over again. */
    for (i = 0; i < 30; i++) {
        CHECK(pc_say(a, "lobby", "short line", (uint32_t)(100 + i)) == 0);
        CHECK(test_expect(a, PT_MSG, &m, WAIT) == 1);
    }
    {
        uint64_t end = sys_mono_ms() + WAIT;
        while (!log_capture_has("over its byte budget") && sys_mono_ms() < end)
            sleep_ms(20);
    }
    CHECK(log_capture_has("oldest messages of room attic, the least recently used"));
    /* The lobby (newer) kept all 30; the attic lost its oldest. */
    CHECK(pc_history(a, "lobby", 0, 0) == 0);
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK_EQ_INT(m.count, 30);
    CHECK(pc_history(a, "attic", 0, 0) == 0);
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    left = (int)m.count;
    CHECK(left < 30);
    pc_close(a);
    /* The journal says the same after a restart. */
    test_server_stop(&ts);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    a = test_connect(&ts, "archivist", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    CHECK(pc_join(a, "attic") == 0);
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK_EQ_INT(m.count, left);
    pc_close(a);
    finish(&ts);
}

/* The history of a room nobody is in goes after expire_after without messages. */
TEST(history_of_an_empty_room_expires)
{
    test_server ts;
    server_config cfg;
    pc_conn *a;
    proto_msg m;
    uint64_t end;

    test_server_config(&cfg, "l-expire");
    cfg.expire_after_ms = 300;
    cfg.log_level = LOG_INFO; /* expiry is ordinary upkeep, logged as information */
    log_capture_start();
    REQUIRE(start(&ts, &cfg) == 0);
    a = test_connect(&ts, "visitor", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    CHECK(pc_join(a, "lobbyist") == 0 && joined(a, "lobbyist", WAIT));
    CHECK(pc_say(a, "lobbyist", "was here", 1) == 0);
    CHECK(test_expect_text(a, "was here", &m, WAIT) == 1);
    CHECK(pc_say(a, "lobby", "and here", 2) == 0);
    CHECK(test_expect_text(a, "and here", &m, WAIT) == 1);
    CHECK(pc_part(a, "lobbyist", "") == 0);
    end = sys_mono_ms() + WAIT;
    while (!log_capture_has("room lobbyist has had no members") && sys_mono_ms() < end)
        sleep_ms(20);
    CHECK(log_capture_has("room lobbyist has had no members"));
    /* The lobby, which has a member, keeps its history; the other room is gone. */
    CHECK(!log_capture_has("room lobby has had no members"));
    CHECK(pc_join(a, "lobbyist") == 0);
    CHECK(test_expect(a, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK_EQ_INT(m.count, 0);
    pc_close(a);
    finish(&ts);
}

/* ---- the journal writer thread ---- */

static mutex_handle *disk_mu;
static int disk_held, disk_waiting;

/* jw_test_before_write: a disk that hangs until the test lets it go. */
static void slow_disk(void)
{
    uint64_t end = sys_mono_ms() + 2 * WAIT;
    mutex_lock(disk_mu);
    disk_waiting++;
    while (disk_held && sys_mono_ms() < end) {
        mutex_unlock(disk_mu);
        sleep_ms(5);
        mutex_lock(disk_mu);
    }
    disk_waiting--;
    mutex_unlock(disk_mu);
}

static int disk_get(int *v)
{
    int x;
    mutex_lock(disk_mu);
    x = *v;
    mutex_unlock(disk_mu);
    return x;
}

/* The disk hangs (1) or goes on (0). */
static void disk_hold(int held)
{
    mutex_lock(disk_mu);
    disk_held = held;
    mutex_unlock(disk_mu);
}

/* Waits until a write is stuck on the held disk: 1 once it is. */
static int disk_stuck(void)
{
    uint64_t end = sys_mono_ms() + WAIT;
    while (!disk_get(&disk_waiting) && sys_mono_ms() < end)
        sleep_ms(5);
    return disk_get(&disk_waiting) == 1;
}

/* The core goes on: c's PING with this token is answered. 1 if it is. */
static int served(pc_conn *c, uint64_t token)
{
    proto_msg m;
    return pc_ping(c, token) == 0 && test_expect(c, PT_PONG, &m, WAIT) == 1 && m.token == token;
}

/* c becomes an operator (the server's oper_password is "op-pass"). 0, or -1. */
static int oper_up(pc_conn *c)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("op-pass");
    return pc_send(c, &m) == 0 && test_expect(c, PT_NOTICE, &m, WAIT) == 1 ? 0 : -1;
}

/* Connects an operator, a target and a bystander, each settled. 0, or -1. */
static int oper_target_other(test_server *ts, const char *const names[3], pc_conn **op,
                             pc_conn **target, pc_conn **other)
{
    *op = test_connect(ts, names[0], NULL, 0);
    *target = test_connect(ts, names[1], NULL, 0);
    *other = test_connect(ts, names[2], NULL, 0);
    if (!*op || !*target || !*other)
        return -1;
    test_settle(*op);
    test_settle(*target);
    test_settle(*other);
    return oper_up(*op);
}

/* Disk I/O is off the core lock: while the journal write of one message hangs, everyone
 * else is served (a PING is answered), and the sender's echo comes only once the write is
 * done (SECURITY.md: acknowledged means written). */
TEST(a_hanging_journal_write_stalls_no_one_and_delays_only_its_echo)
{
    test_server ts;
    server_config cfg;
    pc_conn *writer, *other;
    proto_msg m;
    uint64_t end;

    disk_mu = mutex_new();
    REQUIRE(disk_mu);
    test_server_config(&cfg, "l-writer");
    REQUIRE(start(&ts, &cfg) == 0);
    writer = test_connect(&ts, "author", NULL, 0);
    other = test_connect(&ts, "reader", NULL, 0);
    REQUIRE(writer && other);
    test_settle(writer);
    test_settle(other);
    disk_held = 1;
    jw_test_before_write = slow_disk;
    CHECK(pc_say(writer, "lobby", "stuck on disk", 9) == 0);
    end = sys_mono_ms() + WAIT;
    while (!disk_get(&disk_waiting) && sys_mono_ms() < end)
        sleep_ms(5);
    CHECK(disk_get(&disk_waiting) == 1);
    /* The core goes on: another client's PING is answered... */
    CHECK(pc_ping(other, 77) == 0);
    CHECK(test_expect(other, PT_PONG, &m, WAIT) == 1);
    CHECK_EQ_INT(m.token, 77);
    /* ...while nobody has seen the message yet, its sender included. */
    while (pc_recv(writer, &m, 200) == 1)
        CHECK(m.type != PT_MSG);
    mutex_lock(disk_mu);
    disk_held = 0;
    mutex_unlock(disk_mu);
    CHECK(test_expect_text(writer, "stuck on disk", &m, WAIT) == 1);
    CHECK_EQ_INT(m.tag, 9);
    CHECK(test_expect_text(other, "stuck on disk", &m, WAIT) == 1);
    jw_test_before_write = NULL;
    pc_close(writer);
    pc_close(other);
    finish(&ts);
    mutex_free(disk_mu);
}

/* Waits for the private message with this text (test_expect_text is for room messages). */
static int expect_priv(pc_conn *c, const char *text, proto_msg *m)
{
    while (test_expect(c, PT_PRIV_MSG, m, WAIT) == 1)
        if (str_is(m->text, text))
            return 1;
    return 0;
}

/* The id mark (ids.mark) is written off the core lock too, ahead of need: while its write
 * hangs, private messages go on with the ids already on disk, and everyone is served. */
TEST(a_hanging_id_mark_write_stalls_no_one)
{
    test_server ts;
    server_config cfg;
    pc_conn *sender, *reader, *other;
    proto_msg m;
    uint64_t end, last_id = 0;
    char text[32];
    unsigned i, sent = IDMARK_BLOCK / 2 + 64; /* past the point where the next block is asked */

    disk_mu = mutex_new();
    REQUIRE(disk_mu);
    test_server_config(&cfg, "l-idmark");
    REQUIRE(start(&ts, &cfg) == 0);
    sender = test_connect(&ts, "whisperer", NULL, 0);
    reader = test_connect(&ts, "listener", NULL, 0);
    other = test_connect(&ts, "bystander", NULL, 0);
    REQUIRE(sender && reader && other);
    test_settle(sender);
    test_settle(reader);
    test_settle(other);
    disk_held = 1;
    idmark_test_before_write = slow_disk;
    for (i = 0; i < sent; i++) {
        snprintf(text, sizeof text, "pm %u", i);
        REQUIRE(pc_priv(sender, "listener", text, i + 1) == 0);
        /* The sender's copy is its acknowledgement; ids only ever go up. */
        REQUIRE(expect_priv(sender, text, &m) == 1);
        CHECK_EQ_INT(m.tag, i + 1);
        CHECK(m.id > last_id);
        last_id = m.id;
        REQUIRE(expect_priv(reader, text, &m) == 1);
    }
    /* The next block's write was asked for on the way and is stuck on the disk... */
    end = sys_mono_ms() + WAIT;
    while (!disk_get(&disk_waiting) && sys_mono_ms() < end)
        sleep_ms(5);
    CHECK(disk_get(&disk_waiting) == 1);
    /* ...and the core still answers. */
    CHECK(pc_ping(other, 78) == 0);
    CHECK(test_expect(other, PT_PONG, &m, WAIT) == 1);
    CHECK_EQ_INT(m.token, 78);
    mutex_lock(disk_mu);
    disk_held = 0;
    mutex_unlock(disk_mu);
    CHECK(pc_priv(sender, "listener", "after the disk", 9999) == 0);
    CHECK(expect_priv(reader, "after the disk", &m) == 1);
    CHECK(m.id > last_id);
    idmark_test_before_write = NULL;
    pc_close(sender);
    pc_close(reader);
    pc_close(other);
    finish(&ts);
    mutex_free(disk_mu);
}

/* A ban is written by the bans journal's own writer thread: while that write hangs, everyone
 * is served, and the ban takes effect and is acknowledged to its operator only once written
 * (SECURITY.md). */
TEST(a_hanging_ban_write_stalls_no_one_and_delays_only_the_ban)
{
    static const char *const ban_cast[3] = {"warden", "rowdy", "calm"};
    test_server ts;
    server_config cfg;
    pc_conn *op, *target, *other;
    proto_msg m;

    disk_mu = mutex_new();
    REQUIRE(disk_mu);
    test_server_config(&cfg, "l-banwriter");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    REQUIRE(start(&ts, &cfg) == 0);
    REQUIRE(oper_target_other(&ts, ban_cast, &op, &target, &other) == 0);
    disk_held = 1;
    jw_test_before_write = slow_disk;
    memset(&m, 0, sizeof m);
    m.type = PT_BAN;
    m.target = proto_s("rowdy");
    m.text = proto_s("noise");
    CHECK(pc_send(op, &m) == 0);
    CHECK(disk_stuck());
    /* The core goes on: another client's PING is answered... */
    CHECK(served(other, 79));
    /* ...while the ban is neither acknowledged nor in effect. */
    while (pc_recv(op, &m, 200) == 1)
        CHECK(m.type != PT_NOTICE);
    CHECK(served(target, 80));
    disk_hold(0);
    CHECK(test_expect(op, PT_NOTICE, &m, WAIT) == 1);
    CHECK(str_is(m.text, "rowdy is banned"));
    CHECK(test_expect(target, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(target), PC_BANNED);
    jw_test_before_write = NULL;
    pc_close(op);
    pc_close(target);
    pc_close(other);
    finish(&ts);
    mutex_free(disk_mu);
}

/* Sends an ALERT to `to` (as an operator without accounts). */
static int send_alert_to(pc_conn *c, const char *to, const char *text)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_ALERT;
    m.tag = 5;
    m.target = proto_s(to);
    m.text = proto_s(text);
    return pc_send(c, &m);
}

/* Alerts are written by their journal's own writer thread (issue 16): while the write of an
 * alert, then of its acknowledgement, hangs, everyone is served, and ALERT_OK, the alert
 * itself and ACKED come only once written (fsync = always: synced). */
TEST(a_hanging_alert_write_stalls_no_one_and_delays_only_its_answer)
{
    static const char *const alert_cast[3] = {"siren", "listener", "calm"};
    test_server ts;
    server_config cfg;
    pc_conn *op, *target, *other;
    proto_msg m;
    uint64_t end, id;

    disk_mu = mutex_new();
    REQUIRE(disk_mu);
    test_server_config(&cfg, "l-alertwriter");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    cfg.fsync = FSYNC_ALWAYS;
    REQUIRE(start(&ts, &cfg) == 0);
    REQUIRE(oper_target_other(&ts, alert_cast, &op, &target, &other) == 0);

    disk_held = 1;
    jw_test_before_write = slow_disk;
    CHECK(send_alert_to(op, "user:listener", "evacuate") == 0);
    CHECK(disk_stuck());
    CHECK(served(other, 81));
    while (pc_recv(op, &m, 200) == 1)
        CHECK(m.type != PT_ALERT_OK);
    while (pc_recv(target, &m, 200) == 1)
        CHECK(m.type != PT_ALERT_MSG);
    disk_hold(0);
    REQUIRE(test_expect(op, PT_ALERT_OK, &m, WAIT) == 1);
    CHECK_EQ_INT(m.tag, 5);
    id = m.id;
    REQUIRE(test_expect(target, PT_ALERT_MSG, &m, WAIT) == 1);
    CHECK(m.id == id);

    /* The acknowledgement likewise (behind the alert's delivery record, which may hang too). */
    end = sys_mono_ms() + WAIT;
    while (disk_get(&disk_waiting) && sys_mono_ms() < end)
        sleep_ms(5);
    disk_hold(1);
    memset(&m, 0, sizeof m);
    m.type = PT_ACK;
    m.id = id;
    CHECK(pc_send(target, &m) == 0);
    CHECK(disk_stuck());
    CHECK(served(other, 82));
    while (pc_recv(target, &m, 200) == 1)
        CHECK(m.type != PT_ACKED);
    disk_hold(0);
    REQUIRE(test_expect(target, PT_ACKED, &m, WAIT) == 1);
    CHECK(m.id == id);
    jw_test_before_write = NULL;
    pc_close(op);
    pc_close(target);
    pc_close(other);
    finish(&ts);
    mutex_free(disk_mu);
}

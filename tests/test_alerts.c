/* test_alerts.c — integration tests for acknowledged alerts on a real server core and engine
 * (epoll natively, IOCP under Wine): an alert to 1,000 accounts, 100 of them offline, reaching a
 * complete roll call once they log in; expiry; the journal across a restart (with a torn tail);
 * the alert role that may send alerts and nothing else; users who may not send them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "crypto.h"
#include "fsys.h"
#include "scram.h"
#include "server_fixture.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 10000u
#define PASSWORD "alert test password"
#define CROWD 1000
#define OFFLINE 100

/* Adds accounts to the store in data_dir in one go (one verifier for all: the password and
 * salt are the same, so the test pays for the key stretching once). names[i] gets roles[i]. */
static int add_accounts(const char *data_dir, const char *const *names, const user_role *roles,
                        size_t n)
{
    static const uint8_t salt[16] = "alert-test-salt";
    char err[256];
    scram_verifier v;
    users *u = users_open(data_dir, NULL, NULL, err, sizeof err);
    size_t i;
    int rc = -1;

    if (!u)
        goto done;
    if (scram_verifier_make(PASSWORD, strlen(PASSWORD), salt, sizeof salt, SCRAM_ITERATIONS_MIN,
                            &v) != SCRAM_OK) {
        snprintf(err, sizeof err, "scram_verifier_make failed");
        goto done;
    }
    for (i = 0; i < n; i++)
        if (users_add(u, names[i], NULL, roles[i], &v, 1, err, sizeof err) != 0)
            goto done;
    rc = 0;
done:
    if (rc != 0)
        test_failf_at(__FILE__, __LINE__, "accounts: %s", err);
    users_close(u);
    return rc;
}

/* The small cast: root (admin), op (operator), bot (alert), alice and bob (users). */
/* The cast's accounts in a fresh server's data directory, its settings in cfg. */
static int prepare_cast(server_config *cfg, const char *name)
{
    static const char *const names[] = {"root", "op", "bot", "alice", "bob"};
    static const user_role roles[] = {USER_ROLE_ADMIN, USER_ROLE_OPERATOR, USER_ROLE_ALERT,
                                      USER_ROLE_USER, USER_ROLE_USER};
    sock_startup();
    crypto_init();
    test_server_config(cfg, name);
    cfg->auth = AUTH_ACCOUNTS;
    return add_accounts(cfg->data_dir, names, roles, 5);
}

static int start_cast(test_server *ts, server_config *cfg, const char *name)
{
    if (prepare_cast(cfg, name) != 0)
        return -1;
    return test_server_start(ts, cfg);
}

static pc_conn *login(test_server *ts, const char *user)
{
    char err[256];
    int code;
    pc_conn *c = test_login(ts, user, PASSWORD, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "login as %s: %s (code %d)", user, err, code);
    return c;
}

/* Sends an ALERT; returns the id from ALERT_OK (and its count in *count), or 0 with the
 * ERROR's code in *code and its text in why[0..why_size) (why may be NULL). */
static uint64_t await_alert_answer(pc_conn *c, uint32_t *count, int *code, char *why,
                                   size_t why_size);

static uint64_t send_alert_why(pc_conn *c, const char *to, uint32_t duration, const char *text,
                               uint32_t *count, int *code, char *why, size_t why_size)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_ALERT;
    m.tag = 77;
    m.duration = duration;
    m.target = proto_s(to);
    m.text = proto_s(text);
    *code = 0;
    if (pc_send(c, &m) != 0)
        return 0;
    return await_alert_answer(c, count, code, why, why_size);
}

/* The answer to an ALERT sent with tag 77, as send_alert_why returns it. */
static uint64_t await_alert_answer(pc_conn *c, uint32_t *count, int *code, char *why,
                                   size_t why_size)
{
    proto_msg m;
    *code = 0;
    for (;;) {
        if (pc_recv(c, &m, WAIT) != 1)
            return 0;
        if (m.type == PT_ALERT_OK) {
            CHECK_EQ_INT(m.tag, 77);
            if (count)
                *count = m.count;
            return m.id;
        }
        if (m.type == PT_ERROR) {
            CHECK_EQ_INT(m.tag, 77);
            *code = m.code;
            if (why)
                proto_str_copy(why, why_size, m.text);
            return 0;
        }
    }
}

static uint64_t send_alert(pc_conn *c, const char *to, uint32_t duration, const char *text,
                           uint32_t *count, int *code)
{
    return send_alert_why(c, to, duration, text, count, code, NULL, 0);
}

/* Sends a request of this type carrying id and returns the code of the ERROR it gets, or 0 if
 * the answer was `ok_type`. */
static int request(pc_conn *c, uint8_t type, uint64_t id, uint8_t ok_type, proto_msg *m)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->id = id;
    if (pc_send(c, m) != 0)
        return -1;
    for (;;) {
        if (pc_recv(c, m, WAIT) != 1)
            return -1;
        if (m->type == ok_type)
            return 0;
        if (m->type == PT_ERROR)
            return m->code;
    }
}

/* A roll call as counts per state, from the ROLL_LIST frames answering ROLL (updates that
 * arrive in between are skipped). Fills times[] (ack or delivery) of names "uNNNN" when times
 * is set. -1 if the answer did not come. */
typedef struct roll {
    size_t counts[3];
    size_t entries;
    uint64_t sent_ms;
    int late_ack; /* an acknowledgement time before the alert was sent */
} roll;

static int roll_call(pc_conn *c, uint64_t id, roll *r)
{
    proto_msg m;
    proto_entry e;
    int rc = request(c, PT_ROLL, id, PT_ROLL_LIST, &m);

    memset(r, 0, sizeof *r);
    for (;;) {
        size_t pos = 0;
        if (rc != 0)
            return -1;
        if (!(m.flags & PROTO_FLAG_UPDATE)) {
            r->sent_ms = m.time;
            while (proto_list_next(&m.list, PT_ROLL_LIST, &pos, &e)) {
                r->counts[e.value]++;
                r->entries++;
                if (e.value != ROLL_PENDING && e.time < m.time)
                    r->late_ack = 1;
            }
            if (!(m.flags & PROTO_FLAG_MORE))
                return 0;
        }
        rc = test_expect(c, PT_ROLL_LIST, &m, WAIT) == 1 ? 0 : -1;
    }
}

/* Receives until the ALERT_MSG of alert id (1), or a PONG for token `fence` first (0): a
 * PING sent after the login is answered after anything the login queued. */
static int alert_before_fence(pc_conn *c, uint64_t id, uint64_t fence, proto_msg *m)
{
    pc_ping(c, fence);
    for (;;) {
        if (pc_recv(c, m, WAIT) != 1)
            return -1;
        if (m->type == PT_ALERT_MSG && m->id == id)
            return 1;
        if (m->type == PT_PONG && m->token == fence)
            return 0;
    }
}

/* ---- the crowd ------------------------------------------------------------------------------ */

/* 1,000 accounts, 900 online when root alerts everyone: each of them gets it at once and
 * acknowledges it; the roll call then shows 900 acknowledged and 100 not delivered. The 100
 * log in: each gets the alert (sent while offline), acknowledges, and the roll call that root
 * follows is complete. */
TEST(alerts_reach_a_complete_roll_call_after_offline_users_log_in)
{
    static char names[CROWD + 1][8];
    const char **list = malloc((CROWD + 1) * sizeof *list);
    user_role *roles = malloc((CROWD + 1) * sizeof *roles);
    pc_conn **conns = calloc(CROWD, sizeof *conns);
    server_config cfg;
    test_server ts;
    pc_conn *root = NULL;
    proto_msg m;
    roll r;
    uint64_t id;
    uint32_t count = 0;
    size_t i, updates = 0;
    int code;

    REQUIRE(list && roles && conns);
    sock_startup();
    crypto_init();
    test_server_config(&cfg, "alert-crowd");
    cfg.auth = AUTH_ACCOUNTS;
    cfg.auto_join[0] = '\0';       /* no lobby: 1,000 joins would be a million MEMBER frames */
    cfg.max_connections = 2 * CROWD;
    cfg.max_per_ip = 2 * CROWD;
    cfg.idle_timeout_ms = 600000;  /* clients that wait their turn are not pinged meanwhile */
    cfg.fsync = FSYNC_NEVER;       /* 1,000 acknowledgements; durability has its own test */
    for (i = 0; i < CROWD; i++) {
        snprintf(names[i], sizeof names[i], "u%04u", (unsigned)i);
        list[i] = names[i];
        roles[i] = USER_ROLE_USER;
    }
    list[CROWD] = "root";
    roles[CROWD] = USER_ROLE_ADMIN;
    REQUIRE(add_accounts(cfg.data_dir, list, roles, CROWD + 1) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    root = login(&ts, "root");
    REQUIRE(root);
    for (i = 0; i < CROWD - OFFLINE; i++) {
        conns[i] = login(&ts, names[i]);
        REQUIRE(conns[i]);
    }
    id = send_alert(root, "all", 0, "The building closes at noon.", &count, &code);
    REQUIRE(id != 0);
    CHECK_EQ_INT(count, CROWD); /* every user account; not root, the sender */
    for (i = 0; i < CROWD - OFFLINE; i++) {
        CHECK(test_expect(conns[i], PT_ALERT_MSG, &m, WAIT) == 1);
        CHECK(m.id == id && str_is(m.nick, "root") && m.flags == 0);
        CHECK(str_is(m.text, "The building closes at noon."));
        memset(&m, 0, sizeof m);
        m.type = PT_ACK;
        m.id = id;
        CHECK(pc_send(conns[i], &m) == 0);
    }
    for (i = 0; i < CROWD - OFFLINE; i++) {
        CHECK(test_expect(conns[i], PT_ACKED, &m, WAIT) == 1);
        CHECK(m.id == id && m.time != 0);
    }
    REQUIRE(roll_call(root, id, &r) == 0);
    CHECK_EQ_INT(r.entries, CROWD);
    CHECK_EQ_INT(r.counts[ROLL_ACKED], CROWD - OFFLINE);
    CHECK_EQ_INT(r.counts[ROLL_SHOWN], 0);
    CHECK_EQ_INT(r.counts[ROLL_PENDING], OFFLINE);
    /* The offline hundred log in: the alert waits for them. */
    for (i = CROWD - OFFLINE; i < CROWD; i++) {
        conns[i] = login(&ts, names[i]);
        REQUIRE(conns[i]);
        CHECK(test_expect(conns[i], PT_ALERT_MSG, &m, WAIT) == 1);
        CHECK(m.id == id && (m.flags & PROTO_FLAG_HISTORY));
        CHECK(request(conns[i], PT_ACK, id, PT_ACKED, &m) == 0);
    }
    /* root follows the roll call: an update for each delivery and each acknowledgement. */
    while (updates < 2 * OFFLINE && test_expect(root, PT_ROLL_LIST, &m, WAIT) == 1)
        if (m.flags & PROTO_FLAG_UPDATE)
            updates += m.list.count;
    CHECK_EQ_INT(updates, 2 * OFFLINE);
    REQUIRE(roll_call(root, id, &r) == 0);
    CHECK_EQ_INT(r.counts[ROLL_ACKED], CROWD);
    CHECK_EQ_INT(r.counts[ROLL_PENDING] + r.counts[ROLL_SHOWN], 0);
    CHECK(!r.late_ack);
    for (i = 0; i < CROWD; i++)
        pc_close(conns[i]);
    pc_close(root);
    test_server_end(&ts);
    free(list);
    free(roles);
    free(conns);
}

/* ---- expiry, restart ----------------------------------------------------------------------- */

/* An alert that has expired is not delivered at the next login; one without expiry sent at
 * the same time is. */
TEST(alerts_expired_are_not_delivered_at_login)
{
    server_config cfg;
    test_server ts;
    pc_conn *op, *bob;
    proto_msg m;
    roll r;
    uint64_t brief, lasting;
    int code;

    REQUIRE(start_cast(&ts, &cfg, "alert-expiry") == 0);
    op = login(&ts, "op");
    REQUIRE(op);
    brief = send_alert(op, "user:bob", 1, "for one second", NULL, &code);
    lasting = send_alert(op, "user:BOB", 0, "until acknowledged", NULL, &code);
    REQUIRE(brief != 0 && lasting != 0 && brief != lasting);
    REQUIRE(roll_call(op, brief, &r) == 0);
    /* Expiry is by the wall clock: wait until it has passed the alert's second. */
    while (sys_wall_ms() < r.sent_ms + 1000u + 5u)
        sleep_ms(50);
    bob = login(&ts, "bob");
    REQUIRE(bob);
    CHECK_EQ_INT(alert_before_fence(bob, lasting, 1, &m), 1);
    CHECK_EQ_INT(alert_before_fence(bob, brief, 2, &m), 0);
    REQUIRE(roll_call(op, brief, &r) == 0);
    CHECK_EQ_INT(r.counts[ROLL_PENDING], 1); /* never delivered: it expired first */
    pc_close(bob);
    pc_close(op);
    test_server_end(&ts);
}

/* An alert reaches every session of its recipient's account, once each: one open when it is
 * sent gets it live, one that logs in later gets it at login (and the first does not get it
 * twice); an acknowledgement from one session is told to both, so the alert closes everywhere. */
TEST(alerts_reach_every_session_of_an_account)
{
    server_config cfg;
    test_server ts;
    pc_conn *op, *pc, *laptop;
    proto_msg m;
    roll r;
    uint64_t id;
    int code;

    REQUIRE(start_cast(&ts, &cfg, "alert-sessions") == 0);
    op = login(&ts, "op");
    pc = login(&ts, "alice");
    REQUIRE(op && pc);
    id = send_alert(op, "user:alice", 0, "fire drill at three", NULL, &code);
    REQUIRE(id != 0);
    CHECK(test_expect(pc, PT_ALERT_MSG, &m, WAIT) == 1 && m.id == id && m.flags == 0);
    laptop = login(&ts, "alice");
    REQUIRE(laptop);
    CHECK_EQ_INT(alert_before_fence(laptop, id, 1, &m), 1);
    CHECK(m.flags & PROTO_FLAG_HISTORY);
    CHECK_EQ_INT(alert_before_fence(pc, id, 2, &m), 0); /* not a second time */
    CHECK_EQ_INT(request(laptop, PT_ACK, id, PT_ACKED, &m), 0);
    CHECK(m.id == id && m.time != 0);
    CHECK(test_expect(pc, PT_ACKED, &m, WAIT) == 1 && m.id == id);
    REQUIRE(roll_call(op, id, &r) == 0);
    CHECK_EQ_INT(r.entries, 1);
    CHECK_EQ_INT(r.counts[ROLL_ACKED], 1);
    pc_close(laptop);
    pc_close(pc);
    pc_close(op);
    test_server_end(&ts);
}

/* Appends bytes to the end of the alerts journal (a torn write). */
static void tear_journal(const char *data_dir)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", data_dir, ALERTS_JOURNAL_NAME);
    f = fsys_fopen(path, "ab");
    REQUIRE(f);
    fwrite("\0\0\0\x40torn", 1, 8, f);
    fclose(f);
}

/* Alerts, deliveries and acknowledgements are in the journal: after a restart (with a torn
 * record at its end, cut at start) the roll call is the same, ids go on, the offline recipient
 * still gets the alert, and the audit listing shows it all. */
TEST(alerts_journal_survives_restart)
{
    server_config cfg;
    test_server ts;
    pc_conn *root, *alice, *bob;
    proto_msg m;
    roll before, after;
    uint64_t id, id2, acked_at;
    alerts *store;
    char err[256], listing[4096];
    FILE *f;
    size_t n;
    int code;

    REQUIRE(start_cast(&ts, &cfg, "alert-restart") == 0);
    root = login(&ts, "root");
    alice = login(&ts, "alice");
    REQUIRE(root && alice);
    id = send_alert(root, "user:alice user:bob", 0, "ERP is down", NULL, &code);
    REQUIRE(id != 0);
    CHECK(test_expect(alice, PT_ALERT_MSG, &m, WAIT) == 1);
    REQUIRE(request(alice, PT_ACK, id, PT_ACKED, &m) == 0);
    acked_at = m.time;
    REQUIRE(roll_call(root, id, &before) == 0);
    pc_close(alice);
    pc_close(root);
    test_server_stop(&ts);
    tear_journal(cfg.data_dir);

    REQUIRE(test_server_start(&ts, &cfg) == 0);
    root = login(&ts, "root");
    REQUIRE(root);
    REQUIRE(roll_call(root, id, &after) == 0);
    CHECK_EQ_INT(after.entries, 2);
    CHECK_EQ_INT(after.counts[ROLL_ACKED], 1);
    CHECK_EQ_INT(after.counts[ROLL_PENDING], 1);
    CHECK(after.sent_ms == before.sent_ms);
    alice = login(&ts, "alice");
    REQUIRE(alice);
    CHECK(request(alice, PT_ACK, id, PT_ACKED, &m) == 0);
    CHECK(m.time == acked_at); /* acknowledged once, before the restart */
    bob = login(&ts, "bob");
    REQUIRE(bob);
    CHECK(test_expect(bob, PT_ALERT_MSG, &m, WAIT) == 1);
    CHECK(m.id == id && (m.flags & PROTO_FLAG_HISTORY) && str_is(m.text, "ERP is down"));
    id2 = send_alert(root, "user:bob", 0, "second", NULL, &code);
    CHECK(id2 > id);
    pc_close(bob);
    pc_close(alice);
    pc_close(root);
    test_server_stop(&ts);

    /* The audit listing (parley-server --alerts) reads the same journal. */
    store = alerts_read(cfg.data_dir, NULL, err, sizeof err);
    REQUIRE(store);
    f = tmpfile();
    REQUIRE(f);
    alerts_print(store, sys_wall_ms(), 0, f);
    rewind(f);
    n = fread(listing, 1, sizeof listing - 1, f);
    listing[n] = '\0';
    fclose(f);
    alerts_close(store);
    CHECK(strstr(listing, "alert 1 from root") != NULL);
    CHECK(strstr(listing, "to: user:alice user:bob") != NULL);
    CHECK(strstr(listing, "text: ERP is down") != NULL);
    CHECK(strstr(listing, "roll call: 1 acknowledged, 1 shown, 0 not delivered") != NULL);
    CHECK(strstr(listing, "roll call: 0 acknowledged, 1 shown, 0 not delivered") != NULL);
    test_server_clean(cfg.data_dir);
}

/* ---- who may do what ----------------------------------------------------------------------- */

/* An alert account sends alerts and asks their roll calls, and nothing else: it joins no room
 * at login and any chat request is refused with ALERT_ONLY. */
TEST(alerts_role_alert_cannot_chat)
{
    server_config cfg;
    test_server ts;
    pc_conn *bot, *alice;
    proto_msg m;
    roll r;
    uint64_t id;
    int code;

    REQUIRE(start_cast(&ts, &cfg, "alert-role") == 0);
    bot = login(&ts, "bot");
    alice = login(&ts, "alice");
    REQUIRE(bot && alice);
    CHECK(pc_join(bot, "dev") == 0);
    CHECK(test_expect(bot, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_ALERT_ONLY);
    CHECK(pc_say(bot, "lobby", "hello", 5) == 0);
    CHECK(test_expect(bot, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_ALERT_ONLY);
    CHECK(pc_priv(bot, "alice", "psst", 6) == 0);
    CHECK(test_expect(bot, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_ALERT_ONLY);
    CHECK_EQ_INT(request(bot, PT_ACK, 1, PT_ACKED, &m), PC_ALERT_ONLY);
    /* What it is for works. */
    id = send_alert(bot, "user:alice", 0, "disk full on srv-3", NULL, &code);
    CHECK(id != 0);
    CHECK(test_expect(alice, PT_ALERT_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.nick, "bot"));
    CHECK(roll_call(bot, id, &r) == 0 && r.counts[ROLL_SHOWN] == 1);
    /* It is not in the lobby: alice, who is, sees nobody called bot there. */
    memset(&m, 0, sizeof m);
    m.type = PT_USERS;
    m.room = proto_s("lobby");
    CHECK(pc_send(alice, &m) == 0);
    CHECK(test_expect(alice, PT_USER_LIST, &m, WAIT) == 1);
    CHECK_EQ_INT(m.list.count, 1);
    /* And it receives no alerts: "all" leaves it out, naming it is refused. */
    CHECK(send_alert(alice, "user:bot", 0, "x", NULL, &code) == 0);
    pc_close(alice);
    pc_close(bot);
    test_server_end(&ts);
}

/* A plain user may not send alerts, see someone else's roll call, or acknowledge an alert not
 * sent to them; recipients that do not exist are refused before anything is sent. */
TEST(alerts_plain_user_cannot_send_alerts)
{
    server_config cfg;
    test_server ts;
    pc_conn *alice, *op;
    proto_msg m;
    uint64_t id;
    uint32_t count = 0;
    int code;

    REQUIRE(start_cast(&ts, &cfg, "alert-deny") == 0);
    alice = login(&ts, "alice");
    op = login(&ts, "op");
    REQUIRE(alice && op);
    CHECK(send_alert(alice, "all", 0, "not allowed", NULL, &code) == 0);
    CHECK_EQ_INT(code, PC_NOT_ALERTER);
    CHECK(send_alert(op, "user:nobody", 0, "x", NULL, &code) == 0);
    CHECK_EQ_INT(code, PC_BAD_RECIPIENTS);
    CHECK(send_alert(op, "room:nosuchroom", 0, "x", NULL, &code) == 0);
    CHECK_EQ_INT(code, PC_BAD_RECIPIENTS);
    CHECK(send_alert(op, "everyone", 0, "x", NULL, &code) == 0);
    CHECK_EQ_INT(code, PC_BAD_RECIPIENTS);
    CHECK(send_alert(op, "user:op", 0, "x", NULL, &code) == 0); /* only the sender */
    CHECK_EQ_INT(code, PC_BAD_RECIPIENTS);
    CHECK(send_alert(op, "user:bob", 0, "", NULL, &code) == 0);
    CHECK_EQ_INT(code, PC_BAD_TEXT);
    /* room:lobby is its members now: alice (op, the sender, is left out). */
    id = send_alert(op, "room:lobby user:bob", 0, "fire drill", &count, &code);
    REQUIRE(id != 0);
    CHECK_EQ_INT(count, 2);
    CHECK_EQ_INT(request(alice, PT_ROLL, id, PT_ROLL_LIST, &m), PC_NOT_ALERTER);
    CHECK_EQ_INT(request(op, PT_ACK, id, PT_ACKED, &m), PC_NO_SUCH_ALERT);
    CHECK_EQ_INT(request(alice, PT_ACK, id + 1, PT_ACKED, &m), PC_NO_SUCH_ALERT);
    CHECK_EQ_INT(request(op, PT_ROLL, id + 1, PT_ROLL_LIST, &m), PC_NO_SUCH_ALERT);
    CHECK_EQ_INT(request(alice, PT_ACK, id, PT_ACKED, &m), 0);
    pc_close(alice);
    pc_close(op);
    test_server_end(&ts);
}

/* group:NAME names a Windows group's members, which only a Windows server with auth = windows
 * can look up: anywhere else (here auth = accounts; natively also not Windows) it is refused
 * with a reason, and nothing is sent, not even to the other recipients named with it. */
TEST(alerts_to_a_windows_group_are_refused_without_windows_sign_on)
{
    server_config cfg;
    test_server ts;
    pc_conn *bob, *op;
    proto_msg m;
    char why[512];
    int code;

    REQUIRE(start_cast(&ts, &cfg, "alert-group") == 0);
    bob = login(&ts, "bob");
    op = login(&ts, "op");
    REQUIRE(bob && op);
    CHECK(send_alert_why(op, "user:bob group:Administrators", 0, "x", NULL, &code, why,
                         sizeof why) == 0);
    CHECK_EQ_INT(code, PC_BAD_RECIPIENTS);
    CHECK(strstr(why, "group:Administrators") != NULL);
#ifdef _WIN32
    CHECK(strstr(why, "need auth = windows (Windows sign-on)") != NULL);
#else
    CHECK(strstr(why, "does not run on Windows") != NULL);
#endif
    CHECK(send_alert_why(op, "group:", 0, "x", NULL, &code, why, sizeof why) == 0);
    CHECK_EQ_INT(code, PC_BAD_RECIPIENTS);
    CHECK(strstr(why, "needs a Windows group's name") != NULL);
    /* bob got nothing: the first frame he sees is the answer to his own request. */
    CHECK_EQ_INT(request(bob, PT_ACK, 1, PT_ACKED, &m), PC_NO_SUCH_ALERT);
    pc_close(bob);
    pc_close(op);
    test_server_end(&ts);
}

/* ---- group:NAME, looked up off the core ------------------------------------------------------ */

/* A stand-in for Windows' group lookup that blocks until the test releases it. */
static struct {
    mutex_handle *lock;
    cond_handle *cond;
    int entered, released;
} fake;

static int fake_lookup(const char *group, int (*fn)(void *user, const char *principal),
                       void *user, size_t *groups_skipped, char *err, size_t err_size)
{
    (void)err;
    (void)err_size;
    mutex_lock(fake.lock);
    fake.entered++;
    cond_broadcast(fake.cond);
    while (!fake.released)
        cond_wait_ms(fake.cond, fake.lock, COND_FOREVER);
    mutex_unlock(fake.lock);
    *groups_skipped = 1;
    if (strcmp(group, "Staff") != 0)
        return -1;
    fn(user, "CONTOSO\\bob");
    fn(user, "CONTOSO\\alice");
    fn(user, "FABRIKAM\\alice"); /* another domain: left out */
    return 0;
}

/* The cast, with CONTOSO as the domain whose users are accounts here and fake_lookup in
 * place of Windows' group lookup. */
static int start_group_cast(test_server *ts, server_config *cfg, const char *name)
{
    if (prepare_cast(cfg, name) != 0)
        return -1;
    snprintf(cfg->signon_realms, sizeof cfg->signon_realms, "CONTOSO");
    memset(&fake, 0, sizeof fake);
    fake.lock = mutex_new();
    fake.cond = cond_new();
    if (!fake.lock || !fake.cond || test_server_start(ts, cfg) != 0)
        return -1;
    chat_set_group_lookup(ts->core, fake_lookup);
    return 0;
}

static void fake_wait_entered(int n)
{
    mutex_lock(fake.lock);
    while (fake.entered < n)
        cond_wait_ms(fake.cond, fake.lock, COND_FOREVER);
    mutex_unlock(fake.lock);
}

static void fake_release(void)
{
    mutex_lock(fake.lock);
    fake.released = 1;
    cond_broadcast(fake.cond);
    mutex_unlock(fake.lock);
}

static void fake_end(void)
{
    cond_free(fake.cond);
    mutex_free(fake.lock);
}

static int send_alert_frame(pc_conn *c, const char *to, const char *text)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_ALERT;
    m.tag = 77;
    m.target = proto_s(to);
    m.text = proto_s(text);
    return pc_send(c, &m);
}

/* SAYs text in room and waits for its echo: 0, or -1. */
static int say_round_trip(pc_conn *c, const char *room, const char *text)
{
    proto_msg m;
    if (pc_say(c, room, text, 5) != 0)
        return -1;
    for (;;) {
        if (pc_recv(c, &m, WAIT) != 1)
            return -1;
        if (m.type == PT_MSG && m.text.n == strlen(text) && memcmp(m.text.p, text, m.text.n) == 0)
            return 0;
    }
}

/* While a group's members are being looked up (the lookup blocks here), the server goes on
 * serving everyone else; once they are back, the alert is answered and delivered as one to
 * the named users would be, and the sender's next request waits for that answer. */
TEST(alerts_to_a_group_are_looked_up_without_holding_up_the_server)
{
    server_config cfg;
    test_server ts;
    pc_conn *op, *alice, *bob;
    proto_msg m;
    uint32_t count = 0;
    uint64_t id;
    int code;

    REQUIRE(start_group_cast(&ts, &cfg, "alert-group-async") == 0);
    op = login(&ts, "op");
    alice = login(&ts, "alice");
    bob = login(&ts, "bob");
    REQUIRE(op && alice && bob);
    REQUIRE(pc_join(alice, "lobby") == 0);
    REQUIRE(send_alert_frame(op, "group:Staff", "fire drill") == 0);
    /* op's next request waits behind the alert: its answer comes after ALERT_OK. */
    pc_ping(op, 9);
    fake_wait_entered(1);
    CHECK_EQ_INT(say_round_trip(alice, "lobby", "still here"), 0);
    fake_release();
    id = await_alert_answer(op, &count, &code, NULL, 0);
    CHECK(id != 0);
    CHECK_EQ_INT(code, 0);
    CHECK_EQ_INT(count, 2);
    REQUIRE(pc_recv(op, &m, WAIT) == 1);
    CHECK_EQ_INT(m.type, PT_PONG);
    CHECK_EQ_INT(alert_before_fence(bob, id, 1, &m), 1);
    CHECK_EQ_INT(alert_before_fence(alice, id, 1, &m), 1);
    pc_close(bob);
    pc_close(alice);
    pc_close(op);
    test_server_end(&ts);
    fake_end();
}

/* A sender that disconnects while its group is being looked up: the result is dropped, and
 * the server carries on (another alerter's group alert goes out). */
TEST(alerts_to_a_group_survive_the_sender_leaving_during_the_lookup)
{
    server_config cfg;
    test_server ts;
    pc_conn *op, *root, *bob;
    proto_msg m;
    uint64_t id, deadline;
    int code;

    REQUIRE(start_group_cast(&ts, &cfg, "alert-group-gone") == 0);
    op = login(&ts, "op");
    root = login(&ts, "root");
    bob = login(&ts, "bob");
    REQUIRE(op && root && bob);
    REQUIRE(send_alert_frame(op, "group:Staff", "from op") == 0);
    fake_wait_entered(1);
    pc_close(op);
    deadline = sys_mono_ms() + WAIT;
    while (chat_session_count(ts.core) != 2 && sys_mono_ms() < deadline)
        sleep_ms(10);
    CHECK_EQ_INT(chat_session_count(ts.core), 2);
    fake_release();
    id = send_alert_why(root, "group:Staff", 0, "from root", NULL, &code, NULL, 0);
    CHECK(id != 0);
    CHECK_EQ_INT(alert_before_fence(bob, id, 1, &m), 1);
    CHECK(strncmp(m.text.p, "from root", m.text.n) == 0);
    pc_close(bob);
    pc_close(root);
    test_server_end(&ts);
    fake_end();
}

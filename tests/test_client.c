/* test_client.c — the client library and its reconnect layer (client/session.h) against the
 * in-process server, and pc_recv against hostile servers (garbage, silence, frames cut short,
 * tampering) played by a small fake server on the same I/O engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "crypto.h"
#include "handshake.h"
#include "net.h"
#include "server_fixture.h"
#include "session.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 5000u

/* ---- helpers ---------------------------------------------------------------------------- */

static void start_with(test_server *ts, const server_config *cfg, int *ok)
{
    sock_startup();
    crypto_init();
    *ok = test_server_start(ts, cfg) == 0;
}

#define START(ts, name)                                                                       \
    do {                                                                                      \
        server_config cfg_;                                                                   \
        int ok_;                                                                              \
        test_server_config(&cfg_, name);                                                      \
        start_with(ts, &cfg_, &ok_);                                                          \
        REQUIRE(ok_);                                                                         \
    } while (0)

static void finish(test_server *ts)
{
    char dir[SERVER_PATH_MAX];

    memcpy(dir, ts->cfg.data_dir, sizeof dir);
    test_server_stop(ts);
    test_server_clean(dir);
}

/* Starts the stopped server again on the same port and data directory (its history kept). */
static int restart(test_server *ts)
{
    server_config cfg = ts->cfg;

    cfg.port = ts->port;
    return test_server_start(ts, &cfg);
}

static void client_opts(pc_options *o, const test_server *ts, const char *nick,
                        const char *secret)
{
    pc_options_init(o);
    o->host = "127.0.0.1";
    o->port = ts->port;
    o->secret = secret;
    o->secret_len = strlen(secret);
    o->nick = nick;
    o->connect_timeout_ms = 5000;
}

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

/* Sends a message of any type on a plain connection. */
static int send_msg(pc_conn *c, uint8_t type, const char *nick, const char *text)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = type;
    m.nick = proto_s(nick ? nick : "");
    m.text = proto_s(text ? text : "");
    return pc_send(c, &m);
}

/* ---- an event recorder for sessions ----------------------------------------------------- */

#define REC_MAX 4096

typedef struct rec_ev {
    pcs_event_kind kind;
    int code, reconnect;
    uint8_t type, flags, event;
    uint32_t count, attempt, delay_ms;
    uint64_t id, token;
    char room[PROTO_ROOM_MAX + 1];
    char nick[PROTO_NICK_MAX + 1];
    char target[PROTO_NICK_MAX + 1];
    char text[512];
} rec_ev;

typedef struct rec {
    mutex_handle *mu;
    rec_ev *ev;
    int n;
} rec;

static void rec_init(rec *r)
{
    r->mu = mutex_new();
    r->ev = calloc(REC_MAX, sizeof *r->ev);
    r->n = 0;
}

static void rec_free(rec *r)
{
    mutex_free(r->mu);
    free(r->ev);
}

static void cpy(char *dst, size_t cap, proto_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;

    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static void on_rec(void *user, const pcs_event *ev)
{
    rec *r = user;
    rec_ev *e;

    mutex_lock(r->mu);
    if (r->n >= REC_MAX) {
        mutex_unlock(r->mu);
        return;
    }
    e = &r->ev[r->n++];
    memset(e, 0, sizeof *e);
    e->kind = ev->kind;
    e->code = ev->code;
    e->reconnect = ev->reconnect;
    e->count = ev->count;
    e->attempt = ev->attempt;
    e->delay_ms = ev->delay_ms;
    snprintf(e->text, sizeof e->text, "%s", ev->text);
    snprintf(e->room, sizeof e->room, "%s", ev->room);
    if (ev->msg) {
        const proto_msg *m = ev->msg;
        e->type = m->type;
        e->flags = m->flags;
        e->event = m->event;
        e->id = m->id;
        e->token = m->token;
        if (m->type != PT_HISTORY_END)
            e->count = m->count;
        cpy(e->room, sizeof e->room, m->room);
        cpy(e->nick, sizeof e->nick, m->nick);
        cpy(e->target, sizeof e->target, m->target);
        cpy(e->text, sizeof e->text, m->text);
        if (m->type == PT_HISTORY_END)
            e->count = m->count;
    }
    mutex_unlock(r->mu);
}

/* Index of the first event from `from` on of this kind (and, for messages, type) whose text
 * contains `text` (NULL = any), or -1. */
static int rec_find(rec *r, int from, pcs_event_kind kind, int type, const char *text)
{
    int i, found = -1;

    mutex_lock(r->mu);
    for (i = from; i < r->n; i++) {
        rec_ev *e = &r->ev[i];
        if (e->kind != kind || (type && e->type != type))
            continue;
        if (text && !contains(e->text, text) && !contains(e->room, text))
            continue;
        found = i;
        break;
    }
    mutex_unlock(r->mu);
    return found;
}

/* How many events from `from` on are messages of type with exactly this text. */
static int rec_count_text(rec *r, int from, int type, const char *text)
{
    int i, n = 0;

    mutex_lock(r->mu);
    for (i = from; i < r->n; i++)
        if (r->ev[i].kind == PCS_EV_MESSAGE && r->ev[i].type == type &&
            strcmp(r->ev[i].text, text) == 0)
            n++;
    mutex_unlock(r->mu);
    return n;
}

static int rec_size(rec *r)
{
    int n;

    mutex_lock(r->mu);
    n = r->n;
    mutex_unlock(r->mu);
    return n;
}

static rec_ev rec_get(rec *r, int i)
{
    rec_ev e;

    mutex_lock(r->mu);
    e = r->ev[i];
    mutex_unlock(r->mu);
    return e;
}

/* Drives s on this thread (s may be NULL when another thread drives it) until an event
 * matching (kind, type, text) appears at or after `from`. Returns its index or -1. */
static int drive_until(pcs_session *s, rec *r, int from, pcs_event_kind kind, int type,
                       const char *text, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;

    for (;;) {
        int i = rec_find(r, from, kind, type, text);
        if (i >= 0)
            return i;
        if (sys_mono_ms() >= deadline)
            return -1;
        if (s) {
            if (!pcs_poll(s, 20) && rec_find(r, from, kind, type, text) < 0)
                return -1;
        } else {
            sleep_ms(10);
        }
    }
}

static pcs_session *new_session(const test_server *ts, rec *r, const char *nick,
                                const char *secret, pcs_options *tweak)
{
    pcs_options o;
    char err[256];
    pcs_session *s;

    if (tweak)
        o = *tweak;
    else
        pcs_options_init(&o);
    client_opts(&o.conn, ts, nick, secret ? secret : TEST_SECRET);
    if (tweak) { /* an account's password, if the test gave one */
        o.conn.password = tweak->conn.password;
        o.conn.password_len = tweak->conn.password_len;
    }
    o.on_event = on_rec;
    o.user = r;
    s = pcs_new(&o, err, sizeof err);
    if (!s)
        test_failf_at(__FILE__, __LINE__, "pcs_new: %s", err);
    return s;
}

/* Connects s and reads its welcome up to the lobby's history end. */
static int session_settle(pcs_session *s, rec *r)
{
    if (drive_until(s, r, 0, PCS_EV_CONNECTED, 0, NULL, WAIT) < 0)
        return 0;
    return drive_until(s, r, 0, PCS_EV_MESSAGE, PT_HISTORY_END, "lobby", WAIT) >= 0;
}

/* ---- the client library ----------------------------------------------------------------- */

TEST(client_connect_and_chat)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;

    START(&ts, "cl-chat");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    CHECK_EQ_STR(pc_nick_of(a), "alice");
    CHECK_EQ_INT(pc_cipher(a), PROTO_CIPHER_AES256GCM);
    CHECK(pc_server_name(a)[0] != '\0');
    CHECK(pc_server_max_frame(a) > 0);
    CHECK_EQ_INT(pc_error_code(a), PC_OK);
    CHECK(test_settle(a) == 1 && test_settle(b) == 1);
    CHECK(pc_say(a, "lobby", "hello from the library", 3) == 0);
    CHECK(test_expect_text(b, "hello from the library", &m, WAIT) == 1);
    CHECK(str_is(m.nick, "alice"));
    CHECK(pc_priv(b, "alice", "psst", 4) == 0);
    CHECK(test_expect(a, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.nick, "bob") && str_is(m.text, "psst"));
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

TEST(client_wrong_key_has_its_code_and_a_clear_text)
{
    test_server ts;
    char err[256];

    START(&ts, "cl-key");
    CHECK_EQ_INT(test_connect_fails(&ts, "alice", "not the key", err, sizeof err), PC_WRONG_KEY);
    CHECK(contains(err, "wrong key"));
    CHECK_EQ_STR(pc_code_name(PC_WRONG_KEY), "WRONG_KEY");
    finish(&ts);
}

TEST(client_unreachable_server_has_its_code)
{
    test_server ts;
    pc_options o;
    char err[256];
    int code = 0;
    pc_conn *c;
    uint16_t port;

    START(&ts, "cl-unreach");
    port = ts.port;
    finish(&ts); /* a port that was just listening and is now closed */
    ts.port = port;
    client_opts(&o, &ts, "alice", TEST_SECRET);
    c = pc_connect(&o, &code, err, sizeof err);
    CHECK(c == NULL);
    CHECK_EQ_INT(code, PC_E_UNREACHABLE);
    CHECK(contains(err, "cannot reach server"));
    CHECK_EQ_STR(pc_code_name(PC_E_UNREACHABLE), "UNREACHABLE");
    CHECK_EQ_STR(pc_code_name(PC_E_LOST), "LOST");
    pc_close(c);
}

TEST(client_nick_taken_is_refused_with_its_code)
{
    test_server ts;
    pc_conn *a;
    char err[256];

    START(&ts, "cl-nick");
    a = test_connect(&ts, "alice", NULL, 0);
    REQUIRE(a);
    CHECK_EQ_INT(test_connect_fails(&ts, "ALICE", TEST_SECRET, err, sizeof err), PC_NICK_TAKEN);
    CHECK(contains(err, "taken"));
    pc_close(a);
    finish(&ts);
}

TEST(client_redial_reuses_the_connection)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    char err[256];
    int code = -1;

    START(&ts, "cl-redial");
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    CHECK(test_settle(a) == 1 && test_settle(b) == 1);
    /* A failed redial (the nick is taken) leaves the connection ended with that reason. */
    CHECK(pc_redial(a, "bob", &code, err, sizeof err) == -1);
    CHECK_EQ_INT(code, PC_NICK_TAKEN);
    CHECK_EQ_INT(pc_error_code(a), PC_NICK_TAKEN);
    CHECK(pc_recv(a, &m, 10) == -1);
    CHECK(pc_say(a, "lobby", "nobody hears this", 0) == -1);
    /* And it can dial again. */
    CHECK(pc_redial(a, "alice2", &code, err, sizeof err) == 0);
    CHECK_EQ_INT(code, PC_OK);
    CHECK_EQ_STR(pc_nick_of(a), "alice2");
    CHECK_EQ_INT(pc_error_code(a), PC_OK);
    CHECK(test_settle(a) == 1);
    CHECK(pc_say(a, "lobby", "back again", 0) == 0);
    CHECK(test_expect_text(b, "back again", &m, WAIT) == 1);
    CHECK(str_is(m.nick, "alice2"));
    /* A bad nickname is refused locally. */
    CHECK(pc_redial(a, "", &code, err, sizeof err) == -1);
    CHECK_EQ_INT(code, PC_BAD_NICK);
    pc_close(a);
    pc_close(b);
    finish(&ts);
}

/* ---- a hostile server ------------------------------------------------------------------- */

enum fake_mode {
    FAKE_GARBAGE,      /* answers the HELLO with text that is no Parley frame */
    FAKE_SILENT,       /* never answers */
    FAKE_CLOSE,        /* closes as soon as it has accepted */
    FAKE_CUT_FRAME,    /* completes the handshake, then half a frame and a close */
    FAKE_JUNK_AFTER,   /* completes the handshake, then random bytes */
    FAKE_HUGE_HEADER,  /* completes the handshake, then a header declaring 4 GiB */
    FAKE_TAMPER,       /* completes the handshake, then a frame with one bit flipped */
    FAKE_DEAF          /* completes the handshake, then ignores everything (no PONG) */
};

typedef struct fake_conn {
    net_conn *c;
    hs_server hs;
    proto_reader rd;
    int done;
} fake_conn;

typedef struct fake_server {
    int mode;
    hs_server_config cfg;
    uint8_t secret[32];
    net_engine *e;
    thread_handle *th;
    uint16_t port;
    uint32_t junk_seed;
} fake_server;

static void fake_misbehave(fake_server *fs, fake_conn *fc)
{
    buf out;
    proto_msg m;
    uint8_t junk[200];
    size_t i;

    buf_init(&out);
    memset(&m, 0, sizeof m);
    m.type = PT_NOTICE;
    m.text = proto_s("this frame is about to go wrong");
    switch (fs->mode) {
    case FAKE_CUT_FRAME:
        if (cipher_encode(&fc->hs.tx, &m, &out) == PROTO_OK)
            net_send(fc->c, out.data, out.len / 2);
        net_close(fc->c, 1);
        break;
    case FAKE_JUNK_AFTER:
        for (i = 0; i < sizeof junk; i++) {
            fs->junk_seed = fs->junk_seed * 1103515245u + 12345u;
            junk[i] = (uint8_t)(fs->junk_seed >> 16);
        }
        net_send(fc->c, junk, sizeof junk);
        break;
    case FAKE_HUGE_HEADER: {
        static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, PROTO_VERSION, PT_NOTICE};
        net_send(fc->c, huge, sizeof huge);
        break;
    }
    case FAKE_TAMPER:
        if (cipher_encode(&fc->hs.tx, &m, &out) == PROTO_OK) {
            out.data[PROTO_HEADER_SIZE + 3] ^= 0x01;
            net_send(fc->c, out.data, out.len);
        }
        break;
    default:
        break;
    }
    buf_free(&out);
}

static void *fake_accept(void *user, net_conn *c, const char *peer)
{
    fake_server *fs = user;
    fake_conn *fc;

    (void)peer;
    if (fs->mode == FAKE_CLOSE)
        return NULL;
    fc = calloc(1, sizeof *fc);
    if (!fc)
        return NULL;
    fc->c = c;
    hs_server_init(&fc->hs);
    proto_reader_init(&fc->rd, 0);
    if (fs->mode == FAKE_GARBAGE) {
        static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        net_send(c, http, sizeof http - 1);
    }
    return fc;
}

static void fake_data(void *user, void *ctx, const uint8_t *data, size_t n)
{
    fake_server *fs = user;
    fake_conn *fc = ctx;
    proto_frame f;
    proto_msg m;
    buf out;

    if (fs->mode == FAKE_SILENT || fs->mode == FAKE_GARBAGE || fc->done)
        return;
    if (proto_reader_feed(&fc->rd, data, n) != PROTO_OK)
        return;
    buf_init(&out);
    while (!fc->done && proto_reader_next(&fc->rd, &f) == 1) {
        hs_result r = hs_server_on_frame(&fc->hs, &fs->cfg, &f, &m, &out);
        if (r == HS_DONE) {
            char nick[PROTO_NICK_MAX + 1];
            cpy(nick, sizeof nick, m.nick);
            if (hs_server_welcome(&fc->hs, nick, PROTO_MAX_FRAME_DEFAULT, "fake", &out) ==
                PROTO_OK) {
                net_send(fc->c, out.data, out.len);
                buf_reset(&out);
                fc->done = 1;
                fake_misbehave(fs, fc);
            }
        } else if (r == HS_FAILED) {
            net_send(fc->c, out.data, out.len);
            buf_reset(&out);
            net_close(fc->c, 1);
            fc->done = 1;
        }
        if (out.len)
            net_send(fc->c, out.data, out.len);
        buf_reset(&out);
    }
    buf_free(&out);
}

static void fake_close(void *user, void *ctx, const char *why)
{
    fake_conn *fc = ctx;

    (void)user;
    (void)why;
    hs_server_free(&fc->hs);
    proto_reader_free(&fc->rd);
    free(fc);
}

static void fake_tick(void *user, uint64_t now)
{
    (void)user;
    (void)now;
}

static void fake_stop(void *user)
{
    fake_server *fs = user;

    net_engine_finish(fs->e, 0);
}

static void fake_run(void *arg)
{
    fake_server *fs = arg;

    net_engine_run(fs->e);
}

static int fake_start(fake_server *fs, int mode)
{
    net_options opt;
    net_handlers h;
    char err[256];

    memset(fs, 0, sizeof *fs);
    sock_startup();
    crypto_init();
    fs->mode = mode;
    fs->junk_seed = 12345u + (uint32_t)mode;
    memcpy(fs->secret, TEST_SECRET, strlen(TEST_SECRET));
    fs->cfg.secret = fs->secret;
    fs->cfg.secret_len = strlen(TEST_SECRET);
    memset(fs->cfg.salt, 7, sizeof fs->cfg.salt);
    fs->cfg.iterations = HS_ITERATIONS_MIN;
    if (hs_master(fs->cfg.secret, fs->cfg.secret_len, fs->cfg.salt, fs->cfg.iterations,
                  fs->cfg.master) != PROTO_OK)
        return -1;
    fs->cfg.allowed[0] = PROTO_CIPHER_AES256GCM;
    fs->cfg.nallowed = 1;
    fs->cfg.server_name = "fake";
    memset(&opt, 0, sizeof opt);
    opt.bind_addr = "127.0.0.1";
    opt.workers = 1;
    opt.tick_ms = 50;
    memset(&h, 0, sizeof h);
    h.user = fs;
    h.on_accept = fake_accept;
    h.on_data = fake_data;
    h.on_close = fake_close;
    h.on_tick = fake_tick;
    h.on_stop = fake_stop;
    fs->e = net_engine_create(&opt, &h, err, sizeof err);
    if (!fs->e) {
        test_failf_at(__FILE__, __LINE__, "fake server: %s", err);
        return -1;
    }
    fs->port = net_engine_port(fs->e);
    fs->th = thread_start(fake_run, fs);
    return fs->th ? 0 : -1;
}

static void fake_stop_and_free(fake_server *fs)
{
    net_engine_stop(fs->e);
    thread_join(fs->th);
    net_engine_destroy(fs->e);
}

static pc_conn *fake_connect(const fake_server *fs, uint32_t timeout_ms, int *code, char *err,
                             size_t err_size)
{
    pc_options o;

    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = fs->port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = "alice";
    o.connect_timeout_ms = timeout_ms;
    return pc_connect(&o, code, err, err_size);
}

/* A handshake against a hostile server fails with `want` well before the test's limit. */
static void expect_dial_fails(int mode, int want, const char *text)
{
    fake_server fs;
    char err[256];
    int code = 0;
    uint64_t t0;
    pc_conn *c;

    REQUIRE(fake_start(&fs, mode) == 0);
    t0 = sys_mono_ms();
    c = fake_connect(&fs, 500, &code, err, sizeof err);
    CHECK(c == NULL);
    CHECK_EQ_INT(code, want);
    if (!contains(err, text))
        test_failf_at(__FILE__, __LINE__, "error text \"%s\" lacks \"%s\"", err, text);
    CHECK(sys_mono_ms() - t0 < 4000);
    pc_close(c);
    fake_stop_and_free(&fs);
}

TEST(client_server_speaking_garbage_is_named)
{
    expect_dial_fails(FAKE_GARBAGE, PC_BAD_FRAME, "does not speak");
}

TEST(client_silent_server_times_out)
{
    expect_dial_fails(FAKE_SILENT, PC_TIMEOUT, "timed out");
}

TEST(client_server_closing_at_once_is_reported)
{
    expect_dial_fails(FAKE_CLOSE, PC_E_LOST, "connection"); /* closed, or reset */
}

/* After a good handshake the server misbehaves: pc_recv must end (never hang or crash) with
 * one of the expected codes, and keep returning -1. */
static void expect_recv_ends(int mode, int want1, int want2)
{
    fake_server fs;
    char err[256];
    int code = 0, rc = 0, i;
    proto_msg m;
    pc_conn *c;

    REQUIRE(fake_start(&fs, mode) == 0);
    c = fake_connect(&fs, 5000, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "connect: %s", err);
    REQUIRE(c);
    for (i = 0; i < 50 && (rc = pc_recv(c, &m, 100)) == 0; i++)
        ;
    CHECK_EQ_INT(rc, -1);
    if (pc_error_code(c) != want1 && pc_error_code(c) != want2)
        test_failf_at(__FILE__, __LINE__, "ended with %d (%s)", pc_error_code(c), pc_error(c));
    CHECK(pc_error(c)[0] != '\0');
    CHECK(pc_recv(c, &m, 10) == -1);
    CHECK(pc_say(c, "lobby", "anyone?", 0) == -1);
    pc_close(c);
    fake_stop_and_free(&fs);
}

TEST(client_frame_cut_short_by_a_close_ends_cleanly)
{
    expect_recv_ends(FAKE_CUT_FRAME, PC_E_LOST, PC_E_LOST);
}

TEST(client_junk_after_welcome_ends_cleanly)
{
    expect_recv_ends(FAKE_JUNK_AFTER, PC_BAD_FRAME, PC_DECRYPT);
}

TEST(client_huge_declared_frame_is_refused)
{
    expect_recv_ends(FAKE_HUGE_HEADER, PC_BAD_FRAME, PC_BAD_FRAME);
}

TEST(client_tampered_frame_fails_to_decrypt)
{
    expect_recv_ends(FAKE_TAMPER, PC_DECRYPT, PC_DECRYPT);
}

/* ---- the reconnect layer ---------------------------------------------------------------- */

TEST(session_connects_and_chats)
{
    test_server ts;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    rec r;
    int i;
    char nick[64];
    rec_ev e;

    START(&ts, "se-chat");
    rec_init(&r);
    s = new_session(&ts, &r, "alice", NULL, NULL);
    REQUIRE(s);
    CHECK_EQ_INT(pcs_get_state(s), PCS_IDLE);
    CHECK(session_settle(s, &r));
    CHECK_EQ_INT(pcs_get_state(s), PCS_CONNECTED);
    e = rec_get(&r, 0);
    CHECK_EQ_INT(e.kind, PCS_EV_CONNECTING);
    CHECK_EQ_INT(e.attempt, 0);
    i = rec_find(&r, 0, PCS_EV_CONNECTED, 0, NULL);
    REQUIRE(i >= 0);
    e = rec_get(&r, i);
    CHECK_EQ_INT(e.reconnect, 0);
    /* On a first connection our own join of the lobby is news. */
    CHECK(rec_find(&r, 0, PCS_EV_MESSAGE, PT_MEMBER, "lobby") >= 0);
    CHECK(pcs_in_room(s, "LOBBY"));
    pcs_get_nick(s, nick, sizeof nick);
    CHECK_EQ_STR(nick, "alice");

    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    CHECK_EQ_INT(pcs_say(s, "lobby", "hi bob", 1), 0);
    CHECK(test_expect_text(b, "hi bob", &m, WAIT) == 1);
    CHECK(pc_say(b, "lobby", "hi alice", 2) == 0);
    i = drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_MSG, "hi alice", WAIT);
    CHECK(i >= 0);
    /* A message the protocol cannot carry is refused at once, with a reason. */
    {
        static char big[PROTO_TEXT_MAX + 10];
        char err[200];
        proto_msg big_msg;
        memset(big, 'x', sizeof big - 1);
        memset(&big_msg, 0, sizeof big_msg);
        big_msg.type = PT_SAY;
        big_msg.room = proto_s("lobby");
        big_msg.text = proto_s(big);
        CHECK_EQ_INT(pcs_send(s, &big_msg, err, sizeof err), -1);
        CHECK(err[0] != '\0');
    }
    /* A rename is followed. */
    CHECK_EQ_INT(pcs_nick(s, "alicia"), 0);
    CHECK(drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_MEMBER, "", WAIT) >= 0);
    for (i = 0; i < 100; i++) {
        pcs_poll(s, 20);
        pcs_get_nick(s, nick, sizeof nick);
        if (strcmp(nick, "alicia") == 0)
            break;
    }
    CHECK_EQ_STR(nick, "alicia");
    pcs_quit(s, "done");
    while (pcs_poll(s, 50))
        ;
    CHECK(rec_find(&r, 0, PCS_EV_DISCONNECTED, 0, NULL) >= 0);
    CHECK_EQ_INT(pcs_end_reason(s, NULL, 0), PC_QUIT);
    CHECK_EQ_INT(pcs_say(s, "lobby", "too late", 0), -1);
    pcs_free(s);
    rec_free(&r);
    pc_close(b);
    finish(&ts);
}

/* A first connection that fails ends the session at once with the reason and no redial. */
static void expect_session_refused(const char *name, const char *nick, const char *secret,
                                   int close_first, int want)
{
    test_server ts;
    pcs_session *s;
    pc_conn *holder = NULL;
    rec r;
    int i;
    char text[256];

    START(&ts, name);
    if (close_first) {
        uint16_t port = ts.port;
        finish(&ts);
        ts.port = port;
    } else if (strcmp(nick, "taken") == 0) {
        holder = test_connect(&ts, "taken", NULL, 0);
    }
    rec_init(&r);
    s = new_session(&ts, &r, nick, secret, NULL);
    REQUIRE(s);
    i = drive_until(s, &r, 0, PCS_EV_DISCONNECTED, 0, NULL, WAIT * 2);
    CHECK(i >= 0);
    if (i >= 0)
        CHECK_EQ_INT(rec_get(&r, i).code, want);
    CHECK(rec_find(&r, 0, PCS_EV_RECONNECTING, 0, NULL) < 0);
    CHECK(rec_find(&r, 0, PCS_EV_CONNECTED, 0, NULL) < 0);
    CHECK_EQ_INT(pcs_poll(s, 10), 0);
    CHECK_EQ_INT(pcs_get_state(s), PCS_ENDED);
    CHECK_EQ_INT(pcs_end_reason(s, text, sizeof text), want);
    CHECK(text[0] != '\0');
    pcs_free(s);
    rec_free(&r);
    pc_close(holder);
    if (!close_first)
        finish(&ts);
}

TEST(session_wrong_key_ends_without_redial)
{
    expect_session_refused("se-key", "alice", "wrong secret", 0, PC_WRONG_KEY);
}

TEST(session_unreachable_ends_without_redial)
{
    expect_session_refused("se-unreach", "alice", NULL, 1, PC_E_UNREACHABLE);
}

TEST(session_nick_taken_ends_without_redial)
{
    expect_session_refused("se-nick", "taken", NULL, 0, PC_NICK_TAKEN);
}

/* A redial refused for a wrong password (the account's password was changed while the link
 * was down) ends the session: dialling again with the same password cannot succeed. */
TEST(session_wrong_password_on_redial_ends_without_more_redials)
{
    test_server ts;
    server_config cfg;
    pcs_options o;
    pcs_session *s;
    scram_verifier v;
    users *u;
    rec r;
    char err[256];
    int i, ok;
    static const uint8_t salt[16] = {1, 2, 3};

    test_server_config(&cfg, "se-passwd");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", "old password", USER_ROLE_USER, 0) == 0);
    start_with(&ts, &cfg, &ok);
    REQUIRE(ok);
    rec_init(&r);
    pcs_options_init(&o);
    o.backoff_first_ms = 50;
    o.backoff_max_ms = 100;
    o.conn.password = "old password";
    o.conn.password_len = strlen("old password");
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    REQUIRE(session_settle(s, &r));

    /* While the server is down its administrator sets a new password. */
    test_server_stop(&ts);
    u = users_open(ts.cfg.data_dir, NULL, NULL, err, sizeof err);
    REQUIRE(u);
    CHECK(scram_verifier_make("new password", 12, salt, sizeof salt, SCRAM_ITERATIONS_MIN, &v) ==
          SCRAM_OK);
    CHECK(users_set_verifier(u, "alice", &v, err, sizeof err) == 0);
    users_close(u);
    REQUIRE(restart(&ts) == 0);

    i = drive_until(s, &r, 0, PCS_EV_DISCONNECTED, 0, NULL, WAIT * 2);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).code, PC_BAD_PASSWORD);
    CHECK_EQ_INT(pcs_get_state(s), PCS_ENDED);
    /* One redial was tried (the link was lost), none after the refusal. */
    CHECK(rec_find(&r, 0, PCS_EV_RECONNECTING, 0, NULL) >= 0);
    CHECK_EQ_INT(rec_get(&r, rec_find(&r, 0, PCS_EV_RECONNECTING, 0, NULL)).attempt, 1);
    for (i = 0; i < rec_size(&r); i++)
        if (rec_get(&r, i).kind == PCS_EV_RECONNECTING)
            CHECK_EQ_INT(rec_get(&r, i).attempt, 1);
    pcs_free(s);
    rec_free(&r);
    finish(&ts);
}

/* The heart of the layer: the server goes away and comes back; meanwhile others talk. The
 * session redials by itself, is back in the same rooms, and sees each missed message once. */
TEST(session_restart_rejoins_and_replays_what_was_missed_once)
{
    test_server ts;
    pcs_options o;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    rec r;
    int i, mark, n;
    rec_ev e;

    START(&ts, "se-restart");
    rec_init(&r);
    pcs_options_init(&o);
    o.backoff_first_ms = 200;
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    REQUIRE(session_settle(s, &r));
    CHECK_EQ_INT(pcs_join(s, "dev"), 0);
    REQUIRE(drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_HISTORY_END, "dev", WAIT) >= 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    CHECK(pc_join(b, "dev") == 0);
    CHECK(test_expect(b, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK(pc_say(b, "dev", "before in dev", 0) == 0);
    CHECK(pc_say(b, "lobby", "before in lobby", 0) == 0);
    CHECK(drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_MSG, "before in lobby", WAIT) >= 0);
    CHECK_EQ_INT(rec_count_text(&r, 0, PT_MSG, "before in dev"), 1);
    pc_close(b);

    /* The server goes down: the session notices and waits to redial. */
    mark = rec_size(&r);
    test_server_stop(&ts);
    i = drive_until(s, &r, mark, PCS_EV_RECONNECTING, 0, NULL, WAIT);
    REQUIRE(i >= 0);
    e = rec_get(&r, i);
    CHECK_EQ_INT(e.attempt, 1);
    CHECK(e.delay_ms >= 100 && e.delay_ms <= 200);
    CHECK(e.code == PC_SHUTDOWN || e.code == PC_E_LOST);
    CHECK_EQ_INT(pcs_get_state(s), PCS_WAITING);
    /* Said while away: queued, sent once the rooms are back. */
    CHECK_EQ_INT(pcs_say(s, "dev", "said while away", 7), 1);

    /* It comes back (the session is not driven meanwhile, so it cannot return early), and
     * others talk before the session is back. */
    REQUIRE(restart(&ts) == 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    CHECK(pc_join(b, "dev") == 0);
    CHECK(test_expect(b, PT_HISTORY_END, &m, WAIT) == 1);
    CHECK(pc_say(b, "dev", "missed in dev 1", 0) == 0);
    CHECK(pc_say(b, "dev", "missed in dev 2", 0) == 0);
    CHECK(pc_say(b, "lobby", "missed in lobby", 0) == 0);
    CHECK(test_expect_text(b, "missed in lobby", &m, WAIT) == 1);

    mark = rec_size(&r);
    i = drive_until(s, &r, mark, PCS_EV_CONNECTED, 0, NULL, WAIT * 2);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).reconnect, 1);
    CHECK(rec_find(&r, mark, PCS_EV_CONNECTING, 0, NULL) >= 0);
    CHECK_EQ_INT(rec_get(&r, rec_find(&r, mark, PCS_EV_CONNECTING, 0, NULL)).attempt, 1);
    i = drive_until(s, &r, mark, PCS_EV_CAUGHT_UP, 0, "dev", WAIT);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).count, 2);
    i = drive_until(s, &r, mark, PCS_EV_CAUGHT_UP, 0, "lobby", WAIT);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).count, 1);
    /* The queued line went out after the re-join. */
    CHECK(test_expect_text(b, "said while away", &m, WAIT) == 1);
    CHECK(str_is(m.room, "dev") && str_is(m.nick, "alice"));
    CHECK(pc_say(b, "dev", "live again", 0) == 0);
    CHECK(drive_until(s, &r, mark, PCS_EV_MESSAGE, PT_MSG, "live again", WAIT) >= 0);
    pcs_poll(s, 200);

    /* Each missed message exactly once, flagged as replayed; nothing seen before came again;
     * our own re-joins were not news; the history ends were the layer's business. */
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "missed in dev 1"), 1);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "missed in dev 2"), 1);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "missed in lobby"), 1);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "before in dev"), 0);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "before in lobby"), 0);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "live again"), 1);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_MSG, "said while away"), 1);
    n = rec_size(&r);
    for (i = mark; i < n; i++) {
        e = rec_get(&r, i);
        if (e.kind != PCS_EV_MESSAGE)
            continue;
        if (e.type == PT_MSG && strncmp(e.text, "missed", 6) == 0)
            CHECK(e.flags & PROTO_FLAG_HISTORY);
        if (e.type == PT_MEMBER && e.event == MEMBER_JOIN && strcmp(e.nick, "alice") == 0)
            test_failf_at(__FILE__, __LINE__, "our re-join of %s was reported", e.room);
        CHECK(e.type != PT_HISTORY_END);
    }
    CHECK(pcs_in_room(s, "dev") && pcs_in_room(s, "lobby"));
    {
        char rooms[4][PROTO_ROOM_MAX + 1];
        CHECK_EQ_INT(pcs_room_list(s, rooms, 4), 2);
        CHECK_EQ_STR(rooms[0], "lobby");
        CHECK_EQ_STR(rooms[1], "dev");
    }
    pcs_quit(s, NULL);
    while (pcs_poll(s, 50))
        ;
    pcs_free(s);
    rec_free(&r);
    pc_close(b);
    finish(&ts);
}

/* A session that had left the lobby does not reappear there after a reconnect, even though
 * the server puts every new connection in it. */
/* With accounts the session catches up on private messages by itself: after a server restart
 * those sent while it was away arrive once, flagged as waiting for us, and nothing seen before
 * comes again. */
TEST(session_restart_catches_up_private_messages_once)
{
    test_server ts;
    server_config cfg;
    pcs_options o;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    rec r;
    int i, ok, mark, code;
    char err[256];

    test_server_config(&cfg, "se-private");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "bob", "bob pw", USER_ROLE_USER, 0) == 0);
    start_with(&ts, &cfg, &ok);
    REQUIRE(ok);
    rec_init(&r);
    pcs_options_init(&o);
    o.backoff_first_ms = 200;
    o.conn.password = "alice pw";
    o.conn.password_len = strlen("alice pw");
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    REQUIRE(session_settle(s, &r));
    REQUIRE(drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_PRIV_SYNC_END, NULL, WAIT) >= 0);
    b = test_login(&ts, "bob", "bob pw", &code, err, sizeof err);
    REQUIRE(b);
    CHECK(pc_priv(b, "alice", "before", 1) == 0);
    CHECK(drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_PRIV_MSG, "before", WAIT) >= 0);
    pc_close(b);

    mark = rec_size(&r);
    test_server_stop(&ts);
    REQUIRE(drive_until(s, &r, mark, PCS_EV_RECONNECTING, 0, NULL, WAIT) >= 0);
    REQUIRE(restart(&ts) == 0);
    b = test_login(&ts, "bob", "bob pw", &code, err, sizeof err);
    REQUIRE(b);
    CHECK(pc_priv(b, "alice", "missed 1", 2) == 0);
    CHECK(pc_priv(b, "alice", "missed 2", 3) == 0);
    while (test_expect(b, PT_PRIV_MSG, &m, WAIT) == 1 && m.tag != 3)
        ;
    CHECK_EQ_INT(m.tag, 3);

    i = drive_until(s, &r, mark, PCS_EV_CONNECTED, 0, NULL, WAIT * 2);
    REQUIRE(i >= 0);
    REQUIRE(drive_until(s, &r, mark, PCS_EV_MESSAGE, PT_PRIV_SYNC_END, NULL, WAIT) >= 0);
    CHECK(pc_priv(b, "alice", "live again", 4) == 0);
    CHECK(drive_until(s, &r, mark, PCS_EV_MESSAGE, PT_PRIV_MSG, "live again", WAIT) >= 0);
    CHECK_EQ_INT(rec_count_text(&r, 0, PT_PRIV_MSG, "before"), 1);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_PRIV_MSG, "missed 1"), 1);
    CHECK_EQ_INT(rec_count_text(&r, mark, PT_PRIV_MSG, "missed 2"), 1);
    i = rec_find(&r, mark, PCS_EV_MESSAGE, PT_PRIV_MSG, "missed 1");
    REQUIRE(i >= 0);
    CHECK(rec_get(&r, i).flags & PROTO_FLAG_OFFLINE);
    pc_close(b);
    pcs_free(s);
    rec_free(&r);
    finish(&ts);
}

TEST(session_restart_keeps_out_of_a_lobby_it_had_left)
{
    test_server ts;
    pcs_options o;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    rec r;
    int i, n, mark, seen_alice = 0;
    size_t pos = 0;
    proto_entry en;

    START(&ts, "se-ghost");
    rec_init(&r);
    pcs_options_init(&o);
    o.backoff_first_ms = 100;
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    REQUIRE(session_settle(s, &r));
    CHECK_EQ_INT(pcs_join(s, "dev"), 0);
    CHECK_EQ_INT(pcs_part(s, "lobby", "bye lobby"), 0);
    REQUIRE(drive_until(s, &r, 0, PCS_EV_MESSAGE, PT_HISTORY_END, "dev", WAIT) >= 0);
    for (i = 0; i < 50 && pcs_in_room(s, "lobby"); i++)
        pcs_poll(s, 20);
    CHECK(!pcs_in_room(s, "lobby"));

    mark = rec_size(&r);
    test_server_stop(&ts);
    REQUIRE(drive_until(s, &r, mark, PCS_EV_RECONNECTING, 0, NULL, WAIT) >= 0);
    REQUIRE(restart(&ts) == 0);
    REQUIRE(drive_until(s, &r, mark, PCS_EV_CAUGHT_UP, 0, "dev", WAIT * 2) >= 0);
    pcs_poll(s, 300);
    n = rec_size(&r);
    for (i = mark; i < n; i++) {
        rec_ev e = rec_get(&r, i);
        if (e.kind == PCS_EV_MESSAGE && strcmp(e.room, "lobby") == 0)
            test_failf_at(__FILE__, __LINE__, "a lobby %s event leaked", proto_type_name(e.type));
    }
    CHECK(!pcs_in_room(s, "lobby") && pcs_in_room(s, "dev"));
    /* And the server agrees: alice is not in the lobby. */
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    memset(&m, 0, sizeof m);
    m.type = PT_USERS;
    m.room = proto_s("lobby");
    CHECK(pc_send(b, &m) == 0);
    CHECK(test_expect(b, PT_USER_LIST, &m, WAIT) == 1);
    while (proto_list_next(&m.list, PT_USER_LIST, &pos, &en))
        if (str_is(en.name, "alice"))
            seen_alice = 1;
    CHECK(!seen_alice);
    pcs_quit(s, NULL);
    while (pcs_poll(s, 50))
        ;
    pcs_free(s);
    rec_free(&r);
    pc_close(b);
    finish(&ts);
}

TEST(session_kick_ends_without_redial)
{
    test_server ts;
    server_config cfg;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    rec r;
    int i, ok;

    test_server_config(&cfg, "se-kick");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    start_with(&ts, &cfg, &ok);
    REQUIRE(ok);
    rec_init(&r);
    s = new_session(&ts, &r, "alice", NULL, NULL);
    REQUIRE(s);
    REQUIRE(session_settle(s, &r));
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    CHECK(send_msg(b, PT_OPER, NULL, "op-pass") == 0);
    CHECK(test_expect(b, PT_NOTICE, &m, WAIT) == 1);
    CHECK(send_msg(b, PT_KICK, "alice", "enough") == 0);
    i = drive_until(s, &r, 0, PCS_EV_DISCONNECTED, 0, NULL, WAIT);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).code, PC_KICKED);
    CHECK(contains(rec_get(&r, i).text, "enough"));
    CHECK_EQ_INT(pcs_poll(s, 300), 0);
    CHECK(rec_find(&r, 0, PCS_EV_RECONNECTING, 0, NULL) < 0);
    CHECK_EQ_INT(rec_size(&r), i + 1); /* DISCONNECTED is the last word */
    pcs_free(s);
    rec_free(&r);
    pc_close(b);
    finish(&ts);
}

typedef struct driver {
    pcs_session *s;
    thread_handle *th;
} driver;

static void drive_thread(void *arg)
{
    driver *d = arg;

    pcs_run(d->s);
}

/* The GUI's model: one thread drives, another sends and finally quits. */
TEST(session_quit_from_another_thread_ends_without_redial)
{
    test_server ts;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    driver d;
    rec r;
    int i;
    char text[32];

    START(&ts, "se-quit");
    rec_init(&r);
    s = new_session(&ts, &r, "alice", NULL, NULL);
    REQUIRE(s);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    d.s = s;
    d.th = thread_start(drive_thread, &d);
    REQUIRE(d.th);
    CHECK(drive_until(NULL, &r, 0, PCS_EV_MESSAGE, PT_HISTORY_END, "lobby", WAIT) >= 0);
    for (i = 0; i < 30; i++) {
        snprintf(text, sizeof text, "line %d", i);
        CHECK(pcs_say(s, "lobby", text, (uint32_t)i) >= 0);
    }
    for (i = 0; i < 30; i++) {
        snprintf(text, sizeof text, "line %d", i);
        CHECK(test_expect_text(b, text, &m, WAIT) == 1);
    }
    pcs_quit(s, "see you");
    thread_join(d.th);
    i = rec_find(&r, 0, PCS_EV_DISCONNECTED, 0, NULL);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).code, PC_QUIT);
    CHECK(rec_find(&r, 0, PCS_EV_RECONNECTING, 0, NULL) < 0);
    CHECK_EQ_INT(pcs_get_state(s), PCS_ENDED);
    /* The server heard the goodbye and its reason. */
    while (test_expect(b, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_QUIT)
        ;
    CHECK_EQ_INT(m.event, MEMBER_QUIT);
    CHECK(str_is(m.nick, "alice"));
    pcs_free(s);
    rec_free(&r);
    pc_close(b);
    finish(&ts);
}

/* Requests made from another thread while the link is down wait in order for the next one. */
TEST(session_requests_from_another_thread_wait_for_the_reconnect)
{
    test_server ts;
    pcs_options o;
    pcs_session *s;
    pc_conn *b;
    proto_msg m;
    driver d;
    rec r;
    int i, mark, next = 0;
    char text[32];

    START(&ts, "se-queue");
    rec_init(&r);
    pcs_options_init(&o);
    o.backoff_first_ms = 300;
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    d.s = s;
    d.th = thread_start(drive_thread, &d);
    REQUIRE(d.th);
    REQUIRE(drive_until(NULL, &r, 0, PCS_EV_MESSAGE, PT_HISTORY_END, "lobby", WAIT) >= 0);
    mark = rec_size(&r);
    test_server_stop(&ts);
    REQUIRE(drive_until(NULL, &r, mark, PCS_EV_RECONNECTING, 0, NULL, WAIT) >= 0);
    for (i = 0; i < 5; i++) {
        snprintf(text, sizeof text, "queued %d", i);
        CHECK_EQ_INT(pcs_say(s, "lobby", text, 0), 1);
    }
    REQUIRE(restart(&ts) == 0);
    REQUIRE(drive_until(NULL, &r, mark, PCS_EV_CAUGHT_UP, 0, "lobby", WAIT * 3) >= 0);
    /* Everything queued reached the server once and in order: its history says so. */
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    while (test_expect(b, PT_MSG, &m, WAIT) == 1) {
        snprintf(text, sizeof text, "queued %d", next);
        if (str_is(m.text, text))
            next++;
        else if (m.text.n >= 6 && memcmp(m.text.p, "queued", 6) == 0)
            test_failf_at(__FILE__, __LINE__, "out of order or twice: %.*s", (int)m.text.n,
                          m.text.p);
        if (next == 5)
            break;
    }
    CHECK_EQ_INT(next, 5);
    pcs_quit(s, NULL);
    thread_join(d.th);
    pcs_free(s);
    rec_free(&r);
    pc_close(b);
    finish(&ts);
}

TEST(session_backoff_doubles_with_jitter_then_gives_up)
{
    test_server ts;
    pcs_options o;
    pcs_session *s;
    rec r;
    int i, mark, k = 0;
    uint32_t steps[] = {100, 200, 400, 400};

    START(&ts, "se-backoff");
    rec_init(&r);
    pcs_options_init(&o);
    o.backoff_first_ms = 100;
    o.backoff_max_ms = 400;
    o.max_attempts = 4;
    o.conn.connect_timeout_ms = 1000;
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    REQUIRE(session_settle(s, &r));
    mark = rec_size(&r);
    finish(&ts); /* gone for good */
    i = drive_until(s, &r, mark, PCS_EV_DISCONNECTED, 0, NULL, 20000);
    REQUIRE(i >= 0);
    CHECK(contains(rec_get(&r, i).text, "gave up after 4 attempts"));
    for (i = mark; i < rec_size(&r); i++) {
        rec_ev e = rec_get(&r, i);
        if (e.kind != PCS_EV_RECONNECTING)
            continue;
        CHECK_EQ_INT(e.attempt, k + 1);
        if (k < 4 && (e.delay_ms < steps[k] / 2 || e.delay_ms > steps[k]))
            test_failf_at(__FILE__, __LINE__, "attempt %d waits %u ms", k + 1,
                          (unsigned)e.delay_ms);
        if (k > 0)
            CHECK_EQ_INT(e.code, PC_E_UNREACHABLE);
        k++;
    }
    CHECK_EQ_INT(k, 4);
    CHECK_EQ_INT(pcs_poll(s, 10), 0);
    pcs_free(s);
    rec_free(&r);
}

TEST(session_keepalive_measures_and_notices_a_dead_link)
{
    test_server ts;
    fake_server fs;
    pcs_options o;
    pcs_session *s;
    rec r;
    int i;

    /* A live server answers: round trips are reported. */
    START(&ts, "se-ping");
    rec_init(&r);
    pcs_options_init(&o);
    o.ping_interval_ms = 100;
    s = new_session(&ts, &r, "alice", NULL, &o);
    REQUIRE(s);
    CHECK(drive_until(s, &r, 0, PCS_EV_RTT, 0, NULL, WAIT) >= 0);
    pcs_quit(s, NULL);
    while (pcs_poll(s, 50))
        ;
    pcs_free(s);
    rec_free(&r);
    finish(&ts);

    /* A server that stops answering is given up on, though TCP never says so. */
    REQUIRE(fake_start(&fs, FAKE_DEAF) == 0);
    rec_init(&r);
    pcs_options_init(&o);
    o.ping_interval_ms = 100;
    o.ping_timeout_ms = 400;
    o.no_reconnect = 1;
    o.conn.host = "127.0.0.1";
    o.conn.port = fs.port;
    o.conn.secret = TEST_SECRET;
    o.conn.secret_len = strlen(TEST_SECRET);
    o.conn.nick = "alice";
    o.on_event = on_rec;
    o.user = &r;
    s = pcs_new(&o, NULL, 0);
    REQUIRE(s);
    i = drive_until(s, &r, 0, PCS_EV_DISCONNECTED, 0, NULL, WAIT);
    REQUIRE(i >= 0);
    CHECK_EQ_INT(rec_get(&r, i).code, PC_TIMEOUT);
    CHECK(rec_find(&r, 0, PCS_EV_CONNECTED, 0, NULL) >= 0);
    pcs_free(s);
    rec_free(&r);
    fake_stop_and_free(&fs);
}

TEST(session_options_are_checked)
{
    pcs_options o;
    char err[200];

    pcs_options_init(&o);
    CHECK(pcs_new(&o, err, sizeof err) == NULL);
    CHECK(contains(err, "callback"));
    o.on_event = on_rec;
    CHECK(pcs_new(&o, err, sizeof err) == NULL);
    CHECK(contains(err, "secret"));
    o.conn.secret = "k";
    o.conn.secret_len = 1;
    CHECK(pcs_new(&o, err, sizeof err) == NULL);
    CHECK(contains(err, "nickname"));
}

/* fake_server.c — a scripted misbehaving server on the real engine and the real handshake. */
#include "fake_server.h"

#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "crypto.h"
#include "proto.h"
#include "test.h"

struct fake_conn {
    net_conn *conn;
    hs_server hs;
    proto_reader rd;
    int done; /* the scripted act has been played */
};
typedef struct fake_conn fake_conn;



static const char NOISE[] = "this is not a Parley frame, just noise on the line\r\n";

static void *on_accept(void *user, net_conn *c, const char *peer)
{
    fake_server *fs = user;
    fake_conn *fc = calloc(1, sizeof *fc);
    (void)peer;
    if (!fc)
        return NULL;
    fc->conn = c;
    hs_server_init(&fc->hs);
    proto_reader_init(&fc->rd, 0);
    fs->accepted++;
    return fc;
}

/* One sealed MSG, as a real server would send it after the WELCOME. */
static void sealed_msg(fake_conn *fc, buf *out)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_MSG;
    m.id = 1;
    m.time = 1700000000000ull;
    m.room = proto_s("lobby");
    m.nick = proto_s("mallory");
    m.text = proto_s("a message from the fake server");
    cipher_encode(&fc->hs.tx, &m, out);
}

/* Plays the scripted act after a completed handshake. */
static void after_login(fake_server *fs, fake_conn *fc)
{
    buf out;
    buf_init(&out);
    switch (fs->act) {
    case FAKE_GARBAGE_AFTER_LOGIN:
        net_send(fc->conn, NOISE, sizeof NOISE - 1);
        break;
    case FAKE_TAMPER_AFTER_LOGIN:
        sealed_msg(fc, &out);
        /* One bit of the ciphertext (inside the text), as a man in the middle would. */
        out.data[out.len - 20] ^= 0x01;
        net_send(fc->conn, out.data, out.len);
        break;
    case FAKE_REPLAY_AFTER_LOGIN:
        sealed_msg(fc, &out);
        net_send(fc->conn, out.data, out.len);
        net_send(fc->conn, out.data, out.len);
        break;
    case FAKE_RESET_MID_FRAME:
        sealed_msg(fc, &out);
        net_send(fc->conn, out.data, out.len / 2);
        net_close(fc->conn, 0);
        break;
    case FAKE_BYE_CODE_ZERO: {
        proto_msg m;
        memset(&m, 0, sizeof m);
        m.type = PT_BYE;
        m.text = proto_s("goodbye for no reason");
        cipher_encode(&fc->hs.tx, &m, &out);
        net_send(fc->conn, out.data, out.len);
        net_close(fc->conn, 1);
        break;
    }
    case FAKE_GOOD_AFTER_LOGIN:
        sealed_msg(fc, &out);
        net_send(fc->conn, out.data, out.len);
        break;
    default:
        break;
    }
    buf_free(&out);
}

static void on_hello_act(fake_server *fs, fake_conn *fc)
{
    static const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xF0, PROTO_VERSION, PT_CHALLENGE};
    switch (fs->act) {
    case FAKE_GARBAGE_FOR_HELLO:
        net_send(fc->conn, NOISE, sizeof NOISE - 1);
        break;
    case FAKE_HUGE_HEADER:
        net_send(fc->conn, huge, sizeof huge);
        break;
    case FAKE_CLOSE_AFTER_HELLO:
        net_close(fc->conn, 1);
        break;
    case FAKE_ERROR_CODE_ZERO: {
        buf out;
        buf_init(&out);
        hs_plain_error(PC_OK, "refused for no reason", &out);
        net_send(fc->conn, out.data, out.len);
        buf_free(&out);
        net_close(fc->conn, 1);
        break;
    }
    default: /* FAKE_SILENT */
        break;
    }
    fc->done = 1;
}

static void on_data(void *user, void *ctx, const uint8_t *data, size_t n)
{
    fake_server *fs = user;
    fake_conn *fc = ctx;
    proto_frame f;
    proto_msg m;
    buf out;

    if (fc->done)
        return;
    if (proto_reader_feed(&fc->rd, data, n) != PROTO_OK)
        return;
    buf_init(&out);
    while (!fc->done && proto_reader_next(&fc->rd, &f) == 1) {
        hs_result r;
        if (fs->act <= FAKE_ERROR_CODE_ZERO) {
            on_hello_act(fs, fc);
            break;
        }
        buf_reset(&out);
        r = hs_server_on_frame(&fc->hs, &fs->hs_cfg, &f, &m, &out);
        if (out.len)
            net_send(fc->conn, out.data, out.len);
        if (r == HS_FAILED) {
            net_close(fc->conn, 1);
            fc->done = 1;
        } else if (r == HS_DONE) {
            char nick[PROTO_NICK_MAX + 1];
            size_t k = m.nick.n < PROTO_NICK_MAX ? m.nick.n : PROTO_NICK_MAX;
            memcpy(nick, m.nick.p, k);
            nick[k] = '\0';
            buf_reset(&out);
            if (hs_server_welcome(&fc->hs, nick, PROTO_MAX_FRAME_DEFAULT, "fake", &out) ==
                PROTO_OK)
                net_send(fc->conn, out.data, out.len);
            fc->done = 1;
            /* Acts that break the stream wait for the next tick, so the WELCOME reaches the
             * client in a read of its own: a bad header in the same read would fail the
             * connect rather than the receive this act is meant to test. */
            if (fs->act == FAKE_GARBAGE_AFTER_LOGIN || fs->act == FAKE_RESET_MID_FRAME)
                fs->pending = fc;
            else
                after_login(fs, fc);
        }
    }
    buf_free(&out);
}

static void on_close(void *user, void *ctx, const char *why)
{
    fake_server *fs = user;
    fake_conn *fc = ctx;
    (void)why;
    if (fs->pending == fc)
        fs->pending = NULL;
    hs_server_free(&fc->hs);
    proto_reader_free(&fc->rd);
    free(fc);
}

static void on_tick(void *user, uint64_t now)
{
    fake_server *fs = user;
    (void)now;
    if (fs->pending) {
        fake_conn *fc = fs->pending;
        fs->pending = NULL;
        after_login(fs, fc);
    }
}

static void on_stop(void *user)
{
    fake_server *fs = user;
    net_engine_finish(fs->engine, 500);
}

static void run(void *arg)
{
    fake_server *fs = arg;
    net_engine_run(fs->engine);
}

int fake_server_start(fake_server *fs, fake_act act, const char *secret)
{
    static const uint8_t salt[PROTO_SALT_SIZE] = "fake-server-salt";
    net_options opt;
    net_handlers h;
    char err[256];
    size_t len = strlen(secret);

    memset(fs, 0, sizeof *fs);
    fs->act = act;
    crypto_init();
    if (len > sizeof fs->secret)
        len = sizeof fs->secret;
    memcpy(fs->secret, secret, len);
    fs->hs_cfg.secret = fs->secret;
    fs->hs_cfg.secret_len = len;
    memcpy(fs->hs_cfg.salt, salt, sizeof salt);
    fs->hs_cfg.iterations = HS_ITERATIONS_MIN;
    fs->hs_cfg.allowed[0] = PROTO_CIPHER_AES256GCM;
    fs->hs_cfg.allowed[1] = PROTO_CIPHER_XOR;
    fs->hs_cfg.nallowed = 2;
    fs->hs_cfg.server_name = "fake";
    if (hs_master(fs->secret, len, fs->hs_cfg.salt, fs->hs_cfg.iterations, fs->hs_cfg.master) !=
        PROTO_OK) {
        test_failf_at(__FILE__, __LINE__, "hs_master failed");
        return -1;
    }
    memset(&opt, 0, sizeof opt);
    opt.bind_addr = "127.0.0.1";
    opt.workers = 1;
    opt.tick_ms = 50;
    memset(&h, 0, sizeof h);
    h.user = fs;
    h.on_accept = on_accept;
    h.on_data = on_data;
    h.on_close = on_close;
    h.on_tick = on_tick;
    h.on_stop = on_stop;
    fs->engine = net_engine_create(&opt, &h, err, sizeof err);
    if (!fs->engine) {
        test_failf_at(__FILE__, __LINE__, "fake server: %s", err);
        return -1;
    }
    fs->port = net_engine_port(fs->engine);
    fs->thread = thread_start(run, fs);
    if (!fs->thread) {
        net_engine_destroy(fs->engine);
        fs->engine = NULL;
        test_failf_at(__FILE__, __LINE__, "fake server: no thread");
        return -1;
    }
    return 0;
}

void fake_server_stop(fake_server *fs)
{
    if (!fs->engine)
        return;
    net_engine_stop(fs->engine);
    thread_join(fs->thread);
    net_engine_destroy(fs->engine);
    fs->engine = NULL;
}

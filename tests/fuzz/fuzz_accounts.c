/* fuzz_accounts.c — the server side of account logins inside the chat core (chat_accounts.c,
 * chat_account_edit.c), driven through the core's own handlers with a stand-in engine (the
 * net_* functions below, in place of net_epoll.c): a real client proves the key, then the input
 * takes over. The first byte picks the mode:
 *   0: raw bytes after PROOF, unsealed (garbage during the login)
 *   1: two LOGIN texts sealed with the client's real key (split at the first 0x00): a fuzzed
 *      client-first and client-final
 *   2: the real client-first, then a fuzzed client-final
 *   3: a real login to the account, then PASSWORD frames sealed with the real key: pairs of
 *      (target, text) split at 0x00; with bit 0x80 of the first byte, the first one is a real
 *      client-first (so the fuzzed client-final reaches the proof check)
 * Invariants: without the password's proof no WELCOME leaves the server (modes 0-2), and the
 * server never accepts a change of password (no server-final "v=" in a PASSWORD, mode 3). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "cipher.h"
#include "crypto.h"
#include "fuzz_util.h"
#include "log.h"
#include "net.h"
#include "passwd.h"
#include "scram.h"
#include "server_config.h"
#include "users.h"

#define ACCOUNT "alice"
#define PASSWORD "alice's password"

/* ---- the stand-in engine: output is collected, nothing goes anywhere ---------------------- */

struct net_engine {
    int unused;
};

struct net_conn {
    buf out;
    int closed;
    const net_handlers *h; /* the core's, for on_seal */
    void *ctx;
};

static struct net_engine engine;

uint8_t *net_reserve(net_conn *c, size_t n)
{
    uint8_t *p = c->closed ? NULL : buf_reserve(&c->out, n);
    return p;
}

void net_commit(net_conn *c, size_t n)
{
    c->out.len += n;
}

int net_send(net_conn *c, const void *data, size_t n)
{
    if (c->closed)
        return -1;
    buf_append(&c->out, data, n);
    return buf_failed(&c->out) ? -1 : 0;
}

int net_send_block(net_conn *c, outq_block *b)
{
    return net_send(c, b->data, b->len);
}

/* A frame the core leaves to the send path is sealed at once here, as a flush would. */
void net_commit_frame(net_conn *c, size_t plain_len, size_t extra)
{
    if (c->h->on_seal(c->h->user, c->ctx, c->out.data + c->out.len, plain_len, extra) != 0) {
        c->closed = 1;
        return;
    }
    c->out.len += plain_len + extra;
}

int net_send_frame(net_conn *c, outq_block *b, size_t extra)
{
    uint8_t *p = net_reserve(c, b->len + extra);
    if (!p)
        return -1;
    memcpy(p, b->data, b->len);
    net_commit_frame(c, b->len, extra);
    return c->closed ? -1 : 0;
}

size_t net_queued(const net_conn *c)
{
    (void)c;
    return 0;
}

void net_close(net_conn *c, int graceful)
{
    (void)graceful;
    c->closed = 1;
}

void net_engine_stop(net_engine *e)
{
    (void)e;
}

void net_engine_wake(net_engine *e)
{
    (void)e; /* the journal writers' news is never collected: no input writes history */
}

void net_engine_finish(net_engine *e, uint32_t deadline_ms)
{
    (void)e;
    (void)deadline_ms;
}

/* ---- set-up ------------------------------------------------------------------------------- */

static server_config cfg;
static hs_client client; /* kept between inputs: it caches the master key */
static char dir[256];

/* The core's data directory holds only files it made (store, journals, salt, locks). */
static void cleanup(void)
{
    char path[512];
    struct dirent *e;
    DIR *d = opendir(dir);

    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const uint8_t salt[16] = {'f', 'u', 'z', 'z', '-', 'a', 'c', 'c',
                                     'o', 'u', 'n', 't', 's', 'a', 'l', 't'};
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char err[256];
    scram_verifier v;
    users *u;

    (void)argc;
    (void)argv;
    fuzz_init();
    snprintf(dir, sizeof dir, "%s/parley-fuzz-accounts-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        fuzz_fail("mkdtemp");
    atexit(cleanup);
    server_config_defaults(&cfg);
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
    snprintf(cfg.secret, sizeof cfg.secret, "%s", FUZZ_SECRET);
    cfg.iterations = FUZZ_ITERATIONS;
    cfg.ciphers[0] = PROTO_CIPHER_AES256GCM;
    cfg.nciphers = 1;
    cfg.auth = AUTH_ACCOUNTS;
    cfg.log_level = LOG_OFF;
    cfg.fsync = FSYNC_NEVER;
    cfg.rate_per_sec = 100000;
    cfg.rate_burst = 100000;
    cfg.connect_rate = 100000;
    cfg.connect_burst = 100000;
    u = users_open(dir, NULL, NULL, err, sizeof err);
    if (!u || scram_verifier_make(PASSWORD, strlen(PASSWORD), salt, sizeof salt,
                                  SCRAM_ITERATIONS_MIN, &v) != SCRAM_OK ||
        users_add(u, ACCOUNT, NULL, USER_ROLE_USER, &v, 1, err, sizeof err) != 0)
        fuzz_fail("the account store");
    users_close(u);
    return 0;
}

/* ---- one connection ----------------------------------------------------------------------- */

typedef struct run {
    chat *core;
    net_handlers h;
    void *ctx;
    net_conn conn;
    proto_reader rd;  /* the server's output, frame by frame */
    size_t seen;      /* bytes of conn.out already fed to rd */
    cipher_state tx, rx;
    int have_keys;    /* tx/rx moved out of the client after WELCOME */
    int welcomed;     /* a WELCOME frame left the server */
    buf msg;
} run;

/* Moves the server's new output into the reader. */
static void collect(run *r)
{
    if (r->conn.out.len > r->seen) {
        proto_reader_feed(&r->rd, r->conn.out.data + r->seen, r->conn.out.len - r->seen);
        r->seen = r->conn.out.len;
    }
}

/* The server's next frame (noting a WELCOME), or 0. */
static int next_frame(run *r, proto_frame *f)
{
    collect(r);
    if (proto_reader_next(&r->rd, f) != 1)
        return 0;
    if (f->type == PT_WELCOME)
        r->welcomed = 1;
    return 1;
}

static void to_server(run *r, const uint8_t *p, size_t n)
{
    if (n && !r->conn.closed)
        r->h.on_data(r->h.user, r->ctx, p, n);
}

/* Seals m with the client's key (during the login: the handshake's; after: the connection's)
 * and sends it. */
static void send_sealed(run *r, const proto_msg *m)
{
    buf_reset(&r->msg);
    if (cipher_encode(r->have_keys ? &r->tx : &client.tx, m, &r->msg) == PROTO_OK)
        to_server(r, r->msg.data, r->msg.len);
}

/* Runs the real client on the server's frames until it has answered `steps` LOGIN frames (0:
 * only the key's PROOF; 1: also client-first; 2: also client-final; 3: the whole login) or
 * finished; the LOGIN frame it stops at is dropped. Returns the result of the last frame. */
static hs_result client_until(run *r, int steps)
{
    proto_frame f;
    proto_msg m;
    hs_result res = HS_CONTINUE;

    while (next_frame(r, &f)) {
        if (f.type == PT_LOGIN && client.login_step >= steps)
            break;
        buf_reset(&r->msg);
        res = hs_client_on_frame(&client, &f, &m, &r->msg);
        to_server(r, r->msg.data, r->msg.len);
        if (res != HS_CONTINUE)
            break;
    }
    return res;
}

/* Splits p[0..n) at its first 0x00: the part before goes to *a, the rest to *b. */
static void split(const uint8_t *p, size_t n, proto_str *a, proto_str *b)
{
    const uint8_t *z = memchr(p, 0, n);
    size_t k = z ? (size_t)(z - p) : n;
    a->p = (const char *)p;
    a->n = k;
    b->p = (const char *)p + (k < n ? k + 1 : n);
    b->n = k < n ? n - k - 1 : 0;
}

static void login_text(run *r, proto_str text)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_LOGIN;
    m.text = text;
    send_sealed(r, &m);
}

/* Mode 3: after a real login, fuzzed PASSWORD frames; no server-final may come back. */
static void password_frames(run *r, int real_first, const uint8_t *p, size_t n)
{
    proto_frame f;
    proto_msg m, out;
    proto_str target, text;
    pc_passwd *pw = NULL;
    char err[128];

    if (client_until(r, 3) != HS_DONE)
        return;
    r->tx = client.tx;
    r->rx = client.rx;
    cipher_state_plain(&client.tx);
    cipher_state_plain(&client.rx);
    r->have_keys = 1;
    if (real_first && (pw = calloc(1, sizeof *pw)) != NULL &&
        pc_passwd_begin(pw, ACCOUNT, client.binding, PASSWORD, strlen(PASSWORD), "x", 1, 0, &out,
                        err, sizeof err) == 0)
        send_sealed(r, &out);
    while (n > 0) {
        split(p, n, &target, &text);
        memset(&m, 0, sizeof m);
        m.type = PT_PASSWORD;
        m.target = target;
        split((const uint8_t *)text.p, text.n, &text, &target);
        m.text = text;
        send_sealed(r, &m);
        n = target.n;
        p = (const uint8_t *)target.p;
    }
    while (next_frame(r, &f)) {
        if (cipher_decode(&r->rx, &f, &m) != PROTO_OK)
            break;
        if (m.type == PT_PASSWORD)
            FUZZ_ASSERT(!(m.text.n >= 2 && m.text.p[0] == 'v' && m.text.p[1] == '='));
    }
    if (pw) {
        pc_passwd_wipe(pw);
        free(pw);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t aes[] = {PROTO_CIPHER_AES256GCM};
    char err[256];
    proto_str a, b;
    run r;
    int mode;

    if (size < 1)
        return 0;
    mode = data[0] & 3;
    memset(&r, 0, sizeof r);
    buf_init(&r.conn.out);
    buf_init(&r.msg);
    proto_reader_init(&r.rd, PROTO_MAX_FRAME_HARD);
    /* A fresh core for every input: failed logins are counted, and 10 would lock the name. */
    r.core = chat_create(&cfg, err, sizeof err);
    if (!r.core)
        fuzz_fail(err);
    chat_handlers(r.core, &r.h);
    chat_attach(r.core, &engine);
    r.ctx = r.h.on_accept(r.h.user, &r.conn, "192.0.2.7");
    if (!r.ctx)
        fuzz_fail("the core refused the connection");
    r.conn.h = &r.h;
    r.conn.ctx = r.ctx;

    client.fs_off = 1; /* no ECDH per input: the key exchange is not what is fuzzed here */
    hs_client_set_password(&client, PASSWORD, strlen(PASSWORD));
    buf_reset(&r.msg);
    if (hs_client_start(&client, FUZZ_SECRET, strlen(FUZZ_SECRET), aes, 1, ACCOUNT, "fuzz",
                        &r.msg) != PROTO_OK)
        fuzz_fail("hs_client_start");
    to_server(&r, r.msg.data, r.msg.len);
    data++;
    size--;
    if (mode == 0) {
        client_until(&r, 0); /* CHALLENGE -> PROOF; the server's LOGIN request is dropped */
        to_server(&r, data, size);
    } else if (mode == 1) {
        client_until(&r, 0);
        split(data, size, &a, &b);
        login_text(&r, a);
        login_text(&r, b);
    } else if (mode == 2) {
        client_until(&r, 1);
        a.p = (const char *)data;
        a.n = size;
        login_text(&r, a);
    } else {
        password_frames(&r, (data[-1] & 0x80) != 0, data, size);
    }
    if (mode != 3) {
        proto_frame f;
        while (next_frame(&r, &f))
            ;
        FUZZ_ASSERT(!r.welcomed);
    }

    chat_destroy(r.core); /* frees the session too */
    if (r.have_keys) {
        cipher_state_free(&r.tx);
        cipher_state_free(&r.rx);
    }
    proto_reader_free(&r.rd);
    buf_free(&r.conn.out);
    buf_free(&r.msg);
    return 0;
}

/* client.c — the portable Parley client library: TCP connect, handshake (hs_client), sealed
 * sends under one lock, framed and opened receives, automatic PONG, and readable errors. */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cipher.h"
#include "crypto.h"
#include "handshake.h"
#include "proto.h"
#include "signon.h"
#include "sock.h"
#include "sys.h"
#include "thread.h"

#define HOST_MAX 255   /* longest DNS name is 253 */
#define SOURCE_MAX 64  /* a numeric address */
#define ERR_MAX 320
#define WHY_MAX 256   /* causes, which the final sentences wrap in more words */
#define RECV_CHUNK 16384

/* The connection keeps its settings (owned copies) and its hs_client beside the live socket
 * state, so that a later "reconnect with backoff" can hang up and dial again with the same
 * pc_conn: the hs_client keeps the master key cached, so a redial skips the slow PBKDF2 when
 * the server's salt and iterations are unchanged. */
struct pc_conn {
    /* settings */
    char host[HOST_MAX + 1];
    char source[SOURCE_MAX + 1]; /* "" = any */
    uint16_t port;
    uint8_t ciphers[PROTO_MAX_CIPHERS];
    size_t nciphers;
    char want_nick[PROTO_NICK_MAX + 1];
    char agent[PROTO_NAME_MAX + 1];
    uint32_t connect_timeout_ms;
    uint32_t max_frame;
    uint8_t *secret; /* owned; hs and xor cipher states borrow it */
    size_t secret_len;
    char *password;  /* owned, NUL-terminated; NULL = none; hs borrows it */
    size_t password_len;
    int account;     /* logged in to an account */
    pc_signon *signon; /* owned: Windows sign-on, should the server ask for it */
    hs_client hs;    /* lives as long as the connection: holds the cached master key */

    /* the live connection */
    sock *s;
    int abort_on_close;         /* reset rather than close gracefully (after a protocol fault) */
    mutex_handle *send_lock;    /* guards everything down to the receive side */
    cipher_state tx;
    buf out;
    int closed;                 /* no more sending: BYE sent, or the connection failed */
    int err_code;               /* first cause wins; never changes once set */
    char err[ERR_MAX];
    char send_err[ERR_MAX + 32];

    /* receive side: only the pc_recv thread touches these */
    proto_reader rd;
    cipher_state rx;
    int ended;
    int fatal_code;             /* an ERROR below 100: the server is about to hang up */
    char fatal_text[ERR_MAX];
    uint8_t rbuf[RECV_CHUNK];

    /* from the handshake */
    uint8_t cipher;
    char nick[PROTO_NICK_MAX + 1];
    char server_name[PROTO_NAME_MAX + 1];
    char motd[PROTO_TEXT_MAX + 1];
    uint32_t server_max_frame;
};

void pc_options_init(pc_options *o)
{
    memset(o, 0, sizeof *o);
}

const char *pc_code_text(int code)
{
    switch (code) {
    case PC_OK: return "ok";
    case PC_BAD_FRAME: return "malformed frame";
    case PC_BAD_VERSION: return "protocol version not supported";
    case PC_NO_CIPHER: return "no cipher in common with the server";
    case PC_WRONG_KEY: return "wrong key";
    case PC_DECRYPT: return "decryption failed";
    case PC_TIMEOUT: return "timed out";
    case PC_TOO_SLOW: return "too slow: messages were not read fast enough";
    case PC_SHUTDOWN: return "the server is shutting down";
    case PC_KICKED: return "kicked";
    case PC_BANNED: return "banned";
    case PC_SERVER_FULL: return "server full";
    case PC_QUIT: return "quit";
    case PC_PROTOCOL: return "protocol error";
    case PC_INTERNAL: return "internal server error";
    case PC_FLOODING: return "disconnected for flooding";
    case PC_NICK_TAKEN: return "nickname taken";
    case PC_BAD_NICK: return "invalid nickname";
    case PC_BAD_ROOM: return "invalid room name";
    case PC_NOT_IN_ROOM: return "not in that room";
    case PC_NO_SUCH_USER: return "no such user";
    case PC_RATE_LIMITED: return "rate limited";
    case PC_NOT_OPERATOR: return "not an operator";
    case PC_BAD_PASSWORD: return "wrong password";
    case PC_BAD_TEXT: return "invalid text";
    case PC_NOT_FOUND: return "not found";
    case PC_UNAVAILABLE: return "the server could not do that now";
    case PC_BAD_VERIFIER: return "the password verifier is not acceptable";
    case PC_NO_ACCOUNTS: return "the server does not use accounts";
    case PC_MAILBOX_FULL: return "the recipient's mailbox is full";
    case PC_EXPIRED: return "expired undelivered";
    case PC_SIGNON_FAILED: return "Windows sign-on failed";
    case PC_SIGNON_REFUSED: return "Windows sign-on refused";
    case PC_NO_ACCOUNT: return "no account for this Windows user";
    case PC_SEARCH_BUSY: return "a search is already running; try again in a moment";
    case PC_BAD_SEARCH: return "that search cannot run";
    case PC_E_UNREACHABLE: return "cannot reach server";
    case PC_E_LOST: return "connection lost";
    case PC_E_LOCAL: return "local error";
    default: return "error";
    }
}

const char *pc_code_name(int code)
{
    switch (code) {
    case PC_E_UNREACHABLE: return "UNREACHABLE";
    case PC_E_LOST: return "LOST";
    case PC_E_LOCAL: return "LOCAL";
    default: return code >= 0 && code <= UINT16_MAX ? proto_code_name((uint16_t)code) : "UNKNOWN";
    }
}

static char ascii_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* 1 if text begins with prefix, ignoring ASCII case. */
static int starts_with_nocase(proto_str text, const char *prefix)
{
    size_t i, n = strlen(prefix);

    if (text.n < n)
        return 0;
    for (i = 0; i < n; i++)
        if (ascii_lower(text.p[i]) != ascii_lower(prefix[i]))
            return 0;
    return 1;
}

/* "nickname taken", or "banned: spamming" when the server's words add something. */
static void describe(char *out, size_t n, int code, proto_str server_text)
{
    const char *phrase = pc_code_text(code);
    char text[ERR_MAX];

    proto_str_copy(text, sizeof text, server_text);
    if (!text[0] || starts_with_nocase(server_text, phrase))
        snprintf(out, n, "%s", text[0] ? text : phrase);
    else
        snprintf(out, n, "%s: %s", phrase, text);
}

/* A goodbye or refusal from the server must never read as success: a code of 0 ("ok") on one
 * is itself a protocol fault. */
static int ending_code(uint16_t code)
{
    return code == PC_OK ? PC_PROTOCOL : code;
}

static void put_err(char *err, size_t err_size, const char *text)
{
    if (err && err_size)
        snprintf(err, err_size, "%s", text);
}

/* Records why the connection failed; the first cause is the real one, later ones are
 * consequences. Caller holds send_lock. */
static void set_error_locked(pc_conn *c, int code, const char *text)
{
    if (c->err_code != PC_OK)
        return;
    c->err_code = code;
    snprintf(c->err, sizeof c->err, "%s", text);
}

/* Stops all sending after a failure or goodbye; the socket itself stays open until pc_close so
 * that a thread still inside pc_send or pc_recv never touches a freed socket. */
static void stop_sending_locked(pc_conn *c)
{
    if (c->closed)
        return;
    c->closed = 1;
    if (c->s)
        sock_shutdown_send(c->s);
}

/* Encodes and seals msg into c->out. The size check comes before sealing: a GCM seal uses up a
 * sequence number, and a frame we then refuse to send would desynchronise the two sides.
 * Returns PROTO_OK or a status; caller holds send_lock (or owns c exclusively). */
static int seal_locked(pc_conn *c, const proto_msg *msg)
{
    size_t tail = cipher_overhead(c->tx.id), body_len, limit;
    int rc;

    buf_reset(&c->out);
    rc = proto_encode(msg, tail, &c->out);
    if (rc != PROTO_OK)
        return rc;
    body_len = c->out.len - PROTO_HEADER_SIZE;
    limit = c->server_max_frame ? c->server_max_frame : PROTO_MAX_FRAME_DEFAULT;
    /* The server's limit is on the declared length, which counts the cipher tail. */
    if (body_len + tail > limit) {
        buf_reset(&c->out);
        return PROTO_E_TOO_BIG;
    }
    if (tail && !buf_reserve(&c->out, tail)) {
        buf_reset(&c->out);
        return PROTO_E_NOMEM;
    }
    c->out.len += tail;
    rc = cipher_seal(&c->tx, c->out.data, body_len);
    if (rc != PROTO_OK)
        buf_reset(&c->out);
    return rc;
}

int pc_send(pc_conn *c, const proto_msg *msg)
{
    char why[128], text[ERR_MAX];
    int rc = -1, st;

    mutex_lock(c->send_lock);
    if (c->closed) {
        snprintf(c->send_err, sizeof c->send_err, "not connected: %s",
                 c->err[0] ? c->err : "the connection has ended");
        goto done;
    }
    st = seal_locked(c, msg);
    if (st != PROTO_OK) {
        snprintf(c->send_err, sizeof c->send_err, "cannot send %s: %s",
                 proto_type_name(msg->type), cipher_status_text(st));
        /* The backend failing mid-seal leaves the cipher state in doubt; nothing safe remains. */
        if (st == CIPHER_E_FAIL) {
            set_error_locked(c, PC_E_LOCAL, c->send_err);
            stop_sending_locked(c);
        }
        goto done;
    }
    if (sock_send_all(c->s, c->out.data, c->out.len) != 0) {
        sock_error_text(why, sizeof why);
        snprintf(text, sizeof text, "connection lost: %s", why);
        snprintf(c->send_err, sizeof c->send_err, "%s", text);
        set_error_locked(c, PC_E_LOST, text);
        stop_sending_locked(c);
        goto done;
    }
    rc = 0;
done:
    buf_reset(&c->out);
    mutex_unlock(c->send_lock);
    return rc;
}

/* Best effort: tells the server why we are leaving before the connection ends. */
static void send_bye(pc_conn *c, uint16_t code, const char *reason)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_BYE;
    m.code = code;
    m.text = proto_s(reason);
    pc_send(c, &m);
}

/* Waits until deadline (sys_mono_ms) for the next whole frame.
 * 1: frame in *f; 0: timed out; -1: the stream ended or broke, with why/code set. */
static int next_frame(pc_conn *c, proto_frame *f, uint64_t deadline, int *code, char *why,
                      size_t why_size)
{
    char text[128];

    for (;;) {
        uint64_t now, left;
        long n;
        int rc = proto_reader_next(&c->rd, f);

        if (rc == 1)
            return 1;
        if (rc < 0) {
            *code = PC_BAD_FRAME;
            snprintf(why, why_size, "the server sent a bad frame: %s", proto_status_text(rc));
            return -1;
        }
        now = sys_mono_ms();
        left = now >= deadline ? 0 : deadline - now;
        n = sock_recv(c->s, c->rbuf, sizeof c->rbuf,
                      left > UINT32_MAX ? UINT32_MAX : (uint32_t)left);
        if (n == SOCK_TIMEOUT)
            return 0;
        if (n == SOCK_CLOSED) {
            *code = PC_E_LOST;
            snprintf(why, why_size, "the server closed the connection");
            return -1;
        }
        if (n < 0) {
            sock_error_text(text, sizeof text);
            *code = PC_E_LOST;
            snprintf(why, why_size, "connection lost: %s", text);
            return -1;
        }
        rc = proto_reader_feed(&c->rd, c->rbuf, (size_t)n);
        if (rc < 0) {
            *code = PC_BAD_FRAME;
            snprintf(why, why_size, "the server sent a bad frame: %s", proto_status_text(rc));
            return -1;
        }
    }
}

static uint64_t deadline_after(uint32_t ms)
{
    return sys_mono_ms() + ms;
}

/* TCP connect and the whole handshake on c (settings filled in, no live socket yet).
 * Returns 0, or -1 with *code and err set; the live state is then torn down again. */
static int conn_dial(pc_conn *c, int *code, char *err, size_t err_size)
{
    char why[WHY_MAX], text[ERR_MAX];
    proto_frame f;
    proto_msg m;
    uint64_t deadline;
    int rc;

    c->s = sock_connect_from(c->source[0] ? c->source : NULL, c->host, c->port,
                             c->connect_timeout_ms, why, sizeof why);
    if (!c->s) {
        *code = PC_E_UNREACHABLE;
        snprintf(text, sizeof text, "cannot reach server: %s", why);
        goto fail;
    }
    /* The reader's limit counts the cipher tail, which is not yet known: allow the largest. */
    proto_reader_init(&c->rd, (size_t)c->max_frame + cipher_overhead(PROTO_CIPHER_AES256GCM));
    buf_reset(&c->out);
    hs_client_set_password(&c->hs, c->password, c->password_len);
    hs_client_set_signon(&c->hs, pc_signon_ops(), c->signon);
    hs_client_set_signon_display(&c->hs, pc_signon_display(c->signon));
    rc = hs_client_start(&c->hs, c->secret, c->secret_len, c->ciphers, c->nciphers,
                         c->want_nick, c->agent, &c->out);
    if (rc != PROTO_OK) {
        *code = PC_E_LOCAL;
        snprintf(text, sizeof text, "cannot start the handshake: %s", cipher_status_text(rc));
        goto fail;
    }

    for (;;) {
        hs_result r;

        /* A failed send is not the end yet: a server that refuses at once (full, banned) may
         * already have sent its ERROR and closed, and that ERROR is the useful answer. */
        if (c->out.len)
            (void)sock_send_all(c->s, c->out.data, c->out.len);
        buf_reset(&c->out);
        deadline = deadline_after(c->connect_timeout_ms);
        rc = next_frame(c, &f, deadline, code, why, sizeof why);
        if (rc == 0) {
            *code = PC_TIMEOUT;
            snprintf(text, sizeof text,
                     "handshake timed out: no answer from the server within %u ms (is it a "
                     "Parley server?)",
                     (unsigned)c->connect_timeout_ms);
            goto fail;
        }
        if (rc < 0) {
            if (*code == PC_BAD_FRAME)
                snprintf(text, sizeof text, "the server does not speak Parley's protocol (%s)",
                         why);
            else if (*code == PC_E_LOST && strcmp(why, "the server closed the connection") == 0)
                snprintf(text, sizeof text,
                         "the server closed the connection during the handshake");
            else
                snprintf(text, sizeof text, "%s", why);
            goto fail;
        }
        /* A server going down may say BYE (plain, no cipher agreed yet) instead of ERROR. */
        if (f.type == PT_BYE && proto_decode(f.type, f.body, f.len, &m) == PROTO_OK) {
            *code = ending_code(m.code);
            describe(text, sizeof text, *code, m.text);
            goto fail;
        }
        r = hs_client_on_frame(&c->hs, &f, &m, &c->out);
        if (r == HS_CONTINUE)
            continue;
        if (r == HS_FAILED) {
            proto_msg refusal;

            *code = ending_code(c->hs.code);
            /* The server's own words say more than hs's generic sentence; for a wrong key,
             * hs's sentence is the clearer one. A plain decode leaves the body untouched. */
            if (f.type == PT_ERROR && c->hs.code != PC_WRONG_KEY &&
                proto_decode(f.type, f.body, f.len, &refusal) == PROTO_OK &&
                refusal.code == c->hs.code)
                describe(text, sizeof text, *code, refusal.text);
            else
                snprintf(text, sizeof text, "%s", c->hs.reason);
            goto fail;
        }
        break; /* HS_DONE: m holds the WELCOME */
    }

    /* The ciphers now belong to the connection; hs must not free them. */
    c->tx = c->hs.tx;
    c->rx = c->hs.rx;
    cipher_state_plain(&c->hs.tx);
    cipher_state_plain(&c->hs.rx);
    c->cipher = c->hs.cipher;
    c->account = c->hs.logged_in;
    snprintf(c->nick, sizeof c->nick, "%s", c->hs.welcome_nick[0] ? c->hs.welcome_nick
                                                                   : c->want_nick);
    snprintf(c->server_name, sizeof c->server_name, "%s", c->hs.server_name);
    proto_str_copy(c->motd, sizeof c->motd, m.text);
    c->server_max_frame = c->hs.max_frame ? c->hs.max_frame : PROTO_MAX_FRAME_DEFAULT;
    c->closed = 0;
    c->ended = 0;
    c->abort_on_close = 0;
    c->err_code = PC_OK;
    c->err[0] = '\0';
    c->fatal_code = PC_OK;
    c->fatal_text[0] = '\0';
    return 0;

fail:
    put_err(err, err_size, text);
    buf_reset(&c->out);
    proto_reader_free(&c->rd);
    if (c->s) {
        sock_close(c->s, 0);
        c->s = NULL;
    }
    return -1;
}

static void conn_free(pc_conn *c)
{
    if (c->s)
        sock_close(c->s, c->abort_on_close);
    proto_reader_free(&c->rd);
    cipher_state_free(&c->tx);
    cipher_state_free(&c->rx);
    hs_client_free(&c->hs);
    pc_signon_free(c->signon); /* after hs, which resets it */
    buf_free(&c->out);
    if (c->secret) {
        crypto_wipe(c->secret, c->secret_len);
        free(c->secret);
    }
    if (c->password) {
        crypto_wipe(c->password, c->password_len);
        free(c->password);
    }
    if (c->send_lock)
        mutex_free(c->send_lock);
    free(c);
}

/* Copies and checks the options. Returns 0, or -1 with *code and text set. */
static int take_options(pc_conn *c, const pc_options *o, int *code, char *text, size_t n)
{
    static const uint8_t default_ciphers[] = {PROTO_CIPHER_AES256GCM};
    const char *host = o->host && *o->host ? o->host : "localhost";
    const char *agent = o->agent ? o->agent : PC_AGENT_DEFAULT;
    const uint8_t *ciphers = o->ciphers && o->nciphers ? o->ciphers : default_ciphers;
    size_t nciphers = o->ciphers && o->nciphers ? o->nciphers : sizeof default_ciphers;
    size_t i;

    *code = PC_E_LOCAL;
    if (strlen(host) > HOST_MAX) {
        snprintf(text, n, "server name too long (at most %d bytes)", HOST_MAX);
        return -1;
    }
    if (o->source && strlen(o->source) > SOURCE_MAX) {
        snprintf(text, n, "source address too long");
        return -1;
    }
    if (!o->secret || o->secret_len == 0) {
        snprintf(text, n, "no secret key given");
        return -1;
    }
    if (o->secret_len > HS_SECRET_MAX) {
        snprintf(text, n, "secret key too long (at most %d bytes)", HS_SECRET_MAX);
        return -1;
    }
    if (!o->nick || strlen(o->nick) > PROTO_NICK_MAX) {
        *code = PC_BAD_NICK;
        snprintf(text, n, "invalid nickname: it must be 1 to %d bytes", PROTO_NICK_MAX);
        return -1;
    }
    if (strlen(agent) > PROTO_NAME_MAX) {
        snprintf(text, n, "agent string too long (at most %d bytes)", PROTO_NAME_MAX);
        return -1;
    }
    if (nciphers > PROTO_MAX_CIPHERS) {
        snprintf(text, n, "too many ciphers offered (at most %d)", PROTO_MAX_CIPHERS);
        return -1;
    }
    for (i = 0; i < nciphers; i++) {
        if (ciphers[i] != PROTO_CIPHER_XOR && ciphers[i] != PROTO_CIPHER_AES256GCM) {
            snprintf(text, n, "unknown cipher %u offered", (unsigned)ciphers[i]);
            return -1;
        }
    }

    snprintf(c->host, sizeof c->host, "%s", host);
    snprintf(c->source, sizeof c->source, "%s", o->source ? o->source : "");
    c->port = o->port ? o->port : PC_PORT_DEFAULT;
    memcpy(c->ciphers, ciphers, nciphers);
    c->nciphers = nciphers;
    snprintf(c->want_nick, sizeof c->want_nick, "%s", o->nick);
    snprintf(c->agent, sizeof c->agent, "%s", agent);
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms
                                                  : PC_CONNECT_TIMEOUT_DEFAULT;
    c->max_frame = o->max_frame ? o->max_frame : PROTO_MAX_FRAME_DEFAULT;
    if (c->max_frame > PROTO_MAX_FRAME_HARD)
        c->max_frame = PROTO_MAX_FRAME_HARD;
    c->secret = malloc(o->secret_len);
    if (!c->secret) {
        snprintf(text, n, "out of memory");
        return -1;
    }
    memcpy(c->secret, o->secret, o->secret_len);
    c->secret_len = o->secret_len;
    if (o->password) {
        if (o->password_len == 0 || o->password_len > SCRAM_PASSWORD_MAX) {
            snprintf(text, n, "the password must be 1 to %u bytes", SCRAM_PASSWORD_MAX);
            return -1;
        }
        if (!(c->password = malloc(o->password_len + 1))) {
            snprintf(text, n, "out of memory");
            return -1;
        }
        memcpy(c->password, o->password, o->password_len);
        c->password[o->password_len] = '\0';
        c->password_len = o->password_len;
    }
    c->signon = pc_signon_new(o->signon_host && *o->signon_host ? o->signon_host : host,
                              o->signon_ccache, o->signon_allow_ntlm);
    if (!c->signon) {
        snprintf(text, n, "sign-on settings too long, or out of memory");
        return -1;
    }
    if (pc_signon_set_display(c->signon, o->signon_display) != 0) {
        snprintf(text, n, "the display name must be text of at most %u bytes (UTF-8)",
                 (unsigned)PROTO_DISPLAY_MAX);
        return -1;
    }
    return 0;
}

pc_conn *pc_connect(const pc_options *opts, int *code, char *err, size_t err_size)
{
    char text[ERR_MAX];
    int dummy_code;
    pc_conn *c;

    if (!code)
        code = &dummy_code;
    *code = PC_OK;
    put_err(err, err_size, "");
    /* calloc: hs_client must start zeroed (no cached master, nothing to free). */
    c = calloc(1, sizeof *c);
    if (!c) {
        *code = PC_E_LOCAL;
        put_err(err, err_size, "out of memory");
        return NULL;
    }
    buf_init(&c->out);
    cipher_state_plain(&c->tx);
    cipher_state_plain(&c->rx);
    if (take_options(c, opts, code, text, sizeof text) != 0) {
        put_err(err, err_size, text);
        goto fail;
    }
    c->send_lock = mutex_new();
    if (!c->send_lock) {
        *code = PC_E_LOCAL;
        put_err(err, err_size, "out of memory");
        goto fail;
    }
    if (conn_dial(c, code, err, err_size) != 0)
        goto fail;
    *code = PC_OK;
    return c;

fail:
    conn_free(c);
    return NULL;
}

/* Ends the receive side for good with the given cause. */
static int end_connection(pc_conn *c, int code, const char *text)
{
    c->ended = 1;
    mutex_lock(c->send_lock);
    set_error_locked(c, code, text);
    stop_sending_locked(c);
    mutex_unlock(c->send_lock);
    return -1;
}

int pc_recv(pc_conn *c, proto_msg *msg, uint32_t timeout_ms)
{
    char why[WHY_MAX], text[ERR_MAX];
    uint64_t deadline = deadline_after(timeout_ms);
    proto_frame f;
    int code, rc;

    if (c->ended)
        return -1;
    for (;;) {
        rc = next_frame(c, &f, deadline, &code, why, sizeof why);
        if (rc == 0)
            return 0;
        if (rc < 0) {
            /* The server said why in an ERROR just before hanging up: that is the cause. */
            if (code == PC_E_LOST && c->fatal_code != PC_OK)
                return end_connection(c, c->fatal_code, c->fatal_text);
            if (code == PC_BAD_FRAME) {
                c->abort_on_close = 1;
                send_bye(c, PC_BAD_FRAME, why);
            }
            return end_connection(c, code, why);
        }
        rc = cipher_decode(&c->rx, &f, msg);
        if (rc != PROTO_OK) {
            code = rc == CIPHER_E_AUTH ? PC_DECRYPT : PC_BAD_FRAME;
            snprintf(text, sizeof text, "%s: a %s frame from the server: %s",
                     code == PC_DECRYPT ? "decryption failed" : "bad frame",
                     proto_type_name(f.type), cipher_status_text(rc));
            c->abort_on_close = 1;
            send_bye(c, (uint16_t)code, pc_code_text(code));
            return end_connection(c, code, text);
        }
        switch (msg->type) {
        case PT_PING: {
            proto_msg pong;

            memset(&pong, 0, sizeof pong);
            pong.type = PT_PONG;
            pong.token = msg->token;
            /* A failed PONG records its cause; the next read then reports the broken link. */
            pc_send(c, &pong);
            continue;
        }
        case PT_BYE:
            describe(text, sizeof text, ending_code(msg->code), msg->text);
            return end_connection(c, ending_code(msg->code), text);
        case PT_ERROR:
            if (msg->code < 100) {
                c->fatal_code = ending_code(msg->code);
                describe(c->fatal_text, sizeof c->fatal_text, c->fatal_code, msg->text);
            }
            return 1;
        case PT_MEMBER:
            if (msg->event == MEMBER_RENAME && msg->nick.n == strlen(c->nick) &&
                memcmp(msg->nick.p, c->nick, msg->nick.n) == 0)
                proto_str_copy(c->nick, sizeof c->nick, msg->target);
            return 1;
        default:
            return 1;
        }
    }
}

static void msg_init(proto_msg *m, uint8_t type)
{
    memset(m, 0, sizeof *m);
    m->type = type;
}

int pc_join(pc_conn *c, const char *room)
{
    proto_msg m;

    msg_init(&m, PT_JOIN);
    m.room = proto_s(room);
    return pc_send(c, &m);
}

int pc_part(pc_conn *c, const char *room, const char *reason)
{
    proto_msg m;

    msg_init(&m, PT_PART);
    m.room = proto_s(room);
    m.text = proto_s(reason ? reason : "");
    return pc_send(c, &m);
}

int pc_say(pc_conn *c, const char *room, const char *text, uint32_t tag)
{
    proto_msg m;

    msg_init(&m, PT_SAY);
    m.room = proto_s(room);
    m.text = proto_s(text);
    m.tag = tag;
    return pc_send(c, &m);
}

int pc_priv(pc_conn *c, const char *nick, const char *text, uint32_t tag)
{
    proto_msg m;

    msg_init(&m, PT_PRIV);
    m.target = proto_s(nick);
    m.text = proto_s(text);
    m.tag = tag;
    return pc_send(c, &m);
}

int pc_nick(pc_conn *c, const char *new_nick)
{
    proto_msg m;

    msg_init(&m, PT_NICK);
    m.nick = proto_s(new_nick);
    return pc_send(c, &m);
}

int pc_away(pc_conn *c, uint8_t presence, const char *text)
{
    proto_msg m;

    msg_init(&m, PT_AWAY);
    m.presence = presence;
    m.text = proto_s(text ? text : "");
    return pc_send(c, &m);
}

int pc_history(pc_conn *c, const char *room, uint64_t after_id, uint32_t count)
{
    proto_msg m;

    msg_init(&m, PT_HISTORY);
    m.room = proto_s(room);
    m.after = after_id;
    m.count = count;
    return pc_send(c, &m);
}

int pc_priv_sync(pc_conn *c, uint64_t after_id, uint32_t count)
{
    proto_msg m;

    msg_init(&m, PT_PRIV_SYNC);
    m.after = after_id;
    m.count = count;
    return pc_send(c, &m);
}

int pc_read(pc_conn *c, const char *peer, uint64_t id)
{
    proto_msg m;

    msg_init(&m, PT_READ);
    m.target = proto_s(peer);
    m.id = id;
    return pc_send(c, &m);
}

int pc_priv_prefs(pc_conn *c, int read_receipts)
{
    proto_msg m;

    msg_init(&m, PT_PRIV_PREFS);
    m.flags = read_receipts ? 0 : PROTO_FLAG_NO_RECEIPTS;
    return pc_send(c, &m);
}

int pc_ping(pc_conn *c, uint64_t token)
{
    proto_msg m;

    msg_init(&m, PT_PING);
    m.token = token;
    return pc_send(c, &m);
}

int pc_quit(pc_conn *c, const char *reason)
{
    char text[ERR_MAX];
    proto_msg m;
    int rc;

    msg_init(&m, PT_BYE);
    m.code = PC_QUIT;
    m.text = proto_s(reason ? reason : "");
    if (reason && *reason)
        snprintf(text, sizeof text, "quit: %s", reason);
    else
        snprintf(text, sizeof text, "quit");
    /* The cause is recorded before the BYE leaves: the server hangs up as soon as it reads it,
     * and a pc_recv on another thread must then find "quit", not "connection lost". Only the
     * cause is set: pc_send below still sends. */
    mutex_lock(c->send_lock);
    set_error_locked(c, PC_QUIT, text);
    mutex_unlock(c->send_lock);
    rc = pc_send(c, &m);
    mutex_lock(c->send_lock);
    stop_sending_locked(c);
    mutex_unlock(c->send_lock);
    return rc;
}

/* Tears down the live connection (socket, reader, ciphers) and leaves c ended, settings and
 * the cached master key intact. */
void pc_hangup(pc_conn *c)
{
    mutex_lock(c->send_lock);
    if (c->s) {
        sock_close(c->s, c->abort_on_close);
        c->s = NULL;
    }
    c->closed = 1;
    set_error_locked(c, PC_E_LOST, "the connection was hung up");
    cipher_state_free(&c->tx);
    cipher_state_plain(&c->tx);
    buf_reset(&c->out);
    mutex_unlock(c->send_lock);
    cipher_state_free(&c->rx);
    cipher_state_plain(&c->rx);
    proto_reader_free(&c->rd);
    c->ended = 1;
}

int pc_redial(pc_conn *c, const char *nick, int *code, char *err, size_t err_size)
{
    char text[ERR_MAX], who[PROTO_NICK_MAX + 1];
    int dummy_code;

    if (!code)
        code = &dummy_code;
    put_err(err, err_size, "");
    pc_hangup(c);
    if (nick && (!*nick || strlen(nick) > PROTO_NICK_MAX)) {
        *code = PC_BAD_NICK;
        snprintf(text, sizeof text, "invalid nickname: it must be 1 to %d bytes", PROTO_NICK_MAX);
        put_err(err, err_size, text);
        goto fail;
    }
    /* Copied through a buffer: nick may point at c->nick or c->want_nick itself. */
    snprintf(who, sizeof who, "%s", nick ? nick : (c->nick[0] ? c->nick : c->want_nick));
    memcpy(c->want_nick, who, sizeof who);
    if (conn_dial(c, code, text, sizeof text) != 0) {
        put_err(err, err_size, text);
        goto fail;
    }
    *code = PC_OK;
    return 0;

fail:
    /* The old cause belongs to the old connection: this failure is the one to report now. */
    mutex_lock(c->send_lock);
    c->err_code = PC_OK;
    set_error_locked(c, *code, text);
    mutex_unlock(c->send_lock);
    return -1;
}

void pc_close(pc_conn *c)
{
    if (c)
        conn_free(c);
}

const char *pc_error(const pc_conn *c)
{
    return c->err;
}

int pc_error_code(const pc_conn *c)
{
    return c->err_code;
}

const char *pc_send_error(const pc_conn *c)
{
    return c->send_err;
}

uint8_t pc_cipher(const pc_conn *c)
{
    return c->cipher;
}

int pc_account(const pc_conn *c)
{
    return c->account;
}

int pc_session_binding(const pc_conn *c, uint8_t out[HS_KEY_SIZE])
{
    if (!c->account)
        return -1;
    memcpy(out, c->hs.binding, sizeof c->hs.binding);
    return 0;
}

int pc_set_password(pc_conn *c, const char *password, size_t len)
{
    char *copy;

    if (len == 0 || len > SCRAM_PASSWORD_MAX || !(copy = malloc(len + 1)))
        return -1;
    memcpy(copy, password, len);
    copy[len] = '\0';
    if (c->password) {
        crypto_wipe(c->password, c->password_len);
        free(c->password);
    }
    c->password = copy;
    c->password_len = len;
    hs_client_set_password(&c->hs, c->password, c->password_len);
    return 0;
}

int pc_server_auth(const pc_conn *c)
{
    return c->hs.server_auth;
}

const char *pc_server_auth_text(int auth)
{
    switch (auth) {
    case HS_AUTH_ACCOUNTS: return "accounts (user name and password)";
    case HS_AUTH_WINDOWS: return "Windows sign-on (no password)";
    default: return "network key only";
    }
}

int pc_signed_on(const pc_conn *c)
{
    return c->hs.signed_on;
}

const char *pc_signon_mechanism_of(const pc_conn *c)
{
    return c->hs.signed_on ? pc_signon_mechanism(c->signon) : "none";
}

const char *pc_nick_of(const pc_conn *c)
{
    return c->nick;
}

const char *pc_server_name(const pc_conn *c)
{
    return c->server_name;
}

const char *pc_motd(const pc_conn *c)
{
    return c->motd;
}

uint32_t pc_server_max_frame(const pc_conn *c)
{
    return c->server_max_frame;
}

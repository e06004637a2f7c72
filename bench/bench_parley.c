/* bench_parley.c — parley-bench's Parley driver: the real handshake (common/handshake.c, with the
 * PBKDF2 master derived once per run and reused, while every connection still proves its key),
 * ciphered frames through common/cipher.c, and the few messages a benchmark needs. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENT "parley-bench/0.1"

static int same(proto_str s, const char *cstr)
{
    size_t n = strlen(cstr);
    return s.n == n && memcmp(s.p, cstr, n) == 0;
}

static void nick_of(const bench *b, const bconn *c, char *out, size_t n)
{
    snprintf(out, n, "%s%zu", b->account_prefix ? b->account_prefix : b->tag,
             (size_t)(c - b->conns));
}

/* Encodes and seals msg onto c's output. */
static int send_msg(bench *b, bconn *c, const proto_msg *m)
{
    if (cipher_encode(&c->tx, m, &c->out) != PROTO_OK || buf_failed(&c->out))
        return -1;
    bench_queue(b, c);
    return 0;
}

int parley_start(bench *b, bconn *c)
{
    char nick[PROTO_NICK_MAX + 1];
    hs_client *hs = calloc(1, sizeof *hs);

    if (!hs)
        return -1;
    c->hs = hs;
    proto_reader_init(&c->rd, 0);
    if (b->master_cache.have_master) {
        /* The slow PBKDF2 step depends only on the secret, salt and count: share it. */
        memcpy(hs->master, b->master_cache.master, sizeof hs->master);
        memcpy(hs->master_salt, b->master_cache.master_salt, sizeof hs->master_salt);
        hs->master_iterations = b->master_cache.master_iterations;
        hs->have_master = 1;
    }
    hs->fs_off = b->fs_off;
    if (b->account_prefix) {
        hs_client_set_password(hs, b->password, strlen(b->password));
        hs->salted_cache = &b->salted[c - b->conns];
    }
    nick_of(b, c, nick, sizeof nick);
    if (hs_client_start(hs, b->secret, strlen(b->secret), &b->cipher, 1, nick, AGENT, &c->out) !=
        PROTO_OK)
        return -1;
    bench_queue(b, c);
    return 0;
}

static void handshake_done(bench *b, bconn *c)
{
    hs_client *hs = c->hs;
    proto_msg m;

    c->tx = hs->tx;
    c->rx = hs->rx;
    cipher_state_plain(&hs->tx);
    cipher_state_plain(&hs->rx);
    if (!b->master_cache.have_master && hs->have_master) {
        memcpy(b->master_cache.master, hs->master, sizeof hs->master);
        memcpy(b->master_cache.master_salt, hs->master_salt, sizeof hs->master_salt);
        b->master_cache.master_iterations = hs->master_iterations;
        b->master_cache.have_master = 1;
    }
    hs_client_free(hs);
    free(hs);
    c->hs = NULL;
    bench_on_ready(b, c);
    if (b->keep_lobby || c->lobby)
        return;
    /* The server seats every new user in "lobby". A benchmark user leaves it at once, so the
     * lobby does not become one room of every connection (N logins would cost O(N^2)). */
    memset(&m, 0, sizeof m);
    m.type = PT_PART;
    m.room = proto_s("lobby");
    m.text = proto_s("");
    if (send_msg(b, c, &m) != 0)
        bench_on_server_end(b, c, "could not encode PART");
}

static void on_message(bench *b, bconn *c, const proto_msg *m)
{
    char why[PROTO_NAME_MAX + 64];
    proto_msg r;

    switch (m->type) {
    case PT_MSG:
        if (!(m->flags & PROTO_FLAG_HISTORY) && same(m->room, b->room))
            bench_on_text(b, c, m->text.p, m->text.n);
        break;
    case PT_HISTORY_END:
        if (c->joining && same(m->room, b->room))
            bench_on_joined(b, c);
        break;
    case PT_PING:
        memset(&r, 0, sizeof r);
        r.type = PT_PONG;
        r.token = m->token;
        send_msg(b, c, &r);
        break;
    case PT_BYE:
        snprintf(why, sizeof why, "BYE %s: %.*s", proto_code_name(m->code), (int)m->text.n,
                 m->text.p);
        bench_on_server_end(b, c, why);
        break;
    case PT_ERROR:
        snprintf(why, sizeof why, "ERROR %s: %.*s", proto_code_name(m->code), (int)m->text.n,
                 m->text.p);
        if (m->code < 100)
            bench_on_server_end(b, c, why);
        else if (!b->first_error[0])
            snprintf(b->first_error, sizeof b->first_error, "%.250s", why);
        break;
    default:
        break; /* MEMBER, USER_LIST, TOPIC...: the join traffic every member pays for */
    }
}

int parley_input(bench *b, bconn *c, const uint8_t *data, size_t n)
{
    proto_frame f;
    proto_msg m;
    int rc = 0;

    if (proto_reader_feed(&c->rd, data, n) != PROTO_OK)
        return -1;
    while (c->state != CS_CLOSED && (rc = proto_reader_next(&c->rd, &f)) == 1) {
        if (c->hs) {
            hs_result r = hs_client_on_frame(c->hs, &f, &m, &c->out);
            bench_queue(b, c);
            if (r == HS_FAILED) {
                bench_on_server_end(b, c, c->hs->reason);
                return 0;
            }
            if (r == HS_DONE)
                handshake_done(b, c);
            continue;
        }
        if (c->tracked && !c->verified && c->in_room && !b->keep_lobby && !c->lobby &&
            f.type == PT_MSG) {
            /* The only MSG frames a member gets once in the room are the room's lines (it
             * left the lobby; history came before HISTORY_END): count it, do not open it.
             * Opening every frame is what made the load generator the limit. */
            if (cipher_skip(&c->rx) != PROTO_OK)
                return -1;
            bench_on_counted(b, c);
            continue;
        }
        if (cipher_decode(&c->rx, &f, &m) != PROTO_OK)
            return -1;
        on_message(b, c, &m);
    }
    return c->state == CS_CLOSED || rc >= 0 ? 0 : -1;
}

int parley_join(bench *b, bconn *c)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_JOIN;
    m.room = proto_s(b->room);
    return send_msg(b, c, &m);
}

int parley_say(bench *b, bconn *c, const char *text, uint32_t seq)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_SAY;
    m.tag = seq;
    m.room = proto_s(b->room);
    m.text = proto_s(text);
    return send_msg(b, c, &m);
}

void parley_quit(bench *b, bconn *c)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_BYE;
    m.code = PC_QUIT;
    m.text = proto_s("bye");
    send_msg(b, c, &m);
}

void parley_free(bconn *c)
{
    if (c->hs) {
        hs_client_free(c->hs);
        free(c->hs);
        c->hs = NULL;
    }
    cipher_state_free(&c->tx);
    cipher_state_free(&c->rx);
    proto_reader_free(&c->rd);
}

/* chat_send.c — queueing frames to sessions: one frame into one connection's queue, and fan-out
 * that encodes a message once and queues it for every member. An AES-256-GCM frame is queued
 * as plaintext and sealed by the engine's send path when it flushes (session_seal), off the
 * core; an xor frame is sealed here (a room shares one ciphered copy). */
#include "chat_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* A reader too slow to keep up is cut instead of growing server memory. A history replay may
 * go over the cap by its own size (bounded by history_per_room): a joiner must be able to
 * receive the room's history, but not to pile up more on top of it without reading. */
int session_check_queue(session *s)
{
    size_t queued = net_queued(s->conn);
    uint64_t cap = s->srv->cfg.send_queue_max;

    if (s->replaying)
        return 0;
    if (queued <= cap) {
        s->replay_grace = 0;
        return 0;
    }
    if (queued <= cap + s->replay_grace)
        return 0;
    log_warn("%s (%s) disconnected: too slow, %zu bytes waiting to be sent (limit %llu)",
             s->nick[0] ? s->nick : "-", s->addr, queued, (unsigned long long)cap);
    s->state = SESSION_CLOSING;
    net_close(s->conn, 0);
    return 1;
}

void session_replay_begin(session *s)
{
    s->replay_mark = net_queued(s->conn);
    s->replaying = 1;
}

void session_replay_end(session *s)
{
    size_t after;

    s->replaying = 0;
    if (s->state != SESSION_ACTIVE)
        return;
    after = net_queued(s->conn);
    if (after > s->replay_mark && after - s->replay_mark > s->replay_grace)
        s->replay_grace = after - s->replay_mark;
    session_check_queue(s);
}

/* Whether s's frames are sealed by the send path (at flush) rather than when queued. */
static int seals_on_flush(const session *s)
{
    return s->tx.id == PROTO_CIPHER_AES256GCM;
}

/* Copies an encoded plain frame (header + body) into s's queue, where it is sealed: now, or by
 * the send path when it flushes (in the queue's order, so the nonces go out in order too). */
static int seal_into(session *s, const uint8_t *frame, size_t body_len)
{
    size_t tail = cipher_overhead(s->tx.id);
    size_t total = PROTO_HEADER_SIZE + body_len + tail;
    uint8_t *p = net_reserve(s->conn, total);

    if (!p)
        return -1;
    memcpy(p, frame, PROTO_HEADER_SIZE + body_len);
    be_put32(p, (uint32_t)(body_len + tail));
    s->key_idle = 0;
    if (seals_on_flush(s)) {
        net_commit_frame(s->conn, PROTO_HEADER_SIZE + body_len, tail);
        return 0;
    }
    if (cipher_seal(&s->tx, p, body_len) != PROTO_OK) {
        net_commit(s->conn, 0);
        return -1;
    }
    net_commit(s->conn, total);
    return 0;
}

int session_seal(session *s, uint8_t *frame, size_t plain_len, size_t extra)
{
    assert(plain_len >= PROTO_HEADER_SIZE && extra == cipher_overhead(s->tx.id));
    return cipher_seal(&s->tx, frame, plain_len - PROTO_HEADER_SIZE) == PROTO_OK ? 0 : -1;
}

/* One shared copy of a frame, its length field counting a seal that adds tail bytes. */
static outq_block *frame_block(const uint8_t *frame, size_t body_len, size_t tail)
{
    outq_block *b = outq_block_new(PROTO_HEADER_SIZE + body_len);
    if (!b)
        return NULL;
    memcpy(b->data, frame, PROTO_HEADER_SIZE + body_len);
    be_put32(b->data, (uint32_t)(body_len + tail));
    b->len = PROTO_HEADER_SIZE + body_len;
    return b;
}

int session_send(session *s, const proto_msg *m)
{
    buf *scratch = &s->srv->scratch;
    size_t start;
    int rc;

    if (s->state != SESSION_ACTIVE)
        return -1;
    /* Callers may be building their message out of scratch-owned memory only if they encode
     * it themselves; everything here uses the tail of scratch and restores its length. */
    start = scratch->len;
    rc = proto_encode(m, 0, scratch);
    if (rc != PROTO_OK) {
        log_error("could not encode %s for %s: %s", proto_type_name(m->type), s->nick,
                  proto_status_text(rc));
        return -1;
    }
    rc = seal_into(s, scratch->data + start, scratch->len - start - PROTO_HEADER_SIZE);
    scratch->len = start;
    if (rc != 0)
        return -1;
    return session_check_queue(s) ? -1 : 0;
}

void room_fanout(chat *c, room *r, const proto_msg *m)
{
    buf *scratch = &c->scratch;
    size_t start = scratch->len, i, body_len;
    outq_block *shared = NULL; /* xor: one ciphered copy */
    outq_block *plain = NULL;  /* AES-256-GCM: one plaintext copy, each member seals its own */
    const uint8_t *frame;
    int rc = proto_encode(m, 0, scratch);

    if (rc != PROTO_OK) {
        log_error("could not encode %s for room %s: %s", proto_type_name(m->type), r->name,
                  proto_status_text(rc));
        return;
    }
    frame = scratch->data + start;
    body_len = scratch->len - start - PROTO_HEADER_SIZE;
    for (i = 0; i < r->nmembers; i++) {
        session *s = r->members[i];
        if (s->state != SESSION_ACTIVE)
            continue;
        if (s->tx.id == PROTO_CIPHER_XOR) {
            /* The xor key is the server's secret for everyone: one ciphered copy serves all. */
            if (!shared) {
                shared = frame_block(frame, body_len, 0);
                if (!shared)
                    continue;
                cipher_seal(&s->tx, shared->data, body_len);
            }
            net_send_block(s->conn, shared);
        } else if (seals_on_flush(s)) {
            /* A reference per member; the sealing is the send path's. */
            if (!plain) {
                plain = frame_block(frame, body_len, cipher_overhead(s->tx.id));
                if (!plain)
                    continue;
            }
            s->key_idle = 0;
            net_send_frame(s->conn, plain, cipher_overhead(s->tx.id));
        } else {
            seal_into(s, frame, body_len);
        }
        session_check_queue(s);
    }
    if (shared)
        outq_block_unref(shared);
    if (plain)
        outq_block_unref(plain);
    scratch->len = start;
}

void text_clip(char *s)
{
    size_t n = strlen(s), back = 0, need;
    unsigned char lead;
    /* Find the start of the last character and check it is whole. */
    while (back < n && back < 4 && ((unsigned char)s[n - 1 - back] & 0xC0) == 0x80)
        back++;
    if (back == n)
        return;
    lead = (unsigned char)s[n - 1 - back];
    need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (back + 1 < need)
        s[n - 1 - back] = '\0';
}

void text_printf(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    text_clip(dst);
}

void session_notice(session *s, const char *text)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_NOTICE;
    m.text = proto_s(text);
    session_send(s, &m);
}

void session_error(session *s, uint16_t code, const char *fmt, ...)
{
    char text[PROTO_NAME_MAX + 1];
    proto_msg m;
    va_list ap;

    assert(code >= 100); /* below 100 a client expects the connection to end: session_bye */
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    text_clip(text);
    memset(&m, 0, sizeof m);
    m.type = PT_ERROR;
    m.code = code;
    m.tag = s->req_tag;
    m.text = proto_s(text);
    session_send(s, &m);
}

void session_bye(session *s, uint16_t code, const char *reason)
{
    proto_msg m;
    char text[PROTO_NAME_MAX + 1];
    if (s->state == SESSION_CLOSING)
        return;
    if (s->state == SESSION_ACTIVE) {
        snprintf(text, sizeof text, "%s", reason);
        text_clip(text);
        if (!s->quit_reason[0])
            memcpy(s->quit_reason, text, sizeof text);
        memset(&m, 0, sizeof m);
        m.type = PT_BYE;
        m.code = code;
        m.text = proto_s(text);
        session_send(s, &m);
    }
    if (s->state != SESSION_CLOSING) {
        s->state = SESSION_CLOSING;
        net_close(s->conn, 1);
    }
}

void session_drop(session *s, const char *why)
{
    if (s->state == SESSION_CLOSING)
        return;
    log_info("%s (%s) dropped: %s", s->nick[0] ? s->nick : "-", s->addr, why);
    s->state = SESSION_CLOSING;
    net_close(s->conn, 0);
}

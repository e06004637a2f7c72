/* raw_client.c — a bare-socket Parley client for tests that must handle the wire bytes. */
#include "raw_client.h"

#include <stdio.h>
#include <string.h>

#include "client.h" /* PC_E_* codes */
#include "sys.h"

static void fail(raw_client *rc, int code, const char *why)
{
    if (rc->code == PC_OK) {
        rc->code = code;
        snprintf(rc->err, sizeof rc->err, "%s", why);
    }
}

int raw_send(raw_client *rc, const void *p, size_t n)
{
    if (!rc->s)
        return -1;
    buf_append(&rc->sent, p, n);
    if (sock_send_all(rc->s, p, n) != 0) {
        fail(rc, PC_E_LOST, "send failed");
        return -1;
    }
    return 0;
}

/* Waits for the next whole frame (valid until the next call). 1, 0 or -1. */
static int next_frame(raw_client *rc, proto_frame *f, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    uint8_t chunk[8192];

    for (;;) {
        uint64_t now;
        long n;
        int r = proto_reader_next(&rc->rd, f);
        if (r == 1)
            return 1;
        if (r < 0) {
            fail(rc, PC_BAD_FRAME, proto_status_text(r));
            return -1;
        }
        /* A timeout of 0 still looks once at what has arrived. */
        now = sys_mono_ms();
        n = sock_recv(rc->s, chunk, sizeof chunk, now >= deadline ? 0 : (uint32_t)(deadline - now));
        if (n == SOCK_TIMEOUT)
            return 0;
        if (n <= 0) {
            fail(rc, PC_E_LOST, n == SOCK_CLOSED ? "closed by the server" : "connection reset");
            return -1;
        }
        buf_append(&rc->received, chunk, (size_t)n);
        if (proto_reader_feed(&rc->rd, chunk, (size_t)n) != PROTO_OK) {
            fail(rc, PC_BAD_FRAME, proto_status_text(rc->rd.error));
            return -1;
        }
    }
}

int raw_connect(raw_client *rc, uint16_t port, const char *secret, uint8_t cipher,
                const char *nick)
{
    return raw_connect_signon(rc, port, secret, cipher, nick, NULL, NULL);
}

int raw_connect_signon(raw_client *rc, uint16_t port, const char *secret, uint8_t cipher,
                       const char *nick, const hs_signon_ops *ops, void *ctx)
{
    return raw_connect_signon_shown_as(rc, port, secret, cipher, nick, ops, ctx, NULL);
}

int raw_connect_signon_shown_as(raw_client *rc, uint16_t port, const char *secret,
                                uint8_t cipher, const char *nick, const hs_signon_ops *ops,
                                void *ctx, const char *display)
{
    char why[256];
    proto_frame f;
    proto_msg m;

    memset(rc, 0, sizeof *rc);
    buf_init(&rc->sent);
    buf_init(&rc->received);
    buf_init(&rc->last_frame);
    buf_init(&rc->scratch);
    cipher_state_plain(&rc->tx);
    cipher_state_plain(&rc->rx);
    proto_reader_init(&rc->rd, PROTO_MAX_FRAME_HARD);
    rc->secret_len = strlen(secret);
    memcpy(rc->secret, secret, rc->secret_len);
    rc->s = sock_connect("127.0.0.1", port, 5000, why, sizeof why);
    if (!rc->s) {
        fail(rc, PC_E_UNREACHABLE, why);
        return -1;
    }
    if (!nick)
        return 0;
    hs_client_set_signon(&rc->hs, ops, ctx);
    hs_client_set_signon_display(&rc->hs, display);
    if (hs_client_start(&rc->hs, rc->secret, rc->secret_len, &cipher, 1, nick, "raw-test",
                        &rc->scratch) != PROTO_OK) {
        fail(rc, PC_E_LOCAL, "hs_client_start failed");
        return -1;
    }
    for (;;) {
        hs_result r;
        if (rc->scratch.len && raw_send(rc, rc->scratch.data, rc->scratch.len) != 0)
            return -1;
        buf_reset(&rc->scratch);
        if (next_frame(rc, &f, 5000) != 1) {
            fail(rc, PC_TIMEOUT, "no answer during the handshake");
            return -1;
        }
        r = hs_client_on_frame(&rc->hs, &f, &m, &rc->scratch);
        if (r == HS_FAILED) {
            fail(rc, rc->hs.code, rc->hs.reason);
            return -1;
        }
        if (r == HS_DONE)
            break;
    }
    rc->tx = rc->hs.tx;
    rc->rx = rc->hs.rx;
    cipher_state_plain(&rc->hs.tx);
    cipher_state_plain(&rc->hs.rx);
    return 0;
}

int raw_send_msg(raw_client *rc, const proto_msg *m)
{
    buf_reset(&rc->last_frame);
    if (cipher_encode(&rc->tx, m, &rc->last_frame) != PROTO_OK)
        return -1;
    return raw_send(rc, rc->last_frame.data, rc->last_frame.len);
}

int raw_recv(raw_client *rc, proto_msg *m, uint32_t timeout_ms)
{
    proto_frame f;
    int r = next_frame(rc, &f, timeout_ms);
    if (r != 1)
        return r;
    r = cipher_decode(&rc->rx, &f, m);
    if (r != PROTO_OK) {
        fail(rc, r == CIPHER_E_AUTH ? PC_DECRYPT : PC_BAD_FRAME, cipher_status_text(r));
        return -1;
    }
    if (m->type == PT_BYE)
        fail(rc, m->code, "the server said goodbye");
    return 1;
}

int raw_recv_frame(raw_client *rc, buf *out, uint32_t timeout_ms)
{
    proto_frame f;
    int r = next_frame(rc, &f, timeout_ms);
    if (r != 1)
        return r;
    buf_append(out, f.header, PROTO_HEADER_SIZE);
    buf_append(out, f.body, f.len);
    return 1;
}

int raw_expect(raw_client *rc, uint8_t type, proto_msg *m, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    for (;;) {
        uint64_t now = sys_mono_ms();
        int r;
        if (now >= deadline)
            return 0;
        r = raw_recv(rc, m, (uint32_t)(deadline - now));
        if (r != 1)
            return r;
        if (m->type == type)
            return 1;
    }
}

void raw_close(raw_client *rc, int abort)
{
    if (rc->s)
        sock_close(rc->s, abort);
    rc->s = NULL;
    hs_client_free(&rc->hs);
    cipher_state_free(&rc->tx);
    cipher_state_free(&rc->rx);
    proto_reader_free(&rc->rd);
    buf_free(&rc->sent);
    buf_free(&rc->received);
    buf_free(&rc->last_frame);
    buf_free(&rc->scratch);
}

/* raw_client.h — a test client that does the handshake itself on a bare socket, so tests can
 * see, keep, replay and corrupt the exact bytes that cross the wire (the client library hides
 * them on purpose). */
#ifndef PARLEY_RAW_CLIENT_H
#define PARLEY_RAW_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cipher.h"
#include "handshake.h"
#include "proto.h"
#include "sock.h"

typedef struct raw_client {
    sock *s;
    hs_client hs;
    cipher_state tx, rx;
    proto_reader rd;
    buf sent;       /* every byte this client sent, in order */
    buf received;   /* every byte it received, in order */
    buf last_frame; /* the last frame sent, exactly as sent (sealed) */
    buf scratch;
    uint8_t secret[HS_SECRET_MAX];
    size_t secret_len;
    int code;       /* why the connection or handshake ended (proto_code or PC_E_*) */
    char err[256];
} raw_client;

/* Connects to 127.0.0.1:port. With nick != NULL also runs the whole handshake offering only
 * `cipher` and waits for the WELCOME. 0 on success; -1 with rc->code and rc->err set (rc must
 * still be freed with raw_close). */
int raw_connect(raw_client *rc, uint16_t port, const char *secret, uint8_t cipher,
                const char *nick);
/* raw_connect for a server with Windows sign-on: the handshake signs on through ops and ctx
 * (hs_client_set_signon), which a test may wrap to alter what is sent. */
int raw_connect_signon(raw_client *rc, uint16_t port, const char *secret, uint8_t cipher,
                       const char *nick, const hs_signon_ops *ops, void *ctx);
/* raw_connect_signon telling the display name display (hs_client_set_signon_display). */
int raw_connect_signon_shown_as(raw_client *rc, uint16_t port, const char *secret,
                                uint8_t cipher, const char *nick, const hs_signon_ops *ops,
                                void *ctx, const char *display);
/* Sends raw bytes (recorded in sent). 0 or -1. */
int raw_send(raw_client *rc, const void *p, size_t n);
/* Encodes and seals m with the session cipher and sends it; the sealed frame is in last_frame. */
int raw_send_msg(raw_client *rc, const proto_msg *m);
/* Waits for the next frame and opens it. 1: *m valid until the next call; 0: timed out;
 * -1: the connection ended or a frame failed to open (rc->code, rc->err say which). */
int raw_recv(raw_client *rc, proto_msg *m, uint32_t timeout_ms);
/* Like raw_recv but returns the raw frame (header + body as received, not opened) in out. */
int raw_recv_frame(raw_client *rc, buf *out, uint32_t timeout_ms);
/* Receives until a message of `type` arrives: 1, 0 (timeout) or -1. */
int raw_expect(raw_client *rc, uint8_t type, proto_msg *m, uint32_t timeout_ms);
/* Closes (abort = reset) and frees everything. Safe on a client that never connected. */
void raw_close(raw_client *rc, int abort);

#endif

/* handshake_signon.c — the client's side of Windows sign-on in the handshake: SIGNON tokens
 * between PROOF and WELCOME, then SIGNON_BIND MICs over the connection's session binding, so a
 * sign-on captured on or relayed from another connection is worth nothing here. The security
 * library itself stays behind hs_signon_ops (client/signon.c). */
#include <stdio.h>
#include <string.h>

#include "handshake_impl.h"

void hs_client_signon_reset(hs_client *hs)
{
    if (hs->signon && hs->signon->reset)
        hs->signon->reset(hs->signon_ctx);
    hs->signon_steps = 0;
    hs->signon_complete = 0;
}

/* Seals one SIGNON or SIGNON_BIND carrying data and appends it to out. */
static int send_blob(hs_client *hs, uint8_t type, const buf *data, buf *out)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.blob.p = data->data;
    m.blob.n = data->len;
    return cipher_encode(&hs->tx, &m, out);
}

static hs_result signon_fail(hs_client *hs, const char *what, const char *why)
{
    char reason[256];
    snprintf(reason, sizeof reason, "Windows sign-on failed: %s%s%s", what,
             what[0] && why[0] ? ": " : "", why);
    return hs_client_fail(hs, PC_SIGNON_FAILED, reason);
}

/* The client's side is done: its display name, if it has one, then its MIC over the binding go
 * to the server. The name goes first so the server has it when the MIC admits the client. */
static hs_result send_binding(hs_client *hs, buf *out)
{
    uint8_t bind[HS_KEY_SIZE];
    char why[200] = "";
    proto_msg d;
    buf mic;
    int rc;

    if (hs->signon_display && hs->signon_display[0]) {
        memset(&d, 0, sizeof d);
        d.type = PT_SIGNON_DISPLAY;
        d.display = proto_s(hs->signon_display);
        if (cipher_encode(&hs->tx, &d, out) != PROTO_OK)
            return hs_client_fail(hs, PC_BAD_TEXT, "the display name is not valid UTF-8 of at "
                                                   "most 64 bytes");
    }
    if (hs_binding(hs->keys.auth, bind) != PROTO_OK)
        return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
    buf_init(&mic);
    rc = hs->signon->bind_make(hs->signon_ctx, bind, sizeof bind, &mic, why, sizeof why);
    if (rc == 0 && (buf_failed(&mic) || send_blob(hs, PT_SIGNON_BIND, &mic, out) != PROTO_OK))
        rc = -1;
    buf_free(&mic);
    return rc == 0 ? HS_CONTINUE : signon_fail(hs, "could not bind it to this connection", why);
}

static hs_result on_token(hs_client *hs, const proto_msg *m, buf *out)
{
    char why[200] = "";
    buf token;
    int complete = 0, rc;

    if (hs->signon_complete)
        return hs_client_fail(hs, PC_PROTOCOL, "the server sent a sign-on token after the "
                                               "sign-on was complete");
    /* The first SIGNON is the empty request; every later one carries a token. */
    if ((hs->signon_steps == 0) != (m->blob.n == 0))
        return hs_client_fail(hs, PC_PROTOCOL, "the server sent a sign-on token out of order");
    buf_init(&token);
    rc = hs->signon->step(hs->signon_ctx, m->blob.n ? m->blob.p : NULL, m->blob.n, &token,
                          &complete, why, sizeof why);
    hs->signon_steps++;
    if (rc == 0 && buf_failed(&token)) {
        snprintf(why, sizeof why, "out of memory");
        rc = -1;
    }
    if (rc == 0 && token.len && send_blob(hs, PT_SIGNON, &token, out) != PROTO_OK) {
        snprintf(why, sizeof why, "the token does not fit in a frame (%zu bytes)", token.len);
        rc = -1;
    }
    buf_free(&token);
    if (rc != 0)
        return signon_fail(hs, "", why);
    if (!complete)
        return HS_CONTINUE;
    hs->signon_complete = 1;
    return send_binding(hs, out);
}

static hs_result on_binding(hs_client *hs, const proto_msg *m)
{
    uint8_t bind[HS_KEY_SIZE];
    char why[200] = "";

    if (!hs->signon_complete || hs->signed_on)
        return hs_client_fail(hs, PC_PROTOCOL, "the server sent its sign-on binding out of order");
    if (hs_binding(hs->keys.auth, bind) != PROTO_OK)
        return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
    if (hs->signon->bind_check(hs->signon_ctx, bind, sizeof bind, m->blob.p, m->blob.n, why,
                               sizeof why) != 0)
        return signon_fail(hs, "the server's proof does not belong to this connection", why);
    hs->signed_on = 1;
    return HS_CONTINUE;
}

void hs_client_set_signon_display(hs_client *hs, const char *display)
{
    hs->signon_display = display;
}

hs_result hs_client_on_signon(hs_client *hs, proto_frame *f, proto_msg *m, buf *out)
{
    if (cipher_decode(&hs->rx, f, m) != PROTO_OK)
        return hs_client_fail(hs, PC_WRONG_KEY,
                              "wrong key: the server's sign-on request does not open with this key");
    hs->server_auth = HS_AUTH_WINDOWS;
    if (!hs->signon)
        return hs_client_fail(hs, PC_SIGNON_FAILED,
                              "the server uses Windows sign-on, which this client cannot do");
    return f->type == PT_SIGNON ? on_token(hs, m, out) : on_binding(hs, m);
}

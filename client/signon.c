/* signon.c — the client library's Windows sign-on: one negotiate.h client context per
 * connection attempt, driven by the handshake through hs_signon_ops. */
#include "signon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negotiate.h"
#include "user_display.h"
#include "utf8.h"

#define SIGNON_HOST_MAX 255
#define SIGNON_PATH_MAX 1024

struct pc_signon {
    char host[SIGNON_HOST_MAX + 1];
    char ccache[SIGNON_PATH_MAX + 1]; /* "" = the default */
    int allow_ntlm;
    neg_ctx *ctx;                     /* the exchange in progress, NULL between connections */
    char mechanism[16];               /* of the last completed exchange */
    char display[PROTO_DISPLAY_MAX + 1]; /* told to the server (SIGNON_DISPLAY); "" = none */
    int display_known;                /* 0: the system's, looked up at the first sign-on */
};

pc_signon *pc_signon_new(const char *host, const char *ccache, int allow_ntlm)
{
    pc_signon *s;

    if (!host || strlen(host) > SIGNON_HOST_MAX || (ccache && strlen(ccache) > SIGNON_PATH_MAX))
        return NULL;
    if (!(s = calloc(1, sizeof *s)))
        return NULL;
    snprintf(s->host, sizeof s->host, "%s", host);
    snprintf(s->ccache, sizeof s->ccache, "%s", ccache ? ccache : "");
    s->allow_ntlm = allow_ntlm;
    snprintf(s->mechanism, sizeof s->mechanism, "none");
    return s;
}

static void signon_reset(void *ctx)
{
    pc_signon *s = ctx;
    neg_free(s->ctx);
    s->ctx = NULL;
}

void pc_signon_free(pc_signon *s)
{
    if (!s)
        return;
    signon_reset(s);
    free(s);
}

/* Fits name (UTF-8) into a display name: cut at a character boundary to PROTO_DISPLAY_MAX bytes;
 * "" when it is not text (a control character, bad UTF-8). */
static void fit_display(char *out, const char *name)
{
    size_t n = strlen(name);
    out[0] = '\0';
    if (n > PROTO_DISPLAY_MAX) {
        n = PROTO_DISPLAY_MAX;
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--; /* name[n] continues a character: cut before that character */
    }
    if (n > 0 && utf8_valid_text(name, n, 0)) {
        memcpy(out, name, n);
        out[n] = '\0';
    }
}

int pc_signon_set_display(pc_signon *s, const char *display)
{
    if (!display) {
        s->display[0] = '\0';
        s->display_known = 0;
        return 0;
    }
    if (strlen(display) > PROTO_DISPLAY_MAX ||
        (display[0] && !utf8_valid_text(display, strlen(display), 0)))
        return -1;
    snprintf(s->display, sizeof s->display, "%s", display);
    s->display_known = 1;
    return 0;
}

const char *pc_signon_display(const pc_signon *s)
{
    return s->display;
}

const char *pc_signon_mechanism(const pc_signon *s)
{
    return s ? s->mechanism : "none";
}

static int signon_step(void *ctx, const uint8_t *in, size_t in_len, buf *out, int *complete,
                       char *why, size_t why_size)
{
    pc_signon *s = ctx;
    neg_settings set;
    neg_error e;
    neg_status st;

    *complete = 0;
    if (!in) { /* the server's request: a fresh context, as the current user */
        signon_reset(s);
        /* Looked up only now: on Windows it may ask a domain controller. */
        if (!s->display_known) {
            char name[1024];
            if (pc_user_display(name, sizeof name) == 0)
                fit_display(s->display, name);
            s->display_known = 1;
        }
        memset(&set, 0, sizeof set);
        set.host = s->host;
        set.ccache = s->ccache[0] ? s->ccache : NULL;
        set.allow_ntlm = s->allow_ntlm;
        if (neg_client_new(&set, &s->ctx, &e) != 0) {
            snprintf(why, why_size, "%s", e.text);
            return -1;
        }
    }
    if (!s->ctx) {
        snprintf(why, why_size, "no sign-on in progress");
        return -1;
    }
    st = neg_step(s->ctx, in, in_len, out, &e);
    if (st == NEG_ERROR) {
        snprintf(why, why_size, "%s", e.text);
        return -1;
    }
    if (st == NEG_COMPLETE) {
        *complete = 1;
        snprintf(s->mechanism, sizeof s->mechanism, "%s", neg_mechanism(s->ctx));
    }
    return 0;
}

static int signon_bind_make(void *ctx, const uint8_t *hash, size_t hash_len, buf *mic,
                            char *why, size_t why_size)
{
    pc_signon *s = ctx;
    neg_error e;
    if (!s->ctx || neg_bind_make(s->ctx, hash, hash_len, mic, &e) != 0) {
        snprintf(why, why_size, "%s", s->ctx ? e.text : "no sign-on in progress");
        return -1;
    }
    return 0;
}

static int signon_bind_check(void *ctx, const uint8_t *hash, size_t hash_len,
                             const uint8_t *mic, size_t mic_len, char *why, size_t why_size)
{
    pc_signon *s = ctx;
    neg_error e;
    if (!s->ctx || neg_bind_check(s->ctx, hash, hash_len, mic, mic_len, &e) != 0) {
        snprintf(why, why_size, "%s", s->ctx ? e.text : "no sign-on in progress");
        return -1;
    }
    return 0;
}

const hs_signon_ops *pc_signon_ops(void)
{
    static const hs_signon_ops ops = {signon_reset, signon_step, signon_bind_make,
                                      signon_bind_check};
    return &ops;
}

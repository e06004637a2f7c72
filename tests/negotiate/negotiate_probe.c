/* negotiate_probe.c — one side of a Windows sign-on exchange (negotiate.h) as a program, so that
 * a client and a server built for different systems (SSPI under Wine, GSSAPI on Linux) can meet.
 * pair.sh connects two of them: each writes lines to stdout and reads the other's from stdin.
 *
 *   TOKEN <hex>   a token for the peer's next neg_step
 *   DONE          the server's context is complete (after its last TOKEN, if any)
 *   MIC <hex>     the sender's MIC over its own transcript (client first, then server)
 *   FAIL <cause>  the sender gave up; the exchange ends
 *
 * What happened goes to stderr, one line per fact, "<side>: ..." so tests can match it:
 *   server: complete, mechanism kerberos
 *   server: peer alice@PARLEY.TEST
 *   server: session key of 32 bytes
 *   server: binding verified
 *   server: FAILED <cause>: <text>
 * Exit status 0 when every step succeeded, 1 when one failed, 2 for a usage error. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "negotiate.h"

#define LINE_MAX_BYTES (2 * NEG_TOKEN_MAX + 64)

typedef struct probe {
    int server;
    const char *side;           /* "client" or "server" */
    neg_settings settings;
    const char *transcript;     /* stands for this side's handshake transcript hash */
    const char *allow;          /* server: allow-list of principals and realms */
    int require_name;           /* server: fail when the client's name cannot be read */
    char *line;                 /* owned, LINE_MAX_BYTES */
} probe;

static const char *cause_name(neg_cause c)
{
    static const char *const names[] = {
        "ok", "no_credentials", "expired", "clock_skew", "unknown_principal", "wrong_principal",
        "wrong_realm", "ntlm_refused", "bad_token", "binding_failed", "not_allowed",
        "unsupported", "other"};
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "other";
}

static int failed(probe *p, const neg_error *e)
{
    fprintf(stderr, "%s: FAILED %s: %s (code 0x%08lX)\n", p->side, cause_name(e->cause), e->text,
            (unsigned long)e->code);
    printf("FAIL %s\n", cause_name(e->cause));
    fflush(stdout);
    return 1;
}

static void send_hex(const char *tag, const buf *b)
{
    printf("%s ", tag);
    for (size_t i = 0; i < b->len; i++)
        printf("%02x", b->data[i]);
    printf("\n");
    fflush(stdout);
}

/* Reads the peer's next line into p->line, without its line ending. 0, or -1 at the end. */
static int read_line(probe *p)
{
    size_t n;
    if (!fgets(p->line, LINE_MAX_BYTES, stdin))
        return -1;
    n = strlen(p->line);
    while (n > 0 && (p->line[n - 1] == '\n' || p->line[n - 1] == '\r'))
        p->line[--n] = '\0';
    return 0;
}

/* If the line is "<tag> <hex>", decodes the hex into out (reset first) and returns 1. */
static int parse_hex(const char *line, const char *tag, buf *out)
{
    size_t tl = strlen(tag);
    const char *h;
    if (strncmp(line, tag, tl) != 0 || line[tl] != ' ')
        return 0;
    buf_reset(out);
    for (h = line + tl + 1; h[0] && h[1]; h += 2) {
        int hi = hex_digit_value(h[0]), lo = hex_digit_value(h[1]);
        if (hi < 0 || lo < 0)
            return 0;
        buf_put_u8(out, (uint8_t)(hi * 16 + lo));
    }
    return *h == '\0' && !buf_failed(out);
}

/* Reads the peer's next line; reports what the peer said if it is not a `tag` line. */
static int expect(probe *p, const char *tag, buf *out)
{
    if (read_line(p) != 0) {
        fprintf(stderr, "%s: FAILED peer_gone: the peer ended the exchange\n", p->side);
        return -1;
    }
    if (strncmp(p->line, "FAIL ", 5) == 0) {
        fprintf(stderr, "%s: FAILED peer_refused: the peer reported %s\n", p->side, p->line + 5);
        return -1;
    }
    if (out ? !parse_hex(p->line, tag, out) : strcmp(p->line, tag) != 0) {
        fprintf(stderr, "%s: FAILED protocol: expected %s, got '%.40s'\n", p->side, tag, p->line);
        return -1;
    }
    return 0;
}

/* The token exchange, until this side's context is complete. */
static int exchange(probe *p, neg_ctx *ctx)
{
    buf in, out;
    neg_error e;
    neg_status st = NEG_CONTINUE;
    int rc = 1;
    buf_init(&in);
    buf_init(&out);
    if (p->server && expect(p, "TOKEN", &in) != 0)
        goto done;
    for (;;) {
        buf_reset(&out);
        st = neg_step(ctx, in.data, in.len, &out, &e);
        if (out.len > 0)
            send_hex("TOKEN", &out);
        if (st == NEG_ERROR) {
            failed(p, &e);
            goto done;
        }
        if (st == NEG_COMPLETE)
            break;
        if (expect(p, "TOKEN", &in) != 0)
            goto done;
    }
    fprintf(stderr, "%s: complete, mechanism %s\n", p->side, neg_mechanism(ctx));
    if (p->server) {
        printf("DONE\n");
        fflush(stdout);
    } else if (expect(p, "DONE", NULL) != 0) {
        goto done;
    }
    rc = 0;
done:
    buf_free(&in);
    buf_free(&out);
    return rc;
}

/* Sends this side's MIC over its transcript. */
static int send_mic(probe *p, neg_ctx *ctx, buf *mic)
{
    neg_error e;
    buf_reset(mic);
    if (neg_bind_make(ctx, (const uint8_t *)p->transcript, strlen(p->transcript), mic, &e) != 0)
        return failed(p, &e);
    send_hex("MIC", mic);
    return 0;
}

/* Reads the peer's MIC and checks it over this side's transcript. */
static int receive_mic(probe *p, neg_ctx *ctx, buf *mic)
{
    neg_error e;
    if (expect(p, "MIC", mic) != 0)
        return -1;
    if (neg_bind_check(ctx, (const uint8_t *)p->transcript, strlen(p->transcript), mic->data,
                       mic->len, &e) != 0)
        return failed(p, &e);
    fprintf(stderr, "%s: binding verified\n", p->side);
    return 0;
}

/* After the exchange: names, binding both ways, the allow-list. */
static int after(probe *p, neg_ctx *ctx)
{
    char name[NEG_NAME_MAX];
    uint8_t key[64];
    size_t key_len;
    int name_ok, rc = 1;
    neg_error e, name_err;
    buf mic;
    buf_init(&mic);
    name_ok = neg_peer_name(ctx, name, sizeof name, &name_err) == 0;
    if (name_ok)
        fprintf(stderr, "%s: peer %s\n", p->side, name);
    else
        fprintf(stderr, "%s: peer name unavailable: %s: %s (code 0x%08lX)\n", p->side,
                cause_name(name_err.cause), name_err.text, (unsigned long)name_err.code);
    if (neg_session_key(ctx, key, sizeof key, &key_len, &e) == 0)
        fprintf(stderr, "%s: session key of %u bytes\n", p->side, (unsigned)key_len);
    else
        fprintf(stderr, "%s: session key unavailable: %s: %s (code 0x%08lX)\n", p->side,
                cause_name(e.cause), e.text, (unsigned long)e.code);
    if (!p->server) {
        if (send_mic(p, ctx, &mic) != 0 || receive_mic(p, ctx, &mic) != 0)
            goto done;
    } else {
        if (receive_mic(p, ctx, &mic) != 0)
            goto done;
        if (!name_ok && p->require_name) {
            failed(p, &name_err);
            goto done;
        }
        if (p->allow && (!name_ok || !neg_principal_allowed(name, p->allow))) {
            neg_fail(&e, NEG_NOT_ALLOWED, 0, name_ok ? name : "(name unavailable)");
            failed(p, &e);
            goto done;
        }
        if (send_mic(p, ctx, &mic) != 0)
            goto done;
    }
    rc = 0;
done:
    buf_free(&mic);
    return rc;
}

/* This side's context (and, for a server, the credentials it borrows). 0 or -1. */
static int open_side(probe *p, neg_server_cred **cred, neg_ctx **ctx, neg_error *e)
{
    if (!p->server)
        return neg_client_new(&p->settings, ctx, e);
    if (neg_server_cred_new(&p->settings, cred, e) != 0)
        return -1;
    return neg_server_new(*cred, ctx, e);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: negotiate-probe client --host HOST [--service S] [--ccache C]\n"
            "                              [--transcript T] [--allow-ntlm]\n"
            "       negotiate-probe server [--keytab K] [--transcript T] [--allow LIST]\n"
            "                              [--require-name] [--allow-ntlm]\n");
    return 2;
}

int main(int argc, char **argv)
{
    probe p;
    neg_server_cred *cred = NULL;
    neg_ctx *ctx = NULL;
    neg_error e;
    int rc = 1;
#ifdef SIGPIPE
    signal(SIGPIPE, SIG_IGN); /* a peer that already gave up is reported, not a crash */
#endif
    memset(&p, 0, sizeof p);
    p.transcript = "transcript of this connection";
    if (argc < 2 || (strcmp(argv[1], "client") != 0 && strcmp(argv[1], "server") != 0))
        return usage();
    p.server = strcmp(argv[1], "server") == 0;
    p.side = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--allow-ntlm") == 0) {
            p.settings.allow_ntlm = 1;
        } else if (strcmp(a, "--require-name") == 0) {
            p.require_name = 1;
        } else if (v && strcmp(a, "--host") == 0) {
            p.settings.host = v, i++;
        } else if (v && strcmp(a, "--service") == 0) {
            p.settings.service = v, i++;
        } else if (v && strcmp(a, "--ccache") == 0) {
            p.settings.ccache = v, i++;
        } else if (v && strcmp(a, "--keytab") == 0) {
            p.settings.keytab = v, i++;
        } else if (v && strcmp(a, "--transcript") == 0) {
            p.transcript = v, i++;
        } else if (v && strcmp(a, "--allow") == 0) {
            p.allow = v, i++;
        } else {
            fprintf(stderr, "negotiate-probe: unknown option '%s'\n", a);
            return usage();
        }
    }
    if (!*p.transcript)
        return usage();
    p.line = malloc(LINE_MAX_BYTES);
    if (!p.line)
        return 1;
    if (open_side(&p, &cred, &ctx, &e) != 0) {
        failed(&p, &e);
        goto done;
    }
    if (exchange(&p, ctx) != 0 || after(&p, ctx) != 0)
        goto done;
    fprintf(stderr, "%s: signed on\n", p.side);
    rc = 0;
done:
    neg_free(ctx);
    neg_server_cred_free(cred);
    free(p.line);
    return rc;
}

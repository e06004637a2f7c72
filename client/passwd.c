/* passwd.c — the client's side of PASSWORD (passwd.h): prove the current password with SCRAM,
 * send the new one as a verifier. */
#include "passwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "handshake.h"

#define NEW_SALT_SIZE 16

static int fail(char *err, size_t err_size, const char *why)
{
    snprintf(err, err_size, "%s", why);
    return -1;
}

int pc_passwd_begin(pc_passwd *p, const char *login, const uint8_t binding[32],
                    const char *old_pw, size_t old_len, const char *new_pw, size_t new_len,
                    uint32_t iterations, proto_msg *out, char *err, size_t err_size)
{
    scram_binding b;

    memset(p, 0, sizeof *p);
    if (old_len == 0 || old_len > SCRAM_PASSWORD_MAX || new_len == 0 ||
        new_len > SCRAM_PASSWORD_MAX)
        return fail(err, err_size, "a password must be 1 to 1024 bytes");
    if (iterations &&
        (iterations < SCRAM_ITERATIONS_MIN || iterations > SCRAM_ITERATIONS_MAX))
        return fail(err, err_size, "iteration count out of range");
    memcpy(p->old_pw, old_pw, old_len);
    p->old_len = old_len;
    memcpy(p->new_pw, new_pw, new_len);
    p->new_len = new_len;
    p->iterations = iterations;
    b.name = HS_BINDING_NAME;
    b.data = binding;
    b.len = 32;
    if (scram_client_first(&p->scram, login, strlen(login), &b, NULL, p->msg, sizeof p->msg) !=
        SCRAM_OK) {
        pc_passwd_wipe(p);
        return fail(err, err_size, "cannot start the password exchange (login name?)");
    }
    p->step = 1;
    memset(out, 0, sizeof *out);
    out->type = PT_PASSWORD;
    out->text = proto_s(p->msg);
    return 0;
}

/* The i= attribute of server-first (already checked by scram_client_final), or 0. */
static uint32_t server_iterations(proto_str first)
{
    size_t i;
    uint32_t n = 0;

    for (i = 0; i + 3 <= first.n; i++)
        if (first.p[i] == ',' && first.p[i + 1] == 'i' && first.p[i + 2] == '=')
            break;
    for (i += 3; i < first.n && first.p[i] >= '0' && first.p[i] <= '9' && n < 100000000u; i++)
        n = n * 10u + (uint32_t)(first.p[i] - '0');
    return n;
}

/* server-first: the proof of the current password, and the new verifier. */
static pc_passwd_step answer_first(pc_passwd *p, const proto_msg *in, proto_msg *out, int *code,
                                   char *err, size_t err_size)
{
    uint8_t salt[NEW_SALT_SIZE];
    scram_verifier v;
    uint32_t iterations = p->iterations ? p->iterations : server_iterations(in->text);
    int rc;

    rc = scram_client_final(&p->scram, in->text.p, in->text.n, p->old_pw, p->old_len, p->msg,
                            sizeof p->msg);
    if (rc == SCRAM_OK && iterations < SCRAM_ITERATIONS_MIN)
        iterations = SCRAM_ITERATIONS_MIN;
    if (rc == SCRAM_OK && crypto_random(salt, sizeof salt) != CRYPTO_OK)
        rc = SCRAM_ECRYPTO;
    if (rc == SCRAM_OK)
        rc = scram_verifier_make(p->new_pw, p->new_len, salt, sizeof salt, iterations, &v);
    if (rc == SCRAM_OK)
        rc = scram_verifier_format(&v, p->verifier, sizeof p->verifier);
    crypto_wipe(&v, sizeof v);
    if (rc != SCRAM_OK) {
        *code = rc == SCRAM_ECRYPTO ? PC_E_LOCAL : PC_PROTOCOL;
        snprintf(err, err_size, "%s",
                 rc == SCRAM_ECRYPTO  ? "the crypto provider failed"
                 : rc == SCRAM_EPOLICY ? "the new password is not usable, or the server asked "
                                        "for an iteration count out of range"
                                      : "the server's answer is not a SCRAM server-first");
        return PC_PASSWD_FAILED;
    }
    p->step = 2;
    memset(out, 0, sizeof *out);
    out->type = PT_PASSWORD;
    out->target = proto_s(p->verifier);
    out->text = proto_s(p->msg);
    return PC_PASSWD_SEND;
}

static int answers_password(uint16_t code)
{
    switch (code) {
    case PC_BAD_PASSWORD:
    case PC_BAD_VERIFIER:
    case PC_BAD_TEXT:
    case PC_NOT_FOUND:
    case PC_NO_ACCOUNTS:
    case PC_UNAVAILABLE:
    case PC_RATE_LIMITED:
    case PC_PROTOCOL:
        return 1;
    default:
        return 0;
    }
}

pc_passwd_step pc_passwd_on_msg(pc_passwd *p, const proto_msg *in, proto_msg *out, int *code,
                                char *err, size_t err_size)
{
    pc_passwd_step r;

    *code = PC_OK;
    if (p->step == 0)
        return PC_PASSWD_OTHER;
    if (in->type == PT_ERROR && in->tag == 0 && answers_password(in->code)) {
        *code = in->code;
        snprintf(err, err_size, "%.*s", (int)(in->text.n > 200 ? 200 : in->text.n), in->text.p);
        r = PC_PASSWD_FAILED;
    } else if (in->type != PT_PASSWORD) {
        return PC_PASSWD_OTHER;
    } else if (p->step == 1) {
        r = answer_first(p, in, out, code, err, err_size);
    } else if (scram_client_check(&p->scram, in->text.p, in->text.n) == SCRAM_OK) {
        r = PC_PASSWD_DONE;
    } else {
        /* The server said it changed it, but could not prove it holds the account: not the
         * server we logged in to, or a broken one. */
        *code = PC_PROTOCOL;
        snprintf(err, err_size, "the server could not prove it holds this account's verifier");
        r = PC_PASSWD_FAILED;
    }
    if (r != PC_PASSWD_SEND)
        p->step = 0;
    return r;
}

void pc_passwd_wipe(pc_passwd *p)
{
    scram_client_wipe(&p->scram);
    crypto_wipe(p, sizeof *p);
}

int pc_change_password(pc_conn *c, const char *old_pw, size_t old_len, const char *new_pw,
                       size_t new_len, uint32_t iterations, uint32_t timeout_ms, int *code,
                       char *err, size_t err_size)
{
    pc_passwd *p = NULL;
    uint8_t binding[32];
    proto_msg m, out;
    pc_passwd_step r = PC_PASSWD_SEND;
    int got, rc = -1;

    *code = PC_E_LOCAL;
    if (pc_session_binding(c, binding) != 0)
        return fail(err, err_size, "this connection did not log in to an account");
    /* Two passwords of up to 1 KiB each and SCRAM state: too large for some threads' stacks. */
    if (!(p = calloc(1, sizeof *p)))
        return fail(err, err_size, "out of memory");
    if (pc_passwd_begin(p, pc_nick_of(c), binding, old_pw, old_len, new_pw, new_len, iterations,
                        &out, err, err_size) != 0)
        goto done;
    while (r == PC_PASSWD_SEND) {
        if (pc_send(c, &out) != 0) {
            *code = pc_error_code(c) != PC_OK ? pc_error_code(c) : PC_E_LOCAL;
            snprintf(err, err_size, "%s", pc_error(c)[0] ? pc_error(c) : pc_send_error(c));
            goto done;
        }
        do {
            got = pc_recv(c, &m, timeout_ms);
            if (got <= 0) {
                *code = got == 0 ? PC_TIMEOUT : pc_error_code(c);
                snprintf(err, err_size, "%s",
                         got == 0 ? "no answer from the server" : pc_error(c));
                goto done;
            }
            r = pc_passwd_on_msg(p, &m, &out, code, err, err_size);
        } while (r == PC_PASSWD_OTHER);
    }
    if (r == PC_PASSWD_DONE) {
        if (pc_set_password(c, new_pw, new_len) != 0) {
            *code = PC_E_LOCAL;
            snprintf(err, err_size, "the password was changed, but not kept for reconnects");
            goto done;
        }
        rc = 0;
    }

done:
    crypto_wipe(binding, sizeof binding);
    pc_passwd_wipe(p);
    free(p);
    return rc;
}

/* negotiate.c — the portable part of Windows sign-on: shared server credentials, plain-words
 * causes and the allow-list of principals and realms (the group rule on servers that have no
 * Windows token to ask). */
#include "negotiate.h"
#include "negotiate_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server's credentials live in a context that never steps. */
struct neg_server_cred {
    neg_ctx *holder;
};

int neg_server_cred_new(const neg_settings *s, neg_server_cred **out, neg_error *err)
{
    neg_server_cred *sc = calloc(1, sizeof *sc);
    *out = NULL;
    if (!sc)
        return neg_fail(err, NEG_OTHER, 0, "out of memory");
    sc->holder = neg_impl_acceptor(s, err);
    if (!sc->holder) {
        free(sc);
        return -1;
    }
    *out = sc;
    return 0;
}

void neg_server_cred_free(neg_server_cred *sc)
{
    if (!sc)
        return;
    neg_free(sc->holder);
    free(sc);
}

int neg_server_new(neg_server_cred *sc, neg_ctx **out, neg_error *err)
{
    *out = neg_impl_borrow(sc->holder, err);
    return *out ? 0 : -1;
}

const char *neg_cause_text(neg_cause cause)
{
    switch (cause) {
    case NEG_OK: return "signed on";
    case NEG_NO_CREDENTIALS:
        return "no Kerberos ticket or credentials (log on to the domain, or run kinit)";
    case NEG_EXPIRED: return "the Kerberos ticket has expired (log on again, or run kinit)";
    case NEG_CLOCK_SKEW:
        return "clock skew: this computer's clock and the server's or domain controller's differ "
               "too much";
    case NEG_UNKNOWN_PRINCIPAL:
        return "the domain does not know this service principal (SPN) or user";
    case NEG_WRONG_PRINCIPAL:
        return "the ticket is for another service principal than the server's keytab holds";
    case NEG_WRONG_REALM: return "wrong or unknown realm (no domain controller found for it)";
    case NEG_NTLM_REFUSED: return "only NTLM was possible, and allow_ntlm is off";
    case NEG_BAD_TOKEN: return "malformed or unexpected sign-on token";
    case NEG_BINDING_FAILED:
        return "the sign-on does not belong to this connection (relayed or altered)";
    case NEG_NOT_ALLOWED: return "not in an allowed group, realm or principal list";
    case NEG_UNSUPPORTED: return "the security library cannot do this here";
    case NEG_OTHER: break;
    }
    return "sign-on failed";
}

int neg_fail(neg_error *err, neg_cause cause, uint32_t code, const char *detail)
{
    if (!err)
        return -1;
    err->cause = cause;
    err->code = code;
    if (detail && *detail)
        snprintf(err->text, sizeof err->text, "%s: %s", neg_cause_text(cause), detail);
    else
        snprintf(err->text, sizeof err->text, "%s", neg_cause_text(cause));
    return -1;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Compares n bytes of a and b without regard to ASCII case. */
static int same_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Does one allow-list entry (a slice) admit the principal? */
static int entry_admits(const char *e, size_t elen, const char *p)
{
    if (elen >= 2 && e[0] == '@') {        /* "@REALM": what follows the last '@' */
        const char *at = strrchr(p, '@');
        return at && at != p && strlen(at) == elen && same_ci(at, e, elen);
    }
    if (elen >= 2 && e[elen - 1] == '\\') { /* "DOMAIN\" */
        const char *bs = strchr(p, '\\');
        return bs && bs[1] && (size_t)(bs - p) == elen - 1 && same_ci(p, e, elen - 1);
    }
    return strlen(p) == elen && same_ci(p, e, elen);
}

int neg_principal_allowed(const char *principal, const char *allow_list)
{
    int any = 0;
    if (!allow_list)
        return 1;
    if (!principal || !*principal)
        principal = NULL;
    for (const char *s = allow_list; *s;) {
        size_t n;
        while (*s == ',' || *s == ' ' || *s == '\t')
            s++;
        n = strcspn(s, ", \t");
        if (n > 0) {
            any = 1;
            if (principal && entry_admits(s, n, principal))
                return 1;
        }
        s += n;
    }
    return any ? 0 : 1;
}

/* negotiate_sspi.c — Windows sign-on on Windows: SPNEGO through SSPI's "Negotiate" package with
 * the logged-on user's (client) or the service's (server) credentials; see negotiate.h. */
#include "negotiate.h"
#include "negotiate_impl.h"

#define SECURITY_WIN32
#include <windows.h>
#include <security.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_FRESH, ST_RUNNING, ST_DONE, ST_FAILED };

struct neg_ctx {
    int server;
    int state;
    int allow_ntlm;
    int kerberos_only; /* client without allow_ntlm: the Kerberos package, not Negotiate */
    int have_cred, have_ctx; /* have_cred: owned (not borrowed from a neg_server_cred) */
    CredHandle cred;   /* owned when have_cred */
    CtxtHandle ctx;    /* owned when have_ctx */
    unsigned long max_token; /* the package's largest token: output buffers are this big */
    wchar_t spn[NEG_NAME_MAX]; /* client: PARLEY/host */
    char mech[16];     /* "kerberos", "ntlm", "other", "unknown", once complete */
    SECURITY_STATUS mech_status; /* what asking Negotiate for its choice returned */
};

/* The library's message for a status, in UTF-8 (empty when the system has none). */
static void status_message(SECURITY_STATUS st, char *out, size_t cap)
{
    wchar_t w[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)st, 0, w, (DWORD)(sizeof w / sizeof w[0]), NULL);
    out[0] = '\0';
    while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L' ' ||
                     w[n - 1] == L'.'))
        n--;
    if (n == 0)
        return;
    w[n] = L'\0';
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)cap, NULL, NULL) <= 0)
        out[0] = '\0';
}

static neg_cause sspi_cause(SECURITY_STATUS st)
{
    switch (st) {
    case SEC_E_NO_CREDENTIALS: return NEG_NO_CREDENTIALS;
    case SEC_E_CONTEXT_EXPIRED: return NEG_EXPIRED;
    case SEC_E_TIME_SKEW: return NEG_CLOCK_SKEW;
    case SEC_E_TARGET_UNKNOWN: return NEG_UNKNOWN_PRINCIPAL;
    case SEC_E_WRONG_PRINCIPAL: return NEG_WRONG_PRINCIPAL;
    case SEC_E_NO_AUTHENTICATING_AUTHORITY: return NEG_WRONG_REALM;
    case SEC_E_INVALID_TOKEN:
    case SEC_E_INCOMPLETE_MESSAGE: return NEG_BAD_TOKEN;
    case SEC_E_MESSAGE_ALTERED:
    case SEC_E_OUT_OF_SEQUENCE: return NEG_BINDING_FAILED;
    case SEC_E_UNSUPPORTED_FUNCTION: return NEG_UNSUPPORTED;
    default: return NEG_OTHER;
    }
}

/* Fills err from an SSPI failure with the given cause; `what` names the call. Returns -1. */
static int sspi_fail_as(neg_error *err, neg_cause cause, const char *what, SECURITY_STATUS st)
{
    char msg[200];
    char detail[NEG_TEXT_MAX];
    status_message(st, msg, sizeof msg);
    snprintf(detail, sizeof detail, "%s: %s%s(0x%08lX)", what, msg, msg[0] ? " " : "",
             (unsigned long)(DWORD)st);
    return neg_fail(err, cause, (uint32_t)st, detail);
}

static int sspi_fail(neg_error *err, const char *what, SECURITY_STATUS st)
{
    return sspi_fail_as(err, sspi_cause(st), what, st);
}

/* Acquires credentials of the current user or service. A client that may not use NTLM asks
 * the Kerberos package itself (its tokens are plain Kerberos, which every Negotiate acceptor
 * takes); otherwise, and always on the server, the Negotiate package. Wine 8 refuses the other
 * documented way of leaving NTLM out (a SEC_WINNT_AUTH_IDENTITY_EXW whose PackageList is "!NTLM":
 * AcquireCredentialsHandleW returns 0xC0000001), and Kerberos alone works on both. */
static int acquire(neg_ctx *c, neg_error *err)
{
    const wchar_t *package = c->kerberos_only ? L"Kerberos" : L"Negotiate";
    SecPkgInfoW *pkg = NULL;
    TimeStamp expiry;
    SECURITY_STATUS st;
    st = AcquireCredentialsHandleW(NULL, (wchar_t *)package,
                                   c->server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND, NULL,
                                   NULL, NULL, NULL, &c->cred, &expiry);
    if (st != SEC_E_OK)
        return sspi_fail(err, "AcquireCredentialsHandleW", st);
    c->have_cred = 1;
    st = QuerySecurityPackageInfoW((wchar_t *)package, &pkg);
    if (st != SEC_E_OK)
        return sspi_fail(err, "QuerySecurityPackageInfoW", st);
    c->max_token = pkg->cbMaxToken;
    FreeContextBuffer(pkg);
    if (c->max_token == 0 || c->max_token > NEG_TOKEN_MAX)
        c->max_token = NEG_TOKEN_MAX;
    return 0;
}

static neg_ctx *ctx_alloc(int server, const neg_settings *s)
{
    neg_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->server = server;
    c->allow_ntlm = s->allow_ntlm ? 1 : 0;
    c->kerberos_only = !server && !c->allow_ntlm;
    strcpy(c->mech, "none");
    return c;
}

int neg_client_new(const neg_settings *s, neg_ctx **out, neg_error *err)
{
    char spn[NEG_NAME_MAX];
    neg_ctx *c;
    *out = NULL;
    if (!s->host || !*s->host)
        return neg_fail(err, NEG_UNKNOWN_PRINCIPAL, 0, "no server host name to sign on to");
    if (snprintf(spn, sizeof spn, "%s/%s", s->service ? s->service : NEG_SERVICE_DEFAULT,
                 s->host) >= (int)sizeof spn)
        return neg_fail(err, NEG_UNKNOWN_PRINCIPAL, 0, "server host name too long");
    c = ctx_alloc(0, s);
    if (!c)
        return neg_fail(err, NEG_OTHER, 0, "out of memory");
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, spn, -1, c->spn, NEG_NAME_MAX) <= 0) {
        neg_fail(err, NEG_UNKNOWN_PRINCIPAL, 0, "server host name is not valid UTF-8");
        goto fail;
    }
    if (acquire(c, err) != 0)
        goto fail;
    *out = c;
    return 0;
fail:
    neg_free(c);
    return -1;
}

/* Platform half of neg_server_cred_new (negotiate_impl.h). */
neg_ctx *neg_impl_acceptor(const neg_settings *s, neg_error *err)
{
    neg_ctx *c = ctx_alloc(1, s);
    if (!c) {
        neg_fail(err, NEG_OTHER, 0, "out of memory");
        return NULL;
    }
    if (acquire(c, err) != 0) {
        neg_free(c);
        return NULL;
    }
    return c;
}

/* Platform half of neg_server_new (negotiate_impl.h). */
neg_ctx *neg_impl_borrow(const neg_ctx *holder, neg_error *err)
{
    neg_settings s;
    neg_ctx *c;
    memset(&s, 0, sizeof s);
    s.allow_ntlm = holder->allow_ntlm;
    c = ctx_alloc(1, &s);
    if (!c) {
        neg_fail(err, NEG_OTHER, 0, "out of memory");
        return NULL;
    }
    c->cred = holder->cred;   /* borrowed: have_cred stays 0 */
    c->max_token = holder->max_token;
    return c;
}

void neg_free(neg_ctx *c)
{
    if (!c)
        return;
    if (c->have_ctx)
        DeleteSecurityContext(&c->ctx);
    if (c->have_cred)
        FreeCredentialsHandle(&c->cred);
    free(c);
}

/* Names the package that was used: the Kerberos package itself, or what Negotiate chose;
 * "unknown" where the library cannot say. */
static void read_mechanism(neg_ctx *c)
{
    SecPkgContext_NegotiationInfoW info;
    SECURITY_STATUS st;
    if (c->kerberos_only) {
        strcpy(c->mech, "kerberos");
        return;
    }
    memset(&info, 0, sizeof info);
    strcpy(c->mech, "unknown");
    st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_NEGOTIATION_INFO, &info);
    c->mech_status = st;
    if (st != SEC_E_OK || !info.PackageInfo)
        return;
    if (info.PackageInfo->Name && _wcsicmp(info.PackageInfo->Name, L"Kerberos") == 0)
        strcpy(c->mech, "kerberos");
    else if (info.PackageInfo->Name && _wcsicmp(info.PackageInfo->Name, L"NTLM") == 0)
        strcpy(c->mech, "ntlm");
    else
        strcpy(c->mech, "other");
    FreeContextBuffer(info.PackageInfo);
}

/* Did InitializeSecurityContextW / AcceptSecurityContext succeed (done or not)? */
static int step_worked(SECURITY_STATUS st)
{
    return st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED || st == SEC_I_COMPLETE_NEEDED ||
           st == SEC_I_COMPLETE_AND_CONTINUE;
}

neg_status neg_step(neg_ctx *c, const uint8_t *in, size_t in_len, buf *out, neg_error *err)
{
    SecBuffer inb = {0, SECBUFFER_TOKEN, NULL}, outb = {0, SECBUFFER_TOKEN, NULL};
    SecBufferDesc indesc = {SECBUFFER_VERSION, 1, &inb}, outdesc = {SECBUFFER_VERSION, 1, &outb};
    unsigned long attrs = 0;
    TimeStamp expiry;
    SECURITY_STATUS st;
    int first = c->state == ST_FRESH;
    if (c->state == ST_DONE || c->state == ST_FAILED) {
        neg_fail(err, NEG_BAD_TOKEN, 0, "the exchange is already over");
        return NEG_ERROR;
    }
    if (in_len > NEG_TOKEN_MAX || ((c->server || !first) && in_len == 0)) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_BAD_TOKEN, 0, in_len ? "token too long" : "empty token");
        return NEG_ERROR;
    }
    inb.cbBuffer = (unsigned long)in_len;
    inb.pvBuffer = (void *)in;
    /* The output goes straight into the caller's buffer, sized for the package's largest
     * token (Wine's Negotiate does not allocate it for us). */
    outb.cbBuffer = c->max_token;
    outb.pvBuffer = buf_reserve(out, c->max_token);
    if (!outb.pvBuffer) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_OTHER, 0, "out of memory");
        return NEG_ERROR;
    }
    if (c->server) {
        st = AcceptSecurityContext(&c->cred, first ? NULL : &c->ctx, &indesc,
                                   ASC_REQ_MUTUAL_AUTH | ASC_REQ_INTEGRITY,
                                   SECURITY_NATIVE_DREP, &c->ctx, &outdesc, &attrs, &expiry);
    } else {
        st = InitializeSecurityContextW(&c->cred, first ? NULL : &c->ctx, c->spn,
                                        ISC_REQ_MUTUAL_AUTH | ISC_REQ_INTEGRITY,
                                        0, SECURITY_NATIVE_DREP, first ? NULL : &indesc, 0,
                                        &c->ctx, &outdesc, &attrs, &expiry);
    }
    if (first && step_worked(st))
        c->have_ctx = 1;
    /* Only a call that worked wrote a token: after a failure Wine leaves the buffer's size as
     * it was, and its bytes are garbage. */
    if (step_worked(st) && outb.cbBuffer <= c->max_token)
        out->len += outb.cbBuffer;
    if (st == SEC_I_COMPLETE_NEEDED || st == SEC_I_COMPLETE_AND_CONTINUE) {
        SECURITY_STATUS cst = CompleteAuthToken(&c->ctx, &outdesc);
        if (cst != SEC_E_OK)
            st = cst;
        else
            st = st == SEC_I_COMPLETE_NEEDED ? SEC_E_OK : SEC_I_CONTINUE_NEEDED;
    }
    if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
        c->state = ST_FAILED;
        sspi_fail(err, c->server ? "AcceptSecurityContext" : "InitializeSecurityContextW", st);
        return NEG_ERROR;
    }
    if (st == SEC_I_CONTINUE_NEEDED) {
        c->state = ST_RUNNING;
        return NEG_CONTINUE;
    }
    read_mechanism(c);
    if (strcmp(c->mech, "ntlm") == 0 && !c->allow_ntlm) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_NTLM_REFUSED, 0, NULL);
        return NEG_ERROR;
    }
    if (strcmp(c->mech, "unknown") == 0 && !c->allow_ntlm) {
        /* Without knowing the mechanism NTLM cannot be ruled out: refuse rather than guess. */
        c->state = ST_FAILED;
        sspi_fail_as(err, NEG_UNSUPPORTED,
                     "QueryContextAttributesW(SECPKG_ATTR_NEGOTIATION_INFO), so NTLM cannot be "
                     "ruled out",
                     c->mech_status);
        return NEG_ERROR;
    }
    if (!(attrs & (c->server ? (unsigned long)ASC_RET_INTEGRITY
                             : (unsigned long)ISC_RET_INTEGRITY))) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_OTHER, 0, "the mechanism gives no integrity (cannot bind)");
        return NEG_ERROR;
    }
    c->state = ST_DONE;
    return NEG_COMPLETE;
}

int neg_complete(const neg_ctx *c)
{
    return c->state == ST_DONE;
}

const char *neg_mechanism(const neg_ctx *c)
{
    return c->state == ST_DONE ? c->mech : "none";
}

static int to_utf8(const wchar_t *w, char *out, size_t cap, neg_error *err)
{
    if (!w || WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)cap, NULL, NULL) <= 0)
        return neg_fail(err, NEG_OTHER, 0, "principal name too long or not representable");
    return 0;
}

int neg_groups_supported(void)
{
    return 1;
}

/* The SID of a group name as this machine resolves it (domain groups through its domain). */
static int group_sid(const char *group, BYTE *sid, DWORD sid_cap, neg_error *err)
{
    wchar_t wgroup[NEG_NAME_MAX], domain[NEG_NAME_MAX];
    DWORD sid_len = sid_cap, domain_len = NEG_NAME_MAX, e;
    SID_NAME_USE use;
    char detail[NEG_TEXT_MAX];

    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, group, -1, wgroup, NEG_NAME_MAX) <= 0)
        return neg_fail(err, NEG_OTHER, 0, "group name too long or not UTF-8");
    if (LookupAccountNameW(NULL, wgroup, sid, &sid_len, domain, &domain_len, &use))
        return 0;
    e = GetLastError();
    snprintf(detail, sizeof detail, "no group %s here: LookupAccountNameW: error %lu", group,
             (unsigned long)e);
    return neg_fail(err, NEG_OTHER, (uint32_t)e, detail);
}

int neg_peer_in_group(neg_ctx *c, const char *group, int *member, neg_error *err)
{
    BYTE sid[SECURITY_MAX_SID_SIZE];
    HANDLE token = NULL, ident = NULL;
    BOOL is = FALSE;
    SECURITY_STATUS st;
    DWORD e;
    char detail[NEG_TEXT_MAX];
    int rc = -1;

    *member = 0;
    if (!c->server || c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (group_sid(group, sid, sizeof sid, err) != 0)
        return -1;
    st = QuerySecurityContextToken(&c->ctx, &token);
    if (st != SEC_E_OK)
        return sspi_fail(err, "QuerySecurityContextToken", st);
    /* CheckTokenMembership wants an impersonation token; the context's may be a primary one. */
    if (!CheckTokenMembership(token, sid, &is)) {
        if (!DuplicateToken(token, SecurityIdentification, &ident) ||
            !CheckTokenMembership(ident, sid, &is)) {
            e = GetLastError();
            snprintf(detail, sizeof detail, "CheckTokenMembership(%s): error %lu", group,
                     (unsigned long)e);
            neg_fail(err, NEG_OTHER, (uint32_t)e, detail);
            goto done;
        }
    }
    *member = is != FALSE;
    rc = 0;
done:
    if (ident)
        CloseHandle(ident);
    CloseHandle(token);
    return rc;
}

int neg_peer_name(neg_ctx *c, char *out, size_t cap, neg_error *err)
{
    SECURITY_STATUS st;
    int rc;
    if (cap)
        out[0] = '\0';
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (c->server) {
        SecPkgContext_NamesW names;
        memset(&names, 0, sizeof names);
        st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_NAMES, &names);
        if (st != SEC_E_OK)
            return sspi_fail(err, "QueryContextAttributesW(SECPKG_ATTR_NAMES)", st);
        rc = to_utf8(names.sUserName, out, cap, err);
        FreeContextBuffer(names.sUserName);
    } else {
        SecPkgContext_NativeNamesW names;
        memset(&names, 0, sizeof names);
        st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_NATIVE_NAMES, &names);
        if (st != SEC_E_OK)
            return sspi_fail(err, "QueryContextAttributesW(SECPKG_ATTR_NATIVE_NAMES)", st);
        rc = to_utf8(names.sServerName, out, cap, err);
        if (names.sClientName)
            FreeContextBuffer(names.sClientName);
        if (names.sServerName)
            FreeContextBuffer(names.sServerName);
    }
    return rc;
}

int neg_session_key(neg_ctx *c, uint8_t *key, size_t cap, size_t *len, neg_error *err)
{
    SecPkgContext_SessionKey sk;
    SECURITY_STATUS st;
    int rc = 0;
    *len = 0;
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    memset(&sk, 0, sizeof sk);
    st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_SESSION_KEY, &sk);
    if (st != SEC_E_OK)
        return sspi_fail_as(err, NEG_UNSUPPORTED,
                            "QueryContextAttributesW(SECPKG_ATTR_SESSION_KEY)", st);
    if (!sk.SessionKey || sk.SessionKeyLength == 0 || sk.SessionKeyLength > cap) {
        rc = neg_fail(err, NEG_OTHER, 0, "no session key, or a larger one than expected");
    } else {
        memcpy(key, sk.SessionKey, sk.SessionKeyLength);
        *len = sk.SessionKeyLength;
    }
    if (sk.SessionKey) {
        SecureZeroMemory(sk.SessionKey, sk.SessionKeyLength);
        FreeContextBuffer(sk.SessionKey);
    }
    return rc;
}

int neg_bind_make(neg_ctx *c, const uint8_t *hash, size_t hash_len, buf *mic, neg_error *err)
{
    SecPkgContext_Sizes sizes;
    SecBuffer b[2];
    SecBufferDesc desc = {SECBUFFER_VERSION, 2, b};
    SECURITY_STATUS st;
    uint8_t *sig;
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (hash_len == 0 || hash_len > NEG_BIND_MAX)
        return neg_fail(err, NEG_OTHER, 0, "transcript hash of a wrong size");
    st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_SIZES, &sizes);
    if (st != SEC_E_OK)
        return sspi_fail(err, "QueryContextAttributesW(SECPKG_ATTR_SIZES)", st);
    if (sizes.cbMaxSignature == 0 || sizes.cbMaxSignature > NEG_BIND_MAX)
        return neg_fail(err, NEG_OTHER, 0, "the mechanism has no usable signature size");
    sig = buf_reserve(mic, sizes.cbMaxSignature);
    if (!sig)
        return neg_fail(err, NEG_OTHER, 0, "out of memory");
    b[0].BufferType = SECBUFFER_DATA;
    b[0].cbBuffer = (unsigned long)hash_len;
    b[0].pvBuffer = (void *)hash;
    b[1].BufferType = SECBUFFER_TOKEN;
    b[1].cbBuffer = sizes.cbMaxSignature;
    b[1].pvBuffer = sig;
    st = MakeSignature(&c->ctx, 0, &desc, 0);
    if (st != SEC_E_OK)
        return sspi_fail(err, "MakeSignature", st);
    mic->len += b[1].cbBuffer;   /* the signature may be shorter than the maximum */
    return 0;
}

int neg_bind_check(neg_ctx *c, const uint8_t *hash, size_t hash_len, const uint8_t *mic,
                   size_t mic_len, neg_error *err)
{
    /* Copies: VerifySignature takes writable buffers, and the caller's are const. */
    uint8_t data[NEG_BIND_MAX], token[NEG_BIND_MAX];
    SecBuffer b[2];
    SecBufferDesc desc = {SECBUFFER_VERSION, 2, b};
    unsigned long qop = 0;
    SECURITY_STATUS st;
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (hash_len == 0 || hash_len > NEG_BIND_MAX || mic_len == 0 || mic_len > NEG_BIND_MAX)
        return neg_fail(err, NEG_BINDING_FAILED, 0, "transcript hash or MIC of a wrong size");
    memcpy(data, hash, hash_len);
    memcpy(token, mic, mic_len);
    b[0].BufferType = SECBUFFER_DATA;
    b[0].cbBuffer = (unsigned long)hash_len;
    b[0].pvBuffer = data;
    b[1].BufferType = SECBUFFER_TOKEN;
    b[1].cbBuffer = (unsigned long)mic_len;
    b[1].pvBuffer = token;
    st = VerifySignature(&c->ctx, &desc, 0, &qop);
    if (st != SEC_E_OK) /* whatever the library's reason, the MIC does not bind */
        return sspi_fail_as(err, NEG_BINDING_FAILED, "VerifySignature", st);
    return 0;
}

/* negotiate_gssapi.c — Windows sign-on on Linux: SPNEGO through MIT GSSAPI (libgssapi_krb5),
 * the same tokens Windows' SSPI "Negotiate" sends and accepts (see negotiate.h). */
#include "negotiate.h"
#include "negotiate_impl.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <com_err.h>
#include <krb5/krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_FRESH, ST_RUNNING, ST_DONE, ST_FAILED };

struct neg_ctx {
    int server;
    int state;
    int allow_ntlm;
    gss_cred_id_t cred;   /* owned, unless borrowed from a neg_server_cred */
    int borrowed_cred;
    gss_ctx_id_t ctx;     /* owned */
    gss_name_t target;    /* client: PARLEY@host; owned */
    gss_name_t peer;      /* server: the client's principal once complete; owned */
    gss_OID mech;         /* the mechanism SPNEGO chose (static storage of the library) */
};

/* Object identifiers, in their DER bodies. */
static gss_OID_desc oid_spnego = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};
static gss_OID_desc oid_krb5 = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
static gss_OID_desc oid_ntlm = {10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"};

static int same_oid(gss_const_OID a, const gss_OID_desc *b)
{
    return a && a->length == b->length && memcmp(a->elements, b->elements, b->length) == 0;
}

/* Appends the library's text for one kind of status code. */
static void status_text(OM_uint32 code, int type, char *out, size_t cap)
{
    OM_uint32 minor, ctx = 0;
    size_t used = strlen(out);
    do {
        gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
        if (GSS_ERROR(gss_display_status(&minor, code, type, GSS_C_NO_OID, &ctx, &msg)))
            break;
        if (used + 3 < cap) {
            int n = snprintf(out + used, cap - used, "%s%.*s", used ? "; " : "", (int)msg.length,
                             (const char *)msg.value);
            if (n > 0)
                used += (size_t)n < cap - used ? (size_t)n : cap - used - 1;
        }
        gss_release_buffer(&minor, &msg);
    } while (ctx != 0);
}

/* Kerberos errors that have plain words, by code and by the text the library shows for them.
 * The text matters: under SPNEGO, MIT's mechanism glue hands out stand-in minor codes (the
 * Kerberos code is only reachable through gss_display_status), so the code alone is found only
 * when the Kerberos mechanism's own code comes through. `also` is a phrase of the library's
 * longer messages that name the principal ("Server X not found in Kerberos database"). */
static const struct krb_cause {
    krb5_error_code code;
    const char *also;
    neg_cause cause;
} krb_causes[] = {
    {KRB5KRB_AP_ERR_SKEW, NULL, NEG_CLOCK_SKEW},
    {KRB5KRB_AP_ERR_TKT_EXPIRED, NULL, NEG_EXPIRED},
    {KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, "not found in Kerberos database", NEG_UNKNOWN_PRINCIPAL},
    {KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN, NULL, NEG_UNKNOWN_PRINCIPAL},
    {KRB5KRB_AP_WRONG_PRINC, "not found in keytab", NEG_WRONG_PRINCIPAL},
    {KRB5_KT_NOTFOUND, NULL, NEG_WRONG_PRINCIPAL},
    {KRB5_KT_KVNONOTFOUND, NULL, NEG_WRONG_PRINCIPAL},
    {KRB5KRB_AP_ERR_NOT_US, NULL, NEG_WRONG_PRINCIPAL},
    {KRB5_FCC_NOFILE, "No Kerberos credentials available", NEG_NO_CREDENTIALS},
    {KRB5_CC_NOTFOUND, NULL, NEG_NO_CREDENTIALS},
    {KRB5_REALM_UNKNOWN, NULL, NEG_WRONG_REALM},
    {KRB5_REALM_CANT_RESOLVE, NULL, NEG_WRONG_REALM},
    {KRB5KDC_ERR_WRONG_REALM, NULL, NEG_WRONG_REALM},
    {KRB5_KDC_UNREACH, NULL, NEG_WRONG_REALM},
};

/* The cause a GSSAPI failure stands for: the Kerberos error (minor code, or its text) says
 * most, the GSS code the rest. */
static neg_cause gss_cause(OM_uint32 major, OM_uint32 minor, const char *minor_text)
{
    for (size_t i = 0; i < sizeof krb_causes / sizeof krb_causes[0]; i++) {
        const struct krb_cause *k = &krb_causes[i];
        if (minor == (OM_uint32)k->code)
            return k->cause;
        if (minor_text[0] && (strstr(minor_text, error_message(k->code)) ||
                              (k->also && strstr(minor_text, k->also))))
            return k->cause;
    }
    /* SPNEGO's words when no allowed mechanism has credentials (no ticket, NTLM not allowed). */
    if (strstr(minor_text, "SPNEGO cannot find mechanisms to negotiate"))
        return NEG_NO_CREDENTIALS;
    switch (GSS_ROUTINE_ERROR(major)) {
    case GSS_S_NO_CRED: return NEG_NO_CREDENTIALS;
    case GSS_S_CREDENTIALS_EXPIRED: return NEG_EXPIRED;
    case GSS_S_DEFECTIVE_TOKEN:
    case GSS_S_BAD_MECH:
    case GSS_S_NO_CONTEXT: return NEG_BAD_TOKEN;
    case GSS_S_BAD_SIG: return NEG_BINDING_FAILED;
    case GSS_S_BAD_NAME: return NEG_UNKNOWN_PRINCIPAL;
    default: return NEG_OTHER;
    }
}

/* Fills err from a GSSAPI failure; `what` names the call; cause NEG_OK means "read it from the
 * codes". Returns -1. */
static int gss_fail_as(neg_error *err, neg_cause cause, const char *what, OM_uint32 major,
                       OM_uint32 minor)
{
    char major_text[NEG_TEXT_MAX] = "", minor_text[NEG_TEXT_MAX] = "";
    char detail[NEG_TEXT_MAX];
    /* "Unspecified GSS failure" only says to read the minor code. */
    if (GSS_ROUTINE_ERROR(major) != GSS_S_FAILURE || !minor)
        status_text(major, GSS_C_GSS_CODE, major_text, sizeof major_text);
    if (minor)
        status_text(minor, GSS_C_MECH_CODE, minor_text, sizeof minor_text);
    snprintf(detail, sizeof detail, "%s: %s%s%s (major 0x%08x, minor 0x%08x)", what, major_text,
             major_text[0] && minor_text[0] ? "; " : "", minor_text, (unsigned)major,
             (unsigned)minor);
    if (cause == NEG_OK)
        cause = gss_cause(major, minor, minor_text);
    return neg_fail(err, cause, minor ? minor : major, detail);
}

/* Fills err from a GSSAPI failure, the cause read from the codes. Returns -1. */
static int gss_fail(neg_error *err, const char *what, OM_uint32 major, OM_uint32 minor)
{
    return gss_fail_as(err, NEG_OK, what, major, minor);
}

/* Restricts SPNEGO to Kerberos, or Kerberos and NTLM when allowed. */
static int limit_mechs(neg_ctx *c, neg_error *err)
{
    gss_OID_desc list[2];
    gss_OID_set_desc set;
    OM_uint32 major, minor;
    list[0] = oid_krb5;
    list[1] = oid_ntlm;
    set.count = c->allow_ntlm ? 2 : 1;
    set.elements = list;
    major = gss_set_neg_mechs(&minor, c->cred, &set);
    if (GSS_ERROR(major))
        return gss_fail(err, "gss_set_neg_mechs", major, minor);
    return 0;
}

/* Acquires credentials: the initiator's from the given credential cache, the acceptor's from the
 * given keytab, or the defaults (KRB5CCNAME, KRB5_KTNAME) when none is named. The initiator
 * speaks SPNEGO. The acceptor also takes plain Kerberos tokens, as Windows' Negotiate does: the
 * Kerberos package sends those, and so does Wine's Negotiate.
 *
 * The keytab is not handed over in a credential store: SPNEGO passes the store on to every
 * mechanism, and gss-ntlmssp 1.2.0 (Debian 12) then makes a credential that crashes
 * gss_accept_sec_context on the client's first NTLM token. It is registered as the Kerberos
 * mechanism's acceptor keytab instead (process-wide: a server has one keytab). */
static int acquire(neg_ctx *c, const char *ccache, const char *keytab, neg_error *err)
{
    gss_OID_desc both[2];
    gss_OID_set_desc mechs = {1, both};
    gss_key_value_element_desc element;
    gss_key_value_set_desc store = {0, &element};
    OM_uint32 major, minor;
    both[0] = oid_spnego;
    both[1] = oid_krb5;
    if (c->server)
        mechs.count = 2;
    if (c->server && keytab && *keytab) {
        major = krb5_gss_register_acceptor_identity(keytab);
        if (GSS_ERROR(major))
            return gss_fail(err, "krb5_gss_register_acceptor_identity", major, 0);
    }
    if (!c->server && ccache && *ccache) {
        element.key = "ccache";
        element.value = ccache;
        store.count = 1;
    }
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs,
                                  c->server ? GSS_C_ACCEPT : GSS_C_INITIATE,
                                  store.count ? &store : GSS_C_NO_CRED_STORE, &c->cred, NULL,
                                  NULL);
    if (GSS_ERROR(major))
        return gss_fail(err, "gss_acquire_cred_from", major, minor);
    return limit_mechs(c, err);
}

static neg_ctx *ctx_alloc(int server, const neg_settings *s)
{
    neg_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->server = server;
    c->allow_ntlm = s->allow_ntlm ? 1 : 0;
    c->cred = GSS_C_NO_CREDENTIAL;
    c->ctx = GSS_C_NO_CONTEXT;
    c->target = GSS_C_NO_NAME;
    c->peer = GSS_C_NO_NAME;
    return c;
}

int neg_client_new(const neg_settings *s, neg_ctx **out, neg_error *err)
{
    char name[NEG_NAME_MAX];
    gss_buffer_desc namebuf;
    OM_uint32 major, minor;
    neg_ctx *c;
    *out = NULL;
    if (!s->host || !*s->host)
        return neg_fail(err, NEG_UNKNOWN_PRINCIPAL, 0, "no server host name to sign on to");
    if (snprintf(name, sizeof name, "%s@%s", s->service ? s->service : NEG_SERVICE_DEFAULT,
                 s->host) >= (int)sizeof name)
        return neg_fail(err, NEG_UNKNOWN_PRINCIPAL, 0, "server host name too long");
    c = ctx_alloc(0, s);
    if (!c)
        return neg_fail(err, NEG_OTHER, 0, "out of memory");
    namebuf.value = name;
    namebuf.length = strlen(name);
    major = gss_import_name(&minor, &namebuf, GSS_C_NT_HOSTBASED_SERVICE, &c->target);
    if (GSS_ERROR(major)) {
        gss_fail(err, "gss_import_name", major, minor);
        goto fail;
    }
    if (acquire(c, s->ccache, NULL, err) != 0)
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
    if (acquire(c, NULL, s->keytab, err) != 0) {
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
    c->cred = holder->cred;
    c->borrowed_cred = 1;
    return c;
}

void neg_free(neg_ctx *c)
{
    OM_uint32 minor;
    if (!c)
        return;
    if (c->ctx != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&minor, &c->ctx, GSS_C_NO_BUFFER);
    if (c->cred != GSS_C_NO_CREDENTIAL && !c->borrowed_cred)
        gss_release_cred(&minor, &c->cred);
    if (c->target != GSS_C_NO_NAME)
        gss_release_name(&minor, &c->target);
    if (c->peer != GSS_C_NO_NAME)
        gss_release_name(&minor, &c->peer);
    free(c);
}

/* Checks what SPNEGO settled on once a side completes. */
static int check_done(neg_ctx *c, OM_uint32 flags, neg_error *err)
{
    if (same_oid(c->mech, &oid_ntlm) && !c->allow_ntlm)
        return neg_fail(err, NEG_NTLM_REFUSED, 0, NULL);
    if (!(flags & GSS_C_INTEG_FLAG))
        return neg_fail(err, NEG_OTHER, 0, "the mechanism gives no integrity (cannot bind)");
    return 0;
}

neg_status neg_step(neg_ctx *c, const uint8_t *in, size_t in_len, buf *out, neg_error *err)
{
    gss_buffer_desc input = {in_len, (void *)in};
    gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
    OM_uint32 major, minor, flags = 0;
    gss_OID mech = GSS_C_NO_OID;
    if (c->state == ST_DONE || c->state == ST_FAILED) {
        neg_fail(err, NEG_BAD_TOKEN, 0, "the exchange is already over");
        return NEG_ERROR;
    }
    if (in_len > NEG_TOKEN_MAX) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_BAD_TOKEN, 0, "token too long");
        return NEG_ERROR;
    }
    if ((c->server || c->state != ST_FRESH) && in_len == 0) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_BAD_TOKEN, 0, "empty token");
        return NEG_ERROR;
    }
    /* A first token is GSS-framed (RFC 2743 3.1: SPNEGO's NegTokenInit and Kerberos start with
     * the tag 0x60) or a bare NTLM message: anything else would reach SPNEGO, which reports
     * some inputs only as an unspecified failure ("Success") instead of a bad token. */
    if (c->server && c->state == ST_FRESH && in[0] != 0x60 &&
        (in_len < 8 || memcmp(in, "NTLMSSP", 8) != 0)) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_BAD_TOKEN, 0, "not a GSS-API or NTLM token");
        return NEG_ERROR;
    }
    if (c->server) {
        major = gss_accept_sec_context(&minor, &c->ctx, c->cred, &input,
                                       GSS_C_NO_CHANNEL_BINDINGS, &c->peer, &mech, &output,
                                       &flags, NULL, NULL);
    } else {
        major = gss_init_sec_context(&minor, c->cred, &c->ctx, c->target, &oid_spnego,
                                     GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
                                     GSS_C_NO_CHANNEL_BINDINGS,
                                     c->state == ST_FRESH ? GSS_C_NO_BUFFER : &input, &mech,
                                     &output, &flags, NULL);
    }
    if (output.length > 0) {
        buf_append(out, output.value, output.length);
        OM_uint32 ignored;
        gss_release_buffer(&ignored, &output);
    }
    if (GSS_ERROR(major)) {
        /* No mechanism in common: between Parley's own sides that means one offered only NTLM
         * and the other does not allow it. */
        int ntlm_refused = GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH &&
                           (c->server ? !c->allow_ntlm : c->allow_ntlm);
        c->state = ST_FAILED;
        gss_fail_as(err, ntlm_refused ? NEG_NTLM_REFUSED : NEG_OK,
                    c->server ? "gss_accept_sec_context" : "gss_init_sec_context", major, minor);
        return NEG_ERROR;
    }
    if (buf_failed(out)) {
        c->state = ST_FAILED;
        neg_fail(err, NEG_OTHER, 0, "out of memory");
        return NEG_ERROR;
    }
    if (major & GSS_S_CONTINUE_NEEDED) {
        c->state = ST_RUNNING;
        return NEG_CONTINUE;
    }
    c->mech = mech;
    if (check_done(c, flags, err) != 0) {
        c->state = ST_FAILED;
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
    if (c->state != ST_DONE)
        return "none";
    if (same_oid(c->mech, &oid_krb5))
        return "kerberos";
    if (same_oid(c->mech, &oid_ntlm))
        return "ntlm";
    return "other";
}

int neg_groups_supported(void)
{
    return 0;
}

int neg_peer_in_group(neg_ctx *c, const char *group, int *member, neg_error *err)
{
    (void)c;
    (void)group;
    *member = 0;
    return neg_fail(err, NEG_UNSUPPORTED, 0,
                    "Windows groups need a Windows server (the client's Windows token); on "
                    "Linux the rule is an allow-list of principals and realms");
}

int neg_peer_name(neg_ctx *c, char *out, size_t cap, neg_error *err)
{
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 major, minor;
    int rc = -1;
    if (cap)
        out[0] = '\0';
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (c->server) {
        name = c->peer;
    } else {
        major = gss_inquire_context(&minor, c->ctx, NULL, &name, NULL, NULL, NULL, NULL, NULL);
        if (GSS_ERROR(major))
            return gss_fail(err, "gss_inquire_context", major, minor);
    }
    major = gss_display_name(&minor, name, &text, NULL);
    if (GSS_ERROR(major)) {
        gss_fail(err, "gss_display_name", major, minor);
        goto done;
    }
    /* Some mechanisms (gss-ntlmssp) count a terminating NUL in the length. */
    while (text.length > 0 && ((const char *)text.value)[text.length - 1] == '\0')
        text.length--;
    if (text.length + 1 > cap || memchr(text.value, '\0', text.length)) {
        neg_fail(err, NEG_OTHER, 0, "principal name too long");
        goto done;
    }
    memcpy(out, text.value, text.length);
    out[text.length] = '\0';
    rc = 0;
done:
    gss_release_buffer(&minor, &text);
    if (!c->server)
        gss_release_name(&minor, &name);
    return rc;
}

int neg_session_key(neg_ctx *c, uint8_t *key, size_t cap, size_t *len, neg_error *err)
{
    gss_buffer_set_t data = GSS_C_NO_BUFFER_SET;
    OM_uint32 major, minor;
    int rc = -1;
    *len = 0;
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    major = gss_inquire_sec_context_by_oid(&minor, c->ctx, GSS_C_INQ_SSPI_SESSION_KEY, &data);
    if (GSS_ERROR(major))
        return gss_fail_as(err, NEG_UNSUPPORTED, "gss_inquire_sec_context_by_oid", major, minor);
    /* The first element is the key; a second one names its encryption type. */
    if (!data || data->count < 1 || data->elements[0].length == 0 ||
        data->elements[0].length > cap) {
        neg_fail(err, NEG_OTHER, 0, "no session key, or a larger one than expected");
        goto done;
    }
    memcpy(key, data->elements[0].value, data->elements[0].length);
    *len = data->elements[0].length;
    rc = 0;
done:
    gss_release_buffer_set(&minor, &data);
    return rc;
}

int neg_bind_make(neg_ctx *c, const uint8_t *hash, size_t hash_len, buf *mic, neg_error *err)
{
    gss_buffer_desc msg = {hash_len, (void *)hash};
    gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
    OM_uint32 major, minor;
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (hash_len == 0 || hash_len > NEG_BIND_MAX)
        return neg_fail(err, NEG_OTHER, 0, "transcript hash of a wrong size");
    major = gss_get_mic(&minor, c->ctx, GSS_C_QOP_DEFAULT, &msg, &token);
    if (GSS_ERROR(major))
        return gss_fail(err, "gss_get_mic", major, minor);
    buf_append(mic, token.value, token.length);
    gss_release_buffer(&minor, &token);
    return buf_failed(mic) ? neg_fail(err, NEG_OTHER, 0, "out of memory") : 0;
}

int neg_bind_check(neg_ctx *c, const uint8_t *hash, size_t hash_len, const uint8_t *mic,
                   size_t mic_len, neg_error *err)
{
    gss_buffer_desc msg = {hash_len, (void *)hash};
    gss_buffer_desc token = {mic_len, (void *)mic};
    OM_uint32 major, minor;
    if (c->state != ST_DONE)
        return neg_fail(err, NEG_OTHER, 0, "sign-on is not complete");
    if (hash_len == 0 || hash_len > NEG_BIND_MAX || mic_len == 0 || mic_len > NEG_BIND_MAX)
        return neg_fail(err, NEG_BINDING_FAILED, 0, "transcript hash or MIC of a wrong size");
    major = gss_verify_mic(&minor, c->ctx, &msg, &token, NULL);
    if (GSS_ERROR(major)) /* whatever the library's reason, the MIC does not bind */
        return gss_fail_as(err, NEG_BINDING_FAILED, "gss_verify_mic", major, minor);
    return 0;
}

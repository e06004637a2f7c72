/* chat_signon.c — Windows sign-on (auth = windows): after the shared key is proven, client and
 * server pass SPNEGO tokens in SIGNON frames until the server's context is complete; the client
 * then proves with a MIC (SIGNON_BIND) that the sign-on was made for this connection, and the
 * server answers with its own. The principal Kerberos names ("alice@PARLEY.TEST") is mapped to
 * an account (signon_map.h), made at the first sign-on with auto_create. The client may tell
 * its user's display name (SIGNON_DISPLAY) before its MIC; an account without one keeps it. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "negotiate.h"
#include "signon_map.h"
#include "sys.h"
#include "uname.h"

struct signon_login {
    neg_ctx *ctx;
    int complete; /* the server's side of the exchange is done */
    int display_seen;                     /* a SIGNON_DISPLAY came (at most one may) */
    char display[USERS_DISPLAY_MAX + 1]; /* its name, normalised; "" = none or not usable */
};

int signon_open(chat *c, char *err, size_t err_size)
{
    char problem[300];
    neg_settings set;
    neg_error e;

    if (c->cfg.auth != AUTH_WINDOWS)
        return 0;
    if (!c->cfg.signon_realms[0]) {
        snprintf(err, err_size, "%s%sauth = windows needs realms in [signon]: the Kerberos realm "
                 "or Windows domain whose users sign on (e.g. realms = CONTOSO.COM, CONTOSO)",
                 c->cfg.config_path, c->cfg.config_path[0] ? ": " : "");
        return -1;
    }
    /* Checked again here: a configuration may come from elsewhere than a file. */
    if (signon_realms_check(c->cfg.signon_realms, problem, sizeof problem) != 0) {
        snprintf(err, err_size, "%s%s%s", c->cfg.config_path, c->cfg.config_path[0] ? ": " : "",
                 problem);
        return -1;
    }
    if ((c->cfg.signon_allow_groups[0] || c->cfg.signon_operator_groups[0] ||
         c->cfg.signon_admin_groups[0]) &&
        !neg_groups_supported()) {
        snprintf(err, err_size, "%s%sallow_groups, operator_groups and admin_groups need a "
                 "Windows server (they are checked on the client's Windows token); here use "
                 "realms and allow", c->cfg.config_path, c->cfg.config_path[0] ? ": " : "");
        return -1;
    }
    memset(&set, 0, sizeof set);
    set.keytab = c->cfg.signon_keytab[0] ? c->cfg.signon_keytab : NULL;
    set.allow_ntlm = c->cfg.signon_allow_ntlm;
    if (neg_server_cred_new(&set, &c->signon_cred, &e) != 0) {
        snprintf(err, err_size, "Windows sign-on: the service's credentials: %s", e.text);
        return -1;
    }
    log_info("Windows sign-on: realms %s; %s%s; accounts %s; NTLM %s", c->cfg.signon_realms,
             c->cfg.signon_allow[0] ? "allowed: " : "everyone of those realms",
             c->cfg.signon_allow, c->cfg.signon_auto_create ? "made at first sign-on"
                                                            : "must exist",
             c->cfg.signon_allow_ntlm ? "allowed" : "refused");
    return 0;
}

void signon_close(chat *c)
{
    neg_server_cred_free(c->signon_cred);
    c->signon_cred = NULL;
}

void signon_session_free(session *s)
{
    if (!s->signon)
        return;
    neg_free(s->signon->ctx);
    free(s->signon);
    s->signon = NULL;
}

/* Ends the sign-on with a plain ERROR; the log gets the address too. */
static void refuse(session *s, uint16_t code, const char *what, const char *detail)
{
    char text[PROTO_NAME_MAX + 1];
    text_printf(text, sizeof text, "%s%s%s", what, detail[0] ? ": " : "", detail);
    log_warn("Windows sign-on from %s refused: %s%s%s", s->addr, what, detail[0] ? ": " : "",
             detail);
    signon_session_free(s);
    session_refuse(s, code, text);
}

/* Ends the sign-on for a security library failure: the client gets the cause in plain words and
 * the library's code (an ERROR's text is short; the client puts "Windows sign-on failed" in
 * front of SIGNON_FAILED itself), the log the library's whole text. what may be "". */
static void refuse_neg(session *s, uint16_t code, const char *what, const neg_error *e)
{
    char text[PROTO_NAME_MAX + 1];
    const char *sep = what[0] ? ": " : "";
    if (e->cause == NEG_OTHER || e->code == 0)
        text_printf(text, sizeof text, "%s%s%s", what, sep, e->text);
    else
        text_printf(text, sizeof text, "%s%s%s (0x%08lX)", what, sep, neg_cause_text(e->cause),
                    (unsigned long)e->code);
    log_warn("Windows sign-on from %s refused: %s%s%s", s->addr, what, sep, e->text);
    signon_session_free(s);
    session_refuse(s, code, text);
}

/* Seals one SIGNON or SIGNON_BIND with the handshake's cipher and queues it. */
static int send_blob(session *s, uint8_t type, const uint8_t *p, size_t n)
{
    buf *out = &s->srv->scratch;
    proto_msg m;

    buf_reset(out);
    memset(&m, 0, sizeof m);
    m.type = type;
    m.blob.p = p;
    m.blob.n = n;
    if (cipher_encode(&s->hs->tx, &m, out) != PROTO_OK)
        return -1;
    net_send(s->conn, out->data, out->len);
    return 0;
}

void signon_begin(session *s)
{
    neg_error e;

    if (!(s->signon = calloc(1, sizeof *s->signon))) {
        session_refuse(s, PC_INTERNAL, "out of memory");
        return;
    }
    if (neg_server_new(s->srv->signon_cred, &s->signon->ctx, &e) != 0) {
        refuse_neg(s, PC_INTERNAL, "the server cannot start a sign-on", &e);
        return;
    }
    if (send_blob(s, PT_SIGNON, NULL, 0) != 0)
        refuse(s, PC_INTERNAL, "could not ask for the sign-on", "");
}

/* A verifier no password matches: accounts made at sign-on have no password. */
static int no_password(scram_verifier *v)
{
    memset(v, 0, sizeof *v);
    v->salt_len = 16;
    v->iterations = SCRAM_ITERATIONS_MIN;
    return crypto_random(v->salt, v->salt_len) == CRYPTO_OK &&
                   crypto_random(v->stored_key, sizeof v->stored_key) == CRYPTO_OK &&
                   crypto_random(v->server_key, sizeof v->server_key) == CRYPTO_OK
               ? 0
               : -1;
}

/* The account of principal (name mapped), made now if auto_create allows. 0 and *info, or -1
 * after refusing. */
static int account_of(session *s, const char *principal, const char *name, user_info *info)
{
    chat *c = s->srv;
    char err[256], text[PROTO_NAME_MAX + 1];
    scram_verifier v;
    int rc;

    if (users_find(c->users, name, info))
        return 0;
    if (!c->cfg.signon_auto_create) {
        text_printf(text, sizeof text, "%s has no account %s here, and accounts are not made at "
                    "sign-on; ask an administrator", principal, name);
        refuse(s, PC_NO_ACCOUNT, text, "");
        return -1;
    }
    rc = no_password(&v);
    if (rc == 0)
        rc = users_add(c->users, name, NULL, (user_role)c->cfg.signon_auto_create_role, &v,
                       sys_wall_ms(), err, sizeof err);
    else
        snprintf(err, sizeof err, "the random generator failed");
    crypto_wipe(&v, sizeof v);
    if (rc != 0 || !users_find(c->users, name, info)) {
        log_error("Windows sign-on: could not make the account %s: %s", name, err);
        refuse(s, PC_INTERNAL, "the account could not be made", "");
        return -1;
    }
    log_info("Windows sign-on: made the account %s (%s) for %s", info->login,
             users_role_name(info->role), principal);
    return 0;
}

/* Whether the client is in one of the groups of list: 1 or 0, or -1 after refusing (a group the
 * server cannot check). */
static int in_any_group(session *s, const char *list)
{
    char group[NEG_NAME_MAX];
    const char *p = list, *word;
    size_t n;
    neg_error e;
    int member;

    while ((n = signon_groups_next(&p, &word)) != 0) {
        snprintf(group, sizeof group, "%.*s", (int)n, word);
        if (neg_peer_in_group(s->signon->ctx, group, &member, &e) != 0) {
            refuse_neg(s, PC_SIGNON_FAILED, "the server cannot check Windows groups", &e);
            return -1;
        }
        if (member)
            return 1;
    }
    return 0;
}

/* Gives the account the display name the client told, if the account has none (its display name
 * is its login name): one an administrator set is never replaced. The name is the client's word,
 * like a nick: who signed on is what Kerberos says. */
static void keep_display(session *s, const user_info *info)
{
    char err[256];

    if (!s->signon->display[0] || strcmp(info->display, info->login) != 0 ||
        strcmp(s->signon->display, info->login) == 0)
        return;
    if (users_set_display(s->srv->users, info->login, s->signon->display, err, sizeof err) != 0)
        log_warn("Windows sign-on: could not keep the display name of %s: %s", info->login,
                 err);
    else
        log_info("Windows sign-on: %s is shown as \"%s\" (the name its client told)",
                 info->login, s->signon->display);
}

/* Windows group rules: 0 and the role the groups give (*role), or -1 after refusing. */
static int group_rules(session *s, const char *principal, user_role *role)
{
    const server_config *cfg = &s->srv->cfg;
    char why[256];
    int in;

    *role = USER_ROLE_USER;
    if (cfg->signon_allow_groups[0]) {
        if ((in = in_any_group(s, cfg->signon_allow_groups)) < 0)
            return -1;
        if (!in) {
            snprintf(why, sizeof why, "%s is not in an allowed group", principal);
            refuse(s, PC_SIGNON_REFUSED, why, "");
            return -1;
        }
    }
    if (cfg->signon_admin_groups[0]) {
        if ((in = in_any_group(s, cfg->signon_admin_groups)) < 0)
            return -1;
        if (in) {
            *role = USER_ROLE_ADMIN;
            return 0;
        }
    }
    if (cfg->signon_operator_groups[0]) {
        if ((in = in_any_group(s, cfg->signon_operator_groups)) < 0)
            return -1;
        if (in)
            *role = USER_ROLE_OPERATOR;
    }
    return 0;
}

/* The sign-on is complete and bound: who is it, and may they in? */
static void admit(session *s)
{
    chat *c = s->srv;
    char principal[NEG_NAME_MAX], name[PROTO_NICK_MAX + 1], why[256], err[256];
    uint8_t bind[HS_KEY_SIZE];
    neg_error e;
    user_info info;
    user_role group_role;
    proto_msg proof;
    buf mic;
    int rc;

    if (neg_peer_name(s->signon->ctx, principal, sizeof principal, &e) != 0) {
        refuse_neg(s, PC_SIGNON_FAILED, "the server cannot tell who signed on", &e);
        return;
    }
    if (signon_map_name(principal, c->cfg.signon_realms, name, sizeof name, why, sizeof why) !=
        SIGNON_MAP_OK) {
        refuse(s, PC_SIGNON_REFUSED, why, "");
        return;
    }
    if (!neg_principal_allowed(principal, c->cfg.signon_allow)) {
        snprintf(why, sizeof why, "%s is not in this server's allow list", principal);
        refuse(s, PC_SIGNON_REFUSED, why, "");
        return;
    }
    if (group_rules(s, principal, &group_role) != 0)
        return;
    if (account_of(s, principal, name, &info) != 0)
        return;
    if (info.disabled) {
        snprintf(why, sizeof why, "the account %s is disabled", info.login);
        crypto_wipe(&info, sizeof info); /* its verifier, if it has a password too */
        refuse(s, PC_SIGNON_REFUSED, why, "");
        return;
    }
    /* The server's own MIC: the client learns the server completed this sign-on here. */
    buf_init(&mic);
    rc = hs_binding(s->hs->auth, bind) == PROTO_OK &&
                 neg_bind_make(s->signon->ctx, bind, sizeof bind, &mic, &e) == 0 &&
                 !buf_failed(&mic)
             ? send_blob(s, PT_SIGNON_BIND, mic.data, mic.len)
             : -1;
    buf_free(&mic);
    if (rc != 0) {
        crypto_wipe(&info, sizeof info);
        refuse(s, PC_INTERNAL, "could not bind the sign-on to this connection", "");
        return;
    }
    keep_display(s, &info);
    /* A group's role counts for this session, on top of the account's own. */
    if (group_role > info.role)
        info.role = group_role;
    log_info("%s signed on from %s as %s (%s, %s)", principal, s->addr, info.login,
             neg_mechanism(s->signon->ctx), users_role_name(info.role));
    signon_session_free(s);
    s->login_ok = 1;
    s->oper = info.role >= USER_ROLE_OPERATOR;
    s->admin = info.role == USER_ROLE_ADMIN;
    if (users_touch(c->users, info.login, sys_wall_ms(), err, sizeof err) != 0)
        log_warn("accounts: %s", err);
    memset(&proof, 0, sizeof proof);
    proof.type = PT_PROOF;
    proof.nick = proto_s(info.login);
    session_welcome(s, &proof);
    crypto_wipe(&info, sizeof info);
}

static void on_token(session *s, const proto_msg *m)
{
    buf *reply = &s->srv->entries; /* free between frames; scratch carries the sealed frame */
    neg_error e;
    neg_status st;

    if (s->signon->complete || m->blob.n == 0) {
        refuse(s, PC_PROTOCOL, "a sign-on token out of order", "");
        return;
    }
    buf_reset(reply);
    st = neg_step(s->signon->ctx, m->blob.p, m->blob.n, reply, &e);
    if (st == NEG_ERROR) {
        refuse_neg(s, PC_SIGNON_FAILED, "", &e);
        return;
    }
    if (reply->len && send_blob(s, PT_SIGNON, reply->data, reply->len) != 0) {
        refuse(s, PC_INTERNAL, "could not answer the sign-on token", "");
        return;
    }
    s->signon->complete = st == NEG_COMPLETE;
}

/* The user's display name, between the client's last token and its MIC. A name that cannot be a
 * display name is logged and left out: it is no reason to refuse someone Kerberos vouched for. */
static void on_display(session *s, const proto_msg *m)
{
    char why[160];

    if (!s->signon->complete || s->signon->display_seen) {
        refuse(s, PC_PROTOCOL, "a display name out of order", "");
        return;
    }
    s->signon->display_seen = 1;
    if (m->display.n && uname_prepare(m->display.p, m->display.n, UNAME_DISPLAY,
                                      s->signon->display, sizeof s->signon->display, why,
                                      sizeof why) != 0) {
        s->signon->display[0] = '\0';
        log_warn("Windows sign-on from %s: the display name it told is not used: %s", s->addr,
                 why);
    }
}

static void on_binding(session *s, const proto_msg *m)
{
    uint8_t bind[HS_KEY_SIZE];
    neg_error e;

    if (!s->signon->complete) {
        refuse(s, PC_PROTOCOL, "a sign-on binding before the sign-on was complete", "");
        return;
    }
    if (hs_binding(s->hs->auth, bind) != PROTO_OK) {
        refuse(s, PC_INTERNAL, "key derivation failed", "");
        return;
    }
    if (neg_bind_check(s->signon->ctx, bind, sizeof bind, m->blob.p, m->blob.n, &e) != 0) {
        refuse_neg(s, PC_SIGNON_FAILED, "the sign-on does not belong to this connection", &e);
        return;
    }
    admit(s);
}

void signon_on_frame(session *s, proto_frame *f)
{
    proto_msg m;

    if (cipher_decode(&s->hs->rx, f, &m) != PROTO_OK ||
        (m.type != PT_SIGNON && m.type != PT_SIGNON_BIND && m.type != PT_SIGNON_DISPLAY)) {
        refuse(s, PC_PROTOCOL, "a frame other than SIGNON, or one that does not open", "");
        return;
    }
    if (m.type == PT_SIGNON)
        on_token(s, &m);
    else if (m.type == PT_SIGNON_DISPLAY)
        on_display(s, &m);
    else
        on_binding(s, &m);
}

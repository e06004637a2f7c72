/* chat_account_edit.c — account changes that carry a new SCRAM verifier, computed by the client
 * (never a password): an admin adds an account or sets another account's password
 * (ACCOUNT_ADD, ACCOUNT_PASSWD), and an account changes its own password after proving the
 * current one with a SCRAM exchange bound to this connection (PASSWORD). */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "sys.h"
#include "uname.h"

void accounts_live_free(session *s)
{
    if (!s->account)
        return;
    if (s->account->change) {
        scram_server_wipe(s->account->change);
        free(s->account->change);
    }
    crypto_wipe(s->account, sizeof *s->account);
    free(s->account);
    s->account = NULL;
}

int accounts_require_admin(session *s)
{
    if (!s->srv->users) {
        session_error(s, PC_NO_ACCOUNTS, "this server does not use accounts (auth = key)");
        return 0;
    }
    if (!s->admin) {
        session_error(s, PC_NOT_OPERATOR, "only admin accounts may manage accounts");
        return 0;
    }
    return 1;
}

/* Reads the verifier in text; 0, or -1 after answering BAD_VERIFIER. */
static int take_verifier(session *s, proto_str text, scram_verifier *v)
{
    int rc = scram_verifier_parse(text.p, text.n, v);
    if (rc == SCRAM_OK)
        return 0;
    crypto_wipe(v, sizeof *v);
    if (rc == SCRAM_EPOLICY)
        session_error(s, PC_BAD_VERIFIER,
                      "the verifier's salt must have at least %u bytes and its iterations be "
                      "from %u to %u", SCRAM_SALT_MIN, SCRAM_ITERATIONS_MIN,
                      SCRAM_ITERATIONS_MAX);
    else
        session_error(s, PC_BAD_VERIFIER, "not a verifier: expected "
                      "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>");
    return -1;
}

void accounts_on_add(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char login[PROTO_NICK_MAX + 1], display[PROTO_DISPLAY_MAX + 1], role_name[17], err[256];
    char norm_login[USERS_LOGIN_MAX + 1], norm_display[USERS_DISPLAY_MAX + 1], why[160];
    user_role role = USER_ROLE_USER;
    user_info clash;
    scram_verifier v;
    int rc;

    if (!accounts_require_admin(s))
        return;
    proto_str_copy(login, sizeof login, m->nick);
    proto_str_copy(display, sizeof display, m->display);
    proto_str_copy(role_name, sizeof role_name, m->target);
    if (role_name[0] && users_role_parse(role_name, &role) != 0) {
        session_error(s, PC_BAD_TEXT, "unknown role %s: use user, operator or admin", role_name);
        return;
    }
    if (uname_prepare(login, strlen(login), UNAME_NICK, norm_login, sizeof norm_login, why, sizeof why) !=
        0) {
        session_error(s, PC_BAD_NICK, "that login name is not allowed: %s", why);
        return;
    }
    if (display[0] &&
        uname_prepare(display, strlen(display), UNAME_DISPLAY, norm_display,
                      sizeof norm_display, why, sizeof why) != 0) {
        session_error(s, PC_BAD_TEXT, "that display name is not allowed: %s", why);
        return;
    }
    if (users_find(c->users, login, &clash)) {
        session_error(s, PC_NICK_TAKEN, "'%s' is taken: it is the same name as the account '%s'",
                      login, clash.login);
        crypto_wipe(&clash, sizeof clash);
        return;
    }
    if (take_verifier(s, m->text, &v) != 0)
        return;
    rc = users_add(c->users, login, display, role, &v, sys_wall_ms(), err, sizeof err);
    crypto_wipe(&v, sizeof v);
    if (rc != 0) {
        log_error("%s: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the account store could not be changed");
        return;
    }
    log_info("%s (admin) added account %s (%s)", s->nick, login, users_role_name(role));
    text_printf(err, sizeof err, "account %s: add done", login);
    session_notice(s, err);
}

void accounts_on_set_verifier(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char name[PROTO_NICK_MAX + 1], err[256];
    user_info info;
    scram_verifier v;
    int rc;

    if (!accounts_require_admin(s))
        return;
    proto_str_copy(name, sizeof name, m->nick);
    if (!users_find(c->users, name, &info)) {
        session_error(s, PC_NOT_FOUND, "no account called %s", name);
        return;
    }
    /* An open session alone must not be enough to change its own password: that needs the
     * current one (PASSWORD). */
    if (uname_same(info.login, s->nick)) {
        crypto_wipe(&info, sizeof info);
        session_error(s, PC_NOT_OPERATOR,
                      "your own password is changed with your current one (PASSWORD)");
        return;
    }
    if (take_verifier(s, m->text, &v) != 0) {
        crypto_wipe(&info, sizeof info);
        return;
    }
    rc = users_set_verifier(c->users, info.login, &v, err, sizeof err);
    crypto_wipe(&v, sizeof v);
    if (rc != 0) {
        crypto_wipe(&info, sizeof info);
        log_error("%s: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the account store could not be changed");
        return;
    }
    /* Sessions already open stay: they proved the password that was right then. */
    log_info("%s (admin) set a new password for account %s", s->nick, info.login);
    text_printf(err, sizeof err, "account %s: passwd done", info.login);
    crypto_wipe(&info, sizeof info);
    session_notice(s, err);
}

static void send_password(session *s, const char *text)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_PASSWORD;
    m.text = proto_s(text);
    session_send(s, &m);
}

/* Ends a change under way with an ERROR. */
static void change_refused(session *s, uint16_t code, const char *why)
{
    if (s->account && s->account->change) {
        scram_server_wipe(s->account->change);
        free(s->account->change);
        s->account->change = NULL;
    }
    session_error(s, code, "%s", why);
}

/* client-first: the account's real salt and iterations come back in server-first. */
static void change_start(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    account_live *a = s->account;
    char user[SCRAM_USER_MAX + 1], reply[SCRAM_MSG_MAX];
    scram_binding b;
    user_info info;
    int rc;

    if (m->target.n) {
        change_refused(s, PC_BAD_TEXT, "the first PASSWORD carries no verifier");
        return;
    }
    if (accounts_locked_out(s, s->nick)) {
        log_warn("password change for '%s' from %s refused unchecked: too many failures",
                 s->nick, s->addr);
        change_refused(s, PC_BAD_PASSWORD, "wrong password");
        return;
    }
    if (!users_find(c->users, s->nick, &info)) {
        change_refused(s, PC_NOT_FOUND, "your account no longer exists");
        return;
    }
    if (!(a->change = calloc(1, sizeof *a->change))) {
        crypto_wipe(&info, sizeof info);
        change_refused(s, PC_UNAVAILABLE, "out of memory");
        return;
    }
    b.name = HS_BINDING_NAME;
    b.data = a->binding;
    b.len = sizeof a->binding;
    rc = scram_server_start(a->change, m->text.p, m->text.n, &b, user, sizeof user);
    if (rc == SCRAM_OK && !uname_same(user, s->nick))
        rc = SCRAM_EPARSE;
    if (rc == SCRAM_OK)
        rc = scram_server_first(a->change, &info.verifier, NULL, reply, sizeof reply);
    crypto_wipe(&info, sizeof info);
    if (rc != SCRAM_OK) {
        change_refused(s, PC_BAD_TEXT,
                       "not a client-first for your own account, bound to this connection");
        return;
    }
    send_password(s, reply);
}

/* client-final and the new verifier: the proof first, then the change, then server-final. */
static void change_finish(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    account_live *a = s->account;
    char reply[SCRAM_MSG_MAX], err[256];
    scram_verifier v;
    int rc = scram_server_final(a->change, m->text.p, m->text.n, reply, sizeof reply);

    if (rc != SCRAM_OK) {
        if (rc == SCRAM_EPROOF || rc == SCRAM_EBIND) {
            accounts_count_failure(s, s->nick);
            log_warn("password change for '%s' from %s: wrong current password", s->nick,
                     s->addr);
            change_refused(s, PC_BAD_PASSWORD, "wrong password: your password is unchanged");
        } else {
            change_refused(s, PC_BAD_TEXT, "not a client-final");
        }
        return;
    }
    if (scram_verifier_parse(m->target.p, m->target.n, &v) != SCRAM_OK) {
        crypto_wipe(&v, sizeof v);
        change_refused(s, PC_BAD_VERIFIER, "the new verifier is malformed or outside the "
                                           "server's policy; your password is unchanged");
        return;
    }
    rc = users_set_verifier(c->users, s->nick, &v, err, sizeof err);
    crypto_wipe(&v, sizeof v);
    if (rc != 0) {
        log_error("password change for %s: %s", s->nick, err);
        change_refused(s, PC_UNAVAILABLE, "the account store could not be changed");
        return;
    }
    scram_server_wipe(a->change);
    free(a->change);
    a->change = NULL;
    log_info("%s changed the account's password (from %s)", s->nick, s->addr);
    send_password(s, reply);
}

void accounts_on_password(session *s, const proto_msg *m)
{
    if (!s->srv->users) {
        session_error(s, PC_NO_ACCOUNTS, "this server does not use accounts (auth = key)");
        return;
    }
    if (!s->account) {
        session_error(s, PC_NOT_FOUND, "this session is not logged in to an account");
        return;
    }
    if (s->account->change)
        change_finish(s, m);
    else
        change_start(s, m);
}

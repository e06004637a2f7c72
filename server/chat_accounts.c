/* chat_accounts.c — account logins (auth = accounts): after the shared key is proven, the
 * server asks for the account's password with LOGIN frames carrying SCRAM-SHA-256 (scram.h),
 * bound to this connection (hs_binding). A wrong password, an unknown name and a disabled
 * account get the same refusal after the same work; failures are counted per name and per
 * address and, past a limit, refused at once. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "sys.h"
#include "uname.h"
#include "user_admin.h"

/* Failed logins allowed per name and per address within the window before further attempts
 * are refused without a check; and how many names and addresses are tracked at most. */
#define FAIL_LIMIT 10u
#define FAIL_WINDOW_MS 60000u
#define FAIL_TRACK_MAX 10000u

#define REFUSAL "wrong user name or password"

struct account_login {
    scram_server scram;
    int step;                             /* LOGIN frames received */
    char name[PROTO_NICK_MAX + 1];        /* as asked for in PROOF */
    user_info info;                       /* the account, if usable */
    int usable;
};

typedef struct fail_count {
    uint32_t count;
    uint64_t since_ms; /* monotonic start of the window */
} fail_count;

int accounts_open(chat *c, char *err, size_t err_size)
{
    journal_recovery rec;
    int busy = 0;

    strmap_init(&c->login_failures);
    if (c->cfg.auth == AUTH_KEY) /* the store serves accounts and Windows sign-on alike */
        return 0;
    memset(&rec, 0, sizeof rec);
    c->users = users_open(c->cfg.data_dir, &rec, &busy, err, err_size);
    if (!c->users)
        return -1;
    if (rec.cut_bytes)
        log_warn("users journal: cut %llu bytes at its end (%s)",
                 (unsigned long long)rec.cut_bytes, rec.reason);
    if (crypto_random(c->decoy_key, sizeof c->decoy_key) != CRYPTO_OK) {
        snprintf(err, err_size, "the random generator failed");
        return -1;
    }
    c->decoy_iterations = users_typical_iterations(c->users, USER_ADMIN_ITERATIONS_DEFAULT);
    log_info("accounts: %zu (auth = %s)", users_count(c->users),
             c->cfg.auth == AUTH_WINDOWS ? "windows" : "accounts");
    return 0;
}

static void forget_failures(chat *c)
{
    size_t pos = 0;
    const char *key;
    void *value;
    while (strmap_next(&c->login_failures, &pos, &key, &value))
        free(value);
    strmap_free(&c->login_failures);
    strmap_init(&c->login_failures);
}

void accounts_close(chat *c)
{
    forget_failures(c);
    strmap_free(&c->login_failures);
    users_close(c->users);
    c->users = NULL;
    crypto_wipe(c->decoy_key, sizeof c->decoy_key);
}

void accounts_session_free(session *s)
{
    if (!s->login)
        return;
    scram_server_wipe(&s->login->scram);
    crypto_wipe(s->login, sizeof *s->login);
    free(s->login);
    s->login = NULL;
}

/* The failure counter for key ("n:" + name key, or "a:" + address), NULL if not tracked. */
static fail_count *failures_of(chat *c, const char *key)
{
    return strmap_get(&c->login_failures, key);
}

/* 1 if key has failed FAIL_LIMIT times within the window. */
static int over_limit(chat *c, const char *key, uint64_t now)
{
    fail_count *f = failures_of(c, key);
    return f && now - f->since_ms < FAIL_WINDOW_MS && f->count >= FAIL_LIMIT;
}

static void count_failure(chat *c, const char *key, uint64_t now)
{
    fail_count *f = failures_of(c, key);
    if (!f) {
        /* A flood of names or addresses must not grow this without bound: start over. */
        if (c->login_failures.count >= FAIL_TRACK_MAX)
            forget_failures(c);
        if (!(f = calloc(1, sizeof *f)) || strmap_put(&c->login_failures, key, f) != 0) {
            free(f);
            return;
        }
    }
    if (now - f->since_ms >= FAIL_WINDOW_MS) {
        f->count = 0;
        f->since_ms = now;
    }
    f->count++;
}

/* The two counter keys of a login attempt. */
static void failure_keys(const session *s, const char *name, char *by_name, size_t n1,
                         char *by_addr, size_t n2)
{
    char key[UNAME_KEY_CAP(PROTO_NICK_MAX)];
    if (uname_key(name, strlen(name), key, sizeof key) != 0)
        snprintf(key, sizeof key, "%s", name);
    snprintf(by_name, n1, "n:%s", key);
    snprintf(by_addr, n2, "a:%s", s->addr);
}

int accounts_locked_out(session *s, const char *name)
{
    char by_name[UNAME_KEY_CAP(PROTO_NICK_MAX) + 4], by_addr[72];
    uint64_t now = sys_mono_ms();

    failure_keys(s, name, by_name, sizeof by_name, by_addr, sizeof by_addr);
    return over_limit(s->srv, by_name, now) || over_limit(s->srv, by_addr, now);
}

void accounts_count_failure(session *s, const char *name)
{
    char by_name[UNAME_KEY_CAP(PROTO_NICK_MAX) + 4], by_addr[72];
    uint64_t now = sys_mono_ms();

    failure_keys(s, name, by_name, sizeof by_name, by_addr, sizeof by_addr);
    count_failure(s->srv, by_name, now);
    count_failure(s->srv, by_addr, now);
}

static void login_failed(session *s, const char *why)
{
    accounts_count_failure(s, s->login->name);
    log_warn("failed login as '%s' from %s: %s", s->login->name, s->addr, why);
    accounts_session_free(s);
    session_refuse(s, PC_BAD_PASSWORD, REFUSAL);
}

/* Seals one LOGIN with the handshake's cipher and queues it. */
static int send_login(session *s, const char *text)
{
    buf *out = &s->srv->scratch;
    proto_msg m;

    buf_reset(out);
    memset(&m, 0, sizeof m);
    m.type = PT_LOGIN;
    m.text = proto_s(text);
    if (cipher_encode(&s->hs->tx, &m, out) != PROTO_OK)
        return -1;
    net_send(s->conn, out->data, out->len);
    return 0;
}

void accounts_begin(session *s, const proto_msg *proof)
{
    if (!(s->login = calloc(1, sizeof *s->login))) {
        session_refuse(s, PC_INTERNAL, "out of memory");
        return;
    }
    proto_str_copy(s->login->name, sizeof s->login->name, proof->nick);
    if (accounts_locked_out(s, s->login->name)) {
        /* The same answer as any failure; only the log says why. */
        login_failed(s, "too many failed logins for this name or address; refused unchecked");
        return;
    }
    if (send_login(s, "") != 0) {
        accounts_session_free(s);
        session_refuse(s, PC_INTERNAL, "could not ask for the password");
    }
}

/* client-first: look the name up and answer with server-first. Unknown names and disabled
 * accounts get a decoy verifier (always computed, so every path does the same work). */
static void on_client_first(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    struct account_login *l = s->login;
    uint8_t bind[HS_KEY_SIZE];
    scram_binding b;
    scram_verifier v, decoy;
    char user[SCRAM_USER_MAX + 1], reply[SCRAM_MSG_MAX];
    int found;

    if (hs_binding(s->hs->auth, bind) != PROTO_OK) {
        login_failed(s, "key derivation failed");
        return;
    }
    b.name = HS_BINDING_NAME;
    b.data = bind;
    b.len = sizeof bind;
    if (scram_server_start(&l->scram, m->text.p, m->text.n, &b, user, sizeof user) !=
        SCRAM_OK) {
        login_failed(s, "malformed or unbound client-first");
        return;
    }
    if (!uname_same(user, l->name)) {
        login_failed(s, "the login names another account than the nick asked for");
        return;
    }
    if (scram_verifier_decoy(c->decoy_key, user, strlen(user), c->decoy_iterations, &decoy) !=
        SCRAM_OK) {
        login_failed(s, "the crypto provider failed");
        return;
    }
    found = users_find(c->users, user, &l->info);
    l->usable = found && !l->info.disabled;
    if (found) {
        v = l->info.verifier; /* the real salt, even when disabled: nothing to tell apart */
        v.decoy = l->info.disabled;
    } else {
        v = decoy;
    }
    if (scram_server_first(&l->scram, &v, NULL, reply, sizeof reply) != SCRAM_OK ||
        send_login(s, reply) != 0)
        login_failed(s, "could not answer the client-first");
    crypto_wipe(&v, sizeof v);
    crypto_wipe(&decoy, sizeof decoy);
}

static void on_client_final(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    struct account_login *l = s->login;
    char reply[SCRAM_MSG_MAX], err[256];
    proto_msg proof;
    user_info info;
    int rc = scram_server_final(&l->scram, m->text.p, m->text.n, reply, sizeof reply);

    if (rc != SCRAM_OK || !l->usable) {
        login_failed(s, rc == SCRAM_EBIND ? "proof bound to another connection"
                        : rc == SCRAM_OK || rc == SCRAM_EPROOF
                            ? "wrong password, unknown name or disabled account"
                            : "malformed client-final");
        return;
    }
    /* Kept for PASSWORD: a change of password later proves the current one bound to this
     * connection too. hs (and its k_auth) is gone after the welcome. */
    if (!(s->account = calloc(1, sizeof *s->account)) ||
        hs_binding(s->hs->auth, s->account->binding) != PROTO_OK) {
        accounts_session_free(s);
        session_refuse(s, PC_INTERNAL, "out of memory or key derivation failed");
        return;
    }
    if (send_login(s, reply) != 0) {
        login_failed(s, "could not send the server's proof");
        return;
    }
    info = l->info;
    accounts_session_free(s);
    s->login_ok = 1;
    session_set_role(s, info.role);
    if (users_touch(c->users, info.login, sys_wall_ms(), err, sizeof err) != 0)
        log_warn("accounts: %s", err);
    log_info("%s logged in from %s (%s)", info.login, s->addr, users_role_name(info.role));
    memset(&proof, 0, sizeof proof);
    proof.type = PT_PROOF;
    proof.nick = proto_s(info.login); /* the account's own spelling is the nick */
    session_welcome(s, &proof);
    crypto_wipe(&info, sizeof info);
}

void accounts_on_frame(session *s, proto_frame *f)
{
    proto_msg m;

    if (cipher_decode(&s->hs->rx, f, &m) != PROTO_OK || m.type != PT_LOGIN) {
        login_failed(s, "a frame other than LOGIN, or one that does not open");
        return;
    }
    if (s->login->step++ == 0)
        on_client_first(s, &m);
    else
        on_client_final(s, &m);
}

void session_set_role(session *s, user_role role)
{
    s->oper = role == USER_ROLE_OPERATOR || role == USER_ROLE_ADMIN;
    s->admin = role == USER_ROLE_ADMIN;
    s->alerter = (uint8_t)users_role_alerts(role);
    s->alert_only = role == USER_ROLE_ALERT;
}

void accounts_on_admin(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char name[PROTO_NICK_MAX + 1], action[17], err[256], text[PROTO_NAME_MAX + 1];
    user_info info;
    user_role role = USER_ROLE_USER;
    session *t;
    int rc, ends = 0;

    if (!c->users || !s->admin) {
        session_error(s, PC_NOT_OPERATOR, "only admin accounts may manage accounts");
        return;
    }
    proto_str_copy(name, sizeof name, m->nick);
    proto_str_copy(action, sizeof action, m->target);
    if (!users_find(c->users, name, &info)) {
        session_error(s, PC_NOT_FOUND, "no account called %s", name);
        return;
    }
    if (strcmp(action, "disable") == 0) {
        rc = users_set_disabled(c->users, info.login, 1, err, sizeof err);
        ends = 1;
    } else if (strcmp(action, "enable") == 0) {
        rc = users_set_disabled(c->users, info.login, 0, err, sizeof err);
    } else if (strcmp(action, "delete") == 0) {
        rc = users_delete(c->users, info.login, err, sizeof err);
        ends = 1;
    } else if (users_role_parse(action, &role) == 0) {
        rc = users_set_role(c->users, info.login, role, err, sizeof err);
    } else {
        session_error(s, PC_BAD_TEXT,
                      "unknown action %s: use disable, enable, delete, user, operator, admin "
                      "or alert",
                      action);
        return;
    }
    if (rc != 0) {
        log_error("%s: %s", s->nick, err);
        session_error(s, PC_INTERNAL, "the account store could not be changed");
        return;
    }
    log_info("%s (admin) did %s on account %s", s->nick, action, info.login);
    if (strcmp(action, "delete") == 0)
        privs_forget(c, info.login); /* a new account of the name must not inherit them */
    /* Every session of the account. */
    for (t = account_sessions_first(c, info.login); t;) {
        session *next = account_sessions_next(t);
        if (ends) {
            text_printf(text, sizeof text, "your account was %sd by %s", action, s->nick);
            rooms_leave_all(t, MEMBER_QUIT, action);
            session_bye(t, PC_KICKED, text);
        } else if (strcmp(action, "enable") != 0) {
            session_set_role(t, role); /* the new role counts at once */
        }
        t = next;
    }
    text_printf(text, sizeof text, "account %s: %s done", info.login, action);
    session_notice(s, text);
}

/* server_fixture.c — in-process server and client helpers for integration tests. */
#include "server_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "log.h"
#include "sock.h"
#include "sys.h"
#include "test.h"

void test_server_clean(const char *dir)
{
    static const char *const files[] = {"history.journal", "history.journal.tmp",
                                        "history.journal.corrupt", "bans.journal",
                                        "bans.journal.tmp", "bans.journal.corrupt",
                                        "secret.key", "server.salt", "parley-server.log",
                                        "ids.mark", "ids.mark.tmp",
                                        "users.journal", "users.journal.tmp",
                                        "users.journal.corrupt", "users.lock",
                                        "private.journal", "private.journal.tmp",
                                        "private.journal.corrupt", "alerts.journal",
                                        "alerts.journal.corrupt"};
    char path[600];
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        if (fsys_path_join(path, sizeof path, dir, files[i]) == 0 && fsys_exists(path))
            fsys_remove(path);
    if (fsys_exists(dir))
        fsys_rmdir(dir, NULL, 0);
}

void test_server_config(server_config *cfg, const char *name)
{
    server_config_defaults(cfg);
    snprintf(cfg->bind, sizeof cfg->bind, "127.0.0.1");
    cfg->port = 0;
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "srv-%s", name);
    test_server_clean(cfg->data_dir);
    snprintf(cfg->secret, sizeof cfg->secret, "%s", TEST_SECRET);
    cfg->iterations = 1000;
    cfg->ciphers[0] = PROTO_CIPHER_AES256GCM;
    cfg->ciphers[1] = PROTO_CIPHER_XOR;
    cfg->nciphers = 2;
    cfg->rate_per_sec = 1000;
    cfg->rate_burst = 1000;
    /* Tests connect in quick succession from 127.0.0.1; the tests of the connect rate lower
     * this again. */
    cfg->connect_rate = 100000;
    cfg->connect_burst = 100000;
    cfg->shutdown_deadline_ms = 2000;
    cfg->workers = 2;
    cfg->log_level = LOG_WARN;
}

static void run_engine(void *arg)
{
    test_server *ts = arg;
    ts->run_result = net_engine_run(ts->engine);
}

int test_server_start(test_server *ts, const server_config *cfg)
{
    net_options opt;
    net_handlers h;
    char err[512];

    memset(ts, 0, sizeof *ts);
    ts->cfg = *cfg;
    log_set_level((log_level)cfg->log_level);
    if (fsys_mkdirs(cfg->data_dir, err, sizeof err) != 0) {
        test_failf_at(__FILE__, __LINE__, "data dir: %s", err);
        return -1;
    }
    ts->core = chat_create(cfg, err, sizeof err);
    if (!ts->core) {
        test_failf_at(__FILE__, __LINE__, "chat_create: %s", err);
        return -1;
    }
    memset(&opt, 0, sizeof opt);
    opt.bind_addr = cfg->bind;
    opt.port = cfg->port;
    opt.workers = cfg->workers;
    opt.tick_ms = 50; /* quick timers keep timeout tests short */
    chat_handlers(ts->core, &h);
    ts->engine = net_engine_create(&opt, &h, err, sizeof err);
    if (!ts->engine) {
        test_failf_at(__FILE__, __LINE__, "net_engine_create: %s", err);
        chat_destroy(ts->core);
        ts->core = NULL;
        return -1;
    }
    chat_attach(ts->core, ts->engine);
    ts->port = net_engine_port(ts->engine);
    ts->thread = thread_start(run_engine, ts);
    if (!ts->thread) {
        test_failf_at(__FILE__, __LINE__, "thread_start failed");
        chat_destroy(ts->core); /* first: its journal writer may wake the engine */
        net_engine_destroy(ts->engine);
        ts->engine = NULL;
        ts->core = NULL;
        return -1;
    }
    return 0;
}

void test_server_stop(test_server *ts)
{
    if (!ts->engine)
        return;
    net_engine_stop(ts->engine);
    thread_join(ts->thread);
    chat_destroy(ts->core); /* first: its journal writer may wake the engine */
    net_engine_destroy(ts->engine);
    ts->engine = NULL;
    ts->core = NULL;
    CHECK_EQ_INT(ts->run_result, 0);
}

static void client_options(const test_server *ts, pc_options *o, const char *nick,
                           const char *secret, const uint8_t *ciphers, size_t nciphers)
{
    pc_options_init(o);
    o->host = "127.0.0.1";
    o->port = ts->port;
    o->secret = secret;
    o->secret_len = strlen(secret);
    o->nick = nick;
    o->ciphers = ciphers;
    o->nciphers = nciphers;
    o->connect_timeout_ms = 5000;
}

pc_conn *test_connect(const test_server *ts, const char *nick, const uint8_t *ciphers,
                      size_t nciphers)
{
    pc_options o;
    char err[256];
    int code = 0;
    pc_conn *c;

    client_options(ts, &o, nick, TEST_SECRET, ciphers, nciphers);
    c = pc_connect(&o, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "connect as %s: %s (code %d)", nick, err, code);
    return c;
}

int test_add_account(const char *data_dir, const char *login, const char *password,
                     user_role role, int disabled)
{
    char err[256];
    scram_verifier v;
    uint8_t salt[16];
    users *u = users_open(data_dir, NULL, NULL, err, sizeof err);
    int rc = -1;

    memset(salt, login[0], sizeof salt);
    if (!u)
        goto done;
    if (scram_verifier_make(password, strlen(password), salt, sizeof salt, SCRAM_ITERATIONS_MIN,
                            &v) != SCRAM_OK) {
        snprintf(err, sizeof err, "scram_verifier_make failed");
        goto done;
    }
    if (users_add(u, login, NULL, role, &v, 1, err, sizeof err) != 0 ||
        users_set_disabled(u, login, disabled, err, sizeof err) != 0)
        goto done;
    rc = 0;
done:
    if (rc != 0)
        test_failf_at(__FILE__, __LINE__, "account %s: %s", login, err);
    users_close(u);
    return rc;
}

/* The verifier a tool computes from a password, as text for ACCOUNT_ADD / ACCOUNT_PASSWD. */
void test_verifier_text(const char *password, char *out, size_t cap)
{
    static const uint8_t salt[16] = {7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    scram_verifier v;
    REQUIRE(scram_verifier_make(password, strlen(password), salt, sizeof salt,
                                SCRAM_ITERATIONS_MIN, &v) == SCRAM_OK);
    REQUIRE(scram_verifier_format(&v, out, cap) == SCRAM_OK);
}

/* Sends an ACCOUNT_ADD or ACCOUNT_PASSWD and returns the answer: 0 for the NOTICE (its text in
 * note), else the ERROR's code. */
int test_account_request(pc_conn *c, uint8_t type, const char *name, const char *role,
                           const char *display, const char *verifier, char *note, size_t cap)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.nick = proto_s(name);
    m.target = proto_s(role ? role : "");
    m.display = proto_s(display ? display : "");
    m.text = proto_s(verifier);
    if (pc_send(c, &m) != 0)
        return -1;
    for (;;) {
        if (pc_recv(c, &m, 5000u) != 1)
            return -1;
        if (m.type == PT_ERROR) {
            proto_str_copy(note, cap, m.text);
            return m.code;
        }
        if (m.type == PT_NOTICE && m.nick.n == 0) {
            proto_str_copy(note, cap, m.text);
            return 0;
        }
    }
}

pc_conn *test_login(const test_server *ts, const char *user, const char *password, int *code,
                    char *err, size_t err_size)
{
    pc_options o;
    client_options(ts, &o, user, TEST_SECRET, NULL, 0);
    o.password = password;
    o.password_len = password ? strlen(password) : 0;
    *code = 0;
    return pc_connect(&o, code, err, err_size);
}

int test_connect_fails(const test_server *ts, const char *nick, const char *secret, char *err,
                       size_t err_size)
{
    pc_options o;
    int code = 0;
    pc_conn *c;

    client_options(ts, &o, nick, secret, NULL, 0);
    c = pc_connect(&o, &code, err, err_size);
    if (c) {
        test_failf_at(__FILE__, __LINE__, "connect as %s succeeded unexpectedly", nick);
        pc_close(c);
        return 0;
    }
    return code;
}

int test_expect(pc_conn *c, uint8_t type, proto_msg *m, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    for (;;) {
        uint64_t now = sys_mono_ms();
        int rc;
        if (now >= deadline)
            return 0;
        rc = pc_recv(c, m, (uint32_t)(deadline - now));
        if (rc <= 0)
            return rc;
        if (m->type == type)
            return 1;
    }
}

int test_expect_text(pc_conn *c, const char *text, proto_msg *m, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    for (;;) {
        uint64_t now = sys_mono_ms();
        int rc;
        if (now >= deadline)
            return 0;
        rc = test_expect(c, PT_MSG, m, (uint32_t)(deadline - now));
        if (rc <= 0)
            return rc;
        if (str_is(m->text, text))
            return 1;
    }
}

int test_settle(pc_conn *c)
{
    proto_msg m;
    return test_expect(c, PT_HISTORY_END, &m, 5000);
}

/* c after reading the lobby's welcome traffic, or NULL (c closed) after reporting a test
 * failure. */
static pc_conn *settled(pc_conn *c, const char *who)
{
    if (test_settle(c) != 1) {
        test_failf_at(__FILE__, __LINE__, "%s: no lobby history after login", who);
        pc_close(c);
        return NULL;
    }
    return c;
}

pc_conn *test_connect_settled(const test_server *ts, const char *nick)
{
    pc_conn *c = test_connect(ts, nick, NULL, 0);
    if (!c) {
        test_failf_at(__FILE__, __LINE__, "%s could not connect", nick);
        return NULL;
    }
    return settled(c, nick);
}

int test_users(pc_conn *c, const char *room, char *out, size_t cap, uint32_t timeout_ms)
{
    proto_msg m;
    int n = 0, rc;

    out[0] = '\0';
    memset(&m, 0, sizeof m);
    m.type = PT_USERS;
    m.room = proto_s(room);
    if (pc_send(c, &m) != 0)
        return -1;
    for (;;) {
        proto_entry e;
        size_t pos = 0;
        while ((rc = pc_recv(c, &m, timeout_ms)) == 1 && m.type != PT_USER_LIST)
            ;
        if (rc != 1)
            return -1;
        while (proto_list_next(&m.list, PT_USER_LIST, &pos, &e)) {
            size_t len = strlen(out);
            if (e.value == PRESENCE_AWAY)
                snprintf(out + len, cap - len, "%s%.*s(away:%.*s)", n ? "," : "", (int)e.name.n,
                         e.name.p, (int)e.text.n, e.text.p);
            else
                snprintf(out + len, cap - len, "%s%.*s", n ? "," : "", (int)e.name.n, e.name.p);
            n++;
        }
        if (!(m.flags & PROTO_FLAG_MORE))
            return n;
    }
}

int str_is(proto_str s, const char *text)
{
    return s.n == strlen(text) && memcmp(s.p, text, s.n) == 0;
}

int test_server_begin(test_server *ts, const server_config *cfg)
{
    sock_startup();
    crypto_init();
    return test_server_start(ts, cfg);
}

void test_server_end(test_server *ts)
{
    char dir[SERVER_PATH_MAX];
    memcpy(dir, ts->cfg.data_dir, sizeof dir);
    test_server_stop(ts);
    test_server_clean(dir);
}

pc_conn *test_login_settled(const test_server *ts, const char *user)
{
    char err[256], pw[64];
    int code;
    pc_conn *c;
    snprintf(pw, sizeof pw, "%s pw", user);
    c = test_login(ts, user, pw, &code, err, sizeof err);
    if (!c) {
        test_failf_at(__FILE__, __LINE__, "login as %s: %s (code %d)", user, err, code);
        return NULL;
    }
    return settled(c, user);
}

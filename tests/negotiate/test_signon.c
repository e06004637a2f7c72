/* test_signon.c — auth = windows end to end: a real server core and engine, the client library
 * signing on through the test KDC (kdc.sh, realm PARLEY.TEST; CTest points KRB5_CONFIG at it).
 * Who gets in under which name, and the refusals: no ticket, a realm or principal outside the
 * allow-list, no account without auto_create, a disabled account, a binding from another
 * connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "crypto.h"
#include "fsys.h"
#include "handshake.h"
#include "raw_client.h"
#include "server_fixture.h"
#include "signon_fixture.h"
#include "signon.h"
#include "sock.h"
#include "test.h"

/* A sign-on that must be refused: returns the code; err holds the text. */
static int refused(const test_server *ts, const char *who, char *err, size_t err_size)
{
    int code;
    pc_conn *c = sign_on(ts, who, &code, err, err_size);
    if (c) {
        test_failf_at(__FILE__, __LINE__, "%s signed on unexpectedly as %s", who, pc_nick_of(c));
        pc_close(c);
    }
    return code;
}

TEST(user_with_a_ticket_gets_in_under_the_principals_name)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    proto_msg m;
    char err[320];
    int code;

    signon_config(&cfg, "so-in", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = sign_on(&ts, "alice", &code, err, sizeof err);
    if (!a)
        test_failf_at(__FILE__, __LINE__, "alice: %s (%d)", err, code);
    b = sign_on(&ts, "bob", &code, err, sizeof err);
    if (!b)
        test_failf_at(__FILE__, __LINE__, "bob: %s (%d)", err, code);
    if (a && b) {
        CHECK_EQ_STR(pc_nick_of(a), "alice"); /* not "whoever": who Kerberos says */
        CHECK_EQ_STR(pc_nick_of(b), "bob");
        CHECK_EQ_INT(pc_signed_on(a), 1);
        CHECK_EQ_INT(pc_server_auth(a), HS_AUTH_WINDOWS);
        CHECK_EQ_STR(pc_signon_mechanism_of(a), "kerberos");
        CHECK(test_settle(a) == 1 && test_settle(b) == 1);
        CHECK(pc_say(a, "lobby", "signed on, no password", 1) == 0);
        CHECK(test_expect_text(b, "signed on, no password", &m, WAIT) == 1);
        CHECK(str_is(m.nick, "alice"));
        /* With accounts the nick is the account's: no renaming onto another. */
        CHECK(pc_nick(a, "carol") == 0);
        CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
        CHECK_EQ_INT(m.code, PC_BAD_NICK);
    }
    pc_close(a);
    pc_close(b);
    /* The account made at the first sign-on lets alice in again. */
    a = sign_on(&ts, "alice", &code, err, sizeof err);
    CHECK(a != NULL);
    if (a)
        CHECK_EQ_STR(pc_nick_of(a), "alice");
    pc_close(a);
    test_server_end(&ts);
}

TEST(no_ticket_is_a_clear_refusal)
{
    test_server ts;
    server_config cfg;
    char err[320];

    signon_config(&cfg, "so-noticket", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    CHECK_EQ_INT(refused(&ts, "nobody", err, sizeof err), PC_SIGNON_FAILED);
    if (!strstr(err, "Windows sign-on failed: no Kerberos ticket or credentials"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    test_server_end(&ts);
}

TEST(principal_or_realm_outside_the_allow_list_is_refused)
{
    test_server ts;
    server_config cfg;
    char err[320];
    int code;
    pc_conn *a;

    signon_config(&cfg, "so-allow", 1);
    snprintf(cfg.signon_allow, sizeof cfg.signon_allow, "alice@PARLEY.TEST");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    CHECK_EQ_INT(refused(&ts, "bob", err, sizeof err), PC_SIGNON_REFUSED);
    if (!strstr(err, "bob@PARLEY.TEST is not in this server's allow list"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    a = sign_on(&ts, "alice", &code, err, sizeof err);
    CHECK(a != NULL);
    pc_close(a);
    test_server_end(&ts);

    /* A server for another realm admits nobody of PARLEY.TEST. */
    signon_config(&cfg, "so-realm", 1);
    snprintf(cfg.signon_realms, sizeof cfg.signon_realms, "CORP.TEST, CORP");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    CHECK_EQ_INT(refused(&ts, "alice", err, sizeof err), PC_SIGNON_REFUSED);
    if (!strstr(err, "PARLEY.TEST is not a realm or domain this server admits"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    test_server_end(&ts);
}

TEST(without_auto_create_only_existing_accounts_get_in)
{
    test_server ts;
    server_config cfg;
    char err[320];
    int code;
    pc_conn *a;

    signon_config(&cfg, "so-noauto", 0);
    REQUIRE(test_add_account(cfg.data_dir, "alice", "unused password", USER_ROLE_OPERATOR, 0) ==
            0);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    CHECK_EQ_INT(refused(&ts, "bob", err, sizeof err), PC_NO_ACCOUNT);
    if (!strstr(err, "bob@PARLEY.TEST has no account bob here"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    a = sign_on(&ts, "alice", &code, err, sizeof err);
    if (!a)
        test_failf_at(__FILE__, __LINE__, "alice: %s (%d)", err, code);
    pc_close(a);
    test_server_end(&ts);
}

TEST(disabled_account_is_refused)
{
    test_server ts;
    server_config cfg;
    char err[320];

    signon_config(&cfg, "so-disabled", 1);
    REQUIRE(test_add_account(cfg.data_dir, "bob", "unused password", USER_ROLE_USER, 1) == 0);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    CHECK_EQ_INT(refused(&ts, "bob", err, sizeof err), PC_SIGNON_REFUSED);
    if (!strstr(err, "the account bob is disabled"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    test_server_end(&ts);
}

/* auth = windows without realms is a start-up error that says what to add. */
TEST(windows_sign_on_without_realms_does_not_start)
{
    server_config cfg;
    char err[512];
    chat *c;

    sock_startup();
    crypto_init();
    signon_config(&cfg, "so-norealms", 1);
    cfg.signon_realms[0] = '\0';
    REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
    c = chat_create(&cfg, err, sizeof err);
    CHECK(c == NULL);
    chat_destroy(c);
    CHECK(strstr(err, "auth = windows needs realms in [signon]") != NULL);
    test_server_clean(cfg.data_dir);
}

/* realms naming two domains is a start-up error too, however the settings were made: their
 * users would share accounts. */
TEST(windows_sign_on_for_two_domains_does_not_start)
{
    server_config cfg;
    char err[512];
    chat *c;

    sock_startup();
    crypto_init();
    signon_config(&cfg, "so-tworealms", 1);
    snprintf(cfg.signon_realms, sizeof cfg.signon_realms, "PARLEY.TEST, OTHER.TEST");
    REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
    c = chat_create(&cfg, err, sizeof err);
    CHECK(c == NULL);
    chat_destroy(c);
    CHECK(strstr(err, "realms names two Kerberos realms, PARLEY.TEST and OTHER.TEST") != NULL);
    test_server_clean(cfg.data_dir);
}

/* The client's real sign-on, with its binding MIC made over another hash when `relayed` is
 * set: what a sign-on captured on another connection and replayed here would carry. */
typedef struct relay_ctx {
    pc_signon *real;
    int relayed;
} relay_ctx;

static void relay_reset(void *ctx)
{
    pc_signon_ops()->reset(((relay_ctx *)ctx)->real);
}

static int relay_step(void *ctx, const uint8_t *in, size_t in_len, buf *out, int *complete,
                      char *why, size_t why_size)
{
    return pc_signon_ops()->step(((relay_ctx *)ctx)->real, in, in_len, out, complete, why,
                                 why_size);
}

static int relay_bind_make(void *ctx, const uint8_t *hash, size_t hash_len, buf *mic, char *why,
                           size_t why_size)
{
    relay_ctx *r = ctx;
    uint8_t other[HS_KEY_SIZE];
    if (hash_len != sizeof other)
        return -1;
    memcpy(other, hash, sizeof other);
    if (r->relayed)
        other[0] ^= 0x01; /* another connection's binding */
    return pc_signon_ops()->bind_make(r->real, other, sizeof other, mic, why, why_size);
}

static int relay_bind_check(void *ctx, const uint8_t *hash, size_t hash_len, const uint8_t *mic,
                            size_t mic_len, char *why, size_t why_size)
{
    return pc_signon_ops()->bind_check(((relay_ctx *)ctx)->real, hash, hash_len, mic, mic_len,
                                       why, why_size);
}

static const hs_signon_ops relay_ops = {relay_reset, relay_step, relay_bind_make,
                                        relay_bind_check};

/* Signs on as alice through raw_client with relay_ops; returns the handshake's code (0 = in). */
static int raw_sign_on(const test_server *ts, int relayed, char *err, size_t err_size)
{
    char ccache[600];
    relay_ctx r;
    raw_client rc;
    int code = -1;

    snprintf(ccache, sizeof ccache, "FILE:%s/alice.cc", kdc_dir());
    r.real = pc_signon_new("chat.parley.test", ccache, 0);
    r.relayed = relayed;
    if (!r.real)
        return -1;
    code = raw_connect_signon(&rc, ts->port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "whoever",
                              &relay_ops, &r) == 0
               ? 0
               : rc.code;
    snprintf(err, err_size, "%s", rc.err);
    raw_close(&rc, 0);
    pc_signon_free(r.real);
    return code;
}

TEST(sign_on_bound_to_another_connection_is_refused)
{
    test_server ts;
    server_config cfg;
    char err[320];

    signon_config(&cfg, "so-relay", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    /* The same path untouched signs on: what fails below is the binding alone. */
    CHECK_EQ_INT(raw_sign_on(&ts, 0, err, sizeof err), 0);
    CHECK_EQ_INT(raw_sign_on(&ts, 1, err, sizeof err), PC_SIGNON_FAILED);
    if (!strstr(err, "the sign-on does not belong to this connection"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    test_server_end(&ts);
}

/* A hostile client: its first token is garbage (mode 0), or it claims to be done at once and
 * sends a binding before any token (mode 1). */
static int hostile_step(void *ctx, const uint8_t *in, size_t in_len, buf *out, int *complete,
                        char *why, size_t why_size)
{
    (void)in;
    (void)in_len;
    (void)why;
    (void)why_size;
    *complete = *(int *)ctx == 1;
    if (*(int *)ctx == 0)
        buf_append(out, "not a token at all", 18);
    return 0;
}

static int hostile_bind_make(void *ctx, const uint8_t *hash, size_t hash_len, buf *mic,
                             char *why, size_t why_size)
{
    (void)ctx;
    (void)hash;
    (void)hash_len;
    (void)why;
    (void)why_size;
    buf_append(mic, "MIC!", 4);
    return 0;
}

static const hs_signon_ops hostile_ops = {NULL, hostile_step, hostile_bind_make,
                                          relay_bind_check};

TEST(hostile_sign_on_frames_are_refused_plainly)
{
    test_server ts;
    server_config cfg;
    raw_client rc;
    int mode;

    signon_config(&cfg, "so-hostile", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    mode = 0;
    CHECK(raw_connect_signon(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "x",
                             &hostile_ops, &mode) != 0);
    CHECK_EQ_INT(rc.code, PC_SIGNON_FAILED);
    if (!strstr(rc.err, "malformed or unexpected sign-on token: not a GSS-API or NTLM token"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", rc.err);
    raw_close(&rc, 0);
    mode = 1;
    CHECK(raw_connect_signon(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "x",
                             &hostile_ops, &mode) != 0);
    CHECK_EQ_INT(rc.code, PC_PROTOCOL);
    if (!strstr(rc.err, "a sign-on binding before the sign-on was complete"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", rc.err);
    raw_close(&rc, 0);
    /* a display name before the sign-on is complete */
    CHECK(raw_connect_signon_shown_as(&rc, ts.port, TEST_SECRET, PROTO_CIPHER_AES256GCM, "x",
                                      &hostile_ops, &mode, "Eve") != 0);
    CHECK_EQ_INT(rc.code, PC_PROTOCOL);
    if (!strstr(rc.err, "a display name out of order"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", rc.err);
    raw_close(&rc, 0);
    test_server_end(&ts);
}

/* The display name of login in the store of data_dir (the server stopped), "" if none. */
static void stored_display(const char *data_dir, const char *login, char *out, size_t cap)
{
    char err[256];
    user_info info;
    users *u = users_open(data_dir, NULL, NULL, err, sizeof err);

    out[0] = '\0';
    if (!u) {
        test_failf_at(__FILE__, __LINE__, "users_open: %s", err);
        return;
    }
    if (users_find(u, login, &info))
        snprintf(out, cap, "%s", info.display);
    crypto_wipe(&info, sizeof info);
    users_close(u);
}

/* The display name a client tells at sign-on becomes the account's when it has none (a new
 * account, or one whose display name is its login name); one an administrator set stays, and so
 * does the first one kept. */
TEST(display_name_told_at_sign_on_is_kept_unless_one_is_set)
{
    test_server ts;
    server_config cfg;
    char err[320], shown[USERS_DISPLAY_MAX + 1];
    scram_verifier v;
    users *u;
    int code;
    pc_conn *a;

    signon_config(&cfg, "so-display", 1);
    REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
    /* bob's account, with the display name an administrator gave it */
    REQUIRE((u = users_open(cfg.data_dir, NULL, NULL, err, sizeof err)) != NULL);
    memset(&v, 0, sizeof v);
    v.salt_len = 16;
    v.iterations = SCRAM_ITERATIONS_MIN;
    if (users_add(u, "bob", "Robert Smith", USER_ROLE_USER, &v, 1, err, sizeof err) != 0)
        test_failf_at(__FILE__, __LINE__, "users_add: %s", err);
    users_close(u);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = sign_on_shown_as(&ts, "alice", "Alice Martin", &code, err, sizeof err);
    if (!a)
        test_failf_at(__FILE__, __LINE__, "alice: %s (%d)", err, code);
    pc_close(a);
    a = sign_on_shown_as(&ts, "bob", "Bobby Tables", &code, err, sizeof err);
    if (!a)
        test_failf_at(__FILE__, __LINE__, "bob: %s (%d)", err, code);
    pc_close(a);
    /* alice again, with another name: the one kept stays (an admin may have put it there) */
    a = sign_on_shown_as(&ts, "alice", "Mallory", &code, err, sizeof err);
    CHECK(a != NULL);
    pc_close(a);
    test_server_stop(&ts); /* the store stays for a look at it */
    stored_display(cfg.data_dir, "alice", shown, sizeof shown);
    CHECK_EQ_STR(shown, "Alice Martin");
    stored_display(cfg.data_dir, "bob", shown, sizeof shown);
    CHECK_EQ_STR(shown, "Robert Smith");
    test_server_clean(cfg.data_dir);
}

/* The full name of the user running the test as /etc/passwd has it (the GECOS field up to its
 * first comma), read here without the C library's lookup; "" if none or not in that file. */
static void gecos_name(char *out, size_t cap)
{
    char line[1024], uid[32];
    FILE *fp = fopen("/etc/passwd", "r");
    const char *f;
    size_t field, n;

    out[0] = '\0';
    snprintf(uid, sizeof uid, "%lu", (unsigned long)getuid());
    while (fp && fgets(line, sizeof line, fp)) {
        /* name:password:uid:gid:gecos:home:shell */
        for (f = line, field = 0; field < 2 && (f = strchr(f, ':')) != NULL; field++)
            f++;
        if (!f || strncmp(f, uid, strlen(uid)) != 0 || f[strlen(uid)] != ':')
            continue;
        for (field = 2; field < 4 && (f = strchr(f, ':')) != NULL; field++)
            f++;
        if (f) {
            n = strcspn(f, ",:\n");
            snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), f);
        }
        break;
    }
    if (fp)
        fclose(fp);
}

/* Without a name from the caller the client library tells the system's: on Linux the GECOS full
 * name of the user running the test (compared with the password database read here directly),
 * and nothing when it has none. */
TEST(client_tells_the_systems_display_name_by_default)
{
    test_server ts;
    server_config cfg;
    char err[320], shown[USERS_DISPLAY_MAX + 1], expect[USERS_DISPLAY_MAX + 1];
    int code;
    pc_conn *a;

    gecos_name(expect, sizeof expect);
    signon_config(&cfg, "so-display-sys", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = sign_on_shown_as(&ts, "alice", NULL, &code, err, sizeof err);
    if (!a)
        test_failf_at(__FILE__, __LINE__, "alice: %s (%d)", err, code);
    pc_close(a);
    test_server_stop(&ts); /* the store stays for a look at it */
    stored_display(cfg.data_dir, "alice", shown, sizeof shown);
    CHECK_EQ_STR(shown, expect[0] ? expect : "alice");
    test_server_clean(cfg.data_dir);
}

/* What KICK of someone offline answers: NOT_OPERATOR for a user, NO_SUCH_USER for an operator. */
static int kick_answer(pc_conn *c)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_KICK;
    m.nick = proto_s("nobody_online");
    m.text = proto_s("test");
    if (test_settle(c) != 1 || pc_send(c, &m) != 0 || test_expect(c, PT_ERROR, &m, WAIT) != 1)
        return -1;
    return m.code;
}

TEST(auto_created_accounts_get_the_configured_role)
{
    test_server ts;
    server_config cfg;
    char err[320];
    int code;
    pc_conn *a;

    signon_config(&cfg, "so-role-default", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = sign_on(&ts, "alice", &code, err, sizeof err);
    CHECK(a != NULL);
    if (a)
        CHECK_EQ_INT(kick_answer(a), PC_NOT_OPERATOR);
    pc_close(a);
    test_server_end(&ts);

    signon_config(&cfg, "so-role-operator", 1);
    cfg.signon_auto_create_role = USER_ROLE_OPERATOR;
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = sign_on(&ts, "alice", &code, err, sizeof err);
    CHECK(a != NULL);
    if (a)
        CHECK_EQ_INT(kick_answer(a), PC_NO_SUCH_USER);
    pc_close(a);
    test_server_end(&ts);
}

/* Group rules are checked on the client's Windows token: a Linux server refuses to start with
 * them rather than ignore them. */
TEST(group_rules_need_a_windows_server)
{
    server_config cfg;
    char err[512];
    chat *c;

    sock_startup();
    crypto_init();
    signon_config(&cfg, "so-groups", 1);
    snprintf(cfg.signon_operator_groups, sizeof cfg.signon_operator_groups,
             "PARLEY\\Chat Operators");
    REQUIRE(fsys_mkdirs(cfg.data_dir, err, sizeof err) == 0);
    c = chat_create(&cfg, err, sizeof err);
    CHECK(c == NULL);
    chat_destroy(c);
    CHECK(strstr(err, "allow_groups, operator_groups and admin_groups need a Windows server") !=
          NULL);
    test_server_clean(cfg.data_dir);
}

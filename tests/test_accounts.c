/* test_accounts.c — integration tests for auth = accounts on a real server core and engine
 * (epoll natively, IOCP under Wine): account logins over SCRAM-SHA-256 after the shared key,
 * impostors who hold the key but not the password refused like unknown and disabled names,
 * names that belong to accounts, roles as operator powers, failed logins rate-limited. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "server_fixture.h"
#include "sock.h"
#include "test.h"

#define WAIT 5000u

/* The test accounts: Éric is an operator, root an admin, carol is disabled, dave never logs
 * in (offline). */
static int make_accounts(const char *data_dir)
{
    if (test_add_account(data_dir, "alice", "alice's password", USER_ROLE_USER, 0) != 0 ||
        test_add_account(data_dir, "\xC3\x89ric", "mot de passe", USER_ROLE_OPERATOR, 0) != 0 ||
        test_add_account(data_dir, "carol", "carol's password", USER_ROLE_USER, 1) != 0 ||
        test_add_account(data_dir, "dave", "dave's password", USER_ROLE_USER, 0) != 0 ||
        test_add_account(data_dir, "root", "root's password", USER_ROLE_ADMIN, 0) != 0)
        return -1;
    return 0;
}

static int start(test_server *ts, const char *name)
{
    server_config cfg;
    sock_startup();
    crypto_init();
    test_server_config(&cfg, name);
    cfg.auth = AUTH_ACCOUNTS;
    if (make_accounts(cfg.data_dir) != 0)
        return -1;
    return test_server_start(ts, &cfg);
}

/* Logs in; fails the test if it does not work. */
static pc_conn *login(test_server *ts, const char *user, const char *password)
{
    char err[256];
    int code;
    pc_conn *c = test_login(ts, user, password, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "login as %s: %s (code %d)", user, err, code);
    return c;
}

/* A login that must fail: returns the code, err holds the text. */
static int refused(test_server *ts, const char *user, const char *password, char *err,
                   size_t err_size)
{
    int code;
    pc_conn *c = test_login(ts, user, password, &code, err, err_size);
    if (c) {
        test_failf_at(__FILE__, __LINE__, "login as %s succeeded unexpectedly", user);
        pc_close(c);
    }
    return code;
}

TEST(accounts_log_in_with_the_right_password)
{
    test_server ts;
    pc_conn *a, *e;
    proto_msg m;

    REQUIRE(start(&ts, "acc-login") == 0);
    a = login(&ts, "alice", "alice's password");
    e = login(&ts, "\xC3\x89RIC", "mot de passe"); /* any spelling logs in to Éric */
    REQUIRE(a && e);
    CHECK_EQ_INT(pc_account(a), 1);
    CHECK_EQ_STR(pc_nick_of(a), "alice");
    CHECK_EQ_STR(pc_nick_of(e), "\xC3\x89ric"); /* the account's own spelling */
    CHECK(test_settle(a) == 1 && test_settle(e) == 1);
    CHECK(pc_say(a, "lobby", "hello from an account", 1) == 0);
    CHECK(test_expect_text(e, "hello from an account", &m, WAIT) == 1);
    CHECK(str_is(m.nick, "alice"));
    pc_close(a);
    pc_close(e);
    test_server_end(&ts);
}

/* Holding the network key is not enough: a wrong password, an unknown name and a disabled
 * account get the same code and the same words. */
TEST(accounts_impostor_unknown_and_disabled_refused_alike)
{
    test_server ts;
    char e1[256], e2[256], e3[256], e4[256];

    REQUIRE(start(&ts, "acc-refuse") == 0);
    CHECK_EQ_INT(refused(&ts, "alice", "guess", e1, sizeof e1), PC_BAD_PASSWORD);
    CHECK_EQ_INT(refused(&ts, "mallory", "guess", e2, sizeof e2), PC_BAD_PASSWORD);
    CHECK_EQ_INT(refused(&ts, "carol", "carol's password", e3, sizeof e3), PC_BAD_PASSWORD);
    CHECK(strstr(e1, "wrong user name or password") != NULL);
    CHECK_EQ_STR(e1, e2);
    CHECK_EQ_STR(e1, e3);
    /* No password at all: the client says the server wants one. */
    CHECK_EQ_INT(refused(&ts, "alice", NULL, e4, sizeof e4), PC_BAD_PASSWORD);
    CHECK(strstr(e4, "the server uses accounts") != NULL);
    test_server_end(&ts);
}

/* With accounts a name is its account's, online or not: nobody renames onto it, and an
 * account's own session cannot rename either. */
TEST(accounts_names_belong_to_their_accounts)
{
    test_server ts;
    pc_conn *a;
    proto_msg m;
    char err[256];

    REQUIRE(start(&ts, "acc-names") == 0);
    a = login(&ts, "alice", "alice's password");
    REQUIRE(a);
    test_settle(a);
    CHECK(pc_nick(a, "dave") == 0); /* dave is offline */
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_NICK);
    CHECK(pc_nick(a, "DAVE") == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_NICK);
    /* The key alone cannot log in as dave either (no password, or a wrong one). */
    CHECK_EQ_INT(refused(&ts, "dave", "alice's password", err, sizeof err), PC_BAD_PASSWORD);
    /* A second session of the same account is one more session of it (issue 16: two PCs, a
     * GUI and a terminal), under the account's own spelling. */
    {
        pc_conn *a2 = login(&ts, "ALICE", "alice's password");
        CHECK(a2 != NULL);
        if (a2) {
            CHECK_EQ_STR(pc_nick_of(a2), "alice");
            pc_close(a2);
        }
    }
    pc_close(a);
    test_server_end(&ts);
}

static void send_admin(pc_conn *c, uint8_t type, const char *nick, const char *text)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.nick = proto_s(nick ? nick : "");
    m.text = proto_s(text);
    CHECK(pc_send(c, &m) == 0);
}

/* Operator powers come from the role: Éric (operator) may kick, alice (user) may not, and the
 * OPER password is not a way around it. */
TEST(accounts_roles_give_operator_powers)
{
    test_server ts;
    pc_conn *a, *e;
    proto_msg m;

    REQUIRE(start(&ts, "acc-roles") == 0);
    a = login(&ts, "alice", "alice's password");
    e = login(&ts, "\xC3\xA9ric", "mot de passe");
    REQUIRE(a && e);
    test_settle(a);
    test_settle(e);
    send_admin(a, PT_KICK, "\xC3\x89ric", "no");
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NOT_OPERATOR);
    send_admin(a, PT_OPER, NULL, "anything");
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NOT_OPERATOR);
    send_admin(e, PT_KICK, "ALICE", "testing roles");
    CHECK(test_expect(a, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(a), PC_KICKED);
    pc_close(a);
    pc_close(e);
    test_server_end(&ts);
}

/* After FAIL_LIMIT (10) failures for a name, even the right password is refused for a while:
 * guessing is slowed, and the answer still says nothing more. */
TEST(accounts_failed_logins_are_rate_limited)
{
    test_server ts;
    char err[256];
    int i;

    REQUIRE(start(&ts, "acc-rate") == 0);
    for (i = 0; i < 10; i++)
        CHECK_EQ_INT(refused(&ts, "alice", "guess", err, sizeof err), PC_BAD_PASSWORD);
    CHECK_EQ_INT(refused(&ts, "alice", "alice's password", err, sizeof err), PC_BAD_PASSWORD);
    CHECK(strstr(err, "wrong user name or password") != NULL);
    test_server_end(&ts);
}

/* An admin disables an account that is online: its session ends at once, and it cannot log in
 * again, whatever key it holds; enabled again, it can. Only admins may do this. */
TEST(accounts_disabling_ends_live_sessions)
{
    test_server ts;
    pc_conn *a, *e, *r;
    proto_msg m;
    char err[256];

    REQUIRE(start(&ts, "acc-disable") == 0);
    a = login(&ts, "alice", "alice's password");
    e = login(&ts, "\xC3\x89ric", "mot de passe");
    r = login(&ts, "root", "root's password");
    REQUIRE(a && e && r);
    test_settle(a);
    test_settle(e);
    test_settle(r);
    memset(&m, 0, sizeof m);
    m.type = PT_ACCOUNT;
    m.nick = proto_s("ALICE");
    m.target = proto_s("disable");
    CHECK(pc_send(e, &m) == 0); /* an operator is not an admin */
    CHECK(test_expect(e, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NOT_OPERATOR);
    memset(&m, 0, sizeof m);
    m.type = PT_ACCOUNT;
    m.nick = proto_s("ALICE");
    m.target = proto_s("disable");
    CHECK(pc_send(r, &m) == 0);
    CHECK(test_expect(a, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(a), PC_KICKED);
    CHECK(strstr(pc_error(a), "disabled by root") != NULL);
    CHECK(test_expect(r, PT_NOTICE, &m, WAIT) == 1);
    CHECK(str_is(m.text, "account alice: disable done"));
    pc_close(a);
    CHECK_EQ_INT(refused(&ts, "alice", "alice's password", err, sizeof err), PC_BAD_PASSWORD);
    memset(&m, 0, sizeof m);
    m.type = PT_ACCOUNT;
    m.nick = proto_s("alice");
    m.target = proto_s("enable");
    CHECK(pc_send(r, &m) == 0);
    CHECK(test_expect(r, PT_NOTICE, &m, WAIT) == 1);
    a = login(&ts, "alice", "alice's password");
    CHECK(a != NULL);
    pc_close(a);
    pc_close(e);
    pc_close(r);
    test_server_end(&ts);
}

/* test_accounts.c — integration tests for auth = accounts on a real server core and engine
 * (epoll natively, IOCP under Wine): account logins over SCRAM-SHA-256 after the shared key,
 * impostors who hold the key but not the password refused like unknown and disabled names,
 * names that belong to accounts, roles as operator powers, failed logins rate-limited; accounts
 * added and passwords set while the server runs (verifiers only), one's own password changed
 * with proof of the current one; the account list for admins. */
#include <stdio.h>
#include <string.h>

#include "account_list.h"
#include "crypto.h"
#include "passwd.h"
#include "scram.h"
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

/* An admin adds an account and sets another's password while the server runs: the password
 * itself never reaches the server, only its verifier; the new name is checked like any login
 * name, and a name taken in another case or normalisation is refused. */
TEST(accounts_admin_adds_accounts_and_sets_passwords_online)
{
    test_server ts;
    pc_conn *r, *a, *n;
    char v[SCRAM_VERIFIER_TEXT_MAX], note[256], err[256];

    REQUIRE(start(&ts, "acc-add") == 0);
    r = login(&ts, "root", "root's password");
    a = login(&ts, "alice", "alice's password");
    REQUIRE(r && a);
    test_settle(r);
    test_settle(a);
    test_verifier_text("\xCE\xBA\xCF\x89\xCE\xB4\xCE\xB9\xCE\xBA\xCF\x8C\xCF\x82 1", v, sizeof v);
    /* Only admins; a user is refused and nothing is added. */
    CHECK_EQ_INT(test_account_request(a, PT_ACCOUNT_ADD, "mallory", NULL, NULL, v, note,
                                      sizeof note),
                 PC_NOT_OPERATOR);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_ADD, "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7",
                                      "operator",
                                      "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7 \xCE\xA0.", v,
                                      note, sizeof note),
                 0);
    CHECK_EQ_STR(note, "account \xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7: add done");
    n = login(&ts, "\xCE\xB5\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7",
              "\xCE\xBA\xCF\x89\xCE\xB4\xCE\xB9\xCE\xBA\xCF\x8C\xCF\x82 1");
    CHECK(n != NULL);
    pc_close(n);
    CHECK_EQ_INT(refused(&ts, "mallory", "\xCE\xBA\xCF\x89\xCE\xB4\xCE\xB9\xCE\xBA\xCF\x8C\xCF\x82 1",
                         err, sizeof err),
                 PC_BAD_PASSWORD);
    /* Taken across case; an invalid name; a malformed verifier; an unknown role. */
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_ADD, "ALICE", NULL, NULL, v, note,
                                      sizeof note),
                 PC_NICK_TAKEN);
    CHECK(strstr(note, "'alice'") != NULL);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_ADD, "p\xD0\xB0ypal", NULL, NULL, v, note,
                                      sizeof note),
                 PC_BAD_NICK);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_ADD, "zoe", NULL, NULL, "pencil", note,
                                      sizeof note),
                 PC_BAD_VERIFIER);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_ADD, "zoe", "boss", NULL, v, note, sizeof note),
                 PC_BAD_TEXT);
    CHECK_EQ_INT(refused(&ts, "zoe", "\xCE\xBA\xCF\x89\xCE\xB4\xCE\xB9\xCE\xBA\xCF\x8C\xCF\x82 1",
                         err, sizeof err),
                 PC_BAD_PASSWORD);

    /* A new password for dave (offline): the old one stops working, the new one works. */
    test_verifier_text("dave's new password", v, sizeof v);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_PASSWD, "DAVE", NULL, NULL, v, note,
                                      sizeof note),
                 0);
    CHECK_EQ_STR(note, "account dave: passwd done");
    CHECK_EQ_INT(refused(&ts, "dave", "dave's password", err, sizeof err), PC_BAD_PASSWORD);
    n = login(&ts, "dave", "dave's new password");
    CHECK(n != NULL);
    pc_close(n);
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_PASSWD, "nobody", NULL, NULL, v, note,
                                      sizeof note),
                 PC_NOT_FOUND);
    CHECK_EQ_INT(test_account_request(a, PT_ACCOUNT_PASSWD, "dave", NULL, NULL, v, note,
                                      sizeof note),
                 PC_NOT_OPERATOR);
    /* Not its own: an open admin session alone cannot change the admin's password. */
    CHECK_EQ_INT(test_account_request(r, PT_ACCOUNT_PASSWD, "ROOT", NULL, NULL, v, note,
                                      sizeof note),
                 PC_NOT_OPERATOR);
    CHECK(refused(&ts, "root", "dave's new password", err, sizeof err) == PC_BAD_PASSWORD);
    pc_close(a);
    pc_close(r);
    test_server_end(&ts);
}

/* An account changes its own password on a live connection, proving the current one: with the
 * wrong current password nothing changes; with the right one the old password stops working,
 * the new one works, and the session goes on. */
TEST(accounts_change_own_password_needs_the_current_one)
{
    test_server ts;
    pc_conn *a, *b;
    proto_msg m;
    char err[256];
    int code;

    REQUIRE(start(&ts, "acc-passwd") == 0);
    a = login(&ts, "alice", "alice's password");
    b = login(&ts, "dave", "dave's password");
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    CHECK_EQ_INT(pc_change_password(a, "not it", 6, "brand new", 9, 0, WAIT, &code, err,
                                    sizeof err),
                 -1);
    CHECK_EQ_INT(code, PC_BAD_PASSWORD);
    CHECK(strstr(err, "unchanged") != NULL);
    b = (pc_close(b), login(&ts, "dave", "dave's password")); /* others are unaffected */
    REQUIRE(b);
    test_settle(b);
    CHECK_EQ_INT(pc_change_password(a, "alice's password", 16, "brand new", 9, 0, WAIT, &code,
                                    err, sizeof err),
                 0);
    if (code != PC_OK)
        test_failf_at(__FILE__, __LINE__, "change: %s (code %d)", err, code);
    /* Still connected and talking. */
    CHECK(pc_say(a, "lobby", "after the change", 2) == 0);
    CHECK(test_expect_text(b, "after the change", &m, WAIT) == 1);
    pc_close(a);
    CHECK_EQ_INT(refused(&ts, "alice", "alice's password", err, sizeof err), PC_BAD_PASSWORD);
    a = login(&ts, "alice", "brand new");
    CHECK(a != NULL);
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

/* PASSWORD frames that are not a proper exchange are refused without changing anything, and the
 * server stays up: a verifier in the first frame, a client-first for another account, a proof
 * bound to no connection. */
TEST(accounts_malformed_password_changes_refused)
{
    test_server ts;
    pc_conn *a;
    proto_msg m;
    char err[256];

    REQUIRE(start(&ts, "acc-pwbad") == 0);
    a = login(&ts, "alice", "alice's password");
    REQUIRE(a);
    test_settle(a);
    memset(&m, 0, sizeof m);
    m.type = PT_PASSWORD;
    m.target = proto_s("SCRAM-SHA-256$4096:AAAAAAAAAAAAAAAAAAAAAA==$x:y");
    m.text = proto_s("p=parley-session,,n=alice,r=abcdefghijklmnop");
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_TEXT);
    memset(&m, 0, sizeof m);
    m.type = PT_PASSWORD;
    m.text = proto_s("p=parley-session,,n=dave,r=abcdefghijklmnop");
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_TEXT);
    memset(&m, 0, sizeof m);
    m.type = PT_PASSWORD;
    m.text = proto_s("n,,n=alice,r=abcdefghijklmnop"); /* unbound */
    CHECK(pc_send(a, &m) == 0);
    CHECK(test_expect(a, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_BAD_TEXT);
    CHECK(pc_ping(a, 5) == 0);
    CHECK(test_expect(a, PT_PONG, &m, WAIT) == 1);
    pc_close(a);
    a = login(&ts, "alice", "alice's password");
    CHECK(a != NULL);
    pc_close(a);
    (void)err;
    test_server_end(&ts);
}

/* Asks for the account list on c and gathers it into l: 1 when complete; else the ERROR's code
 * (or -1 if the connection failed). *frames counts the ACCOUNT_LIST frames. */
static int list_accounts(pc_conn *c, account_list *l, int *frames)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_ACCOUNTS;
    *frames = 0;
    if (pc_send(c, &m) != 0)
        return -1;
    for (;;) {
        if (pc_recv(c, &m, WAIT) != 1)
            return -1;
        if (m.type == PT_ERROR)
            return m.code;
        if (m.type == PT_ACCOUNT_LIST) {
            ++*frames;
            if (account_list_take(l, &m) == 1)
                return 1;
        }
    }
}

static const account_item *find_item(const account_list *l, const char *login)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].login, login) == 0)
            return &l->items[i];
    return NULL;
}

/* An admin lists every account, online or not, with its role, disabled flag, whether it is
 * online now and its last login; users and operators are refused plainly. */
TEST(accounts_admin_lists_every_account)
{
    test_server ts;
    pc_conn *r, *a, *e;
    account_list l;
    const account_item *it;
    int frames;

    account_list_init(&l);
    REQUIRE(start(&ts, "acc-list") == 0);
    e = login(&ts, "\xC3\x89ric", "mot de passe");
    REQUIRE(e);
    test_settle(e);
    CHECK_EQ_INT(list_accounts(e, &l, &frames), PC_NOT_OPERATOR); /* an operator is no admin */
    pc_close(e); /* logged in once, offline now */
    r = login(&ts, "root", "root's password");
    a = login(&ts, "alice", "alice's password");
    REQUIRE(r && a);
    test_settle(r);
    test_settle(a);
    CHECK_EQ_INT(list_accounts(a, &l, &frames), PC_NOT_OPERATOR);
    CHECK_EQ_INT(l.n, 0);

    REQUIRE(list_accounts(r, &l, &frames) == 1);
    CHECK_EQ_INT(frames, 1);
    CHECK_EQ_INT(l.n, 5);
    it = find_item(&l, "alice");
    CHECK(it && it->role == USER_ROLE_USER && !it->disabled && it->online &&
          it->last_login_ms > 1);
    it = find_item(&l, "\xC3\x89ric");
    CHECK(it && it->role == USER_ROLE_OPERATOR && !it->disabled && !it->online &&
          it->last_login_ms > 1);
    it = find_item(&l, "carol");
    CHECK(it && it->role == USER_ROLE_USER && it->disabled && !it->online &&
          it->last_login_ms == 0);
    it = find_item(&l, "dave");
    CHECK(it && !it->disabled && !it->online && it->last_login_ms == 0);
    it = find_item(&l, "root");
    CHECK(it && it->role == USER_ROLE_ADMIN && it->online);
    CHECK(it && strcmp(it->display, "root") == 0);

    /* After a change the next list shows it: alice disabled (and so offline), dave an admin. */
    {
        proto_msg m;
        memset(&m, 0, sizeof m);
        m.type = PT_ACCOUNT;
        m.nick = proto_s("dave");
        m.target = proto_s("admin");
        CHECK(pc_send(r, &m) == 0);
        m.nick = proto_s("alice");
        m.target = proto_s("disable");
        CHECK(pc_send(r, &m) == 0);
    }
    REQUIRE(list_accounts(r, &l, &frames) == 1);
    it = find_item(&l, "alice");
    CHECK(it && it->disabled && !it->online);
    it = find_item(&l, "dave");
    CHECK(it && it->role == USER_ROLE_ADMIN);
    account_list_free(&l);
    pc_close(a);
    pc_close(r);
    test_server_end(&ts);
}

/* A store larger than one frame is listed in several ACCOUNT_LIST frames, each within the
 * frame limit, every account exactly once. */
TEST(accounts_long_list_comes_in_several_frames)
{
    test_server ts;
    server_config cfg;
    account_list l;
    users *u;
    scram_verifier v;
    pc_conn *r;
    char err[256], name[32], display[PROTO_DISPLAY_MAX + 1];
    static const uint8_t salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    int i, frames;
    size_t k;

    account_list_init(&l);
    sock_startup();
    crypto_init();
    test_server_config(&cfg, "acc-list-long");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "root", "root's password", USER_ROLE_ADMIN, 0) == 0);
    u = users_open(cfg.data_dir, NULL, NULL, err, sizeof err);
    REQUIRE(u != NULL);
    REQUIRE(scram_verifier_make("pw", 2, salt, sizeof salt, SCRAM_ITERATIONS_MIN, &v) ==
            SCRAM_OK);
    memset(display, 'd', PROTO_DISPLAY_MAX);
    display[PROTO_DISPLAY_MAX] = '\0';
    for (i = 0; i < 400; i++) {
        snprintf(name, sizeof name, "member%03d", i);
        REQUIRE(users_add(u, name, display, USER_ROLE_USER, &v, 1, err, sizeof err) == 0);
    }
    users_close(u);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    r = login(&ts, "root", "root's password");
    REQUIRE(r);
    test_settle(r);
    REQUIRE(list_accounts(r, &l, &frames) == 1);
    CHECK(frames > 1);
    CHECK_EQ_INT(l.n, 401);
    for (i = 0; i < 400; i++) {
        snprintf(name, sizeof name, "member%03d", i);
        CHECK(find_item(&l, name) != NULL);
    }
    for (k = 0; k < l.n; k++)
        CHECK(strcmp(l.items[k].login, "root") == 0 || strcmp(l.items[k].display, display) == 0);
    account_list_free(&l);
    pc_close(r);
    test_server_end(&ts);
}

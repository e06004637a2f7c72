/* test_names.c — integration tests for names in any script on a real server core and engine
 * (epoll natively, IOCP under Wine): nicks from many scripts log in, one name is one name
 * across case and normalisation, confusable mixed-script nicks are refused. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "server_fixture.h"
#include "sock.h"
#include "test.h"

#define WAIT 5000u

static void start(test_server *ts, const char *name, int *ok)
{
    server_config cfg;
    sock_startup();
    crypto_init();
    test_server_config(&cfg, name);
    *ok = test_server_start(ts, &cfg) == 0;
}

/* Nicks that were refused while names had to be ASCII. */
TEST(names_from_many_scripts_log_in_and_reach_each_other)
{
    static const char *const nicks[] = {
        "Jos\xC3\xA9",                              /* José */
        "\xC5\x81ukasz",                            /* Łukasz */
        "\xE7\x94\xB0\xE4\xB8\xAD",                 /* 田中 */
        "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7", /* Ελένη */
        "\xD0\x94\xD0\xBC\xD0\xB8\xD1\x82\xD1\x80\xD0\xB8\xD0\xB9", /* Дмитрий */
        "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF",         /* محمد */
    };
    pc_conn *c[6] = {NULL};
    test_server ts;
    proto_msg m;
    size_t i;
    int ok;

    start(&ts, "scripts", &ok);
    REQUIRE(ok);
    for (i = 0; i < 6; i++) {
        c[i] = test_connect(&ts, nicks[i], NULL, 0);
        if (!c[i])
            test_failf_at(__FILE__, __LINE__, "\"%s\" could not log in", nicks[i]);
        else
            CHECK_EQ_STR(pc_nick_of(c[i]), nicks[i]);
    }
    if (c[0] && c[3]) {
        test_settle(c[0]);
        test_settle(c[3]);
        /* Private messages find the nick in any case: ΕΛΈΝΗ is Ελένη. */
        CHECK(pc_priv(c[0], "\xCE\x95\xCE\x9B\xCE\x88\xCE\x9D\xCE\x97", "hola", 1) == 0);
        CHECK(test_expect(c[3], PT_PRIV_MSG, &m, WAIT) == 1);
        CHECK(str_is(m.text, "hola") && str_is(m.nick, "Jos\xC3\xA9"));
        CHECK(str_is(m.target, "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7"));
    }
    for (i = 0; i < 6; i++)
        pc_close(c[i]);
    test_server_end(&ts);
}

TEST(names_one_name_across_case_and_normalisation)
{
    test_server ts;
    pc_conn *a, *b, *d;
    proto_msg m;
    char err[256];
    int ok;

    start(&ts, "fold", &ok);
    REQUIRE(ok);
    a = test_connect(&ts, "\xC3\x89ric", NULL, 0); /* Éric, composed */
    REQUIRE(a);
    /* E + combining acute, upper case: the same name. */
    CHECK_EQ_INT(test_connect_fails(&ts, "E\xCC\x81RIC", TEST_SECRET, err, sizeof err),
                 PC_NICK_TAKEN);
    CHECK_EQ_INT(test_connect_fails(&ts, "\xC3\xA9ric", TEST_SECRET, err, sizeof err),
                 PC_NICK_TAKEN);
    /* A decomposed name is welcomed in its composed (NFC) form. */
    d = test_connect(&ts, "Jose\xCC\x81", NULL, 0);
    REQUIRE(d);
    CHECK_EQ_STR(pc_nick_of(d), "Jos\xC3\xA9");
    /* Renaming onto a name that folds to a taken one is refused too. */
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    test_settle(b);
    CHECK(pc_nick(b, "\xC3\xA9RIC") == 0);
    CHECK(test_expect(b, PT_ERROR, &m, WAIT) == 1);
    CHECK_EQ_INT(m.code, PC_NICK_TAKEN);
    CHECK(pc_nick(b, "STRA\xC3\x9F" "E") == 0); /* STRAßE: free, and taken from now on */
    while (test_expect(b, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_RENAME)
        ;
    CHECK_EQ_INT(m.event, MEMBER_RENAME);
    CHECK_EQ_INT(test_connect_fails(&ts, "strasse", TEST_SECRET, err, sizeof err),
                 PC_NICK_TAKEN);
    pc_close(a);
    pc_close(b);
    pc_close(d);
    test_server_end(&ts);
}

TEST(names_mixing_scripts_or_not_letters_refused)
{
    test_server ts;
    char err[256];
    int ok;

    start(&ts, "mixed", &ok);
    REQUIRE(ok);
    /* "paypal" with a Cyrillic а: looks Latin, is not. */
    CHECK_EQ_INT(test_connect_fails(&ts, "p\xD0\xB0ypal", TEST_SECRET, err, sizeof err),
                 PC_BAD_NICK);
    CHECK(strstr(err, "mix scripts") != NULL);
    CHECK_EQ_INT(test_connect_fails(&ts, "9lives", TEST_SECRET, err, sizeof err), PC_BAD_NICK);
    CHECK(strstr(err, "must start with a letter") != NULL);
    CHECK_EQ_INT(test_connect_fails(&ts, "a\xF0\x9F\x98\x80", TEST_SECRET, err, sizeof err),
                 PC_BAD_NICK); /* emoji */
    test_server_end(&ts);
}

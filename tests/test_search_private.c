/* test_search_private.c — SEARCH through a user's own private conversations (auth = accounts)
 * on a real server core and engine (epoll natively, IOCP under Wine): each party finds the
 * conversation's messages and nobody else does; a hit names the conversation by its peer with
 * the room empty; pages run across rooms and conversations; what was stored before a restart
 * is found after it; with the shared key nothing is stored, so nothing is found. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "search_pages.h"
#include "server_fixture.h"
#include "sock.h"
#include "sys.h"
#include "test.h"

#define WAIT 5000u

static int accounts(const server_config *cfg)
{
    return test_add_account(cfg->data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0 &&
           test_add_account(cfg->data_dir, "bob", "bob pw", USER_ROLE_USER, 0) == 0 &&
           test_add_account(cfg->data_dir, "dave", "dave pw", USER_ROLE_USER, 0) == 0;
}

/* Sends a private message and waits for its echo: it is stored (and queued for the index). */
/* The PRIV_MSG with this text: 1, or 0 if none came in time. */
static int expect_priv(pc_conn *c, const char *text)
{
    proto_msg m;
    while (test_expect(c, PT_PRIV_MSG, &m, WAIT) == 1)
        if (str_is(m.text, text))
            return 1;
    return 0;
}

static int priv(pc_conn *c, const char *to, const char *text)
{
    return pc_priv(c, to, text, 7) == 0 && expect_priv(c, text);
}

static int say(pc_conn *c, const char *text)
{
    proto_msg m;
    return pc_say(c, "lobby", text, 1) == 0 && test_expect_text(c, text, &m, WAIT) == 1;
}

/* The hit with this text, or NULL. */
static const hit *hit_of(const page *pg, const char *text)
{
    for (size_t i = 0; i < pg->n; i++)
        if (strcmp(pg->hits[i].text, text) == 0)
            return &pg->hits[i];
    return NULL;
}

TEST(search_private_finds_own_conversations_and_never_others)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b, *d;
    page pg;
    const hit *h;

    test_server_config(&cfg, "search-priv");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(accounts(&cfg));
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    d = test_login_settled(&ts, "dave");
    REQUIRE(a && b && d);
    REQUIRE(priv(a, "bob", "pineapple for lunch?"));
    REQUIRE(priv(b, "alice", "pineapple yes"));
    REQUIRE(priv(b, "dave", "the pineapple secret"));
    REQUIRE(priv(a, "alice", "pineapple note to self"));

    /* alice: her two with bob (named by bob, the room empty) and her note, never bob's with
     * dave. */
    REQUIRE(search_page(a, "pineapple", 1, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, 0);
    CHECK_EQ_INT(pg.n, 3);
    CHECK(!has_text(&pg, "the pineapple secret"));
    h = hit_of(&pg, "pineapple for lunch?");
    REQUIRE(h);
    CHECK_EQ_STR(h->room, "");
    CHECK_EQ_STR(h->target, "bob");
    CHECK_EQ_STR(h->nick, "alice");
    h = hit_of(&pg, "pineapple yes");
    REQUIRE(h);
    CHECK_EQ_STR(h->target, "bob");
    CHECK_EQ_STR(h->nick, "bob");
    h = hit_of(&pg, "pineapple note to self");
    REQUIRE(h);
    CHECK_EQ_STR(h->target, "alice");
    /* dave: only his with bob. */
    REQUIRE(search_page(d, "pineapple", 2, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK_EQ_STR(pg.hits[0].text, "the pineapple secret");
    CHECK_EQ_STR(pg.hits[0].target, "bob");
    /* bob: both of his conversations, not alice's note. */
    REQUIRE(search_page(b, "pineapple", 3, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 3);
    CHECK(!has_text(&pg, "pineapple note to self"));
    h = hit_of(&pg, "the pineapple secret");
    REQUIRE(h);
    CHECK_EQ_STR(h->target, "dave");
    /* The sender filter works across conversations; a room filter leaves them out. */
    REQUIRE(search_page(a, "pineapple from:BOB", 4, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK(has_text(&pg, "pineapple yes"));
    REQUIRE(search_page(a, "pineapple in:lobby", 5, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, 0);
    CHECK_EQ_INT(pg.n, 0);

    /* Indexed again from the journal at the next start. */
    pc_close(a);
    pc_close(b);
    pc_close(d);
    test_server_stop(&ts);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    d = test_login_settled(&ts, "dave");
    REQUIRE(d);
    REQUIRE(search_page(d, "pineapple", 6, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK(has_text(&pg, "the pineapple secret"));
    pc_close(d);
    test_server_end(&ts);
}

TEST(search_private_pages_run_across_rooms_and_conversations)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    page pg;
    uint64_t cursor = 0, last = UINT64_MAX;
    /* Newest first, one per page: the order they were said in, reversed. */
    static const char *const want[] = {"kiwi p3 to dave", "kiwi r2", "kiwi p2 from bob",
                                       "kiwi r1", "kiwi p1 to bob"};
    size_t i;

    test_server_config(&cfg, "search-priv-pages");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(accounts(&cfg));
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = test_login_settled(&ts, "alice");
    b = test_login_settled(&ts, "bob");
    REQUIRE(a && b);
    REQUIRE(priv(a, "bob", "kiwi p1 to bob"));
    REQUIRE(say(a, "kiwi r1"));
    REQUIRE(priv(b, "alice", "kiwi p2 from bob"));
    REQUIRE(say(b, "kiwi r2"));
    REQUIRE(priv(a, "dave", "kiwi p3 to dave")); /* dave is offline: stored, waiting */
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        REQUIRE(search_page(a, "kiwi", (uint32_t)(10 + i), cursor, 1, &pg) == 0);
        CHECK_EQ_INT(pg.error, 0);
        REQUIRE(pg.n == 1);
        CHECK_EQ_STR(pg.hits[0].text, want[i]);
        CHECK(pg.hits[0].id < last);
        last = pg.hits[0].id;
        /* A room's hit names the room; a conversation's names the peer. */
        CHECK_EQ_INT(pg.hits[0].room[0] == '\0', pg.hits[0].target[0] != '\0');
        CHECK_EQ_INT(!!(pg.flags & PROTO_FLAG_MORE), i + 1 < sizeof want / sizeof want[0]);
        cursor = pg.next;
    }
    CHECK_EQ_INT(cursor, 0);
    /* bob's view: the room's and his conversation with alice, not alice's with dave. */
    REQUIRE(search_page(b, "kiwi", 20, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 4);
    CHECK(!has_text(&pg, "kiwi p3 to dave"));
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

TEST(search_private_in_key_mode_finds_nothing_stored)
{
    test_server ts;
    server_config cfg;
    pc_conn *a, *b;
    page pg;

    test_server_config(&cfg, "search-priv-key");
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    a = test_connect(&ts, "alice", NULL, 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(a && b);
    test_settle(a);
    test_settle(b);
    REQUIRE(pc_priv(a, "bob", "guava live only", 1) == 0);
    REQUIRE(expect_priv(b, "guava live only"));
    REQUIRE(say(a, "guava in the room"));
    REQUIRE(search_page(a, "guava", 1, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK(has_text(&pg, "guava in the room"));
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

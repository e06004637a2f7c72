/* test_search.c — SEARCH on a real server core and engine (epoll natively, IOCP under Wine):
 * results newest first and paged, filters, case folding across scripts, refusals (rooms the
 * user is not in, bad queries, one search at a time); and the search thread's server-wide cap. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "search.h"
#include "search_pages.h"
#include "search_query.h"
#include "server_fixture.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 5000u
static void start(test_server *ts, const char *name, int *ok)
{
    server_config cfg;
    sock_startup();
    crypto_init();
    test_server_config(&cfg, name);
    cfg.history_per_room = 1000;
    *ok = test_server_start(ts, &cfg) == 0;
}

/* A server and alice and bob on it, settled in the lobby. 0, or -1 (the test fails). */
static int two_users(test_server *ts, const char *name, pc_conn **a, pc_conn **b)
{
    int ok;
    start(ts, name, &ok);
    if (!ok)
        return -1;
    *a = test_connect(ts, "alice", NULL, 0);
    *b = test_connect(ts, "bob", NULL, 0);
    if (!*a || !*b) {
        test_failf_at(__FILE__, __LINE__, "alice and bob could not both log in");
        return -1;
    }
    test_settle(*a);
    test_settle(*b);
    return 0;
}

/* Says text in room and waits for the echo (the message is then in the history). */
static int say(pc_conn *c, const char *room, const char *text)
{
    proto_msg m;
    return pc_say(c, room, text, 1) == 0 && test_expect_text(c, text, &m, WAIT) == 1;
}

TEST(search_results_newest_first_in_pages)
{
    test_server ts;
    pc_conn *a;
    page pg;
    uint64_t cursor = 0, last = UINT64_MAX;
    size_t total = 0, pages = 0;
    char text[64];
    int ok, i, seen[25] = {0};

    start(&ts, "search-pages", &ok);
    REQUIRE(ok);
    a = test_connect(&ts, "alice", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    for (i = 0; i < 25; i++) {
        snprintf(text, sizeof text, "fire drill number %d", i);
        REQUIRE(say(a, "lobby", text));
        REQUIRE(say(a, "lobby", "something else entirely"));
    }
    /* Pages of 10: 10, 10, 5, newest first, no message twice, no gap. */
    do {
        REQUIRE(search_page(a, "FIRE", 40, cursor, 10, &pg) == 0);
        CHECK_EQ_INT(pg.error, 0);
        CHECK_EQ_INT(pg.count, pg.n);
        for (size_t k = 0; k < pg.n; k++) {
            int num = -1;
            CHECK(pg.hits[k].id < last);
            last = pg.hits[k].id;
            CHECK_EQ_STR(pg.hits[k].room, "lobby");
            CHECK_EQ_STR(pg.hits[k].nick, "alice");
            CHECK(sscanf(pg.hits[k].text, "fire drill number %d", &num) == 1);
            if (num >= 0 && num < 25) {
                CHECK_EQ_INT(seen[num], 0);
                seen[num] = 1;
                /* Newest first: the first hit overall is the last message said. */
                CHECK_EQ_INT(num, 24 - (int)total);
            }
            total++;
        }
        pages++;
        CHECK_EQ_INT(!!(pg.flags & PROTO_FLAG_MORE), pg.next != 0);
        cursor = pg.next;
    } while (cursor && pages < 5);
    CHECK_EQ_INT(total, 25);
    CHECK_EQ_INT(pages, 3);
    CHECK_EQ_INT(pg.n, 5);

    /* A result carries what a client needs to jump to it: HISTORY around its id finds it. */
    REQUIRE(search_page(a, "number 7", 41, 0, 0, &pg) == 0);
    REQUIRE(pg.n == 1);
    {
        proto_msg hm, m;
        int found = 0;
        memset(&hm, 0, sizeof hm);
        hm.type = PT_HISTORY;
        hm.room = proto_s(pg.hits[0].room);
        hm.after = pg.hits[0].id - 1;
        hm.count = 3;
        REQUIRE(pc_send(a, &hm) == 0);
        while (pc_recv(a, &m, WAIT) == 1 && m.type != PT_HISTORY_END)
            if (m.type == PT_MSG && m.id == pg.hits[0].id) {
                found = 1;
                CHECK(str_is(m.text, "fire drill number 7"));
                CHECK_EQ_INT(m.time, pg.hits[0].time);
            }
        CHECK(found);
    }
    pc_close(a);
    test_server_end(&ts);
}

TEST(search_filters_sender_room_and_dates)
{
    test_server ts;
    pc_conn *a, *b;
    page pg;
    char line[160];

    REQUIRE(two_users(&ts, "search-filters", &a, &b) == 0);
    REQUIRE(pc_join(a, "ops") == 0);
    test_settle(a);
    REQUIRE(pc_join(b, "ops") == 0);
    test_settle(b);
    REQUIRE(say(a, "lobby", "server reboot at noon"));
    REQUIRE(say(b, "lobby", "reboot done"));
    REQUIRE(say(b, "ops", "ops reboot planned"));

    REQUIRE(search_page(a, "reboot", 1, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 3);
    /* from: the sender, in any case */
    REQUIRE(search_page(a, "reboot from:BOB", 2, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 2);
    CHECK(has_text(&pg, "reboot done") && has_text(&pg, "ops reboot planned"));
    /* in: one room */
    REQUIRE(search_page(a, "reboot in:ops", 3, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK(has_text(&pg, "ops reboot planned"));
    CHECK_EQ_STR(pg.hits[0].room, "ops");
    REQUIRE(search_page(a, "reboot from:bob in:lobby", 4, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK(has_text(&pg, "reboot done"));
    /* Dates: nothing was said on or after tomorrow, everything before it. */
    {
        time_t now = (time_t)(sys_wall_ms() / 1000) + 2 * 86400;
        struct tm *tm = localtime(&now);
        char day[16];
        REQUIRE(tm != NULL);
        strftime(day, sizeof day, "%Y-%m-%d", tm);
        snprintf(line, sizeof line, "reboot after:%s", day);
        REQUIRE(search_page(a, line, 5, 0, 0, &pg) == 0);
        CHECK_EQ_INT(pg.error, 0);
        CHECK_EQ_INT(pg.n, 0);
        CHECK_EQ_INT(pg.flags, 0);
        snprintf(line, sizeof line, "reboot before:%s after:2020-01-01", day);
        REQUIRE(search_page(a, line, 6, 0, 0, &pg) == 0);
        CHECK_EQ_INT(pg.n, 3);
        snprintf(line, sizeof line, "reboot before:2020-01-01");
        REQUIRE(search_page(a, line, 7, 0, 0, &pg) == 0);
        CHECK_EQ_INT(pg.n, 0);
    }
    /* The raw time range: messages at or after the newest hit's time include that hit. */
    REQUIRE(search_page(a, "reboot", 8, 0, 0, &pg) == 0);
    REQUIRE(pg.n == 3);
    {
        pc_search_req req;
        page p2;
        char err[100];
        REQUIRE(pc_search_parse("reboot", &req, err, sizeof err) == 0);
        req.tag = 9;
        req.after_ms = pg.hits[0].time;
        REQUIRE(pc_search(a, &req) == 0);
        REQUIRE(recv_page(a, 9, &p2) == 0);
        CHECK(p2.n >= 1);
        for (size_t i = 0; i < p2.n; i++)
            CHECK(p2.hits[i].time >= pg.hits[0].time);
    }
    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
}

TEST(search_folds_case_across_scripts)
{
    static const struct {
        const char *said, *query;
    } cases[] = {
        {"Die Stra\xC3\x9F" "e ist zu", "STRASSE"},                       /* Straße */
        {"\xC3\x89" "COLE ferm\xC3\xA9" "e", "e\xCC\x81" "cole"},         /* ÉCOLE / e+◌́cole */
        {"\xCE\x95\xCE\x9B\xCE\x88\xCE\x9D\xCE\x97 \xCE\xB5\xCE\xAF\xCF\x80\xCE\xB5", /* ΕΛΈΝΗ */
         "\xCE\xB5\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7"},                     /* ελένη */
        {"\xD0\x94\xD0\x9C\xD0\x98\xD0\xA2\xD0\xA0\xD0\x98\xD0\x99 \xD0\xBF\xD1\x80\xD0\xB8\xD1"
         "\x88\xD1\x91\xD0\xBB", "\xD0\xB4\xD0\xBC\xD0\xB8\xD1\x82\xD1\x80\xD0\xB8\xD0\xB9"}, /* Дмитрий */
        {"\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x82\xBF\xE3\x83\xAF\xE3\x83\xBC\xE3\x81\xAB\xE8\xA1\x8C"
         "\xE3\x81\x8F", "\xE3\x82\xBF\xE3\x83\xAF\xE3\x83\xBC"}, /* 東京タワーに行く / タワー */
        {"plain \xEF\xBC\xA1" "BC here", "\xEF\xBD\x81" "bc"}, /* Ａ folds to ａ */
        {"ask Tanaka\xE7\x94\xB0\xE4\xB8\xAD today", "\xE7\x94\xB0\xE4\xB8\xAD"}, /* 田中 inside */
    };
    test_server ts;
    pc_conn *a;
    page pg;
    size_t i;
    int ok;

    start(&ts, "search-fold", &ok);
    REQUIRE(ok);
    a = test_connect(&ts, "alice", NULL, 0);
    REQUIRE(a);
    test_settle(a);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        REQUIRE(say(a, "lobby", cases[i].said));
    REQUIRE(say(a, "lobby", "a fire drill"));
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE(search_page(a, cases[i].query, (uint32_t)(10 + i), 0, 0, &pg) == 0);
        if (pg.n != 1 || !has_text(&pg, cases[i].said))
            test_failf_at(__FILE__, __LINE__, "\"%s\" found %u results, not \"%s\"",
                          cases[i].query, (unsigned)pg.n, cases[i].said);
    }
    /* Words match at a word's start: "rill" is not "drill"; every word must be there. */
    REQUIRE(search_page(a, "rill", 30, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 0);
    REQUIRE(search_page(a, "dri", 31, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    REQUIRE(search_page(a, "fire ice", 32, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 0);
    pc_close(a);
    test_server_end(&ts);
}

/* The search thread waits here while `held` is set, so that a test can keep searches running. */
static mutex_handle *gate_mu;
static cond_handle *gate_cv;
static int held;

static void gate(void)
{
    mutex_lock(gate_mu);
    while (held)
        cond_wait_ms(gate_cv, gate_mu, COND_FOREVER);
    mutex_unlock(gate_mu);
}

static void gate_set(int on)
{
    mutex_lock(gate_mu);
    held = on;
    cond_broadcast(gate_cv);
    mutex_unlock(gate_mu);
}

TEST(search_refusals)
{
    test_server ts;
    pc_conn *a, *b;
    page pg, pg2;
    pc_search_req req;
    char err[100];

    gate_mu = mutex_new();
    gate_cv = cond_new();
    REQUIRE(gate_mu && gate_cv);
    REQUIRE(two_users(&ts, "search-refusals", &a, &b) == 0);
    REQUIRE(pc_join(b, "secret") == 0);
    test_settle(b);
    REQUIRE(say(b, "secret", "the payroll numbers"));
    REQUIRE(say(b, "lobby", "payroll is done"));

    /* Only rooms one is in now: alice sees the lobby's message, never the other room's. */
    REQUIRE(search_page(a, "payroll", 1, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);
    CHECK(has_text(&pg, "payroll is done"));
    REQUIRE(search_page(a, "payroll in:secret", 2, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, PC_NOT_IN_ROOM);
    REQUIRE(search_page(b, "payroll", 3, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 2);
    /* Once bob leaves the room, its messages are no longer his to search. */
    REQUIRE(pc_part(b, "secret", "bye") == 0);
    REQUIRE(search_page(b, "payroll", 4, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.n, 1);

    /* Queries that cannot run. */
    REQUIRE(search_page(a, "!!! ???", 5, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, PC_BAD_SEARCH);
    REQUIRE(search_page(a, "a b c d e f g h i", 6, 0, 0, &pg) == 0);
    CHECK_EQ_INT(pg.error, PC_BAD_SEARCH);
    REQUIRE(pc_search_parse("payroll", &req, err, sizeof err) == 0);
    req.tag = 7;
    req.after_ms = 2000;
    req.before_ms = 1000;
    REQUIRE(pc_search(a, &req) == 0);
    REQUIRE(recv_page(a, 7, &pg) == 0);
    CHECK_EQ_INT(pg.error, PC_BAD_SEARCH);

    /* One search per session at a time: while the first is held on the search thread, a second
     * is refused plainly; the first still answers once let go. */
    gate_set(1);
    search_test_before_query = gate;
    REQUIRE(pc_search_parse("payroll", &req, err, sizeof err) == 0);
    req.tag = 8;
    REQUIRE(pc_search(a, &req) == 0);
    req.tag = 9;
    REQUIRE(pc_search(a, &req) == 0);
    REQUIRE(recv_page(a, 9, &pg2) == 0);
    CHECK_EQ_INT(pg2.error, PC_SEARCH_BUSY);
    gate_set(0);
    REQUIRE(recv_page(a, 8, &pg) == 0);
    CHECK_EQ_INT(pg.error, 0);
    CHECK_EQ_INT(pg.n, 1);
    search_test_before_query = NULL;

    pc_close(a);
    pc_close(b);
    test_server_end(&ts);
    cond_free(gate_cv);
    mutex_free(gate_mu);
}

static int notified;
static void count_notify(void *user)
{
    (void)user;
    notified++;
}

static void count_result(void *user, const search_result *r)
{
    size_t *n = user;
    *n += r->nhits;
}

/* The search thread lets `passes` queries through its gate, then waits; `entered` counts
 * arrivals, so a test knows which query the thread is holding. */
static int passes, entered;

static void counting_gate(void)
{
    mutex_lock(gate_mu);
    entered++;
    cond_broadcast(gate_cv);
    while (passes == 0)
        cond_wait_ms(gate_cv, gate_mu, COND_FOREVER);
    passes--;
    mutex_unlock(gate_mu);
}

static void wait_entered(int n)
{
    mutex_lock(gate_mu);
    while (entered < n)
        cond_wait_ms(gate_cv, gate_mu, COND_FOREVER);
    mutex_unlock(gate_mu);
}

static void let_through(int n)
{
    mutex_lock(gate_mu);
    passes += n;
    cond_broadcast(gate_cv);
    mutex_unlock(gate_mu);
}

static int disowned_results, owned_results;
static void owner_result(void *user, const search_result *r)
{
    (void)user;
    if (r->owner)
        owned_results++;
    else
        disowned_results++;
}

/* A session that goes away while its query waits in the batch the thread has taken (behind a
 * query being run) is forgotten by that query too: its result comes back without an owner,
 * never to the freed session. */
TEST(search_disown_reaches_queries_the_thread_has_taken)
{
    static const search_conv rooms[] = {{SEARCH_SOURCE_ROOM, "lobby"}};
    static int owner_a, owner_b, owner_c;
    search *s;
    search_query q;
    char err[160];

    gate_mu = mutex_new();
    gate_cv = cond_new();
    REQUIRE(gate_mu && gate_cv);
    s = search_start(100, 0, 8, count_notify, NULL, err, sizeof err);
    REQUIRE(s);
    CHECK(search_add(s, SEARCH_SOURCE_ROOM, "Lobby", 1, 1000, "alice", "hello world", 11) == 0);
    CHECK_EQ_INT(search_indexed(s), 1);
    passes = entered = 0;
    search_test_before_query = counting_gate;
    memset(&q, 0, sizeof q);
    q.words = "world";
    q.words_len = 5;
    q.nick = "";
    q.convs = rooms;
    q.nconvs = 1;
    q.owner = &owner_a;
    REQUIRE(search_submit(s, &q, err, sizeof err) == 0);
    wait_entered(1); /* a's query holds the thread */
    q.owner = &owner_b;
    REQUIRE(search_submit(s, &q, err, sizeof err) == 0);
    q.owner = &owner_c;
    REQUIRE(search_submit(s, &q, err, sizeof err) == 0);
    let_through(1);  /* a's runs; the thread takes b's and c's as one batch */
    wait_entered(2); /* b's is being run, c's waits in the batch */
    search_disown(s, &owner_c);
    let_through(2);
    search_test_before_query = NULL;
    CHECK_EQ_INT(search_indexed(s), 1); /* waits until the thread is idle */
    disowned_results = owned_results = 0;
    CHECK_EQ_INT(search_collect(s, owner_result, NULL), 3);
    CHECK_EQ_INT(owned_results, 2);
    CHECK_EQ_INT(disowned_results, 1);
    search_stop(s);
    cond_free(gate_cv);
    mutex_free(gate_mu);
}

/* The server-wide cap, on the search thread directly: with max_running queries queued or
 * running, one more is refused until results are collected. */
TEST(search_server_wide_cap)
{
    static const search_conv rooms[] = {{SEARCH_SOURCE_ROOM, "lobby"}};
    search *s;
    search_query q;
    char err[160];
    size_t hits = 0;
    int i;

    gate_mu = mutex_new();
    gate_cv = cond_new();
    REQUIRE(gate_mu && gate_cv);
    s = search_start(100, 0, 3, count_notify, NULL, err, sizeof err);
    REQUIRE(s);
    for (i = 0; i < 5; i++)
        CHECK(search_add(s, SEARCH_SOURCE_ROOM, "Lobby", (uint64_t)i + 1, 1000, "alice",
                         "hello world", 11) == 0);
    CHECK_EQ_INT(search_indexed(s), 5);
    gate_set(1);
    search_test_before_query = gate;
    memset(&q, 0, sizeof q);
    q.words = "WORLD";
    q.words_len = 5;
    q.nick = "";
    q.convs = rooms;
    q.nconvs = 1;
    for (i = 0; i < 3; i++)
        CHECK_EQ_INT(search_submit(s, &q, err, sizeof err), 0);
    CHECK_EQ_INT(search_submit(s, &q, err, sizeof err), SEARCH_E_BUSY);
    CHECK(strstr(err, "as many searches as it allows") != NULL);
    gate_set(0);
    search_test_before_query = NULL;
    /* search_indexed waits until the thread is idle: then all three results are in. */
    CHECK_EQ_INT(search_indexed(s), 5);
    CHECK_EQ_INT(search_collect(s, count_result, &hits), 3);
    CHECK_EQ_INT(hits, 15);
    CHECK_EQ_INT(search_submit(s, &q, err, sizeof err), 0);
    search_stop(s);
    CHECK(notified >= 3);
    cond_free(gate_cv);
    mutex_free(gate_mu);
}

static void keep_ids(void *user, const search_result *r)
{
    uint64_t *ids = user;
    for (size_t i = 0; i < r->nhits && i < 8; i++)
        ids[i] = r->hits[i].id;
}

/* What the history dropped (a room's oldest first) the index forgets once told: results come
 * only from what is left, newest first. */
TEST(search_forgets_what_the_history_dropped)
{
    static const search_conv rooms[] = {{SEARCH_SOURCE_ROOM, "lobby"}};
    uint64_t ids[8] = {0};
    search *s;
    search_query q;
    char err[160];
    int i;

    s = search_start(100, 0, 4, NULL, NULL, err, sizeof err);
    REQUIRE(s);
    for (i = 1; i <= 5; i++)
        CHECK(search_add(s, SEARCH_SOURCE_ROOM, "lobby", (uint64_t)i, 1000, "alice",
                         "budget report", 13) == 0);
    CHECK(search_trim(s, SEARCH_SOURCE_ROOM, "LOBBY", 3) == 0);
    CHECK_EQ_INT(search_indexed(s), 2);
    memset(&q, 0, sizeof q);
    q.words = "budget";
    q.words_len = 6;
    q.nick = "";
    q.convs = rooms;
    q.nconvs = 1;
    CHECK_EQ_INT(search_submit(s, &q, err, sizeof err), 0);
    search_indexed(s);
    CHECK_EQ_INT(search_collect(s, keep_ids, ids), 1);
    CHECK_EQ_INT(ids[0], 5);
    CHECK_EQ_INT(ids[1], 4);
    CHECK_EQ_INT(ids[2], 0);
    search_stop(s);
}

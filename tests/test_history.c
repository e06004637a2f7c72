/* test_history.c — tests for room history (server/history.c): rings keep the last N, ids,
 * reload after a restart, replay after an id, compaction, torn journal tails, write failures
 * with the volatile fallback, and the shared name folding (names.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <signal.h>
#include <sys/resource.h>
#endif

#include "fsys.h"
#include "history.h"
#include "names.h"
#include "test.h"

static const char *const scratch_files[] = {
    HISTORY_JOURNAL_NAME, HISTORY_JOURNAL_NAME ".tmp", HISTORY_JOURNAL_NAME ".corrupt",
    "blocker", "ids.mark", "ids.mark.tmp", NULL,
};

static void dir_clean(const char *dir)
{
    char path[512];
    for (size_t i = 0; scratch_files[i]; i++) {
        if (fsys_path_join(path, sizeof path, dir, scratch_files[i]) == 0)
            fsys_remove(path);
    }
    fsys_rmdir(dir, NULL, 0);
}

/* "th-<name>", emptied of an earlier run's leftovers; history_open creates it. */
static void dir_fresh(const char *name, char *dir, size_t dir_size)
{
    snprintf(dir, dir_size, "th-%s", name);
    dir_clean(dir);
}

static history *open_h(const char *dir, uint32_t per_room, journal_recovery *rec)
{
    char err[256] = "";
    history *h = history_open(dir, per_room, FSYNC_ALWAYS, 0, rec, err, sizeof err);
    if (!h)
        test_failf_at(__FILE__, __LINE__, "history_open: %s", err);
    return h;
}

static uint64_t add_msg(history *h, const char *room, const char *nick, const char *text,
                        uint64_t time_ms)
{
    char err[256] = "";
    uint64_t id = 0;
    if (history_add(h, room, nick, text, time_ms, 0, &id, err, sizeof err) != 0)
        test_failf_at(__FILE__, __LINE__, "history_add: %s", err);
    return id;
}

/* Collects what history_each gives, as "id:nick:text|..." plus the raw fields of the last. */
typedef struct got {
    char line[4096];
    size_t count;
    history_msg last;
    char last_room[64];
} got;

static int collect(void *user, const history_msg *m)
{
    got *g = user;
    size_t n = strlen(g->line);
    snprintf(g->line + n, sizeof g->line - n, "%llu:%s:%s|", (unsigned long long)m->id,
             m->nick, m->text);
    g->count++;
    g->last = *m;
    snprintf(g->last_room, sizeof g->last_room, "%s", m->room);
    g->last.room = g->last.nick = g->last.text = NULL; /* borrowed: not valid afterwards */
    return 0;
}

static const char *each(const history *h, const char *room, uint64_t after, size_t max,
                        got *g)
{
    memset(g, 0, sizeof *g);
    history_each(h, room, after, max, collect, g);
    return g->line;
}

TEST(names_fold_ascii_only)
{
    CHECK(names_equal_ci("#Lobby", "#lOBBY"));
    CHECK(!names_equal_ci("#lobby", "#lobby2"));
    CHECK(!names_equal_ci("#lobb", "#lobby"));
    CHECK(names_equal_ci("", ""));
    CHECK(!names_equal_ci("\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9")); /* É vs é: not folded */
    CHECK_EQ_INT(names_hash_ci("#MiXeD"), names_hash_ci("#mixed"));
    CHECK(names_hash_ci("#a") != names_hash_ci("#b"));
}

TEST(history_ring_keeps_last_n)
{
    char dir[128], text[32];
    uint64_t prev = 0;
    got g;
    history *h;

    dir_fresh("ring", dir, sizeof dir);
    h = open_h(dir, 5, NULL);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(history_next_id(h), 1);
    CHECK(!history_room_exists(h, "#a"));
    for (int i = 1; i <= 12; i++) {
        uint64_t id;
        snprintf(text, sizeof text, "a%d", i);
        id = add_msg(h, i % 2 ? "#A" : "#a", "ann", text, 1000u + (unsigned)i);
        CHECK(id > prev);
        prev = id;
        if (i <= 3) {
            snprintf(text, sizeof text, "b%d", i);
            CHECK(add_msg(h, "#b", "bob", text, 2000) > prev);
            prev++;
        }
    }
    CHECK_EQ_INT(history_next_id(h), 16);
    CHECK_EQ_INT(history_retained(h), 8);
    CHECK(history_room_exists(h, "#a"));
    CHECK(history_room_exists(h, "#A"));
    CHECK(!history_room_exists(h, "#c"));
    /* #a got ids 1,2,4,6,8,9,10,...: the last five are the messages a8..a12. */
    CHECK_EQ_STR(each(h, "#a", 0, 0, &g), "11:ann:a8|12:ann:a9|13:ann:a10|14:ann:a11|15:ann:a12|");
    CHECK_EQ_INT(g.last.time_ms, 1012);
    CHECK_EQ_STR(g.last_room, "#a");
    CHECK_EQ_STR(each(h, "#B", 0, 0, &g), "2:bob:b1|4:bob:b2|6:bob:b3|");
    CHECK_EQ_INT(history_each(h, "#nowhere", 0, 0, collect, &g), 0);
    history_close(h);
    dir_clean(dir);
}

TEST(history_each_after_id_and_max)
{
    char dir[128], text[16];
    got g;
    history *h;

    dir_fresh("after", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    for (int i = 1; i <= 6; i++) {
        snprintf(text, sizeof text, "m%d", i);
        add_msg(h, "#r", "n", text, 0);
    }
    CHECK_EQ_STR(each(h, "#r", 4, 0, &g), "5:n:m5|6:n:m6|");
    CHECK_EQ_STR(each(h, "#r", 6, 0, &g), "");
    CHECK_EQ_STR(each(h, "#r", 99, 0, &g), "");
    /* max keeps the newest ones, still oldest first. */
    CHECK_EQ_STR(each(h, "#r", 0, 2, &g), "5:n:m5|6:n:m6|");
    CHECK_EQ_STR(each(h, "#r", 1, 3, &g), "4:n:m4|5:n:m5|6:n:m6|");
    CHECK_EQ_STR(each(h, "#r", 3, 10, &g), "4:n:m4|5:n:m5|6:n:m6|");
    history_close(h);
    dir_clean(dir);
}

TEST(history_reload_after_restart)
{
    char dir[128], text[64], before_a[4096], before_b[4096];
    journal_recovery rec;
    got g;
    history *h;
    uint64_t id;

    dir_fresh("reload", dir, sizeof dir);
    h = open_h(dir, 4, NULL);
    REQUIRE(h != NULL);
    for (int i = 1; i <= 9; i++) {
        snprintf(text, sizeof text, "text %d with \xc3\xa9 and spaces", i);
        add_msg(h, i % 3 ? "#Main" : "#side", i % 2 ? "Ann" : "bob", text,
                1700000000000u + (unsigned)i);
    }
    {
        char err[256];
        CHECK(history_add(h, "#main", "flagged", "f", 42, 0x80, &id, err, sizeof err) == 0);
    }
    snprintf(before_a, sizeof before_a, "%s", each(h, "#main", 0, 0, &g));
    snprintf(before_b, sizeof before_b, "%s", each(h, "#SIDE", 0, 0, &g));
    history_close(h);

    h = open_h(dir, 4, &rec);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_INT(rec.records, 10);
    CHECK_EQ_STR(each(h, "#MAIN", 0, 0, &g), before_a);
    CHECK_EQ_INT(g.last.flags, 0x80);
    CHECK_EQ_INT(g.last.time_ms, 42);
    CHECK_EQ_INT(g.last.text_len, 1);
    CHECK_EQ_STR(g.last_room, "#main");
    CHECK_EQ_STR(each(h, "#side", 0, 0, &g), before_b);
    CHECK_EQ_INT(g.last.time_ms, 1700000000009u);
    CHECK_EQ_INT(history_retained(h), 7);
    /* Ids continue after the largest stored one. */
    CHECK_EQ_INT(history_next_id(h), 11);
    CHECK_EQ_INT(add_msg(h, "#new", "x", "y", 0), 11);
    history_close(h);
    dir_clean(dir);
}

static int count_room(void *user, const char *room, size_t count, uint64_t last_id)
{
    got *g = user;
    size_t n = strlen(g->line);
    /* Listing order is unspecified: record in a fixed slot per known room. */
    snprintf(g->line + n, sizeof g->line - n, "%s=%zu@%llu ", room, count,
             (unsigned long long)last_id);
    g->count++;
    return 0;
}

TEST(history_rooms_lists_rooms_with_history)
{
    char dir[128];
    got g;
    history *h;

    dir_fresh("rooms", dir, sizeof dir);
    h = open_h(dir, 3, NULL);
    REQUIRE(h != NULL);
    memset(&g, 0, sizeof g);
    CHECK_EQ_INT(history_rooms(h, count_room, &g), 0);
    add_msg(h, "#one", "a", "1", 0);
    add_msg(h, "#two", "a", "2", 0);
    add_msg(h, "#ONE", "a", "3", 0);
    memset(&g, 0, sizeof g);
    CHECK_EQ_INT(history_rooms(h, count_room, &g), 2);
    /* A room is listed as spelled by its latest message. */
    CHECK(strstr(g.line, "#ONE=2@3 ") != NULL);
    CHECK(strstr(g.line, "#two=1@2 ") != NULL);
    history_close(h);
    dir_clean(dir);
}

TEST(history_compaction_keeps_exactly_the_retained)
{
    char dir[128], text[32], err[256] = "", before_x[4096], before_y[4096];
    journal_recovery rec;
    got g;
    history *h;

    dir_fresh("compact", dir, sizeof dir);
    h = open_h(dir, 3, NULL);
    REQUIRE(h != NULL);
    for (int i = 1; i <= 100; i++) {
        snprintf(text, sizeof text, "m%d", i);
        add_msg(h, i % 4 ? "#x" : "#y", "n", text, (unsigned)i);
    }
    CHECK_EQ_INT(history_journal_records(h), 100);
    CHECK_EQ_INT(history_retained(h), 6);
    snprintf(before_x, sizeof before_x, "%s", each(h, "#x", 0, 0, &g));
    snprintf(before_y, sizeof before_y, "%s", each(h, "#y", 0, 0, &g));
    CHECK_EQ_STR(before_x, "97:n:m97|98:n:m98|99:n:m99|");
    CHECK_EQ_STR(before_y, "92:n:m92|96:n:m96|100:n:m100|");

    /* The periodic tick sees 100 records for 6 retained (over 4x) and compacts. */
    CHECK_EQ_INT(history_tick(h, 1000, err, sizeof err), 0);
    CHECK_EQ_INT(history_journal_records(h), 6);
    /* Nothing more to do on the next tick. */
    CHECK_EQ_INT(history_tick(h, 2000, err, sizeof err), 0);
    CHECK_EQ_INT(history_journal_records(h), 6);
    add_msg(h, "#x", "n", "m101", 101);
    CHECK_EQ_INT(history_journal_records(h), 7);
    history_close(h);

    h = open_h(dir, 3, &rec);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(rec.records, 7);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_STR(each(h, "#x", 0, 0, &g), "98:n:m98|99:n:m99|101:n:m101|");
    CHECK_EQ_STR(each(h, "#y", 0, 0, &g), before_y);
    CHECK_EQ_INT(history_next_id(h), 102);
    /* An explicit compaction writes exactly the retained set. */
    CHECK_EQ_INT(history_compact(h, err, sizeof err), 0);
    CHECK_EQ_INT(history_journal_records(h), 6);
    history_close(h);
    h = open_h(dir, 3, &rec);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(rec.records, 6);
    CHECK_EQ_STR(each(h, "#x", 0, 0, &g), "98:n:m98|99:n:m99|101:n:m101|");
    history_close(h);
    dir_clean(dir);
}

TEST(history_smaller_ring_after_restart)
{
    char dir[128], text[16];
    got g;
    history *h;

    dir_fresh("shrink", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    for (int i = 1; i <= 6; i++) {
        snprintf(text, sizeof text, "m%d", i);
        add_msg(h, "#r", "n", text, 0);
    }
    history_close(h);
    /* The administrator lowered history_per_room: only the newest are kept. */
    h = open_h(dir, 2, NULL);
    REQUIRE(h != NULL);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "5:n:m5|6:n:m6|");
    CHECK_EQ_INT(history_next_id(h), 7);
    history_close(h);
    dir_clean(dir);
}

TEST(history_torn_tail_is_cut_and_reported)
{
    char dir[128], path[256], err[256] = "";
    journal_recovery rec;
    got g;
    history *h;
    int64_t size;

    dir_fresh("torn", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    add_msg(h, "#r", "n", "one", 0);
    add_msg(h, "#r", "n", "two", 0);
    add_msg(h, "#r", "n", "three", 0);
    history_close(h);
    REQUIRE(fsys_path_join(path, sizeof path, dir, HISTORY_JOURNAL_NAME) == 0);
    size = fsys_file_size(path);
    REQUIRE(size > 3);
    REQUIRE(fsys_truncate_path(path, (uint64_t)size - 3, err, sizeof err) == 0);

    h = open_h(dir, 10, &rec);
    REQUIRE(h != NULL);
    CHECK(rec.cut_bytes > 0);
    CHECK(strstr(rec.reason, "torn") != NULL);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "1:n:one|2:n:two|");
    /* Ids continue after the last message that survived. */
    CHECK_EQ_INT(add_msg(h, "#r", "n", "four", 0), 3);
    history_close(h);
    h = open_h(dir, 10, &rec);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "1:n:one|2:n:two|3:n:four|");
    history_close(h);
    dir_clean(dir);
}

TEST(history_unwritable_dir_is_a_clear_error)
{
    char dir[128], blocker[256], bad[300], err[256] = "";
    history *h;
    FILE *f;

    dir_fresh("unwritable", dir, sizeof dir);
    REQUIRE(fsys_mkdirs(dir, err, sizeof err) == 0);
    REQUIRE(fsys_path_join(blocker, sizeof blocker, dir, "blocker") == 0);
    f = fsys_fopen(blocker, "wb");
    REQUIRE(f != NULL);
    fclose(f);
    REQUIRE(fsys_path_join(bad, sizeof bad, blocker, "data") == 0);
    h = history_open(bad, 10, FSYNC_ALWAYS, 0, NULL, err, sizeof err);
    CHECK(h == NULL);
    CHECK(strstr(err, bad) != NULL);
    fprintf(stderr, "expected error: %s\n", err);
    history_close(h);
    dir_clean(dir);
}

TEST(history_rejects_bad_arguments)
{
    char dir[128], err[256] = "", big[HISTORY_TEXT_MAX + 2];
    uint64_t id = 77;
    history *h;

    dir_fresh("args", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    CHECK(history_add(h, "", "n", "t", 0, 0, &id, err, sizeof err) != 0);
    CHECK(err[0] != '\0');
    CHECK(history_add(h, NULL, "n", "t", 0, 0, &id, err, sizeof err) != 0);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(history_add(h, "#r", "n", big, 0, 0, &id, err, sizeof err) != 0);
    CHECK_EQ_INT(id, 77); /* no id on failure */
    big[HISTORY_TEXT_MAX] = '\0';
    CHECK(history_add(h, "#r", "n", big, 0, 0, &id, err, sizeof err) == 0);
    CHECK_EQ_INT(id, 1);
    CHECK(!history_room_exists(h, ""));
    history_close(h);
    dir_clean(dir);
}

TEST(history_volatile_messages_are_memory_only)
{
    char dir[128], err[256] = "";
    uint64_t id = 0;
    got g;
    history *h;

    dir_fresh("volatile", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    add_msg(h, "#r", "n", "kept", 0);
    CHECK(history_add_volatile(h, "#r", "n", "fleeting", 0, 0, &id, err, sizeof err) == 0);
    CHECK_EQ_INT(id, 2);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "1:n:kept|2:n:fleeting|");
    CHECK_EQ_INT(history_journal_records(h), 1);
    history_close(h);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "1:n:kept|");
    history_close(h);
    dir_clean(dir);
}

/* The disk-full path end to end, with a file-size limit standing in for a full disk (POSIX
 * only): the add fails with no id and nothing stored, live delivery goes on with a volatile
 * message, and once space is back durable adds work and the volatile one is not lost by a
 * compaction. */
TEST(history_write_failure_and_volatile_fallback)
{
#if !defined(_WIN32)
    char dir[128], path[256], err[256] = "";
    struct rlimit old, lim;
    uint64_t id = 0;
    int failed;
    got g;
    history *h;

    dir_fresh("diskfull", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    add_msg(h, "#r", "n", "before", 0);
    REQUIRE(fsys_path_join(path, sizeof path, dir, HISTORY_JOURNAL_NAME) == 0);
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)fsys_file_size(path) + 4;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    failed = history_add(h, "#r", "n", "during", 0, 0, &id, err, sizeof err) != 0;
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK(failed);
    CHECK_EQ_INT(id, 0);
    CHECK(strstr(err, HISTORY_JOURNAL_NAME) != NULL);
    fprintf(stderr, "expected error: %s\n", err);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "1:n:before|");
    /* The documented fallback: deliver live with a volatile message. */
    CHECK(history_add_volatile(h, "#r", "n", "during", 0, 0, &id, err, sizeof err) == 0);
    CHECK_EQ_INT(id, 2);
    CHECK_EQ_INT(add_msg(h, "#r", "n", "after", 0), 3);
    CHECK_EQ_INT(history_compact(h, err, sizeof err), 0);
    history_close(h);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "1:n:before|2:n:during|3:n:after|");
    history_close(h);
    dir_clean(dir);
#endif
}

TEST(history_per_room_zero_keeps_nothing)
{
    char dir[128];
    history *h;
    got g;

    dir_fresh("zero", dir, sizeof dir);
    h = open_h(dir, 0, NULL);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(add_msg(h, "#r", "n", "t", 0), 1);
    CHECK_EQ_INT(add_msg(h, "#r", "n", "t", 0), 2);
    CHECK(!history_room_exists(h, "#r"));
    CHECK_EQ_STR(each(h, "#r", 0, 0, &g), "");
    CHECK_EQ_INT(history_journal_records(h), 0);
    history_close(h);
    dir_clean(dir);
}

static const char *range(const history *h, const char *room, uint64_t after, uint64_t before,
                         size_t max, int oldest, got *g)
{
    memset(g, 0, sizeof *g);
    history_range(h, room, after, before, max, oldest, collect, g);
    return g->line;
}

/* history_range: a window by ids, then the oldest or the newest max of it. */
TEST(history_range_pages_in_both_directions)
{
    char dir[128], text[16];
    got g;
    history *h;

    dir_fresh("range", dir, sizeof dir);
    h = open_h(dir, 10, NULL);
    REQUIRE(h != NULL);
    for (int i = 1; i <= 6; i++) {
        snprintf(text, sizeof text, "m%d", i);
        add_msg(h, "#r", "n", text, 0);
    }
    CHECK_EQ_STR(range(h, "#r", 0, 0, 2, 0, &g), "5:n:m5|6:n:m6|");
    CHECK_EQ_STR(range(h, "#r", 0, 5, 2, 0, &g), "3:n:m3|4:n:m4|");
    CHECK_EQ_STR(range(h, "#r", 0, 3, 2, 0, &g), "1:n:m1|2:n:m2|");
    CHECK_EQ_STR(range(h, "#r", 0, 1, 2, 0, &g), "");
    CHECK_EQ_STR(range(h, "#r", 1, 0, 2, 1, &g), "2:n:m2|3:n:m3|");
    CHECK_EQ_STR(range(h, "#r", 3, 0, 2, 1, &g), "4:n:m4|5:n:m5|");
    CHECK_EQ_STR(range(h, "#r", 5, 0, 2, 1, &g), "6:n:m6|");
    CHECK_EQ_STR(range(h, "#r", 2, 5, 0, 1, &g), "3:n:m3|4:n:m4|");
    history_close(h);
    dir_clean(dir);
}

static int in_use_b(void *user, const char *room)
{
    (void)user;
    return names_equal_ci(room, "#busy");
}

/* Expiry drops the history of rooms not in use whose newest message is old; the budget drops
 * the oldest messages of the least recently used rooms first; a compaction takes both to the
 * disk, and the id sequence does not go back after a restart. */
TEST(history_expiry_and_byte_budget_reach_the_journal)
{
    char dir[128], err[256], text[64];
    got g;
    history *h;
    uint64_t last_id, id;
    int i;

    dir_fresh("budget", dir, sizeof dir);
    h = open_h(dir, 100, NULL);
    REQUIRE(h != NULL);
    add_msg(h, "#old", "n", "ancient", 1000);
    add_msg(h, "#busy", "n", "ancient but busy", 1000);
    for (i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "lru %02d", i);
        add_msg(h, "#lru", "n", text, 2000 + (uint64_t)i);
    }
    for (i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "new %02d", i);
        last_id = add_msg(h, "#new", "n", text, 5000 + (uint64_t)i);
    }
    CHECK_EQ_INT(history_expire(h, 1500, in_use_b, NULL), 1);
    CHECK_EQ_INT(history_room_exists(h, "#old"), 0);
    CHECK_EQ_INT(history_room_exists(h, "#busy"), 1);
    /* Under the budget: nothing goes. */
    CHECK_EQ_INT(history_enforce_budget(h, history_bytes(h)), 0);
    /* Over it: the oldest of the least recently used first (#busy, then #lru). */
    {
        uint64_t total = history_bytes(h);
        size_t dropped = history_enforce_budget(h, total - 100);
        CHECK(dropped >= 1);
        CHECK(history_bytes(h) <= (total - 100) - (total - 100) / 10);
        CHECK_EQ_INT(history_room_exists(h, "#busy"), 0);
        CHECK(strncmp(range(h, "#lru", 0, 0, 0, 0, &g), "1", 1) != 0 || g.count < 20);
        CHECK_EQ_INT(history_each(h, "#new", 0, 0, collect, &g), 20);
    }
    CHECK_EQ_INT(history_compact(h, err, sizeof err), 0);
    history_close(h);
    h = open_h(dir, 100, NULL);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(history_room_exists(h, "#old"), 0);
    CHECK_EQ_INT(history_room_exists(h, "#busy"), 0);
    CHECK_EQ_INT(history_each(h, "#new", 0, 0, collect, &g), 20);
    id = add_msg(h, "#new", "n", "after", 9000);
    CHECK(id > last_id);
    history_close(h);
    dir_clean(dir);
}

/* "Least recently used" follows the order messages arrived in, not their clock times: a clock
 * put back makes the room spoken in last look older, and two rooms' newest messages can share
 * a millisecond. Either way the room used last keeps its history. */
TEST(history_byte_budget_goes_by_arrival_not_by_clock)
{
    char dir[128], text[64];
    got g;
    history *h;
    int i;

    dir_fresh("budget-order", dir, sizeof dir);
    h = open_h(dir, 100, NULL);
    REQUIRE(h != NULL);
    for (i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "first %02d", i);
        add_msg(h, "#first", "n", text, 7200000 + (uint64_t)i);
    }
    /* The clock went back an hour before the second room spoke. */
    for (i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "then %02d", i);
        add_msg(h, "#then", "n", text, 3600000 + (uint64_t)i);
    }
    CHECK(history_enforce_budget(h, history_bytes(h) - 100) >= 1);
    CHECK_EQ_INT(history_each(h, "#then", 0, 0, collect, &g), 20);
    CHECK(history_each(h, "#first", 0, 0, collect, &g) < 20);
    history_close(h);
    dir_clean(dir);

    /* The same millisecond for both rooms' newest messages, in either order of creation. */
    for (i = 0; i < 2; i++) {
        const char *older = i ? "#zz-older" : "#aa-older", *newer = i ? "#aa-newer" : "#zz-newer";
        int j;
        dir_fresh("budget-tie", dir, sizeof dir);
        h = open_h(dir, 100, NULL);
        REQUIRE(h != NULL);
        for (j = 0; j < 20; j++)
            add_msg(h, older, "n", "a line of the older room", 70000);
        for (j = 0; j < 20; j++)
            add_msg(h, newer, "n", "a line of the newer room", 70000);
        CHECK(history_enforce_budget(h, history_bytes(h) - 100) >= 1);
        CHECK_EQ_INT(history_each(h, newer, 0, 0, collect, &g), 20);
        CHECK(history_each(h, older, 0, 0, collect, &g) < 20);
        history_close(h);
        dir_clean(dir);
    }
}


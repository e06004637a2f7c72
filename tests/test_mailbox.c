/* test_mailbox.c — tests for the private message store (server/mailbox.c): messages and marks
 * survive a reopen, a torn journal tail is cut with nothing before it lost, a limited
 * catch-up never leaves out a waiting message, expiry is journaled, a forgotten account
 * leaves nothing behind, compaction keeps the truth. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fsys.h"
#include "mailbox.h"
#include "test.h"

static void dir_fresh(const char *name, char *dir, size_t dir_size)
{
    static const char *const files[] = {MAILBOX_JOURNAL_NAME, MAILBOX_JOURNAL_NAME ".tmp",
                                        MAILBOX_JOURNAL_NAME ".corrupt"};
    char path[512];
    size_t i;
    snprintf(dir, dir_size, "tm-%s", name);
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        if (fsys_path_join(path, sizeof path, dir, files[i]) == 0 && fsys_exists(path))
            fsys_remove(path);
    if (fsys_exists(dir))
        fsys_rmdir(dir, NULL, 0);
}

static mailbox *open_mb(const char *dir, journal_recovery *rec)
{
    char err[256] = "";
    mailbox *mb = mailbox_open(dir, FSYNC_ALWAYS, 0, rec, err, sizeof err);
    if (!mb)
        test_failf_at(__FILE__, __LINE__, "mailbox_open: %s", err);
    return mb;
}

static void put_flags(mailbox *mb, uint64_t id, uint64_t time_ms, uint8_t flags,
                      const char *from, const char *to, const char *text)
{
    char err[256] = "";
    /* Without a writer the store writes at once and says so with 1. */
    if (mailbox_submit(mb, id, time_ms, flags, from, to, text, strlen(text), 0, NULL, err,
                       sizeof err) != 1)
        test_failf_at(__FILE__, __LINE__, "mailbox_submit: %s", err);
}

static void put(mailbox *mb, uint64_t id, uint64_t time_ms, const char *from, const char *to,
                const char *text)
{
    put_flags(mb, id, time_ms, 0, from, to, text);
}

/* Collects what mailbox_range gives as "id:from>to:text[*][/flags]|..." (* = waiting, flags in
 * hex when not 0). */
typedef struct seen {
    char text[512];
} seen;

static int collect(void *user, const mailbox_msg *m)
{
    seen *s = user;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%llu:%s>%s:%s%s", (unsigned long long)m->id,
             m->from, m->to, m->text, m->waiting ? "*" : "");
    len = strlen(s->text);
    if (m->flags)
        snprintf(s->text + len, sizeof s->text - len, "/%x", (unsigned)m->flags);
    len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "|");
    return 0;
}

static const char *range(const mailbox *mb, const char *account, uint64_t after, size_t max,
                         seen *s)
{
    s->text[0] = '\0';
    mailbox_range(mb, account, after, 0, max, collect, s);
    return s->text;
}

TEST(mailbox_messages_and_marks_survive_a_reopen)
{
    char dir[64], err[256];
    mailbox *mb;
    journal_recovery rec;
    seen s;

    dir_fresh("reopen", dir, sizeof dir);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    put(mb, 10, 1000, "alice", "dave", "one");
    put(mb, 11, 1001, "bob", "dave", "two");
    put_flags(mb, 12, 1002, 0x20, "alice", "dave", "three"); /* an action (/me) */
    put(mb, 13, 1003, "alice", "bob", "elsewhere");
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 3);
    CHECK_EQ_INT(mailbox_set_delivered(mb, "dave", 11, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 1);
    CHECK_EQ_INT(mailbox_set_read(mb, "dave", "alice", 10, err, sizeof err), 1);
    CHECK_EQ_INT(mailbox_set_read(mb, "dave", "alice", 9, err, sizeof err), 0); /* backwards */
    CHECK_EQ_INT(mailbox_set_receipts(mb, "dave", 0, err, sizeof err), 0);
    mailbox_close(mb);

    memset(&rec, 0, sizeof rec);
    mb = open_mb(dir, &rec);
    REQUIRE(mb);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_INT(mailbox_count(mb), 4);
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 1);
    CHECK_EQ_INT(mailbox_delivered(mb, "DAVE"), 11); /* names match without regard to case */
    CHECK_EQ_INT(mailbox_read(mb, "dave", "alice"), 10);
    CHECK_EQ_INT(mailbox_read(mb, "alice", "dave"), 0);
    CHECK_EQ_INT(mailbox_receipts(mb, "dave"), 0);
    CHECK_EQ_INT(mailbox_receipts(mb, "alice"), 1);
    CHECK_EQ_STR(range(mb, "dave", 0, 0, &s),
                 "10:alice>dave:one|11:bob>dave:two|12:alice>dave:three*/20|");
    CHECK_EQ_STR(range(mb, "bob", 0, 0, &s), "11:bob>dave:two|13:alice>bob:elsewhere*|");
    CHECK_EQ_STR(range(mb, "dave", 11, 0, &s), "12:alice>dave:three*/20|");
    CHECK_EQ_INT(mailbox_last_id(mb, "dave"), 12);
    mailbox_close(mb);
    dir_fresh("reopen", dir, sizeof dir);
}

TEST(mailbox_torn_tail_is_cut_and_the_rest_kept)
{
    /* A record header promising 256 bytes, and 3 of them: a write cut short by a crash. */
    static const uint8_t torn[] = {0x00, 0x00, 0x01, 0x00, 0xDE, 0xAD, 0xBE};
    char dir[64], path[512];
    mailbox *mb;
    journal_recovery rec;
    FILE *f;
    seen s;

    dir_fresh("torn", dir, sizeof dir);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    put(mb, 1, 1000, "alice", "dave", "kept");
    put_flags(mb, 2, 1001, 0x20, "alice", "dave", "kept too");
    mailbox_close(mb);
    REQUIRE(fsys_path_join(path, sizeof path, dir, MAILBOX_JOURNAL_NAME) == 0);
    f = fsys_fopen(path, "ab");
    REQUIRE(f);
    fwrite(torn, 1, sizeof torn, f);
    fclose(f);

    memset(&rec, 0, sizeof rec);
    mb = open_mb(dir, &rec);
    REQUIRE(mb);
    CHECK_EQ_INT(rec.cut_bytes, sizeof torn);
    CHECK(strstr(rec.reason, "torn") != NULL);
    CHECK_EQ_STR(range(mb, "dave", 0, 0, &s), "1:alice>dave:kept*|2:alice>dave:kept too*/20|");
    /* Writable again after the cut, and the next open is clean. */
    put(mb, 3, 1002, "bob", "dave", "after");
    mailbox_close(mb);
    memset(&rec, 0, sizeof rec);
    mb = open_mb(dir, &rec);
    REQUIRE(mb);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_INT(mailbox_count(mb), 3);
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 3);
    mailbox_close(mb);
    dir_fresh("torn", dir, sizeof dir);
}

TEST(mailbox_limited_catch_up_keeps_every_waiting_message)
{
    char dir[64], err[256];
    mailbox *mb;
    seen s;

    dir_fresh("limit", dir, sizeof dir);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    put(mb, 1, 1000, "alice", "dave", "w1");
    put(mb, 2, 1001, "alice", "dave", "w2");
    put(mb, 3, 1002, "dave", "alice", "old");
    put(mb, 4, 1003, "dave", "bob", "n1");
    put(mb, 5, 1004, "dave", "bob", "n2");
    /* The newest two, and the two still waiting for dave although older. */
    CHECK_EQ_STR(range(mb, "dave", 0, 2, &s),
                 "1:alice>dave:w1*|2:alice>dave:w2*|4:dave>bob:n1*|5:dave>bob:n2*|");
    CHECK_EQ_INT(mailbox_set_delivered(mb, "dave", 2, err, sizeof err), 0);
    CHECK_EQ_STR(range(mb, "dave", 0, 2, &s), "4:dave>bob:n1*|5:dave>bob:n2*|");
    mailbox_close(mb);
    dir_fresh("limit", dir, sizeof dir);
}

static int count_expired(void *user, const mailbox_msg *m)
{
    seen *s = user;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%llu|", (unsigned long long)m->id);
    return 0;
}

TEST(mailbox_expiry_drops_waiting_messages_for_good)
{
    char dir[64], err[256];
    mailbox *mb;
    seen s, dropped;

    dir_fresh("expiry", dir, sizeof dir);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    put(mb, 1, 1000, "alice", "dave", "old, waiting");
    put(mb, 2, 1000, "alice", "bob", "old, delivered");
    put(mb, 3, 5000, "alice", "dave", "new, waiting");
    CHECK_EQ_INT(mailbox_set_delivered(mb, "bob", 2, err, sizeof err), 0);
    dropped.text[0] = '\0';
    /* Waiting ones sent before 2000 go (and are reported); delivered ones are kept (0). */
    CHECK_EQ_INT(mailbox_expire(mb, 2000, 0, count_expired, &dropped), 1);
    CHECK_EQ_STR(dropped.text, "1|");
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 1);
    mailbox_close(mb);
    mb = open_mb(dir, NULL); /* the drop was journaled: it does not come back */
    REQUIRE(mb);
    CHECK_EQ_STR(range(mb, "dave", 0, 0, &s), "3:alice>dave:new, waiting*|");
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 1);
    /* Retention: delivered messages older than 2000 go, without a report. */
    dropped.text[0] = '\0';
    CHECK_EQ_INT(mailbox_expire(mb, 0, 2000, count_expired, &dropped), 1);
    CHECK_EQ_STR(dropped.text, "");
    CHECK_EQ_INT(mailbox_count(mb), 1);
    mailbox_close(mb);
    dir_fresh("expiry", dir, sizeof dir);
}

TEST(mailbox_budget_drops_the_oldest_delivered_and_keeps_waiting_ones)
{
    char dir[64], err[256];
    mailbox *mb;
    uint64_t each;
    seen s;

    dir_fresh("budget", dir, sizeof dir);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    put(mb, 1, 1000, "alice", "dave", "waiting 1");
    put(mb, 2, 1001, "alice", "carl", "delivered");
    put(mb, 3, 1002, "alice", "carl", "delivered");
    put(mb, 4, 1003, "alice", "carl", "delivered");
    CHECK_EQ_INT(mailbox_set_delivered(mb, "carl", 4, err, sizeof err), 0);
    each = mailbox_bytes(mb) / 4; /* every message above has the same size */
    CHECK_EQ_INT(mailbox_enforce_budget(mb, 4 * each), 0); /* within it: nothing goes */
    /* Over 3 messages' worth: down to 90 % of it, oldest delivered first, the waiting one kept. */
    CHECK_EQ_INT(mailbox_enforce_budget(mb, 3 * each), 2);
    CHECK_EQ_STR(range(mb, "alice", 0, 0, &s),
                 "1:alice>dave:waiting 1*|4:alice>carl:delivered|");
    CHECK(mailbox_bytes(mb) == 2 * each);
    mailbox_close(mb);
    dir_fresh("budget", dir, sizeof dir);
}

TEST(mailbox_compaction_keeps_exactly_the_state)
{
    char dir[64], err[256];
    mailbox *mb;
    uint64_t i;
    seen s;

    dir_fresh("compact", dir, sizeof dir);
    /* Without syncing: 2000 synced appends would only make the test slow. */
    mb = mailbox_open(dir, FSYNC_NEVER, 0, NULL, err, sizeof err);
    REQUIRE(mb);
    put_flags(mb, 1, 1000, 0x20, "alice", "dave", "hello");
    for (i = 1; i <= 2000; i++)
        CHECK_EQ_INT(mailbox_set_read(mb, "alice", "dave", i, err, sizeof err), 1);
    CHECK(mailbox_journal_records(mb) > 2000);
    CHECK_EQ_INT(mailbox_tick(mb, 1, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_journal_records(mb), 2); /* the message and one read mark */
    mailbox_close(mb);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    CHECK_EQ_INT(mailbox_read(mb, "alice", "dave"), 2000);
    CHECK_EQ_STR(range(mb, "alice", 0, 0, &s), "1:alice>dave:hello*/20|"); /* flags too */
    mailbox_close(mb);
    dir_fresh("compact", dir, sizeof dir);
}

static void list_untold(void *user, uint64_t id, const char *to)
{
    seen *s = user;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%llu>%s|", (unsigned long long)id, to);
}

/* A sender not told of an expiry is owed it across a reopen and a compaction, and only once. */
TEST(mailbox_untold_expiries_are_kept_until_taken)
{
    char dir[64], err[256];
    mailbox *mb;
    seen s;
    uint64_t i;

    dir_fresh("untold", dir, sizeof dir);
    mb = mailbox_open(dir, FSYNC_NEVER, 0, NULL, err, sizeof err);
    REQUIRE(mb);
    CHECK_EQ_INT(mailbox_add_untold(mb, "alice", "dave", 7, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_add_untold(mb, "alice", "bob", 9, err, sizeof err), 0);
    for (i = 1; i <= 2000; i++) /* enough records for a compaction */
        CHECK_EQ_INT(mailbox_set_read(mb, "bob", "dave", i, err, sizeof err), 1);
    CHECK_EQ_INT(mailbox_tick(mb, 1, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_journal_records(mb), 3); /* a read mark and the two owed */
    mailbox_close(mb);
    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    s.text[0] = '\0';
    CHECK_EQ_INT(mailbox_take_untold(mb, "ALICE", list_untold, &s, err, sizeof err), 2);
    CHECK_EQ_STR(s.text, "7>dave|9>bob|");
    CHECK_EQ_STR(err, "");
    s.text[0] = '\0';
    CHECK_EQ_INT(mailbox_take_untold(mb, "alice", list_untold, &s, err, sizeof err), 0);
    mailbox_close(mb);
    mb = open_mb(dir, NULL); /* taking them was journaled */
    REQUIRE(mb);
    CHECK_EQ_INT(mailbox_take_untold(mb, "alice", list_untold, &s, err, sizeof err), 0);
    CHECK_EQ_STR(s.text, "");
    mailbox_close(mb);
    dir_fresh("untold", dir, sizeof dir);
}

/* A forgotten (deleted) account leaves nothing of its conversations, for either party, and a
 * new account of the same name starts empty: after a reopen and after a compaction too. */
TEST(mailbox_forget_drops_an_account_for_good)
{
    char dir[64], err[256];
    mailbox *mb;
    seen s;
    uint64_t i;

    dir_fresh("forget", dir, sizeof dir);
    mb = mailbox_open(dir, FSYNC_NEVER, 0, NULL, err, sizeof err);
    REQUIRE(mb);
    put(mb, 1, 1000, "alice", "bob", "secret one");
    put(mb, 2, 1001, "bob", "alice", "secret two");
    put(mb, 3, 1002, "bob", "dave", "kept");
    put(mb, 4, 1003, "alice", "dave", "waiting for dave");
    CHECK_EQ_INT(mailbox_set_delivered(mb, "alice", 2, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_set_read(mb, "alice", "bob", 2, err, sizeof err), 1);
    CHECK_EQ_INT(mailbox_set_read(mb, "bob", "alice", 1, err, sizeof err), 1);
    CHECK_EQ_INT(mailbox_set_read(mb, "bob", "dave", 3, err, sizeof err), 1);
    CHECK_EQ_INT(mailbox_set_receipts(mb, "alice", 0, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_add_untold(mb, "alice", "dave", 5, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_add_untold(mb, "dave", "alice", 6, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 2);

    CHECK_EQ_INT(mailbox_forget(mb, "ALICE", err, sizeof err), 0); /* any case */
    CHECK_EQ_INT(mailbox_count(mb), 1);
    CHECK_EQ_STR(range(mb, "alice", 0, 0, &s), "");
    CHECK_EQ_STR(range(mb, "bob", 0, 0, &s), "3:bob>dave:kept*|");
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 1); /* alice's waiting message went */
    CHECK_EQ_INT(mailbox_read(mb, "bob", "alice"), 0);
    CHECK_EQ_INT(mailbox_read(mb, "bob", "dave"), 3);
    mailbox_close(mb);

    mb = open_mb(dir, NULL); /* the journal forgets it too */
    REQUIRE(mb);
    CHECK_EQ_INT(mailbox_count(mb), 1);
    CHECK_EQ_STR(range(mb, "alice", 0, 0, &s), "");
    CHECK_EQ_INT(mailbox_last_id(mb, "alice"), 0);
    CHECK_EQ_INT(mailbox_delivered(mb, "alice"), 0);
    CHECK_EQ_INT(mailbox_waiting(mb, "alice"), 0);
    CHECK_EQ_INT(mailbox_waiting(mb, "dave"), 1);
    CHECK_EQ_INT(mailbox_read(mb, "alice", "bob"), 0);
    CHECK_EQ_INT(mailbox_read(mb, "bob", "alice"), 0);
    CHECK_EQ_INT(mailbox_read(mb, "bob", "dave"), 3);
    CHECK_EQ_INT(mailbox_receipts(mb, "alice"), 1);
    s.text[0] = '\0';
    CHECK_EQ_INT(mailbox_take_untold(mb, "alice", list_untold, &s, err, sizeof err), 0);
    CHECK_EQ_INT(mailbox_take_untold(mb, "dave", list_untold, &s, err, sizeof err), 0);
    CHECK_EQ_STR(s.text, "");
    /* The new alice's own messages are kept as usual. */
    put(mb, 7, 2000, "bob", "alice", "hello again");
    for (i = 1; i <= 2000; i++) /* enough records for a compaction */
        CHECK_EQ_INT(mailbox_set_read(mb, "dave", "bob", i, err, sizeof err), 1);
    CHECK_EQ_INT(mailbox_tick(mb, 1, err, sizeof err), 0);
    mailbox_close(mb);

    mb = open_mb(dir, NULL);
    REQUIRE(mb);
    CHECK_EQ_STR(range(mb, "alice", 0, 0, &s), "7:bob>alice:hello again*|");
    CHECK_EQ_INT(mailbox_read(mb, "bob", "alice"), 0);
    CHECK_EQ_INT(mailbox_count(mb), 2);
    mailbox_close(mb);
    dir_fresh("forget", dir, sizeof dir);
}

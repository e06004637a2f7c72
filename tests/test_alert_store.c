/* test_alert_store.c — the alert store (server/alerts.c) on its own: recipients counted once
 * whatever their spelling, first deliveries and acknowledgements recorded once, everything
 * back after a reopen, and the audit read that leaves a torn journal as it found it. */
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "fsys.h"
#include "test.h"

static void dir_fresh(const char *name, char *dir, size_t dir_size)
{
    char path[512];
    snprintf(dir, dir_size, "ta-%s", name);
    if (fsys_path_join(path, sizeof path, dir, ALERTS_JOURNAL_NAME) == 0)
        fsys_remove(path);
    if (fsys_path_join(path, sizeof path, dir, ALERTS_JOURNAL_NAME ".corrupt") == 0)
        fsys_remove(path);
    fsys_rmdir(dir, NULL, 0);
    fsys_mkdirs(dir, NULL, 0);
}

static alerts *open_a(const char *dir, journal_recovery *rec)
{
    char err[256] = "";
    alerts *a = alerts_open(dir, FSYNC_NEVER, 0, rec, err, sizeof err);
    if (!a)
        test_failf_at(__FILE__, __LINE__, "alerts_open: %s", err);
    return a;
}

/* alerts_add without a writer: written and in the store at once (1), or NULL. */
static const alert *add_now(alerts *a, uint64_t now, uint32_t duration, const char *to,
                            const char *text, const char *const *names, size_t n)
{
    char err[256] = "";
    uint64_t id = 0;
    int rc = alerts_add(a, "root", now, duration, to, text, names, n, NULL, 0, &id, err,
                        sizeof err);
    if (rc != 1)
        test_failf_at(__FILE__, __LINE__, "alerts_add: %d %s", rc, err);
    return rc == 1 ? alerts_get(a, id) : NULL;
}

TEST(alert_store_records_once_and_reloads)
{
    static const char *const names[] = {"alice", "ALICE", "Bob", "\xC3\x89ric", "E\xCC\x81ric"};
    const char *bob = "BOB", *eric = "\xC3\xA9RIC";
    char dir[64], err[256];
    const alert *al;
    size_t counts[3];
    alerts *a;

    dir_fresh("once", dir, sizeof dir);
    REQUIRE((a = open_a(dir, NULL)) != NULL);
    al = add_now(a, 1000, 60, "all", "fire drill", names, 5);
    REQUIRE(al != NULL);
    CHECK(al->id == 1);
    CHECK_EQ_INT(al->nrcpts, 3); /* alice, Bob, Éric: each once */
    CHECK_EQ_INT(alerts_mark_shown(a, 1, &bob, 1, 2000, err, sizeof err), 0);
    CHECK_EQ_INT(alerts_mark_shown(a, 1, &bob, 1, 3000, err, sizeof err), 0); /* no change */
    CHECK_EQ_INT(alerts_ack(a, 1, eric, 4000, NULL, err, sizeof err), 1); /* acked unshown */
    CHECK_EQ_INT(alerts_ack(a, 1, eric, 5000, NULL, err, sizeof err), 1);
    CHECK(alerts_ack(a, 1, "mallory", 5000, NULL, err, sizeof err) < 0);
    CHECK(alerts_ack(a, 2, "alice", 5000, NULL, err, sizeof err) < 0);
    CHECK(!alerts_expired(al, 60999) && alerts_expired(al, 61000));
    alerts_close(a);

    REQUIRE((a = open_a(dir, NULL)) != NULL);
    REQUIRE((al = alerts_get(a, 1)) != NULL);
    alerts_tally(al, counts);
    CHECK_EQ_INT(counts[ROLL_PENDING], 1);
    CHECK_EQ_INT(counts[ROLL_SHOWN], 1);
    CHECK_EQ_INT(counts[ROLL_ACKED], 1);
    CHECK(alerts_rcpt(al, "bob")->shown_ms == 2000);
    CHECK(alerts_rcpt(al, "\xC3\x89ric")->ack_ms == 4000);
    CHECK_EQ_STR(al->text, "fire drill");
    CHECK_EQ_STR(al->sender, "root");
    al = add_now(a, 9000, 0, "user:alice", "second", names, 1);
    CHECK(al && al->id == 2); /* ids go on after a reopen */
    alerts_close(a);
}

TEST(alert_store_audit_read_leaves_a_torn_journal_alone)
{
    static const char *const names[] = {"alice"};
    char dir[64], path[512], err[256];
    journal_recovery rec;
    int64_t size;
    alerts *a;
    FILE *f;

    dir_fresh("torn", dir, sizeof dir);
    REQUIRE((a = open_a(dir, NULL)) != NULL);
    REQUIRE(add_now(a, 1000, 0, "all", "x", names, 1) != NULL);
    alerts_close(a);
    REQUIRE(fsys_path_join(path, sizeof path, dir, ALERTS_JOURNAL_NAME) == 0);
    f = fsys_fopen(path, "ab");
    REQUIRE(f);
    fwrite("\0\0\0\x09torn", 1, 8, f);
    fclose(f);
    size = fsys_file_size(path);

    a = alerts_read(dir, &rec, err, sizeof err);
    REQUIRE(a != NULL);
    CHECK_EQ_INT(alerts_count(a), 1);
    CHECK(rec.reason[0] != '\0');
    alerts_close(a);
    CHECK(fsys_file_size(path) == size); /* read only: nothing cut */

    REQUIRE((a = open_a(dir, &rec)) != NULL); /* the server's open cuts it */
    CHECK_EQ_INT(rec.cut_bytes, 8);
    CHECK_EQ_INT(alerts_count(a), 1);
    alerts_close(a);
    CHECK(fsys_file_size(path) == size - 8);
}

/* 1 if the audit listing of a (at now, with keep) has this text. */
static int listing_has(const alerts *a, uint64_t now, uint64_t keep, const char *text)
{
    char listing[4096];
    size_t n;
    FILE *f = tmpfile();
    if (!f)
        return 0;
    alerts_print(a, now, keep, f);
    rewind(f);
    n = fread(listing, 1, sizeof listing - 1, f);
    listing[n] = '\0';
    fclose(f);
    return strstr(listing, text) != NULL;
}

/* Retention ([alerts] keep): an alert every recipient acknowledged, or that expired, goes
 * once keep has passed since; one still waiting for someone stays. The journal is compacted
 * (smaller), a reopen finds only what was kept, with its roll call, and ids go on. */
TEST(alert_store_drops_finished_alerts_after_keep_and_compacts)
{
    static const char *const names[] = {"alice", "bob"};
    const char *alice = "alice", *bob = "bob";
    char dir[64], path[512], err[256];
    const alert *al;
    int64_t before;
    alerts *a;
    uint64_t day = 86400000u;

    dir_fresh("keep", dir, sizeof dir);
    REQUIRE((a = open_a(dir, NULL)) != NULL);
    REQUIRE(add_now(a, 1000, 0, "all", "acked by all", names, 2) != NULL);     /* 1 */
    REQUIRE(add_now(a, 2000, 3600, "all", "expires", names, 2) != NULL);       /* 2 */
    REQUIRE(add_now(a, 3000, 0, "all", "bob never acks", names, 2) != NULL);   /* 3 */
    REQUIRE(add_now(a, 4000, 0, "all", "acked late", names, 2) != NULL);       /* 4 */
    CHECK_EQ_INT(alerts_mark_shown(a, 1, names, 2, 1500, err, sizeof err), 0);
    CHECK_EQ_INT(alerts_ack(a, 1, alice, 1600, NULL, err, sizeof err), 1);
    CHECK_EQ_INT(alerts_ack(a, 1, bob, 1700, NULL, err, sizeof err), 1);
    CHECK_EQ_INT(alerts_ack(a, 3, alice, 3100, NULL, err, sizeof err), 1);
    CHECK_EQ_INT(alerts_mark_shown(a, 3, &bob, 1, 3200, err, sizeof err), 0);
    CHECK_EQ_INT(alerts_ack(a, 4, alice, 4100, NULL, err, sizeof err), 1);
    CHECK_EQ_INT(alerts_ack(a, 4, bob, 20 * day, NULL, err, sizeof err), 1);
    REQUIRE(fsys_path_join(path, sizeof path, dir, ALERTS_JOURNAL_NAME) == 0);
    before = fsys_file_size(path);

    CHECK(alerts_finished_ms(alerts_get(a, 1)) == 1700);
    CHECK(alerts_finished_ms(alerts_get(a, 2)) == 2000 + 3600000u);
    CHECK(alerts_finished_ms(alerts_get(a, 3)) == 0);
    CHECK_EQ_INT(alerts_drop_finished(a, 10 * day, 0), 0); /* keep = 0: for ever */
    CHECK_EQ_INT(alerts_drop_finished(a, 10 * day, 11 * day), 0);
    CHECK_EQ_INT(alerts_drop_finished(a, 10 * day, 5 * day), 2); /* 1 and 2 */
    CHECK_EQ_INT(alerts_count(a), 2);
    CHECK_EQ_INT(alerts_compact(a, err, sizeof err), 0);
    CHECK(fsys_file_size(path) < before);
    alerts_close(a);

    REQUIRE((a = open_a(dir, NULL)) != NULL);
    CHECK_EQ_INT(alerts_count(a), 2);
    CHECK(alerts_get(a, 1) == NULL && alerts_get(a, 2) == NULL);
    REQUIRE((al = alerts_get(a, 3)) != NULL);
    CHECK_EQ_STR(al->text, "bob never acks");
    CHECK(alerts_rcpt(al, "alice")->state == ROLL_ACKED && alerts_rcpt(al, "alice")->ack_ms == 3100);
    CHECK(alerts_rcpt(al, "bob")->state == ROLL_SHOWN && alerts_rcpt(al, "bob")->shown_ms == 3200);
    REQUIRE((al = alerts_get(a, 4)) != NULL);
    CHECK(alerts_rcpt(al, "bob")->ack_ms == 20 * day);
    al = add_now(a, 30 * day, 0, "user:bob", "fifth", &bob, 1);
    CHECK(al && al->id == 5);
    /* The audit listing shows what is kept, and until when a finished alert stays. */
    CHECK(listing_has(a, 31 * day, 5 * day, "alert 4 from root at 1970-01-01T00:00:04Z, "
                                            "kept until 1970-01-26T00:00:00Z"));
    CHECK(listing_has(a, 31 * day, 5 * day, "alert 3 from root at 1970-01-01T00:00:03Z\n"));
    CHECK(!listing_has(a, 31 * day, 5 * day, "alert 1 "));
    CHECK(!listing_has(a, 31 * day, 0, "kept until"));
    alerts_close(a);

    /* Dropping the newest alerts does not give their ids again. */
    REQUIRE((a = open_a(dir, NULL)) != NULL);
    CHECK_EQ_INT(alerts_ack(a, 5, bob, 30 * day, NULL, err, sizeof err), 1);
    CHECK_EQ_INT(alerts_ack(a, 3, bob, 30 * day, NULL, err, sizeof err), 1);
    CHECK_EQ_INT(alerts_drop_finished(a, 400 * day, 5 * day), 3);
    CHECK_EQ_INT(alerts_compact(a, err, sizeof err), 0);
    alerts_close(a);
    REQUIRE((a = open_a(dir, NULL)) != NULL);
    CHECK_EQ_INT(alerts_count(a), 0);
    al = add_now(a, 401 * day, 0, "user:bob", "sixth", &bob, 1);
    CHECK(al && al->id == 6);
    alerts_close(a);
}

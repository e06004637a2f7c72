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
    al = alerts_add(a, "root", 1000, 60, "all", "fire drill", names, 5, err, sizeof err);
    REQUIRE(al != NULL);
    CHECK(al->id == 1);
    CHECK_EQ_INT(al->nrcpts, 3); /* alice, Bob, Éric: each once */
    CHECK_EQ_INT(alerts_mark_shown(a, 1, &bob, 1, 2000, err, sizeof err), 0);
    CHECK_EQ_INT(alerts_mark_shown(a, 1, &bob, 1, 3000, err, sizeof err), 0); /* no change */
    CHECK_EQ_INT(alerts_ack(a, 1, eric, 4000, err, sizeof err), 0); /* acked unshown */
    CHECK_EQ_INT(alerts_ack(a, 1, eric, 5000, err, sizeof err), 0);
    CHECK(alerts_ack(a, 1, "mallory", 5000, err, sizeof err) != 0);
    CHECK(alerts_ack(a, 2, "alice", 5000, err, sizeof err) != 0);
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
    al = alerts_add(a, "root", 9000, 0, "user:alice", "second", names, 1, err, sizeof err);
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
    REQUIRE(alerts_add(a, "root", 1000, 0, "all", "x", names, 1, err, sizeof err) != NULL);
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

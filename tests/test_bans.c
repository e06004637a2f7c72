/* test_bans.c — tests for bans (server/bans.c): nick and address bans, CIDR blocks, IPv4-mapped
 * IPv6, expiry, removal, replacement, and persistence across a restart. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bans.h"
#include "fsys.h"
#include "test.h"
#include "thread.h"

static const char *const scratch_files[] = {
    BANS_JOURNAL_NAME, BANS_JOURNAL_NAME ".tmp", BANS_JOURNAL_NAME ".corrupt", NULL,
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

static void dir_fresh(const char *name, char *dir, size_t dir_size)
{
    snprintf(dir, dir_size, "tb-%s", name);
    dir_clean(dir);
}

static bans *open_b(const char *dir, uint64_t now_ms, journal_recovery *rec)
{
    char err[256] = "";
    bans *b = bans_open(dir, now_ms, rec, err, sizeof err);
    if (!b)
        test_failf_at(__FILE__, __LINE__, "bans_open: %s", err);
    return b;
}

static int add(bans *b, ban_kind kind, const char *target, uint64_t expires, const char *reason)
{
    char err[256] = "";
    int rc = bans_add(b, kind, target, expires, reason, "oper", 500, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "bans_add(%s): %s\n", target, err);
    return rc;
}

static int addr_banned(const bans *b, const char *addr)
{
    return bans_check(b, NULL, addr, 1000, NULL);
}

TEST(bans_nick_case_insensitive)
{
    char dir[128];
    ban_info info;
    bans *b;

    dir_fresh("nick", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK_EQ_INT(bans_count(b), 0);
    CHECK(add(b, BAN_NICK, "Troll", 0, "flooding") == 0);
    memset(&info, 0, sizeof info);
    CHECK(bans_check(b, "tROLL", "192.0.2.1", 1000, &info) == 1);
    CHECK_EQ_INT(info.kind, BAN_NICK);
    CHECK_EQ_STR(info.target, "Troll");
    CHECK_EQ_STR(info.reason, "flooding");
    CHECK_EQ_STR(info.by, "oper");
    CHECK_EQ_INT(info.set_ms, 500);
    CHECK_EQ_INT(info.expires_ms, 0);
    CHECK(bans_check(b, "Troll2", NULL, 1000, NULL) == 0);
    CHECK(bans_check(b, NULL, NULL, 1000, NULL) == 0);
    /* Adding the same nick again replaces the ban. */
    CHECK(add(b, BAN_NICK, "TROLL", 0, "again") == 0);
    CHECK_EQ_INT(bans_count(b), 1);
    CHECK(bans_check(b, "troll", NULL, 1000, &info) == 1);
    CHECK_EQ_STR(info.reason, "again");
    bans_close(b);
    dir_clean(dir);
}

/* Nicks in any script: a ban holds for every spelling of the name (case, composed or
 * decomposed accents), as the server's nick rules do. */
TEST(bans_nick_any_spelling)
{
    char dir[128];
    bans *b;

    dir_fresh("nick-uni", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(add(b, BAN_NICK, "\xC3\x89ric", 0, "spam") == 0);             /* Éric */
    CHECK(bans_check(b, "E\xCC\x81RIC", NULL, 1000, NULL) == 1);       /* E + acute, upper */
    CHECK(bans_check(b, "\xC3\xA9ric", NULL, 1000, NULL) == 1);
    CHECK(bans_check(b, "eric", NULL, 1000, NULL) == 0);
    CHECK(add(b, BAN_NICK, "\xCE\x95\xCE\x9B\xCE\x88\xCE\x9D\xCE\x97", 0, "") == 0); /* ΕΛΈΝΗ */
    CHECK(bans_check(b, "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7", NULL, 1000, NULL) == 1);
    /* Removing by another spelling removes it. */
    CHECK_EQ_INT(bans_remove(b, BAN_NICK, "e\xCC\x81ric", NULL, 0), 1);
    CHECK(bans_check(b, "\xC3\x89ric", NULL, 1000, NULL) == 0);
    bans_close(b);
    dir_clean(dir);
}

TEST(bans_address_exact_and_cidr)
{
    char dir[128], err[256] = "";
    bans *b;

    dir_fresh("addr", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(add(b, BAN_ADDR, "192.0.2.7", 0, NULL) == 0);
    CHECK(add(b, BAN_ADDR, "10.0.0.0/8", 0, "internal") == 0);
    CHECK(add(b, BAN_ADDR, "2001:db8::/32", 0, NULL) == 0);
    CHECK(add(b, BAN_ADDR, "::1", 0, NULL) == 0);
    CHECK(add(b, BAN_ADDR, "172.16.5.9/12", 0, NULL) == 0); /* host bits ignored */

    CHECK(addr_banned(b, "192.0.2.7"));
    CHECK(!addr_banned(b, "192.0.2.8"));
    CHECK(addr_banned(b, "10.1.2.3"));
    CHECK(addr_banned(b, "10.255.255.255"));
    CHECK(!addr_banned(b, "11.0.0.1"));
    CHECK(!addr_banned(b, "9.255.255.255"));
    CHECK(addr_banned(b, "172.31.0.1"));
    CHECK(!addr_banned(b, "172.32.0.1"));
    CHECK(addr_banned(b, "2001:db8:1::5"));
    CHECK(addr_banned(b, "2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff"));
    CHECK(!addr_banned(b, "2001:db9::1"));
    CHECK(addr_banned(b, "::1"));
    CHECK(addr_banned(b, "0:0:0:0:0:0:0:1"));
    CHECK(!addr_banned(b, "::2"));
    CHECK(!addr_banned(b, "fe80::1%eth0"));
    CHECK(add(b, BAN_ADDR, "fe80::/10", 0, "link-local") == 0);
    CHECK(addr_banned(b, "fe80::1%eth0")); /* a zone index is not part of the address */
    CHECK(addr_banned(b, "febf::1"));
    CHECK(!addr_banned(b, "fec0::1"));
    /* An IPv4 client seen through a dual-stack socket matches IPv4 bans. */
    CHECK(addr_banned(b, "::ffff:10.9.9.9"));
    CHECK(addr_banned(b, "::ffff:192.0.2.7"));
    CHECK(!addr_banned(b, "::ffff:192.0.2.8"));
    /* Not addresses: never match, never crash. */
    CHECK(!addr_banned(b, "10.1.2"));
    CHECK(!addr_banned(b, "garbage"));
    CHECK(!addr_banned(b, "10.1.2.3/8"));
    CHECK(!addr_banned(b, ""));

    /* Targets that are not numeric addresses or blocks are refused with a reason. */
    static const char *const bad[] = {
        "host.example", "1.2.3", "1.2.3.256", "1.2.3.4.5", "10.0.0.0/33", "10.0.0.0/",
        "1::2::3", "12345::", ":1::", "1:2:3:4:5:6:7:8:9", "::/129", "1:2:3:4:5:6:7::8:9",
        "", "1.2.3.4/-1", "::ffff:1.2.3", NULL,
    };
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        if (bans_add(b, BAN_ADDR, bad[i], 0, NULL, NULL, 0, err, sizeof err) == 0)
            test_failf_at(__FILE__, __LINE__, "accepted bad address '%s'", bad[i]);
        CHECK(err[0] != '\0');
    }
    static const char *const good[] = {
        "::", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1::", "1:2:3:4:5:6:7::",
        "64:ff9b::192.0.2.33", "0.0.0.0/0", "::/0", NULL,
    };
    for (size_t i = 0; good[i]; i++) {
        if (bans_add(b, BAN_ADDR, good[i], 0, NULL, NULL, 0, err, sizeof err) != 0)
            test_failf_at(__FILE__, __LINE__, "refused good address '%s': %s", good[i], err);
    }
    /* "0.0.0.0/0" is every IPv4 address and "::/0" everything. */
    CHECK(addr_banned(b, "8.8.8.8"));
    CHECK(addr_banned(b, "2a00::1"));
    bans_close(b);
    dir_clean(dir);
}

TEST(bans_expiry)
{
    char dir[128];
    bans *b;

    dir_fresh("expiry", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(add(b, BAN_NICK, "temp", 1000, "cool off") == 0);
    CHECK(add(b, BAN_ADDR, "198.51.100.1", 2000, NULL) == 0);
    CHECK(bans_check(b, "temp", NULL, 999, NULL) == 1);
    CHECK(bans_check(b, "temp", NULL, 1000, NULL) == 0); /* expires at exactly 1000 */
    CHECK(bans_check(b, NULL, "198.51.100.1", 1999, NULL) == 1);
    CHECK(bans_check(b, NULL, "198.51.100.1", 2000, NULL) == 0);
    CHECK_EQ_INT(bans_expire(b, 1500), 1);
    CHECK_EQ_INT(bans_count(b), 1);
    CHECK_EQ_INT(bans_expire(b, 1500), 0);
    bans_close(b);
    dir_clean(dir);
}

typedef struct listing {
    char text[1024];
    size_t count;
    int stop_after;
} listing;

static int list_cb(void *user, const ban_view *v)
{
    listing *l = user;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "[%d %s %llu %s %s]", (int)v->kind, v->target,
             (unsigned long long)v->expires_ms, v->reason, v->by);
    l->count++;
    return l->stop_after && (int)l->count >= l->stop_after;
}

TEST(bans_list_skips_expired)
{
    char dir[128];
    listing l;
    bans *b;

    dir_fresh("list", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(add(b, BAN_NICK, "a", 0, "r1") == 0);
    CHECK(add(b, BAN_NICK, "b", 100, "r2") == 0);
    CHECK(add(b, BAN_ADDR, "203.0.113.0/24", 5000, "r3") == 0);
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(bans_list(b, 1000, list_cb, &l), 2);
    CHECK(strstr(l.text, "[1 a 0 r1 oper]") != NULL);
    CHECK(strstr(l.text, "[2 203.0.113.0/24 5000 r3 oper]") != NULL);
    CHECK(strstr(l.text, " b ") == NULL);
    memset(&l, 0, sizeof l);
    l.stop_after = 1;
    CHECK_EQ_INT(bans_list(b, 0, list_cb, &l), 1);
    bans_close(b);
    dir_clean(dir);
}

TEST(bans_remove)
{
    char dir[128], err[256] = "";
    bans *b;

    dir_fresh("remove", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(add(b, BAN_NICK, "Spammer", 0, NULL) == 0);
    CHECK(add(b, BAN_ADDR, "2001:db8::/32", 0, NULL) == 0);
    CHECK(add(b, BAN_ADDR, "192.0.2.1", 0, NULL) == 0);
    CHECK_EQ_INT(bans_remove(b, BAN_NICK, "spammer", err, sizeof err), 1);
    CHECK_EQ_INT(bans_remove(b, BAN_NICK, "spammer", err, sizeof err), 0);
    CHECK_EQ_INT(bans_check(b, "Spammer", NULL, 0, NULL), 0);
    /* The same block spelled differently is the same ban. */
    CHECK_EQ_INT(bans_remove(b, BAN_ADDR, "2001:0DB8:0::/32", err, sizeof err), 1);
    CHECK_EQ_INT(bans_remove(b, BAN_ADDR, "192.0.2.0/24", err, sizeof err), 0);
    CHECK_EQ_INT(bans_remove(b, BAN_ADDR, "not an address", err, sizeof err), 0);
    CHECK_EQ_INT(bans_remove(b, BAN_NICK, "192.0.2.1", err, sizeof err), 0); /* wrong kind */
    CHECK_EQ_INT(bans_count(b), 1);
    CHECK(addr_banned(b, "192.0.2.1"));
    bans_close(b);
    dir_clean(dir);
}

TEST(bans_persist_across_reopen)
{
    char dir[128], err[256] = "";
    journal_recovery rec;
    ban_info info;
    bans *b;

    dir_fresh("persist", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(add(b, BAN_NICK, "Forever", 0, "permanent \xc3\xa9") == 0);
    CHECK(add(b, BAN_NICK, "brief", 3000, "short") == 0);
    CHECK(add(b, BAN_NICK, "later", 90000, "long") == 0);
    CHECK(add(b, BAN_ADDR, "10.0.0.0/8", 0, "lan") == 0);
    CHECK(add(b, BAN_ADDR, "192.0.2.5", 0, "gone soon") == 0);
    CHECK(add(b, BAN_NICK, "later", 80000, "long, changed") == 0); /* replaces */
    CHECK_EQ_INT(bans_remove(b, BAN_ADDR, "192.0.2.5", err, sizeof err), 1);
    bans_close(b);

    /* Restart at t=5000: "brief" has expired. */
    b = open_b(dir, 5000, &rec);
    REQUIRE(b != NULL);
    CHECK_EQ_INT(rec.records, 7);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_INT(bans_count(b), 3);
    memset(&info, 0, sizeof info);
    CHECK(bans_check(b, "forever", NULL, 5000, &info) == 1);
    CHECK_EQ_STR(info.reason, "permanent \xc3\xa9");
    CHECK_EQ_STR(info.by, "oper");
    CHECK_EQ_INT(info.set_ms, 500);
    CHECK(bans_check(b, "brief", NULL, 0, NULL) == 0); /* dropped, not just inactive */
    CHECK(bans_check(b, "LATER", NULL, 5000, &info) == 1);
    CHECK_EQ_STR(info.reason, "long, changed");
    CHECK_EQ_INT(info.expires_ms, 80000);
    CHECK(bans_check(b, NULL, "10.20.30.40", 5000, NULL) == 1);
    CHECK(bans_check(b, NULL, "192.0.2.5", 5000, NULL) == 0);
    bans_close(b);

    /* The load rewrote the journal to just the live bans. */
    b = open_b(dir, 5000, &rec);
    REQUIRE(b != NULL);
    CHECK_EQ_INT(rec.records, 3);
    CHECK_EQ_INT(bans_count(b), 3);
    bans_close(b);
    dir_clean(dir);
}

TEST(bans_rejects_bad_arguments)
{
    char dir[128], err[256] = "", longs[BANS_REASON_MAX + 2];
    bans *b;

    dir_fresh("args", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    CHECK(bans_add(b, BAN_NICK, "", 0, NULL, NULL, 0, err, sizeof err) != 0);
    CHECK(bans_add(b, BAN_NICK, NULL, 0, NULL, NULL, 0, err, sizeof err) != 0);
    CHECK(bans_add(b, (ban_kind)7, "x", 0, NULL, NULL, 0, err, sizeof err) != 0);
    memset(longs, 'r', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    CHECK(bans_add(b, BAN_NICK, "x", 0, longs, NULL, 0, err, sizeof err) != 0);
    longs[BANS_REASON_MAX] = '\0';
    CHECK(bans_add(b, BAN_NICK, "x", 0, longs, NULL, 0, err, sizeof err) == 0);
    CHECK_EQ_INT(bans_count(b), 1);
    bans_close(b);
    dir_clean(dir);
}

TEST(bans_many_changes_stay_compact)
{
    char dir[128], err[256] = "";
    journal_recovery rec;
    bans *b;

    dir_fresh("churn", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    for (int i = 0; i < 300; i++) {
        CHECK(add(b, BAN_NICK, "churn", 0, NULL) == 0);
        CHECK_EQ_INT(bans_remove(b, BAN_NICK, "churn", err, sizeof err), 1);
    }
    CHECK(add(b, BAN_NICK, "stays", 0, NULL) == 0);
    bans_close(b);
    b = open_b(dir, 0, &rec);
    REQUIRE(b != NULL);
    CHECK(rec.records < 70); /* rewritten along the way, not 601 records */
    CHECK_EQ_INT(bans_count(b), 1);
    CHECK(bans_check(b, "stays", NULL, 0, NULL) == 1);
    bans_close(b);
    dir_clean(dir);
}

/* ---- with a writer thread ---- */

typedef struct done_log {
    int done, ok, removed;
    char target[64];
} done_log;

static void on_done(void *user, int removed, const ban_view *ban, void *owner, int ok,
                    const char *err)
{
    done_log *d = user;
    (void)owner;
    (void)err;
    d->done++;
    d->ok += ok;
    d->removed = removed;
    snprintf(d->target, sizeof d->target, "%s", ban->target);
}

/* Collects until `want` changes are reported in all (the writer thread takes its time). */
static int collect_until(bans *b, done_log *d, int want)
{
    for (int i = 0; i < 5000 && d->done < want; i++) {
        if (bans_collect(b, on_done, d) == 0)
            sleep_ms(1);
    }
    return d->done;
}

TEST(bans_with_a_writer_take_effect_once_written)
{
    char dir[128], err[256] = "";
    journal_recovery rec;
    done_log d;
    bans *b;

    memset(&d, 0, sizeof d);
    dir_fresh("writer", dir, sizeof dir);
    b = open_b(dir, 0, NULL);
    REQUIRE(b != NULL);
    REQUIRE(bans_start_writer(b, NULL, NULL, err, sizeof err) == 0);
    CHECK(bans_submit_add(b, BAN_NICK, "later", 0, "r", "oper", 500, &d, err, sizeof err) == 0);
    /* Not in effect until the write is reported. */
    CHECK(bans_check(b, "later", NULL, 1000, NULL) == 0);
    CHECK_EQ_INT(collect_until(b, &d, 1), 1);
    CHECK_EQ_INT(d.ok, 1);
    CHECK(strcmp(d.target, "later") == 0);
    CHECK(bans_check(b, "later", NULL, 1000, NULL) == 1);
    CHECK_EQ_INT(bans_submit_remove(b, BAN_NICK, "nobody", &d, err, sizeof err), 0);
    CHECK_EQ_INT(bans_submit_remove(b, BAN_NICK, "LATER", &d, err, sizeof err), 1);
    CHECK(bans_check(b, "later", NULL, 1000, NULL) == 1);
    CHECK_EQ_INT(collect_until(b, &d, 2), 2);
    CHECK_EQ_INT(d.removed, 1);
    CHECK(bans_check(b, "later", NULL, 1000, NULL) == 0);
    /* Many changes: compacted by the writer along the way. */
    for (int i = 0; i < 300; i++) {
        CHECK(bans_submit_add(b, BAN_NICK, "churn", 0, NULL, "oper", 500, &d, err,
                              sizeof err) == 0);
        CHECK_EQ_INT(collect_until(b, &d, 3 + 2 * i), 3 + 2 * i);
        CHECK_EQ_INT(bans_submit_remove(b, BAN_NICK, "churn", &d, err, sizeof err), 1);
        CHECK_EQ_INT(collect_until(b, &d, 4 + 2 * i), 4 + 2 * i);
    }
    CHECK(bans_submit_add(b, BAN_ADDR, "10.0.0.0/8", 0, NULL, "oper", 500, &d, err,
                          sizeof err) == 0);
    bans_close(b); /* writes what is queued */
    b = open_b(dir, 0, &rec);
    REQUIRE(b != NULL);
    CHECK(rec.records < 70); /* rewritten along the way, not 603 records */
    CHECK_EQ_INT(bans_count(b), 1);
    CHECK(addr_banned(b, "10.1.2.3") == 1);
    bans_close(b);
    dir_clean(dir);
}

/* test_journal.c — tests for CRC-32C, the journal (round trip, torn tails at every cut point,
 * corruption in the middle, write errors, rewrite) and the fsys layer under it. Each test works
 * in its own directory under the current directory and removes it afterwards. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <signal.h>
#include <sys/resource.h>
#endif

#include "crc32c.h"
#include "fsys.h"
#include "journal.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------------- */

/* Every file name a journal test may leave in its directory. */
static const char *const scratch_files[] = {
    "j.journal", "j.journal.tmp", "j.journal.corrupt", "blocker", NULL,
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

/* A fresh, empty directory "tj-<name>" for one test; its journal path goes to jpath. */
static int dir_fresh(const char *name, char *dir, size_t dir_size, char *jpath, size_t jsize)
{
    char err[256];
    snprintf(dir, dir_size, "tj-%s", name);
    dir_clean(dir); /* leftovers of an earlier, aborted run */
    if (fsys_mkdirs(dir, err, sizeof err) != 0) {
        test_failf_at(__FILE__, __LINE__, "%s", err);
        return -1;
    }
    return fsys_path_join(jpath, jsize, dir, "j.journal");
}

/* Reads a whole file into a malloc'd buffer (caller frees); NULL on failure. */
static uint8_t *slurp(const char *path, size_t *n)
{
    int64_t size = fsys_file_size(path);
    FILE *f;
    uint8_t *p;

    if (size < 0)
        return NULL;
    p = malloc((size_t)size + 1);
    f = fsys_fopen(path, "rb");
    if (!p || !f || fread(p, 1, (size_t)size, f) != (size_t)size) {
        free(p);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    *n = (size_t)size;
    return p;
}

static int spit(const char *path, const void *p, size_t n)
{
    FILE *f = fsys_fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* What a scan saw: each record's length and CRC, in order. */
typedef struct seen {
    size_t count;
    size_t len[64];
    uint32_t crc[64];
} seen;

static int collect(void *user, const uint8_t *payload, size_t n)
{
    seen *s = user;
    if (s->count < 64) {
        s->len[s->count] = n;
        s->crc[s->count] = crc32c(payload, n);
    }
    s->count++;
    return 0;
}

/* Payload i of a test: a recognizable pattern of length len. */
static void make_payload(uint8_t *p, size_t len, unsigned i)
{
    for (size_t k = 0; k < len; k++)
        p[k] = (uint8_t)(i * 31u + k * 7u + (k >> 8));
}

/* Appends count records of lengths lens[] (pattern i); 0 if all succeeded. */
static int append_records(journal *j, const size_t *lens, size_t count, unsigned first)
{
    static uint8_t p[200000];
    char err[256];
    for (size_t i = 0; i < count; i++) {
        make_payload(p, lens[i], first + (unsigned)i);
        if (journal_append(j, p, lens[i], err, sizeof err) != 0) {
            test_failf_at(__FILE__, __LINE__, "append: %s", err);
            return -1;
        }
    }
    return 0;
}

static int seen_matches(const seen *s, size_t at, size_t len, unsigned pattern)
{
    static uint8_t p[200000];
    make_payload(p, len, pattern);
    return at < s->count && s->len[at] == len && s->crc[at] == crc32c(p, len);
}

/* ---- CRC-32C ---------------------------------------------------------------------------- */

/* Bit-at-a-time reference, straight from the definition, to check the table against. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

TEST(crc32c_check_value)
{
    uint8_t bytes[32];

    CHECK_EQ_INT(crc32c("123456789", 9), 0xE3069283u);
    CHECK_EQ_INT(crc32c("", 0), 0);
    /* RFC 3720 (iSCSI) B.4 test vectors. */
    memset(bytes, 0, sizeof bytes);
    CHECK_EQ_INT(crc32c(bytes, 32), 0x8A9136AAu);
    memset(bytes, 0xff, sizeof bytes);
    CHECK_EQ_INT(crc32c(bytes, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        bytes[i] = (uint8_t)i;
    CHECK_EQ_INT(crc32c(bytes, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        bytes[i] = (uint8_t)(31 - i);
    CHECK_EQ_INT(crc32c(bytes, 32), 0x113FDB5Cu);
}

TEST(crc32c_matches_bitwise_and_chains)
{
    static uint8_t p[4096];
    for (size_t i = 0; i < sizeof p; i++)
        p[i] = (uint8_t)(i * 2654435761u >> 13);
    for (size_t n = 0; n <= sizeof p; n += 97) {
        uint32_t whole = crc32c(p, n);
        CHECK_EQ_INT(whole, crc32c_bitwise(p, n));
        CHECK_EQ_INT(crc32c_update(crc32c(p, n / 3), p + n / 3, n - n / 3), whole);
    }
}

/* ---- journal ---------------------------------------------------------------------------- */

TEST(journal_round_trip)
{
    static const size_t lens[] = {0, 1, 7, 300, 70000, 5};
    char dir[128], path[256], err[256];
    journal_recovery rec;
    seen s;
    journal *j;

    REQUIRE(dir_fresh("round", dir, sizeof dir, path, sizeof path) == 0);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 0);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK(fsys_exists(path));
    CHECK(append_records(j, lens, 6, 0) == 0);
    CHECK_EQ_INT(journal_records(j), 6);
    journal_close(j);

    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_INTERVAL, 1000, collect, &s, &rec, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 6);
    for (size_t i = 0; i < 6; i++)
        CHECK(seen_matches(&s, i, lens[i], (unsigned)i));
    CHECK_EQ_INT(rec.records, 6);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_STR(rec.reason, "");
    CHECK_EQ_INT(journal_bytes(j), fsys_file_size(path));
    CHECK_EQ_INT(journal_bytes(j), 6 * JOURNAL_HEADER_SIZE + 0 + 1 + 7 + 300 + 70000 + 5);
    /* Interval policy: appends are flushed (visible to a reader) before any tick. */
    CHECK(append_records(j, lens + 2, 1, 9) == 0);
    CHECK_EQ_INT(fsys_file_size(path), journal_bytes(j));
    CHECK_EQ_INT(journal_tick(j, 10, err, sizeof err), 0);
    CHECK_EQ_INT(journal_tick(j, 5000, err, sizeof err), 0);
    journal_close(j);

    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_NEVER, 0, collect, &s, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 7);
    CHECK(seen_matches(&s, 6, lens[2], 9));
    journal_close(j);
    dir_clean(dir);
    CHECK(!fsys_exists(dir));
}

TEST(journal_torn_tail_every_cut_point)
{
    static const size_t lens[] = {10, 20, 33};
    char dir[128], path[256], err[256];
    size_t full_len = 0, last_start, cuts = 0;
    uint8_t *full;
    journal *j;

    REQUIRE(dir_fresh("torn", dir, sizeof dir, path, sizeof path) == 0);
    j = journal_open(path, FSYNC_NEVER, 0, NULL, NULL, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    REQUIRE(append_records(j, lens, 3, 0) == 0);
    journal_close(j);
    full = slurp(path, &full_len);
    REQUIRE(full != NULL);
    last_start = full_len - (JOURNAL_HEADER_SIZE + lens[2]);

    /* Every length from "the last record is entirely missing" to "one byte short". */
    for (size_t cut = last_start; cut < full_len; cut++) {
        journal_recovery rec;
        seen s;

        REQUIRE(spit(path, full, cut) == 0);
        memset(&s, 0, sizeof s);
        j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
        REQUIRE(j != NULL);
        CHECK_EQ_INT(s.count, 2);
        CHECK_EQ_INT(rec.records, 2);
        CHECK_EQ_INT(rec.cut_bytes, cut - last_start);
        CHECK_EQ_INT(rec.kept_bytes, last_start);
        CHECK(rec.saved_corrupt == 0); /* a torn write is not corruption */
        CHECK(cut == last_start ? rec.reason[0] == '\0' : strstr(rec.reason, "torn") != NULL);
        CHECK_EQ_INT(fsys_file_size(path), last_start);

        /* Appending after recovery, then reloading, sees everything. */
        REQUIRE(append_records(j, lens + 1, 1, 7) == 0);
        journal_close(j);
        memset(&s, 0, sizeof s);
        j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
        REQUIRE(j != NULL);
        CHECK_EQ_INT(s.count, 3);
        CHECK(seen_matches(&s, 0, lens[0], 0));
        CHECK(seen_matches(&s, 1, lens[1], 1));
        CHECK(seen_matches(&s, 2, lens[1], 7));
        CHECK_EQ_INT(rec.cut_bytes, 0);
        journal_close(j);
        cuts++;
    }
    CHECK_EQ_INT(cuts, JOURNAL_HEADER_SIZE + lens[2]);
    CHECK(!fsys_exists("tj-torn/j.journal.corrupt"));
    free(full);
    dir_clean(dir);
}

TEST(journal_corrupt_middle_record_stops_scan)
{
    static const size_t lens[] = {16, 16, 16, 16, 16};
    char dir[128], path[256], corrupt_path[300], err[256];
    size_t full_len = 0, rec_size = JOURNAL_HEADER_SIZE + 16;
    uint8_t *full;
    journal_recovery rec;
    seen s;
    journal *j;

    REQUIRE(dir_fresh("flip", dir, sizeof dir, path, sizeof path) == 0);
    snprintf(corrupt_path, sizeof corrupt_path, "%s.corrupt", path);
    j = journal_open(path, FSYNC_NEVER, 0, NULL, NULL, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    REQUIRE(append_records(j, lens, 5, 0) == 0);
    journal_close(j);
    full = slurp(path, &full_len);
    REQUIRE(full != NULL);
    REQUIRE(full_len == 5 * rec_size);

    /* A flipped payload byte in the third record. */
    full[2 * rec_size + JOURNAL_HEADER_SIZE + 5] ^= 0x10;
    REQUIRE(spit(path, full, full_len) == 0);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 2);
    CHECK_EQ_INT(rec.cut_bytes, 3 * rec_size);
    CHECK(strstr(rec.reason, "CRC mismatch") != NULL);
    CHECK(strstr(rec.reason, "offset 48") != NULL);
    /* What was cut is kept aside for the administrator, byte for byte. */
    CHECK(rec.saved_corrupt == 1);
    CHECK_EQ_INT(fsys_file_size(corrupt_path), 3 * rec_size);
    CHECK_EQ_INT(fsys_file_size(path), 2 * rec_size);
    REQUIRE(append_records(j, lens, 1, 9) == 0);
    journal_close(j);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 3);
    CHECK(seen_matches(&s, 2, 16, 9));
    journal_close(j);

    /* A length field turned huge is corruption too, not a 2 GiB allocation. */
    full[2 * rec_size + JOURNAL_HEADER_SIZE + 5] ^= 0x10;
    full[rec_size] = 0x7f;
    REQUIRE(spit(path, full, full_len) == 0);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 1);
    CHECK_EQ_INT(rec.cut_bytes, 4 * rec_size);
    CHECK(strstr(rec.reason, "over the limit") != NULL);
    journal_close(j);

    /* A CRC mismatch in the header's own CRC field as well. */
    full[rec_size] = 0;
    full[4] ^= 0x01;
    REQUIRE(spit(path, full, full_len) == 0);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, &rec, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 0);
    CHECK_EQ_INT(rec.cut_bytes, 5 * rec_size);
    CHECK_EQ_INT(journal_bytes(j), 0);
    journal_close(j);
    free(full);
    dir_clean(dir);
}

static int refuse_second(void *user, const uint8_t *payload, size_t n)
{
    int *calls = user;
    (void)payload;
    (void)n;
    return ++*calls == 2 ? -1 : 0;
}

TEST(journal_scan_callback_can_refuse)
{
    static const size_t lens[] = {3, 4, 5};
    char dir[128], path[256], err[256] = "";
    int calls = 0;
    journal *j;

    REQUIRE(dir_fresh("refuse", dir, sizeof dir, path, sizeof path) == 0);
    j = journal_open(path, FSYNC_NEVER, 0, NULL, NULL, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    REQUIRE(append_records(j, lens, 3, 0) == 0);
    journal_close(j);
    j = journal_open(path, FSYNC_NEVER, 0, refuse_second, &calls, NULL, err, sizeof err);
    CHECK(j == NULL);
    CHECK(strstr(err, "refused") != NULL);
    /* A refusal is the caller's problem, not corruption: the file is untouched. */
    CHECK_EQ_INT(fsys_file_size(path), 3 * JOURNAL_HEADER_SIZE + 12);
    journal_close(j);
    dir_clean(dir);
}

TEST(journal_unwritable_path_is_a_clear_error)
{
    char dir[128], path[256], blocker[256], bad[300], err[256] = "";
    journal *j;

    REQUIRE(dir_fresh("unwritable", dir, sizeof dir, path, sizeof path) == 0);
    /* A regular file where a directory should be: the journal cannot exist below it. */
    REQUIRE(fsys_path_join(blocker, sizeof blocker, dir, "blocker") == 0);
    REQUIRE(spit(blocker, "x", 1) == 0);
    REQUIRE(fsys_path_join(bad, sizeof bad, blocker, "j.journal") == 0);
    j = journal_open(bad, FSYNC_ALWAYS, 0, NULL, NULL, NULL, err, sizeof err);
    CHECK(j == NULL);
    CHECK(strstr(err, "journal") != NULL);
    CHECK(strstr(err, bad) != NULL); /* names the path */
    fprintf(stderr, "expected error: %s\n", err);
    err[0] = '\0';
    CHECK(fsys_mkdirs(bad, err, sizeof err) != 0);
    CHECK(err[0] != '\0');
    journal_close(j);
    dir_clean(dir);
}

TEST(journal_oversized_record_is_refused)
{
    char dir[128], path[256], err[256] = "";
    uint8_t *big = calloc(1, JOURNAL_RECORD_MAX + 1);
    seen s;
    journal *j;

    REQUIRE(big != NULL);
    REQUIRE(dir_fresh("oversized", dir, sizeof dir, path, sizeof path) == 0);
    j = journal_open(path, FSYNC_NEVER, 0, NULL, NULL, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK(journal_append(j, big, JOURNAL_RECORD_MAX + 1, err, sizeof err) != 0);
    CHECK(strstr(err, "over the limit") != NULL);
    CHECK_EQ_INT(journal_bytes(j), 0);
    CHECK(journal_append(j, big, JOURNAL_RECORD_MAX, err, sizeof err) == 0);
    journal_close(j);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_NEVER, 0, collect, &s, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 1);
    CHECK_EQ_INT(s.len[0], JOURNAL_RECORD_MAX);
    journal_close(j);
    free(big);
    dir_clean(dir);
}

/* A file-size limit makes writes fail the way a full disk does (EFBIG instead of ENOSPC).
 * POSIX only: Windows has no per-process equivalent, and the code path is the same. */
TEST(journal_write_error_leaves_journal_usable)
{
#if !defined(_WIN32)
    static const size_t lens[] = {40, 40};
    char dir[128], path[256], err[256] = "";
    struct rlimit old, lim;
    uint64_t good;
    seen s;
    journal *j;
    int failed;

    REQUIRE(dir_fresh("diskfull", dir, sizeof dir, path, sizeof path) == 0);
    j = journal_open(path, FSYNC_ALWAYS, 0, NULL, NULL, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    REQUIRE(append_records(j, lens, 2, 0) == 0);
    good = journal_bytes(j);
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)(good + 20); /* room for part of the next record only */
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    {
        uint8_t p[100];
        make_payload(p, sizeof p, 5);
        failed = journal_append(j, p, sizeof p, err, sizeof err) != 0;
    }
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK(failed);
    CHECK(strstr(err, "append to journal") != NULL);
    fprintf(stderr, "expected error: %s\n", err);
    /* Nothing of the failed record stays behind, and the journal still works. */
    CHECK_EQ_INT(journal_bytes(j), good);
    CHECK_EQ_INT(fsys_file_size(path), good);
    CHECK(append_records(j, lens, 1, 3) == 0);
    journal_close(j);
    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_ALWAYS, 0, collect, &s, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 3);
    CHECK(seen_matches(&s, 2, 40, 3));
    journal_close(j);
    dir_clean(dir);
#endif
}

/* Rewrite sources: emit records 100.. of the given lengths, or stop half-way. */
typedef struct rewrite_src {
    const size_t *lens;
    size_t count;
    int fail_after; /* -1 = never */
} rewrite_src;

static int rewrite_iter(void *user, journal_emit_fn emit, void *emit_ctx)
{
    rewrite_src *src = user;
    uint8_t p[512];
    for (size_t i = 0; i < src->count; i++) {
        if (src->fail_after >= 0 && (int)i == src->fail_after)
            return -1;
        make_payload(p, src->lens[i], 100 + (unsigned)i);
        if (emit(emit_ctx, p, src->lens[i]) != 0)
            return -1;
    }
    return 0;
}

TEST(journal_rewrite_replaces_contents)
{
    static const size_t lens[] = {11, 22, 33, 44, 55, 66, 77, 88};
    static const size_t keep[] = {5, 6, 7};
    char dir[128], path[256], tmp[300], err[256] = "";
    rewrite_src src;
    seen s;
    journal *j;

    REQUIRE(dir_fresh("rewrite", dir, sizeof dir, path, sizeof path) == 0);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    j = journal_open(path, FSYNC_INTERVAL, 100, NULL, NULL, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    REQUIRE(append_records(j, lens, 8, 0) == 0);

    /* A source that gives up: the journal keeps its old contents and stays usable. */
    src.lens = keep;
    src.count = 3;
    src.fail_after = 2;
    CHECK(journal_rewrite(j, rewrite_iter, &src, err, sizeof err) != 0);
    CHECK(strstr(err, "rewrite journal") != NULL);
    CHECK(!fsys_exists(tmp));
    CHECK_EQ_INT(journal_records(j), 8);
    CHECK(append_records(j, lens, 1, 50) == 0);
    CHECK_EQ_INT(journal_records(j), 9);

    src.fail_after = -1;
    CHECK(journal_rewrite(j, rewrite_iter, &src, err, sizeof err) == 0);
    CHECK(!fsys_exists(tmp));
    CHECK_EQ_INT(journal_records(j), 3);
    CHECK_EQ_INT(journal_bytes(j), 3 * JOURNAL_HEADER_SIZE + 5 + 6 + 7);
    CHECK_EQ_INT(fsys_file_size(path), journal_bytes(j));
    CHECK(append_records(j, lens, 1, 60) == 0); /* appends go to the new file */
    journal_close(j);

    memset(&s, 0, sizeof s);
    j = journal_open(path, FSYNC_NEVER, 0, collect, &s, NULL, err, sizeof err);
    REQUIRE(j != NULL);
    CHECK_EQ_INT(s.count, 4);
    CHECK(seen_matches(&s, 0, 5, 100));
    CHECK(seen_matches(&s, 1, 6, 101));
    CHECK(seen_matches(&s, 2, 7, 102));
    CHECK(seen_matches(&s, 3, 11, 60));
    journal_close(j);
    dir_clean(dir);
}

TEST(fsys_basics)
{
    char dir[128], sub[256], file[300], moved[300], err[256] = "", out[600];
    const char *sep;

    snprintf(dir, sizeof dir, "tj-fsys");
    REQUIRE(fsys_path_join(sub, sizeof sub, dir, "a") == 0);
    REQUIRE(fsys_path_join(file, sizeof file, sub, "f") == 0);
    REQUIRE(fsys_path_join(moved, sizeof moved, sub, "g") == 0);
    fsys_remove(file);
    fsys_remove(moved);
    fsys_rmdir(sub, NULL, 0);
    fsys_rmdir(dir, NULL, 0);

    CHECK(fsys_mkdirs(sub, err, sizeof err) == 0);
    CHECK(fsys_mkdirs(sub, err, sizeof err) == 0); /* existing is fine */
    CHECK(fsys_exists(sub));
    CHECK_EQ_INT(fsys_file_size(sub), -1); /* not a regular file */
    CHECK(spit(file, "hello world", 11) == 0);
    CHECK_EQ_INT(fsys_file_size(file), 11);
    CHECK(fsys_truncate_path(file, 5, err, sizeof err) == 0);
    CHECK_EQ_INT(fsys_file_size(file), 5);
    CHECK(spit(moved, "old", 3) == 0);
    CHECK(fsys_replace(file, moved, err, sizeof err) == 0); /* over an existing file */
    CHECK(!fsys_exists(file));
    CHECK_EQ_INT(fsys_file_size(moved), 5);
    {
        FILE *f = fsys_fopen(moved, "ab");
        REQUIRE(f != NULL);
        CHECK(fwrite("!!", 1, 2, f) == 2);
        CHECK(fsys_sync(f, err, sizeof err) == 0);
        CHECK(fsys_truncate(f, 1, err, sizeof err) == 0);
        CHECK(fwrite("?", 1, 1, f) == 1); /* append mode writes at the new end */
        fclose(f);
        CHECK_EQ_INT(fsys_file_size(moved), 2);
    }
    CHECK(fsys_replace(file, moved, err, sizeof err) != 0); /* tmp is gone */
    CHECK(err[0] != '\0');
    CHECK(fsys_remove(moved) == 0);
    CHECK(fsys_remove(moved) != 0);
    CHECK(fsys_rmdir(sub, err, sizeof err) == 0);
    CHECK(fsys_rmdir(dir, err, sizeof err) == 0);
    CHECK(!fsys_exists(dir));

    /* Joining and the platform's default locations. */
    CHECK(fsys_path_join(out, 8, "abc", "defgh") != 0);
    CHECK_EQ_STR(out, "");
    CHECK(fsys_default_data_dir(out, sizeof out) == 0);
    fprintf(stderr, "default data dir: %s\n", out);
#if defined(_WIN32)
    sep = "\\Parley";
#else
    sep = "parley";
#endif
    CHECK(strlen(out) >= strlen(sep) && strcmp(out + strlen(out) - strlen(sep), sep) == 0);
    CHECK(fsys_default_config_path(out, sizeof out) == 0);
    fprintf(stderr, "default config: %s\n", out);
    CHECK(strstr(out, "server.ini") != NULL);
    CHECK(fsys_default_data_dir(out, 4) != 0);
}

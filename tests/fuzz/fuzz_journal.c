/* fuzz_journal.c — libFuzzer target: crash recovery of the journal (journal_open on fuzzed file
 * contents) and the two loaders built on it, history_open and bans_open.
 *
 * Input: byte 0 picks the reader (0: the bare journal, 1: history, 2: bans; modulo 3) and the
 * rest is the file as found on disk after a crash. Checked beyond "no crash, no leak, no UB":
 *  - recovery accounts for every byte (kept + cut = the file's size) and leaves the file at
 *    exactly the kept size;
 *  - a recovered journal is clean: appending works and a second open cuts nothing and finds
 *    the same records plus the new one;
 *  - history and bans load, accept a new entry and reopen without cutting anything. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bans.h"
#include "fsys.h"
#include "fuzz_util.h"
#include "history.h"
#include "journal.h"

static char dir[256];

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void remove_all(void)
{
    static const char *const names[] = {"j.journal",       "j.journal.corrupt",
                                        "j.journal.tmp",   HISTORY_JOURNAL_NAME,
                                        "history.journal.corrupt", "history.journal.tmp",
                                        BANS_JOURNAL_NAME, "bans.journal.corrupt",
                                        "bans.journal.tmp"};
    char path[512];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_of(path, sizeof path, names[i]);
        unlink(path);
    }
}

static void cleanup(void)
{
    remove_all();
    rmdir(dir);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fuzz_fail("cannot create the journal file");
    if (n && fwrite(p, 1, n, f) != n)
        fuzz_fail("cannot write the journal file");
    fclose(f);
}

static int count_record(void *user, const uint8_t *payload, size_t n)
{
    uint64_t *count = user;
    FUZZ_ASSERT(n <= JOURNAL_RECORD_MAX);
    FUZZ_ASSERT(n == 0 || payload != NULL);
    (*count)++;
    return 0;
}

static void fuzz_bare(const uint8_t *p, size_t n)
{
    char path[512], err[256];
    journal_recovery rec, again;
    uint64_t seen = 0, seen_again = 0;
    journal *j;

    path_of(path, sizeof path, "j.journal");
    write_file(path, p, n);
    j = journal_open(path, FSYNC_NEVER, 0, count_record, &seen, &rec, err, sizeof err);
    if (!j)
        fuzz_fail(err);
    FUZZ_ASSERT(rec.kept_bytes + rec.cut_bytes == n);
    FUZZ_ASSERT(rec.records == seen && journal_records(j) == seen);
    FUZZ_ASSERT(journal_bytes(j) == rec.kept_bytes);
    FUZZ_ASSERT(fsys_file_size(path) == (int64_t)rec.kept_bytes);
    FUZZ_ASSERT((rec.cut_bytes == 0) == (rec.reason[0] == '\0'));
    if (journal_append(j, "after", 5, err, sizeof err) != 0)
        fuzz_fail(err);
    journal_close(j);

    j = journal_open(path, FSYNC_NEVER, 0, count_record, &seen_again, &again, err, sizeof err);
    if (!j)
        fuzz_fail(err);
    FUZZ_ASSERT(again.cut_bytes == 0);
    FUZZ_ASSERT(seen_again == seen + 1);
    journal_close(j);
}

static int on_msg(void *user, const history_msg *m)
{
    (void)user;
    FUZZ_ASSERT(m->room && m->nick && m->text && m->text[m->text_len] == '\0');
    return 0;
}

static int on_room(void *user, const char *room, size_t count, uint64_t last_id)
{
    const history *h = user;
    (void)last_id;
    FUZZ_ASSERT(history_each(h, room, 0, 0, on_msg, NULL) == count);
    return 0;
}

static void fuzz_history(const uint8_t *p, size_t n)
{
    char path[512], err[256];
    journal_recovery rec;
    history *h;
    uint64_t id = 0, next;

    path_of(path, sizeof path, HISTORY_JOURNAL_NAME);
    write_file(path, p, n);
    h = history_open(dir, 4, FSYNC_NEVER, 0, &rec, err, sizeof err);
    if (!h)
        return; /* refusing a journal it cannot make sense of is allowed; crashing is not */
    history_rooms(h, on_room, h);
    next = history_next_id(h);
    if (history_add(h, "lobby", "fuzzer", "after recovery", 1, 0, &id, err, sizeof err) != 0)
        fuzz_fail(err);
    FUZZ_ASSERT(id >= next);
    if (history_compact(h, err, sizeof err) != 0)
        fuzz_fail(err);
    history_close(h);

    h = history_open(dir, 4, FSYNC_NEVER, 0, &rec, err, sizeof err);
    if (!h)
        fuzz_fail(err);
    FUZZ_ASSERT(rec.cut_bytes == 0);
    FUZZ_ASSERT(history_next_id(h) > id);
    history_close(h);
}

static int on_ban(void *user, const ban_view *b)
{
    (void)user;
    FUZZ_ASSERT(b->target && b->reason && b->by);
    FUZZ_ASSERT(b->kind == BAN_NICK || b->kind == BAN_ADDR);
    return 0;
}

static void fuzz_bans(const uint8_t *p, size_t n)
{
    char path[512], err[256];
    journal_recovery rec;
    uint64_t now = 1700000000000ull;
    bans *b;
    size_t count;

    path_of(path, sizeof path, BANS_JOURNAL_NAME);
    write_file(path, p, n);
    b = bans_open(dir, now, &rec, err, sizeof err);
    if (!b)
        return;
    bans_list(b, now, on_ban, NULL);
    bans_check(b, "fuzzer", "192.0.2.1", now, NULL);
    bans_check(b, NULL, "2001:db8::1", now, NULL);
    if (bans_add(b, BAN_ADDR, "198.51.100.0/24", 0, "fuzz", "op", now, err, sizeof err) != 0)
        fuzz_fail(err);
    count = bans_count(b);
    bans_close(b);

    b = bans_open(dir, now, &rec, err, sizeof err);
    if (!b)
        fuzz_fail(err);
    FUZZ_ASSERT(rec.cut_bytes == 0);
    FUZZ_ASSERT(bans_count(b) == count);
    bans_close(b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    (void)argc;
    (void)argv;
    fuzz_init();
    /* Memory-backed when possible: each input is written, synced and read back several times. */
    snprintf(dir, sizeof dir, "%s/parley-fuzz-journal-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        fuzz_fail("mkdtemp");
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    remove_all();
    switch (data[0] % 3) {
    case 0:
        fuzz_bare(data + 1, size - 1);
        break;
    case 1:
        fuzz_history(data + 1, size - 1);
        break;
    default:
        fuzz_bans(data + 1, size - 1);
        break;
    }
    return 0;
}

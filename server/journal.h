/* journal.h — an append-only file of checksummed records that survives crashes: a torn or
 * corrupt tail is cut off at open, writes are flushed at once and synced per fsync policy,
 * and compaction rewrites the file atomically. Portable (file access through fsys.h).
 *
 * On disk, each record is: u32 payload length (big-endian), u32 CRC-32C of the payload
 * (big-endian), payload. There is no file header; an empty file is an empty journal.
 *
 * Not thread-safe, and one journal file belongs to one process (there is no file lock). */
#ifndef PARLEY_JOURNAL_H
#define PARLEY_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "server_config.h" /* fsync_policy */

#define JOURNAL_HEADER_SIZE 8u
/* A length above this is taken as corruption, not as a record to allocate. */
#define JOURNAL_RECORD_MAX (1024u * 1024u)

typedef struct journal journal;

/* What journal_open found. A cut is not a failure: the caller logs it as a notice. */
typedef struct journal_recovery {
    uint64_t records;    /* valid records read (and passed to the scan callback) */
    uint64_t kept_bytes; /* file size after recovery */
    uint64_t cut_bytes;  /* bytes cut from the end; 0 = the file was clean */
    /* Why the cut happened, e.g. "torn record header at offset 1234" or
     * "CRC mismatch in record at offset 56"; "" when nothing was cut. */
    char reason[128];
    /* 1 if the cut bytes were corrupt (not just a torn last write) and were first copied to
     * "<path>.corrupt" (replacing an older copy) for inspection, so nothing is silently
     * destroyed. If the copy failed, reason says so and the bytes are cut anyway. */
    int saved_corrupt;
} journal_recovery;

/* Called once per valid record at open, in file order. The payload is borrowed for the call.
 * Return 0 to go on; nonzero makes journal_open fail (e.g. out of memory). */
typedef int (*journal_scan_fn)(void *user, const uint8_t *payload, size_t n);

/* Opens (creating if missing) the journal at path: reads every valid record in order, calling
 * scan (may be NULL); stops at the first torn or corrupt record (short header, short payload,
 * length over JOURNAL_RECORD_MAX, CRC mismatch), truncates the file there and reports the cut
 * in *rec (may be NULL); then opens for appending. interval_ms is used by FSYNC_INTERVAL.
 * Returns the journal (owned by the caller; journal_close frees it) or NULL with err filled. */
journal *journal_open(const char *path, fsync_policy policy, uint64_t interval_ms,
                      journal_scan_fn scan, void *user, journal_recovery *rec, char *err,
                      size_t err_size);

/* Reads the valid records of the journal at path in order, calling scan for each, and changes
 * nothing: for reading a journal another process (a running server) has open. A missing file
 * is an empty journal. Stops at the first torn or corrupt record and says so in *rec (may be
 * NULL); returns 0, or -1 with err filled (read error, scan refused a record). */
int journal_read(const char *path, journal_scan_fn scan, void *user, journal_recovery *rec,
                 char *err, size_t err_size);

/* Appends one record (n <= JOURNAL_RECORD_MAX) and flushes it to the OS; with FSYNC_ALWAYS it
 * is also synced before this returns. On failure (disk full, I/O error) returns -1 with err
 * filled and leaves the file ending at the last good record, so the journal stays usable and
 * a later append may succeed. */
int journal_append(journal *j, const void *payload, size_t n, char *err, size_t err_size);

/* For FSYNC_INTERVAL: syncs if data was appended since the last sync and interval_ms has
 * passed since then (now_ms is any monotonic clock, e.g. sys_mono_ms). Call it periodically.
 * A no-op for the other policies. -1 with err filled if the sync failed. */
int journal_tick(journal *j, uint64_t now_ms, char *err, size_t err_size);
/* Syncs now if anything is unsynced, whatever the policy. */
int journal_sync(journal *j, char *err, size_t err_size);

/* Compaction. journal_rewrite calls iter once; iter calls emit(emit_ctx, payload, n) for every
 * record the new file should hold, in order, and returns 0 (nonzero aborts the rewrite).
 * emit returns 0, or -1 on a write error (iter should then stop and return nonzero). */
typedef int (*journal_emit_fn)(void *emit_ctx, const void *payload, size_t n);
typedef int (*journal_iter_fn)(void *user, journal_emit_fn emit, void *emit_ctx);

/* Writes the records iter emits to "<path>.tmp", syncs it, replaces the journal with it
 * atomically and reopens it for appending. On failure returns -1 with err filled, removes the
 * temporary file, and the journal goes on with its old contents (still usable). */
int journal_rewrite(journal *j, journal_iter_fn iter, void *user, char *err, size_t err_size);

/* Records and bytes in the file now (valid ones: after recovery, appends and rewrites). */
uint64_t journal_records(const journal *j);
uint64_t journal_bytes(const journal *j);
const char *journal_path(const journal *j);

/* Syncs anything unsynced (best effort) and frees j. NULL is ignored. */
void journal_close(journal *j);

#endif

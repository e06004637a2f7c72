/* journal_writer.h — a thread that owns a journal: appends, syncs it on its interval and
 * rewrites (compacts) it, so that none of this disk I/O happens on the caller's thread (the
 * chat core, which holds the lock every connection waits for). Results come back in order. */
#ifndef PARLEY_JOURNAL_WRITER_H
#define PARLEY_JOURNAL_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "journal.h"

typedef struct journal_writer journal_writer;

/* Called on the writer thread whenever results are ready (jw_collect them from the owner's
 * thread). Must be quick and thread-safe (net_engine_wake). */
typedef void (*jw_notify_fn)(void *user);
/* One append's result, in submission order: seq as returned by jw_append; ok = 1 once the
 * record is in the file (flushed to the OS; synced too under FSYNC_ALWAYS), else err says why
 * (the journal stays usable). seq 0: a rewrite's result, or a failed interval sync (ok 0). */
typedef void (*jw_result_fn)(void *user, uint64_t seq, int ok, const char *err);

/* Starts the thread; from now on only it touches j (until jw_stop). NULL if it cannot start. */
journal_writer *jw_start(journal *j, uint64_t sync_interval_ms, jw_notify_fn notify, void *user);
/* Queues one record (copied). Returns its sequence number (1, 2, ...), or 0 if out of memory. */
uint64_t jw_append(journal_writer *w, const void *payload, size_t n);
/* Queues a rewrite of the journal with exactly the records in `records` (each a u32 length,
 * big-endian, then the payload), after every append queued before it. Takes the buffer's
 * memory (records is left empty). A failure keeps the old journal and is reported by
 * jw_collect as a rewrite error (seq 0). */
int jw_rewrite(journal_writer *w, buf *records);
/* A journal_emit_fn adding one record to a jw_rewrite buffer (emit_ctx: the buf). */
int jw_records_emit(void *emit_ctx, const void *payload, size_t n);
/* Queues fn(ctx, value), run on the writer thread after everything queued before it: for
 * other small files whose writes must stay off the caller's thread and in order with the
 * journal's (the id mark). fn returns 0 on success; a failure makes the writer skip the next
 * rewrite queued (it may rely on what fn was to write), which is then reported as failed.
 * -1 if out of memory. */
typedef int (*jw_call_fn)(void *ctx, uint64_t value);
int jw_call(journal_writer *w, jw_call_fn fn, void *ctx, uint64_t value);
/* Hands the results ready so far to fn, in order. Returns how many. */
size_t jw_collect(journal_writer *w, jw_result_fn fn, void *user);
/* Writes everything still queued, stops the thread and frees the writer; the journal is the
 * caller's again. Results not collected are dropped. */
void jw_stop(journal_writer *w);

/* Test seam: called on the writer thread before each append is written. NULL normally. */
extern void (*jw_test_before_write)(void);

#endif

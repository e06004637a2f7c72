/* idmark.h — a durable high-water mark for message ids that are handed out without being
 * journaled (private messages), so that no id is ever given twice, across restarts too. */
#ifndef PARLEY_IDMARK_H
#define PARLEY_IDMARK_H

#include <stddef.h>
#include <stdint.h>

#include "thread.h"

#define IDMARK_FILE_NAME "ids.mark"
#define IDMARK_BLOCK 1024u /* ids reserved per write of the mark */

typedef struct idmark {
    char path[520];
    mutex_handle *mu;  /* guards reserved and the failure, which another thread may write */
    uint64_t reserved; /* on disk: every id below this may have been handed out */
    uint64_t asked;    /* owner's thread: the highest mark queued for writing (idmark_write_fn) */
    int failed;        /* a queued write failed (fail_err says why) and was not yet reported */
    char fail_err[200];
} idmark;

/* Reads the mark in dir (a missing file is a mark of 0). -1 with err if it is unreadable or
 * damaged: ids could then repeat, so the server must not start on a guess. */
int idmark_open(idmark *m, const char *dir, char *err, size_t err_size);
void idmark_close(idmark *m);
/* Makes sure the mark is above id before it is handed out: writes (and syncs) a new mark
 * IDMARK_BLOCK ids ahead when needed, so the disk is touched once per block. */
int idmark_cover(idmark *m, uint64_t id, char *err, size_t err_size);
/* The mark on disk now (thread-safe). */
uint64_t idmark_reserved(idmark *m);
/* A jw_call_fn (ctx: the idmark): writes and syncs the mark `want` from another thread.
 * A failure is kept for idmark_failure. */
int idmark_write_fn(void *ctx, uint64_t want);
/* 1 (with err) if a write by idmark_write_fn failed since the last call, else 0. */
int idmark_failure(idmark *m, char *err, size_t err_size);

/* Test seam: called before each write of the mark file. NULL normally. */
extern void (*idmark_test_before_write)(void);

#endif

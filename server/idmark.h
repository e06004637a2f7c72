/* idmark.h — a durable high-water mark for message ids that are handed out without being
 * journaled (private messages), so that no id is ever given twice, across restarts too. */
#ifndef PARLEY_IDMARK_H
#define PARLEY_IDMARK_H

#include <stddef.h>
#include <stdint.h>

#define IDMARK_FILE_NAME "ids.mark"
#define IDMARK_BLOCK 1024u /* ids reserved per write of the mark */

typedef struct idmark {
    char path[520];
    uint64_t reserved; /* every id below this may have been handed out */
} idmark;

/* Reads the mark in dir (a missing file is a mark of 0). -1 with err if it is unreadable or
 * damaged: ids could then repeat, so the server must not start on a guess. */
int idmark_open(idmark *m, const char *dir, char *err, size_t err_size);
/* Makes sure the mark is above id before it is handed out: writes (and syncs) a new mark
 * IDMARK_BLOCK ids ahead when needed, so the disk is touched once per block. */
int idmark_cover(idmark *m, uint64_t id, char *err, size_t err_size);

#endif

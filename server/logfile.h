/* logfile.h — the server's log sink: the console and/or a size-rotated log file. */
#ifndef PARLEY_LOGFILE_H
#define PARLEY_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

typedef struct logfile logfile;

/* Opens (appending) path, rotating at max_bytes and keeping `keep` old files (path.1 newest).
 * path NULL = no file. console: also write lines to stderr. NULL with err on failure. */
logfile *logfile_open(const char *path, uint64_t max_bytes, unsigned keep, int console,
                      char *err, size_t err_size);
/* A log_sink_fn; user is the logfile. Thread-safe. */
void logfile_sink(void *user, log_level level, const char *line, size_t len);
void logfile_close(logfile *lf);

#endif

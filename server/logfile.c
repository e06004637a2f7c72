/* logfile.c — console and size-rotated file logging for the server. */
#include "logfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"
#include "thread.h"

struct logfile {
    mutex_handle *lock;
    FILE *f;
    char path[512];
    uint64_t size;
    uint64_t max_bytes;
    unsigned keep;
    int console;
};

static int open_file(logfile *lf)
{
    int64_t size;
    lf->f = fsys_fopen(lf->path, "ab");
    if (!lf->f)
        return -1;
    size = fsys_file_size(lf->path);
    lf->size = size > 0 ? (uint64_t)size : 0;
    return 0;
}

/* path -> path.1 -> path.2 ... the oldest beyond `keep` is deleted. */
static void rotate(logfile *lf)
{
    char from[600], to[600], err[128];
    unsigned i;

    fclose(lf->f);
    lf->f = NULL;
    if (lf->keep == 0) {
        fsys_remove(lf->path);
    } else {
        snprintf(to, sizeof to, "%s.%u", lf->path, lf->keep);
        fsys_remove(to);
        for (i = lf->keep; i > 1; i--) {
            snprintf(from, sizeof from, "%s.%u", lf->path, i - 1);
            snprintf(to, sizeof to, "%s.%u", lf->path, i);
            if (fsys_exists(from))
                fsys_replace(from, to, err, sizeof err);
        }
        snprintf(to, sizeof to, "%s.1", lf->path);
        fsys_replace(lf->path, to, err, sizeof err);
    }
    open_file(lf);
}

logfile *logfile_open(const char *path, uint64_t max_bytes, unsigned keep, int console,
                      char *err, size_t err_size)
{
    logfile *lf = calloc(1, sizeof *lf);
    if (!lf || !(lf->lock = mutex_new())) {
        free(lf);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    lf->max_bytes = max_bytes;
    lf->keep = keep;
    lf->console = console;
    if (path) {
        if (strlen(path) >= sizeof lf->path) {
            snprintf(err, err_size, "log file path too long");
            goto fail;
        }
        snprintf(lf->path, sizeof lf->path, "%s", path);
        if (open_file(lf) != 0) {
            snprintf(err, err_size, "%s: cannot open the log file for writing", path);
            goto fail;
        }
    }
    return lf;
fail:
    mutex_free(lf->lock);
    free(lf);
    return NULL;
}

void logfile_sink(void *user, log_level level, const char *line, size_t len)
{
    logfile *lf = user;
    (void)level;
    mutex_lock(lf->lock);
    if (lf->console) {
        fwrite(line, 1, len, stderr);
        fputc('\n', stderr);
        fflush(stderr);
    }
    if (lf->f) {
        if (lf->max_bytes && lf->size + len + 1 > lf->max_bytes && lf->size > 0)
            rotate(lf);
        if (lf->f) {
            fwrite(line, 1, len, lf->f);
            fputc('\n', lf->f);
            fflush(lf->f);
            lf->size += len + 1;
        }
    }
    mutex_unlock(lf->lock);
}

void logfile_close(logfile *lf)
{
    if (!lf)
        return;
    if (lf->f)
        fclose(lf->f);
    mutex_free(lf->lock);
    free(lf);
}

/* idmark.c — the durable high-water mark of handed-out message ids (see idmark.h): one decimal
 * number in a small file, replaced atomically and synced before ids below it are used. */
#include "idmark.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"

void (*idmark_test_before_write)(void);

int idmark_open(idmark *m, const char *dir, char *err, size_t err_size)
{
    char line[64], *end;
    unsigned long long v;
    FILE *f;

    memset(m, 0, sizeof *m);
    m->mu = mutex_new();
    if (!m->mu) {
        snprintf(err, err_size, "ids: out of memory");
        return -1;
    }
    if (fsys_path_join(m->path, sizeof m->path, dir, IDMARK_FILE_NAME) != 0) {
        snprintf(err, err_size, "ids: data directory path too long: '%s'", dir);
        return -1;
    }
    f = fsys_fopen(m->path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0; /* a new data directory: nothing handed out yet */
        snprintf(err, err_size, "ids: cannot read '%s': %s", m->path, strerror(errno));
        return -1;
    }
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        snprintf(err, err_size, "ids: '%s' is empty or unreadable", m->path);
        return -1;
    }
    fclose(f);
    errno = 0;
    v = strtoull(line, &end, 10);
    if (errno || end == line || (*end != '\n' && *end != '\0')) {
        snprintf(err, err_size, "ids: '%s' does not hold a number", m->path);
        return -1;
    }
    m->reserved = m->asked = v;
    return 0;
}

void idmark_close(idmark *m)
{
    if (m->mu)
        mutex_free(m->mu);
    m->mu = NULL;
}

uint64_t idmark_reserved(idmark *m)
{
    uint64_t v;

    mutex_lock(m->mu);
    v = m->reserved;
    mutex_unlock(m->mu);
    return v;
}

/* Replaces the file with the mark want, synced, and only then publishes it: an id below the
 * mark is handed out only once the mark is on disk. */
static int write_mark(idmark *m, uint64_t want, char *err, size_t err_size)
{
    char tmp[sizeof m->path + 8];
    FILE *f;

    if (idmark_test_before_write)
        idmark_test_before_write();
    snprintf(tmp, sizeof tmp, "%s.tmp", m->path);
    f = fsys_create_private(tmp);
    if (!f) {
        snprintf(err, err_size, "ids: cannot write '%s': %s", tmp, strerror(errno));
        return -1;
    }
    if (fprintf(f, "%llu\n", (unsigned long long)want) < 0 || fsys_sync(f, err, err_size) != 0) {
        fclose(f);
        fsys_remove(tmp);
        if (err_size && !err[0])
            snprintf(err, err_size, "ids: cannot write '%s'", tmp);
        return -1;
    }
    if (fclose(f) != 0 || fsys_replace(tmp, m->path, err, err_size) != 0) {
        fsys_remove(tmp);
        return -1;
    }
    mutex_lock(m->mu);
    if (want > m->reserved)
        m->reserved = want;
    mutex_unlock(m->mu);
    return 0;
}

int idmark_cover(idmark *m, uint64_t id, char *err, size_t err_size)
{
    if (id < idmark_reserved(m))
        return 0;
    if (write_mark(m, id + IDMARK_BLOCK, err, err_size) != 0)
        return -1;
    if (m->asked < id + IDMARK_BLOCK)
        m->asked = id + IDMARK_BLOCK;
    return 0;
}

int idmark_write_fn(void *ctx, uint64_t want)
{
    idmark *m = ctx;
    char err[sizeof m->fail_err] = "";

    if (write_mark(m, want, err, sizeof err) == 0)
        return 0;
    mutex_lock(m->mu);
    m->failed = 1;
    memcpy(m->fail_err, err, sizeof err);
    mutex_unlock(m->mu);
    return -1;
}

int idmark_failure(idmark *m, char *err, size_t err_size)
{
    int failed;

    mutex_lock(m->mu);
    failed = m->failed;
    if (failed)
        snprintf(err, err_size, "%s", m->fail_err);
    m->failed = 0;
    mutex_unlock(m->mu);
    return failed;
}

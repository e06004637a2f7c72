/* idmark.c — the durable high-water mark of handed-out message ids (see idmark.h): one decimal
 * number in a small file, replaced atomically and synced before ids below it are used. */
#include "idmark.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"

int idmark_open(idmark *m, const char *dir, char *err, size_t err_size)
{
    char line[64], *end;
    unsigned long long v;
    FILE *f;

    memset(m, 0, sizeof *m);
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
    m->reserved = v;
    return 0;
}

int idmark_cover(idmark *m, uint64_t id, char *err, size_t err_size)
{
    char tmp[sizeof m->path + 8];
    uint64_t want = id + IDMARK_BLOCK;
    FILE *f;

    if (id < m->reserved)
        return 0;
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
    m->reserved = want;
    return 0;
}

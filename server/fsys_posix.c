/* fsys_posix.c — the file-system layer on POSIX systems (Linux hosting and native tests). */
#define _POSIX_C_SOURCE 200809L

#include "fsys.h"
#include "fsys_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Writes "<what> '<path>': <strerror(errno)>" (or "<what>: ..." without a path) into err;
 * keeps errno for the caller. */
static void set_err(char *err, size_t err_size, const char *what, const char *path)
{
    int e = errno;
    if (err && err_size) {
        if (path)
            snprintf(err, err_size, "%s '%s': %s", what, path, strerror(e));
        else
            snprintf(err, err_size, "%s: %s", what, strerror(e));
    }
    errno = e;
}

FILE *fsys_fopen(const char *path, const char *mode)
{
    return fopen(path, mode);
}

int fsys_make_private_dir(const char *path, char *err, size_t err_size)
{
    if (chmod(path, 0700) != 0) {
        if (err && err_size)
            snprintf(err, err_size, "chmod '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

FILE *fsys_create_private(const char *path)
{
    FILE *f;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    /* An existing file keeps its mode through O_CREAT: tighten it too. */
    if (fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "wb"))) {
        close(fd);
        return NULL;
    }
    return f;
}

int fsys_mkdirs(const char *path, char *err, size_t err_size)
{
    struct stat st;
    size_t len = strlen(path);
    char *copy;

    if (len == 0) {
        errno = ENOENT;
        set_err(err, err_size, "create directory", path);
        return -1;
    }
    copy = malloc(len + 1);
    if (!copy) {
        set_err(err, err_size, "create directory", path);
        return -1;
    }
    memcpy(copy, path, len + 1);
    /* Create each prefix that ends at a '/', then the whole path. EEXIST is fine as long as
     * what exists is a directory; that is checked once at the end. */
    for (size_t i = 1; i <= len; i++) {
        if (copy[i] != '/' && copy[i] != '\0')
            continue;
        if (copy[i - 1] == '/')
            continue; /* "a//b" or a trailing '/' */
        char saved = copy[i];
        copy[i] = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            set_err(err, err_size, "create directory", copy);
            free(copy);
            return -1;
        }
        copy[i] = saved;
    }
    free(copy);
    if (stat(path, &st) != 0) {
        set_err(err, err_size, "create directory", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        set_err(err, err_size, "create directory", path);
        return -1;
    }
    return 0;
}

int fsys_rmdir(const char *path, char *err, size_t err_size)
{
    if (rmdir(path) != 0) {
        set_err(err, err_size, "remove directory", path);
        return -1;
    }
    return 0;
}

int fsys_sync(FILE *f, char *err, size_t err_size)
{
    if (fflush(f) != 0) {
        set_err(err, err_size, "flush", NULL);
        return -1;
    }
    if (fsync(fileno(f)) != 0) {
        set_err(err, err_size, "fsync", NULL);
        return -1;
    }
    return 0;
}

int fsys_truncate(FILE *f, uint64_t size, char *err, size_t err_size)
{
    if (fflush(f) != 0) {
        set_err(err, err_size, "flush before truncate", NULL);
        return -1;
    }
    if (size > (uint64_t)INT64_MAX || ftruncate(fileno(f), (off_t)size) != 0) {
        set_err(err, err_size, "truncate", NULL);
        return -1;
    }
    return 0;
}

int fsys_truncate_path(const char *path, uint64_t size, char *err, size_t err_size)
{
    if (size > (uint64_t)INT64_MAX || truncate(path, (off_t)size) != 0) {
        set_err(err, err_size, "truncate", path);
        return -1;
    }
    return 0;
}

/* Syncs the directory holding path, so a rename inside it survives a power cut. */
static int sync_parent_dir(const char *path, char *err, size_t err_size)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc = 0;

    if (!slash) {
        dir = malloc(2);
        if (dir)
            memcpy(dir, ".", 2);
    } else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        dir = malloc(n + 1);
        if (dir) {
            memcpy(dir, path, n);
            dir[n] = '\0';
        }
    }
    if (!dir) {
        set_err(err, err_size, "sync directory of", path);
        return -1;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0) {
        /* Some file systems cannot fsync a directory (EINVAL); the rename itself is done. */
        if (errno != EINVAL) {
            set_err(err, err_size, "sync directory", dir);
            rc = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

int fsys_replace(const char *tmp, const char *final, char *err, size_t err_size)
{
    if (rename(tmp, final) != 0) {
        int e = errno;
        if (err && err_size)
            snprintf(err, err_size, "replace '%s' with '%s': %s", final, tmp, strerror(e));
        errno = e;
        return -1;
    }
    return sync_parent_dir(final, err, err_size);
}

int fsys_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int64_t fsys_file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (int64_t)st.st_size;
}

int fsys_remove(const char *path)
{
    return unlink(path) == 0 ? 0 : -1;
}


/* $xdg_var/<rest> if the variable holds an absolute path (the XDG spec says to ignore relative
 * ones), else $HOME/<home_rest>/<rest>. */
static int xdg_path(char *out, size_t out_size, const char *xdg_var, const char *home_rest,
                    const char *rest)
{
    const char *base = getenv(xdg_var);
    const char *home;

    if (base && base[0] == '/')
        return fsys_join_parts(out, out_size, 3, base, "/", rest);
    home = getenv("HOME");
    if (!home || home[0] != '/') {
        if (out && out_size)
            out[0] = '\0';
        return -1;
    }
    return fsys_join_parts(out, out_size, 5, home, "/", home_rest, "/", rest);
}

int fsys_default_data_dir(char *out, size_t out_size)
{
    return xdg_path(out, out_size, "XDG_DATA_HOME", ".local/share", "parley");
}

int fsys_default_config_path(char *out, size_t out_size)
{
    return xdg_path(out, out_size, "XDG_CONFIG_HOME", ".config", "parley/server.ini");
}

struct fsys_lock {
    int fd;
};

int fsys_lock_take(const char *path, fsys_lock **out, char *err, size_t err_size)
{
    fsys_lock *l;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    *out = NULL;
    if (fd < 0) {
        set_err(err, err_size, "lock", path);
        return -1;
    }
    /* flock, not fcntl: an fcntl lock belongs to the process, so a second open in the same
     * process would get it too; flock locks belong to the open file. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        if (!busy)
            set_err(err, err_size, "lock", path);
        close(fd);
        return busy ? FSYS_LOCK_BUSY : -1;
    }
    if (!(l = malloc(sizeof *l))) {
        close(fd);
        if (err && err_size)
            snprintf(err, err_size, "lock '%s': out of memory", path);
        return -1;
    }
    l->fd = fd;
    *out = l;
    return 0;
}

void fsys_unlock(fsys_lock *l)
{
    if (!l)
        return;
    close(l->fd); /* closing the descriptor releases the flock */
    free(l);
}

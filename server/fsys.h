/* fsys.h — the thin file-system layer the persistence modules stand on: UTF-8 paths on every
 * platform, durable sync, truncate, atomic replace and the platform's default locations.
 * Implemented in fsys_posix.c and fsys_win.c; nothing else in server/ includes platform headers. */
#ifndef PARLEY_FSYS_H
#define PARLEY_FSYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Every function that can fail returns 0 on success and -1 on failure. Where a function takes
 * (err, err_size), a failure writes "what 'path': reason" there; err may be NULL. */

/* fopen with a UTF-8 path (Windows: _wfopen of the UTF-16 path). NULL on failure, with errno
 * set (strerror(errno) describes it). The caller owns the FILE and fcloses it. */
FILE *fsys_fopen(const char *path, const char *mode);
/* Creates (or truncates) a file for writing that only its owner may read: mode 0600 on POSIX,
 * whatever the umask; on Windows a protected DACL (inheritance cut) giving SYSTEM,
 * Administrators and the account this process runs as full control, nobody else anything.
 * NULL with errno on failure, also when the permissions cannot be set. */
FILE *fsys_create_private(const char *path);

/* Creates a directory and any missing parents; an existing directory is success. */
int fsys_mkdirs(const char *path, char *err, size_t err_size);
/* Keeps others out of a directory the program owns (the data directory): mode 0700 on POSIX;
 * on Windows the same protected DACL as fsys_create_private's, inherited by what is created
 * inside, unless the folder already has a protected DACL (the service's install gives it one
 * with the service's SID, which this must not take out). */
int fsys_make_private_dir(const char *path, char *err, size_t err_size);
/* Removes an empty directory. */
int fsys_rmdir(const char *path, char *err, size_t err_size);

/* Pushes f's buffered data to the OS and then to the disk: fflush + fsync (POSIX) or
 * fflush + _commit, i.e. FlushFileBuffers on the CRT handle (Windows). */
int fsys_sync(FILE *f, char *err, size_t err_size);
/* Sets the size of an open file (flushing it first). The file position is left unspecified;
 * streams opened in append mode ("ab") keep writing at the new end. */
int fsys_truncate(FILE *f, uint64_t size, char *err, size_t err_size);
/* Same, by path. */
int fsys_truncate_path(const char *path, uint64_t size, char *err, size_t err_size);

/* Atomically renames tmp over final, replacing final if it exists, and makes the rename
 * durable (POSIX: rename + fsync of the directory; Windows: MoveFileExW with
 * MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH). Readers see the old or the new file. */
int fsys_replace(const char *tmp, const char *final, char *err, size_t err_size);

/* 1 if path names an existing file or directory, 0 otherwise. */
int fsys_exists(const char *path);
/* Size of a regular file in bytes, or -1 if it cannot be read. */
int64_t fsys_file_size(const char *path);
/* Removes a file; 0 on success, -1 on failure (including "did not exist"). */
int fsys_remove(const char *path);

/* An exclusive lock on a file (created if missing), held until fsys_unlock: another process,
 * or another fsys_lock of the same path in this one, cannot take it meanwhile. POSIX: flock
 * LOCK_EX | LOCK_NB on an open descriptor; Windows: the file opened with no sharing.
 * Returns 0 with *out set, FSYS_LOCK_BUSY if someone holds it, or -1 with err filled. */
typedef struct fsys_lock fsys_lock;
#define FSYS_LOCK_BUSY 1
int fsys_lock_take(const char *path, fsys_lock **out, char *err, size_t err_size);
/* Releases and frees the lock (the file stays). NULL is ignored. */
void fsys_unlock(fsys_lock *l);

/* Writes "dir<sep>name" into out. -1 if it does not fit (out then holds ""). */
int fsys_path_join(char *out, size_t out_size, const char *dir, const char *name);

/* The platform's default data directory (Windows: %ProgramData%\Parley; elsewhere:
 * $XDG_DATA_HOME/parley or ~/.local/share/parley) and configuration file (Windows:
 * %ProgramData%\Parley\server.ini; elsewhere: $XDG_CONFIG_HOME/parley/server.ini or
 * ~/.config/parley/server.ini), written into out. Nothing is created. -1 if out is too small
 * or no base location is known (out then holds ""). */
int fsys_default_data_dir(char *out, size_t out_size);
int fsys_default_config_path(char *out, size_t out_size);

#endif

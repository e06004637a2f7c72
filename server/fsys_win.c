/* fsys_win.c — the file-system layer on Windows: UTF-8 paths converted to UTF-16 for the W
 * APIs and _wfopen, durable sync through the CRT handle, atomic MoveFileExW replace, private
 * files and folders with protected DACLs. */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_win.h"
#include "fsys.h"
#include "fsys_parts.h"

/* UTF-8 → UTF-16, NUL-terminated. The caller frees the result. NULL (errno EINVAL or ENOMEM)
 * if s is not valid UTF-8 or memory ran out. */
static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0) {
        errno = EINVAL;
        return NULL;
    }
    w = malloc((size_t)n * sizeof *w);
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        errno = EINVAL;
        return NULL;
    }
    return w;
}

/* UTF-16 → UTF-8 into out (truncated to fit); -1 if it does not fit or is invalid. */
static int narrow_into(char *out, size_t out_size, const wchar_t *w)
{
    int n;

    if (!out || out_size == 0)
        return -1;
    out[0] = '\0';
    if (out_size > INT_MAX)
        out_size = INT_MAX;
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)out_size, NULL, NULL);
    if (n <= 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* Writes "<what> '<path>': <strerror(errno)>" (or "<what>: ..." without a path) into err. */
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

/* Same for a Win32 error code: the system's text for it, and the number (what admins search). */
static void set_werr(char *err, size_t err_size, const char *what, const char *path, DWORD code)
{
    wchar_t wmsg[256];
    char msg[512];
    DWORD n;

    if (!err || err_size == 0)
        return;
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                       0, wmsg, (DWORD)(sizeof wmsg / sizeof wmsg[0]), NULL);
    while (n > 0 && (wmsg[n - 1] == L'\r' || wmsg[n - 1] == L'\n' || wmsg[n - 1] == L' ' ||
                     wmsg[n - 1] == L'.'))
        n--;
    if (n > 0) {
        wmsg[n] = L'\0';
        if (narrow_into(msg, sizeof msg, wmsg) != 0)
            msg[0] = '\0';
    } else {
        msg[0] = '\0';
    }
    if (!msg[0])
        snprintf(msg, sizeof msg, "system error");
    snprintf(err, err_size, "%s '%s': %s (error %lu)", what, path, msg, (unsigned long)code);
}

/* Bad UTF-8 in a path is reported the same way by every function. */
static void set_path_err(char *err, size_t err_size, const char *what, const char *path)
{
    if (errno == EINVAL && err && err_size)
        snprintf(err, err_size, "%s '%s': path is not valid UTF-8", what, path);
    else
        set_err(err, err_size, what, path);
}

FILE *fsys_fopen(const char *path, const char *mode)
{
    wchar_t *wpath = widen(path), *wmode = widen(mode);
    FILE *f = NULL;

    if (wpath && wmode)
        f = _wfopen(wpath, wmode);
    free(wpath);
    free(wmode);
    return f;
}

int fsys_make_private_dir(const char *path, char *err, size_t err_size)
{
    wchar_t *w = widen(path), sddl[256];
    PSECURITY_DESCRIPTOR sd = NULL;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision, e;

    if (!w) {
        set_path_err(err, err_size, "make private", path);
        return -1;
    }
    /* A folder whose DACL is already protected was made private before, perhaps by the
     * service's install with the service's SID in it: a console run must not take that out. */
    if (GetNamedSecurityInfoW(w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
                              NULL, &sd) == ERROR_SUCCESS &&
        GetSecurityDescriptorControl(sd, &control, &revision) && (control & SE_DACL_PROTECTED)) {
        LocalFree(sd);
        free(w);
        return 0;
    }
    if (sd)
        LocalFree(sd);
    e = acl_private_sddl(sddl, sizeof sddl / sizeof sddl[0], 1);
    if (e == ERROR_SUCCESS)
        e = acl_apply_path(w, sddl);
    free(w);
    if (e != ERROR_SUCCESS) {
        set_werr(err, err_size, "cannot set the permissions of", path, e);
        return -1;
    }
    return 0;
}

FILE *fsys_create_private(const char *path)
{
    wchar_t *w = widen(path), sddl[256];
    SECURITY_ATTRIBUTES sa;
    PSECURITY_DESCRIPTOR sd = NULL;
    HANDLE h = INVALID_HANDLE_VALUE;
    FILE *f = NULL;
    DWORD e;
    int fd;

    if (!w)
        return NULL;
    e = acl_private_sddl(sddl, sizeof sddl / sizeof sddl[0], 0);
    if (e == ERROR_SUCCESS &&
        !ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
        e = GetLastError();
    if (e == ERROR_SUCCESS) {
        /* Created private, so it is never readable by others even for a moment; an existing
         * file keeps its DACL on CREATE_ALWAYS, so the handle gets it set too. */
        sa.nLength = sizeof sa;
        sa.lpSecurityDescriptor = sd;
        sa.bInheritHandle = FALSE;
        h = CreateFileW(w, GENERIC_WRITE | WRITE_DAC, 0, &sa, CREATE_ALWAYS,
                        FILE_ATTRIBUTE_NORMAL, NULL);
        e = h == INVALID_HANDLE_VALUE ? GetLastError() : acl_apply_handle(h, sddl);
    }
    if (sd)
        LocalFree(sd);
    free(w);
    if (e != ERROR_SUCCESS) {
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
        errno = e == ERROR_ACCESS_DENIED ? EACCES : EIO;
        return NULL;
    }
    fd = _open_osfhandle((intptr_t)h, _O_WRONLY | _O_BINARY);
    if (fd < 0) {
        CloseHandle(h);
        return NULL;
    }
    f = _fdopen(fd, "wb");
    if (!f)
        _close(fd);
    return f;
}

static int is_sep(wchar_t c)
{
    return c == L'\\' || c == L'/';
}

/* Index of the first character after the part of a path that cannot be created: a drive
 * ("C:\"), a UNC share ("\\server\share\") or a leading separator. */
static size_t root_length(const wchar_t *w)
{
    size_t i = 0;

    if (w[0] && w[1] == L':')
        return is_sep(w[2]) ? 3 : 2;
    if (is_sep(w[0]) && is_sep(w[1])) {
        int parts = 0;
        for (i = 2; w[i]; i++) {
            if (is_sep(w[i]) && ++parts == 2)
                return i + 1;
        }
        return i;
    }
    return is_sep(w[0]) ? 1 : 0;
}

int fsys_mkdirs(const char *path, char *err, size_t err_size)
{
    wchar_t *w = widen(path);
    size_t len, start;
    DWORD attrs;
    int rc = -1;

    if (!w) {
        set_path_err(err, err_size, "create directory", path);
        return -1;
    }
    len = wcslen(w);
    if (len == 0) {
        errno = ENOENT;
        set_err(err, err_size, "create directory", path);
        goto done;
    }
    start = root_length(w);
    /* Create each prefix that ends at a separator, then the whole path. "Already exists" is
     * fine as long as it is a directory; that is checked once at the end. */
    for (size_t i = start; i <= len; i++) {
        if (i < len && !is_sep(w[i]))
            continue;
        if (i == 0 || is_sep(w[i - 1]))
            continue;
        wchar_t saved = w[i];
        w[i] = L'\0';
        if (!CreateDirectoryW(w, NULL)) {
            DWORD code = GetLastError();
            if (code != ERROR_ALREADY_EXISTS && code != ERROR_ACCESS_DENIED) {
                set_werr(err, err_size, "create directory", path, code);
                goto done;
            }
            /* ACCESS_DENIED is what a prefix the account may not create but that exists gives
             * (e.g. "C:\Users"); a real problem shows up in the final check. */
        }
        w[i] = saved;
    }
    attrs = GetFileAttributesW(w);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        set_werr(err, err_size, "create directory", path, GetLastError());
        goto done;
    }
    if (!(attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        errno = ENOTDIR;
        set_err(err, err_size, "create directory", path);
        goto done;
    }
    rc = 0;
done:
    free(w);
    return rc;
}

int fsys_rmdir(const char *path, char *err, size_t err_size)
{
    wchar_t *w = widen(path);
    int rc = 0;

    if (!w) {
        set_path_err(err, err_size, "remove directory", path);
        return -1;
    }
    if (!RemoveDirectoryW(w)) {
        set_werr(err, err_size, "remove directory", path, GetLastError());
        rc = -1;
    }
    free(w);
    return rc;
}

int fsys_sync(FILE *f, char *err, size_t err_size)
{
    if (fflush(f) != 0) {
        set_err(err, err_size, "flush", NULL);
        return -1;
    }
    /* _commit is FlushFileBuffers on the handle behind the CRT descriptor. */
    if (_commit(_fileno(f)) != 0) {
        set_err(err, err_size, "sync (_commit)", NULL);
        return -1;
    }
    return 0;
}

int fsys_truncate(FILE *f, uint64_t size, char *err, size_t err_size)
{
    errno_t e;

    if (fflush(f) != 0) {
        set_err(err, err_size, "flush before truncate", NULL);
        return -1;
    }
    if (size > (uint64_t)INT64_MAX) {
        errno = EINVAL;
        set_err(err, err_size, "truncate", NULL);
        return -1;
    }
    e = _chsize_s(_fileno(f), (__int64)size);
    if (e != 0) {
        errno = e;
        set_err(err, err_size, "truncate", NULL);
        return -1;
    }
    return 0;
}

int fsys_truncate_path(const char *path, uint64_t size, char *err, size_t err_size)
{
    FILE *f = fsys_fopen(path, "r+b");
    int rc;

    if (!f) {
        set_path_err(err, err_size, "truncate", path);
        return -1;
    }
    rc = fsys_truncate(f, size, err, err_size);
    if (fclose(f) != 0 && rc == 0) {
        set_err(err, err_size, "truncate", path);
        rc = -1;
    }
    return rc;
}

int fsys_replace(const char *tmp, const char *final, char *err, size_t err_size)
{
    wchar_t *wtmp = widen(tmp), *wfinal = widen(final);
    int rc = -1;

    if (!wtmp || !wfinal) {
        set_path_err(err, err_size, "replace", !wtmp ? tmp : final);
        goto done;
    }
    /* WRITE_THROUGH: the call returns only once the rename is on disk. */
    if (!MoveFileExW(wtmp, wfinal, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        set_werr(err, err_size, "replace", final, GetLastError());
        goto done;
    }
    rc = 0;
done:
    free(wtmp);
    free(wfinal);
    return rc;
}

int fsys_exists(const char *path)
{
    wchar_t *w = widen(path);
    int rc;

    if (!w)
        return 0;
    rc = GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
    free(w);
    return rc;
}

int64_t fsys_file_size(const char *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    wchar_t *w = widen(path);
    int64_t size = -1;

    if (!w)
        return -1;
    if (GetFileAttributesExW(w, GetFileExInfoStandard, &data) &&
        !(data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        size = (int64_t)((uint64_t)data.nFileSizeHigh << 32 | data.nFileSizeLow);
    free(w);
    return size;
}

int fsys_remove(const char *path)
{
    wchar_t *w = widen(path);
    int rc;

    if (!w)
        return -1;
    rc = DeleteFileW(w) ? 0 : -1;
    free(w);
    return rc;
}


/* %ProgramData% (C:\ProgramData on every supported Windows; also set for services running as
 * LocalSystem), falling back to %ALLUSERSPROFILE%, which names the same folder. */
static int program_data(char *out, size_t out_size)
{
    static const wchar_t *const vars[] = {L"ProgramData", L"ALLUSERSPROFILE"};
    wchar_t w[MAX_PATH + 1];

    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        DWORD n = GetEnvironmentVariableW(vars[i], w, (DWORD)(sizeof w / sizeof w[0]));
        if (n > 0 && n < sizeof w / sizeof w[0] && narrow_into(out, out_size, w) == 0)
            return 0;
    }
    return -1;
}

int fsys_default_data_dir(char *out, size_t out_size)
{
    char base[MAX_PATH * 3 + 1];

    if (program_data(base, sizeof base) != 0) {
        if (out && out_size)
            out[0] = '\0';
        return -1;
    }
    return fsys_path_join(out, out_size, base, "Parley");
}

int fsys_default_config_path(char *out, size_t out_size)
{
    char dir[MAX_PATH * 3 + 16];

    if (fsys_default_data_dir(dir, sizeof dir) != 0) {
        if (out && out_size)
            out[0] = '\0';
        return -1;
    }
    return fsys_path_join(out, out_size, dir, "server.ini");
}

struct fsys_lock {
    HANDLE h;
};

int fsys_lock_take(const char *path, fsys_lock **out, char *err, size_t err_size)
{
    wchar_t *w = widen(path);
    fsys_lock *l = NULL;
    HANDLE h;
    DWORD code;

    *out = NULL;
    if (!w) {
        set_path_err(err, err_size, "lock", path);
        return -1;
    }
    /* No sharing at all: while this handle is open, every other open of the file fails. */
    h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    code = GetLastError();
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        if (code == ERROR_SHARING_VIOLATION || code == ERROR_LOCK_VIOLATION)
            return FSYS_LOCK_BUSY;
        set_werr(err, err_size, "lock", path, code);
        return -1;
    }
    if (!(l = malloc(sizeof *l))) {
        CloseHandle(h);
        if (err && err_size)
            snprintf(err, err_size, "lock '%s': out of memory", path);
        return -1;
    }
    l->h = h;
    *out = l;
    return 0;
}

void fsys_unlock(fsys_lock *l)
{
    if (!l)
        return;
    CloseHandle(l->h);
    free(l);
}

/* chatlog.c — conversation logs on disk (chatlog.h). Names from the server never make a path
 * of their own: characters Windows forbids in file names become '_'. */
#include <windows.h>
#include <shlobj.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "append_file.h"
#include "chatlog.h"
#include "wstr.h"

void chatlog_default_dir(wchar_t *out, size_t cap)
{
    wchar_t docs[MAX_PATH];

    out[0] = L'\0';
    if (SHGetFolderPathW(NULL, CSIDL_PERSONAL, NULL, SHGFP_TYPE_CURRENT, docs) != S_OK)
        return;
    _snwprintf(out, cap, L"%ls\\Parley Logs", docs);
    out[cap - 1] = L'\0';
}

/* ms since 1970 UTC to the local time of day and date. */
static void local_time(uint64_t time_ms, SYSTEMTIME *st)
{
    FILETIME ft, local;
    uint64_t t = (time_ms + 11644473600000ULL) * 10000ULL; /* 100 ns since 1601 */

    if (!time_ms) {
        GetLocalTime(st);
        return;
    }
    ft.dwLowDateTime = (DWORD)t;
    ft.dwHighDateTime = (DWORD)(t >> 32);
    if (!FileTimeToLocalFileTime(&ft, &local) || !FileTimeToSystemTime(&local, st))
        GetLocalTime(st);
}

/* Makes dir and any missing parents. */
static unsigned long make_dir(const wchar_t *dir)
{
    int r = SHCreateDirectoryExW(NULL, dir, NULL);

    return r == ERROR_SUCCESS || r == ERROR_ALREADY_EXISTS || r == ERROR_FILE_EXISTS
               ? 0
               : (unsigned long)r;
}

unsigned long chatlog_write(const wchar_t *dir, const wchar_t *name, int is_private,
                            uint64_t time_ms, const wchar_t *nick, const wchar_t *text,
                            int action)
{
    wchar_t path[MAX_PATH], file[128];
    wchar_t *line, *p;
    SYSTEMTIME st;
    size_t cap;
    unsigned long err;
    int n;

    if (!dir[0])
        return ERROR_PATH_NOT_FOUND;
    local_time(time_ms, &st);
    _snwprintf(file, 128, L"%ls%ls %04u-%02u-%02u.txt", is_private ? L"@" : L"", name,
               st.wYear, st.wMonth, st.wDay);
    file[127] = L'\0';
    for (p = file; *p; p++)
        if (wcschr(L"\\/:*?\"<>|", *p) || *p < 32)
            *p = L'_';
    n = _snwprintf(path, MAX_PATH, L"%ls\\%ls", dir, file);
    if (n < 0 || n >= MAX_PATH)
        return ERROR_FILENAME_EXCED_RANGE;
    err = make_dir(dir);
    if (err)
        return err;
    cap = wcslen(nick) + wcslen(text) + 32;
    line = malloc(cap * sizeof *line);
    if (!line)
        return ERROR_NOT_ENOUGH_MEMORY;
    _snwprintf(line, cap, action ? L"[%02u:%02u:%02u] * %ls %ls\r\n" : L"[%02u:%02u:%02u] <%ls> %ls\r\n",
               st.wHour, st.wMinute, st.wSecond, nick, text);
    line[cap - 1] = L'\0';
    err = append_utf8(path, line);
    free(line);
    return err;
}

/* append_file.c — append_utf8 (append_file.h): opened per call, so the file is whole and
 * readable by others between calls, and no handle outlives a room or a day. */
#include <windows.h>

#include <stdlib.h>
#include <string.h>

#include "append_file.h"
#include "wstr.h"

unsigned long append_utf8(const wchar_t *path, const wchar_t *text)
{
    char *utf8 = wstr_to_utf8(text);
    HANDLE f = INVALID_HANDLE_VALUE;
    DWORD len, done = 0, err = ERROR_SUCCESS;

    if (!utf8)
        return ERROR_NOT_ENOUGH_MEMORY;
    f = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        err = GetLastError();
        goto done;
    }
    len = (DWORD)strlen(utf8);
    if (!WriteFile(f, utf8, len, &done, NULL))
        err = GetLastError();
    else if (done != len)
        err = ERROR_WRITE_FAULT;
    CloseHandle(f);
done:
    free(utf8);
    return err;
}

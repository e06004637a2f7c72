/* key_file.c — the secret key from a text file: read, normalised like the server's and
 * parley-cli's, wiped from memory after; and the message when a file will not do. */
#include "key_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "resource.h"
#include "secret_text.h"
#include "wstr.h"

#define KEY_FILE_MAX 4096

DWORD key_file_read(const wchar_t *path, wchar_t *key, size_t cap)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    char text[KEY_FILE_MAX + 1];
    DWORD n = 0, err = 0;

    if (f == INVALID_HANDLE_VALUE)
        return GetLastError();
    if (!ReadFile(f, text, KEY_FILE_MAX, &n, NULL))
        err = GetLastError();
    CloseHandle(f);
    if (err)
        goto done;
    text[n] = 0;
    n = (DWORD)secret_normalize(text, n);
    if (n == 0) {
        err = ERROR_INVALID_DATA;
        goto done;
    }
    wstr_from_utf8_into(key, cap, text, n);
done:
    crypto_wipe(text, sizeof text);
    return err;
}

void key_file_error(HWND owner, const wchar_t *path, DWORD err)
{
    wchar_t reason[256], title[64], *text;

    text = wstr_format(IDS_KEY_FILE_ERROR, path, wstr_win_error(err, reason, 256));
    MessageBoxW(owner, text ? text : reason, wstr_load(IDS_APP_NAME, title, 64),
                MB_OK | MB_ICONERROR);
    free(text);
}

/* secret_prompt_win.c — secret_prompt on the Windows console: echo off through the console
 * mode, read as UTF-16 with ReadConsoleW and converted to UTF-8. */
#include <windows.h>

#include "secret_prompt.h"

#include <string.h>

static void write_err(const char *s)
{
    HANDLE h = GetStdHandle(STD_ERROR_HANDLE);
    DWORD done;
    if (h && h != INVALID_HANDLE_VALUE)
        WriteFile(h, s, (DWORD)strlen(s), &done, NULL);
}

int secret_prompt(const char *prompt, char *out, size_t size)
{
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    wchar_t w[1100];
    DWORD mode, got = 0;
    int n;

    if (!h || h == INVALID_HANDLE_VALUE || GetFileType(h) != FILE_TYPE_CHAR ||
        !GetConsoleMode(h, &mode) || size == 0)
        return -1;
    write_err(prompt);
    SetConsoleMode(h, mode & ~(DWORD)ENABLE_ECHO_INPUT);
    if (!ReadConsoleW(h, w, (DWORD)(sizeof w / sizeof w[0]) - 1, &got, NULL))
        got = 0;
    SetConsoleMode(h, mode);
    write_err("\n");
    while (got && (w[got - 1] == L'\n' || w[got - 1] == L'\r'))
        got--;
    /* Cut at a character boundary: shorten the UTF-16 text until its UTF-8 form fits. */
    do {
        n = got ? WideCharToMultiByte(CP_UTF8, 0, w, (int)got, out, (int)(size - 1), NULL, NULL)
                : 0;
    } while (n == 0 && got-- > 0);
    SecureZeroMemory(w, sizeof w);
    out[n > 0 ? n : 0] = '\0';
    return 0;
}

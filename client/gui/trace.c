/* trace.c — the test trace (trace.h): one UTF-8 line per event, to PARLEY_GUI_TRACE's file. */
#include <windows.h>

#include <stdio.h>

#include "append_file.h"
#include "trace.h"

void trace_line(const wchar_t *what, const wchar_t *detail1, const wchar_t *detail2)
{
    wchar_t path[MAX_PATH], line[768];
    DWORD n = GetEnvironmentVariableW(L"PARLEY_GUI_TRACE", path, MAX_PATH);

    if (n == 0 || n >= MAX_PATH)
        return;
    _snwprintf(line, 768, L"%ls%ls%ls%ls%ls\r\n", what, detail1 ? L"\t" : L"",
               detail1 ? detail1 : L"", detail2 ? L"\t" : L"", detail2 ? detail2 : L"");
    line[767] = L'\0';
    append_utf8(path, line);
}

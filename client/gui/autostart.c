/* autostart.c — the per-user Run value (autostart.h): the quoted path of this parley.exe, with
 * --profile when the profile is not the default one. */
#include <windows.h>

#include <stdio.h>
#include <wchar.h>

#include "autostart.h"

#define RUN_KEY L"Software\\Microsoft\\Windows\\CurrentVersion\\Run"

static void value_name(const wchar_t *profile, wchar_t *out, size_t cap)
{
    if (profile[0])
        _snwprintf(out, cap, L"Parley (%ls)", profile);
    else
        _snwprintf(out, cap, L"Parley");
    out[cap - 1] = L'\0';
}

int autostart_is_on(const wchar_t *profile)
{
    wchar_t name[128];

    value_name(profile, name, 128);
    return RegGetValueW(HKEY_CURRENT_USER, RUN_KEY, name, RRF_RT_REG_SZ, NULL, NULL, NULL) ==
           ERROR_SUCCESS;
}

unsigned long autostart_set(const wchar_t *profile, int on)
{
    wchar_t name[128], exe[MAX_PATH], cmd[MAX_PATH + 160];
    DWORD n;
    LSTATUS r;

    value_name(profile, name, 128);
    if (!on) {
        r = RegDeleteKeyValueW(HKEY_CURRENT_USER, RUN_KEY, name);
        return r == ERROR_FILE_NOT_FOUND ? 0 : (unsigned long)r;
    }
    n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return n ? ERROR_FILENAME_EXCED_RANGE : GetLastError();
    if (profile[0])
        _snwprintf(cmd, MAX_PATH + 160, L"\"%ls\" --profile \"%ls\"", exe, profile);
    else
        _snwprintf(cmd, MAX_PATH + 160, L"\"%ls\"", exe);
    cmd[MAX_PATH + 159] = L'\0';
    return (unsigned long)RegSetKeyValueW(HKEY_CURRENT_USER, RUN_KEY, name, REG_SZ, cmd,
                                          (DWORD)((wcslen(cmd) + 1) * sizeof *cmd));
}

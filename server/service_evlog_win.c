/* service_evlog_win.c — the Application event log: the "Parley" source's registration and the
 * events the service writes (messages from resources/parley-messages.mc). */
#include "service_win.h"

#include <stdlib.h>

#define EVENTLOG_KEY_W L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Parley"
#define EVENTLOG_KEY_TEXT "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Parley"

int svc_evlog_register(const wchar_t *exe)
{
    HKEY key;
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    LSTATUS e = RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY_W, 0, NULL, 0, KEY_SET_VALUE,
                                NULL, &key, NULL);

    if (e == ERROR_SUCCESS) {
        e = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe,
                           (DWORD)((wcslen(exe) + 1) * sizeof *exe));
        if (e == ERROR_SUCCESS)
            e = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types,
                               sizeof types);
        RegCloseKey(key);
    }
    if (e != ERROR_SUCCESS) {
        svc_complain_win("--install: cannot register the event source (" EVENTLOG_KEY_TEXT ")",
                         (DWORD)e);
        return -1;
    }
    return 0;
}

int svc_evlog_remove(void)
{
    LSTATUS e = RegDeleteKeyW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY_W);
    if (e != ERROR_SUCCESS && e != ERROR_FILE_NOT_FOUND) {
        svc_complain_win("--uninstall: cannot remove the event source (" EVENTLOG_KEY_TEXT ")",
                         (DWORD)e);
        return -1;
    }
    return 0;
}

void svc_evlog_report(HANDLE source, WORD type, DWORD id, int n, const char *const *strings)
{
    const wchar_t *w[4] = {NULL, NULL, NULL, NULL};
    int i, ok = 1;

    if (!source || n > 4)
        return;
    for (i = 0; i < n; i++)
        if (!(w[i] = svc_widen(strings[i])))
            ok = 0;
    if (ok)
        ReportEventW(source, type, 0, id, NULL, (WORD)n, 0, w, NULL);
    for (i = 0; i < n; i++)
        free((void *)w[i]);
}

/* user_display_win.c — the current user's display name on Windows: the directory's
 * (GetUserNameExW NameDisplay), as UTF-8 (user_display.h). */
#define SECURITY_WIN32
#include <windows.h>
#include <security.h>

#include "user_display.h"

#define USER_DISPLAY_WCHARS 256

int pc_user_display(char *out, size_t cap)
{
    wchar_t name[USER_DISPLAY_WCHARS];
    ULONG n = USER_DISPLAY_WCHARS;
    int bytes;

    if (cap == 0)
        return -1;
    out[0] = '\0';
    /* Fails for a local account or without a reachable domain controller: then there is none. */
    if (!GetUserNameExW(NameDisplay, name, &n) || name[0] == L'\0')
        return -1;
    bytes = WideCharToMultiByte(CP_UTF8, 0, name, -1, out, cap > 0x7fffffff ? 0x7fffffff : (int)cap,
                                NULL, NULL);
    if (bytes <= 0) { /* longer than cap: no room for the whole name, so none */
        out[0] = '\0';
        return -1;
    }
    return 0;
}

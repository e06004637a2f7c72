/* whoami.c — the Windows user parley.exe runs as, for display only (GetUserNameExW: the
 * directory's display name and the DOMAIN\user name). */
#define SECURITY_WIN32
#include <windows.h>
#include <security.h>

#include "whoami.h"

#define WHOAMI_NAME_MAX 256

void whoami_text(wchar_t *out, size_t cap)
{
    wchar_t sam[WHOAMI_NAME_MAX], display[WHOAMI_NAME_MAX];
    ULONG n_sam = WHOAMI_NAME_MAX, n_display = WHOAMI_NAME_MAX;

    if (cap == 0)
        return;
    if (!GetUserNameExW(NameSamCompatible, sam, &n_sam))
        sam[0] = L'\0';
    if (!GetUserNameExW(NameDisplay, display, &n_display))
        display[0] = L'\0';
    if (display[0] && sam[0])
        _snwprintf(out, cap, L"%ls (%ls)", display, sam);
    else
        _snwprintf(out, cap, L"%ls", sam[0] ? sam : L"?");
    out[cap - 1] = L'\0';
}

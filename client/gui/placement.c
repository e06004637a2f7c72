/* placement.c — the main window's saved placement: a WINDOWPLACEMENT stored as a binary value,
 * checked against the monitors of this session before use (a screen that was unplugged must
 * not leave the window out of reach), and centring for the first start. */
#include "placement.h"

#include <string.h>

#include "settings.h"

#define VALUE_PLACEMENT L"Placement"

static void centre(HWND hwnd)
{
    HMONITOR mon = MonitorFromWindow(hwnd, MONITOR_DEFAULTTOPRIMARY);
    MONITORINFO mi;
    RECT rc;
    int w, h;

    memset(&mi, 0, sizeof mi);
    mi.cbSize = sizeof mi;
    if (!GetMonitorInfoW(mon, &mi) || !GetWindowRect(hwnd, &rc))
        return;
    w = rc.right - rc.left;
    h = rc.bottom - rc.top;
    SetWindowPos(hwnd, NULL, mi.rcWork.left + (mi.rcWork.right - mi.rcWork.left - w) / 2,
                 mi.rcWork.top + (mi.rcWork.bottom - mi.rcWork.top - h) / 2, 0, 0,
                 SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE);
}

int placement_restore(HWND hwnd, int show)
{
    WINDOWPLACEMENT wp;
    DWORD size = sizeof wp;
    int maximized;

    memset(&wp, 0, sizeof wp);
    wchar_t key_path[160];

    settings_subkey(L"Window", key_path, 160);
    if (RegGetValueW(HKEY_CURRENT_USER, key_path, VALUE_PLACEMENT, RRF_RT_REG_BINARY, NULL,
                     &wp, &size) != ERROR_SUCCESS ||
        size != sizeof wp || wp.length != sizeof wp ||
        wp.rcNormalPosition.right <= wp.rcNormalPosition.left ||
        wp.rcNormalPosition.bottom <= wp.rcNormalPosition.top ||
        !MonitorFromRect(&wp.rcNormalPosition, MONITOR_DEFAULTTONULL)) {
        centre(hwnd);
        return show;
    }
    /* Never come back minimized (the person started the program to use it), but maximized
     * if that is how it was left. */
    maximized = wp.showCmd == SW_SHOWMAXIMIZED ||
                (wp.showCmd == SW_SHOWMINIMIZED && (wp.flags & WPF_RESTORETOMAXIMIZED));
    wp.showCmd = SW_HIDE;
    wp.flags = 0;
    SetWindowPlacement(hwnd, &wp);
    return maximized && (show == SW_SHOWNORMAL || show == SW_SHOWDEFAULT) ? SW_SHOWMAXIMIZED
                                                                          : show;
}

void placement_save(HWND hwnd)
{
    WINDOWPLACEMENT wp;
    wchar_t key_path[160];
    HKEY key;

    memset(&wp, 0, sizeof wp);
    wp.length = sizeof wp;
    if (!GetWindowPlacement(hwnd, &wp))
        return;
    settings_subkey(L"Window", key_path, 160);
    if (RegCreateKeyExW(HKEY_CURRENT_USER, key_path, 0, NULL, 0, KEY_WRITE, NULL, &key,
                        NULL) != ERROR_SUCCESS)
        return;
    RegSetValueExW(key, VALUE_PLACEMENT, 0, REG_BINARY, (const BYTE *)&wp, sizeof wp);
    RegCloseKey(key);
}

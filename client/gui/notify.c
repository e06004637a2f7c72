/* notify.c — attention when the window is not in front: the notification-area icon (with a
 * balloon per message, at most one every few seconds), FlashWindowEx on the taskbar button,
 * and a short sound for private messages. */
#include "notify.h"

#include <shellapi.h>

#include <string.h>

#include "wstr.h"

#define TRAY_ID 1
#define BALLOON_GAP_MS 4000 /* a busy room would otherwise bury the screen in balloons */

static void tray_data(HWND hwnd, NOTIFYICONDATAW *nid)
{
    memset(nid, 0, sizeof *nid);
    nid->cbSize = sizeof *nid;
    nid->hWnd = hwnd;
    nid->uID = TRAY_ID;
}

void notify_tray_add(HWND hwnd, notify_state *n, UINT callback_msg, HICON icon,
                     const wchar_t *tip)
{
    NOTIFYICONDATAW nid;

    tray_data(hwnd, &nid);
    nid.uFlags = NIF_MESSAGE | NIF_ICON | NIF_TIP | NIF_SHOWTIP;
    nid.uCallbackMessage = callback_msg;
    nid.hIcon = icon;
    wstr_copy(nid.szTip, sizeof nid.szTip / sizeof nid.szTip[0], tip);
    n->callback_msg = callback_msg;
    n->icon = icon;
    /* After an Explorer restart the old icon is gone; NIM_ADD then succeeds again. */
    n->tray_added = Shell_NotifyIconW(NIM_ADD, &nid) != FALSE;
    if (n->tray_added) {
        nid.uVersion = NOTIFYICON_VERSION_4;
        Shell_NotifyIconW(NIM_SETVERSION, &nid);
    }
}

void notify_tray_tip(HWND hwnd, notify_state *n, const wchar_t *tip)
{
    NOTIFYICONDATAW nid;

    if (!n->tray_added)
        return;
    tray_data(hwnd, &nid);
    nid.uFlags = NIF_TIP | NIF_SHOWTIP;
    wstr_copy(nid.szTip, sizeof nid.szTip / sizeof nid.szTip[0], tip);
    Shell_NotifyIconW(NIM_MODIFY, &nid);
}

void notify_tray_remove(HWND hwnd, notify_state *n)
{
    NOTIFYICONDATAW nid;

    if (!n->tray_added)
        return;
    tray_data(hwnd, &nid);
    Shell_NotifyIconW(NIM_DELETE, &nid);
    n->tray_added = 0;
}

int notify_window_in_front(HWND hwnd)
{
    return GetForegroundWindow() == hwnd && !IsIconic(hwnd);
}

void notify_message(HWND hwnd, notify_state *n, const wchar_t *title, const wchar_t *text,
                    int is_private, int sound)
{
    FLASHWINFO fw;
    DWORD now = GetTickCount();

    if (notify_window_in_front(hwnd))
        return;
    memset(&fw, 0, sizeof fw);
    fw.cbSize = sizeof fw;
    fw.hwnd = hwnd;
    /* Flash the taskbar button until the window comes to the front. */
    fw.dwFlags = FLASHW_TRAY | FLASHW_TIMERNOFG;
    FlashWindowEx(&fw);
    if (n->tray_added && (n->last_balloon == 0 || now - n->last_balloon >= BALLOON_GAP_MS)) {
        NOTIFYICONDATAW nid;

        tray_data(hwnd, &nid);
        nid.uFlags = NIF_INFO;
        nid.dwInfoFlags = NIIF_USER | NIIF_LARGE_ICON | (is_private && sound ? 0 : NIIF_NOSOUND);
        nid.hBalloonIcon = n->icon;
        wstr_copy(nid.szInfoTitle, sizeof nid.szInfoTitle / sizeof nid.szInfoTitle[0], title);
        wstr_copy(nid.szInfo, sizeof nid.szInfo / sizeof nid.szInfo[0], text);
        Shell_NotifyIconW(NIM_MODIFY, &nid);
        n->last_balloon = now ? now : 1;
    } else if (is_private && sound) {
        /* No balloon (and so no balloon sound) this time: a private message still chimes. */
        MessageBeep(MB_ICONASTERISK);
    }
}

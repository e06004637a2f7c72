/* notify.c — attention when the window is not in front: the notification-area icon (with at
 * most one balloon per conversation every few seconds, the messages in between counted into
 * one), FlashWindowEx on the taskbar button, and the sound events of sounds.c. */
#include "notify.h"

#include <shellapi.h>

#include <stdio.h>
#include <string.h>

#include "resource.h"
#include "sounds.h"
#include "trace.h"
#include "wstr.h"

#define TRAY_ID 1
#define BALLOON_GAP_MS 5000 /* a busy room would otherwise bury the screen in balloons */

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

/* Shows a balloon now (the sound is played by the caller). */
static void balloon(HWND hwnd, notify_state *n, const wchar_t *title, const wchar_t *text)
{
    NOTIFYICONDATAW nid;
    BOOL ok;

    if (!n->tray_added) {
        trace_line(L"balloon (no tray icon)", title, text);
        return;
    }
    tray_data(hwnd, &nid);
    nid.uFlags = NIF_INFO;
    /* Our own sounds are application events (sounds.c): the balloon stays quiet. */
    nid.dwInfoFlags = NIIF_USER | NIIF_LARGE_ICON | NIIF_NOSOUND;
    nid.hBalloonIcon = n->icon;
    wstr_copy(nid.szInfoTitle, sizeof nid.szInfoTitle / sizeof nid.szInfoTitle[0], title);
    wstr_copy(nid.szInfo, sizeof nid.szInfo / sizeof nid.szInfo[0], text);
    ok = Shell_NotifyIconW(NIM_MODIFY, &nid);
    trace_line(ok ? L"balloon" : L"balloon (refused)", title, text);
}

/* where's group, or a free (or the oldest) slot made its own; never NULL. */
static notify_group *group_for(notify_state *n, const wchar_t *where, DWORD now)
{
    notify_group *g, *oldest = &n->groups[0];
    int i;

    for (i = 0; i < NOTIFY_GROUPS; i++) {
        g = &n->groups[i];
        if (g->last && wcscmp(g->where, where) == 0)
            return g;
    }
    for (i = 0; i < NOTIFY_GROUPS; i++) {
        g = &n->groups[i];
        if (!g->last || (!g->pending && now - g->last >= BALLOON_GAP_MS))
            goto take;
        if (now - g->last > now - oldest->last)
            oldest = g;
    }
    g = oldest; /* nine busy conversations at once: the longest-waiting one's count is lost */
take:
    memset(g, 0, sizeof *g);
    wstr_copy(g->where, NOTIFY_WHERE_MAX, where);
    return g;
}

/* Shows g's counted messages as one balloon, counting extra more. */
static void show_group(HWND hwnd, notify_state *n, notify_group *g, unsigned extra, DWORD now)
{
    wchar_t count[16], text[160];
    unsigned total = g->pending + extra;

    _snwprintf(count, 16, L"%u", total);
    count[15] = L'\0';
    wstr_format_into(text, 160, total == 1 ? IDS_NOTIFY_GROUP_ONE : IDS_NOTIFY_GROUP, count,
                     g->where);
    balloon(hwnd, n, g->where, text);
    g->last = now;
    g->pending = 0;
}

void notify_message(HWND hwnd, notify_state *n, const wchar_t *where, const wchar_t *title,
                    const wchar_t *text, const wchar_t *sound)
{
    FLASHWINFO fw;
    DWORD now = GetTickCount();
    notify_group *g;

    if (notify_window_in_front(hwnd))
        return;
    memset(&fw, 0, sizeof fw);
    fw.cbSize = sizeof fw;
    fw.hwnd = hwnd;
    /* Flash the taskbar button until the window comes to the front. */
    fw.dwFlags = FLASHW_TRAY | FLASHW_TIMERNOFG;
    FlashWindowEx(&fw);
    if (sound)
        sounds_play(sound);
    if (!now)
        now = 1; /* 0 marks a free slot */
    g = group_for(n, where, now);
    if (g->last && now - g->last < BALLOON_GAP_MS) {
        /* A busy conversation: counted now, shown as one balloon when the gap is over. */
        g->pending++;
        if (!n->timer)
            n->timer = SetTimer(hwnd, TIMER_NOTIFY, BALLOON_GAP_MS / 4, NULL) != 0;
        return;
    }
    if (g->pending) {
        show_group(hwnd, n, g, 1, now); /* the timer had not come round yet: this one too */
        return;
    }
    balloon(hwnd, n, title, text);
    g->last = now;
}

void notify_on_timer(HWND hwnd, notify_state *n)
{
    DWORD now = GetTickCount();
    int i, waiting = 0, looking = notify_window_in_front(hwnd);
    notify_group *g;

    if (!now)
        now = 1;
    for (i = 0; i < NOTIFY_GROUPS; i++) {
        g = &n->groups[i];
        if (!g->pending)
            continue;
        if (looking) {
            g->pending = 0; /* the user is back and sees them in the window */
            continue;
        }
        if (now - g->last < BALLOON_GAP_MS) {
            waiting = 1;
            continue;
        }
        show_group(hwnd, n, g, 0, now);
    }
    if (!waiting) {
        KillTimer(hwnd, TIMER_NOTIFY);
        n->timer = 0;
    }
}

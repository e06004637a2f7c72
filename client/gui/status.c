/* status.c — the status bar's four parts (connection state with the server's mode, cipher
 * with a warning icon for XOR, server, round trip), the window title and the tray tooltip
 * (both with the unread total), all from the app state. */
#include "status.h"

#include <commctrl.h>

#include <stdio.h>

#include "conv.h"
#include "dpi.h"
#include "resource.h"
#include "wstr.h"

enum { PART_STATE, PART_CIPHER, PART_SERVER, PART_RTT };

static void set_part(app *a, int part, const wchar_t *text, HICON icon)
{
    SendMessageW(a->status, SB_SETTEXTW, (WPARAM)part, (LPARAM)text);
    SendMessageW(a->status, SB_SETICON, (WPARAM)part, (LPARAM)icon);
}

/* The messages unread in all conversations together; muted ones count in their tabs only. */
static unsigned unread_total(const app *a)
{
    unsigned total = 0;
    int i;

    for (i = 0; i < a->nconvs; i++)
        if (a->convs[i]->notify != NOTIFY_NONE)
            total += a->convs[i]->unread;
    return total;
}

/* Puts "(n) " before text when n messages wait unread in all conversations together, as
 * the title bar and the taskbar button then show at a glance. */
static void with_unread(app *a, wchar_t *text, size_t cap)
{
    wchar_t copy[256], num[16];
    unsigned total = unread_total(a);

    if (!total)
        return;
    wstr_copy(copy, 256, text);
    _snwprintf(num, 16, L"%u", total);
    num[15] = L'\0';
    wstr_format_into(text, cap, IDS_UNREAD_PREFIX, num, copy);
}

/* Pixels the status bar needs around a part's text: its borders and the inset DrawStatusText
 * leaves on each side, with a little air. */
#define PART_PAD_96 14

/* The width part's text needs, icon included. */
static int part_need(app *a, HDC dc, int part)
{
    wchar_t text[256];
    SIZE size = {0, 0};
    LRESULT len = SendMessageW(a->status, SB_GETTEXTLENGTHW, (WPARAM)part, 0);
    int w;

    text[0] = L'\0';
    if (LOWORD(len) < 256)
        SendMessageW(a->status, SB_GETTEXTW, (WPARAM)part, (LPARAM)text);
    if (!text[0])
        return 0;
    GetTextExtentPoint32W(dc, text, (int)wcslen(text), &size);
    w = size.cx + MulDiv(PART_PAD_96, (int)a->dpi, 96);
    if (SendMessageW(a->status, SB_GETICON, (WPARAM)part, 0))
        w += dpi_metric(SM_CXSMICON, a->dpi) + MulDiv(4, (int)a->dpi, 96);
    return w;
}

void status_fit_parts(app *a)
{
    RECT rc;
    int parts[4], need[4], i, w, min0 = MulDiv(120, (int)a->dpi, 96);
    HDC dc = GetDC(a->status);
    HFONT font = (HFONT)SendMessageW(a->status, WM_GETFONT, 0, 0), old = NULL;

    if (!dc)
        return;
    if (font)
        old = (HFONT)SelectObject(dc, font);
    for (i = 0; i < 4; i++)
        need[i] = part_need(a, dc, i);
    if (old)
        SelectObject(dc, old);
    ReleaseDC(a->status, dc);
    /* The size grip sits in the last part. */
    need[PART_RTT] += dpi_metric(SM_CXVSCROLL, a->dpi);
    GetClientRect(a->hwnd, &rc);
    w = rc.right - rc.left;
    parts[3] = -1;
    parts[2] = w - need[PART_RTT];
    parts[1] = parts[2] - need[PART_SERVER];
    parts[0] = parts[1] - need[PART_CIPHER];
    /* A narrow window squeezes the others before the connection state goes. */
    if (parts[0] < min0 && parts[0] < need[PART_STATE]) {
        int short_by = (need[PART_STATE] < min0 ? need[PART_STATE] : min0) - parts[0];
        for (i = 0; i < 3; i++)
            parts[i] += short_by;
    }
    SendMessageW(a->status, SB_SETPARTS, 4, (LPARAM)parts);
}

void status_refresh(app *a)
{
    wchar_t text[256], num[32], num2[32], server[SETTINGS_HOST_MAX + 16], title[256];
    int live = a->state != CS_OFFLINE;

    switch (a->state) {
    case CS_OFFLINE:
        wstr_load(IDS_ST_DISCONNECTED, text, 256);
        break;
    case CS_CONNECTING:
        if (a->attempt) {
            _snwprintf(num, 32, L"%u", a->attempt);
            num[31] = L'\0';
            wstr_format_into(text, 256, IDS_ST_RECONNECT_NOW, num);
        } else {
            wstr_format_into(text, 256, IDS_ST_CONNECTING, a->cfg.host);
        }
        break;
    case CS_ONLINE: {
        /* Which kind of server this is, said plainly next to who we are. */
        wchar_t who[200];
        wstr_format_into(who, 200, a->away ? IDS_ST_AWAY : IDS_ST_CONNECTED, a->nick);
        wstr_format_into(text, 256, a->account ? IDS_ST_MODE_ACCOUNT : IDS_ST_MODE_KEY, who);
        break;
    }
    case CS_WAITING:
        _snwprintf(num, 32, L"%u", (a->wait_ms + 999) / 1000);
        _snwprintf(num2, 32, L"%u", a->attempt);
        num[31] = num2[31] = L'\0';
        wstr_format_into(text, 256, IDS_ST_RECONNECTING, num, num2);
        break;
    }
    set_part(a, PART_STATE, text, NULL);

    if (a->state == CS_ONLINE && a->cipher == PROTO_CIPHER_XOR)
        set_part(a, PART_CIPHER, wstr_load(IDS_ST_CIPHER_XOR, text, 256), a->icon_warning);
    else if (a->state == CS_ONLINE)
        set_part(a, PART_CIPHER, wstr_load(IDS_ST_CIPHER_AES, text, 256), NULL);
    else
        set_part(a, PART_CIPHER, L"", NULL);

    if (live) {
        _snwprintf(num, 32, L"%u", a->cfg.port);
        num[31] = L'\0';
        wstr_format_into(server, sizeof server / sizeof server[0], IDS_ST_SERVER, a->cfg.host, num);
        set_part(a, PART_SERVER, server, NULL);
    } else {
        set_part(a, PART_SERVER, L"", NULL);
    }

    if (a->state == CS_ONLINE && a->has_rtt) {
        _snwprintf(num, 32, L"%u", a->rtt_ms);
        num[31] = L'\0';
        set_part(a, PART_RTT, wstr_format_into(text, 256, IDS_ST_RTT, num), NULL);
    } else if (a->state == CS_ONLINE) {
        set_part(a, PART_RTT, wstr_load(IDS_ST_RTT_NONE, text, 256), NULL);
    } else {
        set_part(a, PART_RTT, L"", NULL);
    }

    if (a->state == CS_ONLINE) {
        wstr_format_into(title, 256, IDS_TITLE_CONNECTED, a->nick, a->cfg.host);
        wstr_format_into(text, 128, IDS_TRAY_TIP_CONNECTED, a->nick, a->cfg.host);
    } else {
        wstr_load(IDS_TITLE_DISCONNECTED, title, 256);
        wstr_load(IDS_TRAY_TIP, text, 128);
    }
    status_fit_parts(a);
    with_unread(a, title, 256);
    with_unread(a, text, 128);
    SetWindowTextW(a->hwnd, title);
    notify_tray_tip(a->hwnd, &a->notify, text);
    taskbar_overlay(a->hwnd, &a->taskbar, unread_total(a));
}

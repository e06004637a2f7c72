/* tab_strip.c — the tab strip beyond switching: each tab has a close button (an "×" drawn
 * over its right end, in room the padding leaves), a middle click closes the tab under the
 * mouse, as in browsers and other chat clients, and a tab can be muted. A muted conversation
 * still counts its unread messages in its tab but never flashes, chimes or shows a balloon,
 * and stays out of the unread total in the title. What a conversation notifies of (all
 * messages, mentions only, nothing = muted) is remembered under the profile's key ("Notify",
 * one DWORD value per conversation, named "room:NAME" or "private:NICK"). */
#include "tab_strip.h"

#include <commctrl.h>
#include <windowsx.h>

#include <stdio.h>

#include "commands.h"
#include "conv.h"
#include "settings.h"
#include "status.h"

#define SUBCLASS_ID 2
#define CLOSE_96 14 /* the close button's side at 96 DPI */

static void value_name(const conv *c, wchar_t *out, size_t cap)
{
    _snwprintf(out, cap, L"%ls:%ls", c->is_private ? L"private" : L"room", c->name);
    out[cap - 1] = L'\0';
}

static void notify_key_path(wchar_t *out, size_t cap)
{
    _snwprintf(out, cap, L"%ls\\Notify", settings_key());
    out[cap - 1] = L'\0';
}

int tab_strip_remembered_notify(const conv *c)
{
    wchar_t path[256], name[NAME_MAX_W + 16];
    DWORD v = 0, size = sizeof v;

    notify_key_path(path, 256);
    value_name(c, name, sizeof name / sizeof name[0]);
    if (RegGetValueW(HKEY_CURRENT_USER, path, name, RRF_RT_REG_DWORD, NULL, &v, &size) !=
            ERROR_SUCCESS || v > NOTIFY_NONE)
        return NOTIFY_ALL;
    return (int)v;
}

static void remember(const conv *c)
{
    wchar_t path[256], name[NAME_MAX_W + 16];
    DWORD level = (DWORD)c->notify;
    HKEY key;

    notify_key_path(path, 256);
    value_name(c, name, sizeof name / sizeof name[0]);
    if (RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL) !=
        ERROR_SUCCESS)
        return; /* it then lasts as long as the tab: nothing is lost but the memory */
    if (c->notify != NOTIFY_ALL)
        RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&level, sizeof level);
    else
        RegDeleteValueW(key, name);
    RegCloseKey(key);
}

void tab_strip_set_notify(app *a, conv *c, int level)
{
    c->notify = level;
    remember(c);
    conv_refresh(a, c);
    status_refresh(a); /* the unread total leaves muted tabs out */
}

void tab_strip_toggle_mute(app *a, conv *c)
{
    tab_strip_set_notify(a, c, c->notify == NOTIFY_NONE ? NOTIFY_ALL : NOTIFY_NONE);
}

void tab_strip_close(app *a, int index)
{
    if (index < 0 || index >= a->nconvs)
        return;
    conv_activate(a, index);
    commands_leave(a);
}

/* The close button's side (pixels): the width of the "×" in the tab's font, with air. */
static int close_size(app *a)
{
    return MulDiv(CLOSE_96, (int)a->dpi, 96);
}

/* Where tab i's close button is: at the right end of the tab, vertically centred. */
static int close_rect(app *a, int i, RECT *out)
{
    RECT item;
    int size = close_size(a);

    if (!SendMessageW(a->tabs, TCM_GETITEMRECT, (WPARAM)i, (LPARAM)&item))
        return 0;
    out->right = item.right - MulDiv(3, (int)a->dpi, 96);
    out->left = out->right - size;
    out->top = item.top + (item.bottom - item.top - size) / 2;
    out->bottom = out->top + size;
    return 1;
}

/* The tab whose close button is at pt, or -1. */
static int close_hit(app *a, POINT pt)
{
    RECT r;
    int i, n = (int)SendMessageW(a->tabs, TCM_GETITEMCOUNT, 0, 0);

    for (i = 0; i < n; i++)
        if (close_rect(a, i, &r) && PtInRect(&r, pt))
            return i;
    return -1;
}

/* Draws an "×" on each tab, in the tab's font and the system's button text colour. */
static void paint_closers(app *a, HWND hwnd)
{
    HDC dc = GetDC(hwnd);
    HFONT font = (HFONT)SendMessageW(hwnd, WM_GETFONT, 0, 0), old = NULL;
    int i, n = (int)SendMessageW(hwnd, TCM_GETITEMCOUNT, 0, 0);
    RECT r;

    if (!dc)
        return;
    if (font)
        old = (HFONT)SelectObject(dc, font);
    SetBkMode(dc, TRANSPARENT);
    SetTextColor(dc, GetSysColor(COLOR_BTNTEXT));
    for (i = 0; i < n; i++)
        if (close_rect(a, i, &r))
            DrawTextW(dc, L"\x00D7", 1, &r, DT_CENTER | DT_VCENTER | DT_SINGLELINE | DT_NOPREFIX);
    if (old)
        SelectObject(dc, old);
    ReleaseDC(hwnd, dc);
}

void tab_strip_set_dpi(app *a)
{
    /* Room for the close button on the right (the padding is on both sides: the text stays
     * centred). */
    int pad = MulDiv(6, (int)a->dpi, 96) + close_size(a);

    SendMessageW(a->tabs, TCM_SETPADDING, 0, MAKELPARAM(pad, MulDiv(3, (int)a->dpi, 96)));
}

static LRESULT CALLBACK tabs_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp, UINT_PTR id,
                                  DWORD_PTR data)
{
    app *a = (app *)data;
    TCHITTESTINFO hit;
    POINT pt;
    LRESULT rc;
    int i;

    (void)id;
    if (msg == WM_PAINT) {
        rc = DefSubclassProc(hwnd, msg, wp, lp);
        paint_closers(a, hwnd);
        return rc;
    }
    if (msg == WM_LBUTTONDOWN) {
        pt.x = GET_X_LPARAM(lp);
        pt.y = GET_Y_LPARAM(lp);
        /* A click on the "×" closes that tab and does not select it first. */
        i = close_hit(a, pt);
        if (i >= 0) {
            tab_strip_close(a, i);
            return 0;
        }
    }
    if (msg == WM_MBUTTONUP) {
        hit.pt.x = GET_X_LPARAM(lp);
        hit.pt.y = GET_Y_LPARAM(lp);
        hit.flags = 0;
        tab_strip_close(a, (int)SendMessageW(hwnd, TCM_HITTEST, 0, (LPARAM)&hit));
        return 0;
    }
    return DefSubclassProc(hwnd, msg, wp, lp);
}

int tab_strip_attach(app *a)
{
    tab_strip_set_dpi(a);
    return SetWindowSubclass(a->tabs, tabs_proc, SUBCLASS_ID, (DWORD_PTR)a) ? 0 : -1;
}

void tab_strip_detach(app *a)
{
    RemoveWindowSubclass(a->tabs, tabs_proc, SUBCLASS_ID);
}

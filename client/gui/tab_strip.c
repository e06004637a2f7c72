/* tab_strip.c — the tab strip beyond switching: a middle click closes the tab under the
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

static LRESULT CALLBACK tabs_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp, UINT_PTR id,
                                  DWORD_PTR data)
{
    app *a = (app *)data;
    TCHITTESTINFO hit;

    (void)id;
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
    return SetWindowSubclass(a->tabs, tabs_proc, SUBCLASS_ID, (DWORD_PTR)a) ? 0 : -1;
}

void tab_strip_detach(app *a)
{
    RemoveWindowSubclass(a->tabs, tabs_proc, SUBCLASS_ID);
}

/* context_menu.c — the main window's context menus. What a menu acts on (the person, the tab)
 * is found from where it was opened and kept in the app until its command arrives: the
 * command comes back as WM_COMMAND after TrackPopupMenuEx returns. */
#include "context_menu.h"

#include <commctrl.h>
#include <windowsx.h>

#include <string.h>

#include "commands.h"
#include "conv.h"
#include "moderate.h"
#include "resource.h"
#include "tab_strip.h"
#include "transcript.h"
#include "wstr.h"

enum { MENU_PERSON, MENU_TAB, MENU_TRANSCRIPT };

/* Where a menu opened by keyboard (pos -1,-1) appears: the control's top-left corner. */
static POINT menu_point(HWND control, LPARAM pos)
{
    POINT pt;
    RECT r;

    pt.x = GET_X_LPARAM(pos);
    pt.y = GET_Y_LPARAM(pos);
    if (pt.x == -1 && pt.y == -1) {
        GetWindowRect(control, &r);
        pt.x = r.left + 8;
        pt.y = r.top + 8;
    }
    return pt;
}

static void track(app *a, int which, POINT pt)
{
    HMENU bar = LoadMenuW(a->inst, MAKEINTRESOURCEW(IDR_CONTEXTMENUS));
    HMENU popup = bar ? GetSubMenu(bar, which) : NULL;

    /* Kick and Ban (and the separator before them) only for operators, never on oneself. */
    if (popup && which == MENU_PERSON &&
        (!moderate_allowed(a) || wcscmp(a->ctx_nick, a->nick) == 0)) {
        DeleteMenu(popup, IDM_CTX_BAN, MF_BYCOMMAND);
        DeleteMenu(popup, IDM_CTX_KICK, MF_BYCOMMAND);
        DeleteMenu(popup, (UINT)GetMenuItemCount(popup) - 1, MF_BYPOSITION);
    }
    /* Copy link only on a link. */
    if (popup && which == MENU_TRANSCRIPT && !a->ctx_link[0])
        DeleteMenu(popup, IDM_CTX_COPY_LINK, MF_BYCOMMAND);
    if (popup)
        TrackPopupMenuEx(popup, TPM_RIGHTBUTTON, pt.x, pt.y, a->hwnd, NULL);
    if (bar)
        DestroyMenu(bar);
}

/* The person under the mouse (or selected, from the keyboard) into a->ctx_nick. */
static int pick_person(app *a, LPARAM pos, POINT pt)
{
    LVHITTESTINFO hit;

    if (GET_X_LPARAM(pos) != -1 || GET_Y_LPARAM(pos) != -1) {
        memset(&hit, 0, sizeof hit);
        hit.pt = pt;
        ScreenToClient(a->users, &hit.pt);
        if (SendMessageW(a->users, LVM_HITTEST, 0, (LPARAM)&hit) < 0)
            return 0;
        ListView_SetItemState(a->users, hit.iItem, LVIS_SELECTED | LVIS_FOCUSED,
                              LVIS_SELECTED | LVIS_FOCUSED);
    }
    return userlist_selected(a->users, a->ctx_nick, NAME_MAX_W);
}

static int pick_tab(app *a, LPARAM pos, POINT pt)
{
    TCHITTESTINFO hit;

    if (GET_X_LPARAM(pos) == -1 && GET_Y_LPARAM(pos) == -1) {
        a->ctx_tab = a->active;
        return a->ctx_tab >= 0;
    }
    hit.pt = pt;
    ScreenToClient(a->tabs, &hit.pt);
    a->ctx_tab = (int)SendMessageW(a->tabs, TCM_HITTEST, 0, (LPARAM)&hit);
    return a->ctx_tab >= 0;
}

int context_menu_show(app *a, HWND control, LPARAM pos)
{
    POINT pt = menu_point(control, pos);
    conv *c = conv_active(a);

    if (control == a->users) {
        if (pick_person(a, pos, pt))
            track(a, MENU_PERSON, pt);
        return 1;
    }
    if (control == a->tabs) {
        if (pick_tab(a, pos, pt))
            track(a, MENU_TAB, pt);
        return 1;
    }
    if (c && control == c->transcript) {
        int by_mouse = GET_X_LPARAM(pos) != -1 || GET_Y_LPARAM(pos) != -1;
        transcript_link_at(c->transcript, by_mouse ? &pt : NULL, a->ctx_link,
                           sizeof a->ctx_link / sizeof a->ctx_link[0]);
        track(a, MENU_TRANSCRIPT, pt);
        return 1;
    }
    return 0;
}

static void copy_text(HWND owner, const wchar_t *text)
{
    size_t n = (wcslen(text) + 1) * sizeof *text;
    HGLOBAL mem = GlobalAlloc(GMEM_MOVEABLE, n);
    void *p = mem ? GlobalLock(mem) : NULL;

    if (!p) {
        if (mem)
            GlobalFree(mem);
        return;
    }
    memcpy(p, text, n);
    GlobalUnlock(mem);
    if (OpenClipboard(owner)) {
        EmptyClipboard();
        if (!SetClipboardData(CF_UNICODETEXT, mem))
            GlobalFree(mem); /* the clipboard owns it only on success */
        CloseClipboard();
    } else {
        GlobalFree(mem);
    }
}

int context_menu_command(app *a, int id)
{
    conv *c = conv_active(a);

    switch (id) {
    case IDM_CTX_PRIVATE:
        if (a->ctx_nick[0] && wcscmp(a->ctx_nick, a->nick) != 0)
            commands_private(a, a->ctx_nick);
        return 1;
    case IDM_CTX_KICK:
        moderate_kick(a, a->ctx_nick);
        return 1;
    case IDM_CTX_BAN:
        moderate_ban(a, a->ctx_nick);
        return 1;
    case IDM_CTX_COPY_NAME:
        if (a->ctx_nick[0])
            copy_text(a->hwnd, a->ctx_nick);
        return 1;
    case IDM_CTX_CLOSE_TAB:
        tab_strip_close(a, a->ctx_tab);
        return 1;
    case IDM_CTX_MUTE:
        if (a->ctx_tab >= 0 && a->ctx_tab < a->nconvs)
            tab_strip_toggle_mute(a, a->convs[a->ctx_tab]);
        return 1;
    case IDM_CTX_COPY:
        if (c)
            SendMessageW(c->transcript, WM_COPY, 0, 0);
        return 1;
    case IDM_CTX_COPY_LINK:
        if (a->ctx_link[0])
            copy_text(a->hwnd, a->ctx_link);
        return 1;
    case IDM_CTX_SELECT_ALL:
        if (c)
            SendMessageW(c->transcript, EM_SETSEL, 0, -1);
        return 1;
    }
    return 0;
}

/* userlist.c — the people in a conversation: a small model (member_list) and the list view
 * that shows it: nicknames sorted, a green dot for online, an amber one for away, a hollow
 * grey one for offline or not known; away and offline also in words ("bob (away)") for those
 * who cannot tell the dots apart or do not see them; away people in grey, and their away
 * message as the item's tooltip. */
#include "userlist.h"

#include <commctrl.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "argb.h"
#include "dpi.h"
#include "proto.h"
#include "resource.h"
#include "wstr.h"

#define IMG_ONLINE 0
#define IMG_AWAY 1
#define IMG_OFFLINE 2

void members_free(member_list *m)
{
    free(m->items);
    memset(m, 0, sizeof *m);
}

void members_clear(member_list *m)
{
    m->n = 0;
}

member *members_find(member_list *m, const wchar_t *nick)
{
    size_t i;

    for (i = 0; i < m->n; i++)
        if (wcscmp(m->items[i].nick, nick) == 0)
            return &m->items[i];
    return NULL;
}

int members_put(member_list *m, const wchar_t *nick, uint8_t presence, const wchar_t *away)
{
    member *p = members_find(m, nick);

    if (!p) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 16;
            member *items = realloc(m->items, cap * sizeof *items);
            if (!items)
                return -1;
            m->items = items;
            m->cap = cap;
        }
        p = &m->items[m->n++];
        wstr_copy(p->nick, MEMBER_NICK_MAX, nick);
    }
    p->presence = presence;
    wstr_copy(p->away, MEMBER_AWAY_MAX, away ? away : L"");
    return 0;
}

int members_remove(member_list *m, const wchar_t *nick)
{
    member *p = members_find(m, nick);

    if (!p)
        return 0;
    *p = m->items[--m->n];
    return 1;
}

/* A presence dot: a filled circle with soft edges, drawn into a 32-bit image with alpha so it
 * looks right on any background and at any DPI. */
static HBITMAP make_dot(int size, COLORREF fill, COLORREF ring)
{
    uint32_t *bits;
    HBITMAP bmp = argb_image(size, &bits);
    double c = (size - 1) / 2.0, r = size * 0.30;
    int x, y;

    if (!bmp)
        return NULL;
    for (y = 0; y < size; y++) {
        for (x = 0; x < size; x++) {
            double d = sqrt((x - c) * (x - c) + (y - c) * (y - c));
            bits[y * size + x] = argb_pixel(d > r - 1.2 ? ring : fill, r + 0.5 - d);
        }
    }
    return bmp;
}

void userlist_init(HWND lv, UINT dpi)
{
    int size = dpi_metric(SM_CXSMICON, dpi);
    HIMAGELIST old, il = ImageList_Create(size, size, ILC_COLOR32, 3, 0);
    LVCOLUMNW col;

    if (il) {
        HBITMAP on = make_dot(size, RGB(0x2e, 0xa0, 0x43), RGB(0x1f, 0x7a, 0x31));
        HBITMAP away = make_dot(size, RGB(0xf2, 0xb1, 0x2d), RGB(0xc0, 0x86, 0x10));
        HBITMAP off = make_dot(size, RGB(0xe6, 0xe6, 0xe6), RGB(0x80, 0x80, 0x80));
        /* The indexes are IMG_ONLINE, IMG_AWAY, IMG_OFFLINE, in that order. */
        if (on)
            ImageList_Add(il, on, NULL);
        if (away)
            ImageList_Add(il, away, NULL);
        if (off)
            ImageList_Add(il, off, NULL);
        if (on)
            DeleteObject(on);
        if (away)
            DeleteObject(away);
        if (off)
            DeleteObject(off);
    }
    old = (HIMAGELIST)SendMessageW(lv, LVM_SETIMAGELIST, LVSIL_SMALL, (LPARAM)il);
    if (old)
        ImageList_Destroy(old);
    if (SendMessageW(lv, LVM_GETCOLUMNWIDTH, 0, 0) == 0) {
        memset(&col, 0, sizeof col);
        col.mask = LVCF_WIDTH;
        col.cx = 100;
        SendMessageW(lv, LVM_INSERTCOLUMNW, 0, (LPARAM)&col);
        SendMessageW(lv, LVM_SETEXTENDEDLISTVIEWSTYLE,
                     LVS_EX_FULLROWSELECT | LVS_EX_INFOTIP | LVS_EX_DOUBLEBUFFER,
                     LVS_EX_FULLROWSELECT | LVS_EX_INFOTIP | LVS_EX_DOUBLEBUFFER);
    }
}

void userlist_destroy(HWND lv)
{
    HIMAGELIST il = (HIMAGELIST)SendMessageW(lv, LVM_SETIMAGELIST, LVSIL_SMALL, 0);

    if (il)
        ImageList_Destroy(il);
}

void userlist_fit(HWND lv)
{
    RECT rc;

    GetClientRect(lv, &rc);
    SendMessageW(lv, LVM_SETCOLUMNWIDTH, 0, rc.right - rc.left);
}

/* The nickname of item i: its text up to the presence words (nicknames have no spaces). */
static void item_nick(HWND lv, int i, wchar_t *dst, int cap)
{
    wchar_t *space;
    LVITEMW it;

    memset(&it, 0, sizeof it);
    it.iSubItem = 0;
    it.pszText = dst;
    it.cchTextMax = cap;
    dst[0] = L'\0';
    SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)i, (LPARAM)&it);
    space = wcschr(dst, L' ');
    if (space)
        *space = L'\0';
}

int userlist_selected(HWND lv, wchar_t *dst, int cap)
{
    int i = (int)SendMessageW(lv, LVM_GETNEXTITEM, (WPARAM)-1, LVNI_SELECTED);

    if (i < 0 || cap <= 0)
        return 0;
    item_nick(lv, i, dst, cap);
    return dst[0] != L'\0';
}

static int presence_image(uint8_t presence)
{
    switch (presence) {
    case PRESENCE_ONLINE: return IMG_ONLINE;
    case PRESENCE_AWAY: return IMG_AWAY;
    default: return IMG_OFFLINE;
    }
}

/* "bob", "bob (away)", "bob (offline)". */
static void item_text(const member *p, wchar_t *dst, size_t cap)
{
    unsigned id = p->presence == PRESENCE_AWAY ? IDS_PRESENCE_AWAY
                  : p->presence == MEMBER_OFFLINE ? IDS_PRESENCE_OFFLINE : 0;

    if (id)
        wstr_format_into(dst, cap, id, p->nick);
    else
        wstr_copy(dst, cap, p->nick);
}

void userlist_show(HWND lv, const member_list *m)
{
    wchar_t selected[MEMBER_NICK_MAX + 32];
    int had = userlist_selected(lv, selected, MEMBER_NICK_MAX + 32);
    size_t i;

    SendMessageW(lv, WM_SETREDRAW, FALSE, 0);
    SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0);
    for (i = 0; m && i < m->n; i++) {
        wchar_t text[MEMBER_NICK_MAX + 32];
        LVITEMW it;
        int at;

        item_text(&m->items[i], text, sizeof text / sizeof text[0]);
        memset(&it, 0, sizeof it);
        it.mask = LVIF_TEXT | LVIF_IMAGE;
        it.iItem = (int)i;
        it.pszText = text;
        it.iImage = presence_image(m->items[i].presence);
        at = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
        if (had && at >= 0 && wcscmp(selected, m->items[i].nick) == 0) {
            it.mask = LVIF_STATE;
            it.stateMask = it.state = LVIS_SELECTED;
            SendMessageW(lv, LVM_SETITEMSTATE, (WPARAM)at, (LPARAM)&it);
        }
    }
    SendMessageW(lv, WM_SETREDRAW, TRUE, 0);
    InvalidateRect(lv, NULL, TRUE);
}

static const member *member_at(HWND lv, const member_list *m, int item)
{
    wchar_t nick[MEMBER_NICK_MAX + 32];

    item_nick(lv, item, nick, MEMBER_NICK_MAX + 32);
    return m ? members_find((member_list *)m, nick) : NULL;
}

int userlist_notify(HWND lv, const member_list *m, NMHDR *hdr, LRESULT *result)
{
    if (hdr->code == NM_CUSTOMDRAW) {
        NMLVCUSTOMDRAW *cd = (NMLVCUSTOMDRAW *)hdr;
        const member *p;

        switch (cd->nmcd.dwDrawStage) {
        case CDDS_PREPAINT:
            *result = CDRF_NOTIFYITEMDRAW;
            return 1;
        case CDDS_ITEMPREPAINT:
            p = member_at(lv, m, (int)cd->nmcd.dwItemSpec);
            if (p && p->presence != PRESENCE_ONLINE)
                cd->clrText = GetSysColor(COLOR_GRAYTEXT);
            *result = CDRF_DODEFAULT;
            return 1;
        default:
            *result = CDRF_DODEFAULT;
            return 1;
        }
    }
    if (hdr->code == LVN_GETINFOTIPW) {
        NMLVGETINFOTIPW *tip = (NMLVGETINFOTIPW *)hdr;
        const member *p = member_at(lv, m, tip->iItem);

        if (p && p->presence == PRESENCE_AWAY && tip->cchTextMax > 0)
            wstr_format_into(tip->pszText, (size_t)tip->cchTextMax,
                             p->away[0] ? IDS_SYS_AWAY_TEXT : IDS_SYS_AWAY, p->nick,
                             p->away);
        *result = 0;
        return 1;
    }
    return 0;
}

/* join_dialog.c — the Join dialog. The room list is asked for when it opens (offline it just
 * stays empty) and arrives in frames (PROTO_FLAG_MORE) as WM_APP_ROOMS; the rows are kept in
 * the dialog's context so the filter can show a subset without asking again. */
#include "join_dialog.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "prompts.h"
#include "resource.h"
#include "wstr.h"

typedef struct room_row {
    wchar_t *name, *topic;
    uint32_t members;
} room_row;

typedef struct join_ctx {
    app *a;
    wchar_t *dst;
    size_t cap;
    room_row *rows;
    size_t n, rows_cap;
    int more; /* the last frame said more follow: the next one continues this list */
} join_ctx;

static void rows_free(join_ctx *j)
{
    size_t i;

    for (i = 0; i < j->n; i++) {
        free(j->rows[i].name);
        free(j->rows[i].topic);
    }
    j->n = 0;
}

static int matches(const room_row *r, const wchar_t *filter)
{
    size_t n = wcslen(filter), i;

    if (!n)
        return 1;
    for (i = 0; r->name[i]; i++)
        if (_wcsnicmp(r->name + i, filter, n) == 0)
            return 1;
    for (i = 0; r->topic[i]; i++)
        if (_wcsnicmp(r->topic + i, filter, n) == 0)
            return 1;
    return 0;
}

/* Shows the rows that match the filter. */
static void show(HWND dlg, const join_ctx *j)
{
    HWND lv = GetDlgItem(dlg, IDC_ROOM_LIST);
    wchar_t filter[NAME_MAX_W], num[16];
    size_t i;
    int at = 0;

    GetDlgItemTextW(dlg, IDC_ROOM_FILTER, filter, NAME_MAX_W);
    SendMessageW(lv, WM_SETREDRAW, FALSE, 0);
    SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0);
    for (i = 0; i < j->n; i++) {
        LVITEMW it;

        if (!matches(&j->rows[i], filter))
            continue;
        memset(&it, 0, sizeof it);
        it.mask = LVIF_TEXT;
        it.iItem = at++;
        it.pszText = j->rows[i].name;
        it.iItem = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
        _snwprintf(num, 16, L"%u", (unsigned)j->rows[i].members);
        num[15] = L'\0';
        it.iSubItem = 1;
        it.pszText = num;
        SendMessageW(lv, LVM_SETITEMTEXTW, (WPARAM)it.iItem, (LPARAM)&it);
        it.iSubItem = 2;
        it.pszText = j->rows[i].topic;
        SendMessageW(lv, LVM_SETITEMTEXTW, (WPARAM)it.iItem, (LPARAM)&it);
    }
    SendMessageW(lv, WM_SETREDRAW, TRUE, 0);
    InvalidateRect(lv, NULL, TRUE);
}

/* One frame of the room list: the first of a list replaces what was shown. */
static void add_frame(HWND dlg, join_ctx *j, const net_event *ev)
{
    size_t i;

    if (!j->more)
        rows_free(j);
    j->more = (ev->flags & PROTO_FLAG_MORE) != 0;
    for (i = 0; i < ev->nusers; i++) {
        room_row r;
        if (j->n == j->rows_cap) {
            size_t cap = j->rows_cap ? j->rows_cap * 2 : 32;
            room_row *grown = realloc(j->rows, cap * sizeof *grown);
            if (!grown)
                break;
            j->rows = grown;
            j->rows_cap = cap;
        }
        r.name = wstr_from_utf8(ev->users[i].nick, (size_t)-1);
        r.topic = wstr_from_utf8(ev->users[i].away, (size_t)-1);
        r.members = ev->users[i].members;
        if (!r.name || !r.topic) {
            free(r.name);
            free(r.topic);
            break;
        }
        j->rows[j->n++] = r;
    }
    show(dlg, j);
}

static void init(HWND dlg, join_ctx *j)
{
    static const unsigned titles[3] = {IDS_ROOMS_COL_NAME, IDS_ROOMS_COL_PEOPLE,
                                       IDS_ROOMS_COL_TOPIC};
    static const int widths_dlu[3] = {80, 36, 160};

    dialog_center(dlg);
    dialog_list_columns(dlg, IDC_ROOM_LIST, titles, widths_dlu, 3);
    SendDlgItemMessageW(dlg, IDC_ROOM, EM_SETLIMITTEXT, (WPARAM)(j->cap - 1), 0);
    j->a->join_dlg = dlg;
    if (j->a->net)
        net_rooms(j->a->net);
}

static int finish(HWND dlg, join_ctx *j)
{
    wchar_t text[256], title[64];
    size_t n;

    GetDlgItemTextW(dlg, IDC_ROOM, j->dst, (int)j->cap);
    n = wcslen(j->dst);
    while (n && iswspace(j->dst[n - 1]))
        j->dst[--n] = L'\0';
    if (!j->dst[0]) {
        MessageBoxW(dlg, wstr_load(IDS_ERR_NO_ROOM, text, 256),
                    wstr_load(IDS_ERR_VALIDATION_TITLE, title, 64), MB_OK | MB_ICONWARNING);
        SetFocus(GetDlgItem(dlg, IDC_ROOM));
        return 0;
    }
    return 1;
}

static INT_PTR CALLBACK join_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    join_ctx *j = (join_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        init(dlg, (join_ctx *)lp);
        return TRUE;
    case WM_APP_ROOMS:
        add_frame(dlg, j, (const net_event *)lp);
        return TRUE;
    case WM_NOTIFY: {
        const NMHDR *h = (const NMHDR *)lp;
        if (h->idFrom == IDC_ROOM_LIST && h->code == LVN_ITEMCHANGED)
            dialog_list_pick(dlg, IDC_ROOM_LIST, IDC_ROOM);
        else if (h->idFrom == IDC_ROOM_LIST && h->code == LVN_ITEMACTIVATE && finish(dlg, j))
            EndDialog(dlg, IDOK);
        return TRUE;
    }
    case WM_COMMAND:
        if (LOWORD(wp) == IDC_ROOM_FILTER && HIWORD(wp) == EN_CHANGE)
            show(dlg, j);
        else if (LOWORD(wp) == IDOK && finish(dlg, j))
            EndDialog(dlg, IDOK);
        else if (LOWORD(wp) == IDCANCEL)
            EndDialog(dlg, IDCANCEL);
        return TRUE;
    case WM_DESTROY:
        if (j)
            j->a->join_dlg = NULL;
        return FALSE;
    }
    return FALSE;
}

int join_dialog_run(app *a, wchar_t *dst, size_t cap)
{
    join_ctx j;
    INT_PTR rc;

    memset(&j, 0, sizeof j);
    j.a = a;
    j.dst = dst;
    j.cap = cap;
    dst[0] = L'\0';
    rc = DialogBoxParamW(a->inst, MAKEINTRESOURCEW(IDD_JOIN), a->hwnd, join_proc, (LPARAM)&j);
    rows_free(&j);
    free(j.rows);
    return rc == IDOK;
}

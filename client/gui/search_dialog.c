/* search_dialog.c — the Search dialog: what is typed is parsed as parley-cli's /search takes it
 * (client/search_query.h) and sent as SEARCH; its answers (SEARCH_HIT, SEARCH_END, or an ERROR
 * with its tag) arrive as WM_APP_SEARCH. Go to activates the result's room, or for a result
 * from a private conversation (no room, the peer in target) that conversation's tab, and
 * selects the message in the transcript; a room's message the transcript does not hold is
 * asked for with HISTORY (it and the messages before it), shown below a note, then selected. */
#include "search_dialog.h"

#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "prompts.h"
#include "resource.h"
#include "transcript.h"
#include "wstr.h"

#define CONTEXT_COUNT 10u /* messages asked for around a result the transcript lacks */
#define FIND_MAX 200u     /* characters of a result's first line looked for in the transcript */

typedef struct result_row {
    uint64_t id;
    int is_private;         /* from a private conversation: room holds the peer */
    wchar_t room[NAME_MAX_W];
    wchar_t find[FIND_MAX + 1]; /* the text's first line, to find in the transcript */
} result_row;

typedef struct search_ctx {
    app *a;
    pc_search_req req;
    uint64_t next;     /* the next page's cursor, 0 = none */
    result_row *rows;
    size_t n, cap;
    result_row chosen; /* what Go to shows */
} search_ctx;

static void set_status(HWND dlg, const wchar_t *text)
{
    SetDlgItemTextW(dlg, IDC_SEARCH_STATUS, text);
}

static void status_id(HWND dlg, unsigned id, const wchar_t *p1)
{
    wchar_t text[300];
    set_status(dlg, wstr_format_into(text, 300, id, p1));
}

static void init_list(HWND dlg)
{
    static const struct {
        unsigned title;
        int width;
    } cols[] = {{IDS_SEARCH_COL_WHEN, 105}, {IDS_SEARCH_COL_ROOM, 70},
                {IDS_SEARCH_COL_FROM, 70}, {IDS_SEARCH_COL_TEXT, 300}};
    HWND lv = GetDlgItem(dlg, IDC_SEARCH_RESULTS);
    wchar_t title[64];
    LVCOLUMNW col;
    int i;

    SendMessageW(lv, LVM_SETEXTENDEDLISTVIEWSTYLE, LVS_EX_FULLROWSELECT, LVS_EX_FULLROWSELECT);
    for (i = 0; i < 4; i++) {
        memset(&col, 0, sizeof col);
        col.mask = LVCF_TEXT | LVCF_WIDTH;
        col.cx = cols[i].width;
        col.pszText = wstr_load(cols[i].title, title, 64);
        SendMessageW(lv, LVM_INSERTCOLUMNW, (WPARAM)i, (LPARAM)&col);
    }
}

static void add_hit(HWND dlg, search_ctx *s, const net_event *ev)
{
    HWND lv = GetDlgItem(dlg, IDC_SEARCH_RESULTS);
    wchar_t *nick = wstr_from_utf8(ev->nick, (size_t)-1);
    wchar_t *text = wstr_from_utf8(ev->text, (size_t)-1);
    wchar_t stamp[160], *nl;
    result_row *row;
    LVITEMW it;
    int item;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        result_row *grown = realloc(s->rows, cap * sizeof *grown);
        if (!grown)
            goto done;
        s->rows = grown;
        s->cap = cap;
    }
    if (!nick || !text)
        goto done;
    row = &s->rows[s->n];
    row->id = ev->id;
    row->is_private = !ev->room[0] && ev->target[0];
    wstr_from_utf8_into(row->room, NAME_MAX_W, row->is_private ? ev->target : ev->room,
                        (size_t)-1);
    nl = wcschr(text, L'\n');
    if (nl)
        *nl = L'\0'; /* the list and the transcript search both use the first line */
    wstr_copy(row->find, FIND_MAX + 1, text);
    transcript_format_time(ev->time, stamp, 160);
    memset(&it, 0, sizeof it);
    it.mask = LVIF_TEXT | LVIF_PARAM;
    it.iItem = (int)s->n;
    it.pszText = stamp;
    it.lParam = (LPARAM)s->n;
    item = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
    if (item >= 0) {
        wchar_t where[NAME_MAX_W + 40];
        dialog_list_cell(lv, item, 1,
                         row->is_private ? wstr_format_into(where, NAME_MAX_W + 40,
                                                            IDS_SEARCH_PRIVATE, row->room)
                                         : row->room);
        dialog_list_cell(lv, item, 2, nick);
        dialog_list_cell(lv, item, 3, text);
        if (s->n == 0) { /* the newest result is ready for Go to */
            it.mask = LVIF_STATE;
            it.state = it.stateMask = LVIS_SELECTED | LVIS_FOCUSED;
            SendMessageW(lv, LVM_SETITEMSTATE, (WPARAM)item, (LPARAM)&it);
        }
    }
    s->n++;
done:
    free(nick);
    free(text);
}

/* Sends the search in s->req with a new tag (a late answer to an older one is then ignored). */
static void send_search(HWND dlg, search_ctx *s)
{
    app *a = s->a;

    if (!a->net || a->state != CS_ONLINE) {
        status_id(dlg, IDS_SEARCH_OFFLINE, NULL);
        return;
    }
    a->search_tag = a->search_tag + 1 ? a->search_tag + 1 : 1;
    s->req.tag = a->search_tag;
    EnableWindow(GetDlgItem(dlg, IDC_SEARCH_MORE), FALSE);
    if (net_search(a->net, &s->req) != 0)
        return;
    status_id(dlg, IDS_SEARCH_RUNNING, NULL);
}

static void start(HWND dlg, search_ctx *s)
{
    wchar_t text[PROTO_SEARCH_MAX + 1];
    char line[PROTO_SEARCH_MAX * 3 + 1], err[200];

    GetDlgItemTextW(dlg, IDC_SEARCH_TEXT, text, PROTO_SEARCH_MAX + 1);
    if (wstr_to_utf8_into(line, sizeof line, text) != 0 ||
        pc_search_parse(line, &s->req, err, sizeof err) != 0) {
        wchar_t *w = wstr_from_utf8(err, (size_t)-1);
        set_status(dlg, w ? w : L"");
        free(w);
        return;
    }
    SendDlgItemMessageW(dlg, IDC_SEARCH_RESULTS, LVM_DELETEALLITEMS, 0, 0);
    s->n = 0;
    s->next = 0;
    send_search(dlg, s);
}

static void on_answer(HWND dlg, search_ctx *s, const net_event *ev)
{
    wchar_t count[16];

    if (ev->tag != s->req.tag)
        return;
    if (ev->type == PT_SEARCH_HIT) {
        add_hit(dlg, s, ev);
        return;
    }
    if (ev->type == PT_ERROR) {
        wchar_t *w = wstr_from_utf8(ev->text, (size_t)-1);
        status_id(dlg, IDS_SEARCH_REFUSED, w ? w : L"");
        free(w);
        return;
    }
    s->next = (ev->flags & PROTO_FLAG_MORE) ? ev->id : 0;
    EnableWindow(GetDlgItem(dlg, IDC_SEARCH_MORE), s->next != 0);
    _snwprintf(count, 16, L"%u", (unsigned)s->n);
    count[15] = L'\0';
    if (s->n == 0 && !s->next)
        status_id(dlg, IDS_SEARCH_NONE, NULL);
    else
        status_id(dlg, s->next ? IDS_SEARCH_MORE : IDS_SEARCH_END, count);
}

/* Go to: the selected result, if any, becomes s->chosen. */
static int choose(HWND dlg, search_ctx *s)
{
    HWND lv = GetDlgItem(dlg, IDC_SEARCH_RESULTS);
    LRESULT sel = SendMessageW(lv, LVM_GETNEXTITEM, (WPARAM)-1, LVNI_SELECTED);
    LVITEMW it;

    if (sel < 0)
        return 0;
    memset(&it, 0, sizeof it);
    it.mask = LVIF_PARAM;
    it.iItem = (int)sel;
    if (!SendMessageW(lv, LVM_GETITEMW, 0, (LPARAM)&it) || (size_t)it.lParam >= s->n)
        return 0;
    s->chosen = s->rows[it.lParam];
    return 1;
}

static INT_PTR CALLBACK search_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    search_ctx *s = (search_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        s = (search_ctx *)lp;
        s->a->search_dlg = dlg;
        dialog_center(dlg);
        SendDlgItemMessageW(dlg, IDC_SEARCH_TEXT, EM_SETLIMITTEXT, PROTO_SEARCH_MAX, 0);
        init_list(dlg);
        return TRUE; /* focus to the words */
    case WM_APP_SEARCH:
        on_answer(dlg, s, (const net_event *)lp);
        return TRUE;
    case WM_NOTIFY: {
        const NMHDR *h = (const NMHDR *)lp;
        if (h->idFrom == IDC_SEARCH_RESULTS && h->code == NM_DBLCLK && choose(dlg, s))
            EndDialog(dlg, IDOK);
        break;
    }
    case WM_COMMAND:
        switch (LOWORD(wp)) {
        case IDC_SEARCH_GO:
            start(dlg, s);
            return TRUE;
        case IDC_SEARCH_MORE:
            if (s->next) {
                s->req.before_id = s->next;
                send_search(dlg, s);
            }
            return TRUE;
        case IDC_SEARCH_GOTO: /* Enter searches (the default button); this goes */
            if (choose(dlg, s))
                EndDialog(dlg, IDOK);
            return TRUE;
        case IDCANCEL:
            EndDialog(dlg, IDCANCEL);
            return TRUE;
        }
        break;
    case WM_DESTROY:
        if (s)
            s->a->search_dlg = NULL;
        break;
    }
    return FALSE;
}

/* Selects the last occurrence of text in c's transcript and shows it. 1 if found. */
static int select_in(conv *c, const wchar_t *text)
{
    GETTEXTLENGTHEX len = {GTL_DEFAULT, 1200};
    FINDTEXTEXW ft;

    if (!text[0])
        return 0;
    /* From the end upwards: the newest copy. */
    ft.chrg.cpMin = (LONG)SendMessageW(c->transcript, EM_GETTEXTLENGTHEX, (WPARAM)&len, 0);
    ft.chrg.cpMax = 0;
    ft.lpstrText = text;
    if (SendMessageW(c->transcript, EM_FINDTEXTEXW, FR_MATCHCASE, (LPARAM)&ft) < 0)
        return 0;
    SendMessageW(c->transcript, EM_EXSETSEL, 0, (LPARAM)&ft.chrgText);
    SendMessageW(c->transcript, EM_SCROLLCARET, 0, 0);
    transcript_save_place(c->transcript); /* reading a result: not pinned to the bottom */
    return 1;
}

static void jump(app *a, const result_row *r)
{
    conv *c = r->is_private ? conv_open(a, r->room, 1) : conv_find(a, r->room, 0);
    char room[PROTO_ROOM_MAX + 1];

    if (!c)
        return; /* the room was left meanwhile (or no tab could be made) */
    conv_activate(a, conv_index(a, c));
    if (select_in(c, r->find) || r->is_private)
        return; /* a conversation's catch-up (PRIV_SYNC) already brought what is stored */
    /* Not in the transcript: ask for it and the messages before it; they are shown below
     * what the tab holds (messages.c lets them past the duplicate check) and then selected. */
    if (!a->net || wstr_to_utf8_into(room, sizeof room, r->room) != 0)
        return;
    c->jump_id = r->id;
    wstr_copy(a->jump_text, FIND_MAX + 1, r->find);
    conv_line_fmt(a, c, TL_INFO, IDS_SEARCH_CONTEXT, NULL, NULL, NULL);
    net_history(a->net, room, r->id + 1, CONTEXT_COUNT);
}

void search_dialog_run(app *a)
{
    search_ctx s;

    memset(&s, 0, sizeof s);
    s.a = a;
    if (DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(a->hwnd, GWLP_HINSTANCE),
                        MAKEINTRESOURCEW(IDD_SEARCH), a->hwnd, search_proc, (LPARAM)&s) == IDOK)
        jump(a, &s.chosen);
    free(s.rows);
}

int search_dialog_event(app *a, const net_event *ev)
{
    int about_search = ev->type == PT_SEARCH_HIT || ev->type == PT_SEARCH_END ||
                       (ev->type == PT_ERROR && ev->tag && ev->tag == a->search_tag);
    if (!about_search)
        return 0;
    if (a->search_dlg)
        SendMessageW(a->search_dlg, WM_APP_SEARCH, 0, (LPARAM)ev);
    return 1;
}

int search_history_done(app *a, conv *c)
{
    if (!c || !c->jump_id)
        return 0;
    c->jump_id = 0;
    c->replayed = 0;
    select_in(c, a->jump_text);
    return 1;
}

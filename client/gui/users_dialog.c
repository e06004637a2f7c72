/* users_dialog.c — the "Users" dialog: the server's accounts in a list view (ACCOUNTS, answered
 * by ACCOUNT_LIST frames that arrive as WM_APP_ACCOUNTS), and one of the changes the ACCOUNT
 * message carries (docs/PROTOCOL.md "ACCOUNT") for the selected or typed account; a deletion is
 * confirmed first. After each change the list is asked for again: the server answers a
 * connection's requests in order, so the new list shows the change. */
#include "users_dialog.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "commands.h"
#include "prompts.h"
#include "proto.h"
#include "resource.h"
#include "transcript.h"
#include "wstr.h"

/* The combo box's entries, in order: what it says and the action word on the wire. */
static const struct {
    unsigned label;
    const char *action;
} actions[] = {
    {IDS_ACCT_DISABLE, "disable"},   {IDS_ACCT_ENABLE, "enable"},
    {IDS_ACCT_DELETE, "delete"},     {IDS_ACCT_ROLE_USER, "user"},
    {IDS_ACCT_ROLE_OPERATOR, "operator"}, {IDS_ACCT_ROLE_ADMIN, "admin"},
    {IDS_ACCT_ROLE_ALERT, "alert"},
};

#define NACTIONS (sizeof actions / sizeof actions[0])

/* The list view's columns, in order (the first four are what a glance needs). */
enum { COL_LOGIN, COL_ROLE, COL_DISABLED, COL_ONLINE, COL_LAST, COL_DISPLAY, NCOLS };

typedef struct users_ctx {
    app *a;
    int more;   /* the last frame said more follow: the next one continues this list */
    int shown;  /* rows in the list view */
} users_ctx;

static void set_status(HWND dlg, const wchar_t *text)
{
    SetDlgItemTextW(dlg, IDC_ACCOUNT_STATUS, text);
}

/* Asks the server for the list; the rows stay until the answer replaces them. */
static void ask_list(HWND dlg, users_ctx *u)
{
    wchar_t text[128];

    if (!u->a->net)
        return;
    if (net_accounts(u->a->net) == 0)
        set_status(dlg, wstr_load(IDS_ACCT_LOADING, text, 128));
}

/* One account as a row at the end of the list. */
static void add_row(HWND lv, int at, const net_user *e)
{
    wchar_t login[NAME_MAX_W], display[PROTO_DISPLAY_MAX + 1], role[16], cell[96];
    LVITEMW it;
    int row;

    wstr_from_utf8_into(login, NAME_MAX_W, e->nick, (size_t)-1);
    wstr_from_utf8_into(display, PROTO_DISPLAY_MAX + 1, e->away, (size_t)-1);
    wstr_from_utf8_into(role, 16,
                        proto_account_role_name((uint8_t)(e->members & PROTO_ACCOUNT_ROLE_MASK)),
                        (size_t)-1);
    memset(&it, 0, sizeof it);
    it.mask = LVIF_TEXT;
    it.iItem = at;
    it.pszText = login;
    row = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
    if (row < 0)
        return;
    dialog_list_cell(lv, row, COL_ROLE, role);
    cell[0] = L'\0';
    if (e->members & PROTO_ACCOUNT_DISABLED)
        wstr_load(IDS_ACCT_IS_DISABLED, cell, 96);
    dialog_list_cell(lv, row, COL_DISABLED, cell);
    cell[0] = L'\0';
    if (e->members & PROTO_ACCOUNT_ONLINE)
        wstr_load(IDS_ACCT_IS_ONLINE, cell, 96);
    dialog_list_cell(lv, row, COL_ONLINE, cell);
    if (e->time)
        transcript_format_time(e->time, cell, 96);
    else
        wstr_load(IDS_ACCT_NEVER, cell, 96);
    dialog_list_cell(lv, row, COL_LAST, cell);
    dialog_list_cell(lv, row, COL_DISPLAY, display);
}

/* One frame of the account list: the first of a list replaces what was shown. */
static void add_frame(HWND dlg, users_ctx *u, const net_event *ev)
{
    HWND lv = GetDlgItem(dlg, IDC_ACCOUNT_LIST);
    wchar_t count[16], *text;
    size_t i;

    SendMessageW(lv, WM_SETREDRAW, FALSE, 0);
    if (!u->more) {
        SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0);
        u->shown = 0;
    }
    u->more = (ev->flags & PROTO_FLAG_MORE) != 0;
    for (i = 0; i < ev->nusers; i++)
        add_row(lv, u->shown++, &ev->users[i]);
    SendMessageW(lv, WM_SETREDRAW, TRUE, 0);
    InvalidateRect(lv, NULL, TRUE);
    if (u->more)
        return;
    _snwprintf(count, 16, L"%d", u->shown);
    count[15] = L'\0';
    text = wstr_format(IDS_ACCT_COUNT, count);
    set_status(dlg, text ? text : count);
    free(text);
}

static void init(HWND dlg, users_ctx *u)
{
    static const unsigned titles[NCOLS] = {IDS_ACCT_COL_LOGIN,  IDS_ACCT_COL_ROLE,
                                           IDS_ACCT_COL_DISABLED, IDS_ACCT_COL_ONLINE,
                                           IDS_ACCT_COL_LAST,   IDS_ACCT_COL_DISPLAY};
    static const int widths_dlu[NCOLS] = {62, 40, 38, 32, 62, 70};
    wchar_t text[128];
    size_t i;

    dialog_list_columns(dlg, IDC_ACCOUNT_LIST, titles, widths_dlu, NCOLS);
    SendDlgItemMessageW(dlg, IDC_ACCOUNT_NAME, EM_SETLIMITTEXT, PROTO_NICK_MAX, 0);
    for (i = 0; i < NACTIONS; i++)
        SendDlgItemMessageW(dlg, IDC_ACCOUNT_ACTION, CB_ADDSTRING, 0,
                            (LPARAM)wstr_load(actions[i].label, text, 128));
    SendDlgItemMessageW(dlg, IDC_ACCOUNT_ACTION, CB_SETCURSEL, 0, 0);
    u->a->users_dlg = dlg;
    ask_list(dlg, u);
}

/* Apply: checks the fields, confirms a deletion, sends the change and asks for the list. */
static void apply(HWND dlg, users_ctx *u)
{
    wchar_t name[PROTO_NICK_MAX + 1], title[64], *ask;
    LRESULT sel = SendDlgItemMessageW(dlg, IDC_ACCOUNT_ACTION, CB_GETCURSEL, 0, 0);

    GetDlgItemTextW(dlg, IDC_ACCOUNT_NAME, name, PROTO_NICK_MAX + 1);
    wstr_trim(name); /* spaces around a pasted name are no part of it */
    if (!name[0]) {
        dialog_warn(dlg, IDS_ERR_NO_ACCOUNT, IDC_ACCOUNT_NAME);
        return;
    }
    if (sel < 0 || (size_t)sel >= NACTIONS)
        return;
    if (strcmp(actions[sel].action, "delete") == 0) {
        /* A deletion cannot be undone from here: ask, with No as the default. */
        int answer;
        ask = wstr_format(IDS_ASK_DELETE_ACCOUNT, name);
        answer = MessageBoxW(dlg, ask ? ask : name, wstr_load(IDS_APP_NAME, title, 64),
                             MB_YESNO | MB_ICONWARNING | MB_DEFBUTTON2);
        free(ask);
        if (answer != IDYES)
            return;
    }
    commands_account(u->a, name, actions[sel].action);
    ask_list(dlg, u);
}

static INT_PTR CALLBACK users_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    users_ctx *u = (users_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        dialog_center(dlg);
        init(dlg, (users_ctx *)lp);
        return TRUE; /* focus to the first tab stop: the list */
    case WM_APP_ACCOUNTS: {
        const net_event *ev = (const net_event *)lp;
        if (ev->type == PT_ACCOUNT_LIST) {
            add_frame(dlg, u, ev);
        } else { /* the server refused: say why where the count would be */
            wchar_t *why = wstr_from_utf8(ev->text, (size_t)-1);
            if (why)
                set_status(dlg, why);
            free(why);
            u->more = 0;
        }
        return TRUE;
    }
    case WM_NOTIFY: {
        const NMHDR *h = (const NMHDR *)lp;
        if (h->idFrom == IDC_ACCOUNT_LIST && h->code == LVN_ITEMCHANGED)
            dialog_list_pick(dlg, IDC_ACCOUNT_LIST, IDC_ACCOUNT_NAME);
        return TRUE;
    }
    case WM_COMMAND:
        if (LOWORD(wp) == IDOK)
            apply(dlg, u);
        else if (LOWORD(wp) == IDC_ACCOUNT_REFRESH)
            ask_list(dlg, u);
        else if (LOWORD(wp) == IDCANCEL)
            EndDialog(dlg, IDCANCEL);
        return TRUE;
    case WM_DESTROY:
        if (u)
            u->a->users_dlg = NULL;
        return FALSE;
    }
    return FALSE;
}

int users_dialog_event(app *a, const net_event *ev)
{
    if (ev->type == PT_ACCOUNT_LIST) {
        if (a->users_dlg)
            SendMessageW(a->users_dlg, WM_APP_ACCOUNTS, 0, (LPARAM)ev);
        return 1;
    }
    /* The refusals of ACCOUNTS (and of a change) are said in the dialog too. */
    if (a->users_dlg && ev->type == PT_ERROR &&
        (ev->code == PC_NOT_OPERATOR || ev->code == PC_NO_ACCOUNTS || ev->code == PC_NOT_FOUND ||
         ev->code == PC_BAD_TEXT))
        SendMessageW(a->users_dlg, WM_APP_ACCOUNTS, 0, (LPARAM)ev);
    return 0;
}

void users_dialog_run(app *a)
{
    users_ctx u;

    memset(&u, 0, sizeof u);
    u.a = a;
    DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(a->hwnd, GWLP_HINSTANCE),
                    MAKEINTRESOURCEW(IDD_USERS), a->hwnd, users_proc, (LPARAM)&u);
}

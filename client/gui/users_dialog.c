/* users_dialog.c — the "Users" dialog: a user name and one of the changes the ACCOUNT message
 * carries (docs/PROTOCOL.md "ACCOUNT"); a deletion is confirmed first. The protocol cannot
 * list accounts, so the name is typed. */
#include "users_dialog.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "prompts.h"
#include "proto.h"
#include "resource.h"
#include "wstr.h"

/* The combo box's entries, in order: what it says and the action word on the wire. */
static const struct {
    unsigned label;
    const char *action;
} actions[] = {
    {IDS_ACCT_DISABLE, "disable"},   {IDS_ACCT_ENABLE, "enable"},
    {IDS_ACCT_DELETE, "delete"},     {IDS_ACCT_ROLE_USER, "user"},
    {IDS_ACCT_ROLE_OPERATOR, "operator"}, {IDS_ACCT_ROLE_ADMIN, "admin"},
};

#define NACTIONS (sizeof actions / sizeof actions[0])

typedef struct users_ctx {
    wchar_t name[PROTO_NICK_MAX + 1];
    int action; /* index into actions */
} users_ctx;

static void init(HWND dlg)
{
    wchar_t text[128];
    size_t i;

    SendDlgItemMessageW(dlg, IDC_ACCOUNT_NAME, EM_SETLIMITTEXT, PROTO_NICK_MAX, 0);
    for (i = 0; i < NACTIONS; i++)
        SendDlgItemMessageW(dlg, IDC_ACCOUNT_ACTION, CB_ADDSTRING, 0,
                            (LPARAM)wstr_load(actions[i].label, text, 128));
    SendDlgItemMessageW(dlg, IDC_ACCOUNT_ACTION, CB_SETCURSEL, 0, 0);
}

/* Reads the fields into ctx; 1 if they make a request worth sending. */
static int take(HWND dlg, void *arg)
{
    users_ctx *ctx = arg;
    wchar_t title[64], *ask;
    LRESULT sel = SendDlgItemMessageW(dlg, IDC_ACCOUNT_ACTION, CB_GETCURSEL, 0, 0);
    int answer;

    GetDlgItemTextW(dlg, IDC_ACCOUNT_NAME, ctx->name, PROTO_NICK_MAX + 1);
    wstr_trim(ctx->name); /* spaces around a pasted name are no part of it */
    if (!ctx->name[0]) {
        dialog_warn(dlg, IDS_ERR_NO_ACCOUNT, IDC_ACCOUNT_NAME);
        return 0;
    }
    if (sel < 0 || (size_t)sel >= NACTIONS)
        return 0;
    ctx->action = (int)sel;
    if (strcmp(actions[sel].action, "delete") != 0)
        return 1;
    /* A deletion cannot be undone from here: ask, with No as the default. */
    ask = wstr_format(IDS_ASK_DELETE_ACCOUNT, ctx->name);
    answer = MessageBoxW(dlg, ask ? ask : ctx->name, wstr_load(IDS_APP_NAME, title, 64),
                         MB_YESNO | MB_ICONWARNING | MB_DEFBUTTON2);
    free(ask);
    return answer == IDYES;
}

static INT_PTR CALLBACK users_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    users_ctx *ctx = (users_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        dialog_center(dlg);
        init(dlg);
        return TRUE; /* focus to the first tab stop: the user name */
    case WM_COMMAND:
        return dialog_ok_cancel(dlg, wp, take, ctx);
    }
    return FALSE;
}

void users_dialog_run(app *a)
{
    users_ctx ctx;

    memset(&ctx, 0, sizeof ctx);
    if (DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(a->hwnd, GWLP_HINSTANCE),
                        MAKEINTRESOURCEW(IDD_USERS), a->hwnd, users_proc, (LPARAM)&ctx) == IDOK)
        commands_account(a, ctx.name, actions[ctx.action].action);
}

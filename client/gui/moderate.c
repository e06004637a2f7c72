/* moderate.c — Kick and Ban from the person menu, and /oper (moderate.h). One dialog serves
 * both: a reason, and for a ban a duration; the server checks the rights and its answer (an
 * ERROR such as "only server operators may do that", or the person leaving) shows as usual. */
#include "moderate.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "conv.h"
#include "prompts.h"
#include "resource.h"
#include "wstr.h"

#define REASON_MAX 128 /* the protocol's limit for the reason, in bytes; UTF-16 units here */

typedef struct ban_choice {
    unsigned label;
    uint32_t seconds; /* 0 = until lifted */
} ban_choice;

static const ban_choice durations[] = {
    {IDS_BAN_HOUR, 3600}, {IDS_BAN_DAY, 86400}, {IDS_BAN_WEEK, 7 * 86400}, {IDS_BAN_FOREVER, 0},
};

typedef struct moderate_ctx {
    const wchar_t *nick;
    int ban;
    wchar_t reason[REASON_MAX + 1];
    uint32_t seconds;
} moderate_ctx;

static void init_dialog(HWND dlg, moderate_ctx *ctx)
{
    wchar_t text[160];
    HWND combo = GetDlgItem(dlg, IDC_MOD_DURATION);
    size_t i;

    SetWindowTextW(dlg, wstr_format_into(text, 160, ctx->ban ? IDS_MOD_BAN_TITLE : IDS_MOD_KICK_TITLE,
                                         ctx->nick));
    SetDlgItemTextW(dlg, IDOK, wstr_load(ctx->ban ? IDS_MOD_BAN_BUTTON : IDS_MOD_KICK_BUTTON, text, 160));
    SendDlgItemMessageW(dlg, IDC_MOD_REASON, EM_SETLIMITTEXT, REASON_MAX, 0);
    for (i = 0; i < sizeof durations / sizeof durations[0]; i++)
        SendMessageW(combo, CB_ADDSTRING, 0, (LPARAM)wstr_load(durations[i].label, text, 160));
    SendMessageW(combo, CB_SETCURSEL, 0, 0);
    if (!ctx->ban) {
        ShowWindow(GetDlgItem(dlg, IDC_MOD_DURATION_LABEL), SW_HIDE);
        ShowWindow(combo, SW_HIDE);
    }
    dialog_center(dlg);
}

static INT_PTR CALLBACK moderate_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    moderate_ctx *ctx = (moderate_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);
    LRESULT pick;

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        init_dialog(dlg, (moderate_ctx *)lp);
        return TRUE; /* focus to the first tab stop: the reason */
    case WM_COMMAND:
        if (LOWORD(wp) == IDOK) {
            GetDlgItemTextW(dlg, IDC_MOD_REASON, ctx->reason, REASON_MAX + 1);
            wstr_trim(ctx->reason);
            pick = SendDlgItemMessageW(dlg, IDC_MOD_DURATION, CB_GETCURSEL, 0, 0);
            if (pick < 0 || (size_t)pick >= sizeof durations / sizeof durations[0])
                pick = 0;
            ctx->seconds = durations[pick].seconds;
            EndDialog(dlg, IDOK);
            return TRUE;
        }
        if (LOWORD(wp) == IDCANCEL) {
            EndDialog(dlg, IDCANCEL);
            return TRUE;
        }
        break;
    }
    return FALSE;
}

int moderate_allowed(const app *a)
{
    return a->net && (a->oper || a->account);
}

/* Runs the dialog; 1 on OK with ctx filled in. */
static int ask(app *a, moderate_ctx *ctx)
{
    return DialogBoxParamW(a->inst, MAKEINTRESOURCEW(IDD_MODERATE), a->hwnd, moderate_proc,
                           (LPARAM)ctx) == IDOK;
}

static void act(app *a, const wchar_t *nick, int ban)
{
    moderate_ctx ctx;
    char *who, *why;

    if (!a->net || !nick[0])
        return;
    ctx.nick = nick;
    ctx.ban = ban;
    ctx.reason[0] = L'\0';
    ctx.seconds = 0;
    if (!ask(a, &ctx) || !a->net)
        return;
    who = wstr_to_utf8(nick);
    why = wstr_to_utf8(ctx.reason);
    if (who && why) {
        if (ban)
            net_ban(a->net, who, ctx.seconds, why);
        else
            net_kick(a->net, who, why);
    }
    free(who);
    free(why);
}

void moderate_kick(app *a, const wchar_t *nick)
{
    act(a, nick, 0);
}

void moderate_ban(app *a, const wchar_t *nick)
{
    act(a, nick, 1);
}

int moderate_oper(app *a, const wchar_t *password)
{
    wchar_t text[256];
    char *utf8;

    if (!password[0]) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_OPER_USAGE, text, 256));
        return 0;
    }
    if (!a->net) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_NOT_CONNECTED, text, 256));
        return 0;
    }
    utf8 = wstr_to_utf8(password);
    if (utf8 && net_oper(a->net, utf8) == 0)
        a->oper_asked = 1;
    if (utf8) {
        SecureZeroMemory(utf8, strlen(utf8));
        free(utf8);
    }
    return 1;
}

void moderate_on_notice(app *a)
{
    if (a->oper_asked) {
        a->oper = 1;
        a->oper_asked = 0;
    }
}

void moderate_on_error(app *a, int code)
{
    if (a->oper_asked && (code == PC_BAD_PASSWORD || code == PC_NOT_OPERATOR))
        a->oper_asked = 0;
}

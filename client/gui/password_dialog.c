/* password_dialog.c — the "Change password" dialog and what follows it: the passwords are
 * checked here (both given, the new one typed twice alike), handed to the reconnect layer's
 * password change, and the outcome written in the conversation. */
#include "password_dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "crypto.h"
#include "net_thread.h"
#include "prompts.h"
#include "resource.h"
#include "settings.h"
#include "wstr.h"

typedef struct password_ctx {
    wchar_t old_pw[SETTINGS_PASSWORD_MAX];
    wchar_t new_pw[SETTINGS_PASSWORD_MAX];
} password_ctx;

/* Reads the fields into ctx; 1 if they make a change worth asking for. */
static int take(HWND dlg, void *arg)
{
    password_ctx *ctx = arg;
    wchar_t again[SETTINGS_PASSWORD_MAX];
    int same;

    GetDlgItemTextW(dlg, IDC_PW_OLD, ctx->old_pw, SETTINGS_PASSWORD_MAX);
    GetDlgItemTextW(dlg, IDC_PW_NEW, ctx->new_pw, SETTINGS_PASSWORD_MAX);
    GetDlgItemTextW(dlg, IDC_PW_AGAIN, again, SETTINGS_PASSWORD_MAX);
    same = wcscmp(again, ctx->new_pw) == 0;
    crypto_wipe(again, sizeof again);
    if (!ctx->old_pw[0] || !ctx->new_pw[0]) {
        dialog_warn(dlg, IDS_ERR_PW_EMPTY, ctx->old_pw[0] ? IDC_PW_NEW : IDC_PW_OLD);
        return 0;
    }
    if (!same) {
        SetDlgItemTextW(dlg, IDC_PW_AGAIN, L"");
        dialog_warn(dlg, IDS_ERR_PW_MISMATCH, IDC_PW_AGAIN);
        return 0;
    }
    return 1;
}

static INT_PTR CALLBACK password_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    password_ctx *ctx = (password_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        dialog_center(dlg);
        SendDlgItemMessageW(dlg, IDC_PW_OLD, EM_SETLIMITTEXT, SETTINGS_PASSWORD_MAX - 1, 0);
        SendDlgItemMessageW(dlg, IDC_PW_NEW, EM_SETLIMITTEXT, SETTINGS_PASSWORD_MAX - 1, 0);
        SendDlgItemMessageW(dlg, IDC_PW_AGAIN, EM_SETLIMITTEXT, SETTINGS_PASSWORD_MAX - 1, 0);
        return TRUE; /* focus to the first tab stop: the current password */
    case WM_COMMAND:
        return dialog_ok_cancel(dlg, wp, take, ctx);
    }
    return FALSE;
}

void password_dialog_run(app *a)
{
    password_ctx *ctx = calloc(1, sizeof *ctx);
    char old_pw[SETTINGS_PASSWORD_MAX * 3], new_pw[SETTINGS_PASSWORD_MAX * 3], err[200];
    wchar_t text[256], *werr;

    if (!ctx)
        return;
    if (DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(a->hwnd, GWLP_HINSTANCE),
                        MAKEINTRESOURCEW(IDD_PASSWORD), a->hwnd, password_proc,
                        (LPARAM)ctx) != IDOK || !a->net)
        goto done;
    if (wstr_to_utf8_into(old_pw, sizeof old_pw, ctx->old_pw) != 0 ||
        wstr_to_utf8_into(new_pw, sizeof new_pw, ctx->new_pw) != 0) {
        snprintf(err, sizeof err, "a password is not valid text");
    } else if (net_change_password(a->net, old_pw, new_pw) != 0) {
        snprintf(err, sizeof err, "out of memory");
    } else {
        /* Kept until the outcome: remembered instead of the old one if the change works. */
        memcpy(a->pending_password, ctx->new_pw, sizeof a->pending_password);
        conv_line(a, NULL, TL_INFO, wstr_load(IDS_SYS_PASSWORD_SENT, text, 256));
        goto done;
    }
    werr = wstr_from_utf8(err, (size_t)-1);
    conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_PASSWORD_FAILED, werr ? werr : L"", NULL, NULL);
    free(werr);

done:
    crypto_wipe(old_pw, sizeof old_pw);
    crypto_wipe(new_pw, sizeof new_pw);
    crypto_wipe(ctx, sizeof *ctx);
    free(ctx);
}

void password_dialog_done(app *a, int code, const char *text)
{
    wchar_t line[256], *wtext;

    if (code == PC_OK) {
        conv_line(a, NULL, TL_INFO, wstr_load(IDS_SYS_PASSWORD_DONE, line, 256));
        /* The next Connect (and a remembered password) use the new one. */
        if (a->pending_password[0]) {
            memcpy(a->cfg.password, a->pending_password, sizeof a->cfg.password);
            if (a->cfg.remember)
                (void)settings_save(&a->cfg);
        }
    } else {
        wtext = wstr_from_utf8(text, (size_t)-1);
        conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_PASSWORD_FAILED, wtext ? wtext : L"", NULL,
                      NULL);
        free(wtext);
    }
    crypto_wipe(a->pending_password, sizeof a->pending_password);
}

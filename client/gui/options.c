/* options.c — the Options property sheet (options.h): three pages from .rc dialogs, each
 * applying its part on PSN_APPLY. Settings live under the profile's key: PrivateSound (DWORD),
 * TranscriptFont and TranscriptSize, and per conversation under Notify (tab_strip.c); the
 * account's read receipt setting lives on the server (PRIV_PREFS), so the General page can
 * change it only while connected to a server with accounts. The
 * sheet is modal but network events keep arriving: the Notifications page keeps names, not
 * conversation pointers, and finds them again when applying. */
#include "options.h"

#include <commctrl.h>
#include <prsht.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "conv.h"
#include "net_thread.h"
#include "resource.h"
#include "settings.h"
#include "tab_strip.h"
#include "transcript.h"
#include "wstr.h"

typedef struct conv_choice {
    wchar_t name[NAME_MAX_W];
    int is_private;
    int level;
} conv_choice;

typedef struct options_ctx {
    app *a;
    conv_choice *convs;
    int nconvs;
} options_ctx;

static const int sizes[] = {8, 9, 10, 11, 12, 14, 16, 18, 20};

static void put_dword(const wchar_t *name, DWORD v)
{
    RegSetKeyValueW(HKEY_CURRENT_USER, settings_key(), name, REG_DWORD, &v, sizeof v);
}

void options_load(app *a)
{
    DWORD v = 1, size = sizeof v;

    if (RegGetValueW(HKEY_CURRENT_USER, settings_key(), L"PrivateSound", RRF_RT_REG_DWORD, NULL,
                     &v, &size) != ERROR_SUCCESS)
        v = 1; /* on unless turned off */
    a->private_sound = v != 0;
}

/* The page's context, from WM_INITDIALOG's PROPSHEETPAGE. */
static options_ctx *page_init(HWND page, LPARAM lp)
{
    options_ctx *ctx = (options_ctx *)((const PROPSHEETPAGEW *)lp)->lParam;

    SetWindowLongPtrW(page, DWLP_USER, (LONG_PTR)ctx);
    return ctx;
}

static int is_apply(LPARAM lp)
{
    return ((const NMHDR *)lp)->code == PSN_APPLY;
}

/* The server's word on our read receipts is what counts: can it be changed now? */
static int receipts_changeable(const app *a)
{
    return a->net && a->state == CS_ONLINE && a->account && a->receipts_known;
}

static void receipts_apply(HWND page, app *a)
{
    int on = IsDlgButtonChecked(page, IDC_OPT_RECEIPTS) == BST_CHECKED;

    /* Sent only when it changes; the server's PRIV_PREFS to every session updates a. */
    if (IsWindowEnabled(GetDlgItem(page, IDC_OPT_RECEIPTS)) && receipts_changeable(a) &&
        on != a->receipts_on)
        net_priv_prefs(a->net, on);
}

static INT_PTR CALLBACK general_proc(HWND page, UINT msg, WPARAM wp, LPARAM lp)
{
    options_ctx *ctx = (options_ctx *)GetWindowLongPtrW(page, DWLP_USER);

    (void)wp;
    if (msg == WM_INITDIALOG) {
        ctx = page_init(page, lp);
        CheckDlgButton(page, IDC_OPT_SOUND, ctx->a->private_sound ? BST_CHECKED : BST_UNCHECKED);
        CheckDlgButton(page, IDC_OPT_RECEIPTS,
                       receipts_changeable(ctx->a) && !ctx->a->receipts_on ? BST_UNCHECKED
                                                                           : BST_CHECKED);
        EnableWindow(GetDlgItem(page, IDC_OPT_RECEIPTS), receipts_changeable(ctx->a));
        return TRUE;
    }
    if (msg == WM_NOTIFY && ctx && is_apply(lp)) {
        ctx->a->private_sound = IsDlgButtonChecked(page, IDC_OPT_SOUND) == BST_CHECKED;
        put_dword(L"PrivateSound", (DWORD)ctx->a->private_sound);
        receipts_apply(page, ctx->a);
        return TRUE;
    }
    return FALSE;
}

/* ---- Notifications ---- */

static const int level_buttons[] = {IDC_OPT_N_ALL, IDC_OPT_N_MENTIONS, IDC_OPT_N_NONE};

static void show_level(HWND page, const options_ctx *ctx)
{
    LRESULT i = SendDlgItemMessageW(page, IDC_OPT_CONVS, LB_GETCURSEL, 0, 0);

    if (i < 0 || i >= ctx->nconvs)
        return;
    CheckRadioButton(page, IDC_OPT_N_ALL, IDC_OPT_N_NONE, level_buttons[ctx->convs[i].level]);
}

static void notify_init(HWND page, options_ctx *ctx)
{
    app *a = ctx->a;
    wchar_t text[NAME_MAX_W + 16];
    int i, b;

    ctx->convs = a->nconvs ? calloc((size_t)a->nconvs, sizeof *ctx->convs) : NULL;
    ctx->nconvs = ctx->convs ? a->nconvs : 0;
    for (i = 0; i < ctx->nconvs; i++) {
        wstr_copy(ctx->convs[i].name, NAME_MAX_W, a->convs[i]->name);
        ctx->convs[i].is_private = a->convs[i]->is_private;
        ctx->convs[i].level = a->convs[i]->notify;
        /* Private conversations by the person's name with an @, as in a mention. */
        _snwprintf(text, sizeof text / sizeof text[0], a->convs[i]->is_private ? L"@%ls" : L"%ls",
                   a->convs[i]->name);
        text[sizeof text / sizeof text[0] - 1] = L'\0';
        SendDlgItemMessageW(page, IDC_OPT_CONVS, LB_ADDSTRING, 0, (LPARAM)text);
    }
    if (!ctx->nconvs) {
        ShowWindow(GetDlgItem(page, IDC_OPT_NO_CONVS), SW_SHOW);
        for (b = 0; b < 3; b++)
            ShowWindow(GetDlgItem(page, level_buttons[b]), SW_HIDE);
        return;
    }
    SendDlgItemMessageW(page, IDC_OPT_CONVS, LB_SETCURSEL, (WPARAM)(a->active >= 0 ? a->active : 0), 0);
    show_level(page, ctx);
}

static void notify_apply(options_ctx *ctx)
{
    int i;
    conv *c;

    for (i = 0; i < ctx->nconvs; i++) {
        c = conv_find(ctx->a, ctx->convs[i].name, ctx->convs[i].is_private);
        if (c && c->notify != ctx->convs[i].level)
            tab_strip_set_notify(ctx->a, c, ctx->convs[i].level);
    }
}

static INT_PTR CALLBACK notify_proc(HWND page, UINT msg, WPARAM wp, LPARAM lp)
{
    options_ctx *ctx = (options_ctx *)GetWindowLongPtrW(page, DWLP_USER);
    LRESULT i;
    int b;

    if (msg == WM_INITDIALOG) {
        notify_init(page, page_init(page, lp));
        return TRUE;
    }
    if (!ctx)
        return FALSE;
    if (msg == WM_COMMAND && LOWORD(wp) == IDC_OPT_CONVS && HIWORD(wp) == LBN_SELCHANGE) {
        show_level(page, ctx);
        return TRUE;
    }
    if (msg == WM_COMMAND && HIWORD(wp) == BN_CLICKED) {
        /* A level applies to the conversation selected above it. */
        i = SendDlgItemMessageW(page, IDC_OPT_CONVS, LB_GETCURSEL, 0, 0);
        for (b = 0; b < 3; b++)
            if (LOWORD(wp) == level_buttons[b] && i >= 0 && i < ctx->nconvs)
                ctx->convs[i].level = b;
        return TRUE;
    }
    if (msg == WM_NOTIFY && is_apply(lp)) {
        notify_apply(ctx);
        return TRUE;
    }
    return FALSE;
}

/* ---- Appearance ---- */

static int CALLBACK add_face(const LOGFONTW *lf, const TEXTMETRICW *tm, DWORD type, LPARAM lp)
{
    HWND combo = (HWND)lp;

    (void)tm;
    (void)type;
    /* '@' faces are the vertical variants of CJK fonts: not for a conversation. */
    if (lf->lfFaceName[0] != L'@' &&
        SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)lf->lfFaceName) < 0)
        SendMessageW(combo, CB_ADDSTRING, 0, (LPARAM)lf->lfFaceName);
    return 1;
}

static void appearance_init(HWND page)
{
    HWND faces = GetDlgItem(page, IDC_OPT_FONT), size = GetDlgItem(page, IDC_OPT_SIZE);
    wchar_t face[LF_FACESIZE], num[8];
    LOGFONTW lf;
    HDC dc = GetDC(page);
    size_t i;
    int now = transcript_font_points();
    LRESULT at;

    memset(&lf, 0, sizeof lf);
    lf.lfCharSet = DEFAULT_CHARSET;
    if (dc) {
        EnumFontFamiliesExW(dc, &lf, add_face, (LPARAM)faces, 0);
        ReleaseDC(page, dc);
    }
    transcript_face(face, LF_FACESIZE);
    at = SendMessageW(faces, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)face);
    if (at < 0)
        at = SendMessageW(faces, CB_ADDSTRING, 0, (LPARAM)face);
    SendMessageW(faces, CB_SETCURSEL, (WPARAM)at, 0);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        _snwprintf(num, 8, L"%d", sizes[i]);
        num[7] = L'\0';
        SendMessageW(size, CB_ADDSTRING, 0, (LPARAM)num);
        if (sizes[i] == now)
            SendMessageW(size, CB_SETCURSEL, i, 0);
    }
}

static void appearance_apply(HWND page, app *a)
{
    wchar_t face[LF_FACESIZE];
    LRESULT f = SendDlgItemMessageW(page, IDC_OPT_FONT, CB_GETCURSEL, 0, 0);
    LRESULT s = SendDlgItemMessageW(page, IDC_OPT_SIZE, CB_GETCURSEL, 0, 0);
    int i;

    if (f >= 0 && SendDlgItemMessageW(page, IDC_OPT_FONT, CB_GETLBTEXTLEN, (WPARAM)f, 0) < LF_FACESIZE &&
        SendDlgItemMessageW(page, IDC_OPT_FONT, CB_GETLBTEXT, (WPARAM)f, (LPARAM)face) > 0)
        RegSetKeyValueW(HKEY_CURRENT_USER, settings_key(), L"TranscriptFont", REG_SZ, face,
                        (DWORD)((wcslen(face) + 1) * sizeof *face));
    if (s >= 0 && (size_t)s < sizeof sizes / sizeof sizes[0])
        put_dword(L"TranscriptSize", (DWORD)sizes[s]);
    /* Every conversation in the new font, at the window's DPI. */
    for (i = 0; i < a->nconvs; i++)
        transcript_set_dpi(a->convs[i]->transcript, a->dpi);
}

static INT_PTR CALLBACK appearance_proc(HWND page, UINT msg, WPARAM wp, LPARAM lp)
{
    options_ctx *ctx = (options_ctx *)GetWindowLongPtrW(page, DWLP_USER);

    (void)wp;
    if (msg == WM_INITDIALOG) {
        page_init(page, lp);
        appearance_init(page);
        return TRUE;
    }
    if (msg == WM_NOTIFY && ctx && is_apply(lp)) {
        appearance_apply(page, ctx->a);
        return TRUE;
    }
    return FALSE;
}

void options_show(app *a)
{
    static const struct {
        int id;
        DLGPROC proc;
    } pages[] = {
        {IDD_OPT_GENERAL, general_proc},
        {IDD_OPT_NOTIFY, notify_proc},
        {IDD_OPT_APPEARANCE, appearance_proc},
    };
    PROPSHEETPAGEW psp[3];
    PROPSHEETHEADERW psh;
    options_ctx ctx;
    wchar_t title[64];
    size_t i;

    memset(&ctx, 0, sizeof ctx);
    ctx.a = a;
    memset(psp, 0, sizeof psp);
    for (i = 0; i < 3; i++) {
        psp[i].dwSize = sizeof psp[i];
        psp[i].hInstance = a->inst;
        psp[i].pszTemplate = MAKEINTRESOURCEW(pages[i].id);
        psp[i].pfnDlgProc = pages[i].proc;
        psp[i].lParam = (LPARAM)&ctx;
    }
    memset(&psh, 0, sizeof psh);
    psh.dwSize = sizeof psh;
    psh.dwFlags = PSH_PROPSHEETPAGE | PSH_NOAPPLYNOW | PSH_NOCONTEXTHELP;
    psh.hwndParent = a->hwnd;
    psh.hInstance = a->inst;
    psh.pszCaption = wstr_load(IDS_OPT_TITLE, title, 64);
    psh.nPages = 3;
    psh.ppsp = psp;
    PropertySheetW(&psh);
    free(ctx.convs);
}

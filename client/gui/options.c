/* options.c — the Options property sheet (options.h): three pages from .rc dialogs, each
 * applying its part on PSN_APPLY. Settings live under the profile's key: PrivateSound,
 * CloseToTray, Announce, KeepLog (DWORDs), LogFolder, StartRooms, TranscriptFont and
 * TranscriptSize; per conversation under Notify (tab_strip.c); Start with Windows is the Run
 * value itself (autostart.c). The account's read receipt setting lives on the server
 * (PRIV_PREFS), so the General page can change it only while connected to a server with
 * accounts. The
 * sheet is modal but network events keep arriving: the Notifications page keeps names, not
 * conversation pointers, and finds them again when applying. */
#include "options.h"

#include <commctrl.h>
#include <prsht.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "autostart.h"
#include "chatlog.h"
#include "commands.h"
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

static void put_string(const wchar_t *name, const wchar_t *v)
{
    RegSetKeyValueW(HKEY_CURRENT_USER, settings_key(), name, REG_SZ, v,
                    (DWORD)((wcslen(v) + 1) * sizeof *v));
}

/* A DWORD option, or fallback when it was never set (or is unreadable). */
static int get_flag(const wchar_t *name, int fallback)
{
    DWORD v = 0, size = sizeof v;

    if (RegGetValueW(HKEY_CURRENT_USER, settings_key(), name, RRF_RT_REG_DWORD, NULL, &v,
                     &size) != ERROR_SUCCESS)
        return fallback;
    return v != 0;
}

/* A string option into out, or "" when it was never set or does not fit. */
static void get_string(const wchar_t *name, wchar_t *out, size_t cap)
{
    DWORD size = (DWORD)(cap * sizeof *out);

    if (RegGetValueW(HKEY_CURRENT_USER, settings_key(), name, RRF_RT_REG_SZ, NULL, out, &size) !=
        ERROR_SUCCESS)
        out[0] = L'\0';
}

/* The --profile name, "" for the default profile (its key ends in Profiles\<name>). */
static const wchar_t *profile_name(void)
{
    const wchar_t *key = settings_key(), *p = wcsstr(key, L"\\Profiles\\");

    return p ? p + 10 : L"";
}

void options_load(app *a)
{
    a->private_sound = get_flag(L"PrivateSound", 1); /* on unless turned off */
    a->close_to_tray = get_flag(L"CloseToTray", 0);
    a->announce = get_flag(L"Announce", 1);
    a->log_on = get_flag(L"KeepLog", 0);
    get_string(L"LogFolder", a->log_dir, MAX_PATH);
    if (!a->log_dir[0])
        chatlog_default_dir(a->log_dir, MAX_PATH);
    get_string(L"StartRooms", a->start_rooms, sizeof a->start_rooms / sizeof a->start_rooms[0]);
}

void options_join_start_rooms(app *a)
{
    wchar_t room[NAME_MAX_W];
    const wchar_t *p = a->start_rooms;
    size_t n;

    if (a->started_rooms)
        return;
    a->started_rooms = 1;
    /* Names apart by commas, semicolons or spaces; one too long for a room is skipped (the
     * server would refuse it anyway). */
    while (*p) {
        p += wcsspn(p, L" ,;");
        n = wcscspn(p, L" ,;");
        if (n && n < NAME_MAX_W) {
            wmemcpy(room, p, n);
            room[n] = L'\0';
            if (!conv_find(a, room, 0))
                commands_join(a, room);
        }
        p += n;
    }
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

static void general_init(HWND page, app *a)
{
    CheckDlgButton(page, IDC_OPT_SOUND, a->private_sound ? BST_CHECKED : BST_UNCHECKED);
    CheckDlgButton(page, IDC_OPT_TRAY, a->close_to_tray ? BST_CHECKED : BST_UNCHECKED);
    CheckDlgButton(page, IDC_OPT_AUTOSTART,
                   autostart_is_on(profile_name()) ? BST_CHECKED : BST_UNCHECKED);
    CheckDlgButton(page, IDC_OPT_ANNOUNCE, a->announce ? BST_CHECKED : BST_UNCHECKED);
    CheckDlgButton(page, IDC_OPT_LOG, a->log_on ? BST_CHECKED : BST_UNCHECKED);
    SendDlgItemMessageW(page, IDC_OPT_ROOMS, EM_LIMITTEXT, 255, 0);
    SetDlgItemTextW(page, IDC_OPT_ROOMS, a->start_rooms);
    SendDlgItemMessageW(page, IDC_OPT_LOG_DIR, EM_LIMITTEXT, MAX_PATH - 1, 0);
    SetDlgItemTextW(page, IDC_OPT_LOG_DIR, a->log_dir);
    CheckDlgButton(page, IDC_OPT_RECEIPTS,
                   receipts_changeable(a) && !a->receipts_on ? BST_UNCHECKED : BST_CHECKED);
    EnableWindow(GetDlgItem(page, IDC_OPT_RECEIPTS), receipts_changeable(a));
}

/* PSN_APPLY: a Run value that cannot be written keeps the sheet open and says why. */
static int general_apply(HWND page, app *a)
{
    int autostart = IsDlgButtonChecked(page, IDC_OPT_AUTOSTART) == BST_CHECKED;
    unsigned long err;
    wchar_t reason[256], title[64], *text;

    if (autostart != autostart_is_on(profile_name())) {
        err = autostart_set(profile_name(), autostart);
        if (err) {
            text = wstr_format(IDS_OPT_AUTOSTART_FAILED, wstr_win_error(err, reason, 256));
            MessageBoxW(page, text ? text : reason, wstr_load(IDS_OPT_TITLE, title, 64),
                        MB_OK | MB_ICONWARNING);
            free(text);
            return 0;
        }
    }
    a->private_sound = IsDlgButtonChecked(page, IDC_OPT_SOUND) == BST_CHECKED;
    a->close_to_tray = IsDlgButtonChecked(page, IDC_OPT_TRAY) == BST_CHECKED;
    a->announce = IsDlgButtonChecked(page, IDC_OPT_ANNOUNCE) == BST_CHECKED;
    a->log_on = IsDlgButtonChecked(page, IDC_OPT_LOG) == BST_CHECKED;
    GetDlgItemTextW(page, IDC_OPT_ROOMS, a->start_rooms,
                    (int)(sizeof a->start_rooms / sizeof a->start_rooms[0]));
    GetDlgItemTextW(page, IDC_OPT_LOG_DIR, a->log_dir, MAX_PATH);
    wstr_trim(a->log_dir);
    if (!a->log_dir[0])
        chatlog_default_dir(a->log_dir, MAX_PATH);
    put_dword(L"PrivateSound", (DWORD)a->private_sound);
    put_dword(L"CloseToTray", (DWORD)a->close_to_tray);
    put_dword(L"Announce", (DWORD)a->announce);
    put_dword(L"KeepLog", (DWORD)a->log_on);
    put_string(L"StartRooms", a->start_rooms);
    put_string(L"LogFolder", a->log_dir);
    receipts_apply(page, a);
    return 1;
}

static INT_PTR CALLBACK general_proc(HWND page, UINT msg, WPARAM wp, LPARAM lp)
{
    options_ctx *ctx = (options_ctx *)GetWindowLongPtrW(page, DWLP_USER);

    (void)wp;
    if (msg == WM_INITDIALOG) {
        ctx = page_init(page, lp);
        general_init(page, ctx->a);
        return TRUE;
    }
    if (msg == WM_NOTIFY && ctx && is_apply(lp)) {
        SetWindowLongPtrW(page, DWLP_MSGRESULT,
                          general_apply(page, ctx->a) ? PSNRET_NOERROR : PSNRET_INVALID_NOCHANGEPAGE);
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
        put_string(L"TranscriptFont", face);
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

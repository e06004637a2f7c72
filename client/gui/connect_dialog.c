/* connect_dialog.c — the Connect dialog: server, port, nickname, secret key (hidden unless
 * "Show key", or loaded from a file), for a server with accounts the password (the nickname is then the user name),
 * cipher (AES-256-GCM, or XOR with a visible warning) and "Remember". Its context is the
 * settings being edited, kept in DWLP_USER. */
#include "connect_dialog.h"

#include <commctrl.h>
#include <commdlg.h>

#include <stdlib.h>
#include <string.h>

#include "key_file.h"
#include "prompts.h"
#include "proto.h"
#include "resource.h"
#include "wstr.h"

typedef struct connect_ctx {
    settings *s;
    int focus_field;
    WCHAR password_char; /* the edit's own bullet, restored when "Show key" is cleared */
    HICON warning;
    int xor_room; /* 1 while the controls below the cipher are moved down for the warning */
} connect_ctx;

#define XOR_ROOM_DLU 32     /* the warning's 26 DLU and a 6 DLU gap */
#define ACCOUNT_ROOM_DLU 36 /* the password row (18 DLU) and the note under it */

/* Moves the controls ids[0..n) (and the dialog's bottom edge) down by dy DLU, or up. */
static void shift_down(HWND dlg, const int *ids, size_t n, int dy_dlu)
{
    RECT r;
    size_t i;
    int dy;

    SetRect(&r, 0, 0, 0, dy_dlu < 0 ? -dy_dlu : dy_dlu);
    MapDialogRect(dlg, &r);
    dy = dy_dlu < 0 ? -r.bottom : r.bottom;
    for (i = 0; i < n; i++) {
        HWND c = GetDlgItem(dlg, ids[i]);
        GetWindowRect(c, &r);
        MapWindowPoints(NULL, dlg, (POINT *)&r, 2);
        SetWindowPos(c, NULL, r.left, r.top + dy, 0, 0, SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE);
    }
    GetWindowRect(dlg, &r);
    SetWindowPos(dlg, NULL, 0, 0, r.right - r.left, r.bottom - r.top + dy,
                 SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE);
}

/* The XOR warning shows only for XOR, and takes room only then. */
static void show_xor_warning(HWND dlg, connect_ctx *ctx)
{
    static const int below[] = {IDC_REMEMBER, IDC_REMEMBER_NOTE, IDC_LOAD_KEY, IDOK, IDCANCEL};
    int xor_chosen = SendDlgItemMessageW(dlg, IDC_CIPHER, CB_GETCURSEL, 0, 0) == 1;

    if (xor_chosen != ctx->xor_room) {
        shift_down(dlg, below, sizeof below / sizeof below[0],
                   xor_chosen ? XOR_ROOM_DLU : -XOR_ROOM_DLU);
        ctx->xor_room = xor_chosen;
    }
    ShowWindow(GetDlgItem(dlg, IDC_XOR_ICON), xor_chosen ? SW_SHOW : SW_HIDE);
    ShowWindow(GetDlgItem(dlg, IDC_XOR_WARNING), xor_chosen ? SW_SHOW : SW_HIDE);
}

/* For a server known to use accounts: the nickname is labelled as the user name, and the
 * password row and a note saying why appear above the cipher. */
static void show_account_fields(HWND dlg, const settings *s)
{
    static const int below[] = {IDC_CIPHER_LABEL, IDC_CIPHER, IDC_XOR_ICON, IDC_XOR_WARNING,
                                IDC_REMEMBER,     IDC_REMEMBER_NOTE, IDC_LOAD_KEY,
                                IDOK,             IDCANCEL};
    static const int rows[] = {IDC_PASSWORD_LABEL, IDC_PASSWORD, IDC_MODE_NOTE};
    wchar_t text[256];
    size_t i;

    if (!s->accounts)
        return;
    SetDlgItemTextW(dlg, IDC_NICK_LABEL, wstr_load(IDS_USER_LABEL, text, 256));
    SetDlgItemTextW(dlg, IDC_MODE_NOTE, wstr_load(IDS_MODE_NOTE_ACCOUNTS, text, 256));
    SetDlgItemTextW(dlg, IDC_REMEMBER_NOTE, wstr_load(IDS_REMEMBER_NOTE_ACCOUNTS, text, 256));
    shift_down(dlg, below, sizeof below / sizeof below[0], ACCOUNT_ROOM_DLU);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
        ShowWindow(GetDlgItem(dlg, rows[i]), SW_SHOW);
}

/* Points at a field that needs fixing: a balloon tip where the edit supports one (Common
 * Controls 6), a message box otherwise. */
static void complain(HWND dlg, int field, unsigned text_id)
{
    wchar_t title[64], text[256];
    EDITBALLOONTIP tip;
    HWND edit = GetDlgItem(dlg, field);

    wstr_load(IDS_ERR_VALIDATION_TITLE, title, 64);
    wstr_load(text_id, text, 256);
    SetFocus(edit);
    SendMessageW(edit, EM_SETSEL, 0, -1);
    memset(&tip, 0, sizeof tip);
    tip.cbStruct = sizeof tip;
    tip.pszTitle = title;
    tip.pszText = text;
    tip.ttiIcon = TTI_WARNING;
    if (!SendMessageW(edit, EM_SHOWBALLOONTIP, 0, (LPARAM)&tip))
        MessageBoxW(dlg, text, title, MB_OK | MB_ICONWARNING);
}

static void init(HWND dlg, connect_ctx *ctx)
{
    settings *s = ctx->s;
    wchar_t text[128], port[16];
    HWND combo = GetDlgItem(dlg, IDC_CIPHER);
    int first = 0;

    SetDlgItemTextW(dlg, IDC_SERVER, s->host);
    _snwprintf(port, 16, L"%u", s->port);
    port[15] = L'\0';
    SetDlgItemTextW(dlg, IDC_PORT, port);
    SetDlgItemTextW(dlg, IDC_NICK, s->nick);
    SetDlgItemTextW(dlg, IDC_KEY, s->key);
    SetDlgItemTextW(dlg, IDC_PASSWORD, s->password);
    SendDlgItemMessageW(dlg, IDC_PASSWORD, EM_SETLIMITTEXT, SETTINGS_PASSWORD_MAX - 1, 0);
    SendDlgItemMessageW(dlg, IDC_SERVER, EM_SETLIMITTEXT, SETTINGS_HOST_MAX - 1, 0);
    SendDlgItemMessageW(dlg, IDC_PORT, EM_SETLIMITTEXT, 5, 0);
    SendDlgItemMessageW(dlg, IDC_NICK, EM_SETLIMITTEXT, PROTO_NICK_MAX, 0);
    SendDlgItemMessageW(dlg, IDC_KEY, EM_SETLIMITTEXT, SETTINGS_KEY_MAX - 1, 0);
    ctx->password_char = (WCHAR)SendDlgItemMessageW(dlg, IDC_KEY, EM_GETPASSWORDCHAR, 0, 0);

    SendMessageW(combo, CB_ADDSTRING, 0, (LPARAM)wstr_load(IDS_CIPHER_AES, text, 128));
    SendMessageW(combo, CB_ADDSTRING, 0, (LPARAM)wstr_load(IDS_CIPHER_XOR, text, 128));
    SendMessageW(combo, CB_SETCURSEL, s->cipher == PROTO_CIPHER_XOR ? 1 : 0, 0);
    if (LoadIconMetric(NULL, IDI_WARNING, LIM_SMALL, &ctx->warning) == S_OK)
        SendDlgItemMessageW(dlg, IDC_XOR_ICON, STM_SETICON, (WPARAM)ctx->warning, 0);
    show_account_fields(dlg, s);
    show_xor_warning(dlg, ctx);
    CheckDlgButton(dlg, IDC_REMEMBER, s->remember ? BST_CHECKED : BST_UNCHECKED);

    /* Start where the user has something to do. */
    if (ctx->focus_field)
        first = ctx->focus_field;
    else if (!s->host[0])
        first = IDC_SERVER;
    else if (!s->nick[0])
        first = IDC_NICK;
    else if (!s->key[0])
        first = IDC_KEY;
    else if (s->accounts && !s->password[0])
        first = IDC_PASSWORD;
    else
        first = IDOK;
    SendMessageW(dlg, WM_NEXTDLGCTL, (WPARAM)GetDlgItem(dlg, first), TRUE);
}

/* Reads and checks the fields into ctx->s. Returns 1 if they are all usable. */
static int take(HWND dlg, connect_ctx *ctx)
{
    settings *s = ctx->s;
    char nick[PROTO_NICK_MAX * 4 + 1];
    BOOL ok = FALSE;
    UINT p;

    GetDlgItemTextW(dlg, IDC_SERVER, s->host, SETTINGS_HOST_MAX);
    GetDlgItemTextW(dlg, IDC_NICK, s->nick, SETTINGS_NICK_MAX);
    GetDlgItemTextW(dlg, IDC_KEY, s->key, SETTINGS_KEY_MAX);
    p = GetDlgItemInt(dlg, IDC_PORT, &ok, FALSE);
    if (!s->host[0]) {
        complain(dlg, IDC_SERVER, IDS_ERR_NO_SERVER);
        return 0;
    }
    if (!ok || p == 0 || p > 65535) {
        complain(dlg, IDC_PORT, IDS_ERR_BAD_PORT);
        return 0;
    }
    s->port = p;
    if (!s->nick[0]) {
        complain(dlg, IDC_NICK, IDS_ERR_NO_NICK);
        return 0;
    }
    /* The limit is in bytes of UTF-8, which the edit's character limit cannot express. */
    if (wstr_to_utf8_into(nick, sizeof nick, s->nick) != 0 || strlen(nick) > PROTO_NICK_MAX) {
        complain(dlg, IDC_NICK, IDS_ERR_NICK_LONG);
        return 0;
    }
    if (!s->key[0]) {
        complain(dlg, IDC_KEY, IDS_ERR_NO_KEY);
        return 0;
    }
    if (s->accounts) {
        GetDlgItemTextW(dlg, IDC_PASSWORD, s->password, SETTINGS_PASSWORD_MAX);
        if (!s->password[0]) {
            complain(dlg, IDC_PASSWORD, IDS_ERR_NO_PASSWORD);
            return 0;
        }
    }
    s->cipher = SendDlgItemMessageW(dlg, IDC_CIPHER, CB_GETCURSEL, 0, 0) == 1
                    ? PROTO_CIPHER_XOR
                    : PROTO_CIPHER_AES256GCM;
    s->remember = IsDlgButtonChecked(dlg, IDC_REMEMBER) == BST_CHECKED;
    return 1;
}

static void save(HWND dlg, const settings *s)
{
    unsigned long rc = settings_save(s);
    wchar_t reason[256], title[64], *text;

    if (rc == 0)
        return;
    text = wstr_format(IDS_ERR_REMEMBER, wstr_win_error(rc, reason, 256));
    /* Not fatal: the connection goes ahead, only remembering failed. */
    MessageBoxW(dlg, text ? text : reason, wstr_load(IDS_ERR_TITLE, title, 64),
                MB_OK | MB_ICONWARNING);
    free(text);
}

/* "Load key from file…": the standard Open dialog, then the file read as --key-file reads
 * it; a file that will not do is said plainly and the key field keeps what it had. */
static void load_key(HWND dlg)
{
    wchar_t path[MAX_PATH] = L"", filter[128], title[64], key[SETTINGS_KEY_MAX];
    OPENFILENAMEW ofn;
    wchar_t *p;
    DWORD err;

    /* The string table cannot hold NULs: '|' separates the filter's parts there. */
    wstr_load(IDS_KEY_FILE_FILTER, filter, 128);
    for (p = filter; *p; p++)
        if (*p == L'|')
            *p = L'\0';
    memset(&ofn, 0, sizeof ofn);
    ofn.lStructSize = sizeof ofn;
    ofn.hwndOwner = dlg;
    ofn.lpstrFilter = filter;
    ofn.lpstrFile = path;
    ofn.nMaxFile = MAX_PATH;
    ofn.lpstrTitle = wstr_load(IDS_KEY_FILE_TITLE, title, 64);
    ofn.Flags = OFN_FILEMUSTEXIST | OFN_PATHMUSTEXIST | OFN_HIDEREADONLY | OFN_NOCHANGEDIR;
    if (!GetOpenFileNameW(&ofn))
        return;
    err = key_file_read(path, key, SETTINGS_KEY_MAX);
    if (err) {
        key_file_error(dlg, path, err);
    } else {
        SetDlgItemTextW(dlg, IDC_KEY, key);
        SendMessageW(dlg, WM_NEXTDLGCTL, (WPARAM)GetDlgItem(dlg, IDOK), TRUE);
    }
    SecureZeroMemory(key, sizeof key);
}

static INT_PTR CALLBACK connect_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    connect_ctx *ctx = (connect_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        dialog_center(dlg);
        init(dlg, (connect_ctx *)lp);
        return FALSE; /* focus was set in init */
    case WM_COMMAND:
        switch (LOWORD(wp)) {
        case IDC_CIPHER:
            if (HIWORD(wp) == CBN_SELCHANGE)
                show_xor_warning(dlg, ctx);
            return TRUE;
        case IDC_SHOW_KEY: {
            int show = IsDlgButtonChecked(dlg, IDC_SHOW_KEY) == BST_CHECKED;
            SendDlgItemMessageW(dlg, IDC_KEY, EM_SETPASSWORDCHAR, show ? 0 : ctx->password_char, 0);
            InvalidateRect(GetDlgItem(dlg, IDC_KEY), NULL, TRUE);
            return TRUE;
        }
        case IDC_LOAD_KEY:
            load_key(dlg);
            return TRUE;
        case IDOK:
            if (take(dlg, ctx)) {
                save(dlg, ctx->s);
                EndDialog(dlg, IDOK);
            }
            return TRUE;
        case IDCANCEL:
            EndDialog(dlg, IDCANCEL);
            return TRUE;
        }
        break;
    case WM_DESTROY:
        if (ctx && ctx->warning)
            DestroyIcon(ctx->warning);
        /* The key and password fields held secrets: clear them before the window memory
         * goes. */
        SetDlgItemTextW(dlg, IDC_KEY, L"");
        SetDlgItemTextW(dlg, IDC_PASSWORD, L"");
        break;
    }
    return FALSE;
}

INT_PTR connect_dialog_run(HWND owner, settings *s, int focus_field)
{
    connect_ctx ctx;

    memset(&ctx, 0, sizeof ctx);
    ctx.s = s;
    ctx.focus_field = focus_field;
    return DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(owner, GWLP_HINSTANCE),
                           MAKEINTRESOURCEW(IDD_CONNECT), owner, connect_proc, (LPARAM)&ctx);
}

/* prompts.c — the one-field dialogs (Join a room, Private conversation, Away) share one
 * procedure whose context, kept in DWLP_USER, says which field and whether it may be empty;
 * the About box with the version and the command-line options; and the list-view helpers of
 * the dialogs that list what the server has (Join, Users). */
#include "prompts.h"

#include <commctrl.h>

#include <string.h>
#include <wchar.h>

#include "resource.h"
#include "wstr.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.0.0"
#endif

typedef struct prompt_ctx {
    int field;
    unsigned empty_error; /* string ID shown when the field is empty; 0 = empty is fine */
    wchar_t *dst;
    size_t cap;
} prompt_ctx;

void dialog_center(HWND dlg)
{
    HWND owner = GetWindow(dlg, GW_OWNER);
    RECT o, d;
    MONITORINFO mi;
    int x, y, w, h;

    if (!owner || !IsWindowVisible(owner) || IsIconic(owner))
        return;
    GetWindowRect(owner, &o);
    GetWindowRect(dlg, &d);
    w = d.right - d.left;
    h = d.bottom - d.top;
    x = o.left + ((o.right - o.left) - w) / 2;
    y = o.top + ((o.bottom - o.top) - h) / 2;
    mi.cbSize = sizeof mi;
    if (GetMonitorInfoW(MonitorFromWindow(owner, MONITOR_DEFAULTTONEAREST), &mi)) {
        if (x + w > mi.rcWork.right)
            x = mi.rcWork.right - w;
        if (y + h > mi.rcWork.bottom)
            y = mi.rcWork.bottom - h;
        if (x < mi.rcWork.left)
            x = mi.rcWork.left;
        if (y < mi.rcWork.top)
            y = mi.rcWork.top;
    }
    SetWindowPos(dlg, NULL, x, y, 0, 0, SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE);
}


static INT_PTR CALLBACK prompt_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    prompt_ctx *ctx = (prompt_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(dlg, DWLP_USER, lp);
        ctx = (prompt_ctx *)lp;
        dialog_center(dlg);
        SetDlgItemTextW(dlg, ctx->field, ctx->dst);
        SendDlgItemMessageW(dlg, ctx->field, EM_SETLIMITTEXT, (WPARAM)(ctx->cap - 1), 0);
        return TRUE; /* focus to the first tab stop: the field */
    case WM_COMMAND:
        if (LOWORD(wp) == IDOK) {
            GetDlgItemTextW(dlg, ctx->field, ctx->dst, (int)ctx->cap);
            wstr_trim(ctx->dst);
            if (!ctx->dst[0] && ctx->empty_error) {
                dialog_warn(dlg, ctx->empty_error, ctx->field);
                return TRUE;
            }
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

static int prompt(HWND owner, int dialog, int field, unsigned empty_error, wchar_t *dst,
                  size_t cap)
{
    prompt_ctx ctx;

    ctx.field = field;
    ctx.empty_error = empty_error;
    ctx.dst = dst;
    ctx.cap = cap;
    return DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(owner, GWLP_HINSTANCE),
                           MAKEINTRESOURCEW(dialog), owner, prompt_proc, (LPARAM)&ctx) == IDOK;
}

int prompt_private(HWND owner, wchar_t *dst, size_t cap)
{
    return prompt(owner, IDD_PRIVATE, IDC_PEER, IDS_ERR_NO_PEER, dst, cap);
}

int prompt_topic(HWND owner, wchar_t *dst, size_t cap)
{
    return prompt(owner, IDD_TOPIC, IDC_TOPIC_EDIT, 0, dst, cap);
}

int prompt_away(HWND owner, wchar_t *dst, size_t cap)
{
    dst[0] = L'\0';
    return prompt(owner, IDD_AWAY, IDC_AWAY_TEXT, 0, dst, cap);
}

static INT_PTR CALLBACK about_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    HFONT font;

    (void)lp;
    switch (msg) {
    case WM_INITDIALOG: {
        wchar_t text[2048], version[32];
        LOGFONTW lf;

        dialog_center(dlg);
        wstr_from_utf8_into(version, 32, PARLEY_VERSION, (size_t)-1);
        SetDlgItemTextW(dlg, IDC_ABOUT_VERSION, wstr_format_into(text, 2048, IDS_VERSION_FMT, version));
        SetDlgItemTextW(dlg, IDC_ABOUT_TEXT, wstr_load(IDS_ABOUT_TEXT, text, 2048));
        SetDlgItemTextW(dlg, IDC_ABOUT_USAGE, wstr_load(IDS_USAGE, text, 2048));
        /* The program's name in a larger, bold version of the dialog's own font. */
        font = (HFONT)SendMessageW(dlg, WM_GETFONT, 0, 0);
        if (font && GetObjectW(font, sizeof lf, &lf)) {
            lf.lfHeight = lf.lfHeight * 3 / 2;
            lf.lfWeight = FW_BOLD;
            font = CreateFontIndirectW(&lf);
            if (font) {
                SendDlgItemMessageW(dlg, IDC_ABOUT_NAME, WM_SETFONT, (WPARAM)font, FALSE);
                SetPropW(dlg, L"ParleyTitleFont", font);
            }
        }
        return TRUE;
    }
    case WM_COMMAND:
        if (LOWORD(wp) == IDOK || LOWORD(wp) == IDCANCEL) {
            EndDialog(dlg, LOWORD(wp));
            return TRUE;
        }
        break;
    case WM_DESTROY:
        font = (HFONT)RemovePropW(dlg, L"ParleyTitleFont");
        if (font)
            DeleteObject(font);
        break;
    }
    return FALSE;
}

static INT_PTR CALLBACK help_proc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    (void)lp;
    if (msg == WM_INITDIALOG) {
        wchar_t text[4096];
        dialog_center(dlg);
        SetDlgItemTextW(dlg, IDC_HELP_TEXT, wstr_load(IDS_HELP_TEXT, text, 4096));
        return TRUE;
    }
    if (msg == WM_COMMAND && (LOWORD(wp) == IDOK || LOWORD(wp) == IDCANCEL)) {
        EndDialog(dlg, LOWORD(wp));
        return TRUE;
    }
    return FALSE;
}

void help_show(HWND owner)
{
    DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(owner, GWLP_HINSTANCE),
                    MAKEINTRESOURCEW(IDD_HELP), owner, help_proc, 0);
}

void about_show(HWND owner)
{
    DialogBoxParamW((HINSTANCE)GetWindowLongPtrW(owner, GWLP_HINSTANCE),
                    MAKEINTRESOURCEW(IDD_ABOUT), owner, about_proc, 0);
}

void dialog_warn(HWND dlg, unsigned text_id, int focus)
{
    wchar_t text[256], title[64];

    MessageBoxW(dlg, wstr_load(text_id, text, 256),
                wstr_load(IDS_ERR_VALIDATION_TITLE, title, 64), MB_OK | MB_ICONWARNING);
    SetFocus(GetDlgItem(dlg, focus));
}

INT_PTR dialog_ok_cancel(HWND dlg, WPARAM wp, int (*take)(HWND dlg, void *ctx), void *ctx)
{
    if (LOWORD(wp) == IDOK) {
        if (take(dlg, ctx))
            EndDialog(dlg, IDOK);
        return TRUE;
    }
    if (LOWORD(wp) == IDCANCEL) {
        EndDialog(dlg, IDCANCEL);
        return TRUE;
    }
    return FALSE;
}

void dialog_list_columns(HWND dlg, int list_id, const unsigned *titles, const int *widths_dlu,
                         int n)
{
    HWND lv = GetDlgItem(dlg, list_id);
    wchar_t title[64];
    LVCOLUMNW col;
    RECT r;
    int i;

    SendMessageW(lv, LVM_SETEXTENDEDLISTVIEWSTYLE, LVS_EX_FULLROWSELECT, LVS_EX_FULLROWSELECT);
    for (i = 0; i < n; i++) {
        SetRect(&r, 0, 0, widths_dlu[i], 0);
        MapDialogRect(dlg, &r); /* dialog units, so the columns grow with the font and DPI */
        memset(&col, 0, sizeof col);
        col.mask = LVCF_TEXT | LVCF_WIDTH | LVCF_SUBITEM;
        col.cx = r.right;
        col.pszText = wstr_load(titles[i], title, 64);
        col.iSubItem = i;
        SendMessageW(lv, LVM_INSERTCOLUMNW, (WPARAM)i, (LPARAM)&col);
    }
}

void dialog_list_pick(HWND dlg, int list_id, int edit_id)
{
    HWND lv = GetDlgItem(dlg, list_id);
    int i = (int)SendMessageW(lv, LVM_GETNEXTITEM, (WPARAM)-1, LVNI_SELECTED);
    wchar_t name[128]; /* a room or account name */
    LVITEMW it;

    if (i < 0)
        return;
    memset(&it, 0, sizeof it);
    it.pszText = name;
    it.cchTextMax = 128;
    name[0] = L'\0';
    SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)i, (LPARAM)&it);
    SetDlgItemTextW(dlg, edit_id, name);
}

void dialog_list_cell(HWND lv, int row, int col, const wchar_t *text)
{
    LVITEMW it;
    memset(&it, 0, sizeof it);
    it.iSubItem = col;
    it.pszText = (wchar_t *)text;
    SendMessageW(lv, LVM_SETITEMTEXTW, (WPARAM)row, (LPARAM)&it);
}

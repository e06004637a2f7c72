/* input.c — the input box: a comctl32 subclass (SetWindowSubclass, with the app as its
 * reference data) turns Enter into Send, leaves Shift+Enter to the edit as a new line, and
 * walks the input history with Up/Down when the caret is on the first/last line. The text is
 * counted in UTF-8 bytes, the wire's unit, and leaves the box only once it was handed on. */
#include "input.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "commands.h"
#include "conv.h"
#include "resource.h"
#include "wstr.h"

#define SUBCLASS_ID 1
#define SHOW_LEFT_BELOW 512 /* bytes: the count appears once fewer than this are left */

void input_history_free(input_history *h)
{
    int i;

    for (i = 0; i < h->count; i++)
        free(h->lines[i]);
    free(h->draft);
    memset(h, 0, sizeof *h);
}

static void history_add(input_history *h, const wchar_t *line)
{
    wchar_t *copy;

    free(h->draft);
    h->draft = NULL;
    h->pos = h->count;
    if (h->count && wcscmp(h->lines[h->count - 1], line) == 0)
        return; /* the same line twice in a row is kept once */
    copy = wstr_dup(line);
    if (!copy)
        return;
    if (h->count == INPUT_HISTORY_MAX) {
        free(h->lines[0]);
        memmove(&h->lines[0], &h->lines[1], (INPUT_HISTORY_MAX - 1) * sizeof h->lines[0]);
        h->count--;
    }
    h->lines[h->count++] = copy;
    h->pos = h->count;
}

static wchar_t *get_text(HWND edit)
{
    int n = GetWindowTextLengthW(edit);
    wchar_t *text = malloc(((size_t)n + 1) * sizeof *text);

    if (text)
        GetWindowTextW(edit, text, n + 1);
    return text;
}

static void set_text_end(HWND edit, const wchar_t *text)
{
    SetWindowTextW(edit, text);
    SendMessageW(edit, EM_SETSEL, (WPARAM)wcslen(text), (LPARAM)wcslen(text));
    SendMessageW(edit, EM_SCROLLCARET, 0, 0);
}

/* Moves through the history: -1 older, +1 newer. Returns 1 if it moved. */
static int history_step(app *a, int dir)
{
    input_history *h = &a->history;
    int to = h->pos + dir;

    if (to < 0 || to > h->count || h->count == 0)
        return 0;
    if (h->pos == h->count) {
        /* Leaving the line being written: keep it to come back to. */
        free(h->draft);
        h->draft = get_text(a->input);
    }
    h->pos = to;
    set_text_end(a->input, to == h->count ? (h->draft ? h->draft : L"") : h->lines[to]);
    return 1;
}

/* The UTF-8 size of text, as the wire counts it. */
static int utf8_bytes(const wchar_t *text)
{
    return WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL) - 1;
}

void input_update_count(app *a)
{
    wchar_t *text = get_text(a->input), num[16], shown[64];
    int left = text ? PROTO_TEXT_MAX - utf8_bytes(text) : PROTO_TEXT_MAX;

    shown[0] = L'\0';
    if (left < SHOW_LEFT_BELOW) {
        _snwprintf(num, 16, L"%d", left < 0 ? -left : left);
        num[15] = L'\0';
        wstr_format_into(shown, 64, left < 0 ? IDS_INPUT_OVER : IDS_INPUT_LEFT, num);
    }
    SetDlgItemTextW(a->hwnd, IDC_INPUT_COUNT, shown);
    free(text);
}

void input_send(app *a)
{
    wchar_t *text = get_text(a->input), num[16];
    size_t n;
    int over;

    if (!text)
        return;
    /* Trailing blank lines and spaces are never meant. */
    n = wcslen(text);
    while (n && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' '))
        text[--n] = L'\0';
    over = utf8_bytes(text) - PROTO_TEXT_MAX;
    if (n && over > 0) {
        /* Said before sending, in words; the text stays to be shortened. */
        _snwprintf(num, 16, L"%d", over);
        num[15] = L'\0';
        conv_line_fmt(a, NULL, TL_ERROR, IDS_ERR_TOO_LONG, num, NULL, NULL);
    } else if (n) {
        history_add(&a->history, text);
        /* A refused line (offline...) stays in the box; the transcript says why. */
        if (commands_submit(a, text))
            SetWindowTextW(a->input, L"");
    }
    free(text);
}

void input_restore_unsent(app *a)
{
    const input_history *h = &a->history;

    /* Only into an empty box: never over what the user has started typing since. */
    if (h->count && GetWindowTextLengthW(a->input) == 0)
        set_text_end(a->input, h->lines[h->count - 1]);
}

static LRESULT CALLBACK input_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp, UINT_PTR id,
                                   DWORD_PTR ref)
{
    app *a = (app *)ref;
    int shift = GetKeyState(VK_SHIFT) < 0;

    (void)id;
    switch (msg) {
    case WM_GETDLGCODE: {
        /* A multi-line edit asks for every key, Tab included, which would trap the keyboard
         * here: ask only for Enter, and let Tab and Esc go to the dialog. */
        LRESULT code = DefSubclassProc(hwnd, msg, wp, lp);
        const MSG *m = (const MSG *)lp;
        code &= ~(LRESULT)(DLGC_WANTALLKEYS | DLGC_WANTTAB | DLGC_WANTMESSAGE);
        if (m && (m->message == WM_KEYDOWN || m->message == WM_CHAR) && m->wParam == VK_RETURN)
            code |= DLGC_WANTMESSAGE;
        return code;
    }
    case WM_KEYDOWN:
        if (wp == VK_RETURN && !shift) {
            input_send(a);
            return 0;
        }
        if (wp == VK_UP && !shift &&
            SendMessageW(hwnd, EM_LINEFROMCHAR, (WPARAM)-1, 0) == 0 && history_step(a, -1))
            return 0;
        if (wp == VK_DOWN && !shift &&
            SendMessageW(hwnd, EM_LINEFROMCHAR, (WPARAM)-1, 0) >=
                SendMessageW(hwnd, EM_GETLINECOUNT, 0, 0) - 1 &&
            history_step(a, +1))
            return 0;
        break;
    case WM_CHAR:
        /* The Enter that sent the message must not also leave a line break behind. */
        if ((wp == L'\r' || wp == L'\n') && !shift)
            return 0;
        break;
    }
    return DefSubclassProc(hwnd, msg, wp, lp);
}

int input_attach(app *a)
{
    return SetWindowSubclass(a->input, input_proc, SUBCLASS_ID, (DWORD_PTR)a) ? 0 : -1;
}

void input_detach(app *a)
{
    RemoveWindowSubclass(a->input, input_proc, SUBCLASS_ID);
}

/* input.c — the input box's keyboard: a comctl32 subclass (SetWindowSubclass, with the app as
 * its reference data) turns Enter into Send, leaves Shift+Enter to the edit as a new line, and
 * walks the input history with Up/Down when the caret is on the first/last line. */
#include "input.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "commands.h"
#include "wstr.h"

#define SUBCLASS_ID 1

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

void input_send(app *a)
{
    wchar_t *text = get_text(a->input);
    size_t n;

    if (!text)
        return;
    /* Trailing blank lines and spaces are never meant. */
    n = wcslen(text);
    while (n && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' '))
        text[--n] = L'\0';
    if (n) {
        history_add(&a->history, text);
        SetWindowTextW(a->input, L"");
        commands_submit(a, text);
    }
    free(text);
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

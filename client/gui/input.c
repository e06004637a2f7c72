/* input.c — the input box: a comctl32 subclass (SetWindowSubclass, with the app as its
 * reference data) turns Enter into Send, leaves Shift+Enter to the edit as a new line, walks
 * the input history with Up/Down when the caret is on the first/last line, and completes
 * nicknames with Tab. The text is
 * counted in UTF-8 bytes, the wire's unit, and leaves the box only once it was handed on. */
#include "input.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

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
        /* A password never goes into the history Up brings back. */
        if (_wcsnicmp(text, L"/oper ", 6) != 0)
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

/* The start of the word that ends at the caret, and the caret; -1 if the caret is not right
 * after a word, or a selection is active. */
static int word_before_caret(HWND edit, wchar_t **text_out, DWORD *start_out, DWORD *caret_out)
{
    DWORD from = 0, to = 0;
    wchar_t *text;

    SendMessageW(edit, EM_GETSEL, (WPARAM)&from, (LPARAM)&to);
    if (from != to || from == 0)
        return -1;
    text = get_text(edit);
    if (!text || wcslen(text) < from) {
        free(text);
        return -1;
    }
    *caret_out = from;
    while (from > 0 && !iswspace(text[from - 1]))
        from--;
    if (from == *caret_out) {
        free(text);
        return -1;
    }
    *start_out = from;
    *text_out = text;
    return 0;
}

/* The first nickname of the active conversation (other than ours) that starts with the n
 * characters of prefix, case-insensitively; NULL if none. */
static const wchar_t *nick_for(app *a, const wchar_t *prefix, size_t n)
{
    conv *c = conv_active(a);
    size_t i;

    for (i = 0; c && i < c->members.n; i++) {
        const wchar_t *nick = c->members.items[i].nick;
        if (_wcsnicmp(nick, prefix, n) == 0 && wcscmp(nick, a->nick) != 0)
            return nick;
    }
    return NULL;
}

/* Tab after the start of a nickname completes it ("car" -> "carol: " at the start of the
 * line, "carol " elsewhere). Returns 1 if it did; 0 leaves Tab to move the focus. */
static int complete_nick(app *a, int apply)
{
    wchar_t *text = NULL, *done;
    DWORD start, caret;
    const wchar_t *nick;
    size_t len;

    if (word_before_caret(a->input, &text, &start, &caret) != 0)
        return 0;
    nick = nick_for(a, text + start, caret - start);
    if (nick && apply) {
        len = wcslen(text) + wcslen(nick) + 3;
        done = malloc(len * sizeof *done);
        if (done) {
            _snwprintf(done, len, L"%.*ls%ls%ls%ls", (int)start, text, nick,
                       start == 0 ? L": " : L" ", text + caret);
            done[len - 1] = L'\0';
            SetWindowTextW(a->input, done);
            caret = (DWORD)(start + wcslen(nick) + (start == 0 ? 2 : 1));
            SendMessageW(a->input, EM_SETSEL, caret, caret);
            free(done);
        }
    }
    free(text);
    return nick != NULL;
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
        /* Tab completes a nickname when there is one to complete, else moves on. */
        if (m && m->message == WM_KEYDOWN && m->wParam == VK_TAB && GetKeyState(VK_SHIFT) >= 0 &&
            GetKeyState(VK_CONTROL) >= 0 && complete_nick(a, 0))
            code |= DLGC_WANTMESSAGE;
        return code;
    }
    case WM_KEYDOWN:
        if (wp == VK_TAB && !shift && complete_nick(a, 1))
            return 0;
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
        if (wp == L'\t')
            return 0; /* a completion's Tab; an edit box holds no tabs */
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

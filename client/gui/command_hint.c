/* command_hint.c — the command hint (command_hint.h). While the message box holds "/" and the
 * start of a command word (no space yet, not "//"), a small window above it lists the
 * commands that match, from the string table (IDS_COMMAND_HINTS, one per line), in the
 * system's tooltip colours. It is a plain STATIC popup owned by the main window, so it never
 * takes the focus and screen readers can read it. */
#include "command_hint.h"

#include <wchar.h>
#include <wctype.h>

#include "resource.h"
#include "wstr.h"

#define HINTS_MAX 2048
#define TYPED_MAX 32

/* The command word typed so far ("/jo"), or 0 if the box does not hold one. */
static int typed_word(app *a, wchar_t *out, size_t cap)
{
    wchar_t text[TYPED_MAX + 1];
    int n = GetWindowTextW(a->input, text, TYPED_MAX + 1), i;

    if (n < 1 || n >= TYPED_MAX || text[0] != L'/' || (n > 1 && text[1] == L'/'))
        return 0;
    for (i = 0; i < n; i++)
        if (iswspace(text[i]))
            return 0;
    wstr_copy(out, cap, text);
    return 1;
}

/* The hint lines that start with word (case ignored), joined with CR LF; 0 if none. */
static int matching(const wchar_t *word, wchar_t *out, size_t cap)
{
    wchar_t all[HINTS_MAX];
    wchar_t *line, *next;
    size_t len = wcslen(word), used = 0;

    out[0] = L'\0';
    wstr_load(IDS_COMMAND_HINTS, all, HINTS_MAX);
    for (line = all; line && *line; line = next) {
        next = wcschr(line, L'\n');
        if (next)
            *next++ = L'\0';
        if (_wcsnicmp(line, word, len) != 0)
            continue;
        if (used + wcslen(line) + 3 > cap)
            break;
        if (used) {
            wcscpy(out + used, L"\r\n");
            used += 2;
        }
        wcscpy(out + used, line);
        used += wcslen(line);
    }
    return used > 0;
}

void command_hint_hide(app *a)
{
    if (a->hint)
        ShowWindow(a->hint, SW_HIDE);
}

/* Places the hint just above the message box, as wide and high as its text. */
static void place(app *a, const wchar_t *text)
{
    HDC dc = GetDC(a->hint);
    HFONT font = (HFONT)SendMessageW(a->hwnd, WM_GETFONT, 0, 0), old = NULL;
    RECT size = {0, 0, 0, 0}, box;
    int pad = GetSystemMetrics(SM_CXEDGE) * 3;

    if (dc) {
        if (font)
            old = (HFONT)SelectObject(dc, font);
        DrawTextW(dc, text, -1, &size, DT_CALCRECT | DT_NOPREFIX | DT_EXPANDTABS);
        if (old)
            SelectObject(dc, old);
        ReleaseDC(a->hint, dc);
    }
    GetWindowRect(a->input, &box);
    SetWindowPos(a->hint, HWND_TOP, box.left, box.top - (size.bottom + 2 * pad),
                 size.right + 2 * pad, size.bottom + 2 * pad,
                 SWP_NOACTIVATE | SWP_SHOWWINDOW);
}

void command_hint_update(app *a)
{
    wchar_t word[TYPED_MAX + 1], text[HINTS_MAX];

    if (GetFocus() != a->input || !typed_word(a, word, TYPED_MAX + 1) ||
        !matching(word, text, HINTS_MAX)) {
        command_hint_hide(a);
        return;
    }
    if (!a->hint) {
        a->hint = CreateWindowExW(WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE | WS_EX_TOPMOST, L"STATIC",
                                  L"", WS_POPUP | WS_BORDER | SS_LEFT | SS_NOPREFIX, 0, 0, 10, 10,
                                  a->hwnd, NULL, a->inst, NULL);
        if (!a->hint)
            return;
        SendMessageW(a->hint, WM_SETFONT, (WPARAM)SendMessageW(a->hwnd, WM_GETFONT, 0, 0), FALSE);
    }
    SetWindowTextW(a->hint, text);
    place(a, text);
}

HBRUSH command_hint_colours(app *a, HWND hwnd, HDC dc)
{
    if (!a->hint || hwnd != a->hint)
        return NULL;
    SetTextColor(dc, GetSysColor(COLOR_INFOTEXT));
    SetBkColor(dc, GetSysColor(COLOR_INFOBK));
    return GetSysColorBrush(COLOR_INFOBK);
}

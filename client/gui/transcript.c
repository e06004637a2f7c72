/* transcript.c — formatting a conversation into a read-only RichEdit: one paragraph per line,
 * "14:02  alice  text", a stable colour per nickname, grey/amber/red system lines, wrapped
 * lines indented, links detected by RichEdit and opened with ShellExecuteW; the view follows
 * the newest line unless the reader scrolled up. */
#include "transcript.h"

#include <commdlg.h> /* FR_DOWN for EM_FINDTEXTEXW */
#include <shellapi.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "dpi.h"
#include "settings.h"
#include "wstr.h"

#define FONT_TWIPS 200        /* 10 pt: a little larger than the UI font, for reading */
#define FONT_PT_MIN 6         /* TranscriptSize outside these is ignored */
#define FONT_PT_MAX 36
#define HANGING_TWIPS 600     /* wrapped lines start under the nickname, not the time */
#define SPACE_AFTER_TWIPS 40
#define MAX_LINES 5000        /* older lines go, so a long-running session stays light */
#define TRIM_LINES 1000
#define URL_MAX TRANSCRIPT_URL_MAX
#define MARGIN_PX_96 6        /* the text's left and right margins at 96 DPI */

/* The app's theme, attached to each transcript at creation (the app outlives them). */
#define PROP_THEME L"Parley.Theme"

static const theme *theme_of(HWND t)
{
    return (const theme *)GetPropW(t, PROP_THEME);
}

void transcript_face(wchar_t *face, size_t cap)
{
    NONCLIENTMETRICSW ncm;
    DWORD size = (DWORD)(cap * sizeof *face);

    /* A face the user chose (TranscriptFont in the profile's key), else the UI's. */
    if (RegGetValueW(HKEY_CURRENT_USER, settings_key(), L"TranscriptFont", RRF_RT_REG_SZ,
                     NULL, face, &size) == ERROR_SUCCESS && face[0])
        return;
    memset(&ncm, 0, sizeof ncm);
    ncm.cbSize = sizeof ncm;
    /* The face Windows uses for messages (Segoe UI; Wine answers with its own). */
    if (SystemParametersInfoW(SPI_GETNONCLIENTMETRICS, sizeof ncm, &ncm, 0))
        wstr_copy(face, cap, ncm.lfMessageFont.lfFaceName);
    else
        wstr_copy(face, cap, L"Segoe UI");
}

/* Twips as RichEdit should draw them at dpi: it turns twips into pixels at the DPI device
 * contexts report (the system DPI at start), so on a monitor with another DPI the font and
 * indents are scaled here, as the rest of the window is. */
static LONG twips_at(int twips, UINT dpi)
{
    return MulDiv(twips, (int)dpi, (int)dpi_system());
}

/* The conversation's font size: TranscriptSize (points) in the profile's key (Options), else
 * 10 pt. */
static int font_twips(void);

int transcript_font_points(void)
{
    return font_twips() / 20;
}

static int font_twips(void)
{
    DWORD pt = 0, size = sizeof pt;

    if (RegGetValueW(HKEY_CURRENT_USER, settings_key(), L"TranscriptSize", RRF_RT_REG_DWORD, NULL,
                     &pt, &size) == ERROR_SUCCESS && pt >= FONT_PT_MIN && pt <= FONT_PT_MAX)
        return (int)pt * 20;
    return FONT_TWIPS;
}

void transcript_set_dpi(HWND t, UINT dpi)
{
    WORD margin = (WORD)MulDiv(MARGIN_PX_96, (int)dpi, 96);
    CHARFORMAT2W cf;
    PARAFORMAT2 pf;
    CHARRANGE sel, all = {0, -1};

    SendMessageW(t, EM_SETMARGINS, EC_LEFTMARGIN | EC_RIGHTMARGIN, MAKELPARAM(margin, margin));
    /* Face and size alone change (Options may have chosen others): colours, bold and links
     * stay. */
    memset(&cf, 0, sizeof cf);
    cf.cbSize = sizeof cf;
    cf.dwMask = CFM_SIZE | CFM_FACE;
    cf.yHeight = twips_at(font_twips(), dpi);
    transcript_face(cf.szFaceName, LF_FACESIZE);
    SendMessageW(t, EM_SETCHARFORMAT, SCF_ALL, (LPARAM)&cf);
    memset(&pf, 0, sizeof pf);
    pf.cbSize = sizeof pf;
    pf.dwMask = PFM_OFFSET | PFM_SPACEAFTER;
    pf.dxOffset = twips_at(HANGING_TWIPS, dpi);
    pf.dySpaceAfter = twips_at(SPACE_AFTER_TWIPS, dpi);
    transcript_save_place(t);
    transcript_emoji_refresh(t); /* the face just set covered the emoji too */
    SendMessageW(t, EM_EXGETSEL, 0, (LPARAM)&sel);
    SendMessageW(t, EM_HIDESELECTION, TRUE, 0);
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&all);
    SendMessageW(t, EM_SETPARAFORMAT, 0, (LPARAM)&pf);
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&sel);
    SendMessageW(t, EM_HIDESELECTION, FALSE, 0);
    transcript_restore_place(t);
}

HWND transcript_create(HWND parent, int id, HWND after, const theme *th)
{
    HINSTANCE inst = (HINSTANCE)GetWindowLongPtrW(parent, GWLP_HINSTANCE);
    CHARFORMAT2W cf;
    PARAFORMAT2 pf;
    HWND t;

    t = CreateWindowExW(WS_EX_CLIENTEDGE, MSFTEDIT_CLASS, L"",
                        WS_CHILD | WS_CLIPSIBLINGS | WS_VSCROLL | WS_TABSTOP | ES_MULTILINE | ES_READONLY |
                            ES_AUTOVSCROLL | ES_SAVESEL,
                        0, 0, 10, 10, parent, (HMENU)(INT_PTR)id, inst, NULL);
    if (!t)
        return NULL;
    SetWindowPos(t, after, 0, 0, 0, 0, SWP_NOMOVE | SWP_NOSIZE | SWP_NOACTIVATE);
    SetPropW(t, PROP_THEME, (HANDLE)th);
    SendMessageW(t, EM_SETBKGNDCOLOR, 0, (LPARAM)th->bg);
    /* Scrolling is reported so the "Newest messages" button can follow it. */
    SendMessageW(t, EM_SETEVENTMASK, 0, ENM_LINK | ENM_SCROLL | ENM_SCROLLEVENTS);
    SendMessageW(t, EM_AUTOURLDETECT, TRUE, 0);
    memset(&cf, 0, sizeof cf);
    cf.cbSize = sizeof cf;
    cf.dwMask = CFM_FACE | CFM_SIZE | CFM_COLOR | CFM_CHARSET;
    cf.yHeight = FONT_TWIPS;
    cf.crTextColor = th->text;
    cf.bCharSet = DEFAULT_CHARSET;
    transcript_face(cf.szFaceName, LF_FACESIZE);
    SendMessageW(t, EM_SETCHARFORMAT, SCF_ALL, (LPARAM)&cf);

    memset(&pf, 0, sizeof pf);
    pf.cbSize = sizeof pf;
    pf.dwMask = PFM_OFFSET | PFM_SPACEAFTER;
    pf.dxOffset = HANGING_TWIPS;
    pf.dySpaceAfter = SPACE_AFTER_TWIPS;
    SendMessageW(t, EM_SETPARAFORMAT, 0, (LPARAM)&pf);
    /* Margins, and the sizes above scaled when the window is on a monitor of another DPI. */
    transcript_set_dpi(t, dpi_of_window(parent));
    return t;
}

/* Appends text in one style at the end. */
static void append(HWND t, const wchar_t *text, COLORREF colour, int bold, int italic)
{
    CHARRANGE end = {-1, -1}, at;
    CHARFORMAT2W cf;

    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&end);
    SendMessageW(t, EM_EXGETSEL, 0, (LPARAM)&at);
    memset(&cf, 0, sizeof cf);
    cf.cbSize = sizeof cf;
    cf.dwMask = CFM_COLOR | CFM_BOLD | CFM_ITALIC | CFM_LINK;
    cf.dwEffects = (bold ? CFE_BOLD : 0) | (italic ? CFE_ITALIC : 0);
    cf.crTextColor = colour;
    SendMessageW(t, EM_SETCHARFORMAT, SCF_SELECTION, (LPARAM)&cf);
    SendMessageW(t, EM_REPLACESEL, FALSE, (LPARAM)text);
    transcript_emoji_faces(t, at.cpMin, text);
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&end);
}

/* Whether the reader follows the newest line is remembered on the window itself: while the
 * pane is minimized or has no height, scroll positions mean nothing and cannot be asked. */
#define PROP_UNPINNED L"Parley.Unpinned"
/* Lines arrived while the pane could not scroll: its scroll position is stale until the next
 * layout with a real size pins it again, and must not be read as the reader's choice. */
#define PROP_STALE L"Parley.Stale"

/* 1 if the pane has a real size, so its scroll position says where the reader is. */
static int measurable(HWND t)
{
    RECT rc;
    HWND top = GetAncestor(t, GA_ROOT);

    GetClientRect(t, &rc);
    return rc.bottom - rc.top > 0 && !(top && IsIconic(top));
}

/* 1 if the last line is on screen. Asked of the text itself: RichEdit's scroll information
 * goes stale while everything fits (Wine keeps the page size of the pane's first, tiny size). */
static int at_bottom(HWND t)
{
    int len = GetWindowTextLengthW(t);
    POINTL pt = {0, 0};
    RECT rc;

    if (len <= 0)
        return 1;
    SendMessageW(t, EM_POSFROMCHAR, (WPARAM)&pt, (LPARAM)(len - 1));
    GetClientRect(t, &rc);
    return pt.y < rc.bottom;
}

void transcript_save_place(HWND t)
{
    if (!measurable(t) || GetPropW(t, PROP_STALE))
        return; /* keep what was known while the pane could be measured */
    if (at_bottom(t))
        RemovePropW(t, PROP_UNPINNED);
    else
        SetPropW(t, PROP_UNPINNED, (HANDLE)1);
}

static int pinned(HWND t)
{
    return GetPropW(t, PROP_UNPINNED) == NULL;
}

void transcript_restore_place(HWND t)
{
    /* Scrolling a pane without height would leave the view past the last line; the next
     * layout with a real size pins it. */
    if (!pinned(t))
        return;
    if (measurable(t)) {
        SendMessageW(t, WM_VSCROLL, SB_BOTTOM, 0);
        RemovePropW(t, PROP_STALE);
    } else {
        SetPropW(t, PROP_STALE, (HANDLE)1);
    }
}

int transcript_following(HWND t)
{
    transcript_save_place(t);
    return pinned(t);
}

void transcript_to_newest(HWND t)
{
    RemovePropW(t, PROP_UNPINNED);
    transcript_restore_place(t);
}

void transcript_destroy(HWND t)
{
    RemovePropW(t, PROP_UNPINNED);
    RemovePropW(t, PROP_STALE);
    RemovePropW(t, PROP_THEME);
    DestroyWindow(t);
}

/* Drops the oldest lines once there are too many. The count is of display lines (wrapped
 * ones included), so the cut moves on to the end of the paragraph it falls in: a message is
 * never cut in half. */
static void trim(HWND t)
{
    LRESULT lines = SendMessageW(t, EM_GETLINECOUNT, 0, 0);
    FINDTEXTEXW find;
    CHARRANGE cr;

    if (lines <= MAX_LINES)
        return;
    cr.cpMin = 0;
    cr.cpMax = (LONG)SendMessageW(t, EM_LINEINDEX, TRIM_LINES, 0);
    if (cr.cpMax <= 0)
        return;
    find.chrg.cpMin = cr.cpMax - 1; /* the paragraph mark may be just before the line */
    find.chrg.cpMax = -1;
    find.lpstrText = L"\r";
    if (SendMessageW(t, EM_FINDTEXTEXW, FR_DOWN, (LPARAM)&find) < 0)
        return;
    cr.cpMax = find.chrgText.cpMax;
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&cr);
    SendMessageW(t, EM_REPLACESEL, FALSE, (LPARAM)L"");
}

typedef struct line_state {
    CHARRANGE sel;
    POINT scroll;
    int follow;
} line_state;

/* Starts a new paragraph, remembering the reader's selection and scroll position. */
static void line_begin(HWND t, line_state *st)
{
    SendMessageW(t, EM_EXGETSEL, 0, (LPARAM)&st->sel);
    transcript_save_place(t);
    st->follow = pinned(t);
    SendMessageW(t, EM_GETSCROLLPOS, 0, (LPARAM)&st->scroll);
    SendMessageW(t, EM_HIDESELECTION, TRUE, 0);
    if (GetWindowTextLengthW(t) > 0)
        append(t, L"\r", theme_of(t)->text, 0, 0);
}

static void line_end(HWND t, const line_state *st)
{
    trim(t);
    /* Keep what the reader selected; follow new lines only if they were at the bottom. */
    if (st->sel.cpMin != st->sel.cpMax)
        SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&st->sel);
    SendMessageW(t, EM_HIDESELECTION, FALSE, 0);
    if (st->follow)
        transcript_restore_place(t);
    else
        SendMessageW(t, EM_SETSCROLLPOS, 0, (LPARAM)&st->scroll); /* the reader's place */
}

/* "14:02", or "12/03/2025 14:02" for a day other than today, in the user's locale. */
void transcript_format_time(uint64_t time_ms, wchar_t *out, size_t cap)
{
    SYSTEMTIME utc, local, today;
    ULARGE_INTEGER u;
    FILETIME ft;
    wchar_t date[64], clock[64];

    GetLocalTime(&today);
    if (time_ms == 0) {
        local = today;
    } else {
        /* FILETIME counts 100 ns units from 1601; the wire counts ms from 1970. */
        u.QuadPart = time_ms * 10000u + 116444736000000000ull;
        ft.dwLowDateTime = u.LowPart;
        ft.dwHighDateTime = u.HighPart;
        if (!FileTimeToSystemTime(&ft, &utc) ||
            !SystemTimeToTzSpecificLocalTime(NULL, &utc, &local))
            local = today;
    }
    if (!GetTimeFormatEx(LOCALE_NAME_USER_DEFAULT, TIME_NOSECONDS, &local, NULL, clock, 64))
        wcscpy(clock, L"--:--");
    if (local.wYear == today.wYear && local.wMonth == today.wMonth && local.wDay == today.wDay) {
        wstr_copy(out, cap, clock);
        return;
    }
    if (!GetDateFormatEx(LOCALE_NAME_USER_DEFAULT, DATE_SHORTDATE, &local, NULL, date, 64, NULL))
        date[0] = L'\0';
    _snwprintf(out, cap, L"%ls %ls", date, clock);
    out[cap - 1] = L'\0';
}

/* Message text with its line breaks as soft breaks (\v): a multi-line message stays one
 * paragraph, indented as one. The caller frees the copy. */
static wchar_t *soft_breaks(const wchar_t *text)
{
    size_t n = wcslen(text), i, j = 0;
    wchar_t *out = malloc((n + 1) * sizeof *out);

    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        if (text[i] == L'\r' && text[i + 1] == L'\n')
            continue;
        out[j++] = text[i] == L'\n' || text[i] == L'\r' ? L'\v' : text[i];
    }
    out[j] = L'\0';
    return out;
}

void transcript_add_message(HWND t, uint64_t time_ms, const wchar_t *nick, const wchar_t *text,
                            unsigned flags)
{
    wchar_t when[96];
    wchar_t *body = soft_breaks(text);
    const theme *th = theme_of(t);
    line_state st;

    if (!body)
        return;
    transcript_format_time(time_ms, when, sizeof when / sizeof when[0]);
    line_begin(t, &st);
    append(t, when, th->time, 0, 0);
    /* An action reads as a sentence about its author: "* nora waves". */
    append(t, (flags & TM_ACTION) ? L"  * " : L"  ", th->text, 0, 0);
    append(t, nick, theme_nick(th, nick), 1, 0);
    append(t, (flags & TM_ACTION) ? L" " : L"  ", th->text, 0, 0);
    append(t, body, (flags & TM_HISTORY) ? th->history : th->text, (flags & TM_MENTION) != 0,
           (flags & TM_ACTION) != 0);
    line_end(t, &st);
    free(body);
}

void transcript_add_line(HWND t, uint64_t time_ms, transcript_line kind, const wchar_t *text)
{
    wchar_t when[96];
    wchar_t *body = soft_breaks(text);
    const theme *th = theme_of(t);
    COLORREF colour = kind == TL_ERROR ? th->error : kind == TL_NOTICE ? th->notice : th->info;
    line_state st;

    if (!body)
        return;
    transcript_format_time(time_ms, when, sizeof when / sizeof when[0]);
    line_begin(t, &st);
    append(t, when, th->time, 0, 0);
    append(t, L"  ", th->text, 0, 0);
    append(t, body, colour, kind == TL_ERROR, kind == TL_INFO);
    line_end(t, &st);
    free(body);
}

void transcript_add_divider(HWND t, const wchar_t *text)
{
    FINDTEXTEXW find;
    CHARRANGE cr;
    line_state st;

    /* The earlier divider goes with its paragraph mark (the one before it; after it when it is
     * the first line). */
    find.chrg.cpMin = 0;
    find.chrg.cpMax = -1;
    find.lpstrText = text;
    if (SendMessageW(t, EM_FINDTEXTEXW, FR_DOWN | FR_MATCHCASE, (LPARAM)&find) >= 0) {
        cr = find.chrgText;
        if (cr.cpMin > 0)
            cr.cpMin--;
        else
            cr.cpMax++;
        SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&cr);
        SendMessageW(t, EM_REPLACESEL, FALSE, (LPARAM)L"");
    }
    line_begin(t, &st);
    append(t, text, theme_of(t)->notice, 0, 0);
    line_end(t, &st);
}

static int has_prefix(const wchar_t *s, const wchar_t *prefix)
{
    return _wcsnicmp(s, prefix, wcslen(prefix)) == 0;
}

int transcript_on_link(HWND owner, const ENLINK *link)
{
    wchar_t url[URL_MAX + 8];
    TEXTRANGEW tr;
    CHARRANGE sel;
    LONG len = link->chrg.cpMax - link->chrg.cpMin;
    const wchar_t *target = url;
    wchar_t with_scheme[URL_MAX + 16];

    if (link->msg != WM_LBUTTONUP || len <= 0 || len > URL_MAX)
        return 0;
    /* A drag that selected text ends with a button-up over the link too: not a click. */
    SendMessageW(link->nmhdr.hwndFrom, EM_EXGETSEL, 0, (LPARAM)&sel);
    if (sel.cpMin != sel.cpMax)
        return 0;
    tr.chrg = link->chrg;
    tr.lpstrText = url;
    SendMessageW(link->nmhdr.hwndFrom, EM_GETTEXTRANGE, 0, (LPARAM)&tr);
    /* Only web and mail links: a chat message must never run a file or a custom protocol. */
    if (has_prefix(url, L"www.")) {
        _snwprintf(with_scheme, sizeof with_scheme / sizeof with_scheme[0], L"http://%ls", url);
        with_scheme[sizeof with_scheme / sizeof with_scheme[0] - 1] = L'\0';
        target = with_scheme;
    } else if (!has_prefix(url, L"http://") && !has_prefix(url, L"https://") &&
               !has_prefix(url, L"mailto:")) {
        return 0;
    }
    ShellExecuteW(owner, L"open", target, NULL, NULL, SW_SHOWNORMAL);
    return 1;
}

void transcript_range_format(HWND t, LONG from, LONG to, DWORD mask, CHARFORMAT2W *cf)
{
    CHARRANGE cr;

    cr.cpMin = from;
    cr.cpMax = to;
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&cr);
    memset(cf, 0, sizeof *cf);
    cf->cbSize = sizeof *cf;
    cf->dwMask = mask;
    SendMessageW(t, EM_GETCHARFORMAT, SCF_SELECTION, (LPARAM)cf);
}

/* 1 if the character at cp is part of a link RichEdit detected (it selects it to ask). */
static int is_link_char(HWND t, LONG cp)
{
    CHARFORMAT2W cf;

    transcript_range_format(t, cp, cp + 1, CFM_LINK, &cf);
    return (cf.dwMask & CFM_LINK) && (cf.dwEffects & CFE_LINK);
}

int transcript_link_at(HWND t, const POINT *screen_pt, wchar_t *out, size_t cap)
{
    CHARRANGE saved;
    POINT scroll;
    GETTEXTLENGTHEX gl;
    TEXTRANGEW tr;
    POINTL at;
    POINT client;
    LONG cp, lo, hi, len;
    int found = 0;

    out[0] = L'\0';
    SendMessageW(t, EM_EXGETSEL, 0, (LPARAM)&saved);
    if (screen_pt) {
        client = *screen_pt;
        ScreenToClient(t, &client);
        at.x = client.x;
        at.y = client.y;
        cp = (LONG)SendMessageW(t, EM_CHARFROMPOS, 0, (LPARAM)&at);
    } else {
        cp = saved.cpMin; /* from the keyboard: where the caret is */
    }
    memset(&gl, 0, sizeof gl);
    gl.flags = GTL_NUMCHARS | GTL_PRECISE;
    gl.codepage = 1200;
    len = (LONG)SendMessageW(t, EM_GETTEXTLENGTHEX, (WPARAM)&gl, 0);
    if (cp < 0 || cp >= len || cap < 2)
        return 0;
    /* Asked character by character, with the pane not redrawn meanwhile: the selection moves
     * only to be put back. */
    SendMessageW(t, EM_GETSCROLLPOS, 0, (LPARAM)&scroll);
    SendMessageW(t, WM_SETREDRAW, FALSE, 0);
    SendMessageW(t, EM_HIDESELECTION, TRUE, 0);
    if (is_link_char(t, cp)) {
        lo = cp;
        hi = cp + 1;
        while (lo > 0 && hi - lo < URL_MAX && is_link_char(t, lo - 1))
            lo--;
        while (hi < len && hi - lo < URL_MAX && is_link_char(t, hi))
            hi++;
        if ((size_t)(hi - lo) < cap) {
            tr.chrg.cpMin = lo;
            tr.chrg.cpMax = hi;
            tr.lpstrText = out;
            found = SendMessageW(t, EM_GETTEXTRANGE, 0, (LPARAM)&tr) > 0;
        }
    }
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&saved);
    SendMessageW(t, EM_SETSCROLLPOS, 0, (LPARAM)&scroll);
    SendMessageW(t, EM_HIDESELECTION, FALSE, 0);
    SendMessageW(t, WM_SETREDRAW, TRUE, 0);
    InvalidateRect(t, NULL, FALSE);
    if (!found)
        out[0] = L'\0';
    return found;
}

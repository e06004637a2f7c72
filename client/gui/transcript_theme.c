/* transcript_theme.c — recolouring a transcript when the system's colours change. RichEdit
 * keeps a colour per run of text and no roles, so the text is walked run by run (each found
 * by doubling a selection while its colour stays the same, then halving back to the edge)
 * and each run gets the colour of the same role in the new theme. Bold, italics, links and
 * paragraphs are left alone. (Streaming RTF out and in would be shorter, but Wine's RTF
 * writer loses the hanging indent and the bold state of the first run.) */
#include "transcript.h"

#include <string.h>

/* 1 if every character in [from, to) has the colour c. */
static int uniform(HWND t, LONG from, LONG to, COLORREF c)
{
    CHARFORMAT2W cf;

    transcript_range_format(t, from, to, CFM_COLOR, &cf);
    return (cf.dwMask & CFM_COLOR) && !(cf.dwEffects & CFE_AUTOCOLOR) && cf.crTextColor == c;
}

/* The end of the run of colour c that starts at from (len: the text's length). */
static LONG run_end(HWND t, LONG from, LONG len, COLORREF c)
{
    LONG good = from + 1, bad = len + 1, step = 1;

    /* Gallop: double the run while it stays one colour... */
    while (good < len) {
        LONG probe = good + step < len ? good + step : len;
        if (!uniform(t, from, probe, c)) {
            bad = probe;
            break;
        }
        good = probe;
        step *= 2;
    }
    /* ...then close in on the edge between the last good and the first bad end. */
    while (bad - good > 1) {
        LONG mid = good + (bad - good) / 2;
        if (uniform(t, from, mid, c))
            good = mid;
        else
            bad = mid;
    }
    return good;
}

void transcript_recolour(HWND t, const theme *old, const theme *now)
{
    GETTEXTLENGTHEX gtl = {GTL_NUMCHARS | GTL_PRECISE, 1200};
    LONG len = (LONG)SendMessageW(t, EM_GETTEXTLENGTHEX, (WPARAM)&gtl, 0), cp = 0;
    CHARRANGE keep;
    POINT scroll;

    transcript_save_place(t);
    SendMessageW(t, EM_EXGETSEL, 0, (LPARAM)&keep);
    SendMessageW(t, EM_GETSCROLLPOS, 0, (LPARAM)&scroll);
    SendMessageW(t, WM_SETREDRAW, FALSE, 0);
    SendMessageW(t, EM_HIDESELECTION, TRUE, 0);
    SendMessageW(t, EM_SETBKGNDCOLOR, 0, (LPARAM)now->bg);
    while (cp < len) {
        CHARFORMAT2W cf;
        CHARRANGE cr;
        COLORREF c;
        LONG end;

        transcript_range_format(t, cp, cp + 1, CFM_COLOR, &cf);
        cr.cpMin = cp;
        c = cf.crTextColor;
        end = run_end(t, cp, len, c);
        if (theme_map(old, now, c) != c) {
            cr.cpMax = end;
            SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&cr);
            cf.dwMask = CFM_COLOR;
            cf.dwEffects = 0;
            cf.crTextColor = theme_map(old, now, c);
            SendMessageW(t, EM_SETCHARFORMAT, SCF_SELECTION, (LPARAM)&cf);
        }
        cp = end;
    }
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&keep);
    SendMessageW(t, EM_HIDESELECTION, FALSE, 0);
    SendMessageW(t, EM_SETSCROLLPOS, 0, (LPARAM)&scroll);
    SendMessageW(t, WM_SETREDRAW, TRUE, 0);
    transcript_restore_place(t);
    InvalidateRect(t, NULL, TRUE);
}

/* transcript_emoji.c — the EmojiFont setting: a face for the characters beyond U+FFFF (where
 * emoji are) in a transcript. Windows' RichEdit finds Segoe UI Emoji for them by itself, so
 * by default nothing is done; Wine's RichEdit looks glyphs up in the run's own font only (its
 * Uniscribe reads the font's cmap, so font links do not apply) and draws a box, unless the
 * run is set in a face that has them. */
#include "transcript.h"

#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "wstr.h"

/* The face named by EmojiFont in the profile's key into face; 0 if none is set. */
static int emoji_face(wchar_t *face, size_t cap)
{
    DWORD size = (DWORD)(cap * sizeof *face);

    return RegGetValueW(HKEY_CURRENT_USER, settings_key(), L"EmojiFont", RRF_RT_REG_SZ, NULL,
                        face, &size) == ERROR_SUCCESS && face[0];
}

static int is_pair(const wchar_t *s)
{
    return IS_HIGH_SURROGATE(s[0]) && IS_LOW_SURROGATE(s[1]);
}

/* Sets [from, to) in face; the selection moves (callers put it back or at the end). */
static void set_face(HWND t, LONG from, LONG to, const wchar_t *face)
{
    CHARRANGE cr;
    CHARFORMAT2W cf;

    cr.cpMin = from;
    cr.cpMax = to;
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&cr);
    memset(&cf, 0, sizeof cf);
    cf.cbSize = sizeof cf;
    cf.dwMask = CFM_FACE;
    wstr_copy(cf.szFaceName, LF_FACESIZE, face);
    SendMessageW(t, EM_SETCHARFORMAT, SCF_SELECTION, (LPARAM)&cf);
}

void transcript_emoji_faces(HWND t, LONG at, const wchar_t *text)
{
    wchar_t face[LF_FACESIZE];
    size_t i = 0, end;

    /* Most text has none: the setting is read only for text that has some. */
    while (text[i] && !is_pair(text + i))
        i++;
    if (!text[i] || !emoji_face(face, LF_FACESIZE))
        return;
    while (text[i]) {
        if (!is_pair(text + i)) {
            i++;
            continue;
        }
        /* One run for a sequence of them, e.g. a flag or a family. */
        for (end = i; is_pair(text + end); end += 2)
            ;
        set_face(t, at + (LONG)i, at + (LONG)end, face);
        i = end;
    }
}

void transcript_emoji_refresh(HWND t)
{
    GETTEXTLENGTHEX len_ex = {GTL_NUMCHARS | GTL_PRECISE, 1200};
    GETTEXTEX get;
    CHARRANGE sel;
    LONG len = (LONG)SendMessageW(t, EM_GETTEXTLENGTHEX, (WPARAM)&len_ex, 0);
    wchar_t *text, face[LF_FACESIZE];

    if (len <= 0 || !emoji_face(face, LF_FACESIZE))
        return;
    text = malloc(((size_t)len + 1) * sizeof *text);
    if (!text)
        return;
    /* GT_DEFAULT keeps one character per paragraph end, so indexes are character positions. */
    memset(&get, 0, sizeof get);
    get.cb = (DWORD)(((size_t)len + 1) * sizeof *text);
    get.flags = GT_DEFAULT;
    get.codepage = 1200; /* UTF-16 */
    SendMessageW(t, EM_GETTEXTEX, (WPARAM)&get, (LPARAM)text);
    text[len] = L'\0';
    SendMessageW(t, EM_EXGETSEL, 0, (LPARAM)&sel);
    SendMessageW(t, EM_HIDESELECTION, TRUE, 0);
    transcript_emoji_faces(t, 0, text);
    SendMessageW(t, EM_EXSETSEL, 0, (LPARAM)&sel);
    SendMessageW(t, EM_HIDESELECTION, FALSE, 0);
    free(text);
}

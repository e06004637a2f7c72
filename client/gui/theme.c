/* theme.c — picks the transcript's colours. Light and dark palettes keep nicknames and system
 * lines at a readable contrast on their background; high contrast uses the system's own
 * window colours for everything, as Windows asks of programs in that mode. */
#include "theme.h"

#include <string.h>
#include <wchar.h>

#define PERSONALIZE L"Software\\Microsoft\\Windows\\CurrentVersion\\Themes\\Personalize"

/* For light backgrounds: dark, saturated, each at least 4.5:1 on white. */
static const COLORREF nicks_light[THEME_NICKS] = {
    RGB(0x43, 0x38, 0xa8), RGB(0xb8, 0x32, 0x27), RGB(0x23, 0x82, 0x36), RGB(0x86, 0x3e, 0xa8),
    RGB(0xa8, 0x4a, 0x00), RGB(0x0f, 0x76, 0x76), RGB(0xa8, 0x2f, 0x70), RGB(0x6b, 0x6b, 0x00),
    RGB(0x1f, 0x5f, 0xbf), RGB(0x8c, 0x4a, 0x10), RGB(0x2f, 0x6f, 0x8f), RGB(0xc0, 0x2b, 0x5a),
};

/* For dark backgrounds: the same hues, light enough for 4.5:1 on black and on #1f1f1f. */
static const COLORREF nicks_dark[THEME_NICKS] = {
    RGB(0xa5, 0x9c, 0xff), RGB(0xff, 0x8a, 0x7a), RGB(0x6f, 0xd3, 0x7f), RGB(0xd3, 0x96, 0xf2),
    RGB(0xff, 0xab, 0x5c), RGB(0x5c, 0xd0, 0xd0), RGB(0xf2, 0x8c, 0xc4), RGB(0xd6, 0xd6, 0x5c),
    RGB(0x7f, 0xb2, 0xff), RGB(0xe0, 0xa8, 0x70), RGB(0x8c, 0xc4, 0xe6), RGB(0xff, 0x85, 0xa8),
};

static int high_contrast_on(void)
{
    HIGHCONTRASTW hc;

    memset(&hc, 0, sizeof hc);
    hc.cbSize = sizeof hc;
    return SystemParametersInfoW(SPI_GETHIGHCONTRAST, sizeof hc, &hc, 0) &&
           (hc.dwFlags & HCF_HIGHCONTRASTON);
}

/* Windows 10 and later: "Choose your default app mode: Dark" sets AppsUseLightTheme to 0. */
static int apps_dark(void)
{
    DWORD light = 1, size = sizeof light;

    if (RegGetValueW(HKEY_CURRENT_USER, PERSONALIZE, L"AppsUseLightTheme", RRF_RT_REG_DWORD,
                     NULL, &light, &size) != ERROR_SUCCESS)
        return 0;
    return light == 0;
}

/* 1 if c is a dark colour (perceived brightness under half). */
static int is_dark(COLORREF c)
{
    return GetRValue(c) * 299 + GetGValue(c) * 587 + GetBValue(c) * 114 < 128000;
}

void theme_load(theme *t)
{
    int i, dark_palette;

    memset(t, 0, sizeof *t);
    t->high_contrast = high_contrast_on();
    t->dark = !t->high_contrast && apps_dark();
    if (t->dark) {
        t->bg = RGB(0x1f, 0x1f, 0x1f);
        t->text = RGB(0xf0, 0xf0, 0xf0);
    } else {
        t->bg = GetSysColor(COLOR_WINDOW);
        t->text = GetSysColor(COLOR_WINDOWTEXT);
    }
    if (t->high_contrast) {
        /* Only the user's chosen colours; the kind of line shows in bold and italics. */
        t->time = t->history = t->info = t->notice = t->error = t->text;
        for (i = 0; i < THEME_NICKS; i++)
            t->nicks[i] = t->text;
        return;
    }
    dark_palette = is_dark(t->bg);
    t->time = dark_palette ? RGB(0xa0, 0xa0, 0xa0) : RGB(0x6e, 0x6e, 0x6e);
    t->history = dark_palette ? RGB(0xb8, 0xb8, 0xb8) : RGB(0x5a, 0x5a, 0x5a);
    t->info = dark_palette ? RGB(0xa8, 0xb0, 0xbc) : RGB(0x5f, 0x66, 0x73);
    t->notice = dark_palette ? RGB(0xf0, 0xb4, 0x4c) : RGB(0x8a, 0x52, 0x00);
    t->error = dark_palette ? RGB(0xff, 0x80, 0x70) : RGB(0xc4, 0x2b, 0x1c);
    memcpy(t->nicks, dark_palette ? nicks_dark : nicks_light, sizeof t->nicks);
}

int theme_differs(const theme *a, const theme *b)
{
    return memcmp(a, b, sizeof *a) != 0;
}

COLORREF theme_nick(const theme *t, const wchar_t *nick)
{
    unsigned h = 2166136261u; /* FNV-1a */

    for (; *nick; nick++) {
        h ^= (unsigned)towlower(*nick);
        h *= 16777619u;
    }
    return t->nicks[h % THEME_NICKS];
}

COLORREF theme_map(const theme *old, const theme *t, COLORREF c)
{
    int i;

    /* The most common roles first: where high contrast made several roles one colour, the
     * lines come back as plain text. */
    if (c == old->text)
        return t->text;
    if (c == old->time)
        return t->time;
    if (c == old->history)
        return t->history;
    if (c == old->info)
        return t->info;
    if (c == old->notice)
        return t->notice;
    if (c == old->error)
        return t->error;
    for (i = 0; i < THEME_NICKS; i++)
        if (c == old->nicks[i])
            return t->nicks[i];
    return c;
}

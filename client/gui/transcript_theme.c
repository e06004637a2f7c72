/* transcript_theme.c — recolouring a transcript when the system's colours change: RichEdit
 * keeps a colour per run, so the text goes out as RTF, each entry of its colour table is
 * mapped from the old theme's role to the new one's, and it comes back in. Formatting,
 * paragraphs and links stay as they were. */
#include "transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rtf_buf {
    char *p;
    size_t n, cap;
    size_t pos; /* reading position, for streaming back in */
} rtf_buf;

static DWORD CALLBACK rtf_out(DWORD_PTR cookie, LPBYTE bytes, LONG n, LONG *done)
{
    rtf_buf *b = (rtf_buf *)cookie;
    size_t need = b->n + (size_t)n + 1;

    if (need > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        char *grown;
        while (cap < need)
            cap *= 2;
        grown = realloc(b->p, cap);
        if (!grown)
            return 1; /* non-zero stops the stream */
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->n, bytes, (size_t)n);
    b->n += (size_t)n;
    b->p[b->n] = '\0';
    *done = n;
    return 0;
}

static DWORD CALLBACK rtf_in(DWORD_PTR cookie, LPBYTE bytes, LONG n, LONG *done)
{
    rtf_buf *b = (rtf_buf *)cookie;
    size_t left = b->n - b->pos, take = left < (size_t)n ? left : (size_t)n;

    memcpy(bytes, b->p + b->pos, take);
    b->pos += take;
    *done = (LONG)take;
    return 0;
}

/* Appends text to out (which has room: see recolour_table). */
static void put(rtf_buf *out, const char *text, size_t n)
{
    memcpy(out->p + out->n, text, n);
    out->n += n;
    out->p[out->n] = '\0';
}

/* Copies in to out with every "\redR\greenG\blueB;" of the colour table mapped. Returns 0, or
 * -1 if there is no colour table (nothing to do) or no memory. */
static int recolour_table(const rtf_buf *in, rtf_buf *out, const theme *old, const theme *now)
{
    const char *table = strstr(in->p, "{\\colortbl"), *p, *end;
    char entry[64];

    if (!table)
        return -1;
    /* Each entry can grow from "\red0\green0\blue0;" to at most 30 bytes. */
    out->cap = in->n * 2 + 1024;
    out->p = malloc(out->cap);
    if (!out->p)
        return -1;
    out->n = 0;
    p = table + strlen("{\\colortbl");
    put(out, in->p, (size_t)(p - in->p));
    for (;;) {
        unsigned r = 0, g = 0, b = 0;
        COLORREF c;
        int n = 0;

        end = strpbrk(p, ";}");
        if (!end || *end == '}')
            break;
        if (sscanf(p, " \\red%u\\green%u\\blue%u%n", &r, &g, &b, &n) == 3 && p + n <= end) {
            c = theme_map(old, now, RGB(r, g, b));
            n = snprintf(entry, sizeof entry, "\\red%u\\green%u\\blue%u;",
                         (unsigned)GetRValue(c), (unsigned)GetGValue(c), (unsigned)GetBValue(c));
            put(out, entry, (size_t)n);
        } else {
            put(out, p, (size_t)(end - p + 1)); /* the "auto" entry, or one we do not know */
        }
        p = end + 1;
    }
    put(out, p, strlen(p));
    return 0;
}

void transcript_recolour(HWND t, const theme *old, const theme *now)
{
    rtf_buf in, out;
    EDITSTREAM es;

    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    SendMessageW(t, EM_SETBKGNDCOLOR, 0, (LPARAM)now->bg);
    memset(&es, 0, sizeof es);
    es.dwCookie = (DWORD_PTR)&in;
    es.pfnCallback = rtf_out;
    SendMessageW(t, EM_STREAMOUT, SF_RTF, (LPARAM)&es);
    if (!es.dwError && in.p && recolour_table(&in, &out, old, now) == 0) {
        transcript_save_place(t);
        SendMessageW(t, WM_SETREDRAW, FALSE, 0);
        es.dwCookie = (DWORD_PTR)&out;
        es.pfnCallback = rtf_in;
        SendMessageW(t, EM_STREAMIN, SF_RTF, (LPARAM)&es);
        SendMessageW(t, WM_SETREDRAW, TRUE, 0);
        transcript_restore_place(t);
        InvalidateRect(t, NULL, TRUE);
    }
    free(in.p);
    free(out.p);
}

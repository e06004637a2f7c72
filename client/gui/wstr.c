/* wstr.c — UTF-8 ⇄ UTF-16 with MultiByteToWideChar/WideCharToMultiByte, and string-table
 * helpers: LoadStringW and FormatMessageW with %1..%n inserts. */
#include "wstr.h"

#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#define FORMAT_MAX 4096 /* longest string-table entry, in UTF-16 units */

wchar_t *wstr_from_utf8(const char *s, size_t n)
{
    int len, wlen;
    wchar_t *w;

    if (n == (size_t)-1)
        n = strlen(s);
    if (n > (size_t)INT_MAX / 2)
        return NULL;
    len = (int)n;
    /* Flags 0 (not MB_ERR_INVALID_CHARS): a bad byte from the wire shows as U+FFFD rather than
     * losing the whole line. */
    wlen = len ? MultiByteToWideChar(CP_UTF8, 0, s, len, NULL, 0) : 0;
    w = malloc(((size_t)wlen + 1) * sizeof *w);
    if (!w)
        return NULL;
    if (wlen)
        MultiByteToWideChar(CP_UTF8, 0, s, len, w, wlen);
    w[wlen] = L'\0';
    return w;
}

char *wstr_to_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;

    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (!s)
        return NULL;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

void wstr_from_utf8_into(wchar_t *dst, size_t cap, const char *s, size_t n)
{
    wchar_t *w;

    if (!cap)
        return;
    w = wstr_from_utf8(s, n);
    if (!w) {
        dst[0] = L'\0';
        return;
    }
    wstr_copy(dst, cap, w);
    free(w);
}

int wstr_to_utf8_into(char *dst, size_t cap, const wchar_t *w)
{
    int n;

    if (!cap || cap > INT_MAX)
        return -1;
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, dst, (int)cap, NULL, NULL);
    if (n <= 0) {
        dst[0] = '\0';
        return -1;
    }
    return 0;
}

wchar_t *wstr_load(unsigned id, wchar_t *dst, size_t cap)
{
    const wchar_t *res = NULL;
    int len;

    if (!cap)
        return dst;
    /* With a zero size LoadStringW hands back a pointer into the read-only resource and its
     * length (the text is not NUL-terminated there). */
    len = LoadStringW(GetModuleHandleW(NULL), id, (LPWSTR)(void *)&res, 0);
    if (len <= 0 || !res) {
        dst[0] = L'\0';
        return dst;
    }
    if ((size_t)len >= cap)
        len = (int)cap - 1;
    memcpy(dst, res, (size_t)len * sizeof *dst);
    dst[len] = L'\0';
    return dst;
}

/* FormatMessageW over a loaded string; the result is LocalAlloc'ed (NULL on failure). */
static wchar_t *format_va(unsigned id, va_list *ap)
{
    wchar_t *fmt, *out = NULL;

    fmt = malloc(FORMAT_MAX * sizeof *fmt);
    if (!fmt)
        return NULL;
    wstr_load(id, fmt, FORMAT_MAX);
    if (!FormatMessageW(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ALLOCATE_BUFFER, fmt, 0, 0,
                        (LPWSTR)(void *)&out, 0, ap))
        out = NULL;
    free(fmt);
    return out;
}

wchar_t *wstr_format(unsigned id, ...)
{
    wchar_t *local, *copy;
    va_list ap;

    va_start(ap, id);
    local = format_va(id, &ap);
    va_end(ap);
    if (!local)
        return wstr_dup(L"");
    copy = wstr_dup(local);
    LocalFree(local);
    return copy;
}

wchar_t *wstr_format_into(wchar_t *dst, size_t cap, unsigned id, ...)
{
    wchar_t *local;
    va_list ap;

    if (!cap)
        return dst;
    va_start(ap, id);
    local = format_va(id, &ap);
    va_end(ap);
    wstr_copy(dst, cap, local ? local : L"");
    if (local)
        LocalFree(local);
    return dst;
}

wchar_t *wstr_dup(const wchar_t *w)
{
    size_t n = wcslen(w) + 1;
    wchar_t *d = malloc(n * sizeof *d);

    if (d)
        memcpy(d, w, n * sizeof *d);
    return d;
}

void wstr_copy(wchar_t *dst, size_t cap, const wchar_t *src)
{
    size_t n;

    if (!cap)
        return;
    n = wcslen(src);
    if (n >= cap) {
        n = cap - 1;
        /* Never split a surrogate pair. */
        if (n && src[n - 1] >= 0xD800 && src[n - 1] <= 0xDBFF)
            n--;
    }
    memcpy(dst, src, n * sizeof *dst);
    dst[n] = L'\0';
}

void wstr_trim(wchar_t *s)
{
    size_t n = wcslen(s), start = 0;

    while (n && iswspace(s[n - 1]))
        s[--n] = L'\0';
    while (start < n && iswspace(s[start]))
        start++;
    memmove(s, s + start, (n - start + 1) * sizeof *s);
}

wchar_t *wstr_win_error(unsigned long code, wchar_t *out, size_t cap)
{
    if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                        (DWORD)code, 0, out, (DWORD)cap, NULL))
        _snwprintf(out, cap, L"error %lu", code);
    out[cap - 1] = L'\0';
    wstr_trim(out); /* the system's sentences end with a line break */
    return out;
}

/* wstr.h — text for the Win32 UI: UTF-8 (wire) ⇄ UTF-16 (Windows) conversions and the string
 * table (LoadStringW, FormatMessageW inserts). */
#ifndef PARLEY_GUI_WSTR_H
#define PARLEY_GUI_WSTR_H

#include <stddef.h>
#include <wchar.h>

/* UTF-8 (n bytes, or up to the NUL when n is (size_t)-1) to a new UTF-16 string. Invalid
 * sequences become U+FFFD. Returns NULL only when out of memory; the caller frees it. */
wchar_t *wstr_from_utf8(const char *s, size_t n);
/* UTF-16 to a new NUL-terminated UTF-8 string (lone surrogates become U+FFFD). The caller frees
 * it; NULL when out of memory. */
char *wstr_to_utf8(const wchar_t *w);
/* UTF-8 into a fixed buffer, truncated at a character boundary; always terminated. */
void wstr_from_utf8_into(wchar_t *dst, size_t cap, const char *s, size_t n);
/* UTF-16 into a fixed UTF-8 buffer. Returns 0, or -1 if it does not fit (dst is then ""). */
int wstr_to_utf8_into(char *dst, size_t cap, const wchar_t *w);

/* Copies string resource `id` into dst (always terminated; "" if missing). Returns dst. */
wchar_t *wstr_load(unsigned id, wchar_t *dst, size_t cap);
/* Formats string resource `id` with FormatMessage inserts %1..%n, each a const wchar_t *.
 * Returns a new string the caller frees, or NULL when out of memory. */
wchar_t *wstr_format(unsigned id, ...);
/* The same into a fixed buffer (truncated; always terminated). Returns dst. */
wchar_t *wstr_format_into(wchar_t *dst, size_t cap, unsigned id, ...);

/* A copy the caller frees (NULL if out of memory). */
wchar_t *wstr_dup(const wchar_t *w);
/* Copies with truncation; always terminated. */
void wstr_copy(wchar_t *dst, size_t cap, const wchar_t *src);
/* Removes white space at both ends of s, in place. */
void wstr_trim(wchar_t *s);
/* Windows' own sentence for error code into out ("Access is denied."), or "error N" when it
 * has none. Returns out. */
wchar_t *wstr_win_error(unsigned long code, wchar_t *out, size_t cap);

#endif

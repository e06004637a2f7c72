/* utf8.c — strict UTF-8 decoding and validation following the well-formed byte sequences of
 * Unicode's Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF. */
#include "utf8.h"

#include <stddef.h>
#include <stdint.h>

size_t utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t len, i;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint8_t b0;

    if (n == 0)
        return 0;
    b0 = p[0];
    if (b0 < 0x80) {
        if (cp)
            *cp = b0;
        return 1;
    }
    /* C0 and C1 could only start overlong two-byte forms; F5..FF would exceed U+10FFFF. */
    if (b0 < 0xC2 || b0 > 0xF4)
        return 0;
    if (b0 < 0xE0) {
        len = 2;
        c = b0 & 0x1Fu;
    } else if (b0 < 0xF0) {
        len = 3;
        c = b0 & 0x0Fu;
        if (b0 == 0xE0)
            lo = 0xA0; /* below: overlong */
        else if (b0 == 0xED)
            hi = 0x9F; /* above: UTF-16 surrogates D800..DFFF */
    } else {
        len = 4;
        c = b0 & 0x07u;
        if (b0 == 0xF0)
            lo = 0x90; /* below: overlong */
        else if (b0 == 0xF4)
            hi = 0x8F; /* above: past U+10FFFF */
    }
    if (n < len)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        c = c << 6 | (p[i] & 0x3Fu);
    }
    if (cp)
        *cp = c;
    return len;
}

size_t utf8_encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0u | cp >> 6);
        out[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0u | cp >> 12);
        out[1] = (uint8_t)(0x80u | (cp >> 6 & 0x3Fu));
        out[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    out[0] = (uint8_t)(0xF0u | cp >> 18);
    out[1] = (uint8_t)(0x80u | (cp >> 12 & 0x3Fu));
    out[2] = (uint8_t)(0x80u | (cp >> 6 & 0x3Fu));
    out[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
    return 4;
}

int utf8_valid(const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t i = 0;

    while (i < n) {
        size_t len;
        if (s[i] < 0x80) { /* ASCII fast path: most text is mostly ASCII */
            i++;
            continue;
        }
        len = utf8_decode(s + i, n - i, NULL);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

int utf8_valid_text(const void *p, size_t n, int allow_newlines)
{
    const uint8_t *s = p;
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0)
            return 0;
        if (cp < 0x20 && !(allow_newlines && (cp == '\n' || cp == '\t')))
            return 0;
        if (cp >= 0x7F && cp <= 0x9F) /* DEL and the C1 controls */
            return 0;
        i += len;
    }
    return 1;
}

/* Invalid bytes count as one code point each, as a decoder substituting U+FFFD would see them. */
size_t utf8_count(const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t i = 0, count = 0;

    while (i < n) {
        size_t len = utf8_decode(s + i, n - i, NULL);
        i += len ? len : 1;
        count++;
    }
    return count;
}

/* base64.c — RFC 4648 base64: padded encoding, and a strict decoder that accepts only the one
 * canonical spelling of each byte string (so a proof has exactly one textual form). */
#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long base64_encode(const void *p, size_t n, char *out, size_t cap)
{
    const uint8_t *b = p;
    size_t i, at = 0;

    if (BASE64_LEN(n) + 1 > cap || BASE64_LEN(n) < n)
        return -1;
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        out[at++] = alphabet[v >> 18];
        out[at++] = alphabet[v >> 12 & 63u];
        out[at++] = alphabet[v >> 6 & 63u];
        out[at++] = alphabet[v & 63u];
    }
    if (n - i > 0) {
        uint32_t v = (uint32_t)b[i] << 16 | (n - i == 2 ? (uint32_t)b[i + 1] << 8 : 0u);
        out[at++] = alphabet[v >> 18];
        out[at++] = alphabet[v >> 12 & 63u];
        out[at++] = n - i == 2 ? alphabet[v >> 6 & 63u] : '=';
        out[at++] = '=';
    }
    out[at] = '\0';
    return (long)at;
}

/* The 6-bit value of c, or -1. */
static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long base64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t i, at = 0;

    if (n % 4 != 0)
        return -1;
    for (i = 0; i < n; i += 4) {
        int v[4], k, pad = 0;
        uint32_t bits;
        for (k = 0; k < 4; k++) {
            /* '=' only as the last one or two characters of the last group. */
            if (s[i + (size_t)k] == '=' && i + 4 == n && k >= 2 && (k == 3 || s[i + 3] == '=')) {
                v[k] = 0;
                pad++;
            } else if ((v[k] = sextet(s[i + (size_t)k])) < 0 || pad) {
                return -1;
            }
        }
        bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        if ((pad == 1 && (bits & 0xFFu)) || (pad == 2 && (bits & 0xFFFFu)))
            return -1; /* non-zero bits under the padding: not the canonical spelling */
        if (at + 3 - (size_t)pad > cap)
            return -1;
        out[at++] = (uint8_t)(bits >> 16);
        if (pad < 2)
            out[at++] = (uint8_t)(bits >> 8);
        if (pad < 1)
            out[at++] = (uint8_t)bits;
    }
    return (long)at;
}

/* names.h — ASCII case folding for room and nick names, shared by history, bans and the core:
 * names compare and hash equal regardless of ASCII case; other bytes (UTF-8) compare exactly. */
#ifndef PARLEY_NAMES_H
#define PARLEY_NAMES_H

#include <stddef.h>
#include <stdint.h>

static inline unsigned char names_fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* 1 if a and b are equal after ASCII folding. */
static inline int names_equal_ci(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; *x && *y; x++, y++)
        if (names_fold(*x) != names_fold(*y))
            return 0;
    return *x == *y;
}

/* FNV-1a over the folded bytes: equal names (per names_equal_ci) hash equal. */
static inline uint32_t names_hash_ci(const char *s)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= names_fold(*p);
        h *= 16777619u;
    }
    return h;
}

#endif

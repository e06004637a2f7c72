/* utf8.h — strict UTF-8 validation (no overlongs, no surrogates, nothing past U+10FFFF). */
#ifndef PARLEY_UTF8_H
#define PARLEY_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 if p[0..n) is well-formed UTF-8, else 0. */
int utf8_valid(const void *p, size_t n);
/* Like utf8_valid, and also refuses NUL and C0/C1 control characters
 * except, when allow_newlines is set, '\n' and '\t'. */
int utf8_valid_text(const void *p, size_t n, int allow_newlines);
/* Number of code points in valid UTF-8. */
size_t utf8_count(const void *p, size_t n);
/* Decodes one code point at p (n bytes available); returns its length, or 0 if invalid. */
size_t utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);
/* Encodes cp (a scalar value: not a surrogate, at most U+10FFFF) into out[0..4); returns its
 * length, or 0 if cp is not a scalar value. */
size_t utf8_encode(uint32_t cp, uint8_t out[4]);

#endif

/* base64.h — RFC 4648 base64 (standard alphabet, padded), as SCRAM's messages carry salts,
 * proofs and signatures. */
#ifndef PARLEY_BASE64_H
#define PARLEY_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters base64_encode writes for n bytes, without the NUL. */
#define BASE64_LEN(n) (((n) + 2u) / 3u * 4u)

/* Encodes p[0..n) NUL-terminated into out[0..cap); returns the length, or -1 if it does not fit. */
long base64_encode(const void *p, size_t n, char *out, size_t cap);
/* Decodes s[0..n) into out[0..cap); returns the byte count, or -1 if s is not canonical padded
 * base64 (wrong length, stray character, non-zero pad bits) or does not fit. */
long base64_decode(const char *s, size_t n, uint8_t *out, size_t cap);

#endif

/* hex.h — hexadecimal digits and byte strings, for files and test data that spell bytes in hex. */
#ifndef PARLEY_HEX_H
#define PARLEY_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit (either case): 0..15, or -1 if c is not one. */
int hex_digit_value(char c);

/* Decodes the n characters of text, two digits a byte, into out (cap bytes). Returns the number
 * of bytes written, or -1 if a character is not a hex digit, n is odd or out is too small. */
long hex_decode(const char *text, size_t n, uint8_t *out, size_t cap);

#endif

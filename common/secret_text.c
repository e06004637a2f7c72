/* secret_text.c — secret_normalize: what bytes of a typed or stored secret are the secret. Every
 * reader of a secret calls it, so a key file saved with a BOM or a trailing newline or space
 * works the same on every side. */
#include "secret_text.h"

#include <string.h>

size_t secret_normalize(char *s, size_t n)
{
    size_t len = n;

    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        memmove(s, s + 3, len - 3);
        len -= 3;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                       s[len - 1] == '\n'))
        len--;
    if (len < n)
        s[len] = '\0';
    return len;
}

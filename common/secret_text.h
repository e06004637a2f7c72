/* secret_text.h — the one definition of a shared secret's bytes, as read from a file, a
 * setting, the environment or a prompt (docs/PROTOCOL.md, "The secret's bytes"). */
#ifndef PARLEY_SECRET_TEXT_H
#define PARLEY_SECRET_TEXT_H

#include <stddef.h>

/* Normalises the secret in s[0..n) in place: removes a UTF-8 byte order mark (EF BB BF) at
 * the start, then every trailing space, tab, carriage return and line feed; nothing else.
 * Returns the new length; when it is shorter than n, s[new length] is set to '\0' so a
 * NUL-terminated string stays terminated. Used by the server, parley-cli and the GUI. */
size_t secret_normalize(char *s, size_t n);

#endif

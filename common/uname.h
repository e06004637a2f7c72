/* uname.h — the rules for names in any script (nicks, account names, display names): UAX #31
 * identifiers in NFC, compared by full case folding, refused when they mix scripts (UTS #39
 * "Highly Restrictive"). The rules are spelled out in docs/PROTOCOL.md, "Names". */
#ifndef PARLEY_UNAME_H
#define PARLEY_UNAME_H

#include <stddef.h>

/* Longest name accepted before normalisation, in bytes. */
#define UNAME_MAX_INPUT 128u
/* Room for the comparison key of a name of n bytes: folding grows UTF-8 at most threefold. */
#define UNAME_KEY_CAP(n) ((n) * 3u + 1u)

typedef enum uname_kind {
    UNAME_NICK,   /* nicks and login names: one word */
    UNAME_DISPLAY /* display names: may also hold single spaces and apostrophes */
} uname_kind;

/* Checks in[0..n) as a name of this kind and writes its NFC form, NUL-terminated, to out[0..cap).
 * Returns 0, or -1 with a one-line reason in err[0..errcap) (a name whose NFC form does not fit
 * cap is refused as too long). */
int uname_prepare(const char *in, size_t n, uname_kind kind, char *out, size_t cap, char *err,
                  size_t errcap);

/* The comparison key of name[0..n) (valid UTF-8): NFC(casefold(NFD(name))), written
 * NUL-terminated to out[0..cap). Two names are one name exactly when their keys are equal.
 * Returns 0, or -1 if name is not valid UTF-8, is longer than UNAME_MAX_INPUT or cap is short. */
int uname_key(const char *name, size_t n, char *out, size_t cap);

/* 1 if NUL-terminated a and b are one name (equal keys), 0 if not or if either has no key. */
int uname_same(const char *a, const char *b);

#endif

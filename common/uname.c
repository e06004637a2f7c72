/* uname.c — name rules for any script: NFC, UAX #31 identifiers plus a documented handful of
 * punctuation, UTS #39 mixed-script refusal, and case-insensitive comparison keys. */
#include "uname.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "uni.h"
#include "utf8.h"

/* Room for a name at every stage: decoding gives at most one code point per byte, NFD at most 4
 * per code point (UNI_MAX_EXPANSION), folding at most 3, and NFD after folding again. */
#define UNAME_WORK (UNAME_MAX_INPUT * 4u * 3u * 2u)

/* ASCII punctuation every nick could hold before names went beyond ASCII; kept so that no
 * existing nick becomes invalid. '_' is XID_Continue already. */
static const char nick_punct[] = "-.[]{}|^";

static void set_err(char *err, size_t errcap, const char *msg, uint32_t cp)
{
    if (!err || errcap == 0)
        return;
    if (cp == UINT32_MAX)
        snprintf(err, errcap, "%s", msg);
    else
        snprintf(err, errcap, "%s (U+%04X)", msg, (unsigned)cp);
}

/* Decodes s[0..n) into cps[0..cap); returns the count, or UNI_OVERFLOW if s is not valid UTF-8
 * or does not fit. */
static size_t decode_all(const char *s, size_t n, uint32_t *cps, size_t cap)
{
    size_t i = 0, count = 0;
    while (i < n) {
        size_t len;
        if (count == cap)
            return UNI_OVERFLOW;
        len = utf8_decode((const uint8_t *)s + i, n - i, &cps[count]);
        if (len == 0)
            return UNI_OVERFLOW;
        count++;
        i += len;
    }
    return count;
}

/* Encodes cps[0..n) NUL-terminated into out[0..cap); -1 if it does not fit. */
static int encode_all(const uint32_t *cps, size_t n, char *out, size_t cap)
{
    size_t i, at = 0;
    for (i = 0; i < n; i++) {
        uint8_t b[4];
        size_t len = utf8_encode(cps[i], b);
        if (len == 0 || at + len + 1 > cap)
            return -1;
        memcpy(out + at, b, len);
        at += len;
    }
    if (cap == 0)
        return -1;
    out[at] = '\0';
    return 0;
}

static int display_punct(uint32_t cp)
{
    return cp == ' ' || cp == '\'' || cp == 0x2019; /* space, apostrophe, right single quote */
}

/* The character rules over an NFC name; returns the index of the first bad one, or n. */
static size_t first_bad_char(const uint32_t *cps, size_t n, uname_kind kind, const char **why)
{
    size_t i;
    *why = "must start with a letter";
    if (!uni_is_xid_start(cps[0]))
        return 0;
    for (i = 1; i < n; i++) {
        uint32_t cp = cps[i];
        *why = "is invisible and not allowed in a name";
        if (uni_is_default_ignorable(cp))
            return i;
        if (uni_is_xid_continue(cp) || (cp < 0x80 && strchr(nick_punct, (int)cp) && cp != 0))
            continue;
        *why = "is not allowed in a name";
        if (kind != UNAME_DISPLAY || !display_punct(cp))
            return i;
        *why = "cannot end a name";
        if (i == n - 1)
            return i;
        *why = "two spaces in a row are not allowed in a name";
        if (cp == ' ' && cps[i + 1] == ' ')
            return i;
    }
    return n;
}

int uname_prepare(const char *in, size_t n, uname_kind kind, char *out, size_t cap, char *err,
                  size_t errcap)
{
    uint32_t raw[UNAME_MAX_INPUT], nfc[UNAME_WORK];
    size_t nraw, len, bad;
    const char *why;
    char msg[128];

    if (n == 0) {
        set_err(err, errcap, "a name cannot be empty", UINT32_MAX);
        return -1;
    }
    if (n > UNAME_MAX_INPUT) {
        snprintf(msg, sizeof msg, "a name is at most %u bytes", UNAME_MAX_INPUT);
        set_err(err, errcap, msg, UINT32_MAX);
        return -1;
    }
    if (!utf8_valid_text(in, n, 0)) {
        set_err(err, errcap, "a name must be UTF-8 text without control characters", UINT32_MAX);
        return -1;
    }
    nraw = decode_all(in, n, raw, UNAME_MAX_INPUT);
    len = nraw == UNI_OVERFLOW ? UNI_OVERFLOW : uni_nfc(raw, nraw, nfc, UNAME_WORK);
    if (len == UNI_OVERFLOW || len == 0) {
        set_err(err, errcap, "a name cannot be normalised", UINT32_MAX);
        return -1;
    }
    bad = first_bad_char(nfc, len, kind, &why);
    if (bad < len) {
        snprintf(msg, sizeof msg, "character %zu %s", bad + 1, why);
        set_err(err, errcap, msg, nfc[bad]);
        return -1;
    }
    if (!uni_highly_restrictive(nfc, len, &bad)) {
        snprintf(msg, sizeof msg, "a name cannot mix scripts: character %zu is %s, not %s",
                 bad + 1, uni_script_code(nfc[bad]), uni_script_code(nfc[0]));
        set_err(err, errcap, msg, nfc[bad]);
        return -1;
    }
    if (encode_all(nfc, len, out, cap) != 0) {
        snprintf(msg, sizeof msg, "a name is at most %zu bytes once normalised to NFC",
                 cap ? cap - 1 : 0);
        set_err(err, errcap, msg, UINT32_MAX);
        return -1;
    }
    return 0;
}

int uname_key(const char *name, size_t n, char *out, size_t cap)
{
    uint32_t raw[UNAME_MAX_INPUT], a[UNAME_WORK], b[UNAME_WORK];
    size_t len;

    if (n > UNAME_MAX_INPUT)
        return -1;
    len = decode_all(name, n, raw, UNAME_MAX_INPUT);
    /* Canonical caseless matching (The Unicode Standard, D145): NFD, fold, NFD again; the key
     * is the NFC of that, which is equal exactly when the NFD forms are. */
    if (len != UNI_OVERFLOW)
        len = uni_nfd(raw, len, a, UNAME_WORK);
    if (len != UNI_OVERFLOW)
        len = uni_casefold(a, len, b, UNAME_WORK);
    if (len != UNI_OVERFLOW)
        len = uni_nfc(b, len, a, UNAME_WORK);
    if (len == UNI_OVERFLOW)
        return -1;
    return encode_all(a, len, out, cap);
}

int uname_same(const char *a, const char *b)
{
    char ka[UNAME_KEY_CAP(UNAME_MAX_INPUT)], kb[UNAME_KEY_CAP(UNAME_MAX_INPUT)];
    if (uname_key(a, strlen(a), ka, sizeof ka) != 0 || uname_key(b, strlen(b), kb, sizeof kb) != 0)
        return 0;
    return strcmp(ka, kb) == 0;
}

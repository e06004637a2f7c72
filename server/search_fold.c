/* search_fold.c — folds message texts and query words into the one form search compares:
 * NFC(casefold(NFD(text))) like names (uname_key), words kept, everything else one space. */
#include "search_fold.h"

#include <string.h>

#include "uni.h"
#include "utf8.h"

/* Texts are folded a piece at a time on the stack. A piece ends before a character that is
 * not part of a word, or after SEG_MAX code points at a starter (ccc 0), where cutting cannot
 * change what normalisation does to the characters on either side in practice. */
#define SEG_MAX 256u
#define SEG_WORK (SEG_MAX * 12u) /* NFD grows a text at most 4x, full folding 3x more */

static int ascii_word(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* Writes one space unless out already ends with one. */
static void put_space(buf *out)
{
    if (out->len == 0 || out->data[out->len - 1] != ' ')
        buf_put_u8(out, ' ');
}

/* The all-ASCII case, by far the most common: folding is lower-casing. */
static void fold_ascii(const char *text, size_t n, buf *out)
{
    uint8_t *p = buf_reserve(out, n + 1);
    size_t i, len = out->len;

    if (!p)
        return;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ascii_word(ch)) {
            out->data[len++] = (uint8_t)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        } else if (len == 0 || out->data[len - 1] != ' ') {
            out->data[len++] = ' ';
        }
    }
    out->len = len;
}

static int fold_segment(const uint32_t *cps, size_t n, buf *out)
{
    uint32_t a[SEG_WORK], b[SEG_WORK];
    size_t len, i;

    len = uni_nfd(cps, n, a, SEG_WORK);
    if (len != UNI_OVERFLOW)
        len = uni_casefold(a, len, b, SEG_WORK);
    if (len != UNI_OVERFLOW)
        len = uni_nfc(b, len, a, SEG_WORK);
    if (len == UNI_OVERFLOW)
        return -1; /* cannot happen within SEG_WORK; refuse rather than cut a word */
    for (i = 0; i < len; i++) {
        uint8_t enc[4];
        size_t k;
        if (!uni_is_xid_continue(a[i])) {
            put_space(out);
            continue;
        }
        k = utf8_encode(a[i], enc);
        buf_append(out, enc, k);
    }
    return 0;
}

int search_fold(const char *text, size_t n, buf *out)
{
    uint32_t seg[SEG_MAX];
    size_t nseg = 0, pos = 0, i;
    int ascii = 1;

    put_space(out);
    for (i = 0; i < n && ascii; i++)
        ascii = (unsigned char)text[i] < 0x80;
    if (ascii) {
        fold_ascii(text, n, out);
        return buf_failed(out) ? -1 : 0;
    }
    while (pos < n) {
        uint32_t cp;
        size_t k = utf8_decode((const uint8_t *)text + pos, n - pos, &cp);
        if (k == 0) {
            out->failed = 1;
            return -1;
        }
        pos += k;
        if (!uni_is_xid_continue(cp) && uni_ccc(cp) == 0) {
            /* A separator: fold what came before it; the separator becomes a space. Combining
             * marks (ccc != 0) never end a piece: they stay with their base. */
            if (nseg && fold_segment(seg, nseg, out) != 0)
                goto fail;
            nseg = 0;
            put_space(out);
            continue;
        }
        if (nseg == SEG_MAX || (nseg >= SEG_MAX - 16 && uni_ccc(cp) == 0)) {
            if (fold_segment(seg, nseg, out) != 0)
                goto fail;
            nseg = 0;
        }
        seg[nseg++] = cp;
    }
    if (nseg && fold_segment(seg, nseg, out) != 0)
        goto fail;
    return buf_failed(out) ? -1 : 0;

fail:
    out->failed = 1;
    return -1;
}

int search_fold_unspaced(const char *w, size_t n)
{
    static const char *const scripts[] = {"Hani", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr"};
    uint32_t cp;
    size_t i;
    const char *code;

    if (utf8_decode((const uint8_t *)w, n, &cp) == 0)
        return 0;
    code = uni_script_code(cp);
    for (i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
        if (strcmp(code, scripts[i]) == 0)
            return 1;
    return 0;
}

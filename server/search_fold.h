/* search_fold.h — the text form search matches on: canonical caseless matching (the fold names
 * use, docs/PROTOCOL.md "Names") applied to whole texts, with everything that is not part of a
 * word turned into a single space. Portable. */
#ifndef PARLEY_SEARCH_FOLD_H
#define PARLEY_SEARCH_FOLD_H

#include <stddef.h>

#include "buf.h"

/* Appends to out " w1 w2 ... wn" for text[0..n) (valid UTF-8): NFC(casefold(NFD(text))), with
 * each run of characters that are not XID_Continue (spaces, punctuation, symbols, emoji)
 * written as one space, and a space in front so that " word" finds a word's start. No NUL is
 * appended. Returns 0, or -1 (out marked failed) if out of memory or text is not UTF-8. */
int search_fold(const char *text, size_t n, buf *out);

/* 1 if the folded word w[0..n) (no spaces) is written in a script that does not separate words
 * with spaces (Han, Hiragana, Katakana, Thai, ...): it may then match inside a run. */
int search_fold_unspaced(const char *w, size_t n);

#endif

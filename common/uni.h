/* uni.h — Unicode normalisation (NFD, NFC), full case folding and the character properties that
 * name rules need (XID_Start/XID_Continue, script sets), driven by the generated uni_tables.c. */
#ifndef PARLEY_UNI_H
#define PARLEY_UNI_H

#include <stddef.h>
#include <stdint.h>

/* Unicode version the tables were generated from, e.g. "15.0.0". */
const char *uni_version(void);

/* Canonical combining class of cp (0 for starters and unassigned code points). */
unsigned uni_ccc(uint32_t cp);
int uni_is_xid_start(uint32_t cp);
int uni_is_xid_continue(uint32_t cp);
/* Invisible in rendering (variation selectors, joiners, ...): a spoofing risk inside names. */
int uni_is_default_ignorable(uint32_t cp);

/* The transforms below read in[0..n) and write to out[0..cap), which must not overlap in.
 * Each returns the number of code points written, or UNI_OVERFLOW if cap is too small. */
#define UNI_OVERFLOW ((size_t)-1)
size_t uni_nfd(const uint32_t *in, size_t n, uint32_t *out, size_t cap);
size_t uni_nfc(const uint32_t *in, size_t n, uint32_t *out, size_t cap);
/* Full case folding (CaseFolding.txt statuses C and F), one code point at a time. */
size_t uni_casefold(const uint32_t *in, size_t n, uint32_t *out, size_t cap);

/* UTS #39 restriction level "Highly Restrictive" (section 5.2) over cps[0..n): every character
 * shares one script (Script_Extensions; Common and Inherited fit any script; Han, Hiragana,
 * Katakana, Hangul and Bopomofo augmented to Jpan, Kore and Hanb), or the non-Latin characters
 * share Jpan, Kore or Hanb and the rest are Latin. Returns 1 if so; if not, 0 and, when bad is
 * not NULL, the index of the first character that breaks the rule. */
int uni_highly_restrictive(const uint32_t *cps, size_t n, size_t *bad);
/* ISO 15924 code of cp's first script ("Zyyy" for Common/Inherited, "Zzzz" if unassigned). */
const char *uni_script_code(uint32_t cp);

#endif

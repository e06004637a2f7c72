/* uni.c — NFD/NFC (UAX #15), full case folding and UTS #39 script restriction, all driven by
 * the tables generated from the Unicode Character Database (uni_tables.c); no platform calls, so
 * Windows and Linux builds agree on every name. */
#include "uni.h"

#include <stdlib.h>

#include "uni_tables.h"

/* Hangul syllables compose and decompose by arithmetic (The Unicode Standard, section 3.12). */
#define HANGUL_S 0xAC00u
#define HANGUL_L 0x1100u
#define HANGUL_V 0x1161u
#define HANGUL_T 0x11A7u
#define HANGUL_L_COUNT 19u
#define HANGUL_V_COUNT 21u
#define HANGUL_T_COUNT 28u
#define HANGUL_N_COUNT (HANGUL_V_COUNT * HANGUL_T_COUNT)
#define HANGUL_S_COUNT (HANGUL_L_COUNT * HANGUL_N_COUNT)

#define NO_COMPOSITE 0xFFFFFFFFu

const char *uni_version(void)
{
    return UNI_VERSION;
}

/* bsearch comparators: the key is a code point, the element a table row. Every ranged row
 * (uni_range, uni_ccc_range, uni_script_range) starts with its uni_range. */
static int cmp_range(const void *key, const void *elem)
{
    uint32_t cp = *(const uint32_t *)key;
    const uni_range *r = elem;
    return cp < r->lo ? -1 : cp > r->hi ? 1 : 0;
}

static int cmp_mapping(const void *key, const void *elem)
{
    uint32_t cp = *(const uint32_t *)key;
    const uni_mapping *m = elem;
    return cp < m->cp ? -1 : cp > m->cp ? 1 : 0;
}

static int cmp_pair(const void *key, const void *elem)
{
    const uint32_t *k = key;
    const uni_pair *p = elem;
    if (k[0] != p->first)
        return k[0] < p->first ? -1 : 1;
    return k[1] < p->second ? -1 : k[1] > p->second ? 1 : 0;
}

unsigned uni_ccc(uint32_t cp)
{
    const uni_ccc_range *r;
    if (cp < 0x300) /* nothing below the combining diacritics has a class */
        return 0;
    r = bsearch(&cp, uni_tab_ccc, UNI_TAB_CCC_COUNT, sizeof uni_tab_ccc[0], cmp_range);
    return r ? r->ccc : 0;
}

static int in_ranges(const uni_range *table, size_t count, uint32_t cp)
{
    return bsearch(&cp, table, count, sizeof table[0], cmp_range) != NULL;
}

int uni_is_xid_start(uint32_t cp)
{
    return in_ranges(uni_tab_xid_start, UNI_TAB_XID_START_COUNT, cp);
}

int uni_is_xid_continue(uint32_t cp)
{
    return in_ranges(uni_tab_xid_continue, UNI_TAB_XID_CONTINUE_COUNT, cp);
}

int uni_is_default_ignorable(uint32_t cp)
{
    return in_ranges(uni_tab_default_ignorable, UNI_TAB_DEFAULT_IGNORABLE_COUNT, cp);
}

static const uni_mapping *find_mapping(const uni_mapping *table, size_t count, uint32_t cp)
{
    return bsearch(&cp, table, count, sizeof table[0], cmp_mapping);
}

/* Appends cp at out[*len]; 0 on success, -1 when out is full. */
static int put(uint32_t *out, size_t cap, size_t *len, uint32_t cp)
{
    if (*len >= cap)
        return -1;
    out[(*len)++] = cp;
    return 0;
}

static int put_mapping(uint32_t *out, size_t cap, size_t *len, const uni_mapping *m)
{
    unsigned i;
    for (i = 0; i < m->len; i++)
        if (put(out, cap, len, uni_tab_pool[m->at + i]) != 0)
            return -1;
    return 0;
}

/* Decomposes one code point fully (the table holds recursive expansions already). */
static int decompose_one(uint32_t cp, uint32_t *out, size_t cap, size_t *len)
{
    const uni_mapping *m;
    if (cp >= HANGUL_S && cp < HANGUL_S + HANGUL_S_COUNT) {
        uint32_t s = cp - HANGUL_S, t = s % HANGUL_T_COUNT;
        if (put(out, cap, len, HANGUL_L + s / HANGUL_N_COUNT) != 0 ||
            put(out, cap, len, HANGUL_V + (s % HANGUL_N_COUNT) / HANGUL_T_COUNT) != 0)
            return -1;
        return t ? put(out, cap, len, HANGUL_T + t) : 0;
    }
    m = cp < 0xC0 ? NULL : find_mapping(uni_tab_decomp, UNI_TAB_DECOMP_COUNT, cp);
    return m ? put_mapping(out, cap, len, m) : put(out, cap, len, cp);
}

/* Canonical ordering: a stable sort of each run of non-starters by combining class. */
static void canonical_order(uint32_t *s, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; i++) {
        uint32_t cp = s[i];
        unsigned c = uni_ccc(cp);
        if (c == 0)
            continue;
        for (j = i; j > 0 && uni_ccc(s[j - 1]) > c; j--)
            s[j] = s[j - 1];
        s[j] = cp;
    }
}

size_t uni_nfd(const uint32_t *in, size_t n, uint32_t *out, size_t cap)
{
    size_t i, len = 0;
    for (i = 0; i < n; i++)
        if (decompose_one(in[i], out, cap, &len) != 0)
            return UNI_OVERFLOW;
    canonical_order(out, len);
    return len;
}

static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    uint32_t key[2];
    const uni_pair *p;
    if (a >= HANGUL_L && a < HANGUL_L + HANGUL_L_COUNT && b >= HANGUL_V &&
        b < HANGUL_V + HANGUL_V_COUNT)
        return HANGUL_S + ((a - HANGUL_L) * HANGUL_V_COUNT + (b - HANGUL_V)) * HANGUL_T_COUNT;
    if (a >= HANGUL_S && a < HANGUL_S + HANGUL_S_COUNT && (a - HANGUL_S) % HANGUL_T_COUNT == 0 &&
        b > HANGUL_T && b < HANGUL_T + HANGUL_T_COUNT)
        return a + (b - HANGUL_T);
    key[0] = a;
    key[1] = b;
    p = bsearch(key, uni_tab_comp, UNI_TAB_COMP_COUNT, sizeof uni_tab_comp[0], cmp_pair);
    return p ? p->composite : NO_COMPOSITE;
}

size_t uni_nfc(const uint32_t *in, size_t n, uint32_t *out, size_t cap)
{
    size_t len = uni_nfd(in, n, out, cap), starter = 0, write = 1, i;
    unsigned last;

    if (len == UNI_OVERFLOW || len == 0)
        return len;
    /* Canonical composition (UAX #15 section 9): a character joins the last starter unless a
     * character between them is blocking (same or higher class, or a starter). 256 stands for
     * "no starter seen yet", so nothing composes with a leading non-starter. */
    last = uni_ccc(out[0]) ? 256u : 0u;
    for (i = 1; i < len; i++) {
        uint32_t cp = out[i];
        unsigned c = uni_ccc(cp);
        uint32_t comp = last == 256u ? NO_COMPOSITE : compose_pair(out[starter], cp);
        if (comp != NO_COMPOSITE && (last < c || last == 0)) {
            out[starter] = comp;
            continue;
        }
        if (c == 0)
            starter = write;
        last = c;
        out[write++] = cp;
    }
    return write;
}

size_t uni_casefold(const uint32_t *in, size_t n, uint32_t *out, size_t cap)
{
    size_t i, len = 0;
    for (i = 0; i < n; i++) {
        const uni_mapping *m = find_mapping(uni_tab_fold, UNI_TAB_FOLD_COUNT, in[i]);
        if ((m ? put_mapping(out, cap, &len, m) : put(out, cap, &len, in[i])) != 0)
            return UNI_OVERFLOW;
    }
    return len;
}

typedef struct script_set {
    uint64_t w[UNI_SCRIPT_WORDS];
} script_set;

/* cp's script set; 0 for Common/Inherited (no constraint), 1 otherwise. */
static int script_set_of(uint32_t cp, script_set *out)
{
    const uni_script_range *r = bsearch(&cp, uni_tab_scripts, UNI_TAB_SCRIPTS_COUNT,
                                        sizeof uni_tab_scripts[0], cmp_range);
    unsigned i;
    if (r && r->set == 0)
        return 0;
    for (i = 0; i < UNI_SCRIPT_WORDS; i++)
        out->w[i] = r ? uni_tab_script_sets[r->set][i] : 0;
    if (!r)
        out->w[UNI_SCRIPT_ZZZZ / 64] = (uint64_t)1 << (UNI_SCRIPT_ZZZZ % 64);
    return 1;
}

static int set_has(const script_set *s, unsigned id)
{
    return (s->w[id / 64] >> (id % 64)) & 1u;
}

static void set_and(script_set *a, const script_set *b)
{
    unsigned i;
    for (i = 0; i < UNI_SCRIPT_WORDS; i++)
        a->w[i] &= b->w[i];
}

static int set_empty(const script_set *s)
{
    unsigned i;
    for (i = 0; i < UNI_SCRIPT_WORDS; i++)
        if (s->w[i])
            return 0;
    return 1;
}

int uni_highly_restrictive(const uint32_t *cps, size_t n, size_t *bad)
{
    script_set all, no_latin, s;
    size_t i, w;

    for (w = 0; w < UNI_SCRIPT_WORDS; w++)
        all.w[w] = no_latin.w[w] = ~(uint64_t)0;
    for (i = 0; i < n; i++) {
        if (!script_set_of(cps[i], &s))
            continue;
        set_and(&all, &s);
        if (!set_has(&s, UNI_SCRIPT_LATN))
            set_and(&no_latin, &s);
        /* Both sets only shrink, so the first character to break the rule is the culprit. */
        if (set_empty(&all) && !set_has(&no_latin, UNI_SCRIPT_JPAN) &&
            !set_has(&no_latin, UNI_SCRIPT_KORE) && !set_has(&no_latin, UNI_SCRIPT_HANB)) {
            if (bad)
                *bad = i;
            return 0;
        }
    }
    return 1;
}

const char *uni_script_code(uint32_t cp)
{
    script_set s;
    unsigned id;
    if (!script_set_of(cp, &s))
        return "Zyyy";
    for (id = 0; id < UNI_SCRIPT_WORDS * 64u; id++)
        if (set_has(&s, id))
            return uni_tab_script_codes[id];
    return "Zzzz";
}

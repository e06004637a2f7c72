/* search_index.c — per-conversation rings of folded messages and the newest-first walk that
 * answers a query; the rings mirror what the history keeps (same per-room count). */
#include "search_index.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search_fold.h"
#include "strmap.h"

/* One message: "nick_key\0folded\0" after the fixed fields, in one allocation. */
typedef struct sdoc {
    uint64_t id;
    uint64_t time_ms;
    uint32_t nick_len;
    uint32_t folded_len;
    char data[1]; /* really nick_len + folded_len + 2 bytes */
} sdoc;

/* A ring slot: what the scan looks at first, kept in the ring itself so that a scan reads
 * memory in order and follows a message's pointer only when its signature passes. */
typedef struct sslot {
    uint64_t id;
    uint64_t sig[2]; /* bits of the words' prefixes (sig_add) */
    sdoc *d;
} sslot;

typedef struct sconv {
    sslot *ring;
    size_t cap, head, count;
} sconv;

struct search_index {
    strmap convs; /* key -> sconv */
    uint32_t per_conv;
    uint64_t max_bytes;
    uint64_t bytes;
    size_t count;
    buf fold; /* scratch */
};

static uint64_t doc_bytes(const sdoc *d)
{
    return sizeof *d + d->nick_len + d->folded_len;
}

static sslot *ring_at(const sconv *c, size_t i)
{
    return &c->ring[(c->head + i) % c->cap];
}

/* Signatures. Each word of a folded text sets 2 of 128 bits chosen by a hash of its first
 * SIG_PREFIX bytes (the whole word if shorter), and each character of 3 or more UTF-8 bytes
 * (Han, Kana, Thai... scripts that may be searched from inside a word) sets 2 bits of its own.
 * A query word needs its bits set: a spaced word of SIG_PREFIX bytes or more its prefix's, an
 * unspaced word its long characters'. So most messages are ruled out without reading their
 * text. */
#define SIG_PREFIX 3u

static void sig_add(uint64_t sig[2], const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    sig[(h >> 6) & 1u] |= 1ull << (h & 63u);
    sig[(h >> 13) & 1u] |= 1ull << ((h >> 7) & 63u);
}

/* Bytes of the UTF-8 character starting with lead byte b. */
static size_t char_len(unsigned char b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

static void sig_long_chars(uint64_t sig[2], const char *w, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = char_len((unsigned char)w[i]);
        if (k > n - i)
            k = n - i;
        if (k >= 3)
            sig_add(sig, w + i, k);
        i += k;
    }
}

/* Adds word w[0..n) (no spaces) of a message (query = 0) or of a query (query = 1). */
static void sig_word(uint64_t sig[2], const char *w, size_t n, int query)
{
    if (query && search_fold_unspaced(w, n)) {
        sig_long_chars(sig, w, n);
        return;
    }
    if (n >= SIG_PREFIX)
        sig_add(sig, w, SIG_PREFIX);
    else if (!query)
        sig_add(sig, w, n); /* a query word this short could start any longer word: no bits */
    if (!query)
        sig_long_chars(sig, w, n);
}

static void sig_text(uint64_t sig[2], const char *t, size_t n)
{
    size_t i = 0;
    sig[0] = sig[1] = 0;
    while (i < n) {
        size_t start;
        while (i < n && t[i] == ' ')
            i++;
        start = i;
        while (i < n && t[i] != ' ')
            i++;
        if (i > start)
            sig_word(sig, t + start, i - start, 0);
    }
}

search_index *search_index_new(uint32_t per_conv, uint64_t max_bytes)
{
    search_index *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    strmap_init(&x->convs);
    buf_init(&x->fold);
    x->per_conv = per_conv;
    x->max_bytes = max_bytes;
    return x;
}

static void conv_free(sconv *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(ring_at(c, i)->d);
    free(c->ring);
    free(c);
}

void search_index_free(search_index *x)
{
    size_t pos = 0;
    const char *key;
    void *v;

    if (!x)
        return;
    while (strmap_next(&x->convs, &pos, &key, &v))
        conv_free(v);
    strmap_free(&x->convs);
    buf_free(&x->fold);
    free(x);
}

static void drop_oldest(search_index *x, sconv *c)
{
    sdoc *d = c->ring[c->head].d;
    x->bytes -= doc_bytes(d);
    x->count--;
    free(d);
    c->head = (c->head + 1) % c->cap;
    c->count--;
}

/* Over the budget: the oldest messages across all conversations go, down to 90 %. Rare (the
 * history trims itself first at the same budget), so a plain scan for the oldest will do. */
static void enforce_budget(search_index *x)
{
    uint64_t goal = x->max_bytes / 10 * 9;
    while (x->bytes > goal && x->count > 0) {
        size_t pos = 0;
        const char *key;
        void *v;
        sconv *oldest = NULL;
        while (strmap_next(&x->convs, &pos, &key, &v)) {
            sconv *c = v;
            if (c->count && (!oldest || c->ring[c->head].id < oldest->ring[oldest->head].id))
                oldest = c;
        }
        if (!oldest)
            break;
        drop_oldest(x, oldest);
    }
}

/* Room for one more message in c, growing its ring up to per_conv. -1 if out of memory. */
static int ring_reserve(const search_index *x, sconv *c)
{
    size_t cap;
    sslot *ring;

    if (c->count < c->cap || c->cap >= x->per_conv)
        return 0;
    cap = c->cap ? c->cap * 2 : 4;
    if (cap > x->per_conv)
        cap = x->per_conv;
    ring = malloc(cap * sizeof *ring);
    if (!ring)
        return -1;
    for (size_t i = 0; i < c->count; i++)
        ring[i] = *ring_at(c, i);
    free(c->ring);
    c->ring = ring;
    c->cap = cap;
    c->head = 0;
    return 0;
}

static sconv *conv_get(search_index *x, const char *key)
{
    sconv *c = strmap_get(&x->convs, key);
    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c || strmap_put(&x->convs, key, c) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

int search_index_add(search_index *x, const char *conv_key, uint64_t id, uint64_t time_ms,
                     const char *nick_key, const char *text, size_t text_len)
{
    sconv *c;
    sdoc *d;
    size_t nick_len = strlen(nick_key);

    if (x->per_conv == 0)
        return 0;
    buf_reset(&x->fold);
    if (search_fold(text, text_len, &x->fold) != 0) {
        x->fold.failed = 0;
        return -1;
    }
    c = conv_get(x, conv_key);
    if (!c || ring_reserve(x, c) != 0)
        return -1;
    if (c->count && ring_at(c, c->count - 1)->id >= id)
        return 0;
    d = malloc(offsetof(sdoc, data) + nick_len + x->fold.len + 2);
    if (!d)
        return -1;
    d->id = id;
    d->time_ms = time_ms;
    d->nick_len = (uint32_t)nick_len;
    d->folded_len = (uint32_t)x->fold.len;
    memcpy(d->data, nick_key, nick_len + 1);
    memcpy(d->data + nick_len + 1, x->fold.data, x->fold.len);
    d->data[nick_len + 1 + x->fold.len] = '\0';
    if (c->count == c->cap)
        drop_oldest(x, c);
    {
        sslot *slot = &c->ring[(c->head + c->count) % c->cap];
        slot->id = id;
        slot->d = d;
        sig_text(slot->sig, x->fold.data ? (const char *)x->fold.data : "", x->fold.len);
    }
    c->count++;
    x->count++;
    x->bytes += doc_bytes(d);
    if (x->max_bytes && x->bytes > x->max_bytes)
        enforce_budget(x);
    return 0;
}

void search_index_trim(search_index *x, const char *conv_key, uint64_t up_to_id)
{
    sconv *c = strmap_get(&x->convs, conv_key);
    while (c && c->count && c->ring[c->head].id <= up_to_id)
        drop_oldest(x, c);
}

/* First occurrence of needle in hay, or NULL (memmem is not in C11 or MSVC). */
static const char *find(const char *hay, size_t n, const char *needle, size_t k)
{
    const char *end = hay + n, *p = hay;
    if (k == 0)
        return hay;
    while (k <= (size_t)(end - p)) {
        p = memchr(p, needle[0], (size_t)(end - p) - k + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, k) == 0)
            return p;
        p++;
    }
    return NULL;
}

static int doc_matches(const search_plan *p, const sdoc *d)
{
    const char *folded = d->data + d->nick_len + 1;
    if (d->time_ms < p->after_ms || (p->before_ms && d->time_ms >= p->before_ms))
        return 0;
    if (p->nick_key[0] && strcmp(p->nick_key, d->data) != 0)
        return 0;
    for (size_t w = 0; w < p->nwords; w++)
        if (!find(folded, d->folded_len, p->words[w], p->word_len[w]))
            return 0;
    return 1;
}

/* Inserts f into out[0..*n) kept newest first and at most max long. */
static void keep(search_found *out, size_t *n, size_t max, search_found f)
{
    size_t i = *n < max ? (*n)++ : max - 1;
    while (i > 0 && out[i - 1].id < f.id) {
        out[i] = out[i - 1];
        i--;
    }
    out[i] = f;
}

size_t search_index_run(const search_index *x, const search_plan *p, search_found *out,
                        size_t max)
{
    size_t n = 0;
    uint64_t need[2] = {0, 0};

    if (max == 0)
        return 0;
    for (size_t w = 0; w < p->nwords; w++) {
        const char *word = p->words[w];
        size_t len = p->word_len[w];
        if (len && word[0] == ' ') { /* a word's start: the space is not part of it */
            word++;
            len--;
        }
        sig_word(need, word, len, 1);
    }
    for (size_t ci = 0; ci < p->nconvs; ci++) {
        const sconv *c = strmap_get(&x->convs, p->conv_keys[ci]);
        size_t lo = 0, hi;
        if (!c || c->count == 0)
            continue;
        /* Rings are in id order: start below the page cursor (binary search). */
        hi = c->count;
        if (p->before_id) {
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ring_at(c, mid)->id < p->before_id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
        for (size_t i = hi; i-- > 0;) {
            const sslot *slot = ring_at(c, i);
            search_found f;
            /* Newest first: once the page is full, older messages cannot enter it. */
            if (n == max && slot->id < out[max - 1].id)
                break;
            if ((slot->sig[0] & need[0]) != need[0] || (slot->sig[1] & need[1]) != need[1] ||
                !doc_matches(p, slot->d))
                continue;
            f.id = slot->id;
            f.conv = ci;
            keep(out, &n, max, f);
        }
    }
    return n;
}

size_t search_index_count(const search_index *x)
{
    return x->count;
}

uint64_t search_index_bytes(const search_index *x)
{
    return x->bytes;
}

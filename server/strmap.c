/* strmap.c — open-addressing hash map with case-insensitive name keys (see strmap.h). */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

/* A deleted slot keeps probing chains intact until the next rehash. */
static char tomb_marker;
#define STRMAP_TOMB (&tomb_marker)

void strmap_init(strmap *m)
{
    memset(m, 0, sizeof *m);
}

void strmap_free(strmap *m)
{
    size_t i;
    for (i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != STRMAP_TOMB)
            free(m->slots[i].key);
    free(m->slots);
    strmap_init(m);
}

static strmap_slot *find(const strmap *m, const char *key, uint32_t h)
{
    size_t i, mask;
    if (!m->cap)
        return NULL;
    mask = m->cap - 1;
    for (i = h & mask;; i = (i + 1) & mask) {
        strmap_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != STRMAP_TOMB && s->hash == h && names_equal_ci(s->key, key))
            return s;
    }
}

void *strmap_get(const strmap *m, const char *key)
{
    strmap_slot *s = find(m, key, names_hash_ci(key));
    return s ? s->value : NULL;
}

static int rehash(strmap *m, size_t cap)
{
    strmap_slot *old = m->slots;
    size_t i, old_cap = m->cap;
    strmap_slot *slots = calloc(cap, sizeof *slots);

    if (!slots)
        return -1;
    m->slots = slots;
    m->cap = cap;
    m->used = m->count;
    for (i = 0; i < old_cap; i++) {
        size_t j;
        if (!old[i].key || old[i].key == STRMAP_TOMB)
            continue;
        for (j = old[i].hash & (cap - 1); slots[j].key; j = (j + 1) & (cap - 1))
            ;
        slots[j] = old[i];
    }
    free(old);
    return 0;
}

int strmap_put(strmap *m, const char *key, void *value)
{
    uint32_t h = names_hash_ci(key);
    strmap_slot *s = find(m, key, h);
    size_t i, len;
    char *copy;

    if (s) {
        s->value = value;
        return 0;
    }
    /* Keep the table at most 3/4 full, counting deleted slots. */
    if ((m->used + 1) * 4 > m->cap * 3 && rehash(m, m->cap ? m->cap * 2 : 16) != 0)
        return -1;
    len = strlen(key);
    copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, key, len + 1);
    for (i = h & (m->cap - 1); m->slots[i].key && m->slots[i].key != STRMAP_TOMB;
         i = (i + 1) & (m->cap - 1))
        ;
    if (!m->slots[i].key)
        m->used++;
    m->slots[i].key = copy;
    m->slots[i].value = value;
    m->slots[i].hash = h;
    m->count++;
    return 0;
}

void *strmap_del(strmap *m, const char *key)
{
    strmap_slot *s = find(m, key, names_hash_ci(key));
    void *v;
    if (!s)
        return NULL;
    v = s->value;
    free(s->key);
    s->key = STRMAP_TOMB;
    s->value = NULL;
    m->count--;
    if (m->count == 0) {
        /* Nothing left: drop the tombstones too. */
        memset(m->slots, 0, m->cap * sizeof *m->slots);
        m->used = 0;
    }
    return v;
}

int strmap_next(const strmap *m, size_t *pos, const char **key, void **value)
{
    while (*pos < m->cap) {
        strmap_slot *s = &m->slots[(*pos)++];
        if (s->key && s->key != STRMAP_TOMB) {
            *key = s->key;
            *value = s->value;
            return 1;
        }
    }
    return 0;
}

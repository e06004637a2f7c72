/* strmap.h — a hash map from names (ASCII case-insensitive, see names.h) to pointers. */
#ifndef PARLEY_STRMAP_H
#define PARLEY_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap_slot {
    char *key; /* owned copy; NULL = empty, STRMAP_TOMB = deleted */
    void *value;
    uint32_t hash;
} strmap_slot;

typedef struct strmap {
    strmap_slot *slots;
    size_t cap;   /* power of two, or 0 */
    size_t count; /* live entries */
    size_t used;  /* live + deleted slots */
} strmap;

void strmap_init(strmap *m);
/* Frees the keys and the table (not the values). */
void strmap_free(strmap *m);
void *strmap_get(const strmap *m, const char *key);
/* Inserts or replaces. Returns 0, or -1 if out of memory. */
int strmap_put(strmap *m, const char *key, void *value);
/* Removes the key; returns its value or NULL. */
void *strmap_del(strmap *m, const char *key);
/* Iteration: *pos starts at 0; returns 1 with key/value while entries remain. The map must not
 * change during an iteration. */
int strmap_next(const strmap *m, size_t *pos, const char **key, void **value);

#endif

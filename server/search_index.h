/* search_index.h — what search looks through: per conversation, a ring of the messages its
 * history keeps, each in folded form (search_fold.h), and the query walk over it. Portable.
 * Not thread-safe: only the search thread (search.c) touches an index. */
#ifndef PARLEY_SEARCH_INDEX_H
#define PARLEY_SEARCH_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define SEARCH_WORDS_MAX 8 /* words in one query */

typedef struct search_index search_index;

/* A prepared query. conv_keys are conversation keys as given to search_index_add. */
typedef struct search_plan {
    const char *const *conv_keys;
    size_t nconvs;
    const char *words[SEARCH_WORDS_MAX]; /* folded, with a leading space unless unspaced */
    size_t word_len[SEARCH_WORDS_MAX];
    size_t nwords;
    const char *nick_key; /* uname_key of the sender to keep, or "" for anyone */
    uint64_t before_id;   /* only ids below this; 0 = no bound */
    uint64_t after_ms;    /* only messages sent at or after this (wall clock, ms) */
    uint64_t before_ms;   /* ... and before this; 0 = no bound */
} search_plan;

typedef struct search_found {
    uint64_t id;
    size_t conv; /* index into the plan's conv_keys */
} search_found;

/* per_conv: messages kept per conversation (the history's per_room); max_bytes: the index's
 * budget, over which the oldest messages of all conversations go first. NULL if out of memory. */
search_index *search_index_new(uint32_t per_conv, uint64_t max_bytes);
void search_index_free(search_index *x);
/* Adds a message (ids grow within a conversation; an id not above the conversation's newest
 * is ignored). nick_key: the sender's uname_key. 0, or -1 if out of memory or text is not
 * UTF-8 (nothing added). */
int search_index_add(search_index *x, const char *conv_key, uint64_t id, uint64_t time_ms,
                     const char *nick_key, const char *text, size_t text_len);
/* Drops conv_key's messages with ids up to up_to_id. */
void search_index_trim(search_index *x, const char *conv_key, uint64_t up_to_id);
/* The newest matches of the plan, newest first, at most max, into out. Returns how many. */
size_t search_index_run(const search_index *x, const search_plan *p, search_found *out,
                        size_t max);
/* Messages and bytes held. */
size_t search_index_count(const search_index *x);
uint64_t search_index_bytes(const search_index *x);

#endif

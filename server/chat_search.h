/* chat_search.h — the sources of searchable conversations the core hands the search thread
 * (rooms in chat_search.c, a user's private conversations in chat_search_private.c): which
 * conversations a session may search and how a result is fetched from its store. */
#ifndef PARLEY_CHAT_SEARCH_H
#define PARLEY_CHAT_SEARCH_H

#include "chat_internal.h"
#include "mailbox.h"
#include "search.h"

/* Takes one result, a PT_SEARCH_HIT without its tag (pointers borrowed for the call). */
typedef void (*search_hit_fn)(void *user, const proto_msg *hit);

typedef struct search_src {
    uint8_t id;
    /* Appends to convs[*n..max) the conversations s may search (m->room narrows to one room;
     * one s may not read is refused on s, returning -1). */
    int (*readable)(session *s, const proto_msg *m, search_conv *convs, size_t max, size_t *n);
    /* Calls fn with the result if s may still read conv and the store still keeps the
     * message: 1; 0 when it is gone and so is everything older in conv (the index is then
     * told); -1 when it is left out (s may no longer read conv, or a store that does not drop
     * oldest first no longer keeps it). */
    int (*fetch)(session *s, const char *conv, uint64_t id, search_hit_fn fn, void *user);
    /* 1 if readable's conversation names are malloc'd (freed once the query is queued). */
    int owns_names;
} search_src;

/* chat_search_private.c: the private conversations of accounts (SEARCH_SOURCE_PRIVATE). */
int search_private_readable(session *s, const proto_msg *m, search_conv *convs, size_t max,
                            size_t *n);
int search_private_fetch(session *s, const char *conv, uint64_t id, search_hit_fn fn,
                         void *user);
/* Feeds the search thread every stored private message (at start, once the mailbox is open). */
void chat_search_feed_private(chat *c);
/* A private message was stored: index it. */
void chat_search_add_private(chat *c, const mailbox_msg *m);
/* The account is about to be forgotten by the mailbox (mailbox_forget): the search thread drops
 * each of its conversations from the index (a trim job; the core never touches the index). */
void chat_search_forget_private(chat *c, const char *account);

#endif

/* search.h — message search off the chat core's lock: a thread owns the index (search_index.h);
 * the core feeds it each message that joins a history, submits queries and collects results,
 * which come back in order after a notify (the engine's wake), like the journal writers' do.
 *
 * Sources. The index holds conversations, each keyed by a source and a name: rooms
 * (SEARCH_SOURCE_ROOM, the room name) and private conversations (SEARCH_SOURCE_PRIVATE, the
 * two accounts' names). Each source feeds its messages under its own source byte; a query
 * names the conversations of each source the user may read, and one walk looks through all
 * of them and merges them newest first. A hit names its source and conversation, and the core
 * fetches the message itself from that source's store (chat_search.h, its table of sources). */
#ifndef PARLEY_SEARCH_H
#define PARLEY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#define SEARCH_PAGE_DEFAULT 20u /* results per page when the query asks for 0 */
#define SEARCH_PAGE_MAX 50u     /* and at most this many */
#define SEARCH_CONVS_MAX 10000u /* conversations one query may look through */

typedef enum search_source {
    SEARCH_SOURCE_ROOM = 'r',
    SEARCH_SOURCE_PRIVATE = 'p' /* a private conversation, named by its two accounts */
} search_source;

typedef struct search search;

/* Called on the search thread when results are ready; must be quick and thread-safe. */
typedef void (*search_notify_fn)(void *user);

/* Starts the thread. per_conv and max_bytes bound the index (search_index_new); max_running:
 * queries queued or running at once, server-wide. NULL with err filled on failure. */
search *search_start(uint32_t per_conv, uint64_t max_bytes, uint32_t max_running,
                     search_notify_fn notify, void *user, char *err, size_t err_size);
/* Stops the thread and frees everything; what is still queued (messages to index, queries) and
 * results not collected are dropped. NULL is ignored. */
void search_stop(search *s);

/* A message joined conversation (source, conv) of a history: queued (copied) for the index.
 * nick as sent. -1 if out of memory (the message is then not searchable). */
int search_add(search *s, uint8_t source, const char *conv, uint64_t id, uint64_t time_ms,
               const char *nick, const char *text, size_t text_len);

/* The history no longer keeps conversation (source, conv)'s messages up to up_to_id (it drops
 * a conversation's oldest first: expiry, the size budget): neither does the index, from now
 * on. -1 if out of memory. */
int search_trim(search *s, uint8_t source, const char *conv, uint64_t up_to_id);

/* A conversation: its source and name. */
typedef struct search_conv {
    uint8_t source;
    const char *name;
} search_conv;

/* One query. words: what the user typed (folded here); nick: the sender to keep ("" = any);
 * convs: the conversations the user may read, all or the one filtered on. */
typedef struct search_query {
    void *owner; /* who asked (borrowed; see search_disown) */
    uint32_t tag;
    const char *words;
    size_t words_len;
    const char *nick;
    size_t nick_len;
    const search_conv *convs;
    size_t nconvs;
    uint64_t before_id; /* page cursor: only ids below it (0 = from the newest) */
    uint64_t after_ms, before_ms;
    uint32_t count; /* page size, 0 = SEARCH_PAGE_DEFAULT, capped at SEARCH_PAGE_MAX */
} search_query;

#define SEARCH_E_QUERY (-2) /* the query cannot run: why says so */
#define SEARCH_E_BUSY (-3)  /* max_running queries are queued or running */

/* Queues q (copied). 0, SEARCH_E_QUERY or SEARCH_E_BUSY with why filled, or -1 if out of
 * memory. */
int search_submit(search *s, const search_query *q, char *why, size_t why_size);
/* The owner is going away: its queries still run, their results come back with owner NULL. */
void search_disown(search *s, const void *owner);

typedef struct search_hit {
    uint64_t id;
    uint8_t source;
    const char *conv; /* as the query named it */
} search_hit;

typedef struct search_result {
    void *owner; /* NULL once disowned */
    uint32_t tag;
    const search_hit *hits; /* newest first */
    size_t nhits;
    uint64_t next_before; /* the next page's cursor, 0 when there is no next page */
} search_result;

typedef void (*search_result_fn)(void *user, const search_result *r);
/* Hands the results ready so far to fn, in submission order (borrowed for the call). Returns
 * how many. */
size_t search_collect(search *s, search_result_fn fn, void *user);

/* Test seam: called on the search thread before each query runs. NULL normally. */
extern void (*search_test_before_query)(void);

/* Test and benchmark seam: messages the index holds once everything queued so far is in.
 * Waits for the thread to catch up. */
size_t search_indexed(search *s);

#endif

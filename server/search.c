/* search.c — the search thread (see search.h): one queue in (messages to index and queries, in
 * order), one queue of results out, a mutex and a condition variable between them. */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search_fold.h"
#include "search_index.h"
#include "thread.h"
#include "uname.h"

#define NICK_KEY_CAP UNAME_KEY_CAP(UNAME_MAX_INPUT)

void (*search_test_before_query)(void);

enum { JOB_ADD, JOB_TRIM, JOB_QUERY };

/* Both kinds of job start with this. */
typedef struct sjob {
    struct sjob *next;
    int kind;
} sjob;

/* A message to index: "conv_key\0nick\0text\0" after the fixed fields. A trim (JOB_TRIM)
 * uses the same shape with only the key: id is the newest id to drop. */
typedef struct sjob_add {
    sjob h;
    uint64_t id, time_ms;
    size_t key_len, nick_len, text_len;
    char data[1];
} sjob_add;

typedef struct sjob_query {
    sjob h;
    void *owner;
    uint32_t tag;
    uint32_t count;
    search_plan plan;
    buf words;                   /* the folded words, pointed into by plan.words */
    char nick_key[NICK_KEY_CAP];
    char **keys;                 /* conversation keys: source byte, then the name */
    size_t nkeys;
    search_found *found;         /* count + 1 slots: one more tells whether a next page exists */
    size_t nfound;
    search_hit *hits;            /* filled when handed out */
} sjob_query;

struct search {
    search_index *index;        /* search thread only */
    search_notify_fn notify;
    void *user;
    uint32_t max_running;
    thread_handle *th;
    mutex_handle *mu;
    cond_handle *cv;
    sjob *head, *tail;           /* queued, oldest first */
    sjob *batch;                 /* taken off the queue by the thread, not yet run (under mu,
                                    so that search_disown sees its queries too) */
    sjob_query *running;         /* the query being run, or NULL */
    sjob_query *rhead, *rtail;   /* results ready, oldest first (linked through h.next) */
    uint32_t queries;            /* queued, running or ready: what max_running bounds */
    int busy;                    /* the thread is working on a batch */
    int stopping;
    size_t indexed;              /* messages the index holds (for search_indexed) */
};

static void query_free(sjob_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nkeys; i++)
        free(q->keys[i]);
    free(q->keys);
    buf_free(&q->words);
    free(q->found);
    free(q->hits);
    free(q);
}

static void run_add(search *s, const sjob_add *a)
{
    char nick_key[NICK_KEY_CAP];
    const char *key = a->data, *nick = key + a->key_len + 1, *text = nick + a->nick_len + 1;

    /* A nick the key cannot be made for (never, for nicks the core accepted) is kept as is. */
    if (uname_key(nick, a->nick_len, nick_key, sizeof nick_key) != 0)
        snprintf(nick_key, sizeof nick_key, "%s", nick);
    /* Out of memory or undecodable text: the message is simply not searchable. */
    (void)search_index_add(s->index, key, a->id, a->time_ms, nick_key, text, a->text_len);
}

static void thread_main(void *arg)
{
    search *s = arg;

    /* Searching yields to chat when they share a CPU. */
    thread_lower_priority();
    mutex_lock(s->mu);
    for (;;) {
        while (!s->head && !s->stopping)
            cond_wait_ms(s->cv, s->mu, COND_FOREVER);
        if (!s->head)
            break; /* stopping, and everything queued is done */
        s->batch = s->head;
        s->head = s->tail = NULL;
        s->busy = 1;
        while (s->batch) {
            sjob *j = s->batch;
            s->batch = j->next;
            j->next = NULL;
            if (s->stopping) {
                /* Nobody will read the results, and indexing a restored history to the end
                 * would only delay the stop. */
                if (j->kind == JOB_QUERY)
                    query_free((sjob_query *)(void *)j);
                else
                    free(j);
                continue;
            }
            if (j->kind != JOB_QUERY) {
                sjob_add *a = (sjob_add *)(void *)j;
                mutex_unlock(s->mu);
                if (j->kind == JOB_ADD)
                    run_add(s, a);
                else
                    search_index_trim(s->index, a->data, a->id);
                free(j);
                mutex_lock(s->mu);
                continue;
            }
            {
                sjob_query *q = (sjob_query *)(void *)j;
                s->running = q;
                mutex_unlock(s->mu);
                /* The index is this thread's alone: no lock while the query runs. */
                if (search_test_before_query)
                    search_test_before_query();
                q->nfound = search_index_run(s->index, &q->plan, q->found, q->count + 1u);
                mutex_lock(s->mu);
                s->running = NULL;
                if (s->rtail)
                    s->rtail->h.next = &q->h;
                else
                    s->rhead = q;
                s->rtail = q;
                if (s->notify)
                    s->notify(s->user);
            }
        }
        s->indexed = search_index_count(s->index);
        s->busy = 0;
        cond_broadcast(s->cv); /* for search_indexed */
    }
    mutex_unlock(s->mu);
}

search *search_start(uint32_t per_conv, uint64_t max_bytes, uint32_t max_running,
                     search_notify_fn notify, void *user, char *err, size_t err_size)
{
    search *s = calloc(1, sizeof *s);

    if (!s)
        goto nomem;
    s->notify = notify;
    s->user = user;
    s->max_running = max_running ? max_running : 1;
    s->index = search_index_new(per_conv, max_bytes);
    s->mu = mutex_new();
    s->cv = cond_new();
    if (!s->index || !s->mu || !s->cv)
        goto nomem;
    s->th = thread_start(thread_main, s);
    if (!s->th) {
        snprintf(err, err_size, "search: cannot start its thread");
        goto fail;
    }
    return s;

nomem:
    snprintf(err, err_size, "search: out of memory");
fail:
    if (s) {
        search_index_free(s->index);
        if (s->cv)
            cond_free(s->cv);
        if (s->mu)
            mutex_free(s->mu);
        free(s);
    }
    return NULL;
}

void search_stop(search *s)
{
    if (!s)
        return;
    mutex_lock(s->mu);
    s->stopping = 1; /* the thread drops what is queued, then ends */
    cond_broadcast(s->cv);
    mutex_unlock(s->mu);
    thread_join(s->th);
    while (s->rhead) {
        sjob_query *q = s->rhead;
        s->rhead = (sjob_query *)(void *)q->h.next;
        query_free(q);
    }
    search_index_free(s->index);
    cond_free(s->cv);
    mutex_free(s->mu);
    free(s);
}

static void enqueue(search *s, sjob *j)
{
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    cond_broadcast(s->cv);
}

/* Queues a job of kind (JOB_ADD or JOB_TRIM) for conversation (source, conv). -1 if out of
 * memory. */
static int queue_msg(search *s, int kind, uint8_t source, const char *conv, uint64_t id,
                     uint64_t time_ms, const char *nick, const char *text, size_t text_len)
{
    size_t conv_len = strlen(conv), nick_len = strlen(nick);
    sjob_add *a = malloc(offsetof(sjob_add, data) + conv_len + nick_len + text_len + 4);
    char *p;

    if (!a)
        return -1;
    a->h.next = NULL;
    a->h.kind = kind;
    a->id = id;
    a->time_ms = time_ms;
    a->key_len = conv_len + 1;
    a->nick_len = nick_len;
    a->text_len = text_len;
    p = a->data;
    *p++ = (char)source;
    memcpy(p, conv, conv_len + 1);
    p += conv_len + 1;
    memcpy(p, nick, nick_len + 1);
    p += nick_len + 1;
    if (text_len)
        memcpy(p, text, text_len);
    p[text_len] = '\0';
    mutex_lock(s->mu);
    enqueue(s, &a->h);
    mutex_unlock(s->mu);
    return 0;
}

int search_add(search *s, uint8_t source, const char *conv, uint64_t id, uint64_t time_ms,
               const char *nick, const char *text, size_t text_len)
{
    return queue_msg(s, JOB_ADD, source, conv, id, time_ms, nick, text, text_len);
}

int search_trim(search *s, uint8_t source, const char *conv, uint64_t up_to_id)
{
    return queue_msg(s, JOB_TRIM, source, conv, up_to_id, 0, "", "", 0);
}

/* Splits the folded words into the plan: each word is looked for at a word's start (with the
 * space before it) unless its script writes words without spaces. */
static int plan_words(sjob_query *q, char *why, size_t why_size)
{
    char *p = (char *)q->words.data, *end = p + q->words.len;

    while (p < end) {
        char *w;
        size_t n;
        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        w = p;
        while (p < end && *p != ' ')
            p++;
        n = (size_t)(p - w);
        if (q->plan.nwords == SEARCH_WORDS_MAX) {
            snprintf(why, why_size, "too many words: at most %d", SEARCH_WORDS_MAX);
            return SEARCH_E_QUERY;
        }
        if (!search_fold_unspaced(w, n)) {
            w--; /* the space in front: a word's start */
            n++;
        }
        q->plan.words[q->plan.nwords] = w;
        q->plan.word_len[q->plan.nwords] = n;
        q->plan.nwords++;
    }
    if (q->plan.nwords == 0) {
        snprintf(why, why_size, "no word to search for (words are letters and digits)");
        return SEARCH_E_QUERY;
    }
    return 0;
}

/* Builds the job for q. 0, SEARCH_E_QUERY with why, or -1 out of memory. */
static int query_build(const search_query *q, sjob_query **out, char *why, size_t why_size)
{
    sjob_query *j = calloc(1, sizeof *j);
    int rc;

    *out = NULL;
    if (!j)
        return -1;
    j->h.kind = JOB_QUERY;
    j->owner = q->owner;
    j->tag = q->tag;
    j->count = q->count == 0 ? SEARCH_PAGE_DEFAULT
               : q->count > SEARCH_PAGE_MAX ? SEARCH_PAGE_MAX : q->count;
    buf_init(&j->words);
    if (search_fold(q->words, q->words_len, &j->words) != 0) {
        rc = buf_failed(&j->words) ? -1 : SEARCH_E_QUERY;
        snprintf(why, why_size, "the words are not valid text");
        goto fail;
    }
    if ((rc = plan_words(j, why, why_size)) != 0)
        goto fail;
    if (q->nick_len && uname_key(q->nick, q->nick_len, j->nick_key, sizeof j->nick_key) != 0) {
        snprintf(why, why_size, "that sender's name cannot be a nick");
        rc = SEARCH_E_QUERY;
        goto fail;
    }
    if (q->nconvs > SEARCH_CONVS_MAX) {
        snprintf(why, why_size, "too many rooms to search at once");
        rc = SEARCH_E_QUERY;
        goto fail;
    }
    rc = -1;
    j->keys = calloc(q->nconvs ? q->nconvs : 1, sizeof *j->keys);
    j->found = calloc(j->count + 1u, sizeof *j->found);
    j->hits = calloc(j->count + 1u, sizeof *j->hits);
    if (!j->keys || !j->found || !j->hits)
        goto fail;
    for (j->nkeys = 0; j->nkeys < q->nconvs; j->nkeys++) {
        size_t n = strlen(q->convs[j->nkeys].name);
        char *k = malloc(n + 2);
        if (!k)
            goto fail;
        k[0] = (char)q->convs[j->nkeys].source;
        memcpy(k + 1, q->convs[j->nkeys].name, n + 1);
        j->keys[j->nkeys] = k;
    }
    j->plan.conv_keys = (const char *const *)j->keys;
    j->plan.nconvs = j->nkeys;
    j->plan.nick_key = j->nick_key;
    j->plan.before_id = q->before_id;
    j->plan.after_ms = q->after_ms;
    j->plan.before_ms = q->before_ms;
    *out = j;
    return 0;

fail:
    if (rc == -1)
        snprintf(why, why_size, "out of memory");
    query_free(j);
    return rc;
}

int search_submit(search *s, const search_query *q, char *why, size_t why_size)
{
    sjob_query *j;
    int rc;

    mutex_lock(s->mu);
    rc = s->queries >= s->max_running ? SEARCH_E_BUSY : 0;
    mutex_unlock(s->mu);
    if (rc) {
        snprintf(why, why_size, "the server is running as many searches as it allows (%u); "
                 "try again in a moment", (unsigned)s->max_running);
        return rc;
    }
    if ((rc = query_build(q, &j, why, why_size)) != 0)
        return rc;
    mutex_lock(s->mu);
    s->queries++;
    enqueue(s, &j->h);
    mutex_unlock(s->mu);
    return 0;
}

static void disown_jobs(sjob *list, const void *owner)
{
    for (sjob *j = list; j; j = j->next)
        if (j->kind == JOB_QUERY && ((sjob_query *)(void *)j)->owner == owner)
            ((sjob_query *)(void *)j)->owner = NULL;
}

void search_disown(search *s, const void *owner)
{
    mutex_lock(s->mu);
    disown_jobs(s->head, owner);  /* queued */
    disown_jobs(s->batch, owner); /* taken by the thread, still to run */
    if (s->running && s->running->owner == owner)
        s->running->owner = NULL;
    for (sjob_query *q = s->rhead; q; q = (sjob_query *)(void *)q->h.next)
        if (q->owner == owner)
            q->owner = NULL;
    mutex_unlock(s->mu);
}

size_t search_collect(search *s, search_result_fn fn, void *user)
{
    sjob_query *list;
    size_t n = 0;

    mutex_lock(s->mu);
    list = s->rhead;
    s->rhead = s->rtail = NULL;
    mutex_unlock(s->mu);
    while (list) {
        sjob_query *q = list;
        search_result r;
        size_t shown = q->nfound > q->count ? q->count : q->nfound;
        list = (sjob_query *)(void *)q->h.next;
        for (size_t i = 0; i < shown; i++) {
            const char *key = q->keys[q->found[i].conv];
            q->hits[i].id = q->found[i].id;
            q->hits[i].source = (uint8_t)key[0];
            q->hits[i].conv = key + 1;
        }
        r.owner = q->owner;
        r.tag = q->tag;
        r.hits = q->hits;
        r.nhits = shown;
        r.next_before = q->nfound > q->count ? q->found[shown - 1].id : 0;
        fn(user, &r);
        query_free(q);
        mutex_lock(s->mu);
        s->queries--;
        mutex_unlock(s->mu);
        n++;
    }
    return n;
}

size_t search_indexed(search *s)
{
    size_t n;
    mutex_lock(s->mu);
    while (s->head || s->busy)
        cond_wait_ms(s->cv, s->mu, COND_FOREVER);
    n = s->indexed;
    mutex_unlock(s->mu);
    return n;
}

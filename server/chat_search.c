/* chat_search.c — SEARCH on the core: checks a request, hands it to the search thread
 * (search.h) and sends the results back from their stores (the history, the mailbox); feeds
 * the thread every room message that joins the history. The search itself never runs here,
 * under the core's lock. */
#include "chat_search.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

/* Searches queued or running at once, server-wide; one more is refused with SEARCH_BUSY. */
#define SEARCH_RUNNING_MAX 8u

/* history_msg_fn: one retained message into the index. */
static int feed_msg(void *user, const history_msg *m)
{
    chat *c = user;
    (void)search_add(c->search, SEARCH_SOURCE_ROOM, m->room, m->id, m->time_ms, m->nick, m->text,
                     m->text_len);
    return 0;
}

/* history_room_fn: all of a room's retained messages, oldest first. */
static int feed_room(void *user, const char *name, size_t count, uint64_t last_id)
{
    chat *c = user;
    (void)count;
    (void)last_id;
    history_range(c->hist, name, 0, 0, 0, 1, feed_msg, c);
    return 0;
}

int chat_search_open(chat *c, void (*notify)(void *user), char *err, size_t err_size)
{
    c->search = search_start(c->cfg.history_per_room, c->cfg.history_max_bytes,
                             SEARCH_RUNNING_MAX, notify, c, err, err_size);
    if (!c->search)
        return -1;
    /* What the history restored is indexed on the search thread, while the server starts. */
    history_rooms(c->hist, feed_room, c);
    return 0;
}

void chat_search_close(chat *c)
{
    search_stop(c->search);
    c->search = NULL;
}

void chat_search_add(chat *c, const history_msg *m)
{
    if (c->search)
        feed_msg(c, m);
}

void chat_search_session_free(session *s)
{
    if (s->searching)
        search_disown(s->srv->search, s);
}

/* ---- sources: which conversations a session may search, and where a result is fetched ---- */

static int rooms_readable(session *s, const proto_msg *m, search_conv *convs, size_t max,
                          size_t *n)
{
    if (m->room.n) {
        /* One room, which must be one of the session's (else NOT_IN_ROOM). */
        room *r = rooms_member_of(s, m);
        if (!r)
            return -1;
        if (*n < max) {
            convs[*n].source = SEARCH_SOURCE_ROOM;
            convs[(*n)++].name = r->name;
        }
        return 0;
    }
    /* Every room the session is in now. */
    for (size_t i = 0; i < s->nrooms && *n < max; i++) {
        convs[*n].source = SEARCH_SOURCE_ROOM;
        convs[(*n)++].name = s->rooms[i]->name;
    }
    return 0;
}

/* 1 if s is in the room named name (a search result's room: the session may have left it
 * while the search ran). */
static int still_in(const session *s, const char *name)
{
    for (size_t i = 0; i < s->nrooms; i++)
        if (names_equal_ci(s->rooms[i]->name, name))
            return 1;
    return 0;
}

/* The history's copy of a room message, as the SEARCH_HIT the fetch hands on. */
typedef struct room_hit_ctx {
    search_hit_fn fn;
    void *user;
} room_hit_ctx;

static int room_hit(void *user, const history_msg *h)
{
    room_hit_ctx *x = user;
    proto_msg out;

    memset(&out, 0, sizeof out);
    out.type = PT_SEARCH_HIT;
    out.id = h->id;
    out.time = h->time_ms;
    out.room = proto_s(h->room);
    out.nick = proto_s(h->nick);
    out.text.p = h->text;
    out.text.n = h->text_len;
    x->fn(x->user, &out);
    return 0;
}

static int rooms_fetch(session *s, const char *conv, uint64_t id, search_hit_fn fn, void *user)
{
    room_hit_ctx x;
    if (!still_in(s, conv))
        return -1;
    x.fn = fn;
    x.user = user;
    return history_find(s->srv->hist, conv, id, room_hit, &x);
}

/* Rooms first: a room filter is checked (and refused) before anything else. */
static const search_src sources[] = {
    {SEARCH_SOURCE_ROOM, rooms_readable, rooms_fetch, 0},
    {SEARCH_SOURCE_PRIVATE, search_private_readable, search_private_fetch, 1},
};

#define NSOURCES (sizeof sources / sizeof sources[0])

static const search_src *source_of(uint8_t id)
{
    for (size_t i = 0; i < NSOURCES; i++)
        if (sources[i].id == id)
            return &sources[i];
    return NULL;
}

/* Frees convs and the names its sources allocated. */
static void free_names(search_conv *convs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const search_src *src = source_of(convs[i].source);
        if (src && src->owns_names)
            free((char *)(uintptr_t)convs[i].name);
    }
    free(convs);
}

void search_on_request(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    search_conv *convs;
    char nick[PROTO_NICK_MAX + 1], why[160];
    search_query q;
    size_t i;
    int rc;

    if (s->searching) {
        session_error(s, PC_SEARCH_BUSY, "your previous search is still running");
        return;
    }
    if (m->before && m->before <= m->after) {
        session_error(s, PC_BAD_SEARCH, "the date range is empty (before must be after after)");
        return;
    }
    memset(&q, 0, sizeof q);
    /* A session is in at most max_rooms_per_user rooms (and that is at most SEARCH_CONVS_MAX). */
    convs = malloc(SEARCH_CONVS_MAX * sizeof *convs);
    if (!convs) {
        session_error(s, PC_UNAVAILABLE, "out of memory");
        return;
    }
    for (i = 0; i < NSOURCES; i++)
        if (sources[i].readable(s, m, convs, SEARCH_CONVS_MAX, &q.nconvs) != 0)
            break;
    if (i < NSOURCES) {
        free_names(convs, q.nconvs);
        return;
    }
    proto_str_copy(nick, sizeof nick, m->nick);
    q.owner = s;
    q.tag = m->tag;
    q.words = m->text.p;
    q.words_len = m->text.n;
    q.nick = nick;
    q.nick_len = strlen(nick);
    q.convs = convs;
    q.before_id = m->id;
    q.after_ms = m->after;
    q.before_ms = m->before;
    q.count = m->count;
    rc = search_submit(c->search, &q, why, sizeof why);
    free_names(convs, q.nconvs);
    switch (rc) {
    case 0:
        s->searching = 1;
        return;
    case SEARCH_E_BUSY:
        session_error(s, PC_SEARCH_BUSY, "%s", why);
        return;
    case SEARCH_E_QUERY:
        session_error(s, PC_BAD_SEARCH, "%s", why);
        return;
    default:
        session_error(s, PC_UNAVAILABLE, "%s", why);
        return;
    }
}

typedef struct hit_ctx {
    session *s;
    uint32_t tag;
    uint32_t sent;
} hit_ctx;

/* search_hit_fn: one result, from its store's own copy of the message. */
static void send_hit(void *user, const proto_msg *hit)
{
    hit_ctx *x = user;
    proto_msg out = *hit;

    out.tag = x->tag;
    if (session_send(x->s, &out) == 0)
        x->sent++;
}

/* search_result_fn: a page of results back to the session that asked, if it is still here.
 * A message its store dropped since it was indexed (expiry, budget) is left out. */
static void deliver_result(void *user, const search_result *r)
{
    chat *c = user;
    session *s = r->owner;
    hit_ctx x;
    proto_msg end;

    if (!s)
        return;
    s->searching = 0;
    x.s = s;
    x.tag = r->tag;
    x.sent = 0;
    for (size_t i = 0; i < r->nhits; i++) {
        const search_hit *h = &r->hits[i];
        const search_src *src = source_of(h->source);
        /* Gone from its store: so is everything older in that conversation (stores drop a
         * conversation's oldest first), and the index forgets them too. */
        if (src && src->fetch(s, h->conv, h->id, send_hit, &x) == 0)
            (void)search_trim(c->search, h->source, h->conv, h->id);
    }
    memset(&end, 0, sizeof end);
    end.type = PT_SEARCH_END;
    end.tag = r->tag;
    end.flags = r->next_before ? PROTO_FLAG_MORE : 0;
    end.count = x.sent;
    end.id = r->next_before;
    session_send(s, &end);
    session_check_queue(s);
}

void chat_search_deliver(chat *c)
{
    search_collect(c->search, deliver_result, c);
}

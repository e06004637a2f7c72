/* chat_member_list.c — a room's member list (USER_LIST) as joiners and USERS receive it, and
 * the encoded copy a large room keeps of it so that a thousand logins a second into a lobby of
 * thousands do not each encode thousands of entries. */
#include "chat_internal.h"

#include <stdlib.h>
#include <string.h>

#include "sys.h"

/* How long a large room's copy may keep listing members who have left. Such a room does not
 * tell its members about joins and departures at all (room_announces), so a joiner's list is
 * a snapshot either way; a second more keeps the rebuild to once a second however busy the
 * room. Whoever joins is added at once, and presence or name changes start a new copy. */
#define LIST_STALE_MS 1000u

/* One frame's worth of the encoded entries. */
typedef struct list_chunk {
    size_t off, len;
    uint16_t count;
} list_chunk;

struct member_list_copy {
    buf entries;          /* every listed user's entry, encoded for PT_USER_LIST */
    list_chunk *chunks;
    size_t nchunks, chunks_cap;
    uint64_t built_ms;    /* monotonic: when it was made from the members */
    int stale;            /* someone left since then */
    strmap departed;      /* name keys of users who left since then: still listed, so a
                             return within LIST_STALE_MS must not list them twice */
};

/* Appends u's entry, in the last chunk if it has room. Returns 0 or -1 (out of memory). */
static int copy_put(member_list_copy *l, const session *u)
{
    proto_entry e;
    size_t before = l->entries.len;
    list_chunk *last = l->nchunks ? &l->chunks[l->nchunks - 1] : NULL;

    e.name = proto_s(u->nick);
    e.value = u->presence;
    e.text = proto_s(u->away ? u->away : "");
    proto_list_put(&l->entries, PT_USER_LIST, &e);
    if (buf_failed(&l->entries))
        return -1; /* out of memory, or an entry the protocol refuses: the copy is dropped */
    if (!last || last->len >= LIST_CHUNK || last->count == UINT16_MAX) {
        if (l->nchunks == l->chunks_cap) {
            size_t cap = l->chunks_cap ? l->chunks_cap * 2 : 8;
            list_chunk *grown = realloc(l->chunks, cap * sizeof *grown);
            if (!grown) {
                l->entries.len = before;
                return -1;
            }
            l->chunks = grown;
            l->chunks_cap = cap;
        }
        last = &l->chunks[l->nchunks++];
        last->off = before;
        last->len = 0;
        last->count = 0;
    }
    last->len += l->entries.len - before;
    last->count++;
    return 0;
}

/* Calls fn for each user in r once, however many of its sessions are in the room: the first
 * session of the nick carries the mark. Only a nick held by several sessions needs the nick
 * map, whose lookup costs a name key. Stops at the first nonzero return. */
static int each_user(chat *c, room *r, int (*fn)(void *arg, const session *u), void *arg)
{
    uint32_t mark = ++c->mark;
    size_t i;

    for (i = 0; i < r->nmembers; i++) {
        session *u = r->members[i];
        int listed = 0;
        if (u->nick_shared) {
            session *first = nick_find(c, u->nick);
            listed = first && first->mark == mark;
            if (first)
                first->mark = mark;
        }
        if (!listed && fn(arg, u) != 0)
            return -1;
    }
    return 0;
}

static int put_user(void *arg, const session *u)
{
    return copy_put(arg, u);
}

/* (Re)makes r's copy from its members. Returns it, or NULL if out of memory (then r has none). */
static member_list_copy *copy_build(chat *c, room *r)
{
    member_list_copy *l = r->list_copy;

    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l)
            return NULL;
        buf_init(&l->entries);
        strmap_init(&l->departed);
        r->list_copy = l;
    }
    buf_reset(&l->entries);
    l->nchunks = 0;
    l->built_ms = sys_mono_ms();
    l->stale = 0;
    strmap_free(&l->departed);
    strmap_init(&l->departed);
    if (each_user(c, r, put_user, l) != 0) {
        member_list_drop(r);
        return NULL;
    }
    return l;
}

/* The list as one or more frames (count and entries), flagged MORE but the last. */
static void send_frame(session *s, const room *r, const uint8_t *entries, size_t len,
                       uint16_t count, int more)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_USER_LIST;
    m.flags = more ? PROTO_FLAG_MORE : 0;
    m.room = proto_s(r->name);
    m.list.p = entries;
    m.list.n = len;
    m.list.count = count;
    session_send(s, &m);
}

/* A small room's list, made afresh each time: exact, and cheap at its size. */
typedef struct fresh_list {
    session *to;
    const room *r;
    buf *entries;
    uint16_t count;
} fresh_list;

static int put_fresh(void *arg, const session *u)
{
    fresh_list *f = arg;
    proto_entry e;

    e.name = proto_s(u->nick);
    e.value = u->presence;
    e.text = proto_s(u->away ? u->away : "");
    proto_list_put(f->entries, PT_USER_LIST, &e);
    f->count++;
    if (f->entries->len >= LIST_CHUNK || f->count == UINT16_MAX) {
        send_frame(f->to, f->r, f->entries->data, f->entries->len, f->count, 1);
        buf_reset(f->entries);
        f->count = 0;
    }
    return 0;
}

void member_list_send(session *s, room *r)
{
    chat *c = s->srv;
    member_list_copy *l = r->list_copy;
    size_t i;

    if (room_announces(c, r)) {
        fresh_list f;
        member_list_drop(r); /* small again: a later copy starts from the members */
        f.to = s;
        f.r = r;
        f.entries = &c->entries;
        f.count = 0;
        buf_reset(&c->entries);
        (void)each_user(c, r, put_fresh, &f);
        send_frame(s, r, c->entries.data, c->entries.len, f.count, 0);
        buf_reset(&c->entries);
        return;
    }
    if (!l || (l->stale && sys_mono_ms() - l->built_ms >= LIST_STALE_MS))
        l = copy_build(c, r);
    if (!l) {
        session_error(s, PC_UNAVAILABLE, "out of memory listing the members of %s", r->name);
        return;
    }
    if (l->nchunks == 0) {
        send_frame(s, r, NULL, 0, 0, 0);
        return;
    }
    for (i = 0; i < l->nchunks; i++)
        send_frame(s, r, l->entries.data + l->chunks[i].off, l->chunks[i].len,
                   l->chunks[i].count, i + 1 < l->nchunks);
}

void member_list_joined(room *r, const session *s)
{
    member_list_copy *l = r->list_copy;
    char key[NICK_KEY_CAP];

    if (!l)
        return;
    if (nick_key(s->nick, key) != 0) {
        member_list_drop(r);
        return;
    }
    /* Back within LIST_STALE_MS: the copy still lists this user. */
    if (strmap_del(&l->departed, key))
        return;
    /* A user new to the room goes into the copy at once: a joiner must find itself listed. */
    if (copy_put(l, s) != 0)
        member_list_drop(r);
}

void member_list_left(room *r, const session *s)
{
    member_list_copy *l = r->list_copy;
    char key[NICK_KEY_CAP];

    if (!l)
        return;
    l->stale = 1;
    /* (Another session of the user may still be in the room: then a later join of the user is
     * left out of the copy, which lists the user already; the next copy is exact again.) */
    if (nick_key(s->nick, key) != 0 ||
        strmap_put(&l->departed, key, l) != 0)
        member_list_drop(r);
}

void member_list_changed(chat *c, const session *s)
{
    session *t;
    size_t i;

    /* Presence and names are the account's: every session of it may carry them in a list. */
    for (t = account_sessions_first(c, s->nick); t; t = account_sessions_next(t))
        for (i = 0; i < t->nrooms; i++)
            member_list_drop(t->rooms[i]);
    for (i = 0; i < s->nrooms; i++) /* s too, should it hold no claim on the name */
        member_list_drop(s->rooms[i]);
}

void member_list_drop(room *r)
{
    member_list_copy *l = r->list_copy;

    if (!l)
        return;
    buf_free(&l->entries);
    strmap_free(&l->departed);
    free(l->chunks);
    free(l);
    r->list_copy = NULL;
}

/* chat_rooms.c — rooms: joining and leaving, topics, member lists, the room list, room
 * messages with their history, and history replay. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sys.h"
#include "utf8.h"


int room_name_valid(const char *name, size_t n)
{
    size_t i;
    if (n == 0 || n > PROTO_ROOM_MAX || !utf8_valid_text(name, n, 0))
        return 0;
    for (i = 0; i < n; i++)
        if (name[i] == ' ' || name[i] == ',')
            return 0;
    return 1;
}

room *room_find(chat *c, const char *name)
{
    return strmap_get(&c->rooms, name);
}

static room *room_create(chat *c, const char *name)
{
    room *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    snprintf(r->name, sizeof r->name, "%s", name);
    if (strmap_put(&c->rooms, name, r) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

/* Rooms with more members than announce_max_members do not tell every member about each
 * join, part and quit (one connect-quit cycle would cost a sealed frame per member); their
 * members get the member count every few seconds instead (rooms_tell_counts). */
int room_announces(const chat *c, const room *r)
{
    return c->cfg.announce_max_members == 0 || r->nmembers <= c->cfg.announce_max_members;
}

/* Rooms on the server: those with members and those with history, each once. Exact only when
 * near the cap (counting means walking the rooms with members). */
static size_t rooms_count_near(chat *c, size_t cap)
{
    size_t n = history_room_count(c->hist), pos = 0;
    const char *key;
    void *v;

    if (n + c->rooms.count < cap)
        return n + c->rooms.count;
    while (strmap_next(&c->rooms, &pos, &key, &v))
        if (!history_room_exists(c->hist, key))
            n++;
    return n;
}

/* A room lives while it has members or history. */
static void room_release_if_unused(chat *c, room *r)
{
    if (r->nmembers || history_room_exists(c->hist, r->name))
        return;
    strmap_del(&c->rooms, r->name);
    member_list_drop(r);
    free(r->members);
    free(r);
}

void rooms_free_all(chat *c)
{
    size_t pos = 0;
    const char *key;
    void *v;
    while (strmap_next(&c->rooms, &pos, &key, &v)) {
        room *r = v;
        member_list_drop(r);
        free(r->members);
        free(r);
    }
    strmap_free(&c->rooms);
}

static int in_room(const session *s, const room *r)
{
    size_t i;
    for (i = 0; i < s->nrooms; i++)
        if (s->rooms[i] == r)
            return 1;
    return 0;
}

/* Another session of s's account that is in r. With accounts one user may be in a room from
 * several sessions (two PCs): the room sees one member, who joins with the first session and
 * leaves with the last. */
static session *twin_in(session *s, const room *r)
{
    session *t;
    for (t = account_sessions_first(s->srv, s->nick); t; t = account_sessions_next(t))
        if (t != s && in_room(t, r))
            return t;
    return NULL;
}

static int add_member(session *s, room *r)
{
    if (r->nmembers == r->members_cap) {
        size_t cap = r->members_cap ? r->members_cap * 2 : 4;
        session **m = realloc(r->members, cap * sizeof *m);
        if (!m)
            return -1;
        r->members = m;
        r->members_cap = cap;
    }
    if (s->nrooms == s->rooms_cap) {
        size_t cap = s->rooms_cap ? s->rooms_cap * 2 : 2;
        room **rs = realloc(s->rooms, cap * sizeof *rs);
        if (!rs)
            return -1;
        s->rooms = rs;
        s->rooms_cap = cap;
    }
    r->members[r->nmembers++] = s;
    s->rooms[s->nrooms++] = r;
    return 0;
}

/* Order among members is join order; keep it (user lists read naturally). */
static void remove_member(session *s, room *r)
{
    size_t i;
    for (i = 0; i < r->nmembers; i++)
        if (r->members[i] == s) {
            memmove(&r->members[i], &r->members[i + 1], (r->nmembers - i - 1) * sizeof *r->members);
            r->nmembers--;
            member_list_left(r, s);
            break;
        }
    for (i = 0; i < s->nrooms; i++)
        if (s->rooms[i] == r) {
            s->rooms[i] = s->rooms[--s->nrooms];
            break;
        }
}

static void member_event(proto_msg *m, uint8_t event, const room *r, const session *s,
                         const char *text)
{
    memset(m, 0, sizeof *m);
    m->type = PT_MEMBER;
    m->event = event;
    m->presence = s->presence;
    m->room = proto_s(r ? r->name : "");
    m->nick = proto_s(s->nick);
    m->text = proto_s(text ? text : "");
}

/* ---- lists, sent in chunks flagged MORE until the last ---- */

void list_sender_start(list_sender *x, session *s, uint8_t type)
{
    x->s = s;
    x->type = type;
    x->count = 0;
    buf_reset(&s->srv->entries);
}

static void list_sender_flush(list_sender *x, int more)
{
    chat *c = x->s->srv;
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = x->type;
    m.flags = more ? PROTO_FLAG_MORE : 0;
    m.list.p = c->entries.data;
    m.list.n = c->entries.len;
    m.list.count = x->count;
    session_send(x->s, &m);
    buf_reset(&c->entries);
    x->count = 0;
}

void list_sender_put(list_sender *x, const proto_entry *e)
{
    chat *c = x->s->srv;
    proto_list_put(&c->entries, x->type, e);
    if (++x->count == UINT16_MAX || c->entries.len >= LIST_CHUNK)
        list_sender_flush(x, 1);
}

void list_sender_end(list_sender *x)
{
    list_sender_flush(x, 0);
}

static void add_room_entry(list_sender *x, const char *name, uint32_t members, const char *topic)
{
    proto_entry e;
    memset(&e, 0, sizeof e);
    e.name = proto_s(name);
    e.value = members;
    e.text = proto_s(topic);
    list_sender_put(x, &e);
}

static int list_history_room(void *user, const char *name, size_t count, uint64_t last_id)
{
    list_sender *x = user;
    (void)count;
    (void)last_id;
    /* Rooms with members were listed already, with their topics. */
    if (!room_find(x->s->srv, name))
        add_room_entry(x, name, 0, "");
    return 0;
}

void rooms_on_list(session *s)
{
    chat *c = s->srv;
    list_sender x;
    size_t pos = 0;
    const char *key;
    void *v;

    list_sender_start(&x, s, PT_ROOM_LIST);
    while (strmap_next(&c->rooms, &pos, &key, &v)) {
        room *r = v;
        add_room_entry(&x, r->name, (uint32_t)r->nmembers, r->topic);
    }
    history_rooms(c->hist, list_history_room, &x);
    list_sender_end(&x);
}

/* ---- history replay ---- */

typedef struct replay_ctx {
    session *s;
    uint32_t count;
} replay_ctx;

/* The MSG for a stored message (its strings borrowed from h). */
static void msg_of(proto_msg *m, const history_msg *h, const char *room_name, uint8_t flags,
                   uint32_t tag)
{
    memset(m, 0, sizeof *m);
    m->type = PT_MSG;
    m->id = h->id;
    m->time = h->time_ms;
    m->flags = flags;
    m->tag = tag;
    m->room = proto_s(room_name);
    m->nick = proto_s(h->nick);
    m->text.p = h->text;
    m->text.n = h->text_len;
}

static int replay_one(void *user, const history_msg *h)
{
    replay_ctx *x = user;
    proto_msg m;
    msg_of(&m, h, h->room, PROTO_FLAG_HISTORY | (h->flags & PROTO_FLAG_ACTION), 0);
    if (session_send(x->s, &m) != 0)
        return 1;
    x->count++;
    return 0;
}

/* Sends the room's messages with after < id < before (before 0 = all after) as MSG flagged
 * HISTORY, at most max of them: the oldest max when paging forward (after > 0), else the
 * newest; then HISTORY_END with the count. */
static void replay(session *s, room *r, uint64_t after, uint64_t before, uint32_t max)
{
    replay_ctx x;
    proto_msg m;

    x.s = s;
    x.count = 0;
    session_replay_begin(s);
    history_range(s->srv->hist, r->name, after, before, max, after > 0, replay_one, &x);
    memset(&m, 0, sizeof m);
    m.type = PT_HISTORY_END;
    m.room = proto_s(r->name);
    m.count = x.count;
    session_send(s, &m);
    session_replay_end(s);
}

/* ---- requests ---- */

/* What a joiner receives after its own MEMBER JOIN: the topic (if set), the member list and
 * the room's history, ended by HISTORY_END. */
static void join_reply(session *s, room *r)
{
    chat *c = s->srv;
    proto_msg m;

    if (r->topic[0]) {
        memset(&m, 0, sizeof m);
        m.type = PT_TOPIC;
        m.room = proto_s(r->name);
        m.nick = proto_s(r->topic_by);
        m.text = proto_s(r->topic);
        session_send(s, &m);
    }
    member_list_send(s, r);
    replay(s, r, 0, 0, c->cfg.history_per_room);
}

void rooms_join(session *s, const char *name)
{
    chat *c = s->srv;
    room *r = room_find(c, name);
    proto_msg m;
    int new_user;

    if (r && in_room(s, r)) {
        /* Joining again changes nothing, and answers like a join to the joiner alone: a
         * client can resynchronise a room this way. */
        member_event(&m, MEMBER_JOIN, r, s, NULL);
        session_send(s, &m);
        join_reply(s, r);
        return;
    }
    if (s->nrooms >= c->cfg.max_rooms_per_user) {
        session_error(s, PC_BAD_ROOM, "you are in %u rooms already, the most allowed",
                      (unsigned)c->cfg.max_rooms_per_user);
        return;
    }
    if (!r && !history_room_exists(c->hist, name) &&
        rooms_count_near(c, c->cfg.max_rooms) >= c->cfg.max_rooms) {
        session_error(s, PC_BAD_ROOM, "the server has %u rooms, the most allowed: join one that "
                      "exists", (unsigned)c->cfg.max_rooms);
        return;
    }
    if (!r && !(r = room_create(c, name))) {
        session_error(s, PC_UNAVAILABLE, "out of memory");
        return;
    }
    if (add_member(s, r) != 0) {
        room_release_if_unused(c, r);
        session_error(s, PC_UNAVAILABLE, "out of memory");
        return;
    }
    new_user = !twin_in(s, r);
    if (new_user)
        member_list_joined(r, s);
    member_event(&m, MEMBER_JOIN, r, s, NULL);
    if (room_announces(c, r) && new_user)
        room_fanout(c, r, &m);
    else
        session_send(s, &m); /* the user was there already, from another session */
    join_reply(s, r);
}

/* Copies a room name from the wire after checking it. Returns 0 if it is no room name. */
static int take_room_name(session *s, const proto_msg *m, char *name)
{
    if (!room_name_valid(m->room.p, m->room.n)) {
        session_error(s, PC_BAD_ROOM, "room names are 1-%d characters, no spaces or commas",
                      PROTO_ROOM_MAX);
        return 0;
    }
    proto_str_copy(name, PROTO_ROOM_MAX + 1, m->room);
    return 1;
}

/* The room named in m that s is a member of, or NULL after telling s what is wrong. */
static room *member_room(session *s, const proto_msg *m)
{
    char name[PROTO_ROOM_MAX + 1];
    room *r;
    if (!take_room_name(s, m, name))
        return NULL;
    r = room_find(s->srv, name);
    if (!r || !in_room(s, r)) {
        session_error(s, PC_NOT_IN_ROOM, "you are not in %s", name);
        return NULL;
    }
    return r;
}

room *rooms_member_of(session *s, const proto_msg *m)
{
    return member_room(s, m);
}

void rooms_on_join(session *s, const proto_msg *m)
{
    char name[PROTO_ROOM_MAX + 1];
    if (take_room_name(s, m, name))
        rooms_join(s, name);
}

void rooms_on_part(session *s, const proto_msg *m)
{
    char reason[PROTO_NAME_MAX + 1];
    proto_msg ev;
    room *r = member_room(s, m);

    if (!r)
        return;
    proto_str_copy(reason, sizeof reason, m->text);
    member_event(&ev, MEMBER_PART, r, s, reason);
    if (room_announces(s->srv, r) && !twin_in(s, r))
        room_fanout(s->srv, r, &ev);
    else
        session_send(s, &ev); /* the user stays, from another session */
    remove_member(s, r);
    room_release_if_unused(s->srv, r);
}

void rooms_on_topic(session *s, const proto_msg *m)
{
    proto_msg ev;
    room *r = member_room(s, m);
    if (!r)
        return;
    proto_str_copy(r->topic, sizeof r->topic, m->text);
    snprintf(r->topic_by, sizeof r->topic_by, "%s", s->nick);
    memset(&ev, 0, sizeof ev);
    ev.type = PT_TOPIC;
    ev.room = proto_s(r->name);
    ev.nick = proto_s(s->nick);
    ev.text = proto_s(r->topic);
    room_fanout(s->srv, r, &ev);
}

void rooms_on_users(session *s, const proto_msg *m)
{
    char name[PROTO_ROOM_MAX + 1];
    room *r;
    if (!take_room_name(s, m, name))
        return;
    r = room_find(s->srv, name);
    if (!r) {
        session_error(s, PC_NOT_FOUND, "there is no room %s", name);
        return;
    }
    member_list_send(s, r);
}

void rooms_on_history(session *s, const proto_msg *m)
{
    uint32_t max = s->srv->cfg.history_per_room;
    room *r = member_room(s, m);
    if (!r)
        return;
    replay(s, r, m->after, m->before, m->count && m->count < max ? m->count : max);
}

void rooms_on_say(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char text[PROTO_TEXT_MAX + 1];
    char err[256];
    proto_msg out;
    uint64_t id = 0, now = sys_wall_ms();
    room *r = member_room(s, m);

    if (!r)
        return;
    if (m->text.n == 0) {
        session_error(s, PC_BAD_TEXT, "empty message");
        return;
    }
    proto_str_copy(text, sizeof text, m->text);
    /* Written to the journal (by its writer thread, off the core lock) before anyone, the
     * sender included, sees it: the echo to the sender is the acknowledgement. Delivery
     * happens in rooms_deliver once the writer is done. */
    /* The action flag (/me) is the sender's, kept in the journal with the message. */
    switch (history_submit(c->hist, r->name, s->nick, text, now, m->flags & PROTO_FLAG_ACTION,
                           m->tag, s, &id, err, sizeof err)) {
    case 0:
        s->writes_pending++; /* its other requests wait for this write (may_go_on) */
        return;
    case 1: /* no history kept: nothing to wait for */
        break;
    default:
        log_error("history: %s", err);
        session_error(s, PC_UNAVAILABLE, "the server could not take your message");
        return;
    }
    memset(&out, 0, sizeof out);
    out.type = PT_MSG;
    out.id = id;
    out.time = now;
    out.flags = m->flags & PROTO_FLAG_ACTION;
    out.tag = m->tag;
    out.room = proto_s(r->name);
    out.nick = proto_s(s->nick);
    out.text = m->text;
    room_fanout(c, r, &out);
}

/* history_done_fn: a room message is in the journal (or could not be written): now its room
 * sees it, the sender's echo included. */
static void deliver_written(void *user, const history_msg *h, uint32_t tag, void *owner,
                            int saved, const char *err)
{
    chat *c = user;
    room *r = room_find(c, h->room);
    session *sender = owner;
    proto_msg out;

    if (!saved) {
        /* While the disk stays broken every message fails: one line every 10 s is enough. */
        c->disk_errors++;
        if (c->disk_error_ms == 0 || sys_mono_ms() - c->disk_error_ms >= 10000) {
            log_error("history journal: %s; delivering without saving (%u message%s since the "
                      "last report)", err, (unsigned)c->disk_errors,
                      c->disk_errors == 1 ? "" : "s");
            c->disk_error_ms = sys_mono_ms();
            c->disk_errors = 0;
        }
    }
    chat_search_add(c, h); /* in the history now, so search may find it */
    if (r) { /* else everyone left meanwhile */
        msg_of(&out, h, r->name, h->flags & PROTO_FLAG_ACTION, tag);
        room_fanout(c, r, &out);
    }
    if (sender && --sender->writes_pending == 0)
        session_resume(sender); /* its requests that waited behind this one */
}

void rooms_deliver(chat *c)
{
    history_collect(c->hist, deliver_written, c);
}

void rooms_tell_peers(session *s, const proto_msg *m, int membership_news)
{
    chat *c = s->srv;
    size_t i, j;
    uint32_t mark = ++c->mark;

    s->mark = mark;
    session_send(s, m);
    for (i = 0; i < s->nrooms; i++) {
        room *r = s->rooms[i];
        if (membership_news && !room_announces(c, r))
            continue;
        for (j = 0; j < r->nmembers; j++) {
            session *u = r->members[j];
            if (u->mark == mark)
                continue;
            u->mark = mark;
            session_send(u, m);
        }
    }
}

void rooms_leave_all(session *s, uint8_t event, const char *reason)
{
    chat *c = s->srv;
    proto_msg ev;
    session *other = account_sessions_first(c, s->nick);

    while (other == s)
        other = account_sessions_next(other);
    if (event == MEMBER_QUIT && other) {
        /* The user is still here from another session: only the rooms it leaves for good
         * hear so, as a PART. */
        size_t i;
        for (i = 0; i < s->nrooms; i++) {
            room *r = s->rooms[i];
            if (twin_in(s, r) || !room_announces(c, r))
                continue;
            member_event(&ev, MEMBER_PART, r, s, reason);
            room_fanout(c, r, &ev);
        }
    } else if (event) {
        member_event(&ev, event, NULL, s, reason);
        rooms_tell_peers(s, &ev, event == MEMBER_QUIT);
    }
    while (s->nrooms) {
        room *r = s->rooms[s->nrooms - 1];
        remove_member(s, r);
        room_release_if_unused(c, r);
    }
}

void rooms_tell_counts(chat *c)
{
    size_t pos = 0;
    const char *key;
    void *v;

    while (strmap_next(&c->rooms, &pos, &key, &v)) {
        room *r = v;
        proto_msg m;
        proto_entry e;
        /* Also once after a room shrank below the threshold, so the last count is true. */
        if ((room_announces(c, r) && r->count_told == 0) || r->nmembers == r->count_told)
            continue;
        r->count_told = room_announces(c, r) ? 0 : r->nmembers;
        buf_reset(&c->entries);
        e.name = proto_s(r->name);
        e.value = (uint32_t)r->nmembers;
        e.text = proto_s(r->topic);
        proto_list_put(&c->entries, PT_ROOM_LIST, &e);
        memset(&m, 0, sizeof m);
        m.type = PT_ROOM_LIST;
        m.flags = PROTO_FLAG_UPDATE;
        m.list.p = c->entries.data;
        m.list.n = c->entries.len;
        m.list.count = 1;
        room_fanout(c, r, &m);
        buf_reset(&c->entries);
    }
}

int rooms_in_use(void *user, const char *name)
{
    room *r = room_find(user, name);
    return r && r->nmembers > 0;
}

void rooms_release_unused(chat *c)
{
    int again = 1;

    /* The map must not change while it is walked: one release per walk. */
    while (again) {
        size_t pos = 0;
        const char *key;
        void *v;
        again = 0;
        while (strmap_next(&c->rooms, &pos, &key, &v)) {
            room *r = v;
            if (r->nmembers == 0 && !history_room_exists(c->hist, r->name)) {
                room_release_if_unused(c, r);
                again = 1;
                break;
            }
        }
    }
}

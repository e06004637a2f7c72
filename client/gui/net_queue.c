/* net_queue.c — the two queues between the UI and a network thread (requests one way, events
 * the other, each under the link's lock) and the link's reference-counted lifetime. Events are
 * announced with one PostMessage per batch, so a burst never overflows the window's queue. */
#include "net_link.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/* ---- the link's lifetime ---- */

void link_release(net_link *link)
{
    net_req *r;
    net_event *e;

    if (InterlockedDecrement(&link->refs) != 0)
        return;
    while ((r = link->req_head) != NULL) {
        link->req_head = r->next;
        if (r->msg.type == PT_PASSWORD) { /* passwords never handed over */
            crypto_wipe((char *)r->msg.text.p, r->msg.text.n);
            crypto_wipe((char *)r->msg.target.p, r->msg.target.n);
        }
        free(r);
    }
    while ((e = link->ev_head) != NULL) {
        link->ev_head = e->next;
        net_event_free(e);
    }
    /* Both sides are done with it: neither drives nor uses the session any more. */
    pcs_free(link->pcs);
    DeleteCriticalSection(&link->lock);
    free(link);
}

int link_stopping(net_link *link)
{
    return InterlockedCompareExchange(&link->stop, 0, 0) != 0;
}

/* ---- events ---- */

/* Hands ev to the UI. Only the first event of a batch posts a message: the UI drains them
 * all. A lost event (out of memory) costs one line in a transcript, not the connection. */
void link_emit(net_link *link, net_event *ev)
{
    int post = 0;

    if (!ev)
        return;
    EnterCriticalSection(&link->lock);
    if (link->ev_tail)
        link->ev_tail->next = ev;
    else
        link->ev_head = ev;
    link->ev_tail = ev;
    if (!link->posted) {
        link->posted = 1;
        post = 1;
    }
    LeaveCriticalSection(&link->lock);
    if (post && !PostMessageW(link->notify, WM_NET_EVENT, link->link_id, 0)) {
        /* The window is gone or its queue is full: let the next event try again. */
        EnterCriticalSection(&link->lock);
        link->posted = 0;
        LeaveCriticalSection(&link->lock);
    }
}

net_event *net_next_event(net_link *link)
{
    net_event *ev;

    EnterCriticalSection(&link->lock);
    ev = link->ev_head;
    if (ev) {
        link->ev_head = ev->next;
        if (!link->ev_head)
            link->ev_tail = NULL;
        ev->next = NULL;
    } else {
        /* Drained: the next event must post again. */
        link->posted = 0;
    }
    LeaveCriticalSection(&link->lock);
    return ev;
}

/* ---- requests ---- */

/* Appends a copy of s at *end and points *field at it. */
static void put_str(proto_str *field, proto_str s, char **end)
{
    if (s.n)
        memcpy(*end, s.p, s.n);
    (*end)[s.n] = '\0';
    field->p = *end;
    field->n = s.n;
    *end += s.n + 1;
}

/* Queues a copy of m (its room, nick, target and text: all a request uses). 0, or -1 when
 * out of memory. */
static int queue_req(net_link *link, const proto_msg *m)
{
    net_req *r = malloc(sizeof *r + m->room.n + m->nick.n + m->target.n + m->text.n + 4);
    char *end;

    if (!r)
        return -1;
    r->next = NULL;
    r->msg = *m;
    end = (char *)(r + 1);
    put_str(&r->msg.room, m->room, &end);
    put_str(&r->msg.nick, m->nick, &end);
    put_str(&r->msg.target, m->target, &end);
    put_str(&r->msg.text, m->text, &end);
    EnterCriticalSection(&link->lock);
    if (link->req_tail)
        link->req_tail->next = r;
    else
        link->req_head = r;
    link->req_tail = r;
    LeaveCriticalSection(&link->lock);
    return 0;
}

net_req *link_take_req(net_link *link)
{
    net_req *r;

    EnterCriticalSection(&link->lock);
    r = link->req_head;
    if (r) {
        link->req_head = r->next;
        if (!link->req_head)
            link->req_tail = NULL;
    }
    LeaveCriticalSection(&link->lock);
    return r;
}

static proto_str opt_s(const char *s)
{
    return proto_s(s ? s : "");
}

/* A chat line (SAY to a room or PRIV to a nick), flags: PROTO_FLAG_ACTION for /me. */
static int chat_line(net_link *link, uint8_t type, const char *room, const char *target,
                     const char *text, uint8_t flags)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = type;
    m.room = opt_s(room);
    m.target = opt_s(target);
    m.text = opt_s(text);
    m.flags = flags;
    return queue_req(link, &m);
}

static int request(net_link *link, uint8_t type, const char *room, const char *nick,
                   const char *target, const char *text)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = type;
    m.room = opt_s(room);
    m.nick = opt_s(nick);
    m.target = opt_s(target);
    m.text = opt_s(text);
    return queue_req(link, &m);
}

int net_join(net_link *link, const char *room)
{
    return request(link, PT_JOIN, room, NULL, NULL, NULL);
}

int net_part(net_link *link, const char *room)
{
    return request(link, PT_PART, room, NULL, NULL, NULL);
}

int net_say(net_link *link, const char *room, const char *text, uint8_t flags)
{
    return chat_line(link, PT_SAY, room, NULL, text, flags);
}

int net_priv(net_link *link, const char *nick, const char *text, uint8_t flags)
{
    return chat_line(link, PT_PRIV, NULL, nick, text, flags);
}

int net_kick(net_link *link, const char *nick, const char *reason)
{
    return request(link, PT_KICK, NULL, nick, NULL, reason);
}

int net_ban(net_link *link, const char *target, uint32_t seconds, const char *reason)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_BAN;
    m.duration = seconds;
    m.target = opt_s(target);
    m.text = opt_s(reason);
    return queue_req(link, &m);
}

int net_oper(net_link *link, const char *password)
{
    return request(link, PT_OPER, NULL, NULL, NULL, password);
}

int net_read(net_link *link, const char *nick, uint64_t id)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_READ;
    m.target = opt_s(nick);
    m.id = id;
    return queue_req(link, &m);
}

int net_priv_prefs(net_link *link, int read_receipts)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_PRIV_PREFS;
    m.flags = read_receipts ? 0 : PROTO_FLAG_NO_RECEIPTS;
    return queue_req(link, &m);
}

int net_nick(net_link *link, const char *nick)
{
    return request(link, PT_NICK, NULL, nick, NULL, NULL);
}

int net_away(net_link *link, uint8_t presence, const char *text)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_AWAY;
    m.presence = presence;
    m.text = opt_s(text);
    return queue_req(link, &m);
}

int net_topic(net_link *link, const char *room, const char *text)
{
    return request(link, PT_TOPIC, room, NULL, NULL, text);
}

int net_rooms(net_link *link)
{
    return request(link, PT_ROOMS, NULL, NULL, NULL, NULL);
}

int net_accounts(net_link *link)
{
    return request(link, PT_ACCOUNTS, NULL, NULL, NULL, NULL);
}

int net_users(net_link *link, const char *room)
{
    return request(link, PT_USERS, room, NULL, NULL, NULL);
}

int net_account(net_link *link, const char *account, const char *action)
{
    return request(link, PT_ACCOUNT, NULL, account, action, NULL);
}

int net_change_password(net_link *link, const char *old_pw, const char *new_pw)
{
    /* Queued like every request, so the UI never waits on the network; the thread starts the
     * layer's change with them (net_thread.c) and wipes them. */
    return request(link, PT_PASSWORD, NULL, NULL, new_pw, old_pw);
}

int net_alert(net_link *link, const char *to, uint32_t duration, const char *text)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_ALERT;
    m.duration = duration;
    m.target = opt_s(to);
    m.text = opt_s(text);
    return queue_req(link, &m);
}

/* ACK and ROLL: a type and an alert id. */
static int id_request(net_link *link, uint8_t type, uint64_t id)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = type;
    m.id = id;
    return queue_req(link, &m);
}

int net_ack(net_link *link, uint64_t id)
{
    return id_request(link, PT_ACK, id);
}

int net_roll(net_link *link, uint64_t id)
{
    return id_request(link, PT_ROLL, id);
}

int net_search(net_link *link, const pc_search_req *req)
{
    proto_msg m;

    pc_search_msg(req, &m);
    return queue_req(link, &m);
}

int net_history(net_link *link, const char *room, uint64_t before_id, uint32_t count)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = PT_HISTORY;
    m.room = opt_s(room);
    m.before = before_id;
    m.count = count;
    return queue_req(link, &m);
}

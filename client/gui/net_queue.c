/* net_queue.c — the two queues between the UI and a network thread (requests one way, events
 * the other, each under the link's lock) and the link's reference-counted lifetime. Events are
 * announced with one PostMessage per batch, so a burst never overflows the window's queue. */
#include "net_link.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/* ---- the link's lifetime ---- */

void link_free_cmd(net_cmd *c)
{
    free(c->a);
    free(c->b);
    free(c);
}

void link_release(net_link *link)
{
    net_cmd *c;
    net_event *e;

    if (InterlockedDecrement(&link->refs) != 0)
        return;
    while ((c = link->cmd_head) != NULL) {
        link->cmd_head = c->next;
        link_free_cmd(c);
    }
    while ((e = link->ev_head) != NULL) {
        link->ev_head = e->next;
        net_event_free(e);
    }
    crypto_wipe(link->cfg.secret, sizeof link->cfg.secret);
    CloseHandle(link->wake);
    DeleteCriticalSection(&link->lock);
    free(link);
}

int link_stopping(net_link *link)
{
    return InterlockedCompareExchange(&link->stop, 0, 0) != 0;
}

/* ---- events ---- */

void net_event_free(net_event *ev)
{
    size_t i;

    if (!ev)
        return;
    free(ev->room);
    free(ev->nick);
    free(ev->target);
    free(ev->text);
    for (i = 0; i < ev->nusers; i++) {
        free(ev->users[i].nick);
        free(ev->users[i].away);
    }
    free(ev->users);
    free(ev);
}

static char *dup_str(proto_str s)
{
    char *p = malloc(s.n + 1);

    if (p) {
        if (s.n)
            memcpy(p, s.p, s.n);
        p[s.n] = '\0';
    }
    return p;
}

static char *dup_c(const char *s)
{
    return dup_str(proto_s(s ? s : ""));
}

/* A new event with every string set to "" (NULL when out of memory). */
net_event *link_event_new(net_event_kind kind)
{
    net_event *ev = calloc(1, sizeof *ev);

    if (!ev)
        return NULL;
    ev->kind = kind;
    ev->room = dup_c("");
    ev->nick = dup_c("");
    ev->target = dup_c("");
    ev->text = dup_c("");
    if (!ev->room || !ev->nick || !ev->target || !ev->text) {
        net_event_free(ev);
        return NULL;
    }
    return ev;
}

int link_event_set(char **field, proto_str s)
{
    char *p = dup_str(s);

    if (!p)
        return -1;
    free(*field);
    *field = p;
    return 0;
}

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
    if (post && !PostMessageW(link->cfg.notify, WM_NET_EVENT, link->cfg.session, 0)) {
        /* The window is gone or its queue is full: let the next event try again. */
        EnterCriticalSection(&link->lock);
        link->posted = 0;
        LeaveCriticalSection(&link->lock);
    }
}

void link_emit_status(net_link *link, net_event_kind kind, int code, const char *text,
                        uint32_t attempt, uint32_t delay_ms)
{
    net_event *ev = link_event_new(kind);

    if (!ev)
        return;
    ev->code = code;
    ev->attempt = attempt;
    ev->delay_ms = delay_ms;
    if (link_event_set(&ev->text, proto_s(text ? text : "")) != 0) {
        net_event_free(ev);
        return;
    }
    link_emit(link, ev);
}

/* Copies a received message into an event the UI owns. */
net_event *link_event_from_msg(const proto_msg *m)
{
    net_event *ev = link_event_new(NET_EV_MESSAGE);
    size_t pos = 0, i = 0;
    proto_entry e;

    if (!ev)
        return NULL;
    ev->type = m->type;
    ev->flags = m->flags;
    ev->presence = m->presence;
    ev->event = m->event;
    ev->code = m->code;
    ev->count = m->count;
    ev->tag = m->tag;
    ev->id = m->id;
    ev->time = m->time;
    if (link_event_set(&ev->room, m->room) || link_event_set(&ev->nick, m->nick) ||
        link_event_set(&ev->target, m->target) || link_event_set(&ev->text, m->text))
        goto fail;
    if (m->type == PT_USER_LIST && m->list.count) {
        ev->users = calloc(m->list.count, sizeof *ev->users);
        if (!ev->users)
            goto fail;
        while (i < m->list.count && proto_list_next(&m->list, PT_USER_LIST, &pos, &e)) {
            net_user *u = &ev->users[i++];
            ev->nusers = i; /* counts the entry even half-filled, so that free reaches it */
            u->presence = (uint8_t)e.value;
            u->nick = dup_str(e.name);
            u->away = dup_str(e.text);
            if (!u->nick || !u->away)
                goto fail;
        }
    }
    return ev;
fail:
    net_event_free(ev);
    return NULL;
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

/* ---- commands ---- */

static int queue_cmd(net_link *link, cmd_kind kind, uint8_t presence, const char *a,
                     const char *b)
{
    net_cmd *c = calloc(1, sizeof *c);

    if (!c)
        return -1;
    c->kind = kind;
    c->presence = presence;
    c->a = dup_c(a);
    c->b = dup_c(b);
    if (!c->a || !c->b) {
        link_free_cmd(c);
        return -1;
    }
    EnterCriticalSection(&link->lock);
    if (link->cmd_tail)
        link->cmd_tail->next = c;
    else
        link->cmd_head = c;
    link->cmd_tail = c;
    LeaveCriticalSection(&link->lock);
    return 0;
}

int net_join(net_link *link, const char *room)
{
    return queue_cmd(link, CMD_JOIN, 0, room, NULL);
}

int net_part(net_link *link, const char *room)
{
    return queue_cmd(link, CMD_PART, 0, room, NULL);
}

int net_say(net_link *link, const char *room, const char *text)
{
    return queue_cmd(link, CMD_SAY, 0, room, text);
}

int net_priv(net_link *link, const char *nick, const char *text)
{
    return queue_cmd(link, CMD_PRIV, 0, nick, text);
}

int net_nick(net_link *link, const char *nick)
{
    return queue_cmd(link, CMD_NICK, 0, nick, NULL);
}

int net_away(net_link *link, uint8_t presence, const char *text)
{
    return queue_cmd(link, CMD_AWAY, presence, text, NULL);
}

int net_topic(net_link *link, const char *room, const char *text)
{
    return queue_cmd(link, CMD_TOPIC, 0, room, text);
}

net_cmd *link_take_cmd(net_link *link)
{
    net_cmd *c;

    EnterCriticalSection(&link->lock);
    c = link->cmd_head;
    if (c) {
        link->cmd_head = c->next;
        if (!link->cmd_head)
            link->cmd_tail = NULL;
    }
    LeaveCriticalSection(&link->lock);
    return c;
}

void link_requeue_front(net_link *link, net_cmd *c)
{
    EnterCriticalSection(&link->lock);
    c->next = link->cmd_head;
    link->cmd_head = c;
    if (!link->cmd_tail)
        link->cmd_tail = c;
    LeaveCriticalSection(&link->lock);
}


/* net_event.c — the UI's own copies of the reconnect layer's events: the pointers in a
 * pcs_event live only during its callback on the network thread, so what the UI needs is
 * copied out there and freed by the UI once handled. */
#include "net_link.h"

#include <stdlib.h>
#include <string.h>

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

/* Replaces *field with a copy of s. 0, or -1 when out of memory. */
static int set_str(char **field, proto_str s)
{
    char *p = dup_str(s);

    if (!p)
        return -1;
    free(*field);
    *field = p;
    return 0;
}

/* A new event with every string "" (NULL when out of memory). */
static net_event *event_new(pcs_event_kind kind)
{
    net_event *ev = calloc(1, sizeof *ev);

    if (!ev)
        return NULL;
    ev->kind = kind;
    ev->room = dup_str(proto_s(""));
    ev->nick = dup_str(proto_s(""));
    ev->target = dup_str(proto_s(""));
    ev->text = dup_str(proto_s(""));
    if (!ev->room || !ev->nick || !ev->target || !ev->text) {
        net_event_free(ev);
        return NULL;
    }
    return ev;
}

/* The message's fields, its user list included. 0, or -1 when out of memory. */
static int copy_msg(net_event *ev, const proto_msg *m)
{
    size_t pos = 0, i = 0;
    proto_entry e;

    ev->type = m->type;
    ev->flags = m->flags;
    ev->presence = m->presence;
    ev->event = m->event;
    ev->code = m->code;
    ev->count = m->count;
    ev->tag = m->tag;
    ev->id = m->id;
    ev->time = m->time;
    ev->duration = m->duration;
    if (set_str(&ev->room, m->room) || set_str(&ev->nick, m->nick) ||
        set_str(&ev->target, m->target) || set_str(&ev->text, m->text))
        return -1;
    if ((m->type != PT_USER_LIST && m->type != PT_ROOM_LIST && m->type != PT_ROLL_LIST &&
         m->type != PT_ACCOUNT_LIST) ||
        !m->list.count)
        return 0;
    ev->users = calloc(m->list.count, sizeof *ev->users);
    if (!ev->users)
        return -1;
    while (i < m->list.count && proto_list_next(&m->list, m->type, &pos, &e)) {
        net_user *u = &ev->users[i++];
        ev->nusers = i; /* counts the entry even half-filled, so that free reaches it */
        u->presence = (uint8_t)e.value;
        u->members = (uint32_t)e.value;
        u->time = e.time;
        u->nick = dup_str(e.name);
        u->away = dup_str(e.text);
        if (!u->nick || !u->away)
            return -1;
    }
    return 0;
}

net_event *link_event_copy(const pcs_event *e)
{
    net_event *ev = event_new(e->kind);
    int rc = 0;

    if (!ev)
        return NULL;
    if (e->kind == PCS_EV_MESSAGE) {
        rc = copy_msg(ev, e->msg);
    } else {
        ev->code = e->code;
        ev->reconnect = e->reconnect;
        ev->account = e->account;
        ev->signed_on = e->signed_on;
        ev->cipher = e->cipher;
        ev->count = e->count;
        ev->attempt = e->attempt;
        ev->delay_ms = e->delay_ms;
        ev->rtt_ms = e->rtt_ms;
        /* CONNECTED's server name travels as text (it is the event's text too), the
         * message of the day as target. */
        rc = set_str(&ev->text, proto_s(e->text)) || set_str(&ev->nick, proto_s(e->nick)) ||
             set_str(&ev->target, proto_s(e->motd)) || set_str(&ev->room, proto_s(e->room));
    }
    if (rc) {
        net_event_free(ev);
        return NULL;
    }
    return ev;
}

net_event *link_event_failure(pcs_event_kind kind, int code, const char *why)
{
    net_event *ev = event_new(kind);

    if (ev && set_str(&ev->text, proto_s(why)) != 0) {
        net_event_free(ev);
        return NULL;
    }
    if (ev)
        ev->code = code;
    return ev;
}

net_event *link_event_rtt(uint64_t rtt_ms)
{
    net_event *ev = event_new(PCS_EV_RTT);

    if (ev)
        ev->rtt_ms = rtt_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt_ms;
    return ev;
}

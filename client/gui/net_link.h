/* net_link.h — the inside of a network link, shared by its two halves: net_queue.c (the
 * queues between the UI and the thread, and the link's lifetime) and net_thread.c (the thread
 * itself). Nothing outside those two files includes this. */
#ifndef PARLEY_GUI_NET_LINK_H
#define PARLEY_GUI_NET_LINK_H

#include "client.h"
#include "net_thread.h"

#define MAX_ROOMS 64 /* rooms remembered for re-joining */

typedef enum cmd_kind { CMD_JOIN, CMD_PART, CMD_SAY, CMD_PRIV, CMD_NICK, CMD_AWAY, CMD_TOPIC } cmd_kind;

/* A request queued by the UI, sent by the thread. */
typedef struct net_cmd {
    struct net_cmd *next;
    cmd_kind kind;
    uint8_t presence;
    char *a, *b;
} net_cmd;

typedef struct room_mark {
    char name[PROTO_ROOM_MAX + 1];
    uint64_t last_id; /* newest message seen, for HISTORY after a reconnect */
} room_mark;

struct net_link {
    LONG refs;              /* the UI's and the thread's: the last to let go frees */
    CRITICAL_SECTION lock;  /* guards everything down to `posted` */
    HANDLE wake;            /* set on stop: cuts a backoff wait short */
    LONG stop;
    net_cmd *cmd_head, *cmd_tail;
    net_event *ev_head, *ev_tail;
    int posted;             /* a WM_NET_EVENT is on its way; the UI clears it when draining */

    /* the thread's own */
    net_config cfg;
    pc_conn *conn;
    room_mark rooms[MAX_ROOMS];
    size_t nrooms;
    uint64_t ping_sent;     /* sys_mono_ms of the outstanding PING, 0 if none */
    uint64_t next_ping;
};

/* Lets go of one reference; the last frees the link with everything still queued. */
void link_release(net_link *link);
/* 1 once the UI has asked the thread to end. */
int link_stopping(net_link *link);

/* A new event with every string "" (NULL when out of memory); the receiver frees it. */
net_event *link_event_new(net_event_kind kind);
/* Replaces *field with a copy of s. 0, or -1 when out of memory. */
int link_event_set(char **field, proto_str s);
/* Copies a received message into a new event (NULL when out of memory). */
net_event *link_event_from_msg(const proto_msg *m);
/* Hands ev (may be NULL) to the UI. */
void link_emit(net_link *link, net_event *ev);
/* A state event with a code, a text and the reconnect attempt and delay. */
void link_emit_status(net_link *link, net_event_kind kind, int code, const char *text,
                      uint32_t attempt, uint32_t delay_ms);

/* The oldest queued request (NULL if none); the caller frees it with link_free_cmd or gives it
 * back with link_requeue_front. */
net_cmd *link_take_cmd(net_link *link);
void link_requeue_front(net_link *link, net_cmd *c);
void link_free_cmd(net_cmd *c);

#endif

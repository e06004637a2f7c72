/* net_link.h — the inside of a network link, shared by its parts: net_queue.c (the queues
 * between the UI and the thread, and the link's lifetime), net_event.c (the UI's copies of
 * events) and net_thread.c (the thread). Nothing outside those files includes this. */
#ifndef PARLEY_GUI_NET_LINK_H
#define PARLEY_GUI_NET_LINK_H

#include "net_thread.h"
#include "rtt_probe.h"

/* A request queued by the UI, handed to the reconnect layer by the thread. msg's strings
 * point into the same allocation. */
typedef struct net_req {
    struct net_req *next;
    proto_msg msg;
} net_req;

struct net_link {
    LONG refs;              /* the UI's and the thread's: the last to let go frees */
    LONG stop;              /* the UI has let go: the thread says goodbye */
    CRITICAL_SECTION lock;  /* guards the two queues and `posted` */
    net_req *req_head, *req_tail;
    net_event *ev_head, *ev_tail;
    int posted;             /* a WM_NET_EVENT is on its way; the UI clears it when draining */
    HWND notify;
    unsigned link_id;
    pcs_session *pcs;       /* driven by the thread only; freed with the link */
    rtt_probe rtt;          /* the thread's own first PING, timed with GetTickCount64 */
};

/* Lets go of one reference; the last frees the link with everything still queued. */
void link_release(net_link *link);
/* 1 once the UI has let go of the link. */
int link_stopping(net_link *link);

/* Hands ev (may be NULL) to the UI. */
void link_emit(net_link *link, net_event *ev);
/* The oldest queued request (NULL if none); the caller frees it with free(). */
net_req *link_take_req(net_link *link);

/* New events for the UI, which owns them (net_event_free); NULL when out of memory. The first
 * copies what the UI needs of a reconnect layer event; the others make one of the thread's
 * own (a request the layer refused: SEND_ERROR, or PASSWORD for a change of password that
 * could not start; the first round trip). */
net_event *link_event_copy(const pcs_event *e);
net_event *link_event_failure(pcs_event_kind kind, int code, const char *why);
net_event *link_event_rtt(uint64_t rtt_ms);

#endif

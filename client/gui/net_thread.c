/* net_thread.c — the network thread behind one link. It drives the shared reconnect layer
 * (client/session.h: dialling, backoff, re-joining, catching up, keep-alive), copies each of
 * its events for the UI, and hands the UI's requests over to it. The requests take this
 * detour rather than being sent by the UI itself because a send can block on a stalled
 * link, and the UI thread must never wait on the network. */
#include "net_link.h"

#include <errno.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"

/* How long one pcs_poll runs before the thread looks at the UI's requests again: the delay
 * a typed line can wait before it goes out. */
#define POLL_SLICE_MS 50

/* The reconnect layer measures the round trip with its keep-alive, whose first PING goes out
 * only a keep-alive interval after connecting. One PING of our own right away gives the status
 * bar its figure at once. Returns 1 if e was the answer to it. */
static int first_rtt(net_link *link, const pcs_event *e)
{
    uint32_t ms;

    if (e->kind == PCS_EV_CONNECTED) {
        uint64_t token = rtt_probe_start(&link->rtt, GetTickCount64(), link->link_id);

        if (pcs_ping(link->pcs, token) < 0)
            rtt_probe_cancel(&link->rtt);
        return 0;
    }
    if (e->kind != PCS_EV_MESSAGE || e->msg->type != PT_PONG ||
        !rtt_probe_answer(&link->rtt, e->msg->token, GetTickCount64(), &ms))
        return 0;
    link_emit(link, link_event_rtt(ms));
    return 1;
}

/* The reconnect layer's callback, on this thread. */
static void on_event(void *user, const pcs_event *e)
{
    net_link *link = user;

    /* Nobody reads a link the UI has let go of. */
    if (link_stopping(link) || first_rtt(link, e))
        return;
    link_emit(link, link_event_copy(e));
}

/* Hands the UI's queued requests to the reconnect layer, which sends them or keeps them for
 * after a reconnect. One that can never be sent (too long) is reported and dropped. */
static void hand_over(net_link *link)
{
    net_req *r;
    char why[320];

    while ((r = link_take_req(link)) != NULL) {
        if (r->msg.type == PT_PASSWORD) {
            /* Not a frame: the current password (text) and the new one (target) for the
             * layer's change of password. Wiped as soon as the layer has its copies. */
            if (pcs_change_password(link->pcs, r->msg.text.p, r->msg.text.n, r->msg.target.p,
                                    r->msg.target.n, why, sizeof why) != 0)
                link_emit(link, link_event_failure(PCS_EV_PASSWORD, PC_E_LOCAL, why));
            crypto_wipe((char *)r->msg.text.p, r->msg.text.n);
            crypto_wipe((char *)r->msg.target.p, r->msg.target.n);
        } else if (pcs_send(link->pcs, &r->msg, why, sizeof why) < 0) {
            link_emit(link, link_event_failure(PCS_EV_SEND_ERROR, PC_E_LOCAL, why));
        }
        free(r);
    }
}

static unsigned __stdcall thread_main(void *arg)
{
    net_link *link = arg;
    int quitting = 0;

    do {
        if (!quitting && link_stopping(link)) {
            /* The layer says goodbye and reports DISCONNECTED, which ends the loop. */
            pcs_quit(link->pcs, "leaving");
            quitting = 1;
        }
        if (!quitting)
            hand_over(link);
    } while (pcs_poll(link->pcs, POLL_SLICE_MS));
    link_release(link);
    return 0;
}

/* The reconnect layer's settings: defaults for backoff, keep-alive and catching up, so the
 * GUI behaves as parley-cli does. pcs_new copies everything, secret included. */
static pcs_session *new_session(net_link *link, const net_config *cfg, char *err,
                                size_t err_size)
{
    pcs_options o;

    pcs_options_init(&o);
    o.conn.host = cfg->host;
    o.conn.port = cfg->port;
    o.conn.secret = cfg->secret;
    o.conn.secret_len = cfg->secret_len;
    o.conn.nick = cfg->nick;
    if (cfg->password_len) {
        o.conn.password = cfg->password;
        o.conn.password_len = cfg->password_len;
    }
    o.conn.ciphers = &cfg->cipher;
    o.conn.nciphers = 1;
    o.conn.agent = "parley.exe/" PARLEY_VERSION;
    o.on_event = on_event;
    o.user = link;
    return pcs_new(&o, err, err_size);
}

net_link *net_start(const net_config *cfg, HANDLE *thread, char *err, size_t err_size)
{
    net_link *link = calloc(1, sizeof *link);
    uintptr_t h;

    *thread = NULL;
    if (!link) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    link->notify = cfg->notify;
    link->link_id = cfg->link_id;
    link->pcs = new_session(link, cfg, err, err_size);
    if (!link->pcs) {
        free(link);
        return NULL;
    }
    InitializeCriticalSection(&link->lock);
    link->refs = 2; /* the UI's and the thread's */
    h = _beginthreadex(NULL, 0, thread_main, link, 0, NULL);
    if (!h) {
        snprintf(err, err_size, "cannot start the network thread (errno %d)", errno);
        link->refs = 1;
        link_release(link);
        return NULL;
    }
    *thread = (HANDLE)h;
    return link;
}

void net_quit(net_link *link, const char *reason)
{
    /* pcs_quit may be called from any thread, and only the first goodbye counts. */
    if (link)
        pcs_quit(link->pcs, reason);
}

void net_redial_now(net_link *link)
{
    /* Like pcs_quit, safe from any thread: the driver sees it within a slice. */
    if (link)
        pcs_redial_now(link->pcs);
}

void net_stop(net_link *link)
{
    if (!link)
        return;
    InterlockedExchange(&link->stop, 1);
    link_release(link);
}

/* net_thread.c — the network thread behind one connection: dial, receive, send queued
 * requests, measure the round trip, and on a lost connection redial with backoff, re-join the
 * rooms and fetch what was missed with HISTORY. */
#include "net_link.h"

#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "sys.h"

#define RECV_SLICE_MS 50        /* how long pc_recv waits before the queue is looked at again */
#define CONNECT_TIMEOUT_MS 10000
#define PING_EVERY_MS 15000
#define PING_DEADLINE_MS 45000  /* no PONG by then: the link is dead even if TCP has not noticed */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
#define HISTORY_FETCH 500       /* messages asked for per room after a reconnect */
#define QUIT_DRAIN_MS 300

/* Sends one request. -1 only when the connection itself failed: the request then goes back to
 * the front of the queue and is sent after the reconnect. */
static int send_cmd(net_link *link, net_cmd *c)
{
    pc_conn *conn = link->conn;
    int rc = 0;

    switch (c->kind) {
    case CMD_JOIN: rc = pc_join(conn, c->a); break;
    case CMD_PART: rc = pc_part(conn, c->a, ""); break;
    case CMD_SAY: rc = pc_say(conn, c->a, c->b, 0); break;
    case CMD_PRIV: rc = pc_priv(conn, c->a, c->b, 0); break;
    case CMD_NICK: rc = pc_nick(conn, c->a); break;
    case CMD_AWAY: rc = pc_away(conn, c->presence, c->a); break;
    case CMD_TOPIC: {
        proto_msg m;
        memset(&m, 0, sizeof m);
        m.type = PT_TOPIC;
        m.room = proto_s(c->a);
        m.text = proto_s(c->b);
        rc = pc_send(conn, &m);
        break;
    }
    }
    if (rc == 0)
        return 0;
    if (pc_error_code(conn) != PC_OK)
        return -1;
    /* The connection is fine; this one request could not be encoded. */
    link_emit_status(link, NET_EV_SEND_ERROR, 0, pc_send_error(conn), 0, 0);
    return 0;
}

static void send_queued(net_link *link)
{
    net_cmd *c;

    while ((c = link_take_cmd(link)) != NULL) {
        if (send_cmd(link, c) != 0) {
            link_requeue_front(link, c);
            return;
        }
        link_free_cmd(c);
    }
}

/* ---- rooms we are in, for re-joining ---- */

static room_mark *find_room(net_link *link, proto_str name)
{
    size_t i;

    for (i = 0; i < link->nrooms; i++)
        if (strlen(link->rooms[i].name) == name.n && memcmp(link->rooms[i].name, name.p, name.n) == 0)
            return &link->rooms[i];
    return NULL;
}

static int is_me(net_link *link, proto_str nick)
{
    const char *me = pc_nick_of(link->conn);
    return strlen(me) == nick.n && memcmp(me, nick.p, nick.n) == 0;
}

/* Follows what the server says about our rooms and the newest message in each. */
static void track(net_link *link, const proto_msg *m)
{
    room_mark *r;

    if (m->type == PT_MSG) {
        r = find_room(link, m->room);
        if (r && m->id > r->last_id)
            r->last_id = m->id;
        return;
    }
    if (m->type != PT_MEMBER || !is_me(link, m->nick))
        return;
    r = find_room(link, m->room);
    if (m->event == MEMBER_JOIN && !r && link->nrooms < MAX_ROOMS && m->room.n <= PROTO_ROOM_MAX) {
        r = &link->rooms[link->nrooms++];
        memcpy(r->name, m->room.p, m->room.n);
        r->name[m->room.n] = '\0';
        r->last_id = 0;
    } else if ((m->event == MEMBER_PART || m->event == MEMBER_KICK) && r) {
        *r = link->rooms[--link->nrooms];
    }
}

/* After a reconnect: the server has put us in the lobby again; join the other rooms and ask
 * each for what came after the last message we saw (the UI drops what it already shows). */
static void rejoin(net_link *link)
{
    int in_lobby = 0;
    size_t i;

    for (i = 0; i < link->nrooms; i++) {
        if (strcmp(link->rooms[i].name, "lobby") == 0)
            in_lobby = 1;
        else
            pc_join(link->conn, link->rooms[i].name);
    }
    if (!in_lobby)
        pc_part(link->conn, "lobby", "");
    for (i = 0; i < link->nrooms; i++)
        if (link->rooms[i].last_id)
            pc_history(link->conn, link->rooms[i].name, link->rooms[i].last_id, HISTORY_FETCH);
}

/* ---- the thread ---- */

/* Failures that dialling again cannot fix: the user has to change something first. */
static int final_failure(int code)
{
    switch (code) {
    case PC_WRONG_KEY:
    case PC_BANNED:
    case PC_KICKED:
    case PC_BAD_NICK:
    case PC_NO_CIPHER:
    case PC_BAD_VERSION:
    case PC_QUIT:
    case PC_E_LOCAL:
        return 1;
    default:
        return 0;
    }
}

static uint32_t backoff_ms(uint32_t attempt)
{
    uint32_t d = BACKOFF_FIRST_MS;

    while (--attempt && d < BACKOFF_MAX_MS)
        d *= 2;
    if (d > BACKOFF_MAX_MS)
        d = BACKOFF_MAX_MS;
    /* A little jitter so that many clients cut off together do not return together. */
    return d + (uint32_t)(sys_mono_ms() % (d / 4 + 1));
}

static void dial_options(const net_link *link, pc_options *o, const uint8_t *cipher)
{
    pc_options_init(o);
    o->host = link->cfg.host;
    o->port = link->cfg.port;
    o->secret = link->cfg.secret;
    o->secret_len = link->cfg.secret_len;
    o->nick = link->cfg.nick;
    o->ciphers = cipher;
    o->nciphers = 1;
    o->agent = "parley.exe/" PARLEY_VERSION;
    o->connect_timeout_ms = CONNECT_TIMEOUT_MS;
}

static void emit_connected(net_link *link, int reconnect)
{
    net_event *ev = link_event_new(NET_EV_CONNECTED);

    if (!ev)
        return;
    ev->cipher = pc_cipher(link->conn);
    ev->count = reconnect ? 1 : 0;
    if (link_event_set(&ev->nick, proto_s(pc_nick_of(link->conn))) ||
        link_event_set(&ev->text, proto_s(pc_server_name(link->conn))) ||
        link_event_set(&ev->target, proto_s(pc_motd(link->conn)))) {
        net_event_free(ev);
        return;
    }
    link_emit(link, ev);
}

/* Measures the round trip, and notices a link that died silently. Returns -1 when no PONG has
 * come back for too long. */
static int keep_alive(net_link *link)
{
    uint64_t now = sys_mono_ms();

    if (link->ping_sent && now - link->ping_sent > PING_DEADLINE_MS)
        return -1;
    if (!link->ping_sent && now >= link->next_ping) {
        link->ping_sent = now ? now : 1;
        link->next_ping = now + PING_EVERY_MS;
        pc_ping(link->conn, link->ping_sent);
    }
    return 0;
}

static void on_pong(net_link *link, const proto_msg *m)
{
    net_event *ev;

    if (!link->ping_sent || m->token != link->ping_sent)
        return;
    ev = link_event_new(NET_EV_RTT);
    if (ev) {
        uint64_t rtt = sys_mono_ms() - link->ping_sent;
        ev->rtt_ms = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
        link_emit(link, ev);
    }
    link->ping_sent = 0;
}

/* Receives and sends until the connection ends or the UI stops us. Returns the ending code
 * (PC_OK when stopped) with its text in why. */
static int session(net_link *link, char *why, size_t why_size)
{
    proto_msg m;

    link->ping_sent = 0;
    link->next_ping = 0;
    while (!link_stopping(link)) {
        int rc;

        send_queued(link);
        if (keep_alive(link) != 0) {
            snprintf(why, why_size, "no answer from the server for %u seconds",
                     PING_DEADLINE_MS / 1000u);
            return PC_TIMEOUT;
        }
        rc = pc_recv(link->conn, &m, RECV_SLICE_MS);
        if (rc < 0) {
            snprintf(why, why_size, "%s", pc_error(link->conn));
            return pc_error_code(link->conn) != PC_OK ? pc_error_code(link->conn) : PC_E_LOST;
        }
        if (rc == 0)
            continue;
        if (m.type == PT_PONG) {
            on_pong(link, &m);
            continue;
        }
        track(link, &m);
        link_emit(link, link_event_from_msg(&m));
    }
    return PC_OK;
}

/* Waits ms or until stopped. Returns 1 if stopped. */
static int wait_or_stop(net_link *link, uint32_t ms)
{
    WaitForSingleObject(link->wake, ms);
    return link_stopping(link);
}

static void goodbye(net_link *link)
{
    proto_msg m;
    uint64_t until;

    if (!link->conn)
        return;
    pc_quit(link->conn, "leaving");
    /* Give the server a moment to take the BYE before the socket closes. */
    until = sys_mono_ms() + QUIT_DRAIN_MS;
    while (sys_mono_ms() < until && pc_recv(link->conn, &m, RECV_SLICE_MS) >= 0)
        ;
    pc_close(link->conn);
    link->conn = NULL;
}

static unsigned __stdcall thread_main(void *arg)
{
    net_link *link = arg;
    char err[320];
    uint32_t attempt = 0;
    int was_connected = 0;
    const uint8_t cipher = link->cfg.cipher;

    while (!link_stopping(link)) {
        pc_options o;
        int code = PC_OK;

        link_emit_status(link, NET_EV_CONNECTING, 0, link->cfg.host, attempt, 0);
        dial_options(link, &o, &cipher);
        link->conn = pc_connect(&o, &code, err, sizeof err);
        if (link_stopping(link))
            break;
        if (!link->conn) {
            /* The first dial reports at once: the person is waiting for an answer. A nickname
             * taken during a reconnect is usually our own ghost, which the server drops soon. */
            if (!was_connected || final_failure(code)) {
                link_emit_status(link, NET_EV_FAILED, code, err, attempt, 0);
                break;
            }
            uint32_t delay = backoff_ms(++attempt);
            link_emit_status(link, NET_EV_WAITING, code, err, attempt, delay);
            if (wait_or_stop(link, delay))
                break;
            continue;
        }
        emit_connected(link, was_connected);
        if (was_connected)
            rejoin(link);
        was_connected = 1;
        attempt = 0;
        code = session(link, err, sizeof err);
        if (code == PC_OK || link_stopping(link))
            break;
        /* Keep our nickname (it may have changed) for the redial. */
        snprintf(link->cfg.nick, sizeof link->cfg.nick, "%s", pc_nick_of(link->conn));
        pc_close(link->conn);
        link->conn = NULL;
        if (final_failure(code)) {
            link_emit_status(link, NET_EV_FAILED, code, err, 0, 0);
            break;
        }
        attempt = 1;
        link_emit_status(link, NET_EV_WAITING, code, err, attempt, BACKOFF_FIRST_MS);
        if (wait_or_stop(link, BACKOFF_FIRST_MS))
            break;
    }
    goodbye(link);
    link_release(link);
    return 0;
}

net_link *net_start(const net_config *cfg, HANDLE *thread, unsigned long *error)
{
    net_link *link = calloc(1, sizeof *link);
    uintptr_t h;

    *thread = NULL;
    if (!link) {
        *error = ERROR_OUTOFMEMORY;
        return NULL;
    }
    link->cfg = *cfg;
    link->wake = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!link->wake) {
        *error = GetLastError();
        crypto_wipe(link->cfg.secret, sizeof link->cfg.secret);
        free(link);
        return NULL;
    }
    InitializeCriticalSection(&link->lock);
    link->refs = 2; /* the UI's and the thread's */
    h = _beginthreadex(NULL, 0, thread_main, link, 0, NULL);
    if (!h) {
        *error = ERROR_NOT_ENOUGH_MEMORY;
        link->refs = 1;
        link_release(link);
        return NULL;
    }
    *thread = (HANDLE)h;
    return link;
}

void net_stop(net_link *link)
{
    if (!link)
        return;
    InterlockedExchange(&link->stop, 1);
    SetEvent(link->wake);
    link_release(link);
}

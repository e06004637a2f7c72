/* net_thread.h — the GUI's network side: one thread per link that drives the shared reconnect
 * layer (client/session.h) and hands the UI copies of its events. The UI never blocks on the
 * network: it queues requests, and is told by PostMessage that events are waiting. */
#ifndef PARLEY_GUI_NET_THREAD_H
#define PARLEY_GUI_NET_THREAD_H

#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "search_query.h"
#include "session.h"

/* Posted to the notify window when events are waiting: wParam = the link's id (stale links'
 * messages are recognised by it), lParam unused. Drain with net_next_event. */
#define WM_NET_EVENT (WM_APP + 1)

#define NET_HOST_MAX 255
#define NET_SECRET_MAX 1024
#define NET_PASSWORD_MAX 1024 /* bytes of UTF-8 */

/* One entry of a PT_USER_LIST (nick, presence, away text), a PT_ROOM_LIST (the room as
 * nick, its topic as away, members), a PT_ROLL_LIST or a PT_ACCOUNT_LIST (the login as nick,
 * the display name as away, the state as members, the last login as time). */
typedef struct net_user {
    char *nick;
    char *away;
    uint8_t presence;
    uint32_t members;   /* room list: members; roll list: the proto_roll_state; account
                         * list: role and PROTO_ACCOUNT_* bits */
    uint64_t time;      /* roll list: delivery or acknowledgement time; account list: the
                         * last login (0 = never) */
} net_user;

/* One event of the reconnect layer (see pcs_event_kind), owned by whoever took it from the
 * link (free with net_event_free). Strings are UTF-8, NUL-terminated, never NULL.
 *   CONNECTING    attempt
 *   CONNECTED     nick (ours), text (server name), target (message of the day), cipher,
 *                 reconnect, account (1: logged in to an account, 0: by the shared key alone)
 *   RECONNECTING  attempt, delay_ms, code and text (why)
 *   DISCONNECTED  code, text: the link has ended; always its last event
 *   MESSAGE       the server's message: type and the fields it uses
 *   CAUGHT_UP     room, count: the missed messages of room have all been delivered
 *   RTT           rtt_ms
 *   SEND_ERROR    text: a request could not be sent (e.g. too long) */
typedef struct net_event {
    struct net_event *next;
    pcs_event_kind kind;
    uint8_t type, flags, presence, event, cipher;
    int code, reconnect, account, signed_on;
    uint32_t count, attempt, delay_ms, rtt_ms, tag;
    uint64_t id, time;
    uint32_t duration;  /* ALERT_MSG, ROLL_LIST: seconds until the alert expires */
    char *room, *nick, *target, *text;
    size_t nusers;
    net_user *users; /* PT_USER_LIST entries */
} net_event;

typedef struct net_config {
    HWND notify;
    unsigned link_id;
    char host[NET_HOST_MAX + 1];
    uint16_t port;
    char nick[PROTO_NICK_MAX + 1];
    uint8_t cipher; /* the one cipher offered: PROTO_CIPHER_AES256GCM or PROTO_CIPHER_XOR */
    uint8_t secret[NET_SECRET_MAX];
    size_t secret_len;
    char password[NET_PASSWORD_MAX]; /* the account's, for a server with accounts */
    size_t password_len;             /* 0: none (offer no login) */
} net_config;

typedef struct net_link net_link;

/* Starts the thread, which begins dialling at once. cfg is copied (the caller wipes its own
 * secret). Returns the link and its thread handle (the caller closes it), or NULL with the
 * reason in err. */
net_link *net_start(const net_config *cfg, HANDLE *thread, char *err, size_t err_size);
/* Asks the thread to say goodbye and end; returns at once. The link must not be used
 * afterwards; the thread frees it. Events not yet taken are discarded. */
void net_stop(net_link *link);

/* Says goodbye with reason now (the server tells the others), before net_stop ends the link;
 * the later goodbye of net_stop then adds nothing. */
void net_quit(net_link *link, const char *reason);
/* While the link waits to redial after a loss, dials at once (Reconnect now). */
void net_redial_now(net_link *link);

/* Takes the next waiting event, or NULL. UI thread only. */
net_event *net_next_event(net_link *link);
void net_event_free(net_event *ev);

/* Queue requests for the thread (UTF-8 arguments, copied), which hands them to the reconnect
 * layer: sent at once while connected, else as soon as the link is back. 0, or -1 when out
 * of memory. */
int net_join(net_link *link, const char *room);
int net_part(net_link *link, const char *room);
/* flags: 0, or PROTO_FLAG_ACTION for an action (/me). */
int net_say(net_link *link, const char *room, const char *text, uint8_t flags);
int net_priv(net_link *link, const char *nick, const char *text, uint8_t flags);
/* With accounts: the private conversation with nick has been seen up to id. */
int net_read(net_link *link, const char *nick, uint64_t id);
/* With accounts: whether the account sends read receipts (PRIV_PREFS; kept by the server). */
int net_priv_prefs(net_link *link, int read_receipts);
/* Operators: disconnect nick; ban a nick or address for seconds (0 = until lifted). */
int net_kick(net_link *link, const char *nick, const char *reason);
int net_ban(net_link *link, const char *target, uint32_t seconds, const char *reason);
/* Asks for operator rights with the server's operator password. */
int net_oper(net_link *link, const char *password);
int net_nick(net_link *link, const char *nick);
int net_away(net_link *link, uint8_t presence, const char *text);
int net_topic(net_link *link, const char *room, const char *text);
/* Asks the server (as an administrator of a server with accounts) to change an account:
 * action is disable, enable, delete, user, operator or admin. */
int net_account(net_link *link, const char *account, const char *action);
/* Asks to change the account's own password (pcs_change_password, on the thread); the outcome
 * comes as a PCS_EV_PASSWORD event. 0, or -1 when out of memory. */
int net_change_password(net_link *link, const char *old_pw, const char *new_pw);
/* Asks for the people in a room (PT_USER_LIST events answer). */
int net_users(net_link *link, const char *room);
/* Asks for the server's room list (PT_ROOM_LIST events answer). */
int net_rooms(net_link *link);
/* ACCOUNTS: the account list (admins); answered by ACCOUNT_LIST frames. */
int net_accounts(net_link *link);
/* Alerts: send one (to: "all", "room:NAME", "user:NAME", space-separated), acknowledge one,
 * ask an alert's roll call (and follow it). */
int net_alert(net_link *link, const char *to, uint32_t duration, const char *text);
int net_ack(net_link *link, uint64_t id);
int net_roll(net_link *link, uint64_t id);
/* Sends a SEARCH (SEARCH_HIT and SEARCH_END events answer, or an ERROR with its tag). */
int net_search(net_link *link, const pc_search_req *req);
/* Asks for room's newest count messages with an id below before_id (0 = no bound). */
int net_history(net_link *link, const char *room, uint64_t before_id, uint32_t count);

#endif

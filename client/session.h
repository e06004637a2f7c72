/* session.h — the reconnect layer over one pc_conn: remembers the rooms we are in and the last
 * message seen in each, redials a lost connection with exponential backoff and jitter, re-joins
 * those rooms and replays what was missed (each message exactly once), and reports every state
 * change and message to its user through one callback. Portable: used by parley-cli and by the
 * Win32 GUI's network thread.
 *
 * Threading. One thread, the driver, calls pcs_poll (or pcs_run); the callback runs on it, with
 * no lock held, so it may call any pcs_ function. Every other function here is safe from any
 * thread: a request is sent at once while connected (pc_send under the connection's lock) and
 * queued while (re)connecting, to be sent, in order, after the rooms have been re-joined.
 *
 * A Win32 network thread runs pcs_run; its callback copies what it needs from the event and
 * PostMessages the UI, which calls pcs_say and friends directly and pcs_quit to hang up, then
 * joins the thread and calls pcs_free.
 *
 * What counts as lost: a reset, a close without goodbye, the server's BYE for shutdown or
 * "too slow", a frame that fails to decrypt, no PONG to our keep-alive PING in time. What ends
 * the session for good: our own quit, a kick, a ban, a wrong key and the other refusals a
 * redial cannot fix (PCS_EV_DISCONNECTED says which). A first connection that fails is final
 * too: a person is waiting for the answer. A nickname taken during a reconnect is usually our
 * own ghost, which the server drops soon, so it is retried. */
#ifndef PARLEY_SESSION_H
#define PARLEY_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "proto.h"

#define PCS_BACKOFF_FIRST_DEFAULT 500u    /* ms: the first redial waits 50-100% of this */
#define PCS_BACKOFF_MAX_DEFAULT 30000u    /* ms: doubling stops here */
#define PCS_HISTORY_FETCH_DEFAULT 500u    /* messages asked for per room after a reconnect */
#define PCS_PING_INTERVAL_DEFAULT 15000u  /* ms between keep-alive PINGs */
#define PCS_PING_TIMEOUT_DEFAULT 45000u   /* ms without the PONG before the link counts as dead */
#define PCS_PING_OFF UINT32_MAX           /* ping_interval_ms: no keep-alive */
#define PCS_ROOMS_MAX 64                  /* rooms remembered for re-joining */
#define PCS_PRIV_RECENT 20                /* private messages replayed at the first login, besides
                                           * every one that waited for us */

typedef enum pcs_state {
    PCS_IDLE = 0,      /* created, not yet dialled */
    PCS_CONNECTING,    /* dialling */
    PCS_CONNECTED,
    PCS_WAITING,       /* lost; waiting before the next dial */
    PCS_ENDED          /* over for good: PCS_EV_DISCONNECTED has been reported */
} pcs_state;

typedef enum pcs_event_kind {
    PCS_EV_CONNECTING = 1, /* dialling: attempt (0 = the first connection, k = the k-th
                            * redial since the loss), text = "host port" */
    PCS_EV_CONNECTED,      /* nick (ours), server, motd, cipher; reconnect = 1 after a loss */
    PCS_EV_RECONNECTING,   /* the link is down and the next dial is in delay_ms: attempt (the
                            * dial to come), code and text (why the link or last dial failed) */
    PCS_EV_DISCONNECTED,   /* the session is over: code (PC_QUIT for our own quit) and text.
                            * Always the last event; pcs_poll returns 0 from then on. */
    PCS_EV_MESSAGE,        /* msg: a message from the server, minus duplicates */
    PCS_EV_CAUGHT_UP,      /* after a reconnect, room's missed messages have all been
                            * delivered (as MESSAGE events flagged PROTO_FLAG_HISTORY):
                            * room, count = how many there were */
    PCS_EV_RTT,            /* rtt_ms: a keep-alive PING's round trip */
    PCS_EV_SEND_ERROR,     /* code, text: a queued request could not be sent (too big) */
    PCS_EV_PASSWORD        /* the change of password (pcs_change_password) is over: code
                            * PC_OK and text when the server changed it, else why not
                            * (PC_BAD_PASSWORD: the current password was wrong; PC_E_LOST:
                            * the link dropped, the outcome is unknown) */
} pcs_event_kind;

/* One event. Pointers are valid only during the callback; strings are never NULL. */
typedef struct pcs_event {
    pcs_event_kind kind;
    int code;              /* a proto_code or PC_E_* (RECONNECTING, DISCONNECTED, SEND_ERROR) */
    const char *text;      /* human text (see the kinds) */
    uint32_t attempt;
    uint32_t delay_ms;
    uint32_t rtt_ms;
    uint32_t count;
    int reconnect;
    uint8_t cipher;        /* PROTO_CIPHER_* (CONNECTED) */
    int account;           /* CONNECTED: 1 if logged in to an account, 0 if by the key alone */
    const char *nick;      /* CONNECTED */
    const char *server;    /* CONNECTED: the server's name */
    const char *motd;      /* CONNECTED: message of the day */
    const char *room;      /* CAUGHT_UP */
    const proto_msg *msg;  /* MESSAGE; NULL otherwise */
    int signed_on;         /* CONNECTED: 1 if signed on with Windows (auth = windows) */
    const char *mechanism; /* CONNECTED: the sign-on's mechanism ("kerberos"), else "none" */
} pcs_event;

typedef void (*pcs_event_fn)(void *user, const pcs_event *ev);

typedef struct pcs_options {
    pc_options conn;            /* where and who (copied, secret included, by pcs_new) */
    pcs_event_fn on_event;      /* required */
    void *user;
    uint32_t backoff_first_ms;  /* 0 = PCS_BACKOFF_FIRST_DEFAULT */
    uint32_t backoff_max_ms;    /* 0 = PCS_BACKOFF_MAX_DEFAULT */
    uint32_t max_attempts;      /* redials per loss before giving up; 0 = no limit */
    int no_reconnect;           /* 1: a lost connection ends the session */
    uint32_t history_fetch;     /* 0 = PCS_HISTORY_FETCH_DEFAULT */
    uint32_t ping_interval_ms;  /* 0 = PCS_PING_INTERVAL_DEFAULT; PCS_PING_OFF = none */
    uint32_t ping_timeout_ms;   /* 0 = PCS_PING_TIMEOUT_DEFAULT */
    uint32_t slice_ms;          /* while waiting to redial, how often the driver looks at
                                 * the quit flag; 0 = 50 */
} pcs_options;

typedef struct pcs_session pcs_session;

/* Zeroes o: every field then selects its default (conn.secret, conn.nick, on_event must
 * still be set). */
void pcs_options_init(pcs_options *o);

/* Creates a session (nothing is dialled until the first pcs_poll). Returns it (free with
 * pcs_free), or NULL with the reason in err. */
pcs_session *pcs_new(const pcs_options *o, char *err, size_t err_size);

/* Driver: runs the session for up to timeout_ms (dialling, receiving, waiting out a backoff),
 * reporting events as they happen. Returns 1 while the session goes on, 0 once it has ended.
 * A dial in progress is not cut short: it can take up to the connect timeout. */
int pcs_poll(pcs_session *s, uint32_t timeout_ms);
/* Driver: pcs_poll until the session ends. */
void pcs_run(pcs_session *s);

/* Says goodbye (BYE with reason, may be NULL) and ends the session: the driver reports
 * DISCONNECTED with PC_QUIT within about a second and returns. Any thread; idempotent. */
void pcs_quit(pcs_session *s, const char *reason);

/* While waiting to redial after a loss (PCS_WAITING), dials at once instead of waiting out
 * the backoff; the driver notices within a slice (slice_ms). Does nothing in any other state.
 * Any thread. */
void pcs_redial_now(pcs_session *s);

/* Frees everything, wiping the secret. Only when no thread drives or uses s any more. */
void pcs_free(pcs_session *s);

/* Requests, from any thread. Each returns 0 (sent), 1 (queued: not connected right now; sent
 * after the reconnect), or -1: the message cannot be encoded (a field too long, bad UTF-8),
 * the session has ended, or memory ran out; err (may be NULL) then says which. */
int pcs_send(pcs_session *s, const proto_msg *m, char *err, size_t err_size);
int pcs_join(pcs_session *s, const char *room);
int pcs_part(pcs_session *s, const char *room, const char *reason);
int pcs_say(pcs_session *s, const char *room, const char *text, uint32_t tag);
int pcs_priv(pcs_session *s, const char *nick, const char *text, uint32_t tag);
int pcs_nick(pcs_session *s, const char *new_nick);
/* The presence is remembered and restored after a reconnect. */
int pcs_away(pcs_session *s, uint8_t presence, const char *text);
int pcs_topic(pcs_session *s, const char *room, const char *text);
int pcs_rooms(pcs_session *s);
int pcs_users(pcs_session *s, const char *room);
/* An explicit request: its replay is delivered as it comes, never filtered. */
int pcs_history(pcs_session *s, const char *room, uint64_t after_id, uint32_t count);
/* The PONG comes back as a MESSAGE (type PT_PONG, token): everything asked before it has then
 * been answered, which is how a script knows it has seen the replies to its requests. */
int pcs_ping(pcs_session *s, uint64_t token);
/* Changes the account's own password (passwd.h), from any thread: proves old_pw, sends new_pw
 * as a verifier; the outcome comes as PCS_EV_PASSWORD, and later redials use the new password.
 * 0 (started), or -1 with err: not connected, not logged in to an account, a change already
 * under way, an empty or too long password. The ERROR that refuses it is reported only as
 * PCS_EV_PASSWORD, not as a MESSAGE. */
int pcs_change_password(pcs_session *s, const char *old_pw, size_t old_len, const char *new_pw,
                        size_t new_len, char *err, size_t err_size);
/* Private conversations with accounts: the conversation with peer is read up to id; this
 * account's read receipts on or off. (Catching up is automatic: at the first login the session
 * asks for every private message that waited for the account and the newest PCS_PRIV_RECENT
 * of its conversations; after a reconnect, for everything after the newest one it has seen.) */
int pcs_read(pcs_session *s, const char *peer, uint64_t id);
int pcs_priv_prefs(pcs_session *s, int read_receipts);

/* State, from any thread. */
pcs_state pcs_get_state(pcs_session *s);
/* Our nickname as last known (follows renames), copied into out. */
void pcs_get_nick(pcs_session *s, char *out, size_t out_size);
/* 1 if the session is in room (as far as the server has confirmed), ASCII case ignored. */
int pcs_in_room(pcs_session *s, const char *room);
/* The rooms we are in, in joining order: copies up to max names, returns how many there are. */
size_t pcs_room_list(pcs_session *s, char (*names)[PROTO_ROOM_MAX + 1], size_t max);
/* Why the session ended (PC_OK while it has not), text copied into out (may be NULL). */
int pcs_end_reason(pcs_session *s, char *out, size_t out_size);

#endif

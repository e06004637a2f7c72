/* chat_internal.h — the chat core's data structures, shared by its files (chat*.c) only. */
#ifndef PARLEY_CHAT_INTERNAL_H
#define PARLEY_CHAT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "bans.h"
#include "buf.h"
#include "chat.h"
#include "cipher.h"
#include "handshake.h"
#include "history.h"
#include "log.h"
#include "net.h"
#include "proto.h"
#include "strmap.h"
#include "uname.h"
#include "users.h"

typedef enum session_state {
    SESSION_HANDSHAKE = 0,
    SESSION_ACTIVE = 1,
    SESSION_CLOSING = 2 /* net_close called; waiting for on_close */
} session_state;

typedef struct room room;

/* What a session logged in to an account keeps for changing its password (chat_account_edit.c). */
typedef struct account_live {
    uint8_t binding[HS_KEY_SIZE]; /* the connection's SCRAM channel binding (hs_binding) */
    scram_server *change;         /* a PASSWORD exchange under way (owned), else NULL */
} account_live;

typedef struct session {
    chat *srv;
    net_conn *conn;
    session_state state;
    char addr[64];
    char nick[PROTO_NICK_MAX + 1];
    hs_server *hs;                  /* only while handshaking */
    struct account_login *login;    /* only while logging in to an account (chat_accounts.c) */
    struct signon_login *signon;    /* only while signing on with Windows (chat_signon.c) */
    uint8_t login_ok;               /* the account login succeeded: welcome under its name */
    account_live *account;          /* logged in to an account (owned), else NULL */
    cipher_state tx, rx;
    proto_reader reader;
    room **rooms;                   /* rooms this session is in */
    size_t nrooms;
    size_t rooms_cap;
    char *away;                     /* away message (owned), NULL when online */
    uint8_t presence;
    uint8_t oper;
    uint8_t admin;                  /* an admin account (auth = accounts): may manage accounts */
    uint8_t alerter;                /* may send alerts (operator, admin, alert accounts) */
    uint8_t alert_only;             /* an alert account: alerts and nothing else */
    uint64_t connected_ms;          /* monotonic */
    uint64_t last_rx_ms;            /* monotonic: last frame received */
    uint64_t ping_sent_ms;          /* 0 = no keepalive ping outstanding */
    uint64_t tokens;                /* rate limit bucket, in thousandths of a frame */
    uint64_t refill_ms;
    uint32_t dropped;               /* frames dropped by the rate limit since the bucket was full */
    uint32_t mark;                  /* de-duplicates deliveries to users sharing several rooms */
    uint32_t req_tag;               /* tag of the request being answered (SAY, PRIV), else 0 */
    uint32_t writes_pending;        /* its SAYs, BANs and UNBANs the journal writers have not
                                       finished, and its ALERT whose groups are being looked
                                       up: while any, its requests other than SAY wait in the
                                       reader */
    char quit_reason[PROTO_NAME_MAX + 1]; /* MEMBER QUIT's text: the BYE's reason, or how the
                                             connection ended */
    uint8_t replaying;              /* a history replay is being queued */
    size_t replay_grace;            /* bytes of replay allowed above the send-queue cap */
    size_t replay_mark;             /* bytes queued when the replay being queued began */
    struct session *prev, *next;    /* all sessions */
    struct session *acct_next;      /* the next session holding the same nick (with accounts,
                                       several sessions per account: account_sessions_*) */
    uint8_t claimed;                /* holds its nick in chat.nicks (alone or in a chain) */
    uint8_t nick_shared;            /* its chain has another session: only then does a list of
                                       users need the nick map to list the user once */
    uint64_t priv_live_from;        /* id of the first private message sent to it live, 0 =
                                       none yet: PRIV_SYNC replays only older ones */
    uint8_t searching;              /* a SEARCH of this session is with the search thread */
    uint8_t key_idle;               /* ticks since its keys last sealed or opened a frame, up to
                                       KEY_REST_TICKS; KEY_RESTING once put to rest */
} session;

/* AES-GCM keys unused for this many whole ticks (about a second at the engines' 250 ms) are put
 * to rest (cipher_state_rest): 32 bytes each instead of about a kilobyte of expanded state,
 * rebuilt on the next use. Not sooner: a rebuild costs about a seal, and a room that speaks
 * every few hundred milliseconds would pay one per member and message. */
#define KEY_REST_TICKS 4
#define KEY_RESTING 255

/* Room, member and account list frames are cut at about this many bytes of entries. */
#define LIST_CHUNK 16384u

typedef struct member_list_copy member_list_copy;

struct room {
    char name[PROTO_ROOM_MAX + 1];
    char topic[PROTO_TOPIC_MAX + 1];
    char topic_by[PROTO_NICK_MAX + 1];
    session **members;              /* in join order */
    size_t nmembers;
    size_t count_told;              /* member count last sent as an update (large rooms) */
    size_t members_cap;
    member_list_copy *list_copy;    /* large rooms: the member list, encoded (owned; see
                                       chat_member_list.c), else NULL */
};

struct chat {
    server_config cfg;
    hs_server_config hs_cfg;
    net_engine *engine;
    history *hist;
    bans *bans;
    users *users;                   /* accounts; NULL with auth = key */
    struct mailbox *mail;           /* stored private messages; only with accounts */
    uint64_t last_mail_expiry;      /* monotonic: when the mailbox was last expired */
    alerts *alerts;                 /* acknowledged alerts (chat_alerts.c) */
    struct alert_watch *watches;    /* sessions following a roll call (ROLL) */
    size_t nwatches;
    size_t watches_cap;
    uint64_t last_alerts_keep;      /* monotonic: when finished alerts were last looked for */
    uint8_t decoy_key[SCRAM_KEY_SIZE]; /* decoy verifiers for names without a usable account */
    uint32_t decoy_iterations;      /* ... showing the iteration count most accounts have */
    strmap login_failures;          /* name key or address -> recent failed logins */
    strmap nicks;                   /* nick's uname_key -> session (active sessions) */
    strmap rooms;                   /* folded room name -> room */
    strmap per_ip;                  /* address (IPv6: /64) -> addr_entry (chat_limits.c) */
    uint64_t last_limits_prune;
    session *sessions;              /* list of all sessions */
    size_t nsessions;
    uint32_t mark;
    uint64_t last_history_tick;
    uint64_t last_counts_tick;
    uint64_t last_expiry_tick;
    uint64_t disk_error_ms;         /* when a journal write error was last logged */
    uint32_t disk_errors;           /* journal write errors since then */
    buf scratch;                    /* one frame being encoded */
    buf entries;                    /* list entries being built */
    int stopping;
    char stop_reason[PROTO_NAME_MAX + 1];
    struct mutex_handle *reload_lock; /* guards reload_pending, set from any thread */
    server_config *reload_pending;  /* settings to apply at the next tick, or NULL */
    struct neg_server_cred *signon_cred; /* auth = windows: the service's credentials */
    struct search *search;          /* the search thread (chat_search.c) */
    size_t keys_rested;             /* times a session's keys were put to rest */
    struct group_lookups *group_lookups; /* group:NAME lookups off the core */
    struct group_job *group_building; /* the ALERT being checked: its groups to look up */
    struct group_job *group_done;   /* the lookup whose alert is being completed */
    chat_group_lookup_fn group_lookup; /* a test's lookup in place of Windows', or NULL */
};

/* chat.c — the wake a writer or search thread calls when it has results for the core (user is
 * the chat); the engine then runs on_wake on the core. */
void chat_wake_core(void *user);

/* chat_reload.c — settings that change while running */
int chat_reload_init(chat *c);
void chat_reload_free(chat *c);
/* Applies the settings chat_request_reload handed over, if any. From a callback only. */
void chat_apply_reload(chat *c);

/* chat_send.c — queueing frames to one session or to many */
int session_send(session *s, const proto_msg *m);
/* The engine's on_seal for s: seals a frame queued as plaintext with s's outgoing cipher. Runs
 * on an engine thread without the core lock, so it uses s->tx alone, which the core leaves
 * alone while s has bytes queued (keys_tick in chat.c). */
int session_seal(session *s, uint8_t *frame, size_t plain_len, size_t extra);
/* Cuts the session (logging why) if more is queued to it than the cap, plus the size of the
 * latest history replay while that is still being read. Returns 1 if it was cut. */
int session_check_queue(session *s);
/* A replay (room history, private catch-up) is queued between these two: it may go over the
 * send-queue cap by its own size (replay_grace); the end checks the queue. */
void session_replay_begin(session *s);
void session_replay_end(session *s);
/* Sends a frame sealed separately for each recipient (or shared, for xor) to every member of
 * the room; with mark set, only to sessions whose mark differs, marking them. */
void room_fanout(chat *c, room *r, const proto_msg *m);
/* ERROR (code >= 100: the connection stays open) answering the request being handled,
 * carrying its tag. Fatal conditions use session_bye instead. */
void session_error(session *s, uint16_t code, const char *fmt, ...) PARLEY_PRINTF(3, 4);
/* A NOTICE from the server (no sender) to s alone. */
void session_notice(session *s, const char *text);
/* Sends BYE (code, reason) if the session is active, then closes it gracefully. */
void session_bye(session *s, uint16_t code, const char *reason);
/* Closes without a goodbye (abortive) and logs why. */
void session_drop(session *s, const char *why);

/* chat.c — handles the frames a session has buffered (after its writes were done). */
void session_resume(session *s);

/* chat_limits.c — limits across sessions */
/* The key addr is counted under: the address itself, or for IPv6 its /64 ("2001:db8::/64"). */
void limits_addr_key(const char *addr, char *key, size_t n);
/* A connection from addr at monotonic time now: NULL and counted if it may stay, else the
 * reason it is refused (too many from the address, or connecting too often). */
const char *limits_connect(chat *c, const char *addr, uint64_t now);
void limits_disconnect(chat *c, const char *addr);
uint32_t limits_connections_from(const chat *c, const char *addr);
/* Every tick: enforces the output budget (cutting the largest queues first) and forgets idle
 * addresses now and then. */
void limits_tick(chat *c, uint64_t now);
void limits_free(chat *c);

/* chat_rooms.c — rooms and their traffic */
room *room_find(chat *c, const char *name);
int room_name_valid(const char *name, size_t n);
void rooms_on_join(session *s, const proto_msg *m);
void rooms_on_part(session *s, const proto_msg *m);
void rooms_on_list(session *s);
/* A list sent in frames of at most about 16 KiB of entries (ROOM_LIST, ACCOUNT_LIST): the
 * entries gather in the chat's entries buffer; every frame but the last has MORE. */
typedef struct list_sender {
    session *s;
    uint8_t type;
    uint16_t count; /* entries in the frame being built */
} list_sender;
void list_sender_start(list_sender *x, session *s, uint8_t type);
/* Adds one entry; a full frame goes out flagged MORE. */
void list_sender_put(list_sender *x, const proto_entry *e);
/* The last frame, without MORE, even when it holds no entry: it ends the list. */
void list_sender_end(list_sender *x);
void rooms_on_topic(session *s, const proto_msg *m);
void rooms_on_users(session *s, const proto_msg *m);
void rooms_on_say(session *s, const proto_msg *m);
void rooms_on_history(session *s, const proto_msg *m);
void rooms_join(session *s, const char *name);
/* Removes s from every room, telling the other members (event, reason) unless event is 0. */
void rooms_leave_all(session *s, uint8_t event, const char *reason);
/* Sends m once to every session sharing a room with s, and to s itself; with
 * membership_news, rooms too large to announce members in are left out (room_announces). */
void rooms_tell_peers(session *s, const proto_msg *m, int membership_news);
/* Every few seconds: the member count of each room too large to announce members in, to its
 * members, if it changed. */
void rooms_tell_counts(chat *c);
/* 1 if r is small enough to tell its members about each join and departure
 * (announce_max_members). */
int room_announces(const chat *c, const room *r);

/* A room's member list (chat_member_list.c). member_list_send sends it to s as USER_LIST
 * frames; a large room sends a copy it keeps, in which users who left may stay listed for up
 * to a second. The room tells the copy of each user new to it (joined), each session leaving
 * (left) and each change of a user's presence, away text or name (changed). */
void member_list_send(session *s, room *r);
void member_list_joined(room *r, const session *s);
void member_list_left(room *r, const session *s);
void member_list_changed(chat *c, const session *s);
/* Frees r's copy; the next list of a large room makes a new one. */
void member_list_drop(room *r);
/* Delivers the room messages the journal writer has finished with (net on_wake). */
void rooms_deliver(chat *c);
/* Frees the rooms with neither members nor history (after history was dropped). */
void rooms_release_unused(chat *c);
/* history_in_use_fn: 1 if the room has members. */
int rooms_in_use(void *user, const char *name);
void rooms_free_all(chat *c);
/* The room named in m that s is in, or NULL after telling s what is wrong (BAD_ROOM,
 * NOT_IN_ROOM). */
room *rooms_member_of(session *s, const proto_msg *m);

/* chat.c — the welcome, once the key (and the account, with accounts) is proven: checks and
 * claims the nick in proof->nick and sends WELCOME; or refuses with a plain ERROR. */
void session_welcome(session *s, const proto_msg *proof);
void session_refuse(session *s, uint16_t code, const char *text);

/* chat_accounts.c — account logins (auth = accounts) */
int accounts_open(chat *c, char *err, size_t err_size);
void accounts_close(chat *c);
/* The key is proven (PROOF): ask for the account's password. */
void accounts_begin(session *s, const proto_msg *proof);
/* A frame during the login. */
void accounts_on_frame(session *s, proto_frame *f);
void accounts_session_free(session *s);
/* ACCOUNT from an admin: disable, enable, delete or change the role of an account; disabling
 * or deleting ends the account's live session at once. */
void accounts_on_admin(session *s, const proto_msg *m);
/* Failed logins (and password-change proofs) counted per name and per address: 1 if name or
 * s's address is over the limit; and one more failure for both. */
int accounts_locked_out(session *s, const char *name);
void accounts_count_failure(session *s, const char *name);

/* chat_account_edit.c — account changes that carry a SCRAM verifier (never a password) */
/* ACCOUNT_ADD and ACCOUNT_PASSWD from an admin. */
void accounts_on_add(session *s, const proto_msg *m);
void accounts_on_set_verifier(session *s, const proto_msg *m);
/* PASSWORD: an account changing its own password, proving the current one with SCRAM. */
void accounts_on_password(session *s, const proto_msg *m);
/* Frees s->account (a change under way is dropped). */
void accounts_live_free(session *s);
/* 1 if s is an admin account on a server with accounts; else answers with the refusal
 * (NO_ACCOUNTS, NOT_OPERATOR) and returns 0. */
int accounts_require_admin(session *s);

/* chat_account_list.c — the account list for admins */
/* ACCOUNTS: every account in the store, in ACCOUNT_LIST frames (list_sender). */
void accounts_on_list(session *s);

/* chat_signon.c — Windows sign-on (auth = windows) */
/* Acquires the service's credentials (keytab, or the service account on Windows); 0, or -1
 * with err saying why. Nothing to do for other auth modes. */
int signon_open(chat *c, char *err, size_t err_size);
void signon_close(chat *c);
/* The key is proven (PROOF): ask the client to sign on. */
void signon_begin(session *s);
/* A frame during the sign-on. */
void signon_on_frame(session *s, proto_frame *f);
void signon_session_free(session *s);
/* Sets the session's powers from its account's role. */
void session_set_role(session *s, user_role role);

/* chat_alerts.c — acknowledged alerts */
/* Opens the store and starts its journal writer, which calls wake when it has results. */
int chat_alerts_open(chat *c, void (*wake)(void *user), char *err, size_t err_size);
void chat_alerts_close(chat *c);
/* Answers and delivers what the journal writer has finished with (net on_wake). */
void chat_alerts_deliver(chat *c);
/* Once a second: retention ([alerts] keep) and the compaction it calls for. */
void chat_alerts_tick(chat *c, uint64_t now);
void alerts_on_alert(session *s, const proto_msg *m);
void alerts_on_ack(session *s, const proto_msg *m);
void alerts_on_roll(session *s, const proto_msg *m);
/* After WELCOME: the alerts waiting for this account. */
void alerts_on_welcome(session *s);
/* The session ends: it follows no roll call any more, its pending writes are disowned. */
void alerts_session_free(session *s);
/* 1 if an alert account's session may send this type (ALERT, ROLL, PING, PONG, BYE). */
int alerts_only_allows(uint8_t type);

/* chat_alert_group.c — group:NAME alert recipients, looked up off the core */
typedef void (*alerts_add_name_fn)(void *set, const char *name);
/* While an ALERT is checked (c->group_building set): checks group: may be used here and notes
 * the group to look up. While a finished lookup's alert is completed (c->group_done set): adds,
 * through add, the account of every member found (members of other domains and members
 * without an account are left out and logged). 0, or -1 with why filled: not available on
 * this server, too many groups, no such group, or nobody. */
int alerts_add_group(chat *c, const char *group, alerts_add_name_fn add, void *set, char *why,
                     size_t why_size);
/* Starts the lookups' bookkeeping (wake: the engine's wake); 0, or -1 if out of memory. */
int chat_alert_groups_open(chat *c, void (*wake)(void *user));
/* Waits for the lookups still running. */
void chat_alert_groups_close(chat *c);
/* A job (group_lookup.h) for the ALERT m to target; NULL if out of memory. */
void *alerts_group_job_new(session *s, const proto_msg *m, const char *target);
/* Starts the job's lookup: 0 started (the core completes the alert when it is back); 1 no
 * groups to look up (complete it now); -1 refused, the ERROR sent. The caller keeps the job
 * unless 0. */
int alerts_group_job_start(session *s, void *job);
void alerts_group_job_free(void *job);
/* Completes the alerts whose lookups are back (net on_wake). */
void chat_alert_groups_deliver(chat *c);
/* The session has gone: its lookup's result is dropped. */
void chat_alert_groups_session_free(session *s);

/* chat_alerts.c: resolves target and sends the alert (answered with the tag), as ALERT does
 * once its groups' members are known. */
void alerts_send(session *s, uint32_t tag, uint32_t duration, const char *target,
                 const char *text_p, size_t text_n);

/* chat_users.c — nicks, presence, private messages */
/* Checks a requested nick by the rules for names (uname.h) and writes its NFC form to out;
 * 0, or -1 with the reason in why. */
int nick_prepare(const char *nick, size_t n, char out[PROTO_NICK_MAX + 1], char *why,
                 size_t why_size);
/* Room for the comparison key of any nick a client can send (uname.h). */
#define NICK_KEY_CAP UNAME_KEY_CAP(UNAME_MAX_INPUT)
/* Writes nick's comparison key (one name in any case or normalisation, one key): the key of
 * the nick map and of anything else keyed by user. 0, or -1 if nick is no valid name. */
int nick_key(const char *nick, char key[NICK_KEY_CAP]);
/* The session holding nick in any case or normalisation, or NULL. */
session *nick_find(chat *c, const char *nick);
/* Registers nick (prepared) as s's; 0, or -1 if out of memory. With accounts a nick already
 * held gains s as one more session of the account (the caller refuses that without them). */
int nick_claim(chat *c, const char *nick, session *s);
/* Gives up s's claim on its nick (s->nick); the account's other sessions keep theirs. */
void nick_release(chat *c, session *s);
/* The active sessions of the account (or key-mode nick) called name, in login order:
 *   for (t = account_sessions_first(c, name); t; t = account_sessions_next(t)) ...
 * Sessions that are closing are skipped. */
session *account_sessions_first(chat *c, const char *name);
session *account_sessions_next(const session *s);
/* Sends m to every active session of the account called name; returns how many got it. */
size_t account_sessions_send(chat *c, const char *name, const proto_msg *m);
void users_on_priv(session *s, const proto_msg *m);
/* If t is away, tells sender so in a NOTICE (t's away message); not when t is the sender. */
void users_tell_away(session *sender, const session *t);
void users_on_nick(session *s, const proto_msg *m);
void users_on_away(session *s, const proto_msg *m);

/* chat_private.c — stored private conversations with accounts (mailbox.h) */
int privs_open(chat *c, char *err, size_t err_size);
void privs_close(chat *c);
/* The account login was deleted: its stored conversations (both parties'), marks and settings
 * go from the mailbox and from the search index. */
void privs_forget(chat *c, const char *login);
void privs_on_priv(session *s, const proto_msg *m);
void privs_on_sync(session *s, const proto_msg *m);
void privs_on_read(session *s, const proto_msg *m);
void privs_on_prefs(session *s, const proto_msg *m);
/* Delivers the private messages the journal writer has finished with (net on_wake). */
void privs_deliver(chat *c);
/* About once a second: expiry of waiting messages, retention, journal upkeep. */
void privs_tick(chat *c, uint64_t now);
void privs_session_free(session *s);

/* chat_admin.c — operator commands */
void admin_on_oper(session *s, const proto_msg *m);
void admin_on_kick(session *s, const proto_msg *m);
void admin_on_ban(session *s, const proto_msg *m);
void admin_on_unban(session *s, const proto_msg *m);
void admin_on_wall(session *s, const proto_msg *m);
void admin_on_shutdown(session *s, const proto_msg *m);
/* Puts the ban changes written by the bans journal's writer into effect and answers their
 * operators. */
void admin_deliver(chat *c);

/* chat_search.c — SEARCH, run on the search thread */
/* Starts the search thread (notify: the engine's wake) and indexes the restored history. */
int chat_search_open(chat *c, void (*notify)(void *user), char *err, size_t err_size);
void chat_search_close(chat *c);
/* A room message joined the history: index it. */
void chat_search_add(chat *c, const history_msg *m);
void chat_search_session_free(session *s);
void search_on_request(session *s, const proto_msg *m);
/* Sends the pages the search thread has finished (net on_wake). */
void chat_search_deliver(chat *c);

/* Cuts a trailing incomplete UTF-8 sequence (left by a truncating snprintf). */
void text_clip(char *s);
/* snprintf for texts sent on the wire: truncates to cap and keeps the UTF-8 whole. */
void text_printf(char *dst, size_t cap, const char *fmt, ...) PARLEY_PRINTF(3, 4);

#endif

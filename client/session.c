/* session.c — the reconnect layer (session.h): one driver thread dials, receives and redials
 * with backoff; any thread sends or queues requests; rooms and the last message id per room
 * are tracked from the server's own confirmations so that a reconnect restores exactly them. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "passwd.h"
#include "sys.h"
#include "thread.h"

#define HOST_MAX 255
#define SOURCE_MAX 64
#define SIGNON_CCACHE_MAX 1024
#define TEXT_MAX 320
#define SLICE_DEFAULT_MS 50u
#define QUIT_GRACE_MS 1500u /* after our BYE, how long we wait for the server to hang up */
#define LOBBY "lobby"       /* where the server puts every new connection */

/* A request waiting for the connection: the plain encoded frame, decoded again when sent (a
 * deep copy of any message type, lists included, for free). */
typedef struct pcs_req {
    struct pcs_req *next;
    buf frame;
} pcs_req;

typedef struct room_mark {
    char name[PROTO_ROOM_MAX + 1];
    uint64_t last_id; /* newest message id seen: HISTORY asks for what came after it */
    int rejoin;       /* re-joined after a reconnect: our own JOIN event is not news */
    int catchup;      /* replays of ours still due (join replay, HISTORY): drop what we saw */
    uint32_t missed;  /* messages new to us in those replays */
} room_mark;

struct pcs_session {
    /* settings, fixed by pcs_new */
    pc_options copts;
    char host[HOST_MAX + 1];
    char source[SOURCE_MAX + 1];
    char want_nick[PROTO_NICK_MAX + 1];
    char agent[PROTO_NAME_MAX + 1];
    uint8_t ciphers[PROTO_MAX_CIPHERS];
    uint8_t *secret; /* only until the first dial: the connection keeps its own copy */
    size_t secret_len;
    char *password;  /* likewise; NULL = none */
    char signon_host[HOST_MAX + 1];   /* copies of the sign-on settings ("" = none) */
    char signon_ccache[SIGNON_CCACHE_MAX + 1];
    pcs_event_fn on_event;
    void *user;
    uint32_t backoff_first_ms, backoff_max_ms, max_attempts, history_fetch;
    uint32_t ping_interval_ms, ping_timeout_ms, slice_ms;
    int no_reconnect;

    /* shared between the driver and senders: under lock */
    mutex_handle *lock;
    pcs_state state;
    pc_conn *conn;          /* senders use it only while state is PCS_CONNECTED */
    pcs_req *q_head, *q_tail;
    int quit_req;
    uint64_t quit_at;
    int redial_req;         /* pcs_redial_now: the wait for the next dial ends early */
    char nick[PROTO_NICK_MAX + 1];
    room_mark rooms[PCS_ROOMS_MAX];
    size_t nrooms;
    uint8_t presence;
    char away_text[PROTO_NAME_MAX + 1];
    int end_code;
    char end_text[TEXT_MAX];
    pc_passwd *passwd;      /* a change of password under way (owned): set by
                             * pcs_change_password, then only the driver uses and clears it */

    /* the driver's own */
    int ever_connected;
    uint32_t attempt;       /* the redial to come, 1-based */
    uint64_t wake_at;       /* PCS_WAITING: when to dial */
    uint64_t ping_token;    /* outstanding keep-alive PING, 0 if none */
    uint64_t ping_sent;
    uint64_t next_ping;
    char ghost[PROTO_ROOM_MAX + 1]; /* a room the server put us back in that we had left */
    uint64_t priv_last_id;  /* newest private message seen: PRIV_SYNC asks for what follows */
    uint64_t priv_floor;    /* the last PRIV_SYNC's `after`: replays up to it are repeats */
    uint64_t rng;
};

void pcs_options_init(pcs_options *o)
{
    memset(o, 0, sizeof *o);
    pc_options_init(&o->conn);
}

static void put_err(char *err, size_t err_size, const char *text)
{
    if (err && err_size)
        snprintf(err, err_size, "%s", text);
}

static char fold(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Room and nick names compare ignoring ASCII case, as the server compares them. */
static int name_is(const char *a, proto_str b)
{
    size_t i;

    if (strlen(a) != b.n)
        return 0;
    for (i = 0; i < b.n; i++)
        if (fold(a[i]) != fold(b.p[i]))
            return 0;
    return 1;
}

/* xorshift64*: jitter only needs to differ between clients, not to be secret. */
static uint32_t next_random(pcs_session *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (uint32_t)((s->rng * 2685821657736338717ull) >> 32);
}

/* ---- events ---- */

static void event_init(pcs_event *ev, pcs_event_kind kind)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->text = "";
    ev->nick = "";
    ev->server = "";
    ev->motd = "";
    ev->room = "";
    ev->mechanism = "none";
}

static void emit(pcs_session *s, const pcs_event *ev)
{
    s->on_event(s->user, ev);
}

static void emit_status(pcs_session *s, pcs_event_kind kind, int code, const char *text,
                        uint32_t attempt, uint32_t delay_ms)
{
    pcs_event ev;

    event_init(&ev, kind);
    ev.code = code;
    ev.text = text ? text : "";
    ev.attempt = attempt;
    ev.delay_ms = delay_ms;
    emit(s, &ev);
}

/* ---- the request queue (caller holds lock) ---- */

static void req_free(pcs_req *r)
{
    buf_free(&r->frame);
    free(r);
}

static void queue_clear_locked(pcs_session *s)
{
    pcs_req *r;

    while ((r = s->q_head) != NULL) {
        s->q_head = r->next;
        req_free(r);
    }
    s->q_tail = NULL;
}

/* Copies m into the queue. 0, or -1 with err set. */
static int enqueue_locked(pcs_session *s, const proto_msg *m, char *err, size_t err_size)
{
    pcs_req *r = calloc(1, sizeof *r);
    int rc;

    if (!r) {
        put_err(err, err_size, "out of memory");
        return -1;
    }
    buf_init(&r->frame);
    rc = proto_encode(m, 0, &r->frame);
    if (rc != PROTO_OK) {
        char text[TEXT_MAX];
        snprintf(text, sizeof text, "cannot send %s: %s", proto_type_name(m->type),
                 proto_status_text(rc));
        put_err(err, err_size, text);
        req_free(r);
        return -1;
    }
    if (s->q_tail)
        s->q_tail->next = r;
    else
        s->q_head = r;
    s->q_tail = r;
    return 0;
}

/* Sends what was queued, in order, on the fresh connection. Stops at a broken connection
 * (the rest waits for the next one); a request the server would refuse as too big is dropped
 * and counted into *dropped, its reason in why. */
static void flush_locked(pcs_session *s, int *dropped, char *why, size_t why_size)
{
    pcs_req *r;
    proto_msg m;

    while ((r = s->q_head) != NULL) {
        const uint8_t *f = r->frame.data;
        int rc = proto_decode(f[5], f + PROTO_HEADER_SIZE, r->frame.len - PROTO_HEADER_SIZE, &m);

        if (rc == PROTO_OK && pc_send(s->conn, &m) != 0) {
            if (pc_error_code(s->conn) != PC_OK)
                return;
            if (!*dropped)
                snprintf(why, why_size, "%s", pc_send_error(s->conn));
            ++*dropped;
        }
        s->q_head = r->next;
        if (!s->q_head)
            s->q_tail = NULL;
        req_free(r);
    }
}

/* ---- requests, from any thread ---- */

int pcs_send(pcs_session *s, const proto_msg *m, char *err, size_t err_size)
{
    int rc = -1;

    put_err(err, err_size, "");
    mutex_lock(s->lock);
    if (s->state == PCS_ENDED || s->quit_req) {
        put_err(err, err_size, s->end_text[0] ? s->end_text : "the session has ended");
        goto done;
    }
    if (m->type == PT_AWAY) {
        s->presence = m->presence;
        proto_str_copy(s->away_text, sizeof s->away_text, m->text);
    }
    /* Straight out while connected and nothing is waiting: waiting requests go first. */
    if (s->state == PCS_CONNECTED && !s->q_head) {
        if (pc_send(s->conn, m) == 0) {
            rc = 0;
            goto done;
        }
        if (pc_error_code(s->conn) == PC_OK) {
            /* The connection is fine: this message cannot be sent at all. */
            put_err(err, err_size, pc_send_error(s->conn));
            goto done;
        }
        /* The connection just broke: the driver will notice; this waits for the next one. */
    }
    if (enqueue_locked(s, m, err, err_size) == 0)
        rc = 1;
done:
    mutex_unlock(s->lock);
    return rc;
}

static void msg_init(proto_msg *m, uint8_t type)
{
    memset(m, 0, sizeof *m);
    m->type = type;
}

int pcs_join(pcs_session *s, const char *room)
{
    proto_msg m;

    msg_init(&m, PT_JOIN);
    m.room = proto_s(room);
    return pcs_send(s, &m, NULL, 0);
}

int pcs_part(pcs_session *s, const char *room, const char *reason)
{
    proto_msg m;

    msg_init(&m, PT_PART);
    m.room = proto_s(room);
    m.text = proto_s(reason ? reason : "");
    return pcs_send(s, &m, NULL, 0);
}

int pcs_say(pcs_session *s, const char *room, const char *text, uint32_t tag)
{
    proto_msg m;

    msg_init(&m, PT_SAY);
    m.room = proto_s(room);
    m.text = proto_s(text);
    m.tag = tag;
    return pcs_send(s, &m, NULL, 0);
}

int pcs_priv(pcs_session *s, const char *nick, const char *text, uint32_t tag)
{
    proto_msg m;

    msg_init(&m, PT_PRIV);
    m.target = proto_s(nick);
    m.text = proto_s(text);
    m.tag = tag;
    return pcs_send(s, &m, NULL, 0);
}

int pcs_nick(pcs_session *s, const char *new_nick)
{
    proto_msg m;

    msg_init(&m, PT_NICK);
    m.nick = proto_s(new_nick);
    return pcs_send(s, &m, NULL, 0);
}

int pcs_away(pcs_session *s, uint8_t presence, const char *text)
{
    proto_msg m;

    msg_init(&m, PT_AWAY);
    m.presence = presence;
    m.text = proto_s(text ? text : "");
    return pcs_send(s, &m, NULL, 0);
}

int pcs_topic(pcs_session *s, const char *room, const char *text)
{
    proto_msg m;

    msg_init(&m, PT_TOPIC);
    m.room = proto_s(room);
    m.text = proto_s(text ? text : "");
    return pcs_send(s, &m, NULL, 0);
}

int pcs_rooms(pcs_session *s)
{
    proto_msg m;

    msg_init(&m, PT_ROOMS);
    return pcs_send(s, &m, NULL, 0);
}

int pcs_users(pcs_session *s, const char *room)
{
    proto_msg m;

    msg_init(&m, PT_USERS);
    m.room = proto_s(room);
    return pcs_send(s, &m, NULL, 0);
}

int pcs_history(pcs_session *s, const char *room, uint64_t after_id, uint32_t count)
{
    proto_msg m;

    msg_init(&m, PT_HISTORY);
    m.room = proto_s(room);
    m.after = after_id;
    m.count = count;
    return pcs_send(s, &m, NULL, 0);
}

int pcs_read(pcs_session *s, const char *peer, uint64_t id)
{
    proto_msg m;

    msg_init(&m, PT_READ);
    m.target = proto_s(peer);
    m.id = id;
    return pcs_send(s, &m, NULL, 0);
}

int pcs_priv_prefs(pcs_session *s, int read_receipts)
{
    proto_msg m;

    msg_init(&m, PT_PRIV_PREFS);
    m.flags = read_receipts ? 0 : PROTO_FLAG_NO_RECEIPTS;
    return pcs_send(s, &m, NULL, 0);
}

int pcs_ping(pcs_session *s, uint64_t token)
{
    proto_msg m;

    msg_init(&m, PT_PING);
    m.token = token;
    return pcs_send(s, &m, NULL, 0);
}

void pcs_quit(pcs_session *s, const char *reason)
{
    mutex_lock(s->lock);
    if (s->state != PCS_ENDED && !s->quit_req) {
        s->quit_req = 1;
        s->quit_at = sys_mono_ms();
        /* Said at once: the server then hangs up, which is what wakes the driver. */
        if (s->state == PCS_CONNECTED)
            pc_quit(s->conn, reason && *reason ? reason : "leaving");
    }
    mutex_unlock(s->lock);
}

void pcs_redial_now(pcs_session *s)
{
    mutex_lock(s->lock);
    if (s->state == PCS_WAITING && !s->quit_req)
        s->redial_req = 1;
    mutex_unlock(s->lock);
}

/* ---- state, from any thread ---- */

pcs_state pcs_get_state(pcs_session *s)
{
    pcs_state st;

    mutex_lock(s->lock);
    st = s->state;
    mutex_unlock(s->lock);
    return st;
}

void pcs_get_nick(pcs_session *s, char *out, size_t out_size)
{
    mutex_lock(s->lock);
    put_err(out, out_size, s->nick);
    mutex_unlock(s->lock);
}

static room_mark *find_room_locked(pcs_session *s, proto_str name)
{
    size_t i;

    for (i = 0; i < s->nrooms; i++)
        if (name_is(s->rooms[i].name, name))
            return &s->rooms[i];
    return NULL;
}

int pcs_in_room(pcs_session *s, const char *room)
{
    int in;

    mutex_lock(s->lock);
    in = find_room_locked(s, proto_s(room)) != NULL;
    mutex_unlock(s->lock);
    return in;
}

size_t pcs_room_list(pcs_session *s, char (*names)[PROTO_ROOM_MAX + 1], size_t max)
{
    size_t i, n;

    mutex_lock(s->lock);
    n = s->nrooms;
    for (i = 0; i < n && i < max; i++)
        memcpy(names[i], s->rooms[i].name, sizeof names[i]);
    mutex_unlock(s->lock);
    return n;
}

int pcs_end_reason(pcs_session *s, char *out, size_t out_size)
{
    int code;

    mutex_lock(s->lock);
    code = s->state == PCS_ENDED ? s->end_code : PC_OK;
    put_err(out, out_size, s->state == PCS_ENDED ? s->end_text : "");
    mutex_unlock(s->lock);
    return code;
}

/* ---- lifetime ---- */

pcs_session *pcs_new(const pcs_options *o, char *err, size_t err_size)
{
    const pc_options *c = &o->conn;
    pcs_session *s;

    put_err(err, err_size, "");
    if (!o->on_event) {
        put_err(err, err_size, "no event callback given");
        return NULL;
    }
    if (!c->secret || c->secret_len == 0) {
        put_err(err, err_size, "no secret key given");
        return NULL;
    }
    if (!c->nick || !*c->nick || strlen(c->nick) > PROTO_NICK_MAX) {
        put_err(err, err_size, "invalid nickname: it must be 1 to 32 bytes");
        return NULL;
    }
    if ((c->host && strlen(c->host) > HOST_MAX) || (c->source && strlen(c->source) > SOURCE_MAX) ||
        (c->agent && strlen(c->agent) > PROTO_NAME_MAX) || c->nciphers > PROTO_MAX_CIPHERS ||
        (c->signon_host && strlen(c->signon_host) > HOST_MAX) ||
        (c->signon_ccache && strlen(c->signon_ccache) > SIGNON_CCACHE_MAX)) {
        put_err(err, err_size, "server name, source address, agent, cipher list or sign-on "
                               "setting too long");
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->lock = mutex_new();
    s->secret = malloc(c->secret_len);
    if (!s->lock || !s->secret)
        goto nomem;
    memcpy(s->secret, c->secret, c->secret_len);
    s->secret_len = c->secret_len;
    s->copts = *c;
    s->copts.secret = s->secret;
    if (c->password) {
        if (!(s->password = malloc(c->password_len + 1)))
            goto nomem;
        memcpy(s->password, c->password, c->password_len);
        s->password[c->password_len] = '\0';
        s->copts.password = s->password;
    }
    snprintf(s->host, sizeof s->host, "%s", c->host && *c->host ? c->host : "localhost");
    s->copts.host = s->host;
    if (c->source) {
        snprintf(s->source, sizeof s->source, "%s", c->source);
        s->copts.source = s->source;
    }
    snprintf(s->want_nick, sizeof s->want_nick, "%s", c->nick);
    s->copts.nick = s->want_nick;
    if (c->signon_host) {
        snprintf(s->signon_host, sizeof s->signon_host, "%s", c->signon_host);
        s->copts.signon_host = s->signon_host;
    }
    if (c->signon_ccache) {
        snprintf(s->signon_ccache, sizeof s->signon_ccache, "%s", c->signon_ccache);
        s->copts.signon_ccache = s->signon_ccache;
    }
    if (c->agent) {
        snprintf(s->agent, sizeof s->agent, "%s", c->agent);
        s->copts.agent = s->agent;
    }
    if (c->ciphers && c->nciphers) {
        memcpy(s->ciphers, c->ciphers, c->nciphers);
        s->copts.ciphers = s->ciphers;
    }
    s->on_event = o->on_event;
    s->user = o->user;
    s->backoff_first_ms = o->backoff_first_ms ? o->backoff_first_ms : PCS_BACKOFF_FIRST_DEFAULT;
    s->backoff_max_ms = o->backoff_max_ms ? o->backoff_max_ms : PCS_BACKOFF_MAX_DEFAULT;
    if (s->backoff_max_ms < s->backoff_first_ms)
        s->backoff_max_ms = s->backoff_first_ms;
    s->max_attempts = o->max_attempts;
    s->no_reconnect = o->no_reconnect;
    s->history_fetch = o->history_fetch ? o->history_fetch : PCS_HISTORY_FETCH_DEFAULT;
    s->ping_interval_ms = o->ping_interval_ms ? o->ping_interval_ms : PCS_PING_INTERVAL_DEFAULT;
    s->ping_timeout_ms = o->ping_timeout_ms ? o->ping_timeout_ms : PCS_PING_TIMEOUT_DEFAULT;
    s->slice_ms = o->slice_ms ? o->slice_ms : SLICE_DEFAULT_MS;
    snprintf(s->nick, sizeof s->nick, "%s", c->nick);
    s->state = PCS_IDLE;
    /* Clients cut off together must not all return together: seed each one differently. */
    if (crypto_random(&s->rng, sizeof s->rng) != CRYPTO_OK || s->rng == 0)
        s->rng = (sys_mono_ms() << 20) ^ (uint64_t)(uintptr_t)s ^ 0x9e3779b97f4a7c15ull;
    return s;

nomem:
    put_err(err, err_size, "out of memory");
    if (s) {
        if (s->lock)
            mutex_free(s->lock);
        free(s->secret);
        free(s->password);
        free(s);
    }
    return NULL;
}

static void wipe_secret(pcs_session *s)
{
    if (s->secret) {
        crypto_wipe(s->secret, s->secret_len);
        free(s->secret);
        s->secret = NULL;
        s->copts.secret = NULL;
    }
    if (s->password) {
        crypto_wipe(s->password, s->copts.password_len);
        free(s->password);
        s->password = NULL;
        s->copts.password = NULL;
    }
}

/* Ends a change of password under way, if any, reporting code and text (driver only). */
static void passwd_end(pcs_session *s, int code, const char *text)
{
    pc_passwd *p;
    pcs_event ev;

    mutex_lock(s->lock);
    p = s->passwd;
    s->passwd = NULL;
    mutex_unlock(s->lock);
    if (!p)
        return;
    pc_passwd_wipe(p);
    free(p);
    event_init(&ev, PCS_EV_PASSWORD);
    ev.code = code;
    ev.text = text;
    emit(s, &ev);
}

int pcs_change_password(pcs_session *s, const char *old_pw, size_t old_len, const char *new_pw,
                        size_t new_len, char *err, size_t err_size)
{
    uint8_t binding[32];
    proto_msg out;
    pc_passwd *p = calloc(1, sizeof *p);
    int rc = -1;

    if (!p) {
        put_err(err, err_size, "out of memory");
        return -1;
    }
    mutex_lock(s->lock);
    if (s->state != PCS_CONNECTED || s->quit_req)
        put_err(err, err_size, "not connected: try again once the connection is back");
    else if (s->passwd)
        put_err(err, err_size, "a change of password is already under way");
    else if (pc_session_binding(s->conn, binding) != 0)
        put_err(err, err_size, "this connection is not logged in to an account (the server "
                               "uses the shared key only)");
    else if (pc_passwd_begin(p, s->nick, binding, old_pw, old_len, new_pw, new_len, 0, &out, err,
                             err_size) == 0) {
        if (pc_send(s->conn, &out) == 0) {
            s->passwd = p;
            p = NULL;
            rc = 0;
        } else {
            put_err(err, err_size, pc_send_error(s->conn));
        }
    }
    mutex_unlock(s->lock);
    crypto_wipe(binding, sizeof binding);
    if (p) {
        pc_passwd_wipe(p);
        free(p);
    }
    return rc;
}

/* A message while a change of password runs: 1 if it was part of the change (and handled). */
static int passwd_step(pcs_session *s, const proto_msg *m)
{
    char err[TEXT_MAX];
    proto_msg out;
    pc_passwd *p;
    pc_passwd_step r;
    int code = PC_OK;

    mutex_lock(s->lock);
    p = s->passwd;
    mutex_unlock(s->lock);
    if (!p)
        return 0;
    /* No lock: the answer to server-first runs PBKDF2 twice, and p is the driver's now. */
    r = pc_passwd_on_msg(p, m, &out, &code, err, sizeof err);
    if (r == PC_PASSWD_OTHER)
        return 0;
    if (r == PC_PASSWD_SEND) {
        mutex_lock(s->lock);
        if (s->state == PCS_CONNECTED && pc_send(s->conn, &out) != 0) {
            code = PC_E_LOCAL;
            snprintf(err, sizeof err, "%s", pc_send_error(s->conn));
            r = PC_PASSWD_FAILED;
        }
        mutex_unlock(s->lock);
        if (r == PC_PASSWD_SEND)
            return 1;
    }
    if (r == PC_PASSWD_DONE) {
        /* Redials log in with the new password from now on. */
        if (pc_set_password(s->conn, p->new_pw, p->new_len) != 0)
            passwd_end(s, PC_E_LOCAL, "your password is changed, but a reconnect would still "
                                      "use the old one: connect again with the new one");
        else
            passwd_end(s, PC_OK, "your password is changed");
        return 1;
    }
    passwd_end(s, code, err);
    return 1;
}

void pcs_free(pcs_session *s)
{
    if (!s)
        return;
    if (s->passwd) {
        pc_passwd_wipe(s->passwd);
        free(s->passwd);
    }
    pc_close(s->conn);
    queue_clear_locked(s);
    wipe_secret(s);
    mutex_free(s->lock);
    free(s);
}

/* ---- the driver ---- */

/* Failures that dialling again cannot fix: the person has to change something first. */
static int final_failure(int code)
{
    switch (code) {
    case PC_WRONG_KEY:
    case PC_BAD_PASSWORD: /* the account's password changed, or was never right: dialling
                           * again only adds failed logins (and the server's lock-out) */
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

/* Equal jitter: half the doubled step for sure, the other half at random. */
static uint32_t backoff_ms(pcs_session *s, uint32_t attempt)
{
    uint32_t step = s->backoff_first_ms, half;

    while (--attempt && step < s->backoff_max_ms)
        step = step > s->backoff_max_ms / 2 ? s->backoff_max_ms : step * 2;
    if (step > s->backoff_max_ms)
        step = s->backoff_max_ms;
    half = step / 2;
    return half + next_random(s) % (step - half + 1);
}

/* Ends the session for good: the last event. */
static void finish(pcs_session *s, int code, const char *text)
{
    pc_conn *c;

    passwd_end(s, code, "the session ended during the change of password: it may not have "
                        "been changed");
    mutex_lock(s->lock);
    s->state = PCS_ENDED;
    s->end_code = code;
    snprintf(s->end_text, sizeof s->end_text, "%s", text);
    queue_clear_locked(s);
    c = s->conn;
    s->conn = NULL;
    mutex_unlock(s->lock);
    /* No sender can be inside c now: they use it only under lock while connected. */
    pc_close(c);
    wipe_secret(s);
    emit_status(s, PCS_EV_DISCONNECTED, code, text, 0, 0);
}

/* Schedules the next redial, or gives up. attempt is the dial to come. */
static void schedule(pcs_session *s, int code, const char *why)
{
    char text[TEXT_MAX + 64];
    uint32_t delay;

    if (s->max_attempts && s->attempt > s->max_attempts) {
        snprintf(text, sizeof text, "gave up after %u attempts: %s", (unsigned)s->max_attempts,
                 why);
        finish(s, code, text);
        return;
    }
    delay = backoff_ms(s, s->attempt);
    s->wake_at = sys_mono_ms() + delay;
    mutex_lock(s->lock);
    s->state = PCS_WAITING;
    mutex_unlock(s->lock);
    emit_status(s, PCS_EV_RECONNECTING, code, why, s->attempt, delay);
}

/* The connection ended (read failure, BYE, dead keep-alive). */
static void on_lost(pcs_session *s, int code, const char *why)
{
    int quitting;

    mutex_lock(s->lock);
    quitting = s->quit_req;
    s->state = PCS_WAITING; /* senders queue from here on */
    mutex_unlock(s->lock);
    /* Hang up now: a server that still thinks we are there lets go of our nickname sooner. */
    pc_hangup(s->conn);
    passwd_end(s, PC_E_LOST, "the connection dropped during the change of password: it may "
                             "not have been changed; log in with the old one, or else the new");
    if (quitting) {
        finish(s, PC_QUIT, code == PC_QUIT ? why : "quit");
        return;
    }
    if (final_failure(code) || s->no_reconnect) {
        finish(s, code, why);
        return;
    }
    s->attempt = 1;
    schedule(s, code, why);
}

/* After a reconnect, under lock and before anyone else may send: the server has put us in the
 * lobby again. Join our other rooms, leave the lobby if we had left it, ask each room for
 * what came after the last message we saw, restore our presence, then send what was queued. */
static void restore_locked(pcs_session *s, int *dropped, char *why, size_t why_size)
{
    int in_lobby = 0;
    size_t i;

    s->ghost[0] = '\0';
    for (i = 0; i < s->nrooms; i++) {
        room_mark *r = &s->rooms[i];

        r->rejoin = 1;
        r->missed = 0;
        r->catchup = 2; /* the join's own replay, then our HISTORY's */
        if (name_is(LOBBY, proto_s(r->name)))
            in_lobby = 1;
        else
            pc_join(s->conn, r->name);
        pc_history(s->conn, r->name, r->last_id, s->history_fetch);
    }
    if (!in_lobby) {
        snprintf(s->ghost, sizeof s->ghost, "%s", LOBBY);
        pc_part(s->conn, LOBBY, "");
    }
    if (s->presence != PRESENCE_ONLINE)
        pc_away(s->conn, s->presence, s->away_text);
    flush_locked(s, dropped, why, why_size);
}

static void on_connected(pcs_session *s, int reconnect)
{
    pcs_event ev;
    char why[TEXT_MAX] = "";
    int dropped = 0;
    uint64_t now = sys_mono_ms();

    mutex_lock(s->lock);
    snprintf(s->nick, sizeof s->nick, "%s", pc_nick_of(s->conn));
    /* With an account, private conversations are stored: catch up on what came after the
     * newest private message this session has seen; on the first connection, what waited
     * for us and a little context. */
    if (pc_account(s->conn)) {
        s->priv_floor = s->priv_last_id;
        pc_priv_sync(s->conn, s->priv_last_id, s->priv_last_id ? 0 : PCS_PRIV_RECENT);
    }
    if (reconnect)
        restore_locked(s, &dropped, why, sizeof why);
    else
        flush_locked(s, &dropped, why, sizeof why);
    s->state = PCS_CONNECTED;
    mutex_unlock(s->lock);
    s->ever_connected = 1;
    s->attempt = 0;
    s->ping_token = 0;
    s->next_ping = now + (s->ping_interval_ms == PCS_PING_OFF ? 0 : s->ping_interval_ms);

    event_init(&ev, PCS_EV_CONNECTED);
    ev.reconnect = reconnect;
    ev.cipher = pc_cipher(s->conn);
    ev.account = pc_account(s->conn);
    ev.signed_on = pc_signed_on(s->conn);
    ev.mechanism = pc_signon_mechanism_of(s->conn);
    ev.nick = pc_nick_of(s->conn);
    ev.server = pc_server_name(s->conn);
    ev.motd = pc_motd(s->conn);
    ev.text = ev.server;
    emit(s, &ev);
    if (dropped)
        emit_status(s, PCS_EV_SEND_ERROR, PC_E_LOCAL, why, 0, 0);
}

/* One dial: the first connection or a redial. */
static void dial(pcs_session *s)
{
    char err[TEXT_MAX], where[HOST_MAX + 16];
    int code = PC_OK, quitting, reconnect = s->ever_connected;

    mutex_lock(s->lock);
    s->state = PCS_CONNECTING;
    mutex_unlock(s->lock);
    snprintf(where, sizeof where, "%s %u", s->host,
             (unsigned)(s->copts.port ? s->copts.port : PC_PORT_DEFAULT));
    emit_status(s, PCS_EV_CONNECTING, PC_OK, where, s->attempt, 0);
    if (!s->conn) {
        pc_conn *c = pc_connect(&s->copts, &code, err, sizeof err);
        /* The connection holds its own copy from now on. */
        wipe_secret(s);
        mutex_lock(s->lock);
        s->conn = c;
        mutex_unlock(s->lock);
        if (!c) {
            finish(s, code, err);
            return;
        }
    } else {
        char nick[PROTO_NICK_MAX + 1];

        mutex_lock(s->lock);
        snprintf(nick, sizeof nick, "%s", s->nick);
        mutex_unlock(s->lock);
        if (pc_redial(s->conn, nick, &code, err, sizeof err) != 0) {
            mutex_lock(s->lock);
            quitting = s->quit_req;
            mutex_unlock(s->lock);
            if (quitting) {
                finish(s, PC_QUIT, "quit");
            } else if (final_failure(code)) {
                finish(s, code, err);
            } else {
                s->attempt++;
                schedule(s, code, err);
            }
            return;
        }
    }
    mutex_lock(s->lock);
    quitting = s->quit_req;
    mutex_unlock(s->lock);
    if (quitting) {
        /* Asked to quit while dialling: say goodbye on the new connection and end. */
        pc_quit(s->conn, "leaving");
        finish(s, PC_QUIT, "quit: leaving");
        return;
    }
    on_connected(s, reconnect);
}

/* Follows what the server says about us; returns 0 if the message must not reach the user
 * (a duplicate, our own re-join, the lobby we are leaving again, our keep-alive PONG). */
static int track(pcs_session *s, const proto_msg *m, pcs_event *extra)
{
    const char *me = pc_nick_of(s->conn);
    room_mark *r;
    int pass = 1;

    if (m->type == PT_PONG && s->ping_token && m->token == s->ping_token) {
        uint64_t rtt = sys_mono_ms() - s->ping_sent;
        event_init(extra, PCS_EV_RTT);
        extra->rtt_ms = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
        s->ping_token = 0;
        return 0;
    }
    if (s->ghost[0] && m->room.n && name_is(s->ghost, m->room) &&
        (m->type == PT_MSG || m->type == PT_MEMBER || m->type == PT_TOPIC ||
         m->type == PT_USER_LIST || m->type == PT_HISTORY_END)) {
        if (m->type == PT_MEMBER && m->event == MEMBER_PART && name_is(me, m->nick))
            s->ghost[0] = '\0';
        return 0;
    }

    mutex_lock(s->lock);
    switch (m->type) {
    case PT_MSG:
        r = find_room_locked(s, m->room);
        if (!r)
            break;
        if ((m->flags & PROTO_FLAG_HISTORY) && r->catchup && m->id <= r->last_id) {
            pass = 0;
            break;
        }
        if (m->id > r->last_id) {
            r->last_id = m->id;
            if (r->catchup && (m->flags & PROTO_FLAG_HISTORY))
                r->missed++;
        }
        break;
    case PT_PRIV_MSG:
        /* A replay of one we already reported (PRIV_SYNC after a reconnect) is dropped. */
        if ((m->flags & PROTO_FLAG_HISTORY) && m->id <= s->priv_floor) {
            pass = 0;
            break;
        }
        if (m->id > s->priv_last_id)
            s->priv_last_id = m->id;
        break;
    case PT_HISTORY_END:
        r = find_room_locked(s, m->room);
        if (r && r->catchup) {
            pass = 0;
            if (--r->catchup == 0) {
                event_init(extra, PCS_EV_CAUGHT_UP);
                extra->room = r->name;
                extra->count = r->missed;
            }
        }
        break;
    case PT_MEMBER:
        if (m->event == MEMBER_RENAME && name_is(me, m->target)) {
            snprintf(s->nick, sizeof s->nick, "%s", me);
            break;
        }
        if (!name_is(me, m->nick) || !m->room.n)
            break;
        r = find_room_locked(s, m->room);
        if (m->event == MEMBER_JOIN) {
            if (r && r->rejoin) {
                r->rejoin = 0;
                pass = 0;
            } else if (!r && s->nrooms < PCS_ROOMS_MAX && m->room.n <= PROTO_ROOM_MAX) {
                r = &s->rooms[s->nrooms++];
                memset(r, 0, sizeof *r);
                proto_str_copy(r->name, sizeof r->name, m->room);
            }
        } else if ((m->event == MEMBER_PART || m->event == MEMBER_KICK) && r) {
            /* Keep the joining order: it is the order rooms are shown and re-joined in. */
            memmove(r, r + 1, (size_t)(&s->rooms[s->nrooms] - (r + 1)) * sizeof *r);
            s->nrooms--;
        }
        break;
    default:
        break;
    }
    mutex_unlock(s->lock);
    return pass;
}

/* CONNECTED: one receive (waiting up to wait_ms), keep-alive and the quit grace. */
static void step_connected(pcs_session *s, uint32_t wait_ms)
{
    char why[TEXT_MAX];
    pcs_event ev, extra;
    proto_msg m;
    uint64_t now = sys_mono_ms();
    int rc, quitting;
    uint64_t quit_at;

    mutex_lock(s->lock);
    quitting = s->quit_req;
    quit_at = s->quit_at;
    mutex_unlock(s->lock);
    if (quitting && now - quit_at > QUIT_GRACE_MS) {
        finish(s, PC_QUIT, "quit");
        return;
    }
    if (quitting && wait_ms > QUIT_GRACE_MS - (now - quit_at))
        wait_ms = (uint32_t)(QUIT_GRACE_MS - (now - quit_at)) + 1;
    if (!quitting && s->ping_interval_ms != PCS_PING_OFF) {
        if (s->ping_token && now - s->ping_sent > s->ping_timeout_ms) {
            snprintf(why, sizeof why, "no answer from the server for %u seconds",
                     (unsigned)(s->ping_timeout_ms / 1000u));
            on_lost(s, PC_TIMEOUT, why);
            return;
        }
        if (!s->ping_token && now >= s->next_ping) {
            /* The top bit keeps our tokens apart from a user's pcs_ping tokens. */
            s->ping_token = (1ull << 63) | (uint64_t)next_random(s) << 16 | (now & 0xffff);
            s->ping_sent = now;
            s->next_ping = now + s->ping_interval_ms;
            pc_ping(s->conn, s->ping_token);
        }
        /* Wake for the next keep-alive step: the PING to send, or its deadline. */
        {
            uint64_t due = s->ping_token ? s->ping_sent + s->ping_timeout_ms + 1 : s->next_ping;
            if (due > now && wait_ms > due - now)
                wait_ms = (uint32_t)(due - now);
        }
    }
    rc = pc_recv(s->conn, &m, wait_ms);
    if (rc < 0) {
        int code = pc_error_code(s->conn);
        snprintf(why, sizeof why, "%s", pc_error(s->conn));
        on_lost(s, code != PC_OK ? code : PC_E_LOST, why[0] ? why : "connection lost");
        return;
    }
    if (rc == 0)
        return;
    if (passwd_step(s, &m))
        return;
    extra.kind = (pcs_event_kind)0;
    if (track(s, &m, &extra)) {
        event_init(&ev, PCS_EV_MESSAGE);
        ev.msg = &m;
        ev.room = "";
        emit(s, &ev);
    }
    if (extra.kind)
        emit(s, &extra);
}

int pcs_poll(pcs_session *s, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;

    for (;;) {
        uint64_t now = sys_mono_ms(), left = deadline > now ? deadline - now : 0;
        uint32_t wait = left < s->slice_ms ? (uint32_t)left : s->slice_ms;
        pcs_state st;
        int quitting, redial;

        mutex_lock(s->lock);
        st = s->state;
        quitting = s->quit_req;
        redial = s->redial_req;
        s->redial_req = 0;
        mutex_unlock(s->lock);
        if (st == PCS_ENDED)
            return 0;
        if (quitting && st != PCS_CONNECTED) {
            finish(s, PC_QUIT, "quit");
            return 0;
        }
        switch (st) {
        case PCS_IDLE:
            dial(s);
            break;
        case PCS_WAITING:
            if (redial || now >= s->wake_at) {
                dial(s);
            } else {
                uint64_t until = s->wake_at - now;
                if (until < wait)
                    wait = (uint32_t)until;
                if (wait)
                    sleep_ms(wait);
            }
            break;
        case PCS_CONNECTED:
            /* No slicing here: requests are sent by their callers, and a quit sends BYE at
             * once, which ends the wait when the server hangs up. */
            step_connected(s, left > UINT32_MAX ? UINT32_MAX : (uint32_t)left);
            break;
        default:
            break;
        }
        if (sys_mono_ms() >= deadline)
            return pcs_get_state(s) != PCS_ENDED;
    }
}

void pcs_run(pcs_session *s)
{
    while (pcs_poll(s, 1000))
        ;
}

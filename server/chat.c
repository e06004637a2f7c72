/* chat.c — the chat core's life cycle and the engine callbacks: accepting, the handshake,
 * decoding frames, dispatching them, limits, keepalive and graceful shutdown. */
#include "chat_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "server_setup.h"
#include "sys.h"
#include "utf8.h"

#define MILLI 1000u
#define ROOM_COUNTS_MS 5000u /* how often large rooms hear their member count */

/* ------------------------------------------------------------ life cycle */

/* The journal writer has results: have the engine call on_wake (any thread may). */
void chat_wake_core(void *user)
{
    chat *c = user;
    if (c->engine)
        net_engine_wake(c->engine);
}

/* From an engine thread, without the core lock (see on_seal in net.h). */
static int on_seal(void *user, void *ctx, uint8_t *frame, size_t plain_len, size_t extra)
{
    (void)user;
    return session_seal(ctx, frame, plain_len, extra);
}

static void on_wake(void *user)
{
    rooms_deliver(user);
    admin_deliver(user);
    privs_deliver(user);
    chat_alerts_deliver(user);
    chat_search_deliver(user);
    chat_alert_groups_deliver(user);
}

chat *chat_create(const server_config *cfg, char *err, size_t err_size)
{
    journal_recovery rec;
    chat *c = calloc(1, sizeof *c);

    if (!c) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    c->cfg = *cfg;
    strmap_init(&c->nicks);
    strmap_init(&c->rooms);
    strmap_init(&c->per_ip);
    buf_init(&c->scratch);
    buf_init(&c->entries);
    if (chat_reload_init(c) != 0) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    if (c->cfg.secret[0] == '\0') {
        snprintf(err, err_size, "no secret key configured");
        goto fail;
    }
    if (crypto_init() != CRYPTO_OK) {
        snprintf(err, err_size, "the crypto provider (%s) failed to start", crypto_backend_name());
        goto fail;
    }

    memset(&rec, 0, sizeof rec);
    c->hist = history_open(c->cfg.data_dir, c->cfg.history_per_room, c->cfg.fsync,
                           c->cfg.fsync_interval_ms, &rec, err, err_size);
    if (!c->hist)
        goto fail;
    /* From here on the journal is written on its own thread, never under the core lock. */
    if (history_start_writer(c->hist, chat_wake_core, c, c->cfg.fsync_interval_ms, err,
                             err_size) != 0)
        goto fail;
    /* Searches run on a thread of their own too, over an index of what the history keeps. */
    if (chat_search_open(c, chat_wake_core, err, err_size) != 0)
        goto fail;
    if (rec.cut_bytes)
        log_warn("history journal: cut %llu bytes at its end (%s)%s; %llu records kept",
                 (unsigned long long)rec.cut_bytes, rec.reason,
                 rec.saved_corrupt ? ", saved beside it as .corrupt" : "",
                 (unsigned long long)rec.records);
    memset(&rec, 0, sizeof rec);
    c->bans = bans_open(c->cfg.data_dir, sys_wall_ms(), &rec, err, err_size);
    if (!c->bans)
        goto fail;
    /* Ban changes too are written on a thread of their own, never under the core lock. */
    if (bans_start_writer(c->bans, chat_wake_core, c, err, err_size) != 0)
        goto fail;
    if (rec.cut_bytes)
        log_warn("bans journal: cut %llu bytes at its end (%s)", (unsigned long long)rec.cut_bytes,
                 rec.reason);
    if (accounts_open(c, err, err_size) != 0 || signon_open(c, err, err_size) != 0)
        goto fail;
    if (privs_open(c, err, err_size) != 0)
        goto fail;
    if (chat_alerts_open(c, chat_wake_core, err, err_size) != 0)
        goto fail;
    /* Windows group lookups (group:NAME alert recipients) run off the core as well. */
    if (chat_alert_groups_open(c, chat_wake_core) != 0) {
        text_printf(err, err_size, "out of memory");
        goto fail;
    }

    /* The slow half of the key schedule, once for the server's life. */
    c->hs_cfg.secret = (const uint8_t *)c->cfg.secret;
    c->hs_cfg.secret_len = strlen(c->cfg.secret);
    c->hs_cfg.iterations = c->cfg.iterations;
    memcpy(c->hs_cfg.allowed, c->cfg.ciphers, c->cfg.nciphers);
    c->hs_cfg.nallowed = c->cfg.nciphers;
    c->hs_cfg.server_name = c->cfg.name;
    c->hs_cfg.forward_secrecy = c->cfg.forward_secrecy;
    if (c->cfg.next_secret[0]) {
        /* Key rotation: the next key's master too, the same once-per-start cost. */
        c->hs_cfg.next_secret = (const uint8_t *)c->cfg.next_secret;
        c->hs_cfg.next_secret_len = strlen(c->cfg.next_secret);
    }
    if (c->cfg.forward_secrecy == HS_FS_REQUIRED && !crypto_ecdh_available()) {
        snprintf(err, err_size,
                 "forward_secrecy = required, but this system's crypto (%s) cannot carry out the "
                 "ECDH P-256 exchange; set forward_secrecy = preferred or run on a system that can",
                 crypto_backend_name());
        goto fail;
    }
    if (c->cfg.forward_secrecy != HS_FS_OFF && !crypto_ecdh_available())
        log_warn("forward secrecy: this system's crypto (%s) cannot carry out the ECDH P-256 "
                 "exchange; sessions use keys from the network key alone",
                 crypto_backend_name());
    if (server_salt(&c->cfg, c->hs_cfg.salt, err, err_size) != 0)
        goto fail;
    if (hs_master(c->hs_cfg.secret, c->hs_cfg.secret_len, c->hs_cfg.salt, c->hs_cfg.iterations,
                  c->hs_cfg.master) != PROTO_OK ||
        (c->hs_cfg.next_secret &&
         hs_master(c->hs_cfg.next_secret, c->hs_cfg.next_secret_len, c->hs_cfg.salt,
                   c->hs_cfg.iterations, c->hs_cfg.next_master) != PROTO_OK)) {
        snprintf(err, err_size, "key derivation failed");
        goto fail;
    }
    if (c->hs_cfg.next_secret)
        log_warn("key rotation: the next network key is accepted alongside the current one; "
                 "finish the rotation once every client has it (docs/ADMIN.md)");
    log_info("history: %zu messages retained, next id %llu", history_retained(c->hist),
             (unsigned long long)history_next_id(c->hist));
    return c;

fail:
    chat_destroy(c);
    return NULL;
}

void chat_attach(chat *c, net_engine *e)
{
    c->engine = e;
}

static void session_free(session *s);

void chat_destroy(chat *c)
{
    session *s;
    if (!c)
        return;
    /* Normally the engine has closed every connection by now; any left are only freed, with
     * nothing sent on connections that no longer exist. */
    for (s = c->sessions; s; s = s->next)
        s->state = SESSION_CLOSING;
    while (c->sessions)
        session_free(c->sessions);
    chat_search_close(c);
    chat_alert_groups_close(c);
    rooms_free_all(c);
    strmap_free(&c->nicks);
    strmap_free(&c->rooms);
    limits_free(c);
    history_close(c->hist);
    bans_close(c->bans);
    privs_close(c);
    accounts_close(c);
    signon_close(c);
    chat_alerts_close(c);
    buf_free(&c->scratch);
    buf_free(&c->entries);
    chat_reload_free(c);
    crypto_wipe(&c->hs_cfg, sizeof c->hs_cfg);
    crypto_wipe(c->cfg.secret, sizeof c->cfg.secret);
    crypto_wipe(c->cfg.next_secret, sizeof c->cfg.next_secret);
    crypto_wipe(c->cfg.oper_password, sizeof c->cfg.oper_password);
    free(c);
}

size_t chat_session_count(const chat *c)
{
    return c->nsessions;
}

size_t chat_keys_rested(const chat *c)
{
    return c->keys_rested;
}

/* Counts a tick in which s's keys were not used, and puts its AES-GCM keys to rest after
 * KEY_REST_TICKS of them. Not while anything is queued: the engine may be sealing a frame with
 * s->tx on another thread at this moment (session_seal), and would need the key anyway. */
static void keys_tick(chat *c, session *s)
{
    if (s->key_idle == KEY_RESTING)
        return;
    if (net_queued(s->conn) > 0)
        return;
    if (s->key_idle < KEY_REST_TICKS) {
        s->key_idle++;
        return;
    }
    if (s->tx.gcm || s->rx.gcm) {
        cipher_state_rest(&s->tx);
        cipher_state_rest(&s->rx);
        s->key_idle = KEY_RESTING;
        c->keys_rested++;
    }
}

/* ------------------------------------------------------------ sessions */

/* Releases a session's memory; the engine has already forgotten its connection. */
static void session_free(session *s)
{
    chat *c = s->srv;
    nick_release(c, s);
    if (s->writes_pending)
        privs_session_free(s); /* its private messages are still delivered */
    if (s->writes_pending) {
        history_disown(c->hist, s); /* its messages are still delivered, to the room */
        bans_disown(c->bans, s);    /* and its ban changes still take effect */
    }
    accounts_session_free(s);
    accounts_live_free(s);
    signon_session_free(s);
    alerts_session_free(s);
    chat_search_session_free(s);
    chat_alert_groups_session_free(s);
    if (s->nrooms)
        rooms_leave_all(s, MEMBER_QUIT, s->quit_reason[0] ? s->quit_reason : "disconnected");
    limits_disconnect(c, s->addr);
    if (s->prev)
        s->prev->next = s->next;
    else
        c->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    c->nsessions--;
    if (s->hs) {
        hs_server_free(s->hs);
        free(s->hs);
    }
    cipher_state_free(&s->tx);
    cipher_state_free(&s->rx);
    proto_reader_free(&s->reader);
    free(s->rooms);
    free(s->away);
    free(s);
}

static void *on_accept(void *user, net_conn *conn, const char *addr)
{
    chat *c = user;
    session *s;
    buf refusal;
    ban_info ban;
    const char *why = NULL;
    uint16_t code = PC_OK;
    char text[PROTO_NAME_MAX + 1];

    if (c->stopping) {
        code = PC_SHUTDOWN;
        why = "the server is shutting down";
    } else if (c->nsessions >= c->cfg.max_connections) {
        code = PC_SERVER_FULL;
        why = "the server is full";
    } else if (bans_check(c->bans, NULL, addr, sys_wall_ms(), &ban)) {
        code = PC_BANNED;
        text_printf(text, sizeof text, "your address is banned%s%s", ban.reason[0] ? ": " : "",
                 ban.reason);
        why = text;
    } else if ((why = limits_connect(c, addr, sys_mono_ms())) != NULL) {
        code = PC_SERVER_FULL;
    }
    if (why) {
        /* Still a clear answer: a plain ERROR the client can read before any handshake. */
        buf_init(&refusal);
        if (hs_plain_error(code, why, &refusal) == PROTO_OK)
            net_send(conn, refusal.data, refusal.len); /* the engine sends it, then closes */
        buf_free(&refusal);
        log_info("refused %s: %s", addr, why);
        return NULL;
    }

    s = calloc(1, sizeof *s);
    s->hs = s ? malloc(sizeof *s->hs) : NULL;
    if (!s || !s->hs) {
        free(s);
        limits_disconnect(c, addr);
        log_error("out of memory accepting %s", addr);
        return NULL;
    }
    hs_server_init(s->hs);
    s->srv = c;
    s->conn = conn;
    s->state = SESSION_HANDSHAKE;
    snprintf(s->addr, sizeof s->addr, "%s", addr);
    proto_reader_init(&s->reader, c->cfg.max_frame);
    s->connected_ms = s->last_rx_ms = s->refill_ms = sys_mono_ms();
    s->tokens = (uint64_t)c->cfg.rate_burst * MILLI;
    s->next = c->sessions;
    if (c->sessions)
        c->sessions->prev = s;
    c->sessions = s;
    c->nsessions++;
    log_debug("connection from %s", addr);
    return s;
}

static void on_close(void *user, void *ctx, const char *why)
{
    session *s = ctx;
    (void)user;
    if (!s->quit_reason[0] && why) /* no BYE either way: say how the connection ended */
        text_printf(s->quit_reason, sizeof s->quit_reason, "connection lost: %s", why);
    if (s->state == SESSION_ACTIVE)
        log_info("%s (%s) disconnected: %s", s->nick, s->addr, why);
    else
        log_debug("connection from %s ended: %s", s->addr, why);
    session_free(s);
}

/* ------------------------------------------------------------ handshake */

/* Sends the plain reply a handshake produced and, on failure, ends the connection. */
static void flush_plain(session *s, buf *out)
{
    if (out->len)
        net_send(s->conn, out->data, out->len);
}

static void refuse_login(session *s, uint16_t code, const char *text, buf *out)
{
    hs_plain_error(code, text, out);
    flush_plain(s, out);
    s->state = SESSION_CLOSING;
    net_close(s->conn, 1);
}

void session_refuse(session *s, uint16_t code, const char *text)
{
    buf *out = &s->srv->scratch;
    buf_reset(out);
    refuse_login(s, code, text, out);
}

void session_welcome(session *s, const proto_msg *proof)
{
    chat *c = s->srv;
    char nick[PROTO_NICK_MAX + 1];
    ban_info ban;
    char text[PROTO_NAME_MAX + 1], why[160];
    buf *out = &c->scratch;

    buf_reset(out);
    if (c->users && !s->login_ok) { /* the password (chat_accounts.c) or Windows sign-on */
        if (c->cfg.auth == AUTH_WINDOWS)
            signon_begin(s);
        else
            accounts_begin(s, proof);
        return;
    }
    if (nick_prepare(proof->nick.p, proof->nick.n, nick, why, sizeof why) != 0) {
        text_printf(text, sizeof text, "that nickname is not allowed: %s", why);
        refuse_login(s, PC_BAD_NICK, text, out);
        return;
    }
    if (bans_check(c->bans, nick, s->addr, sys_wall_ms(), &ban)) {
        text_printf(text, sizeof text, "you are banned%s%s", ban.reason[0] ? ": " : "", ban.reason);
        refuse_login(s, PC_BANNED, text, out);
        log_info("refused banned %s from %s", nick, s->addr);
        return;
    }
    /* With accounts, another login of the same account is one more session of it. */
    if (!c->users && nick_find(c, nick)) {
        refuse_login(s, PC_NICK_TAKEN, "that nickname is taken", out);
        return;
    }
    if (nick_claim(c, nick, s) != 0) {
        refuse_login(s, PC_INTERNAL, "out of memory", out);
        return;
    }
    memcpy(s->nick, nick, sizeof nick);
    if (hs_server_welcome(s->hs, nick, c->cfg.max_frame, c->cfg.motd, out) != PROTO_OK) {
        log_error("could not encode the welcome for %s", nick);
        s->state = SESSION_CLOSING;
        net_close(s->conn, 0);
        return;
    }
    /* The handshake's ciphers become the session's; its remaining state goes. */
    s->tx = s->hs->tx;
    s->rx = s->hs->rx;
    cipher_state_plain(&s->hs->tx);
    cipher_state_plain(&s->hs->rx);
    hs_server_free(s->hs);
    free(s->hs);
    s->hs = NULL;
    net_send(s->conn, out->data, out->len);
    s->state = SESSION_ACTIVE;
    log_info("%s connected from %s (%s)", nick, s->addr, cipher_name(s->tx.id));
    alerts_on_welcome(s);
    if (c->cfg.auto_join[0] && !s->alert_only) /* an alert account sits in no room */
        rooms_join(s, c->cfg.auto_join);
}

static void on_handshake_frame(session *s, proto_frame *f)
{
    chat *c = s->srv;
    proto_msg m;
    buf *out = &c->scratch;
    hs_result r;

    if (s->login) {
        accounts_on_frame(s, f);
        return;
    }
    if (s->signon) {
        signon_on_frame(s, f);
        return;
    }
    buf_reset(out);
    r = hs_server_on_frame(s->hs, &c->hs_cfg, f, &m, out);
    if (r == HS_FAILED) {
        flush_plain(s, out);
        log_info("handshake with %s failed: %s", s->addr, s->hs->reason);
        s->state = SESSION_CLOSING;
        net_close(s->conn, 1);
        return;
    }
    if (r == HS_CONTINUE) {
        flush_plain(s, out);
        return;
    }
    session_welcome(s, &m);
}

/* ------------------------------------------------------------ limits */

/* Milliseconds from then to now, 0 if then is later: the engine's tick time can be a little
 * older than a stamp taken while handling the same batch of events. */
static uint64_t since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

/* Token bucket: rate_per_sec frames a second, bursts of rate_burst. Returns 1 if the frame may
 * be handled. */
static int rate_allow(session *s, uint64_t now)
{
    chat *c = s->srv;
    uint64_t cap = (uint64_t)c->cfg.rate_burst * MILLI;
    uint64_t elapsed = since(now, s->refill_ms);

    s->tokens += elapsed * c->cfg.rate_per_sec; /* thousandths of a frame per ms */
    s->refill_ms = now;
    if (s->tokens >= cap) {
        s->tokens = cap;
        s->dropped = 0;
    }
    if (s->tokens >= MILLI) {
        s->tokens -= MILLI;
        return 1;
    }
    s->dropped++;
    return 0;
}

/* The tag an answer to this request carries: requests that have one (SAY, PRIV, ALERT,
 * SEARCH) get it back in their ERROR; others carry 0. */
static uint32_t request_tag(const proto_msg *m)
{
    return m->type == PT_SAY || m->type == PT_PRIV || m->type == PT_ALERT ||
                   m->type == PT_SEARCH
               ? m->tag
               : 0;
}

/* Every refused request is answered (with its tag), so a client knows which message was not
 * sent. Only sustained flooding ends the connection: more than 4 x burst + 16 requests
 * refused since the client last let its allowance fill up (176 with the defaults). */
static void rate_refuse(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    if (s->dropped > 4 * c->cfg.rate_burst + 16) {
        log_warn("%s (%s) disconnected: flooding (%u requests refused, limit %u a second)",
                 s->nick, s->addr, (unsigned)s->dropped, (unsigned)c->cfg.rate_per_sec);
        session_bye(s, PC_FLOODING, "flooding: requests kept coming far past the rate limit");
        return;
    }
    s->req_tag = request_tag(m);
    session_error(s, PC_RATE_LIMITED, "slow down: at most %u requests a second; this one was "
                  "not carried out", (unsigned)c->cfg.rate_per_sec);
    s->req_tag = 0;
}

/* ------------------------------------------------------------ dispatch */

static void on_message(session *s, const proto_msg *m)
{
    proto_msg reply;

    if (s->alert_only && !alerts_only_allows(m->type)) {
        session_error(s, PC_ALERT_ONLY, "this account may send alerts and nothing else");
        return;
    }
    switch (m->type) {
    case PT_ALERT:
        alerts_on_alert(s, m);
        break;
    case PT_ACK:
        alerts_on_ack(s, m);
        break;
    case PT_ROLL:
        alerts_on_roll(s, m);
        break;
    case PT_JOIN:
        rooms_on_join(s, m);
        break;
    case PT_PART:
        rooms_on_part(s, m);
        break;
    case PT_ROOMS:
        rooms_on_list(s);
        break;
    case PT_TOPIC:
        rooms_on_topic(s, m);
        break;
    case PT_SAY:
        rooms_on_say(s, m);
        break;
    case PT_PRIV:
        users_on_priv(s, m);
        break;
    case PT_USERS:
        rooms_on_users(s, m);
        break;
    case PT_AWAY:
        users_on_away(s, m);
        break;
    case PT_NICK:
        users_on_nick(s, m);
        break;
    case PT_ACCOUNT:
        accounts_on_admin(s, m);
        break;
    case PT_ACCOUNT_ADD:
        accounts_on_add(s, m);
        break;
    case PT_ACCOUNT_PASSWD:
        accounts_on_set_verifier(s, m);
        break;
    case PT_PASSWORD:
        accounts_on_password(s, m);
        break;
    case PT_ACCOUNTS:
        accounts_on_list(s);
        break;
    case PT_HISTORY:
        rooms_on_history(s, m);
        break;
    case PT_PRIV_SYNC:
        privs_on_sync(s, m);
        break;
    case PT_READ:
        privs_on_read(s, m);
        break;
    case PT_PRIV_PREFS:
        privs_on_prefs(s, m);
        break;
    case PT_SEARCH:
        search_on_request(s, m);
        break;
    case PT_PING:
        memset(&reply, 0, sizeof reply);
        reply.type = PT_PONG;
        reply.token = m->token;
        session_send(s, &reply);
        break;
    case PT_PONG:
        break; /* any frame counts as life; see last_rx_ms */
    case PT_BYE:
        log_debug("%s said goodbye", s->nick);
        /* Room mates see the client's own reason in MEMBER QUIT. */
        if (m->text.n)
            proto_str_copy(s->quit_reason, sizeof s->quit_reason, m->text);
        else
            snprintf(s->quit_reason, sizeof s->quit_reason, "quit");
        s->state = SESSION_CLOSING;
        net_close(s->conn, 1);
        break;
    case PT_OPER:
        admin_on_oper(s, m);
        break;
    case PT_KICK:
        admin_on_kick(s, m);
        break;
    case PT_BAN:
        admin_on_ban(s, m);
        break;
    case PT_UNBAN:
        admin_on_unban(s, m);
        break;
    case PT_WALL:
        admin_on_wall(s, m);
        break;
    case PT_SHUTDOWN:
        admin_on_shutdown(s, m);
        break;
    default: {
        char why[80];
        snprintf(why, sizeof why, "%s is not something a client sends",
                 proto_type_name(m->type));
        session_bye(s, PC_PROTOCOL, why);
        break;
    }
    }
}

static void on_frame(session *s, proto_frame *f, uint64_t now)
{
    proto_msg m;
    int rc;
    char why[160];

    s->last_rx_ms = now;
    s->ping_sent_ms = 0;
    if (s->state == SESSION_HANDSHAKE) {
        on_handshake_frame(s, f);
        return;
    }
    s->key_idle = 0;
    rc = cipher_decode(&s->rx, f, &m);
    if (rc != PROTO_OK) {
        snprintf(why, sizeof why, "bad %s frame: %s", proto_type_name(f->type),
                 cipher_status_text(rc));
        log_warn("%s (%s) disconnected: %s", s->nick, s->addr, why);
        session_bye(s, rc == CIPHER_E_AUTH ? PC_DECRYPT : PC_BAD_FRAME, why);
        return;
    }
    /* PING too: answering one costs a decrypt and an encrypt like any request. */
    if (m.type != PT_PONG && !rate_allow(s, now)) {
        rate_refuse(s, &m);
        return;
    }
    s->req_tag = request_tag(&m);
    on_message(s, &m);
    s->req_tag = 0;
}

/* Bytes a client may send while its requests wait behind its own journal writes. */
#define WAITING_INPUT_MAX (1u << 20)

/* While a session's SAYs are being written, more SAYs may follow them into the journal (their
 * echoes keep their order), but any other request waits until the writes are done, so that
 * it sees their effect: a HISTORY finds them, a PART comes after their echoes. */
static int may_go_on(const session *s)
{
    const proto_reader *r = &s->reader;

    if (!s->writes_pending)
        return 1;
    /* The type of the next frame, if its header is here (the 6th byte). */
    return r->len - r->start >= PROTO_HEADER_SIZE && r->data[r->start + 5] == PT_SAY;
}

/* Handles the session's buffered frames in order, as far as may_go_on allows; the rest wait
 * for session_resume. */
static void session_process(session *s, int fed_ok)
{
    proto_frame f;
    uint64_t now = sys_mono_ms();
    int rc = 0;
    uint16_t code;
    char why[160];

    if (!fed_ok)
        goto bad;
    while (s->state != SESSION_CLOSING && may_go_on(s) &&
           (rc = proto_reader_next(&s->reader, &f)) == 1)
        on_frame(s, &f, now);
    if (s->state == SESSION_CLOSING || rc == 0)
        return;
    if (s->writes_pending) {
        if (s->reader.len - s->reader.start > WAITING_INPUT_MAX) {
            log_warn("%s (%s) disconnected: over %u bytes sent while its messages were being "
                     "written", s->nick, s->addr, WAITING_INPUT_MAX);
            session_bye(s, PC_FLOODING, "flooding: too much sent while the server was writing");
        }
        return;
    }
bad:
    /* The limit is worth naming only when the frame was too big. */
    if (s->reader.error == PROTO_E_TOO_BIG)
        snprintf(why, sizeof why, "bad frame: %s (limit %u bytes)",
                 proto_status_text(s->reader.error), (unsigned)s->srv->cfg.max_frame);
    else
        snprintf(why, sizeof why, "bad frame: %s", proto_status_text(s->reader.error));
    code = s->reader.error == PROTO_E_VERSION ? PC_BAD_VERSION : PC_BAD_FRAME;
    log_warn("connection from %s (%s) closed: %s", s->addr, s->nick[0] ? s->nick : "-", why);
    if (s->state == SESSION_HANDSHAKE) {
        buf_reset(&s->srv->scratch);
        refuse_login(s, code, why, &s->srv->scratch);
    } else {
        session_bye(s, code, why);
    }
}

static void on_data(void *user, void *ctx, const uint8_t *data, size_t n)
{
    session *s = ctx;

    (void)user;
    if (s->state == SESSION_CLOSING)
        return;
    session_process(s, proto_reader_feed(&s->reader, data, n) == PROTO_OK);
}

void session_resume(session *s)
{
    if (s->state != SESSION_CLOSING)
        session_process(s, 1);
}

/* ------------------------------------------------------------ timers and shutdown */

/* Once a second: the global history byte budget; once a minute (or each expire_after, if
 * shorter): expiry of the history of rooms nobody is in. What was dropped reaches the disk
 * through a compaction. */
static void history_limits(chat *c, uint64_t now)
{
    char err[256];
    size_t dropped = history_enforce_budget(c->hist, c->cfg.history_max_bytes);
    uint64_t wall = sys_wall_ms();

    uint64_t every = c->cfg.expire_after_ms < 60000 ? c->cfg.expire_after_ms : 60000;

    if (c->cfg.expire_after_ms && wall > c->cfg.expire_after_ms &&
        (c->last_expiry_tick == 0 || since(now, c->last_expiry_tick) >= every)) {
        c->last_expiry_tick = now;
        dropped += history_expire(c->hist, wall - c->cfg.expire_after_ms, rooms_in_use, c);
    }
    if (!dropped)
        return;
    if (history_compact(c->hist, err, sizeof err) != 0)
        log_error("history journal: compaction after dropping history failed: %s", err);
    rooms_release_unused(c);
}

static void on_tick(void *user, uint64_t now)
{
    chat *c = user;
    session *s, *next;
    char err[256];

    chat_apply_reload(c);
    for (s = c->sessions; s; s = next) {
        next = s->next;
        if (s->state == SESSION_CLOSING)
            continue;
        if (s->state == SESSION_HANDSHAKE) {
            if (since(now, s->connected_ms) > c->cfg.handshake_timeout_ms) {
                log_info("handshake with %s timed out", s->addr);
                buf_reset(&c->scratch);
                refuse_login(s, PC_TIMEOUT, "handshake timed out", &c->scratch);
            }
            continue;
        }
        if (s->ping_sent_ms) {
            if (since(now, s->ping_sent_ms) > c->cfg.ping_timeout_ms) {
                log_info("%s (%s) disconnected: no answer to keepalive", s->nick, s->addr);
                session_bye(s, PC_TIMEOUT, "no answer to keepalive ping");
            }
        } else if (since(now, s->last_rx_ms) > c->cfg.idle_timeout_ms) {
            proto_msg ping;
            memset(&ping, 0, sizeof ping);
            ping.type = PT_PING;
            ping.token = now;
            s->ping_sent_ms = now;
            session_send(s, &ping);
        }
        if (s->state == SESSION_ACTIVE)
            keys_tick(c, s);
    }
    limits_tick(c, now);
    if (since(now, c->last_counts_tick) >= ROOM_COUNTS_MS) {
        c->last_counts_tick = now;
        rooms_tell_counts(c);
    }
    if (since(now, c->last_history_tick) >= 1000) {
        c->last_history_tick = now;
        history_limits(c, now);
        if (history_tick(c->hist, now, err, sizeof err) != 0)
            log_error("history journal: %s", err);
        bans_expire(c->bans, sys_wall_ms());
        privs_tick(c, now);
        chat_alerts_tick(c, now);
    }
}

static void on_stop(void *user)
{
    chat *c = user;
    session *s, *next;
    const char *reason = c->stop_reason[0] ? c->stop_reason : "the server is shutting down";

    if (c->stopping)
        return;
    c->stopping = 1;
    log_info("shutting down: %s; saying goodbye to %zu connections", reason, c->nsessions);
    for (s = c->sessions; s; s = next) {
        next = s->next;
        if (s->state == SESSION_ACTIVE)
            session_bye(s, PC_SHUTDOWN, reason);
        else if (s->state == SESSION_HANDSHAKE) {
            buf_reset(&c->scratch);
            refuse_login(s, PC_SHUTDOWN, reason, &c->scratch);
        }
    }
    net_engine_finish(c->engine, (uint32_t)c->cfg.shutdown_deadline_ms);
}

void chat_handlers(chat *c, net_handlers *h)
{
    memset(h, 0, sizeof *h);
    h->user = c;
    h->on_accept = on_accept;
    h->on_data = on_data;
    h->on_close = on_close;
    h->on_tick = on_tick;
    h->on_stop = on_stop;
    h->on_wake = on_wake;
    h->on_seal = on_seal;
}

/* chat_private.c — private conversations with accounts: PRIV stored in the mailbox (written
 * off the core lock) and delivered to every session of both parties, catch-up (PRIV_SYNC),
 * delivery and read receipts, the receipt setting, mailbox cap and expiry. */
#include "chat_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "mailbox.h"
#include "names.h"
#include "sys.h"

#define SYNC_MAX 1000u      /* messages one PRIV_SYNC replays (besides waiting ones) */
#define EXPIRY_EVERY_MS 60000u

/* Names the mailbox keeps that belong to no current account (collected, then forgotten). */
typedef struct stale_ctx {
    const users *u;
    char **names;
    size_t n, cap;
    int failed;
} stale_ctx;

/* mailbox_account_fn: a name with no account is stale (deleted while the server was stopped
 * without its messages: `--user delete` drops them itself, but a failure there or a store
 * edited otherwise leaves them). Account ages are not compared with message times: a clock
 * put right after an account was made would then lose that account's conversations. */
static int note_stale(void *user, const char *account, uint64_t newest_ms)
{
    stale_ctx *x = user;
    char *copy, **grown;

    (void)newest_ms;
    if (users_find(x->u, account, NULL))
        return 0;
    if (x->n == x->cap) {
        size_t want = x->cap ? x->cap * 2 : 8;
        grown = realloc(x->names, want * sizeof *grown);
        if (!grown)
            goto fail;
        x->names = grown;
        x->cap = want;
    }
    copy = malloc(strlen(account) + 1);
    if (!copy)
        goto fail;
    memcpy(copy, account, strlen(account) + 1);
    x->names[x->n++] = copy;
    return 0;
fail:
    x->failed = 1;
    return 1;
}

/* Accounts deleted while the server was stopped (parley-server --user delete, perhaps added
 * again since): their stored conversations go, so a new account of the same name never sees
 * them. Before the search thread is fed, so nothing of them is indexed. */
static int forget_stale(chat *c, char *err, size_t err_size)
{
    stale_ctx x;
    size_t i;
    int rc = 0;

    memset(&x, 0, sizeof x);
    x.u = c->users;
    mailbox_accounts(c->mail, note_stale, &x);
    if (x.failed) {
        snprintf(err, err_size, "private messages: out of memory checking accounts");
        rc = -1;
    }
    for (i = 0; i < x.n; i++) {
        if (rc == 0 && mailbox_forget(c->mail, x.names[i], err, err_size) != 0)
            rc = -1;
        else if (rc == 0)
            log_info("private messages: forgot the conversations of %s (its account is gone)",
                     x.names[i]);
        free(x.names[i]);
    }
    free(x.names);
    return rc;
}

void privs_forget(chat *c, const char *login)
{
    char err[256];
    if (!c->mail)
        return;
    chat_search_forget_private(c, login); /* while the mailbox still lists the conversations */
    if (mailbox_forget(c->mail, login, err, sizeof err) != 0)
        log_error("account %s deleted, but its private messages are kept: %s", login, err);
}

/* The mailbox has results: the same wake as the history's (chat.c on_wake). */
int privs_open(chat *c, char *err, size_t err_size)
{
    journal_recovery rec;

    if (!c->users)
        return 0; /* key mode: private messages are live only, as they always were */
    memset(&rec, 0, sizeof rec);
    c->mail = mailbox_open(c->cfg.data_dir, c->cfg.fsync, c->cfg.fsync_interval_ms, &rec, err,
                           err_size);
    if (!c->mail)
        return -1;
    if (rec.cut_bytes)
        log_warn("private messages journal: cut %llu bytes at its end (%s)%s; %llu records kept",
                 (unsigned long long)rec.cut_bytes, rec.reason,
                 rec.saved_corrupt ? ", saved beside it as .corrupt" : "",
                 (unsigned long long)rec.records);
    if (forget_stale(c, err, err_size) != 0)
        return -1;
    if (mailbox_start_writer(c->mail, chat_wake_core, c, c->cfg.fsync_interval_ms, err,
                             err_size) != 0)
        return -1;
    log_info("private messages: %zu stored", mailbox_count(c->mail));
    chat_search_feed_private(c); /* indexed on the search thread, while the server starts */
    return 0;
}

void privs_close(chat *c)
{
    mailbox_close(c->mail);
    c->mail = NULL;
}

void privs_session_free(session *s)
{
    if (s->srv->mail)
        mailbox_disown(s->srv->mail, s);
}

/* The account's canonical login for a name typed in any case or normalisation: 0, or -1 after
 * answering the request with NO_SUCH_USER. */
static int account_of(session *s, proto_str name, char login[PROTO_NICK_MAX + 1])
{
    char typed[PROTO_NICK_MAX + 1];
    user_info info;
    int disabled;

    proto_str_copy(typed, sizeof typed, name);
    if (!users_find(s->srv->users, typed, &info)) {
        session_error(s, PC_NO_SUCH_USER, "no account called %s", typed);
        return -1;
    }
    snprintf(login, PROTO_NICK_MAX + 1, "%s", info.login);
    disabled = info.disabled;
    crypto_wipe(&info, sizeof info);
    if (disabled) {
        session_error(s, PC_NO_SUCH_USER, "the account %s is disabled", login);
        return -1;
    }
    return 0;
}

/* flags: what the delivery adds (HISTORY, OFFLINE); the message's own (ACTION) come from the
 * store, so a "/me" stays one whether it is delivered live, at login or replayed. */
static void priv_msg_of(proto_msg *out, const mailbox_msg *m, uint8_t flags, uint32_t tag)
{
    memset(out, 0, sizeof *out);
    out->type = PT_PRIV_MSG;
    out->id = m->id;
    out->time = m->time_ms;
    out->flags = (uint8_t)(flags | (m->flags & PROTO_FLAG_ACTION));
    out->tag = tag;
    out->nick = proto_s(m->from);
    out->target = proto_s(m->to);
    out->text.p = m->text;
    out->text.n = m->text_len;
}

/* A live private message: from now on PRIV_SYNC replays only what came before it. */
static void send_live(session *t, proto_msg *out, const session *owner, uint32_t tag)
{
    out->tag = t == owner ? tag : 0;
    if (!t->priv_live_from)
        t->priv_live_from = out->id;
    session_send(t, out);
}

static void send_delivered(chat *c, const char *sender, const char *recipient, uint64_t id)
{
    proto_msg d;
    memset(&d, 0, sizeof d);
    d.type = PT_DELIVERED;
    d.id = id;
    d.nick = proto_s(recipient);
    account_sessions_send(c, sender, &d);
}

static void send_read_mark(chat *c, const char *to, const char *reader, const char *peer,
                           uint64_t id)
{
    proto_msg r;
    memset(&r, 0, sizeof r);
    r.type = PT_READ_MARK;
    r.id = id;
    r.nick = proto_s(reader);
    r.target = proto_s(peer);
    account_sessions_send(c, to, &r);
}

/* Whether the peers of reader hear when it reads: the server's and reader's own setting. */
static int receipts_shared(const chat *c, const char *reader)
{
    return c->cfg.read_receipts && mailbox_receipts(c->mail, reader);
}

void privs_on_priv(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char to[PROTO_NICK_MAX + 1], err[256];
    uint64_t id;
    size_t waiting;

    if (m->text.n == 0) {
        session_error(s, PC_BAD_TEXT, "empty message");
        return;
    }
    if (account_of(s, m->target, to) != 0)
        return;
    waiting = mailbox_waiting(c->mail, to);
    if (!account_sessions_first(c, to) && waiting >= c->cfg.mailbox_cap) {
        session_error(s, PC_MAILBOX_FULL,
                      "not sent: %s is offline and already has %zu messages waiting, the "
                      "server's limit; try again once they have logged in", to, waiting);
        return;
    }
    if (history_take_id(c->hist, &id, err, sizeof err) != 0) {
        log_error("private message from %s not stored: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the server could not take your message");
        return;
    }
    /* Into the journal (on its writer thread) before anyone sees it: the sender's copy is the
     * acknowledgement that it is stored. Delivery happens in privs_deliver. */
    if (mailbox_submit(c->mail, id, sys_wall_ms(), (uint8_t)(m->flags & PROTO_FLAG_ACTION),
                       s->nick, to, m->text.p, m->text.n, m->tag, s, err, sizeof err) != 0) {
        log_error("private message from %s not stored: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the server could not take your message");
        return;
    }
    s->writes_pending++; /* its other requests wait for this write (may_go_on) */
}

/* The sender hears that the recipient is away (one of its sessions says so). */
static void note_away(chat *c, session *sender, const char *to)
{
    session *t;

    for (t = account_sessions_first(c, to); t; t = account_sessions_next(t))
        if (t->presence == PRESENCE_AWAY) {
            users_tell_away(sender, t);
            return;
        }
}

/* mailbox_done_fn: a private message is stored: every session of the recipient and of the
 * sender gets it; if any of the recipient's did, it is delivered. */
static void deliver_written(void *user, const mailbox_msg *m, uint32_t tag, void *owner,
                            int saved, const char *err)
{
    chat *c = user;
    session *sender = owner, *t;
    proto_msg out;
    size_t reached = 0;
    char why[256];

    if (m->forgotten)
        goto done; /* an account of it was deleted while it was written: it is gone */
    if (!saved)
        log_error("private message %llu kept in memory only: %s", (unsigned long long)m->id,
                  err);
    chat_search_add_private(c, m);
    priv_msg_of(&out, m, 0, 0);
    for (t = account_sessions_first(c, m->to); t; t = account_sessions_next(t)) {
        send_live(t, &out, sender, tag);
        reached++;
    }
    if (!names_equal_ci(m->from, m->to))
        for (t = account_sessions_first(c, m->from); t; t = account_sessions_next(t))
            send_live(t, &out, sender, tag);
    if (reached) {
        if (mailbox_set_delivered(c->mail, m->to, m->id, why, sizeof why) != 0)
            log_error("%s", why);
        send_delivered(c, m->from, m->to, m->id);
    }
done:
    if (sender) {
        note_away(c, sender, m->to);
        if (--sender->writes_pending == 0)
            session_resume(sender);
    }
}

void privs_deliver(chat *c)
{
    if (c->mail)
        mailbox_collect(c->mail, deliver_written, c);
}

/* UNDELIVERED for message id to `to`, which expired: to every session of the sender, or to
 * the one session s (at its login) when s is not NULL. */
static void send_undelivered(chat *c, const char *from, session *s, uint64_t id, const char *to)
{
    proto_msg out;
    char text[PROTO_NAME_MAX + 1];

    if (c->cfg.mailbox_expiry_ms < 60000u)
        text_printf(text, sizeof text, "not delivered: %s did not log in within %llu seconds",
                    to, (unsigned long long)(c->cfg.mailbox_expiry_ms / 1000u));
    else
        text_printf(text, sizeof text, "not delivered: %s did not log in within %llu minutes",
                    to, (unsigned long long)(c->cfg.mailbox_expiry_ms / 60000u));
    memset(&out, 0, sizeof out);
    out.type = PT_UNDELIVERED;
    out.id = id;
    out.code = PC_EXPIRED;
    out.target = proto_s(to);
    out.text = proto_s(text);
    if (s)
        session_send(s, &out);
    else
        account_sessions_send(c, from, &out);
}

/* mailbox_untold_fn: at the sender's login. */
static void tell_untold(void *user, uint64_t id, const char *to)
{
    session *s = user;
    send_undelivered(s->srv, s->nick, s, id, to);
}

/* ---- catch-up ---- */

typedef struct sync_ctx {
    session *s;
    uint32_t count;
    uint64_t newest_waiting;
    strmap senders;      /* sender of a waiting message -> (uint64_t *) its newest such id */
    int failed;
} sync_ctx;

static int sync_one(void *user, const mailbox_msg *m)
{
    sync_ctx *x = user;
    proto_msg out;
    int waiting = m->waiting && names_equal_ci(m->to, x->s->nick);

    priv_msg_of(&out, m, (uint8_t)(PROTO_FLAG_HISTORY | (waiting ? PROTO_FLAG_OFFLINE : 0)), 0);
    if (session_send(x->s, &out) != 0)
        return 1;
    x->count++;
    if (waiting) {
        uint64_t *last = strmap_get(&x->senders, m->from);
        x->newest_waiting = m->id;
        if (!last) {
            last = malloc(sizeof *last);
            if (!last || strmap_put(&x->senders, m->from, last) != 0) {
                free(last);
                x->failed = 1;
                return 0; /* delivered all the same; only its receipt is lost */
            }
        }
        *last = m->id;
    }
    return 0;
}

/* mailbox_peer_fn: the marks of one conversation, for the session catching up. */
static int sync_marks(void *user, const char *peer, uint64_t last_mine, uint64_t last_theirs)
{
    sync_ctx *x = user;
    session *s = x->s;
    chat *c = s->srv;
    uint64_t mine = mailbox_read(c->mail, s->nick, peer);
    uint64_t theirs = mailbox_read(c->mail, peer, s->nick);
    uint64_t delivered = mailbox_delivered(c->mail, peer);
    proto_msg r;

    (void)last_theirs;
    memset(&r, 0, sizeof r);
    if (mine) { /* read state is shared between an account's sessions */
        r.type = PT_READ_MARK;
        r.id = mine;
        r.nick = proto_s(s->nick);
        r.target = proto_s(peer);
        session_send(s, &r);
    }
    if (theirs && receipts_shared(c, peer) && !names_equal_ci(peer, s->nick)) {
        r.type = PT_READ_MARK;
        r.id = theirs;
        r.nick = proto_s(peer);
        r.target = proto_s(s->nick);
        session_send(s, &r);
    }
    if (last_mine && delivered) {
        r.type = PT_DELIVERED;
        r.id = delivered < last_mine ? delivered : last_mine;
        r.nick = proto_s(peer);
        r.target = proto_s("");
        session_send(s, &r);
    }
    return 0;
}

void privs_on_sync(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    sync_ctx x;
    proto_msg out;
    size_t pos = 0;
    const char *name;
    void *value;
    char err[256];

    memset(&out, 0, sizeof out);
    if (!c->mail) { /* key mode: nothing is stored */
        out.type = PT_PRIV_SYNC_END;
        session_send(s, &out);
        return;
    }
    memset(&x, 0, sizeof x);
    x.s = s;
    strmap_init(&x.senders);
    session_replay_begin(s);
    /* Only what was not already sent live to this session: no duplicates. */
    mailbox_range(c->mail, s->nick, m->after, s->priv_live_from,
                  m->count && m->count < SYNC_MAX ? m->count : SYNC_MAX, sync_one, &x);
    if (x.newest_waiting) {
        if (mailbox_set_delivered(c->mail, s->nick, x.newest_waiting, err, sizeof err) != 0)
            log_error("%s", err);
        while (strmap_next(&x.senders, &pos, &name, &value))
            send_delivered(c, name, s->nick, *(uint64_t *)value);
        log_info("%s got %u private messages stored while offline", s->nick, (unsigned)x.count);
    }
    pos = 0;
    while (strmap_next(&x.senders, &pos, &name, &value))
        free(value);
    strmap_free(&x.senders);
    if (x.failed)
        log_error("private messages: out of memory sending delivery receipts to senders");
    out.type = PT_PRIV_PREFS;
    out.flags = mailbox_receipts(c->mail, s->nick) ? 0 : PROTO_FLAG_NO_RECEIPTS;
    session_send(s, &out);
    mailbox_peers(c->mail, s->nick, sync_marks, &x);
    /* Messages of its that expired while no session of the account was logged in. */
    if (mailbox_take_untold(c->mail, s->nick, tell_untold, s, err, sizeof err) && err[0])
        log_error("%s", err);
    memset(&out, 0, sizeof out);
    out.type = PT_PRIV_SYNC_END;
    out.id = mailbox_last_id(c->mail, s->nick);
    out.count = x.count;
    session_send(s, &out);
    session_replay_end(s);
}

/* ---- receipts and settings ---- */

static int need_mail(session *s)
{
    if (s->srv->mail)
        return 1;
    session_error(s, PC_UNAVAILABLE,
                  "private conversations are stored only on servers with accounts");
    return 0;
}

void privs_on_read(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char peer[PROTO_NICK_MAX + 1], err[256];
    int rc;

    if (!need_mail(s) || account_of(s, m->target, peer) != 0)
        return;
    rc = mailbox_set_read(c->mail, s->nick, peer, m->id, err, sizeof err);
    if (rc < 0) {
        log_error("%s", err);
        session_error(s, PC_UNAVAILABLE, "the server could not record that");
        return;
    }
    if (rc == 0)
        return; /* not further than before: nothing changes */
    send_read_mark(c, s->nick, s->nick, peer, m->id);
    if (receipts_shared(c, s->nick) && !names_equal_ci(peer, s->nick))
        send_read_mark(c, peer, s->nick, peer, m->id);
}

void privs_on_prefs(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    proto_msg out;
    char err[256];
    int on = !(m->flags & PROTO_FLAG_NO_RECEIPTS);

    if (!need_mail(s))
        return;
    if (mailbox_set_receipts(c->mail, s->nick, on, err, sizeof err) != 0) {
        log_error("%s", err);
        session_error(s, PC_UNAVAILABLE, "the server could not record that");
        return;
    }
    memset(&out, 0, sizeof out);
    out.type = PT_PRIV_PREFS;
    out.flags = on ? 0 : PROTO_FLAG_NO_RECEIPTS;
    account_sessions_send(c, s->nick, &out); /* every session shows the same setting */
}

/* ---- limits ---- */

/* mailbox_msg_fn: a waiting message expired: its sender's sessions hear so, or, with none
 * logged in, the sender hears at its next login (kept in the mailbox until then). */
static int on_expired(void *user, const mailbox_msg *m)
{
    chat *c = user;
    char err[256];

    log_info("private message %llu from %s to %s expired undelivered",
             (unsigned long long)m->id, m->from, m->to);
    if (account_sessions_first(c, m->from)) {
        send_undelivered(c, m->from, NULL, m->id, m->to);
        return 0;
    }
    /* The mailbox's expiry loop is done with its encoder when it calls this (the drop record
     * is encoded after), so a record of our own fits in between. */
    if (mailbox_add_untold(c->mail, m->from, m->to, m->id, err, sizeof err) != 0)
        log_error("%s: %s will not hear that message %llu expired", err, m->from,
                  (unsigned long long)m->id);
    return 0;
}

void privs_tick(chat *c, uint64_t now)
{
    uint64_t wall = sys_wall_ms(), every;
    uint64_t expiry = c->cfg.mailbox_expiry_ms, keep = c->cfg.private_keep_ms;
    char err[256];
    size_t dropped;

    if (!c->mail)
        return;
    every = expiry && expiry < EXPIRY_EVERY_MS ? expiry : EXPIRY_EVERY_MS;
    if (c->last_mail_expiry == 0 || now - c->last_mail_expiry >= every) {
        c->last_mail_expiry = now;
        mailbox_expire(c->mail, expiry && wall > expiry ? wall - expiry : 0,
                       keep && wall > keep ? wall - keep : 0, on_expired, c);
    }
    dropped = mailbox_enforce_budget(c->mail, c->cfg.private_max_bytes);
    if (dropped)
        log_info("private messages: over max_bytes (%llu): the oldest %zu delivered messages "
                 "were dropped", (unsigned long long)c->cfg.private_max_bytes, dropped);
    if (mailbox_tick(c->mail, now, err, sizeof err) != 0)
        log_error("private messages journal: %s", err);
}

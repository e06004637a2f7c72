/* chat_admin.c — operator commands: becoming an operator, kick, ban, unban, server-wide
 * notices and shutdown. */
#include "chat_internal.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "sys.h"

/* Compares passwords in time that depends on neither: both are first hashed to one size. */
static int password_matches(const char *expected, proto_str given)
{
    static const char key[] = "parley operator password";
    crypto_part a = {expected, strlen(expected)};
    crypto_part b = {given.p, given.n};
    uint8_t ha[CRYPTO_SHA256_SIZE], hb[CRYPTO_SHA256_SIZE];

    if (crypto_hmac_sha256(key, sizeof key - 1, &a, 1, ha) != CRYPTO_OK ||
        crypto_hmac_sha256(key, sizeof key - 1, &b, 1, hb) != CRYPTO_OK)
        return 0;
    return crypto_equal(ha, hb, sizeof ha);
}

static int require_oper(session *s)
{
    if (s->oper)
        return 1;
    session_error(s, PC_NOT_OPERATOR, "only server operators may do that");
    return 0;
}

void admin_on_oper(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    if (c->users) {
        session_error(s, PC_NOT_OPERATOR,
                      "with accounts, operator powers come from your account's role");
        return;
    }
    if (c->cfg.oper_password[0] == '\0') {
        session_error(s, PC_NOT_OPERATOR, "this server has no operators configured");
        return;
    }
    if (!password_matches(c->cfg.oper_password, m->text)) {
        log_warn("%s (%s) gave a wrong operator password", s->nick, s->addr);
        session_error(s, PC_BAD_PASSWORD, "wrong operator password");
        return;
    }
    s->oper = 1;
    s->alerter = 1; /* without accounts, operators send alerts */
    log_info("%s (%s) is now an operator", s->nick, s->addr);
    session_notice(s, "you are now a server operator");
}

/* Removes t from the server: one KICK per room it is in, naming it, to that room's members. */
static void kick_one(session *s, session *t, const char *reason)
{
    chat *c = s->srv;
    char text[PROTO_NAME_MAX + 1];
    proto_msg ev;
    size_t i;

    memset(&ev, 0, sizeof ev);
    ev.type = PT_MEMBER;
    ev.event = MEMBER_KICK;
    ev.nick = proto_s(t->nick);
    ev.target = proto_s(s->nick);
    ev.text = proto_s(reason);
    for (i = 0; i < t->nrooms; i++) {
        ev.room = proto_s(t->rooms[i]->name);
        room_fanout(c, t->rooms[i], &ev);
    }
    rooms_leave_all(t, 0, NULL);
    text_printf(text, sizeof text, "kicked by %s%s%s", s->nick, reason[0] ? ": " : "", reason);
    log_info("%s kicked %s (%s): %s", s->nick, t->nick, t->addr, reason);
    session_bye(t, PC_KICKED, text);
}

void admin_on_kick(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char nick[PROTO_NICK_MAX + 1], reason[PROTO_NAME_MAX + 1];
    session *t;

    if (!require_oper(s))
        return;
    proto_str_copy(nick, sizeof nick, m->nick);
    proto_str_copy(reason, sizeof reason, m->text);
    t = account_sessions_first(c, nick);
    if (!t) {
        session_error(s, PC_NO_SUCH_USER, "no user called %s is online", nick);
        return;
    }
    /* With accounts every session of the user goes. */
    while (t) {
        session *next = account_sessions_next(t);
        kick_one(s, t, reason);
        t = next;
    }
}

/* Addresses hold ':' (IPv6) or are digits and dots (IPv4), with an optional /prefix. */
static int looks_like_address(const char *t)
{
    if (strchr(t, ':'))
        return 1;
    for (; *t; t++)
        if (!((*t >= '0' && *t <= '9') || *t == '.' || *t == '/'))
            return 0;
    return 1;
}

void admin_on_ban(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char target[PROTO_NAME_MAX + 1], reason[PROTO_NAME_MAX + 1], err[256];
    uint64_t now = sys_wall_ms();
    uint64_t expires = m->duration ? now + (uint64_t)m->duration * 1000u : 0;

    if (!require_oper(s))
        return;
    proto_str_copy(target, sizeof target, m->target);
    proto_str_copy(reason, sizeof reason, m->text);
    /* Written (and synced) by the bans journal's writer thread, off the core lock; it takes
     * effect and is acknowledged in ban_written once it is on disk. */
    if (bans_submit_add(c->bans, looks_like_address(target) ? BAN_ADDR : BAN_NICK, target,
                        expires, reason, s->nick, now, s, err, sizeof err) != 0) {
        session_error(s, PC_NOT_FOUND, "cannot ban %s: %s", target, err);
        return;
    }
    s->writes_pending++; /* its other requests wait for this write (may_go_on) */
}

/* A new ban is on disk and in effect: whoever it matches is sent away. */
static void ban_in_effect(chat *c, const ban_view *b, session *by)
{
    char text[PROTO_NAME_MAX + 1];
    uint64_t now = sys_wall_ms();
    session *u, *next;

    log_info("%s banned %s %s for %s: %s", b->by, b->kind == BAN_ADDR ? "address" : "nick",
             b->target, b->expires_ms ? "a while" : "good", b->reason);
    text_printf(text, sizeof text, "banned by %s%s%s", b->by, b->reason[0] ? ": " : "",
                b->reason);
    for (u = c->sessions; u; u = next) {
        next = u->next;
        if (u->state != SESSION_ACTIVE || u == by)
            continue;
        if (bans_check(c->bans, u->nick, u->addr, now, NULL)) {
            rooms_leave_all(u, MEMBER_QUIT, text);
            session_bye(u, PC_BANNED, text);
        }
    }
}

/* bans_done_fn: a BAN or UNBAN is written (or could not be): in effect, then answered. */
static void ban_written(void *user, int removed, const ban_view *b, void *owner, int ok,
                        const char *err)
{
    chat *c = user;
    session *s = owner;
    char text[PROTO_NAME_MAX + 1];

    if (ok && !removed)
        ban_in_effect(c, b, s);
    else if (ok)
        log_info("%s lifted the ban on %s", s ? s->nick : "an operator who left", b->target);
    else
        log_error("bans journal: %s %s not saved: %s", removed ? "unban of" : "ban of",
                  b->target, err);
    if (!s)
        return;
    if (!ok && removed)
        session_error(s, PC_UNAVAILABLE, "cannot unban %s: %s", b->target, err);
    else if (!ok)
        session_error(s, PC_NOT_FOUND, "cannot ban %s: %s", b->target, err);
    else {
        text_printf(text, sizeof text, removed ? "%s is no longer banned" : "%s is banned",
                    b->target);
        session_notice(s, text);
    }
    if (--s->writes_pending == 0)
        session_resume(s); /* its requests that waited behind this one */
}

void admin_deliver(chat *c)
{
    bans_collect(c->bans, ban_written, c);
}

void admin_on_unban(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char target[PROTO_NAME_MAX + 1], err[256];
    int rc;

    if (!require_oper(s))
        return;
    proto_str_copy(target, sizeof target, m->target);
    rc = bans_submit_remove(c->bans, looks_like_address(target) ? BAN_ADDR : BAN_NICK, target, s,
                            err, sizeof err);
    if (rc < 0) {
        session_error(s, PC_UNAVAILABLE, "cannot unban %s: %s", target, err);
        return;
    }
    if (rc == 0) {
        session_error(s, PC_NOT_FOUND, "%s is not banned", target);
        return;
    }
    s->writes_pending++; /* answered in ban_written */
}

void admin_on_wall(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    proto_msg out;
    session *u;

    if (!require_oper(s))
        return;
    memset(&out, 0, sizeof out);
    out.type = PT_NOTICE;
    out.nick = proto_s(s->nick);
    out.text = m->text;
    for (u = c->sessions; u; u = u->next)
        session_send(u, &out);
}

void admin_on_shutdown(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char reason[PROTO_NAME_MAX + 1];

    if (!require_oper(s))
        return;
    proto_str_copy(reason, sizeof reason, m->text);
    snprintf(c->stop_reason, sizeof c->stop_reason, "%s", reason[0] ? reason : "shut down by an operator");
    log_info("%s (%s) shut the server down: %s", s->nick, s->addr, c->stop_reason);
    net_engine_stop(c->engine);
}

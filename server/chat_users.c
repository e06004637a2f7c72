/* chat_users.c — nicknames (validation, uniqueness, renaming), presence, private messages. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "sys.h"
#include "uname.h"

int nick_prepare(const char *nick, size_t n, char out[PROTO_NICK_MAX + 1], char *why,
                 size_t why_size)
{
    return uname_prepare(nick, n, UNAME_NICK, out, PROTO_NICK_MAX + 1, why, why_size);
}

int nick_key(const char *nick, char key[NICK_KEY_CAP])
{
    return uname_key(nick, strlen(nick), key, NICK_KEY_CAP);
}

/* The nick map is keyed by the nick's comparison key, so that one name in any case or
 * normalisation is one entry. */
session *nick_find(chat *c, const char *nick)
{
    char key[NICK_KEY_CAP];
    if (nick_key(nick, key) != 0)
        return NULL;
    return strmap_get(&c->nicks, key);
}

/* With accounts, one nick is a chain of sessions: the map holds the first, acct_next the rest
 * in login order. */
int nick_claim(chat *c, const char *nick, session *s)
{
    char key[NICK_KEY_CAP];
    session *head, *t;
    if (nick_key(nick, key) != 0)
        return -1;
    head = strmap_get(&c->nicks, key);
    s->acct_next = NULL;
    if (head && head != s) {
        for (t = head;; t = t->acct_next) {
            t->nick_shared = 1;
            if (!t->acct_next)
                break;
        }
        t->acct_next = s;
        s->nick_shared = 1;
    } else if (strmap_put(&c->nicks, key, s) != 0) {
        return -1;
    }
    s->claimed = 1;
    return 0;
}

void nick_release(chat *c, session *s)
{
    char key[NICK_KEY_CAP];
    session *head, *t;
    if (!s->claimed || nick_key(s->nick, key) != 0)
        return;
    s->claimed = 0;
    head = strmap_get(&c->nicks, key);
    if (head == s) {
        head = s->acct_next;
        if (head)
            strmap_put(&c->nicks, key, head); /* replaces: no allocation */
        else
            strmap_del(&c->nicks, key);
    } else {
        for (t = head; t && t->acct_next != s; t = t->acct_next)
            ;
        if (t)
            t->acct_next = s->acct_next;
    }
    s->acct_next = NULL;
    s->nick_shared = 0;
    if (head && !head->acct_next)
        head->nick_shared = 0; /* alone again */
}

static session *active_from(session *t)
{
    while (t && t->state != SESSION_ACTIVE)
        t = t->acct_next;
    return t;
}

session *account_sessions_first(chat *c, const char *name)
{
    return active_from(nick_find(c, name));
}

session *account_sessions_next(const session *s)
{
    return active_from(s->acct_next);
}

size_t account_sessions_send(chat *c, const char *name, const proto_msg *m)
{
    session *t;
    size_t n = 0;
    for (t = account_sessions_first(c, name); t; t = account_sessions_next(t)) {
        session_send(t, m);
        n++;
    }
    return n;
}

void users_on_priv(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char target[PROTO_NICK_MAX + 1], err[256];
    proto_msg out;
    session *t;

    if (c->mail) { /* accounts: stored, for every session of the recipient (chat_private.c) */
        privs_on_priv(s, m);
        return;
    }
    proto_str_copy(target, sizeof target, m->target);
    t = nick_find(c, target);
    if (!t || t->state != SESSION_ACTIVE) {
        session_error(s, PC_NO_SUCH_USER, "no user called %s is online", target);
        return;
    }
    if (m->text.n == 0) {
        session_error(s, PC_BAD_TEXT, "empty message");
        return;
    }
    memset(&out, 0, sizeof out);
    out.type = PT_PRIV_MSG;
    if (history_take_id(c->hist, &out.id, err, sizeof err) != 0) {
        log_error("private message from %s not delivered: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the server could not take your message");
        return;
    }
    out.time = sys_wall_ms();
    out.tag = m->tag;
    out.flags = m->flags & PROTO_FLAG_ACTION; /* "/me" in a private conversation */
    out.nick = proto_s(s->nick);
    out.target = proto_s(t->nick);
    out.text = m->text;
    session_send(t, &out);
    if (t != s)
        session_send(s, &out); /* the sender's copy is its acknowledgement */
    users_tell_away(s, t);
}

void users_tell_away(session *sender, const session *t)
{
    char text[PROTO_NAME_MAX + 1];
    proto_msg note;

    if (t->presence != PRESENCE_AWAY || t == sender)
        return;
    text_printf(text, sizeof text, "%s is away%s%s", t->nick, t->away ? ": " : "",
                t->away ? t->away : "");
    memset(&note, 0, sizeof note);
    note.type = PT_NOTICE;
    note.text = proto_s(text);
    session_send(sender, &note);
}

/* MEMBER RENAME from old to s's nick: to everyone sharing a room with s, or to s alone. */
static void member_rename(session *s, const char *old, int tell_peers)
{
    proto_msg ev;

    memset(&ev, 0, sizeof ev);
    ev.type = PT_MEMBER;
    ev.event = MEMBER_RENAME;
    ev.presence = s->presence;
    ev.room = proto_s("");
    ev.nick = proto_s(old);
    ev.target = proto_s(s->nick);
    ev.text = proto_s("");
    member_list_changed(s->srv, s);
    if (tell_peers)
        rooms_tell_peers(s, &ev, 0);
    else
        session_send(s, &ev);
}

void users_on_nick(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char nick[PROTO_NICK_MAX + 1];
    char old[PROTO_NICK_MAX + 1];
    session *other;

    char why[160];

    if (c->users) {
        session_error(s, PC_BAD_NICK, "with accounts, your nickname is your account's name");
        return;
    }
    if (nick_prepare(m->nick.p, m->nick.n, nick, why, sizeof why) != 0) {
        session_error(s, PC_BAD_NICK, "that nickname is not allowed: %s", why);
        return;
    }
    other = nick_find(c, nick);
    if (other && other != s) {
        session_error(s, PC_NICK_TAKEN, "the nickname %s is taken", nick);
        return;
    }
    if (strcmp(nick, s->nick) == 0) {
        /* Nothing changes; the asker alone hears so, as a rename to the same nick. */
        member_rename(s, s->nick, 0);
        return;
    }
    if (bans_check(c->bans, nick, NULL, sys_wall_ms(), NULL)) {
        session_error(s, PC_BAD_NICK, "the nickname %s is banned", nick);
        return;
    }
    nick_release(c, s);
    if (nick_claim(c, nick, s) != 0) {
        nick_claim(c, s->nick, s);
        session_error(s, PC_UNAVAILABLE, "out of memory");
        return;
    }
    memcpy(old, s->nick, sizeof old);
    memcpy(s->nick, nick, sizeof nick);
    member_rename(s, old, 1);
    log_info("%s is now known as %s", old, s->nick);
}

void users_on_away(session *s, const proto_msg *m)
{
    proto_msg ev;
    char *away = NULL;

    if (m->presence == PRESENCE_AWAY) {
        away = malloc(m->text.n + 1);
        if (!away) {
            session_error(s, PC_UNAVAILABLE, "out of memory");
            return;
        }
        memcpy(away, m->text.p, m->text.n);
        away[m->text.n] = '\0';
    }
    free(s->away);
    s->away = away;
    s->presence = m->presence;
    memset(&ev, 0, sizeof ev);
    ev.type = PT_MEMBER;
    ev.event = MEMBER_PRESENCE;
    ev.presence = s->presence;
    ev.room = proto_s("");
    ev.nick = proto_s(s->nick);
    ev.text = proto_s(away ? away : "");
    member_list_changed(s->srv, s);
    rooms_tell_peers(s, &ev, 0);
}

/* chat_users.c — nicknames (validation, uniqueness, renaming), presence, private messages. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "sys.h"

static int nick_char(char ch, int first)
{
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
        return 1;
    if (first)
        return 0;
    return (ch >= '0' && ch <= '9') || strchr("-_.[]{}|^", ch) != NULL;
}

int nick_valid(const char *nick, size_t n)
{
    size_t i;
    if (n == 0 || n > PROTO_NICK_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if (nick[i] == '\0' || !nick_char(nick[i], i == 0))
            return 0;
    return 1;
}

session *nick_find(chat *c, const char *nick)
{
    return strmap_get(&c->nicks, nick);
}

void users_on_priv(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char target[PROTO_NICK_MAX + 1], err[256];
    proto_msg out;
    session *t;

    proto_str_copy(target, sizeof target, m->target);
    t = nick_valid(m->target.p, m->target.n) ? nick_find(c, target) : NULL;
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
    out.nick = proto_s(s->nick);
    out.target = proto_s(t->nick);
    out.text = m->text;
    session_send(t, &out);
    if (t != s)
        session_send(s, &out); /* the sender's copy is its acknowledgement */
    if (t->presence == PRESENCE_AWAY && t != s) {
        char text[PROTO_NAME_MAX + 1];
        proto_msg note;
        text_printf(text, sizeof text, "%s is away%s%s", t->nick, t->away ? ": " : "",
                 t->away ? t->away : "");
        memset(&note, 0, sizeof note);
        note.type = PT_NOTICE;
        note.text = proto_s(text);
        session_send(s, &note);
    }
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

    if (!nick_valid(m->nick.p, m->nick.n)) {
        session_error(s, PC_BAD_NICK, "nicknames are 1-%d letters, digits or - _ . [ ] { } | ^, "
                      "starting with a letter", PROTO_NICK_MAX);
        return;
    }
    proto_str_copy(nick, sizeof nick, m->nick);
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
    strmap_del(&c->nicks, s->nick);
    if (strmap_put(&c->nicks, nick, s) != 0) {
        strmap_put(&c->nicks, s->nick, s);
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
    rooms_tell_peers(s, &ev, 0);
}

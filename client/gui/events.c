/* events.c — applies the network thread's events on the UI thread: connection state to the
 * status bar, messages to transcripts (skipping replays already shown), membership to the
 * people lists, and a balloon or flash when a message arrives while the window is behind. */
#include "events.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "client.h"
#include "conv.h"
#include "resource.h"
#include "session.h"
#include "status.h"
#include "wstr.h"

#define LINE_MAX_W 1024

/* UTF-8 fields of an event, converted once for the handlers. */
typedef struct wide_event {
    wchar_t *room, *nick, *target, *text;
} wide_event;

static int widen(const net_event *ev, wide_event *w)
{
    w->room = wstr_from_utf8(ev->room, (size_t)-1);
    w->nick = wstr_from_utf8(ev->nick, (size_t)-1);
    w->target = wstr_from_utf8(ev->target, (size_t)-1);
    w->text = wstr_from_utf8(ev->text, (size_t)-1);
    return w->room && w->nick && w->target && w->text ? 0 : -1;
}

static void wide_free(wide_event *w)
{
    free(w->room);
    free(w->nick);
    free(w->target);
    free(w->text);
}

static int is_me(app *a, const wchar_t *nick)
{
    return wcscmp(a->nick, nick) == 0;
}

/* A formatted system line into c (or the active conversation). */
static void line(app *a, conv *c, transcript_line kind, unsigned id, const wchar_t *p1,
                 const wchar_t *p2, const wchar_t *p3)
{
    wchar_t text[LINE_MAX_W];

    wstr_format_into(text, LINE_MAX_W, id, p1, p2, p3);
    conv_line(a, c, kind, text);
}

static void tell(app *a, conv *c, const wchar_t *title, const wchar_t *text, int is_private)
{
    conv_count_unread(a, c);
    notify_message(a->hwnd, &a->notify, title, text, is_private);
}

/* ---- messages ---- */

static void on_msg(app *a, const net_event *ev, const wide_event *w)
{
    /* Only rooms we joined have tabs; a message still in flight for a room just left must
     * not bring its tab back. */
    conv *c = conv_find(a, w->room, 0);
    unsigned flags = 0;
    wchar_t title[128];

    if (!c)
        return;
    /* A reconnect replays recent history; what is already on screen is not shown twice. */
    if (ev->id && ev->id <= c->last_id)
        return;
    if (ev->id)
        c->last_id = ev->id;
    if (ev->flags & PROTO_FLAG_HISTORY)
        flags |= TM_HISTORY;
    if (is_me(a, w->nick))
        flags |= TM_OWN;
    transcript_add_message(c->transcript, ev->time, w->nick, w->text, flags);
    if (!(flags & (TM_HISTORY | TM_OWN))) {
        wstr_format_into(title, 128, IDS_NOTIFY_ROOM, w->nick, w->room);
        tell(a, c, title, w->text, 0);
    }
}

static void on_priv(app *a, const net_event *ev, const wide_event *w)
{
    int mine = is_me(a, w->nick);
    const wchar_t *peer = mine ? w->target : w->nick;
    conv *c = conv_open(a, peer, 1);
    wchar_t title[128];

    if (!c)
        return;
    if (ev->id && ev->id <= c->last_id)
        return;
    if (ev->id)
        c->last_id = ev->id;
    if (!members_find(&c->members, peer)) {
        members_put(&c->members, peer, PRESENCE_ONLINE, L"");
        members_put(&c->members, a->nick, a->away ? PRESENCE_AWAY : PRESENCE_ONLINE, L"");
        conv_refresh(a, c);
    }
    transcript_add_message(c->transcript, ev->time, w->nick, w->text,
                           (mine ? TM_OWN : 0) | ((ev->flags & PROTO_FLAG_HISTORY) ? TM_HISTORY : 0));
    if (!mine) {
        wstr_format_into(title, 128, IDS_NOTIFY_PRIVATE, w->nick);
        tell(a, c, title, w->text, 1);
    }
}

/* ---- membership ---- */

static void on_join(app *a, const net_event *ev, const wide_event *w)
{
    int existed = conv_find(a, w->room, 0) != NULL;
    conv *c;

    /* Our own join opens the tab; someone else's join of a room we have left does not. */
    if (!existed && !is_me(a, w->nick))
        return;
    c = conv_open(a, w->room, 0);
    if (!c)
        return;
    members_put(&c->members, w->nick, ev->presence, L"");
    conv_refresh(a, c);
    if (is_me(a, w->nick)) {
        line(a, c, TL_INFO, IDS_SYS_YOU_JOINED, w->room, NULL, NULL);
        /* A room the user just asked for comes to the front; re-joins after a reconnect
         * leave the tabs as they were. */
        if (!existed)
            conv_activate(a, conv_index(a, c));
    } else {
        line(a, c, TL_INFO, IDS_SYS_JOIN, w->nick, w->room, NULL);
    }
}

static void on_part(app *a, const wide_event *w)
{
    conv *c = conv_find(a, w->room, 0);

    if (!c)
        return;
    if (is_me(a, w->nick)) {
        conv_close(a, conv_index(a, c));
        return;
    }
    members_remove(&c->members, w->nick);
    conv_refresh(a, c);
    if (w->text[0])
        line(a, c, TL_INFO, IDS_SYS_PART_REASON, w->nick, w->room, w->text);
    else
        line(a, c, TL_INFO, IDS_SYS_PART, w->nick, w->room, NULL);
}

static void on_kick(app *a, const wide_event *w)
{
    conv *c = conv_find(a, w->room, 0);

    if (!c)
        return;
    members_remove(&c->members, w->nick);
    conv_refresh(a, c);
    line(a, c, TL_NOTICE, IDS_SYS_KICK, w->nick, w->target, w->text);
}

/* Quit, rename and presence name no room: they apply wherever the person is. */
static void on_person(app *a, const net_event *ev, const wide_event *w)
{
    int i;

    if (ev->event == MEMBER_RENAME && is_me(a, w->nick)) {
        wstr_copy(a->nick, NAME_MAX_W, w->target);
        status_refresh(a);
    }
    for (i = 0; i < a->nconvs; i++) {
        conv *c = a->convs[i];
        member *m = members_find(&c->members, w->nick);
        int talk = c->is_private && wcscmp(c->name, w->nick) == 0;

        if (!m && !talk)
            continue;
        switch (ev->event) {
        case MEMBER_QUIT:
            if (m)
                members_remove(&c->members, w->nick);
            if (w->text[0])
                line(a, c, TL_INFO, IDS_SYS_QUIT_REASON, w->nick, w->text, NULL);
            else
                line(a, c, TL_INFO, IDS_SYS_QUIT, w->nick, NULL, NULL);
            break;
        case MEMBER_RENAME:
            if (m) {
                uint8_t presence = m->presence;
                wchar_t away[MEMBER_AWAY_MAX];
                wstr_copy(away, MEMBER_AWAY_MAX, m->away);
                members_remove(&c->members, w->nick);
                members_put(&c->members, w->target, presence, away);
            }
            if (talk) {
                wstr_copy(c->name, NAME_MAX_W, w->target);
            }
            line(a, c, TL_INFO, IDS_SYS_RENAME, w->nick, w->target, NULL);
            break;
        case MEMBER_PRESENCE:
            if (m)
                members_put(&c->members, w->nick, ev->presence, w->text);
            /* In a room this would be noise; in a private talk it answers "are you there?". */
            if (talk && ev->presence == PRESENCE_AWAY)
                line(a, c, TL_INFO, w->text[0] ? IDS_SYS_AWAY_TEXT : IDS_SYS_AWAY, w->nick,
                     w->text, NULL);
            else if (talk)
                line(a, c, TL_INFO, IDS_SYS_BACK, w->nick, NULL, NULL);
            break;
        default:
            break;
        }
        conv_refresh(a, c);
    }
}

static void on_member(app *a, const net_event *ev, const wide_event *w)
{
    switch (ev->event) {
    case MEMBER_JOIN: on_join(a, ev, w); break;
    case MEMBER_PART: on_part(a, w); break;
    case MEMBER_KICK: on_kick(a, w); break;
    default: on_person(a, ev, w); break;
    }
}

static void on_user_list(app *a, const net_event *ev, const wide_event *w)
{
    conv *c = conv_find(a, w->room, 0);
    size_t i;

    if (!c)
        return;
    if (!c->users_loading)
        members_clear(&c->members);
    c->users_loading = (ev->flags & PROTO_FLAG_MORE) != 0;
    for (i = 0; i < ev->nusers; i++) {
        wchar_t *nick = wstr_from_utf8(ev->users[i].nick, (size_t)-1);
        wchar_t *away = wstr_from_utf8(ev->users[i].away, (size_t)-1);
        if (nick && away)
            members_put(&c->members, nick, ev->users[i].presence, away);
        free(nick);
        free(away);
    }
    conv_refresh(a, c);
}

static void on_message(app *a, const net_event *ev)
{
    wide_event w;
    wchar_t count[16];

    if (widen(ev, &w) != 0)
        goto done;
    switch (ev->type) {
    case PT_MSG: on_msg(a, ev, &w); break;
    case PT_PRIV_MSG: on_priv(a, ev, &w); break;
    case PT_MEMBER: on_member(a, ev, &w); break;
    case PT_USER_LIST: on_user_list(a, ev, &w); break;
    case PT_TOPIC:
        if (w.nick[0])
            line(a, conv_find(a, w.room, 0), TL_INFO, IDS_SYS_TOPIC_SET, w.nick, w.text, NULL);
        else
            line(a, conv_find(a, w.room, 0), TL_INFO, IDS_SYS_TOPIC, w.text, NULL, NULL);
        break;
    case PT_NOTICE:
        if (w.nick[0])
            line(a, NULL, TL_NOTICE, IDS_SYS_NOTICE, w.nick, w.text, NULL);
        else
            line(a, NULL, TL_NOTICE, IDS_SYS_SERVER_NOTICE, w.text, NULL, NULL);
        break;
    case PT_ERROR:
        line(a, NULL, TL_ERROR, IDS_SYS_ERROR, w.text, NULL, NULL);
        break;
    case PT_HISTORY_END:
        if (ev->count) {
            _snwprintf(count, 16, L"%u", ev->count);
            count[15] = L'\0';
            line(a, conv_find(a, w.room, 0), TL_INFO, IDS_SYS_HISTORY, count, NULL, NULL);
        }
        break;
    default:
        break;
    }
done:
    wide_free(&w);
}

/* ---- connection state ---- */

static void on_connected(app *a, const net_event *ev)
{
    wchar_t *server = wstr_from_utf8(ev->text[0] ? ev->text : "", (size_t)-1);
    wchar_t *motd = wstr_from_utf8(ev->target, (size_t)-1);
    wchar_t cipher[64];
    conv *lobby;
    int i;

    a->state = CS_ONLINE;
    a->cipher = ev->cipher;
    a->attempt = 0;
    KillTimer(a->hwnd, TIMER_COUNTDOWN);
    wstr_from_utf8_into(a->nick, NAME_MAX_W, ev->nick, (size_t)-1);
    wstr_load(ev->cipher == PROTO_CIPHER_XOR ? IDS_ST_CIPHER_XOR : IDS_ST_CIPHER_AES, cipher, 64);
    /* The server puts everyone in the lobby; its tab is there before the first line. */
    lobby = conv_open(a, L"lobby", 0);
    if (ev->count) {
        for (i = 0; i < a->nconvs; i++)
            if (!a->convs[i]->is_private)
                line(a, a->convs[i], TL_INFO, IDS_SYS_RECONNECTED, NULL, NULL, NULL);
    } else {
        line(a, lobby, TL_INFO, IDS_SYS_CONNECTED, server && server[0] ? server : a->cfg.host,
             a->nick, cipher);
        if (motd && motd[0])
            line(a, lobby, TL_INFO, IDS_SYS_MOTD, motd, NULL, NULL);
        /* Tabs kept from an earlier connection to this server: join their rooms again. */
        for (i = 0; i < a->nconvs; i++) {
            if (!a->convs[i]->is_private && wcscmp(a->convs[i]->name, L"lobby") != 0) {
                char *room = wstr_to_utf8(a->convs[i]->name);
                if (room)
                    net_join(a->net, room);
                free(room);
            }
        }
    }
    if (ev->cipher == PROTO_CIPHER_XOR)
        line(a, lobby, TL_ERROR, IDS_SYS_XOR_WARNING, NULL, NULL, NULL);
    free(server);
    free(motd);
    status_refresh(a);
}

static void on_waiting(app *a, const net_event *ev)
{
    wchar_t *why = wstr_from_utf8(ev->text, (size_t)-1);
    int i;

    if (a->state == CS_ONLINE && why)
        line(a, NULL, TL_ERROR, IDS_SYS_LOST, why, NULL, NULL);
    a->state = CS_WAITING;
    a->attempt = ev->attempt;
    a->wait_ms = ev->delay_ms;
    a->has_rtt = 0;
    /* Who is where is unknown until the rooms are joined again. */
    for (i = 0; i < a->nconvs; i++) {
        if (!a->convs[i]->is_private) {
            members_clear(&a->convs[i]->members);
            conv_refresh(a, a->convs[i]);
        }
    }
    SetTimer(a->hwnd, TIMER_COUNTDOWN, 1000, NULL);
    free(why);
    status_refresh(a);
}

void events_countdown(app *a)
{
    if (a->state != CS_WAITING) {
        KillTimer(a->hwnd, TIMER_COUNTDOWN);
        return;
    }
    a->wait_ms = a->wait_ms > 1000 ? a->wait_ms - 1000 : 0;
    status_refresh(a);
}

static void handle(app *a, const net_event *ev)
{
    wchar_t *text;

    switch (ev->kind) {
    case NET_EV_CONNECTING:
        a->state = CS_CONNECTING;
        a->attempt = ev->attempt;
        KillTimer(a->hwnd, TIMER_COUNTDOWN);
        status_refresh(a);
        break;
    case NET_EV_CONNECTED:
        on_connected(a, ev);
        break;
    case NET_EV_WAITING:
        on_waiting(a, ev);
        break;
    case NET_EV_FAILED:
        text = wstr_from_utf8(ev->text, (size_t)-1);
        if (a->state == CS_ONLINE && text)
            line(a, NULL, TL_ERROR, IDS_SYS_LOST, text, NULL, NULL);
        free(text);
        KillTimer(a->hwnd, TIMER_COUNTDOWN);
        session_disconnect(a);
        /* The box waits until this batch is handled: a modal loop inside it would run
         * before the rest of the window is up to date. */
        session_fail_later(a, ev->code, ev->text);
        PostMessageW(a->hwnd, WM_APP_SHOW_ERROR, 0, 0);
        break;
    case NET_EV_RTT:
        a->rtt_ms = ev->rtt_ms;
        a->has_rtt = 1;
        status_refresh(a);
        break;
    case NET_EV_SEND_ERROR:
        text = wstr_from_utf8(ev->text, (size_t)-1);
        if (text)
            line(a, NULL, TL_ERROR, IDS_SYS_SEND_FAILED, text, NULL, NULL);
        free(text);
        break;
    case NET_EV_MESSAGE:
        on_message(a, ev);
        break;
    }
}

void events_drain(app *a, unsigned session)
{
    net_event *ev;

    if (session != a->session)
        return; /* from a link that has been replaced */
    while (a->net && (ev = net_next_event(a->net)) != NULL) {
        handle(a, ev);
        net_event_free(ev);
    }
}

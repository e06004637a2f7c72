/* messages.c — a message from the server applied on the UI thread: text to transcripts
 * (skipping what a tab already shows), membership and presence to the people lists, topics,
 * notices and errors as system lines, and a balloon or flash when a message arrives while the
 * window is behind. */
#include "messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <wctype.h>

#include "alert_window.h"
#include "announce.h"
#include "chatlog.h"
#include "conv.h"
#include "moderate.h"
#include "newest.h"
#include "resource.h"
#include "search_dialog.h"
#include "sounds.h"
#include "status.h"
#include "users_dialog.h"
#include "wstr.h"

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

/* Counts the message as unread and notifies of it as c's setting says: everything, only what
 * names us (private messages always do), or nothing. Screen readers hear of it too when the
 * options say so; the log gets every message shown. */
static void tell(app *a, conv *c, const wchar_t *title, const wchar_t *text, int is_private,
                 int mention)
{
    const wchar_t *sound = NULL;
    wchar_t said[320];

    conv_count_unread(a, c);
    if (c->notify == NOTIFY_ALL || (c->notify == NOTIFY_MENTIONS && (mention || is_private))) {
        if (is_private && a->private_sound)
            sound = SOUND_PRIVATE;
        else if (mention)
            sound = SOUND_MENTION;
        notify_message(a->hwnd, &a->notify, c->name, title, text, sound);
    }
    if (a->announce && c->notify != NOTIFY_NONE) {
        _snwprintf(said, 320, L"%ls: %ls", title, text);
        said[319] = L'\0';
        announce(a->hwnd, said, is_private || mention);
    }
}

/* Appends a message shown in c to the conversation log, if one is kept. A failure is said
 * once in the conversation, then the log is off until the options turn it on again. */
static void log_message(app *a, conv *c, uint64_t time_ms, const wchar_t *nick,
                        const wchar_t *text, int action)
{
    unsigned long err;
    wchar_t reason[256];

    if (!a->log_on)
        return;
    err = chatlog_write(a->log_dir, c->name, c->is_private, time_ms, nick, text, action);
    if (!err)
        return;
    a->log_on = 0;
    conv_line_fmt(a, c, TL_ERROR, IDS_SYS_LOG_FAILED, a->log_dir, wstr_win_error(err, reason, 256),
                  NULL);
}

/* 1 if text names nick as a word of its own ("alice:", "@alice", "thanks alice!"), in any
 * case; "malice" does not count. */
static int mentions(const wchar_t *text, const wchar_t *nick)
{
    size_t n = wcslen(nick);
    const wchar_t *p;

    if (!n)
        return 0;
    for (p = text; *p; p++) {
        if (_wcsnicmp(p, nick, n) != 0)
            continue;
        if ((p == text || !iswalnum(p[-1])) && !iswalnum(p[n]))
            return 1;
    }
    return 0;
}

/* ---- messages ---- */

/* 1 if ev is part of the history asked for around a search result (search_dialog.c): shown
 * even though the tab has newer messages. */
static int search_context(const conv *c, const net_event *ev)
{
    return c->jump_id && (ev->flags & PROTO_FLAG_HISTORY) && ev->id <= c->jump_id;
}

static void on_msg(app *a, const net_event *ev, const wide_event *w)
{
    /* Only rooms we joined have tabs; a message still in flight for a room just left must
     * not bring its tab back. */
    conv *c = conv_find(a, w->room, 0);
    unsigned flags = 0;
    wchar_t title[128];

    if (!c)
        return;
    /* Joining replays recent history. After a reconnect the reconnect layer drops what it
     * has delivered already, but tabs kept across Disconnect and Connect are joined again by
     * a new link that has seen nothing: what a tab shows is not shown twice. */
    if (ev->id && ev->id <= c->last_id && !search_context(c, ev) &&
        !(c->history_asked && (ev->flags & PROTO_FLAG_HISTORY)))
        return;
    if (ev->id > c->last_id)
        c->last_id = ev->id;
    if (ev->flags & PROTO_FLAG_HISTORY) {
        flags |= TM_HISTORY;
        c->replayed++;
    }
    if (ev->flags & PROTO_FLAG_ACTION)
        flags |= TM_ACTION;
    if (is_me(a, w->nick))
        flags |= TM_OWN;
    else if (mentions(w->text, a->nick))
        flags |= TM_MENTION;
    if (!(flags & (TM_HISTORY | TM_OWN)))
        newest_before_message(a, c);
    transcript_add_message(c->transcript, ev->time, w->nick, w->text, flags);
    if (!(flags & TM_HISTORY)) /* a replay was logged when it was live */
        log_message(a, c, ev->time, w->nick, w->text, (flags & TM_ACTION) != 0);
    if (!(flags & (TM_HISTORY | TM_OWN))) {
        wstr_format_into(title, 128, IDS_NOTIFY_ROOM, w->nick, w->room);
        tell(a, c, title, w->text, 0, (flags & TM_MENTION) != 0);
    }
}

static void on_priv(app *a, const net_event *ev, const wide_event *w)
{
    int mine = is_me(a, w->nick);
    const wchar_t *peer = mine ? w->target : w->nick;
    /* History that is not news (a catch-up's replay of messages already delivered) fills a
     * conversation that is open; it does not open tabs or count as unread. Messages that
     * waited for us while we were offline do. */
    int old = (ev->flags & PROTO_FLAG_HISTORY) && !(ev->flags & PROTO_FLAG_OFFLINE);
    conv *c = old ? conv_find(a, peer, 1) : conv_open(a, peer, 1);
    wchar_t title[128];

    if (!c)
        return;
    if (ev->id && ev->id <= c->last_id)
        return;
    if (ev->id)
        c->last_id = ev->id;
    /* A live message either way means the peer is there: the server only delivers ours to
     * someone online. Their away state, if any, is kept. */
    if (!(ev->flags & PROTO_FLAG_HISTORY)) {
        member *m = members_find(&c->members, peer);
        if (!m || m->presence == MEMBER_OFFLINE || m->presence == MEMBER_UNKNOWN)
            members_put(&c->members, peer, PRESENCE_ONLINE, L"");
        if (!members_find(&c->members, a->nick))
            members_put(&c->members, a->nick, a->away ? PRESENCE_AWAY : PRESENCE_ONLINE, L"");
        conv_refresh(a, c);
    }
    if (!mine && !(ev->flags & PROTO_FLAG_HISTORY))
        newest_before_message(a, c);
    transcript_add_message(c->transcript, ev->time, w->nick, w->text,
                           (mine ? TM_OWN : 0) | ((ev->flags & PROTO_FLAG_HISTORY) ? TM_HISTORY : 0) |
                               ((ev->flags & PROTO_FLAG_ACTION) ? TM_ACTION : 0));
    if (!(ev->flags & PROTO_FLAG_HISTORY) || (ev->flags & PROTO_FLAG_OFFLINE))
        log_message(a, c, ev->time, w->nick, w->text, (ev->flags & PROTO_FLAG_ACTION) != 0);
    if (mine && ev->id > c->own_last) {
        c->own_last = ev->id;
        conv_refresh(a, c); /* "sent": the receipts are still to come */
    } else if (!mine && ev->id > c->peer_last) {
        c->peer_last = ev->id;
        /* Seen when it lands in the tab the user is looking at. */
        if (c == conv_active(a) && GetForegroundWindow() == a->hwnd && !IsIconic(a->hwnd))
            conv_report_read(a, c);
    }
    if (!mine && !old) {
        wstr_format_into(title, 128, IDS_NOTIFY_PRIVATE, w->nick);
        tell(a, c, title, w->text, 1, 0);
    }
}

/* DELIVERED and READ_MARK: what became of our messages in a private conversation. Our own
 * reading, reported by another session of ours, counts as read here too. */
static void on_receipt(app *a, const net_event *ev, const wide_event *w)
{
    int own = ev->type == PT_READ_MARK && is_me(a, w->nick);
    conv *c = conv_find(a, own ? w->target : w->nick, 1);

    if (!c)
        return;
    if (own) {
        if (ev->id > c->reported)
            c->reported = ev->id;
        if (c->unread && ev->id >= c->peer_last && c != conv_active(a)) {
            c->unread = 0; /* read on another PC */
            status_refresh(a);
        }
    } else if (ev->type == PT_DELIVERED && ev->id > c->delivered) {
        c->delivered = ev->id;
    } else if (ev->type == PT_READ_MARK && ev->id > c->read) {
        c->read = ev->id;
        if (c->read > c->delivered)
            c->delivered = c->read;
    }
    conv_refresh(a, c);
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
        conv_line_fmt(a, c, TL_INFO, IDS_SYS_YOU_JOINED, w->room, NULL, NULL);
        /* A room the user just asked for comes to the front; re-joins after a reconnect
         * leave the tabs as they were. */
        if (!existed)
            conv_activate(a, conv_index(a, c));
    } else {
        conv_line_fmt(a, c, TL_INFO, IDS_SYS_JOIN, w->nick, w->room, NULL);
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
        conv_line_fmt(a, c, TL_INFO, IDS_SYS_PART_REASON, w->nick, w->room, w->text);
    else
        conv_line_fmt(a, c, TL_INFO, IDS_SYS_PART, w->nick, w->room, NULL);
}

static void on_kick(app *a, const wide_event *w)
{
    conv *c = conv_find(a, w->room, 0);

    if (!c)
        return;
    members_remove(&c->members, w->nick);
    conv_refresh(a, c);
    conv_line_fmt(a, c, TL_NOTICE, IDS_SYS_KICK, w->nick, w->target, w->text);
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
            /* A private talk keeps the person, shown offline; a room lets them go. */
            if (m && talk)
                m->presence = MEMBER_OFFLINE;
            else if (m)
                members_remove(&c->members, w->nick);
            /* The server's reason for a dropped connection is the word itself: "bob
             * disconnected (disconnected)" would say it twice. */
            if (w->text[0] && _wcsicmp(w->text, L"disconnected") != 0)
                conv_line_fmt(a, c, TL_INFO, IDS_SYS_QUIT_REASON, w->nick, w->text, NULL);
            else
                conv_line_fmt(a, c, TL_INFO, IDS_SYS_QUIT, w->nick, NULL, NULL);
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
            conv_line_fmt(a, c, TL_INFO, IDS_SYS_RENAME, w->nick, w->target, NULL);
            break;
        case MEMBER_PRESENCE:
            if (m)
                members_put(&c->members, w->nick, ev->presence, w->text);
            /* In a room this would be noise; in a private talk it answers "are you there?". */
            if (talk && ev->presence == PRESENCE_AWAY)
                conv_line_fmt(a, c, TL_INFO, w->text[0] ? IDS_SYS_AWAY_TEXT : IDS_SYS_AWAY,
                              w->nick, w->text, NULL);
            else if (talk)
                conv_line_fmt(a, c, TL_INFO, IDS_SYS_BACK, w->nick, NULL, NULL);
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

/* After /users: one line per frame of the asked room's list, "People in ROOM: a, b (away)". */
static void users_to_transcript(app *a, const net_event *ev, const wide_event *w)
{
    size_t i, len = 0, cap = 64;
    wchar_t *names, *grown;

    if (!a->users_room[0] || _wcsicmp(a->users_room, w->room) != 0)
        return;
    if (!(ev->flags & PROTO_FLAG_MORE))
        a->users_room[0] = L'\0';
    names = calloc(cap, sizeof *names);
    for (i = 0; names && i < ev->nusers; i++) {
        wchar_t one[NAME_MAX_W + 16], *nick = wstr_from_utf8(ev->users[i].nick, (size_t)-1);
        size_t n;
        if (!nick)
            continue;
        if (ev->users[i].presence == PRESENCE_AWAY)
            wstr_format_into(one, NAME_MAX_W + 16, IDS_PRESENCE_AWAY, nick);
        else
            wstr_copy(one, NAME_MAX_W + 16, nick);
        free(nick);
        n = wcslen(one);
        if (len + n + 3 > cap) {
            cap = (len + n + 3) * 2;
            grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        if (len) {
            wcscpy(names + len, L", ");
            len += 2;
        }
        wcscpy(names + len, one);
        len += n;
    }
    if (names)
        conv_line_fmt(a, NULL, TL_INFO, IDS_SYS_USERS_ENTRY, w->room, names, NULL);
    free(names);
}

/* A frame of the room list: to the Join dialog when it asked, to the transcript after /rooms. */
static void on_room_list(app *a, const net_event *ev)
{
    size_t i;

    if (a->join_dlg)
        SendMessageW(a->join_dlg, WM_APP_ROOMS, 0, (LPARAM)ev);
    if (!a->rooms_to_transcript)
        return;
    for (i = 0; i < ev->nusers; i++) {
        wchar_t *room = wstr_from_utf8(ev->users[i].nick, (size_t)-1);
        wchar_t *topic = wstr_from_utf8(ev->users[i].away, (size_t)-1);
        wchar_t n[16];
        _snwprintf(n, 16, L"%u", (unsigned)ev->users[i].members);
        n[15] = L'\0';
        if (room && topic)
            conv_line_fmt(a, NULL, TL_INFO, IDS_SYS_ROOM_ENTRY, room, n, topic);
        free(room);
        free(topic);
    }
    if (!(ev->flags & PROTO_FLAG_MORE))
        a->rooms_to_transcript = 0;
}

static void set_topic(app *a, conv *c, const wchar_t *topic)
{
    if (!c)
        return;
    wstr_copy(c->topic, sizeof c->topic / sizeof c->topic[0], topic);
    conv_refresh(a, c);
}

/* An answer to a request. "No such user" is about the last private message: its tab shows
 * the person offline and gets the line. */
static void on_error(app *a, const net_event *ev, const wide_event *w)
{
    conv *c = NULL;
    member *m;

    if (ev->code == PC_NO_SUCH_USER && a->priv_target[0]) {
        c = conv_find(a, a->priv_target, 1);
        m = c ? members_find(&c->members, a->priv_target) : NULL;
        if (m) {
            m->presence = MEMBER_OFFLINE;
            m->away[0] = L'\0';
            conv_refresh(a, c);
        }
    }
    conv_line_fmt(a, c, TL_ERROR, IDS_SYS_ERROR, w->text, NULL, NULL);
}

/* After a replay (id: the note's string), says how many lines it added to room's tab: the
 * server's count includes lines the tab already showed, which were skipped. */
static void history_note(app *a, const wchar_t *room, unsigned id)
{
    conv *c = conv_find(a, room, 0);
    wchar_t count[16];

    if (!c)
        return;
    if (c->replayed) {
        _snwprintf(count, 16, L"%u", c->replayed);
        count[15] = L'\0';
        conv_line_fmt(a, c, TL_INFO, id, count, NULL, NULL);
    }
    c->replayed = 0;
}

void messages_apply(app *a, const net_event *ev)
{
    wide_event w;

    if (widen(ev, &w) != 0)
        goto done;
    if (search_dialog_event(a, ev) || users_dialog_event(a, ev))
        goto done;
    switch (ev->type) {
    case PT_MSG: on_msg(a, ev, &w); break;
    case PT_PRIV_MSG: on_priv(a, ev, &w); break;
    case PT_DELIVERED:
    case PT_READ_MARK: on_receipt(a, ev, &w); break;
    case PT_MEMBER: on_member(a, ev, &w); break;
    case PT_USER_LIST:
        on_user_list(a, ev, &w);
        users_to_transcript(a, ev, &w);
        break;
    case PT_TOPIC:
        set_topic(a, conv_find(a, w.room, 0), w.text);
        if (w.nick[0])
            conv_line_fmt(a, conv_find(a, w.room, 0), TL_INFO, IDS_SYS_TOPIC_SET, w.nick, w.text,
                          NULL);
        else
            conv_line_fmt(a, conv_find(a, w.room, 0), TL_INFO, IDS_SYS_TOPIC, w.text, NULL,
                          NULL);
        break;
    case PT_ROOM_LIST:
        on_room_list(a, ev);
        break;
    case PT_NOTICE:
        if (w.nick[0])
            conv_line_fmt(a, NULL, TL_NOTICE, IDS_SYS_NOTICE, w.nick, w.text, NULL);
        else
            conv_line_fmt(a, NULL, TL_NOTICE, IDS_SYS_SERVER_NOTICE, w.text, NULL, NULL);
        if (!w.nick[0])
            moderate_on_notice(a);
        break;
    case PT_ERROR:
        moderate_on_error(a, ev->code);
        on_error(a, ev, &w);
        break;
    case PT_HISTORY_END: {
        conv *c = conv_find(a, w.room, 0);
        /* A search result's surroundings had their own note above them instead. */
        if (!search_history_done(a, c))
            history_note(a, w.room, IDS_SYS_HISTORY);
        if (c)
            c->history_asked = 0; /* the next replay is a reconnect's again: no repeats */
        break;
    }
    case PT_PRIV_PREFS: /* after the catch-up, and whenever any session changes it */
        a->receipts_known = 1;
        a->receipts_on = !(ev->flags & PROTO_FLAG_NO_RECEIPTS);
        break;
    case PT_ALERT_MSG:
    case PT_ALERT_OK:
    case PT_ACKED:
    case PT_ROLL_LIST:
        alerts_on_event(a, ev);
        break;
    default:
        break;
    }
done:
    wide_free(&w);
}

void messages_caught_up(app *a, const net_event *ev)
{
    wchar_t *room = wstr_from_utf8(ev->room, (size_t)-1);

    if (room)
        history_note(a, room, IDS_SYS_CAUGHT_UP);
    free(room);
}

/* commands.c — turns the user's requests into queued network requests (net_thread.c hands
 * them to the reconnect layer; nothing here waits on the network) and answers locally when
 * offline. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "alert_window.h"
#include "conv.h"
#include "moderate.h"
#include "resource.h"
#include "status.h"
#include "wstr.h"

#define HISTORY_DEFAULT 20 /* /history without a number */
#define HISTORY_MAX 1000   /* the most one /history asks for (servers keep fewer anyway) */

/* 1 if a request can be queued; otherwise says so in the active conversation. While
 * reconnecting requests wait in the queue and go out once the link is back. */
static int can_send(app *a)
{
    wchar_t text[256];

    if (a->net)
        return 1;
    conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_NOT_CONNECTED, text, 256));
    return 0;
}

/* Returns 1 if the line was handed to the network, 0 if it was refused (and said why).
 * flags: 0, or PROTO_FLAG_ACTION (/me). */
static int say(app *a, const wchar_t *text, uint8_t flags)
{
    conv *c = conv_active(a);
    char *name, *utf8;
    int sent = 0;

    if (!c || !can_send(a))
        return 0;
    name = wstr_to_utf8(c->name);
    utf8 = wstr_to_utf8(text);
    if (name && utf8) {
        if (c->is_private) {
            wstr_copy(a->priv_target, NAME_MAX_W, c->name);
            sent = net_priv(a->net, name, utf8, flags) == 0;
        } else {
            sent = net_say(a->net, name, utf8, flags) == 0;
        }
    }
    free(name);
    free(utf8);
    return sent;
}

void commands_join(app *a, const wchar_t *room)
{
    char *utf8;

    if (!room[0] || !can_send(a))
        return;
    utf8 = wstr_to_utf8(room);
    if (utf8)
        net_join(a->net, utf8);
    free(utf8);
}

/* Leaves one conversation: a room is parted, a private talk just closes. */
static void leave_conv(app *a, conv *c)
{
    char *utf8;

    if (!c->is_private && a->net) {
        utf8 = wstr_to_utf8(c->name);
        if (utf8)
            net_part(a->net, utf8);
        free(utf8);
    }
    /* The tab goes at once; the server's confirmation then finds nothing left to close. */
    conv_close(a, conv_index(a, c));
}

void commands_leave(app *a)
{
    conv *c = conv_active(a);

    if (c)
        leave_conv(a, c);
}

/* "/part [ROOM]": the named room, else the conversation in front. */
static void part(app *a, const wchar_t *rest)
{
    wchar_t room[NAME_MAX_W];
    size_t n = 0;
    conv *c;

    while (*rest && !iswspace(*rest) && n + 1 < NAME_MAX_W)
        room[n++] = *rest++;
    room[n] = L'\0';
    if (!room[0]) {
        commands_leave(a);
        return;
    }
    c = conv_find(a, room, 0);
    if (!c)
        conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_NOT_IN_ROOM, room, NULL, NULL);
    else
        leave_conv(a, c);
}

/* /users [ROOM]: the people in ROOM (or the room in front), written in the conversation. */
static void users(app *a, const wchar_t *rest)
{
    wchar_t room[NAME_MAX_W];
    conv *c = conv_active(a);
    char *utf8;
    size_t n = 0;

    while (*rest && !iswspace(*rest) && n + 1 < NAME_MAX_W)
        room[n++] = *rest++;
    room[n] = L'\0';
    if (!room[0] && c && !c->is_private)
        wstr_copy(room, NAME_MAX_W, c->name);
    if (!room[0]) {
        conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_USERS_NO_ROOM, NULL, NULL, NULL);
        return;
    }
    if (!can_send(a))
        return;
    utf8 = wstr_to_utf8(room);
    if (utf8 && net_users(a->net, utf8) == 0)
        wstr_copy(a->users_room, NAME_MAX_W, room);
    free(utf8);
}

/* What the rooms we share say about nick; MEMBER_UNKNOWN if none of them has them. */
static uint8_t known_presence(app *a, const wchar_t *nick)
{
    int i;

    for (i = 0; i < a->nconvs; i++) {
        member *m = a->convs[i]->is_private ? NULL : members_find(&a->convs[i]->members, nick);
        if (m)
            return m->presence;
    }
    return MEMBER_UNKNOWN;
}

void commands_private(app *a, const wchar_t *nick)
{
    conv *c;

    if (!nick[0])
        return;
    c = conv_open(a, nick, 1);
    if (!c)
        return;
    /* Never "online" on trust: only what a shared room or the person's own message shows. */
    if (!members_find(&c->members, nick))
        members_put(&c->members, nick, known_presence(a, nick), L"");
    if (a->nick[0] && !members_find(&c->members, a->nick))
        members_put(&c->members, a->nick, a->away ? PRESENCE_AWAY : PRESENCE_ONLINE, L"");
    conv_refresh(a, c);
    conv_activate(a, conv_index(a, c));
}

void commands_topic(app *a, const wchar_t *topic)
{
    conv *c = conv_active(a);
    char *room = c && !c->is_private ? wstr_to_utf8(c->name) : NULL;
    char *utf8 = wstr_to_utf8(topic);

    if (room && utf8 && can_send(a))
        net_topic(a->net, room, utf8);
    free(room);
    free(utf8);
}

void commands_away(app *a, const wchar_t *text)
{
    char *utf8;

    if (!can_send(a))
        return;
    utf8 = wstr_to_utf8(text);
    if (utf8 && net_away(a->net, PRESENCE_AWAY, utf8) == 0) {
        a->away = 1;
        status_refresh(a);
    }
    free(utf8);
}

void commands_back(app *a)
{
    if (!can_send(a))
        return;
    if (net_away(a->net, PRESENCE_ONLINE, "") == 0) {
        a->away = 0;
        status_refresh(a);
    }
}

void commands_account(app *a, const wchar_t *account, const char *action)
{
    char *utf8;
    wchar_t waction[16];

    if (!can_send(a))
        return;
    utf8 = wstr_to_utf8(account);
    if (utf8 && net_account(a->net, utf8, action) == 0) {
        wstr_from_utf8_into(waction, 16, action, (size_t)-1);
        conv_line_fmt(a, NULL, TL_INFO, IDS_SYS_ACCOUNT_SENT, waction, account, NULL);
    }
    free(utf8);
}

/* Splits "/word rest" into the command word (without '/') and the rest. */
static const wchar_t *split(const wchar_t *line, wchar_t *word, size_t cap)
{
    size_t n = 0;

    line++; /* the '/' */
    while (*line && !iswspace(*line) && n + 1 < cap)
        word[n++] = *line++;
    word[n] = L'\0';
    while (*line && iswspace(*line))
        line++;
    return line;
}

static void help(app *a, const wchar_t *word)
{
    wchar_t text[512];

    if (word) {
        wchar_t with_slash[40];
        _snwprintf(with_slash, 40, L"/%ls", word);
        with_slash[39] = L'\0';
        conv_line(a, NULL, TL_ERROR,
                  wstr_format_into(text, 512, IDS_SYS_UNKNOWN_COMMAND, with_slash));
    }
    conv_line(a, NULL, TL_INFO, wstr_load(IDS_SYS_COMMANDS, text, 512));
}

/* /history [N]: the room's newest N messages (20 by default) again, however many of them
 * are already shown. 1, or 0 when refused (said why). */
static int history(app *a, const wchar_t *rest)
{
    conv *c = conv_active(a);
    wchar_t text[256], *end = NULL;
    unsigned long n = rest[0] ? wcstoul(rest, &end, 10) : HISTORY_DEFAULT;
    char *room;

    if ((end && *end) || n == 0 || n > HISTORY_MAX) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_HISTORY_USAGE, text, 256));
        return 0;
    }
    if (!c || c->is_private) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_HISTORY_NO_ROOM, text, 256));
        return 0;
    }
    if (!can_send(a))
        return 0;
    room = wstr_to_utf8(c->name);
    if (room && net_history(a->net, room, 0, (uint32_t)n) == 0)
        c->history_asked = 1;
    free(room);
    return 1;
}

static int private_message(app *a, const wchar_t *rest)
{
    wchar_t nick[NAME_MAX_W];
    size_t n = 0;
    char *who, *utf8;
    int sent = 0;

    while (*rest && !iswspace(*rest) && n + 1 < NAME_MAX_W)
        nick[n++] = *rest++;
    nick[n] = L'\0';
    while (*rest && iswspace(*rest))
        rest++;
    if (!nick[0])
        return 1;
    commands_private(a, nick);
    if (!*rest)
        return 1;
    if (!can_send(a))
        return 0;
    who = wstr_to_utf8(nick);
    utf8 = wstr_to_utf8(rest);
    if (who && utf8) {
        wstr_copy(a->priv_target, NAME_MAX_W, nick);
        sent = net_priv(a->net, who, utf8, 0) == 0;
    }
    free(who);
    free(utf8);
    return sent;
}

int commands_submit(app *a, const wchar_t *text)
{
    wchar_t word[32], word_line[128];
    const wchar_t *rest;

    if (text[0] != L'/')
        return say(a, text, 0);
    if (text[1] == L'/')
        return say(a, text + 1, 0);
    rest = split(text, word, 32);
    if (_wcsicmp(word, L"me") == 0) {
        if (!rest[0]) {
            conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_ME_USAGE, word_line, 128));
            return 0; /* the text stays in the box */
        }
        return say(a, rest, PROTO_FLAG_ACTION);
    } else if (_wcsicmp(word, L"history") == 0) {
        return history(a, rest);
    } else if (_wcsicmp(word, L"oper") == 0) {
        return moderate_oper(a, rest);
    } else if (_wcsicmp(word, L"join") == 0) {
        commands_join(a, rest);
    } else if (_wcsicmp(word, L"part") == 0 || _wcsicmp(word, L"leave") == 0) {
        part(a, rest);
    } else if (_wcsicmp(word, L"msg") == 0 || _wcsicmp(word, L"query") == 0) {
        return private_message(a, rest);
    } else if (_wcsicmp(word, L"nick") == 0) {
        char *utf8 = wstr_to_utf8(rest);
        if (utf8 && rest[0] && can_send(a))
            net_nick(a->net, utf8);
        free(utf8);
    } else if (_wcsicmp(word, L"away") == 0) {
        commands_away(a, rest);
    } else if (_wcsicmp(word, L"back") == 0) {
        commands_back(a);
    } else if (_wcsicmp(word, L"topic") == 0) {
        commands_topic(a, rest);
    } else if (_wcsicmp(word, L"rooms") == 0) {
        if (!can_send(a))
            return 1;
        conv_line(a, NULL, TL_INFO, wstr_load(IDS_SYS_ROOMS_HEAD, word_line, 128));
        a->rooms_to_transcript = 1;
        net_rooms(a->net);
    } else if (_wcsicmp(word, L"users") == 0 || _wcsicmp(word, L"names") == 0 ||
               _wcsicmp(word, L"who") == 0) {
        users(a, rest);
    } else if (_wcsicmp(word, L"quit") == 0 || _wcsicmp(word, L"exit") == 0) {
        /* As in parley-cli: goodbye with the reason, if any, and the program ends. */
        char *utf8 = wstr_to_utf8(rest);
        if (a->net)
            net_quit(a->net, utf8 ? utf8 : "");
        free(utf8);
        PostMessageW(a->hwnd, WM_CLOSE, 0, 0);
    } else if (_wcsicmp(word, L"help") == 0) {
        help(a, NULL);
    } else if (alerts_command(a, word, rest)) {
        return 1;
    } else {
        help(a, word);
    }
    return 1;
}

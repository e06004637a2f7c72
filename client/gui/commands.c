/* commands.c — turns the user's requests into queued network requests (net_thread.c hands
 * them to the reconnect layer; nothing here waits on the network) and answers locally when
 * offline. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "conv.h"
#include "resource.h"
#include "status.h"
#include "wstr.h"

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

static void say(app *a, const wchar_t *text)
{
    conv *c = conv_active(a);
    char *name, *utf8;

    if (!c || !can_send(a))
        return;
    name = wstr_to_utf8(c->name);
    utf8 = wstr_to_utf8(text);
    if (name && utf8) {
        if (c->is_private)
            net_priv(a->net, name, utf8);
        else
            net_say(a->net, name, utf8);
    }
    free(name);
    free(utf8);
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

void commands_leave(app *a)
{
    conv *c = conv_active(a);
    char *utf8;

    if (!c)
        return;
    if (!c->is_private && a->net) {
        utf8 = wstr_to_utf8(c->name);
        if (utf8)
            net_part(a->net, utf8);
        free(utf8);
    }
    /* The tab goes at once; the server's confirmation then finds nothing left to close. */
    conv_close(a, a->active);
}

void commands_private(app *a, const wchar_t *nick)
{
    conv *c;

    if (!nick[0])
        return;
    c = conv_open(a, nick, 1);
    if (!c)
        return;
    if (!members_find(&c->members, nick))
        members_put(&c->members, nick, 0, L"");
    if (a->nick[0] && !members_find(&c->members, a->nick))
        members_put(&c->members, a->nick, 0, L"");
    conv_activate(a, conv_index(a, c));
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

static void private_message(app *a, const wchar_t *rest)
{
    wchar_t nick[NAME_MAX_W];
    size_t n = 0;
    char *who, *utf8;

    while (*rest && !iswspace(*rest) && n + 1 < NAME_MAX_W)
        nick[n++] = *rest++;
    nick[n] = L'\0';
    while (*rest && iswspace(*rest))
        rest++;
    if (!nick[0])
        return;
    commands_private(a, nick);
    if (!*rest || !can_send(a))
        return;
    who = wstr_to_utf8(nick);
    utf8 = wstr_to_utf8(rest);
    if (who && utf8)
        net_priv(a->net, who, utf8);
    free(who);
    free(utf8);
}

void commands_submit(app *a, const wchar_t *text)
{
    wchar_t word[32];
    const wchar_t *rest;

    if (text[0] != L'/') {
        say(a, text);
        return;
    }
    if (text[1] == L'/') {
        say(a, text + 1);
        return;
    }
    rest = split(text, word, 32);
    if (_wcsicmp(word, L"join") == 0) {
        commands_join(a, rest);
    } else if (_wcsicmp(word, L"part") == 0 || _wcsicmp(word, L"leave") == 0) {
        commands_leave(a);
    } else if (_wcsicmp(word, L"msg") == 0 || _wcsicmp(word, L"query") == 0) {
        private_message(a, rest);
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
        conv *c = conv_active(a);
        char *room = c && !c->is_private ? wstr_to_utf8(c->name) : NULL;
        char *utf8 = wstr_to_utf8(rest);
        if (room && utf8 && can_send(a))
            net_topic(a->net, room, utf8);
        free(room);
        free(utf8);
    } else if (_wcsicmp(word, L"help") == 0) {
        help(a, NULL);
    } else {
        help(a, word);
    }
}

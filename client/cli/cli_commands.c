/* cli_commands.c — parley-cli's input language: "/join ROOM", "/msg NICK TEXT", ...; any
 * other line is said in the current room ("//text" says "/text"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static char *skip_spaces(char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* Cuts the first word off *rest: returns it NUL-terminated and leaves *rest at the text after
 * the spaces that followed it. */
static char *cut_word(char **rest)
{
    char *w = skip_spaces(*rest), *e = w;

    while (*e && !is_space(*e))
        e++;
    if (*e) {
        *e++ = '\0';
        e = skip_spaces(e);
    }
    *rest = e;
    return w;
}

static void trim_end(char *p)
{
    size_t n = strlen(p);

    while (n && (is_space(p[n - 1]) || p[n - 1] == '\r' || p[n - 1] == '\n'))
        p[--n] = '\0';
}

static void bad(cli_cmd *c, const char *text)
{
    c->kind = CLI_CMD_BAD;
    snprintf(c->error, sizeof c->error, "%s", text);
}

typedef struct cmd_name {
    const char *name;
    cli_cmd_kind kind;
} cmd_name;

static const cmd_name commands[] = {
    {"join", CLI_CMD_JOIN},     {"j", CLI_CMD_JOIN},       {"part", CLI_CMD_PART},
    {"leave", CLI_CMD_PART},    {"msg", CLI_CMD_MSG},      {"query", CLI_CMD_MSG},
    {"nick", CLI_CMD_NICK},     {"away", CLI_CMD_AWAY},    {"back", CLI_CMD_BACK},
    {"topic", CLI_CMD_TOPIC},   {"rooms", CLI_CMD_ROOMS},  {"list", CLI_CMD_ROOMS},
    {"users", CLI_CMD_USERS},   {"names", CLI_CMD_USERS},  {"who", CLI_CMD_USERS},
    {"history", CLI_CMD_HISTORY}, {"quit", CLI_CMD_QUIT},  {"exit", CLI_CMD_QUIT},
    {"help", CLI_CMD_HELP},     {"?", CLI_CMD_HELP},       {"passwd", CLI_CMD_PASSWD},
    {"password", CLI_CMD_PASSWD}, {"read", CLI_CMD_READ},   {"receipts", CLI_CMD_RECEIPTS},
    {"ack", CLI_CMD_ACK},       {"roll", CLI_CMD_ROLL},    {"search", CLI_CMD_SEARCH},
    {"more", CLI_CMD_MORE},     {"me", CLI_CMD_ME},        {"accounts", CLI_CMD_ACCOUNTS},
};

static int name_is_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return 0;
    }
    return *a == *b;
}

void cli_parse(char *line, cli_cmd *c)
{
    char *rest, *word;
    size_t i;

    memset(c, 0, sizeof *c);
    c->a = c->b = c->whole = "";
    trim_end(line);
    if (!*line) {
        c->kind = CLI_CMD_NONE;
        return;
    }
    if (line[0] != '/' || line[1] == '/') {
        /* Text is said as typed, leading spaces included; "//" escapes a leading slash. */
        c->kind = CLI_CMD_SAY;
        c->a = line[0] == '/' ? line + 1 : line;
        return;
    }
    rest = line + 1;
    word = cut_word(&rest);
    c->kind = CLI_CMD_BAD;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (name_is_ci(word, commands[i].name)) {
            c->kind = commands[i].kind;
            break;
        }
    }
    c->whole = rest;
    switch (c->kind) {
    case CLI_CMD_JOIN:
        c->a = cut_word(&rest);
        if (!*c->a || *rest)
            bad(c, "usage: /join ROOM");
        break;
    case CLI_CMD_PART: {
        /* Whether the first word is a room is for the caller to tell: keep the whole text. */
        size_t n = 0;
        while (rest[n] && !is_space(rest[n]))
            n++;
        c->a = rest;
        c->a_len = n;
        c->b = skip_spaces(rest + n);
        break;
    }
    case CLI_CMD_MSG:
        c->a = cut_word(&rest);
        c->b = rest;
        if (!*c->a || !*c->b)
            bad(c, "usage: /msg NICK TEXT");
        break;
    case CLI_CMD_NICK:
        c->a = cut_word(&rest);
        if (!*c->a || *rest)
            bad(c, "usage: /nick NEWNICK");
        break;
    case CLI_CMD_AWAY:
    case CLI_CMD_QUIT:
        c->a = rest;
        break;
    case CLI_CMD_TOPIC:
        c->a = rest;
        if (!*c->a)
            bad(c, "usage: /topic TEXT");
        break;
    case CLI_CMD_ME:
        c->a = rest;
        if (!*c->a)
            bad(c, "usage: /me ACTION (shows as: * you ACTION)");
        break;
    case CLI_CMD_USERS:
        c->a = cut_word(&rest);
        if (*rest)
            bad(c, "usage: /users [ROOM]");
        break;
    case CLI_CMD_HISTORY: {
        char *end;
        unsigned long n;
        c->a = cut_word(&rest);
        c->n = CLI_HISTORY_DEFAULT;
        if (!*c->a)
            break;
        n = strtoul(c->a, &end, 10);
        if (*end || *rest || n == 0 || n > CLI_HISTORY_MAX) {
            bad(c, "usage: /history [N], N from 1 to 1000");
            break;
        }
        c->n = (uint32_t)n;
        break;
    }
    case CLI_CMD_PASSWD:
        if (*rest) { /* a password typed on the line would be on the screen and in history */
            bad(c, "usage: /passwd (no arguments: the passwords are asked for)");
            break;
        }
        break;
    case CLI_CMD_READ: {
        char *end;
        unsigned long long n = 0;
        c->a = cut_word(&rest);
        word = cut_word(&rest);
        if (*word)
            n = strtoull(word, &end, 10);
        if (!*c->a || *rest || (*word && (*end || n == 0))) {
            bad(c, "usage: /read NICK [ID]");
            break;
        }
        c->id = n;
        break;
    }
    case CLI_CMD_RECEIPTS:
        word = cut_word(&rest);
        if (name_is_ci(word, "on"))
            c->n = 1;
        else if (name_is_ci(word, "off"))
            c->n = 0;
        if (*rest || (!name_is_ci(word, "on") && !name_is_ci(word, "off")))
            bad(c, "usage: /receipts on|off");
        break;
    case CLI_CMD_ACK:
    case CLI_CMD_ROLL: {
        char *end;
        unsigned long long id;
        c->a = cut_word(&rest);
        if (!*c->a && c->kind == CLI_CMD_ACK)
            break; /* the latest alert */
        id = strtoull(c->a, &end, 10);
        if (!*c->a || *end || *rest || id == 0 || *c->a == '-') {
            bad(c, c->kind == CLI_CMD_ACK ? "usage: /ack [ID]" : "usage: /roll ID");
            break;
        }
        c->id = (uint64_t)id;
        break;
    }
    case CLI_CMD_SEARCH:
        c->a = rest;
        if (!*c->a)
            bad(c, "usage: /search WORDS [from:NICK] [in:ROOM] [after:YYYY-MM-DD] "
                   "[before:YYYY-MM-DD]");
        break;
    case CLI_CMD_BACK:
    case CLI_CMD_ROOMS:
    case CLI_CMD_MORE:
    case CLI_CMD_HELP:
    case CLI_CMD_ACCOUNTS:
        if (*rest) {
            char text[80];
            snprintf(text, sizeof text, "usage: /%s (no arguments)", word);
            bad(c, text);
        }
        break;
    default: {
        char text[120];
        snprintf(text, sizeof text, "unknown command /%.60s (try /help)", word);
        bad(c, text);
        break;
    }
    }
}

const char *cli_help_text(void)
{
    return "Commands:\n"
           "  /join ROOM            join a room and make it the current one\n"
           "  /part [ROOM] [REASON] leave a room (the current one if none is named)\n"
           "  /msg NICK TEXT        private message\n"
           "  /me ACTION            an action in the current room: * you ACTION\n"
           "  /nick NEWNICK         change your nickname\n"
           "  /away [TEXT]          mark yourself away; /back to return\n"
           "  /topic TEXT           set the current room's topic\n"
           "  /rooms                list the rooms on the server\n"
           "  /users [ROOM]         who is in the room\n"
           "  /history [N]          the last N messages of the current room (default 20)\n"
           "  /passwd               change your account's password (asked for, not shown)\n"
           "  /read NICK [ID]       tell NICK you have read their messages (up to ID; by\n"
           "                        default all shown so far; a terminal does this itself)\n"
           "  /receipts on|off      let people see when you have read their messages\n"
           "  /ack [ID]             acknowledge an alert (the latest one if no ID)\n"
           "  /roll ID              the roll call of an alert you sent (admins: any)\n"
           "  /search WORDS [from:NICK] [in:ROOM] [after:YYYY-MM-DD] [before:YYYY-MM-DD]\n"
           "                        search the rooms you are in, newest first\n"
           "  /more                 the next page of results of the last /search\n"
           "  /accounts             every account on the server: role, disabled, online,\n"
           "                        last login (admins of a server with accounts)\n"
           "  /quit [REASON]        leave\n"
           "  /help                 this text\n"
           "Any other line is said in the current room; start it with // to say a line\n"
           "that begins with /.\n";
}

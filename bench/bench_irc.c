/* bench_irc.c — parley-bench's minimal IRC driver (RFC 2812 subset): NICK/USER, wait for 001,
 * JOIN until 366, PRIVMSG, PING/PONG, QUIT — enough to give an IRC server the same workload. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No IRC server sends lines anywhere near this; a longer one means a broken stream. */
#define LINE_LIMIT 65536u

static int put(bench *b, bconn *c, const char *text, size_t n)
{
    buf_append(&c->out, text, n);
    if (buf_failed(&c->out))
        return -1;
    bench_queue(b, c);
    return 0;
}

static int putf_line(bench *b, bconn *c, const char *a, const char *bb, const char *cc)
{
    char line[600];
    int n = snprintf(line, sizeof line, "%s%s%s\r\n", a, bb, cc);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return put(b, c, line, (size_t)n);
}

int irc_start(bench *b, bconn *c)
{
    char line[200];
    int n = snprintf(line, sizeof line, "NICK %s%zu\r\nUSER pb 0 * :parley-bench\r\n", b->tag,
                     (size_t)(c - b->conns));
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return put(b, c, line, (size_t)n);
}

/* Splits "[:prefix] COMMAND p1 p2 ... [:trailing]" in place. Returns the parameter count. */
static int split(char *line, char **cmd, char **par, int max)
{
    char *p = line;
    int n = 0;

    if (*p == ':') {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        while (*p == ' ')
            p++;
    }
    *cmd = p;
    p = strchr(p, ' ');
    if (!p)
        return 0;
    *p++ = '\0';
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (*p == ':') {
            par[n++] = p + 1;
            break;
        }
        par[n++] = p;
        p = strchr(p, ' ');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static void on_line(bench *b, bconn *c, char *line)
{
    char *cmd = NULL, *par[16];
    int n = split(line, &cmd, par, 16);
    char why[300];

    if (n < 0 || !cmd)
        return;
    if (strcmp(cmd, "PRIVMSG") == 0) {
        if (n >= 2 && par[0][0] == '#' && strcmp(par[0] + 1, b->room) == 0)
            bench_on_text(b, c, par[1], strlen(par[1]));
    } else if (strcmp(cmd, "PING") == 0) {
        putf_line(b, c, "PONG :", n >= 1 ? par[0] : "", "");
    } else if (strcmp(cmd, "001") == 0) {
        bench_on_ready(b, c);
    } else if (strcmp(cmd, "366") == 0) {
        if (n >= 2 && c->joining && par[1][0] == '#' && strcmp(par[1] + 1, b->room) == 0)
            bench_on_joined(b, c);
    } else if (strcmp(cmd, "ERROR") == 0) {
        snprintf(why, sizeof why, "ERROR %s", n >= 1 ? par[0] : "");
        bench_on_server_end(b, c, why);
    } else if ((cmd[0] == '4' || cmd[0] == '5') && strlen(cmd) == 3) {
        /* 433 nick in use, 451 not registered, 404 cannot send, 405 too many channels... */
        snprintf(why, sizeof why, "%s %s %s", cmd, n >= 2 ? par[1] : "", n >= 3 ? par[2] : "");
        if (c->state == CS_LOGIN && strcmp(cmd, "433") == 0)
            bench_on_server_end(b, c, why);
        else if (!b->first_error[0])
            snprintf(b->first_error, sizeof b->first_error, "%.250s", why);
    }
}

int irc_input(bench *b, bconn *c, const uint8_t *data, size_t n)
{
    size_t start = 0, i;

    if (c->line_len + n > c->line_cap) {
        size_t cap = c->line_cap ? c->line_cap : 4096;
        char *p;
        while (cap < c->line_len + n)
            cap *= 2;
        if (!(p = realloc(c->line, cap)))
            return -1;
        c->line = p;
        c->line_cap = cap;
    }
    memcpy(c->line + c->line_len, data, n);
    c->line_len += n;
    for (i = 0; i < c->line_len && c->state != CS_CLOSED; i++) {
        if (c->line[i] != '\n')
            continue;
        c->line[i] = '\0';
        if (i > start && c->line[i - 1] == '\r')
            c->line[i - 1] = '\0';
        on_line(b, c, c->line + start);
        start = i + 1;
    }
    if (c->state == CS_CLOSED)
        return 0;
    if (start) {
        memmove(c->line, c->line + start, c->line_len - start);
        c->line_len -= start;
    }
    if (c->line_len > LINE_LIMIT)
        return -1;
    if (c->line_len == 0 && c->line_cap > 65536) {
        /* A burst (a big NAMES reply) should not pin its buffer for the rest of the run. */
        free(c->line);
        c->line = NULL;
        c->line_cap = 0;
    }
    return 0;
}

int irc_join(bench *b, bconn *c)
{
    return putf_line(b, c, "JOIN #", b->room, "");
}

int irc_say(bench *b, bconn *c, const char *text)
{
    char line[BENCH_ROOM_MAX + BENCH_TEXT_LIMIT + 32];
    int n = snprintf(line, sizeof line, "PRIVMSG #%s :%s\r\n", b->room, text);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return put(b, c, line, (size_t)n);
}

void irc_quit(bench *b, bconn *c)
{
    putf_line(b, c, "QUIT :bye", "", "");
}

void irc_free(bconn *c)
{
    free(c->line);
    c->line = NULL;
    c->line_len = c->line_cap = 0;
}

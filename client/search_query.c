/* search_query.c — parsing what a user types after /search (or into the search box) into a
 * SEARCH request, and sending it. */
#include "search_query.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Local midnight starting day YYYY-MM-DD, in ms since 1970; -1 if s is not such a date. */
static int64_t parse_date(const char *s, size_t n)
{
    struct tm tm;
    int y, mo, d;
    char tail;
    char tmp[16];
    time_t t;

    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (sscanf(tmp, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || y < 1970 || mo < 1 || mo > 12 ||
        d < 1 || d > 31)
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1; /* the local rule for that day */
    t = mktime(&tm);
    if (t == (time_t)-1 || tm.tm_mday != d)
        return -1; /* 2026-02-31 normalises to March: not a date */
    return (int64_t)t * 1000;
}

/* Copies v[0..n) into dst[cap]; -1 if it does not fit. */
static int take(char *dst, size_t cap, const char *v, size_t n)
{
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 0;
}

int pc_search_parse(const char *line, pc_search_req *req, char *err, size_t err_size)
{
    const char *p = line;
    size_t wlen = 0;

    memset(req, 0, sizeof *req);
    for (;;) {
        const char *tok, *v;
        size_t n, vn;
        int64_t ms;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        tok = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        n = (size_t)(p - tok);
        v = memchr(tok, ':', n);
        vn = v ? n - (size_t)(v + 1 - tok) : 0;
        if (v && (v - tok == 4) && strncmp(tok, "from", 4) == 0) {
            if (take(req->nick, sizeof req->nick, v + 1, vn) != 0)
                goto bad_value;
        } else if (v && (v - tok == 2) && strncmp(tok, "in", 2) == 0) {
            if (take(req->room, sizeof req->room, v + 1, vn) != 0)
                goto bad_value;
        } else if (v && (v - tok == 5 || v - tok == 6) &&
                   (strncmp(tok, "after", 5) == 0 || strncmp(tok, "before", 6) == 0)) {
            if ((ms = parse_date(v + 1, vn)) < 0) {
                snprintf(err, err_size, "%.*s: dates are YYYY-MM-DD", (int)n, tok);
                return -1;
            }
            if (tok[0] == 'a')
                req->after_ms = (uint64_t)ms;
            else
                req->before_ms = (uint64_t)ms;
        } else {
            if (wlen + (wlen ? 1 : 0) + n > PROTO_SEARCH_MAX) {
                snprintf(err, err_size, "too many words (at most %d bytes)", PROTO_SEARCH_MAX);
                return -1;
            }
            if (wlen)
                req->words[wlen++] = ' ';
            memcpy(req->words + wlen, tok, n);
            wlen += n;
            req->words[wlen] = '\0';
        }
        continue;
    bad_value:
        snprintf(err, err_size, "%.*s: give a name after the colon", (int)n, tok);
        return -1;
    }
    if (wlen == 0) {
        snprintf(err, err_size, "what to search for? /search WORDS [from:NICK] [in:ROOM] "
                 "[after:YYYY-MM-DD] [before:YYYY-MM-DD]");
        return -1;
    }
    return 0;
}

void pc_search_msg(const pc_search_req *req, proto_msg *m)
{
    memset(m, 0, sizeof *m);
    m->type = PT_SEARCH;
    m->tag = req->tag;
    m->id = req->before_id;
    m->after = req->after_ms;
    m->before = req->before_ms;
    m->count = req->count;
    m->room = proto_s(req->room);
    m->nick = proto_s(req->nick);
    m->text = proto_s(req->words);
}

int pc_search(pc_conn *c, const pc_search_req *req)
{
    proto_msg m;

    pc_search_msg(req, &m);
    return pc_send(c, &m);
}

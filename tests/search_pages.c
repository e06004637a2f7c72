/* search_pages.c — see search_pages.h. */
#include "search_pages.h"

#include <stdio.h>
#include <string.h>

#include "search_query.h"
#include "test.h"

#define WAIT 5000u

/* Receives one page (the hits, then SEARCH_END) or the ERROR refusing it. 0, or -1 if nothing
 * came. */
int recv_page(pc_conn *c, uint32_t tag, page *pg)
{
    proto_msg m;
    memset(pg, 0, sizeof *pg);
    for (;;) {
        int rc = pc_recv(c, &m, WAIT);
        if (rc != 1)
            return -1;
        if (m.type == PT_ERROR && m.tag == tag) {
            pg->error = m.code;
            return 0;
        }
        if (m.type == PT_SEARCH_HIT && m.tag == tag && pg->n < HITS_MAX) {
            hit *h = &pg->hits[pg->n++];
            h->id = m.id;
            h->time = m.time;
            proto_str_copy(h->room, sizeof h->room, m.room);
            proto_str_copy(h->nick, sizeof h->nick, m.nick);
            proto_str_copy(h->target, sizeof h->target, m.target);
            proto_str_copy(h->text, sizeof h->text, m.text);
        }
        if (m.type == PT_SEARCH_END && m.tag == tag) {
            pg->count = m.count;
            pg->flags = m.flags;
            pg->next = m.id;
            return 0;
        }
    }
}

/* Parses line as /search does, sends it with tag and cursor, and receives the page. */
int search_page(pc_conn *c, const char *line, uint32_t tag, uint64_t cursor,
                       uint32_t count, page *pg)
{
    pc_search_req req;
    char err[200];
    if (pc_search_parse(line, &req, err, sizeof err) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot parse \"%s\": %s", line, err);
        return -1;
    }
    req.tag = tag;
    req.before_id = cursor;
    req.count = count;
    if (pc_search(c, &req) != 0)
        return -1;
    return recv_page(c, tag, pg);
}

/* 1 if some hit of pg has exactly this text. */
int has_text(const page *pg, const char *text)
{
    for (size_t i = 0; i < pg->n; i++)
        if (strcmp(pg->hits[i].text, text) == 0)
            return 1;
    return 0;
}

/* search_query.h — a search as a user types it ("fire drill from:alice in:lobby
 * after:2026-12-01 before:2026-12-06"), parsed into a SEARCH request, and sending it. Shared by
 * parley-cli's /search and parley.exe's search box. Portable. */
#ifndef PARLEY_SEARCH_QUERY_H
#define PARLEY_SEARCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "proto.h"

typedef struct pc_search_req {
    char words[PROTO_SEARCH_MAX + 1];
    char nick[PROTO_NICK_MAX + 1]; /* from:NICK, "" = anyone */
    char room[PROTO_ROOM_MAX + 1]; /* in:ROOM, "" = every room the user is in */
    uint64_t after_ms;             /* after:DATE, local midnight starting that day; 0 = none */
    uint64_t before_ms;            /* before:DATE, local midnight starting that day; 0 = none */
    uint64_t before_id;            /* page cursor (SEARCH_END's id); 0 = the first page */
    uint32_t count;                /* page size; 0 = the server's default */
    uint32_t tag;
} pc_search_req;

/* Parses line into req (zeroed first). Words are everything that is not a filter. Returns 0,
 * or -1 with a one-line reason in err (an unknown date, a filter without a value, no word). */
int pc_search_parse(const char *line, pc_search_req *req, char *err, size_t err_size);
/* The SEARCH message for req (its strings point into req). */
void pc_search_msg(const pc_search_req *req, proto_msg *m);
/* Sends SEARCH for req. 0 or -1 as pc_send. */
int pc_search(pc_conn *c, const pc_search_req *req);

#endif

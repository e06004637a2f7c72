/* search_pages.h — the client side of SEARCH for integration tests: one page of results (the
 * hits, then SEARCH_END, or the ERROR refusing it) received and kept. */
#ifndef PARLEY_TEST_SEARCH_PAGES_H
#define PARLEY_TEST_SEARCH_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "proto.h"

#define HITS_MAX 64

typedef struct hit {
    uint64_t id, time;
    char room[PROTO_ROOM_MAX + 1];
    char nick[PROTO_NICK_MAX + 1];
    char target[PROTO_NICK_MAX + 1]; /* the peer of a private conversation's hit */
    char text[256];
} hit;

typedef struct page {
    hit hits[HITS_MAX];
    size_t n;
    uint32_t count; /* SEARCH_END's */
    uint8_t flags;
    uint64_t next;
    uint16_t error; /* the ERROR code if the search was refused, else 0 */
} page;

/* Receives one page for tag. 0, or -1 if nothing came. */
int recv_page(pc_conn *c, uint32_t tag, page *pg);
/* Parses line as /search does, sends it with tag, cursor and count, and receives the page. */
int search_page(pc_conn *c, const char *line, uint32_t tag, uint64_t cursor, uint32_t count,
                page *pg);
/* 1 if some hit of pg has exactly this text. */
int has_text(const page *pg, const char *text);

#endif

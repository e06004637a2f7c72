/* chat_limits.c — limits across sessions: connections and connection rate per address (IPv6
 * counted per /64), and the server-wide budget for queued output. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sock.h"

#define MILLI 1000u
#define RATE_LOG_MS 10000u /* one log line per address per 10 s while its rate limit bites */

/* What is known about one address (or IPv6 /64). Freed once it has no connections and a full
 * bucket: an address that stays away costs nothing. */
typedef struct addr_entry {
    uint32_t conns;
    uint64_t tokens;     /* connect-rate bucket, in thousandths of a connection */
    uint64_t refill_ms;
    uint64_t logged_ms;  /* when the rate limit was last logged for it (0 = never) */
    uint32_t refused;    /* refusals since then */
} addr_entry;

void limits_addr_key(const char *addr, char *key, size_t n)
{
    unsigned char ip[16];
    size_t len;

    /* One IPv6 user typically has a whole /64 to pick addresses from: counting each address
     * alone would let a single machine have 2^64 separate allowances. */
    if (sock_parse_ip(addr, strlen(addr), ip, &len) == 0 && len == 16) {
        size_t at;
        memset(ip + 8, 0, 8);
        sock_format_ip(key, n, ip, 16);
        at = strlen(key);
        snprintf(key + at, n - at, "/64");
        return;
    }
    snprintf(key, n, "%s", addr);
}

static addr_entry *entry_get(chat *c, const char *key, uint64_t now)
{
    addr_entry *a = strmap_get(&c->per_ip, key);

    if (a)
        return a;
    a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->tokens = (uint64_t)c->cfg.connect_burst * MILLI;
    a->refill_ms = now;
    if (strmap_put(&c->per_ip, key, a) != 0) {
        free(a);
        return NULL;
    }
    return a;
}

static void bucket_refill(const chat *c, addr_entry *a, uint64_t now)
{
    uint64_t cap = (uint64_t)c->cfg.connect_burst * MILLI;

    if (now > a->refill_ms)
        a->tokens += (now - a->refill_ms) * c->cfg.connect_rate; /* thousandths per ms */
    a->refill_ms = now;
    if (a->tokens > cap)
        a->tokens = cap;
}

const char *limits_connect(chat *c, const char *addr, uint64_t now)
{
    char key[64];
    addr_entry *a;

    limits_addr_key(addr, key, sizeof key);
    a = entry_get(c, key, now);
    if (!a) {
        log_error("out of memory counting connections from %s", addr);
        return "the server is out of memory";
    }
    if (a->conns >= c->cfg.max_per_ip)
        return "too many connections from your address";
    bucket_refill(c, a, now);
    if (a->tokens < MILLI) {
        a->refused++;
        if (a->logged_ms == 0 || now - a->logged_ms >= RATE_LOG_MS) {
            log_warn("refusing connections from %s: more than %u a second (burst %u); %u "
                     "refused since the last report", key, (unsigned)c->cfg.connect_rate,
                     (unsigned)c->cfg.connect_burst, (unsigned)a->refused);
            a->logged_ms = now;
            a->refused = 0;
        }
        return "connecting too often from your address: wait a few seconds";
    }
    a->tokens -= MILLI;
    a->conns++;
    return NULL;
}

void limits_disconnect(chat *c, const char *addr)
{
    char key[64];
    addr_entry *a;

    limits_addr_key(addr, key, sizeof key);
    a = strmap_get(&c->per_ip, key);
    if (a && a->conns > 0)
        a->conns--;
}

uint32_t limits_connections_from(const chat *c, const char *addr)
{
    char key[64];
    const addr_entry *a;

    limits_addr_key(addr, key, sizeof key);
    a = strmap_get(&c->per_ip, key);
    return a ? a->conns : 0;
}

/* Forgets addresses with no connections whose bucket has refilled. */
static void prune_addresses(chat *c, uint64_t now)
{
    uint64_t cap = (uint64_t)c->cfg.connect_burst * MILLI;
    char key[64];
    size_t pos = 0;
    const char *k;
    void *v;
    int again = 1;

    /* The map must not change while it is walked: remove one found entry per walk. */
    while (again) {
        again = 0;
        pos = 0;
        while (strmap_next(&c->per_ip, &pos, &k, &v)) {
            addr_entry *a = v;
            if (a->conns)
                continue;
            bucket_refill(c, a, now);
            if (a->tokens >= cap) {
                snprintf(key, sizeof key, "%s", k);
                free(strmap_del(&c->per_ip, key));
                again = 1;
                break;
            }
        }
    }
}

void limits_free(chat *c)
{
    size_t pos = 0;
    const char *k;
    void *v;

    while (strmap_next(&c->per_ip, &pos, &k, &v))
        free(v);
    strmap_free(&c->per_ip);
}

/* ---- output budget ---- */

typedef struct queued_session {
    session *s;
    size_t bytes;
} queued_session;

static int by_bytes_desc(const void *a, const void *b)
{
    size_t x = ((const queued_session *)a)->bytes, y = ((const queued_session *)b)->bytes;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Over the server-wide budget, the largest queues are cut first until the rest fits (as
 * Redis's client-output-buffer limits do): the clients that read least pay, not everyone. */
static void enforce_output_budget(chat *c)
{
    queued_session *list;
    uint64_t total = 0;
    size_t n = 0, i;
    session *s;

    for (s = c->sessions; s; s = s->next)
        if (s->state == SESSION_ACTIVE)
            total += net_queued(s->conn);
    if (total <= c->cfg.send_queue_total)
        return;
    list = malloc(c->nsessions * sizeof *list);
    if (!list)
        return;
    for (s = c->sessions; s; s = s->next) {
        if (s->state == SESSION_ACTIVE && net_queued(s->conn) > 0) {
            list[n].s = s;
            list[n].bytes = net_queued(s->conn);
            n++;
        }
    }
    qsort(list, n, sizeof *list, by_bytes_desc);
    for (i = 0; i < n && total > c->cfg.send_queue_total; i++) {
        s = list[i].s;
        log_warn("%s (%s) disconnected: output to all clients is over its budget (%llu bytes "
                 "queued, limit %llu); this client's %zu bytes were the largest queue",
                 s->nick[0] ? s->nick : "-", s->addr, (unsigned long long)total,
                 (unsigned long long)c->cfg.send_queue_total, list[i].bytes);
        total -= list[i].bytes;
        s->state = SESSION_CLOSING;
        net_close(s->conn, 0);
    }
    free(list);
}

void limits_tick(chat *c, uint64_t now)
{
    enforce_output_budget(c);
    if (now - c->last_limits_prune >= 10000 || c->per_ip.count > 4 * c->nsessions + 1024) {
        c->last_limits_prune = now;
        prune_addresses(c, now);
    }
}

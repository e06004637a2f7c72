/* search_bench.c — parley-search-bench: fills a data directory with a large room history
 * (fill), then measures a running parley-server's SEARCH over loopback: time to the first page
 * of a mix of queries (search), or searches kept running back to back as background load while
 * parley-bench measures a fan-out (load). See bench/README.md, "Search". */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "crypto.h"
#include "history.h"
#include "sock.h"
#include "sys.h"
#include "thread.h"

#define VOCAB 5000u
#define NICKS 50u
#define DAY_MS 86400000ull
#define WAIT_MS 600000u /* a first search waits for the whole history to be indexed */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The i-th word of the vocabulary: letters from i, so every word is distinct. */
static void word_of(uint32_t i, char *out)
{
    static const char syll[] = "kalomirusetinabo";
    size_t n = 0;
    do {
        out[n++] = syll[i % 16u];
        i /= 16u;
    } while (i);
    out[n++] = 'x';
    out[n] = '\0';
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A word index skewed towards small ones (a few words are common, most are rare). */
static uint32_t skewed(uint64_t *s)
{
    double u = (double)(rng_next(s) % 1000000u) / 1000000.0;
    return (uint32_t)(VOCAB * u * u * u);
}

static int fill(const char *dir, uint64_t messages, uint32_t rooms)
{
    char err[256], text[512], room[16], nick[16];
    history *h;
    uint64_t seed = 0x9e3779b97f4a7c15ull, now = sys_wall_ms(), id;
    uint32_t per_room = (uint32_t)((messages + rooms - 1) / rooms);

    h = history_open(dir, per_room, FSYNC_NEVER, 0, NULL, err, sizeof err);
    if (!h) {
        fprintf(stderr, "fill: %s\n", err);
        return 1;
    }
    for (uint64_t i = 0; i < messages; i++) {
        size_t n = 0;
        uint32_t words = 6 + (uint32_t)(rng_next(&seed) % 9u);
        for (uint32_t w = 0; w < words; w++) {
            char word[16];
            word_of(skewed(&seed), word);
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", w ? " " : "", word);
        }
        if (i % 1000u == 0) /* some text in other scripts and cases */
            snprintf(text + n, sizeof text - n, " Stra\xC3\x9F" "e \xCE\x95\xCE\x9B\xCE\x88\xCE\x9D\xCE\x97");
        snprintf(room, sizeof room, "s%u", (unsigned)(i % rooms));
        snprintf(nick, sizeof nick, "user%u", (unsigned)(rng_next(&seed) % NICKS));
        /* Spread over the last 30 days, oldest first. */
        if (history_add(h, room, nick, text, now - 30 * DAY_MS + i * (30 * DAY_MS / messages), 0,
                        &id, err, sizeof err) != 0) {
            fprintf(stderr, "fill: %s\n", err);
            history_close(h);
            return 1;
        }
    }
    printf("filled %s: %llu messages in %u rooms (per_room = %u)\n", dir,
           (unsigned long long)history_retained(h), (unsigned)rooms, (unsigned)per_room);
    history_close(h);
    return 0;
}

typedef struct opts {
    uint16_t port;
    const char *secret;
    uint32_t rooms;
    uint32_t queries;
    uint32_t seconds;
    uint32_t clients;
} opts;

static pc_conn *dial(const opts *o, const char *nick)
{
    pc_options po;
    char err[256];
    int code;
    pc_conn *c;

    pc_options_init(&po);
    po.host = "127.0.0.1";
    po.port = o->port;
    po.secret = o->secret;
    po.secret_len = strlen(o->secret);
    po.nick = nick;
    c = pc_connect(&po, &code, err, sizeof err);
    if (!c)
        fprintf(stderr, "%s: %s\n", nick, err);
    return c;
}

/* Joins the search rooms, reading (and dropping) each one's history replay. */
static int join_rooms(const opts *o, pc_conn *c)
{
    proto_msg m;
    char room[16];

    for (uint32_t r = 0; r < o->rooms; r++) {
        snprintf(room, sizeof room, "s%u", (unsigned)r);
        if (pc_join(c, room) != 0)
            return -1;
        for (;;) {
            if (pc_recv(c, &m, WAIT_MS) != 1) {
                fprintf(stderr, "join %s: %s\n", room, pc_error(c));
                return -1;
            }
            if (m.type == PT_HISTORY_END && m.room.n == strlen(room) &&
                memcmp(m.room.p, room, m.room.n) == 0)
                break;
        }
    }
    return 0;
}

enum { Q_COMMON, Q_TWO, Q_RARE, Q_ABSENT, Q_SENDER, Q_CLASSES };
static const char *const class_names[Q_CLASSES] = {"common", "two-words", "rare", "absent",
                                                   "sender"};

/* The query of class k, number i. */
static void query_of(int k, uint32_t i, char *out, size_t size)
{
    char a[16], b[16];
    switch (k) {
    case Q_COMMON:
        word_of(i % 10u, a);
        snprintf(out, size, "%s", a);
        break;
    case Q_TWO:
        word_of(100u + i % 400u, a);
        word_of(200u + (i * 7u) % 400u, b);
        snprintf(out, size, "%s %s", a, b);
        break;
    case Q_RARE:
        word_of(VOCAB - 1u - i % 20u, a);
        snprintf(out, size, "%s", a);
        break;
    case Q_ABSENT:
        snprintf(out, size, "absentword%u", (unsigned)i);
        break;
    default:
        word_of(50u + i % 50u, a);
        snprintf(out, size, "%s", a);
        break;
    }
}

/* Sends one SEARCH and waits for its SEARCH_END: microseconds, or 0 on failure. */
static uint64_t one_search(pc_conn *c, uint32_t tag, const char *words, const char *nick,
                           uint32_t *hits)
{
    proto_msg m;
    uint64_t t0 = now_us();

    memset(&m, 0, sizeof m);
    m.type = PT_SEARCH;
    m.tag = tag;
    m.text = proto_s(words);
    m.nick = proto_s(nick);
    if (pc_send(c, &m) != 0)
        return 0;
    for (;;) {
        if (pc_recv(c, &m, WAIT_MS) != 1)
            return 0;
        if (m.type == PT_ERROR && m.tag == tag) {
            fprintf(stderr, "search \"%s\": %s\n", words, pc_code_name(m.code));
            return 0;
        }
        if (m.type == PT_SEARCH_END && m.tag == tag) {
            *hits = m.count;
            return now_us() - t0 + 1;
        }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(uint64_t *v, size_t n, double q)
{
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return n ? (double)v[i] / 1000.0 : 0.0;
}

static int measure(const opts *o)
{
    uint64_t *all = calloc(o->queries, sizeof *all), *cls[Q_CLASSES];
    size_t ncls[Q_CLASSES] = {0}, n = 0;
    uint32_t hits = 0;
    char words[64], nick[16];
    pc_conn *c = dial(o, "searcher");
    int rc = 1;

    for (int k = 0; k < Q_CLASSES; k++)
        cls[k] = calloc(o->queries, sizeof *cls[k]);
    if (!c || !all || join_rooms(o, c) != 0)
        goto done;
    /* The first search waits until the restored history is indexed: not counted. */
    {
        uint64_t us = one_search(c, 1, "warmup", "", &hits);
        if (!us)
            goto done;
        printf("RESULT scenario=search-first ms=%.0f (from joining: includes indexing what the "
               "server restored, if it is not done yet)\n", (double)us / 1000.0);
    }
    for (uint32_t i = 0; i < o->queries; i++) {
        int k = (int)(i % Q_CLASSES);
        uint64_t us;
        query_of(k, i, words, sizeof words);
        snprintf(nick, sizeof nick, "user%u", (unsigned)(i % NICKS));
        us = one_search(c, i + 2, words, k == Q_SENDER ? nick : "", &hits);
        if (!us)
            goto done;
        all[n++] = us;
        cls[k][ncls[k]++] = us;
    }
    qsort(all, n, sizeof *all, cmp_u64);
    printf("RESULT scenario=search queries=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", n,
           pct_ms(all, n, 0.5), pct_ms(all, n, 0.99), pct_ms(all, n, 1.0));
    for (int k = 0; k < Q_CLASSES; k++) {
        qsort(cls[k], ncls[k], sizeof *cls[k], cmp_u64);
        printf("RESULT scenario=search class=%s queries=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
               class_names[k], ncls[k], pct_ms(cls[k], ncls[k], 0.5),
               pct_ms(cls[k], ncls[k], 0.99), pct_ms(cls[k], ncls[k], 1.0));
    }
    rc = 0;
done:
    pc_close(c);
    free(all);
    for (int k = 0; k < Q_CLASSES; k++)
        free(cls[k]);
    return rc;
}

/* Right after the server starts listening: how long until a search is answered, which is
 * when everything the server restored from its journal has been indexed (a search waits
 * behind it). The searcher is in no room with history, so the search itself costs nothing. */
static int first(const opts *o)
{
    uint64_t t0 = now_us(), us;
    uint32_t hits = 0;
    pc_conn *c = dial(o, "prober");

    if (!c)
        return 1;
    us = one_search(c, 1, "probe", "", &hits);
    pc_close(c);
    if (!us)
        return 1;
    printf("RESULT scenario=search-index ms=%.0f (connect, then a search answered once the "
           "restored history is indexed)\n", (double)(now_us() - t0) / 1000.0);
    return 0;
}

typedef struct loader {
    const opts *o;
    uint32_t id;
    uint64_t done_searches;
    int failed;
} loader;

/* One background searcher: the worst query (a word in no message: every message is looked
 * at) and a common one, alternately, back to back, for o->seconds. */
static void load_main(void *arg)
{
    loader *l = arg;
    char nick[16], words[64];
    uint32_t hits, tag = 1;
    uint64_t until;
    pc_conn *c;

    snprintf(nick, sizeof nick, "loader%u", (unsigned)l->id);
    c = dial(l->o, nick);
    if (!c || join_rooms(l->o, c) != 0 || !one_search(c, tag++, "warmup", "", &hits)) {
        l->failed = 1;
        pc_close(c);
        return;
    }
    /* Joined (the rooms' replays read) and the index is ready: searching starts now. */
    printf("loader %u ready\n", (unsigned)l->id);
    fflush(stdout);
    until = sys_mono_ms() + (uint64_t)l->o->seconds * 1000u;
    while (sys_mono_ms() < until) {
        query_of(tag % 2 ? Q_ABSENT : Q_COMMON, tag, words, sizeof words);
        if (!one_search(c, tag++, words, "", &hits)) {
            l->failed = 1;
            break;
        }
        l->done_searches++;
    }
    pc_close(c);
}

static int load(const opts *o)
{
    loader *ls = calloc(o->clients, sizeof *ls);
    thread_handle **th = calloc(o->clients, sizeof *th);
    uint64_t total = 0;
    int failed = 0;

    if (!ls || !th)
        return 1;
    for (uint32_t i = 0; i < o->clients; i++) {
        ls[i].o = o;
        ls[i].id = i;
        th[i] = thread_start(load_main, &ls[i]);
    }
    for (uint32_t i = 0; i < o->clients; i++) {
        if (th[i])
            thread_join(th[i]);
        total += ls[i].done_searches;
        failed |= ls[i].failed || !th[i];
    }
    printf("RESULT scenario=search-load clients=%u seconds=%u searches=%llu failed=%d\n",
           (unsigned)o->clients, (unsigned)o->seconds, (unsigned long long)total, failed);
    free(ls);
    free(th);
    return failed;
}

static void usage(void)
{
    fprintf(stderr,
            "Usage: parley-search-bench fill DIR MESSAGES ROOMS\n"
            "       parley-search-bench search --port N [--secret S] [--rooms R] [--queries Q]\n"
            "       parley-search-bench first --port N [--secret S]\n"
            "       parley-search-bench load --port N [--secret S] [--rooms R] [--clients K]"
            " [--seconds T]\n");
}

int main(int argc, char **argv)
{
    opts o;
    int i;

    if (argc >= 5 && strcmp(argv[1], "fill") == 0)
        return fill(argv[2], strtoull(argv[3], NULL, 10), (uint32_t)strtoul(argv[4], NULL, 10));
    if (argc < 2 || (strcmp(argv[1], "search") != 0 && strcmp(argv[1], "load") != 0 &&
                     strcmp(argv[1], "first") != 0)) {
        usage();
        return 2;
    }
    memset(&o, 0, sizeof o);
    o.secret = "parley-bench secret";
    o.rooms = 10;
    o.queries = 500;
    o.seconds = 20;
    o.clients = 4;
    for (i = 2; i + 1 < argc; i += 2) {
        unsigned long v = strtoul(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--port") == 0)
            o.port = (uint16_t)v;
        else if (strcmp(argv[i], "--secret") == 0)
            o.secret = argv[i + 1];
        else if (strcmp(argv[i], "--rooms") == 0)
            o.rooms = (uint32_t)v;
        else if (strcmp(argv[i], "--queries") == 0)
            o.queries = (uint32_t)v;
        else if (strcmp(argv[i], "--seconds") == 0)
            o.seconds = (uint32_t)v;
        else if (strcmp(argv[i], "--clients") == 0)
            o.clients = (uint32_t)v;
        else {
            usage();
            return 2;
        }
    }
    if (i != argc || o.port == 0 || o.rooms == 0 || o.queries == 0 || o.clients == 0) {
        usage();
        return 2;
    }
    sock_startup();
    crypto_init();
    if (strcmp(argv[1], "first") == 0)
        return first(&o);
    return strcmp(argv[1], "search") == 0 ? measure(&o) : load(&o);
}

/* history.c — per-room rings of recent messages in memory, journaled to "history.journal" so a
 * restart restores them; compaction keeps the journal near the size of what is retained. */
#include "history.h"
#include "idmark.h"
#include "journal_writer.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsys.h"
#include "log.h"
#include "names.h"

/* Journal record types (first payload byte). Unknown types are skipped at load, so a newer
 * server's journal still loads here. */
#define REC_MSG 1u

/* Compaction runs when the journal holds more than FACTOR times the retained messages (and
 * at least MIN records, so tiny histories are not rewritten over and over). */
#define COMPACT_FACTOR 4u
#define COMPACT_MIN 64u
/* After a failed compaction (e.g. disk full) wait this long before trying again. */
#define COMPACT_RETRY_MS 60000u

/* One message: a single allocation holding "room\0nick\0text\0" after the fixed fields. */
typedef struct hmsg {
    uint64_t id;
    uint64_t time_ms;
    uint8_t flags;
    uint8_t room_len;
    uint8_t nick_len;
    uint16_t text_len;
    char data[1]; /* really room_len + nick_len + text_len + 3 bytes (house style, as outq) */
} hmsg;

/* A room: a ring of its newest messages, oldest at `head`. The ring grows up to per_room so a
 * quiet room does not reserve per_room slots. */
typedef struct hroom {
    struct hroom *next; /* hash chain */
    uint32_t hash;      /* names_hash_ci of the name */
    hmsg **ring;        /* owned, with the messages in it */
    size_t cap;
    size_t head;
    size_t count;
    char name[1];       /* first spelling seen, NUL-terminated; matched case-insensitively */
} hroom;

/* A message submitted to the writer thread and not yet reported written. */
typedef struct hpending {
    struct hpending *next;
    uint64_t seq; /* the writer's sequence number */
    uint32_t tag;
    void *owner;  /* who submitted it (NULL once disowned) */
    hmsg *m;
} hpending;

struct history {
    journal *j;
    journal_writer *writer;  /* NULL: the journal is written synchronously (history_add) */
    hpending *phead, *ptail; /* submitted, oldest first */
    size_t npending;
    uint64_t jrecords;       /* with a writer: records the journal will hold */
    idmark ids;             /* ids handed out without a journal record (history_take_id) */
    uint32_t per_room;
    uint64_t next_id;
    size_t retained;        /* messages in all rings */
    uint64_t bytes;         /* their size (msg_bytes), for the byte budget */
    hroom **buckets;        /* hash table of rooms, nbuckets a power of two */
    size_t nbuckets;
    size_t nrooms;
    uint64_t compact_after_ms; /* no compaction attempt before this tick time (0 = any) */
    buf enc;                /* scratch for encoding records */
};

static const char *msg_room(const hmsg *m)
{
    return m->data;
}

static const char *msg_nick(const hmsg *m)
{
    return m->data + m->room_len + 1;
}

static const char *msg_text(const hmsg *m)
{
    return m->data + m->room_len + 1 + m->nick_len + 1;
}

static hmsg *ring_at(const hroom *r, size_t i)
{
    return r->ring[(r->head + i) % r->cap];
}

/* The callbacks' view of a stored message (borrowing its memory). */
static void msg_view(const hmsg *m, history_msg *v)
{
    v->id = m->id;
    v->time_ms = m->time_ms;
    v->flags = m->flags;
    v->room = msg_room(m);
    v->nick = msg_nick(m);
    v->text = msg_text(m);
    v->text_len = m->text_len;
}

/* What a retained message counts against the byte budget: its fields and a record's fixed
 * part (about what it takes in the journal, and a little less than in memory). */
static uint64_t msg_bytes(const hmsg *m)
{
    return 24u + m->room_len + m->nick_len + m->text_len;
}

static hroom *room_find(const history *h, const char *name, uint32_t hash)
{
    for (hroom *r = h->buckets[hash & (h->nbuckets - 1)]; r; r = r->next)
        if (r->hash == hash && names_equal_ci(r->name, name))
            return r;
    return NULL;
}

/* Doubles the bucket array when rooms outnumber buckets. Failure is harmless: chains grow. */
static void rooms_grow(history *h)
{
    size_t n = h->nbuckets * 2;
    hroom **b = calloc(n, sizeof *b);

    if (!b)
        return;
    for (size_t i = 0; i < h->nbuckets; i++) {
        hroom *r = h->buckets[i];
        while (r) {
            hroom *next = r->next;
            r->next = b[r->hash & (n - 1)];
            b[r->hash & (n - 1)] = r;
            r = next;
        }
    }
    free(h->buckets);
    h->buckets = b;
    h->nbuckets = n;
}

/* Finds the room or creates it empty. NULL if out of memory. */
static hroom *room_get(history *h, const char *name)
{
    uint32_t hash = names_hash_ci(name);
    hroom *r = room_find(h, name, hash);
    size_t len;

    if (r)
        return r;
    len = strlen(name);
    r = calloc(1, offsetof(hroom, name) + len + 1);
    if (!r)
        return NULL;
    memcpy(r->name, name, len + 1);
    r->hash = hash;
    r->next = h->buckets[hash & (h->nbuckets - 1)];
    h->buckets[hash & (h->nbuckets - 1)] = r;
    if (++h->nrooms > h->nbuckets)
        rooms_grow(h);
    return r;
}

/* Makes sure one more message can be pushed without allocating. -1 if out of memory. */
static int ring_reserve(const history *h, hroom *r)
{
    size_t cap;
    hmsg **ring;

    if (r->count < r->cap || r->cap >= h->per_room)
        return 0;
    cap = r->cap ? r->cap * 2 : 4;
    if (cap > h->per_room)
        cap = h->per_room;
    ring = malloc(cap * sizeof *ring);
    if (!ring)
        return -1;
    for (size_t i = 0; i < r->count; i++)
        ring[i] = ring_at(r, i);
    free(r->ring);
    r->ring = ring;
    r->cap = cap;
    r->head = 0;
    return 0;
}

/* Pushes m (ownership passes to the ring) after ring_reserve succeeded; a full ring drops its
 * oldest message. */
static void ring_push(history *h, hroom *r, hmsg *m)
{
    h->bytes += msg_bytes(m);
    if (r->count < r->cap) {
        r->ring[(r->head + r->count) % r->cap] = m;
        r->count++;
        h->retained++;
        return;
    }
    h->bytes -= msg_bytes(r->ring[r->head]);
    free(r->ring[r->head]);
    r->ring[r->head] = m;
    r->head = (r->head + 1) % r->cap;
}

/* A new message, or NULL if out of memory. Lengths are checked by the caller. */
static hmsg *msg_new(uint64_t id, uint64_t time_ms, uint8_t flags, const char *room,
                     size_t room_len, const char *nick, size_t nick_len, const char *text,
                     size_t text_len)
{
    hmsg *m = malloc(offsetof(hmsg, data) + room_len + nick_len + text_len + 3);
    char *p;

    if (!m)
        return NULL;
    m->id = id;
    m->time_ms = time_ms;
    m->flags = flags;
    m->room_len = (uint8_t)room_len;
    m->nick_len = (uint8_t)nick_len;
    m->text_len = (uint16_t)text_len;
    p = m->data;
    memcpy(p, room, room_len);
    p[room_len] = '\0';
    p += room_len + 1;
    memcpy(p, nick, nick_len);
    p[nick_len] = '\0';
    p += nick_len + 1;
    memcpy(p, text, text_len);
    p[text_len] = '\0';
    return m;
}

/* Record: u8 REC_MSG, u64 id, u64 time_ms, u8 flags, u8 room_len, room, u8 nick_len, nick,
 * u16 text_len, text (all big-endian). Returns 0, or -1 if out of memory. */
static int encode_msg(buf *b, const hmsg *m)
{
    buf_reset(b);
    buf_put_u8(b, REC_MSG);
    buf_put_u64(b, m->id);
    buf_put_u64(b, m->time_ms);
    buf_put_u8(b, m->flags);
    buf_put_u8(b, m->room_len);
    buf_append(b, msg_room(m), m->room_len);
    buf_put_u8(b, m->nick_len);
    buf_append(b, msg_nick(m), m->nick_len);
    buf_put_u16(b, m->text_len);
    buf_append(b, msg_text(m), m->text_len);
    return buf_failed(b) ? -1 : 0;
}

/* Text fields must not hold NUL bytes: they are handed out as C strings. */
static int has_nul(const uint8_t *p, size_t n)
{
    return n > 0 && memchr(p, 0, n) != NULL;
}

/* journal_scan_fn: restores one record into the rings. Malformed records (which a valid CRC
 * makes unlikely) are skipped rather than failing the whole load. */
static int load_record(void *user, const uint8_t *payload, size_t n)
{
    history *h = user;
    const uint8_t *room, *nick, *text;
    uint8_t room_len, nick_len, flags;
    uint16_t text_len;
    uint64_t id, time_ms;
    char room_name[HISTORY_ROOM_MAX + 1];
    hroom *r;
    hmsg *m;
    rd in;

    rd_init(&in, payload, n);
    if (rd_u8(&in) != REC_MSG)
        return 0;
    id = rd_u64(&in);
    time_ms = rd_u64(&in);
    flags = rd_u8(&in);
    room_len = rd_u8(&in);
    room = rd_view(&in, room_len);
    nick_len = rd_u8(&in);
    nick = rd_view(&in, nick_len);
    text_len = rd_u16(&in);
    text = rd_view(&in, text_len);
    if (!rd_ok(&in) || room_len == 0 || id == 0 || has_nul(room, room_len) ||
        has_nul(nick, nick_len) || has_nul(text, text_len))
        return 0;
    if (id >= h->next_id)
        h->next_id = id + 1;
    if (h->per_room == 0)
        return 0;
    memcpy(room_name, room, room_len);
    room_name[room_len] = '\0';
    r = room_get(h, room_name);
    if (!r || ring_reserve(h, r) != 0)
        return -1;
    m = msg_new(id, time_ms, flags, (const char *)room, room_len, (const char *)nick, nick_len,
                (const char *)text, text_len);
    if (!m)
        return -1;
    ring_push(h, r, m);
    return 0;
}

static void history_free(history *h)
{
    for (size_t i = 0; i < h->nbuckets; i++) {
        hroom *r = h->buckets[i];
        while (r) {
            hroom *next = r->next;
            for (size_t k = 0; k < r->count; k++)
                free(ring_at(r, k));
            free(r->ring);
            free(r);
            r = next;
        }
    }
    free(h->buckets);
    buf_free(&h->enc);
    idmark_close(&h->ids);
    free(h);
}

history *history_open(const char *dir, uint32_t per_room, fsync_policy fsync,
                      uint64_t interval_ms, journal_recovery *rec, char *err, size_t err_size)
{
    char path[SERVER_PATH_MAX + 32];
    history *h;

    if (fsys_mkdirs(dir, err, err_size) != 0)
        return NULL;
    if (fsys_path_join(path, sizeof path, dir, HISTORY_JOURNAL_NAME) != 0) {
        snprintf(err, err_size, "history: data directory path too long: '%s'", dir);
        return NULL;
    }
    h = calloc(1, sizeof *h);
    if (!h)
        goto oom;
    buf_init(&h->enc);
    h->per_room = per_room;
    h->next_id = 1;
    h->nbuckets = 16;
    h->buckets = calloc(h->nbuckets, sizeof *h->buckets);
    if (!h->buckets) {
        history_free(h);
        goto oom;
    }
    h->j = journal_open(path, fsync, interval_ms, load_record, h, rec, err, err_size);
    if (!h->j) {
        history_free(h);
        return NULL;
    }
    if (idmark_open(&h->ids, dir, err, err_size) != 0) {
        history_close(h);
        return NULL;
    }
    if (h->ids.reserved > h->next_id)
        h->next_id = h->ids.reserved; /* ids below it may have gone out as private messages */
    return h;
oom:
    snprintf(err, err_size, "history: out of memory");
    return NULL;
}

void history_close(history *h)
{
    if (!h)
        return;
    jw_stop(h->writer); /* writes what is queued first */
    while (h->phead) {
        hpending *p = h->phead;
        h->phead = p->next;
        free(p->m);
        free(p);
    }
    journal_close(h->j);
    history_free(h);
}


/* Checks the arguments of an add; -1 with err filled if they cannot be stored. */
static int check_msg(const char *room, const char *nick, const char *text, size_t *room_len,
                     size_t *nick_len, size_t *text_len, char *err, size_t err_size)
{
    if (!room || !nick || !text) {
        snprintf(err, err_size, "history: missing room, nick or text");
        return -1;
    }
    *room_len = strlen(room);
    *nick_len = strlen(nick);
    *text_len = strlen(text);
    if (*room_len == 0 || *room_len > HISTORY_ROOM_MAX || *nick_len > HISTORY_NICK_MAX ||
        *text_len > HISTORY_TEXT_MAX) {
        snprintf(err, err_size, "history: room, nick or text empty or too long");
        return -1;
    }
    return 0;
}

/* The shared half of history_add and history_add_volatile. */
static int add(history *h, int durable, const char *room, const char *nick, const char *text,
               uint64_t time_ms, uint8_t flags, uint64_t *id_out, char *err, size_t err_size)
{
    size_t room_len, nick_len, text_len;
    hroom *r = NULL;
    hmsg *m;

    if (check_msg(room, nick, text, &room_len, &nick_len, &text_len, err, err_size) != 0)
        return -1;
    if (h->per_room == 0) {
        /* Keeping no history: the message still gets an id for live delivery. */
        if (id_out)
            *id_out = h->next_id;
        h->next_id++;
        return 0;
    }
    /* Everything that can fail in memory happens before the journal write, so a message on
     * disk is always in the ring too. */
    m = msg_new(h->next_id, time_ms, flags, room, room_len, nick, nick_len, text, text_len);
    if (!m || !(r = room_get(h, room)) || ring_reserve(h, r) != 0) {
        free(m);
        snprintf(err, err_size, "history: out of memory");
        return -1;
    }
    if (durable) {
        if (encode_msg(&h->enc, m) != 0) {
            free(m);
            snprintf(err, err_size, "history: out of memory");
            return -1;
        }
        if (journal_append(h->j, h->enc.data, h->enc.len, err, err_size) != 0) {
            free(m);
            return -1;
        }
    }
    ring_push(h, r, m);
    if (id_out)
        *id_out = h->next_id;
    h->next_id++;
    return 0;
}

int history_add(history *h, const char *room, const char *nick, const char *text,
                uint64_t time_ms, uint8_t flags, uint64_t *id_out, char *err, size_t err_size)
{
    return add(h, 1, room, nick, text, time_ms, flags, id_out, err, err_size);
}

int history_add_volatile(history *h, const char *room, const char *nick, const char *text,
                         uint64_t time_ms, uint8_t flags, uint64_t *id_out, char *err,
                         size_t err_size)
{
    return add(h, 0, room, nick, text, time_ms, flags, id_out, err, err_size);
}

/* journal_iter_fn for compaction: every retained message, room by room, oldest first (so each
 * room's records stay in id order, which is all loading needs). */
static int emit_retained(void *user, journal_emit_fn emit, void *emit_ctx)
{
    history *h = user;

    for (size_t i = 0; i < h->nbuckets; i++) {
        for (const hroom *r = h->buckets[i]; r; r = r->next) {
            for (size_t k = 0; k < r->count; k++) {
                if (encode_msg(&h->enc, ring_at(r, k)) != 0)
                    return -1;
                if (emit(emit_ctx, h->enc.data, h->enc.len) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* With a writer: makes sure a write of a mark above id + lead is on its way (queued, in order
 * with the journal's writes), asking for a block beyond id when it is not. A failed earlier
 * write is logged and asked for again. */
static int ids_ask(history *h, uint64_t id, uint64_t lead, char *err, size_t err_size)
{
    char why[200];

    if (idmark_failure(&h->ids, why, sizeof why)) {
        log_error("history: %s", why);
        h->ids.asked = idmark_reserved(&h->ids);
    }
    if (id + lead < h->ids.asked)
        return 0;
    if (jw_call(h->writer, idmark_write_fn, &h->ids, id + IDMARK_BLOCK) != 0) {
        snprintf(err, err_size, "ids: out of memory");
        return -1;
    }
    h->ids.asked = id + IDMARK_BLOCK;
    return 0;
}

/* A compaction with a writer thread: the records (retained messages and those still on their
 * way, which the writer puts in the old file first) are encoded here, in memory; the writer
 * does the disk work after the appends queued before it. */
static int compact_async(history *h, char *err, size_t err_size)
{
    buf records;
    uint64_t n = h->retained;

    buf_init(&records);
    if (emit_retained(h, jw_records_emit, &records) != 0)
        goto oom;
    for (const hpending *p = h->phead; p; p = p->next, n++)
        if (encode_msg(&h->enc, p->m) != 0 ||
            jw_records_emit(&records, h->enc.data, h->enc.len) != 0)
            goto oom;
    if (jw_rewrite(h->writer, &records) != 0)
        goto oom;
    h->jrecords = n;
    return 0;
oom:
    buf_free(&records);
    snprintf(err, err_size, "history: out of memory for a compaction");
    return -1;
}

int history_compact(history *h, char *err, size_t err_size)
{
    uint64_t newest = 0;

    for (size_t i = 0; i < h->nbuckets; i++)
        for (const hroom *r = h->buckets[i]; r; r = r->next)
            if (r->count && ring_at(r, r->count - 1)->id > newest)
                newest = ring_at(r, r->count - 1)->id;
    /* The newest id was dropped (expiry, budget, a volatile message): the journal alone would
     * let the sequence go back after a restart, so the mark must cover it. */
    for (const hpending *p = h->phead; p; p = p->next)
        if (p->m->id > newest)
            newest = p->m->id;
    if (h->writer) {
        /* The writer writes the mark before it rewrites, and skips the rewrite if it could
         * not. */
        if (newest + 1 < h->next_id && ids_ask(h, h->next_id - 1, 0, err, err_size) != 0)
            return -1;
        return compact_async(h, err, err_size);
    }
    if (newest + 1 < h->next_id && idmark_cover(&h->ids, h->next_id - 1, err, err_size) != 0)
        return -1;
    return journal_rewrite(h->j, emit_retained, h, err, err_size);
}

/* Drops the room's n oldest messages (all if n >= count). */
static void drop_oldest(history *h, hroom *r, size_t n)
{
    if (n > r->count)
        n = r->count;
    for (size_t k = 0; k < n; k++) {
        hmsg *m = r->ring[r->head];
        h->bytes -= msg_bytes(m);
        free(m);
        r->ring[r->head] = NULL;
        r->head = (r->head + 1) % r->cap;
    }
    r->count -= n;
    h->retained -= n;
}

size_t history_expire(history *h, uint64_t older_than_ms, history_in_use_fn in_use, void *user)
{
    size_t dropped = 0;

    for (size_t i = 0; i < h->nbuckets; i++) {
        for (hroom *r = h->buckets[i]; r; r = r->next) {
            if (r->count == 0 || ring_at(r, r->count - 1)->time_ms >= older_than_ms ||
                (in_use && in_use(user, r->name)))
                continue;
            log_info("history: room %s has had no members and no messages for the expiry "
                     "time; its %zu messages are dropped", r->name, r->count);
            drop_oldest(h, r, r->count);
            dropped++;
        }
    }
    return dropped;
}

size_t history_enforce_budget(history *h, uint64_t max_bytes)
{
    size_t dropped = 0;
    /* Down to 90 %: each trim costs a compaction, which must not follow every new message. */
    uint64_t target = max_bytes - max_bytes / 10;

    if (h->bytes <= max_bytes)
        return 0;
    while (h->bytes > target) {
        hroom *lru = NULL;
        uint64_t before = h->bytes;
        size_t n = 0;
        /* The least recently used room: the one whose newest message came first. Ids say
         * that exactly; clock times do not (a clock put back, two rooms in one millisecond). */
        for (size_t i = 0; i < h->nbuckets; i++)
            for (hroom *r = h->buckets[i]; r; r = r->next)
                if (r->count && (!lru || ring_at(r, r->count - 1)->id <
                                             ring_at(lru, lru->count - 1)->id))
                    lru = r;
        if (!lru)
            break;
        while (lru->count && h->bytes > target) {
            drop_oldest(h, lru, 1);
            n++;
        }
        log_warn("history: over its byte budget (%llu bytes, limit %llu): dropped the %zu "
                 "oldest messages of room %s, the least recently used", (unsigned long long)before,
                 (unsigned long long)max_bytes, n, lru->name);
        dropped += n;
    }
    return dropped;
}

uint64_t history_bytes(const history *h)
{
    return h->bytes;
}

int history_tick(history *h, uint64_t now_ms, char *err, size_t err_size)
{
    uint64_t records = h->writer ? h->jrecords : journal_records(h->j);
    /* With a writer thread, the interval sync is its business. */
    int rc = h->writer ? 0 : journal_tick(h->j, now_ms, err, err_size);

    if (rc != 0)
        return rc;
    if (records < COMPACT_MIN || records <= (uint64_t)h->retained * COMPACT_FACTOR)
        return 0;
    if (h->compact_after_ms && now_ms < h->compact_after_ms)
        return 0;
    if (history_compact(h, err, err_size) != 0) {
        h->compact_after_ms = now_ms + COMPACT_RETRY_MS;
        if (!h->compact_after_ms)
            h->compact_after_ms = 1;
        return -1;
    }
    h->compact_after_ms = 0;
    return 0;
}

size_t history_each(const history *h, const char *room, uint64_t after_id, size_t max,
                    history_msg_fn fn, void *user)
{
    return history_range(h, room, after_id, 0, max, 0, fn, user);
}

size_t history_range(const history *h, const char *room, uint64_t after_id, uint64_t before_id,
                     size_t max, int oldest, history_msg_fn fn, void *user)
{
    const hroom *r;
    size_t first = 0, end, given = 0;

    if (!room || h->per_room == 0)
        return 0;
    r = room_find(h, room, names_hash_ci(room));
    if (!r)
        return 0;
    /* The ring is in id order: [first, end) is the range asked for; then keep the oldest or
     * the newest max of it. */
    while (first < r->count && ring_at(r, first)->id <= after_id)
        first++;
    end = first;
    while (end < r->count && (before_id == 0 || ring_at(r, end)->id < before_id))
        end++;
    if (max && end - first > max) {
        if (oldest)
            end = first + max;
        else
            first = end - max;
    }
    for (size_t i = first; i < end; i++) {
        history_msg v;
        msg_view(ring_at(r, i), &v);
        given++;
        if (fn(user, &v) != 0)
            break;
    }
    return given;
}

int history_room_exists(const history *h, const char *room)
{
    const hroom *r;

    if (!room || h->per_room == 0)
        return 0;
    r = room_find(h, room, names_hash_ci(room));
    return r && r->count > 0;
}

size_t history_room_count(const history *h)
{
    return h->per_room == 0 ? 0 : h->nrooms;
}

size_t history_rooms(const history *h, history_room_fn fn, void *user)
{
    size_t listed = 0;

    for (size_t i = 0; i < h->nbuckets; i++) {
        for (const hroom *r = h->buckets[i]; r; r = r->next) {
            const hmsg *newest;
            if (r->count == 0)
                continue; /* created by an add whose journal write failed */
            newest = ring_at(r, r->count - 1);
            listed++;
            if (fn(user, msg_room(newest), r->count, newest->id) != 0)
                return listed;
        }
    }
    return listed;
}

int history_take_id(history *h, uint64_t *id_out, char *err, size_t err_size)
{
    if (!h->writer) {
        if (idmark_cover(&h->ids, h->next_id, err, err_size) != 0)
            return -1;
    } else {
        /* The next block is asked for half a block ahead, so the writer has 512 ids' time to
         * put it on disk; only an id below the mark on disk goes out. */
        if (ids_ask(h, h->next_id, IDMARK_BLOCK / 2, err, err_size) != 0)
            return -1;
        if (h->next_id >= idmark_reserved(&h->ids)) {
            snprintf(err, err_size, "ids: the id mark for id %llu is not on disk yet",
                     (unsigned long long)h->next_id);
            return -1;
        }
    }
    *id_out = h->next_id++;
    return 0;
}

uint64_t history_next_id(const history *h)
{
    return h->next_id;
}

size_t history_retained(const history *h)
{
    return h->retained;
}

uint64_t history_journal_records(const history *h)
{
    return h->writer ? h->jrecords : journal_records(h->j);
}

/* ---- the journal on a writer thread ---- */

int history_start_writer(history *h, jw_notify_fn notify, void *user, uint64_t interval_ms,
                         char *err, size_t err_size)
{
    /* The first block is written now, before anyone can ask for an id. */
    if (idmark_cover(&h->ids, h->next_id, err, err_size) != 0)
        return -1;
    h->jrecords = journal_records(h->j);
    h->writer = jw_start(h->j, interval_ms, notify, user);
    if (!h->writer) {
        snprintf(err, err_size, "history: cannot start the journal writer thread");
        return -1;
    }
    return 0;
}

int history_submit(history *h, const char *room, const char *nick, const char *text,
                   uint64_t time_ms, uint8_t flags, uint32_t tag, void *owner,
                   uint64_t *id_out, char *err, size_t err_size)
{
    size_t room_len, nick_len, text_len;
    hpending *p;
    hmsg *m;

    assert(h->writer);
    if (check_msg(room, nick, text, &room_len, &nick_len, &text_len, err, err_size) != 0)
        return -1;
    *id_out = h->next_id;
    if (h->per_room == 0) {
        h->next_id++;
        return 1; /* nothing to write: deliver now */
    }
    m = msg_new(h->next_id, time_ms, flags, room, room_len, nick, nick_len, text, text_len);
    p = calloc(1, sizeof *p);
    if (!m || !p || encode_msg(&h->enc, m) != 0 ||
        (p->seq = jw_append(h->writer, h->enc.data, h->enc.len)) == 0) {
        free(m);
        free(p);
        snprintf(err, err_size, "history: out of memory");
        return -1;
    }
    p->tag = tag;
    p->owner = owner;
    p->m = m;
    if (h->ptail)
        h->ptail->next = p;
    else
        h->phead = p;
    h->ptail = p;
    h->npending++;
    h->jrecords++;
    h->next_id++;
    return 0;
}

typedef struct collect_ctx {
    history *h;
    history_done_fn fn;
    void *user;
} collect_ctx;

/* jw_result_fn: the next submitted message is written (or failed): into the ring, then the
 * caller delivers it. */
static void on_written(void *user, uint64_t seq, int ok, const char *err)
{
    collect_ctx *x = user;
    history *h = x->h;
    hpending *p = h->phead;
    history_msg v;
    hroom *r;

    if (seq == 0) {
        if (!ok)
            log_error("history journal: %s", err);
        return;
    }
    assert(p && p->seq == seq);
    h->phead = p->next;
    if (!h->phead)
        h->ptail = NULL;
    h->npending--;
    if (!ok)
        h->jrecords--;
    msg_view(p->m, &v);
    /* In the ring only now (a joiner cannot come between this and the delivery in fn, which
     * runs in the same turn of the core), and before fn, whose requests that waited for this
     * write (a HISTORY, say) must find it. A failed write is kept in memory all the same
     * (like history_add_volatile). */
    r = room_get(h, v.room);
    if (r && ring_reserve(h, r) == 0) {
        ring_push(h, r, p->m);
        p->m = NULL;
    }
    x->fn(x->user, &v, p->tag, p->owner, ok, err);
    free(p->m); /* only if it could not join the ring */
    free(p);
}

void history_disown(history *h, const void *owner)
{
    for (hpending *p = h->phead; p; p = p->next)
        if (p->owner == owner)
            p->owner = NULL;
}

size_t history_collect(history *h, history_done_fn fn, void *user)
{
    collect_ctx x;

    if (!h->writer)
        return 0;
    x.h = h;
    x.fn = fn;
    x.user = user;
    return jw_collect(h->writer, on_written, &x);
}

int history_find(const history *h, const char *room, uint64_t id, history_msg_fn fn, void *user)
{
    const hroom *r;
    history_msg v;
    size_t lo = 0, hi;

    if (!room || h->per_room == 0)
        return 0;
    r = room_find(h, room, names_hash_ci(room));
    if (!r)
        return 0;
    hi = r->count;
    while (lo < hi) { /* the ring is in id order */
        size_t mid = lo + (hi - lo) / 2;
        if (ring_at(r, mid)->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == r->count || ring_at(r, lo)->id != id)
        return 0;
    msg_view(ring_at(r, lo), &v);
    fn(user, &v);
    return 1;
}

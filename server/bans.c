/* bans.c — nick and address bans with expiry, journaled to "bans.journal" (add/remove records,
 * rewritten without dead entries at load). Addresses are parsed here, portably, into 16-byte
 * IPv6 form (IPv4 as ::ffff:a.b.c.d) so exact addresses, CIDR blocks and mapped forms all
 * match by prefix comparison. */
#include "bans.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsys.h"
#include "names.h"
#include "sock.h"
#include "uname.h"

#define REC_ADD 1u
#define REC_REMOVE 2u

/* Rewrite the journal when it holds this many times more records than live bans (plus some
 * slack), so endless add/remove cycles cannot grow it without bound between restarts. */
#define COMPACT_FACTOR 4u
#define COMPACT_MIN 64u

typedef struct ban {
    ban_kind kind;
    uint64_t expires_ms;
    uint64_t set_ms;
    uint8_t net[16]; /* BAN_ADDR: the address, host bits cleared */
    unsigned prefix; /* BAN_ADDR: significant bits of net, 0..128 */
    char target[BANS_TARGET_MAX + 1];
    char reason[BANS_REASON_MAX + 1];
    char by[BANS_BY_MAX + 1];
} ban;

/* A change queued for the writer thread and not yet reported written. */
typedef struct bpending {
    struct bpending *next;
    uint64_t seq;  /* the writer's sequence number */
    int removed;   /* 1: a remove of b, else an add */
    void *owner;   /* who asked (NULL once disowned) */
    ban b;
} bpending;

struct bans {
    journal *j;
    ban *list; /* owned; unordered */
    size_t count;
    size_t cap;
    buf enc;              /* scratch for encoding records */
    journal_writer *writer;    /* NULL: changes are written synchronously */
    bpending *phead, *ptail;   /* queued, oldest first */
    size_t pending_adds;       /* queued adds, each with room kept in list */
    uint64_t jrecords;         /* with a writer: records the journal will hold */
};

/* ---- address parsing ------------------------------------------------------------------ */

/* Parses "addr" or "addr/prefix" (IPv4 or IPv6, an IPv6 zone "%..." ignored) into 16-byte
 * form with *prefix significant bits and the host bits cleared. allow_prefix = 0 rejects a
 * "/prefix" (for the address being checked). 0 on success. */
static int parse_addr(const char *s, int allow_prefix, uint8_t net[16], unsigned *prefix)
{
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    const char *zone = memchr(s, '%', n);
    unsigned bits, max_bits;
    int v6 = memchr(s, ':', n) != NULL;

    if (zone && v6)
        n = (size_t)(zone - s);
    if (v6) {
        size_t len;
        if (sock_parse_ip(s, n, net, &len) != 0 || len != 16)
            return -1;
        max_bits = 128;
    } else {
        uint8_t v4[16];
        size_t len;
        if (sock_parse_ip(s, n, v4, &len) != 0 || len != 4)
            return -1;
        memset(net, 0, 10);
        net[10] = net[11] = 0xff; /* ::ffff:a.b.c.d, so mapped IPv6 forms match too */
        memcpy(net + 12, v4, 4);
        max_bits = 32;
    }
    bits = max_bits;
    if (slash) {
        const char *p = slash + 1;
        if (!allow_prefix || !*p)
            return -1;
        bits = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9' || bits > max_bits)
                return -1;
            bits = bits * 10 + (unsigned)(*p - '0');
        }
        if (bits > max_bits)
            return -1;
    }
    *prefix = v6 ? bits : 96 + bits;
    for (unsigned b = *prefix; b < 128; b++)
        net[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
    return 0;
}

/* 1 if the first prefix bits of a and net agree. */
static int prefix_match(const uint8_t a[16], const uint8_t net[16], unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;

    if (memcmp(a, net, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    return ((a[full] ^ net[full]) & (uint8_t)(0xffu << (8 - rest))) == 0;
}

/* ---- the in-memory set ---------------------------------------------------------------- */

static int is_expired(const ban *b, uint64_t now_ms)
{
    return b->expires_ms != 0 && b->expires_ms <= now_ms;
}

/* 1 if nick bans a and b name the same nick: one name in any case or normalisation (uname.h),
 * or, for targets that are not valid names (bans set before the rules), equal up to ASCII case. */
static int same_nick(const char *a, const char *b)
{
    return names_equal_ci(a, b) || uname_same(a, b);
}

/* Index of the ban with this identity, or -1. For addresses, identity is the block. */
static long find_ban(const bans *s, ban_kind kind, const char *target, const uint8_t net[16],
                     unsigned prefix)
{
    for (size_t i = 0; i < s->count; i++) {
        const ban *b = &s->list[i];
        if (b->kind != kind)
            continue;
        if (kind == BAN_NICK ? same_nick(b->target, target)
                             : b->prefix == prefix && memcmp(b->net, net, 16) == 0)
            return (long)i;
    }
    return -1;
}

/* Index of the ban an unban of target (nick: any spelling; address: the same address or
 * block) lifts, or -1. */
static long find_target(const bans *s, ban_kind kind, const char *target)
{
    uint8_t net[16];
    unsigned prefix = 0;

    if (!target || (kind != BAN_NICK && kind != BAN_ADDR))
        return -1;
    if (kind == BAN_ADDR && parse_addr(target, 1, net, &prefix) != 0)
        return -1;
    return find_ban(s, kind, target, net, prefix);
}

static void remove_at(bans *s, size_t i)
{
    s->list[i] = s->list[--s->count];
}

/* Copies src (n bytes) into a fixed field of cap + 1 bytes. */
static void set_field(char *dst, size_t cap, const char *src, size_t n)
{
    if (n > cap)
        n = cap;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A ban checked and ready to store, built from arguments or a journal record. */
static int make_ban(ban *b, ban_kind kind, const char *target, size_t target_len,
                    uint64_t expires_ms, uint64_t set_ms, const char *reason, size_t reason_len,
                    const char *by, size_t by_len, char *err, size_t err_size)
{
    memset(b, 0, sizeof *b);
    if (kind != BAN_NICK && kind != BAN_ADDR) {
        snprintf(err, err_size, "bans: unknown ban kind %d", (int)kind);
        return -1;
    }
    if (target_len == 0 || target_len > BANS_TARGET_MAX || memchr(target, 0, target_len) ||
        reason_len > BANS_REASON_MAX || by_len > BANS_BY_MAX ||
        (reason_len && memchr(reason, 0, reason_len)) || (by_len && memchr(by, 0, by_len))) {
        snprintf(err, err_size, "bans: target, reason or author empty or too long");
        return -1;
    }
    b->kind = kind;
    b->expires_ms = expires_ms;
    b->set_ms = set_ms;
    set_field(b->target, BANS_TARGET_MAX, target, target_len);
    set_field(b->reason, BANS_REASON_MAX, reason ? reason : "", reason_len);
    set_field(b->by, BANS_BY_MAX, by ? by : "", by_len);
    if (kind == BAN_ADDR && parse_addr(b->target, 1, b->net, &b->prefix) != 0) {
        snprintf(err, err_size, "bans: '%s' is not a numeric IPv4/IPv6 address or CIDR block",
                 b->target);
        return -1;
    }
    return 0;
}

/* Makes room in the list for extra more bans than it holds. -1 if out of memory. */
static int make_room(bans *s, size_t extra)
{
    size_t cap = s->cap ? s->cap : 16;
    ban *list;

    while (cap < s->count + extra)
        cap *= 2;
    if (cap == s->cap)
        return 0;
    list = realloc(s->list, cap * sizeof *list);
    if (!list)
        return -1;
    s->list = list;
    s->cap = cap;
    return 0;
}

/* Stores b, replacing the ban with the same identity. -1 if out of memory. */
static int put_ban(bans *s, const ban *b)
{
    long at = find_ban(s, b->kind, b->target, b->net, b->prefix);

    if (at >= 0) {
        s->list[at] = *b;
        return 0;
    }
    if (make_room(s, 1) != 0)
        return -1;
    s->list[s->count++] = *b;
    return 0;
}

/* ---- journal records ------------------------------------------------------------------ */

/* Add: u8 REC_ADD, u8 kind, u64 expires_ms, u64 set_ms, u8 len + target, u8 len + reason,
 * u8 len + by. Remove: u8 REC_REMOVE, u8 kind, u8 len + target. Big-endian. */
static int encode_add(buf *e, const ban *b)
{
    size_t tl = strlen(b->target), rl = strlen(b->reason), bl = strlen(b->by);

    buf_reset(e);
    buf_put_u8(e, REC_ADD);
    buf_put_u8(e, (uint8_t)b->kind);
    buf_put_u64(e, b->expires_ms);
    buf_put_u64(e, b->set_ms);
    buf_put_u8(e, (uint8_t)tl);
    buf_append(e, b->target, tl);
    buf_put_u8(e, (uint8_t)rl);
    buf_append(e, b->reason, rl);
    buf_put_u8(e, (uint8_t)bl);
    buf_append(e, b->by, bl);
    return buf_failed(e) ? -1 : 0;
}

static int encode_remove(buf *e, ban_kind kind, const char *target)
{
    size_t tl = strlen(target);

    buf_reset(e);
    buf_put_u8(e, REC_REMOVE);
    buf_put_u8(e, (uint8_t)kind);
    buf_put_u8(e, (uint8_t)tl);
    buf_append(e, target, tl);
    return buf_failed(e) ? -1 : 0;
}

/* journal_scan_fn: replays one record. Records that do not parse are skipped (a valid CRC
 * makes them unlikely, and one bad ban must not keep the server from starting). */
static int load_record(void *user, const uint8_t *payload, size_t n)
{
    bans *s = user;
    rd in;
    uint8_t type, kind, len;
    const char *target, *reason = NULL, *by = NULL;
    size_t target_len, reason_len = 0, by_len = 0;
    uint64_t expires_ms = 0, set_ms = 0;
    char err[160];
    ban b;

    rd_init(&in, payload, n);
    type = rd_u8(&in);
    kind = rd_u8(&in);
    if (type == REC_ADD) {
        expires_ms = rd_u64(&in);
        set_ms = rd_u64(&in);
    } else if (type != REC_REMOVE) {
        return 0;
    }
    len = rd_u8(&in);
    target = (const char *)rd_view(&in, len);
    target_len = len;
    if (type == REC_ADD) {
        reason_len = rd_u8(&in);
        reason = (const char *)rd_view(&in, reason_len);
        by_len = rd_u8(&in);
        by = (const char *)rd_view(&in, by_len);
    }
    if (!rd_ok(&in))
        return 0;
    if (make_ban(&b, (ban_kind)kind, target, target_len, expires_ms, set_ms, reason,
                 reason_len, by, by_len, err, sizeof err) != 0)
        return 0;
    if (type == REC_REMOVE) {
        long at = find_ban(s, b.kind, b.target, b.net, b.prefix);
        if (at >= 0)
            remove_at(s, (size_t)at);
        return 0;
    }
    /* Stored even if expired: it still replaces an older entry for the same target. Expired
     * bans are dropped once the whole journal is read. */
    return put_ban(s, &b);
}

/* journal_iter_fn: one add record per ban. */
static int emit_all(void *user, journal_emit_fn emit, void *emit_ctx)
{
    bans *s = user;

    for (size_t i = 0; i < s->count; i++) {
        if (encode_add(&s->enc, &s->list[i]) != 0)
            return -1;
        if (emit(emit_ctx, s->enc.data, s->enc.len) != 0)
            return -1;
    }
    return 0;
}

/* Rewrites the journal with the live bans. A failure is not reported: the old journal is
 * still correct, only longer, and the next open or change tries again. */
static void compact(bans *s)
{
    char ignored[256];
    journal_rewrite(s->j, emit_all, s, ignored, sizeof ignored);
}

/* With a writer: the live bans, encoded here, rewritten there. Only with nothing queued, so
 * that the records are the whole truth. A failure keeps the longer journal (see compact). */
static void compact_async(bans *s)
{
    buf records;

    buf_init(&records);
    if (emit_all(s, jw_records_emit, &records) != 0 || jw_rewrite(s->writer, &records) != 0) {
        buf_free(&records);
        return;
    }
    s->jrecords = s->count;
}

static void maybe_compact(bans *s)
{
    uint64_t records = s->writer ? s->jrecords : journal_records(s->j);
    if (records < COMPACT_MIN || records <= (uint64_t)s->count * COMPACT_FACTOR)
        return;
    if (!s->writer)
        compact(s);
    else if (!s->phead)
        compact_async(s);
}

/* ---- public API ----------------------------------------------------------------------- */

bans *bans_open(const char *dir, uint64_t now_ms, journal_recovery *rec, char *err,
                size_t err_size)
{
    char path[SERVER_PATH_MAX + 32];
    bans *s;

    if (fsys_mkdirs(dir, err, err_size) != 0)
        return NULL;
    if (fsys_path_join(path, sizeof path, dir, BANS_JOURNAL_NAME) != 0) {
        snprintf(err, err_size, "bans: data directory path too long: '%s'", dir);
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "bans: out of memory");
        return NULL;
    }
    buf_init(&s->enc);
    /* Ban changes are rare and must survive a crash right after an operator makes them. */
    s->j = journal_open(path, FSYNC_ALWAYS, 0, load_record, s, rec, err, err_size);
    if (!s->j) {
        buf_free(&s->enc);
        free(s->list);
        free(s);
        return NULL;
    }
    bans_expire(s, now_ms);
    /* Expired and removed bans, and replaced entries, leave records behind: drop them. */
    if (journal_records(s->j) != s->count)
        compact(s);
    return s;
}

void bans_close(bans *s)
{
    if (!s)
        return;
    jw_stop(s->writer); /* writes what is queued first */
    while (s->phead) {
        bpending *p = s->phead;
        s->phead = p->next;
        free(p);
    }
    journal_close(s->j);
    buf_free(&s->enc);
    free(s->list);
    free(s);
}

int bans_add(bans *s, ban_kind kind, const char *target, uint64_t expires_ms,
             const char *reason, const char *by, uint64_t now_ms, char *err, size_t err_size)
{
    ban b;

    if (!target) {
        snprintf(err, err_size, "bans: missing target");
        return -1;
    }
    if (make_ban(&b, kind, target, strlen(target), expires_ms, now_ms, reason,
                 reason ? strlen(reason) : 0, by, by ? strlen(by) : 0, err, err_size) != 0)
        return -1;
    /* Room in the list first, so that nothing on disk is missing from memory. */
    if (make_room(s, 1) != 0) {
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    if (encode_add(&s->enc, &b) != 0) {
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    if (journal_append(s->j, s->enc.data, s->enc.len, err, err_size) != 0)
        return -1;
    put_ban(s, &b); /* cannot fail: room was made above */
    maybe_compact(s);
    return 0;
}

int bans_remove(bans *s, ban_kind kind, const char *target, char *err, size_t err_size)
{
    long at;

    at = find_target(s, kind, target);
    if (at < 0)
        return 0;
    /* The stored spelling, so the record replays against the same entry. */
    if (encode_remove(&s->enc, kind, s->list[at].target) != 0) {
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    if (journal_append(s->j, s->enc.data, s->enc.len, err, err_size) != 0)
        return -1;
    remove_at(s, (size_t)at);
    maybe_compact(s);
    return 1;
}

/* ---- with a writer thread ---- */

int bans_start_writer(bans *s, jw_notify_fn notify, void *user, char *err, size_t err_size)
{
    s->jrecords = journal_records(s->j);
    /* No interval: the journal syncs every record itself (FSYNC_ALWAYS). */
    s->writer = jw_start(s->j, 0, notify, user);
    if (!s->writer) {
        snprintf(err, err_size, "bans: cannot start the journal writer thread");
        return -1;
    }
    return 0;
}

/* Queues the record in s->enc for the change p describes. -1 if out of memory. */
static int submit(bans *s, bpending *p, char *err, size_t err_size)
{
    p->seq = jw_append(s->writer, s->enc.data, s->enc.len);
    if (p->seq == 0) {
        free(p);
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    if (s->ptail)
        s->ptail->next = p;
    else
        s->phead = p;
    s->ptail = p;
    s->jrecords++;
    return 0;
}

int bans_submit_add(bans *s, ban_kind kind, const char *target, uint64_t expires_ms,
                    const char *reason, const char *by, uint64_t now_ms, void *owner,
                    char *err, size_t err_size)
{
    bpending *p;

    assert(s->writer);
    if (!target) {
        snprintf(err, err_size, "bans: missing target");
        return -1;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    if (make_ban(&p->b, kind, target, strlen(target), expires_ms, now_ms, reason,
                 reason ? strlen(reason) : 0, by, by ? strlen(by) : 0, err, err_size) != 0) {
        free(p);
        return -1;
    }
    /* Room for every queued add, so that nothing on disk will be missing from memory. */
    if (make_room(s, s->pending_adds + 1) != 0 || encode_add(&s->enc, &p->b) != 0) {
        free(p);
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    p->owner = owner;
    if (submit(s, p, err, err_size) != 0)
        return -1;
    s->pending_adds++;
    return 0;
}

int bans_submit_remove(bans *s, ban_kind kind, const char *target, void *owner, char *err,
                       size_t err_size)
{
    bpending *p;
    long at;

    assert(s->writer);
    at = find_target(s, kind, target);
    if (at < 0)
        return 0;
    p = calloc(1, sizeof *p);
    /* The stored spelling, so the record replays against the same entry. */
    if (!p || encode_remove(&s->enc, kind, s->list[at].target) != 0) {
        free(p);
        snprintf(err, err_size, "bans: out of memory");
        return -1;
    }
    p->removed = 1;
    p->owner = owner;
    p->b = s->list[at];
    return submit(s, p, err, err_size) == 0 ? 1 : -1;
}

typedef struct collect_ctx {
    bans *s;
    bans_done_fn fn;
    void *user;
} collect_ctx;

/* jw_result_fn: the oldest queued change is written (or failed): into effect, then reported. */
static void on_written(void *user, uint64_t seq, int ok, const char *err)
{
    collect_ctx *x = user;
    bans *s = x->s;
    bpending *p = s->phead;
    ban_view v;

    if (seq == 0)
        return; /* a compaction: a failure leaves the old journal, still correct */
    assert(p && p->seq == seq);
    s->phead = p->next;
    if (!s->phead)
        s->ptail = NULL;
    if (!p->removed)
        s->pending_adds--;
    if (!ok) {
        s->jrecords--;
    } else if (p->removed) {
        long at = find_ban(s, p->b.kind, p->b.target, p->b.net, p->b.prefix);
        if (at >= 0)
            remove_at(s, (size_t)at);
    } else {
        put_ban(s, &p->b); /* cannot fail: room was kept at submission */
    }
    v.kind = p->b.kind;
    v.target = p->b.target;
    v.expires_ms = p->b.expires_ms;
    v.set_ms = p->b.set_ms;
    v.reason = p->b.reason;
    v.by = p->b.by;
    x->fn(x->user, p->removed, &v, p->owner, ok, err);
    free(p);
}

size_t bans_collect(bans *s, bans_done_fn fn, void *user)
{
    collect_ctx x;
    size_t n;

    if (!s->writer)
        return 0;
    x.s = s;
    x.fn = fn;
    x.user = user;
    n = jw_collect(s->writer, on_written, &x);
    if (n)
        maybe_compact(s);
    return n;
}

void bans_disown(bans *s, const void *owner)
{
    for (bpending *p = s->phead; p; p = p->next)
        if (p->owner == owner)
            p->owner = NULL;
}

int bans_check(const bans *s, const char *nick, const char *addr, uint64_t now_ms,
               ban_info *out)
{
    uint8_t a[16];
    unsigned bits;
    int have_addr = addr && parse_addr(addr, 0, a, &bits) == 0;

    for (size_t i = 0; i < s->count; i++) {
        const ban *b = &s->list[i];
        int hit;
        if (is_expired(b, now_ms))
            continue;
        if (b->kind == BAN_NICK)
            hit = nick && same_nick(b->target, nick);
        else
            hit = have_addr && prefix_match(a, b->net, b->prefix);
        if (!hit)
            continue;
        if (out) {
            out->kind = b->kind;
            memcpy(out->target, b->target, sizeof out->target);
            out->expires_ms = b->expires_ms;
            out->set_ms = b->set_ms;
            memcpy(out->reason, b->reason, sizeof out->reason);
            memcpy(out->by, b->by, sizeof out->by);
        }
        return 1;
    }
    return 0;
}

size_t bans_list(const bans *s, uint64_t now_ms, bans_list_fn fn, void *user)
{
    size_t listed = 0;

    for (size_t i = 0; i < s->count; i++) {
        const ban *b = &s->list[i];
        ban_view v;
        if (is_expired(b, now_ms))
            continue;
        v.kind = b->kind;
        v.target = b->target;
        v.expires_ms = b->expires_ms;
        v.set_ms = b->set_ms;
        v.reason = b->reason;
        v.by = b->by;
        listed++;
        if (fn(user, &v) != 0)
            break;
    }
    return listed;
}

size_t bans_expire(bans *s, uint64_t now_ms)
{
    size_t dropped = 0;

    for (size_t i = 0; i < s->count;) {
        if (is_expired(&s->list[i], now_ms)) {
            remove_at(s, i);
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}

size_t bans_count(const bans *s)
{
    return s->count;
}

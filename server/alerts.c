/* alerts.c — the alert store (alerts.h): alerts and their roll calls in memory, every change a
 * journal record applied by the one function that also replays the journal at open. */
#include "alerts.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsys.h"
#include "journal_writer.h"
#include "log.h"

/* Record types. Names are u8 length + bytes, strings u16 (u32 for text) length + bytes.
 *   NEW:   u8 1, u64 id, u64 time, u32 duration, name sender, str to, text, u32 n, n names
 *   SHOWN: u8 2, u64 id, u64 time, u32 n, n names
 *   ACK:   u8 3, u64 id, u64 time, name
 *   STATE: u8 4, u64 id, u32 n, n times (name, u8 state, u64 shown, u64 acked) — written by
 *          compaction: the recipients' states in one record
 *   NEXT:  u8 5, u64 next id — written by compaction, so that ids of dropped alerts are
 *          never given again */
enum { REC_NEW = 1, REC_SHOWN = 2, REC_ACK = 3, REC_STATE = 4, REC_NEXT = 5 };

/* A NEW or ACK record on its way to the disk: applied, and answered, once written. */
typedef struct apending {
    uint64_t seq;             /* the writer's sequence number of the record */
    uint8_t type;             /* REC_NEW or REC_ACK */
    uint64_t id;
    char name[PROTO_NICK_MAX + 1]; /* ACK: who acknowledged */
    void *owner;
    uint32_t tag;
    uint8_t *rec;             /* the record, applied once written */
    size_t rec_len;
    struct apending *next;
} apending;

struct alerts {
    journal *j;
    journal_writer *writer;   /* NULL: every change is written at once (tools, tests) */
    alert *list;     /* in id order */
    size_t count;
    size_t cap;
    uint64_t next_id;
    apending *phead, *ptail;
    int compact_due; /* alerts were dropped; the journal is rewritten once nothing is pending */
    buf enc;         /* scratch for encoding records */
};

/* ---- lookups ------------------------------------------------------------------------------ */

const alert *alerts_get(const alerts *a, uint64_t id)
{
    size_t lo = 0, hi = a->count;
    while (lo < hi) { /* ids only grow, so the list is sorted by id */
        size_t mid = lo + (hi - lo) / 2;
        if (a->list[mid].id == id)
            return &a->list[mid];
        if (a->list[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int rcpt_cmp(const void *x, const void *y)
{
    return strcmp(((const alert_rcpt *)x)->key, ((const alert_rcpt *)y)->key);
}

static alert_rcpt *rcpt_by_key(const alert *al, const char *key)
{
    alert_rcpt probe;
    snprintf(probe.key, sizeof probe.key, "%s", key);
    return bsearch(&probe, al->rcpts, al->nrcpts, sizeof probe, rcpt_cmp);
}

const alert_rcpt *alerts_rcpt(const alert *al, const char *name)
{
    char key[UNAME_KEY_CAP(PROTO_NICK_MAX)];
    if (uname_key(name, strlen(name), key, sizeof key) != 0)
        return NULL;
    return rcpt_by_key(al, key);
}

size_t alerts_count(const alerts *a)
{
    return a->count;
}

const alert *alerts_at(const alerts *a, size_t i)
{
    return i < a->count ? &a->list[i] : NULL;
}

int alerts_expired(const alert *al, uint64_t now_ms)
{
    return al->duration_s && now_ms >= al->time_ms + (uint64_t)al->duration_s * 1000u;
}

void alerts_tally(const alert *al, size_t counts[3])
{
    size_t i;
    counts[0] = counts[1] = counts[2] = 0;
    for (i = 0; i < al->nrcpts; i++)
        counts[al->rcpts[i].state <= ROLL_ACKED ? al->rcpts[i].state : 0]++;
}

/* ---- applying records (replay and live alike) --------------------------------------------- */

/* Reads a u8-length name into out; 0, or -1 if it is malformed. */
static int read_name(rd *r, char out[PROTO_NICK_MAX + 1])
{
    size_t n = rd_u8(r);
    const uint8_t *p = n ? rd_view(r, n) : NULL;
    if (!rd_ok(r) || n > PROTO_NICK_MAX)
        return -1;
    if (n)
        memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* A heap copy of a length-prefixed string (u16 or u32 length), or NULL. */
static char *read_str(rd *r, int wide)
{
    size_t n = wide ? rd_u32(r) : rd_u16(r);
    const uint8_t *p = n && rd_ok(r) ? rd_view(r, n) : NULL;
    char *s;
    if (!rd_ok(r) || !(s = malloc(n + 1)))
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void alert_free(alert *al)
{
    free(al->to);
    free(al->text);
    free(al->rcpts);
}

static int apply_new(alerts *a, rd *r)
{
    alert al;
    size_t i, n, kept = 0;

    memset(&al, 0, sizeof al);
    al.id = rd_u64(r);
    al.time_ms = rd_u64(r);
    al.duration_s = rd_u32(r);
    if (read_name(r, al.sender) != 0 || !(al.to = read_str(r, 0)) || !(al.text = read_str(r, 1)))
        goto fail;
    n = rd_u32(r);
    /* Ids only grow (next_id may be ahead: ids handed out to records still being written). */
    if (!rd_ok(r) || n == 0 || n > ALERTS_RCPT_MAX ||
        (a->count && al.id <= a->list[a->count - 1].id))
        goto fail;
    if (!(al.rcpts = calloc(n, sizeof *al.rcpts)))
        goto fail;
    for (i = 0; i < n; i++) {
        alert_rcpt *rc = &al.rcpts[kept];
        if (read_name(r, rc->name) != 0)
            goto fail;
        if (uname_key(rc->name, strlen(rc->name), rc->key, sizeof rc->key) != 0)
            continue; /* not a name: nobody can ever log in as it */
        kept++;
    }
    qsort(al.rcpts, kept, sizeof *al.rcpts, rcpt_cmp);
    for (i = 0, n = 0; i < kept; i++) /* one entry per name */
        if (n == 0 || strcmp(al.rcpts[n - 1].key, al.rcpts[i].key) != 0)
            al.rcpts[n++] = al.rcpts[i];
    al.nrcpts = n;
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        alert *list = realloc(a->list, cap * sizeof *list);
        if (!list)
            goto fail;
        a->list = list;
        a->cap = cap;
    }
    a->list[a->count++] = al;
    if (al.id >= a->next_id)
        a->next_id = al.id + 1;
    return 0;
fail:
    alert_free(&al);
    return -1;
}

/* SHOWN and ACK: the recipients' new state. A name that is not a recipient is skipped. */
static int apply_state(alerts *a, rd *r, uint8_t type)
{
    uint64_t id = rd_u64(r), time = rd_u64(r);
    const alert *al = alerts_get(a, id);
    char name[PROTO_NICK_MAX + 1], key[UNAME_KEY_CAP(PROTO_NICK_MAX)];
    size_t i, n = type == REC_SHOWN ? rd_u32(r) : 1;

    if (!rd_ok(r) || !al)
        return -1;
    for (i = 0; i < n; i++) {
        alert_rcpt *rc;
        if (read_name(r, name) != 0)
            return -1;
        if (uname_key(name, strlen(name), key, sizeof key) != 0 || !(rc = rcpt_by_key(al, key)))
            continue;
        if (type == REC_SHOWN && rc->state == ROLL_PENDING) {
            rc->state = ROLL_SHOWN;
            rc->shown_ms = time;
        } else if (type == REC_ACK && rc->state != ROLL_ACKED) {
            if (!rc->shown_ms)
                rc->shown_ms = time;
            rc->state = ROLL_ACKED;
            rc->ack_ms = time;
        }
    }
    return 0;
}

/* STATE (compaction): every recipient's state and times as they were. */
static int apply_snapshot(alerts *a, rd *r)
{
    const alert *al = alerts_get(a, rd_u64(r));
    char name[PROTO_NICK_MAX + 1], key[UNAME_KEY_CAP(PROTO_NICK_MAX)];
    size_t i, n = rd_u32(r);

    if (!rd_ok(r) || !al)
        return -1;
    for (i = 0; i < n; i++) {
        alert_rcpt *rc;
        uint8_t state;
        uint64_t shown, acked;
        if (read_name(r, name) != 0)
            return -1;
        state = rd_u8(r);
        shown = rd_u64(r);
        acked = rd_u64(r);
        if (!rd_ok(r) || state > ROLL_ACKED)
            return -1;
        if (uname_key(name, strlen(name), key, sizeof key) != 0 || !(rc = rcpt_by_key(al, key)))
            continue;
        rc->state = state;
        rc->shown_ms = shown;
        rc->ack_ms = acked;
    }
    return 0;
}

static int apply(void *user, const uint8_t *payload, size_t n)
{
    alerts *a = user;
    rd r;
    int rc = 0;
    uint8_t type;
    uint64_t next;

    rd_init(&r, payload, n);
    type = rd_u8(&r);
    if (type == REC_NEW)
        rc = apply_new(a, &r);
    else if (type == REC_SHOWN || type == REC_ACK)
        rc = apply_state(a, &r, type);
    else if (type == REC_STATE)
        rc = apply_snapshot(a, &r);
    else if (type == REC_NEXT && (next = rd_u64(&r)) > a->next_id)
        a->next_id = next;
    else if (type != REC_NEXT)
        rc = -1;
    return rc == 0 && rd_ok(&r) && rd_left(&r) == 0 ? 0 : -1;
}

/* Writes the record in a->enc: at once without a writer, else queued (its sequence number in
 * *seq). 0, or -1 with err filled. */
static int write_enc(alerts *a, uint64_t *seq, char *err, size_t err_size)
{
    if (buf_failed(&a->enc)) {
        snprintf(err, err_size, "alerts: out of memory");
        return -1;
    }
    if (!a->writer)
        return a->j ? journal_append(a->j, a->enc.data, a->enc.len, err, err_size) : 0;
    *seq = jw_append(a->writer, a->enc.data, a->enc.len);
    if (*seq == 0) {
        snprintf(err, err_size, "alerts: out of memory");
        return -1;
    }
    return 0;
}

/* Applies the record in a->enc (it is written or queued). */
static int apply_enc(alerts *a, char *err, size_t err_size)
{
    if (apply(a, a->enc.data, a->enc.len) != 0) {
        snprintf(err, err_size, "alerts: a record could not be applied (out of memory)");
        return -1;
    }
    return 0;
}

/* A NEW or ACK record in a->enc: without a writer written and applied now (1); with one
 * queued (0) and applied when alerts_collect finds it written. -1 with err filled. */
static int submit(alerts *a, uint8_t type, uint64_t id, const char *name, void *owner,
                  uint32_t tag, char *err, size_t err_size)
{
    apending *p;
    uint64_t seq = 0;

    if (!a->writer) {
        if (write_enc(a, &seq, err, err_size) != 0 || apply_enc(a, err, err_size) != 0)
            return -1;
        return 1;
    }
    p = calloc(1, sizeof *p);
    if (!p || buf_failed(&a->enc) || !(p->rec = malloc(a->enc.len))) {
        free(p);
        snprintf(err, err_size, "alerts: out of memory");
        return -1;
    }
    memcpy(p->rec, a->enc.data, a->enc.len);
    p->rec_len = a->enc.len;
    if (write_enc(a, &seq, err, err_size) != 0) {
        free(p->rec);
        free(p);
        return -1;
    }
    p->seq = seq;
    p->type = type;
    p->id = id;
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    p->owner = owner;
    p->tag = tag;
    if (a->ptail)
        a->ptail->next = p;
    else
        a->phead = p;
    a->ptail = p;
    return 0;
}

static void put_name(buf *b, const char *name)
{
    size_t n = strlen(name);
    buf_put_u8(b, (uint8_t)n);
    buf_append(b, name, n);
}

/* ---- changes ----------------------------------------------------------------------------- */

int alerts_add(alerts *a, const char *sender, uint64_t now_ms, uint32_t duration_s,
               const char *to, const char *text, const char *const *names, size_t n,
               void *owner, uint32_t tag, uint64_t *id_out, char *err, size_t err_size)
{
    size_t i, to_n = strlen(to), text_n = strlen(text);
    uint64_t id = a->next_id;
    int rc;

    if (n == 0 || n > ALERTS_RCPT_MAX || strlen(sender) > PROTO_NICK_MAX || to_n > 0xFFFFu) {
        snprintf(err, err_size, "alerts: between 1 and %u recipients", ALERTS_RCPT_MAX);
        return -1;
    }
    buf_reset(&a->enc);
    buf_put_u8(&a->enc, REC_NEW);
    buf_put_u64(&a->enc, id);
    buf_put_u64(&a->enc, now_ms);
    buf_put_u32(&a->enc, duration_s);
    put_name(&a->enc, sender);
    buf_put_u16(&a->enc, (uint16_t)to_n);
    buf_append(&a->enc, to, to_n);
    buf_put_u32(&a->enc, (uint32_t)text_n);
    buf_append(&a->enc, text, text_n);
    buf_put_u32(&a->enc, (uint32_t)n);
    for (i = 0; i < n; i++) {
        if (strlen(names[i]) > PROTO_NICK_MAX) {
            snprintf(err, err_size, "alerts: recipient name too long");
            return -1;
        }
        put_name(&a->enc, names[i]);
    }
    rc = submit(a, REC_NEW, id, NULL, owner, tag, err, err_size);
    if (rc >= 0) {
        a->next_id = id + 1; /* taken, even if its write fails */
        *id_out = id;
    }
    return rc;
}

int alerts_mark_shown(alerts *a, uint64_t id, const char *const *names, size_t n,
                      uint64_t now_ms, char *err, size_t err_size)
{
    const alert *al = alerts_get(a, id);
    size_t i, count = 0;
    uint64_t seq;

    if (!al) {
        snprintf(err, err_size, "alerts: no alert %llu", (unsigned long long)id);
        return -1;
    }
    buf_reset(&a->enc);
    buf_put_u8(&a->enc, REC_SHOWN);
    buf_put_u64(&a->enc, id);
    buf_put_u64(&a->enc, now_ms);
    buf_put_u32(&a->enc, 0); /* the count, filled in below */
    for (i = 0; i < n; i++) {
        const alert_rcpt *rc = alerts_rcpt(al, names[i]);
        if (!rc || rc->state != ROLL_PENDING)
            continue;
        put_name(&a->enc, rc->name);
        count++;
    }
    if (count == 0)
        return 0; /* nothing changes: no record */
    if (!buf_failed(&a->enc))
        be_put32(a->enc.data + 17, (uint32_t)count);
    /* Applied now, written in order behind the alert's own record: only the roll call's
     * times depend on it, and nobody waits for it. */
    if (write_enc(a, &seq, err, err_size) != 0)
        return -1;
    return apply_enc(a, err, err_size);
}

int alerts_ack(alerts *a, uint64_t id, const char *name, uint64_t now_ms, void *owner,
               char *err, size_t err_size)
{
    const alert *al = alerts_get(a, id);
    const alert_rcpt *rc = al ? alerts_rcpt(al, name) : NULL;

    if (!rc) {
        snprintf(err, err_size, "alerts: %s is not a recipient of alert %llu", name,
                 (unsigned long long)id);
        return -1;
    }
    if (rc->state == ROLL_ACKED)
        return 1;
    buf_reset(&a->enc);
    buf_put_u8(&a->enc, REC_ACK);
    buf_put_u64(&a->enc, id);
    buf_put_u64(&a->enc, now_ms);
    put_name(&a->enc, rc->name);
    return submit(a, REC_ACK, id, name, owner, 0, err, err_size);
}

/* ---- the writer thread ------------------------------------------------------------------- */

int alerts_start_writer(alerts *a, void (*notify)(void *user), void *user, uint64_t interval_ms,
                        char *err, size_t err_size)
{
    a->writer = jw_start(a->j, interval_ms, notify, user);
    if (!a->writer) {
        snprintf(err, err_size, "alerts: cannot start the journal writer thread");
        return -1;
    }
    return 0;
}

void alerts_disown(alerts *a, const void *owner)
{
    apending *p;
    for (p = a->phead; p; p = p->next)
        if (p->owner == owner)
            p->owner = NULL;
}

typedef struct collect_ctx {
    alerts *a;
    alerts_done_fn fn;
    void *user;
} collect_ctx;

/* jw_result_fn: the head of the pending list is written (applied, then answered), or a
 * SHOWN record, a rewrite or an interval sync (only a failure is worth a word). */
static void on_written(void *user, uint64_t seq, int ok, const char *err)
{
    collect_ctx *x = user;
    alerts *a = x->a;
    apending *p = a->phead;
    char why[128];

    if (!p || p->seq != seq) {
        if (!ok)
            log_error("alerts journal: %s", err);
        return;
    }
    a->phead = p->next;
    if (!a->phead)
        a->ptail = NULL;
    /* Not written: not applied either, as if it had never been asked (the sender is told). */
    if (ok && apply(a, p->rec, p->rec_len) != 0) {
        snprintf(why, sizeof why, "alerts: a record could not be applied (out of memory)");
        ok = 0;
        err = why;
    }
    x->fn(x->user, p->type == REC_NEW ? ALERTS_DONE_NEW : ALERTS_DONE_ACK, p->id,
          p->type == REC_ACK ? p->name : NULL, p->owner, p->tag, ok, err);
    free(p->rec);
    free(p);
}

size_t alerts_collect(alerts *a, alerts_done_fn fn, void *user)
{
    collect_ctx x;
    if (!a->writer)
        return 0;
    x.a = a;
    x.fn = fn;
    x.user = user;
    return jw_collect(a->writer, on_written, &x);
}

/* ---- retention and compaction ------------------------------------------------------------ */

uint64_t alerts_finished_ms(const alert *al)
{
    uint64_t expiry = al->duration_s ? al->time_ms + (uint64_t)al->duration_s * 1000u : 0;
    uint64_t last_ack = 1; /* all acknowledged at time 0 still counts as finished */
    size_t i;

    for (i = 0; i < al->nrcpts; i++) {
        if (al->rcpts[i].state != ROLL_ACKED)
            return expiry;
        if (al->rcpts[i].ack_ms > last_ack)
            last_ack = al->rcpts[i].ack_ms;
    }
    return expiry && expiry < last_ack ? expiry : last_ack;
}

/* 1 if an acknowledgement of alert id is still being written (it must find its alert). */
static int ack_pending(const alerts *a, uint64_t id)
{
    const apending *p;
    for (p = a->phead; p; p = p->next)
        if (p->id == id)
            return 1;
    return 0;
}

size_t alerts_drop_finished(alerts *a, uint64_t now_ms, uint64_t keep_ms)
{
    size_t i, kept = 0, dropped;

    if (keep_ms == 0)
        return 0;
    for (i = 0; i < a->count; i++) {
        uint64_t done = alerts_finished_ms(&a->list[i]);
        if (done && done + keep_ms <= now_ms && !ack_pending(a, a->list[i].id))
            alert_free(&a->list[i]);
        else
            a->list[kept++] = a->list[i];
    }
    dropped = a->count - kept;
    a->count = kept;
    if (dropped)
        a->compact_due = 1;
    return dropped;
}

/* journal_iter_fn: the records that rebuild the store as it is: the next id, then each alert
 * and its recipients' states. */
static int emit_all(void *user, journal_emit_fn emit, void *emit_ctx)
{
    alerts *a = user;
    buf *b = &a->enc;
    size_t i, k, to_n, text_n;

    buf_reset(b);
    buf_put_u8(b, REC_NEXT);
    buf_put_u64(b, a->next_id);
    if (buf_failed(b) || emit(emit_ctx, b->data, b->len) != 0)
        return -1;
    for (i = 0; i < a->count; i++) {
        const alert *al = &a->list[i];
        size_t changed = 0;
        to_n = strlen(al->to);
        text_n = strlen(al->text);
        buf_reset(b);
        buf_put_u8(b, REC_NEW);
        buf_put_u64(b, al->id);
        buf_put_u64(b, al->time_ms);
        buf_put_u32(b, al->duration_s);
        put_name(b, al->sender);
        buf_put_u16(b, (uint16_t)to_n);
        buf_append(b, al->to, to_n);
        buf_put_u32(b, (uint32_t)text_n);
        buf_append(b, al->text, text_n);
        buf_put_u32(b, (uint32_t)al->nrcpts);
        for (k = 0; k < al->nrcpts; k++) {
            put_name(b, al->rcpts[k].name);
            changed += al->rcpts[k].state != ROLL_PENDING;
        }
        if (buf_failed(b) || emit(emit_ctx, b->data, b->len) != 0)
            return -1;
        if (changed == 0)
            continue;
        buf_reset(b);
        buf_put_u8(b, REC_STATE);
        buf_put_u64(b, al->id);
        buf_put_u32(b, (uint32_t)changed);
        for (k = 0; k < al->nrcpts; k++) {
            const alert_rcpt *rc = &al->rcpts[k];
            if (rc->state == ROLL_PENDING)
                continue;
            put_name(b, rc->name);
            buf_put_u8(b, rc->state);
            buf_put_u64(b, rc->shown_ms);
            buf_put_u64(b, rc->ack_ms);
        }
        if (buf_failed(b) || emit(emit_ctx, b->data, b->len) != 0)
            return -1;
    }
    return 0;
}

int alerts_compact(alerts *a, char *err, size_t err_size)
{
    buf records;

    if (!a->compact_due || !a->j)
        return 0;
    if (!a->writer) {
        if (journal_rewrite(a->j, emit_all, a, err, err_size) != 0)
            return -1;
        a->compact_due = 0;
        return 0;
    }
    if (a->phead)
        return 0; /* later: what is being written is not in memory yet, so not in the rewrite */
    buf_init(&records);
    if (emit_all(a, jw_records_emit, &records) != 0 || jw_rewrite(a->writer, &records) != 0) {
        buf_free(&records);
        snprintf(err, err_size, "alerts: out of memory compacting the journal");
        return -1;
    }
    a->compact_due = 0;
    return 0;
}

/* ---- life cycle ------------------------------------------------------------------------- */

static alerts *store_new(void)
{
    alerts *a = calloc(1, sizeof *a);
    if (a) {
        buf_init(&a->enc);
        a->next_id = 1;
    }
    return a;
}

/* The store loaded from dir's journal: opened for appending (writable), or only read. */
static alerts *load(const char *dir, int writable, fsync_policy policy, uint64_t interval_ms,
                    journal_recovery *rec, char *err, size_t err_size)
{
    char path[SERVER_PATH_MAX];
    alerts *a;

    if (fsys_path_join(path, sizeof path, dir, ALERTS_JOURNAL_NAME) != 0) {
        snprintf(err, err_size, "alerts: data directory path too long");
        return NULL;
    }
    if (!(a = store_new())) {
        snprintf(err, err_size, "alerts: out of memory");
        return NULL;
    }
    if (writable ? !(a->j = journal_open(path, policy, interval_ms, apply, a, rec, err,
                                         err_size))
                 : journal_read(path, apply, a, rec, err, err_size) != 0) {
        alerts_close(a);
        return NULL;
    }
    return a;
}

alerts *alerts_open(const char *dir, fsync_policy policy, uint64_t interval_ms,
                    journal_recovery *rec, char *err, size_t err_size)
{
    return load(dir, 1, policy, interval_ms, rec, err, err_size);
}

alerts *alerts_read(const char *dir, journal_recovery *rec, char *err, size_t err_size)
{
    return load(dir, 0, FSYNC_NEVER, 0, rec, err, err_size);
}

void alerts_close(alerts *a)
{
    size_t i;
    if (!a)
        return;
    jw_stop(a->writer); /* writes what is queued first: the next start applies it */
    while (a->phead) {
        apending *p = a->phead;
        a->phead = p->next;
        free(p->rec);
        free(p);
    }
    journal_close(a->j);
    for (i = 0; i < a->count; i++)
        alert_free(&a->list[i]);
    free(a->list);
    buf_free(&a->enc);
    free(a);
}

/* ---- audit listing ------------------------------------------------------------------------ */

static void print_time(FILE *out, uint64_t ms)
{
    char t[25];
    log_format_time(t, ms);
    t[19] = 'Z'; /* to the second */
    t[20] = '\0';
    fputs(t, out);
}

void alerts_print(const alerts *a, uint64_t now_ms, uint64_t keep_ms, FILE *out)
{
    size_t i, k, counts[3];

    if (a->count == 0)
        fprintf(out, "no alerts\n");
    for (i = 0; i < a->count; i++) {
        const alert *al = &a->list[i];
        alerts_tally(al, counts);
        fprintf(out, "alert %llu from %s at ", (unsigned long long)al->id, al->sender);
        print_time(out, al->time_ms);
        if (al->duration_s) {
            fprintf(out, ", %s ", alerts_expired(al, now_ms) ? "expired" : "expires");
            print_time(out, al->time_ms + (uint64_t)al->duration_s * 1000u);
        }
        if (keep_ms && alerts_finished_ms(al)) { /* when retention ([alerts] keep) drops it */
            fputs(", kept until ", out);
            print_time(out, alerts_finished_ms(al) + keep_ms);
        }
        fprintf(out, "\n  to: %s\n  text: ", al->to);
        for (k = 0; al->text[k]; k++) /* one line: the text's line breaks shown as " / " */
            if (al->text[k] == '\n')
                fputs(" / ", out);
            else
                fputc(al->text[k] == '\t' ? ' ' : al->text[k], out);
        fprintf(out, "\n  roll call: %lu acknowledged, %lu shown, %lu not delivered\n",
                (unsigned long)counts[ROLL_ACKED], (unsigned long)counts[ROLL_SHOWN],
                (unsigned long)counts[ROLL_PENDING]);
        for (k = 0; k < al->nrcpts; k++) {
            const alert_rcpt *rc = &al->rcpts[k];
            fprintf(out, "    %-32s %s", rc->name, proto_roll_state_text(rc->state));
            if (rc->state != ROLL_PENDING) {
                fputc(' ', out);
                print_time(out, rc->state == ROLL_ACKED ? rc->ack_ms : rc->shown_ms);
            }
            fputc('\n', out);
        }
    }
}

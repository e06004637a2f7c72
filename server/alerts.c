/* alerts.c — the alert store (alerts.h): alerts and their roll calls in memory, every change a
 * journal record applied by the one function that also replays the journal at open. */
#include "alerts.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsys.h"
#include "log.h"

/* Record types. Names are u8 length + bytes, strings u16 (u32 for text) length + bytes.
 *   NEW:   u8 1, u64 id, u64 time, u32 duration, name sender, str to, text, u32 n, n names
 *   SHOWN: u8 2, u64 id, u64 time, u32 n, n names
 *   ACK:   u8 3, u64 id, u64 time, name */
enum { REC_NEW = 1, REC_SHOWN = 2, REC_ACK = 3 };

struct alerts {
    journal *j;
    alert *list;     /* in id order */
    size_t count;
    size_t cap;
    uint64_t next_id;
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
    if (!rd_ok(r) || n == 0 || n > ALERTS_RCPT_MAX || al.id < a->next_id)
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

static int apply(void *user, const uint8_t *payload, size_t n)
{
    alerts *a = user;
    rd r;
    int rc;
    uint8_t type;

    rd_init(&r, payload, n);
    type = rd_u8(&r);
    if (type == REC_NEW)
        rc = apply_new(a, &r);
    else if (type == REC_SHOWN || type == REC_ACK)
        rc = apply_state(a, &r, type);
    else
        rc = -1;
    return rc == 0 && rd_ok(&r) && rd_left(&r) == 0 ? 0 : -1;
}

/* Journals the record in a->enc, then applies it. */
static int commit(alerts *a, char *err, size_t err_size)
{
    if (buf_failed(&a->enc)) {
        snprintf(err, err_size, "alerts: out of memory");
        return -1;
    }
    if (a->j && journal_append(a->j, a->enc.data, a->enc.len, err, err_size) != 0)
        return -1;
    if (apply(a, a->enc.data, a->enc.len) != 0) {
        snprintf(err, err_size, "alerts: a record could not be applied (out of memory)");
        return -1;
    }
    return 0;
}

static void put_name(buf *b, const char *name)
{
    size_t n = strlen(name);
    buf_put_u8(b, (uint8_t)n);
    buf_append(b, name, n);
}

/* ---- changes ----------------------------------------------------------------------------- */

const alert *alerts_add(alerts *a, const char *sender, uint64_t now_ms, uint32_t duration_s,
                        const char *to, const char *text, const char *const *names, size_t n,
                        char *err, size_t err_size)
{
    size_t i, to_n = strlen(to), text_n = strlen(text);
    uint64_t id = a->next_id;

    if (n == 0 || n > ALERTS_RCPT_MAX || strlen(sender) > PROTO_NICK_MAX || to_n > 0xFFFFu) {
        snprintf(err, err_size, "alerts: between 1 and %u recipients", ALERTS_RCPT_MAX);
        return NULL;
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
            return NULL;
        }
        put_name(&a->enc, names[i]);
    }
    if (commit(a, err, err_size) != 0)
        return NULL;
    return alerts_get(a, id);
}

int alerts_mark_shown(alerts *a, uint64_t id, const char *const *names, size_t n,
                      uint64_t now_ms, char *err, size_t err_size)
{
    const alert *al = alerts_get(a, id);
    size_t i, count = 0;

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
    return commit(a, err, err_size);
}

int alerts_ack(alerts *a, uint64_t id, const char *name, uint64_t now_ms, char *err,
               size_t err_size)
{
    const alert *al = alerts_get(a, id);
    const alert_rcpt *rc = al ? alerts_rcpt(al, name) : NULL;

    if (!rc) {
        snprintf(err, err_size, "alerts: %s is not a recipient of alert %llu", name,
                 (unsigned long long)id);
        return -1;
    }
    if (rc->state == ROLL_ACKED)
        return 0;
    buf_reset(&a->enc);
    buf_put_u8(&a->enc, REC_ACK);
    buf_put_u64(&a->enc, id);
    buf_put_u64(&a->enc, now_ms);
    put_name(&a->enc, rc->name);
    return commit(a, err, err_size);
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

void alerts_print(const alerts *a, uint64_t now_ms, FILE *out)
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

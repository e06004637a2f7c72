/* mailbox.c — the private message store: conversations in memory (one array in id order, and
 * per account an index of its own messages, so that a login's catch-up does not walk
 * everyone's), per-account delivery and read marks, and the journal that makes them survive
 * a crash. */
#include "mailbox.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsys.h"
#include "journal_writer.h"
#include "log.h"
#include "names.h"
#include "strmap.h"

/* Journal records (first payload byte). */
#define REC_MSG 'M'       /* u64 id, u64 time, u8 flags, u8 from_len, from, u8 to_len, to,
                           * u32 len, text */
#define REC_DELIVERED 'D' /* u64 up_to, u8 len, account */
#define REC_READ 'R'      /* u64 up_to, u8 len, reader, u8 len, peer */
#define REC_PREFS 'P'     /* u8 receipts (0/1), u8 len, account */
#define REC_DROP 'X'      /* u64 id: the message expired undelivered */
#define REC_UNTOLD 'U'    /* u64 id, u8 len, sender, u8 len, recipient: the sender of a message
                           * that expired was not logged in to hear it */
#define REC_TOLD 'T'      /* u8 len, account: it has now heard of all its expired messages */
#define REC_FORGET 'F'    /* u8 len, account: the account is gone; so is everything of it */

#define COMPACT_MIN 1024u
#define COMPACT_FACTOR 4u

typedef struct mmsg {
    uint64_t id;
    uint64_t time_ms;
    uint8_t flags;        /* the wire flags the message was sent with (PROTO_FLAG_ACTION) */
    size_t from_len, to_len, text_len;
    char data[]; /* from NUL to NUL text NUL */
} mmsg;

typedef struct mread {
    char *peer;
    uint64_t up_to;
} mread;

/* A message of the account's that expired while it was not logged in: it hears at its next. */
typedef struct muntold {
    uint64_t id;
    char *to;
} muntold;

typedef struct macct {
    uint64_t delivered;   /* every message to it with id <= this has reached a session */
    size_t waiting;       /* messages to it with id > delivered, stored or being written */
    int receipts_off;
    mread *reads;
    size_t nreads;
    struct mmsg **own;    /* its messages, sent or received, in id order (owned by the store) */
    size_t nown, own_cap;
    muntold *untold;      /* oldest first */
    size_t nuntold;
} macct;

typedef struct mpending {
    uint64_t seq;         /* the writer's sequence number of its record */
    uint32_t tag;
    void *owner;
    mmsg *m;
    int forgotten;        /* its sender or recipient was forgotten while it was written */
    struct mpending *next;
} mpending;

struct mailbox {
    journal *j;
    journal_writer *writer;
    mmsg **msgs;          /* retained, in id order */
    size_t count, cap;
    strmap accts;         /* account -> macct */
    uint64_t bytes;       /* msg_bytes of the retained messages */
    mpending *phead, *ptail;
    uint64_t jrecords;    /* records in the journal, queued ones included */
    buf enc;
};

static const char *msg_from(const mmsg *m)
{
    return m->data;
}

static const char *msg_to(const mmsg *m)
{
    return m->data + m->from_len + 1;
}

static const char *msg_text(const mmsg *m)
{
    return m->data + m->from_len + 1 + m->to_len + 1;
}

static uint64_t msg_bytes(const mmsg *m)
{
    return 48u + m->from_len + m->to_len + m->text_len;
}

static void view(const mailbox *mb, const mmsg *m, mailbox_msg *v)
{
    const macct *a = strmap_get(&mb->accts, msg_to(m));
    v->id = m->id;
    v->time_ms = m->time_ms;
    v->flags = m->flags;
    v->from = msg_from(m);
    v->to = msg_to(m);
    v->text = msg_text(m);
    v->text_len = m->text_len;
    v->waiting = !a || m->id > a->delivered;
    v->forgotten = 0;
}

static mmsg *msg_new(uint64_t id, uint64_t time_ms, uint8_t flags, const char *from,
                     size_t from_len, const char *to, size_t to_len, const char *text,
                     size_t text_len)
{
    mmsg *m = malloc(sizeof *m + from_len + to_len + text_len + 3);
    if (!m)
        return NULL;
    m->id = id;
    m->time_ms = time_ms;
    m->flags = flags;
    m->from_len = from_len;
    m->to_len = to_len;
    m->text_len = text_len;
    memcpy(m->data, from, from_len);
    m->data[from_len] = '\0';
    memcpy(m->data + from_len + 1, to, to_len);
    m->data[from_len + 1 + to_len] = '\0';
    memcpy(m->data + from_len + 1 + to_len + 1, text, text_len);
    m->data[from_len + 1 + to_len + 1 + text_len] = '\0';
    return m;
}

static macct *acct_get(mailbox *mb, const char *name)
{
    macct *a = strmap_get(&mb->accts, name);
    if (a)
        return a;
    a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    if (strmap_put(&mb->accts, name, a) != 0) {
        free(a);
        return NULL;
    }
    return a;
}

static void acct_free(macct *a)
{
    size_t i;
    free(a->own);
    for (i = 0; i < a->nreads; i++)
        free(a->reads[i].peer);
    free(a->reads);
    for (i = 0; i < a->nuntold; i++)
        free(a->untold[i].to);
    free(a->untold);
    free(a);
}

/* Remembers that from was not told of its message id to `to` expiring. -1 if out of memory. */
static int untold_put(mailbox *mb, const char *from, const char *to, uint64_t id)
{
    macct *a = acct_get(mb, from);
    muntold *grown;
    char *copy;

    if (!a)
        return -1;
    grown = realloc(a->untold, (a->nuntold + 1) * sizeof *grown);
    if (!grown)
        return -1;
    a->untold = grown;
    copy = malloc(strlen(to) + 1);
    if (!copy)
        return -1;
    memcpy(copy, to, strlen(to) + 1);
    a->untold[a->nuntold].id = id;
    a->untold[a->nuntold++].to = copy;
    return 0;
}

static void untold_clear(macct *a)
{
    size_t i;
    for (i = 0; a && i < a->nuntold; i++)
        free(a->untold[i].to);
    if (a)
        a->nuntold = 0;
}

static mread *read_find(const macct *a, const char *peer)
{
    size_t i;
    for (i = 0; a && i < a->nreads; i++)
        if (names_equal_ci(a->reads[i].peer, peer))
            return &a->reads[i];
    return NULL;
}

/* Puts reader's mark for peer at up_to if that is further; 1 if it moved, -1 out of memory. */
static int read_put(mailbox *mb, const char *reader, const char *peer, uint64_t up_to)
{
    macct *a = acct_get(mb, reader);
    mread *r, *grown;
    if (!a)
        return -1;
    r = read_find(a, peer);
    if (r) {
        if (up_to <= r->up_to)
            return 0;
        r->up_to = up_to;
        return 1;
    }
    grown = realloc(a->reads, (a->nreads + 1) * sizeof *grown);
    if (!grown)
        return -1;
    a->reads = grown;
    r = &a->reads[a->nreads];
    r->peer = malloc(strlen(peer) + 1);
    if (!r->peer)
        return -1;
    memcpy(r->peer, peer, strlen(peer) + 1);
    r->up_to = up_to;
    a->nreads++;
    return 1;
}

/* Index of the first message in arr[0..n) (id order) with id > after. */
static size_t first_after_in(mmsg *const *arr, size_t n, uint64_t after)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (arr[mid]->id <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t first_after(const mailbox *mb, uint64_t after)
{
    return first_after_in(mb->msgs, mb->count, after);
}

/* Room for one more pointer in *arr (cap *cap). -1 if out of memory. */
static int grow(mmsg ***arr, size_t n, size_t *cap)
{
    mmsg **grown;
    size_t want;
    if (n < *cap)
        return 0;
    want = *cap ? *cap * 2 : 16;
    grown = realloc(*arr, want * sizeof *grown);
    if (!grown)
        return -1;
    *arr = grown;
    *cap = want;
    return 0;
}

/* Puts m into arr (id order, room reserved). */
static void insert_at_id(mmsg **arr, size_t *n, mmsg *m)
{
    size_t at = first_after_in(arr, *n, m->id);
    memmove(arr + at + 1, arr + at, (*n - at) * sizeof *arr);
    arr[at] = m;
    (*n)++;
}

static void remove_id(mmsg **arr, size_t *n, uint64_t id)
{
    size_t at = first_after_in(arr, *n, id ? id - 1 : 0);
    if (at < *n && arr[at]->id == id) {
        memmove(arr + at, arr + at + 1, (*n - at - 1) * sizeof *arr);
        (*n)--;
    }
}

/* Adds a message in id order (normally at the end), to the store and to the index of each
 * account it is between. -1 if out of memory (nothing changed). */
static int store_push(mailbox *mb, mmsg *m)
{
    macct *from = acct_get(mb, msg_from(m)), *to = acct_get(mb, msg_to(m));
    int self = from == to;

    if (!from || !to || grow(&mb->msgs, mb->count, &mb->cap) != 0 ||
        grow(&from->own, from->nown, &from->own_cap) != 0 ||
        (!self && grow(&to->own, to->nown, &to->own_cap) != 0))
        return -1;
    insert_at_id(mb->msgs, &mb->count, m);
    insert_at_id(from->own, &from->nown, m);
    if (!self)
        insert_at_id(to->own, &to->nown, m);
    mb->bytes += msg_bytes(m);
    return 0;
}

/* Moves account's delivery mark to up_to, recounting what still waits. */
static int delivered_put(mailbox *mb, const char *account, uint64_t up_to)
{
    macct *a = acct_get(mb, account);
    size_t i;
    if (!a)
        return -1;
    if (up_to <= a->delivered)
        return 0;
    for (i = first_after_in(a->own, a->nown, a->delivered); i < a->nown && a->own[i]->id <= up_to;
         i++)
        if (names_equal_ci(msg_to(a->own[i]), account) && a->waiting > 0)
            a->waiting--;
    a->delivered = up_to;
    return 1;
}

/* ---- records ---------------------------------------------------------------------------- */

static void put_name(buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_put_u8(b, (uint8_t)n);
    buf_append(b, s, n);
}

static int encode_msg(buf *b, const mmsg *m)
{
    buf_reset(b);
    buf_put_u8(b, REC_MSG);
    buf_put_u64(b, m->id);
    buf_put_u64(b, m->time_ms);
    buf_put_u8(b, m->flags);
    put_name(b, msg_from(m));
    put_name(b, msg_to(m));
    buf_put_u32(b, (uint32_t)m->text_len);
    buf_append(b, msg_text(m), m->text_len);
    return buf_failed(b) ? -1 : 0;
}

static void encode_delivered(buf *b, const char *account, uint64_t up_to)
{
    buf_reset(b);
    buf_put_u8(b, REC_DELIVERED);
    buf_put_u64(b, up_to);
    put_name(b, account);
}

static void encode_read(buf *b, const char *reader, const char *peer, uint64_t up_to)
{
    buf_reset(b);
    buf_put_u8(b, REC_READ);
    buf_put_u64(b, up_to);
    put_name(b, reader);
    put_name(b, peer);
}

static void encode_prefs(buf *b, const char *account, int receipts)
{
    buf_reset(b);
    buf_put_u8(b, REC_PREFS);
    buf_put_u8(b, (uint8_t)(receipts ? 1 : 0));
    put_name(b, account);
}

static void encode_untold(buf *b, const char *from, const char *to, uint64_t id)
{
    buf_reset(b);
    buf_put_u8(b, REC_UNTOLD);
    buf_put_u64(b, id);
    put_name(b, from);
    put_name(b, to);
}

/* Writes the record in mb->enc: queued with a writer (its seq in *seq, may be NULL), else now. */
static int write_enc(mailbox *mb, uint64_t *seq, char *err, size_t err_size)
{
    uint64_t s;
    if (buf_failed(&mb->enc)) {
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    if (!mb->writer) {
        if (journal_append(mb->j, mb->enc.data, mb->enc.len, err, err_size) != 0)
            return -1;
        mb->jrecords++;
        return 0;
    }
    s = jw_append(mb->writer, mb->enc.data, mb->enc.len);
    if (s == 0) {
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    if (seq)
        *seq = s;
    mb->jrecords++;
    return 0;
}

static const char *rd_name(rd *in, char *out)
{
    size_t n = rd_u8(in);
    const uint8_t *p = rd_view(in, n);
    if (!p || n == 0)
        return NULL;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void drop_at(mailbox *mb, size_t at)
{
    mmsg *m = mb->msgs[at];
    macct *from = strmap_get(&mb->accts, msg_from(m)), *to = strmap_get(&mb->accts, msg_to(m));

    if (from)
        remove_id(from->own, &from->nown, m->id);
    if (to && to != from)
        remove_id(to->own, &to->nown, m->id);
    mb->bytes -= msg_bytes(m);
    free(m);
    memmove(mb->msgs + at, mb->msgs + at + 1, (mb->count - at - 1) * sizeof *mb->msgs);
    mb->count--;
}

/* Drops read marks for peer and untold expiries to it from every other account's. */
static void forget_as_peer(mailbox *mb, const char *account)
{
    size_t pos = 0, i, keep;
    const char *name;
    void *value;

    while (strmap_next(&mb->accts, &pos, &name, &value)) {
        macct *a = value;
        for (i = keep = 0; i < a->nreads; i++) {
            if (names_equal_ci(a->reads[i].peer, account))
                free(a->reads[i].peer);
            else
                a->reads[keep++] = a->reads[i];
        }
        a->nreads = keep;
        for (i = keep = 0; i < a->nuntold; i++) {
            if (names_equal_ci(a->untold[i].to, account))
                free(a->untold[i].to);
            else
                a->untold[keep++] = a->untold[i];
        }
        a->nuntold = keep;
    }
}

/* Forgets account in memory: every retained message from or to it (the other party's waiting
 * count follows), every message of it still being written (it will not join the store), its
 * marks, settings and untold expiries, and other accounts' marks and untold expiries that
 * name it. */
static void forget_apply(mailbox *mb, const char *account)
{
    macct *gone = strmap_get(&mb->accts, account);
    mpending *p;
    size_t i;

    for (p = mb->phead; p; p = p->next) {
        if (p->forgotten || (!names_equal_ci(msg_from(p->m), account) &&
                             !names_equal_ci(msg_to(p->m), account)))
            continue;
        p->forgotten = 1;
        if (!names_equal_ci(msg_to(p->m), account)) {
            macct *to = strmap_get(&mb->accts, msg_to(p->m));
            if (to && to->waiting > 0)
                to->waiting--; /* counted at submit */
        }
    }
    for (i = mb->count; i-- > 0;) {
        mmsg *m = mb->msgs[i];
        if (!names_equal_ci(msg_from(m), account) && !names_equal_ci(msg_to(m), account))
            continue;
        if (!names_equal_ci(msg_to(m), account)) {
            macct *to = strmap_get(&mb->accts, msg_to(m));
            if (to && m->id > to->delivered && to->waiting > 0)
                to->waiting--;
        }
        drop_at(mb, i);
    }
    forget_as_peer(mb, account);
    if (gone) {
        (void)strmap_del(&mb->accts, account);
        acct_free(gone);
    }
}

/* journal_scan_fn. Malformed records (a bug, not a torn tail: the CRC held) are skipped. */
static int load_record(void *user, const uint8_t *p, size_t n)
{
    mailbox *mb = user;
    char a[MAILBOX_NAME_MAX + 1], b[MAILBOX_NAME_MAX + 1];
    rd in;
    uint8_t type;

    rd_init(&in, p, n);
    type = rd_u8(&in);
    if (type == REC_MSG) {
        uint64_t id = rd_u64(&in), time_ms = rd_u64(&in);
        uint8_t flags = rd_u8(&in);
        const char *from = rd_name(&in, a), *to = rd_name(&in, b);
        uint32_t len = rd_u32(&in);
        const uint8_t *text = rd_view(&in, len);
        mmsg *m;
        macct *acct;
        if (!from || !to || !text || !rd_ok(&in))
            return 0;
        m = msg_new(id, time_ms, flags, from, strlen(from), to, strlen(to), (const char *)text,
                    len);
        acct = acct_get(mb, to);
        if (!m || !acct || store_push(mb, m) != 0) {
            free(m);
            return -1;
        }
        if (id > acct->delivered)
            acct->waiting++;
    } else if (type == REC_DELIVERED) {
        uint64_t up_to = rd_u64(&in);
        if (rd_name(&in, a) && rd_ok(&in) && delivered_put(mb, a, up_to) < 0)
            return -1;
    } else if (type == REC_READ) {
        uint64_t up_to = rd_u64(&in);
        if (rd_name(&in, a) && rd_name(&in, b) && rd_ok(&in) && read_put(mb, a, b, up_to) < 0)
            return -1;
    } else if (type == REC_PREFS) {
        uint8_t on = rd_u8(&in);
        macct *acct;
        if (!rd_name(&in, a) || !rd_ok(&in))
            return 0;
        if (!(acct = acct_get(mb, a)))
            return -1;
        acct->receipts_off = !on;
    } else if (type == REC_UNTOLD) {
        uint64_t id = rd_u64(&in);
        if (rd_name(&in, a) && rd_name(&in, b) && rd_ok(&in) && untold_put(mb, a, b, id) != 0)
            return -1;
    } else if (type == REC_TOLD) {
        if (rd_name(&in, a) && rd_ok(&in))
            untold_clear(strmap_get(&mb->accts, a));
    } else if (type == REC_FORGET) {
        if (rd_name(&in, a) && rd_ok(&in))
            forget_apply(mb, a);
    } else if (type == REC_DROP) {
        uint64_t id = rd_u64(&in);
        size_t at = first_after(mb, id ? id - 1 : 0);
        if (rd_ok(&in) && at < mb->count && mb->msgs[at]->id == id) {
            macct *acct = strmap_get(&mb->accts, msg_to(mb->msgs[at]));
            if (acct && id > acct->delivered && acct->waiting > 0)
                acct->waiting--;
            drop_at(mb, at);
        }
    }
    return 0;
}

/* journal_iter_fn: the whole store as records: messages, then each account's marks. */
static int emit_all(void *user, journal_emit_fn emit, void *emit_ctx)
{
    mailbox *mb = user;
    size_t i, pos = 0, r;
    const char *name;
    void *value;

    for (i = 0; i < mb->count; i++)
        if (encode_msg(&mb->enc, mb->msgs[i]) != 0 ||
            emit(emit_ctx, mb->enc.data, mb->enc.len) != 0)
            return -1;
    while (strmap_next(&mb->accts, &pos, &name, &value)) {
        macct *a = value;
        if (a->delivered) {
            encode_delivered(&mb->enc, name, a->delivered);
            if (buf_failed(&mb->enc) || emit(emit_ctx, mb->enc.data, mb->enc.len) != 0)
                return -1;
        }
        if (a->receipts_off) {
            encode_prefs(&mb->enc, name, 0);
            if (buf_failed(&mb->enc) || emit(emit_ctx, mb->enc.data, mb->enc.len) != 0)
                return -1;
        }
        for (r = 0; r < a->nreads; r++) {
            encode_read(&mb->enc, name, a->reads[r].peer, a->reads[r].up_to);
            if (buf_failed(&mb->enc) || emit(emit_ctx, mb->enc.data, mb->enc.len) != 0)
                return -1;
        }
        for (r = 0; r < a->nuntold; r++) {
            encode_untold(&mb->enc, name, a->untold[r].to, a->untold[r].id);
            if (buf_failed(&mb->enc) || emit(emit_ctx, mb->enc.data, mb->enc.len) != 0)
                return -1;
        }
    }
    return 0;
}

/* Records the store needs: one per message and per mark. */
static uint64_t records_needed(const mailbox *mb)
{
    size_t pos = 0;
    const char *name;
    void *value;
    uint64_t n = mb->count;
    while (strmap_next(&mb->accts, &pos, &name, &value)) {
        const macct *a = value;
        n += (a->delivered != 0) + (uint64_t)a->receipts_off + a->nreads + a->nuntold;
    }
    return n;
}

static int compact(mailbox *mb, char *err, size_t err_size)
{
    buf records;
    uint64_t needed = records_needed(mb);

    if (!mb->writer) {
        if (journal_rewrite(mb->j, emit_all, mb, err, err_size) != 0)
            return -1;
        mb->jrecords = journal_records(mb->j);
        return 0;
    }
    if (mb->phead)
        return 0; /* only with nothing being written: the records must be the whole truth */
    buf_init(&records);
    if (emit_all(mb, jw_records_emit, &records) != 0 || jw_rewrite(mb->writer, &records) != 0) {
        buf_free(&records);
        snprintf(err, err_size, "private messages: out of memory compacting the journal");
        return -1;
    }
    mb->jrecords = needed;
    return 0;
}

/* ---- public API ------------------------------------------------------------------------- */

mailbox *mailbox_open(const char *dir, fsync_policy fsync, uint64_t interval_ms,
                      journal_recovery *rec, char *err, size_t err_size)
{
    char path[SERVER_PATH_MAX + 32];
    mailbox *mb;

    if (fsys_mkdirs(dir, err, err_size) != 0)
        return NULL;
    if (fsys_path_join(path, sizeof path, dir, MAILBOX_JOURNAL_NAME) != 0) {
        snprintf(err, err_size, "private messages: data directory path too long: '%s'", dir);
        return NULL;
    }
    mb = calloc(1, sizeof *mb);
    if (!mb) {
        snprintf(err, err_size, "private messages: out of memory");
        return NULL;
    }
    strmap_init(&mb->accts);
    buf_init(&mb->enc);
    mb->j = journal_open(path, fsync, interval_ms, load_record, mb, rec, err, err_size);
    if (!mb->j) {
        mailbox_close(mb);
        return NULL;
    }
    mb->jrecords = journal_records(mb->j);
    return mb;
}

void mailbox_close(mailbox *mb)
{
    size_t pos = 0, i;
    const char *name;
    void *value;

    if (!mb)
        return;
    jw_stop(mb->writer); /* writes what is queued first */
    while (mb->phead) {
        mpending *p = mb->phead;
        mb->phead = p->next;
        free(p->m);
        free(p);
    }
    journal_close(mb->j);
    for (i = 0; i < mb->count; i++)
        free(mb->msgs[i]);
    free(mb->msgs);
    while (strmap_next(&mb->accts, &pos, &name, &value))
        acct_free(value);
    strmap_free(&mb->accts);
    buf_free(&mb->enc);
    free(mb);
}

int mailbox_start_writer(mailbox *mb, void (*notify)(void *user), void *user,
                         uint64_t interval_ms, char *err, size_t err_size)
{
    mb->writer = jw_start(mb->j, interval_ms, notify, user);
    if (!mb->writer) {
        snprintf(err, err_size, "private messages: cannot start the journal writer thread");
        return -1;
    }
    return 0;
}

int mailbox_submit(mailbox *mb, uint64_t id, uint64_t time_ms, uint8_t flags, const char *from,
                   const char *to, const char *text, size_t text_len, uint32_t tag, void *owner,
                   char *err, size_t err_size)
{
    size_t from_len = strlen(from), to_len = strlen(to);
    mmsg *m;
    macct *a;
    mpending *p = NULL;

    if (from_len == 0 || from_len > MAILBOX_NAME_MAX || to_len == 0 ||
        to_len > MAILBOX_NAME_MAX || text_len > MAILBOX_TEXT_MAX) {
        snprintf(err, err_size, "private messages: a name or text is too long or empty");
        return -1;
    }
    m = msg_new(id, time_ms, flags, from, from_len, to, to_len, text, text_len);
    a = acct_get(mb, to);
    if (!m || !a || encode_msg(&mb->enc, m) != 0 ||
        (mb->writer && !(p = calloc(1, sizeof *p)))) {
        free(m);
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    if (write_enc(mb, p ? &p->seq : NULL, err, err_size) != 0) {
        free(m);
        free(p);
        return -1;
    }
    a->waiting++;
    if (!p) {
        if (store_push(mb, m) != 0) {
            free(m); /* written, so the next start has it; memory is what failed */
            snprintf(err, err_size, "private messages: out of memory");
            return -1;
        }
        return 1;
    }
    p->tag = tag;
    p->owner = owner;
    p->m = m;
    if (mb->ptail)
        mb->ptail->next = p;
    else
        mb->phead = p;
    mb->ptail = p;
    return 0;
}

void mailbox_disown(mailbox *mb, const void *owner)
{
    mpending *p;
    for (p = mb->phead; p; p = p->next)
        if (p->owner == owner)
            p->owner = NULL;
}

typedef struct collect_ctx {
    mailbox *mb;
    mailbox_done_fn fn;
    void *user;
} collect_ctx;

/* jw_result_fn: a message record (the head of the pending list) or a mark's. */
static void on_written(void *user, uint64_t seq, int ok, const char *err)
{
    collect_ctx *x = user;
    mailbox *mb = x->mb;
    mpending *p = mb->phead;
    mailbox_msg v;

    if (!p || p->seq != seq) {
        if (!ok)
            log_error("private messages journal: %s", err);
        return;
    }
    mb->phead = p->next;
    if (!mb->phead)
        mb->ptail = NULL;
    if (p->forgotten) {
        /* Its account was forgotten meanwhile (the journal forgets it too): the sender
         * still hears how the write went, the store does not keep it. */
        view(mb, p->m, &v);
        v.forgotten = 1;
        x->fn(x->user, &v, p->tag, p->owner, ok, err);
        free(p->m);
    } else if (store_push(mb, p->m) != 0) {
        /* Kept in memory even when the write failed, like a room message. */
        log_error("private messages: out of memory keeping message %llu",
                  (unsigned long long)p->m->id);
        view(mb, p->m, &v);
        x->fn(x->user, &v, p->tag, p->owner, ok, err);
        free(p->m);
    } else {
        view(mb, p->m, &v);
        x->fn(x->user, &v, p->tag, p->owner, ok, err);
    }
    free(p);
}

size_t mailbox_collect(mailbox *mb, mailbox_done_fn fn, void *user)
{
    collect_ctx x;
    if (!mb->writer)
        return 0;
    x.mb = mb;
    x.fn = fn;
    x.user = user;
    return jw_collect(mb->writer, on_written, &x);
}

int mailbox_set_delivered(mailbox *mb, const char *account, uint64_t up_to, char *err,
                          size_t err_size)
{
    int rc = delivered_put(mb, account, up_to);
    if (rc < 0) {
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    if (rc == 0)
        return 0;
    encode_delivered(&mb->enc, account, up_to);
    return write_enc(mb, NULL, err, err_size);
}

int mailbox_forget(mailbox *mb, const char *account, char *err, size_t err_size)
{
    size_t n = strlen(account);
    if (n == 0 || n > MAILBOX_NAME_MAX) {
        snprintf(err, err_size, "private messages: an account name is too long or empty");
        return -1;
    }
    buf_reset(&mb->enc);
    buf_put_u8(&mb->enc, REC_FORGET);
    put_name(&mb->enc, account);
    /* Journaled first: if the write fails, the store still has everything (nothing half
     * forgotten that a restart would bring back). */
    if (write_enc(mb, NULL, err, err_size) != 0)
        return -1;
    forget_apply(mb, account);
    return 0;
}

uint64_t mailbox_delivered(const mailbox *mb, const char *account)
{
    const macct *a = strmap_get(&mb->accts, account);
    return a ? a->delivered : 0;
}

size_t mailbox_waiting(const mailbox *mb, const char *account)
{
    const macct *a = strmap_get(&mb->accts, account);
    return a ? a->waiting : 0;
}

int mailbox_set_read(mailbox *mb, const char *reader, const char *peer, uint64_t up_to,
                     char *err, size_t err_size)
{
    int rc = read_put(mb, reader, peer, up_to);
    if (rc < 0) {
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    if (rc == 0)
        return 0;
    encode_read(&mb->enc, reader, peer, up_to);
    return write_enc(mb, NULL, err, err_size) != 0 ? -1 : 1;
}

uint64_t mailbox_read(const mailbox *mb, const char *reader, const char *peer)
{
    const mread *r = read_find(strmap_get(&mb->accts, reader), peer);
    return r ? r->up_to : 0;
}

int mailbox_set_receipts(mailbox *mb, const char *account, int on, char *err, size_t err_size)
{
    macct *a = acct_get(mb, account);
    if (!a) {
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    if (a->receipts_off == !on)
        return 0;
    a->receipts_off = !on;
    encode_prefs(&mb->enc, account, on);
    return write_enc(mb, NULL, err, err_size);
}

int mailbox_add_untold(mailbox *mb, const char *from, const char *to, uint64_t id, char *err,
                       size_t err_size)
{
    if (strlen(from) > MAILBOX_NAME_MAX || strlen(to) > MAILBOX_NAME_MAX ||
        untold_put(mb, from, to, id) != 0) {
        snprintf(err, err_size, "private messages: out of memory");
        return -1;
    }
    encode_untold(&mb->enc, from, to, id);
    return write_enc(mb, NULL, err, err_size);
}

size_t mailbox_take_untold(mailbox *mb, const char *account, mailbox_untold_fn fn, void *user,
                           char *err, size_t err_size)
{
    macct *a = strmap_get(&mb->accts, account);
    size_t i, n;

    if (err_size)
        err[0] = '\0';
    if (!a || a->nuntold == 0)
        return 0;
    n = a->nuntold;
    for (i = 0; i < n; i++)
        fn(user, a->untold[i].id, a->untold[i].to);
    untold_clear(a);
    buf_reset(&mb->enc);
    buf_put_u8(&mb->enc, REC_TOLD);
    put_name(&mb->enc, account);
    (void)write_enc(mb, NULL, err, err_size); /* on failure a restart may tell again */
    return n;
}

int mailbox_receipts(const mailbox *mb, const char *account)
{
    const macct *a = strmap_get(&mb->accts, account);
    return !a || !a->receipts_off;
}

size_t mailbox_range(const mailbox *mb, const char *account, uint64_t after, uint64_t before,
                     size_t max, mailbox_msg_fn fn, void *user)
{
    const macct *a = strmap_get(&mb->accts, account);
    size_t i, end, given = 0, start;
    mailbox_msg v;

    if (!a)
        return 0;
    start = first_after_in(a->own, a->nown, after);
    end = before ? first_after_in(a->own, a->nown, before - 1) : a->nown;
    for (i = start; i < end; i++) {
        const mmsg *m = a->own[i];
        int waiting = names_equal_ci(msg_to(m), account) && m->id > a->delivered;
        if (max && end - i - 1 >= max && !waiting)
            continue; /* older than the newest max, and not waiting */
        view(mb, m, &v);
        given++;
        if (fn(user, &v) != 0)
            break;
    }
    return given;
}

size_t mailbox_peers(const mailbox *mb, const char *account, mailbox_peer_fn fn, void *user)
{
    strmap seen;
    size_t i, pos = 0, listed = 0;
    const char *name;
    void *value;
    /* Per peer: [0] newest of mine to them, [1] newest of theirs to me. */
    typedef struct lasts {
        uint64_t mine, theirs;
    } lasts;

    const macct *a = strmap_get(&mb->accts, account);

    strmap_init(&seen);
    for (i = 0; a && i < a->nown; i++) {
        const mmsg *m = a->own[i];
        int mine = names_equal_ci(msg_from(m), account);
        const char *peer;
        lasts *l;
        if (!mine && !names_equal_ci(msg_to(m), account))
            continue;
        peer = mine ? msg_to(m) : msg_from(m);
        l = strmap_get(&seen, peer);
        if (!l) {
            l = calloc(1, sizeof *l);
            if (!l || strmap_put(&seen, peer, l) != 0) {
                free(l);
                continue; /* out of memory: that conversation goes unlisted this time */
            }
        }
        if (mine)
            l->mine = m->id;
        else
            l->theirs = m->id;
    }
    while (strmap_next(&seen, &pos, &name, &value)) {
        lasts *l = value;
        if (fn(user, name, l->mine, l->theirs) == 0)
            listed++;
    }
    pos = 0;
    while (strmap_next(&seen, &pos, &name, &value))
        free(value);
    strmap_free(&seen);
    return listed;
}

size_t mailbox_accounts(const mailbox *mb, mailbox_account_fn fn, void *user)
{
    size_t pos = 0, n = 0, i;
    const char *name;
    void *value;

    while (strmap_next(&mb->accts, &pos, &name, &value)) {
        const macct *a = value;
        uint64_t newest = 0;
        for (i = 0; i < a->nown; i++) /* id order is nearly, not strictly, time order */
            if (a->own[i]->time_ms > newest)
                newest = a->own[i]->time_ms;
        n++;
        if (fn(user, name, newest) != 0)
            break;
    }
    return n;
}

size_t mailbox_each(const mailbox *mb, mailbox_msg_fn fn, void *user)
{
    size_t i;
    mailbox_msg v;

    for (i = 0; i < mb->count; i++) {
        view(mb, mb->msgs[i], &v);
        if (fn(user, &v) != 0)
            return i + 1;
    }
    return mb->count;
}

int mailbox_find(const mailbox *mb, uint64_t id, mailbox_msg *out)
{
    size_t at = first_after(mb, id ? id - 1 : 0);
    if (id == 0 || at >= mb->count || mb->msgs[at]->id != id)
        return 0;
    view(mb, mb->msgs[at], out);
    return 1;
}

uint64_t mailbox_last_id(const mailbox *mb, const char *account)
{
    const macct *a = strmap_get(&mb->accts, account);
    return a && a->nown ? a->own[a->nown - 1]->id : 0;
}

size_t mailbox_expire(mailbox *mb, uint64_t waiting_before_ms, uint64_t any_before_ms,
                      mailbox_msg_fn expired, void *user)
{
    size_t i = 0, dropped = 0;
    char err[200];

    while (i < mb->count) {
        mmsg *m = mb->msgs[i];
        macct *a = strmap_get(&mb->accts, msg_to(m));
        int waiting = !a || m->id > a->delivered;
        if (waiting && waiting_before_ms && m->time_ms < waiting_before_ms) {
            mailbox_msg v;
            view(mb, m, &v);
            if (expired)
                expired(user, &v);
            buf_reset(&mb->enc);
            buf_put_u8(&mb->enc, REC_DROP);
            buf_put_u64(&mb->enc, m->id);
            if (write_enc(mb, NULL, err, sizeof err) != 0)
                log_error("%s", err);
            if (a && a->waiting > 0)
                a->waiting--;
        } else if (!(!waiting && any_before_ms && m->time_ms < any_before_ms)) {
            i++;
            continue;
        }
        drop_at(mb, i);
        dropped++;
    }
    return dropped;
}

size_t mailbox_enforce_budget(mailbox *mb, uint64_t max_bytes)
{
    uint64_t goal = max_bytes / 10u * 9u;
    size_t i = 0, dropped = 0;

    if (mb->bytes <= max_bytes)
        return 0;
    while (i < mb->count && mb->bytes > goal) {
        const macct *a = strmap_get(&mb->accts, msg_to(mb->msgs[i]));
        if (!a || mb->msgs[i]->id > a->delivered) {
            i++; /* still waiting: kept */
            continue;
        }
        drop_at(mb, i);
        dropped++;
    }
    return dropped;
}

uint64_t mailbox_bytes(const mailbox *mb)
{
    return mb->bytes;
}

int mailbox_tick(mailbox *mb, uint64_t now_ms, char *err, size_t err_size)
{
    uint64_t needed;
    if (!mb->writer && journal_tick(mb->j, now_ms, err, err_size) != 0)
        return -1;
    needed = records_needed(mb);
    if (mb->jrecords < COMPACT_MIN || mb->jrecords <= needed * COMPACT_FACTOR)
        return 0;
    return compact(mb, err, err_size);
}

size_t mailbox_count(const mailbox *mb)
{
    return mb->count;
}

uint64_t mailbox_journal_records(const mailbox *mb)
{
    return mb->jrecords;
}

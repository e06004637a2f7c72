/* journal_writer.c — the journal writer thread (see journal_writer.h): a queue of appends and
 * rewrites in, a queue of results out, one mutex and one condition variable between them. */
#include "journal_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"
#include "thread.h"

void (*jw_test_before_write)(void);

enum { OP_APPEND, OP_REWRITE, OP_CALL };

typedef struct jw_op {
    struct jw_op *next;
    int kind;
    uint64_t seq;
    buf data; /* the record, or the rewrite's records */
    jw_call_fn fn; /* OP_CALL: fn(ctx, value) */
    void *ctx;
    uint64_t value;
} jw_op;

typedef struct jw_result {
    struct jw_result *next;
    uint64_t seq; /* 0: a rewrite */
    int ok;
    char err[200];
} jw_result;

struct journal_writer {
    journal *j;
    uint64_t interval_ms;
    jw_notify_fn notify;
    void *user;
    thread_handle *th;
    mutex_handle *mu;
    cond_handle *cv;
    jw_op *head, *tail;        /* queued, oldest first */
    jw_result *rhead, *rtail;  /* ready, oldest first */
    uint64_t next_seq;
    int stopping;
    int skip_rewrite; /* writer thread only: a call failed, so the next rewrite must not run */
};

static void push_result(journal_writer *w, jw_result *r)
{
    mutex_lock(w->mu);
    if (w->rtail)
        w->rtail->next = r;
    else
        w->rhead = r;
    w->rtail = r;
    mutex_unlock(w->mu);
}

/* journal_iter_fn over a buffer of length-prefixed records. */
static int emit_records(void *user, journal_emit_fn emit, void *emit_ctx)
{
    const buf *b = user;
    size_t at = 0;

    while (at + 4 <= b->len) {
        size_t n = be_get32(b->data + at);
        if (at + 4 + n > b->len)
            return -1;
        if (emit(emit_ctx, b->data + at + 4, n) != 0)
            return -1;
        at += 4 + n;
    }
    return 0;
}

/* Does one op with no lock held: this is where the disk is touched. NULL for a call (its
 * function reports for itself). */
static jw_result *run_op(journal_writer *w, jw_op *op)
{
    jw_result *r;
    char err[200] = "";
    int rc;

    if (op->kind == OP_CALL) {
        if (op->fn(op->ctx, op->value) != 0)
            w->skip_rewrite = 1;
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (op->kind == OP_APPEND) {
        if (jw_test_before_write)
            jw_test_before_write();
        rc = journal_append(w->j, op->data.data, op->data.len, err, sizeof err);
    } else if (w->skip_rewrite) {
        w->skip_rewrite = 0;
        snprintf(err, sizeof err, "compaction skipped: a write it depends on failed");
        rc = -1;
    } else {
        rc = journal_rewrite(w->j, emit_records, &op->data, err, sizeof err);
    }
    if (r) {
        r->seq = op->kind == OP_APPEND ? op->seq : 0;
        r->ok = rc == 0;
        snprintf(r->err, sizeof r->err, "%s", err);
    }
    return r;
}

/* The interval sync, if due; a failure is reported as a result (seq 0) and retried later. */
static void sync_due(journal_writer *w)
{
    char err[200];
    jw_result *r;

    if (journal_tick(w->j, sys_mono_ms(), err, sizeof err) == 0)
        return;
    r = calloc(1, sizeof *r);
    if (!r)
        return;
    snprintf(r->err, sizeof r->err, "sync: %s", err);
    push_result(w, r);
    if (w->notify)
        w->notify(w->user);
}

static void writer_main(void *arg)
{
    journal_writer *w = arg;

    mutex_lock(w->mu);
    for (;;) {
        jw_op *op = w->head;
        if (!op) {
            if (w->stopping)
                break;
            /* Idle: the interval sync is due at most interval_ms from now. */
            cond_wait_ms(w->cv, w->mu, w->interval_ms ? (unsigned)w->interval_ms : COND_FOREVER);
            mutex_unlock(w->mu);
            sync_due(w);
            mutex_lock(w->mu);
            continue;
        }
        w->head = op->next;
        if (!w->head)
            w->tail = NULL;
        mutex_unlock(w->mu);
        {
            jw_result *r = run_op(w, op);
            buf_free(&op->data);
            free(op);
            if (r)
                push_result(w, r);
            sync_due(w);
            if (w->notify)
                w->notify(w->user);
        }
        mutex_lock(w->mu);
    }
    mutex_unlock(w->mu);
}

journal_writer *jw_start(journal *j, uint64_t sync_interval_ms, jw_notify_fn notify, void *user)
{
    journal_writer *w = calloc(1, sizeof *w);

    if (!w)
        return NULL;
    w->j = j;
    w->interval_ms = sync_interval_ms > 0xFFFFFFF0u ? 0xFFFFFFF0u : sync_interval_ms;
    w->notify = notify;
    w->user = user;
    w->next_seq = 1;
    w->mu = mutex_new();
    w->cv = cond_new();
    if (!w->mu || !w->cv)
        goto fail;
    w->th = thread_start(writer_main, w);
    if (!w->th)
        goto fail;
    return w;
fail:
    cond_free(w->cv);
    if (w->mu)
        mutex_free(w->mu);
    free(w);
    return NULL;
}

/* Queues op; returns its sequence number (the thread may free op as soon as it is queued). */
static uint64_t enqueue(journal_writer *w, jw_op *op)
{
    uint64_t seq = 0;

    mutex_lock(w->mu);
    if (op->kind == OP_APPEND)
        op->seq = seq = w->next_seq++;
    if (w->tail)
        w->tail->next = op;
    else
        w->head = op;
    w->tail = op;
    cond_broadcast(w->cv);
    mutex_unlock(w->mu);
    return seq;
}

uint64_t jw_append(journal_writer *w, const void *payload, size_t n)
{
    jw_op *op = calloc(1, sizeof *op);

    if (!op)
        return 0;
    op->kind = OP_APPEND;
    buf_init(&op->data);
    buf_append(&op->data, payload, n);
    if (buf_failed(&op->data)) {
        buf_free(&op->data);
        free(op);
        return 0;
    }
    return enqueue(w, op);
}

int jw_rewrite(journal_writer *w, buf *records)
{
    jw_op *op = calloc(1, sizeof *op);

    if (!op)
        return -1;
    op->kind = OP_REWRITE;
    op->data = *records;
    buf_init(records);
    enqueue(w, op);
    return 0;
}

int jw_records_emit(void *emit_ctx, const void *payload, size_t n)
{
    buf *b = emit_ctx;
    buf_put_u32(b, (uint32_t)n);
    buf_append(b, payload, n);
    return buf_failed(b) ? -1 : 0;
}

int jw_call(journal_writer *w, jw_call_fn fn, void *ctx, uint64_t value)
{
    jw_op *op = calloc(1, sizeof *op);

    if (!op)
        return -1;
    op->kind = OP_CALL;
    buf_init(&op->data);
    op->fn = fn;
    op->ctx = ctx;
    op->value = value;
    enqueue(w, op);
    return 0;
}

size_t jw_collect(journal_writer *w, jw_result_fn fn, void *user)
{
    jw_result *r;
    size_t n = 0;

    mutex_lock(w->mu);
    r = w->rhead;
    w->rhead = w->rtail = NULL;
    mutex_unlock(w->mu);
    while (r) {
        jw_result *next = r->next;
        fn(user, r->seq, r->ok, r->err);
        free(r);
        r = next;
        n++;
    }
    return n;
}

void jw_stop(journal_writer *w)
{
    jw_result *r;

    if (!w)
        return;
    mutex_lock(w->mu);
    w->stopping = 1;
    cond_broadcast(w->cv);
    mutex_unlock(w->mu);
    thread_join(w->th);
    r = w->rhead;
    while (r) {
        jw_result *next = r->next;
        free(r);
        r = next;
    }
    cond_free(w->cv);
    mutex_free(w->mu);
    free(w);
}

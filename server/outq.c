/* outq.c — per-connection output queue of private and shared byte blocks (see outq.h). */
#include "outq.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"

outq_block *outq_block_new(size_t cap)
{
    outq_block *b;
    if (cap > SIZE_MAX - offsetof(outq_block, data))
        return NULL;
    b = malloc(offsetof(outq_block, data) + (cap ? cap : 1));
    if (!b)
        return NULL;
    b->refs = 1;
    b->len = 0;
    b->cap = cap;
    return b;
}

void outq_block_ref(outq_block *b)
{
    atomic_add_long(&b->refs, 1);
}

void outq_block_unref(outq_block *b)
{
    long left = atomic_add_long(&b->refs, -1);
    assert(left >= 0);
    if (left == 0)
        free(b);
}

void outq_init(outq *q)
{
    memset(q, 0, sizeof *q);
}

void outq_free(outq *q)
{
    size_t i;
    for (i = 0; i < q->count; i++)
        outq_block_unref(q->segs[q->head + i].blk);
    if (q->tail)
        outq_block_unref(q->tail);
    if (q->sealed)
        outq_block_unref(q->sealed);
    free(q->segs);
    outq_init(q);
}

/* Makes room for one more segment at the end, sliding live segments to the front first. */
static int grow_segs(outq *q)
{
    outq_seg *n;
    size_t cap;

    if (q->head + q->count < q->cap)
        return 0;
    if (q->head > 0) {
        memmove(q->segs, q->segs + q->head, q->count * sizeof *q->segs);
        q->head = 0;
        return 0;
    }
    cap = q->cap ? q->cap * 2 : 8;
    n = realloc(q->segs, cap * sizeof *n);
    if (!n)
        return -1;
    q->segs = n;
    q->cap = cap;
    return 0;
}

/* Room for n bytes at the end of the private block *slot, replacing it by a new one (of the
 * next capacity *next, which doubles up to OUTQ_BLOCK_SIZE) when it is full. Bytes already in
 * the old block stay put: segments and sends point at them. */
static uint8_t *block_room(outq_block **slot, size_t *next, size_t n)
{
    outq_block *b;
    size_t size;
    if (*slot && (*slot)->cap - (*slot)->len >= n)
        return (*slot)->data + (*slot)->len;
    size = *next ? *next : OUTQ_BLOCK_MIN;
    b = outq_block_new(n > size ? n : size);
    if (!b)
        return NULL;
    if (size < OUTQ_BLOCK_SIZE)
        *next = size * 2;
    if (*slot)
        outq_block_unref(*slot);
    *slot = b;
    return b->data;
}

/* Queues a segment of len wire bytes at b->data + off, taking a reference to b. */
static int push_seg(outq *q, outq_block *b, size_t off, size_t len, size_t extra, int state)
{
    outq_seg *s;
    if (grow_segs(q) != 0)
        return -1;
    outq_block_ref(b);
    s = &q->segs[q->head + q->count];
    s->blk = b;
    s->off = off;
    s->len = len;
    s->extra = extra;
    s->state = state;
    q->count++;
    q->bytes += len;
    return 0;
}

uint8_t *outq_reserve(outq *q, size_t n)
{
    return block_room(&q->tail, &q->next_block, n);
}

int outq_commit(outq *q, size_t n)
{
    outq_seg *last;
    outq_block *t = q->tail;

    if (n == 0)
        return 0;
    assert(t && t->cap - t->len >= n);
    last = q->count ? &q->segs[q->head + q->count - 1] : NULL;
    if (last && last->state == OUTQ_READY && last->blk == t && last->off + last->len == t->len) {
        last->len += n;
        q->bytes += n;
    } else if (push_seg(q, t, t->len, n, 0, OUTQ_READY) != 0) {
        return -1;
    }
    t->len += n;
    return 0;
}

int outq_commit_frame(outq *q, size_t plain_len, size_t extra)
{
    outq_block *t = q->tail;

    assert(t && t->cap - t->len >= plain_len + extra);
    if (push_seg(q, t, t->len, plain_len + extra, extra, OUTQ_PLAIN_OWN) != 0)
        return -1;
    t->len += plain_len + extra;
    return 0;
}

int outq_append(outq *q, const void *p, size_t n)
{
    uint8_t *dst = outq_reserve(q, n);
    if (!dst)
        return -1;
    memcpy(dst, p, n);
    return outq_commit(q, n);
}

int outq_push_block(outq *q, outq_block *b)
{
    if (b->len == 0)
        return 0;
    return push_seg(q, b, 0, b->len, 0, OUTQ_READY);
}

int outq_push_frame(outq *q, outq_block *b, size_t extra)
{
    assert(b->len > 0);
    return push_seg(q, b, 0, b->len + extra, extra, OUTQ_PLAIN_SHARED);
}

size_t outq_gather(const outq *q, outq_iov *iov, size_t max, size_t *total)
{
    size_t i, n = q->count < max ? q->count : max;
    size_t sum = 0;
    for (i = 0; i < n; i++) {
        const outq_seg *s = &q->segs[q->head + i];
        if (s->state != OUTQ_READY) {
            n = i; /* nothing goes out ahead of a frame still to be sealed */
            break;
        }
        iov[i].p = s->blk->data + s->off;
        iov[i].n = s->len;
        sum += s->len;
    }
    if (total)
        *total = sum;
    return n;
}

void outq_consume(outq *q, size_t n)
{
    assert(n <= q->bytes);
    q->bytes -= n;
    while (n > 0) {
        outq_seg *s = &q->segs[q->head];
        assert(q->count > 0 && s->state == OUTQ_READY);
        if (n < s->len) {
            s->off += n;
            s->len -= n;
            return;
        }
        n -= s->len;
        outq_block_unref(s->blk);
        q->head++;
        q->count--;
    }
    if (q->count == 0) {
        q->head = 0;
        /* Sole owner of an emptied tail: start it over instead of allocating the next one. */
        if (q->tail && q->tail->refs == 1)
            q->tail->len = 0;
        if (q->sealed && q->sealed->refs == 1)
            q->sealed->len = 0;
    }
}

void outq_trim(outq *q)
{
    if (q->count != 0)
        return;
    if (q->tail)
        outq_block_unref(q->tail);
    q->tail = NULL;
    if (q->sealed)
        outq_block_unref(q->sealed);
    q->sealed = NULL;
    q->next_sealed = 0;
    free(q->segs);
    q->segs = NULL;
    q->cap = 0;
    q->head = 0;
    q->next_block = 0;
}

size_t outq_seal_begin(outq *q, outq_seal_job *jobs, size_t max)
{
    size_t i, n = 0;

    for (i = 0; i < q->count && n < max; i++) {
        outq_seg *s = &q->segs[q->head + i];
        outq_seal_job *j = &jobs[n];
        uint8_t *dst;

        assert(s->state != OUTQ_SEALING); /* one sealer per queue at a time */
        if (s->state == OUTQ_READY)
            continue;
        j->plain_len = s->len - s->extra;
        j->extra = s->extra;
        if (s->state == OUTQ_PLAIN_OWN) {
            j->src = NULL;
            j->dst = s->blk->data + s->off;
        } else {
            dst = block_room(&q->sealed, &q->next_sealed, s->len);
            if (!dst)
                goto fail;
            /* The segment's reference to the shared frame moves to the job; the segment now
             * points at its private copy-to-be. */
            j->src = s->blk;
            j->dst = dst;
            outq_block_ref(q->sealed);
            s->blk = q->sealed;
            s->off = (size_t)(dst - q->sealed->data);
            q->sealed->len += s->len;
        }
        /* The job keeps its destination alive even if the connection is freed meanwhile. */
        j->dst_blk = s->blk;
        outq_block_ref(j->dst_blk);
        s->state = OUTQ_SEALING;
        n++;
    }
    return n;
fail:
    /* Jobs already prepared stay valid: seal them; the caller learns of the shortage next time. */
    return n ? n : (size_t)-1;
}

int outq_seal_run(outq_seal_job *jobs, size_t n, outq_seal_fn fn, void *ctx)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        outq_seal_job *j = &jobs[i];
        if (j->src) {
            memcpy(j->dst, j->src->data, j->plain_len);
            outq_block_unref(j->src);
            j->src = NULL;
        }
        /* After one failure the rest are not sealed: the nonce order would have a hole. */
        if (rc == 0 && fn(ctx, j->dst, j->plain_len, j->extra) != 0)
            rc = -1;
        outq_block_unref(j->dst_blk);
        j->dst_blk = NULL;
    }
    return rc;
}

void outq_seal_end(outq *q, size_t n)
{
    size_t i;
    /* Segments may have moved (grow_segs) while the jobs ran; they are found by state. */
    for (i = 0; i < q->count && n > 0; i++) {
        outq_seg *s = &q->segs[q->head + i];
        if (s->state == OUTQ_SEALING) {
            s->state = OUTQ_READY;
            s->extra = 0;
            n--;
        }
    }
    assert(n == 0);
}

size_t outq_unsealed(const outq *q)
{
    size_t i, n = 0;
    for (i = 0; i < q->count; i++) {
        int st = q->segs[q->head + i].state;
        if (st == OUTQ_PLAIN_OWN || st == OUTQ_PLAIN_SHARED)
            n++;
    }
    return n;
}

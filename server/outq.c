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

uint8_t *outq_reserve(outq *q, size_t n)
{
    outq_block *b;
    size_t size;
    if (q->tail && q->tail->cap - q->tail->len >= n)
        return q->tail->data + q->tail->len;
    /* Bytes already committed to the old tail stay put: segments and sends point at them. */
    size = q->next_block ? q->next_block : OUTQ_BLOCK_MIN;
    b = outq_block_new(n > size ? n : size);
    if (!b)
        return NULL;
    if (size < OUTQ_BLOCK_SIZE)
        q->next_block = size * 2;
    if (q->tail)
        outq_block_unref(q->tail);
    q->tail = b;
    return b->data;
}

int outq_commit(outq *q, size_t n)
{
    outq_seg *last;
    outq_block *t = q->tail;

    if (n == 0)
        return 0;
    assert(t && t->cap - t->len >= n);
    last = q->count ? &q->segs[q->head + q->count - 1] : NULL;
    if (last && last->blk == t && last->off + last->len == t->len) {
        last->len += n;
    } else {
        if (grow_segs(q) != 0)
            return -1;
        outq_block_ref(t);
        q->segs[q->head + q->count].blk = t;
        q->segs[q->head + q->count].off = t->len;
        q->segs[q->head + q->count].len = n;
        q->count++;
    }
    t->len += n;
    q->bytes += n;
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
    if (grow_segs(q) != 0)
        return -1;
    outq_block_ref(b);
    q->segs[q->head + q->count].blk = b;
    q->segs[q->head + q->count].off = 0;
    q->segs[q->head + q->count].len = b->len;
    q->count++;
    q->bytes += b->len;
    return 0;
}

size_t outq_gather(const outq *q, outq_iov *iov, size_t max, size_t *total)
{
    size_t i, n = q->count < max ? q->count : max;
    size_t sum = 0;
    for (i = 0; i < n; i++) {
        const outq_seg *s = &q->segs[q->head + i];
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
        assert(q->count > 0);
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
    }
}

void outq_trim(outq *q)
{
    if (q->count != 0)
        return;
    if (q->tail)
        outq_block_unref(q->tail);
    q->tail = NULL;
    free(q->segs);
    q->segs = NULL;
    q->cap = 0;
    q->head = 0;
    q->next_block = 0;
}

/* outq.h — a connection's outgoing byte queue: private bytes written in place (so a frame can
 * be sealed straight into it) and references to shared immutable blocks, gathered into one
 * scatter/gather list per send. Portable; both I/O engines use it. */
#ifndef PARLEY_OUTQ_H
#define PARLEY_OUTQ_H

#include <stddef.h>
#include <stdint.h>

/* A reference-counted immutable byte block. Counts are atomic: a block may be released by
 * the thread that completes a send while another connection still queues it. */
typedef struct outq_block {
    volatile long refs;
    size_t len; /* bytes written */
    size_t cap;
    uint8_t data[1];
} outq_block;

/* New block with room for cap bytes and one reference (the caller's). NULL if out of memory. */
outq_block *outq_block_new(size_t cap);
void outq_block_ref(outq_block *b);
void outq_block_unref(outq_block *b);

typedef struct outq_seg {
    outq_block *blk; /* one reference held per segment */
    size_t off;
    size_t len;
} outq_seg;

typedef struct outq_iov {
    const uint8_t *p;
    size_t n;
} outq_iov;

/* The queue holds no memory while empty, so an idle connection costs nothing here. */
typedef struct outq {
    outq_seg *segs;      /* segs[head .. head+count) are queued, oldest first */
    size_t head;
    size_t count;
    size_t cap;
    outq_block *tail;    /* private block being filled (the last segment's block, or spare) */
    size_t bytes;        /* unsent bytes */
    size_t next_block;   /* capacity of the next private block; 0 = OUTQ_BLOCK_MIN */
} outq;

/* Private blocks start small and double up to the largest size while a connection keeps them
 * full: a login's few hundred bytes then cost a small block, not a large one, which matters
 * because the C library seldom gives freed heap memory back to the system. */
#define OUTQ_BLOCK_MIN 1024u
#define OUTQ_BLOCK_SIZE 16384u

void outq_init(outq *q);
/* Drops everything queued. */
void outq_free(outq *q);
/* Room for n bytes at the end (private). NULL if out of memory. Valid until the next call
 * that changes the queue. */
uint8_t *outq_reserve(outq *q, size_t n);
/* The first n bytes of the last reservation are now queued. */
int outq_commit(outq *q, size_t n);
int outq_append(outq *q, const void *p, size_t n);
/* Queues a reference to a shared block (all of b->len). */
int outq_push_block(outq *q, outq_block *b);
/* Fills up to max iov entries from the front of the queue; returns the entry count. The
 * memory they point at stays valid and unchanged until outq_consume covers it, even if more
 * is queued meanwhile. */
size_t outq_gather(const outq *q, outq_iov *iov, size_t max, size_t *total);
/* n bytes from the front were sent: release what they covered. An emptied queue keeps its
 * private block for reuse while traffic flows... */
void outq_consume(outq *q, size_t n);
/* ...and gives it back here: engines call this for connections that stayed idle a tick, so an
 * idle connection holds no output memory. */
void outq_trim(outq *q);

#endif

/* outq.h — a connection's outgoing byte queue: private bytes written in place (so a frame can
 * be sealed straight into it), references to shared immutable blocks, and plaintext frames
 * that the send path seals in queue order when it flushes; gathered into one scatter/gather
 * list per send. Portable; both I/O engines use it. */
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

/* A segment's state. Only a ready prefix of the queue is ever gathered: a frame waiting to be
 * sealed holds back everything queued after it, so bytes go out in queue order. */
enum {
    OUTQ_READY = 0,  /* bytes as they go on the wire */
    OUTQ_PLAIN_OWN,  /* plaintext frame in this queue's own block, len counts room to seal in place */
    OUTQ_PLAIN_SHARED, /* reference to a shared plaintext frame; sealed into a private copy */
    OUTQ_SEALING     /* handed to outq_seal_begin's caller, not yet given back by outq_seal_end */
};

typedef struct outq_seg {
    outq_block *blk; /* one reference held per segment */
    size_t off;
    size_t len;      /* bytes on the wire (a plaintext frame's length plus its seal's extra) */
    size_t extra;    /* bytes the seal adds (a plaintext frame only) */
    int state;       /* OUTQ_* above */
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
    size_t bytes;        /* unsent bytes, as they will go on the wire (seals included) */
    size_t next_block;   /* capacity of the next private block; 0 = OUTQ_BLOCK_MIN */
    outq_block *sealed;  /* private block that sealed copies of shared frames are written to */
    size_t next_sealed;  /* capacity of the next such block; 0 = OUTQ_BLOCK_MIN */
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

/* ---- sealing on flush ----
 * A frame may be queued as plaintext (header + body) and sealed by the send path when it
 * flushes: frames are sealed strictly in queue order, and the engine never seals one queue's
 * frames on two threads at once (it seals only while it owns the connection's one send), so a
 * cipher whose nonce is a per-connection counter sees its frames in wire order. A room message
 * is one shared plaintext block; each member's queue holds a reference to it until its own
 * sealed copy is made, at flush. q->bytes counts the sealed size from the moment of queueing,
 * so a send-queue cap measures what will go on the wire. */

/* Seals, in place, a frame of plain_len bytes (header + body) followed by extra bytes of room.
 * Returns 0, or nonzero if it could not (the engine then drops the connection). */
typedef int (*outq_seal_fn)(void *ctx, uint8_t *frame, size_t plain_len, size_t extra);

/* After outq_reserve(q, plain_len + extra): queues the first plain_len bytes as one plaintext
 * frame, to be sealed in place with extra bytes of room. */
int outq_commit_frame(outq *q, size_t plain_len, size_t extra);
/* Queues a reference to a shared plaintext frame (all of b->len); its sealed copy will be
 * b->len + extra bytes. Takes a reference of its own, given up once the copy is sealed. */
int outq_push_frame(outq *q, outq_block *b, size_t extra);

/* One frame to seal, prepared by outq_seal_begin. */
typedef struct outq_seal_job {
    outq_block *src; /* shared plaintext frame (a reference this job owns), or NULL: in place */
    uint8_t *dst;    /* plain_len + extra bytes in a private block of the queue... */
    outq_block *dst_blk; /* ...this one, a reference the job owns (the connection may go) */
    size_t plain_len;
    size_t extra;
} outq_seal_job;

/* Takes up to max frames waiting to be sealed, oldest first, and prepares a job for each
 * (room for each sealed copy is set aside here). Returns the job count, 0 if none waits, or
 * (size_t)-1 if out of memory. The caller must own the queue's sealing (no other begin until
 * the matching outq_seal_end) and gives every job to outq_seal_run. */
size_t outq_seal_begin(outq *q, outq_seal_job *jobs, size_t max);
/* Seals the jobs, in order. Touches no queue state: may run without the lock that guards the
 * queue, while more is queued or the queue is freed. Returns 0, or -1 if fn failed for one (all jobs are released
 * either way). */
int outq_seal_run(outq_seal_job *jobs, size_t n, outq_seal_fn fn, void *ctx);
/* The n frames of the last outq_seal_begin are sealed: they may now be gathered. */
void outq_seal_end(outq *q, size_t n);
/* Frames queued and not yet handed to outq_seal_begin. */
size_t outq_unsealed(const outq *q);

#endif

/* test_outq_seal.c — unit tests for sealing on flush in the output queue (server/outq.c):
 * plaintext frames sealed in queue order, the cap counting wire bytes, shared frames released
 * once by every queue that sealed or dropped them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outq.h"
#include "test.h"

#define TAG 16u /* an AES-256-GCM tag's size */

/* A stand-in cipher with a per-connection counter as its nonce: XORs the frame with the
 * counter's low byte and writes the counter into the extra bytes, so the stream shows which
 * frame was sealed as which, and in what order. */
typedef struct fake_cipher {
    uint64_t seq;
    uint64_t fail_at; /* the seal with this number fails; UINT64_MAX = never */
    unsigned calls;
} fake_cipher;

static int fake_seal(void *ctx, uint8_t *frame, size_t plain_len, size_t extra)
{
    fake_cipher *c = ctx;
    size_t i;
    c->calls++;
    if (c->seq == c->fail_at)
        return -1;
    for (i = 0; i < plain_len; i++)
        frame[i] ^= (uint8_t)(0x80u | (c->seq & 0x7fu));
    for (i = 0; i < extra; i++)
        frame[plain_len + i] = (uint8_t)(c->seq >> (8 * (i % 8)));
    c->seq++;
    return 0;
}

/* Checks that at *pos of the stream sits plain, sealed as number seq; advances *pos. */
static int sealed_at(const uint8_t *stream, size_t *pos, const uint8_t *plain, size_t n,
                     size_t extra, uint64_t seq)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (stream[*pos + i] != (uint8_t)(plain[i] ^ (0x80u | (seq & 0x7fu))))
            return 0;
    for (i = 0; i < extra; i++)
        if (stream[*pos + n + i] != (uint8_t)(seq >> (8 * (i % 8))))
            return 0;
    *pos += n + extra;
    return 1;
}

static outq_block *frame_block(size_t n, uint8_t seed)
{
    outq_block *b = outq_block_new(n);
    size_t i;
    if (!b)
        return NULL;
    for (i = 0; i < n; i++)
        b->data[i] = (uint8_t)(seed + i * 7u);
    b->len = n;
    return b;
}

/* A plaintext frame of n bytes in q's own block, with room to seal it in place. */
static int own_frame(outq *q, const uint8_t *plain, size_t n)
{
    uint8_t *p = outq_reserve(q, n + TAG);
    if (!p)
        return -1;
    memcpy(p, plain, n);
    return outq_commit_frame(q, n, TAG);
}

/* Seals at most per_round frames at a time and sends at most chunk bytes at a time, as an
 * engine would, until q is empty. Returns the bytes drained into out (at most max). */
static size_t flush_all(outq *q, fake_cipher *c, uint8_t *out, size_t max, size_t per_round,
                        size_t chunk)
{
    outq_seal_job jobs[8];
    outq_iov iov[8];
    size_t got = 0;

    if (per_round > 8)
        per_round = 8;
    while (q->bytes > 0) {
        size_t total = 0, n, i, take = 0;
        n = outq_seal_begin(q, jobs, per_round);
        if (n == (size_t)-1 || outq_seal_run(jobs, n, fake_seal, c) != 0)
            break;
        outq_seal_end(q, n);
        n = outq_gather(q, iov, 8, &total);
        for (i = 0; i < n && take < chunk; i++) {
            size_t k = iov[i].n < chunk - take ? iov[i].n : chunk - take;
            if (got + take + k > max)
                return got;
            memcpy(out + got + take, iov[i].p, k);
            take += k;
        }
        outq_consume(q, take);
        got += take;
        if (n == 0 && outq_unsealed(q) == 0)
            break;
    }
    return got;
}

TEST(outq_seal_frames_go_out_sealed_in_queue_order)
{
    outq q;
    fake_cipher c = {0, UINT64_MAX, 0};
    outq_iov iov[8];
    uint8_t own_b[40], own_c[3], out[512];
    outq_block *a = frame_block(30, 11);
    size_t total = 0, pos = 0, got, i;

    REQUIRE(a != NULL);
    for (i = 0; i < sizeof own_b; i++)
        own_b[i] = (uint8_t)(200u - i);
    memcpy(own_c, "xyz", 3);
    outq_init(&q);
    REQUIRE(outq_append(&q, "HELLO", 5) == 0); /* already on-the-wire bytes */
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    REQUIRE(own_frame(&q, own_b, sizeof own_b) == 0);
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    REQUIRE(own_frame(&q, own_c, sizeof own_c) == 0);
    REQUIRE(outq_append(&q, "BYE", 3) == 0);
    CHECK_EQ_INT(outq_unsealed(&q), 4);

    /* Nothing queued behind an unsealed frame is gathered: only HELLO can go. */
    CHECK_EQ_INT(outq_gather(&q, iov, 8, &total), 1);
    CHECK_EQ_INT(total, 5);
    CHECK_EQ_INT(c.calls, 0);

    /* One frame sealed per round and 7 bytes sent per round: the sealing and the sending
     * interleave, and the stream still carries the frames in queue order, numbered 0..3. */
    got = flush_all(&q, &c, out, sizeof out, 1, 7);
    CHECK_EQ_INT(got, 5 + 2 * (30 + TAG) + (40 + TAG) + (3 + TAG) + 3);
    CHECK_EQ_MEM(out, "HELLO", 5);
    pos = 5;
    CHECK(sealed_at(out, &pos, a->data, 30, TAG, 0));
    CHECK(sealed_at(out, &pos, own_b, sizeof own_b, TAG, 1));
    CHECK(sealed_at(out, &pos, a->data, 30, TAG, 2));
    CHECK(sealed_at(out, &pos, own_c, sizeof own_c, TAG, 3));
    CHECK_EQ_MEM(out + pos, "BYE", 3);
    CHECK_EQ_INT(c.seq, 4);
    CHECK_EQ_INT(c.calls, 4); /* each frame sealed exactly once */
    /* The shared plaintext is untouched: other members seal their own copies of it. */
    CHECK_EQ_INT(a->data[0], 11);
    outq_free(&q);
    CHECK_EQ_INT(a->refs, 1);
    outq_block_unref(a);
}

TEST(outq_seal_bytes_count_the_wire_size_from_the_start)
{
    outq q;
    fake_cipher c = {0, UINT64_MAX, 0};
    uint8_t out[1024], plain[100];
    outq_block *a = frame_block(100, 3);
    size_t before;

    REQUIRE(a != NULL);
    memset(plain, 'p', sizeof plain);
    outq_init(&q);
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    /* A reference to 100 plaintext bytes counts as the 116 that will be sent. */
    CHECK_EQ_INT(q.bytes, 100 + TAG);
    REQUIRE(own_frame(&q, plain, sizeof plain) == 0);
    CHECK_EQ_INT(q.bytes, 2 * (100 + TAG));
    REQUIRE(outq_push_frame(&q, a, 0) == 0); /* a cipher that adds nothing (xor) */
    before = q.bytes;
    CHECK_EQ_INT(before, 2 * (100 + TAG) + 100);
    CHECK_EQ_INT(flush_all(&q, &c, out, sizeof out, 8, SIZE_MAX), before);
    CHECK_EQ_INT(q.bytes, 0);
    outq_free(&q);
    outq_block_unref(a);
}

TEST(outq_seal_shared_frame_is_released_once_by_every_queue)
{
    outq q1, q2, q3, q4;
    fake_cipher c = {0, UINT64_MAX, 0};
    outq_seal_job jobs[4];
    uint8_t out[256];
    outq_block *a = frame_block(50, 1);
    size_t n;

    REQUIRE(a != NULL);
    outq_init(&q1);
    outq_init(&q2);
    outq_init(&q3);
    outq_init(&q4);
    REQUIRE(outq_push_frame(&q1, a, TAG) == 0);
    REQUIRE(outq_push_frame(&q2, a, TAG) == 0);
    REQUIRE(outq_push_frame(&q3, a, TAG) == 0);
    REQUIRE(outq_push_frame(&q4, a, TAG) == 0);
    CHECK_EQ_INT(a->refs, 5); /* the test's own and one per member: references, not copies */

    /* Member 1 seals and sends it: its sealed copy no longer needs the shared frame. */
    CHECK_EQ_INT(flush_all(&q1, &c, out, sizeof out, 4, SIZE_MAX), 50 + TAG);
    CHECK_EQ_INT(a->refs, 4);

    /* Member 2 seals it but closes before sending. */
    n = outq_seal_begin(&q2, jobs, 4);
    REQUIRE(n == 1);
    CHECK_EQ_INT(a->refs, 4); /* the segment's reference moved to the job */
    REQUIRE(outq_seal_run(jobs, n, fake_seal, &c) == 0);
    CHECK_EQ_INT(a->refs, 3);
    outq_seal_end(&q2, n);
    outq_free(&q2);
    CHECK_EQ_INT(a->refs, 3);

    /* Member 3 closes with it still unsealed. */
    outq_free(&q3);
    CHECK_EQ_INT(a->refs, 2);

    /* Member 4 closes while its seal runs (another thread, in an engine): the job keeps its
     * destination alive and releases everything it holds. */
    n = outq_seal_begin(&q4, jobs, 4);
    REQUIRE(n == 1);
    outq_free(&q4);
    CHECK_EQ_INT(a->refs, 2);
    REQUIRE(outq_seal_run(jobs, n, fake_seal, &c) == 0);
    CHECK_EQ_INT(a->refs, 1);

    outq_free(&q1);
    CHECK_EQ_INT(a->refs, 1);
    outq_block_unref(a); /* freed here, once (the sanitizer build checks the "once") */
}

TEST(outq_seal_more_queued_while_a_seal_runs_waits_its_turn)
{
    outq q;
    fake_cipher c = {0, UINT64_MAX, 0};
    outq_seal_job jobs[2];
    outq_iov iov[8];
    uint8_t out[8192];
    outq_block *f[52];
    size_t n, i, total = 0, pos = 0, got;

    outq_init(&q);
    for (i = 0; i < 52; i++) {
        f[i] = frame_block(10 + i, (uint8_t)i);
        REQUIRE(f[i] != NULL);
    }
    REQUIRE(outq_push_frame(&q, f[0], TAG) == 0);
    REQUIRE(outq_push_frame(&q, f[1], TAG) == 0);
    n = outq_seal_begin(&q, jobs, 2);
    REQUIRE(n == 2);
    CHECK_EQ_INT(outq_unsealed(&q), 0); /* both handed out: nothing else waits */
    /* The core queues 50 more (the segment array grows and moves) while the seal runs. */
    for (i = 2; i < 52; i++)
        REQUIRE(outq_push_frame(&q, f[i], TAG) == 0);
    REQUIRE(outq_seal_run(jobs, n, fake_seal, &c) == 0);
    outq_seal_end(&q, n);
    CHECK_EQ_INT(outq_unsealed(&q), 50);
    /* The two sealed frames may go; the rest wait for their seal. */
    CHECK_EQ_INT(outq_gather(&q, iov, 8, &total), 2);
    CHECK_EQ_INT(total, 10 + 11 + 2 * TAG);
    got = flush_all(&q, &c, out, sizeof out, 3, 100);
    for (i = 0; i < 52; i++)
        CHECK(sealed_at(out, &pos, f[i]->data, f[i]->len, TAG, i));
    CHECK_EQ_INT(pos, got);
    outq_free(&q);
    for (i = 0; i < 52; i++) {
        CHECK_EQ_INT(f[i]->refs, 1);
        outq_block_unref(f[i]);
    }
}

TEST(outq_seal_failure_seals_nothing_after_it)
{
    outq q;
    fake_cipher c = {0, 1, 0};
    outq_seal_job jobs[4];
    outq_block *a = frame_block(20, 5);
    size_t n;

    REQUIRE(a != NULL);
    outq_init(&q);
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    n = outq_seal_begin(&q, jobs, 4);
    REQUIRE(n == 3);
    CHECK_EQ_INT(outq_seal_run(jobs, n, fake_seal, &c), -1);
    /* The second seal failed; the third was not tried, so no nonce was skipped silently. */
    CHECK_EQ_INT(c.calls, 2);
    CHECK_EQ_INT(a->refs, 1); /* every job released its reference */
    outq_free(&q); /* the engine drops such a connection */
    outq_block_unref(a);
}

TEST(outq_seal_idle_queue_gives_its_sealing_block_back)
{
    outq q;
    fake_cipher c = {0, UINT64_MAX, 0};
    uint8_t out[256];
    outq_block *a = frame_block(60, 9);

    REQUIRE(a != NULL);
    outq_init(&q);
    REQUIRE(outq_push_frame(&q, a, TAG) == 0);
    CHECK(q.sealed == NULL); /* queueing a shared frame costs no private copy */
    CHECK_EQ_INT(flush_all(&q, &c, out, sizeof out, 4, SIZE_MAX), 60 + TAG);
    REQUIRE(q.sealed != NULL);
    CHECK_EQ_INT(q.sealed->len, 0); /* emptied queue: the block starts over */
    outq_trim(&q);
    CHECK(q.sealed == NULL && q.tail == NULL && q.segs == NULL);
    outq_free(&q);
    outq_block_unref(a);
}

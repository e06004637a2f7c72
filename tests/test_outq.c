/* test_outq.c — unit tests for the per-connection output queue (server/outq.c): block
 * boundaries, shared block reference counts, gather/consume in pieces, trimming. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outq.h"
#include "test.h"

/* Deterministic bytes so every test can say what the stream must contain. */
static uint8_t pattern_byte(size_t i)
{
    return (uint8_t)((i * 131u + (i >> 8) * 7u + 3u) & 0xffu);
}

static void fill_pattern(uint8_t *p, size_t n, size_t start)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = pattern_byte(start + i);
}

/* Takes up to max bytes off the front of q through gather/consume into out, at most iov_max
 * entries and chunk bytes per round (a "partial send"). Returns the bytes drained. */
static size_t drain(outq *q, uint8_t *out, size_t max, size_t iov_max, size_t chunk)
{
    outq_iov iov[64];
    size_t got = 0;

    if (iov_max > 64)
        iov_max = 64;
    while (got < max && q->bytes > 0) {
        size_t total = 0, i, n, take = 0;
        n = outq_gather(q, iov, iov_max, &total);
        if (n == 0)
            break;
        for (i = 0; i < n && take < chunk && got + take < max; i++) {
            size_t k = iov[i].n;
            if (k > chunk - take)
                k = chunk - take;
            if (k > max - got - take)
                k = max - got - take;
            memcpy(out + got + take, iov[i].p, k);
            take += k;
        }
        outq_consume(q, take);
        got += take;
    }
    return got;
}

TEST(outq_empty_holds_nothing)
{
    outq q;
    outq_iov iov[4];
    size_t total = 99;

    outq_init(&q);
    CHECK(q.segs == NULL && q.tail == NULL && q.bytes == 0);
    CHECK_EQ_INT(outq_gather(&q, iov, 4, &total), 0);
    CHECK_EQ_INT(total, 0);
    outq_consume(&q, 0);
    outq_trim(&q);
    outq_free(&q);
    CHECK(q.segs == NULL && q.tail == NULL);
}

TEST(outq_small_appends_merge_into_one_piece)
{
    outq q;
    outq_iov iov[4];
    size_t total = 0;

    outq_init(&q);
    REQUIRE(outq_append(&q, "hello ", 6) == 0);
    REQUIRE(outq_append(&q, "world", 5) == 0);
    CHECK_EQ_INT(q.bytes, 11);
    /* Consecutive private bytes in one block are one segment, hence one iov entry. */
    CHECK_EQ_INT(outq_gather(&q, iov, 4, &total), 1);
    CHECK_EQ_INT(total, 11);
    CHECK_EQ_INT(iov[0].n, 11);
    CHECK_EQ_MEM(iov[0].p, "hello world", 11);
    outq_free(&q);
}

TEST(outq_reserve_commit_partial)
{
    outq q;
    outq_iov iov[4];
    uint8_t *p;
    size_t total = 0;

    outq_init(&q);
    p = outq_reserve(&q, 100);
    REQUIRE(p != NULL);
    memcpy(p, "abcdef", 6);
    REQUIRE(outq_commit(&q, 4) == 0); /* fewer than reserved */
    CHECK_EQ_INT(q.bytes, 4);
    p = outq_reserve(&q, 10);
    REQUIRE(p != NULL);
    memcpy(p, "XY", 2);
    REQUIRE(outq_commit(&q, 2) == 0);
    CHECK_EQ_INT(outq_gather(&q, iov, 4, &total), 1);
    CHECK_EQ_INT(total, 6);
    CHECK_EQ_MEM(iov[0].p, "abcdXY", 6);
    CHECK_EQ_INT(outq_commit(&q, 0), 0);
    CHECK_EQ_INT(q.bytes, 6);
    outq_free(&q);
}

TEST(outq_reserve_commit_across_block_boundary)
{
    outq q;
    outq_iov iov[8];
    const size_t first = OUTQ_BLOCK_SIZE - 10;
    uint8_t *big = malloc(first + 100), *out = malloc(first + 100);
    const uint8_t *p0;
    outq_block *b0;
    size_t total = 0;

    REQUIRE(big && out);
    fill_pattern(big, first + 100, 0);
    outq_init(&q);
    REQUIRE(outq_append(&q, big, first) == 0);
    b0 = q.tail;
    CHECK_EQ_INT(outq_gather(&q, iov, 8, &total), 1);
    p0 = iov[0].p;
    /* 100 bytes do not fit in the 10 left: a new block; the old one stays put for the segment
     * that points at it. */
    REQUIRE(outq_append(&q, big + first, 100) == 0);
    CHECK(q.tail != b0);
    CHECK_EQ_INT(b0->refs, 1); /* the queue's tail reference moved to the new block */
    CHECK_EQ_INT(outq_gather(&q, iov, 8, &total), 2);
    CHECK(iov[0].p == p0);
    CHECK_EQ_INT(iov[0].n, first);
    CHECK_EQ_INT(iov[1].n, 100);
    CHECK_EQ_INT(total, first + 100);
    CHECK_EQ_INT(drain(&q, out, first + 100, 8, SIZE_MAX), first + 100);
    CHECK_EQ_MEM(out, big, first + 100);
    CHECK_EQ_INT(q.bytes, 0);
    outq_free(&q);
    free(big);
    free(out);
}

TEST(outq_reservation_larger_than_a_block)
{
    outq q;
    outq_iov iov[4];
    size_t n = 3 * OUTQ_BLOCK_SIZE + 17, total = 0;
    uint8_t *p, *out = malloc(n);

    REQUIRE(out);
    outq_init(&q);
    REQUIRE(outq_append(&q, "head", 4) == 0);
    p = outq_reserve(&q, n);
    REQUIRE(p != NULL);
    fill_pattern(p, n, 0);
    REQUIRE(outq_commit(&q, n) == 0);
    CHECK(q.tail->cap >= n);
    CHECK_EQ_INT(outq_gather(&q, iov, 4, &total), 2);
    CHECK_EQ_INT(iov[1].n, n);
    CHECK_EQ_INT(total, n + 4);
    outq_consume(&q, 4);
    CHECK_EQ_INT(drain(&q, out, n, 4, 5000), n);
    {
        size_t i, bad = 0;
        for (i = 0; i < n; i++)
            bad += out[i] != pattern_byte(i);
        CHECK_EQ_INT(bad, 0);
    }
    outq_free(&q);
    free(out);
}

TEST(outq_shared_block_references_released_exactly)
{
    outq q[3];
    outq_block *b = outq_block_new(1000);
    uint8_t out[1100];
    int i;

    REQUIRE(b != NULL);
    CHECK_EQ_INT(b->refs, 1);
    fill_pattern(b->data, 1000, 500);
    b->len = 1000;
    for (i = 0; i < 3; i++) {
        outq_init(&q[i]);
        REQUIRE(outq_append(&q[i], "p", 1) == 0);
        REQUIRE(outq_push_block(&q[i], b) == 0);
    }
    CHECK_EQ_INT(b->refs, 4);
    /* Pushed twice into one queue: two references. */
    REQUIRE(outq_push_block(&q[0], b) == 0);
    CHECK_EQ_INT(b->refs, 5);

    /* q0: sent in small pieces; the reference goes only when the last byte of a segment is
     * consumed. */
    CHECK_EQ_INT(drain(&q[0], out, 1 + 999, 2, 97), 1000);
    CHECK_EQ_INT(b->refs, 5);
    CHECK_EQ_INT(drain(&q[0], out, 1, 2, 97), 1);
    CHECK_EQ_INT(b->refs, 4);
    CHECK_EQ_INT(drain(&q[0], out, 1000, 2, 97), 1000);
    CHECK_EQ_INT(b->refs, 3);
    CHECK_EQ_INT(q[0].bytes, 0);

    /* q1: everything at once. */
    CHECK_EQ_INT(drain(&q[1], out, 1001, 64, SIZE_MAX), 1001);
    CHECK_EQ_MEM(out + 1, b->data, 1000);
    CHECK_EQ_INT(b->refs, 2);

    /* q2: dropped unsent. */
    outq_free(&q[2]);
    CHECK_EQ_INT(b->refs, 1);

    outq_free(&q[0]);
    outq_free(&q[1]);
    CHECK_EQ_INT(b->refs, 1);
    outq_block_unref(b); /* the last reference frees it (ASan/valgrind would see a leak) */
}

TEST(outq_empty_shared_block_is_ignored)
{
    outq q;
    outq_block *b = outq_block_new(10);

    REQUIRE(b != NULL);
    outq_init(&q);
    CHECK_EQ_INT(outq_push_block(&q, b), 0);
    CHECK_EQ_INT(q.bytes, 0);
    CHECK_EQ_INT(q.count, 0);
    CHECK_EQ_INT(b->refs, 1);
    outq_block_unref(b);
    outq_free(&q);
}

TEST(outq_gather_respects_max_and_stays_valid)
{
    outq q;
    outq_block *b = outq_block_new(5);
    outq_iov iov[4], again[4];
    size_t total = 0, i;

    REQUIRE(b != NULL);
    memcpy(b->data, "SHARE", 5);
    b->len = 5;
    outq_init(&q);
    REQUIRE(outq_append(&q, "aa", 2) == 0);
    REQUIRE(outq_push_block(&q, b) == 0);
    REQUIRE(outq_append(&q, "bb", 2) == 0);
    REQUIRE(outq_push_block(&q, b) == 0);
    CHECK_EQ_INT(outq_gather(&q, iov, 2, &total), 2);
    CHECK_EQ_INT(total, 7);
    CHECK_EQ_INT(outq_gather(&q, iov, 4, NULL), 4);
    /* More queued after a gather (many segments: the array grows) must not move or change
     * what the gathered entries point at. */
    for (i = 0; i < 40; i++) {
        REQUIRE(outq_push_block(&q, b) == 0);
        REQUIRE(outq_append(&q, "c", 1) == 0);
    }
    CHECK_EQ_INT(outq_gather(&q, again, 4, NULL), 4);
    for (i = 0; i < 4; i++) {
        CHECK(again[i].p == iov[i].p);
        CHECK_EQ_INT(again[i].n, iov[i].n);
    }
    CHECK_EQ_MEM(iov[0].p, "aa", 2);
    CHECK_EQ_MEM(iov[1].p, "SHARE", 5);
    CHECK_EQ_MEM(iov[2].p, "bb", 2);
    CHECK_EQ_INT(q.bytes, 2 + 5 + 2 + 5 + 40 * 6);
    CHECK_EQ_INT(b->refs, 1 + 2 + 40);
    outq_free(&q);
    CHECK_EQ_INT(b->refs, 1);
    outq_block_unref(b);
}

TEST(outq_consume_partial_amounts)
{
    outq q;
    outq_iov iov[8];
    size_t total = 0;

    outq_init(&q);
    REQUIRE(outq_append(&q, "0123456789", 10) == 0);
    outq_consume(&q, 3);
    CHECK_EQ_INT(q.bytes, 7);
    CHECK_EQ_INT(outq_gather(&q, iov, 8, &total), 1);
    CHECK_EQ_MEM(iov[0].p, "3456789", 7);
    /* Appending after a partial consume still extends the same segment. */
    REQUIRE(outq_append(&q, "ab", 2) == 0);
    CHECK_EQ_INT(outq_gather(&q, iov, 8, &total), 1);
    CHECK_EQ_INT(total, 9);
    CHECK_EQ_MEM(iov[0].p, "3456789ab", 9);
    outq_consume(&q, 9);
    CHECK_EQ_INT(q.bytes, 0);
    CHECK_EQ_INT(q.count, 0);
    outq_free(&q);
}

TEST(outq_emptied_queue_reuses_its_block_then_trim_frees_it)
{
    outq q;
    outq_block *t;
    uint8_t *p;

    outq_init(&q);
    REQUIRE(outq_append(&q, "xyz", 3) == 0);
    t = q.tail;
    REQUIRE(t != NULL);
    CHECK_EQ_INT(t->refs, 2); /* the tail pointer and the segment */
    outq_consume(&q, 3);
    /* Emptied: the private block is kept and started over for the next burst. */
    CHECK(q.tail == t);
    CHECK_EQ_INT(t->refs, 1);
    CHECK_EQ_INT(t->len, 0);
    p = outq_reserve(&q, 5);
    CHECK(p == t->data);
    /* Trim on a non-empty queue changes nothing. */
    REQUIRE(outq_commit(&q, 1) == 0);
    outq_trim(&q);
    CHECK(q.tail == t && q.segs != NULL);
    outq_consume(&q, 1);
    outq_trim(&q);
    CHECK(q.tail == NULL);
    CHECK(q.segs == NULL);
    CHECK_EQ_INT(q.cap, 0);
    CHECK_EQ_INT(q.bytes, 0);
    /* And it works again afterwards. */
    REQUIRE(outq_append(&q, "again", 5) == 0);
    CHECK_EQ_INT(q.bytes, 5);
    outq_free(&q);
}

/* A tail block still referenced by a segment of a partly consumed queue is not restarted. */
TEST(outq_partly_consumed_tail_is_not_rewound)
{
    outq q;
    outq_iov iov[2];

    outq_init(&q);
    REQUIRE(outq_append(&q, "abcdef", 6) == 0);
    outq_consume(&q, 2);
    REQUIRE(outq_append(&q, "gh", 2) == 0);
    CHECK_EQ_INT(outq_gather(&q, iov, 2, NULL), 1);
    CHECK_EQ_INT(iov[0].n, 6);
    CHECK_EQ_MEM(iov[0].p, "cdefgh", 6);
    outq_free(&q);
}

/* Random mix of every operation against a plain byte-array model, including many segments
 * (array growth and the slide of live segments to the front) and partial consumes. */
TEST(outq_random_operations_match_model)
{
    enum { MODEL = 1 << 22 };
    uint8_t *model = malloc(MODEL), *out = malloc(MODEL);
    outq_block *shared[4];
    size_t mhead = 0, mtail = 0, i;
    uint32_t rng = 12345;
    outq q;
    int round;

    REQUIRE(model && out);
    for (i = 0; i < 4; i++) {
        size_t n = 1 + i * 700;
        shared[i] = outq_block_new(n);
        REQUIRE(shared[i] != NULL);
        fill_pattern(shared[i]->data, n, i * 1000);
        shared[i]->len = n;
    }
    outq_init(&q);
    for (round = 0; round < 20000; round++) {
        uint32_t op;
        rng = rng * 1103515245u + 12345u;
        op = (rng >> 16) % 10;
        if (mtail > MODEL - 3 * OUTQ_BLOCK_SIZE) {
            op = 9; /* drain to make room in the model */
        }
        if (op <= 2) { /* small append */
            size_t n = 1 + (rng >> 8) % 200;
            fill_pattern(model + mtail, n, mtail);
            REQUIRE(outq_append(&q, model + mtail, n) == 0);
            mtail += n;
        } else if (op == 3) { /* big reservation, partly committed */
            size_t n = (rng >> 4) % (2 * OUTQ_BLOCK_SIZE) + 1, k = n / 2 + 1;
            uint8_t *p = outq_reserve(&q, n);
            REQUIRE(p != NULL);
            fill_pattern(p, n, mtail);
            memcpy(model + mtail, p, k);
            REQUIRE(outq_commit(&q, k) == 0);
            mtail += k;
        } else if (op <= 5) { /* shared block */
            outq_block *b = shared[(rng >> 10) % 4];
            memcpy(model + mtail, b->data, b->len);
            REQUIRE(outq_push_block(&q, b) == 0);
            mtail += b->len;
        } else if (op <= 8) { /* a partial send */
            size_t want = (rng >> 6) % 3000, iovs = 1 + (rng >> 3) % 8;
            size_t got = drain(&q, out, want, iovs, want + 1);
            REQUIRE(got <= mtail - mhead);
            if (memcmp(out, model + mhead, got) != 0) {
                test_failf_at(__FILE__, __LINE__, "stream differs at round %d", round);
                break;
            }
            mhead += got;
        } else { /* send everything, maybe trim, restart the model */
            size_t got = drain(&q, out, MODEL, 64, SIZE_MAX);
            REQUIRE(got == mtail - mhead);
            if (memcmp(out, model + mhead, got) != 0) {
                test_failf_at(__FILE__, __LINE__, "stream differs at round %d", round);
                break;
            }
            if (rng & 0x100)
                outq_trim(&q);
            mhead = mtail = 0;
        }
        if (q.bytes != mtail - mhead) {
            test_failf_at(__FILE__, __LINE__, "bytes %lld, model %lld at round %d",
                          (long long)q.bytes, (long long)(mtail - mhead), round);
            break;
        }
    }
    outq_free(&q);
    for (i = 0; i < 4; i++) {
        CHECK_EQ_INT(shared[i]->refs, 1);
        outq_block_unref(shared[i]);
    }
    free(model);
    free(out);
}

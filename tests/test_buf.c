/* test_buf.c — growable buffer (growth, sticky failure, consume), big-endian helpers, rd reader. */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "test.h"

TEST(buf_init_is_empty)
{
    buf b;
    buf_init(&b);
    CHECK(b.data == NULL);
    CHECK_EQ_INT(b.len, 0);
    CHECK_EQ_INT(b.cap, 0);
    CHECK(!buf_failed(&b));
    buf_free(&b); /* freeing a never-used buffer is fine */
    buf_free(&b); /* and so is freeing twice: buf_free leaves it initialised */
    CHECK(b.data == NULL);
}

TEST(buf_grows_and_keeps_contents)
{
    buf b;
    size_t i;
    int same = 1;

    buf_init(&b);
    for (i = 0; i < 100000; i++)
        buf_put_u8(&b, (uint8_t)(i * 7));
    REQUIRE(!buf_failed(&b));
    CHECK_EQ_INT(b.len, 100000);
    CHECK(b.cap >= b.len);
    for (i = 0; i < b.len; i++)
        if (b.data[i] != (uint8_t)(i * 7))
            same = 0;
    CHECK(same);
    buf_free(&b);
}

TEST(buf_append_large_blocks)
{
    static uint8_t block[10000];
    buf b;
    int k;

    for (k = 0; k < (int)sizeof block; k++)
        block[k] = (uint8_t)k;
    buf_init(&b);
    buf_append(&b, "ab", 2);
    for (k = 0; k < 5; k++)
        buf_append(&b, block, sizeof block);
    buf_append(&b, NULL, 0); /* empty append is a no-op */
    REQUIRE(!buf_failed(&b));
    CHECK_EQ_INT(b.len, 2 + 5 * sizeof block);
    CHECK_EQ_MEM(b.data, "ab", 2);
    CHECK_EQ_MEM(b.data + 2 + 4 * sizeof block, block, sizeof block);
    buf_free(&b);
}

TEST(buf_reserve_returns_free_space)
{
    buf b;
    uint8_t *p;

    buf_init(&b);
    buf_append(&b, "xyz", 3);
    p = buf_reserve(&b, 1000);
    REQUIRE(p != NULL);
    CHECK(p == b.data + 3);
    CHECK(b.cap >= 1003);
    memcpy(p, "hello", 5);
    b.len += 5;
    CHECK_EQ_MEM(b.data, "xyzhello", 8);
    /* Reserving what is already there does not move the data. */
    p = b.data;
    CHECK(buf_reserve(&b, 10) == p + 8);
    buf_free(&b);
}

TEST(buf_failure_is_sticky)
{
    buf b;

    buf_init(&b);
    buf_append(&b, "abcd", 4);
    /* len + extra overflows: must fail rather than wrap and under-allocate. */
    CHECK(buf_reserve(&b, SIZE_MAX - 1) == NULL);
    CHECK(buf_failed(&b));
    CHECK_EQ_INT(b.len, 4);
    /* Every later write is ignored and reserve keeps failing, even for small sizes. */
    buf_put_u8(&b, 1);
    buf_put_u16(&b, 2);
    buf_put_u32(&b, 3);
    buf_put_u64(&b, 4);
    buf_append(&b, "efgh", 4);
    CHECK(buf_reserve(&b, 1) == NULL);
    CHECK(buf_failed(&b));
    CHECK_EQ_INT(b.len, 4);
    CHECK_EQ_MEM(b.data, "abcd", 4);
    /* Reset starts a new message, and with it a clean slate. */
    buf_reset(&b);
    CHECK(!buf_failed(&b));
    buf_put_u8(&b, 9);
    CHECK_EQ_INT(b.len, 1);
    buf_free(&b);
}

TEST(buf_failure_on_huge_first_reserve)
{
    buf b;
    buf_init(&b);
    CHECK(buf_reserve(&b, SIZE_MAX) == NULL);
    CHECK(buf_failed(&b));
    CHECK(b.data == NULL);
    buf_free(&b);
    CHECK(!buf_failed(&b));
}

TEST(buf_reset_keeps_memory)
{
    buf b;
    uint8_t *data;
    size_t cap;

    buf_init(&b);
    buf_append(&b, "some bytes", 10);
    data = b.data;
    cap = b.cap;
    buf_reset(&b);
    CHECK_EQ_INT(b.len, 0);
    CHECK(b.data == data);
    CHECK_EQ_INT(b.cap, cap);
    buf_free(&b);
}

TEST(buf_consume_shifts)
{
    buf b;

    buf_init(&b);
    buf_append(&b, "0123456789", 10);
    buf_consume(&b, 0);
    CHECK_EQ_INT(b.len, 10);
    buf_consume(&b, 3);
    CHECK_EQ_INT(b.len, 7);
    CHECK_EQ_MEM(b.data, "3456789", 7);
    buf_consume(&b, 7);
    CHECK_EQ_INT(b.len, 0);
    buf_append(&b, "ab", 2);
    CHECK_EQ_MEM(b.data, "ab", 2);
    buf_free(&b);
}

TEST(buf_put_is_big_endian)
{
    static const uint8_t want[] = {0xAB,                                           /* u8 */
                                   0x12, 0x34,                                     /* u16 */
                                   0xDE, 0xAD, 0xBE, 0xEF,                         /* u32 */
                                   0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}; /* u64 */
    buf b;

    buf_init(&b);
    buf_put_u8(&b, 0xAB);
    buf_put_u16(&b, 0x1234);
    buf_put_u32(&b, 0xDEADBEEFu);
    buf_put_u64(&b, 0x0123456789ABCDEFull);
    REQUIRE(b.len == sizeof want);
    CHECK_EQ_MEM(b.data, want, sizeof want);
    buf_free(&b);
}

TEST(be_helpers_round_trip)
{
    static const uint64_t v64[] = {0, 1, 0xFF, 0x100, 0x8000000000000000ull, UINT64_MAX,
                                   0x0102030405060708ull};
    uint8_t p[8];
    size_t i;

    be_put16(p, 0xA1B2);
    CHECK(p[0] == 0xA1 && p[1] == 0xB2);
    CHECK_EQ_INT(be_get16(p), 0xA1B2);
    be_put16(p, 0xFFFF);
    CHECK_EQ_INT(be_get16(p), 0xFFFF);

    be_put32(p, 0x80000001u);
    CHECK(p[0] == 0x80 && p[1] == 0 && p[2] == 0 && p[3] == 0x01);
    CHECK(be_get32(p) == 0x80000001u);
    be_put32(p, UINT32_MAX);
    CHECK(be_get32(p) == UINT32_MAX);

    for (i = 0; i < sizeof v64 / sizeof v64[0]; i++) {
        be_put64(p, v64[i]);
        CHECK(be_get64(p) == v64[i]);
    }
    be_put64(p, 0x0102030405060708ull);
    CHECK(p[0] == 1 && p[7] == 8);
}

TEST(rd_reads_what_buf_wrote)
{
    buf b;
    rd r;
    uint8_t bytes[3];
    const uint8_t *view;

    buf_init(&b);
    buf_put_u8(&b, 7);
    buf_put_u16(&b, 0xBEEF);
    buf_put_u32(&b, 0xCAFEBABEu);
    buf_put_u64(&b, 0xFEDCBA9876543210ull);
    buf_append(&b, "xyz", 3);
    buf_append(&b, "tail", 4);
    REQUIRE(!buf_failed(&b));

    rd_init(&r, b.data, b.len);
    CHECK_EQ_INT(rd_left(&r), 1 + 2 + 4 + 8 + 3 + 4);
    CHECK_EQ_INT(rd_u8(&r), 7);
    CHECK_EQ_INT(rd_u16(&r), 0xBEEF);
    CHECK(rd_u32(&r) == 0xCAFEBABEu);
    CHECK(rd_u64(&r) == 0xFEDCBA9876543210ull);
    rd_bytes(&r, bytes, 3);
    CHECK_EQ_MEM(bytes, "xyz", 3);
    view = rd_view(&r, 4);
    REQUIRE(view != NULL);
    CHECK(view == b.data + 18);
    CHECK_EQ_MEM(view, "tail", 4);
    CHECK_EQ_INT(rd_left(&r), 0);
    CHECK(rd_ok(&r));
    buf_free(&b);
}

TEST(rd_past_end_is_sticky)
{
    static const uint8_t src[] = {0x01, 0x02, 0x03, 0x04, 0x05};
    rd r;

    rd_init(&r, src, sizeof src);
    CHECK_EQ_INT(rd_u16(&r), 0x0102);
    /* Only 3 bytes left: a u32 fails, yields zero and poisons the reader. */
    CHECK(rd_u32(&r) == 0);
    CHECK(!rd_ok(&r));
    CHECK_EQ_INT(rd_left(&r), 0);
    /* Reads that would have fit before the error still yield zeros now. */
    CHECK_EQ_INT(rd_u8(&r), 0);
    CHECK_EQ_INT(rd_u16(&r), 0);
    CHECK(!rd_ok(&r));
}

TEST(rd_every_width_past_end)
{
    static const uint8_t src[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    rd r;

    rd_init(&r, src, 0);
    CHECK_EQ_INT(rd_u8(&r), 0);
    CHECK(!rd_ok(&r));
    rd_init(&r, src, 1);
    CHECK_EQ_INT(rd_u16(&r), 0);
    CHECK(!rd_ok(&r));
    rd_init(&r, src, 3);
    CHECK(rd_u32(&r) == 0);
    CHECK(!rd_ok(&r));
    rd_init(&r, src, 7);
    CHECK(rd_u64(&r) == 0);
    CHECK(!rd_ok(&r));
    /* Exactly enough is fine. */
    rd_init(&r, src, 1);
    CHECK_EQ_INT(rd_u8(&r), 0xFF);
    CHECK(rd_ok(&r));
}

TEST(rd_bytes_and_view_past_end)
{
    static const uint8_t src[] = {'a', 'b', 'c'};
    uint8_t out[8];
    rd r;

    rd_init(&r, src, sizeof src);
    memset(out, 0xEE, sizeof out);
    rd_bytes(&r, out, 4);
    CHECK(!rd_ok(&r));
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0);
    CHECK(out[4] == 0xEE); /* nothing past n is touched */

    rd_init(&r, src, sizeof src);
    CHECK(rd_view(&r, 2) == src);
    CHECK(rd_view(&r, 2) == NULL);
    CHECK(!rd_ok(&r));
    CHECK(rd_view(&r, 0) == NULL); /* after an error even an empty view fails */

    /* A huge n must not wrap pos + n around. */
    rd_init(&r, src, sizeof src);
    rd_u8(&r);
    CHECK(rd_view(&r, SIZE_MAX) == NULL);
    CHECK(!rd_ok(&r));
}

TEST(rd_empty_source)
{
    rd r;
    uint8_t out[1] = {0x55};

    rd_init(&r, NULL, 0);
    CHECK(rd_ok(&r));
    CHECK_EQ_INT(rd_left(&r), 0);
    CHECK(rd_view(&r, 0) != NULL); /* an empty view is a success, not NULL */
    rd_bytes(&r, out, 0);
    CHECK(rd_ok(&r));
    CHECK(out[0] == 0x55);
    CHECK_EQ_INT(rd_u8(&r), 0);
    CHECK(!rd_ok(&r));
}

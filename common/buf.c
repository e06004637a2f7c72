/* buf.c — growable byte buffers with a sticky failure flag, big-endian helpers, and the rd reader. */
#include "buf.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Smallest allocation: avoids a string of tiny reallocs for the first few writes. */
#define BUF_MIN_CAP 64

void buf_init(buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void buf_free(buf *b)
{
    free(b->data);
    buf_init(b);
}

/* Reset also clears the failure flag: the buffer is being reused for a new message, and a
 * failure belongs to the message that was being built, not to the buffer for ever. */
void buf_reset(buf *b)
{
    b->len = 0;
    b->failed = 0;
}

int buf_failed(const buf *b)
{
    return b->failed;
}

uint8_t *buf_reserve(buf *b, size_t extra)
{
    size_t need, cap;
    uint8_t *p;

    if (b->failed)
        return NULL;
    /* Sizes near SIZE_MAX can only come from a bug or hostile input; refuse instead of wrapping. */
    if (extra > (size_t)PTRDIFF_MAX - b->len)
        goto fail;
    need = b->len + extra;
    if (need <= b->cap)
        return b->data + b->len;
    cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need)
        cap = cap > (size_t)PTRDIFF_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (!p)
        goto fail;
    b->data = p;
    b->cap = cap;
    return b->data + b->len;

fail:
    b->failed = 1;
    return NULL;
}

void buf_append(buf *b, const void *p, size_t n)
{
    uint8_t *dst;

    if (n == 0)
        return;
    dst = buf_reserve(b, n);
    if (!dst)
        return;
    memcpy(dst, p, n);
    b->len += n;
}

void buf_put_u8(buf *b, uint8_t v)
{
    buf_append(b, &v, 1);
}

void buf_put_u16(buf *b, uint16_t v)
{
    uint8_t tmp[2];
    be_put16(tmp, v);
    buf_append(b, tmp, sizeof tmp);
}

void buf_put_u32(buf *b, uint32_t v)
{
    uint8_t tmp[4];
    be_put32(tmp, v);
    buf_append(b, tmp, sizeof tmp);
}

void buf_put_u64(buf *b, uint64_t v)
{
    uint8_t tmp[8];
    be_put64(tmp, v);
    buf_append(b, tmp, sizeof tmp);
}

void buf_consume(buf *b, size_t n)
{
    assert(n <= b->len);
    if (n > b->len)
        n = b->len;
    if (n == 0)
        return;
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void be_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void be_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void be_put64(uint8_t *p, uint64_t v)
{
    be_put32(p, (uint32_t)(v >> 32));
    be_put32(p + 4, (uint32_t)v);
}

uint16_t be_get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t be_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint64_t be_get64(const uint8_t *p)
{
    return (uint64_t)be_get32(p) << 32 | be_get32(p + 4);
}

void rd_init(rd *r, const void *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->err = 0;
}

int rd_ok(const rd *r)
{
    return !r->err;
}

size_t rd_left(const rd *r)
{
    return r->err ? 0 : r->len - r->pos;
}

/* Claims the next n bytes, or marks the reader failed. Once failed, every later read fails too,
 * even one that would fit, so a parse cannot resynchronise on garbage after a short field. */
static const uint8_t *rd_take(rd *r, size_t n)
{
    const uint8_t *p;

    if (r->err || n > r->len - r->pos) {
        r->err = 1;
        r->pos = r->len;
        return NULL;
    }
    p = r->p + r->pos;
    r->pos += n;
    return p;
}

uint8_t rd_u8(rd *r)
{
    const uint8_t *p = rd_take(r, 1);
    return p ? p[0] : 0;
}

uint16_t rd_u16(rd *r)
{
    const uint8_t *p = rd_take(r, 2);
    return p ? be_get16(p) : 0;
}

uint32_t rd_u32(rd *r)
{
    const uint8_t *p = rd_take(r, 4);
    return p ? be_get32(p) : 0;
}

uint64_t rd_u64(rd *r)
{
    const uint8_t *p = rd_take(r, 8);
    return p ? be_get64(p) : 0;
}

void rd_bytes(rd *r, void *out, size_t n)
{
    const uint8_t *p;

    if (n == 0)
        return;
    p = rd_take(r, n);
    if (p)
        memcpy(out, p, n);
    else
        memset(out, 0, n);
}

const uint8_t *rd_view(rd *r, size_t n)
{
    static const uint8_t empty[1] = {0};
    const uint8_t *p;

    /* A zero-length view over an empty (NULL) source is still a success, so it must not be NULL. */
    if (n == 0 && !r->err && !r->p)
        return empty;
    p = rd_take(r, n);
    return p;
}

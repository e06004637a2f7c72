/* buf.h — growable byte buffers for encoding, and a bounds-checked reader with a sticky error for decoding. */
#ifndef PARLEY_BUF_H
#define PARLEY_BUF_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. The buffer owns `data`; buf_free releases it.
 * Writers never fail silently: on allocation failure the buffer becomes
 * "failed" (sticky), further writes are ignored, and buf_failed() says so. */
typedef struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);                     /* len = 0, keeps memory */
int buf_failed(const buf *b);
/* Ensures room for `extra` more bytes; returns a pointer to the free space or NULL (and sets failed). */
uint8_t *buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_put_u8(buf *b, uint8_t v);
void buf_put_u16(buf *b, uint16_t v);       /* big-endian */
void buf_put_u32(buf *b, uint32_t v);       /* big-endian */
void buf_put_u64(buf *b, uint64_t v);       /* big-endian */
/* Removes the first n bytes (n <= len), shifting the rest to the front. */
void buf_consume(buf *b, size_t n);

/* Big-endian helpers on raw memory. */
void be_put16(uint8_t *p, uint16_t v);
void be_put32(uint8_t *p, uint32_t v);
void be_put64(uint8_t *p, uint64_t v);
uint16_t be_get16(const uint8_t *p);
uint32_t be_get32(const uint8_t *p);
uint64_t be_get64(const uint8_t *p);

/* A reader over borrowed memory. Any read past the end sets `err` and yields
 * zeros; callers check rd_ok() once after a whole parse. */
typedef struct rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;
} rd;

void rd_init(rd *r, const void *p, size_t len);
int rd_ok(const rd *r);                     /* 1 if no error so far */
size_t rd_left(const rd *r);
uint8_t rd_u8(rd *r);
uint16_t rd_u16(rd *r);
uint32_t rd_u32(rd *r);
uint64_t rd_u64(rd *r);
/* Copies n bytes into out (zeros on error). */
void rd_bytes(rd *r, void *out, size_t n);
/* Returns a pointer to the next n bytes inside the source and advances, or NULL on error. */
const uint8_t *rd_view(rd *r, size_t n);

#endif

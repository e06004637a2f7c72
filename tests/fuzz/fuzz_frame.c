/* fuzz_frame.c — libFuzzer target: the incremental frame reader, fed the stream in fuzzed
 * pieces, and the message codec on every frame it yields.
 *
 * Input: byte 0 picks how the stream is cut into reads, byte 1 the reader's size limit, and
 * the rest is the byte stream a peer sent. Checked beyond "no crash, no leak, no UB":
 *  - a yielded frame is exactly what its header says (length, type) and within the limit;
 *  - errors are sticky (a failed reader never yields again);
 *  - whatever decodes re-encodes to the very same body (the encoding has one form per message,
 *    so two peers can never read one frame two ways), and lists walk to their count. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

static void check_lists(const proto_msg *m)
{
    proto_entry e;
    size_t pos = 0;
    uint32_t n = 0;

    if (m->type != PT_ROOM_LIST && m->type != PT_USER_LIST)
        return;
    while (proto_list_next(&m->list, m->type, &pos, &e))
        n++;
    FUZZ_ASSERT(n == m->list.count);
    FUZZ_ASSERT(pos == m->list.n);
}

static void check_frame(const proto_frame *f, size_t max_body)
{
    proto_msg m, again;
    uint8_t *body;
    buf out;
    int rc;

    FUZZ_ASSERT(be_get32(f->header) == f->len);
    FUZZ_ASSERT(f->header[4] == PROTO_VERSION && f->version == PROTO_VERSION);
    FUZZ_ASSERT(f->header[5] == f->type && proto_type_known(f->type));
    FUZZ_ASSERT(f->len <= max_body);

    /* An exact-size copy, so that ASan sees any read past the body (the reader's own buffer is
     * larger and would hide it). */
    body = malloc(f->len ? f->len : 1);
    if (!body)
        return;
    if (f->len)
        memcpy(body, f->body, f->len);
    rc = proto_decode(f->type, body, f->len, &m);
    if (rc == PROTO_OK) {
        FUZZ_ASSERT(m.type == f->type);
        check_lists(&m);
        buf_init(&out);
        rc = proto_encode(&m, 0, &out);
        FUZZ_ASSERT(rc == PROTO_OK);
        FUZZ_ASSERT(out.len == PROTO_HEADER_SIZE + f->len);
        FUZZ_ASSERT(memcmp(out.data, f->header, PROTO_HEADER_SIZE) == 0);
        FUZZ_ASSERT(f->len == 0 || memcmp(out.data + PROTO_HEADER_SIZE, body, f->len) == 0);
        FUZZ_ASSERT(proto_decode(f->type, out.data + PROTO_HEADER_SIZE, f->len, &again) ==
                    PROTO_OK);
        buf_free(&out);
    } else {
        FUZZ_ASSERT(rc < 0);
        FUZZ_ASSERT(proto_status_text(rc) != NULL);
    }
    free(body);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proto_reader r;
    proto_frame f;
    size_t pos = 0, max_body, piece = 0;
    unsigned cut;
    int rc = 0;

    if (size < 2)
        return 0;
    cut = data[0];
    /* Mostly the default limit; sometimes a tiny one, to hit the length check often. */
    max_body = data[1] < 128 ? 0 : (size_t)(data[1] - 127) * 8;
    data += 2;
    size -= 2;
    proto_reader_init(&r, max_body);
    if (max_body == 0)
        max_body = PROTO_MAX_FRAME_DEFAULT;

    while (pos < size) {
        /* Read sizes from 1 byte up, varying per read as a TCP stream would. */
        size_t n = 1 + (cut * 7 + piece * 13) % (cut % 64 + 1);
        if (n > size - pos)
            n = size - pos;
        piece++;
        rc = proto_reader_feed(&r, data + pos, n);
        pos += n;
        if (rc != PROTO_OK)
            break;
        while ((rc = proto_reader_next(&r, &f)) == 1)
            check_frame(&f, max_body);
        if (rc < 0)
            break;
    }
    if (rc < 0) {
        /* Sticky: nothing more comes out of a failed reader, whatever is fed. */
        FUZZ_ASSERT(proto_reader_feed(&r, data, size) == rc);
        FUZZ_ASSERT(proto_reader_next(&r, &f) == rc);
    } else {
        FUZZ_ASSERT(proto_reader_pending(&r) <= size);
    }
    proto_reader_free(&r);
    return 0;
}

/* test_proto_doc.c — keeps docs/PROTOCOL.md honest: its worked example must decode to the
 * documented fields and be exactly what the encoder produces, and every type and code is there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "test.h"

#define HEX_BEGIN "<!-- hex-example-begin -->"
#define HEX_END "<!-- hex-example-end -->"

/* Reads docs/PROTOCOL.md into a NUL-terminated heap string (the caller frees it), or NULL. */
static char *read_doc(void)
{
    char path[1024];
    FILE *fp;
    char *text = NULL;
    long size;

    snprintf(path, sizeof path, "%s/../docs/PROTOCOL.md", test_data_dir());
    fp = fopen(path, "rb");
    if (!fp) {
        test_failf_at(__FILE__, __LINE__, "cannot open %s", path);
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
        text = (char *)malloc((size_t)size + 1);
        if (text && fread(text, 1, (size_t)size, fp) == (size_t)size) {
            text[size] = '\0';
        } else {
            free(text);
            text = NULL;
        }
    }
    fclose(fp);
    return text;
}

/* Collects the hex between the markers: fence lines are skipped and '#' starts a comment
 * (the annotations), so only the bytes remain. Returns the byte count or -1. */
static long example_bytes_between(const char *doc, const char *begin_mark,
                                  const char *end_mark, uint8_t *out, size_t cap)
{
    const char *begin = strstr(doc, begin_mark), *end, *line;
    char *hex;
    size_t n = 0;
    long count;

    if (!begin)
        return -1;
    begin += strlen(begin_mark);
    end = strstr(begin, end_mark);
    if (!end)
        return -1;
    hex = (char *)malloc((size_t)(end - begin) + 1);
    if (!hex)
        return -1;
    for (line = begin; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        const char *stop;
        if (!eol)
            eol = end;
        stop = memchr(line, '#', (size_t)(eol - line));
        if (!stop)
            stop = eol;
        if (strncmp(line, "```", 3) != 0) {
            memcpy(hex + n, line, (size_t)(stop - line));
            n += (size_t)(stop - line);
            hex[n++] = ' ';
        }
        line = eol + (eol < end);
    }
    hex[n] = '\0';
    count = test_hex(hex, out, cap);
    free(hex);
    return count;
}

/* The bytes of the example between the markers in PROTOCOL.md, or -1. */
static long doc_bytes(const char *begin_mark, const char *end_mark, uint8_t *out, size_t cap)
{
    char *doc = read_doc();
    long n;
    if (!doc)
        return -1;
    n = example_bytes_between(doc, begin_mark, end_mark, out, cap);
    free(doc);
    return n;
}

/* Reads the example between the markers into bytes (*n of them) and decodes its one frame,
 * which must be of type, into m; m points into r, which the caller frees. 1, or 0 after
 * reporting a test failure. */
static int doc_message(const char *begin_mark, const char *end_mark, uint8_t *bytes, size_t cap,
                       long *n, uint8_t type, proto_reader *r, proto_msg *m)
{
    proto_frame f;

    *n = doc_bytes(begin_mark, end_mark, bytes, cap);
    proto_reader_init(r, 0);
    if (*n <= 0) {
        test_failf_at(__FILE__, __LINE__, "no example between %s and %s", begin_mark, end_mark);
        return 0;
    }
    if (proto_reader_feed(r, bytes, (size_t)*n) != PROTO_OK || proto_reader_next(r, &f) != 1) {
        test_failf_at(__FILE__, __LINE__, "the example %s is no whole frame", begin_mark);
        proto_reader_free(r);
        return 0;
    }
    CHECK_EQ_INT(f.type, type);
    if (proto_decode(f.type, f.body, f.len, m) != PROTO_OK) {
        test_failf_at(__FILE__, __LINE__, "the example %s does not decode", begin_mark);
        proto_reader_free(r);
        return 0;
    }
    return 1;
}

/* The encoder writes m as exactly the example's n bytes. */
static void check_encodes_to(const proto_msg *m, const uint8_t *bytes, long n)
{
    buf out;

    buf_init(&out);
    CHECK_EQ_INT(proto_encode(m, 0, &out), PROTO_OK);
    CHECK_EQ_INT(out.len, n);
    CHECK(out.len == (size_t)n && memcmp(out.data, bytes, out.len) == 0);
    buf_free(&out);
}

/* LOGIN's example (a client-first) decodes to that text, and the encoder writes those bytes. */
TEST(proto_doc_login_example)
{
    static const char text[] = "p=parley-session,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL";
    uint8_t bytes[256];
    proto_reader r;
    proto_msg m;
    long n;

    REQUIRE(doc_message("<!-- hex-login-begin -->", "<!-- hex-login-end -->", bytes,
                        sizeof bytes, &n, PT_LOGIN, &r, &m));
    CHECK(m.text.n == strlen(text) && memcmp(m.text.p, text, m.text.n) == 0);
    CHECK_EQ_INT(proto_reader_pending(&r), 0);
    proto_reader_free(&r);
    memset(&m, 0, sizeof m);
    m.type = PT_LOGIN;
    m.text = proto_s(text);
    check_encodes_to(&m, bytes, n);
}

TEST(proto_doc_worked_example)
{
    static const char text[] = "h\xc3\xa9llo \xf0\x9f\x91\x8b";
    uint8_t bytes[256];
    proto_reader r;
    proto_frame f;
    proto_msg m;
    long n = doc_bytes(HEX_BEGIN, HEX_END, bytes, sizeof bytes);

    REQUIRE(n > 0);

    /* What the document shows decodes to what it says. */
    proto_reader_init(&r, 0);
    CHECK_EQ_INT(proto_reader_feed(&r, bytes, (size_t)n), PROTO_OK);
    REQUIRE(proto_reader_next(&r, &f) == 1);
    CHECK_EQ_INT(f.version, PROTO_VERSION);
    CHECK_EQ_INT(f.type, PT_SAY);
    CHECK_EQ_INT(f.len, (size_t)n - PROTO_HEADER_SIZE);
    REQUIRE(proto_decode(f.type, f.body, f.len, &m) == PROTO_OK);
    CHECK_EQ_INT(m.tag, 7);
    CHECK(m.room.n == 5 && memcmp(m.room.p, "lobby", 5) == 0);
    CHECK_EQ_INT(m.text.n, sizeof text - 1);
    CHECK(m.text.n == sizeof text - 1 && memcmp(m.text.p, text, m.text.n) == 0);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    CHECK_EQ_INT(proto_reader_pending(&r), 0);
    proto_reader_free(&r);

    /* And the encoder writes exactly those bytes. */
    memset(&m, 0, sizeof m);
    m.type = PT_SAY;
    m.tag = 7;
    m.room = proto_s("lobby");
    m.text = proto_s(text);
    check_encodes_to(&m, bytes, n);
}

/* HELLO's example, with a key share: it decodes to the documented fields (the share is NIST's
 * QIUT, which test_ecdh.c checks against its vector), and the encoder writes exactly those
 * bytes. */
TEST(proto_doc_hello_example)
{
    static const char agent[] = "parley/0.1";
    static const char qiut[] = "04ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230"
                               "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141";
    uint8_t bytes[256], share[PROTO_SHARE_SIZE];
    proto_reader r;
    proto_msg m;
    size_t i;
    long n;

    REQUIRE(test_hex(qiut, share, sizeof share) == (long)sizeof share);
    REQUIRE(doc_message("<!-- hex-hello-begin -->", "<!-- hex-hello-end -->", bytes,
                        sizeof bytes, &n, PT_HELLO, &r, &m));
    CHECK_EQ_INT(m.version, 1);
    CHECK_EQ_INT(m.ncipher, 1);
    CHECK_EQ_INT(m.ciphers[0], PROTO_CIPHER_AES256GCM);
    CHECK(m.agent.n == strlen(agent) && memcmp(m.agent.p, agent, m.agent.n) == 0);
    CHECK_EQ_INT(m.share_len, PROTO_SHARE_SIZE);
    CHECK_EQ_MEM(m.share, share, sizeof share);
    CHECK_EQ_INT(proto_reader_pending(&r), 0);
    proto_reader_free(&r);

    memset(&m, 0, sizeof m);
    m.type = PT_HELLO;
    m.version = PROTO_VERSION;
    m.ncipher = 1;
    m.ciphers[0] = PROTO_CIPHER_AES256GCM;
    for (i = 0; i < PROTO_NONCE_SIZE; i++)
        m.nonce[i] = (uint8_t)i;
    m.agent = proto_s(agent);
    m.share_len = PROTO_SHARE_SIZE;
    memcpy(m.share, share, sizeof share);
    check_encodes_to(&m, bytes, n);
}

/* SEARCH's example decodes to the fields the document names, and the encoder writes exactly
 * those bytes. */
TEST(proto_doc_search_example)
{
    uint8_t bytes[256];
    proto_reader r;
    proto_msg m;
    long n;

    REQUIRE(doc_message("<!-- hex-search-begin -->", "<!-- hex-search-end -->", bytes,
                        sizeof bytes, &n, PT_SEARCH, &r, &m));
    CHECK_EQ_INT(m.tag, 5);
    CHECK_EQ_INT(m.id, 0);
    CHECK_EQ_INT(m.after, 0);
    CHECK_EQ_INT(m.before, 0);
    CHECK_EQ_INT(m.count, 10);
    CHECK(m.room.n == 5 && memcmp(m.room.p, "lobby", 5) == 0);
    CHECK(m.nick.n == 5 && memcmp(m.nick.p, "alice", 5) == 0);
    CHECK(m.text.n == 10 && memcmp(m.text.p, "fire drill", 10) == 0);
    CHECK_EQ_INT(proto_reader_pending(&r), 0);
    proto_reader_free(&r);
    memset(&m, 0, sizeof m);
    m.type = PT_SEARCH;
    m.tag = 5;
    m.count = 10;
    m.room = proto_s("lobby");
    m.nick = proto_s("alice");
    m.text = proto_s("fire drill");
    check_encodes_to(&m, bytes, n);
}

TEST(proto_doc_covers_everything)
{
    char *doc = read_doc();
    char want[128];
    unsigned t, c;

    REQUIRE(doc != NULL);
    /* A section for every message type... */
    for (t = 0; t < 256; t++) {
        if (!proto_type_known((uint8_t)t))
            continue;
        snprintf(want, sizeof want, "### %s (0x%02X)", proto_type_name((uint8_t)t), t);
        if (!strstr(doc, want))
            test_failf_at(__FILE__, __LINE__, "PROTOCOL.md lacks the heading \"%s\"", want);
    }
    /* ...a row for every code... */
    for (c = 0; c < 1000; c++) {
        const char *name = proto_code_name((uint16_t)c);
        if (strcmp(name, "UNKNOWN") == 0)
            continue;
        snprintf(want, sizeof want, "| %u | %s |", c, name);
        if (!strstr(doc, want))
            test_failf_at(__FILE__, __LINE__, "PROTOCOL.md lacks the code row \"%s\"", want);
    }
    /* ...and the section the cipher work fills in. */
    CHECK(strstr(doc, "\n## Ciphers and key schedule") != NULL);
    CHECK(strstr(doc, "\n## Worked example") != NULL);
    free(doc);
}

/* ROLL_LIST's example decodes to the documented roll call, and the encoder writes those bytes
 * from the same fields. */
TEST(proto_doc_roll_example)
{
    uint8_t bytes[256];
    proto_reader r;
    proto_msg m;
    proto_entry e;
    buf entries;
    size_t pos = 0;
    long n;

    REQUIRE(doc_message("<!-- hex-roll-begin -->", "<!-- hex-roll-end -->", bytes,
                        sizeof bytes, &n, PT_ROLL_LIST, &r, &m));
    CHECK(m.id == 7 && m.time == 1700000000000ull && m.duration == 7200 && m.flags == 0);
    CHECK(m.nick.n == 4 && memcmp(m.nick.p, "root", 4) == 0);
    CHECK(m.text.n == 10 && memcmp(m.text.p, "Fire drill", 10) == 0);
    CHECK_EQ_INT(m.list.count, 2);
    REQUIRE(proto_list_next(&m.list, PT_ROLL_LIST, &pos, &e) == 1);
    CHECK(e.name.n == 5 && memcmp(e.name.p, "alice", 5) == 0);
    CHECK(e.value == ROLL_ACKED && e.time == 1700000060000ull);
    REQUIRE(proto_list_next(&m.list, PT_ROLL_LIST, &pos, &e) == 1);
    CHECK(e.name.n == 3 && memcmp(e.name.p, "bob", 3) == 0);
    CHECK(e.value == ROLL_PENDING && e.time == 0);
    CHECK(proto_list_next(&m.list, PT_ROLL_LIST, &pos, &e) == 0);
    proto_reader_free(&r);

    buf_init(&entries);
    memset(&e, 0, sizeof e);
    e.name = proto_s("alice");
    e.value = ROLL_ACKED;
    e.time = 1700000060000ull;
    proto_list_put(&entries, PT_ROLL_LIST, &e);
    e.name = proto_s("bob");
    e.value = ROLL_PENDING;
    e.time = 0;
    proto_list_put(&entries, PT_ROLL_LIST, &e);
    memset(&m, 0, sizeof m);
    m.type = PT_ROLL_LIST;
    m.id = 7;
    m.time = 1700000000000ull;
    m.duration = 7200;
    m.nick = proto_s("root");
    m.text = proto_s("Fire drill");
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    check_encodes_to(&m, bytes, n);
    buf_free(&entries);
}

/* ACCOUNT_LIST's example decodes to the documented accounts, and the encoder writes those
 * bytes from the same fields. */
TEST(proto_doc_account_list_example)
{
    uint8_t bytes[128];
    proto_reader r;
    proto_msg m;
    proto_entry e;
    buf entries;
    size_t pos = 0;
    long n;

    REQUIRE(doc_message("<!-- hex-accounts-begin -->", "<!-- hex-accounts-end -->", bytes,
                        sizeof bytes, &n, PT_ACCOUNT_LIST, &r, &m));
    CHECK_EQ_INT(m.flags, 0);
    CHECK_EQ_INT(m.list.count, 2);
    REQUIRE(proto_list_next(&m.list, PT_ACCOUNT_LIST, &pos, &e) == 1);
    CHECK(e.name.n == 4 && memcmp(e.name.p, "root", 4) == 0);
    CHECK(e.value == (2u | PROTO_ACCOUNT_ONLINE) && e.time == 1700000000000ull);
    CHECK(e.text.n == 4 && memcmp(e.text.p, "Root", 4) == 0);
    REQUIRE(proto_list_next(&m.list, PT_ACCOUNT_LIST, &pos, &e) == 1);
    CHECK(e.name.n == 5 && memcmp(e.name.p, "carol", 5) == 0);
    CHECK(e.value == PROTO_ACCOUNT_DISABLED && e.time == 0);
    CHECK(e.text.n == 5 && memcmp(e.text.p, "Carol", 5) == 0);
    CHECK(proto_list_next(&m.list, PT_ACCOUNT_LIST, &pos, &e) == 0);
    proto_reader_free(&r);

    buf_init(&entries);
    memset(&e, 0, sizeof e);
    e.name = proto_s("root");
    e.value = 2u | PROTO_ACCOUNT_ONLINE;
    e.time = 1700000000000ull;
    e.text = proto_s("Root");
    proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
    e.name = proto_s("carol");
    e.value = PROTO_ACCOUNT_DISABLED;
    e.time = 0;
    e.text = proto_s("Carol");
    proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
    memset(&m, 0, sizeof m);
    m.type = PT_ACCOUNT_LIST;
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    check_encodes_to(&m, bytes, n);
    buf_free(&entries);
}

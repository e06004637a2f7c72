/* make_corpus.c — writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) with the
 * real encoder, handshake and journal code, so the seeds start the fuzzers deep inside valid
 * input. Run by hand after a protocol or format change:
 *   fuzz_make_corpus <source>/tests/fuzz/corpus
 * Each seed starts with the target's selector byte(s), described in the target's file. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bans.h"
#include "crypto.h"
#include "fuzz_util.h"
#include "history.h"
#include "journal.h"
#include "log.h"

static const char *root;

static void put_file(const char *target, const char *name, const buf *b)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", root, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    f = fopen(path, "wb");
    if (!f || (b->len && fwrite(b->data, 1, b->len, f) != b->len)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static void encode(buf *b, const proto_msg *m)
{
    if (proto_encode(m, 0, b) != PROTO_OK) {
        fprintf(stderr, "cannot encode %s\n", proto_type_name(m->type));
        exit(1);
    }
}

static void seeds_frame(void)
{
    buf b, entries;
    proto_msg m;
    proto_entry e;

    buf_init(&b);
    buf_init(&entries);
    /* A login's worth of frames, read in one-byte pieces, then in larger ones. */
    buf_put_u8(&b, 0);
    buf_put_u8(&b, 0);
    memset(&m, 0, sizeof m);
    m.type = PT_HELLO;
    m.version = 1;
    m.ncipher = 2;
    m.ciphers[0] = PROTO_CIPHER_AES256GCM;
    m.ciphers[1] = PROTO_CIPHER_XOR;
    m.agent = proto_s("parley-client/0.1");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_CHALLENGE;
    m.version = 1;
    m.cipher = PROTO_CIPHER_AES256GCM;
    m.iterations = 100000;
    m.server = proto_s("Parley");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_PROOF;
    m.nick = proto_s("alice");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_WELCOME;
    m.nick = proto_s("alice");
    m.max_frame = 65536;
    m.text = proto_s("Welcome to Parley.");
    encode(&b, &m);
    put_file("frame", "handshake", &b);

    buf_reset(&b);
    buf_put_u8(&b, 200);
    buf_put_u8(&b, 0);
    memset(&m, 0, sizeof m);
    m.type = PT_SAY;
    m.tag = 7;
    m.room = proto_s("lobby");
    m.text = proto_s("hello, Grüße 👋");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_MSG;
    m.id = 42;
    m.time = 1700000000000ull;
    m.flags = PROTO_FLAG_HISTORY;
    m.tag = 7;
    m.room = proto_s("lobby");
    m.nick = proto_s("alice");
    m.text = proto_s("hello");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_PRIV_MSG;
    m.id = 43;
    m.nick = proto_s("alice");
    m.target = proto_s("bob");
    m.text = proto_s("psst");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_MEMBER;
    m.event = MEMBER_RENAME;
    m.nick = proto_s("bob");
    m.target = proto_s("robert");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_HISTORY;
    m.room = proto_s("dev");
    m.after = 10;
    m.count = 50;
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_ERROR;
    m.code = PC_RATE_LIMITED;
    m.text = proto_s("slow down");
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_PING;
    m.token = 99;
    encode(&b, &m);
    memset(&m, 0, sizeof m);
    m.type = PT_BAN;
    m.duration = 3600;
    m.target = proto_s("10.0.0.0/8");
    m.text = proto_s("spam");
    encode(&b, &m);
    put_file("frame", "chat", &b);

    buf_reset(&b);
    buf_put_u8(&b, 3);
    buf_put_u8(&b, 0);
    e.name = proto_s("lobby");
    e.value = 3;
    e.text = proto_s("general talk");
    proto_list_put(&entries, PT_ROOM_LIST, &e);
    e.name = proto_s("dev");
    e.value = 1;
    e.text = proto_s("");
    proto_list_put(&entries, PT_ROOM_LIST, &e);
    memset(&m, 0, sizeof m);
    m.type = PT_ROOM_LIST;
    m.flags = PROTO_FLAG_MORE;
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    encode(&b, &m);
    buf_reset(&entries);
    e.name = proto_s("alice");
    e.value = PRESENCE_AWAY;
    e.text = proto_s("lunch");
    proto_list_put(&entries, PT_USER_LIST, &e);
    memset(&m, 0, sizeof m);
    m.type = PT_USER_LIST;
    m.room = proto_s("lobby");
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 1;
    encode(&b, &m);
    put_file("frame", "lists", &b);

    /* A small size limit (byte 1 >= 128) and an oversized header. */
    buf_reset(&b);
    buf_put_u8(&b, 1);
    buf_put_u8(&b, 130);
    buf_put_u32(&b, 100000);
    buf_put_u8(&b, PROTO_VERSION);
    buf_put_u8(&b, PT_SAY);
    put_file("frame", "too-big", &b);
    buf_free(&b);
    buf_free(&entries);
}

/* A real HELLO for the given offer, as the client sends it (with a key share where this
 * system can do the ECDH exchange, unless fs_off). */
static void hello_fs(buf *out, const uint8_t *offer, size_t n, hs_client *cli, int fs_off)
{
    memset(cli, 0, sizeof *cli);
    fuzz_client_prime(cli);
    cli->fs_off = fs_off;
    if (hs_client_start(cli, FUZZ_SECRET, strlen(FUZZ_SECRET), offer, n, "alice", "seed", out) !=
        PROTO_OK)
        exit(1);
}

static void hello(buf *out, const uint8_t *offer, size_t n, hs_client *cli)
{
    hello_fs(out, offer, n, cli, 0);
}

static void seeds_handshake(void)
{
    static const uint8_t aes[] = {PROTO_CIPHER_AES256GCM};
    static const uint8_t xr[] = {PROTO_CIPHER_XOR};
    hs_server_config cfg;
    hs_server srv;
    hs_client cli;
    proto_reader r;
    proto_frame f;
    proto_msg m;
    buf b, hs_out, cout;
    int x;

    buf_init(&b);
    buf_init(&hs_out);
    buf_init(&cout);
    for (x = 0; x < 2; x++) {
        const uint8_t *offer = x ? xr : aes;
        char name[32];

        /* hs_server mode 0: the client's whole stream (HELLO, then a PROOF that fails). */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)x);
        hello(&b, offer, 1, &cli);
        memset(&m, 0, sizeof m);
        m.type = PT_PROOF;
        m.nick = proto_s("alice");
        encode(&b, &m);
        snprintf(name, sizeof name, "stream-%s", x ? "xor" : "aes");
        put_file("hs_server", name, &b);
        hs_client_free(&cli);
        /* The same from a client that offers no key share. */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)x);
        hello_fs(&b, offer, 1, &cli, 1);
        encode(&b, &m);
        snprintf(name, sizeof name, "stream-%s-no-share", x ? "xor" : "aes");
        put_file("hs_server", name, &b);
        hs_client_free(&cli);
        /* mode 1: after the valid HELLO, a plain PROOF. */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(4 | x));
        encode(&b, &m);
        snprintf(name, sizeof name, "after-hello-%s", x ? "xor" : "aes");
        put_file("hs_server", name, &b);
        /* mode 2: a sealed PROOF body with a wrong MAC. */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(8 | x));
        buf_put_u8(&b, 1);
        buf_reset(&hs_out);
        encode(&hs_out, &m);
        buf_append(&b, hs_out.data + PROTO_HEADER_SIZE, hs_out.len - PROTO_HEADER_SIZE);
        snprintf(name, sizeof name, "sealed-proof-%s", x ? "xor" : "aes");
        put_file("hs_server", name, &b);
        /* mode 3: what follows the right MAC (the nick). */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(12 | x));
        buf_append(&b, hs_out.data + PROTO_HEADER_SIZE + PROTO_MAC_SIZE,
                   hs_out.len - PROTO_HEADER_SIZE - PROTO_MAC_SIZE);
        snprintf(name, sizeof name, "good-mac-%s", x ? "xor" : "aes");
        put_file("hs_server", name, &b);

        /* hs_client mode 0: a real server's CHALLENGE (fixed salt, minimum iterations). */
        fuzz_server_config(&cfg, offer, 1);
        hs_server_init(&srv);
        buf_reset(&cout);
        hello(&cout, offer, 1, &cli);
        if (!fuzz_take_frame(&r, cout.data, cout.len, &f))
            exit(1);
        buf_reset(&hs_out);
        if (hs_server_on_frame(&srv, &cfg, &f, &m, &hs_out) != HS_CONTINUE)
            exit(1);
        proto_reader_free(&r);
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)x);
        buf_append(&b, hs_out.data, hs_out.len);
        snprintf(name, sizeof name, "challenge-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
        hs_server_free(&srv);
        hs_client_free(&cli);
        /* mode 0 and 1: a refusal. */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(4 | x));
        hs_plain_error(PC_NICK_TAKEN, "that nickname is taken", &b);
        snprintf(name, sizeof name, "refusal-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
        /* mode 2 and 3: WELCOME bodies, with and without their MAC. */
        memset(&m, 0, sizeof m);
        m.type = PT_WELCOME;
        m.nick = proto_s("alice");
        m.max_frame = 65536;
        m.text = proto_s("Welcome to Parley.");
        buf_reset(&hs_out);
        encode(&hs_out, &m);
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(8 | x));
        buf_put_u8(&b, 1);
        buf_append(&b, hs_out.data + PROTO_HEADER_SIZE, hs_out.len - PROTO_HEADER_SIZE);
        snprintf(name, sizeof name, "sealed-welcome-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(12 | x));
        buf_append(&b, hs_out.data + PROTO_HEADER_SIZE + PROTO_MAC_SIZE,
                   hs_out.len - PROTO_HEADER_SIZE - PROTO_MAC_SIZE);
        snprintf(name, sizeof name, "good-mac-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
        /* With a Windows sign-on begun (bit 5): the right WELCOME too early, the server's
         * binding before the client is complete, and the server's completing token. */
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(32 | 12 | x));
        buf_append(&b, hs_out.data + PROTO_HEADER_SIZE + PROTO_MAC_SIZE,
                   hs_out.len - PROTO_HEADER_SIZE - PROTO_MAC_SIZE);
        snprintf(name, sizeof name, "signon-welcome-before-binding-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(32 | 8 | x));
        buf_append(&b, "\0\x07\0\x04GOOD", 8);
        snprintf(name, sizeof name, "signon-bind-too-early-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
        buf_reset(&b);
        buf_put_u8(&b, (uint8_t)(32 | 8 | x));
        buf_append(&b, "\0\x06\0\x01K", 5);
        snprintf(name, sizeof name, "signon-complete-%s", x ? "xor" : "aes");
        put_file("hs_client", name, &b);
    }
    buf_free(&b);
    buf_free(&hs_out);
    buf_free(&cout);
}

static void seeds_config(void)
{
    static const struct {
        const char *name, *text;
    } files[] = {
        {"server.ini",
         "\xEF\xBB\xBF; Parley server settings\n"
         "[server]\nport = 7420\nbind = 127.0.0.1\ndata_dir = \"C:\\ProgramData\\Parley\"\n"
         "name = Parley\nmotd = \"Welcome, Grüße\"\nworkers = 0\n\n"
         "[security]\nciphers = aes-256-gcm, xor\niterations = 100000\noper_password = x\n"
         "# limits\n[limits]\nmax_frame = 64k\nmax_connections = 20000\nmax_per_ip = 200\n"
         "rate = 20\nburst = 40\nsend_queue_max = 4M\nhandshake_timeout = 15s\n"
         "idle_timeout = 1m\nping_timeout = 30s\nshutdown_deadline = 5000ms\n"
         "[history]\nper_room = 200\nfsync = interval\nfsync_interval = 1s\n"
         "[log]\nfile = -\nmax_size = 10M\nkeep = 5\nlevel = info\nconsole = yes\n"},
        {"errors.ini", "[server\nkey\n= value\n[limits]\nrate = -1\nburst = 99999999999999999999\n"
                       "handshake_timeout = 2h\nmax_frame = 2G\n[log]\nconsole = maybe\n"},
        {"crlf.ini", "[Security]\r\nSecret = \"quoted \\\" value\"\r\nCIPHERS=xor\r\n"},
    };
    buf b;
    size_t i;

    buf_init(&b);
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        buf_reset(&b);
        buf_append(&b, files[i].text, strlen(files[i].text));
        put_file("config", files[i].name, &b);
    }
    buf_free(&b);
}

/* Copies a file's bytes after the selector byte into b. */
static void slurp(buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t chunk[4096];
    size_t n;

    if (!f)
        exit(1);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(b, chunk, n);
    fclose(f);
}

static void seeds_journal(void)
{
    char dir[] = "/tmp/parley-corpus-XXXXXX", path[256], err[256];
    buf b;
    history *h;
    bans *bn;
    journal *j;
    uint64_t id;
    int i;

    if (!mkdtemp(dir))
        exit(1);
    buf_init(&b);

    snprintf(path, sizeof path, "%s/j.journal", dir);
    j = journal_open(path, FSYNC_NEVER, 0, NULL, NULL, NULL, err, sizeof err);
    if (!j)
        exit(1);
    journal_append(j, "first", 5, err, sizeof err);
    journal_append(j, "", 0, err, sizeof err);
    journal_append(j, "third record", 12, err, sizeof err);
    journal_close(j);
    buf_put_u8(&b, 0);
    slurp(&b, path);
    put_file("journal", "bare", &b);
    b.len -= 3; /* a torn last record */
    put_file("journal", "bare-torn", &b);
    b.data[12] ^= 0x40; /* and a corrupt one before it */
    put_file("journal", "bare-corrupt", &b);
    unlink(path);

    h = history_open(dir, 4, FSYNC_NEVER, 0, NULL, err, sizeof err);
    if (!h)
        exit(1);
    for (i = 0; i < 6; i++)
        history_add(h, i % 2 ? "lobby" : "Dev", "alice", i % 3 ? "hello" : "Grüße 👋",
                    1700000000000ull + (uint64_t)i, 0, &id, err, sizeof err);
    history_close(h);
    buf_reset(&b);
    buf_put_u8(&b, 1);
    snprintf(path, sizeof path, "%s/%s", dir, HISTORY_JOURNAL_NAME);
    slurp(&b, path);
    put_file("journal", "history", &b);
    b.len -= 5;
    put_file("journal", "history-torn", &b);
    unlink(path);

    bn = bans_open(dir, 1700000000000ull, NULL, err, sizeof err);
    if (!bn)
        exit(1);
    bans_add(bn, BAN_NICK, "troll", 0, "spam", "op", 1700000000000ull, err, sizeof err);
    bans_add(bn, BAN_ADDR, "10.0.0.0/8", 1800000000000ull, "", "op", 1700000000000ull, err,
             sizeof err);
    bans_add(bn, BAN_ADDR, "2001:db8::/32", 0, NULL, NULL, 1700000000000ull, err, sizeof err);
    bans_remove(bn, BAN_NICK, "troll", err, sizeof err);
    bans_close(bn);
    buf_reset(&b);
    buf_put_u8(&b, 2);
    snprintf(path, sizeof path, "%s/%s", dir, BANS_JOURNAL_NAME);
    slurp(&b, path);
    put_file("journal", "bans", &b);
    unlink(path);
    rmdir(dir);
    buf_free(&b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_make_corpus <tests/fuzz/corpus>\n");
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    fuzz_init();
    seeds_frame();
    seeds_handshake();
    seeds_config();
    seeds_journal();
    return 0;
}

/* test_wire_capture.c — packet captures (tcpdump on the loopback) of real sessions with the real
 * server and client library, and what they show:
 *  - aes-256-gcm: no message text, no nickname (in a body or a message), no room name and
 *    never the secret; what stays visible is the plain HELLO/CHALLENGE and each frame's length
 *    and type (traffic analysis).
 *  - xor: the text is not there verbatim, but XOR with the key gives it back, and one known
 *    message gives back the key itself, i.e. the shared secret: it hides from casual view only.
 *  - another holder of the key who records an aes-256-gcm session: with the ECDH exchange
 *    (forward_secrecy, the default) it opens nothing; with forward_secrecy = off it reads all.
 * Linux only. Skipped (exit 77) with a clear message when tcpdump is not installed; it needs
 * root or CAP_NET_RAW, as CI has. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "fault_util.h"
#include "keyholder.h"
#include "pcap_streams.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 5000u
#define SKIP_CODE 77

typedef struct capture {
    pid_t pid;
    char file[256];
    char log[256];
} capture;

static const char *find_tcpdump(void)
{
    static char found[512];
    static const char *const fixed[] = {"/usr/sbin/tcpdump", "/usr/bin/tcpdump", "/sbin/tcpdump"};
    const char *path = getenv("PATH");
    size_t i;

    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (access(fixed[i], X_OK) == 0)
            return fixed[i];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(found, sizeof found, "%.*s/tcpdump", (int)n, path);
        if (access(found, X_OK) == 0)
            return found;
        path += n + (path[n] == ':');
    }
    return NULL;
}

static int file_has(const char *path, const char *text)
{
    char data[4096];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    n = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[n] = '\0';
    return strstr(data, text) != NULL;
}

/* Starts tcpdump on lo for the port and waits until it is listening. */
static int capture_start(capture *c, uint16_t port, const char *name)
{
    const char *tcpdump = find_tcpdump();
    char filter[64];
    uint64_t deadline;

    if (!tcpdump) {
        printf("SKIP: tcpdump is not installed; the wire-capture proof needs it "
               "(apt-get install tcpdump)\n");
        exit(SKIP_CODE);
    }
    snprintf(c->file, sizeof c->file, "cap-%s.pcap", name);
    snprintf(c->log, sizeof c->log, "cap-%s.log", name);
    snprintf(filter, sizeof filter, "tcp port %u", (unsigned)port);
    remove(c->file);
    c->pid = fork();
    if (c->pid < 0)
        return -1;
    if (c->pid == 0) {
        if (!freopen(c->log, "w", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(126);
        /* --immediate-mode: packets reach tcpdump at once, not in blocks released up to a
         * second later (lost if it is stopped before); -U: each is written at once; -Z root:
         * keep the right to write the file. */
        execl(tcpdump, "tcpdump", "-i", "lo", "-n", "-s", "0", "--immediate-mode", "-U", "-Z",
              "root", "-w", c->file, filter, (char *)NULL);
        _exit(127);
    }
    deadline = sys_mono_ms() + 10000;
    while (sys_mono_ms() < deadline) {
        int status;
        if (file_has(c->log, "listening on"))
            return 0;
        if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
            test_failf_at(__FILE__, __LINE__, "tcpdump ended at once (see %s)", c->log);
            c->pid = 0;
            return -1;
        }
        sleep_ms(20);
    }
    test_failf_at(__FILE__, __LINE__, "tcpdump did not start listening (see %s)", c->log);
    kill(c->pid, SIGKILL);
    waitpid(c->pid, NULL, 0);
    c->pid = 0;
    return -1;
}

static void capture_stop(capture *c)
{
    if (c->pid <= 0)
        return;
    sleep_ms(500); /* the last packets reach the file */
    /* SIGTERM, not SIGINT: a process started in the background may inherit SIGINT ignored. */
    kill(c->pid, SIGTERM);
    waitpid(c->pid, NULL, 0);
    c->pid = 0;
}

static void remove_capture(const capture *c)
{
    remove(c->file);
    remove(c->log);
}

static pc_conn *client(const test_server *ts, const char *nick, uint8_t cipher)
{
    pc_conn *c = test_connect(ts, nick, &cipher, 1);
    if (c)
        test_settle(c);
    return c;
}

/* What alice and bob say, with each other's nicknames inside the text. */
static const char *const TEXTS[] = {
    "bob, the eagle lands at midnight by the old mill",
    "understood alice, bringing the blue folder and the map",
    "psst bob: the vault code is 4711-2342-0815-9999, keep it between us",
};
#define ROOM "ops-room-seven"

/* A conversation: a room of their own, a topic, messages, a private message, a rename. */
static void converse(const test_server *ts, uint8_t cipher)
{
    pc_conn *a = client(ts, "alice", cipher), *b = client(ts, "bob", cipher);
    proto_msg m;

    REQUIRE(a && b);
    CHECK(pc_join(a, ROOM) == 0 && pc_join(b, ROOM) == 0);
    CHECK(test_expect(b, PT_USER_LIST, &m, WAIT) == 1);
    CHECK(pc_say(a, ROOM, TEXTS[0], 1) == 0);
    CHECK(test_expect_text(b, TEXTS[0], &m, WAIT) == 1);
    CHECK(pc_say(b, ROOM, TEXTS[1], 2) == 0);
    CHECK(test_expect_text(a, TEXTS[1], &m, WAIT) == 1);
    CHECK(pc_priv(a, "bob", TEXTS[2], 3) == 0);
    CHECK(test_expect(b, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.text, TEXTS[2]));
    CHECK(pc_nick(a, "alicia") == 0);
    CHECK(test_expect(b, PT_MEMBER, &m, WAIT) == 1);
    pc_close(a);
    pc_close(b);
}

static int start_fs(test_server *ts, const char *name, hs_fs_policy fs)
{
    server_config cfg;
    sock_startup();
    crypto_init();
    test_server_config(&cfg, name);
    cfg.forward_secrecy = fs;
    return test_server_start(ts, &cfg);
}

static void stop(test_server *ts)
{
    char dir[SERVER_PATH_MAX];
    memcpy(dir, ts->cfg.data_dir, sizeof dir);
    test_server_stop(ts);
    test_server_clean(dir);
}

/* Counts the frames of a type in a stream (headers are plain under every cipher). */
static int count_frames(const buf *stream, uint8_t type)
{
    proto_reader r;
    proto_frame f;
    int n = 0;
    proto_reader_init(&r, PROTO_MAX_FRAME_HARD);
    if (proto_reader_feed(&r, stream->data, stream->len) == PROTO_OK)
        while (proto_reader_next(&r, &f) == 1)
            n += f.type == type;
    proto_reader_free(&r);
    return n;
}

/* Runs the conversation on a server with the given forward_secrecy under capture, and reads
 * the capture back. 0 if the capture could not start (capture_start said why). */
static int record(const char *name, uint8_t cipher, hs_fs_policy fs, capture *cap,
                  pcap_capture *pc)
{
    test_server ts;
    char err[256];

    if (start_fs(&ts, name, fs) != 0) {
        test_failf_at(__FILE__, __LINE__, "%s: server did not start", name);
        return 0;
    }
    if (capture_start(cap, ts.port, name) != 0) {
        stop(&ts);
        return 0;
    }
    converse(&ts, cipher);
    capture_stop(cap);
    stop(&ts);
    if (pcap_read_streams(cap->file, ts.port, pc, err, sizeof err) != 0) {
        test_failf_at(__FILE__, __LINE__, "%s: %s", name, err);
        remove_capture(cap);
        return 0;
    }
    return 1;
}

TEST(aes_session_on_the_wire_shows_no_text_nick_or_secret)
{
    static const char *const hidden[] = {"eagle",  "midnight", "4711",  "blue folder",
                                         "alice",  "alicia",   "bob",   ROOM,
                                         TEST_SECRET, "test secret"};
    capture cap;
    pcap_capture pc;
    size_t i;
    int msgs = 0;

    if (!record("cap-aes", PROTO_CIPHER_AES256GCM, HS_FS_PREFERRED, &cap, &pc))
        return;
    /* The capture is real: it holds both sessions and the plain parts of their handshakes. */
    CHECK(pc.packets > 20);
    CHECK(pc.n >= 4);
    CHECK(bytes_contain(pc.all.data, pc.all.len, "parley-client/", 14));
    for (i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        if (bytes_contain(pc.all.data, pc.all.len, TEXTS[i], strlen(TEXTS[i])))
            test_failf_at(__FILE__, __LINE__, "message %zu is readable on the wire", i);
    for (i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (bytes_contain(pc.all.data, pc.all.len, hidden[i], strlen(hidden[i])))
            test_failf_at(__FILE__, __LINE__, "\"%s\" is readable on the wire", hidden[i]);
    /* What AES does not hide: how many frames of which type, and their sizes. */
    for (i = 0; i < pc.n; i++)
        if (!pc.streams[i].to_server)
            msgs += count_frames(&pc.streams[i].data, PT_MSG);
    CHECK(msgs >= 4); /* two messages, each seen by both */
    pcap_capture_free(&pc);
    remove_capture(&cap);
}

/* XORs a frame body in place with the repeating key, as the xor cipher does. */
static void xor_body(uint8_t *p, size_t n, const char *key)
{
    size_t i, k = strlen(key);
    for (i = 0; i < n; i++)
        p[i] ^= (uint8_t)key[i % k];
}

TEST(xor_session_on_the_wire_hides_from_casual_view_only)
{
    capture cap;
    pcap_capture pc;
    size_t i, t;
    int recovered[3] = {0, 0, 0}, key_found = 0;

    if (!record("cap-xor", PROTO_CIPHER_XOR, HS_FS_PREFERRED, &cap, &pc))
        return;
    CHECK(pc.packets > 20);
    /* Not verbatim: a glance at the capture shows no text... */
    for (t = 0; t < 3; t++)
        CHECK(!bytes_contain(pc.all.data, pc.all.len, TEXTS[t], strlen(TEXTS[t])));
    CHECK(!bytes_contain(pc.all.data, pc.all.len, TEST_SECRET, strlen(TEST_SECRET)));

    /* ...but XOR with the key reads every ciphered frame. */
    for (i = 0; i < pc.n; i++) {
        proto_reader r;
        proto_frame f;
        proto_reader_init(&r, PROTO_MAX_FRAME_HARD);
        if (proto_reader_feed(&r, pc.streams[i].data.data, pc.streams[i].data.len) != PROTO_OK) {
            proto_reader_free(&r);
            continue;
        }
        while (proto_reader_next(&r, &f) == 1) {
            uint8_t *copy;
            if (f.type == PT_HELLO || f.type == PT_CHALLENGE || f.len == 0)
                continue; /* sent plain */
            copy = malloc(f.len);
            REQUIRE(copy);
            memcpy(copy, f.body, f.len);
            xor_body(copy, f.len, TEST_SECRET);
            for (t = 0; t < 3; t++)
                recovered[t] |= bytes_contain(copy, f.len, TEXTS[t], strlen(TEXTS[t]));
            /* And without the key: anyone who knows one message (bob knows what alice sent
             * him) XORs it with the ciphertext and reads off the key, i.e. the secret. */
            if (f.type == PT_MSG) {
                proto_msg m;
                if (proto_decode(f.type, copy, f.len, &m) == PROTO_OK &&
                    str_is(m.text, TEXTS[0])) {
                    size_t off = (size_t)((const uint8_t *)m.text.p - copy), k;
                    uint8_t guess[128];
                    size_t n = strlen(TEXTS[0]) < sizeof guess ? strlen(TEXTS[0]) : sizeof guess;
                    for (k = 0; k < n; k++)
                        guess[k] = f.body[off + k] ^ (uint8_t)TEXTS[0][k];
                    key_found |= bytes_contain(guess, n, TEST_SECRET, strlen(TEST_SECRET));
                }
            }
            free(copy);
        }
        proto_reader_free(&r);
    }
    for (t = 0; t < 3; t++)
        if (!recovered[t])
            test_failf_at(__FILE__, __LINE__, "message %zu not recovered with the key", t);
    CHECK(key_found);
    pcap_capture_free(&pc);
    remove_capture(&cap);
}

/* A key holder's try at every connection of a capture: the number of client frames it opened
 * and whether any of alice's and bob's texts came out. */
static void keyholder_on_capture(const pcap_capture *pc, int *opened, int *read_text)
{
    size_t i, j, k;
    *opened = 0;
    *read_text = 0;
    for (i = 0; i < pc->n; i++) {
        const tcp_stream *up = &pc->streams[i];
        if (!up->to_server)
            continue;
        for (j = 0; j < pc->n; j++) {
            const tcp_stream *down = &pc->streams[j];
            if (down->to_server || down->client_port != up->client_port)
                continue;
            for (k = 0; k < sizeof TEXTS / sizeof TEXTS[0]; k++) {
                int saw = 0;
                int n = keyholder_open(&up->data, &down->data, TEST_SECRET, TEXTS[k], &saw);
                CHECK(n >= 0); /* every connection starts with a recorded HELLO and CHALLENGE */
                if (k == 0 && n > 0)
                    *opened += n;
                *read_text |= saw;
            }
        }
    }
}

static void keyholder_case(hs_fs_policy fs, const char *name, int expect_readable)
{
    capture cap;
    pcap_capture pc;
    int opened, read_text;

    if (!record(name, PROTO_CIPHER_AES256GCM, fs, &cap, &pc))
        return;
    CHECK(pc.n >= 4);
    keyholder_on_capture(&pc, &opened, &read_text);
    printf("%s: a key holder opened %d client frames; texts %s\n", name, opened,
           read_text ? "read" : "not read");
    if (expect_readable) {
        CHECK(opened > 4); /* PROOF and the requests of both sessions */
        CHECK(read_text);
    } else {
        CHECK_EQ_INT(opened, 0);
        CHECK(!read_text);
    }
    pcap_capture_free(&pc);
    remove_capture(&cap);
}

/* forward_secrecy = off: keys from the network key and public nonces only. Another user who
 * holds the key and records the session reads it all: what the exchange is there to stop. */
TEST(recorded_aes_session_without_exchange_opens_with_the_key)
{
    keyholder_case(HS_FS_OFF, "cap-fs-off", 1);
}

/* The default: both sides run the ECDH exchange, and the same key holder opens nothing. */
TEST(recorded_aes_session_with_exchange_does_not_open_with_the_key)
{
    REQUIRE(crypto_ecdh_available());
    keyholder_case(HS_FS_PREFERRED, "cap-fs-on", 0);
}

/* test_faults_kill.c — the real parley-server killed hard in the middle of heavy traffic
 * (SIGKILL natively, TerminateProcess under Wine) and restarted on the same data directory:
 * every message it had acknowledged is in history, and a torn record at the journal's end is
 * cut with a logged notice, not a failure. The child process is run through tests/test_cli_proc.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "fault_util.h"
#include "fsys.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "test_cli_proc.h"
#include "thread.h"

#ifndef PARLEY_SERVER_EXE
#error "PARLEY_SERVER_EXE must name the parley-server binary"
#endif

#define DIR "k-kill"
#define INI "k-kill.ini"
#define LOG DIR "/server.log"

/* Starts the server on a free port; its only line on standard output says which. */
static tproc *server_start_with(const char *ini, const char *log, uint16_t *port)
{
    const char *const args[] = {"--config", ini, "--port", "0"};
    char line[256];
    tproc *p = tproc_start(PARLEY_SERVER_EXE, args, 4, NULL, NULL);
    uint64_t deadline = sys_mono_ms() + 30000;

    if (!p)
        return NULL;
    while (sys_mono_ms() < deadline) {
        int rc = tproc_read_line(p, line, sizeof line, 1000);
        if (rc < 0)
            break;
        if (rc == 1 && strncmp(line, "listening on port ", 18) == 0) {
            *port = (uint16_t)atoi(line + 18);
            return p;
        }
    }
    test_failf_at(__FILE__, __LINE__, "parley-server did not start (see %s)", log);
    tproc_free(p);
    return NULL;
}

static tproc *server_start(uint16_t *port)
{
    return server_start_with(INI, LOG, port);
}

static int file_has(const char *path, const char *text)
{
    FILE *f = fsys_fopen(path, "rb");
    char *data;
    long n;
    int found = 0;
    if (!f)
        return 0;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)n + 1)) != NULL) {
        data[fread(data, 1, (size_t)n, f)] = '\0';
        found = strstr(data, text) != NULL;
        free(data);
    }
    fclose(f);
    return found;
}

typedef struct killer {
    tproc *p;
    unsigned after_ms;
} killer;

/* A wait of 0 ms kills the child at once: SIGKILL, or TerminateProcess on Windows. */
static void kill_later(void *arg)
{
    killer *k = arg;
    sleep_ms(k->after_ms);
    tproc_wait(k->p, 0);
}

TEST(hard_kill_loses_no_acknowledged_message)
{
    enum { CLIENTS = 4, BATCH = 10 };
    /* A record header promising 256 bytes, and 3 of them: a write cut short by a crash. */
    static const uint8_t torn[] = {0x00, 0x00, 0x01, 0x00, 0xDE, 0xAD, 0xBE};
    char text[64], nick[16];
    tproc *p;
    killer k;
    thread_handle *t;
    pc_conn *c[CLIENTS];
    uint32_t acked[CLIENTS] = {0}, sent[CLIENTS] = {0};
    int alive = CLIENTS, i;
    uint64_t total = 0, deadline, started;
    uint16_t port = 0;
    text_set seen = {0};
    FILE *f;

    sock_startup();
    crypto_init();
    test_server_clean(DIR);
    remove(LOG);
    fsys_mkdirs(DIR, NULL, 0);
    f = fopen(INI, "w");
    REQUIRE(f);
    /* The queue is large enough for the historian's replay of everything (see
     * test_faults.history_replay_larger_than_the_send_queue_keeps_the_joiner). */
    fprintf(f, "[server]\nbind = 127.0.0.1\ndata_dir = %s\n"
               "[security]\nsecret = %s\niterations = 1000\nciphers = aes-256-gcm, xor\n"
               "[limits]\nrate = 1000000\nburst = 1000000\n"
               "connect_rate = 1000000\nconnect_burst = 1000000\nsend_queue_max = 64M\n"
               "[history]\nper_room = 100000\nfsync = never\n"
               "[log]\nfile = %s\nconsole = no\nlevel = info\n",
            DIR, TEST_SECRET, LOG);
    fclose(f);

    p = server_start(&port);
    REQUIRE(p);
    for (i = 0; i < CLIENTS; i++) {
        snprintf(nick, sizeof nick, "sender%d", i);
        c[i] = fault_join(port, nick, i % 2 ? PROTO_CIPHER_XOR : PROTO_CIPHER_AES256GCM);
        REQUIRE(c[i]);
    }
    /* Each client sends a batch, then waits only for its own echoes (the server journals a
     * message before anyone sees it, so an echo is an acknowledgement). The kill is set off
     * after 20 000 acknowledgements or a second and a half, whichever comes first, and lands
     * a moment later while the senders keep going; the count stays well inside the history
     * the server keeps (per_room), so anything missing afterwards was lost, not trimmed. */
    k.p = p;
    k.after_ms = 20;
    t = NULL;
    started = sys_mono_ms();
    deadline = started + 30000;
    while (alive > 0 && sys_mono_ms() < deadline) {
        if (!t && (total >= 20000 || sys_mono_ms() - started >= 1500)) {
            t = thread_start(kill_later, &k);
            REQUIRE(t);
        }
        for (i = 0; i < CLIENTS; i++) {
            int j, rc = 1;
            proto_msg m;
            if (!c[i])
                continue;
            for (j = 0; j < BATCH; j++) {
                snprintf(text, sizeof text, "s%d-m%u", i, (unsigned)sent[i]);
                if (pc_say(c[i], "lobby", text, sent[i]) != 0)
                    break;
                sent[i]++;
            }
            snprintf(nick, sizeof nick, "sender%d", i);
            while (acked[i] < sent[i] && (rc = test_expect(c[i], PT_MSG, &m, 5000)) == 1)
                if (str_is(m.nick, nick)) {
                    CHECK_EQ_INT(m.tag, acked[i]);
                    acked[i]++;
                    total++;
                }
            if (rc != 1) {
                pc_close(c[i]);
                c[i] = NULL;
                alive--;
            }
        }
    }
    if (t)
        thread_join(t);
    tproc_free(p);
    for (i = 0; i < CLIENTS; i++)
        pc_close(c[i]);
    CHECK_EQ_INT(alive, 0);
    CHECK(total > 100); /* the kill came in the middle of real traffic */

    f = fopen(DIR "/history.journal", "ab");
    REQUIRE(f);
    fwrite(torn, 1, sizeof torn, f);
    fclose(f);

    p = server_start(&port);
    REQUIRE(p);
    CHECK(file_has(LOG, "history journal: cut 7 bytes"));
    CHECK(read_lobby_history(port, &seen) == 0);
    for (i = 0; i < CLIENTS; i++) {
        uint32_t n, missing = 0;
        for (n = 0; n < acked[i]; n++) {
            snprintf(text, sizeof text, "s%d-m%u", i, (unsigned)n);
            missing += !text_set_has(&seen, text);
        }
        if (missing)
            test_failf_at(__FILE__, __LINE__, "sender%d: %u of %u acknowledged messages lost", i,
                          (unsigned)missing, (unsigned)acked[i]);
    }
    fprintf(stderr, "acknowledged %llu messages before the kill; %zu in history after it\n",
            (unsigned long long)total, seen.n);
    tproc_free(p);
    text_set_free(&seen);
    remove(LOG);
    remove(INI);
    test_server_clean(DIR);
}

/* The private message test's own files: the tests of this file may run at the same time. */
#define PM_DIR "k-kill-pm"
#define PM_INI "k-kill-pm.ini"
#define PM_LOG PM_DIR "/server.log"

/* Logs in to an account on the server at port; NULL after reporting. */
static pc_conn *account_login(uint16_t port, const char *user, const char *password)
{
    test_server ts;
    char err[256];
    int code = 0;
    pc_conn *c;

    memset(&ts, 0, sizeof ts);
    ts.port = port;
    c = test_login(&ts, user, password, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "login as %s: %s (code %d)", user, err, code);
    else if (test_settle(c) != 1)
        test_failf_at(__FILE__, __LINE__, "%s: no lobby history after login", user);
    return c;
}

TEST(hard_kill_loses_no_stored_private_message)
{
    static const uint8_t torn[] = {0x00, 0x00, 0x01, 0x00, 0xDE, 0xAD, 0xBE};
    enum { BATCH = 10, MAX_SENT = 900 };
    static uint8_t got[MAX_SENT];
    char text[64];
    tproc *p;
    killer k;
    thread_handle *t = NULL;
    pc_conn *a, *d;
    uint32_t acked = 0, sent = 0, n, missing = 0, twice = 0, replayed = 0;
    uint64_t last_id = 0, newest = 0, started;
    uint16_t port = 0;
    proto_msg m;
    int rc = 1, ordered = 1;
    FILE *f;

    sock_startup();
    crypto_init();
    test_server_clean(PM_DIR);
    remove(PM_LOG);
    fsys_mkdirs(PM_DIR, NULL, 0);
    REQUIRE(test_add_account(PM_DIR, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_add_account(PM_DIR, "dave", "dave pw", USER_ROLE_USER, 0) == 0);
    f = fopen(PM_INI, "w");
    REQUIRE(f);
    fprintf(f, "[server]\nbind = 127.0.0.1\ndata_dir = %s\n"
               "[security]\nsecret = %s\niterations = 1000\nciphers = aes-256-gcm, xor\n"
               "auth = accounts\n"
               "[limits]\nrate = 1000000\nburst = 1000000\n"
               "connect_rate = 1000000\nconnect_burst = 1000000\n"
               "[history]\nfsync = never\n"
               "[log]\nfile = %s\nconsole = no\nlevel = info\n",
            PM_DIR, TEST_SECRET, PM_LOG);
    fclose(f);

    /* alice writes to dave, who is offline: each echo says the message is stored. The kill
     * is set off after 100 acknowledgements and lands while she keeps writing. */
    p = server_start_with(PM_INI, PM_LOG, &port);
    REQUIRE(p);
    a = account_login(port, "alice", "alice pw");
    REQUIRE(a);
    k.p = p;
    k.after_ms = 20;
    started = sys_mono_ms();
    while (rc == 1 && sent + BATCH <= MAX_SENT && sys_mono_ms() - started < 30000) {
        uint32_t j;
        if (!t && acked >= 100) {
            t = thread_start(kill_later, &k);
            REQUIRE(t);
        }
        for (j = 0; j < BATCH; j++) {
            snprintf(text, sizeof text, "pm-%u", (unsigned)sent);
            if (pc_priv(a, "dave", text, sent + 1) != 0)
                break;
            sent++;
        }
        while (acked < sent && (rc = test_expect(a, PT_PRIV_MSG, &m, 5000)) == 1)
            if (m.tag == acked + 1)
                acked++;
    }
    if (t)
        thread_join(t);
    tproc_free(p);
    pc_close(a);
    CHECK(t != NULL);
    CHECK(rc != 1); /* the connection died with the server */
    CHECK(acked >= 100);

    f = fopen(PM_DIR "/private.journal", "ab");
    REQUIRE(f);
    fwrite(torn, 1, sizeof torn, f);
    fclose(f);

    /* dave logs in to the restarted server: every acknowledged message, each once, in order. */
    p = server_start_with(PM_INI, PM_LOG, &port);
    REQUIRE(p);
    CHECK(file_has(PM_LOG, "private messages journal: cut 7 bytes"));
    d = account_login(port, "dave", "dave pw");
    REQUIRE(d);
    memset(got, 0, sizeof got);
    REQUIRE(pc_priv_sync(d, 0, 0) == 0);
    while ((rc = pc_recv(d, &m, 5000)) == 1 && m.type != PT_PRIV_SYNC_END) {
        unsigned idx;
        if (m.type != PT_PRIV_MSG)
            continue;
        proto_str_copy(text, sizeof text, m.text);
        replayed++;
        ordered &= m.id > last_id;
        last_id = m.id;
        CHECK(m.flags & PROTO_FLAG_OFFLINE);
        if (sscanf(text, "pm-%u", &idx) != 1 || idx >= MAX_SENT) {
            test_failf_at(__FILE__, __LINE__, "unexpected text %s", text);
            continue;
        }
        twice += got[idx];
        got[idx] = 1;
    }
    REQUIRE(rc == 1);
    CHECK_EQ_INT(m.count, replayed);
    for (n = 0; n < acked; n++)
        missing += !got[n];
    CHECK_EQ_INT(missing, 0);
    CHECK_EQ_INT(twice, 0);
    CHECK(ordered);
    /* Ids go on from where they were, never again from 1. */
    a = account_login(port, "alice", "alice pw");
    REQUIRE(a);
    REQUIRE(pc_priv(a, "dave", "after the restart", 1) == 0);
    REQUIRE(test_expect(d, PT_PRIV_MSG, &m, 5000) == 1);
    newest = m.id;
    CHECK(newest > last_id);
    fprintf(stderr, "%u private messages acknowledged before the kill, %u replayed after it\n",
            (unsigned)acked, (unsigned)replayed);
    pc_close(a);
    pc_close(d);
    tproc_free(p);
    remove(PM_LOG);
    remove(PM_INI);
    test_server_clean(PM_DIR);
}

/* test_faults_proc.c — fault injection against the real parley-server binary as a child process
 * (Linux): its journal unable to grow (as on a full disk), its resident memory across rounds of
 * abuse, and the permissions of the secret it generates. The hard kill is in
 * test_faults_kill.c, which also runs under Wine. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mount.h>
#endif

#include "client.h"
#include "crypto.h"
#include "fault_util.h"
#include "fsys.h"
#include "proc_posix.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 5000u

static void prepare(const char *name, const char *extra, char *config, size_t n)
{
    char dir[256];
    sock_startup();
    crypto_init();
    snprintf(dir, sizeof dir, "p-%s", name);
    test_server_clean(dir);
    fsys_mkdirs(dir, NULL, 0);
    snprintf(config, n, "p-%s.ini", name);
    write_server_config(config, dir, extra);
}

/* The journal cannot grow (a file-size limit makes every write past 8 KiB fail, as a full disk
 * does): the server logs a clear error, live chat goes on with nothing lost, and the journal
 * on disk stays clean (no half-written record), so a restart cuts nothing. */
TEST(journal_write_failure_keeps_live_chat_going)
{
    enum { MSGS = 300 };
    char config[256], text[64];
    server_proc p;
    pc_conn *a, *b;
    proto_msg m;
    text_set seen = {0};
    int i, got = 0;

    prepare("full", "[history]\nper_room = 1000\nfsync = always\n"
                    "[limits]\nrate = 1000000\nburst = 1000000\n"
                   "connect_rate = 1000000\nconnect_burst = 1000000\n", config, sizeof config);
    REQUIRE(server_proc_start(&p, config, "p-full.out", 8192) == 0);
    a = fault_join(p.port, "alice", PROTO_CIPHER_AES256GCM);
    b = fault_join(p.port, "bob", PROTO_CIPHER_XOR);
    REQUIRE(a && b);
    for (i = 0; i < MSGS; i++) {
        snprintf(text, sizeof text, "message %d, with some padding to fill the disk", i);
        CHECK(pc_say(a, "lobby", text, (uint32_t)i) == 0);
        if (test_expect_text(b, text, &m, WAIT) == 1)
            got++;
        else
            test_failf_at(__FILE__, __LINE__, "bob missed message %d (%s)", i, pc_error(b));
        if (test_expect_text(a, text, &m, WAIT) != 1)
            test_failf_at(__FILE__, __LINE__, "alice got no echo of message %d (%s)", i,
                          pc_error(a));
    }
    CHECK_EQ_INT(got, MSGS);
    CHECK(server_proc_output_has(&p, "history journal: append to journal"));
    CHECK(server_proc_output_has(&p, "delivering without saving"));
    pc_close(a);
    pc_close(b);
    CHECK_EQ_INT(server_proc_stop(&p), 0);

    /* Without the limit: no torn record to cut, and what did fit is all there. */
    REQUIRE(server_proc_start(&p, config, "p-full-restart.out", 0) == 0);
    CHECK(!server_proc_output_has(&p, "cut"));
    REQUIRE(read_lobby_history(p.port, &seen) == 0);
    CHECK(seen.n > 10 && seen.n < MSGS);
    for (i = 0; i < (int)seen.n; i++) {
        snprintf(text, sizeof text, "message %d, with some padding to fill the disk", i);
        CHECK(strcmp(seen.texts[i], text) == 0);
    }
    CHECK_EQ_INT(server_proc_stop(&p), 0);
    text_set_free(&seen);
    test_server_clean("p-full");
}

/* One round of abuse: churn, logins, garbage, a client that never reads. */
static void abuse_round(uint16_t port, int round)
{
    static const char junk[] = "GET / HTTP/1.1\r\nHost: parley\r\n\r\n";
    char err[256], nick[32], text[1024];
    uint8_t hello_reply[512];
    pc_conn *talker, *deaf;
    int i;

    for (i = 0; i < 1000; i++) {
        sock *s = sock_connect("127.0.0.1", port, WAIT, err, sizeof err);
        if (!s) {
            test_failf_at(__FILE__, __LINE__, "churn: %s", err);
            return;
        }
        if (i % 10 == 0) {
            sock_send_all(s, junk, sizeof junk - 1);
            sock_recv(s, hello_reply, sizeof hello_reply, WAIT);
        }
        sock_close(s, i % 2);
    }
    for (i = 0; i < 30; i++) {
        pc_conn *c;
        snprintf(nick, sizeof nick, "visitor%d_%d", round, i);
        c = fault_join(port, nick, i % 2 ? PROTO_CIPHER_XOR : PROTO_CIPHER_AES256GCM);
        if (!c)
            return;
        pc_say(c, "lobby", "passing through", 1);
        pc_close(c);
    }
    /* A deaf client in the lobby while a talker fills its queue past the cap. */
    snprintf(nick, sizeof nick, "deaf%d", round);
    deaf = fault_join(port, nick, PROTO_CIPHER_AES256GCM);
    snprintf(nick, sizeof nick, "talker%d", round);
    talker = fault_join(port, nick, PROTO_CIPHER_AES256GCM);
    if (!deaf || !talker) {
        pc_close(deaf);
        pc_close(talker);
        return;
    }
    memset(text, 'm', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    for (i = 0; i < 600; i++) {
        proto_msg m;
        pc_say(talker, "lobby", text, (uint32_t)i);
        if (i % 20 == 19)
            while (test_expect(talker, PT_MSG, &m, WAIT) == 1 && m.tag != (uint32_t)i)
                ;
    }
    pc_close(talker);
    pc_close(deaf);
}

/* The server's resident memory after rounds of abuse returns to what it was after the first
 * round (the first round grows the allocator's pools and the history ring; later rounds must
 * reuse them). A leak of one session per round would show as steady growth. */
TEST(server_memory_returns_to_baseline)
{
    enum { ROUNDS = 5 };
    char config[256];
    server_proc p;
    long rss[ROUNDS], limit;
    int r;

    /* ASan keeps freed memory in quarantine; without it, memory is reused as in a real build. */
    setenv("ASAN_OPTIONS", "quarantine_size_mb=0:detect_leaks=0", 1);
    prepare("rss", "[limits]\nrate = 1000000\nburst = 1000000\n"
                   "connect_rate = 1000000\nconnect_burst = 1000000\nsend_queue_max = 256k\n"
                   "[history]\nper_room = 50\nfsync = never\n[log]\nlevel = warn\n",
            config, sizeof config);
    REQUIRE(server_proc_start(&p, config, "p-rss.out", 0) == 0);
    for (r = 0; r < ROUNDS; r++) {
        abuse_round(p.port, r);
        sleep_ms(500); /* the server finishes closing what the round left */
        rss[r] = server_proc_rss_kb(&p);
        fprintf(stderr, "round %d: server RSS %ld KiB\n", r, rss[r]);
    }
    /* Baseline: after the first round. Allow 2 MiB or 10% of slack for allocator noise. */
    limit = rss[0] + (rss[0] / 10 > 2048 ? rss[0] / 10 : 2048);
    for (r = 1; r < ROUNDS; r++)
        if (rss[r] > limit)
            test_failf_at(__FILE__, __LINE__, "round %d: RSS %ld KiB over baseline %ld KiB + slack",
                          r, rss[r], rss[0]);
    CHECK(rss[0] > 0);
    CHECK_EQ_INT(server_proc_stop(&p), 0);
    test_server_clean("p-rss");
}

/* BUG (server/server_setup.c write_private_file): on POSIX the generated secret.key is created
 * with fopen(), i.e. mode 0666 less the umask (typically 0644): any local user can read the
 * shared secret, which is the whole of Parley's security (and, for xor, the cipher key
 * itself). The name promises a private file; Windows gets its ACLs from --install, POSIX gets
 * nothing. Fails until the file is created with open(path, O_WRONLY|O_CREAT|O_TRUNC, 0600)
 * (and the data directory with 0700). */
TEST(generated_secret_key_is_private)
{
    char config[256];
    struct stat st;
    server_proc p;
    FILE *f;

    sock_startup();
    test_server_clean("p-secret");
    fsys_mkdirs("p-secret", NULL, 0);
    snprintf(config, sizeof config, "p-secret.ini");
    f = fopen(config, "w");
    REQUIRE(f);
    fprintf(f, "[server]\nbind = 127.0.0.1\ndata_dir = p-secret\n[security]\niterations = 1000\n"
               "[log]\nfile = -\n");
    fclose(f);
    umask(022); /* the usual default */
    REQUIRE(server_proc_start(&p, config, "p-secret.out", 0) == 0);
    CHECK(server_proc_output_has(&p, "generated a new secret key"));
    REQUIRE(stat("p-secret/secret.key", &st) == 0);
    if (st.st_mode & 077)
        test_failf_at(__FILE__, __LINE__, "secret.key has mode %03o: readable by others",
                      (unsigned)(st.st_mode & 0777));
    {
        /* ...and the key itself is never logged. */
        char key[128] = "";
        FILE *kf = fopen("p-secret/secret.key", "r");
        REQUIRE(kf);
        if (fgets(key, sizeof key, kf))
            key[strcspn(key, "\r\n")] = '\0';
        fclose(kf);
        CHECK(strlen(key) >= 16);
        CHECK(!server_proc_output_has(&p, key));
    }
    CHECK_EQ_INT(server_proc_stop(&p), 0);
    test_server_clean("p-secret");
}

#ifdef __linux__
/* A real full disk: the data directory on a 256 KiB tmpfs, filled up while the server runs.
 * The server logs "No space left on device", live chat loses nothing, and once space is freed
 * the journal takes messages again and stays clean across a restart. Needs root (mount);
 * skipped (exit 77) where mounting is not allowed. */
TEST(journal_on_a_full_disk_recovers_when_space_returns)
{
    enum { DURING = 150, AFTER = 5 };
    char config[256], text[160], chunk[4096];
    server_proc p;
    pc_conn *a, *b;
    proto_msg m;
    text_set seen = {0};
    FILE *f;
    int i, got = 0;

    sock_startup();
    crypto_init();
    umount2("p-tmpfs", MNT_DETACH); /* a mount left by an earlier, interrupted run */
    mkdir("p-tmpfs", 0700);
    if (mount("tmpfs", "p-tmpfs", "tmpfs", 0, "size=256k,mode=0700") != 0) {
        printf("SKIP: cannot mount a small tmpfs here (needs root); the file-size-limit test "
               "covers the same path\n");
        exit(77);
    }
    snprintf(config, sizeof config, "p-tmpfs.ini");
    write_server_config(config, "p-tmpfs",
                        "[history]\nper_room = 1000\nfsync = always\n"
                        "[limits]\nrate = 1000000\nburst = 1000000\n"
                   "connect_rate = 1000000\nconnect_burst = 1000000\n");
    if (server_proc_start(&p, config, "p-tmpfs.out", 0) != 0)
        goto unmount;
    a = fault_join(p.port, "alice", PROTO_CIPHER_AES256GCM);
    b = fault_join(p.port, "bob", PROTO_CIPHER_AES256GCM);
    if (!a || !b)
        goto stop;
    CHECK(pc_say(a, "lobby", "before the disk filled", 0) == 0);
    CHECK(test_expect_text(b, "before the disk filled", &m, WAIT) == 1);

    /* Fill every last byte. */
    memset(chunk, 'f', sizeof chunk);
    f = fopen("p-tmpfs/filler", "wb");
    CHECK(f != NULL);
    if (f) {
        setvbuf(f, NULL, _IONBF, 0);
        while (fwrite(chunk, 1, sizeof chunk, f) == sizeof chunk)
            ;
        while (fwrite(chunk, 1, 1, f) == 1)
            ;
        fclose(f);
    }
    for (i = 0; i < DURING; i++) {
        /* Long enough to need new pages: the journal's last page may still have room. */
        snprintf(text, sizeof text, "while the disk is full %d: %s", i,
                 "......................................................................");
        CHECK(pc_say(a, "lobby", text, (uint32_t)i) == 0);
        got += test_expect_text(b, text, &m, WAIT) == 1;
        CHECK(test_expect_text(a, text, &m, WAIT) == 1);
    }
    CHECK_EQ_INT(got, DURING);
    CHECK(server_proc_output_has(&p, "No space left on device"));

    /* Space comes back: the journal takes messages again. */
    remove("p-tmpfs/filler");
    for (i = 0; i < AFTER; i++) {
        snprintf(text, sizeof text, "after space returned %d", i);
        CHECK(pc_say(a, "lobby", text, (uint32_t)i) == 0);
        CHECK(test_expect_text(b, text, &m, WAIT) == 1);
    }
stop:
    pc_close(a);
    pc_close(b);
    CHECK_EQ_INT(server_proc_stop(&p), 0);

    if (server_proc_start(&p, config, "p-tmpfs-restart.out", 0) == 0) {
        CHECK(!server_proc_output_has(&p, "cut"));
        CHECK(read_lobby_history(p.port, &seen) == 0);
        CHECK(text_set_has(&seen, "before the disk filled"));
        for (i = 0; i < AFTER; i++) {
            snprintf(text, sizeof text, "after space returned %d", i);
            CHECK(text_set_has(&seen, text));
        }
        CHECK_EQ_INT(server_proc_stop(&p), 0);
        text_set_free(&seen);
    }
unmount:
    umount2("p-tmpfs", MNT_DETACH);
    rmdir("p-tmpfs");
}
#endif

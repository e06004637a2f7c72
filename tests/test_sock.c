/* test_sock.c — client sockets against addresses that need no Parley server, threads, mutexes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

/* Port 1 (tcpmux) is practically never served on loopback, so connecting there is refused. */
#define CLOSED_PORT 1

TEST(sock_connect_closed_port_is_refused)
{
    char err[256];
    uint64_t t0;
    sock *s;

    REQUIRE(sock_startup() == 0);
    REQUIRE(sock_startup() == 0); /* idempotent */
    t0 = sys_mono_ms();
    s = sock_connect("127.0.0.1", CLOSED_PORT, 10000, err, sizeof err);
    CHECK(s == NULL);
    if (s)
        sock_close(s, 1);
    /* A refusal comes back at once; even Windows' refusal retries stay well under 10 s. */
    CHECK(sys_mono_ms() - t0 < 5000);
    if (strcmp(err, "connect 127.0.0.1:1: connection refused") != 0)
        test_failf_at(__FILE__, __LINE__, "unexpected error text: \"%s\"", err);
}

TEST(sock_connect_from_source_closed_port_is_refused)
{
    char err[256];
    sock *s;

    REQUIRE(sock_startup() == 0);
    s = sock_connect_from("127.0.0.1", "127.0.0.1", CLOSED_PORT, 10000, err, sizeof err);
    CHECK(s == NULL);
    if (s)
        sock_close(s, 1);
    CHECK_EQ_STR(err, "connect 127.0.0.1:1: connection refused");
}

TEST(sock_connect_ipv6_literal_is_bracketed)
{
    char err[256];
    sock *s;

    REQUIRE(sock_startup() == 0);
    s = sock_connect("::1", CLOSED_PORT, 5000, err, sizeof err);
    CHECK(s == NULL);
    if (s)
        sock_close(s, 1);
    /* ::1 may be refused or unavailable (no IPv6 on the host); the endpoint is written the same. */
    CHECK(strncmp(err, "connect [::1]:1: ", 17) == 0);
}

TEST(sock_connect_unresolvable_name_fails)
{
    char err[256];
    sock *s;

    REQUIRE(sock_startup() == 0);
    /* .invalid is reserved (RFC 6761) and never resolves. */
    s = sock_connect("no-such-host.invalid", 7420, 5000, err, sizeof err);
    CHECK(s == NULL);
    if (s)
        sock_close(s, 1);
    if (strncmp(err, "connect no-such-host.invalid:7420: cannot resolve host (", 56) != 0)
        test_failf_at(__FILE__, __LINE__, "unexpected error text: \"%s\"", err);
}

TEST(sock_error_text_is_never_empty)
{
    char buf[128];

    buf[0] = '\0';
    CHECK(sock_error_text(buf, sizeof buf) == buf);
    CHECK(buf[0] != '\0');
}

static void set_flag(void *arg)
{
    sleep_ms(20);
    *(int *)arg = 42;
}

TEST(sock_format_ip_shows_addresses_as_rfc5952_and_mapped_as_ipv4)
{
    static const struct {
        unsigned char ip[16];
        size_t len;
        const char *text;
    } cases[] = {
        {{192, 0, 2, 1}, 4, "192.0.2.1"},
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 16, "::1"},
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3}, 16, "10.1.2.3"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, 16, "2001:db8::1:0:0:1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0xab, 0xcd}, 16,
         "2001:db8:1:2:3:4:5:abcd"},
        /* A single zero group is not shortened (RFC 5952 4.2.2). */
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, 16, "2001:db8:0:1:1:1:1:1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16, "2001:db8::"},
        {{0}, 16, "::"},
        {{192, 0, 2}, 3, "?"},
    };
    char out[64];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sock_format_ip(out, sizeof out, cases[i].ip, cases[i].len);
        CHECK_EQ_STR(out, cases[i].text);
    }
}

/* Parsing is formatting's inverse, and refuses what is no address. */
TEST(sock_parse_ip_reads_what_format_writes)
{
    static const char *const good[] = {"192.0.2.1", "::1", "::", "2001:db8::1:0:0:1",
                                       "2001:db8:1:2:3:4:5:abcd", "2001:db8::", "fe80::1:2"};
    static const char *const bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1::2::3", ":1",
                                      "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
                                      "1:"};
    unsigned char ip[16];
    char out[64];
    size_t i, len;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (sock_parse_ip(good[i], strlen(good[i]), ip, &len) != 0) {
            test_failf_at(__FILE__, __LINE__, "did not parse %s", good[i]);
            continue;
        }
        sock_format_ip(out, sizeof out, ip, len);
        CHECK_EQ_STR(out, good[i]);
    }
    CHECK_EQ_INT(sock_parse_ip("::ffff:10.1.2.3", 15, ip, &len), 0);
    sock_format_ip(out, sizeof out, ip, len);
    CHECK_EQ_STR(out, "10.1.2.3");
    CHECK_EQ_INT(sock_parse_ip("2001:DB8:0:0:0:0:0:1", 20, ip, &len), 0);
    sock_format_ip(out, sizeof out, ip, len);
    CHECK_EQ_STR(out, "2001:db8::1");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sock_parse_ip(bad[i], strlen(bad[i]), ip, &len) == 0)
            test_failf_at(__FILE__, __LINE__, "parsed \"%s\"", bad[i]);
}

TEST(thread_runs_and_joins)
{
    int flag = 0;
    thread_handle *t = thread_start(set_flag, &flag);

    REQUIRE(t != NULL);
    thread_join(t);
    CHECK_EQ_INT(flag, 42);
}

TEST(sleep_ms_waits_about_that_long)
{
    uint64_t t0 = sys_mono_ms(), dt;

    sleep_ms(50);
    dt = sys_mono_ms() - t0;
    /* Windows' tick clock is ~16 ms coarse, hence the slack on the low side. */
    CHECK(dt >= 30);
    CHECK(dt < 2000);
}

#define COUNTER_THREADS 4
#define COUNTER_ROUNDS 100000

typedef struct counter {
    mutex_handle *m;
    long value;
} counter;

static void bump(void *arg)
{
    counter *c = arg;
    int i;

    for (i = 0; i < COUNTER_ROUNDS; i++) {
        mutex_lock(c->m);
        c->value++;
        mutex_unlock(c->m);
    }
}

TEST(mutex_protects_counter)
{
    thread_handle *t[COUNTER_THREADS];
    counter c;
    int i;

    c.value = 0;
    c.m = mutex_new();
    REQUIRE(c.m != NULL);
    for (i = 0; i < COUNTER_THREADS; i++) {
        t[i] = thread_start(bump, &c);
        CHECK(t[i] != NULL);
    }
    for (i = 0; i < COUNTER_THREADS; i++)
        thread_join(t[i]);
    CHECK_EQ_INT(c.value, (long)COUNTER_THREADS * COUNTER_ROUNDS);
    mutex_free(c.m);
}

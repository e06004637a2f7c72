/* test_net_iocp.c — Windows-only tests of the IOCP engine beyond the shared test_net.c: engine
 * options (accept pool, workers, read chunk), stop and finish corner cases, and a multi-worker
 * stress run with cross-connection closes that would expose lifetime races; and, through the
 * engine's test seams (net_hooks.h), interleavings of threads that are otherwise luck. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "net_hooks.h"
#include "outq.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT_MS 10000u
#define RECV_MS 5000u

enum icore_mode {
    IC_ECHO,   /* echo what arrives */
    IC_BURST,  /* "go" queues many small messages and one shared block in one callback */
    IC_STRESS  /* echo, plus random closes of this and other connections, and broadcasts */
};

typedef struct iconn {
    net_conn *c;
    int id;
    int closes;
    int open_index; /* position in icore.open, or -1 */
    char why[40];
} iconn;

typedef struct icore {
    mutex_handle *mu;
    net_engine *e;
    thread_handle *th;
    int run_rc, run_done;
    int mode;
    uint32_t finish_ms;
    int close_on_stop; /* on_stop closes every open connection before finishing */

    iconn **all; /* every context ever accepted, freed at the end */
    int accepted, all_cap;
    iconn **open; /* contexts not yet closed */
    int nopen;
    int closes, stops, ticks, datas;
    int violations;
    char violation[160];
    unsigned rng;
} icore;

static void violate(icore *t, const char *what)
{
    if (t->violations++ == 0)
        snprintf(t->violation, sizeof t->violation, "%s", what);
}

static unsigned next_rand(icore *t)
{
    t->rng = t->rng * 1103515245u + 12345u;
    return (t->rng >> 16) & 0x7fff;
}

static void *ic_accept(void *user, net_conn *c, const char *peer)
{
    icore *t = user;
    iconn *ic;

    mutex_lock(t->mu);
    if (!peer || !*peer)
        violate(t, "on_accept without a peer address");
    if (t->accepted == t->all_cap) {
        int cap = t->all_cap ? t->all_cap * 2 : 64;
        iconn **a = realloc(t->all, (size_t)cap * sizeof *a);
        iconn **o = realloc(t->open, (size_t)cap * sizeof *o);
        if (a)
            t->all = a;
        if (o)
            t->open = o;
        if (!a || !o) {
            violate(t, "out of memory");
            mutex_unlock(t->mu);
            return NULL;
        }
        t->all_cap = cap;
    }
    ic = calloc(1, sizeof *ic);
    if (!ic) {
        violate(t, "out of memory");
        mutex_unlock(t->mu);
        return NULL;
    }
    ic->c = c;
    ic->id = t->accepted;
    t->all[t->accepted++] = ic;
    ic->open_index = t->nopen;
    t->open[t->nopen++] = ic;
    mutex_unlock(t->mu);
    return ic;
}

/* Sends a shared block of n pattern bytes to every open connection. */
static void broadcast(icore *t, size_t n)
{
    outq_block *b = outq_block_new(n);
    int i;
    if (!b) {
        violate(t, "out of memory");
        return;
    }
    for (i = 0; i < (int)n; i++)
        b->data[i] = (uint8_t)('a' + i % 26);
    b->len = n;
    for (i = 0; i < t->nopen; i++)
        net_send_block(t->open[i]->c, b); /* -1 for one already closing is fine */
    outq_block_unref(b);
}

static void ic_data(void *user, void *ctx, const uint8_t *data, size_t n)
{
    icore *t = user;
    iconn *ic = ctx;
    unsigned r;
    int i;

    mutex_lock(t->mu);
    t->datas++;
    if (ic->closes)
        violate(t, "on_data after on_close");
    switch (t->mode) {
    case IC_ECHO:
        if (net_send(ic->c, data, n) != 0)
            violate(t, "net_send failed on an open connection");
        break;
    case IC_BURST:
        if (n >= 2 && memcmp(data, "go", 2) == 0) {
            char line[16];
            for (i = 0; i < 2000; i++) {
                snprintf(line, sizeof line, "m%06d\n", i);
                if (net_send(ic->c, line, 8) != 0)
                    violate(t, "net_send failed in a burst");
            }
            broadcast(t, 5000);
        }
        break;
    case IC_STRESS:
        net_send(ic->c, data, n); /* fails harmlessly once this one is closing */
        r = next_rand(t) % 1000;
        if (r < 15) {
            net_close(ic->c, 1);
        } else if (r < 30) {
            net_close(ic->c, 0);
        } else if (r < 45 && t->nopen > 0) {
            iconn *victim = t->open[next_rand(t) % (unsigned)t->nopen];
            net_close(victim->c, next_rand(t) & 1);
        } else if (r < 55) {
            broadcast(t, 3000);
        }
        break;
    default:
        break;
    }
    mutex_unlock(t->mu);
}

static void ic_close(void *user, void *ctx, const char *why)
{
    icore *t = user;
    iconn *ic = ctx;

    mutex_lock(t->mu);
    if (ic->closes++)
        violate(t, "on_close twice");
    t->closes++;
    snprintf(ic->why, sizeof ic->why, "%s", why ? why : "");
    if (ic->open_index >= 0 && ic->open_index < t->nopen && t->open[ic->open_index] == ic) {
        iconn *last = t->open[--t->nopen];
        t->open[ic->open_index] = last;
        last->open_index = ic->open_index;
        ic->open_index = -1;
    } else {
        violate(t, "closed connection missing from the open list");
    }
    mutex_unlock(t->mu);
}

static void ic_tick(void *user, uint64_t now)
{
    icore *t = user;
    (void)now;
    mutex_lock(t->mu);
    t->ticks++;
    /* Now and then the timer side kills someone too, as idle timeouts would. */
    if (t->mode == IC_STRESS && t->nopen > 0 && next_rand(t) % 8 == 0)
        net_close(t->open[next_rand(t) % (unsigned)t->nopen]->c, 0);
    mutex_unlock(t->mu);
}

static void ic_stop(void *user)
{
    icore *t = user;
    int i;

    mutex_lock(t->mu);
    t->stops++;
    if (t->close_on_stop)
        for (i = 0; i < t->nopen; i++)
            net_close(t->open[i]->c, 1);
    net_engine_finish(t->e, t->finish_ms);
    mutex_unlock(t->mu);
}

static void ic_run(void *arg)
{
    icore *t = arg;
    int rc = net_engine_run(t->e);
    mutex_lock(t->mu);
    t->run_rc = rc;
    t->run_done = 1;
    mutex_unlock(t->mu);
}

#define WAIT_FOR(t, cond)                                                                     \
    do {                                                                                      \
        uint64_t wf_end_ = sys_mono_ms() + WAIT_MS;                                           \
        int wf_ok_;                                                                           \
        for (;;) {                                                                            \
            mutex_lock((t)->mu);                                                              \
            wf_ok_ = (cond);                                                                  \
            mutex_unlock((t)->mu);                                                            \
            if (wf_ok_ || sys_mono_ms() > wf_end_)                                            \
                break;                                                                        \
            sleep_ms(2);                                                                      \
        }                                                                                     \
        if (!wf_ok_)                                                                          \
            test_failf_at(__FILE__, __LINE__, "timed out waiting for %s", #cond);             \
    } while (0)

/* Creates the engine with opt (port 0 on 127.0.0.1 unless set); starts it unless !run. */
static int ic_start(icore *t, int mode, net_options *opt, int run)
{
    net_handlers h;
    char err[256];

    memset(t, 0, sizeof *t);
    t->mode = mode;
    t->finish_ms = 2000;
    t->close_on_stop = 1;
    t->rng = 12345;
    if (sock_startup() != 0)
        return -1;
    t->mu = mutex_new();
    if (!t->mu)
        return -1;
    if (!opt->bind_addr)
        opt->bind_addr = "127.0.0.1";
    if (!opt->tick_ms)
        opt->tick_ms = 20;
    memset(&h, 0, sizeof h);
    h.user = t;
    h.on_accept = ic_accept;
    h.on_data = ic_data;
    h.on_close = ic_close;
    h.on_tick = ic_tick;
    h.on_stop = ic_stop;
    t->e = net_engine_create(opt, &h, err, sizeof err);
    if (!t->e) {
        test_failf_at(__FILE__, __LINE__, "net_engine_create: %s", err);
        mutex_free(t->mu);
        return -1;
    }
    if (run) {
        t->th = thread_start(ic_run, t);
        if (!t->th) {
            net_engine_destroy(t->e);
            mutex_free(t->mu);
            return -1;
        }
    }
    return 0;
}

/* Stops (unless finished), joins, destroys, and checks the invariants every test shares. */
static void ic_stop_and_check(icore *t)
{
    int i, done;

    mutex_lock(t->mu);
    done = t->run_done;
    mutex_unlock(t->mu);
    if (!done)
        net_engine_stop(t->e);
    thread_join(t->th);
    CHECK_EQ_INT(t->run_rc, 0);
    net_engine_destroy(t->e);
    CHECK_EQ_INT(t->closes, t->accepted);
    CHECK_EQ_INT(t->nopen, 0);
    for (i = 0; i < t->accepted; i++) {
        if (t->all[i]->closes != 1)
            test_failf_at(__FILE__, __LINE__, "connection %d closed %d times", i,
                          t->all[i]->closes);
        free(t->all[i]);
    }
    if (t->violations)
        test_failf_at(__FILE__, __LINE__, "%d contract breaches, first: %s", t->violations,
                      t->violation);
    free(t->all);
    free(t->open);
    mutex_free(t->mu);
}

static sock *connect_to(icore *t)
{
    char err[256];
    sock *s = sock_connect("127.0.0.1", net_engine_port(t->e), 5000, err, sizeof err);
    if (!s)
        test_failf_at(__FILE__, __LINE__, "%s", err);
    return s;
}

static size_t recv_exact(sock *s, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        long k = sock_recv(s, (uint8_t *)buf + got, n - got, RECV_MS);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

TEST(iocp_engine_name)
{
    CHECK_EQ_STR(net_engine_name(), "iocp");
}

/* Two AcceptEx kept posted, 150 clients connecting at once: the pool is re-posted as it
 * drains, and the backlog holds the rest meanwhile. */
TEST(iocp_small_accept_pool_many_clients)
{
    enum { N = 150 };
    static sock *s[N];
    net_options opt;
    icore t;
    char buf[8];
    int i, ok = 0;

    memset(&opt, 0, sizeof opt);
    opt.accept_pool = 2;
    opt.workers = 4;
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 1) == 0);
    for (i = 0; i < N; i++)
        s[i] = connect_to(&t);
    for (i = 0; i < N; i++) {
        if (!s[i])
            continue;
        if (sock_send_all(s[i], "ping", 4) == 0 && recv_exact(s[i], buf, 4) == 4 &&
            memcmp(buf, "ping", 4) == 0)
            ok++;
    }
    CHECK_EQ_INT(ok, N);
    WAIT_FOR(&t, t.accepted == N);
    for (i = 0; i < N; i++)
        if (s[i])
            sock_close(s[i], i % 3 == 0);
    WAIT_FOR(&t, t.closes == N);
    ic_stop_and_check(&t);
}

/* A 61-byte read chunk turns a 200 KB echo into ~3300 full receive calls: exercises the read
 * budget (the connection re-queued behind others) on one worker and on four. */
static void tiny_chunk_echo(int workers)
{
    const size_t n = 200000;
    uint8_t *out = malloc(n), *in = malloc(n);
    net_options opt;
    icore t;
    sock *s;
    size_t i;

    REQUIRE(out && in);
    for (i = 0; i < n; i++)
        out[i] = (uint8_t)(i * 31 + (i >> 8));
    memset(&opt, 0, sizeof opt);
    opt.read_chunk = 61;
    opt.workers = workers;
    if (ic_start(&t, IC_ECHO, &opt, 1) != 0) {
        free(out);
        free(in);
        return;
    }
    s = connect_to(&t);
    if (s) {
        /* Less than the socket buffers hold in each direction, so no thread is needed. */
        size_t off = 0;
        while (off < n) {
            size_t k = n - off < 60000 ? n - off : 60000;
            CHECK_EQ_INT(sock_send_all(s, out + off, k), 0);
            CHECK_EQ_INT(recv_exact(s, in + off, k), k);
            off += k;
        }
        CHECK(memcmp(in, out, n) == 0);
        sock_close(s, 0);
        WAIT_FOR(&t, t.closes == 1);
    }
    ic_stop_and_check(&t);
    free(out);
    free(in);
}

TEST(iocp_tiny_read_chunk_one_worker)
{
    tiny_chunk_echo(1);
}

TEST(iocp_tiny_read_chunk_four_workers)
{
    tiny_chunk_echo(4);
}

/* 2000 small net_send calls and a shared block in one callback arrive whole and in order. */
TEST(iocp_burst_of_small_messages)
{
    static char got[2000 * 8 + 5000];
    char want[16];
    net_options opt;
    icore t;
    sock *s;
    int i, bad = 0;

    memset(&opt, 0, sizeof opt);
    REQUIRE(ic_start(&t, IC_BURST, &opt, 1) == 0);
    s = connect_to(&t);
    if (s) {
        CHECK_EQ_INT(sock_send_all(s, "go", 2), 0);
        CHECK_EQ_INT(recv_exact(s, got, sizeof got), sizeof got);
        for (i = 0; i < 2000; i++) {
            snprintf(want, sizeof want, "m%06d\n", i);
            bad += memcmp(got + i * 8, want, 8) != 0;
        }
        for (i = 0; i < 5000; i++)
            bad += got[2000 * 8 + i] != (char)('a' + i % 26);
        CHECK_EQ_INT(bad, 0);
        sock_close(s, 0);
        WAIT_FOR(&t, t.closes == 1);
    }
    ic_stop_and_check(&t);
}

/* A stop requested before run is delivered once run starts; a second one after finish is
 * not delivered. */
TEST(iocp_stop_before_run)
{
    net_options opt;
    icore t;

    memset(&opt, 0, sizeof opt);
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 0) == 0);
    net_engine_stop(t.e);
    t.th = thread_start(ic_run, &t);
    REQUIRE(t.th != NULL);
    WAIT_FOR(&t, t.run_done);
    net_engine_stop(t.e); /* after run returned: only a post, harmless */
    CHECK_EQ_INT(t.stops, 1);
    ic_stop_and_check(&t);
}

/* The core finishes without closing anything: at the deadline every connection is cut and
 * still gets its on_close. */
TEST(iocp_finish_deadline_closes_what_the_core_left_open)
{
    enum { N = 6 };
    sock *s[N];
    net_options opt;
    icore t;
    uint64_t t0;
    char buf[8];
    int i;

    memset(&opt, 0, sizeof opt);
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 1) == 0);
    t.close_on_stop = 0;
    t.finish_ms = 300;
    for (i = 0; i < N; i++)
        s[i] = connect_to(&t);
    WAIT_FOR(&t, t.accepted == N);
    t0 = sys_mono_ms();
    net_engine_stop(t.e);
    WAIT_FOR(&t, t.run_done);
    if (sys_mono_ms() - t0 < 250)
        test_failf_at(__FILE__, __LINE__, "finished before the deadline");
    CHECK_EQ_INT(t.closes, N);
    for (i = 0; i < N; i++) {
        CHECK_EQ_STR(t.all[i]->why, "closed by server");
        if (s[i]) {
            long r = sock_recv(s[i], buf, sizeof buf, RECV_MS);
            CHECK(r == SOCK_CLOSED || r == SOCK_ERROR);
            sock_close(s[i], 0);
        }
    }
    ic_stop_and_check(&t);
}

/* finish with nothing connected returns promptly (the listener's AcceptEx are cancelled). */
TEST(iocp_finish_with_no_connections_is_prompt)
{
    net_options opt;
    icore t;
    uint64_t t0;

    memset(&opt, 0, sizeof opt);
    opt.accept_pool = 100;
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 1) == 0);
    t.finish_ms = 5000;
    WAIT_FOR(&t, t.ticks >= 2);
    t0 = sys_mono_ms();
    net_engine_stop(t.e);
    WAIT_FOR(&t, t.run_done);
    if (sys_mono_ms() - t0 > 2000)
        test_failf_at(__FILE__, __LINE__, "finish took %ld ms with no connections",
                      (long)(sys_mono_ms() - t0));
    ic_stop_and_check(&t);
}

TEST(iocp_destroy_without_run)
{
    net_options opt;
    icore t;

    memset(&opt, 0, sizeof opt);
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 0) == 0);
    net_engine_destroy(t.e);
    mutex_free(t.mu);
}

/* An IPv6 literal binds where the host has IPv6; peers show as IPv6 text. */
TEST(iocp_ipv6_literal)
{
    net_options opt;
    net_handlers h;
    net_engine *e;
    icore t;
    char err[256], buf[4];
    sock *s;

    memset(&opt, 0, sizeof opt);
    opt.bind_addr = "::1";
    memset(&h, 0, sizeof h);
    h.on_accept = ic_accept;
    h.on_data = ic_data;
    h.on_close = ic_close;
    e = net_engine_create(&opt, &h, err, sizeof err);
    if (!e) {
        fprintf(stderr, "   no IPv6 here (%s); skipped\n", err);
        CHECK(strstr(err, "[::1]") != NULL);
        return;
    }
    net_engine_destroy(e);
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 1) == 0);
    s = sock_connect("::1", net_engine_port(t.e), 3000, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ_INT(sock_send_all(s, "v6", 2), 0);
        CHECK_EQ_INT(recv_exact(s, buf, 2), 2);
        sock_close(s, 0);
        WAIT_FOR(&t, t.closes == 1);
    }
    ic_stop_and_check(&t);
}

/* ---- stress ---- */

typedef struct stress_client {
    uint16_t port;
    uint64_t until;
    unsigned seed;
    int rounds;
    thread_handle *th;
} stress_client;

static void stress_main(void *arg)
{
    stress_client *sc = arg;
    static const uint8_t junk[4096] = {1};
    uint8_t buf[8192];

    while (sys_mono_ms() < sc->until) {
        char err[128];
        sock *s = sock_connect("127.0.0.1", sc->port, 3000, err, sizeof err);
        int k;
        if (!s)
            continue;
        for (k = 0; k < 40 && sys_mono_ms() < sc->until; k++) {
            size_t len;
            long r;
            sc->seed = sc->seed * 1103515245u + 12345u;
            len = 1 + (sc->seed >> 8) % sizeof junk;
            if (sock_send_all(s, junk, len) != 0)
                break;
            r = sock_recv(s, buf, sizeof buf, 200);
            if (r == SOCK_CLOSED || r == SOCK_ERROR)
                break;
            sc->rounds++;
        }
        /* Leave in every way a client can: reset, close, or half-close and drain. */
        switch (sc->seed % 3) {
        case 0:
            sock_close(s, 1);
            break;
        case 1:
            sock_close(s, 0);
            break;
        default:
            sock_shutdown_send(s);
            while (sock_recv(s, buf, sizeof buf, 500) > 0) {
            }
            sock_close(s, 0);
            break;
        }
    }
}

/* Several workers, clients coming and going, the core closing connections from their own
 * and from other connections' callbacks and from the tick, broadcasts in between. Every
 * context must be closed exactly once with no callback after it, and shutdown must finish. */
static void stress_run(void)
{
    enum { CLIENTS = 12 };
    stress_client sc[CLIENTS];
    net_options opt;
    icore t;
    int i, rounds = 0;

    memset(&opt, 0, sizeof opt);
    opt.workers = 4;
    opt.accept_pool = 8;
    opt.tick_ms = 5;
    REQUIRE(ic_start(&t, IC_STRESS, &opt, 1) == 0);
    t.finish_ms = 3000;
    for (i = 0; i < CLIENTS; i++) {
        sc[i].port = net_engine_port(t.e);
        sc[i].until = sys_mono_ms() + 3000;
        sc[i].seed = 777u * (unsigned)(i + 1);
        sc[i].rounds = 0;
        sc[i].th = thread_start(stress_main, &sc[i]);
        CHECK(sc[i].th != NULL);
    }
    /* Stop while the clients are still busy: finish meets connections mid-traffic. */
    sleep_ms(2000);
    mutex_lock(t.mu);
    fprintf(stderr, "   at stop: %d connections so far, %d open\n", t.accepted, t.nopen);
    mutex_unlock(t.mu);
    net_engine_stop(t.e);
    WAIT_FOR(&t, t.run_done);
    for (i = 0; i < CLIENTS; i++) {
        if (sc[i].th)
            thread_join(sc[i].th);
        rounds += sc[i].rounds;
    }
    fprintf(stderr, "   %d connections, %d round trips\n", t.accepted, rounds);
    CHECK(t.accepted > CLIENTS);
    CHECK(rounds > 0);
    ic_stop_and_check(&t);
}

TEST(iocp_stress_random_closes_four_workers)
{
    stress_run();
}

/* The same behind a provider treated as non-IFS (as with a layered provider installed): no
 * skip-on-success, every completion through the port, and closes cancel through the base
 * provider's handle (SIO_BASE_HANDLE) as well. Wine has no layered providers, so this shows
 * the path works end to end, not that a real LSP needs it. */
TEST(iocp_stress_random_closes_non_ifs_provider)
{
    net_hooks h;

    memset(&h, 0, sizeof h);
    h.force_non_ifs = 1;
    net_hooks_set(&h);
    stress_run();
    net_hooks_set(NULL);
}

/* ---- interleavings forced through net_hooks.h ---- */

typedef struct hookstate {
    mutex_handle *mu;
    int armed;           /* the next after_accept_post holds its thread */
    int posted;          /* ...it did, and is waiting */
    int done_seen;       /* an accept completion was handled meanwhile */
    int fail_worker;     /* fail_wait: this worker's wait fails (-1: none) */
    int failed_waits;
} hookstate;

static hookstate hs;

static int hs_get(int *field)
{
    int v;
    mutex_lock(hs.mu);
    v = *field;
    mutex_unlock(hs.mu);
    return v;
}

static void hook_after_accept_post(void *user)
{
    uint64_t end = sys_mono_ms() + WAIT_MS;
    (void)user;
    mutex_lock(hs.mu);
    if (!hs.armed) {
        mutex_unlock(hs.mu);
        return;
    }
    hs.armed = 0;
    hs.posted = 1;
    mutex_unlock(hs.mu);
    /* Hold this thread inside its listener call (lock released) until another worker has
     * handled the AcceptEx's cancelled completion. */
    while (!hs_get(&hs.done_seen) && sys_mono_ms() < end)
        sleep_ms(2);
}

static void hook_after_accept_done(void *user)
{
    (void)user;
    mutex_lock(hs.mu);
    if (hs.posted)
        hs.done_seen = 1;
    mutex_unlock(hs.mu);
}

static int hook_fail_wait(void *user, int index)
{
    int fail;
    (void)user;
    mutex_lock(hs.mu);
    fail = index == hs.fail_worker;
    if (fail)
        hs.failed_waits++;
    mutex_unlock(hs.mu);
    return fail;
}

static void hooks_on(void)
{
    net_hooks h;
    memset(&hs, 0, sizeof hs);
    hs.mu = mutex_new();
    hs.fail_worker = -1;
    memset(&h, 0, sizeof h);
    h.after_accept_post = hook_after_accept_post;
    h.after_accept_done = hook_after_accept_done;
    h.fail_wait = hook_fail_wait;
    net_hooks_set(&h);
}

static void hooks_off(void)
{
    net_hooks_set(NULL);
    mutex_free(hs.mu);
}

/* Shutdown while a worker is inside its AcceptEx call and another worker handles that
 * AcceptEx's (cancelled) completion meanwhile: the completion cannot close the listener (a
 * call is being made on it), so the call's return must — or the engine never exits. */
TEST(iocp_shutdown_during_accept_post_closes_the_listener)
{
    net_options opt;
    icore t;
    sock *a, *b;

    hooks_on();
    memset(&opt, 0, sizeof opt);
    opt.workers = 2;
    opt.accept_pool = 1;
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 1) == 0);
    a = connect_to(&t);
    WAIT_FOR(&t, t.accepted == 1);
    mutex_lock(hs.mu);
    hs.armed = 1; /* the re-post after the next accept */
    mutex_unlock(hs.mu);
    b = connect_to(&t);
    {
        uint64_t end = sys_mono_ms() + WAIT_MS;
        while (!hs_get(&hs.posted) && sys_mono_ms() < end)
            sleep_ms(2);
    }
    CHECK(hs_get(&hs.posted));
    net_engine_stop(t.e);
    WAIT_FOR(&t, t.run_done);
    CHECK(hs_get(&hs.done_seen));
    if (a)
        sock_close(a, 0);
    if (b)
        sock_close(b, 0);
    if (hs_get(&t.run_done))
        ic_stop_and_check(&t);
    hooks_off();
}

/* A failed wait on the completion port in the worker that keeps the tick: every other worker
 * leaves too and net_engine_run reports the failure, instead of waiting forever. */
TEST(iocp_port_wait_failure_in_worker_0_ends_every_worker)
{
    net_options opt;
    icore t;
    sock *a;
    int i;

    hooks_on();
    memset(&opt, 0, sizeof opt);
    opt.workers = 3;
    REQUIRE(ic_start(&t, IC_ECHO, &opt, 1) == 0);
    a = connect_to(&t);
    WAIT_FOR(&t, t.accepted == 1);
    mutex_lock(hs.mu);
    hs.fail_worker = 0; /* its next wait (at the latest after one tick) fails */
    mutex_unlock(hs.mu);
    WAIT_FOR(&t, t.run_done);
    CHECK(hs_get(&hs.failed_waits) >= 1);
    if (hs_get(&t.run_done)) {
        thread_join(t.th);
        CHECK_EQ_INT(t.run_rc, -1);
        net_engine_destroy(t.e); /* closes what is left, without waiting for it */
        for (i = 0; i < t.accepted; i++)
            free(t.all[i]);
        free(t.all);
        free(t.open);
        mutex_free(t.mu);
    }
    if (a)
        sock_close(a, 0);
    hooks_off();
}

/* test_signals.c — the OS stop handler (console control handler on Windows, SIGTERM
 * elsewhere) never reaches an engine that signals_remove has let go of. */
#include <stdint.h>
#include <string.h>

#include "net.h"
#include "signals.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

#define WAIT 5000u

static mutex_handle *mu;
static int paused, released, removed;

/* signals_test_before_stop: the handler has read the engine; hold it there until released. */
static void hold_handler(void)
{
    uint64_t end = sys_mono_ms() + 2 * WAIT;

    mutex_lock(mu);
    paused = 1;
    while (!released && sys_mono_ms() < end) {
        mutex_unlock(mu);
        sleep_ms(2);
        mutex_lock(mu);
    }
    mutex_unlock(mu);
}

static int get(const int *v)
{
    int x;
    mutex_lock(mu);
    x = *v;
    mutex_unlock(mu);
    return x;
}

static void set(int *v)
{
    mutex_lock(mu);
    *v = 1;
    mutex_unlock(mu);
}

static void deliver_main(void *arg)
{
    (void)arg;
    signals_test_deliver();
}

static void remove_main(void *arg)
{
    (void)arg;
    signals_remove();
    set(&removed);
}

static void *no_accept(void *user, net_conn *c, const char *peer)
{
    (void)user;
    (void)c;
    (void)peer;
    return NULL;
}

static void no_data(void *user, void *ctx, const uint8_t *data, size_t n)
{
    (void)user;
    (void)ctx;
    (void)data;
    (void)n;
}

static void no_close(void *user, void *ctx, const char *why)
{
    (void)user;
    (void)ctx;
    (void)why;
}

static void no_tick(void *user, uint64_t now)
{
    (void)user;
    (void)now;
}

static void no_stop(void *user)
{
    (void)user;
}

/* A stop request that has read the engine and is about to call net_engine_stop keeps
 * signals_remove from returning (after which the engine is destroyed) until it is done. */
TEST(signals_remove_waits_for_a_handler_about_to_stop_the_engine)
{
    net_options opt;
    net_handlers h;
    net_engine *e;
    thread_handle *deliver, *remover;
    char err[256];
    uint64_t end;
    int removed_early;

    REQUIRE(sock_startup() == 0);
    mu = mutex_new();
    REQUIRE(mu);
    memset(&opt, 0, sizeof opt);
    opt.bind_addr = "127.0.0.1";
    memset(&h, 0, sizeof h);
    h.on_accept = no_accept;
    h.on_data = no_data;
    h.on_close = no_close;
    h.on_tick = no_tick;
    h.on_stop = no_stop;
    e = net_engine_create(&opt, &h, err, sizeof err);
    REQUIRE(e);
    signals_install(e);
    signals_test_before_stop = hold_handler;
    deliver = thread_start(deliver_main, NULL);
    REQUIRE(deliver);
    end = sys_mono_ms() + WAIT;
    while (!get(&paused) && sys_mono_ms() < end)
        sleep_ms(2);
    REQUIRE(get(&paused));
    /* The handler holds the engine: signals_remove must wait for it. Without that wait it
     * returns at once, which is what this looks for (a correct one never returns here). */
    remover = thread_start(remove_main, NULL);
    REQUIRE(remover);
    end = sys_mono_ms() + 300;
    while (!get(&removed) && sys_mono_ms() < end)
        sleep_ms(2);
    removed_early = get(&removed);
    CHECK(!removed_early);
    set(&released);
    thread_join(deliver);
    thread_join(remover);
    CHECK(get(&removed));
    signals_test_before_stop = NULL;
    /* Now no stop request can reach the engine. */
    signals_test_deliver();
    net_engine_destroy(e);
    mutex_free(mu);
}

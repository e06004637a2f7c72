/* signals_posix.c — SIGINT and SIGTERM ask the engine to stop; SIGPIPE is ignored. */
#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <signal.h>
#include <string.h>

#include "thread.h"

/* A signal may be handled on any thread, so "read the engine and call net_engine_stop" can
 * run while the main thread removes and destroys the engine. The handler counts itself in
 * before it reads the engine; signals_remove clears the engine and then waits for the count
 * to drop. Both in sequentially consistent order: a handler that saw the engine is counted
 * by the time signals_remove looks. (Atomics, not a lock: a handler may not take one.) */
static net_engine *stop_engine;
static int in_handler;

void (*signals_test_before_stop)(void);

static void on_signal(int sig)
{
    net_engine *e;

    (void)sig;
    __atomic_add_fetch(&in_handler, 1, __ATOMIC_SEQ_CST);
    e = __atomic_load_n(&stop_engine, __ATOMIC_SEQ_CST);
    if (e) {
        if (signals_test_before_stop)
            signals_test_before_stop();
        net_engine_stop(e); /* async-signal-safe by net.h's contract */
    }
    __atomic_sub_fetch(&in_handler, 1, __ATOMIC_SEQ_CST);
}

void signals_install(net_engine *e)
{
    struct sigaction sa;
    __atomic_store_n(&stop_engine, e, __ATOMIC_SEQ_CST);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

void signals_remove(void)
{
    __atomic_store_n(&stop_engine, NULL, __ATOMIC_SEQ_CST);
    /* A handler on this thread has finished by now; one on another thread soon will. */
    while (__atomic_load_n(&in_handler, __ATOMIC_SEQ_CST) != 0)
        sleep_ms(1);
}

void signals_test_deliver(void)
{
    raise(SIGTERM); /* handled on this thread before raise returns */
}

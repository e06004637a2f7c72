/* signals_posix.c — SIGINT and SIGTERM ask the engine to stop; SIGPIPE is ignored. */
#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <signal.h>
#include <string.h>

static net_engine *volatile stop_engine;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_engine)
        net_engine_stop(stop_engine); /* async-signal-safe by net.h's contract */
}

void signals_install(net_engine *e)
{
    struct sigaction sa;
    stop_engine = e;
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
    stop_engine = NULL;
}

/* signals.h — routes Ctrl+C, SIGTERM (and console close on Windows) to a graceful stop. */
#ifndef PARLEY_SIGNALS_H
#define PARLEY_SIGNALS_H

#include "net.h"

/* From now on a stop request from the OS calls net_engine_stop(e). */
void signals_install(net_engine *e);
/* Forgets the engine (before it is destroyed): waits for a stop request being handled on
 * another thread right now, so none can reach the engine after this returns. */
void signals_remove(void);

/* Test seams. signals_test_before_stop (NULL in production) is called by the stop handler
 * between reading the engine and calling net_engine_stop: the window signals_remove must
 * wait out. signals_test_deliver delivers a stop request on the calling thread as the OS
 * would (a console control event on Windows, SIGTERM elsewhere). */
extern void (*signals_test_before_stop)(void);
void signals_test_deliver(void);

#endif

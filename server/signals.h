/* signals.h — routes Ctrl+C, SIGTERM (and console close on Windows) to a graceful stop. */
#ifndef PARLEY_SIGNALS_H
#define PARLEY_SIGNALS_H

#include "net.h"

/* From now on a stop request from the OS calls net_engine_stop(e). */
void signals_install(net_engine *e);
/* Forgets the engine (before it is destroyed). */
void signals_remove(void);

#endif

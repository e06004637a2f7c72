/* atomic.h — the one atomic operation the server needs (reference counts shared between I/O
 * threads), by compiler builtin; no platform headers. */
#ifndef PARLEY_ATOMIC_H
#define PARLEY_ATOMIC_H

#if defined(_MSC_VER)
#include <intrin.h>
/* Adds d to *p and returns the new value. */
static __inline long atomic_add_long(volatile long *p, long d)
{
    return _InterlockedExchangeAdd(p, d) + d;
}
#else
static inline long atomic_add_long(volatile long *p, long d)
{
    return __atomic_add_fetch(p, d, __ATOMIC_ACQ_REL);
}
#endif

#endif

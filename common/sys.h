/* sys.h — the few operating-system services portable code needs: clocks. Implemented per platform. */
#ifndef PARLEY_SYS_H
#define PARLEY_SYS_H

#include <stdint.h>

/* Wall-clock time in milliseconds since 1970-01-01 UTC. */
uint64_t sys_wall_ms(void);
/* Monotonic milliseconds from an arbitrary origin; never goes backwards. */
uint64_t sys_mono_ms(void);

#endif

/* sys_posix.c — clocks for POSIX systems (Linux hosting and native tests) via clock_gettime. */
#define _POSIX_C_SOURCE 200809L

#include "sys.h"

#include <stdint.h>
#include <time.h>

/* Both clocks are always present on the systems Parley supports, so a failure cannot happen in
 * practice; returning 0 keeps the functions total without pretending to know the time. */
static uint64_t clock_ms(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0 || ts.tv_sec < 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t sys_wall_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

uint64_t sys_mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

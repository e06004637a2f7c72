/* sys_win.c — clocks for Windows: precise system time for the wall clock, tick count for monotonic. */
#include <windows.h>

#include "sys.h"

#include <stdint.h>

/* FILETIME counts 100 ns intervals since 1601-01-01; this many of them lie before 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL

uint64_t sys_wall_ms(void)
{
    FILETIME ft;
    uint64_t t;

    GetSystemTimePreciseAsFileTime(&ft);
    t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
    if (t < FILETIME_UNIX_EPOCH)
        return 0;
    return (t - FILETIME_UNIX_EPOCH) / 10000u;
}

/* GetTickCount64 never goes backwards and does not wrap for 500 million years; its ~16 ms
 * granularity is fine for timeouts and rate limits, which is what callers use it for. */
uint64_t sys_mono_ms(void)
{
    return (uint64_t)GetTickCount64();
}

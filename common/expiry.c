/* expiry.c — an alert's expiry as people type it (expiry.h). */
#include "expiry.h"

#include <stdlib.h>

int expiry_parse(const char *s, uint32_t *seconds)
{
    char *end;
    unsigned long long v, unit = 1;

    if (!*s || *s < '0' || *s > '9')
        return -1;
    v = strtoull(s, &end, 10);
    if (end[0] && end[1])
        return -1;
    switch (end[0]) {
    case '\0':
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return -1;
    }
    if (v == 0 || v > EXPIRY_MAX_S / unit)
        return -1;
    *seconds = (uint32_t)(v * unit);
    return 0;
}

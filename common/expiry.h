/* expiry.h — an alert's expiry as people type it ("90s", "30m", "2h", "1d"): the one parser of
 * parley-cli's --expires and parley.exe's /alert --expires. Portable. */
#ifndef PARLEY_EXPIRY_H
#define PARLEY_EXPIRY_H

#include <stdint.h>

/* The longest expiry: 49 days, within what a client's timer counts in milliseconds (u32). */
#define EXPIRY_MAX_S (49u * 86400u)

/* A positive whole number with an optional unit s, m, h or d (seconds without one), at most
 * EXPIRY_MAX_S: seconds into *seconds and 0, or -1 (nothing written). */
int expiry_parse(const char *s, uint32_t *seconds);

#endif

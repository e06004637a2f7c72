/* keyholder.h — what a holder of the network key learns from a recorded session: the key
 * schedule run on the recorded plain HELLO and CHALLENGE, then the client's ciphered frames
 * opened with the result. Shared by the in-memory and the packet-capture tests. */
#ifndef PARLEY_KEYHOLDER_H
#define PARLEY_KEYHOLDER_H

#include <stddef.h>

#include "buf.h"

/* c2s and s2c are one connection's recorded byte streams. Returns how many of the client's
 * frames after HELLO open (it stops at the first that does not), or -1 if the recording does
 * not start with a HELLO and a CHALLENGE. *saw is set to 1 if an opened frame's text holds
 * needle. */
int keyholder_open(const buf *c2s, const buf *s2c, const char *secret, const char *needle,
                   int *saw);

#endif

/* rtt_probe.h — one round-trip measurement: a PING's token and when it went out, and the
 * figure once its PONG comes back. Portable; the caller supplies the clock. */
#ifndef PARLEY_RTT_PROBE_H
#define PARLEY_RTT_PROBE_H

#include <stdint.h>

typedef struct rtt_probe {
    uint64_t token;   /* the PING's token; 0 while none is outstanding */
    uint64_t sent_ms; /* the caller's clock when it went out */
} rtt_probe;

/* Starts a measurement at now_ms and returns the token to send (never 0; below 2^63, so it
 * stays apart from the reconnect layer's own keep-alive tokens). seed makes tokens differ
 * between probes started in the same millisecond. */
uint64_t rtt_probe_start(rtt_probe *p, uint64_t now_ms, uint64_t seed);
/* Forgets an outstanding measurement (the PING could not be sent). */
void rtt_probe_cancel(rtt_probe *p);
/* If token answers the outstanding PING: ends the measurement, stores the round trip in
 * *out_ms (0 when the clock did not move, or went back) and returns 1. Otherwise 0. */
int rtt_probe_answer(rtt_probe *p, uint64_t token, uint64_t now_ms, uint32_t *out_ms);

#endif

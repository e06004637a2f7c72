/* rtt_probe.c — one round-trip measurement (rtt_probe.h). The token says nothing about the
 * time: the figure comes from the stored send time alone, so it cannot wrap below zero. */
#include "rtt_probe.h"

uint64_t rtt_probe_start(rtt_probe *p, uint64_t now_ms, uint64_t seed)
{
    /* Differs from the previous token even within one millisecond; top bit clear, never 0. */
    uint64_t token = ((now_ms << 16) ^ seed ^ (p->token + 1)) & ~(1ull << 63);

    p->token = token ? token : 1;
    p->sent_ms = now_ms;
    return p->token;
}

void rtt_probe_cancel(rtt_probe *p)
{
    p->token = 0;
}

int rtt_probe_answer(rtt_probe *p, uint64_t token, uint64_t now_ms, uint32_t *out_ms)
{
    uint64_t rtt;

    if (!p->token || token != p->token)
        return 0;
    rtt = now_ms > p->sent_ms ? now_ms - p->sent_ms : 0;
    *out_ms = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
    p->token = 0;
    return 1;
}

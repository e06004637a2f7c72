/* bench_login.c — parley-bench's login-rate loop: every connection slot logs in, says goodbye
 * as soon as it is welcomed and logs in again, so the server does nothing but logins. */
#include "bench.h"

size_t bench_login_many(bench *b, size_t total, uint64_t deadline_us)
{
    size_t started = 0, done = 0, i;

    while (b->now_us < deadline_us && done < total) {
        for (i = 0; i < b->nconns; i++) {
            bconn *c = &b->conns[i];
            if (c->state == CS_READY) {
                hist_add(&b->lat, b->now_us - c->t_open_us);
                done++;
                /* Goodbye and close: the slot (and its account) is free again. The server
                 * has the goodbye before the next login's HELLO, which needs a round trip. */
                bench_quit(b, i);
            }
            if (c->state == CS_CLOSED && !c->quitting) {
                /* Refused or failed: counted (n_failed, first_error), and tried again. */
                if (b->n_failed > total / 10 + 10)
                    return done; /* something is wrong, not slow: the result says what */
                b->n_retries++;
                bench_open(b, i);
            } else if ((c->state == CS_FREE || c->state == CS_CLOSED) && started < total) {
                started++;
                bench_open(b, i);
            }
        }
        if (done < total)
            bench_poll(b, 5);
    }
    return done;
}

/* test_rtt_probe.c — the round-trip figure parley.exe shows in its status bar
 * (client/rtt_probe.h): never a wrapped-around "4294967295 ms". */
#include "rtt_probe.h"
#include "test.h"

/* A PONG within the millisecond its PING went out is a round trip of 0 ms; the figure once
 * came from the token (the time with its low bit set) and wrapped below zero whenever the
 * PING went out on an even millisecond. */
TEST(rtt_same_millisecond)
{
    rtt_probe p = {0, 0};
    uint64_t token = rtt_probe_start(&p, 1000, 7);
    uint32_t ms = 12345;

    CHECK(token != 0);
    CHECK(rtt_probe_answer(&p, token, 1000, &ms) == 1);
    CHECK(ms == 0);
}

TEST(rtt_elapsed)
{
    rtt_probe p = {0, 0};
    uint64_t token = rtt_probe_start(&p, 5000, 1);
    uint32_t ms = 0;

    CHECK(rtt_probe_answer(&p, token, 5042, &ms) == 1);
    CHECK(ms == 42);
}

/* A clock that stepped back gives 0, not a wrap-around. */
TEST(rtt_clock_back)
{
    rtt_probe p = {0, 0};
    uint64_t token = rtt_probe_start(&p, 2000, 3);
    uint32_t ms = 99;

    CHECK(rtt_probe_answer(&p, token, 1990, &ms) == 1);
    CHECK(ms == 0);
}

/* Another token, a second answer, or one after cancelling is not the answer. */
TEST(rtt_foreign_tokens)
{
    rtt_probe p = {0, 0};
    uint64_t token = rtt_probe_start(&p, 3000, 11), other = rtt_probe_start(&p, 3000, 12);
    uint32_t ms = 77;

    CHECK(token != other);
    CHECK(rtt_probe_answer(&p, token, 3001, &ms) == 0);
    CHECK(rtt_probe_answer(&p, other, 3001, &ms) == 1);
    CHECK(rtt_probe_answer(&p, other, 3002, &ms) == 0);
    CHECK(ms == 1);
    other = rtt_probe_start(&p, 4000, 13);
    rtt_probe_cancel(&p);
    CHECK(rtt_probe_answer(&p, other, 4001, &ms) == 0);
    CHECK(other < (1ull << 63));
}

/* sock_endpoint.c — how texts name an endpoint and a peer's address; portable, shared by both
 * sock files and both server engines. */
#include <stdio.h>
#include <string.h>

#include "sock.h"

void sock_format_endpoint(char *out, size_t n, const char *host, uint16_t port)
{
    if (strchr(host, ':'))
        snprintf(out, n, "[%s]:%u", host, (unsigned)port);
    else
        snprintf(out, n, "%s:%u", host, (unsigned)port);
}

/* The longest run (at least two) of zero 16-bit groups, first one on a tie: RFC 5952 4.2. */
static void longest_zero_run(const unsigned g[8], int *start, int *len)
{
    int i = 0;

    *start = -1;
    *len = 0;
    while (i < 8) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > *len && j - i >= 2) {
            *start = i;
            *len = j - i;
        }
        i = j > i ? j : i + 1;
    }
}

void sock_format_ip(char *out, size_t n, const unsigned char *ip, size_t ip_len)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned g[8];
    size_t at = 0;
    int i, zs, zl;

    if (n == 0)
        return;
    if (ip_len == 16 && memcmp(ip, mapped, sizeof mapped) == 0) {
        ip += 12;
        ip_len = 4;
    }
    if (ip_len == 4) {
        snprintf(out, n, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        return;
    }
    if (ip_len != 16) {
        snprintf(out, n, "?");
        return;
    }
    for (i = 0; i < 8; i++)
        g[i] = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
    longest_zero_run(g, &zs, &zl);
    out[0] = '\0';
    for (i = 0; i < 8 && at < n; i++) {
        int k;
        if (i == zs) {
            k = snprintf(out + at, n - at, "::");
            i += zl - 1;
        } else {
            /* A group after "::" or at the very start has no separator before it. */
            int sep = i > 0 && !(zs >= 0 && i == zs + zl);
            k = snprintf(out + at, n - at, "%s%x", sep ? ":" : "", g[i]);
        }
        if (k < 0)
            break;
        at += (size_t)k;
    }
}

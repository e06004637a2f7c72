/* sock_endpoint.c — how texts name an endpoint and a peer's address; portable, shared by both
 * sock files and both server engines. */
#include <stdio.h>
#include <string.h>

#include "hex.h"
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

/* Dotted-quad IPv4 in s[0..n). 0 on success. */
static int parse_ipv4(const char *s, size_t n, unsigned char out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0 || v > 255)
            return -1;
        out[part] = (unsigned char)v;
    }
    return i == n ? 0 : -1;
}

/* Textual IPv6 (RFC 4291 section 2.2: "::" compression, optional trailing dotted IPv4) in
 * s[0..n). 0 on success. */
static int parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
    unsigned words[8];
    int nw = 0, gap = -1;
    size_t i = 0;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return -1;
    }
    while (i < n) {
        size_t end = i;
        unsigned v = 0;
        while (end < n && s[end] != ':' && s[end] != '.')
            end++;
        if (end < n && s[end] == '.') {
            /* The rest is an embedded IPv4 address: the last two words. */
            unsigned char v4[4];
            if (nw > 6 || parse_ipv4(s + i, n - i, v4) != 0)
                return -1;
            words[nw++] = (unsigned)(v4[0] << 8 | v4[1]);
            words[nw++] = (unsigned)(v4[2] << 8 | v4[3]);
            i = n;
            break;
        }
        if (end == i || end - i > 4 || nw == 8)
            return -1;
        for (size_t k = i; k < end; k++) {
            int h = hex_digit_value(s[k]);
            if (h < 0)
                return -1;
            v = v << 4 | (unsigned)h;
        }
        words[nw++] = (unsigned)v;
        i = end;
        if (i == n)
            break;
        i++; /* the ':' */
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = nw;
            i++;
        } else if (i == n) {
            return -1; /* a single trailing ':' */
        }
    }
    if (gap < 0 ? nw != 8 : nw > 7)
        return -1;
    memset(out, 0, 16);
    if (gap < 0)
        gap = nw;
    for (int k = 0; k < gap; k++) {
        out[2 * k] = (unsigned char)(words[k] >> 8);
        out[2 * k + 1] = (unsigned char)words[k];
    }
    for (int k = gap; k < nw; k++) {
        int pos = 8 - (nw - k);
        out[2 * pos] = (unsigned char)(words[k] >> 8);
        out[2 * pos + 1] = (unsigned char)words[k];
    }
    return 0;
}

int sock_parse_ip(const char *text, size_t n, unsigned char ip[16], size_t *ip_len)
{
    memset(ip, 0, 16);
    if (memchr(text, ':', n)) {
        *ip_len = 16;
        return parse_ipv6(text, n, ip);
    }
    *ip_len = 4;
    return parse_ipv4(text, n, ip);
}

/* sock_endpoint.c — how socket error texts name an endpoint; portable, shared by both sock files. */
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

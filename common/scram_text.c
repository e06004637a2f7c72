/* scram_text.c — a SCRAM-SHA-256 verifier as one line of text (RFC 5803's form), so that a tool
 * which computed it from a password can hand it to a running server: the password stays with
 * the tool. */
#include "scram.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"

#define PREFIX "SCRAM-SHA-256$"

int scram_verifier_format(const scram_verifier *v, char *out, size_t cap)
{
    char salt[BASE64_LEN(SCRAM_SALT_MAX) + 1], stored[BASE64_LEN(SCRAM_KEY_SIZE) + 1],
        server[BASE64_LEN(SCRAM_KEY_SIZE) + 1];
    int n;

    if (v->decoy || v->salt_len == 0 || v->salt_len > SCRAM_SALT_MAX ||
        base64_encode(v->salt, v->salt_len, salt, sizeof salt) < 0 ||
        base64_encode(v->stored_key, SCRAM_KEY_SIZE, stored, sizeof stored) < 0 ||
        base64_encode(v->server_key, SCRAM_KEY_SIZE, server, sizeof server) < 0)
        return SCRAM_EPARSE;
    n = snprintf(out, cap, PREFIX "%lu:%s$%s:%s", (unsigned long)v->iterations, salt, stored,
                 server);
    return n < 0 || (size_t)n >= cap ? SCRAM_EPARSE : SCRAM_OK;
}

/* The next part of text up to (not including) the character stop, or to the end when stop is
 * 0; *len is its length. NULL if stop does not occur. */
static const char *part(const char *p, const char *end, char stop, size_t *len)
{
    const char *q = p;
    while (q < end && *q != stop)
        q++;
    if (stop && q == end)
        return NULL;
    *len = (size_t)(q - p);
    return p;
}

int scram_verifier_parse(const char *text, size_t n, scram_verifier *out)
{
    const char *end = text + n, *p = text, *iter, *salt, *stored, *server;
    size_t il, sl, kl, vl, i;
    unsigned long iterations = 0;
    long got;

    memset(out, 0, sizeof *out);
    if (n < sizeof PREFIX - 1 || memcmp(text, PREFIX, sizeof PREFIX - 1) != 0)
        return SCRAM_EPARSE;
    p += sizeof PREFIX - 1;
    if (!(iter = part(p, end, ':', &il)) || !(salt = part(iter + il + 1, end, '$', &sl)) ||
        !(stored = part(salt + sl + 1, end, ':', &kl)) ||
        !(server = part(stored + kl + 1, end, 0, &vl)))
        return SCRAM_EPARSE;
    if (il == 0 || il > 9)
        return SCRAM_EPARSE;
    for (i = 0; i < il; i++) {
        if (iter[i] < '0' || iter[i] > '9')
            return SCRAM_EPARSE;
        iterations = iterations * 10u + (unsigned long)(iter[i] - '0');
    }
    got = base64_decode(salt, sl, out->salt, sizeof out->salt);
    if (got <= 0 || base64_decode(stored, kl, out->stored_key, SCRAM_KEY_SIZE) != SCRAM_KEY_SIZE ||
        base64_decode(server, vl, out->server_key, SCRAM_KEY_SIZE) != SCRAM_KEY_SIZE) {
        memset(out, 0, sizeof *out);
        return SCRAM_EPARSE;
    }
    out->salt_len = (size_t)got;
    out->iterations = (uint32_t)iterations;
    if (out->salt_len < SCRAM_SALT_MIN || iterations < SCRAM_ITERATIONS_MIN ||
        iterations > SCRAM_ITERATIONS_MAX)
        return SCRAM_EPOLICY;
    return SCRAM_OK;
}

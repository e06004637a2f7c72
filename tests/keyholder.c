/* keyholder.c — a key holder's attempt on a recorded session (keyholder.h). */
#include "keyholder.h"

#include <string.h>

#include "cipher.h"
#include "handshake.h"
#include "proto.h"

/* Copies the next frame of r, which must be of the given type, into body. */
static int take(proto_reader *r, uint8_t type, uint8_t *body, size_t cap, size_t *len)
{
    proto_frame f;
    if (proto_reader_next(r, &f) != 1 || f.type != type || f.len > cap)
        return 0;
    memcpy(body, f.body, f.len);
    *len = f.len;
    return 1;
}

static int text_has(proto_str s, const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; n && i + n <= s.n; i++)
        if (memcmp(s.p + i, needle, n) == 0)
            return 1;
    return 0;
}

int keyholder_open(const buf *c2s, const buf *s2c, const char *secret, const char *needle,
                   int *saw)
{
    proto_reader rc, rs;
    proto_frame f;
    proto_msg m;
    uint8_t hello[512], challenge[512], master[HS_KEY_SIZE];
    size_t hello_len = 0, challenge_len = 0;
    hs_keys keys;
    cipher_state tx, rx;
    int opened = -1;

    *saw = 0;
    cipher_state_plain(&tx);
    cipher_state_plain(&rx);
    proto_reader_init(&rc, PROTO_MAX_FRAME_HARD);
    proto_reader_init(&rs, PROTO_MAX_FRAME_HARD);
    if (proto_reader_feed(&rc, c2s->data, c2s->len) != PROTO_OK ||
        proto_reader_feed(&rs, s2c->data, s2c->len) != PROTO_OK ||
        !take(&rc, PT_HELLO, hello, sizeof hello, &hello_len) ||
        !take(&rs, PT_CHALLENGE, challenge, sizeof challenge, &challenge_len) ||
        proto_decode(PT_CHALLENGE, challenge, challenge_len, &m) != PROTO_OK)
        goto done;
    /* Everything a key holder can compute: the shares are public, the ECDH secret is not. */
    if (hs_master(secret, strlen(secret), m.salt, m.iterations, master) != PROTO_OK ||
        hs_derive(master, m.cipher, hello, hello_len, challenge, challenge_len, NULL, &keys) !=
            PROTO_OK ||
        hs_ciphers(m.cipher, &keys, secret, strlen(secret), 1, &tx, &rx) != PROTO_OK)
        goto done;
    opened = 0;
    while (proto_reader_next(&rc, &f) == 1 && cipher_decode(&rx, &f, &m) == PROTO_OK) {
        opened++;
        if (text_has(m.text, needle))
            *saw = 1;
    }
done:
    cipher_state_free(&tx);
    cipher_state_free(&rx);
    proto_reader_free(&rc);
    proto_reader_free(&rs);
    return opened;
}

/* crypto_util.c — the backend-independent parts of crypto.h: constant-time comparison and wiping. */
#include "crypto.h"

int crypto_equal(const void *a, const void *b, size_t n)
{
    /* Volatile reads keep the compiler from turning the loop into an early-exit compare: every
     * byte is read and folded in, so the time depends on n only, never on where they differ. */
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned int diff = 0;
    size_t i;

    for (i = 0; i < n; i++)
        diff |= (unsigned int)(x[i] ^ y[i]);
    /* diff is 0..255: diff - 1 wraps to all ones only when diff is 0, so bit 8 upwards is set
     * exactly when the inputs are equal. No branch on the secret-dependent value. */
    return (int)(((diff - 1u) >> 8) & 1u);
}

void crypto_wipe(void *p, size_t n)
{
    /* Stores through a volatile pointer are observable behaviour, so they survive dead-store
     * elimination even when p is freed or goes out of scope right after. */
    volatile unsigned char *v = p;

    while (n-- > 0)
        *v++ = 0;
}

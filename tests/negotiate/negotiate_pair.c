/* negotiate_pair.c — in-process sign-on between a client and a server context (see the
 * header). */
#include <string.h>

#include "negotiate_pair.h"
#include "test.h"

/* Runs a client and a server context against each other until both complete. */
int neg_test_sign_on(neg_ctx *client, neg_ctx *server)
{
    buf c2s, s2c;
    neg_error e;
    neg_status cs = NEG_CONTINUE, ss = NEG_CONTINUE;
    int rounds = 0, rc = -1;
    buf_init(&c2s);
    buf_init(&s2c);
    cs = neg_step(client, NULL, 0, &c2s, &e);
    while (rounds++ < 8) {
        if (cs == NEG_ERROR) {
            test_failf_at(__FILE__, __LINE__, "client: %s", e.text);
            goto done;
        }
        if (c2s.len > 0) {
            buf_reset(&s2c);
            ss = neg_step(server, c2s.data, c2s.len, &s2c, &e);
            if (ss == NEG_ERROR) {
                test_failf_at(__FILE__, __LINE__, "server: %s", e.text);
                goto done;
            }
        }
        if (cs == NEG_COMPLETE && ss == NEG_COMPLETE) {
            rc = 0;
            goto done;
        }
        buf_reset(&c2s);
        cs = neg_step(client, s2c.data, s2c.len, &c2s, &e);
    }
    test_failf_at(__FILE__, __LINE__, "no end after %d rounds", rounds);
done:
    buf_free(&c2s);
    buf_free(&s2c);
    return rc;
}

neg_settings neg_test_client_settings(void)
{
    neg_settings s;
    memset(&s, 0, sizeof s);
    s.host = "chat.parley.test";
    return s;
}


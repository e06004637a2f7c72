/* negotiate_pair.h — runs a client and a server context (negotiate.h) against each other in
 * one process, for the in-process sign-on tests. */
#ifndef PARLEY_TEST_NEGOTIATE_PAIR_H
#define PARLEY_TEST_NEGOTIATE_PAIR_H

#include "negotiate.h"

/* Steps both until each completes; reports any failure as a test failure. 0 when both are
 * complete, -1 otherwise. */
int neg_test_sign_on(neg_ctx *client, neg_ctx *server);
/* Client settings for the test realm's service, PARLEY/chat.parley.test. */
neg_settings neg_test_client_settings(void);

#endif

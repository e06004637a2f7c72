/* test_negotiate_exchange.c — a client and a server context signing on in one process through
 * the test KDC (kdc.sh; CTest points KRB5_CONFIG, KRB5CCNAME and KRB5_KTNAME at it): binding,
 * misuse and bad tokens. Runs natively (GSSAPI) and under Wine (SSPI). */
#include <string.h>

#include "negotiate.h"
#include "negotiate_pair.h"
#include "test.h"

TEST(relayed_mic_fails)
{
    neg_settings cs = neg_test_client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_server_cred *sc = NULL;
    neg_error e;
    buf mic, own;
    const uint8_t seen_by_client[32] = {0xA};   /* the victim's connection */
    const uint8_t seen_by_server[32] = {0xB};   /* the relaying attacker's connection */
    memset(&ss, 0, sizeof ss);
    buf_init(&mic);
    buf_init(&own);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_cred_new(&ss, &sc, &e) == 0);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    if (neg_test_sign_on(client, server) == 0) {
        CHECK_EQ_INT(neg_bind_make(client, seen_by_client, sizeof seen_by_client, &mic, &e), 0);
        CHECK_EQ_INT(neg_bind_check(server, seen_by_server, sizeof seen_by_server, mic.data,
                                    mic.len, &e), -1);
        CHECK_EQ_INT(e.cause, NEG_BINDING_FAILED);
        /* A MIC reflected back to the side that made it does not verify either. */
        CHECK_EQ_INT(neg_bind_make(server, seen_by_server, sizeof seen_by_server, &own, &e), 0);
        CHECK_EQ_INT(neg_bind_check(server, seen_by_server, sizeof seen_by_server, own.data,
                                    own.len, &e), -1);
        /* An altered MIC fails; the genuine one over the right transcript still verifies. */
        mic.data[mic.len - 1] ^= 1;
        CHECK_EQ_INT(neg_bind_check(server, seen_by_client, sizeof seen_by_client, mic.data,
                                    mic.len, &e), -1);
        mic.data[mic.len - 1] ^= 1;
        CHECK_EQ_INT(neg_bind_check(server, seen_by_client, sizeof seen_by_client, mic.data,
                                    mic.len, &e), 0);
        CHECK_EQ_INT(neg_bind_check(server, seen_by_client, 0, mic.data, mic.len, &e), -1);
    }
    buf_free(&mic);
    buf_free(&own);
    neg_free(client);
    neg_free(server);
    neg_server_cred_free(sc);
}


TEST(steps_after_the_end_are_refused)
{
    neg_settings cs = neg_test_client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_server_cred *sc = NULL;
    neg_error e;
    buf out;
    const uint8_t token[4] = {0x60, 1, 2, 3};
    memset(&ss, 0, sizeof ss);
    buf_init(&out);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_cred_new(&ss, &sc, &e) == 0);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    if (neg_test_sign_on(client, server) == 0) {
        CHECK_EQ_INT(neg_step(server, token, sizeof token, &out, &e), NEG_ERROR);
        CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
        CHECK_EQ_INT(neg_step(client, token, sizeof token, &out, &e), NEG_ERROR);
        CHECK_EQ_INT(out.len, 0);
        CHECK(neg_complete(server));   /* a refused extra step does not undo the sign-on */
    }
    buf_free(&out);
    neg_free(client);
    neg_free(server);
    neg_server_cred_free(sc);
}


TEST(garbage_token_is_a_bad_token)
{
    neg_settings ss;
    neg_ctx *server = NULL;
    neg_server_cred *sc = NULL;
    neg_error e;
    buf out;
    static uint8_t big[NEG_TOKEN_MAX + 1];
    const uint8_t junk[] = "HELLO, this is not a token";
    memset(&ss, 0, sizeof ss);
    buf_init(&out);
    REQUIRE(neg_server_cred_new(&ss, &sc, &e) == 0);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    CHECK_EQ_INT(neg_step(server, junk, sizeof junk, &out, &e), NEG_ERROR);
    CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
    CHECK(!neg_complete(server));
    neg_free(server);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    CHECK_EQ_INT(neg_step(server, NULL, 0, &out, &e), NEG_ERROR);
    CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
    neg_free(server);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    CHECK_EQ_INT(neg_step(server, big, sizeof big, &out, &e), NEG_ERROR);
    CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
    CHECK(strstr(e.text, "too long") != NULL);
    neg_free(server);
    neg_server_cred_free(sc);
    buf_free(&out);
}

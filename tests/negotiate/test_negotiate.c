/* test_negotiate.c — who signed on, in one process through the test KDC (kdc.sh): names and
 * session keys on both sides, and a second user's credential cache. GSSAPI only: Wine's SSPI
 * gives neither names nor keys (see docs/ADMIN.md), and SSPI has no credential cache setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negotiate.h"
#include "negotiate_pair.h"
#include "test.h"

TEST(exchange_names_both_sides)
{
    neg_settings cs = neg_test_client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_server_cred *sc = NULL;
    neg_error e;
    char name[NEG_NAME_MAX];
    buf mic;
    const uint8_t hash[32] = {1, 2, 3};
    uint8_t ckey[64], skey[64];
    static const uint8_t zero[64];
    size_t clen = 0, slen = 0;
    memset(&ss, 0, sizeof ss);
    buf_init(&mic);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_cred_new(&ss, &sc, &e) == 0);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    CHECK(!neg_complete(client));
    CHECK_EQ_STR(neg_mechanism(server), "none");
    CHECK_EQ_INT(neg_peer_name(server, name, sizeof name, &e), -1);
    if (neg_test_sign_on(client, server) == 0) {
        CHECK(neg_complete(client) && neg_complete(server));
        CHECK_EQ_STR(neg_mechanism(client), "kerberos");
        CHECK_EQ_STR(neg_mechanism(server), "kerberos");
        CHECK_EQ_INT(neg_peer_name(server, name, sizeof name, &e), 0);
        CHECK_EQ_STR(name, "alice@PARLEY.TEST");
        CHECK_EQ_INT(neg_peer_name(client, name, sizeof name, &e), 0);
        CHECK_EQ_STR(name, "PARLEY/chat.parley.test@PARLEY.TEST");
        CHECK_EQ_INT(neg_peer_name(server, name, 5, &e), -1);   /* too small: an error */
        /* Both sides hold the same session key; it is not all zeros. */
        CHECK_EQ_INT(neg_session_key(client, ckey, sizeof ckey, &clen, &e), 0);
        CHECK_EQ_INT(neg_session_key(server, skey, sizeof skey, &slen, &e), 0);
        CHECK(clen >= 16 && clen == slen);
        CHECK_EQ_MEM(ckey, skey, clen);
        CHECK(memcmp(ckey, zero, clen) != 0);
        CHECK_EQ_INT(neg_session_key(server, skey, 4, &slen, &e), -1);   /* cap too small */
        /* Binding both ways over the same transcript. */
        CHECK_EQ_INT(neg_bind_make(client, hash, sizeof hash, &mic, &e), 0);
        CHECK_EQ_INT(neg_bind_check(server, hash, sizeof hash, mic.data, mic.len, &e), 0);
        buf_reset(&mic);
        CHECK_EQ_INT(neg_bind_make(server, hash, sizeof hash, &mic, &e), 0);
        CHECK_EQ_INT(neg_bind_check(client, hash, sizeof hash, mic.data, mic.len, &e), 0);
    }
    buf_free(&mic);
    neg_free(client);
    neg_free(server);
    neg_server_cred_free(sc);
}


TEST(second_user_from_settings)
{
    neg_settings cs = neg_test_client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_server_cred *sc = NULL;
    neg_error e;
    char name[NEG_NAME_MAX], cache[512];
    const char *dir = getenv("PARLEY_KDC_DIR");
    REQUIRE(dir != NULL);
    snprintf(cache, sizeof cache, "FILE:%s/bob.cc", dir);
    cs.ccache = cache;
    memset(&ss, 0, sizeof ss);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_cred_new(&ss, &sc, &e) == 0);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    if (neg_test_sign_on(client, server) == 0) {
        CHECK_EQ_INT(neg_peer_name(server, name, sizeof name, &e), 0);
        CHECK_EQ_STR(name, "bob@PARLEY.TEST");
        CHECK(!neg_principal_allowed(name, "alice@PARLEY.TEST"));
    }
    neg_free(client);
    neg_free(server);
    neg_server_cred_free(sc);
}

/* test_negotiate_wine_groups.c — Windows group rules (neg_peer_in_group) on Wine's SSPI: a
 * group name is looked up, then the client's token asked for; Wine 8 has no token for a
 * sign-on (QuerySecurityContextToken is SEC_E_UNSUPPORTED_FUNCTION), and says so. Under Wine
 * only: real Windows gives the token (the workflow's Windows job). */
#include <string.h>

#include "negotiate.h"
#include "negotiate_pair.h"
#include "test.h"

TEST(wine_has_no_token_for_group_rules)
{
    neg_settings cs = neg_test_client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_server_cred *sc = NULL;
    neg_error e;
    int member = 1;

    memset(&ss, 0, sizeof ss);
    CHECK_EQ_INT(neg_groups_supported(), 1);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_cred_new(&ss, &sc, &e) == 0);
    REQUIRE(neg_server_new(sc, &server, &e) == 0);
    if (neg_test_sign_on(client, server) == 0) {
        /* A group this machine does not know is said as such, before any token. */
        CHECK_EQ_INT(neg_peer_in_group(server, "NOSUCHDOMAIN\\No Such Group", &member, &e), -1);
        CHECK_EQ_INT(e.cause, NEG_OTHER);
        CHECK(strstr(e.text, "no group NOSUCHDOMAIN\\No Such Group here") != NULL);
        if (!strstr(e.text, "error 1332")) /* ERROR_NONE_MAPPED */
            test_failf_at(__FILE__, __LINE__, "got \"%s\"", e.text);
        CHECK_EQ_INT(member, 0);
        /* A known one gets as far as the client's token, which Wine does not have. */
        CHECK_EQ_INT(neg_peer_in_group(server, "Users", &member, &e), -1);
        CHECK_EQ_INT(e.cause, NEG_UNSUPPORTED);
        if (!strstr(e.text, "QuerySecurityContextToken") || !strstr(e.text, "0x80090302"))
            test_failf_at(__FILE__, __LINE__, "got \"%s\"", e.text);
    }
    /* The client side has no token to ask. */
    CHECK_EQ_INT(neg_peer_in_group(client, "Users", &member, &e), -1);
    neg_free(client);
    neg_free(server);
    neg_server_cred_free(sc);
}

/* test_signon_wine.c — auth = windows on the Windows server under Wine (IOCP, SSPI), with the
 * Windows client library (SSPI) signing on through the test KDC. The exchange and the binding
 * complete, but Wine 8's SSPI cannot name the client on the accepting side
 * (QueryContextAttributesW(SECPKG_ATTR_NAMES) is SEC_E_UNSUPPORTED_FUNCTION): the server must
 * refuse plainly, saying so, rather than admit someone it cannot name. Real Windows names the
 * client; the Windows job of the workflow covers that. */
#include <string.h>

#include "signon_fixture.h"
#include "test.h"

TEST(wine_server_cannot_name_who_signed_on)
{
    test_server ts;
    server_config cfg;
    char err[320];
    int code;
    pc_conn *c;

    signon_config(&cfg, "so-wine", 1);
    REQUIRE(test_server_begin(&ts, &cfg) == 0);
    c = sign_on(&ts, "alice", &code, err, sizeof err);
    CHECK(c == NULL);
    pc_close(c);
    CHECK_EQ_INT(code, PC_SIGNON_FAILED);
    if (!strstr(err, "the server cannot tell who signed on") || !strstr(err, "0x80090302"))
        test_failf_at(__FILE__, __LINE__, "got \"%s\"", err);
    test_server_end(&ts);
}

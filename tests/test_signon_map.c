/* test_signon_map.c — from a signed-on principal to an account name (server/signon_map.h):
 * Kerberos and Windows spellings, realms compared without case, and refusals that say why. */
#include <string.h>

#include "signon_map.h"
#include "test.h"

static signon_map_result map(const char *principal, const char *realms, char *out, char *why)
{
    return signon_map_name(principal, realms, out, PROTO_NICK_MAX + 1, why, 200);
}

TEST(principals_of_listed_realms_map_to_their_user_name)
{
    char out[PROTO_NICK_MAX + 1], why[200];
    CHECK_EQ_INT(map("alice@PARLEY.TEST", "PARLEY.TEST", out, why), SIGNON_MAP_OK);
    CHECK_EQ_STR(out, "alice");
    CHECK_EQ_INT(map("CONTOSO\\bob", "CONTOSO.COM, contoso", out, why), SIGNON_MAP_OK);
    CHECK_EQ_STR(out, "bob");
    CHECK_EQ_INT(map("Eric@parley.test", "x.test PARLEY.TEST", out, why), SIGNON_MAP_OK);
    CHECK_EQ_STR(out, "Eric");
    /* NFC, as every account name is kept */
    CHECK_EQ_INT(map("Jose\xCC\x81@PARLEY.TEST", "PARLEY.TEST", out, why), SIGNON_MAP_OK);
    CHECK_EQ_STR(out, "Jos\xC3\xA9");
}

TEST(other_realms_and_lookalikes_are_refused)
{
    char out[PROTO_NICK_MAX + 1], why[200];
    CHECK_EQ_INT(map("alice@EVIL.TEST", "PARLEY.TEST", out, why), SIGNON_MAP_OTHER_REALM);
    CHECK(strstr(why, "EVIL.TEST is not a realm or domain this server admits") != NULL);
    CHECK_EQ_STR(out, "");
    /* a realm that merely ends like an admitted one */
    CHECK_EQ_INT(map("alice@EVIL-PARLEY.TEST", "PARLEY.TEST", out, why), SIGNON_MAP_OTHER_REALM);
    CHECK_EQ_INT(map("alice@PARLEY.TEST.EVIL", "PARLEY.TEST", out, why), SIGNON_MAP_OTHER_REALM);
    CHECK_EQ_INT(map("CONTOSO2\\alice", "CONTOSO", out, why), SIGNON_MAP_OTHER_REALM);
}

/* Account names carry no realm, so realms may name one domain only: its Kerberos realm and
 * its NetBIOS name, not two of either (alice@FABRIKAM.COM would be CONTOSO's alice). */
TEST(realms_naming_two_domains_are_refused)
{
    char why[300];
    CHECK_EQ_INT(signon_realms_check("CONTOSO.COM, CONTOSO", why, sizeof why), 0);
    CHECK_EQ_INT(signon_realms_check("PARLEY.TEST", why, sizeof why), 0);
    CHECK_EQ_INT(signon_realms_check("CONTOSO", why, sizeof why), 0);
    CHECK_EQ_INT(signon_realms_check("contoso.com CONTOSO.COM, CONTOSO contoso", why, sizeof why),
                 0);
    CHECK_EQ_INT(signon_realms_check("CONTOSO.COM, FABRIKAM.COM", why, sizeof why), -1);
    CHECK(strstr(why, "realms names two Kerberos realms, CONTOSO.COM and FABRIKAM.COM") != NULL);
    CHECK_EQ_INT(signon_realms_check("CONTOSO.COM CONTOSO FABRIKAM", why, sizeof why), -1);
    CHECK(strstr(why, "two NetBIOS domain names, CONTOSO and FABRIKAM") != NULL);
    CHECK_EQ_INT(signon_realms_check("CONTOSO.COM, CORP.CONTOSO.COM", why, sizeof why), -1);
}

TEST(group_lists_split_on_commas_only)
{
    const char *p = " CONTOSO\\Chat Users ,Administrators,, CONTOSO\\Ops  ", *w;
    size_t n;
    n = signon_groups_next(&p, &w);
    CHECK(n == 18 && strncmp(w, "CONTOSO\\Chat Users", n) == 0);
    n = signon_groups_next(&p, &w);
    CHECK(n == 14 && strncmp(w, "Administrators", n) == 0);
    n = signon_groups_next(&p, &w);
    CHECK(n == 11 && strncmp(w, "CONTOSO\\Ops", n) == 0);
    CHECK_EQ_INT((int)signon_groups_next(&p, &w), 0);
}

TEST(principals_without_realm_or_usable_name_are_refused)
{
    char out[PROTO_NICK_MAX + 1], why[200];
    CHECK_EQ_INT(map("alice", "PARLEY.TEST", out, why), SIGNON_MAP_NO_REALM);
    CHECK_EQ_INT(map("@PARLEY.TEST", "PARLEY.TEST", out, why), SIGNON_MAP_NO_REALM);
    CHECK_EQ_INT(map("CONTOSO\\", "CONTOSO", out, why), SIGNON_MAP_NO_REALM);
    /* a service or admin instance is not a person's name */
    CHECK_EQ_INT(map("alice/admin@PARLEY.TEST", "PARLEY.TEST", out, why), SIGNON_MAP_BAD_NAME);
    CHECK(strstr(why, "the user name alice/admin cannot be a Parley name") != NULL);
    CHECK_EQ_INT(map("averyveryverylongusernamethatdoesnotfit@PARLEY.TEST", "PARLEY.TEST", out,
                     why),
                 SIGNON_MAP_BAD_NAME);
}

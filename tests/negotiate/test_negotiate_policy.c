/* test_negotiate_policy.c — the portable part of Windows sign-on: the allow-list of principals
 * and realms, and the plain-words causes. Runs everywhere, no KDC needed. */
#include <string.h>

#include "negotiate.h"
#include "test.h"

TEST(allow_list)
{
    CHECK(neg_principal_allowed("alice@PARLEY.TEST", NULL));
    CHECK(neg_principal_allowed("alice@PARLEY.TEST", ""));
    CHECK(neg_principal_allowed("alice@PARLEY.TEST", " , "));
    CHECK(neg_principal_allowed("alice@PARLEY.TEST", "@PARLEY.TEST"));
    CHECK(neg_principal_allowed("alice@PARLEY.TEST", "@corp.test,@parley.test"));
    CHECK(neg_principal_allowed("alice@PARLEY.TEST", "bob@PARLEY.TEST ALICE@parley.test"));
    CHECK(!neg_principal_allowed("alice@PARLEY.TEST", "@CORP.TEST"));
    CHECK(!neg_principal_allowed("alice@PARLEY.TEST", "bob@PARLEY.TEST"));
    /* A realm is the whole part after the last '@', not a suffix of it. */
    CHECK(!neg_principal_allowed("alice@EVIL-PARLEY.TEST", "@PARLEY.TEST"));
    CHECK(!neg_principal_allowed("alice@PARLEY.TEST.EVIL", "@PARLEY.TEST"));
    CHECK(!neg_principal_allowed("alice@PARLEY.TEST", "alice"));
    /* Windows names: DOMAIN\user, and whole domains as "DOMAIN\". */
    CHECK(neg_principal_allowed("CONTOSO\\alice", "CONTOSO\\"));
    CHECK(neg_principal_allowed("CONTOSO\\alice", "contoso\\alice"));
    CHECK(!neg_principal_allowed("CONTOSO\\alice", "FABRIKAM\\"));
    CHECK(!neg_principal_allowed("CONTOSO\\alice", "@CONTOSO"));
    CHECK(!neg_principal_allowed("CONTOSO\\", "CONTOSO\\"));
    CHECK(!neg_principal_allowed("alice@CONTOSO", "CONTOSO\\"));
    /* No name at all is never allowed by a list. */
    CHECK(!neg_principal_allowed("", "@PARLEY.TEST"));
    CHECK(!neg_principal_allowed(NULL, "@PARLEY.TEST"));
    CHECK(!neg_principal_allowed("@PARLEY.TEST", "@PARLEY.TEST"));
}


TEST(causes_in_plain_words)
{
    neg_error e;
    CHECK_EQ_INT(neg_fail(&e, NEG_CLOCK_SKEW, 42, "detail here"), -1);
    CHECK_EQ_INT(e.cause, NEG_CLOCK_SKEW);
    CHECK_EQ_INT(e.code, 42);
    CHECK(strstr(e.text, "clock skew") == e.text);
    CHECK(strstr(e.text, ": detail here") != NULL);
    neg_fail(&e, NEG_NO_CREDENTIALS, 0, NULL);
    CHECK(strstr(e.text, "kinit") != NULL);
    CHECK_EQ_STR(e.text, neg_cause_text(NEG_NO_CREDENTIALS));
    for (int c = NEG_OK; c <= NEG_OTHER; c++)
        CHECK(neg_cause_text((neg_cause)c)[0] != '\0');
}

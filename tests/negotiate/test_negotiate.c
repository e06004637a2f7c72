/* test_negotiate.c — Windows sign-on in one process: the allow-list, and a client and a server
 * context (GSSAPI) signing on through the test KDC (kdc.sh; CTest points KRB5_CONFIG,
 * KRB5CCNAME and KRB5_KTNAME at it). */
#include <stdio.h>
#include <stdlib.h>
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

/* Runs a client and a server context against each other until both complete. */
static int sign_on(neg_ctx *client, neg_ctx *server)
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

static neg_settings client_settings(void)
{
    neg_settings s;
    memset(&s, 0, sizeof s);
    s.host = "chat.parley.test";
    return s;
}

TEST(exchange_names_both_sides)
{
    neg_settings cs = client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
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
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    CHECK(!neg_complete(client));
    CHECK_EQ_STR(neg_mechanism(server), "none");
    CHECK_EQ_INT(neg_peer_name(server, name, sizeof name, &e), -1);
    if (sign_on(client, server) == 0) {
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
}

TEST(relayed_mic_fails)
{
    neg_settings cs = client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_error e;
    buf mic, own;
    const uint8_t seen_by_client[32] = {0xA};   /* the victim's connection */
    const uint8_t seen_by_server[32] = {0xB};   /* the relaying attacker's connection */
    memset(&ss, 0, sizeof ss);
    buf_init(&mic);
    buf_init(&own);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    if (sign_on(client, server) == 0) {
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
}

TEST(second_user_from_settings)
{
    neg_settings cs = client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_error e;
    char name[NEG_NAME_MAX], cache[512];
    const char *dir = getenv("PARLEY_KDC_DIR");
    REQUIRE(dir != NULL);
    snprintf(cache, sizeof cache, "FILE:%s/bob.cc", dir);
    cs.ccache = cache;
    memset(&ss, 0, sizeof ss);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    if (sign_on(client, server) == 0) {
        CHECK_EQ_INT(neg_peer_name(server, name, sizeof name, &e), 0);
        CHECK_EQ_STR(name, "bob@PARLEY.TEST");
        CHECK(!neg_principal_allowed(name, "alice@PARLEY.TEST"));
    }
    neg_free(client);
    neg_free(server);
}

TEST(steps_after_the_end_are_refused)
{
    neg_settings cs = client_settings(), ss;
    neg_ctx *client = NULL, *server = NULL;
    neg_error e;
    buf out;
    const uint8_t token[4] = {0x60, 1, 2, 3};
    memset(&ss, 0, sizeof ss);
    buf_init(&out);
    REQUIRE(neg_client_new(&cs, &client, &e) == 0);
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    if (sign_on(client, server) == 0) {
        CHECK_EQ_INT(neg_step(server, token, sizeof token, &out, &e), NEG_ERROR);
        CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
        CHECK_EQ_INT(neg_step(client, token, sizeof token, &out, &e), NEG_ERROR);
        CHECK_EQ_INT(out.len, 0);
        CHECK(neg_complete(server));   /* a refused extra step does not undo the sign-on */
    }
    buf_free(&out);
    neg_free(client);
    neg_free(server);
}

TEST(garbage_token_is_a_bad_token)
{
    neg_settings ss;
    neg_ctx *server = NULL;
    neg_error e;
    buf out;
    static uint8_t big[NEG_TOKEN_MAX + 1];
    const uint8_t junk[] = "HELLO, this is not a token";
    memset(&ss, 0, sizeof ss);
    buf_init(&out);
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    CHECK_EQ_INT(neg_step(server, junk, sizeof junk, &out, &e), NEG_ERROR);
    CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
    CHECK(!neg_complete(server));
    neg_free(server);
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    CHECK_EQ_INT(neg_step(server, NULL, 0, &out, &e), NEG_ERROR);
    CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
    neg_free(server);
    REQUIRE(neg_server_new(&ss, &server, &e) == 0);
    CHECK_EQ_INT(neg_step(server, big, sizeof big, &out, &e), NEG_ERROR);
    CHECK_EQ_INT(e.cause, NEG_BAD_TOKEN);
    CHECK(strstr(e.text, "too long") != NULL);
    neg_free(server);
    buf_free(&out);
}

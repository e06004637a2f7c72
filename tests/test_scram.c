/* test_scram.c — SCRAM-SHA-256: RFC 7677's worked example on both sides (so on whichever crypto
 * backend this build uses), session binding, wrong passwords, decoys and malformed messages;
 * and base64 (RFC 4648 vectors, non-canonical input refused). */
#include <stdint.h>
#include <string.h>

#include "base64.h"
#include "scram.h"
#include "test.h"

/* RFC 7677, section 3. */
#define RFC_USER "user"
#define RFC_PASSWORD "pencil"
#define RFC_CNONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SNONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_SALT_B64 "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_FIRST                                                                          \
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define RFC_CLIENT_FINAL                                                                          \
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfM" \
    "Hgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static int rfc_verifier(scram_verifier *v)
{
    uint8_t salt[32];
    long n = base64_decode(RFC_SALT_B64, strlen(RFC_SALT_B64), salt, sizeof salt);
    if (n != 16)
        return -1;
    return scram_verifier_make(RFC_PASSWORD, strlen(RFC_PASSWORD), salt, (size_t)n, 4096, v);
}

TEST(scram_rfc7677_client)
{
    scram_client c;
    char out[SCRAM_MSG_MAX];
    REQUIRE(scram_client_first(&c, RFC_USER, 4, NULL, RFC_CNONCE, out, sizeof out) == SCRAM_OK);
    CHECK_EQ_STR(out, RFC_CLIENT_FIRST);
    REQUIRE(scram_client_final(&c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), RFC_PASSWORD, 6,
                               out, sizeof out) == SCRAM_OK);
    CHECK_EQ_STR(out, RFC_CLIENT_FINAL);
    CHECK_EQ_INT(scram_client_check(&c, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL)), SCRAM_OK);
}

TEST(scram_rfc7677_server)
{
    scram_server s;
    scram_verifier v;
    char user[64], out[SCRAM_MSG_MAX];
    REQUIRE(rfc_verifier(&v) == SCRAM_OK);
    REQUIRE(scram_server_start(&s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), NULL, user,
                               sizeof user) == SCRAM_OK);
    CHECK_EQ_STR(user, "user");
    REQUIRE(scram_server_first(&s, &v, RFC_SNONCE, out, sizeof out) == SCRAM_OK);
    CHECK_EQ_STR(out, RFC_SERVER_FIRST);
    CHECK_EQ_INT(scram_server_final(&s, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out,
                                    sizeof out),
                 SCRAM_OK);
    CHECK_EQ_STR(out, RFC_SERVER_FINAL);
}

/* A whole exchange between the two sides; returns the server's result of the final step and
 * leaves the client's check of server-final in *client_rc. */
static int exchange(const char *user, const char *password, const scram_verifier *v,
                    const scram_binding *cb, const scram_binding *sb, int *client_rc)
{
    scram_client c;
    scram_server s;
    char name[SCRAM_USER_MAX + 1], m1[SCRAM_MSG_MAX], m2[SCRAM_MSG_MAX], m3[SCRAM_MSG_MAX],
        m4[SCRAM_MSG_MAX] = "";
    int rc;

    *client_rc = -100;
    if ((rc = scram_client_first(&c, user, strlen(user), cb, NULL, m1, sizeof m1)) != SCRAM_OK)
        return rc;
    if ((rc = scram_server_start(&s, m1, strlen(m1), sb, name, sizeof name)) != SCRAM_OK)
        return rc;
    if (strcmp(name, user) != 0)
        return -100;
    if ((rc = scram_server_first(&s, v, NULL, m2, sizeof m2)) != SCRAM_OK)
        return rc;
    if ((rc = scram_client_final(&c, m2, strlen(m2), password, strlen(password), m3,
                                 sizeof m3)) != SCRAM_OK)
        return rc;
    rc = scram_server_final(&s, m3, strlen(m3), m4, sizeof m4);
    *client_rc = scram_client_check(&c, m4, strlen(m4));
    return rc;
}

TEST(scram_wrong_password_refused_both_ways)
{
    scram_verifier v;
    int client_rc;
    REQUIRE(rfc_verifier(&v) == SCRAM_OK);
    CHECK_EQ_INT(exchange("user", "pencil", &v, NULL, NULL, &client_rc), SCRAM_OK);
    CHECK_EQ_INT(client_rc, SCRAM_OK);
    CHECK_EQ_INT(exchange("user", "pencils", &v, NULL, NULL, &client_rc), SCRAM_EPROOF);
    CHECK_EQ_INT(client_rc, SCRAM_EPROOF); /* the client sees "e=invalid-proof" */
    CHECK_EQ_INT(exchange("user", "Pencil", &v, NULL, NULL, &client_rc), SCRAM_EPROOF);
}

/* A server that does not hold the verifier cannot prove itself: the client refuses a forged
 * server-final even when its own proof was never checked. */
TEST(scram_client_refuses_forged_server_signature)
{
    scram_client c;
    char out[SCRAM_MSG_MAX];
    static const char forged[] = "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    REQUIRE(scram_client_first(&c, RFC_USER, 4, NULL, RFC_CNONCE, out, sizeof out) == SCRAM_OK);
    REQUIRE(scram_client_final(&c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), RFC_PASSWORD, 6,
                               out, sizeof out) == SCRAM_OK);
    CHECK_EQ_INT(scram_client_check(&c, forged, strlen(forged)), SCRAM_EPROOF);
}

/* A cached SaltedPassword gives the RFC's client-final again without the password (so it was
 * used, not derived anew); a server-first with another salt or count derives and replaces it. */
TEST(scram_client_salted_cache)
{
    static const char other_count[] =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4097";
    scram_salted_cache cache;
    scram_client c;
    char out[SCRAM_MSG_MAX];
    uint8_t first[SCRAM_KEY_SIZE];

    memset(&cache, 0, sizeof cache);
    REQUIRE(scram_client_first(&c, RFC_USER, 4, NULL, RFC_CNONCE, out, sizeof out) == SCRAM_OK);
    REQUIRE(scram_client_final_cached(&c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST),
                                      RFC_PASSWORD, 6, &cache, out, sizeof out) == SCRAM_OK);
    CHECK_EQ_STR(out, RFC_CLIENT_FINAL);
    CHECK_EQ_INT(cache.valid, 1);
    CHECK_EQ_INT(cache.iterations, 4096);
    memcpy(first, cache.salted, sizeof first);

    REQUIRE(scram_client_first(&c, RFC_USER, 4, NULL, RFC_CNONCE, out, sizeof out) == SCRAM_OK);
    REQUIRE(scram_client_final_cached(&c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), "wrong", 5,
                                      &cache, out, sizeof out) == SCRAM_OK);
    CHECK_EQ_STR(out, RFC_CLIENT_FINAL);
    CHECK_EQ_INT(scram_client_check(&c, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL)), SCRAM_OK);

    /* Another count: derived from the (now wrong) password, so the proof differs. */
    REQUIRE(scram_client_first(&c, RFC_USER, 4, NULL, RFC_CNONCE, out, sizeof out) == SCRAM_OK);
    REQUIRE(scram_client_final_cached(&c, other_count, strlen(other_count), "wrong", 5, &cache,
                                      out, sizeof out) == SCRAM_OK);
    CHECK_EQ_INT(cache.iterations, 4097);
    CHECK(memcmp(first, cache.salted, sizeof first) != 0);
}

TEST(scram_password_normalised_to_nfc)
{
    scram_verifier v;
    uint8_t salt[16] = {1, 2, 3};
    int client_rc;
    REQUIRE(scram_verifier_make("caf\xC3\xA9", 5, salt, sizeof salt, 4096, &v) == SCRAM_OK);
    CHECK_EQ_INT(exchange("ana", "cafe\xCC\x81", &v, NULL, NULL, &client_rc), SCRAM_OK);
    CHECK_EQ_INT(client_rc, SCRAM_OK);
    CHECK_EQ_INT(scram_verifier_make("", 0, salt, sizeof salt, 4096, &v), SCRAM_EPOLICY);
    CHECK_EQ_INT(scram_verifier_make("a\xFF", 2, salt, sizeof salt, 4096, &v), SCRAM_EPOLICY);
}

TEST(scram_session_binding)
{
    scram_verifier v;
    uint8_t d1[32], d2[32];
    scram_binding b1, b2, other_name;
    int client_rc;

    memset(d1, 0x11, sizeof d1);
    memset(d2, 0x22, sizeof d2);
    b1.name = b2.name = "parley-session";
    b1.data = d1;
    b2.data = d2;
    b1.len = b2.len = sizeof d1;
    other_name = b1;
    other_name.name = "tls-exporter";
    REQUIRE(rfc_verifier(&v) == SCRAM_OK);
    CHECK_EQ_INT(exchange("user", "pencil", &v, &b1, &b1, &client_rc), SCRAM_OK);
    CHECK_EQ_INT(client_rc, SCRAM_OK);
    /* Same password, other session: the proof is for a different connection. */
    CHECK_EQ_INT(exchange("user", "pencil", &v, &b1, &b2, &client_rc), SCRAM_EBIND);
    /* A client that does not bind, or binds to something else, is refused by one that does. */
    CHECK_EQ_INT(exchange("user", "pencil", &v, NULL, &b1, &client_rc), SCRAM_EBIND);
    CHECK_EQ_INT(exchange("user", "pencil", &v, &other_name, &b1, &client_rc), SCRAM_EBIND);
    CHECK_EQ_INT(exchange("user", "pencil", &v, &b1, NULL, &client_rc), SCRAM_EBIND);
}

/* A client-final recorded on one connection, replayed on another with the same binding data
 * (the worst case): the server nonce differs, so it is refused. */
TEST(scram_replayed_final_refused)
{
    scram_verifier v;
    scram_client c;
    scram_server s1, s2;
    char name[64], m1[SCRAM_MSG_MAX], m2[SCRAM_MSG_MAX], m3[SCRAM_MSG_MAX], m4[SCRAM_MSG_MAX];

    REQUIRE(rfc_verifier(&v) == SCRAM_OK);
    REQUIRE(scram_client_first(&c, "user", 4, NULL, NULL, m1, sizeof m1) == SCRAM_OK);
    REQUIRE(scram_server_start(&s1, m1, strlen(m1), NULL, name, sizeof name) == SCRAM_OK);
    REQUIRE(scram_server_first(&s1, &v, NULL, m2, sizeof m2) == SCRAM_OK);
    REQUIRE(scram_client_final(&c, m2, strlen(m2), "pencil", 6, m3, sizeof m3) == SCRAM_OK);
    REQUIRE(scram_server_final(&s1, m3, strlen(m3), m4, sizeof m4) == SCRAM_OK);
    /* The attacker replays m1 then m3 to a second server session. */
    REQUIRE(scram_server_start(&s2, m1, strlen(m1), NULL, name, sizeof name) == SCRAM_OK);
    REQUIRE(scram_server_first(&s2, &v, NULL, m2, sizeof m2) == SCRAM_OK);
    CHECK(scram_server_final(&s2, m3, strlen(m3), m4, sizeof m4) != SCRAM_OK);
}

TEST(scram_decoy_never_verifies)
{
    uint8_t key[SCRAM_KEY_SIZE];
    scram_verifier d1, d1_again, d2;
    int client_rc;

    memset(key, 0x5A, sizeof key);
    REQUIRE(scram_verifier_decoy(key, "ghost", 5, 4096, &d1) == SCRAM_OK);
    REQUIRE(scram_verifier_decoy(key, "ghost", 5, 4096, &d1_again) == SCRAM_OK);
    REQUIRE(scram_verifier_decoy(key, "ghosts", 6, 4096, &d2) == SCRAM_OK);
    /* Same salt for the same name every time (as a real account would show), another for
     * another name. */
    CHECK_EQ_INT(d1.salt_len, 16);
    CHECK_EQ_MEM(d1.salt, d1_again.salt, d1.salt_len);
    CHECK(memcmp(d1.salt, d2.salt, d1.salt_len) != 0);
    CHECK_EQ_INT(exchange("ghost", "anything", &d1, NULL, NULL, &client_rc), SCRAM_EPROOF);
    /* Even a proof that matches the decoy's keys is refused: the flag decides. */
    d1.decoy = 0;
    {
        scram_verifier real;
        uint8_t salt[16] = {9};
        REQUIRE(scram_verifier_make("pw-of-ghost", 11, salt, sizeof salt, 4096, &real) ==
                SCRAM_OK);
        CHECK_EQ_INT(exchange("ghost", "pw-of-ghost", &real, NULL, NULL, &client_rc), SCRAM_OK);
        real.decoy = 1;
        CHECK_EQ_INT(exchange("ghost", "pw-of-ghost", &real, NULL, NULL, &client_rc),
                     SCRAM_EPROOF);
    }
}

TEST(scram_client_refuses_hostile_server_first)
{
    static const struct {
        const char *msg;
        int rc;
    } cases[] = {
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000", SCRAM_EPOLICY},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999", SCRAM_EPOLICY},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=9999999999", SCRAM_EPOLICY},
        {"r=someoneElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SCRAM_EPOLICY},
        {"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SCRAM_EPOLICY},
        {"m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SCRAM_EPARSE},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096", SCRAM_EPARSE},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096", SCRAM_EPARSE},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=40x6", SCRAM_EPARSE},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=", SCRAM_EPARSE},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==", SCRAM_EPARSE},
        {"", SCRAM_EPARSE},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scram_client c;
        char out[SCRAM_MSG_MAX];
        int rc;
        REQUIRE(scram_client_first(&c, RFC_USER, 4, NULL, RFC_CNONCE, out, sizeof out) ==
                SCRAM_OK);
        rc = scram_client_final(&c, cases[i].msg, strlen(cases[i].msg), "pencil", 6, out,
                                sizeof out);
        if (rc != cases[i].rc)
            test_failf_at(__FILE__, __LINE__, "\"%s\": %d, expected %d", cases[i].msg, rc,
                          cases[i].rc);
    }
}

TEST(scram_server_refuses_malformed_client_messages)
{
    static const char *const firsts[] = {
        "", "n,", "n,,", "n,,n=,r=abc", "n,,r=abc,n=user", "n,a=admin,n=user,r=abc",
        "x,,n=user,r=abc", "n,,n=us=er,r=abc", "n,,n=user,r=a,b", "n,,n=user,r=",
        "n,,m=ext,n=user,r=abc", "n,,n=user,r=abc,", "n,,n=\xFF,r=abc",
    };
    static const char *const finals[] = {
        "", "c=biws", "c=biws,r=X", "r=X,c=biws,p=AAAA", "c=biws,r=X,p=AAAA",
        "c=biws,r=X,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=1",
        "c=biws,r=X,m=1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    };
    scram_verifier v;
    char user[64], out[SCRAM_MSG_MAX];
    size_t i;

    REQUIRE(rfc_verifier(&v) == SCRAM_OK);
    for (i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        scram_server s;
        if (scram_server_start(&s, firsts[i], strlen(firsts[i]), NULL, user, sizeof user) !=
            SCRAM_EPARSE)
            test_failf_at(__FILE__, __LINE__, "client-first \"%s\" accepted", firsts[i]);
    }
    for (i = 0; i < sizeof finals / sizeof finals[0]; i++) {
        scram_server s;
        REQUIRE(scram_server_start(&s, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), NULL, user,
                                   sizeof user) == SCRAM_OK);
        REQUIRE(scram_server_first(&s, &v, RFC_SNONCE, out, sizeof out) == SCRAM_OK);
        if (scram_server_final(&s, finals[i], strlen(finals[i]), out, sizeof out) != SCRAM_EPARSE)
            test_failf_at(__FILE__, __LINE__, "client-final \"%s\" accepted", finals[i]);
    }
    /* Escaped names come back unescaped. */
    {
        scram_server s;
        static const char first[] = "n,,n=a=2Cb=3Dc,r=abc";
        REQUIRE(scram_server_start(&s, first, strlen(first), NULL, user, sizeof user) ==
                SCRAM_OK);
        CHECK_EQ_STR(user, "a,b=c");
    }
}

static void check_b64(const char *raw, const char *enc)
{
    char out[64];
    uint8_t back[64];
    CHECK_EQ_INT(base64_encode(raw, strlen(raw), out, sizeof out), strlen(enc));
    CHECK_EQ_STR(out, enc);
    CHECK_EQ_INT(base64_decode(enc, strlen(enc), back, sizeof back), strlen(raw));
    CHECK_EQ_MEM(back, raw, strlen(raw));
}

/* RFC 7677's verifier in RFC 5803's text form (StoredKey and ServerKey computed independently
 * with Python's hashlib): formatted exactly, and read back to the same keys. */
#define RFC_VERIFIER_TEXT                                                                         \
    "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"   \
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="

TEST(scram_verifier_text_round_trip)
{
    scram_verifier v, back;
    char text[SCRAM_VERIFIER_TEXT_MAX];

    REQUIRE(rfc_verifier(&v) == SCRAM_OK);
    REQUIRE(scram_verifier_format(&v, text, sizeof text) == SCRAM_OK);
    CHECK_EQ_STR(text, RFC_VERIFIER_TEXT);
    REQUIRE(scram_verifier_parse(text, strlen(text), &back) == SCRAM_OK);
    CHECK_EQ_INT(back.iterations, 4096);
    CHECK_EQ_INT(back.salt_len, 16);
    CHECK(memcmp(back.salt, v.salt, 16) == 0);
    CHECK(memcmp(back.stored_key, v.stored_key, SCRAM_KEY_SIZE) == 0);
    CHECK(memcmp(back.server_key, v.server_key, SCRAM_KEY_SIZE) == 0);
    CHECK_EQ_INT(back.decoy, 0);
    /* Too small a buffer is refused, not cut. */
    CHECK_EQ_INT(scram_verifier_format(&v, text, 40), SCRAM_EPARSE);
}

TEST(scram_verifier_text_refusals)
{
    static const char *const malformed[] = {
        "",
        "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$40x6:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2d=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=:more",
        "SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
    };
    static const char *const against_policy[] = {
        "SCRAM-SHA-256$4095:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$10000001:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4"
        "qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:AAAA$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
    };
    scram_verifier v;
    size_t i;

    for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        if (scram_verifier_parse(malformed[i], strlen(malformed[i]), &v) != SCRAM_EPARSE)
            test_failf_at(__FILE__, __LINE__, "malformed verifier %u accepted", (unsigned)i);
    for (i = 0; i < sizeof against_policy / sizeof against_policy[0]; i++)
        if (scram_verifier_parse(against_policy[i], strlen(against_policy[i]), &v) !=
            SCRAM_EPOLICY)
            test_failf_at(__FILE__, __LINE__, "verifier %u against policy accepted", (unsigned)i);
}

TEST(base64_rfc4648_vectors)
{
    uint8_t b[16];
    char small[4];
    check_b64("", "");
    check_b64("f", "Zg==");
    check_b64("fo", "Zm8=");
    check_b64("foo", "Zm9v");
    check_b64("foob", "Zm9vYg==");
    check_b64("fooba", "Zm9vYmE=");
    check_b64("foobar", "Zm9vYmFy");
    /* Only the canonical spelling decodes. */
    CHECK_EQ_INT(base64_decode("Zg=", 3, b, sizeof b), -1);
    CHECK_EQ_INT(base64_decode("Zh==", 4, b, sizeof b), -1); /* pad bits set */
    CHECK_EQ_INT(base64_decode("Zm9=", 4, b, sizeof b), -1);
    CHECK_EQ_INT(base64_decode("Z===", 4, b, sizeof b), -1);
    CHECK_EQ_INT(base64_decode("Zg==Zg==", 8, b, sizeof b), -1);
    CHECK_EQ_INT(base64_decode("Zm 9", 4, b, sizeof b), -1);
    CHECK_EQ_INT(base64_decode("Zm9v", 4, b, 2), -1);       /* does not fit */
    CHECK_EQ_INT(base64_encode("foo", 3, small, sizeof small), -1);
}

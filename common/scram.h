/* scram.h — SCRAM-SHA-256 (RFC 5802, RFC 7677): password logins where the password never
 * crosses the wire and the server stores only a verifier, with mutual proofs, optionally bound
 * to the connection (channel binding "p=<name>" with data the caller derives from its session).
 *
 *   client                                           server
 *   client-first  "p=parley,,n=<user>,r=<cnonce>" ->
 *                 <- server-first "r=<cnonce><snonce>,s=<salt>,i=<iterations>"
 *   client-final  "c=<gs2+binding>,r=<nonce>,p=<proof>" ->
 *                 <- server-final "v=<server signature>"  (or "e=invalid-proof")
 *
 * Passwords are UTF-8 and normalised to NFC before PBKDF2 (as RFC 8265's OpaqueString does), so
 * a composed and a decomposed "é" are one password. */
#ifndef PARLEY_SCRAM_H
#define PARLEY_SCRAM_H

#include <stddef.h>
#include <stdint.h>

#define SCRAM_KEY_SIZE 32
#define SCRAM_SALT_MAX 32
#define SCRAM_SALT_MIN 8                /* bytes; a verifier given as text must have at least */
#define SCRAM_ITERATIONS_MIN 4096u      /* RFC 7677's floor; clients refuse fewer */
#define SCRAM_ITERATIONS_MAX 10000000u  /* and more: a hostile server could stall them */
#define SCRAM_PASSWORD_MAX 1024u        /* bytes */
#define SCRAM_USER_MAX 128u             /* bytes before escaping */
#define SCRAM_NONCE_MAX 64u
#define SCRAM_BINDING_MAX 64u
#define SCRAM_MSG_MAX 512u              /* longest message either side sends or accepts */

enum {
    SCRAM_OK = 0,
    SCRAM_EPARSE = -1,  /* malformed message, or a feature this profile does not support */
    SCRAM_EPROOF = -2,  /* wrong password (client proof or server signature does not verify) */
    SCRAM_EBIND = -3,   /* channel binding missing or different: not this connection */
    SCRAM_EPOLICY = -4, /* iterations out of range, nonce not extended, password unusable */
    SCRAM_ECRYPTO = -5  /* the crypto backend failed */
};

/* What the server stores for an account: never the password. */
typedef struct scram_verifier {
    uint8_t salt[SCRAM_SALT_MAX];
    size_t salt_len;
    uint32_t iterations;
    uint8_t stored_key[SCRAM_KEY_SIZE]; /* H(HMAC(SaltedPassword, "Client Key")) */
    uint8_t server_key[SCRAM_KEY_SIZE]; /* HMAC(SaltedPassword, "Server Key") */
    int decoy;                          /* set by scram_verifier_decoy: never verifies */
} scram_verifier;

/* Derives the verifier of password[0..n) (UTF-8) with the given salt and iteration count. */
int scram_verifier_make(const char *password, size_t n, const uint8_t *salt, size_t salt_len,
                        uint32_t iterations, scram_verifier *out);
/* A verifier for a name that has no usable account (unknown or disabled): salt and keys come
 * from HMAC(key, user), so every try for that name sees the same salt, as with a real account,
 * and the server does the same work; a decoy never verifies a proof. */
int scram_verifier_decoy(const uint8_t key[SCRAM_KEY_SIZE], const char *user, size_t n,
                         uint32_t iterations, scram_verifier *out);

/* A verifier as one line of text, RFC 5803's form:
 *   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 * SCRAM_VERIFIER_TEXT_MAX bytes at most. format writes it NUL-terminated (a decoy is refused:
 * SCRAM_EPARSE); parse reads text[0..n): SCRAM_EPARSE if malformed, SCRAM_EPOLICY if the salt
 * is shorter than SCRAM_SALT_MIN or the iterations are outside the allowed range. */
#define SCRAM_VERIFIER_TEXT_MAX 256u
int scram_verifier_format(const scram_verifier *v, char *out, size_t cap);
int scram_verifier_parse(const char *text, size_t n, scram_verifier *out);

/* The channel binding both sides pass: NULL name means none ("n,,"). */
typedef struct scram_binding {
    const char *name; /* e.g. "parley-session"; letters, digits, '.', '-' */
    const uint8_t *data;
    size_t len; /* at most SCRAM_BINDING_MAX */
} scram_binding;

typedef struct scram_client {
    int state;
    char gs2[SCRAM_MSG_MAX];
    uint8_t binding[SCRAM_BINDING_MAX];
    size_t binding_len;
    char nonce[SCRAM_NONCE_MAX + 1];
    char first_bare[SCRAM_MSG_MAX];
    uint8_t server_signature[SCRAM_KEY_SIZE];
} scram_client;

/* Writes client-first for user[0..n) NUL-terminated into out[0..cap). nonce: NULL for a fresh
 * random one (tests pass RFC 7677's). */
int scram_client_first(scram_client *c, const char *user, size_t n, const scram_binding *b,
                       const char *nonce, char *out, size_t cap);
/* Reads server-first and writes client-final (with the proof) into out[0..cap). */
int scram_client_final(scram_client *c, const char *server_first, size_t n,
                       const char *password, size_t password_len, char *out, size_t cap);
/* A client's SaltedPassword for one password, kept between logins as RFC 5802 (section 5.1)
 * allows, so that only the first login pays PBKDF2. It is keyed by salt and iteration count: a
 * server that answers with others gets a fresh derivation, which then replaces it. It is as
 * sensitive as the password; the caller keeps one per password and wipes it after use. */
typedef struct scram_salted_cache {
    uint8_t salt[SCRAM_SALT_MAX];
    size_t salt_len;
    uint32_t iterations;
    uint8_t salted[SCRAM_KEY_SIZE];
    int valid;
} scram_salted_cache;

/* scram_client_final, taking SaltedPassword from cache when its salt and iterations match the
 * server's, and storing it there otherwise. cache NULL: none. */
int scram_client_final_cached(scram_client *c, const char *server_first, size_t n,
                              const char *password, size_t password_len,
                              scram_salted_cache *cache, char *out, size_t cap);
/* Reads server-final: SCRAM_OK only if the server proved it holds the verifier. */
int scram_client_check(scram_client *c, const char *server_final, size_t n);

typedef struct scram_server {
    int state;
    char gs2_expected[SCRAM_MSG_MAX]; /* base64 of gs2 header + binding the client must send */
    char client_nonce[SCRAM_NONCE_MAX + 1];
    char nonce[2 * SCRAM_NONCE_MAX + 1];
    char first_bare[SCRAM_MSG_MAX];
    char server_first[SCRAM_MSG_MAX];
    scram_verifier v;
} scram_server;

/* Reads client-first and writes the (unescaped) user name NUL-terminated to user[0..cap).
 * With a binding, the client must ask for it by name; without one, the client must not. */
int scram_server_start(scram_server *s, const char *client_first, size_t n, const scram_binding *b,
                       char *user, size_t cap);
/* Writes server-first for the user's verifier (or a decoy) into out[0..cap). nonce: NULL for a
 * fresh random server part. */
int scram_server_first(scram_server *s, const scram_verifier *v, const char *nonce, char *out,
                       size_t cap);
/* Reads client-final. On SCRAM_OK writes server-final ("v=..."); on SCRAM_EPROOF writes
 * "e=invalid-proof". The work done does not depend on whether the verifier was a decoy. */
int scram_server_final(scram_server *s, const char *client_final, size_t n, char *out,
                       size_t cap);

/* Clears the secrets a state holds. */
void scram_client_wipe(scram_client *c);
void scram_server_wipe(scram_server *s);

#endif

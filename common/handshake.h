/* handshake.h — Parley's handshake: cipher negotiation, the key schedule, and mutual proof that
 * both sides hold the shared secret (the secret itself never crosses the wire).
 *
 *   client                                   server
 *   HELLO  {version, ciphers, nonce_c, agent, share_c} ->
 *          <- CHALLENGE {version, cipher, nonce_s, salt, iterations, server, share_s}
 *   PROOF  {mac_c, nick}    (ciphered c->s) ->
 *          <- WELCOME {mac_s, nick, max_frame, motd}  (ciphered s->c)
 *             or a plain ERROR (WRONG_KEY, NICK_TAKEN, ...) and the connection ends
 *
 * Key schedule (HMAC = HMAC-SHA256):
 *   master = PBKDF2-HMAC-SHA256(secret, salt, iterations, 32 bytes)
 *   prk    = HMAC(master, "parley-1 session" || cipher || HELLO body || CHALLENGE body [|| z])
 *   k_auth = HMAC(prk, "auth"), k_c2s = HMAC(prk, "c2s"), k_s2c = HMAC(prk, "s2c")
 *   mac_c  = HMAC(k_auth, "client proof"), mac_s = HMAC(k_auth, "server proof")
 *   binding = HMAC(k_auth, "session binding"): what a password login (SCRAM, scram.h) is
 *             bound to, as channel binding "parley-session", so its proof is worth nothing on
 *             any other connection and to anyone without the network key
 * Both nonces enter prk, so every connection has fresh keys; the whole HELLO and CHALLENGE
 * enter it too, so a man in the middle who changes the offered ciphers breaks the proofs.
 * Forward secrecy ("PSK with (EC)DHE" as in TLS 1.3): a client offers an ephemeral ECDH P-256
 * public key (share_c); a server that takes it answers with its own (share_s), and z, the
 * ECDH shared secret, closes prk. Someone who holds the network key and records a session
 * then still cannot derive its keys. Both shares are in the bodies, so a man in the middle who
 * changes or strips one breaks the proofs like any other change. */
#ifndef PARLEY_HANDSHAKE_H
#define PARLEY_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cipher.h"
#include "crypto.h"
#include "proto.h"
#include "scram.h"

#define HS_KEY_SIZE 32
#define HS_ITERATIONS_DEFAULT 100000u
#define HS_ITERATIONS_MIN 1000u       /* clients refuse a server asking for fewer */
#define HS_ITERATIONS_MAX 10000000u   /* and for more: a hostile server could stall them */
#define HS_SECRET_MAX 1024

/* Session keys for one connection. */
typedef struct hs_keys {
    uint8_t auth[HS_KEY_SIZE];
    uint8_t c2s[HS_KEY_SIZE];
    uint8_t s2c[HS_KEY_SIZE];
} hs_keys;

/* The slow part of the schedule: once per (secret, salt, iterations), then cached by callers. */
int hs_master(const void *secret, size_t secret_len, const uint8_t salt[PROTO_SALT_SIZE],
              uint32_t iterations, uint8_t master[HS_KEY_SIZE]);
/* z is the ECDH shared secret when the exchange took place, else NULL. */
int hs_derive(const uint8_t master[HS_KEY_SIZE], uint8_t cipher, const uint8_t *hello,
              size_t hello_len, const uint8_t *challenge, size_t challenge_len, const uint8_t *z,
              hs_keys *out);
int hs_proof(const hs_keys *k, int server_side, uint8_t mac[PROTO_MAC_SIZE]);
/* The session binding of a connection from its k_auth (client: hs_client.keys.auth once the
 * CHALLENGE is in; server: hs_server.auth from PROOF until WELCOME). */
#define HS_BINDING_NAME "parley-session"
int hs_binding(const uint8_t auth[HS_KEY_SIZE], uint8_t out[HS_KEY_SIZE]);

/* Sets up the two directions for the chosen cipher. For xor the secret is the key and is
 * borrowed by the states (it must outlive them). */
int hs_ciphers(uint8_t cipher, const hs_keys *k, const void *secret, size_t secret_len,
               int server_side, cipher_state *tx, cipher_state *rx);

/* Result of feeding a frame to a handshake. */
typedef enum hs_result {
    HS_CONTINUE = 0, /* reply (if any) appended to out; wait for the next frame */
    HS_DONE = 1,     /* handshake complete: tx/rx ciphers ready */
    HS_FAILED = -1   /* ended: code and reason say why; a reply may have been appended */
} hs_result;

/* ---- client side ---- */

/* What the client learned of the server's way of admitting people (hs_client.server_auth). */
typedef enum hs_server_auth {
    HS_AUTH_KEY = 0,      /* the network key alone (or not known yet) */
    HS_AUTH_ACCOUNTS = 1, /* an account's password (LOGIN) */
    HS_AUTH_WINDOWS = 2   /* Windows sign-on (SIGNON) */
} hs_server_auth;

/* Windows sign-on (auth = windows), the client's part of the token exchange: supplied by the
 * client library (client/signon.c, over negotiate.h), so this file needs no security library.
 * Each returns 0, or -1 with a plain sentence in why. */
typedef struct hs_signon_ops {
    /* Drops any exchange in progress (a new connection starts afresh). */
    void (*reset)(void *ctx);
    /* Feeds the server's token (in = NULL for the first step), appends the client's reply, if
     * any, to out and sets *complete once the client's side is done. */
    int (*step)(void *ctx, const uint8_t *in, size_t in_len, buf *out, int *complete, char *why,
                size_t why_size);
    /* The client's MIC over this connection's binding, appended to mic. */
    int (*bind_make)(void *ctx, const uint8_t *hash, size_t hash_len, buf *mic, char *why,
                     size_t why_size);
    /* Checks the server's MIC over the same binding. */
    int (*bind_check)(void *ctx, const uint8_t *hash, size_t hash_len, const uint8_t *mic,
                      size_t mic_len, char *why, size_t why_size);
} hs_signon_ops;

typedef struct hs_client {
    int state;
    const uint8_t *secret;   /* borrowed */
    size_t secret_len;
    uint8_t offered[PROTO_MAX_CIPHERS];
    uint8_t noffered;
    uint8_t nonce[PROTO_NONCE_SIZE];
    uint8_t *hello;          /* owned copy of the HELLO body, until CHALLENGE arrives */
    size_t hello_len;
    uint8_t master[HS_KEY_SIZE];
    int have_master;         /* master already valid for master_salt/master_iterations */
    uint8_t master_salt[PROTO_SALT_SIZE];
    uint32_t master_iterations;
    hs_keys keys;
    uint8_t cipher;
    char nick[PROTO_NICK_MAX + 1];
    char server_name[PROTO_NAME_MAX + 1];
    char welcome_nick[PROTO_NICK_MAX + 1];
    uint32_t max_frame;
    uint16_t code;           /* why it failed (proto_code) */
    char reason[256];
    cipher_state tx, rx;     /* valid from PROOF (tx) and WELCOME (rx); moved out by the caller */
    /* Accounts (hs_client_set_password): the nick is the login name. */
    const char *password;    /* borrowed; NULL = none */
    size_t password_len;
    scram_client *scram;     /* owned, while a login runs */
    int login_step;          /* LOGIN frames handled so far */
    int logged_in;           /* 1 once the server proved it holds the account's verifier */
    /* Forward secrecy: the client offers the ECDH exchange whenever crypto_ecdh_available(). */
    int fs_off;              /* set to 1 before hs_client_start to not offer it */
    crypto_ecdh *ecdh;       /* owned: this connection's ephemeral key, HELLO to CHALLENGE */
    int forward_secret;      /* 1 once the server took the exchange (valid after CHALLENGE) */
    /* The login's session binding, kept after the keys are wiped: a later change of password
     * on this connection (client/passwd.h) is bound to it too. */
    uint8_t binding[HS_KEY_SIZE];
    /* Windows sign-on (hs_client_set_signon), and what the server asked for. */
    const hs_signon_ops *signon; /* NULL: this client cannot sign on */
    void *signon_ctx;            /* borrowed, passed to the ops */
    int signon_steps;            /* SIGNON frames handled so far */
    int signon_complete;         /* the client's side of the exchange is done */
    int signed_on;               /* 1 once the server's binding MIC verified */
    int server_auth;             /* hs_server_auth, as far as the server has shown it */
    /* Borrowed, NULL = none: SaltedPassword of this password kept from an earlier login
     * (scram_salted_cache), so a reconnect skips PBKDF2. Set before hs_client_start. */
    scram_salted_cache *salted_cache;
    /* Borrowed, NULL or "" = none: the user's display name, sent in SIGNON_DISPLAY with the
     * sign-on (hs_client_set_signon_display). */
    const char *signon_display;
} hs_client;

/* Starts a handshake: appends HELLO to out. ciphers lists the acceptable ciphers in order of
 * preference. The secret is borrowed for the life of hs. A cached master from an earlier
 * connection (same salt and iterations) is kept if hs was used before and not zeroed. */
int hs_client_start(hs_client *hs, const void *secret, size_t secret_len, const uint8_t *ciphers,
                    size_t nciphers, const char *nick, const char *agent, buf *out);
/* For a server with accounts: the password of the account named by the nick (borrowed for the
 * life of hs; NULL for none). Call before hs_client_start. */
void hs_client_set_password(hs_client *hs, const char *password, size_t len);
/* For a server with Windows sign-on: the client's side of the exchange (ops and ctx borrowed for
 * the life of hs; NULL for none). Call before hs_client_start. */
void hs_client_set_signon(hs_client *hs, const hs_signon_ops *ops, void *ctx);
/* The display name to tell a server with Windows sign-on (valid UTF-8 of at most
 * PROTO_DISPLAY_MAX bytes, borrowed for the life of hs; NULL or "" for none). The server keeps
 * it for an account that has none. Call before hs_client_start. */
void hs_client_set_signon_display(hs_client *hs, const char *display);
/* Feeds one received frame (CHALLENGE, LOGIN, SIGNON, SIGNON_BIND, WELCOME or ERROR). On HS_DONE the caller takes
 * hs->tx and hs->rx (and must not free them through hs); msg then holds WELCOME. */
hs_result hs_client_on_frame(hs_client *hs, proto_frame *f, proto_msg *msg, buf *out);
/* Releases what hs owns (the HELLO copy, unclaimed ciphers) and wipes keys. */
void hs_client_free(hs_client *hs);

/* ---- server side ---- */

/* The server's `forward_secrecy` setting: whether a client without the ECDH exchange may
 * connect. Zero is the default. */
typedef enum hs_fs_policy {
    HS_FS_PREFERRED = 0, /* use the exchange when the client offers it; accept clients without */
    HS_FS_REQUIRED = 1,  /* refuse a client that does not offer it (NO_CIPHER, saying why) */
    HS_FS_OFF = 2        /* never use it (the keys then come from the network key alone) */
} hs_fs_policy;

/* Parses "required", "preferred" or "off"; 0 on success, -1 if the value is none of them. */
int hs_fs_parse(const char *text, hs_fs_policy *out);
const char *hs_fs_name(hs_fs_policy p);

typedef struct hs_server_config {
    const uint8_t *secret;                 /* borrowed */
    size_t secret_len;
    uint8_t salt[PROTO_SALT_SIZE];
    uint32_t iterations;
    uint8_t master[HS_KEY_SIZE];           /* hs_master(secret, salt, iterations), computed once */
    uint8_t allowed[PROTO_MAX_CIPHERS];    /* in order of the server's preference */
    uint8_t nallowed;
    const char *server_name;
    hs_fs_policy forward_secrecy;
    /* Key rotation: a second ("next") network key accepted alongside the first while both are
     * configured. NULL = none. Borrowed like secret; next_master is hs_master of it. */
    const uint8_t *next_secret;
    size_t next_secret_len;
    uint8_t next_master[HS_KEY_SIZE];
} hs_server_config;

typedef struct hs_server {
    int state;
    uint8_t cipher;
    uint8_t auth[HS_KEY_SIZE];
    int forward_secret;                    /* 1 if this connection used the ECDH exchange */
    int used_next;                         /* 1 if the client proved the next network key */
    uint16_t code;
    char reason[256];
    cipher_state tx, rx;
    /* With a next key: the same schedule from it, until PROOF shows which key the client has. */
    int have_next;
    uint8_t next_auth[HS_KEY_SIZE];
    cipher_state next_tx, next_rx;
} hs_server;

void hs_server_init(hs_server *hs);
/* Feeds HELLO or PROOF. After HELLO it appends CHALLENGE. On PROOF it verifies the client (with
 * either network key when cfg has a next one; used_next says which) and
 * returns HS_DONE with msg holding the PROOF (msg->nick is the requested nickname); the caller
 * then decides on the nick and calls hs_server_welcome or sends a plain ERROR. On HS_FAILED a
 * plain ERROR has been appended to out. */
hs_result hs_server_on_frame(hs_server *hs, const hs_server_config *cfg, proto_frame *f,
                             proto_msg *msg, buf *out);
/* Appends the ciphered WELCOME (carrying the server's proof) using hs->tx. */
int hs_server_welcome(hs_server *hs, const char *nick, uint32_t max_frame, const char *motd,
                      buf *out);
void hs_server_free(hs_server *hs);

/* Appends a plain ERROR frame (used before a cipher is agreed). */
int hs_plain_error(uint16_t code, const char *text, buf *out);

#endif

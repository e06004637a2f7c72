/* handshake.c — the client and server handshake state machines and Parley's key schedule. */
#include "handshake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "handshake_impl.h"

enum { ST_START = 0, ST_WAIT_CHALLENGE, ST_WAIT_WELCOME, ST_WAIT_HELLO, ST_WAIT_PROOF, ST_DONE,
       ST_FAILED };

static const char LABEL_SESSION[] = "parley-1 session";

int hs_fs_parse(const char *text, hs_fs_policy *out)
{
    static const hs_fs_policy all[] = {HS_FS_PREFERRED, HS_FS_REQUIRED, HS_FS_OFF};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(text, hs_fs_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

const char *hs_fs_name(hs_fs_policy p)
{
    return p == HS_FS_REQUIRED ? "required" : p == HS_FS_OFF ? "off" : "preferred";
}

int hs_master(const void *secret, size_t secret_len, const uint8_t salt[PROTO_SALT_SIZE],
              uint32_t iterations, uint8_t master[HS_KEY_SIZE])
{
    if (crypto_pbkdf2_sha256(secret, secret_len, salt, PROTO_SALT_SIZE, iterations, master,
                             HS_KEY_SIZE) != CRYPTO_OK)
        return CIPHER_E_FAIL;
    return PROTO_OK;
}

static int hmac_label(const uint8_t key[HS_KEY_SIZE], const char *label, uint8_t out[HS_KEY_SIZE])
{
    crypto_part part = {label, strlen(label)};
    return crypto_hmac_sha256(key, HS_KEY_SIZE, &part, 1, out) == CRYPTO_OK ? PROTO_OK
                                                                            : CIPHER_E_FAIL;
}

int hs_derive(const uint8_t master[HS_KEY_SIZE], uint8_t cipher, const uint8_t *hello,
              size_t hello_len, const uint8_t *challenge, size_t challenge_len, const uint8_t *z,
              hs_keys *out)
{
    uint8_t prk[HS_KEY_SIZE];
    crypto_part parts[5];
    int rc = CIPHER_E_FAIL;

    parts[0].p = LABEL_SESSION;
    parts[0].n = sizeof LABEL_SESSION - 1;
    parts[1].p = &cipher;
    parts[1].n = 1;
    parts[2].p = hello;
    parts[2].n = hello_len;
    parts[3].p = challenge;
    parts[3].n = challenge_len;
    parts[4].p = z;
    parts[4].n = z ? CRYPTO_P256_SECRET_SIZE : 0;
    if (crypto_hmac_sha256(master, HS_KEY_SIZE, parts, z ? 5 : 4, prk) != CRYPTO_OK)
        goto done;
    if (hmac_label(prk, "auth", out->auth) != PROTO_OK ||
        hmac_label(prk, "c2s", out->c2s) != PROTO_OK ||
        hmac_label(prk, "s2c", out->s2c) != PROTO_OK)
        goto done;
    rc = PROTO_OK;
done:
    crypto_wipe(prk, sizeof prk);
    return rc;
}

int hs_proof(const hs_keys *k, int server_side, uint8_t mac[PROTO_MAC_SIZE])
{
    return hmac_label(k->auth, server_side ? "server proof" : "client proof", mac);
}

int hs_binding(const uint8_t auth[HS_KEY_SIZE], uint8_t out[HS_KEY_SIZE])
{
    return hmac_label(auth, "session binding", out);
}

int hs_ciphers(uint8_t cipher, const hs_keys *k, const void *secret, size_t secret_len,
               int server_side, cipher_state *tx, cipher_state *rx)
{
    const uint8_t *out_key = server_side ? k->s2c : k->c2s;
    const uint8_t *in_key = server_side ? k->c2s : k->s2c;

    cipher_state_plain(tx);
    cipher_state_plain(rx);
    if (cipher == PROTO_CIPHER_XOR) {
        /* The classic cipher: the shared secret itself is the XOR key, both ways. */
        if (cipher_state_xor(tx, secret, secret_len) != PROTO_OK ||
            cipher_state_xor(rx, secret, secret_len) != PROTO_OK)
            return CIPHER_E_FAIL;
        return PROTO_OK;
    }
    if (cipher == PROTO_CIPHER_AES256GCM) {
        if (cipher_state_gcm(tx, out_key) != PROTO_OK)
            return CIPHER_E_FAIL;
        if (cipher_state_gcm(rx, in_key) != PROTO_OK) {
            cipher_state_free(tx);
            return CIPHER_E_FAIL;
        }
        return PROTO_OK;
    }
    return CIPHER_E_FAIL;
}

int hs_plain_error(uint16_t code, const char *text, buf *out)
{
    proto_msg m;
    memset(&m, 0, sizeof m);
    m.type = PT_ERROR;
    m.code = code;
    m.text = proto_s(text);
    return proto_encode(&m, 0, out);
}

/* ------------------------------------------------------------------ client */

hs_result hs_client_fail(hs_client *hs, uint16_t code, const char *reason)
{
    hs->state = ST_FAILED;
    hs->code = code;
    snprintf(hs->reason, sizeof hs->reason, "%s", reason);
    cipher_state_free(&hs->tx);
    cipher_state_free(&hs->rx);
    return HS_FAILED;
}

/* A plain ERROR from the server during the handshake: keep its code and words. */
static hs_result client_server_error(hs_client *hs, const proto_msg *m)
{
    char text[200];
    char reason[256];
    proto_str_copy(text, sizeof text, m->text);
    /* A refusal is a failure whatever it says: code 0 ("OK") would hide that. */
    if (m->code == PC_OK)
        return hs_client_fail(hs, PC_PROTOCOL, "the server refused the connection without a reason");
    if (m->code == PC_WRONG_KEY)
        snprintf(reason, sizeof reason, "wrong key: the server does not accept this secret key");
    else
        snprintf(reason, sizeof reason, "server refused the connection: %s (%s)", text,
                 proto_code_name(m->code));
    return hs_client_fail(hs, m->code, reason);
}

int hs_client_start(hs_client *hs, const void *secret, size_t secret_len, const uint8_t *ciphers,
                    size_t nciphers, const char *nick, const char *agent, buf *out)
{
    proto_msg m;
    size_t start = out->len;
    int rc;

    free(hs->hello);
    hs->hello = NULL;
    cipher_state_free(&hs->tx);
    cipher_state_free(&hs->rx);
    hs->state = ST_START;
    hs->code = PC_OK;
    hs->reason[0] = '\0';
    hs->login_step = 0;
    hs->logged_in = 0;
    crypto_wipe(hs->binding, sizeof hs->binding);
    hs->forward_secret = 0;
    hs->server_auth = HS_AUTH_KEY;
    hs->signed_on = 0;
    hs_client_signon_reset(hs);
    crypto_ecdh_free(hs->ecdh);
    hs->ecdh = NULL;
    if (secret_len == 0 || secret_len > HS_SECRET_MAX || nciphers == 0 ||
        nciphers > PROTO_MAX_CIPHERS || strlen(nick) > PROTO_NICK_MAX)
        return PROTO_E_VALUE;
    hs->secret = secret;
    hs->secret_len = secret_len;
    memcpy(hs->offered, ciphers, nciphers);
    hs->noffered = (uint8_t)nciphers;
    snprintf(hs->nick, sizeof hs->nick, "%s", nick);
    if (crypto_random(hs->nonce, sizeof hs->nonce) != CRYPTO_OK)
        return CIPHER_E_FAIL;

    memset(&m, 0, sizeof m);
    m.type = PT_HELLO;
    m.version = PROTO_VERSION;
    m.ncipher = (uint8_t)nciphers;
    memcpy(m.ciphers, ciphers, nciphers);
    memcpy(m.nonce, hs->nonce, sizeof m.nonce);
    m.agent = proto_s(agent);
    /* Offer the exchange where this system can carry it out (not under Wine 8's CNG). */
    if (!hs->fs_off && crypto_ecdh_available()) {
        hs->ecdh = crypto_ecdh_new(m.share);
        if (!hs->ecdh)
            return CIPHER_E_FAIL;
        m.share_len = PROTO_SHARE_SIZE;
    }
    rc = proto_encode(&m, 0, out);
    if (rc != PROTO_OK)
        return rc;
    /* The key schedule hashes the HELLO body exactly as sent. */
    hs->hello_len = out->len - start - PROTO_HEADER_SIZE;
    hs->hello = malloc(hs->hello_len ? hs->hello_len : 1);
    if (!hs->hello) {
        out->len = start;
        return PROTO_E_NOMEM;
    }
    memcpy(hs->hello, out->data + start + PROTO_HEADER_SIZE, hs->hello_len);
    hs->state = ST_WAIT_CHALLENGE;
    return PROTO_OK;
}

static hs_result client_on_challenge(hs_client *hs, proto_frame *f, proto_msg *m, buf *out)
{
    proto_msg proof;
    uint8_t z[CRYPTO_P256_SECRET_SIZE];
    size_t i;
    int offered = 0;
    int rc = proto_decode(f->type, f->body, f->len, m);

    if (rc != PROTO_OK)
        return hs_client_fail(hs, PC_BAD_FRAME, "the server sent an undecodable handshake frame");
    if (f->type == PT_ERROR)
        return client_server_error(hs, m);
    if (f->type != PT_CHALLENGE)
        return hs_client_fail(hs, PC_PROTOCOL, "the server did not answer with a challenge");
    if (m->version != PROTO_VERSION)
        return hs_client_fail(hs, PC_BAD_VERSION, "the server speaks another protocol version");
    for (i = 0; i < hs->noffered; i++)
        offered |= hs->offered[i] == m->cipher;
    if (!offered)
        return hs_client_fail(hs, PC_NO_CIPHER, "the server chose a cipher this client did not offer");
    if (m->iterations < HS_ITERATIONS_MIN || m->iterations > HS_ITERATIONS_MAX)
        return hs_client_fail(hs, PC_PROTOCOL, "the server asked for an unreasonable key-stretching count");
    if (m->share_len && !hs->ecdh)
        return hs_client_fail(hs, PC_PROTOCOL, "the server sent a key share this client did not ask for");
    proto_str_copy(hs->server_name, sizeof hs->server_name, m->server);
    if (m->share_len) {
        rc = crypto_ecdh_derive(hs->ecdh, m->share, z);
        if (rc != CRYPTO_OK)
            return hs_client_fail(hs, rc == CRYPTO_EINVAL ? PC_PROTOCOL : PC_INTERNAL,
                               rc == CRYPTO_EINVAL
                                   ? "the server's key share is not a valid P-256 public key"
                                   : "the key exchange failed");
        hs->forward_secret = 1;
    }
    /* The ephemeral key has done its work either way: drop it now, not at the end. */
    crypto_ecdh_free(hs->ecdh);
    hs->ecdh = NULL;

    if (!hs->have_master || hs->master_iterations != m->iterations ||
        memcmp(hs->master_salt, m->salt, PROTO_SALT_SIZE) != 0) {
        if (hs_master(hs->secret, hs->secret_len, m->salt, m->iterations, hs->master) != PROTO_OK)
            return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
        memcpy(hs->master_salt, m->salt, PROTO_SALT_SIZE);
        hs->master_iterations = m->iterations;
        hs->have_master = 1;
    }
    hs->cipher = m->cipher;
    rc = hs_derive(hs->master, hs->cipher, hs->hello, hs->hello_len, f->body, f->len,
                   hs->forward_secret ? z : NULL, &hs->keys);
    crypto_wipe(z, sizeof z);
    if (rc != PROTO_OK ||
        hs_ciphers(hs->cipher, &hs->keys, hs->secret, hs->secret_len, 0, &hs->tx, &hs->rx) !=
            PROTO_OK)
        return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
    free(hs->hello);
    hs->hello = NULL;

    memset(&proof, 0, sizeof proof);
    proof.type = PT_PROOF;
    if (hs_proof(&hs->keys, 0, proof.mac) != PROTO_OK)
        return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
    proof.nick = proto_s(hs->nick);
    rc = cipher_encode(&hs->tx, &proof, out);
    if (rc != PROTO_OK)
        return hs_client_fail(hs, rc == PROTO_E_UTF8 || rc == PROTO_E_LENGTH ? PC_BAD_NICK : PC_INTERNAL,
                           "could not send the proof (is the nickname valid?)");
    hs->state = ST_WAIT_WELCOME;
    return HS_CONTINUE;
}

void hs_client_set_signon(hs_client *hs, const hs_signon_ops *ops, void *ctx)
{
    hs->signon = ops;
    hs->signon_ctx = ctx;
}

void hs_client_set_password(hs_client *hs, const char *password, size_t len)
{
    hs->password = password;
    hs->password_len = len;
}

/* One LOGIN from a server with accounts: its empty request, then server-first, then
 * server-final; the first two are answered with the client's SCRAM messages, bound to this
 * connection (hs_binding). */
static hs_result client_on_login(hs_client *hs, proto_frame *f, proto_msg *m, buf *out)
{
    char reply[SCRAM_MSG_MAX];
    uint8_t bind[HS_KEY_SIZE];
    scram_binding b;
    proto_msg lm;
    int rc = cipher_decode(&hs->rx, f, m);

    if (rc != PROTO_OK)
        return hs_client_fail(hs, PC_WRONG_KEY,
                           "wrong key: the server's login request does not open with this key");
    hs->server_auth = HS_AUTH_ACCOUNTS;
    if (!hs->password)
        return hs_client_fail(hs, PC_BAD_PASSWORD,
                           "the server uses accounts: give your user name and password");
    if (hs->login_step == 0) {
        if (!hs->scram && !(hs->scram = malloc(sizeof *hs->scram)))
            return hs_client_fail(hs, PC_INTERNAL, "out of memory");
        if (hs_binding(hs->keys.auth, bind) != PROTO_OK)
            return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
        memcpy(hs->binding, bind, sizeof bind);
        b.name = HS_BINDING_NAME;
        b.data = bind;
        b.len = sizeof bind;
        rc = scram_client_first(hs->scram, hs->nick, strlen(hs->nick), &b, NULL, reply,
                                sizeof reply);
    } else if (hs->login_step == 1) {
        rc = scram_client_final_cached(hs->scram, m->text.p, m->text.n, hs->password,
                                       hs->password_len, hs->salted_cache, reply, sizeof reply);
    } else {
        if (hs->login_step != 2 || scram_client_check(hs->scram, m->text.p, m->text.n) != SCRAM_OK)
            return hs_client_fail(hs, PC_BAD_PASSWORD,
                               "the server could not prove it holds this account's password");
        hs->login_step++;
        hs->logged_in = 1;
        return HS_CONTINUE;
    }
    hs->login_step++;
    if (rc != SCRAM_OK)
        return hs_client_fail(hs, rc == SCRAM_EPOLICY ? PC_PROTOCOL : PC_BAD_PASSWORD,
                           rc == SCRAM_EPOLICY
                               ? "the server's login request is unreasonable (iterations, nonce)"
                               : "the password login failed");
    memset(&lm, 0, sizeof lm);
    lm.type = PT_LOGIN;
    lm.text = proto_s(reply);
    if (cipher_encode(&hs->tx, &lm, out) != PROTO_OK)
        return hs_client_fail(hs, PC_INTERNAL, "could not send the login");
    return HS_CONTINUE;
}

static hs_result client_on_welcome(hs_client *hs, proto_frame *f, proto_msg *m, buf *out)
{
    uint8_t expect[PROTO_MAC_SIZE];
    int rc;

    if (f->type == PT_LOGIN)
        return client_on_login(hs, f, m, out);
    if (f->type == PT_SIGNON || f->type == PT_SIGNON_BIND)
        return hs_client_on_signon(hs, f, m, out);
    if (f->type == PT_ERROR) {
        /* Before WELCOME the server speaks plain, so a refusal is readable with any key. */
        if (proto_decode(f->type, f->body, f->len, m) != PROTO_OK)
            return hs_client_fail(hs, PC_BAD_FRAME, "the server sent an undecodable error");
        return client_server_error(hs, m);
    }
    if (f->type != PT_WELCOME)
        return hs_client_fail(hs, PC_PROTOCOL, "the server did not answer the proof with a welcome");
    rc = cipher_decode(&hs->rx, f, m);
    if (rc == CIPHER_E_AUTH)
        return hs_client_fail(hs, PC_WRONG_KEY,
                           "wrong key: the server's reply does not open with this secret key");
    if (rc != PROTO_OK)
        return hs_client_fail(hs, PC_WRONG_KEY,
                           "wrong key: the server's welcome is unreadable with this secret key");
    if (hs_proof(&hs->keys, 1, expect) != PROTO_OK)
        return hs_client_fail(hs, PC_INTERNAL, "key derivation failed");
    if (!crypto_equal(expect, m->mac, PROTO_MAC_SIZE))
        return hs_client_fail(hs, PC_WRONG_KEY,
                           "wrong key: the server could not prove it holds the same secret key");
    /* A login that started must have finished: the server proved it knows the password too. */
    if (hs->login_step > 0 && !hs->logged_in)
        return hs_client_fail(hs, PC_BAD_PASSWORD, "the server welcomed an unfinished login");
    /* Likewise a sign-on: the server must have proved it completed it on this connection. */
    if (hs->signon_steps > 0 && !hs->signed_on)
        return hs_client_fail(hs, PC_SIGNON_FAILED, "the server welcomed an unfinished sign-on");
    proto_str_copy(hs->welcome_nick, sizeof hs->welcome_nick, m->nick);
    hs->max_frame = m->max_frame;
    hs->state = ST_DONE;
    crypto_wipe(&hs->keys, sizeof hs->keys);
    return HS_DONE;
}

hs_result hs_client_on_frame(hs_client *hs, proto_frame *f, proto_msg *msg, buf *out)
{
    switch (hs->state) {
    case ST_WAIT_CHALLENGE:
        return client_on_challenge(hs, f, msg, out);
    case ST_WAIT_WELCOME:
        return client_on_welcome(hs, f, msg, out);
    default:
        return hs_client_fail(hs, PC_PROTOCOL, "handshake frame at the wrong time");
    }
}

void hs_client_free(hs_client *hs)
{
    free(hs->hello);
    hs->hello = NULL;
    if (hs->scram) {
        scram_client_wipe(hs->scram);
        free(hs->scram);
        hs->scram = NULL;
    }
    hs->login_step = 0;
    hs->logged_in = 0;
    hs_client_signon_reset(hs);
    crypto_ecdh_free(hs->ecdh);
    hs->ecdh = NULL;
    cipher_state_free(&hs->tx);
    cipher_state_free(&hs->rx);
    crypto_wipe(hs->master, sizeof hs->master);
    crypto_wipe(&hs->keys, sizeof hs->keys);
    crypto_wipe(hs->binding, sizeof hs->binding);
    hs->have_master = 0;
}

/* ------------------------------------------------------------------ server */

void hs_server_init(hs_server *hs)
{
    memset(hs, 0, sizeof *hs);
    hs->state = ST_WAIT_HELLO;
}

/* Drops the schedule of the key the client did not prove (or both, on failure). */
static void server_drop_next(hs_server *hs)
{
    cipher_state_free(&hs->next_tx);
    cipher_state_free(&hs->next_rx);
    crypto_wipe(hs->next_auth, sizeof hs->next_auth);
    hs->have_next = 0;
}

static hs_result server_fail(hs_server *hs, uint16_t code, const char *reason, buf *out)
{
    server_drop_next(hs);
    hs->state = ST_FAILED;
    hs->code = code;
    snprintf(hs->reason, sizeof hs->reason, "%s", reason);
    cipher_state_free(&hs->tx);
    cipher_state_free(&hs->rx);
    hs_plain_error(code, reason, out);
    return HS_FAILED;
}

static uint8_t choose_cipher(const hs_server_config *cfg, const proto_msg *hello)
{
    size_t i, j;
    for (i = 0; i < cfg->nallowed; i++)
        for (j = 0; j < hello->ncipher; j++)
            if (cfg->allowed[i] == hello->ciphers[j])
                return cfg->allowed[i];
    return 0;
}

static hs_result server_on_hello(hs_server *hs, const hs_server_config *cfg, proto_frame *f,
                                 proto_msg *m, buf *out)
{
    proto_msg ch;
    hs_keys keys;
    uint8_t z[CRYPTO_P256_SECRET_SIZE];
    size_t start;
    int rc;

    if (f->type != PT_HELLO)
        return server_fail(hs, PC_PROTOCOL, "expected HELLO", out);
    if (proto_decode(f->type, f->body, f->len, m) != PROTO_OK)
        return server_fail(hs, PC_BAD_FRAME, "malformed HELLO", out);
    if (m->version < PROTO_VERSION)
        return server_fail(hs, PC_BAD_VERSION, "protocol version 1 or later required", out);
    hs->cipher = choose_cipher(cfg, m);
    if (!hs->cipher)
        return server_fail(hs, PC_NO_CIPHER, "no cipher in common with this server", out);
    if (cfg->forward_secrecy == HS_FS_REQUIRED && !m->share_len)
        return server_fail(hs, PC_NO_CIPHER,
                           "this server requires forward secrecy (an ephemeral ECDH P-256 key "
                           "exchange) and this client does not offer it",
                           out);

    memset(&ch, 0, sizeof ch);
    ch.type = PT_CHALLENGE;
    ch.version = PROTO_VERSION;
    ch.cipher = hs->cipher;
    memcpy(ch.salt, cfg->salt, PROTO_SALT_SIZE);
    ch.iterations = cfg->iterations;
    ch.server = proto_s(cfg->server_name ? cfg->server_name : "");
    if (crypto_random(ch.nonce, sizeof ch.nonce) != CRYPTO_OK)
        return server_fail(hs, PC_INTERNAL, "no randomness", out);
    /* Take the offered exchange unless told not to, or unable to (a server that cannot is
     * refused `required` at start, so reaching here unable means `preferred`). */
    if (m->share_len && cfg->forward_secrecy != HS_FS_OFF && crypto_ecdh_available()) {
        crypto_ecdh *eph = crypto_ecdh_new(ch.share);
        rc = eph ? crypto_ecdh_derive(eph, m->share, z) : CRYPTO_EFAIL;
        crypto_ecdh_free(eph);
        if (rc == CRYPTO_EINVAL)
            return server_fail(hs, PC_BAD_FRAME,
                               "the client's key share is not a valid P-256 public key", out);
        if (rc != CRYPTO_OK)
            return server_fail(hs, PC_INTERNAL, "the key exchange failed", out);
        ch.share_len = PROTO_SHARE_SIZE;
        hs->forward_secret = 1;
    } else if (cfg->forward_secrecy == HS_FS_REQUIRED) {
        return server_fail(hs, PC_INTERNAL,
                           "this server requires forward secrecy but cannot do the key exchange",
                           out);
    }
    start = out->len;
    rc = proto_encode(&ch, 0, out);
    if (rc != PROTO_OK) {
        crypto_wipe(z, sizeof z);
        return server_fail(hs, PC_INTERNAL, "could not encode the challenge", out);
    }
    /* Derive now, while both bodies are at hand, so nothing of them needs keeping. */
    rc = hs_derive(cfg->master, hs->cipher, f->body, f->len, out->data + start + PROTO_HEADER_SIZE,
                   out->len - start - PROTO_HEADER_SIZE, hs->forward_secret ? z : NULL, &keys);
    if (rc != PROTO_OK ||
        hs_ciphers(hs->cipher, &keys, cfg->secret, cfg->secret_len, 1, &hs->tx, &hs->rx) !=
            PROTO_OK) {
        out->len = start;
        crypto_wipe(&keys, sizeof keys);
        crypto_wipe(z, sizeof z);
        return server_fail(hs, PC_INTERNAL, "key derivation failed", out);
    }
    memcpy(hs->auth, keys.auth, HS_KEY_SIZE);
    if (cfg->next_secret) {
        /* The same transcript and z under the next key: the PROOF will tell which is held. */
        rc = hs_derive(cfg->next_master, hs->cipher, f->body, f->len,
                       out->data + start + PROTO_HEADER_SIZE, out->len - start - PROTO_HEADER_SIZE,
                       hs->forward_secret ? z : NULL, &keys);
        if (rc != PROTO_OK || hs_ciphers(hs->cipher, &keys, cfg->next_secret, cfg->next_secret_len,
                                         1, &hs->next_tx, &hs->next_rx) != PROTO_OK) {
            out->len = start;
            crypto_wipe(&keys, sizeof keys);
            crypto_wipe(z, sizeof z);
            return server_fail(hs, PC_INTERNAL, "key derivation failed", out);
        }
        memcpy(hs->next_auth, keys.auth, HS_KEY_SIZE);
        hs->have_next = 1;
    }
    crypto_wipe(z, sizeof z);
    crypto_wipe(&keys, sizeof keys);
    hs->state = ST_WAIT_PROOF;
    return HS_CONTINUE;
}

/* 1 if the ciphered PROOF in f opens with rx and carries the proof made from auth. */
static int proof_opens(cipher_state *rx, const uint8_t auth[HS_KEY_SIZE], proto_frame *f,
                       proto_msg *m)
{
    hs_keys k;
    uint8_t expect[PROTO_MAC_SIZE];
    int rc;

    /* With xor a wrong key turns the body to noise, so an undecodable PROOF is a wrong key
     * too; with GCM the tag fails. */
    if (cipher_decode(rx, f, m) != PROTO_OK)
        return 0;
    memset(&k, 0, sizeof k);
    memcpy(k.auth, auth, HS_KEY_SIZE);
    rc = hs_proof(&k, 0, expect);
    crypto_wipe(&k, sizeof k);
    return rc == PROTO_OK && crypto_equal(expect, m->mac, PROTO_MAC_SIZE);
}

static hs_result server_on_proof(hs_server *hs, proto_frame *f, proto_msg *m, buf *out)
{
    uint8_t *copy = NULL;
    int ok;

    if (f->type != PT_PROOF)
        return server_fail(hs, PC_PROTOCOL, "expected PROOF", out);
    if (hs->have_next) {
        /* Opening works in place (and wipes on failure): keep the body for the second try. */
        copy = malloc(f->len ? f->len : 1);
        if (!copy)
            return server_fail(hs, PC_INTERNAL, "out of memory", out);
        memcpy(copy, f->body, f->len);
    }
    ok = proof_opens(&hs->rx, hs->auth, f, m);
    if (!ok && copy) {
        memcpy(f->body, copy, f->len);
        ok = proof_opens(&hs->next_rx, hs->next_auth, f, m);
        if (ok) {
            /* The client holds the next key: this connection runs on its schedule. */
            cipher_state_free(&hs->tx);
            cipher_state_free(&hs->rx);
            hs->tx = hs->next_tx;
            hs->rx = hs->next_rx;
            cipher_state_plain(&hs->next_tx);
            cipher_state_plain(&hs->next_rx);
            memcpy(hs->auth, hs->next_auth, HS_KEY_SIZE);
            hs->used_next = 1;
        }
    }
    free(copy);
    if (!ok)
        return server_fail(hs, PC_WRONG_KEY, "wrong key", out);
    server_drop_next(hs);
    hs->state = ST_DONE;
    return HS_DONE;
}

hs_result hs_server_on_frame(hs_server *hs, const hs_server_config *cfg, proto_frame *f,
                             proto_msg *msg, buf *out)
{
    switch (hs->state) {
    case ST_WAIT_HELLO:
        return server_on_hello(hs, cfg, f, msg, out);
    case ST_WAIT_PROOF:
        return server_on_proof(hs, f, msg, out);
    default:
        return server_fail(hs, PC_PROTOCOL, "handshake frame at the wrong time", out);
    }
}

int hs_server_welcome(hs_server *hs, const char *nick, uint32_t max_frame, const char *motd,
                      buf *out)
{
    proto_msg w;
    hs_keys k;
    int rc;

    memset(&w, 0, sizeof w);
    memset(&k, 0, sizeof k);
    w.type = PT_WELCOME;
    memcpy(k.auth, hs->auth, HS_KEY_SIZE);
    rc = hs_proof(&k, 1, w.mac);
    crypto_wipe(&k, sizeof k);
    crypto_wipe(hs->auth, sizeof hs->auth);
    if (rc != PROTO_OK)
        return rc;
    w.nick = proto_s(nick);
    w.max_frame = max_frame;
    w.text = proto_s(motd ? motd : "");
    return cipher_encode(&hs->tx, &w, out);
}

void hs_server_free(hs_server *hs)
{
    server_drop_next(hs);
    cipher_state_free(&hs->tx);
    cipher_state_free(&hs->rx);
    crypto_wipe(hs->auth, sizeof hs->auth);
}

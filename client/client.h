/* client.h — the portable Parley client library shared by the terminal client, the Win32 GUI and
 * the load generator: connect, handshake, send and receive messages over one connection.
 *
 * Threading: one thread may sit in pc_recv while others send (every sender takes the
 * connection's send lock). pc_recv itself must be called from one thread at a time, and
 * pc_close only once no other thread uses the connection. */
#ifndef PARLEY_CLIENT_H
#define PARLEY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define PC_PORT_DEFAULT 7420
#define PC_CONNECT_TIMEOUT_DEFAULT 10000u /* ms, for the TCP connect and each handshake wait */
#define PC_AGENT_DEFAULT "parley-client/0.1"

/* Client-side reasons for failure, reported through the same `code` as proto_code values.
 * They never go on the wire and sit above every proto_code. */
#define PC_E_UNREACHABLE 1000 /* name resolution or TCP connect failed */
#define PC_E_LOST 1001        /* the connection dropped (closed or reset) without a BYE */
#define PC_E_LOCAL 1002       /* a local failure: bad options, out of memory, crypto backend */

typedef struct pc_options {
    const char *host;            /* name or address; NULL = "localhost" */
    uint16_t port;               /* 0 = PC_PORT_DEFAULT */
    const char *source;          /* local address to connect from (load generator); NULL = any */
    const void *secret;          /* the shared secret key: bytes, copied by pc_connect */
    size_t secret_len;
    const char *nick;            /* requested nickname */
    const uint8_t *ciphers;      /* offered, in order of preference; NULL = {aes-256-gcm} only.
                                  * Offer PROTO_CIPHER_XOR only when the user asks for it. */
    size_t nciphers;
    const char *agent;           /* NULL = PC_AGENT_DEFAULT */
    uint32_t connect_timeout_ms; /* 0 = PC_CONNECT_TIMEOUT_DEFAULT */
    uint32_t max_frame;          /* largest frame body accepted from the server (without the
                                  * cipher tail); 0 = PROTO_MAX_FRAME_DEFAULT */
    const char *password;        /* for a server with accounts: the password of the account
                                  * named by nick (UTF-8), copied by pc_connect; NULL = none */
    size_t password_len;
    /* Windows sign-on: used only when the server asks for it (auth = windows), always as the
     * current user (the Windows logon session, or the Kerberos credential cache): no prompt. */
    const char *signon_host;     /* the server's name in its SPN, PARLEY/<name>; NULL = host */
    const char *signon_ccache;   /* Linux: the credential cache; NULL = KRB5CCNAME or default */
    int signon_allow_ntlm;       /* 1: Negotiate may fall back to NTLM (off by default) */
    const char *signon_display;  /* the display name told to the server at sign-on, kept for an
                                  * account that has none: NULL = the system's (Windows: the
                                  * directory's; Linux: GECOS), "" = none (signon.h) */
} pc_options;

typedef struct pc_conn pc_conn;

/* Zeroes o: every field then selects its default (secret and nick must still be set). */
void pc_options_init(pc_options *o);

/* Connects and completes the handshake. Returns the connection (free it with pc_close), or NULL
 * with *code set (a proto_code such as PC_WRONG_KEY, PC_NICK_TAKEN, PC_SERVER_FULL, PC_BANNED,
 * or a PC_E_* value) and a human sentence in err ("wrong key: ...", "cannot reach server:
 * connect host:7420: connection refused", "nickname taken"). code and err may be NULL. */
pc_conn *pc_connect(const pc_options *opts, int *code, char *err, size_t err_size);

/* Encodes, seals and sends one message. 0, or -1: either the message could not be encoded
 * (pc_send_error says why; the connection is still usable) or the connection failed
 * (pc_error says why). */
int pc_send(pc_conn *c, const proto_msg *msg);

/* Waits up to timeout_ms for the next message from the server.
 *  1: a message is in *msg; its strings stay valid until the next pc_recv.
 *  0: nothing arrived in time.
 * -1: the connection has ended; pc_error and pc_error_code say why (the server's BYE and its
 *     reason, a frame that failed to decrypt, a reset...). Every later call returns -1 too.
 * PINGs from the server are answered with PONG here and not returned. */
int pc_recv(pc_conn *c, proto_msg *msg, uint32_t timeout_ms);

/* Convenience senders; each returns 0 or -1 as pc_send. tag is echoed in the server's MSG
 * (and PRIV_MSG) so a sender can recognise its own message; 0 if unused. */
int pc_join(pc_conn *c, const char *room);
int pc_part(pc_conn *c, const char *room, const char *reason);
int pc_say(pc_conn *c, const char *room, const char *text, uint32_t tag);
int pc_priv(pc_conn *c, const char *nick, const char *text, uint32_t tag);
int pc_nick(pc_conn *c, const char *new_nick);
int pc_away(pc_conn *c, uint8_t presence, const char *text);
int pc_history(pc_conn *c, const char *room, uint64_t after_id, uint32_t count);
int pc_ping(pc_conn *c, uint64_t token);
/* Private conversations (servers with accounts): catch up on everything after after_id (count
 * 0 = the server's limit); say the conversation with peer is read up to id; switch this
 * account's read receipts on or off. */
int pc_priv_sync(pc_conn *c, uint64_t after_id, uint32_t count);
int pc_read(pc_conn *c, const char *peer, uint64_t id);
int pc_priv_prefs(pc_conn *c, int read_receipts);
/* Says goodbye: sends BYE (PC_QUIT, reason) and half-closes. pc_recv may still drain what the
 * server sent before it saw the BYE, then returns -1; pc_close frees the connection. */
int pc_quit(pc_conn *c, const char *reason);

/* Hangs up (if still connected) and dials again with the same settings and secret, as nick
 * (NULL = our current nickname, which follows renames). The cached master key is reused, so a
 * redial skips the slow key stretching while the server's salt and iterations are unchanged.
 * Returns 0, or -1 with *code and err as pc_connect; after a failure c stays ended (pc_recv
 * and sends fail, pc_error says why) and may be redialled again or closed. Only while no other
 * thread uses c: this is the reconnect layer's (session.h) building block. */
int pc_redial(pc_conn *c, const char *nick, int *code, char *err, size_t err_size);
/* Closes the socket now (a lost link is hung up at once, so that the server lets go of our
 * nickname) but keeps everything pc_redial needs. c is then ended. Same thread rule. */
void pc_hangup(pc_conn *c);

/* Closes the socket (if still open) and frees everything, wiping keys. NULL is fine. */
void pc_close(pc_conn *c);

/* Why the connection ended (or why the last pc_send failed on the connection): the first
 * cause is kept. "" and PC_OK while it is alive. */
const char *pc_error(const pc_conn *c);
int pc_error_code(const pc_conn *c);
/* Why the last failed pc_send failed (one per connection: read it right after the failure). */
const char *pc_send_error(const pc_conn *c);

/* The negotiated cipher (PROTO_CIPHER_*). */
uint8_t pc_cipher(const pc_conn *c);
/* Our nickname as the server knows it: the WELCOME's, updated by pc_recv when the server
 * reports our rename. Read it on the pc_recv thread. */
const char *pc_nick_of(const pc_conn *c);
/* 1 if this connection logged in to an account (the server uses accounts and proved it holds
 * the account's verifier), 0 if it was admitted by the shared key alone. */
int pc_account(const pc_conn *c);
/* The SCRAM channel binding of this connection (32 bytes; handshake.h, hs_binding) for a
 * password change on it (passwd.h): 0, or -1 if it did not log in to an account. */
int pc_session_binding(const pc_conn *c, uint8_t out[32]);
/* Replaces the password later redials log in with (after a change of password): 0, or -1 for
 * an empty or too long one or no memory (the old one is kept). Same thread rule as pc_redial. */
int pc_set_password(pc_conn *c, const char *password, size_t len);
/* How the server admits people, as far as it showed it in the handshake: HS_AUTH_KEY (the
 * network key alone), HS_AUTH_ACCOUNTS (a password) or HS_AUTH_WINDOWS (Windows sign-on). */
int pc_server_auth(const pc_conn *c);
/* Its plain name: "network key", "accounts (password)", "Windows sign-on". */
const char *pc_server_auth_text(int auth);
/* 1 if this connection signed on with Windows; then the mechanism ("kerberos", "ntlm"). */
int pc_signed_on(const pc_conn *c);
const char *pc_signon_mechanism_of(const pc_conn *c);
/* The server's name from the handshake, and its message of the day. */
const char *pc_server_name(const pc_conn *c);
const char *pc_motd(const pc_conn *c);
/* The largest frame body the server accepts from us (WELCOME's max_frame). */
uint32_t pc_server_max_frame(const pc_conn *c);

/* Short human phrase for a proto_code or PC_E_* ("nickname taken", "server full"). */
const char *pc_code_text(int code);
/* Stable name for a proto_code or PC_E_* ("NICK_TAKEN", "UNREACHABLE", "LOST", "LOCAL"), for
 * logs and scripts. */
const char *pc_code_name(int code);

#endif

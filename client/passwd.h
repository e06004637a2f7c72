/* passwd.h — changing one's own account password on a live connection (PASSWORD, 0x69): a
 * SCRAM-SHA-256 exchange bound to the connection proves the current password, and the new
 * password goes to the server only as a verifier (salt, iterations, StoredKey, ServerKey).
 *
 *   c->s PASSWORD {text: client-first}
 *   s->c PASSWORD {text: server-first}               (the account's salt and iterations)
 *   c->s PASSWORD {target: new verifier, text: client-final}
 *   s->c PASSWORD {text: server-final}               (the server proves it held the verifier)
 *   or s->c ERROR BAD_PASSWORD / BAD_VERIFIER / ... and the password is unchanged.
 *
 * The state machine below produces the messages and reads the answers; the caller sends and
 * receives (the reconnect layer does it for the front ends, pc_change_password for scripts). */
#ifndef PARLEY_PASSWD_H
#define PARLEY_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "proto.h"
#include "scram.h"

typedef enum pc_passwd_step {
    PC_PASSWD_SEND = 0,   /* send *out, then wait for the next answer */
    PC_PASSWD_DONE = 1,   /* the server changed the password and proved it holds the account */
    PC_PASSWD_FAILED = 2, /* *code and err say why; the password is unchanged */
    PC_PASSWD_OTHER = 3   /* not part of the change: handle the message as usual */
} pc_passwd_step;

typedef struct pc_passwd {
    scram_client scram;
    char old_pw[SCRAM_PASSWORD_MAX + 1];
    size_t old_len;
    char new_pw[SCRAM_PASSWORD_MAX + 1];
    size_t new_len;
    uint32_t iterations; /* for the new verifier; 0 = the count the account has now */
    int step;            /* 0: idle; 1: client-first sent; 2: client-final sent */
    char verifier[SCRAM_VERIFIER_TEXT_MAX];
    char msg[SCRAM_MSG_MAX];
} pc_passwd;

/* Starts a change for account login on the connection whose binding is given: copies both
 * passwords (UTF-8, 1..SCRAM_PASSWORD_MAX bytes) and fills *out with the first PASSWORD (its
 * strings point into p). 0, or -1 with err. */
int pc_passwd_begin(pc_passwd *p, const char *login, const uint8_t binding[32],
                    const char *old_pw, size_t old_len, const char *new_pw, size_t new_len,
                    uint32_t iterations, proto_msg *out, char *err, size_t err_size);
/* A message from the server while a change runs: a PASSWORD, or an ERROR with no tag whose code
 * answers a PASSWORD (BAD_PASSWORD, BAD_VERIFIER, BAD_TEXT, NOT_FOUND, NO_ACCOUNTS, UNAVAILABLE,
 * RATE_LIMITED, PROTOCOL); anything else is PC_PASSWD_OTHER. The answer to server-first costs
 * two PBKDF2 runs (the current password's proof, the new verifier). */
pc_passwd_step pc_passwd_on_msg(pc_passwd *p, const proto_msg *in, proto_msg *out, int *code,
                                char *err, size_t err_size);
/* Clears the passwords and keys p holds. */
void pc_passwd_wipe(pc_passwd *p);

/* The whole exchange on c, blocking (for scripts and tools: other messages that arrive
 * meanwhile are dropped): 0 once the server changed the password (c's redials then use the new
 * one), or -1 with *code (a proto_code, or PC_E_*) and err. */
int pc_change_password(pc_conn *c, const char *old_pw, size_t old_len, const char *new_pw,
                       size_t new_len, uint32_t iterations, uint32_t timeout_ms, int *code,
                       char *err, size_t err_size);

#endif

/* user_remote.h — account commands sent to a running server, for `parley-server --user ...
 * --as ADMIN` while the server holds the account store. */
#ifndef PARLEY_USER_REMOTE_H
#define PARLEY_USER_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "account_list.h"
#include "proto.h"
#include "server_config.h"

/* Connects to the server cfg describes (its bind address, or 127.0.0.1; its port), with its
 * key, logs in as admin with password, and sends req (ACCOUNT, ACCOUNT_ADD, ACCOUNT_PASSWD).
 * Returns 0 with the server's answer in reply, or -1 with why. */
int user_remote_request(const server_config *cfg, const char *admin, const char *password,
                        const proto_msg *req, char *reply, size_t reply_size);
/* Logs in as admin and asks for every account (ACCOUNTS): 0 with the list in out (caller
 * frees with account_list_free), or -1 with why in reply. */
int user_remote_list(const server_config *cfg, const char *admin, const char *password,
                     account_list *out, char *reply, size_t reply_size);
/* Logs in as login with old_pw and changes that account's own password to new_pw (PASSWORD;
 * the verifier with the given iteration count, 0 = the account's current one). 0 with the
 * answer in reply, or -1 with why. */
int user_remote_own_password(const server_config *cfg, const char *login, const char *old_pw,
                             const char *new_pw, uint32_t iterations, char *reply,
                             size_t reply_size);

#endif

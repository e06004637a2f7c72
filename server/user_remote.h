/* user_remote.h — account commands sent to a running server (ACCOUNT, as an admin account),
 * for `parley-server --user ... --as ADMIN` while the server holds the account store. */
#ifndef PARLEY_USER_REMOTE_H
#define PARLEY_USER_REMOTE_H

#include <stddef.h>

#include "server_config.h"

/* Connects to the server cfg describes (its bind address, or 127.0.0.1; its port), with its
 * key, logs in as admin with password, and asks for action ("disable", "enable", "delete" or
 * a role) on account name. Returns 0 with the server's answer in reply, or -1 with why. */
int user_remote_account(const server_config *cfg, const char *admin, const char *password,
                        const char *name, const char *action, char *reply, size_t reply_size);

#endif

/* user_admin.h — `parley-server --user ...`: account administration from the command line. */
#ifndef PARLEY_USER_ADMIN_H
#define PARLEY_USER_ADMIN_H

#include "server_config.h"

/* PBKDF2 iterations of a new verifier. The server never runs PBKDF2 at login (it checks the
 * proof with two HMACs and a SHA-256), so this costs only the client, once per login, and an
 * attacker who steals the store, per guess: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
#define USER_ADMIN_ITERATIONS_DEFAULT 600000u

/* Runs the account command in argv (argv[0] is "--user") on the store in cfg->data_dir;
 * returns a SERVER_EXIT_ code after printing what happened. */
int user_admin_main(const server_config *cfg, int argc, char **argv);

#endif

/* server_setup.h — first-run setup of the server's data directory: the shared secret key and
 * the key-derivation salt, generated once and kept there. */
#ifndef PARLEY_SERVER_SETUP_H
#define PARLEY_SERVER_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "server_config.h"

#define SERVER_SECRET_FILE "secret.key"
#define SERVER_SALT_FILE "server.salt"

/* Makes sure cfg->secret holds the secret: from the config, else from the secret file
 * (secret_file, or <data_dir>/secret.key), else a new random one written there. On success
 * *generated says whether it is new and path (if not NULL) names the file. Then, for a key
 * rotation, the next key into cfg->next_secret (next_secret, else next_secret_file), which
 * must differ from the first. -1 with err. */
int server_secret(server_config *cfg, int *generated, char *path, size_t path_size, char *err,
                  size_t err_size);
/* Reads the server's salt from <data_dir>/server.salt, creating it on first use. */
int server_salt(const server_config *cfg, uint8_t salt[PROTO_SALT_SIZE], char *err,
                size_t err_size);

#endif

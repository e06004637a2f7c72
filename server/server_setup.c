/* server_setup.c — generating and loading the shared secret and the salt in the data directory. */
#include "server_setup.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "hex.h"
#include "secret_text.h"

/* Letters and digits people can read out loud without confusing them (no 0/O, 1/l/I). */
static const char SECRET_ALPHABET[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
#define SECRET_CHARS 32

/* Reads a small text file into out (NUL-terminated) by the rules of a secret's bytes
 * (secret_normalize: no BOM, no trailing white space), which suit the salt's hex line too. */
static int read_small_file(const char *path, char *out, size_t cap, char *err, size_t err_size)
{
    size_t n;
    FILE *f = fsys_fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: cannot open", path);
        return -1;
    }
    n = fread(out, 1, cap - 1, f);
    if (ferror(f)) {
        fclose(f);
        snprintf(err, err_size, "%s: cannot read", path);
        return -1;
    }
    fclose(f);
    out[n] = '\0';
    secret_normalize(out, n);
    return 0;
}

static int write_private_file(const char *path, const void *data, size_t n, char *err,
                              size_t err_size)
{
    FILE *f = fsys_create_private(path);
    char why[128];
    if (!f) {
        snprintf(err, err_size, "%s: cannot create", path);
        return -1;
    }
    if (fwrite(data, 1, n, f) != n || fsys_sync(f, why, sizeof why) != 0) {
        fclose(f);
        fsys_remove(path);
        snprintf(err, err_size, "%s: cannot write", path);
        return -1;
    }
    fclose(f);
    return 0;
}

/* Key rotation: the next key from next_secret or next_secret_file, checked against the first. */
static int next_secret(server_config *cfg, char *err, size_t err_size)
{
    if (cfg->next_secret_file[0] && !cfg->next_secret[0] &&
        read_small_file(cfg->next_secret_file, cfg->next_secret, sizeof cfg->next_secret, err,
                        err_size) != 0)
        return -1;
    if (!cfg->next_secret[0] && !cfg->next_secret_file[0])
        return 0;
    secret_normalize(cfg->next_secret, strlen(cfg->next_secret));
    if (!cfg->next_secret[0]) {
        snprintf(err, err_size, "%s: the next key is empty",
                 cfg->next_secret_file[0] ? cfg->next_secret_file : "next_secret");
        return -1;
    }
    if (strcmp(cfg->next_secret, cfg->secret) == 0) {
        snprintf(err, err_size, "the next key is the same as the current key: a rotation needs a "
                                "new key");
        return -1;
    }
    return 0;
}

static int current_secret(server_config *cfg, int *generated, char *path, size_t path_size,
                          char *err, size_t err_size);

int server_secret(server_config *cfg, int *generated, char *path, size_t path_size, char *err,
                  size_t err_size)
{
    if (current_secret(cfg, generated, path, path_size, err, err_size) != 0)
        return -1;
    return next_secret(cfg, err, err_size);
}

static int current_secret(server_config *cfg, int *generated, char *path, size_t path_size,
                          char *err, size_t err_size)
{
    char file[SERVER_PATH_MAX];
    uint8_t random[SECRET_CHARS];
    size_t i;

    *generated = 0;
    if (path && path_size)
        path[0] = '\0';
    if (cfg->secret[0]) { /* from the settings file: the same rules as a key file */
        secret_normalize(cfg->secret, strlen(cfg->secret));
        if (cfg->secret[0])
            return 0;
        snprintf(err, err_size, "the secret setting holds only white space");
        return -1;
    }
    if (cfg->secret_file[0])
        snprintf(file, sizeof file, "%s", cfg->secret_file);
    else if (fsys_path_join(file, sizeof file, cfg->data_dir, SERVER_SECRET_FILE) != 0) {
        snprintf(err, err_size, "data directory path too long");
        return -1;
    }
    if (path)
        snprintf(path, path_size, "%s", file);
    if (fsys_exists(file)) {
        if (read_small_file(file, cfg->secret, sizeof cfg->secret, err, err_size) != 0)
            return -1;
        if (cfg->secret[0] == '\0') {
            snprintf(err, err_size, "%s: the secret key file is empty", file);
            return -1;
        }
        return 0;
    }
    if (cfg->secret_file[0]) {
        snprintf(err, err_size, "%s: secret_file does not exist", file);
        return -1;
    }
    if (crypto_random(random, sizeof random) != CRYPTO_OK) {
        snprintf(err, err_size, "no randomness for a new secret key");
        return -1;
    }
    /* 56 symbols: rejection-free mapping has a slight bias; 32 chars still give > 180 bits. */
    for (i = 0; i < SECRET_CHARS; i++)
        cfg->secret[i] = SECRET_ALPHABET[random[i] % (sizeof SECRET_ALPHABET - 1)];
    cfg->secret[SECRET_CHARS] = '\0';
    crypto_wipe(random, sizeof random);
    if (write_private_file(file, cfg->secret, SECRET_CHARS, err, err_size) != 0) {
        crypto_wipe(cfg->secret, sizeof cfg->secret);
        return -1;
    }
    *generated = 1;
    return 0;
}

int server_salt(const server_config *cfg, uint8_t salt[PROTO_SALT_SIZE], char *err,
                size_t err_size)
{
    char file[SERVER_PATH_MAX];
    char text[PROTO_SALT_SIZE * 2 + 8];
    size_t i;

    if (fsys_path_join(file, sizeof file, cfg->data_dir, SERVER_SALT_FILE) != 0) {
        snprintf(err, err_size, "data directory path too long");
        return -1;
    }
    if (fsys_exists(file)) {
        if (read_small_file(file, text, sizeof text, err, err_size) != 0)
            return -1;
        if (strlen(text) != PROTO_SALT_SIZE * 2 ||
            hex_decode(text, PROTO_SALT_SIZE * 2, salt, PROTO_SALT_SIZE) != PROTO_SALT_SIZE)
            goto bad;
        return 0;
    }
    if (crypto_random(salt, PROTO_SALT_SIZE) != CRYPTO_OK) {
        snprintf(err, err_size, "no randomness for the salt");
        return -1;
    }
    for (i = 0; i < PROTO_SALT_SIZE; i++)
        snprintf(text + 2 * i, 3, "%02x", salt[i]);
    return write_private_file(file, text, PROTO_SALT_SIZE * 2, err, err_size);

bad:
    snprintf(err, err_size, "%s: expected %d hex digits (delete the file to make a new salt; "
             "clients will derive new keys)", file, PROTO_SALT_SIZE * 2);
    return -1;
}

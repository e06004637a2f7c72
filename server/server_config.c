/* server_config.c — parley-server's settings: defaults, the INI file, and validation. */
#include "server_config.h"

#include <stdio.h>
#include <string.h>

#include "cipher.h"
#include "config.h"
#include "fsys.h"
#include "handshake.h"
#include "log.h"
#include "names.h"
#include "utf8.h"

void server_config_defaults(server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->port = SERVER_PORT_DEFAULT;
    if (fsys_default_data_dir(cfg->data_dir, sizeof cfg->data_dir) != 0)
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "parley-data");
    snprintf(cfg->name, sizeof cfg->name, "Parley");
    snprintf(cfg->motd, sizeof cfg->motd, "Welcome to Parley.");
    cfg->ciphers[0] = PROTO_CIPHER_AES256GCM;
    cfg->nciphers = 1;
    cfg->iterations = HS_ITERATIONS_DEFAULT;
    cfg->forward_secrecy = HS_FS_PREFERRED;
    cfg->max_frame = PROTO_MAX_FRAME_DEFAULT;
    cfg->max_connections = 20000;
    cfg->max_per_ip = 200;
    cfg->connect_rate = 5;
    cfg->connect_burst = 50;
    cfg->max_rooms = 10000;
    cfg->send_queue_total = (uint64_t)1 << 30;
    cfg->announce_max_members = 200;
    snprintf(cfg->auto_join, sizeof cfg->auto_join, "lobby");
    cfg->rate_per_sec = 20;
    cfg->rate_burst = 40;
    cfg->send_queue_max = 4u * 1024u * 1024u;
    cfg->handshake_timeout_ms = 15000;
    cfg->idle_timeout_ms = 60000;
    cfg->ping_timeout_ms = 30000;
    cfg->shutdown_deadline_ms = 5000;
    cfg->max_rooms_per_user = 64;
    cfg->history_per_room = 200;
    cfg->fsync = FSYNC_INTERVAL;
    cfg->fsync_interval_ms = 1000;
    cfg->expire_after_ms = 90ull * 24u * 60u * 60u * 1000u;
    cfg->mailbox_cap = 1000;
    cfg->mailbox_expiry_ms = 30ull * 24u * 60u * 60u * 1000u;
    cfg->private_keep_ms = 365ull * 24u * 60u * 60u * 1000u;
    cfg->alerts_keep_ms = 365ull * 24u * 60u * 60u * 1000u;
    cfg->read_receipts = 1;
    cfg->private_max_bytes = 256ull * 1024u * 1024u;
    cfg->history_max_bytes = 256u * 1024u * 1024u;
    cfg->log_max_bytes = 10u * 1024u * 1024u;
    cfg->log_keep = 5;
    cfg->log_level = LOG_INFO;
    cfg->console = 1;
}

static int set_str(char *dst, size_t cap, const char *value, char *problem, size_t psize)
{
    if (strlen(value) >= cap) {
        snprintf(problem, psize, "value is longer than %zu bytes", cap - 1);
        return -1;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 0;
}

static int set_u32(uint32_t *dst, const char *value, long long min, long long max, char *problem,
                   size_t psize)
{
    long long v;
    if (config_value_int(value, min, max, &v, problem, psize) != 0)
        return -1;
    *dst = (uint32_t)v;
    return 0;
}

static int set_ms(uint64_t *dst, const char *value, uint64_t min, char *problem, size_t psize)
{
    uint64_t v;
    if (config_value_duration_ms(value, &v, problem, psize) != 0)
        return -1;
    if (v < min) {
        snprintf(problem, psize, "must be at least %llu ms", (unsigned long long)min);
        return -1;
    }
    *dst = v;
    return 0;
}

/* "aes-256-gcm, xor": the allowed ciphers in order of preference. */
static int set_ciphers(server_config *cfg, const char *value, char *problem, size_t psize)
{
    char name[32];
    uint8_t list[PROTO_MAX_CIPHERS];
    size_t n = 0, len;
    const char *p = value;

    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        len = strcspn(p, " ,");
        if (len >= sizeof name || n == PROTO_MAX_CIPHERS) {
            snprintf(problem, psize, "unknown cipher list '%s'", value);
            return -1;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        if (!(list[n] = cipher_parse(name))) {
            snprintf(problem, psize, "unknown cipher '%s' (known: aes-256-gcm, xor)", name);
            return -1;
        }
        n++;
        p += len;
    }
    if (n == 0) {
        snprintf(problem, psize, "at least one cipher is needed (aes-256-gcm, xor)");
        return -1;
    }
    memcpy(cfg->ciphers, list, n);
    cfg->nciphers = (uint8_t)n;
    return 0;
}

static int key_is(const char *section, const char *key, const char *want_section,
                  const char *want_key)
{
    return names_equal_ci(section, want_section) && names_equal_ci(key, want_key);
}

int server_config_set(server_config *cfg, const char *section, const char *key,
                      const char *value, char *problem, size_t psize)
{
    long long v;
    uint64_t size;
    int b;

    if (key_is(section, key, "server", "port")) {
        if (config_value_int(value, 0, 65535, &v, problem, psize) != 0)
            return -1;
        cfg->port = (uint16_t)v;
        return 0;
    }
    if (key_is(section, key, "server", "bind"))
        return set_str(cfg->bind, sizeof cfg->bind, value, problem, psize);
    if (key_is(section, key, "server", "data_dir"))
        return set_str(cfg->data_dir, sizeof cfg->data_dir, value, problem, psize);
    if (key_is(section, key, "server", "name"))
        return set_str(cfg->name, sizeof cfg->name, value, problem, psize);
    if (key_is(section, key, "server", "motd"))
        return set_str(cfg->motd, sizeof cfg->motd, value, problem, psize);
    if (key_is(section, key, "server", "auto_join")) {
        /* Room names as JOIN takes them; empty: nobody is put in a room at login. */
        if (value[0] && (strlen(value) > PROTO_ROOM_MAX || strpbrk(value, " ,") ||
                         !utf8_valid_text(value, strlen(value), 0))) {
            snprintf(problem, psize, "'%s' is no room name (1-%d bytes, no spaces or commas)",
                     value, PROTO_ROOM_MAX);
            return -1;
        }
        return set_str(cfg->auto_join, sizeof cfg->auto_join, value, problem, psize);
    }
    if (key_is(section, key, "server", "workers")) {
        if (config_value_int(value, 0, 256, &v, problem, psize) != 0)
            return -1;
        cfg->workers = (int)v;
        return 0;
    }
    if (key_is(section, key, "server", "accept_pool")) {
        if (config_value_int(value, 0, 4096, &v, problem, psize) != 0)
            return -1;
        cfg->accept_pool = (int)v;
        return 0;
    }
    if (key_is(section, key, "security", "ciphers"))
        return set_ciphers(cfg, value, problem, psize);
    if (key_is(section, key, "security", "secret")) {
        if (value[0] == '\0') {
            snprintf(problem, psize, "the secret must not be empty");
            return -1;
        }
        return set_str(cfg->secret, sizeof cfg->secret, value, problem, psize);
    }
    if (key_is(section, key, "security", "secret_file"))
        return set_str(cfg->secret_file, sizeof cfg->secret_file, value, problem, psize);
    if (key_is(section, key, "security", "next_secret"))
        return set_str(cfg->next_secret, sizeof cfg->next_secret, value, problem, psize);
    if (key_is(section, key, "security", "next_secret_file"))
        return set_str(cfg->next_secret_file, sizeof cfg->next_secret_file, value, problem,
                       psize);
    if (key_is(section, key, "security", "iterations"))
        return set_u32(&cfg->iterations, value, HS_ITERATIONS_MIN, HS_ITERATIONS_MAX, problem,
                       psize);
    if (key_is(section, key, "security", "auth")) {
        if (names_equal_ci(value, "key"))
            cfg->auth = AUTH_KEY;
        else if (names_equal_ci(value, "accounts"))
            cfg->auth = AUTH_ACCOUNTS;
        else if (names_equal_ci(value, "windows"))
            cfg->auth = AUTH_WINDOWS;
        else {
            snprintf(problem, psize, "auth must be key, accounts or windows");
            return -1;
        }
        return 0;
    }
    if (key_is(section, key, "security", "forward_secrecy")) {
        if (hs_fs_parse(value, &cfg->forward_secrecy) != 0) {
            snprintf(problem, psize, "forward_secrecy must be required, preferred or off");
            return -1;
        }
        return 0;
    }
    if (key_is(section, key, "security", "oper_password"))
        return set_str(cfg->oper_password, sizeof cfg->oper_password, value, problem, psize);
    if (key_is(section, key, "limits", "max_frame")) {
        if (config_value_size(value, PROTO_MAX_FRAME_HARD, &size, problem, psize) != 0)
            return -1;
        if (size < 4096) {
            snprintf(problem, psize, "must be at least 4k");
            return -1;
        }
        cfg->max_frame = (uint32_t)size;
        return 0;
    }
    if (key_is(section, key, "limits", "max_connections"))
        return set_u32(&cfg->max_connections, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "limits", "max_per_ip"))
        return set_u32(&cfg->max_per_ip, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "limits", "connect_rate"))
        return set_u32(&cfg->connect_rate, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "limits", "connect_burst"))
        return set_u32(&cfg->connect_burst, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "limits", "max_rooms"))
        return set_u32(&cfg->max_rooms, value, 1, 10000000, problem, psize);
    if (key_is(section, key, "limits", "send_queue_total"))
        return config_value_size(value, (uint64_t)1 << 40, &cfg->send_queue_total, problem,
                                 psize);
    if (key_is(section, key, "limits", "announce_max_members"))
        return set_u32(&cfg->announce_max_members, value, 0, 10000000, problem, psize);
    if (key_is(section, key, "limits", "rate"))
        return set_u32(&cfg->rate_per_sec, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "limits", "burst"))
        return set_u32(&cfg->rate_burst, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "limits", "send_queue_max"))
        return config_value_size(value, (uint64_t)1 << 34, &cfg->send_queue_max, problem, psize);
    if (key_is(section, key, "limits", "handshake_timeout"))
        return set_ms(&cfg->handshake_timeout_ms, value, 100, problem, psize);
    if (key_is(section, key, "limits", "idle_timeout"))
        return set_ms(&cfg->idle_timeout_ms, value, 100, problem, psize);
    if (key_is(section, key, "limits", "ping_timeout"))
        return set_ms(&cfg->ping_timeout_ms, value, 100, problem, psize);
    if (key_is(section, key, "limits", "shutdown_deadline"))
        return set_ms(&cfg->shutdown_deadline_ms, value, 0, problem, psize);
    if (key_is(section, key, "limits", "max_rooms_per_user"))
        return set_u32(&cfg->max_rooms_per_user, value, 1, 10000, problem, psize);
    if (key_is(section, key, "history", "per_room"))
        return set_u32(&cfg->history_per_room, value, 0, 100000, problem, psize);
    if (key_is(section, key, "history", "fsync")) {
        if (names_equal_ci(value, "always"))
            cfg->fsync = FSYNC_ALWAYS;
        else if (names_equal_ci(value, "interval"))
            cfg->fsync = FSYNC_INTERVAL;
        else if (names_equal_ci(value, "never"))
            cfg->fsync = FSYNC_NEVER;
        else {
            snprintf(problem, psize, "fsync must be always, interval or never");
            return -1;
        }
        return 0;
    }
    if (key_is(section, key, "history", "fsync_interval"))
        return set_ms(&cfg->fsync_interval_ms, value, 1, problem, psize);
    if (key_is(section, key, "history", "expire_after"))
        return set_ms(&cfg->expire_after_ms, value, 0, problem, psize);
    if (key_is(section, key, "history", "max_bytes"))
        return config_value_size(value, (uint64_t)1 << 40, &cfg->history_max_bytes, problem,
                                 psize);
    if (key_is(section, key, "private", "mailbox_cap"))
        return set_u32(&cfg->mailbox_cap, value, 1, 1000000, problem, psize);
    if (key_is(section, key, "private", "mailbox_expiry"))
        return set_ms(&cfg->mailbox_expiry_ms, value, 0, problem, psize);
    if (key_is(section, key, "private", "keep"))
        return set_ms(&cfg->private_keep_ms, value, 0, problem, psize);
    if (key_is(section, key, "alerts", "keep"))
        return set_ms(&cfg->alerts_keep_ms, value, 0, problem, psize);
    if (key_is(section, key, "private", "max_bytes"))
        return config_value_size(value, (uint64_t)1 << 40, &cfg->private_max_bytes, problem,
                                 psize);
    if (key_is(section, key, "private", "read_receipts")) {
        if (config_value_bool(value, &b, problem, psize) != 0)
            return -1;
        cfg->read_receipts = b;
        return 0;
    }
    if (key_is(section, key, "log", "file"))
        return set_str(cfg->log_file, sizeof cfg->log_file, value, problem, psize);
    if (key_is(section, key, "log", "max_size"))
        return config_value_size(value, (uint64_t)1 << 40, &cfg->log_max_bytes, problem, psize);
    if (key_is(section, key, "log", "keep"))
        return set_u32(&cfg->log_keep, value, 0, 100, problem, psize);
    if (key_is(section, key, "log", "level")) {
        int level = log_level_parse(value);
        if (level < 0) {
            snprintf(problem, psize, "level must be debug, info, warn, error or off");
            return -1;
        }
        cfg->log_level = level;
        return 0;
    }
    if (key_is(section, key, "log", "console")) {
        if (config_value_bool(value, &b, problem, psize) != 0)
            return -1;
        cfg->console = b;
        return 0;
    }
    if (names_equal_ci(section, "signon"))
        return signon_config_set(cfg, key, value, problem, psize);
    if (section[0] == '\0')
        snprintf(problem, psize, "'%s' must be inside a section such as [server]", key);
    else
        snprintf(problem, psize, "unknown setting '%s' in [%s]", key, section);
    return -1;
}

static int on_setting(void *user, const char *section, const char *key, const char *value,
                      char *problem, size_t psize)
{
    return server_config_set(user, section, key, value, problem, psize);
}

int server_config_load(server_config *cfg, const char *path, char *err, size_t err_size)
{
    if (config_parse_file(path, on_setting, cfg, err, err_size) != 0)
        return -1;
    snprintf(cfg->config_path, sizeof cfg->config_path, "%s", path);
    return 0;
}

int server_config_log_path(const server_config *cfg, char *out, size_t out_size)
{
    if (out_size == 0)
        return -1;
    out[0] = '\0';
    if (strcmp(cfg->log_file, "-") == 0)
        return -1;
    if (cfg->log_file[0]) {
        if ((size_t)snprintf(out, out_size, "%s", cfg->log_file) >= out_size) {
            out[0] = '\0';
            return -1;
        }
        return 0;
    }
    return fsys_path_join(out, out_size, cfg->data_dir, "parley-server.log");
}

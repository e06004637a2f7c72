/* server_config.h — every setting of parley-server, its default, and loading from the INI file
 * and the command line. */
#ifndef PARLEY_SERVER_CONFIG_H
#define PARLEY_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "proto.h"

#define SERVER_PORT_DEFAULT 7420
#define SERVER_PATH_MAX 512

typedef enum fsync_policy {
    FSYNC_ALWAYS = 0,   /* every acknowledged message is on disk before it is delivered */
    FSYNC_INTERVAL = 1, /* flushed at once, synced every fsync_interval_ms */
    FSYNC_NEVER = 2     /* flushed at once, synced when the OS decides */
} fsync_policy;

/* [security] auth: the shared key alone, or the key and then an account's password, or the key
 * and then Windows sign-on (Kerberos) to an account ([signon] settings). */
typedef enum server_auth { AUTH_KEY = 0, AUTH_ACCOUNTS = 1, AUTH_WINDOWS = 2 } server_auth;

#define SIGNON_REALMS_MAX 512
#define SIGNON_ALLOW_MAX 2048

typedef struct server_config {
    /* [server] */
    char config_path[SERVER_PATH_MAX]; /* where it was loaded from ("" = defaults only) */
    char bind[64];                     /* "" = every address */
    uint16_t port;
    char data_dir[SERVER_PATH_MAX];
    char name[PROTO_NAME_MAX + 1];
    char motd[PROTO_TEXT_MAX + 1];
    int workers;                       /* IOCP worker threads, 0 = processors */
    int accept_pool;                   /* IOCP AcceptEx pool, 0 = default */
    char auto_join[PROTO_ROOM_MAX + 1]; /* room every user joins at login; "" = none */
    /* [security] */
    uint8_t ciphers[PROTO_MAX_CIPHERS]; /* allowed, in order of preference */
    uint8_t nciphers;
    char secret[1025];                 /* "" until loaded or generated */
    char secret_file[SERVER_PATH_MAX]; /* "" = <data_dir>/secret.key */
    char next_secret[1025];            /* key rotation: the next key, also accepted; "" = none */
    char next_secret_file[SERVER_PATH_MAX]; /* where next_secret is read from; "" = none */
    uint32_t iterations;               /* PBKDF2 iterations */
    char oper_password[PROTO_NAME_MAX + 1]; /* "" = no operators */
    int auth;                          /* server_auth: who may log in */
    hs_fs_policy forward_secrecy;      /* whether clients without the ECDH exchange may connect */
    /* [limits] */
    uint32_t max_frame;
    uint32_t max_connections;
    uint32_t max_per_ip;               /* connections per address (IPv6: per /64) */
    uint32_t connect_rate;             /* new connections a second per address ... */
    uint32_t connect_burst;            /* ... in bursts of up to this many */
    uint32_t max_rooms;                /* rooms on the server (with members or history) */
    uint64_t send_queue_total;         /* bytes queued to all clients together */
    uint32_t announce_max_members;     /* larger rooms get counts, not JOIN/PART/QUIT */
    uint32_t rate_per_sec;             /* sustained client frames per second */
    uint32_t rate_burst;               /* token bucket size */
    uint64_t send_queue_max;           /* bytes queued to one client before it is cut */
    uint64_t handshake_timeout_ms;
    uint64_t idle_timeout_ms;          /* silence after which the server pings ... */
    uint64_t ping_timeout_ms;          /* ... and then waits this long for any frame */
    uint64_t shutdown_deadline_ms;
    uint32_t max_rooms_per_user;
    /* [history] */
    uint32_t history_per_room;
    fsync_policy fsync;
    uint64_t fsync_interval_ms;
    uint64_t expire_after_ms;          /* empty rooms' history goes after this long; 0 = never */
    uint64_t history_max_bytes;        /* all rooms' history together (journal compaction) */
    /* [log] */
    char log_file[SERVER_PATH_MAX];    /* "" = <data_dir>/parley-server.log; "-" = none */
    uint64_t log_max_bytes;
    uint32_t log_keep;
    int log_level;                     /* log_level */
    int console;                       /* also log to the console */
    /* [private] stored private messages (auth = accounts) */
    uint32_t mailbox_cap;              /* messages waiting for one offline account */
    uint64_t mailbox_expiry_ms;        /* a waiting message is dropped after this; 0 = never */
    uint64_t private_keep_ms;          /* delivered ones are kept this long; 0 = for ever */
    int read_receipts;                 /* readers' peers may hear that they read */
    uint64_t private_max_bytes;        /* all stored private messages together */
    /* [signon] (auth = windows; signon_config.c) */
    char signon_realms[SIGNON_REALMS_MAX]; /* realms and domains whose users sign on */
    char signon_allow[SIGNON_ALLOW_MAX];   /* allow-list of principals and realms; "" = all */
    char signon_keytab[SERVER_PATH_MAX];   /* Linux: the service's keytab; "" = KRB5_KTNAME */
    int signon_allow_ntlm;                 /* NTLM may be negotiated (off by default) */
    int signon_auto_create;                /* an account is made at a user's first sign-on */
    int signon_auto_create_role;           /* ... with this role (user_role; default user) */
    /* Windows group rules (Windows servers): group names separated by commas; "" = none */
    char signon_allow_groups[SIGNON_ALLOW_MAX];    /* only members of one of these sign on */
    char signon_operator_groups[SIGNON_ALLOW_MAX]; /* members are operators */
    char signon_admin_groups[SIGNON_ALLOW_MAX];    /* members are admins */
    /* [alerts] */
    uint64_t alerts_keep_ms;           /* finished alerts are kept this long; 0 = for ever */
} server_config;

/* [signon] settings (signon_config.c), called by server_config_set for that section. */
int signon_config_set(server_config *cfg, const char *key, const char *value, char *problem,
                      size_t problem_size);

/* Fills cfg with defaults (paths from the platform's conventions). */
void server_config_defaults(server_config *cfg);
/* Loads an INI file over cfg. On error writes "file:line: problem" into err and returns -1. */
int server_config_load(server_config *cfg, const char *path, char *err, size_t err_size);
/* The log file these settings name: `file`, else parley-server.log in data_dir. -1 (out = "")
 * when there is none ("-") or it does not fit. */
int server_config_log_path(const server_config *cfg, char *out, size_t out_size);
/* Applies one setting by section and key (used by the file loader and by tests). */
int server_config_set(server_config *cfg, const char *section, const char *key,
                      const char *value, char *problem, size_t problem_size);

#endif

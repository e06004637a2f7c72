/* users.h — the account store: login name, display name, role, disabled flag, SCRAM-SHA-256
 * verifier (never a password), created and last-seen times; kept in memory and persisted in
 * the journal "users.journal" in the data directory, crash-safe like history and bans.
 * Login names follow uname.h (any script, NFC) and are unique up to case and normalisation.
 * One process at a time holds the store ("users.lock"). Portable; not thread-safe. */
#ifndef PARLEY_USERS_H
#define PARLEY_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "proto.h"
#include "scram.h"

#define USERS_JOURNAL_NAME "users.journal"
#define USERS_LOCK_NAME "users.lock"
#define USERS_LOGIN_MAX PROTO_NICK_MAX /* bytes, NFC: the login name is the nick online */
#define USERS_DISPLAY_MAX 64u          /* bytes, NFC */
/* last_seen is written to disk at most this often per account, so logins cost no disk sync. */
#define USERS_SEEN_GRANULARITY_MS 60000u

typedef enum user_role {
    USER_ROLE_USER = 0,
    USER_ROLE_OPERATOR = 1, /* kick, ban, wall: what OPER grants in key mode */
    USER_ROLE_ADMIN = 2,    /* operator, and manages accounts */
    USER_ROLE_ALERT = 3     /* sends alerts and nothing else (scripts, monitoring) */
} user_role;

/* 1 if the role may send alerts (operator, admin, alert). */
int users_role_alerts(user_role r);

typedef struct user_info {
    char login[USERS_LOGIN_MAX + 1];
    char display[USERS_DISPLAY_MAX + 1];
    user_role role;
    int disabled;
    scram_verifier verifier;
    uint64_t created_ms;   /* wall clock ms since 1970 */
    uint64_t last_seen_ms; /* 0 = never logged in */
} user_info;

typedef struct users users;

/* Opens the store in dir (created if missing): takes users.lock, loads users.journal (a torn
 * tail is cut and reported in *rec, which may be NULL) and compacts it. Returns the store
 * (caller owns; users_close) or NULL with err filled; *busy (may be NULL) is set to 1 when the
 * failure is that another process (a running server) holds the store. */
users *users_open(const char *dir, journal_recovery *rec, int *busy, char *err, size_t err_size);
void users_close(users *u);

/* Name of a role ("user", "operator", "admin", "alert") and back; -1 for an unknown name. */
const char *users_role_name(user_role r);
int users_role_parse(const char *s, user_role *out);

/* Adds an account. login and display (may be NULL or "": the login is used) are checked with
 * uname_prepare and stored in NFC. Refused, with err saying why, if the name is invalid or is
 * the same name as an existing account's up to case and normalisation. Persisted (synced)
 * before it returns 0. */
int users_add(users *u, const char *login, const char *display, user_role role,
              const scram_verifier *v, uint64_t now_ms, char *err, size_t err_size);

/* Changes to an existing account, found by any spelling of its name (case, normalisation);
 * each is persisted before it returns 0; -1 with err (no such account, invalid value, write
 * error) and nothing changed. */
int users_set_verifier(users *u, const char *login, const scram_verifier *v, char *err,
                       size_t err_size);
int users_set_role(users *u, const char *login, user_role role, char *err, size_t err_size);
int users_set_disabled(users *u, const char *login, int disabled, char *err, size_t err_size);
int users_set_display(users *u, const char *login, const char *display, char *err,
                      size_t err_size);
int users_delete(users *u, const char *login, char *err, size_t err_size);
/* Records a login at now_ms; written to disk only if the stored time is older than
 * USERS_SEEN_GRANULARITY_MS (the newest time is written at close in any case). */
int users_touch(users *u, const char *login, uint64_t now_ms, char *err, size_t err_size);

/* 1 and *out filled (may be NULL) if name is an account's, by any spelling; 0 if not. */
int users_find(const users *u, const char *name, user_info *out);

/* Calls fn for each account in login order (by comparison key); stop by returning nonzero.
 * Returns the number listed. */
typedef int (*users_list_fn)(void *user, const user_info *info);
size_t users_list(const users *u, users_list_fn fn, void *user);
size_t users_count(const users *u);
/* The iteration count most accounts' verifiers use (ties: the larger), or fallback when there
 * are no accounts: what a decoy for an unknown name should show to look like an account. */
uint32_t users_typical_iterations(const users *u, uint32_t fallback);

#endif

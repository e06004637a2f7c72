/* bans.h — bans by nick (any spelling of the name: case and normalisation, see uname.h) or by address (an exact numeric IPv4/IPv6
 * address, or a CIDR block such as "10.0.0.0/8" or "2001:db8::/32"), each with an expiry and a
 * reason, kept in memory and persisted in the journal "bans.journal" in the data directory.
 * Portable. Not thread-safe: the chat core serializes calls (with a writer thread, only that
 * thread touches the journal file). */
#ifndef PARLEY_BANS_H
#define PARLEY_BANS_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "journal_writer.h"

#define BANS_JOURNAL_NAME "bans.journal"
#define BANS_TARGET_MAX 128u /* longest nick or address text */
#define BANS_REASON_MAX 255u
#define BANS_BY_MAX 128u

typedef enum ban_kind {
    BAN_NICK = 1, /* target is a nick; matched in any case and normalisation */
    BAN_ADDR = 2  /* target is a numeric address or CIDR block; IPv4-mapped IPv6 addresses
                     ("::ffff:192.0.2.1") match IPv4 bans */
} ban_kind;

typedef struct bans bans;

/* One ban as seen by callbacks and checks. In callbacks the strings are borrowed for the call;
 * bans_check copies them into a ban_info it fills (fixed arrays, see below). */
typedef struct ban_view {
    ban_kind kind;
    const char *target;  /* as given to bans_add */
    uint64_t expires_ms; /* wall clock ms since 1970; 0 = permanent */
    uint64_t set_ms;     /* when it was set */
    const char *reason;  /* "" if none */
    const char *by;      /* who set it; "" if unknown */
} ban_view;

/* A matching ban, copied for the caller. */
typedef struct ban_info {
    ban_kind kind;
    char target[BANS_TARGET_MAX + 1];
    uint64_t expires_ms;
    uint64_t set_ms;
    char reason[BANS_REASON_MAX + 1];
    char by[BANS_BY_MAX + 1];
} ban_info;

/* Opens the bans in dir (created if missing): loads "bans.journal", drops bans expired at
 * now_ms (wall clock), and rewrites the journal with what remains. Ban changes are synced to
 * disk before bans_add/bans_remove return. A cut torn tail is reported in *rec (may be NULL).
 * Returns the set (caller owns; bans_close) or NULL with err filled. */
bans *bans_open(const char *dir, uint64_t now_ms, journal_recovery *rec, char *err,
                size_t err_size);
void bans_close(bans *b);

/* Adds a ban, or replaces the ban with the same kind and target. expires_ms: wall clock ms,
 * 0 = permanent. reason and by may be NULL. An address target must be a numeric IPv4/IPv6
 * address, optionally with "/prefix". Persisted first: returns -1 with err filled (and nothing
 * changed) on invalid arguments or a write error, else 0. */
int bans_add(bans *b, ban_kind kind, const char *target, uint64_t expires_ms,
             const char *reason, const char *by, uint64_t now_ms, char *err, size_t err_size);
/* Removes the ban with this kind and target (nick: any spelling; address: same address or
 * block). Returns 1 if one was removed, 0 if there was none, -1 with err on a write error. */
int bans_remove(bans *b, ban_kind kind, const char *target, char *err, size_t err_size);

/* ---- with a writer thread: changes written off the caller's thread ----
 * After bans_start_writer, changes go through bans_submit_*: the record is queued for the
 * writer thread (its own, for bans.journal, synced before it reports) and the change takes
 * effect in memory only when bans_collect reports it written, so a ban is acknowledged only
 * once it is on disk. bans_add/bans_remove must not be used then. */

/* Starts the writer; notify is called on its thread when results are ready. -1 with err. */
int bans_start_writer(bans *b, jw_notify_fn notify, void *user, char *err, size_t err_size);

/* bans_add / bans_remove, queued. Add: 0 when queued. Remove: 1 when queued, 0 if there is
 * no such ban. Both: -1 with err on invalid arguments or out of memory. owner is handed back
 * by bans_collect. */
int bans_submit_add(bans *b, ban_kind kind, const char *target, uint64_t expires_ms,
                    const char *reason, const char *by, uint64_t now_ms, void *owner,
                    char *err, size_t err_size);
int bans_submit_remove(bans *b, ban_kind kind, const char *target, void *owner, char *err,
                       size_t err_size);

/* One finished change: written (ok 1, and now in effect) or not (ok 0, err says why, nothing
 * changed). The view's strings are borrowed for the call. */
typedef void (*bans_done_fn)(void *user, int removed, const ban_view *ban, void *owner, int ok,
                             const char *err);
/* Applies and reports the changes written so far, in order. Returns how many. */
size_t bans_collect(bans *b, bans_done_fn fn, void *user);
/* Forgets owner (it is going away): its changes still take effect, reported with owner NULL. */
void bans_disown(bans *b, const void *owner);

/* 1 if nick (may be NULL) or addr (numeric, may be NULL) is banned at now_ms, filling *out
 * (may be NULL) with the matching ban; 0 if not. Expired bans never match. */
int bans_check(const bans *b, const char *nick, const char *addr, uint64_t now_ms,
               ban_info *out);

/* Calls fn for every ban not expired at now_ms. Return 0 to go on, nonzero to stop.
 * Returns the number listed. */
typedef int (*bans_list_fn)(void *user, const ban_view *ban);
size_t bans_list(const bans *b, uint64_t now_ms, bans_list_fn fn, void *user);

/* Forgets bans expired at now_ms (memory only: the journal drops them at the next open). */
size_t bans_expire(bans *b, uint64_t now_ms);
size_t bans_count(const bans *b);

#endif

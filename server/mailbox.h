/* mailbox.h — the private message store (auth = accounts): every private conversation's
 * messages, which of them still wait for an offline recipient, how far each account has read
 * each conversation and its receipt setting, kept in memory and in the journal
 * "private.journal" in the data directory (CRC-checked records, torn tail cut at open,
 * written on a thread of its own like room history). Accounts are named by their canonical
 * login (users.h); message ids come from the history's id sequence (history_take_id), so
 * they never repeat across restarts. Portable.
 *
 * Not thread-safe: the chat core serializes calls (one lock or one thread). */
#ifndef PARLEY_MAILBOX_H
#define PARLEY_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "server_config.h"

#define MAILBOX_JOURNAL_NAME "private.journal"
#define MAILBOX_NAME_MAX 255u
#define MAILBOX_TEXT_MAX 65535u

typedef struct mailbox mailbox;

/* One stored message as seen by callbacks; pointers are borrowed for the call only. */
typedef struct mailbox_msg {
    uint64_t id;
    uint64_t time_ms; /* wall clock ms since 1970 */
    uint8_t flags;    /* as sent: PROTO_FLAG_ACTION for an action (/me) */
    const char *from;
    const char *to;
    const char *text; /* NUL-terminated; text_len bytes */
    size_t text_len;
    int waiting;      /* not yet delivered to any session of `to` */
    int forgotten;    /* mailbox_collect only: its account was forgotten while it was written;
                       * the store does not keep it and nobody should get it */
} mailbox_msg;

/* Opens the store in dir (created if missing) and loads its journal; a torn or corrupt tail is
 * cut and described in *rec (may be NULL; log it). fsync/interval_ms as in journal_open.
 * Returns the store (caller owns; mailbox_close) or NULL with err filled. */
mailbox *mailbox_open(const char *dir, fsync_policy fsync, uint64_t interval_ms,
                      journal_recovery *rec, char *err, size_t err_size);
/* Writes what is queued, syncs and frees everything. NULL is ignored. */
void mailbox_close(mailbox *mb);

/* From now on the journal is written on its own thread (journal_writer.h); notify is called
 * there when results are ready and the owner then calls mailbox_collect on its thread.
 * Without a writer every call writes synchronously (tools and tests). */
int mailbox_start_writer(mailbox *mb, void (*notify)(void *user), void *user,
                         uint64_t interval_ms, char *err, size_t err_size);

/* Stores a message from one account to another, with the wire flags it was sent with (kept and
 * given back in mailbox_msg.flags; the store does not interpret them). It counts as waiting for `to` at once. With a
 * writer: queued; returns 0 and the message comes back through mailbox_collect, with tag and
 * owner (borrowed), once written. Without one: written now, returns 1. -1 with err filled
 * (bad arguments, out of memory, or a failed synchronous write: nothing stored). */
int mailbox_submit(mailbox *mb, uint64_t id, uint64_t time_ms, uint8_t flags, const char *from,
                   const char *to, const char *text, size_t text_len, uint32_t tag, void *owner,
                   char *err, size_t err_size);
/* The owner is going away: its messages still come back, with owner NULL. */
void mailbox_disown(mailbox *mb, const void *owner);
/* For each submitted message the writer is done with, in order: it joins the store, then
 * fn(user, message, tag, owner, saved, err) — saved 0 when the write failed (err says why;
 * the message is kept in memory only). Returns how many were handled. */
typedef void (*mailbox_done_fn)(void *user, const mailbox_msg *m, uint32_t tag, void *owner,
                                int saved, const char *err);
size_t mailbox_collect(mailbox *mb, mailbox_done_fn fn, void *user);

/* Every message to account with id <= up_to has reached one of its sessions (the mark only
 * moves forward). Journaled. 0, or -1 with err (out of memory). */
int mailbox_set_delivered(mailbox *mb, const char *account, uint64_t up_to, char *err,
                          size_t err_size);
uint64_t mailbox_delivered(const mailbox *mb, const char *account);
/* The account is gone (deleted): drops every message from or to it, stored or still being
 * written (those still come back through mailbox_collect, but do not join the store), its
 * marks, receipt setting and untold expiries, and other accounts' read marks and untold
 * expiries that name it. Journaled (a record of its own), so a restart does not bring any of
 * it back. 0, or -1 with err (nothing forgotten). */
int mailbox_forget(mailbox *mb, const char *account, char *err, size_t err_size);
/* Messages (stored or still being written) waiting for account. */
size_t mailbox_waiting(const mailbox *mb, const char *account);
/* reader has read the conversation with peer up to id (only moves forward). Journaled.
 * Returns 1 if the mark moved, 0 if it did not, -1 with err (out of memory). */
int mailbox_set_read(mailbox *mb, const char *reader, const char *peer, uint64_t up_to,
                     char *err, size_t err_size);
uint64_t mailbox_read(const mailbox *mb, const char *reader, const char *peer);
/* The account's read receipt setting (1 = its reading is reported, the default). Journaled. */
int mailbox_set_receipts(mailbox *mb, const char *account, int on, char *err, size_t err_size);
int mailbox_receipts(const mailbox *mb, const char *account);

/* Return 0 to go on, nonzero to stop. */
typedef int (*mailbox_msg_fn)(void *user, const mailbox_msg *m);
/* Calls fn, oldest first, for account's messages (sent or received) with after < id < before
 * (before 0 = no bound): when more than max (0 = no limit) match, the newest max of them, plus
 * every older one still waiting for account (those are never left out). Returns how many. */
size_t mailbox_range(const mailbox *mb, const char *account, uint64_t after, uint64_t before,
                     size_t max, mailbox_msg_fn fn, void *user);
/* One conversation of an account: peer; last_mine = id of the newest message from account to
 * peer, 0 if none; last_theirs likewise the other way. */
typedef int (*mailbox_peer_fn)(void *user, const char *peer, uint64_t last_mine,
                               uint64_t last_theirs);
/* Lists account's conversations with retained messages. Returns how many. */
size_t mailbox_peers(const mailbox *mb, const char *account, mailbox_peer_fn fn, void *user);
/* Calls fn for every retained message, oldest first (search indexes them at start). Returns
 * how many were given. */
size_t mailbox_each(const mailbox *mb, mailbox_msg_fn fn, void *user);
/* The retained message with this id into *out (borrowed until the store changes): 1, or 0 if
 * it is not kept (never stored, or dropped since). */
int mailbox_find(const mailbox *mb, uint64_t id, mailbox_msg *out);
/* Calls fn for every account the store keeps anything of (messages, marks, settings), with
 * the wall clock time of its newest retained message, 0 if none. fn must not change the store.
 * Returns how many were given. */
typedef int (*mailbox_account_fn)(void *user, const char *account, uint64_t newest_ms);
size_t mailbox_accounts(const mailbox *mb, mailbox_account_fn fn, void *user);
/* The newest retained message id involving account, 0 if none. */
uint64_t mailbox_last_id(const mailbox *mb, const char *account);

/* The sender `from` of message id to `to`, which expired, was not logged in to hear it: kept
 * (journaled) until mailbox_take_untold. 0, or -1 with err. */
int mailbox_add_untold(mailbox *mb, const char *from, const char *to, uint64_t id, char *err,
                       size_t err_size);
/* Calls fn, oldest first, for each of account's expired messages it has not heard of, then
 * forgets them (journaled: a restart does not tell again). Returns how many; err is "" unless
 * the journal write failed. */
typedef void (*mailbox_untold_fn)(void *user, uint64_t id, const char *to);
size_t mailbox_take_untold(mailbox *mb, const char *account, mailbox_untold_fn fn, void *user,
                           char *err, size_t err_size);

/* Drops messages still waiting that were sent before waiting_before_ms (0 = none), calling
 * expired (may be NULL; it may call mailbox_add_untold) for each before it goes (journaled, so a restart does not bring them
 * back), and delivered messages sent before any_before_ms (0 = none). Returns how many were
 * dropped; compaction makes it reach the disk. */
size_t mailbox_expire(mailbox *mb, uint64_t waiting_before_ms, uint64_t any_before_ms,
                      mailbox_msg_fn expired, void *user);
/* When the retained messages take more than max_bytes (mailbox_bytes), drops the oldest
 * delivered ones until they take 90 % of it; messages still waiting are never dropped here
 * (mailbox_cap bounds them). Returns how many were dropped; compaction makes it reach the
 * disk. */
size_t mailbox_enforce_budget(mailbox *mb, uint64_t max_bytes);
/* What the retained messages count against the budget: their names and text plus 48 bytes. */
uint64_t mailbox_bytes(const mailbox *mb);

/* Periodic upkeep (about once a second, monotonic clock): syncs for FSYNC_INTERVAL without a
 * writer, and compacts the journal once it holds far more records than the store needs.
 * 0, or -1 with err (the store stays usable). */
int mailbox_tick(mailbox *mb, uint64_t now_ms, char *err, size_t err_size);

/* Messages retained; journal records (including queued ones). */
size_t mailbox_count(const mailbox *mb);
uint64_t mailbox_journal_records(const mailbox *mb);

#endif

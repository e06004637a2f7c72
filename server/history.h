/* history.h — room message history: the last N messages of every room in memory (a ring per
 * room), backed by the journal "history.journal" in the data directory so it survives
 * restarts. Private messages are never stored here. Room names match case-insensitively
 * (ASCII folding, see names.h). Portable.
 *
 * Not thread-safe: the chat core serializes calls (one lock or one thread). */
#ifndef PARLEY_HISTORY_H
#define PARLEY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "server_config.h"

#define HISTORY_JOURNAL_NAME "history.journal"
/* Longest fields the journal format carries (the core enforces the tighter PROTO_* limits). */
#define HISTORY_ROOM_MAX 255u
#define HISTORY_NICK_MAX 255u
#define HISTORY_TEXT_MAX 65535u

typedef struct history history;

/* One stored message as seen by callbacks. All pointers are borrowed for the call only. */
typedef struct history_msg {
    uint64_t id;      /* unique and increasing across all rooms */
    uint64_t time_ms; /* wall-clock ms since 1970 as given to history_add */
    uint8_t flags;    /* as given to history_add (the core's own bits) */
    const char *room; /* as spelled when the message was sent */
    const char *nick;
    const char *text; /* NUL-terminated; text_len bytes */
    size_t text_len;
} history_msg;

/* Opens the history in dir (created if missing): loads "history.journal", restoring each
 * room's last per_room messages and the next id (largest id + 1); the first history_tick
 * compacts the journal if it holds far more than is retained. A torn or corrupt journal tail
 * is cut off and described in *rec (may be NULL): log it as a notice. fsync/interval_ms: as
 * in journal_open.
 * per_room 0 keeps no history at all (messages still get ids, for live delivery).
 * Returns the history (caller owns; history_close) or NULL with err filled. */
history *history_open(const char *dir, uint32_t per_room, fsync_policy fsync,
                      uint64_t interval_ms, journal_recovery *rec, char *err, size_t err_size);
/* Syncs the journal (best effort) and frees everything. NULL is ignored. */
void history_close(history *h);

/* Stores a room message: assigns the next id, appends it to the journal FIRST (synced per the
 * fsync policy), then to the room's ring (dropping the room's oldest beyond per_room).
 * Returns 0 and *id_out, or -1 with err filled and nothing stored and no id assigned.
 *
 * When it fails because the disk is full or unwritable, live chat need not stop: log err and
 * call history_add_volatile with the same arguments to get an id and deliver the message.
 * The journal stays usable; later history_add calls retry the disk. */
int history_add(history *h, const char *room, const char *nick, const char *text,
                uint64_t time_ms, uint8_t flags, uint64_t *id_out, char *err, size_t err_size);
/* Same, memory only: the message goes to the ring (so joiners still see it) but not to the
 * journal, so a restart forgets it unless a later compaction rewrites it from the ring (then it
 * is kept like any other). Its id is not reused while the server runs; if the server restarts
 * before any later message reached the disk, ids after the last stored one are handed out
 * again. Fails only on invalid arguments or out of memory. */
int history_add_volatile(history *h, const char *room, const char *nick, const char *text,
                         uint64_t time_ms, uint8_t flags, uint64_t *id_out, char *err,
                         size_t err_size);

/* Periodic upkeep (call about once a second with a monotonic clock): syncs the journal for
 * FSYNC_INTERVAL and compacts it when it holds more than 4x the retained messages.
 * Returns 0, or -1 with err filled (log it; the history stays usable and retries later). */
int history_tick(history *h, uint64_t now_ms, char *err, size_t err_size);
/* Is this room in use (members present)? For history_expire. */
typedef int (*history_in_use_fn)(void *user, const char *room);
/* Drops the whole history of every room whose newest message is older than older_than_ms
 * (wall clock, as given to history_add) and that in_use (may be NULL) says is not in use.
 * Logs each room. Returns the rooms dropped; history_compact makes it reach the disk. */
size_t history_expire(history *h, uint64_t older_than_ms, history_in_use_fn in_use, void *user);
/* When the retained messages take more than max_bytes (history_bytes), drops the oldest
 * messages of the least recently used room (whose newest message is oldest), then of the
 * next, until they take 90 % of max_bytes, logging each room trimmed. Returns the messages
 * dropped; history_compact makes it reach the disk. */
size_t history_enforce_budget(history *h, uint64_t max_bytes);
/* Bytes the retained messages count against the budget. */
uint64_t history_bytes(const history *h);
/* Rewrites the journal now with exactly the retained messages. -1 with err on failure. */
int history_compact(history *h, char *err, size_t err_size);

/* Return 0 to go on, nonzero to stop early. */
typedef int (*history_msg_fn)(void *user, const history_msg *m);
/* Calls fn, oldest first, for the room's retained messages with id > after_id (0 = all);
 * when more than max match (max 0 = no limit) only the newest max are given.
 * Returns how many were given (0 if the room has no history). */
size_t history_each(const history *h, const char *room, uint64_t after_id, size_t max,
                    history_msg_fn fn, void *user);

/* The general form: messages with after_id < id < before_id (before_id 0 = no upper bound),
 * oldest first; when more than max match (max 0 = no limit) only the oldest max (oldest = 1,
 * for paging forward) or the newest max (oldest = 0) are given. Returns how many. */
size_t history_range(const history *h, const char *room, uint64_t after_id, uint64_t before_id,
                     size_t max, int oldest, history_msg_fn fn, void *user);
/* Calls fn once for the room's retained message with this id (binary search) and returns 1;
 * 0 if the room keeps no such message (never sent there, or dropped since). */
int history_find(const history *h, const char *room, uint64_t id, history_msg_fn fn, void *user);
/* 1 if the room has any history (a room exists while it has history), else 0. */
int history_room_exists(const history *h, const char *room);
/* Rooms with history (an upper bound: a room whose only message failed to reach the journal
 * is counted until the next restart). */
size_t history_room_count(const history *h);

/* room: as spelled by its latest message; count: retained messages; last_id: newest id.
 * Return 0 to go on, nonzero to stop. */
typedef int (*history_room_fn)(void *user, const char *room, size_t count, uint64_t last_id);
/* Lists every room with history (in no particular order). Returns the number listed. */
size_t history_rooms(const history *h, history_room_fn fn, void *user);

/* An id for a message that is not stored (a private message): from the same sequence as room
 * messages, so ids never repeat, and covered by a durable mark (idmark.h) so that they do not
 * repeat after a restart either. -1 with err if the mark cannot be written. */
int history_take_id(history *h, uint64_t *id_out, char *err, size_t err_size);
/* ---- the journal on a writer thread (the server's way; history_add is the synchronous one,
 * for tools and tests, and must not be used once a writer runs) ---- */

/* Starts the writer thread (journal_writer.h); from now on the journal is written, synced
 * every interval_ms (FSYNC_INTERVAL) and compacted on that thread. notify is called on it when
 * results are ready: the caller then calls history_collect on its own thread. */
int history_start_writer(history *h, void (*notify)(void *user), void *user,
                         uint64_t interval_ms, char *err, size_t err_size);
/* Submits a room message: it gets its id now and is queued for the journal. Returns 0 (call
 * history_collect later), 1 when nothing is to be written (per_room 0: deliver now), or -1
 * with err filled. tag and owner (the submitter, borrowed) come back with it. */
int history_submit(history *h, const char *room, const char *nick, const char *text,
                   uint64_t time_ms, uint8_t flags, uint32_t tag, void *owner,
                   uint64_t *id_out, char *err, size_t err_size);
/* The owner is going away: its messages still come back, with owner NULL. */
void history_disown(history *h, const void *owner);
/* For each submitted message the writer is done with, in submission order: fn(user, message,
 * tag, owner, saved, err) — saved = 0 when the write failed (err says why; the message is kept
 * in memory only, like history_add_volatile) — then the message joins the room's history.
 * Returns how many results were handled. */
typedef void (*history_done_fn)(void *user, const history_msg *m, uint32_t tag, void *owner,
                                int saved, const char *err);
size_t history_collect(history *h, history_done_fn fn, void *user);

/* The id the next message will get; messages retained in all rooms; journal records. */
uint64_t history_next_id(const history *h);
size_t history_retained(const history *h);
uint64_t history_journal_records(const history *h);

#endif

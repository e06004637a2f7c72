/* alerts.h — the alert store: acknowledged alerts, their recipients and each recipient's state
 * (pending, shown, acknowledged), kept in memory and in the journal "alerts.journal" in the
 * data directory (CRC-checked records, a torn tail cut at open, like history and bans).
 * Every change is journaled before it is applied, and applied by the same code that loads
 * the journal, so what a restart finds is what was live. Once alerts_start_writer has run, the
 * journal is written on a thread of its own (journal_writer.h): a new alert and an
 * acknowledgement are applied, and answered, only once written (synced too with
 * fsync = always). Finished alerts are dropped after a retention time and the journal
 * compacted. Portable; not thread-safe (the chat core serializes calls). */
#ifndef PARLEY_ALERTS_H
#define PARLEY_ALERTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "journal.h"
#include "proto.h"
#include "uname.h"

#define ALERTS_JOURNAL_NAME "alerts.journal"
/* Recipients of one alert at most: the alert's journal record (about 33 bytes a name) stays
 * well under JOURNAL_RECORD_MAX and its roll call within a client's send-queue allowance. */
#define ALERTS_RCPT_MAX 10000u

typedef struct alert_rcpt {
    char name[PROTO_NICK_MAX + 1];            /* as recorded (the account's spelling) */
    char key[UNAME_KEY_CAP(PROTO_NICK_MAX)];  /* comparison key: recipients sorted by it */
    uint8_t state;                            /* proto_roll_state */
    uint64_t shown_ms;                        /* first delivery; 0 while pending */
    uint64_t ack_ms;                          /* acknowledgement; 0 until then */
} alert_rcpt;

typedef struct alert {
    uint64_t id;
    uint64_t time_ms;                         /* sent, wall clock ms since 1970 */
    uint32_t duration_s;                      /* seconds until it expires; 0 = never */
    char sender[PROTO_NICK_MAX + 1];
    char *to;                                 /* the recipient specifications as given */
    char *text;
    alert_rcpt *rcpts;                        /* sorted by key */
    size_t nrcpts;
} alert;

typedef struct alerts alerts;

/* Opens (creating if missing) the store in dir: loads alerts.journal, cutting a torn tail
 * (reported in *rec, may be NULL). Returns the store (caller owns; alerts_close) or NULL with
 * err filled. */
alerts *alerts_open(const char *dir, fsync_policy policy, uint64_t interval_ms,
                    journal_recovery *rec, char *err, size_t err_size);
/* Loads the journal in dir without changing it (for an audit while a server runs). */
alerts *alerts_read(const char *dir, journal_recovery *rec, char *err, size_t err_size);
void alerts_close(alerts *a);

/* From now on the journal is written on its own thread; notify is called there when results
 * are ready, and the owner then calls alerts_collect on its thread. Without a writer every
 * change is written at once (tools and tests). */
int alerts_start_writer(alerts *a, void (*notify)(void *user), void *user, uint64_t interval_ms,
                        char *err, size_t err_size);

/* Records a new alert to names[0..n) (valid names; duplicates up to case and normalisation
 * count once; 1..ALERTS_RCPT_MAX of them), every recipient pending; its id in *id. Without a
 * writer: written and in the store now, returns 1. With one: queued, returns 0; it joins the
 * store when alerts_collect finds it written and reports it (ALERTS_DONE_NEW, with owner and
 * tag). -1 with err filled (bad arguments, memory, a failed write): nothing recorded. */
int alerts_add(alerts *a, const char *sender, uint64_t now_ms, uint32_t duration_s,
               const char *to, const char *text, const char *const *names, size_t n,
               void *owner, uint32_t tag, uint64_t *id, char *err, size_t err_size);
/* Records the first delivery of alert id to names[0..n) at now_ms; names not pending are
 * skipped. 0, or -1 with err filled. */
int alerts_mark_shown(alerts *a, uint64_t id, const char *const *names, size_t n,
                      uint64_t now_ms, char *err, size_t err_size);
/* Records name's acknowledgement of alert id at now_ms. 1 if it is in the store now (written
 * without a writer, or acknowledged already); 0 if queued (alerts_collect reports it,
 * ALERTS_DONE_ACK with owner); -1 with err filled (not a recipient, memory, write error). */
int alerts_ack(alerts *a, uint64_t id, const char *name, uint64_t now_ms, void *owner,
               char *err, size_t err_size);

/* What alerts_collect reports: a queued alert or acknowledgement is written (ok 1: now in
 * the store) or could not be (ok 0, err says why: not in the store). name: who acknowledged
 * (ACK), NULL for NEW. owner as given, or NULL once disowned. */
enum { ALERTS_DONE_NEW = 1, ALERTS_DONE_ACK = 2 };
typedef void (*alerts_done_fn)(void *user, int done, uint64_t id, const char *name, void *owner,
                               uint32_t tag, int ok, const char *err);
/* Hands the results the writer has ready to fn, in order. Returns how many were written. */
size_t alerts_collect(alerts *a, alerts_done_fn fn, void *user);
/* The owner is going away: its results still come, with owner NULL. */
void alerts_disown(alerts *a, const void *owner);

/* When al is finished: every recipient acknowledged (the last acknowledgement) or it expired,
 * whichever came first; its expiry if that is still ahead; 0 while it may wait for ever. */
uint64_t alerts_finished_ms(const alert *al);
/* Retention: drops the alerts finished at least keep_ms before now_ms (keep_ms 0: none).
 * Returns how many; alerts_compact makes it reach the disk. */
size_t alerts_drop_finished(alerts *a, uint64_t now_ms, uint64_t keep_ms);
/* After a drop: rewrites the journal with what the store holds (with a writer, on its thread,
 * once nothing is being written; until then it stays due). 0, or -1 with err filled (the old
 * journal is kept). */
int alerts_compact(alerts *a, char *err, size_t err_size);

/* The alert with this id, or NULL. */
const alert *alerts_get(const alerts *a, uint64_t id);
/* Its recipient of this name (any spelling), or NULL. */
const alert_rcpt *alerts_rcpt(const alert *al, const char *name);
/* Alerts in id order: index 0 .. alerts_count - 1. */
size_t alerts_count(const alerts *a);
const alert *alerts_at(const alerts *a, size_t i);
/* 1 if al has expired at now_ms. */
int alerts_expired(const alert *al, uint64_t now_ms);
/* Recipients of al in each state, into counts[3] (indexed by proto_roll_state). */
void alerts_tally(const alert *al, size_t counts[3]);

/* Writes the audit listing (docs/ADMIN.md, "Alerts"): every alert with its roll call, and
 * with keep_ms ([alerts] keep) until when a finished one is kept. */
void alerts_print(const alerts *a, uint64_t now_ms, uint64_t keep_ms, FILE *out);

#endif

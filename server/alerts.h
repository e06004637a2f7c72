/* alerts.h — the alert store: acknowledged alerts, their recipients and each recipient's state
 * (pending, shown, acknowledged), kept in memory and in the journal "alerts.journal" in the
 * data directory (CRC-checked records, a torn tail cut at open, like history and bans).
 * Every change is journaled before it is applied, and applied by the same code that loads
 * the journal, so what a restart finds is what was live. Portable; not thread-safe. */
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

/* Records a new alert to names[0..n) (valid names; duplicates up to case and normalisation
 * count once; 1..ALERTS_RCPT_MAX of them), every recipient pending. Returns the alert (owned
 * by the store), or NULL with err filled (write error, memory). */
const alert *alerts_add(alerts *a, const char *sender, uint64_t now_ms, uint32_t duration_s,
                        const char *to, const char *text, const char *const *names, size_t n,
                        char *err, size_t err_size);
/* Records the first delivery of alert id to names[0..n) at now_ms; names not pending are
 * skipped. 0, or -1 with err filled. */
int alerts_mark_shown(alerts *a, uint64_t id, const char *const *names, size_t n,
                      uint64_t now_ms, char *err, size_t err_size);
/* Records name's acknowledgement of alert id at now_ms (if not acknowledged already). 0, or
 * -1 with err filled. */
int alerts_ack(alerts *a, uint64_t id, const char *name, uint64_t now_ms, char *err,
               size_t err_size);

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

/* Writes the audit listing (docs/ADMIN.md, "Alerts"): every alert with its roll call. */
void alerts_print(const alerts *a, uint64_t now_ms, FILE *out);

#endif

/* chat_alerts.c — acknowledged alerts in the chat core: ALERT from an operator, admin or alert
 * account, delivery to recipients online now and at their next login, ACK, and the roll
 * call (ROLL) with live updates to those following it. The store is alerts.c. */
#include "chat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_group.h"
#include "log.h"
#include "sys.h"
#include "uname.h"

/* How often finished alerts are looked for to drop ([alerts] keep). */
#define ALERTS_KEEP_EVERY_MS 60000u

/* Roll call entries per ROLL_LIST frame: 1000 entries of at most 43 bytes and a 4 KiB text
 * stay under a client's default 64 KiB frame limit. */
#define ROLL_CHUNK 1000u

/* A session following one alert's roll call. */
struct alert_watch {
    session *s;
    uint64_t id;
};

/* Recipient names being gathered for one ALERT. */
typedef struct name_set {
    char (*names)[PROTO_NICK_MAX + 1];
    size_t n, cap;
    int failed;
} name_set;

int chat_alerts_open(chat *c, void (*wake)(void *user), char *err, size_t err_size)
{
    journal_recovery rec;

    memset(&rec, 0, sizeof rec);
    c->alerts = alerts_open(c->cfg.data_dir, c->cfg.fsync, c->cfg.fsync_interval_ms, &rec, err,
                            err_size);
    if (!c->alerts)
        return -1;
    /* Alerts and acknowledgements are written on a thread of their own, never under the core
     * lock, and answered once written (chat_alerts_deliver). */
    if (alerts_start_writer(c->alerts, wake, c, c->cfg.fsync_interval_ms, err, err_size) != 0)
        return -1;
    if (rec.cut_bytes)
        log_warn("alerts journal: cut %llu bytes at its end (%s)",
                 (unsigned long long)rec.cut_bytes, rec.reason);
    if (alerts_count(c->alerts))
        log_info("alerts: %lu kept", (unsigned long)alerts_count(c->alerts));
    return 0;
}

void chat_alerts_close(chat *c)
{
    alerts_close(c->alerts);
    c->alerts = NULL;
    free(c->watches);
    c->watches = NULL;
    c->nwatches = c->watches_cap = 0;
}

void alerts_session_free(session *s)
{
    chat *c = s->srv;
    size_t i = 0;
    if (s->writes_pending)
        alerts_disown(c->alerts, s); /* its alert still goes out, its acknowledgement counts */
    while (i < c->nwatches)
        if (c->watches[i].s == s)
            c->watches[i] = c->watches[--c->nwatches];
        else
            i++;
}

int alerts_only_allows(uint8_t type)
{
    return type == PT_ALERT || type == PT_ROLL || type == PT_PING || type == PT_PONG ||
           type == PT_BYE;
}

/* ---- delivery ---------------------------------------------------------------------------- */

/* Sends m to every live session of the account (or, without accounts, the nick) `name`;
 * returns how many got it. The one place that knows how a name maps to sessions. */
static size_t alert_deliver_to_account(chat *c, const char *name, const proto_msg *m)
{
    size_t n = 0;
    session *t;
    for (t = account_sessions_first(c, name); t; t = account_sessions_next(t))
        if (!t->alert_only && session_send(t, m) == 0)
            n++;
    return n;
}

/* ALERT_MSG, or a ROLL_LIST frame without its list, for al: both carry the alert's id,
 * time, duration, sender and text (an UPDATE frame leaves the text out). */
static void alert_frame(uint8_t type, const alert *al, uint8_t flags, proto_msg *m)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->id = al->id;
    m->time = al->time_ms;
    m->duration = al->duration_s;
    m->flags = flags;
    m->nick = proto_s(al->sender);
    m->text = proto_s(flags & PROTO_FLAG_UPDATE ? "" : al->text);
}

static void put_rcpt(buf *entries, const alert_rcpt *rc)
{
    proto_entry e;
    memset(&e, 0, sizeof e);
    e.name = proto_s(rc->name);
    e.value = rc->state;
    e.time = rc->state == ROLL_ACKED ? rc->ack_ms : rc->shown_ms;
    proto_list_put(entries, PT_ROLL_LIST, &e);
}

/* Tells every session following al's roll call the new state of these recipients. */
static void tell_watchers(chat *c, const alert *al, const char *const *names, size_t n)
{
    buf *entries = &c->entries;
    proto_msg m;
    size_t i, k, count = 0;

    for (i = 0; i < c->nwatches && c->watches[i].id != al->id; i++)
        ;
    if (i == c->nwatches || n == 0)
        return; /* nobody follows it */
    buf_reset(entries);
    for (k = 0; k < n && count < ROLL_CHUNK; k++) {
        const alert_rcpt *rc = alerts_rcpt(al, names[k]);
        if (rc) {
            put_rcpt(entries, rc);
            count++;
        }
    }
    if (count == 0 || buf_failed(entries))
        return;
    alert_frame(PT_ROLL_LIST, al, PROTO_FLAG_UPDATE, &m);
    m.list.p = entries->data;
    m.list.n = entries->len;
    m.list.count = (uint16_t)count;
    for (; i < c->nwatches; i++)
        if (c->watches[i].id == al->id)
            session_send(c->watches[i].s, &m);
}

/* Delivers al live to names[0..n) that are online, records their delivery and tells the
 * roll call's followers. */
static void deliver_live(chat *c, const alert *al, const char *const *names, size_t n)
{
    const char **shown = malloc((n ? n : 1) * sizeof *shown);
    proto_msg m;
    size_t i, nshown = 0;
    char err[256];

    if (!shown) {
        log_error("alerts: out of memory delivering alert %llu", (unsigned long long)al->id);
        return;
    }
    alert_frame(PT_ALERT_MSG, al, 0, &m);
    for (i = 0; i < n; i++)
        if (alert_deliver_to_account(c, names[i], &m))
            shown[nshown++] = names[i];
    if (alerts_mark_shown(c->alerts, al->id, shown, nshown, sys_wall_ms(), err, sizeof err) != 0)
        log_error("%s", err);
    else
        tell_watchers(c, al, shown, nshown);
    free(shown);
}

void alerts_on_welcome(session *s)
{
    chat *c = s->srv;
    uint64_t now = sys_wall_ms();
    const char *name = s->nick;
    size_t i, count = alerts_count(c->alerts);
    char err[256];
    proto_msg m;

    /* Without accounts a nick proves nobody: what waits for a name is kept for its account. */
    if (!c->users || s->alert_only)
        return;
    for (i = 0; i < count; i++) {
        const alert *al = alerts_at(c->alerts, i);
        const alert_rcpt *rc = alerts_rcpt(al, name);
        if (!rc || rc->state == ROLL_ACKED || alerts_expired(al, now))
            continue;
        alert_frame(PT_ALERT_MSG, al, PROTO_FLAG_HISTORY, &m);
        /* Only to the session logging in: the account's other sessions have it already. */
        if (session_send(s, &m) != 0 || rc->state != ROLL_PENDING)
            continue;
        if (alerts_mark_shown(c->alerts, al->id, &name, 1, now, err, sizeof err) != 0)
            log_error("%s", err);
        else
            tell_watchers(c, al, &name, 1);
    }
}

/* ---- written --------------------------------------------------------------------------- */

/* ACKED to every session of the account `name`: their alert windows close together. */
static void acked(chat *c, const alert *al, const char *name)
{
    const alert_rcpt *rc = alerts_rcpt(al, name);
    proto_msg r;

    memset(&r, 0, sizeof r);
    r.type = PT_ACKED;
    r.id = al->id;
    r.time = rc ? rc->ack_ms : 0;
    alert_deliver_to_account(c, name, &r);
}

/* An alert or an acknowledgement is written (or could not be): answered, and an alert
 * delivered. s is the session that asked, NULL if it has gone. */
static void answer(chat *c, int done, uint64_t id, const char *name, session *s, uint32_t tag,
                   int ok, const char *err)
{
    const alert *al = ok ? alerts_get(c->alerts, id) : NULL;

    if (!al) {
        log_error("alerts journal: %s %llu not saved: %s",
                  done == ALERTS_DONE_NEW ? "alert" : "acknowledgement of alert",
                  (unsigned long long)id, ok ? "it is gone" : err);
        if (s)
            session_error(s, PC_UNAVAILABLE, done == ALERTS_DONE_NEW
                                                 ? "the alert could not be recorded"
                                                 : "the acknowledgement could not be recorded");
    } else if (done == ALERTS_DONE_NEW) {
        proto_msg m;
        const char **names = malloc(al->nrcpts * sizeof *names);
        size_t i;
        log_info("%s sent alert %llu to %s (%lu recipients)", al->sender,
                 (unsigned long long)al->id, al->to, (unsigned long)al->nrcpts);
        if (s) {
            memset(&m, 0, sizeof m);
            m.type = PT_ALERT_OK;
            m.tag = tag;
            m.id = al->id;
            m.count = (uint32_t)al->nrcpts;
            session_send(s, &m);
        }
        if (names) {
            for (i = 0; i < al->nrcpts; i++)
                names[i] = al->rcpts[i].name;
            deliver_live(c, al, names, al->nrcpts);
        } else {
            log_error("alerts: out of memory delivering alert %llu", (unsigned long long)id);
        }
        free(names);
    } else {
        log_info("%s acknowledged alert %llu", name, (unsigned long long)id);
        tell_watchers(c, al, &name, 1);
        acked(c, al, name);
    }
}

/* alerts_done_fn: the answer to a write the session waited for (owner, NULL if it has gone). */
static void alert_written(void *user, int done, uint64_t id, const char *name, void *owner,
                          uint32_t tag, int ok, const char *err)
{
    session *s = owner;
    answer(user, done, id, name, s, tag, ok, err);
    if (s && --s->writes_pending == 0)
        session_resume(s); /* its requests that waited behind this one */
}

void chat_alerts_deliver(chat *c)
{
    if (c->alerts)
        alerts_collect(c->alerts, alert_written, c);
}

void chat_alerts_tick(chat *c, uint64_t now)
{
    char err[256];
    size_t dropped;

    if (!c->alerts)
        return;
    if (c->last_alerts_keep == 0 || now - c->last_alerts_keep >= ALERTS_KEEP_EVERY_MS) {
        c->last_alerts_keep = now;
        dropped = alerts_drop_finished(c->alerts, sys_wall_ms(), c->cfg.alerts_keep_ms);
        if (dropped)
            log_info("alerts: %lu finished more than [alerts] keep ago were dropped",
                     (unsigned long)dropped);
    }
    if (alerts_compact(c->alerts, err, sizeof err) != 0)
        log_error("alerts journal: %s", err);
}

/* ---- ALERT ------------------------------------------------------------------------------- */

static void names_add(name_set *ns, const char *name)
{
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 64;
        void *p = realloc(ns->names, cap * sizeof *ns->names);
        if (!p) {
            ns->failed = 1;
            return;
        }
        ns->names = p;
        ns->cap = cap;
    }
    snprintf(ns->names[ns->n++], sizeof ns->names[0], "%s", name);
}

/* alerts_add_name_fn over a name_set. */
static void names_add_to(void *set, const char *name)
{
    names_add(set, name);
}

typedef struct all_ctx {
    name_set *ns;
    const char *sender;
} all_ctx;

static int add_account(void *user, const user_info *info)
{
    all_ctx *x = user;
    if (!info->disabled && info->role != USER_ROLE_ALERT && !uname_same(info->login, x->sender))
        names_add(x->ns, info->login);
    return 0;
}

/* Adds the recipients one specification names. 0, or -1 with the problem in why. */
static int resolve_spec(session *s, const char *spec, name_set *ns, char *why, size_t why_size)
{
    chat *c = s->srv;
    session *t;
    size_t i;
    char group[ALERT_GROUP_MAX + 1];
    int is_group = alert_group_spec(spec, group, sizeof group, why, why_size);

    if (is_group != 0)
        return is_group < 0 ? -1 : alerts_add_group(c, group, names_add_to, ns, why, why_size);
    if (strcmp(spec, "all") == 0) {
        if (c->users) {
            all_ctx x;
            x.ns = ns;
            x.sender = s->nick;
            users_list(c->users, add_account, &x);
        } else {
            for (t = c->sessions; t; t = t->next)
                if (t != s && t->state == SESSION_ACTIVE && !t->alert_only)
                    names_add(ns, t->nick);
        }
        return 0;
    }
    if (strncmp(spec, "room:", 5) == 0) {
        room *r = room_name_valid(spec + 5, strlen(spec + 5)) ? room_find(c, spec + 5) : NULL;
        if (!r) {
            text_printf(why, why_size, "no room %s", spec + 5);
            return -1;
        }
        for (i = 0; i < r->nmembers; i++)
            if (r->members[i] != s && !r->members[i]->alert_only)
                names_add(ns, r->members[i]->nick);
        return 0;
    }
    if (strncmp(spec, "user:", 5) == 0) {
        const char *name = spec + 5;
        user_info info;
        if (c->users) {
            if (!users_find(c->users, name, &info) || info.disabled) {
                text_printf(why, why_size, "no account %s", name);
                return -1;
            }
            if (info.role == USER_ROLE_ALERT) {
                text_printf(why, why_size, "%s is an alert account: it receives no alerts",
                            info.login);
                return -1;
            }
            names_add(ns, info.login);
        } else {
            t = nick_find(c, name);
            if (!t || t->state != SESSION_ACTIVE) {
                text_printf(why, why_size, "nobody called %s is online", name);
                return -1;
            }
            names_add(ns, t->nick);
        }
        return 0;
    }
    text_printf(why, why_size, "'%s' is not all, room:NAME, user:NAME or group:NAME", spec);
    return -1;
}

/* The recipients of target (space-separated specifications), the sender left out. 0, or -1
 * with the problem in why. */
static int resolve(session *s, const char *target, name_set *ns, char *why, size_t why_size)
{
    char spec[PROTO_RECIPIENTS_MAX + 1];
    const char *p = target;
    size_t n;

    while (*p) {
        n = strcspn(p, " ");
        if (n == 0) {
            text_printf(why, why_size, "recipients are separated by single spaces");
            return -1;
        }
        memcpy(spec, p, n);
        spec[n] = '\0';
        if (resolve_spec(s, spec, ns, why, why_size) != 0)
            return -1;
        p += n;
        if (*p == ' ' && *++p == '\0') {
            text_printf(why, why_size, "recipients are separated by single spaces");
            return -1;
        }
    }
    if (ns->failed) {
        text_printf(why, why_size, "out of memory");
        return -1;
    }
    return 0;
}

/* Drops the sender (a room or "all" may include their own account) and counts what is left. */
static size_t without_sender(name_set *ns, const char *sender)
{
    size_t i = 0;
    while (i < ns->n)
        if (uname_same(ns->names[i], sender))
            memcpy(ns->names[i], ns->names[--ns->n], sizeof ns->names[0]);
        else
            i++;
    return ns->n;
}

void alerts_on_alert(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    char target[PROTO_RECIPIENTS_MAX + 1], why[400];
    name_set ns;
    void *job;
    int rc;

    if (!s->alerter) {
        session_error(s, PC_NOT_ALERTER, "only operators, admins and alert accounts may send "
                                         "alerts");
        return;
    }
    if (m->text.n == 0) {
        session_error(s, PC_BAD_TEXT, "an alert needs a text");
        return;
    }
    proto_str_copy(target, sizeof target, m->target);
    if (target[0] == '\0') {
        session_error(s, PC_BAD_RECIPIENTS, "no recipients: use all, room:NAME, user:NAME or group:NAME");
        return;
    }
    /* Checked here as it stands; the group: recipients only gather the groups to look up. */
    job = alerts_group_job_new(s, m, target);
    if (!job) {
        session_error(s, PC_UNAVAILABLE, "the server is out of memory");
        return;
    }
    memset(&ns, 0, sizeof ns);
    c->group_building = job;
    rc = resolve(s, target, &ns, why, sizeof why);
    c->group_building = NULL;
    free(ns.names);
    if (rc != 0) {
        session_error(s, PC_BAD_RECIPIENTS, "%s", why);
        alerts_group_job_free(job);
        return;
    }
    rc = alerts_group_job_start(s, job);
    if (rc == 0) {
        /* Completed when the members are back (chat_alert_group.c); its next requests wait. */
        s->writes_pending++;
        return;
    }
    alerts_group_job_free(job);
    if (rc == 1)
        alerts_send(s, m->tag, m->duration, target, m->text.p, m->text.n);
}

void alerts_send(session *s, uint32_t tag, uint32_t duration, const char *target,
                 const char *text_p, size_t text_n)
{
    chat *c = s->srv;
    char why[400], err[256];
    char *text = NULL;
    const char **names = NULL;
    name_set ns;
    proto_str body;
    uint64_t id = 0;
    size_t i;
    int rc;

    memset(&ns, 0, sizeof ns);
    body.p = text_p;
    body.n = text_n;
    if (resolve(s, target, &ns, why, sizeof why) != 0) {
        session_error(s, PC_BAD_RECIPIENTS, "%s", why);
        goto done;
    }
    if (without_sender(&ns, s->nick) == 0) {
        session_error(s, PC_BAD_RECIPIENTS, "nobody to alert: the recipients are only you");
        goto done;
    }
    if (ns.n > ALERTS_RCPT_MAX) {
        session_error(s, PC_BAD_RECIPIENTS, "too many recipients (at most %u)", ALERTS_RCPT_MAX);
        goto done;
    }
    names = malloc(ns.n * sizeof *names);
    text = malloc(text_n + 1);
    if (!names || !text) {
        session_error(s, PC_UNAVAILABLE, "the server is out of memory");
        goto done;
    }
    for (i = 0; i < ns.n; i++)
        names[i] = ns.names[i];
    proto_str_copy(text, text_n + 1, body);
    rc = alerts_add(c->alerts, s->nick, sys_wall_ms(), duration, target, text, names, ns.n,
                    s, tag, &id, err, sizeof err);
    if (rc < 0) {
        log_error("%s: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the alert could not be recorded");
        goto done;
    }
    /* Answered and delivered once written (alert_written); the sender's next requests wait. */
    if (rc == 1)
        answer(c, ALERTS_DONE_NEW, id, NULL, s, tag, 1, "");
    else
        s->writes_pending++;
done:
    free(names);
    free(text);
    free(ns.names);
}

/* ---- ACK and ROLL ------------------------------------------------------------------------ */

void alerts_on_ack(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    const alert *al = alerts_get(c->alerts, m->id);
    const alert_rcpt *rc = al ? alerts_rcpt(al, s->nick) : NULL;
    char err[256];
    int r;

    if (!rc) {
        session_error(s, PC_NO_SUCH_ALERT, "no alert %llu was sent to you",
                      (unsigned long long)m->id);
        return;
    }
    if (rc->state == ROLL_ACKED) {
        acked(c, al, s->nick);
        return;
    }
    r = alerts_ack(c->alerts, al->id, s->nick, sys_wall_ms(), s, err, sizeof err);
    if (r < 0) {
        log_error("%s: %s", s->nick, err);
        session_error(s, PC_UNAVAILABLE, "the acknowledgement could not be recorded");
        return;
    }
    /* ACKED once written (alert_written); the session's next requests wait for it. */
    if (r == 1)
        answer(c, ALERTS_DONE_ACK, m->id, s->nick, s, 0, 1, "");
    else
        s->writes_pending++;
}

/* The whole roll call in frames of ROLL_CHUNK entries, MORE on all but the last. */
static void send_roll(session *s, const alert *al)
{
    buf *entries = &s->srv->entries;
    proto_msg m;
    size_t i = 0;

    do {
        size_t k, end = al->nrcpts - i > ROLL_CHUNK ? i + ROLL_CHUNK : al->nrcpts;
        buf_reset(entries);
        for (k = i; k < end; k++)
            put_rcpt(entries, &al->rcpts[k]);
        alert_frame(PT_ROLL_LIST, al, end < al->nrcpts ? PROTO_FLAG_MORE : 0, &m);
        m.list.p = entries->data;
        m.list.n = entries->len;
        m.list.count = (uint16_t)(end - i);
        if (buf_failed(entries) || session_send(s, &m) != 0)
            return;
        i = end;
    } while (i < al->nrcpts);
}

void alerts_on_roll(session *s, const proto_msg *m)
{
    chat *c = s->srv;
    const alert *al = alerts_get(c->alerts, m->id);
    size_t i;

    if (!al) {
        session_error(s, PC_NO_SUCH_ALERT, "no alert %llu", (unsigned long long)m->id);
        return;
    }
    /* Without accounts a nick proves nothing: the sender's nick must also be an operator. */
    if (!s->admin && !(uname_same(s->nick, al->sender) && (c->users || s->oper))) {
        session_error(s, PC_NOT_ALERTER, "only the sender and admins see alert %llu's roll call",
                      (unsigned long long)m->id);
        return;
    }
    for (i = 0; i < c->nwatches; i++)
        if (c->watches[i].s == s && c->watches[i].id == al->id)
            break;
    if (i == c->nwatches) {
        if (c->nwatches == c->watches_cap) {
            size_t cap = c->watches_cap ? c->watches_cap * 2 : 16;
            struct alert_watch *w = realloc(c->watches, cap * sizeof *w);
            if (!w) {
                session_error(s, PC_UNAVAILABLE, "the server is out of memory");
                return;
            }
            c->watches = w;
            c->watches_cap = cap;
        }
        c->watches[c->nwatches].s = s;
        c->watches[c->nwatches].id = al->id;
        c->nwatches++;
    }
    send_roll(s, al);
}

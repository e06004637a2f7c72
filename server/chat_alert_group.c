/* chat_alert_group.c — group:NAME alert recipients: the members of a Windows group, as the
 * accounts Windows sign-on gives them (auth = windows on a Windows server). The members are
 * looked up off the core (group_lookup.h); the alert is completed when they are back. */
#include "chat_internal.h"

#include <stdio.h>
#include <string.h>

#include "group_lookup.h"
#include "log.h"
#include "signon_map.h"

/* Group lookups running or waiting to be collected at once, server-wide; one more alert that
 * names a group is refused with UNAVAILABLE. */
#define GROUP_LOOKUPS_MAX 4u

typedef struct group_walk {
    chat *c;
    alerts_add_name_fn add;
    void *set;
    size_t added, other_domain, no_account;
} group_walk;

/* One member, DOMAIN\user, becomes the account signon_map_name makes of it at sign-on. */
static void add_member(group_walk *w, const char *principal)
{
    char name[PROTO_NICK_MAX + 1], why[256];
    user_info info;
    signon_map_result r = signon_map_name(principal, w->c->cfg.signon_realms, name, sizeof name,
                                          why, sizeof why);
    if (r == SIGNON_MAP_OTHER_REALM) {
        w->other_domain++;
        return;
    }
    /* Like user:NAME, a member needs an enabled account that may receive alerts: it gets the
     * alert now or at its next login. */
    if (r != SIGNON_MAP_OK || !users_find(w->c->users, name, &info) || info.disabled ||
        info.role == USER_ROLE_ALERT) {
        w->no_account++;
        return;
    }
    w->add(w->set, info.login);
    w->added++;
}

int chat_alert_groups_open(chat *c, void (*wake)(void *user))
{
    c->group_lookups = group_lookups_new(wake, c);
    return c->group_lookups ? 0 : -1;
}

void chat_alert_groups_close(chat *c)
{
    group_lookups_free(c->group_lookups);
    c->group_lookups = NULL;
}

void chat_set_group_lookup(chat *c, chat_group_lookup_fn lookup)
{
    c->group_lookup = lookup;
}

/* The members of a group found by the lookup of c->group_done, as accounts. */
static int add_found(chat *c, const char *group, alerts_add_name_fn add, void *set, char *why,
                     size_t why_size)
{
    const group_found *g = group_job_find(c->group_done, group);
    group_walk w;

    if (!g) { /* named again only now: cannot happen, the target is the same */
        text_printf(why, why_size, "group:%s was not looked up", group);
        return -1;
    }
    if (g->failed) {
        text_printf(why, why_size, "%s", g->err);
        return -1;
    }
    memset(&w, 0, sizeof w);
    w.c = c;
    w.add = add;
    w.set = set;
    for (size_t i = 0; i < g->nmembers; i++)
        add_member(&w, g->members[i]);
    if (w.other_domain || w.no_account || g->groups_skipped)
        log_info("alert to group:%s: %lu members, %lu of other domains, %lu without an account "
                 "here and %lu groups (not expanded) left out", group, (unsigned long)w.added,
                 (unsigned long)w.other_domain, (unsigned long)w.no_account,
                 (unsigned long)g->groups_skipped);
    if (w.added == 0) {
        text_printf(why, why_size, "group:%s has no members with an account here (%lu of "
                    "other domains, %lu without an account, %lu groups left out)", group,
                    (unsigned long)w.other_domain, (unsigned long)w.no_account,
                    (unsigned long)g->groups_skipped);
        return -1;
    }
    return 0;
}

int alerts_add_group(chat *c, const char *group, alerts_add_name_fn add, void *set, char *why,
                     size_t why_size)
{
    if (c->group_done)
        return add_found(c, group, add, set, why, why_size);
    /* A test's lookup stands in for Windows and its sign-on. */
    if (!c->group_lookup && !group_members_supported()) {
        text_printf(why, why_size, "group:%s: this server does not run on Windows, and only "
                                   "there can it look Windows groups up", group);
        return -1;
    }
    if (!c->group_lookup && (c->cfg.auth != AUTH_WINDOWS || !c->users)) {
        text_printf(why, why_size, "group:%s: Windows group recipients need auth = windows "
                                   "(Windows sign-on)", group);
        return -1;
    }
    if (!c->users) {
        text_printf(why, why_size, "group:%s: group recipients need accounts", group);
        return -1;
    }
    if (!c->group_building || group_job_add(c->group_building, group) != 0) {
        text_printf(why, why_size, "too many groups in one alert (at most %u)",
                    GROUP_LOOKUP_GROUPS_MAX);
        return -1;
    }
    return 0;
}

void *alerts_group_job_new(session *s, const proto_msg *m, const char *target)
{
    chat *c = s->srv;
    return group_job_new(s, m->tag, m->duration, target, m->text.p, m->text.n,
                         c->group_lookup ? c->group_lookup : group_members_list);
}

int alerts_group_job_start(session *s, void *job)
{
    group_job *j = job;
    int rc;

    if (j->ngroups == 0)
        return 1;
    rc = group_lookups_submit(s->srv->group_lookups, j, GROUP_LOOKUPS_MAX);
    if (rc == 0)
        return 0;
    if (rc == GROUP_LOOKUP_E_BUSY)
        session_error(s, PC_UNAVAILABLE, "the server is busy looking other Windows groups up "
                                         "(at most %u at once): send the alert again shortly",
                      GROUP_LOOKUPS_MAX);
    else
        session_error(s, PC_UNAVAILABLE, "the Windows group lookup could not be started");
    return -1;
}

void alerts_group_job_free(void *job)
{
    group_job_free(job);
}

/* A lookup is back: its alert is completed as if its members had been known at once. */
static void lookup_done(void *user, group_job *job)
{
    chat *c = user;
    session *s = job->owner;
    uint32_t req_tag;

    if (!s)
        return; /* the sender has gone: nothing is sent */
    req_tag = s->req_tag;
    s->req_tag = job->tag; /* an ERROR answers the ALERT */
    c->group_done = job;
    s->writes_pending--;
    alerts_send(s, job->tag, job->duration, job->target, job->text, job->text_len);
    c->group_done = NULL;
    s->req_tag = req_tag;
    if (s->writes_pending == 0)
        session_resume(s); /* its requests that waited for the lookup */
}

void chat_alert_groups_deliver(chat *c)
{
    if (c->group_lookups)
        group_lookups_collect(c->group_lookups, lookup_done, c);
}

void chat_alert_groups_session_free(session *s)
{
    if (s->writes_pending && s->srv->group_lookups)
        group_lookups_disown(s->srv->group_lookups, s);
}

/* chat_alert_group.c — group:NAME alert recipients: the members of a Windows group, as the
 * accounts Windows sign-on gives them (auth = windows on a Windows server). */
#include "chat_internal.h"

#include <stdio.h>
#include <string.h>

#include "group_members.h"
#include "log.h"
#include "signon_map.h"

typedef struct group_walk {
    chat *c;
    alerts_add_name_fn add;
    void *set;
    size_t added, other_domain, no_account;
} group_walk;

/* group_member_fn: DOMAIN\user becomes the account signon_map_name makes of it at sign-on. */
static int add_member(void *user, const char *principal)
{
    group_walk *w = user;
    char name[PROTO_NICK_MAX + 1], why[256];
    user_info info;
    signon_map_result r = signon_map_name(principal, w->c->cfg.signon_realms, name, sizeof name,
                                          why, sizeof why);
    if (r == SIGNON_MAP_OTHER_REALM) {
        w->other_domain++;
        return 0;
    }
    /* Like user:NAME, a member needs an enabled account that may receive alerts: it gets the
     * alert now or at its next login. */
    if (r != SIGNON_MAP_OK || !users_find(w->c->users, name, &info) || info.disabled ||
        info.role == USER_ROLE_ALERT) {
        w->no_account++;
        return 0;
    }
    w->add(w->set, info.login);
    w->added++;
    return 0;
}

int alerts_add_group(chat *c, const char *group, alerts_add_name_fn add, void *set, char *why,
                     size_t why_size)
{
    group_walk w;
    size_t groups_skipped = 0;
    char err[320];

    if (!group_members_supported()) {
        text_printf(why, why_size, "group:%s: this server does not run on Windows, and only "
                                   "there can it look Windows groups up", group);
        return -1;
    }
    if (c->cfg.auth != AUTH_WINDOWS || !c->users) {
        text_printf(why, why_size, "group:%s: Windows group recipients need auth = windows "
                                   "(Windows sign-on)", group);
        return -1;
    }
    memset(&w, 0, sizeof w);
    w.c = c;
    w.add = add;
    w.set = set;
    if (group_members_list(group, add_member, &w, &groups_skipped, err, sizeof err) != 0) {
        text_printf(why, why_size, "%s", err);
        return -1;
    }
    if (w.other_domain || w.no_account || groups_skipped)
        log_info("alert to group:%s: %lu members, %lu of other domains, %lu without an account "
                 "here and %lu groups (not expanded) left out", group, (unsigned long)w.added,
                 (unsigned long)w.other_domain, (unsigned long)w.no_account,
                 (unsigned long)groups_skipped);
    if (w.added == 0) {
        text_printf(why, why_size, "group:%s has no members with an account here (%lu of "
                    "other domains, %lu without an account, %lu groups left out)", group,
                    (unsigned long)w.other_domain, (unsigned long)w.no_account,
                    (unsigned long)groups_skipped);
        return -1;
    }
    return 0;
}

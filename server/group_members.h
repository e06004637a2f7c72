/* group_members.h — the members of a Windows group, for group:NAME alert recipients. Windows
 * only (group_members_win.c, NetAPI); elsewhere (group_members_posix.c) there are no Windows
 * groups to ask and every call says so. */
#ifndef PARLEY_GROUP_MEMBERS_H
#define PARLEY_GROUP_MEMBERS_H

#include <stddef.h>

/* Called with each member user account as "DOMAIN\name" (UTF-8); a non-zero return stops. */
typedef int (*group_member_fn)(void *user, const char *principal);

/* 1 if this platform can look Windows groups up, 0 if not. */
int group_members_supported(void);

/* Lists the user accounts that are direct members of group: a local group of this machine
 * ("Administrators", "BUILTIN\Users", "THISPC\Chat Users") through NetLocalGroupGetMembers, or a
 * domain group ("CONTOSO\Chat Users") through NetGroupGetUsers on a domain controller. Members
 * that are themselves groups are not expanded; they are counted in *groups_skipped. 0, or -1
 * with err filled (no such group, no domain controller, not supported here). */
int group_members_list(const char *group, group_member_fn fn, void *user,
                       size_t *groups_skipped, char *err, size_t err_size);

#endif

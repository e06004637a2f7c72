/* group_members_posix.c — no Windows groups off Windows (group_members.h). */
#include "group_members.h"

#include <stdio.h>

int group_members_supported(void)
{
    return 0;
}

int group_members_list(const char *group, group_member_fn fn, void *user,
                       size_t *groups_skipped, char *err, size_t err_size)
{
    (void)fn;
    (void)user;
    *groups_skipped = 0;
    snprintf(err, err_size, "the members of %s cannot be looked up: Windows groups exist only "
                            "for a server running on Windows", group);
    return -1;
}

/* alert_group.c — the group:NAME alert recipient specification (alert_group.h). */
#include "alert_group.h"

#include <stdio.h>
#include <string.h>

#define GROUP_PREFIX "group:"

int alert_group_spec(const char *spec, char *out, size_t cap, char *why, size_t why_size)
{
    const char *name = spec + strlen(GROUP_PREFIX);
    size_t n;

    if (strncmp(spec, GROUP_PREFIX, strlen(GROUP_PREFIX)) != 0)
        return 0;
    n = strlen(name);
    if (n == 0) {
        snprintf(why, why_size, "group: needs a Windows group's name (group:Administrators)");
        return -1;
    }
    if (n >= cap || n > ALERT_GROUP_MAX) {
        snprintf(why, why_size, "the group name in %.40s... is too long (at most %u bytes)",
                 spec, (unsigned)ALERT_GROUP_MAX);
        return -1;
    }
    /* A group's name has no spaces here (they separate recipients) and no commas (they
     * separate the groups of [signon] lists, the other place group names are written). */
    if (strchr(name, ',') || name[n - 1] == '\\' || name[0] == '\\') {
        snprintf(why, why_size, "%s is not a Windows group name (GROUP or DOMAIN\\GROUP)", name);
        return -1;
    }
    memcpy(out, name, n + 1);
    return 1;
}

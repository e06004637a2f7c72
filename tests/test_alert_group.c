/* test_alert_group.c — group:NAME alert recipients: the specification (server/alert_group.h)
 * and, on Windows, the lookup of a local group's members (server/group_members.h). */
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include "alert_group.h"
#include "group_members.h"
#include "test.h"

TEST(group_spec_gives_the_group_name)
{
    char out[ALERT_GROUP_MAX + 1], why[200];
    CHECK_EQ_INT(alert_group_spec("group:Administrators", out, sizeof out, why, sizeof why), 1);
    CHECK_EQ_STR(out, "Administrators");
    CHECK_EQ_INT(alert_group_spec("group:CONTOSO\\Chat-Users", out, sizeof out, why, sizeof why),
                 1);
    CHECK_EQ_STR(out, "CONTOSO\\Chat-Users");
    /* Other forms are not a group's, whatever they hold. */
    CHECK_EQ_INT(alert_group_spec("user:group:x", out, sizeof out, why, sizeof why), 0);
    CHECK_EQ_INT(alert_group_spec("groups:x", out, sizeof out, why, sizeof why), 0);
    CHECK_EQ_INT(alert_group_spec("all", out, sizeof out, why, sizeof why), 0);
}

TEST(group_spec_without_a_usable_name_is_refused)
{
    char out[ALERT_GROUP_MAX + 1], why[200], longname[ALERT_GROUP_MAX + 16];
    CHECK_EQ_INT(alert_group_spec("group:", out, sizeof out, why, sizeof why), -1);
    CHECK(strstr(why, "needs a Windows group's name") != NULL);
    CHECK_EQ_INT(alert_group_spec("group:a,b", out, sizeof out, why, sizeof why), -1);
    CHECK(strstr(why, "not a Windows group name") != NULL);
    CHECK_EQ_INT(alert_group_spec("group:CONTOSO\\", out, sizeof out, why, sizeof why), -1);
    CHECK_EQ_INT(alert_group_spec("group:\\Users", out, sizeof out, why, sizeof why), -1);
    memcpy(longname, "group:", 6);
    memset(longname + 6, 'g', ALERT_GROUP_MAX + 1);
    longname[6 + ALERT_GROUP_MAX + 1] = '\0';
    CHECK_EQ_INT(alert_group_spec(longname, out, sizeof out, why, sizeof why), -1);
    CHECK(strstr(why, "too long") != NULL);
}

#ifdef _WIN32
static int under_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}
#endif

typedef struct seen {
    size_t n;
    int well_formed;
} seen;

static int count_member(void *user, const char *principal)
{
    seen *s = user;
    const char *slash = strchr(principal, '\\');
    s->n++;
    if (!slash || slash == principal || slash[1] == '\0')
        s->well_formed = 0;
    return 0;
}

/* On Windows the local Administrators group holds this machine's administrator account, named
 * DOMAIN\user as sign-on names it, and a group that does not exist is named in the error.
 * Wine 8's NetLocalGroupGetMembers is a stub: success and no members at level 2 for any name,
 * even a group that does not exist (level 3: the current user alone, without a domain), so
 * under Wine only the call's success is checked. Elsewhere there are no Windows groups, and the
 * lookup says so. */
TEST(local_group_members_are_listed_as_domain_and_user)
{
    seen s;
    size_t groups = 1;
    char err[320];
    int rc;

    s.n = 0;
    s.well_formed = 1;
#ifdef _WIN32
    CHECK_EQ_INT(group_members_supported(), 1);
    rc = group_members_list("Administrators", count_member, &s, &groups, err, sizeof err);
    if (rc != 0)
        test_failf_at(__FILE__, __LINE__, "Administrators: %s", err);
    if (under_wine()) {
        CHECK(s.well_formed);
        return;
    }
    CHECK(s.n >= 1);
    CHECK(s.well_formed);
    rc = group_members_list("No Such Group Here", count_member, &s, &groups, err, sizeof err);
    CHECK_EQ_INT(rc, -1);
    CHECK(strstr(err, "No Such Group Here") != NULL);
#else
    CHECK_EQ_INT(group_members_supported(), 0);
    rc = group_members_list("Users", count_member, &s, &groups, err, sizeof err);
    CHECK_EQ_INT(rc, -1);
    CHECK(strstr(err, "only for a server running on Windows") != NULL);
    CHECK_EQ_INT(groups, 0);
    CHECK_EQ_INT(s.n, 0);
#endif
}

/* group_members_win.c — the members of a Windows group through NetAPI (group_members.h). */
#include "group_members.h"

#include <windows.h>
#include <lm.h>

#include <stdio.h>
#include <string.h>

#define GROUP_NAME_MAX 512

/* NetGroupGetUsers and its level-0 record (lmaccess.h), looked up at run time: Wine's SDK
 * headers and import library, which the clang-cl check builds with, lack them. */
typedef struct group_user_0 {
    LPWSTR name;
} group_user_0;
typedef NET_API_STATUS(WINAPI *net_group_get_users_fn)(LPCWSTR server, LPCWSTR group, DWORD level,
                                                        LPBYTE *buf, DWORD prefmaxlen,
                                                        LPDWORD nread, LPDWORD total,
                                                        PDWORD_PTR resume);

static int to_wide(const char *s, size_t n, wchar_t *out, int cap)
{
    int len;
    if (n > (size_t)cap - 1)
        return -1;
    len = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, (int)n, out, cap - 1);
    if (len <= 0 && n > 0)
        return -1;
    out[len] = L'\0';
    return 0;
}

/* Hands "domain\name" (or name alone, domain NULL) to fn; 1 if fn asks to stop. */
static int hand_over(const wchar_t *domain, const wchar_t *name, group_member_fn fn, void *user)
{
    char utf8[4 * GROUP_NAME_MAX];
    int n = 0, m;
    if (domain) {
        n = WideCharToMultiByte(CP_UTF8, 0, domain, -1, utf8, (int)sizeof utf8 - 1, NULL, NULL);
        if (n <= 0)
            return 0;
        utf8[n - 1] = '\\'; /* over the terminator */
    }
    m = WideCharToMultiByte(CP_UTF8, 0, name, -1, utf8 + n, (int)sizeof utf8 - n, NULL, NULL);
    if (m <= 0)
        return 0; /* a name too long for any Parley account */
    return fn(user, utf8) != 0;
}

/* A local group: level 2 names each member DOMAIN\name with its kind, so groups among the
 * members (NT AUTHORITY\Authenticated Users in Users) are told apart from users. */
static NET_API_STATUS local_members(const wchar_t *group, group_member_fn fn, void *user,
                                    size_t *groups_skipped)
{
    DWORD_PTR resume = 0;
    NET_API_STATUS st;
    do {
        LOCALGROUP_MEMBERS_INFO_2 *info = NULL;
        DWORD nread = 0, total = 0, i;
        st = NetLocalGroupGetMembers(NULL, group, 2, (LPBYTE *)&info, MAX_PREFERRED_LENGTH,
                                     &nread, &total, &resume);
        if (st != NERR_Success && st != ERROR_MORE_DATA) {
            if (info)
                NetApiBufferFree(info);
            return st;
        }
        for (i = 0; i < nread; i++) {
            if (info[i].lgrmi2_sidusage != SidTypeUser) {
                (*groups_skipped)++;
                continue;
            }
            if (hand_over(NULL, info[i].lgrmi2_domainandname, fn, user)) {
                NetApiBufferFree(info);
                return NERR_Success;
            }
        }
        NetApiBufferFree(info);
    } while (st == ERROR_MORE_DATA);
    return NERR_Success;
}

/* A domain group, asked of one of the domain's controllers. */
static NET_API_STATUS domain_members(const wchar_t *domain, const wchar_t *group,
                                     group_member_fn fn, void *user, const char **step)
{
    LPWSTR dc = NULL;
    DWORD_PTR resume = 0;
    NET_API_STATUS st;
    HMODULE netapi = GetModuleHandleW(L"netapi32.dll");
    net_group_get_users_fn get_users =
        netapi ? (net_group_get_users_fn)(void (*)(void))GetProcAddress(netapi, "NetGroupGetUsers")
               : NULL;

    *step = "NetGroupGetUsers";
    if (!get_users)
        return ERROR_PROC_NOT_FOUND;
    *step = "NetGetDCName";
    st = NetGetDCName(NULL, domain, (LPBYTE *)&dc);
    if (st != NERR_Success)
        return st;
    *step = "NetGroupGetUsers";
    do {
        group_user_0 *info = NULL;
        DWORD nread = 0, total = 0, i;
        st = get_users(dc, group, 0, (LPBYTE *)&info, MAX_PREFERRED_LENGTH, &nread, &total,
                       &resume);
        if (st != NERR_Success && st != ERROR_MORE_DATA) {
            if (info)
                NetApiBufferFree(info);
            break;
        }
        for (i = 0; i < nread; i++)
            if (hand_over(domain, info[i].name, fn, user)) {
                st = NERR_Success;
                break;
            }
        NetApiBufferFree(info);
    } while (st == ERROR_MORE_DATA);
    NetApiBufferFree(dc);
    return st;
}

/* 1 if domain names this machine's own groups: BUILTIN or the computer's name. */
static int is_local_domain(const wchar_t *domain)
{
    wchar_t computer[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;
    if (_wcsicmp(domain, L"BUILTIN") == 0)
        return 1;
    return GetComputerNameW(computer, &n) && _wcsicmp(domain, computer) == 0;
}

int group_members_supported(void)
{
    return 1;
}

int group_members_list(const char *group, group_member_fn fn, void *user,
                       size_t *groups_skipped, char *err, size_t err_size)
{
    wchar_t domain[GROUP_NAME_MAX], name[GROUP_NAME_MAX];
    const char *slash = strchr(group, '\\'), *step = "NetLocalGroupGetMembers";
    NET_API_STATUS st;

    *groups_skipped = 0;
    if (slash ? to_wide(group, (size_t)(slash - group), domain, GROUP_NAME_MAX) != 0 ||
                    to_wide(slash + 1, strlen(slash + 1), name, GROUP_NAME_MAX) != 0
              : to_wide(group, strlen(group), name, GROUP_NAME_MAX) != 0) {
        snprintf(err, err_size, "the group name %s is too long or not UTF-8", group);
        return -1;
    }
    if (!slash || is_local_domain(domain))
        st = local_members(name, fn, user, groups_skipped);
    else
        st = domain_members(domain, name, fn, user, &step);
    if (st == NERR_Success)
        return 0;
    if (st == NERR_GroupNotFound || st == ERROR_NO_SUCH_ALIAS)
        snprintf(err, err_size, "there is no Windows group %s", group);
    else
        snprintf(err, err_size, "the members of %s cannot be looked up: %s: error %lu", group,
                 step, (unsigned long)st);
    return -1;
}

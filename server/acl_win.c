/* acl_win.c — protected DACLs from SDDL, for the data folder, the secret key and the settings
 * file (see acl_win.h). */
#include "acl_win.h"

#include <aclapi.h>
#include <sddl.h>

#include <stdio.h>
#include <wchar.h>

/* Builds the DACL of sddl; the caller LocalFrees *sd. */
static DWORD dacl_of(const wchar_t *sddl, PSECURITY_DESCRIPTOR *sd, PACL *dacl)
{
    BOOL present = FALSE, defaulted = FALSE;

    *sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sd, NULL))
        return GetLastError();
    if (!GetSecurityDescriptorDacl(*sd, &present, dacl, &defaulted) || !present) {
        LocalFree(*sd);
        *sd = NULL;
        return ERROR_INVALID_SECURITY_DESCR;
    }
    return ERROR_SUCCESS;
}

DWORD acl_apply_path(const wchar_t *path, const wchar_t *sddl)
{
    PSECURITY_DESCRIPTOR sd;
    PACL dacl;
    DWORD e = dacl_of(sddl, &sd, &dacl);

    if (e != ERROR_SUCCESS)
        return e;
    e = SetNamedSecurityInfoW((LPWSTR)path, SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              NULL, NULL, dacl, NULL);
    LocalFree(sd);
    return e;
}

DWORD acl_apply_handle(HANDLE h, const wchar_t *sddl)
{
    PSECURITY_DESCRIPTOR sd;
    PACL dacl;
    DWORD e = dacl_of(sddl, &sd, &dacl);

    if (e != ERROR_SUCCESS)
        return e;
    e = SetSecurityInfo(h, SE_FILE_OBJECT,
                        DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, NULL,
                        NULL, dacl, NULL);
    LocalFree(sd);
    return e;
}

DWORD acl_private_sddl(wchar_t *out, size_t cap, int is_dir)
{
    HANDLE token;
    BYTE user_info[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    DWORD size = sizeof user_info, e = ERROR_SUCCESS;
    wchar_t *sid = NULL;
    const wchar_t *flags = is_dir ? L"OICI" : L"";
    int n;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return GetLastError();
    if (!GetTokenInformation(token, TokenUser, user_info, size, &size) ||
        !ConvertSidToStringSidW(((TOKEN_USER *)user_info)->User.Sid, &sid))
        e = GetLastError();
    CloseHandle(token);
    if (e != ERROR_SUCCESS)
        return e;
    n = swprintf(out, cap, L"D:P(A;%ls;FA;;;SY)(A;%ls;FA;;;BA)(A;%ls;FA;;;%ls)", flags, flags,
                 flags, sid);
    LocalFree(sid);
    return n < 0 || (size_t)n >= cap ? ERROR_INSUFFICIENT_BUFFER : ERROR_SUCCESS;
}

/* restricted_run_win.c — runs a program as this user without administrator rights: the
 * Administrators group of its token is deny-only (CreateRestrictedToken), as in a non-elevated
 * prompt, so the installer's own admin check can be tested where every process is an
 * administrator (Wine, the GitHub runner). Usage: parley-restricted-run PROGRAM [ARGUMENTS];
 * exits with PROGRAM's exit code, or 125 (with the reason on stderr) if it could not run it. */
#include <windows.h>

#include <stdio.h>
#include <wchar.h>

#define CANNOT_RUN 125

/* The command line after this program's own name, verbatim (quotes and all). */
static wchar_t *rest_of_command_line(void)
{
    wchar_t *p = GetCommandLineW();

    if (*p == L'"') {
        p = wcschr(p + 1, L'"');
        p = p ? p + 1 : p + wcslen(p);
    } else {
        while (*p && *p != L' ' && *p != L'\t')
            p++;
    }
    while (*p == L' ' || *p == L'\t')
        p++;
    return p;
}

static int complain(const char *what)
{
    fprintf(stderr, "parley-restricted-run: %s failed (error %lu)\n", what,
            (unsigned long)GetLastError());
    return CANNOT_RUN;
}

int main(void)
{
    BYTE admins[SECURITY_MAX_SID_SIZE];
    DWORD size = sizeof admins, code = CANNOT_RUN;
    SID_AND_ATTRIBUTES deny_only;
    HANDLE token = NULL, restricted = NULL;
    STARTUPINFOW si;
    PROCESS_INFORMATION proc;
    wchar_t *command = rest_of_command_line();
    int rc = CANNOT_RUN;

    if (!*command) {
        fprintf(stderr, "usage: parley-restricted-run PROGRAM [ARGUMENTS]\n");
        return CANNOT_RUN;
    }
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &size))
        return complain("CreateWellKnownSid");
    deny_only.Sid = admins;
    deny_only.Attributes = 0;
    if (!OpenProcessToken(GetCurrentProcess(),
                          TOKEN_DUPLICATE | TOKEN_ASSIGN_PRIMARY | TOKEN_QUERY, &token)) {
        rc = complain("OpenProcessToken");
        goto done;
    }
    if (!CreateRestrictedToken(token, 0, 1, &deny_only, 0, NULL, 0, NULL, &restricted)) {
        rc = complain("CreateRestrictedToken");
        goto done;
    }
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessAsUserW(restricted, NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &si,
                              &proc)) {
        rc = complain("CreateProcessAsUserW");
        goto done;
    }
    if (WaitForSingleObject(proc.hProcess, INFINITE) == WAIT_OBJECT_0 &&
        GetExitCodeProcess(proc.hProcess, &code))
        rc = (int)code;
    else
        rc = complain("waiting for the program");
    CloseHandle(proc.hProcess);
    CloseHandle(proc.hThread);
done:
    if (restricted)
        CloseHandle(restricted);
    if (token)
        CloseHandle(token);
    return rc;
}

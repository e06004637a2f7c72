/* service_acl_win.c — the service's own SID and the protected DACLs --install gives the data
 * directory, the settings file and the secret key. */
#include "service_win.h"

#include <bcrypt.h>
#include <sddl.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_win.h"
#include "server_config.h"

/* SYSTEM and Administrators full control, the service's SID (appended between the parts)
 * modify on the directory and read on the files, nobody else anything; inheritance cut. */
#define SDDL_DIR_HEAD L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;"
#define SDDL_FILE_HEAD L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;"
#define SDDL_TAIL L")"

int service_sid_text(const char *name, char *out, size_t out_size)
{
    wchar_t *w = svc_widen(name);
    BCRYPT_ALG_HANDLE alg = NULL;
    uint8_t digest[20];
    uint32_t part[5];
    size_t len, i;
    int rc = -1;

    if (!w || out_size == 0)
        goto done;
    len = wcslen(w);
    /* The SCM hashes the name as Windows upper-cases it; names are ASCII in practice. */
    CharUpperBuffW(w, (DWORD)len);
    if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA1_ALGORITHM, NULL, 0)) ||
        !BCRYPT_SUCCESS(BCryptHash(alg, NULL, 0, (PUCHAR)w, (ULONG)(len * sizeof *w), digest,
                                   sizeof digest)))
        goto done;
    for (i = 0; i < 5; i++)
        part[i] = (uint32_t)digest[4 * i] | (uint32_t)digest[4 * i + 1] << 8 |
                  (uint32_t)digest[4 * i + 2] << 16 | (uint32_t)digest[4 * i + 3] << 24;
    if (snprintf(out, out_size, "S-1-5-80-%lu-%lu-%lu-%lu-%lu", (unsigned long)part[0],
                 (unsigned long)part[1], (unsigned long)part[2], (unsigned long)part[3],
                 (unsigned long)part[4]) < (int)out_size)
        rc = 0;
done:
    if (alg)
        BCryptCloseAlgorithmProvider(alg, 0);
    free(w);
    return rc;
}

/* The service account's SID as text: asked of Windows (which knows NT SERVICE\Parley once the
 * service exists), else computed the same way (Wine knows no service accounts). */
int svc_account_sid(wchar_t *out, size_t cap)
{
    BYTE sid[SECURITY_MAX_SID_SIZE];
    wchar_t domain[256], *text = NULL;
    DWORD sid_size = sizeof sid, domain_len = 256;
    SID_NAME_USE use;
    char computed[128];
    wchar_t *w;

    if (LookupAccountNameW(NULL, SVC_ACCOUNT_W, sid, &sid_size, domain, &domain_len, &use) &&
        ConvertSidToStringSidW(sid, &text)) {
        int fits = wcslen(text) < cap;
        if (fits)
            wcscpy(out, text);
        LocalFree(text);
        if (fits)
            return 0;
    }
    if (service_sid_text(PARLEY_SERVICE_NAME, computed, sizeof computed) != 0 ||
        !(w = svc_widen(computed)))
        return -1;
    if (wcslen(w) >= cap) {
        free(w);
        return -1;
    }
    wcscpy(out, w);
    free(w);
    return 0;
}

/* Applies "head + sid + tail" as the protected DACL of a file or directory. A failure names
 * the path and the Windows error. */
static int apply_acl(const char *path, const wchar_t *head, const wchar_t *sid)
{
    size_t n = wcslen(head) + wcslen(sid) + wcslen(SDDL_TAIL) + 1;
    wchar_t *sddl = malloc(n * sizeof *sddl), *wpath = svc_widen(path);
    char what[SERVER_PATH_MAX + 64];
    DWORD e;
    int rc = -1;

    snprintf(what, sizeof what, "--install: cannot set the permissions of %s", path);
    if (!sddl || !wpath) {
        svc_complain("%s: out of memory or not a valid path", what);
        goto done;
    }
    wcscpy(sddl, head);
    wcscat(sddl, sid);
    wcscat(sddl, SDDL_TAIL);
    e = acl_apply_path(wpath, sddl);
    if (e != ERROR_SUCCESS) {
        svc_complain_win(what, e);
        goto done;
    }
    rc = 0;
done:
    free(sddl);
    free(wpath);
    return rc;
}

int svc_acl_data_dir(const char *path, const wchar_t *sid)
{
    return apply_acl(path, SDDL_DIR_HEAD, sid);
}

int svc_acl_private_file(const char *path, const wchar_t *sid)
{
    return apply_acl(path, SDDL_FILE_HEAD, sid);
}

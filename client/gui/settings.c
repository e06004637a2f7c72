/* settings.c — remembers the Connect dialog's values under HKCU\Software\Parley; the secret
 * key and the account password are kept only as DPAPI blobs that the same Windows account
 * alone can open. */
#include "settings.h"

#include <windows.h>
#include <wincrypt.h>

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "proto.h"
#include "wstr.h"

#define REG_ROOT L"Software\\Parley"
#define REG_PATH settings_key()
#define PROFILE_MAX 64

/* The profile chosen with --profile, set once at start-up before any window exists: the only
 * process-wide state, because every part of the program must read the same registry key. */
static wchar_t profile_key[sizeof REG_ROOT / sizeof(wchar_t) + 16 + PROFILE_MAX] = REG_ROOT;

int settings_use_profile(const wchar_t *profile)
{
    const wchar_t *p;

    if (!profile[0] || wcslen(profile) >= PROFILE_MAX)
        return -1;
    for (p = profile; *p; p++)
        if (*p == L'\\' || *p == L'/' || *p < 32)
            return -1;
    _snwprintf(profile_key, sizeof profile_key / sizeof profile_key[0],
               REG_ROOT L"\\Profiles\\%ls", profile);
    profile_key[sizeof profile_key / sizeof profile_key[0] - 1] = L'\0';
    return 0;
}

const wchar_t *settings_key(void)
{
    return profile_key;
}

void settings_subkey(const wchar_t *name, wchar_t *out, size_t cap)
{
    _snwprintf(out, cap, L"%ls\\%ls", profile_key, name);
    out[cap - 1] = L'\0';
}

/* A value sealed with DPAPI: its registry name, its description in the blob, and extra
 * entropy that another program running as the same user must at least know to open it with
 * CryptUnprotectData (no secret, only a narrower door; each value has its own). */
typedef struct sealed_value {
    const wchar_t *name;
    const wchar_t *description;
    const char *entropy;
} sealed_value;

static const sealed_value sealed_key = {L"Key", L"Parley secret key", "Parley secret key v1"};
static const sealed_value sealed_password = {L"Password", L"Parley account password",
                                             "Parley account password v1"};

void settings_defaults(settings *s)
{
    DWORD n = SETTINGS_NICK_MAX;

    memset(s, 0, sizeof *s);
    wstr_copy(s->host, SETTINGS_HOST_MAX, L"localhost");
    s->port = PC_PORT_DEFAULT;
    if (!GetUserNameW(s->nick, &n))
        s->nick[0] = L'\0';
    s->cipher = PROTO_CIPHER_AES256GCM;
}

static void read_string(HKEY key, const wchar_t *name, wchar_t *dst, size_t cap)
{
    DWORD size = (DWORD)(cap * sizeof *dst);

    /* RRF_RT_REG_SZ: RegGetValueW terminates the string and refuses other types. */
    if (RegGetValueW(key, NULL, name, RRF_RT_REG_SZ, NULL, dst, &size) != ERROR_SUCCESS)
        return;
    dst[cap - 1] = L'\0';
}

static int read_dword(HKEY key, const wchar_t *name, DWORD *out)
{
    DWORD size = sizeof *out;
    return RegGetValueW(key, NULL, name, RRF_RT_REG_DWORD, NULL, out, &size) == ERROR_SUCCESS;
}

/* Opens the stored blob v with DPAPI into dst (cap characters); leaves it empty on any
 * failure. */
static void read_sealed(HKEY key, const sealed_value *v, wchar_t *dst, size_t cap)
{
    DATA_BLOB in, out, entropy;
    DWORD size = 0;
    BYTE *blob = NULL;

    if (RegGetValueW(key, NULL, v->name, RRF_RT_REG_BINARY, NULL, NULL, &size) != ERROR_SUCCESS ||
        size == 0 || size > 64 * 1024)
        return;
    blob = LocalAlloc(LMEM_FIXED, size);
    if (!blob)
        return;
    if (RegGetValueW(key, NULL, v->name, RRF_RT_REG_BINARY, NULL, blob, &size) != ERROR_SUCCESS)
        goto done;
    in.pbData = blob;
    in.cbData = size;
    entropy.pbData = (BYTE *)(void *)v->entropy;
    entropy.cbData = (DWORD)strlen(v->entropy);
    memset(&out, 0, sizeof out);
    if (!CryptUnprotectData(&in, NULL, &entropy, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out))
        goto done;
    if (out.cbData < cap * 3) {
        char *utf8 = LocalAlloc(LMEM_FIXED, out.cbData + 1);
        if (utf8) {
            memcpy(utf8, out.pbData, out.cbData);
            utf8[out.cbData] = '\0';
            wstr_from_utf8_into(dst, cap, utf8, out.cbData);
            SecureZeroMemory(utf8, out.cbData);
            LocalFree(utf8);
        }
    }
    SecureZeroMemory(out.pbData, out.cbData);
    LocalFree(out.pbData);
done:
    LocalFree(blob);
}

void settings_load(settings *s)
{
    HKEY key;
    DWORD v;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, REG_PATH, 0, KEY_READ, &key) != ERROR_SUCCESS)
        return;
    read_string(key, L"Server", s->host, SETTINGS_HOST_MAX);
    read_string(key, L"Nickname", s->nick, SETTINGS_NICK_MAX);
    if (read_dword(key, L"Port", &v) && v > 0 && v <= 65535)
        s->port = v;
    if (read_dword(key, L"Cipher", &v) && (v == PROTO_CIPHER_XOR || v == PROTO_CIPHER_AES256GCM))
        s->cipher = (uint8_t)v;
    if (read_dword(key, L"Remember", &v))
        s->remember = v != 0;
    if (read_dword(key, L"Accounts", &v))
        s->accounts = v != 0;
    if (s->remember) {
        read_sealed(key, &sealed_key, s->key, SETTINGS_KEY_MAX);
        read_sealed(key, &sealed_password, s->password, SETTINGS_PASSWORD_MAX);
    }
    RegCloseKey(key);
}

static LSTATUS write_string(HKEY key, const wchar_t *name, const wchar_t *value)
{
    return RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)value,
                          (DWORD)((wcslen(value) + 1) * sizeof *value));
}

static LSTATUS write_dword(HKEY key, const wchar_t *name, DWORD value)
{
    return RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value, sizeof value);
}

/* Seals secret with DPAPI and stores the blob as v; an empty secret removes the value. */
static LSTATUS write_sealed(HKEY key, const sealed_value *v, const wchar_t *secret)
{
    DATA_BLOB in, out, entropy;
    char *utf8;
    LSTATUS rc;

    if (!secret[0]) {
        rc = RegDeleteValueW(key, v->name);
        return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc;
    }
    utf8 = wstr_to_utf8(secret);
    if (!utf8)
        return ERROR_OUTOFMEMORY;
    in.pbData = (BYTE *)utf8;
    in.cbData = (DWORD)strlen(utf8);
    entropy.pbData = (BYTE *)(void *)v->entropy;
    entropy.cbData = (DWORD)strlen(v->entropy);
    memset(&out, 0, sizeof out);
    if (!CryptProtectData(&in, v->description, &entropy, NULL, NULL,
                          CRYPTPROTECT_UI_FORBIDDEN, &out)) {
        rc = (LSTATUS)GetLastError();
        goto done;
    }
    rc = RegSetValueExW(key, v->name, 0, REG_BINARY, out.pbData, out.cbData);
    LocalFree(out.pbData);
done:
    SecureZeroMemory(utf8, in.cbData);
    free(utf8);
    return rc;
}

unsigned long settings_save(const settings *s)
{
    HKEY key;
    LSTATUS rc;

    if (!s->remember) {
        /* Forgetting means every connection value: no trace of a server, a nickname or a
         * key stays. (The window's placement, in its own subkey, is no such trace.) */
        static const wchar_t *const names[] = {L"Server", L"Port",     L"Nickname", L"Cipher",
                                               L"Remember", L"Accounts", L"Key", L"Password"};
        size_t i;
        rc = RegOpenKeyExW(HKEY_CURRENT_USER, REG_PATH, 0, KEY_SET_VALUE, &key);
        if (rc == ERROR_FILE_NOT_FOUND)
            return 0;
        if (rc != ERROR_SUCCESS)
            return (unsigned long)rc;
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            LSTATUS one = RegDeleteValueW(key, names[i]);
            if (one != ERROR_SUCCESS && one != ERROR_FILE_NOT_FOUND)
                rc = one;
        }
        RegCloseKey(key);
        return (unsigned long)rc;
    }
    rc = RegCreateKeyExW(HKEY_CURRENT_USER, REG_PATH, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);
    if (rc != ERROR_SUCCESS)
        return (unsigned long)rc;
    if ((rc = write_string(key, L"Server", s->host)) == ERROR_SUCCESS &&
        (rc = write_dword(key, L"Port", s->port)) == ERROR_SUCCESS &&
        (rc = write_string(key, L"Nickname", s->nick)) == ERROR_SUCCESS &&
        (rc = write_dword(key, L"Cipher", s->cipher)) == ERROR_SUCCESS &&
        (rc = write_dword(key, L"Remember", 1)) == ERROR_SUCCESS &&
        (rc = write_dword(key, L"Accounts", s->accounts != 0)) == ERROR_SUCCESS &&
        (rc = write_sealed(key, &sealed_key, s->key)) == ERROR_SUCCESS)
        rc = write_sealed(key, &sealed_password, s->accounts ? s->password : L"");
    RegCloseKey(key);
    return (unsigned long)rc;
}

void settings_wipe(settings *s)
{
    SecureZeroMemory(s->key, sizeof s->key);
    SecureZeroMemory(s->password, sizeof s->password);
}

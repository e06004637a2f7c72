/* settings.h — what the Connect dialog edits, and how it is remembered: plain values under
 * HKCU\Software\Parley, the secret key and the account password only as DPAPI
 * (CryptProtectData) blobs. */
#ifndef PARLEY_GUI_SETTINGS_H
#define PARLEY_GUI_SETTINGS_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#define SETTINGS_HOST_MAX 256
#define SETTINGS_NICK_MAX 64
#define SETTINGS_KEY_MAX 1025 /* HS_SECRET_MAX bytes of UTF-8 at most, checked on connect */
#define SETTINGS_PASSWORD_MAX 257 /* 256 characters: more than any password manager makes */

typedef struct settings {
    wchar_t host[SETTINGS_HOST_MAX];
    unsigned port;
    wchar_t nick[SETTINGS_NICK_MAX];
    wchar_t key[SETTINGS_KEY_MAX]; /* wiped by settings_wipe */
    uint8_t cipher;                /* PROTO_CIPHER_AES256GCM or PROTO_CIPHER_XOR */
    int remember;
    int accounts;                  /* the server asked for an account: nick is the user name */
    wchar_t password[SETTINGS_PASSWORD_MAX]; /* the account's; wiped by settings_wipe */
} settings;

/* Defaults: localhost, the default port, the Windows user name, AES-256-GCM, no key. */
void settings_defaults(settings *s);
/* Overlays what was remembered (a missing or unreadable value keeps its default; a key that
 * DPAPI cannot open, e.g. from another account, is simply not filled in). */
void settings_load(settings *s);
/* Remembers s (when s->remember) or forgets everything stored (when not). Returns 0, or a
 * Windows error code. */
unsigned long settings_save(const settings *s);
/* Makes every setting (and the window placement, the recent servers) live under
 * HKCU\Software\Parley\Profiles\<profile> instead of HKCU\Software\Parley. Call before
 * anything else reads them. 0, or -1 for an unusable name (empty, too long, with \ or /). */
int settings_use_profile(const wchar_t *profile);
/* The registry key (under HKCU) of the current profile. */
const wchar_t *settings_key(void);
/* The key of a part of the current profile ("Window", "Recent") into out. */
void settings_subkey(const wchar_t *name, wchar_t *out, size_t cap);
/* Clears the key and the password from memory. */
void settings_wipe(settings *s);

#endif

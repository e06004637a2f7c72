/* sounds.c — application events under HKCU\AppEvents (sounds.h): EventLabels\<event> names the
 * event, Schemes\Apps\Parley\<event>\.Default and .Current hold the file; the first start gives
 * .Current the Windows notification sound. PlaySoundW(SND_ALIAS | SND_APPLICATION) looks them
 * up there. */
#include "sounds.h"

#include <mmsystem.h>

#include <stdio.h>
#include <wchar.h>

#include "resource.h"
#include "trace.h"
#include "wstr.h"

#define APP_KEY L"AppEvents\\Schemes\\Apps\\Parley"
#define DEFAULT_WAV L"%SystemRoot%\\Media\\Windows Notify Messaging.wav"

static void put_string(const wchar_t *key, DWORD type, const wchar_t *value)
{
    RegSetKeyValueW(HKEY_CURRENT_USER, key, NULL, type, value,
                    (DWORD)((wcslen(value) + 1) * sizeof *value));
}

static void register_event(const wchar_t *event, const wchar_t *label)
{
    wchar_t key[160];

    _snwprintf(key, 160, L"AppEvents\\EventLabels\\%ls", event);
    key[159] = L'\0';
    put_string(key, REG_SZ, label);
    _snwprintf(key, 160, APP_KEY L"\\%ls\\.Default", event);
    key[159] = L'\0';
    put_string(key, REG_EXPAND_SZ, DEFAULT_WAV);
    _snwprintf(key, 160, APP_KEY L"\\%ls\\.Current", event);
    key[159] = L'\0';
    /* The user's choice in the Sounds control panel, "(None)" included, stays. */
    if (RegGetValueW(HKEY_CURRENT_USER, key, NULL, RRF_RT_ANY, NULL, NULL, NULL) != ERROR_SUCCESS)
        put_string(key, REG_EXPAND_SZ, DEFAULT_WAV);
}

void sounds_register(void)
{
    wchar_t label[96];

    put_string(APP_KEY, REG_SZ, wstr_load(IDS_APP_NAME, label, 96));
    register_event(SOUND_PRIVATE, wstr_load(IDS_SOUND_PRIVATE, label, 96));
    register_event(SOUND_MENTION, wstr_load(IDS_SOUND_MENTION, label, 96));
}

void sounds_play(const wchar_t *event)
{
    /* SND_NODEFAULT: an event without a file stays silent rather than playing the generic
     * beep, which is what "(None)" in the control panel means. */
    BOOL ok = PlaySoundW(event, NULL, SND_ALIAS | SND_APPLICATION | SND_ASYNC | SND_NODEFAULT);

    trace_line(L"sound", event, ok ? L"played" : L"not played");
}

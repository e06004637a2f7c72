/* sounds.h — Parley's sounds as Windows application events: registered under
 * HKCU\AppEvents (so Control Panel > Sound > Sounds lists them under "Parley" and the user can
 * change or silence each), played by their alias. */
#ifndef PARLEY_GUI_SOUNDS_H
#define PARLEY_GUI_SOUNDS_H

#include <windows.h>

#define SOUND_PRIVATE L"ParleyPrivateMessage"
#define SOUND_MENTION L"ParleyMention"

/* Registers the events and their labels; a sound the user chose (.Current) is kept. */
void sounds_register(void);
/* Plays event's sound asynchronously (nothing if the user chose none). */
void sounds_play(const wchar_t *event);

#endif

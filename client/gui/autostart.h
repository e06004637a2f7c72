/* autostart.h — Options > General > "Start Parley when I sign in to Windows": the value
 * "Parley" (or "Parley (<profile>)") under the per-user Run key
 * HKCU\Software\Microsoft\Windows\CurrentVersion\Run. */
#ifndef PARLEY_GUI_AUTOSTART_H
#define PARLEY_GUI_AUTOSTART_H

#include <wchar.h>

/* 1 if the Run key starts this profile's Parley. */
int autostart_is_on(const wchar_t *profile);
/* Adds (on) or removes the Run value; profile is "" for the default one. 0, or the Windows
 * error code. */
unsigned long autostart_set(const wchar_t *profile, int on);

#endif

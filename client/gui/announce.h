/* announce.h — new messages told to screen readers as UI Automation notifications
 * (UiaRaiseNotificationEvent, Windows 10 1709 and later), when Options > General says so.
 * uiautomationcore.dll is loaded when first needed: where it or the call is missing, nothing is
 * announced and nothing else changes. */
#ifndef PARLEY_GUI_ANNOUNCE_H
#define PARLEY_GUI_ANNOUNCE_H

#include <windows.h>

/* Announces text about hwnd; important (a private message, a mention) ones are all read,
 * others only the most recent. */
void announce(HWND hwnd, const wchar_t *text, int important);

#endif

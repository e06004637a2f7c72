/* instance.h — one parley.exe per Windows user and profile: a second start brings the first
 * one's window to the front and ends, unless it was asked for a new window (/new). */
#ifndef PARLEY_GUI_INSTANCE_H
#define PARLEY_GUI_INSTANCE_H

#include <windows.h>

/* Claims the profile's instance. Returns the claim (close it at exit), or NULL if another
 * parley.exe holds it, after bringing that one's main window to the front. */
HANDLE instance_claim(const wchar_t *profile);
/* Marks hwnd as the profile's main window, so that later starts find it. */
void instance_mark(HWND hwnd, const wchar_t *profile);
void instance_unmark(HWND hwnd);

#endif

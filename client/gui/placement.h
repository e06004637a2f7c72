/* placement.h — where the main window opens: where it was left (saved per Windows user under
 * HKCU\Software\Parley\Window), or centred on the screen the first time. */
#ifndef PARLEY_GUI_PLACEMENT_H
#define PARLEY_GUI_PLACEMENT_H

#include <windows.h>

/* Places hwnd (not yet shown) where it was left, or centred on its monitor's work area when
 * nothing usable was saved. Returns the show command to use: show, or SW_SHOWMAXIMIZED if the
 * window was left maximized and show is a plain "normal" one. */
int placement_restore(HWND hwnd, int show);
/* Saves hwnd's placement (its normal position even while minimized or maximized). */
void placement_save(HWND hwnd);

#endif

/* main_window.h — creates parley.exe's main window (a modeless, resizable dialog). */
#ifndef PARLEY_GUI_MAIN_WINDOW_H
#define PARLEY_GUI_MAIN_WINDOW_H

#include <windows.h>

#include "settings.h"

/* Creates the main window with cfg as the Connect dialog's starting values (copied). With
 * open_connect the Connect dialog opens as soon as the message loop runs. NULL on failure. */
HWND main_window_create(HINSTANCE inst, const settings *cfg, int open_connect);

#endif

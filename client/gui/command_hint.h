/* command_hint.h — the hint above the message box while a command is being typed: the
 * commands that start with what was typed, each with its arguments and what it does. */
#ifndef PARLEY_GUI_COMMAND_HINT_H
#define PARLEY_GUI_COMMAND_HINT_H

#include "app.h"

/* Shows, updates or hides the hint after the message box changed. */
void command_hint_update(app *a);
void command_hint_hide(app *a);
/* WM_CTLCOLORSTATIC for the hint: tooltip colours. Returns the brush, or NULL if hwnd is not
 * the hint. */
HBRUSH command_hint_colours(app *a, HWND hwnd, HDC dc);

#endif

/* context_menu.h — right-click (and Shift+F10 / the menu key) menus: on a person (private
 * message, copy name), on a tab (close or leave), on the conversation (copy, select all,
 * find). */
#ifndef PARLEY_GUI_CONTEXT_MENU_H
#define PARLEY_GUI_CONTEXT_MENU_H

#include "app.h"

/* Handles WM_CONTEXTMENU for one of the main window's controls. 1 if it showed a menu. */
int context_menu_show(app *a, HWND control, LPARAM pos);
/* Runs a context menu command (IDM_CTX_*). 1 if id was one. */
int context_menu_command(app *a, int id);

#endif

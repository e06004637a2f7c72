/* join_dialog.h — "Join a room": the server's rooms with their people and topics, a filter,
 * and the room name to join (a new name creates the room). */
#ifndef PARLEY_GUI_JOIN_DIALOG_H
#define PARLEY_GUI_JOIN_DIALOG_H

#include "app.h"

/* Runs the dialog; the chosen name into dst. 1 on Join. While it is open a->join_dlg is set,
 * and the room list it asked for arrives as WM_APP_ROOMS. */
int join_dialog_run(app *a, wchar_t *dst, size_t cap);

#endif

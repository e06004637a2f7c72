/* options.h — the Options property sheet (Connection > Options…): General (the sound for
 * private messages, close to tray, start with Windows, rooms to join at start, announcements
 * for screen readers, the conversation log), Notifications (per conversation: all messages,
 * mentions only, nothing) and Appearance (the conversation font and size). */
#ifndef PARLEY_GUI_OPTIONS_H
#define PARLEY_GUI_OPTIONS_H

#include "app.h"

/* Loads what the options say into a (at start). */
void options_load(app *a);
/* After the first WELCOME of a run: joins the rooms Options > General names. */
void options_join_start_rooms(app *a);
/* Shows the sheet; what is confirmed with OK is applied at once and remembered. */
void options_show(app *a);

#endif

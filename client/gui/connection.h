/* connection.h — connecting and disconnecting: turns settings into a network link, and
 * explains a failed or ended connection in a message box that offers Retry. */
#ifndef PARLEY_GUI_CONNECTION_H
#define PARLEY_GUI_CONNECTION_H

#include "app.h"

/* Starts connecting with s (copied into a->cfg), replacing any current link. The UI shows
 * "Connecting…" at once; the outcome arrives as network events. Returns 0, or -1 after telling
 * the user why it could not even start (a nickname or key too long...). */
int connection_connect(app *a, const settings *s);
/* Ends the current link (the thread says goodbye on its own time). */
void connection_disconnect(app *a);
/* Remembers a failure to show once the current event batch is handled (WM_APP_SHOW_ERROR). */
void connection_fail_later(app *a, int code, const char *detail);
/* Shows the pending failure with Retry/Cancel and acts on the answer: Retry redials, or
 * reopens the Connect dialog first when the user must change something (key, nickname). */
void connection_show_error(app *a);
/* 1 if s names the server the open tabs belong to (or no tabs belong to any). */
int connection_is_tabs_server(const app *a, const settings *s);
/* Opens the Connect dialog (focus_field: the control to start in, 0 for the default) and
 * connects on OK; for another server than the tabs', only once the user agreed that its
 * welcome will close them. */
void connection_dialog(app *a, int focus_field);
/* The same, filled in with recent server `index` (recent.h). */
void connection_dialog_recent(app *a, int index);

#endif

/* status.h — what the main window says about the connection: the status bar (state, cipher,
 * server, round trip), the title bar and the notification-area tooltip. */
#ifndef PARLEY_GUI_STATUS_H
#define PARLEY_GUI_STATUS_H

#include "app.h"

void status_refresh(app *a);
/* Sizes the status bar's parts to what they say: the cipher, server and round trip parts as
 * wide as their text (in the status bar's font, at its DPI), the connection state the rest. */
void status_fit_parts(app *a);

#endif

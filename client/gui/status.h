/* status.h — what the main window says about the connection: the status bar (state, cipher,
 * server, round trip), the title bar and the notification-area tooltip. */
#ifndef PARLEY_GUI_STATUS_H
#define PARLEY_GUI_STATUS_H

#include "app.h"

void status_refresh(app *a);

#endif

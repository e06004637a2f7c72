/* alert_window.h — alerts in parley.exe: the always-on-top alert window that does not take the
 * keyboard focus, flashes and sounds; the sender's live roll call; /alert, /ack and /roll. */
#ifndef PARLEY_GUI_ALERT_WINDOW_H
#define PARLEY_GUI_ALERT_WINDOW_H

#include "app.h"

/* An ALERT_MSG, ACKED, ALERT_OK or ROLL_LIST event. */
void alerts_on_event(app *a, const net_event *ev);
/* /alert, /ack, /roll or /oper (word without the slash); 1 if it was one of them. */
int alerts_command(app *a, const wchar_t *word, const wchar_t *rest);

#endif

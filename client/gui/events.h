/* events.h — what the network thread reports, applied to the window: transcripts, people
 * lists, tabs, status bar and notifications. */
#ifndef PARLEY_GUI_EVENTS_H
#define PARLEY_GUI_EVENTS_H

#include "app.h"

#define TIMER_COUNTDOWN 1 /* ticks the reconnect countdown in the status bar */

/* Handles WM_NET_EVENT: takes every waiting event of the current link (messages from links
 * that have been replaced are ignored). */
void events_drain(app *a, unsigned link_id);
/* One second of the reconnect countdown (WM_TIMER TIMER_COUNTDOWN). */
void events_countdown(app *a);

#endif

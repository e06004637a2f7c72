/* search_dialog.h — Search messages (Ctrl+Shift+F): the rooms' history searched on the server,
 * results listed newest first a page at a time, and Go to, which shows a result in its room. */
#ifndef PARLEY_GUI_SEARCH_DIALOG_H
#define PARLEY_GUI_SEARCH_DIALOG_H

#include "app.h"
#include "net_thread.h"

/* Runs the dialog; on Go to, shows the chosen message in its room's transcript. */
void search_dialog_run(app *a);
/* A SEARCH_HIT, SEARCH_END or ERROR: 1 if it answers the open dialog's search (and went to
 * it), 0 if it is not about search. */
int search_dialog_event(app *a, const net_event *ev);
/* HISTORY_END for room c: if it brought a search result's surroundings, selects the result
 * and returns 1; else 0. */
int search_history_done(app *a, conv *c);

#endif

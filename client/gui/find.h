/* find.h — Find in the conversation (Ctrl+F): the common Find dialog, modeless, searching the
 * active transcript from the selection, up (the default: newest first) or down. */
#ifndef PARLEY_GUI_FIND_H
#define PARLEY_GUI_FIND_H

#include "app.h"

/* Opens the Find dialog, or brings it forward. */
void find_open(app *a);
/* Handles the dialog's registered message (find_message_id). Returns 1 if msg was it. */
int find_on_message(app *a, UINT msg, LPARAM lp);

#endif

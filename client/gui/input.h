/* input.h — the message box: Enter sends, Shift+Enter starts a new line, Up and Down walk
 * through what was sent before, and a count of UTF-8 bytes left shows near the limit. */
#ifndef PARLEY_GUI_INPUT_H
#define PARLEY_GUI_INPUT_H

#include "app.h"

/* Subclasses a->input (the context is passed to the subclass, not kept in a global). */
int input_attach(app *a);
void input_detach(app *a);
/* Takes the box's text, files it in the history and submits it; the box is cleared only if
 * the line was taken (a line over the wire's limit, or refused offline, stays). */
void input_send(app *a);
void input_history_free(input_history *h);

/* Shows how many UTF-8 bytes are left (or over) once the text nears the wire's limit. */
void input_update_count(app *a);
/* Puts the last line sent back into an empty input box, after the network could not send it. */
void input_restore_unsent(app *a);

#endif

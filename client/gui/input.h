/* input.h — the message box: Enter sends, Shift+Enter starts a new line, Up and Down walk
 * through what was sent before. */
#ifndef PARLEY_GUI_INPUT_H
#define PARLEY_GUI_INPUT_H

#include "app.h"

/* Subclasses a->input (the context is passed to the subclass, not kept in a global). */
int input_attach(app *a);
void input_detach(app *a);
/* Takes the box's text, files it in the history, clears the box and submits it. */
void input_send(app *a);
void input_history_free(input_history *h);

#endif

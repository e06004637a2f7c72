/* password_dialog.h — "Change password" (Connection menu, while logged in to an account): the
 * current password and the new one twice, sent as a PASSWORD exchange (docs/PROTOCOL.md). */
#ifndef PARLEY_GUI_PASSWORD_DIALOG_H
#define PARLEY_GUI_PASSWORD_DIALOG_H

#include "app.h"

/* Runs the dialog; on Change starts the exchange. The outcome arrives as a PCS_EV_PASSWORD
 * event (password_dialog_done). */
void password_dialog_run(app *a);
/* The exchange is over: says so in the conversation and, when the password was changed and
 * the Connect dialog remembers it, remembers the new one instead. */
void password_dialog_done(app *a, int code, const char *text);

#endif

/* users_dialog.h — the "Users" dialog for administrators of a server with accounts: one
 * account and a change to it (disable, enable, delete, a role), sent as an ACCOUNT message. */
#ifndef PARLEY_GUI_USERS_DIALOG_H
#define PARLEY_GUI_USERS_DIALOG_H

#include "app.h"

/* Runs the dialog; on Apply (and, for a deletion, once the user confirmed) sends the change.
 * The server's answer arrives as a NOTICE or an ERROR in the conversation. */
void users_dialog_run(app *a);

#endif

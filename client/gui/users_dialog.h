/* users_dialog.h — the "Users" dialog for administrators of a server with accounts: every
 * account on the server (ACCOUNTS) with its role, disabled flag, whether it is online and its
 * last login, and a change to one of them (disable, enable, delete, a role) sent as an
 * ACCOUNT message, after which the list is asked for again. */
#ifndef PARLEY_GUI_USERS_DIALOG_H
#define PARLEY_GUI_USERS_DIALOG_H

#include "app.h"

/* Runs the dialog (modal); it stays open across changes until Close. The server's answers
 * to the changes also appear in the conversation. */
void users_dialog_run(app *a);
/* An ACCOUNT_LIST frame, or an ERROR, from the network: to the dialog while it is open.
 * Returns 1 if the event was the dialog's (an ACCOUNT_LIST), 0 otherwise. */
int users_dialog_event(app *a, const net_event *ev);

#endif

/* commands.h — what the user asks for, from the input box (text and /commands) or the menus:
 * say, join, leave, private conversations, nickname, away and back. */
#ifndef PARLEY_GUI_COMMANDS_H
#define PARLEY_GUI_COMMANDS_H

#include "app.h"

/* A line from the input box: a /command, or a message to the active conversation. Returns 1
 * if it was taken, 0 if a message was refused (offline...: already said in the transcript),
 * so the input box keeps it. */
int commands_submit(app *a, const wchar_t *text);
void commands_join(app *a, const wchar_t *room);
/* Leaves the active room, or closes the active private conversation. */
void commands_leave(app *a);
void commands_private(app *a, const wchar_t *nick);
void commands_away(app *a, const wchar_t *text);
/* Sets the active room's topic (nothing in a private conversation). */
void commands_topic(app *a, const wchar_t *topic);
void commands_back(app *a);
/* Sends an ACCOUNT change (action as on the wire: disable, enable, delete, a role) and says
 * in the conversation that it was asked for; the server's answer follows there. */
void commands_account(app *a, const wchar_t *account, const char *action);

#endif

/* moderate.h — what an operator does to a person from the people list: Kick and Ban (the
 * server's KICK and BAN), and /oper, which asks for operator rights. */
#ifndef PARLEY_GUI_MODERATE_H
#define PARLEY_GUI_MODERATE_H

#include "app.h"

/* 1 if the person menu offers Kick and Ban: after a successful /oper, or when logged in to
 * an account (the server then decides by the account's role). */
int moderate_allowed(const app *a);
/* Asks for the reason (and, for a ban, how long) and sends KICK or BAN for nick. */
void moderate_kick(app *a, const wchar_t *nick);
void moderate_ban(app *a, const wchar_t *nick);
/* /oper PASSWORD. Returns 1, or 0 when refused (said why). */
int moderate_oper(app *a, const wchar_t *password);
/* Follows the answer to /oper: a server NOTICE (empty nick) grants, an ERROR refuses. */
void moderate_on_notice(app *a);
void moderate_on_error(app *a, int code);

#endif

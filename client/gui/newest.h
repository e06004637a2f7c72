/* newest.h — where unread messages begin and how to get back to them: a "New messages"
 * divider in a conversation the user is not looking at, and a "Newest messages" button over
 * the conversation while it is scrolled up. */
#ifndef PARLEY_GUI_NEWEST_H
#define PARLEY_GUI_NEWEST_H

#include "app.h"

/* Before a message that counts as new is added to c: puts the divider in, once per time the
 * user looks away. */
void newest_before_message(app *a, conv *c);
/* The user has seen everything in c up to now (they leave its tab, or the window loses the
 * front): the next new message gets a divider of its own. */
void newest_seen(conv *c);
/* Shows or hides the button for the conversation in front. */
void newest_refresh(app *a);
/* The button: back to the newest line. */
void newest_jump(app *a);

#endif

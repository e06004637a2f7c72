/* messages.h — what the server says (MESSAGE and CAUGHT_UP network events), applied to the
 * window. */
#ifndef PARLEY_GUI_MESSAGES_H
#define PARLEY_GUI_MESSAGES_H

#include "app.h"

/* A MESSAGE event. */
void messages_apply(app *a, const net_event *ev);
/* A CAUGHT_UP event: after a reconnect, the room's missed messages (ev->count, shown just
 * before as history) are all there. */
void messages_caught_up(app *a, const net_event *ev);

#endif

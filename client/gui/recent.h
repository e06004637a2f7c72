/* recent.h — the servers connected to before, newest first, for the welcome pane: host, port
 * and nickname (never the key), kept only for connections made with "Remember" ticked. */
#ifndef PARLEY_GUI_RECENT_H
#define PARLEY_GUI_RECENT_H

#include <windows.h>

#include "settings.h"

#define RECENT_MAX 8

/* Puts s's server first in the list (when s->remember; otherwise leaves the list alone). */
void recent_add(const settings *s);
/* Shows the list in a list view (one column); item i is entry i. */
void recent_show(HWND lv);
/* Copies entry i's host, port and nickname into s. 1 if there is such an entry. */
int recent_get(int i, settings *s);

#endif

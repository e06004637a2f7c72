/* tab_strip.h — the tab strip beyond switching: a close button on each tab, a middle click
 * closes a tab, and what a tab notifies of: all messages, mentions only, or nothing (muted),
 * remembered per conversation. */
#ifndef PARLEY_GUI_TAB_STRIP_H
#define PARLEY_GUI_TAB_STRIP_H

#include "app.h"

/* Sizes the tabs' room for their close buttons for a->dpi (at start and after WM_DPICHANGED). */
void tab_strip_set_dpi(app *a);
/* Subclasses the tab control; 0 or -1. */
int tab_strip_attach(app *a);
void tab_strip_detach(app *a);
/* Leaves the room (or closes the private conversation) of tab `index`. */
void tab_strip_close(app *a, int index);
/* Sets what c notifies of (NOTIFY_ALL...) and remembers it for the next time it is opened. */
void tab_strip_set_notify(app *a, conv *c, int level);
/* Mutes (NOTIFY_NONE) or unmutes (NOTIFY_ALL) c, remembered likewise. */
void tab_strip_toggle_mute(app *a, conv *c);
/* What c notified of when last open (the profile's Notify key); NOTIFY_ALL if not said. */
int tab_strip_remembered_notify(const conv *c);

#endif

/* tab_strip.h — the tab strip beyond switching: a middle click closes a tab, and a tab can be
 * muted (remembered per conversation in the profile). */
#ifndef PARLEY_GUI_TAB_STRIP_H
#define PARLEY_GUI_TAB_STRIP_H

#include "app.h"

/* Subclasses the tab control; 0 or -1. */
int tab_strip_attach(app *a);
void tab_strip_detach(app *a);
/* Leaves the room (or closes the private conversation) of tab `index`. */
void tab_strip_close(app *a, int index);
/* Mutes or unmutes c and remembers it for the next time it is opened. */
void tab_strip_toggle_mute(app *a, conv *c);
/* 1 if c was muted when last open (the profile's Muted key). */
int tab_strip_remembered_mute(const conv *c);

#endif

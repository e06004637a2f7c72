/* layout.h — places the main window's controls from its client size, in dialog units, so the
 * layout follows the window's size, its font and the monitor's DPI. */
#ifndef PARLEY_GUI_LAYOUT_H
#define PARLEY_GUI_LAYOUT_H

#include "app.h"

/* Positions every child (tabs, transcripts, people list, input, Send, status bar). */
void layout_apply(app *a);
/* The smallest useful window size, in pixels, for WM_GETMINMAXINFO. */
void layout_min_size(app *a, POINT *min);
/* Sets the status bar's part widths for the current size and DPI. */

#endif
